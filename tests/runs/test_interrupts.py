"""A sweep killed with SIGKILL resumes to the uninterrupted result (issue 4, acceptance 2); Ctrl-C stores what finished."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time

import pandas as pd
import pytest

from analysis import load
from sim.runs.execute import execute
from sim.runs.spec import plan_runs
from sweep_helpers import PY, REPO, alive, assert_same_results, children, foreground, spec


def _stored_parts(out) -> int:
    try:
        return len(json.loads((out / "manifest.json").read_text())["parts"])
    except (OSError, ValueError, KeyError):
        return 0


@pytest.mark.slow
def test_sigkill_part_way_then_resume_equals_an_uninterrupted_sweep(tmp_path):
    argv = ["--scenarios", "baseline,iron_fist", "--seeds", "6", "--steps", "10"]
    out = tmp_path / "killed"
    proc = subprocess.Popen([PY, "run.py", "sweep", *argv, "--out", str(out), "--backend", "processes",
                             "--workers", "2", "--chunk", "1", "--quiet"], cwd=REPO, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 180
        while _stored_parts(out) < 2:   # a part is stored once the manifest lists it
            assert proc.poll() is None and time.monotonic() < deadline, "sweep ended before it could be killed"
            time.sleep(0.05)
        workers = children(proc.pid)
        os.kill(proc.pid, signal.SIGKILL)   # the sweep's main process only, like `kill -9 PID`
        proc.wait(10)
        end = time.monotonic() + 15
        while any(alive(w) for w in workers) and time.monotonic() < end:
            time.sleep(0.2)
        left = [w for w in workers if alive(w)]
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
    argv = [PY, "run.py", "sweep", "--scenarios", "baseline", "--seeds", "40", "--steps", "10", "--out", str(out),
            "--workers", "2"]
    proc = subprocess.Popen(foreground(argv), cwd=REPO, start_new_session=True, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(iter(proc.stderr.readline, "")), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 180
        done = re.compile(r"^sweep: (\d+)/40 runs")   # plain progress lines: stderr is not a TTY
        while max([int(m.group(1)) for m in map(done.match, lines) if m] or [0]) < 3:
            assert proc.poll() is None and time.monotonic() < deadline, "".join(lines)
            time.sleep(0.05)
        workers = children(proc.pid)
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
    end = time.monotonic() + 15
    while any(alive(w) for w in workers) and time.monotonic() < end:
        time.sleep(0.2)
    assert not [w for w in workers if alive(w)], "workers outlived the interrupted sweep"


def test_a_sweep_started_from_a_background_job_still_gets_ctrl_c():
    """The root cause of the Ctrl-C test failing under `make test &`: the child inherited an ignored SIGINT."""
    probe = [PY, "-c", "import signal; print(signal.getsignal(signal.SIGINT) is signal.default_int_handler)"]

    def as_background_job() -> None:   # what a shell without job control does to `cmd &`
        signal.signal(signal.SIGINT, signal.SIG_IGN)

    inherited = subprocess.run(probe, preexec_fn=as_background_job, capture_output=True, text=True, timeout=60)
    reset = subprocess.run([PY, "-c", "import os, signal, subprocess, sys; signal.signal(signal.SIGINT, "
                            "signal.SIG_IGN); sys.exit(subprocess.run(sys.argv[1:]).returncode)", *foreground(probe)],
                           capture_output=True, text=True, timeout=60)
    assert inherited.stdout.strip() == "False", "an ignored SIGINT is inherited: Python installs no handler"
    assert reset.stdout.strip() == "True", reset.stderr
