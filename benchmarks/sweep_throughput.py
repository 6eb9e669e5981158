"""Sweep throughput: the same 16-run sweep on serial, processes (2 workers) and dask (2 workers).

Targets (issue 4): processes >= 1.7x serial; dask >= 0.85x processes. Each figure is the wall time of
``sim.sweep.execute`` into a fresh temporary store, start-up of the pool or cluster included, since that
is what a user waits for. Run: ``python benchmarks/sweep_throughput.py`` (about a minute on 2 free cores).
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sim.sweep import SweepSpec, execute, plan_runs  # noqa: E402

TARGETS = (("processes", "serial", 1.7), ("dask", "processes", 0.85))


def cpu_seconds() -> float:
    """CPU time of this process and of its finished child processes (pool workers, Dask nannies)."""
    return sum(getattr(resource.getrusage(who), f) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
               for f in ("ru_utime", "ru_stime"))


def measure(backend: str, workers: int | None, runs: list, tmp: Path) -> tuple[float, float]:
    """Runs per second of one sweep into a new store, and the CPU seconds it used."""
    t0, c0 = time.perf_counter(), cpu_seconds()
    summary = execute(runs, tmp / backend, backend=backend, workers=workers, progress=False)
    seconds = time.perf_counter() - t0
    assert summary["done"] == len(runs) and summary["complete"], summary
    return len(runs) / seconds, cpu_seconds() - c0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--steps", type=int, default=104, help="weeks per run (default 104, a full run)")
    args = ap.parse_args()
    runs = plan_runs(SweepSpec(scenarios=("baseline", "iron_fist"), seeds=tuple(range(1, 9)), steps=args.steps))
    print(f"sweep: {len(runs)} runs (baseline, iron_fist x seeds 1-8 x {args.steps} weeks); "
          f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start")
    rate = {}
    with tempfile.TemporaryDirectory(prefix="sweep_bench_") as tmp:
        for backend, workers in (("serial", None), ("processes", 2), ("dask", 2)):
            rate[backend], cpu = measure(backend, workers, runs, Path(tmp))
            label = backend if workers is None else f"{backend} ({workers} workers)"
            print(f"  {label:<22} {rate[backend]:6.2f} runs/s  ({len(runs) / rate[backend]:5.1f} s wall, "
                  f"{cpu:5.1f} s CPU)")
    print(f"load average at end {os.getloadavg()[0]:.1f} (wall-clock figures are only meaningful on otherwise "
          f"idle cores; CPU seconds show the parallel overhead whatever the load)")
    for fast, slow, target in TARGETS:
        ratio = rate[fast] / rate[slow]
        verdict = "holds" if ratio >= target else "does NOT hold"
        print(f"target {fast} >= {target:g} x {slow}: {ratio:.2f}x -> {verdict}")
    return 0


if __name__ == "__main__":   # required: `import mesa` forces the spawn start method
    sys.exit(main())
