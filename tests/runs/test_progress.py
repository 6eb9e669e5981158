"""Sweep progress output."""

from __future__ import annotations

from io import StringIO

from sim.runs.progress import Progress


def test_progress_is_plain_lines_when_not_a_terminal():
    out = StringIO()
    bar = Progress(total=4, initial=1, enabled=True, stream=out)
    for _ in range(3):
        bar.update(failed=0)
    lines = out.getvalue().splitlines()
    assert lines[-1].startswith("sweep: 4/4 runs") and "runs/s" in lines[-1] and "\r" not in out.getvalue()
