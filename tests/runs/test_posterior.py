"""Posterior sweeps (issue 13): the posterior file is checked, sets are drawn by weight from a recorded seed,
every scenario runs on the same sets with the same seeds, and reruns, resumes and backends agree exactly."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import run
from analysis import load
from sim.inputs.posterior import PosteriorError, draw, load_posterior
from sim.runs.spec import SweepSpec, plan_runs
from sweep_helpers import assert_same_results, snapshot, spec


def write_posterior(path: Path, rows: int = 6, seed: int = 0) -> Path:
    rng = np.random.default_rng(seed)
    pd.DataFrame({"detection_base": rng.uniform(0.05, 0.3, rows).round(4),
                  "iskp_cell_size": rng.integers(20, 80, rows),
                  "weight": rng.uniform(0.5, 2.0, rows).round(3),
                  "distance": rng.uniform(0, 1, rows)}).to_csv(path, index=False)
    return path


@pytest.mark.parametrize("content, needle", [
    (None, "does not exist"),
    (b"detection_base,weight\n0.1,1\n\xff\xfe,1\n", "not UTF-8"),
    (b"detection_base\n0.1\n", "no 'weight' column"),
    (b"detection_bse,weight\n0.1,1\n", "'detection_bse' is not a parameter"),
    (b"detection_base,weight\n7,1\n", "outside the allowed range"),
    (b"detection_base,weight\n0.1,0\n0.2,0\n", "sum to more than 0"),
    (b"detection_base,weight\n0.1,-1\n", "row 2 has '-1'"),
    (b"detection_base,weight\n,1\n", "no value for 'detection_base'"),
    (b"iskp_cell_size,weight\n20.5,1\n", "not a whole number"),
    (b"start_date,weight\n2021-08-15,1\n", "not a calibrated number"),
])
def test_a_bad_posterior_is_refused_in_one_paragraph(tmp_path, capsys, content, needle):
    path = tmp_path / "posterior.csv"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(PosteriorError, match=needle):
        load_posterior(path)
    code = run.main(["sweep", "--posterior", str(path), "--sets", "2", "--seeds", "1", "--steps", "2",
                     "--out", str(tmp_path / "s")])
    err = capsys.readouterr().err
    assert code == 2 and needle in err and "Traceback" not in err and err.count("\n") == 1
    assert not (tmp_path / "s").exists()


def test_draws_follow_the_weights_and_the_seed(tmp_path):
    path = tmp_path / "p.csv"
    pd.DataFrame({"detection_base": [0.1, 0.2, 0.3], "weight": [1.0, 3.0, 0.0]}).to_csv(path, index=False)
    post = load_posterior(path)
    assert post.weights.tolist() == [0.25, 0.75, 0.0], "weights are normalised"
    a, b = draw(post, 4000, seed=7), draw(post, 4000, seed=7)
    pd.testing.assert_frame_equal(a, b)
    assert not draw(post, 4000, seed=8).equals(a)
    share = (a["particle"] == 1).mean()
    assert abs(share - 0.75) < 4 * np.sqrt(0.75 * 0.25 / 4000), share   # binomial tolerance
    assert (a["particle"] != 2).all(), "a set of weight 0 is never drawn"
    assert (a["detection_base"] == post.particles["detection_base"].iloc[a["particle"]].to_numpy()).all()


def test_sets_and_seeds_are_paired_exactly_across_scenarios(tmp_path):
    post = write_posterior(tmp_path / "p.csv")
    s = spec(["--scenarios", "baseline,iron_fist,elder_amnesty", "--posterior", str(post), "--sets", "5",
              "--draw-seed", "3", "--seeds", "2", "--steps", "2", "--set", "strike_collateral=5,20"])
    runs = plan_runs(s)
    assert len(runs) == s.size() == 3 * 5 * 2 * 2
    by_key = {}
    for r in runs:
        by_key.setdefault((r.point, r.seed), []).append(r)
    assert len(by_key) == 5 * 2 * 2
    for group in by_key.values():   # every scenario at a (set, seed): the same posterior values, the same seed
        assert sorted(r.scenario for r in group) == ["baseline", "elder_amnesty", "iron_fist"]
        assert all(r.overrides == group[0].overrides for r in group)
    record = s.as_dict()["posterior"]
    drawn = draw(load_posterior(post), 5, 3)
    assert record["particles"] == drawn["particle"].tolist() and record["points_per_set"] == 2
    assert record["sha256"] == load_posterior(post).sha256 and record["draw_seed"] == 3
    for r in runs:   # point p used draw p // points_per_set, with the axis value of p % points_per_set
        row = drawn.iloc[r.point // 2]
        assert r.overrides["detection_base"] == row["detection_base"]
        assert r.overrides["iskp_cell_size"] == row["iskp_cell_size"]
        assert r.overrides["strike_collateral"] == [5.0, 20.0][r.point % 2]


def test_the_sweep_file_keys_match_the_flags(tmp_path):
    write_posterior(tmp_path / "p.csv")
    (tmp_path / "s.toml").write_text('scenarios = ["baseline"]\nseeds = 2\nposterior = "p.csv"\nsets = 4\n'
                                     'draw_seed = 9\n')
    from_file = SweepSpec.from_toml(tmp_path / "s.toml")
    flags = spec(["--scenarios", "baseline", "--seeds", "2", "--posterior", str(tmp_path / "p.csv"), "--sets", "4",
                  "--draw-seed", "9"])
    assert from_file.posterior == flags.posterior == str((tmp_path / "p.csv").resolve())
    assert from_file.points() == flags.points() and len(flags.points()) == 4
    assert spec(["--sweep", str(tmp_path / "s.toml"), "--sets", "6"]).n_sets == 6, "a flag overrides the file"


@pytest.mark.parametrize("argv, needle", [
    (["--sets", "3"], "none is given"),
    (["--posterior", "{p}", "--sets", "0"], "sets is 0"),
    (["--posterior", "{p}", "--draw-seed", "-1"], "draw_seed is -1"),
    (["--posterior", "{p}", "--set", "detection_base=0.1,0.2"], "also an axis"),
    (["--posterior", "{lever}", "--scenarios", "baseline,iron_fist"], "Scenario 'iron_fist' sets ejk_share"),
])
def test_posterior_sweeps_that_cannot_be_run_are_refused(tmp_path, capsys, argv, needle):
    post = write_posterior(tmp_path / "p.csv")
    lever = tmp_path / "lever.csv"
    pd.DataFrame({"ejk_share": [0.3, 0.4], "weight": [1, 1]}).to_csv(lever, index=False)
    argv = [a.format(p=post, lever=lever) for a in argv]
    code = run.main(["sweep", *argv, "--seeds", "1", "--steps", "2", "--out", str(tmp_path / "s")])
    err = capsys.readouterr().err
    assert code == 2 and needle in err and "Traceback" not in err
    assert not (tmp_path / "s").exists()


def test_the_store_records_the_posterior_set_of_every_run_and_reruns_do_nothing(tmp_path, capsys):
    post = write_posterior(tmp_path / "p.csv")
    argv = ["sweep", "--scenarios", "baseline,iron_fist", "--posterior", str(post), "--sets", "3", "--seeds", "2",
            "--steps", "2", "--backend", "serial", "--quiet", "--out", str(tmp_path / "s")]
    assert run.main(argv) == 0
    manifest = json.loads((tmp_path / "s" / "manifest.json").read_text())
    record = manifest["meta"]["sweep"]["posterior"]
    assert "--posterior" in manifest["meta"]["command"] and "--draw-seed 1" in manifest["meta"]["command"]
    particles = load_posterior(post).particles
    nat = load(tmp_path / "s").national
    for (point, _), rows in nat.groupby(["point", "scenario"]):
        row = particles.iloc[record["particles"][point]]
        assert (rows["detection_base"] == row["detection_base"]).all()
        assert (rows["iskp_cell_size"] == row["iskp_cell_size"]).all()
    before = snapshot(tmp_path / "s")
    assert run.main(argv) == 0 and "nothing to do" in capsys.readouterr().out
    assert snapshot(tmp_path / "s") == before, "the same command draws the same sets"


@pytest.mark.slow
def test_posterior_sweeps_are_identical_on_every_backend_and_after_a_resume(tmp_path, capsys):
    post = write_posterior(tmp_path / "p.csv", rows=8)
    common = ["sweep", "--scenarios", "baseline,iron_fist", "--posterior", str(post), "--sets", "3",
              "--seeds", "2", "--steps", "4", "--chunk", "1", "--quiet"]
    assert run.main([*common, "--backend", "serial", "--out", str(tmp_path / "serial")]) == 0
    assert run.main([*common, "--backend", "processes", "--workers", "2", "--out", str(tmp_path / "proc")]) == 0
    assert_same_results(tmp_path / "serial", tmp_path / "proc")
    # a damaged part: the resume sets it aside, runs its runs again and gives the same numbers
    victim = tmp_path / "proc" / "national" / "part-000002.parquet"
    victim.write_bytes(victim.read_bytes()[:100])
    assert run.main(["sweep", "--resume", str(tmp_path / "proc"), "--backend", "processes", "--workers", "2",
                     "--quiet"]) == 0
    assert "set aside" in capsys.readouterr().out
    assert_same_results(tmp_path / "serial", tmp_path / "proc")
