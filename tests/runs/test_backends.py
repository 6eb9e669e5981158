"""Identical tables on every backend (issue 4, acceptance 1); a separately started Dask scheduler and a dying worker (acceptance 3)."""

from __future__ import annotations

import os
import subprocess
import time

import pytest

from analysis import load
from sim.runs.execute import execute
from sim.runs.spec import SweepSpec, plan_runs
from sweep_helpers import PY, REPO, DaskCluster, assert_same_results


@pytest.mark.slow
def test_every_backend_gives_identical_tables(tmp_path):
    runs = plan_runs(SweepSpec(scenarios=("baseline", "iron_fist"), seeds=(1, 2, 3), steps=10))
    execute(runs, tmp_path / "serial", backend="serial", progress=False)
    for name, backend, workers in [("p1", "processes", 1), ("p2", "processes", 2), ("dask", "dask", 2)]:
        summary = execute(runs, tmp_path / name, backend=backend, workers=workers, progress=False)
        assert summary["done"] == 6 and summary["complete"], (name, summary)
        assert_same_results(tmp_path / "serial", tmp_path / name)
    nat = load(tmp_path / "serial").national
    assert nat.groupby(["scenario", "seed"]).size().tolist() == [11] * 6
    assert nat.groupby("seed")["iskp_members"].sum().nunique() == 3, "seeds give different runs"


@pytest.mark.slow
def test_sweep_on_a_separately_started_dask_scheduler(tmp_path):
    cluster = DaskCluster(workers=1)
    try:
        result = subprocess.run([PY, "run.py", "sweep", "--scheduler", cluster.address, "--scenarios",
                                 "baseline,iron_fist", "--seeds", "2", "--steps", "10", "--out", str(tmp_path / "d")],
                                cwd=REPO, capture_output=True, text=True, timeout=300)
    finally:
        cluster.stop()
    assert result.returncode == 0, result.stderr
    assert f"dask scheduler {cluster.address}" in result.stderr
    assert all(p.returncode is not None for p in [cluster.scheduler, *cluster.workers])
    execute(plan_runs(SweepSpec(scenarios=("baseline", "iron_fist"), seeds=(1, 2), steps=10)), tmp_path / "s",
            backend="serial", progress=False)
    assert_same_results(tmp_path / "d", tmp_path / "s")


@pytest.mark.slow
def test_runs_of_a_dask_worker_that_dies_are_rescheduled(tmp_path):
    runs = plan_runs(SweepSpec(scenarios=("baseline",), seeds=tuple(range(1, 9)), steps=15))
    cluster = DaskCluster(workers=2)
    try:
        from concurrent.futures import ThreadPoolExecutor

        from distributed import Client

        with ThreadPoolExecutor(1) as pool:
            job = pool.submit(execute, runs, tmp_path / "d", backend="dask", scheduler=cluster.address,
                              progress=False, chunk=1)
            deadline = time.monotonic() + 180
            while not list((tmp_path / "d" / "national").glob("part-*.parquet")):
                assert not job.done() and time.monotonic() < deadline, "sweep ended before the kill"
                time.sleep(0.05)
            with Client(cluster.address) as client:   # the worker about to die holds runs
                pids = {pid: addr for addr, pid in client.run(os.getpid).items()}
                held = len(client.processing()[pids[cluster.workers[1].pid]])
            cluster.workers[1].kill()   # SIGKILL one worker mid-sweep
            summary = job.result(timeout=300)
    finally:
        cluster.stop()
    assert held >= 1, "the killed worker had no run in flight, so nothing was rescheduled"
    assert summary["failed"] == 0 and summary["complete"], summary
    execute(runs, tmp_path / "s", backend="serial", progress=False)
    assert_same_results(tmp_path / "d", tmp_path / "s")
