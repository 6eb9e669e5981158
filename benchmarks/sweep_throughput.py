"""Sweep throughput: the same 16-run sweep on serial, processes (2 workers) and dask (2 workers).

Targets (issue 4): processes >= 1.7x serial; dask >= 0.85x processes. Each figure is the wall time of
``sim.runs.sweep.execute`` into a fresh temporary store, start-up of the pool or cluster included, since that
is what a user waits for. Run: ``python benchmarks/sweep_throughput.py`` (about a minute on 2 free cores).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sim.runs.sweep import SweepSpec, execute, plan_runs  # noqa: E402

TARGETS = (("processes", "serial", 1.7), ("dask", "processes", 0.85))


def measure(backend: str, workers: int | None, runs: list, tmp: Path) -> float:
    """Runs per second of one sweep into a new store."""
    t0 = time.perf_counter()
    summary = execute(runs, tmp / backend, backend=backend, workers=workers, progress=False)
    seconds = time.perf_counter() - t0
    assert summary["done"] == len(runs) and summary["complete"], summary
    return len(runs) / seconds


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
            rate[backend] = measure(backend, workers, runs, Path(tmp))
            label = backend if workers is None else f"{backend} ({workers} workers)"
            print(f"  {label:<22} {rate[backend]:6.2f} runs/s  ({len(runs) / rate[backend]:5.1f} s)")
    print(f"load average at end {os.getloadavg()[0]:.1f} (figures are only meaningful on otherwise idle cores)")
    for fast, slow, target in TARGETS:
        ratio = rate[fast] / rate[slow]
        verdict = "holds" if ratio >= target else "does NOT hold"
        print(f"target {fast} >= {target:g} x {slow}: {ratio:.2f}x -> {verdict}")
    return 0


if __name__ == "__main__":   # required: `import mesa` forces the spawn start method
    sys.exit(main())
