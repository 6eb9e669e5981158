"""Sweeps: spec parsing, planning, the store they write, resume, failures, bad input, and the backends.

The acceptance points of issue 4 are marked: (1) backend equivalence, (2) SIGKILL then resume,
(3) a separately started Dask scheduler and worker, (4) bad input exits 2 and touches nothing.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from io import StringIO
from pathlib import Path

import dask
import distributed  # noqa: F401  (loads its config defaults before dask.config.set below saves and restores them)
import numpy as np
import pandas as pd
import pytest

import run
from analysis import load
from sim.errors import UserError
from sim.runs.sweep import Progress, Run, SweepSpec, execute, parse_axis, plan_runs
from sim.runs.cli import spec_from_args

REPO = Path(__file__).resolve().parent.parent
PY = sys.executable


# ---- helpers -----------------------------------------------------------------------------------

def snapshot(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (hidden ones too) with a hash of its bytes."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def assert_same_results(a: Path, b: Path) -> None:
    ra, rb = load(a), load(b)
    pd.testing.assert_frame_equal(ra.national, rb.national)
    pd.testing.assert_frame_equal(ra.provinces, rb.provinces)


def spec(argv: list[str]) -> SweepSpec:
    return spec_from_args(run.build_parser().parse_args(["sweep", *argv]))


# ---- spec and plan -----------------------------------------------------------------------------

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


def test_progress_is_plain_lines_when_not_a_terminal():
    out = StringIO()
    bar = Progress(total=4, initial=1, enabled=True, stream=out)
    for _ in range(3):
        bar.update(failed=0)
    lines = out.getvalue().splitlines()
    assert lines[-1].startswith("sweep: 4/4 runs") and "runs/s" in lines[-1] and "\r" not in out.getvalue()


# ---- the store a sweep writes ------------------------------------------------------------------

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
    assert m["scenarios"]["iron_fist"]["params"]["amnesty"] == 0.2 and m["git"]["commit"]


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
    assert np.allclose(csv["grievance"], res.provinces["grievance"], rtol=0, atol=5e-5)   # 4 decimals


# ---- acceptance 4: bad input exits 2 with one paragraph and leaves the store byte-identical --------

@pytest.fixture(scope="module")
def stored(tmp_path_factory) -> Path:
    """A store of baseline x seeds 1,2 x 3 steps with seed 2's part removed, so the sweep is unfinished."""
    root = tmp_path_factory.mktemp("bad") / "store"
    execute(plan_runs(SweepSpec(seeds=(1, 2), steps=3)), root, backend="serial", progress=False, chunk=1)
    for table in ("national", "provinces"):
        (root / table / "part-000002.parquet").unlink()
    return root


def _toml(tmp: Path, text: str) -> str:
    path = tmp / "bad_sweep.toml"
    path.write_text(text)
    return str(path)


BAD = {  # name: (changes to the base flags, function of tmp dir -> extra argv, words the message must hold)
    "unknown parameter": ({"--set": "no_such_param=1,2"}, None, ["no_such_param", "--set", "run.py params"]),
    "value out of range": ({"--set": "amnesty=0.5:1.5:3"}, None, ["amnesty", "1.5", "[0, 1]"]),
    "empty axis": ({"--set": "amnesty="}, None, ["amnesty", "empty"]),
    "range with n=0": ({"--set": "amnesty=0.1:0.9:0"}, None, ["amnesty", ">= 2"]),
    "zero seeds": ({"--seed-list": None, "--seeds": "0"}, None, ["--seeds", "at least 1"]),
    "unknown scenario": ({"--scenarios": "baseline,nope"}, None, ["nope", "Bundled scenarios"]),
    "unknown backend": ({"--backend": "mpi"}, None, ["mpi", "serial, processes, dask"]),
    "bad scheduler address": ({"--backend": None, "--scheduler": "localhost"}, None, ["localhost", "tcp://HOST:PORT"]),
    "unreachable scheduler": ({"--backend": None, "--scheduler": "tcp://127.0.0.1:{port}"}, None,
                              ["Cannot reach the Dask scheduler", "127.0.0.1"]),
    "another sweep in --out": ({"--seed-list": "1,2,3"}, None, ["holds a different sweep", "1..2", "1..3"]),
    "resume with spec flags": ({"--out": None, "--resume": "{store}"}, None, ["--resume", "drop", "--scenarios"]),
    "file: unknown key": ({}, lambda t: ["--sweep", _toml(t, "seedz = 3\n")], ["bad_sweep.toml", "seedz", "allowed"]),
    "file: unknown parameter": ({}, lambda t: ["--sweep", _toml(t, "[axes]\nfoo_bar = [1]\n")],
                                ["bad_sweep.toml", "[axes]", "foo_bar"]),
    "file: out of range": ({}, lambda t: ["--sweep", _toml(t, "[axes]\nvision = [2, 9]\n")],
                           ["bad_sweep.toml", "vision", "[1, 6]"]),
    "file: empty axis": ({}, lambda t: ["--sweep", _toml(t, "[axes]\namnesty = []\n")], ["bad_sweep.toml", "empty"]),
    "file: zero seeds": ({"--seed-list": None}, lambda t: ["--sweep", _toml(t, "seeds = 0\n")],
                         ["bad_sweep.toml", "seeds", "at least 1"]),
    "file: not TOML": ({}, lambda t: ["--sweep", _toml(t, "seeds = [1,\n")], ["bad_sweep.toml", "not valid TOML"]),
    "file: missing": ({}, lambda t: ["--sweep", str(t / "absent.toml")], ["absent.toml", "does not exist"]),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_exits_2_with_a_message_and_leaves_the_store_untouched(case, stored, tmp_path, capsys):
    changes, extra, words = BAD[case]
    flags = {"--scenarios": "baseline", "--seed-list": "1,2", "--steps": "3", "--backend": "serial",
             "--out": str(stored)}
    flags.update(changes)
    fill = {"port": free_port(), "store": stored}
    argv = ["sweep"] + [x for k, v in flags.items() if v is not None for x in (k, v.format(**fill))]
    argv += extra(tmp_path) if extra else []
    before = snapshot(stored)
    with dask.config.set({"distributed.comm.timeouts.connect": "2s"}):
        code = run.main(argv)
    err = capsys.readouterr().err
    assert code == 2, f"{case}: exit {code}, stderr {err!r}"
    assert err.startswith("error: ") and err.count("\n") == 1 and "Traceback" not in err, err
    for word in words:
        assert word in err, f"{case}: {word!r} missing from {err!r}"
    assert snapshot(stored) == before, f"{case}: the store changed"


def test_resume_of_a_folder_that_is_not_a_store_exits_2(tmp_path, capsys):
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "mine.txt").write_text("keep")
    assert run.main(["sweep", "--resume", str(tmp_path / "x")]) == 2
    assert run.main(["sweep", "--out", str(tmp_path / "x"), "--steps", "2"]) == 2
    err = capsys.readouterr().err
    assert "not a results store" in err and "not empty and is not a results store" in err
    assert (tmp_path / "x" / "mine.txt").read_text() == "keep" and len(list((tmp_path / "x").iterdir())) == 1


# ---- acceptance 1: identical tables on every backend -------------------------------------------

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


# ---- acceptance 2: SIGKILL part-way, resume, same result --------------------------------------

def _children(pid: int) -> list[int]:
    """Every descendant of ``pid`` (pool workers are children of a fork server, itself a child)."""
    try:
        kids = [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []
    return kids + [d for k in kids for d in _children(k)]


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


@pytest.mark.slow
def test_sigkill_part_way_then_resume_equals_an_uninterrupted_sweep(tmp_path):
    argv = ["--scenarios", "baseline,iron_fist", "--seeds", "6", "--steps", "10"]
    out = tmp_path / "killed"
    proc = subprocess.Popen([PY, "run.py", "sweep", *argv, "--out", str(out), "--backend", "processes",
                             "--workers", "2", "--chunk", "1", "--quiet"], cwd=REPO, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 180
        while len(list((out / "national").glob("part-*.parquet")) if out.exists() else []) < 2:
            assert proc.poll() is None and time.monotonic() < deadline, "sweep ended before it could be killed"
            time.sleep(0.05)
        workers = _children(proc.pid)
        os.kill(proc.pid, signal.SIGKILL)   # the sweep's main process only, like `kill -9 PID`
        proc.wait(10)
        end = time.monotonic() + 15
        while any(_alive(w) for w in workers) and time.monotonic() < end:
            time.sleep(0.2)
        left = [w for w in workers if _alive(w)]
        for w in left:
            os.kill(w, signal.SIGKILL)
        assert not left, f"worker processes {left} outlived the killed sweep"
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    parts = sorted((out / "national").glob("part-*.parquet"))
    for part in parts + sorted((out / "provinces").glob("part-*.parquet")):
        pd.read_parquet(part)   # every part is readable
    stored = load(out).national.groupby(["scenario", "seed"]).ngroups
    assert 2 <= stored < 12, f"{stored} of 12 runs stored at the kill"
    resumed = subprocess.run([PY, "run.py", "sweep", "--resume", str(out), "--backend", "serial", "--quiet"],
                             cwd=REPO, capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    assert f"{stored} were already there" in resumed.stdout
    execute(plan_runs(spec([*argv, "--backend", "serial"])), tmp_path / "whole", backend="serial", progress=False)
    assert_same_results(out, tmp_path / "whole")
    nat = load(out).national
    assert not nat.duplicated(["scenario", "point", "seed", "step"]).any()
    assert json.loads((out / "manifest.json").read_text())["status"] == "complete"


@pytest.mark.slow
def test_ctrl_c_stores_every_finished_run_and_stops_the_workers(tmp_path):
    """Runs finished before Ctrl-C but not yet written (default chunk: 50) are written on the way out."""
    import threading

    out = tmp_path / "s"
    proc = subprocess.Popen([PY, "run.py", "sweep", "--scenarios", "baseline", "--seeds", "40", "--steps", "10",
                             "--out", str(out), "--workers", "2"], cwd=REPO, start_new_session=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(iter(proc.stderr.readline, "")), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 180
        done = re.compile(r"^sweep: (\d+)/40 runs")   # plain progress lines: stderr is not a TTY
        while max([int(m.group(1)) for m in map(done.match, lines) if m] or [0]) < 3:
            assert proc.poll() is None and time.monotonic() < deadline, "".join(lines)
            time.sleep(0.05)
        workers = _children(proc.pid)
        os.killpg(proc.pid, signal.SIGINT)   # what Ctrl-C sends: the terminal's whole process group
        proc.wait(60)
        reader.join(10)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    err = "".join(lines)
    assert proc.returncode == 130 and "interrupted" in err and "Traceback" not in err, err
    res = load(out)
    assert res.manifest["status"] == "incomplete"
    assert 3 <= res.national.groupby("seed").ngroups < 40, "every run reported done before Ctrl-C is stored"
    time.sleep(2)
    assert not [w for w in workers if _alive(w)], "workers outlived the interrupted sweep"


# ---- acceptance 3: a separately started Dask scheduler and workers ------------------------------

class DaskCluster:
    """``dask scheduler`` and ``dask worker`` processes on 127.0.0.1, stopped by PID."""

    def __init__(self, workers: int):
        self.port = free_port()
        self.address = f"tcp://127.0.0.1:{self.port}"
        env = {**os.environ, "PYTHONPATH": str(REPO)}   # stands in for installing the project on each node
        dask_cli = str(Path(PY).parent / "dask")
        self.scheduler = subprocess.Popen(
            [dask_cli, "scheduler", "--host", "127.0.0.1", "--port", str(self.port),
             "--dashboard-address", "127.0.0.1:0"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.workers = [subprocess.Popen(
            [dask_cli, "worker", self.address, "--nthreads", "1", "--host", "127.0.0.1", "--no-nanny",
             "--dashboard-address", "127.0.0.1:0"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            for _ in range(workers)]
        from distributed import Client

        with Client(self.address, timeout=60) as client:
            client.wait_for_workers(workers, timeout=120)

    def stop(self) -> None:
        for p in [*self.workers, self.scheduler]:
            if p.poll() is None:
                p.terminate()
        for p in [*self.workers, self.scheduler]:
            try:
                p.wait(20)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


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


def test_the_sweep_file_in_the_docs_plans_what_the_docs_say(tmp_path):
    text = (REPO / "docs" / "sweeps.md").read_text()
    block = text.split("```toml\n", 1)[1].split("```", 1)[0]
    (tmp_path / "my_sweep.toml").write_text(block)
    runs = plan_runs(SweepSpec.from_toml(tmp_path / "my_sweep.toml"))
    assert len(runs) == 480 and "2 scenarios × 12 design points × 20 seeds = 480 runs" in text
