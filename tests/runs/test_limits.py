"""Unbounded plans, worker counts and the flush interval (issue 12)."""

from __future__ import annotations

import pytest

import run
import sim.runs.execute as execute_module
from sim.runs import backends
from sim.runs.execute import CHUNK_SECONDS, execute
from sim.runs.spec import HARD_MAX_RUNS, MAX_RUNS, SweepSpec, plan_runs
from sweep_helpers import spec

BIG = {  # argv: words of the message
    "ten million seeds": (["--seeds", "10000000"], ["10,000,000", f"{HARD_MAX_RUNS:,}"]),
    "a factorial of ~4e12 runs": ([*(x for n in ("amnesty", "elder_influence", "ejk_share", "monitoring")
                                    for x in ("--set", f"{n}=0.1:0.9:1000")), "--seeds", "4"],
                                  ["4,000,000,000,000 runs", "1,000,000,000,000 design point(s)", "split"]),
    "just over the limit": (["--seeds", "50001", "--scenarios", "baseline,iron_fist"],
                            ["100,002 runs", f"more than {MAX_RUNS:,}", "--yes"]),
}


@pytest.mark.parametrize("case", list(BIG))
def test_a_plan_beyond_the_limit_is_refused_before_it_is_built(case, tmp_path, capsys):
    argv, words = BIG[case]
    assert run.main(["sweep", *argv, "--steps", "2", "--out", str(tmp_path / "s")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1 and "Traceback" not in err, err
    for word in words:
        assert word in err, (word, err)
    assert not (tmp_path / "s").exists()


def test_yes_lifts_the_soft_limit_but_not_the_hard_one():
    runs = plan_runs(spec(["--seeds", "50001", "--scenarios", "baseline,iron_fist", "--steps", "2"]), max_runs=None)
    assert len(runs) == 100_002
    with pytest.raises(Exception, match="at most 1,000,000"):
        plan_runs(SweepSpec(seeds=tuple(range(1, 600_001)), scenarios=("baseline", "iron_fist")), max_runs=None)


def test_workers_are_capped_at_the_runs_to_do_and_noted_above_the_core_count(monkeypatch):
    monkeypatch.setattr(backends, "default_workers", lambda: 2)
    with backends.open_backend("processes", workers=10000, runs=3) as opened:   # no worker starts before a submit
        assert opened.label == "processes (3 workers)" and opened.window == 6
        assert any("capped at 3" in n for n in opened.notes) and any("more than the 2 cores" in n for n in opened.notes)
    with backends.open_backend("processes", workers=2, runs=40) as opened:
        assert opened.label == "processes (2 workers)" and opened.notes == []


def test_finished_runs_are_written_by_time_as_well_as_by_count(tmp_path, monkeypatch):
    """With the default chunk of 50, runs reach the disk once the oldest unwritten one is CHUNK_SECONDS old."""
    assert CHUNK_SECONDS <= 10
    monkeypatch.setattr(execute_module, "CHUNK_SECONDS", 0.0)
    execute(plan_runs(SweepSpec(seeds=(1, 2, 3), steps=2)), tmp_path / "s", backend="serial", progress=False)
    assert len(list((tmp_path / "s" / "national").glob("part-*.parquet"))) == 3
