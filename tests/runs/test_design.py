"""Sweep specs and plans: axes, factorial and Latin-hypercube designs, sweep files, the docs' example."""

from __future__ import annotations

import pytest

from sim.errors import UserError
from sim.runs.design import parse_axis
from sim.runs.spec import SweepSpec, plan_runs
from sweep_helpers import REPO, spec


def test_range_axis_is_n_evenly_spaced_values_with_both_ends():
    assert parse_axis("elder_influence", "0.2:0.8:4").grid() == [0.2, 0.4, 0.6, 0.8]
    assert parse_axis("elders_per_province", "1:5:3").grid() == [1, 3, 5]
    assert parse_axis("amnesty", "0.2, 0.5,0.8").grid() == [0.2, 0.5, 0.8]
    with pytest.raises(UserError, match="not a whole number"):
        parse_axis("elders_per_province", "1:4:3").grid()    # 2.5 is not a count of elders


def test_factorial_plan_crosses_scenarios_points_and_seeds_with_shared_points():
    runs = plan_runs(spec(["--scenarios", "baseline,iron_fist", "--seeds", "3", "--steps", "5",
                           "--set", "amnesty=0.2,0.8", "--set", "elder_influence=0.2:0.8:3"]))
    assert len(runs) == 2 * 6 * 3
    assert len({(r.scenario, r.point, r.seed) for r in runs}) == len(runs), "keys are unique"
    by_point = {}
    for r in runs:
        assert by_point.setdefault(r.point, r.overrides) == r.overrides, "a point means the same values everywhere"
    assert sorted((p["amnesty"], p["elder_influence"]) for p in by_point.values()) == \
        sorted((a, e) for a in (0.2, 0.8) for e in (0.2, 0.5, 0.8))
    assert {r.seed for r in runs} == {1, 2, 3} and {r.steps for r in runs} == {5}


def test_latin_hypercube_is_stratified_and_fixed_by_its_seed():
    argv = ["--set", "amnesty=0.1:0.9", "--set", "vision=1:6", "--design", "lhs", "--samples", "12"]
    points = [r.overrides for r in plan_runs(spec([*argv, "--seeds", "1"]))]
    strata = sorted(int((p["amnesty"] - 0.1) / 0.8 * 12) for p in points)
    assert strata == list(range(12)), "one amnesty value in each of the 12 equal strata"
    assert all(isinstance(p["vision"], int) and 1 <= p["vision"] <= 6 for p in points)
    assert sorted(p["vision"] for p in points) == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6], "integers equally often"
    again = [r.overrides for r in plan_runs(spec([*argv, "--seeds", "1"]))]
    other = [r.overrides for r in plan_runs(spec([*argv, "--seeds", "1", "--design-seed", "2"]))]
    assert again == points and other != points


def test_sweep_file_plans_the_same_runs_as_the_flags(tmp_path):
    f = tmp_path / "s.toml"
    f.write_text('scenarios = ["baseline", "iron_fist"]\nseeds = [3, 5]\nsteps = 7\n'
                 '[axes]\nelder_influence = "0.2:0.8:4"\namnesty = [0.2, 0.5]\n')
    from_file = plan_runs(spec(["--sweep", str(f)]))
    from_flags = plan_runs(spec(["--scenarios", "baseline,iron_fist", "--seed-list", "3,5", "--steps", "7",
                                 "--set", "elder_influence=0.2:0.8:4", "--set", "amnesty=0.2,0.5"]))
    assert from_file == from_flags and len(from_file) == 2 * 8 * 2
    overridden = plan_runs(spec(["--sweep", str(f), "--seeds", "1", "--set", "amnesty=0.9"]))
    assert {r.seed for r in overridden} == {1} and {r.overrides["amnesty"] for r in overridden} == {0.9}


def test_the_sweep_file_in_the_docs_plans_what_the_docs_say(tmp_path):
    text = (REPO / "docs" / "sweeps.md").read_text()
    block = text.split("```toml\n", 1)[1].split("```", 1)[0]
    (tmp_path / "my_sweep.toml").write_text(block)
    runs = plan_runs(SweepSpec.from_toml(tmp_path / "my_sweep.toml"))
    assert len(runs) == 480 and "2 scenarios × 12 design points × 20 seeds = 480 runs" in text
