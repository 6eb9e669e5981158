"""Two writers and a reader on one store (issue 12): the lock is taken before the store is read, so two
sweeps never both run a run; a reader sees only runs complete in every table."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

import run
from analysis import load
from sweep_helpers import PY, REPO

SWEEP = ["sweep", "--scenarios", "baseline", "--seeds", "2", "--steps", "1", "--backend", "serial", "--chunk", "1",
         "--quiet"]


def _sweep(argv: list[str], err: Path) -> None:
    """A forked child: ``run.py`` with stderr to ``err`` (forked, so it starts without importing again)."""
    with open(err, "w") as fh:
        sys.stderr = fh
        code = run.main(argv)
        fh.flush()
    os._exit(code)


@pytest.mark.slow
def test_two_sweeps_started_on_one_folder_at_staggered_moments_never_duplicate_a_run(tmp_path):
    fork = multiprocessing.get_context("fork")
    outcomes = []
    for attempt in range(10):
        out = tmp_path / f"s{attempt}"
        errs = [tmp_path / f"err{attempt}-{i}" for i in (1, 2)]
        first = fork.Process(target=_sweep, args=([*SWEEP, "--out", str(out)], errs[0]))
        second = fork.Process(target=_sweep, args=([*SWEEP, "--out", str(out)], errs[1]))
        first.start()
        time.sleep(0.05 * attempt)   # 0 to 0.45 s: before, during and after the first one's planning and runs
        second.start()
        for proc, err in ((first, errs[0]), (second, errs[1])):
            proc.join(120)
            text = err.read_text()
            assert proc.exitcode == 0 or (proc.exitcode == 2 and "Another sweep is writing" in text
                                          and text.count("\n") == 1), (proc.exitcode, text)
        outcomes.append((first.exitcode, second.exitcode))
        nat = load(out).national
        assert not nat.duplicated(["scenario", "point", "seed", "step"]).any(), f"attempt {attempt}: a run twice"
        assert nat.groupby("seed").size().to_dict() == {1: 2, 2: 2}, f"attempt {attempt}: every run once"
    assert {0} <= {code for pair in outcomes for code in pair}, outcomes


@pytest.mark.slow
def test_a_reader_during_a_sweep_sees_only_runs_complete_in_both_tables(tmp_path):
    out = tmp_path / "s"
    proc = subprocess.Popen([PY, "run.py", "sweep", "--scenarios", "baseline,iron_fist", "--seeds", "4", "--steps",
                             "3", "--workers", "2", "--chunk", "1", "--quiet", "--out", str(out)], cwd=REPO,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    reads, partial = 0, 0
    deadline = time.monotonic() + 240
    while proc.poll() is None and time.monotonic() < deadline:
        try:
            res = load(out)
        except Exception as exc:   # before the first part: "does not exist" / "no finished runs" only
            assert "does not exist" in str(exc) or "no finished runs" in str(exc) or "no manifest" in str(exc), exc
            continue
        keys = {t: set(map(tuple, getattr(res, t)[["scenario", "point", "seed"]].drop_duplicates().values))
                for t in ("national", "provinces")}
        assert keys["national"] == keys["provinces"], "a run in one table and not the other"
        assert (res.national.groupby(["scenario", "seed"]).size() == 4).all(), "a run with missing weeks"
        reads += 1
        partial += len(keys["national"]) < 8
    assert proc.wait(240) == 0, proc.stderr.read()
    assert reads >= 3 and partial >= 1, (reads, partial)
