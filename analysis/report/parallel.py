"""Draw the report's figures in several processes at once.

Drawing and saving the figures is most of the report's time (matplotlib draws one figure at a time, on one
core), and the figures are independent of one another once the store's tables are computed. Each figure is
a job: a function of no arguments that draws, saves and returns what the page needs (paths and words).
The jobs run in worker processes forked after the tables are computed, so that a worker inherits them
instead of receiving a copy through a pipe; only the jobs' small return values travel back. The files
written are the same, byte for byte, whichever process draws them (`tests/test_report.py`).
"""

from __future__ import annotations

import multiprocessing
import os
from typing import Callable, TypeVar

T = TypeVar("T")
MAX_WORKERS = 4  # beyond this, forking costs more than the few figures a worker would get
_JOBS: list[Callable[[], object]] = []  # the jobs of the current run, inherited by the forked workers


def default_workers() -> int:
    """The cores this process may use, at most ``MAX_WORKERS``."""
    return max(1, min(MAX_WORKERS, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
                      else os.cpu_count() or 1))


def _run(i: int) -> object:
    return _JOBS[i]()


def run_jobs(jobs: list[Callable[[], T]], workers: int | None = None, costs: list[float] | None = None) -> list[T]:
    """Each job's result, in the jobs' order; in ``workers`` forked processes (default: ``default_workers``),
    or in this process when there is one worker, one job, or no fork on this platform. The jobs are handed
    out one at a time, the costliest first by ``costs`` (rough relative costs, e.g. the panels a job draws;
    default: as listed), so that no worker is left with a slow job while the others have finished."""
    workers = min(len(jobs), default_workers() if workers is None else workers)
    if workers <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        return [job() for job in jobs]
    order = sorted(range(len(jobs)), key=lambda i: -costs[i]) if costs else list(range(len(jobs)))
    global _JOBS
    _JOBS = list(jobs)
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            done = dict(zip(order, pool.map(_run, order, chunksize=1)))
    finally:
        _JOBS = []
    return [done[i] for i in range(len(jobs))]
