"""The store a sweep writes: row keys and parameter columns, reruns, failed runs, CSV export."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import run
from analysis import load
from sim.runs.execute import execute
from sim.runs.spec import Run, SweepSpec, plan_runs
from sweep_helpers import snapshot


def test_rows_carry_scenario_point_seed_and_varied_parameters(tmp_path):
    runs = [Run("baseline", 1, 3, {"amnesty": 0.2}, 0), Run("baseline", 1, 3, {"taliban_strength": 60000}, 1),
            Run("iron_fist", 1, 3, {"amnesty": 0.2}, 0)]
    summary = execute(runs, tmp_path / "s", backend="serial", progress=False)
    assert summary["done"] == 3 and summary["complete"]
    res = load(tmp_path / "s")
    nat = res.national
    assert list(nat.columns[:5]) == ["scenario", "point", "seed", "amnesty", "param_taliban_strength"]
    first = nat[nat.step == 0].set_index(["scenario", "point"])
    # A run without an override stores the value it actually used (its scenario's).
    assert first.loc[("baseline", 1), "amnesty"] == 0.5 and first.loc[("iron_fist", 0), "amnesty"] == 0.2
    assert first.loc[("baseline", 0), "param_taliban_strength"] == 70000
    assert first.loc[("baseline", 1), "param_taliban_strength"] == 60000
    assert first.loc[("baseline", 1), "taliban_strength"] == pytest.approx(60000), "the output is still the output"
    assert len(res.provinces) == 3 * 4 * res.provinces["province"].nunique()
    m = res.manifest
    assert m["status"] == "complete" and m["seeds"] == [1] and len(m["runs"]) == 3
    assert m["scenarios"]["iron_fist"]["params"]["ejk_share"] == 0.8 and m["git"]["commit"]


def test_numpy_values_from_a_design_table_are_accepted(tmp_path):
    runs = [Run("baseline", np.int64(1), np.int64(2), {"vision": np.int64(3), "amnesty": np.float64(0.3)},
                np.int64(0))]
    assert execute(runs, tmp_path / "s", backend="serial", progress=False)["done"] == 1
    assert json.loads((tmp_path / "s" / "manifest.json").read_text())["points"] == {"0": {"vision": 3, "amnesty": 0.3}}


def test_rerunning_a_finished_sweep_does_nothing(tmp_path, capsys):
    argv = ["sweep", "--scenarios", "baseline", "--seeds", "2", "--steps", "3", "--backend", "serial",
            "--out", str(tmp_path / "s")]
    assert run.main(argv) == 0
    before = snapshot(tmp_path / "s")
    assert run.main(argv) == 0
    assert "nothing to do" in capsys.readouterr().out
    assert snapshot(tmp_path / "s") == before


def test_a_failing_run_is_recorded_and_the_sweep_goes_on(tmp_path, monkeypatch):
    import sim.runs.runner

    real = sim.runs.runner.run_one

    def flaky(scenario, seed, steps=None, overrides=None):
        if seed == 2:
            raise RuntimeError("boom in seed 2")
        return real(scenario, seed, steps, overrides)

    runs = plan_runs(SweepSpec(scenarios=("baseline",), seeds=(1, 2, 3), steps=3))
    monkeypatch.setattr(sim.runs.runner, "run_one", flaky)
    summary = execute(runs, tmp_path / "s", backend="serial", progress=False)
    assert (summary["done"], summary["failed"], summary["complete"]) == (2, 1, False)
    m = json.loads((tmp_path / "s" / "manifest.json").read_text())
    assert m["status"] == "incomplete"
    assert [(f["seed"], f["error"]) for f in m["failed"]] == [(2, "RuntimeError: boom in seed 2")]
    assert "flaky" in m["failed"][0]["traceback"]
    assert sorted(load(tmp_path / "s").national["seed"].unique()) == [1, 3]
    monkeypatch.setattr(sim.runs.runner, "run_one", real)
    summary = execute(runs, tmp_path / "s", backend="serial", progress=False)   # resume retries it
    assert (summary["done"], summary["skipped"], summary["failed"]) == (1, 2, 0)
    m = json.loads((tmp_path / "s" / "manifest.json").read_text())
    assert m["status"] == "complete" and m["failed"] == [] and len(m["sessions"]) == 2


def test_export_csv_has_the_same_rows(tmp_path, capsys):
    execute(plan_runs(SweepSpec(seeds=(1,), steps=2)), tmp_path / "s", backend="serial", progress=False)
    assert run.main(["export", str(tmp_path / "s"), "--csv", "--to", str(tmp_path / "csv")]) == 0
    res = load(tmp_path / "s")
    csv = pd.read_csv(tmp_path / "csv" / "provinces.csv")
    assert len(csv) == len(res.provinces) and list(csv.columns) == list(res.provinces.columns)
    assert np.allclose(csv["grievance"], res.provinces["grievance"], rtol=0, atol=5e-5)   # exported to 4 decimals
