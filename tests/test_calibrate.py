"""``run.py calibrate`` (ABC-SMC with pyabc) on a small budget, and ``run.py validate --posterior``."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from analysis.calibrate import priors
from analysis.posterior import draw, load_posterior
from sim.results.load import load

PARAMS = "hp_rate,detection_base,surrender_rate"
SMALL = ["--population", "6", "--generations", "2", "--seeds", "1", "--steps", "12", "--params", PARAMS,
         "--backend", "serial", "--quiet", "--design-seed", "3"]


@pytest.fixture(scope="module")
def calibrated(tmp_path_factory):
    """The same small calibration run twice into two folders (serial sampler, same seed)."""
    from run import main

    root = tmp_path_factory.mktemp("cal")
    for name in ("a", "b"):
        assert main(["calibrate", *SMALL, "--out", str(root / name)]) == 0
    return root


def test_small_calibration_writes_every_output(calibrated):
    out = calibrated / "a"
    for name in ("abc.db", "posterior.csv", "generations.csv", "manifest.json"):
        assert (out / name).stat().st_size > 0
    for name in ("kde_matrix.png", "epsilons.png", "ess.png"):
        assert (out / name).stat().st_size > 5_000
    gens = pd.read_csv(out / "generations.csv")
    assert gens["generation"].tolist() == [0, 1] and np.isinf(gens["epsilon"].iloc[0])
    assert gens["epsilon"].iloc[1] < np.inf and (gens["accepted"] == 6).all()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["design_seed"] == 3 and set(manifest["priors"]) == set(PARAMS.split(","))
    assert manifest["evaluations"] == gens["tried"].sum() and manifest["pyabc"].startswith("0.13")


def test_final_population_is_weighted_and_inside_the_priors(calibrated):
    post = pd.read_csv(calibrated / "a" / "posterior.csv")
    assert len(post) == 6 and post["weight"].sum() == pytest.approx(1.0) and (post["weight"] > 0).all()
    for p in priors(PARAMS.split(",")):
        assert post[p.name].between(p.low, p.high).all()
    gens = pd.read_csv(calibrated / "a" / "generations.csv")
    assert (post["distance"] <= gens["epsilon"].iloc[-1]).all()  # accepted at the last epsilon
    assert load_posterior(calibrated / "a" / "posterior.csv").weights.sum() == pytest.approx(1.0)


def test_same_seed_gives_the_same_population_in_serial_mode(calibrated):
    a = (calibrated / "a" / "posterior.csv").read_text()
    assert a == (calibrated / "b" / "posterior.csv").read_text()
    ga, gb = (pd.read_csv(calibrated / n / "generations.csv") for n in ("a", "b"))
    pd.testing.assert_frame_equal(ga.drop(columns="wall_seconds"), gb.drop(columns="wall_seconds"))


def test_calibrate_refuses_bad_flags_and_an_existing_database(calibrated, tmp_path, capsys):
    from run import main

    assert main(["calibrate", *SMALL, "--out", str(calibrated / "a")]) == 2
    assert "already holds a calibration" in capsys.readouterr().err
    before = (calibrated / "a" / "posterior.csv").read_text()
    assert before == (calibrated / "b" / "posterior.csv").read_text()  # left untouched
    for flags, word in ((["--steps", "5"], "--steps"), (["--population", "1"], "--population"),
                        (["--params", "ejk_share"], "ejk_share"), (["--budget", "3"], "--budget")):
        assert main(["calibrate", *SMALL, *flags, "--out", str(tmp_path / "x")]) == 2
        assert word in capsys.readouterr().err
    assert not (tmp_path / "x" / "abc.db").exists()


def test_validate_posterior_draws_by_weight_reproducibly(tmp_path, capsys):
    from run import main

    path = tmp_path / "posterior.csv"
    pd.DataFrame({"hp_rate": [0.01, 0.05, 0.09], "surrender_rate": [0.5, 1.0, 1.5],
                  "weight": [0.2, 0.8, 0.0]}).to_csv(path, index=False)
    args = ["validate", "--posterior", str(path), "--draws", "5", "--draw-seed", "11", "--steps", "12",
            "--backend", "serial", "--quiet"]
    assert main([*args, "--out", str(tmp_path / "v1")]) == 0
    assert "5 draws by weight" in capsys.readouterr().out
    assert main([*args, "--out", str(tmp_path / "v2")]) == 0
    expected = draw(load_posterior(path), 5, seed=11)
    for name in ("v1", "v2"):
        nat = load(tmp_path / name).national
        runs = nat.groupby("point")[["seed", "hp_rate", "surrender_rate"]].first()
        assert runs.index.tolist() == [0, 1, 2, 3, 4] and runs["seed"].tolist() == [1, 2, 3, 4, 5]
        assert runs["hp_rate"].to_numpy() == pytest.approx(expected["hp_rate"].to_numpy())
        assert runs["surrender_rate"].to_numpy() == pytest.approx(expected["surrender_rate"].to_numpy())
        assert 0.09 not in runs["hp_rate"].tolist()  # weight 0: never drawn
        assert (tmp_path / name / "scorecard.csv").exists()
    assert main(["validate", "--posterior", str(path), "--set", "hp_rate=0.1", "--out", str(tmp_path / "v3")]) == 2
    assert "--set cannot be combined" in capsys.readouterr().err


def test_early_rejection_is_exact_a_lower_bound_of_the_full_distance():
    from analysis import abc_distance as D
    from analysis.abc_model import Simulator
    from sim.inputs.scenario import load_scenario

    prs = priors(PARAMS.split(","))
    ids = tuple(p.id for p in D.abc_patterns(26))
    model = Simulator(load_scenario("baseline"), 26, 1, prs, ids, screen=12)
    assert model.early == ("P1b", "P9n") and model.screen == 12
    rng = np.random.default_rng(5)
    early_rejections = 0
    for k in range(3):
        theta = {p.key: p.coordinate(rng.uniform(*p.bounds)) for p in prs}
        np.random.seed(k)
        full = model.integrated_simulate(theta, np.inf)  # no screen at epsilon inf
        np.random.seed(k)
        screened = model.integrated_simulate(theta, 0.0)  # the screen runs: rejected early unless it passes
        lower = D.BandDistance(model.early)({i: full.sum_stat[i] for i in model.early})
        assert lower <= full.distance + 1e-12
        if lower > 0:
            assert not screened.accepted and screened.distance == pytest.approx(lower)
            early_rejections += 1
        np.random.seed(k)
        assert model.integrated_simulate(theta, full.distance).accepted  # the full run decides at its own distance
    assert early_rejections >= 1  # the screen was exercised


def test_a_runaway_run_stops_at_the_threshold_and_is_rejected_at_every_finite_epsilon():
    from analysis import abc_distance as D
    from analysis.abc_model import RUNAWAY_DISTANCE, RUNAWAY_MEMBERS, Simulator
    from analysis.calibrate import model_values, priors as make_priors
    from sim.inputs.scenario import load_scenario
    from sim.runs.runner import run_one

    baseline = load_scenario("baseline")
    full = run_one(baseline, 4, 8)
    assert full.halted is None
    members = full.national["iskp_members"].to_numpy()
    # the last week that sets a new high (the prison escape of week 1 at least): the run must stop there
    record = max(k for k in range(1, len(members)) if members[k] > members[:k].max())
    limit = float(members[:record].max())
    halted = run_one(baseline, 4, 8, halt_members=limit)
    week = halted.halted
    assert week is not None and len(halted.national) == week + 1  # step 0 plus the weeks run
    assert halted.national["iskp_members"].iloc[-1] > limit >= halted.national["iskp_members"].iloc[:-1].max()
    pd.testing.assert_frame_equal(halted.national, full.national.iloc[:week + 1])  # the same weeks, then stopped

    prs = make_priors(["recruit_contact_rate", "recruit_pool"])
    ids = tuple(p.id for p in D.abc_patterns(26))
    model = Simulator(baseline, 26, 1, prs, ids, screen=12)
    theta = {p.key: p.coordinate(0.8 if p.name == "recruit_contact_rate" else np.log10(300_000)) for p in prs}
    assert model_values(prs, theta) == {"recruit_contact_rate": pytest.approx(0.8), "recruit_pool": 300_000}
    # an explosion: tens of thousands of members in week 1
    for eps, accepted in ((np.inf, True), (RUNAWAY_DISTANCE, False), (5.0, False)):
        np.random.seed(1)
        result = model.integrated_simulate(theta, eps)
        assert result.distance == RUNAWAY_DISTANCE and result.accepted is accepted
        assert all(np.isnan(v) for v in result.sum_stat.values())
    assert RUNAWAY_MEMBERS >= 10 * max(D.P.BY_ID[i].high for i in ("P5", "P5b"))


def test_calibrate_runs_on_the_default_backend_without_flags(tmp_path):
    from run import main

    args = ["calibrate", "--population", "2", "--generations", "1", "--steps", "12", "--params", "hp_rate",
            "--workers", "1", "--quiet", "--out", str(tmp_path / "c")]
    assert main(args) == 0
    manifest = json.loads((tmp_path / "c" / "manifest.json").read_text())
    assert manifest["backend"] == "processes"


def _generations_done(db) -> int:
    """The last finished generation in the pyabc database a running calibration writes (-1 for none yet),
    read read-only: opening it with ``pyabc.History`` writes its schema version, which raced with the
    writer ("Cannot set version as already exists"), and a locked or half-created file counts as none."""
    import sqlite3
    from contextlib import closing

    try:
        with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0.1)) as con:
            t = con.execute("SELECT MAX(t) FROM populations").fetchone()[0]
    except sqlite3.Error:
        return -1
    return -1 if t is None else int(t)


@pytest.mark.slow
@pytest.mark.parametrize("how", ["ctrl-c", "kill -INT of a background job", "kill (SIGTERM)"])
def test_ctrl_c_writes_the_outputs_of_the_last_finished_generation(tmp_path, how):
    """Interrupted in a later generation, calibrate keeps abc.db and writes posterior.csv and the rest from
    the last generation that finished, says so, and exits 130: on Ctrl-C (SIGINT to a foreground job), on
    SIGINT to a job its shell started in the background with SIGINT ignored, and on SIGTERM."""
    import os
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    import pyabc

    sys.path.insert(0, str(Path(__file__).parent / "runs"))
    from sweep_helpers import PY, REPO, foreground

    out = tmp_path / "cal"
    argv = ["calibrate", "--population", "4", "--generations", "40", "--steps", "12", "--params", PARAMS,
            "--backend", "serial", "--quiet", "--min-acceptance", "0", "--out", str(out)]
    command = foreground([PY, "run.py", *argv]) if how == "ctrl-c" else [PY, "run.py", *argv]
    ignore = (lambda: signal.signal(signal.SIGINT, signal.SIG_IGN)) if how.endswith("background job") else None
    proc = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, preexec_fn=ignore)
    try:
        deadline = time.monotonic() + 240
        finished = -1
        while finished < 1:  # two generations in abc.db
            assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
            time.sleep(0.1)
            finished = _generations_done(out / "abc.db")
        time.sleep(0.5)  # into generation 2's simulations, past the database writes that follow the commit
        os.kill(proc.pid, signal.SIGTERM if how.startswith("kill (") else signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130, stderr
    last = pyabc.History(f"sqlite:///{out / 'abc.db'}").max_t
    assert last >= 1 and f"outputs are those of generation {last}" in stderr and "Traceback" not in stderr
    post = pd.read_csv(out / "posterior.csv")
    gens = pd.read_csv(out / "generations.csv")
    assert len(post) == 4 and post["weight"].sum() == pytest.approx(1.0) and len(gens) == last + 1
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["stopped"].startswith("interrupted") and manifest["generations"] == last + 1


def test_weights_that_turn_nan_stop_with_a_message_and_keep_the_last_finished_generation(tmp_path, monkeypatch,
                                                                                           capsys):
    """pyabc raises AssertionError('The population total weight nan ...') when a tiny population collapses
    (seen with --population 2); calibrate must write the last finished generation, say why, and exit 1."""
    import pyabc

    from run import main

    real = pyabc.ABCSMC.run

    def collapse_after_generation_1(self, *args, **kwargs):
        real(self, *args, **{**kwargs, "max_nr_populations": 2})
        raise AssertionError("The population total weight nan is not normalized.")

    monkeypatch.setattr(pyabc.ABCSMC, "run", collapse_after_generation_1)
    out = tmp_path / "nan"
    assert main(["calibrate", *SMALL, "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "stopped in generation 2: its importance weights are not finite" in err and "--population" in err
    assert "Traceback" not in err
    assert pd.read_csv(out / "generations.csv")["generation"].tolist() == [0, 1]
    assert len(pd.read_csv(out / "posterior.csv")) == 6
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["stopped"].startswith("weights not finite in generation 2")
