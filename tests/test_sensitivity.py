"""Sensitivity analysis: Morris ranks a dominant parameter first, Sobol recovers Ishigami's indices,
seeds are averaged per design point, the model path is resumable, and bad options exit 2."""

from __future__ import annotations

import math

import matplotlib.image as mpimg
import numpy as np
import pandas as pd
import pytest

import run
from analysis import sensitivity as sa
from analysis.testfunctions import DOMINANT, DOMINANT_OTHERS as OTHERS, ISHIGAMI_S1, ISHIGAMI_ST
from sim.inputs.parameters import PARAMS



def png_is_drawn(path) -> bool:
    pixels = mpimg.imread(path)[..., :3]
    return float(pixels.std()) > 0.05 and float((pixels < 0.9).any(axis=-1).mean()) > 0.01


def test_morris_cli_ranks_the_dominant_parameter_first(tmp_path, capsys):
    out = tmp_path / "sa"
    code = run.main(["sensitivity", "--method", "morris", "--function", "analysis.testfunctions:dominant",
                     "--params", ",".join((DOMINANT, *OTHERS)), "--trajectories", "10",
                     "--seeds", "3", "--out", str(out)])
    assert code == 0
    table = pd.read_csv(out / "morris.csv")
    assert list(table["parameter"])[0] == DOMINANT
    assert table["mu_star"].iloc[0] > 10 * table["mu_star"].iloc[1]
    assert len(table) == 6 and set(table["rank"]) == set(range(1, 7))
    assert png_is_drawn(out / "morris_dominant.png")
    assert (out / "morris_dominant.svg").stat().st_size > 1000
    assert "morris dominant: top by mu_star: amnesty" in capsys.readouterr().out


def test_sobol_recovers_the_ishigami_indices_within_their_cis(tmp_path):
    out = tmp_path / "ishigami"
    assert run.main(["sensitivity", "--method", "sobol", "--function", "analysis.testfunctions:ishigami",
                     "--samples", "1024", "--seeds", "1", "--out", str(out)]) == 0
    t = pd.read_csv(out / "sobol.csv").set_index("parameter")
    for name in ("x1", "x2", "x3"):
        for index, truth in (("S1", ISHIGAMI_S1[name]), ("ST", ISHIGAMI_ST[name])):
            value, conf = t.loc[name, index], t.loc[name, f"{index}_conf"]
            assert value - conf <= 1.0 and value + conf >= 0.0, f"{index}[{name}] = {value} +- {conf} outside [0, 1]"
            # conf is a 95% half-width (~2 sd): 2 x conf is ~4 sd, so only a broken pipeline fails this
            assert abs(value - truth) <= 2 * conf, f"{index}[{name}] = {value} +- {conf}, analytic {truth}"
    assert list(t.index)[:2] == ["x1", "x2"]  # ranked by ST
    assert png_is_drawn(out / "sobol_ishigami.png")


def test_seeds_are_averaged_per_design_point_before_the_analysis():
    rows = pd.DataFrame({"point": [1, 0, 1, 0], "seed": [1, 1, 2, 2], "y": [10.0, 1.0, 20.0, 3.0]})
    assert sa.seed_means(rows, ["y"], 2).ravel().tolist() == [2.0, 15.0]
    with pytest.raises(sa.SensitivityError, match="1 design points have no result"):
        sa.seed_means(rows, ["y"], 3)


def test_plausible_bands_lie_in_the_allowed_range_around_the_default():
    for name in sa.behavioural():
        p, f = PARAMS[name], sa.plausible(name)
        assert p.low <= f.low < f.high <= p.high, name
        assert f.low <= p.default <= f.high, name
        assert f.integer == (p.kind is int)
    assert "recruit_pool" not in sa.behavioural() and "start_date" not in sa.behavioural()
    assert sa.plausible("ejk_share").low == pytest.approx(0.2) and sa.plausible("ejk_share").high == pytest.approx(0.6)
    assert (sa.plausible("ejk_share", full=True).low, sa.plausible("ejk_share", full=True).high) == (0.0, 1.0)


@pytest.mark.parametrize("argv, message", [
    (["--params", "recruit_pool,amnesty"], "recruit_pool cannot be varied"),
    (["--params", "amnesty"], "at least 2 different parameters"),
    (["--method", "sobol", "--samples", "100"], "power of 2"),
    (["--method", "morris", "--trajectories", "1"], "at least 2"),
    (["--outcome", "happiness_final"], "unknown outcome 'happiness_final'"),
    (["--outcome", "iskp_members_cum"], "is a stock"),
    (["--function", "no_such_module:f"], "not one of the test functions"),
    (["--function", "os:system"], "allowed: analysis.testfunctions:dominant"),
    (["--function", "analysis.testfunctions:np"], "not one of the test functions"),
    (["--steps", "0"], "--steps is 0"),
    (["--seeds", "0"], "at least 1"),
])
def test_bad_options_exit_2_with_a_clear_message(tmp_path, capsys, argv, message):
    assert run.main(["sensitivity", "--out", str(tmp_path / "sa"), "--steps", "2", *argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err and "Traceback" not in err


@pytest.mark.slow
def test_model_morris_runs_through_the_sweep_store_and_resumes(tmp_path, capsys):
    out = tmp_path / "sa"
    argv = ["sensitivity", "--method", "morris", "--params", "ejk_share,amnesty,recruit_contact_rate",
            "--trajectories", "2", "--seeds", "2", "--steps", "3", "--backend", "serial", "--quiet",
            "--outcome", "iskp_members_final", "--out", str(out)]
    assert run.main(argv) == 0
    first = pd.read_csv(out / "morris.csv")
    from analysis import load
    from analysis.outcomes import per_run

    stored = load(out / "morris")
    runs = per_run(stored.national, ["iskp_members_final"])
    assert len(runs) == 2 * (3 + 1) * 2  # r (D + 1) points x 2 seeds
    assert sorted(runs["seed"].unique()) == [1, 2]
    # the analysis saw the seed means of the stored runs, point by point
    factors = sa.model_factors(["ejk_share", "amnesty", "recruit_contact_rate"])
    X = sa.sample("morris", factors, 2, 1)
    y = runs.groupby("point")["iskp_members_final"].mean().sort_index().to_numpy()
    again = sa.analyse("morris", factors, X, y, 1)
    merged = first.merge(again, on="parameter", suffixes=("", "_store"))
    assert np.allclose(merged["mu_star"], merged["mu_star_store"])
    parts = sorted(p.name for p in (out / "morris" / "national").iterdir())
    assert run.main(argv) == 0  # resuming: nothing left to run, same table
    assert sorted(p.name for p in (out / "morris" / "national").iterdir()) == parts
    pd.testing.assert_frame_equal(pd.read_csv(out / "morris.csv"), first)
    assert not math.isnan(first["mu_star"].iloc[0])


def test_bad_options_leave_an_existing_study_untouched(tmp_path):
    out = tmp_path / "sa"
    out.mkdir()
    (out / "manifest.json").write_text('{"kind": "sensitivity"}')
    assert run.main(["sensitivity", "--out", str(out), "--method", "sobol", "--samples", "100",
                     "--function", "analysis.testfunctions:ishigami"]) == 2
    assert [p.name for p in out.iterdir()] == ["manifest.json"]
    assert (out / "manifest.json").read_text() == '{"kind": "sensitivity"}'
