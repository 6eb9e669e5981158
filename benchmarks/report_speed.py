#!/usr/bin/env python3
"""Report speed (issue 13): seconds for ``run.py report`` on the default store, against the 5 s target.

The default store is ``make demo``'s: 8 scenarios x 20 seeds x 104 weeks. Give its folder (after
``make demo``: results/default); without one, a synthetic store of the same shape (every national and
province column, the analysis test suite's ``tests/synthetic_store.py``) is written to a temporary folder,
so the benchmark needs no model runs. The report is written into a temporary folder, and the time is the
median of ``--repeats`` builds (wall and CPU: on a shared machine CPU < wall means the process waited).
It also prints where the time went (cProfile, top functions by cumulative time) with ``--profile``.
No test asserts on timings.

Usage: python benchmarks/report_speed.py [STORE] [--repeats 3] [--profile]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
TARGET_S = 5.0
DEMO_SCENARIOS = ("baseline", "border_cooperation", "elder_amnesty", "external_strikes", "external_support_iskp",
                  "foreign_support_taliban", "iron_fist", "no_prison_escape")


def synthetic_demo_store(folder: Path) -> Path:
    """A store shaped like ``make demo``'s (8 scenarios x 20 seeds x 104 weeks, 34 provinces)."""
    from synthetic_store import national_table, write_store

    effects = {s: 100.0 * i for i, s in enumerate(DEMO_SCENARIOS)}
    return write_store(folder / "store", national_table(effects, seeds=range(1, 21), steps=104))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("store", nargs="?", help="results store (default: a synthetic one of make demo's shape)")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--profile", action="store_true", help="print the top functions by cumulative time")
    args = ap.parse_args()
    from analysis.report.build import build

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        store = Path(args.store) if args.store else synthetic_demo_store(tmp)
        kind = "given" if args.store else "synthetic, make demo's shape"
        walls, cpus = [], []
        for i in range(args.repeats):
            w, c = time.perf_counter(), time.process_time()
            build(store, tmp / f"report{i}", say=lambda _: None)
            walls.append(time.perf_counter() - w)
            cpus.append(time.process_time() - c)
        wall, cpu = statistics.median(walls), statistics.median(cpus)
        verdict = "meets" if wall <= TARGET_S else "MISSES"
        print(f"report of {store} ({kind}): {wall:.2f} s wall, {cpu:.2f} s CPU (median of {args.repeats}); "
              f"target <= {TARGET_S:.0f} s: {verdict}")
        if args.profile:
            import cProfile
            import pstats

            prof = cProfile.Profile()
            prof.runcall(build, store, tmp / "profiled", say=lambda _: None)
            pstats.Stats(prof).sort_stats("cumulative").print_stats(25)
    return 0


if __name__ == "__main__":
    sys.exit(main())
