#!/usr/bin/env python3
"""Report speed (issue 13): seconds for ``run.py report`` on the default store, against the 5 s target.

Two figures, because the user waits for both: ``run.py report STORE`` as a new process (what a user
types: Python, pandas, SciPy and matplotlib start, then the report), and the report's making alone, in
this process (``analysis.report.build.build`` with the libraries already imported). Each is the median of
``--repeats`` runs, wall and CPU time of all the processes (on a shared machine CPU < wall can mean waiting
for a core).
The default store is ``make demo``'s shape: every bundled scenario x 20 seeds x 104 weeks, 34 provinces.
Give a store's folder (after ``make demo``: results/default); without one, a synthetic store of that shape
(every national and province column, the analysis test suite's ``tests/synthetic_store.py``) is written to
a temporary folder, so the benchmark needs no model runs. ``--posterior``: a synthetic posterior store
instead (every scenario on 20 parameter sets of 30 parameters, one seed each), whose report also names the
parameters deciding each effect robust in fewer than 90% of the sets. Reports go to a temporary folder.
``--profile`` prints where the making's time goes (cProfile, top functions by cumulative time).
No test asserts on timings.

Usage: python benchmarks/report_speed.py [STORE] [--posterior] [--repeats 3] [--profile]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
TARGET_S = 5.0
SETS, POSTERIOR_PARAMETERS = 20, 30


def synthetic_demo_store(folder: Path, posterior: bool = False) -> Path:
    """A store shaped like ``make demo``'s (every bundled scenario x 20 seeds, or x 20 posterior sets of one
    seed, x 104 weeks, 34 provinces), with a different ISIS-K effect in each scenario."""
    import numpy as np

    from sim.inputs.parameters import PARAMS
    from sim.inputs.scenario import bundled_names
    from synthetic_store import national_table, write_store

    scenarios = ["baseline", *(s for s in bundled_names() if s != "baseline")]
    effects = {s: 100.0 * i for i, s in enumerate(scenarios)}
    if not posterior:
        return write_store(folder / "store", national_table(effects, seeds=range(1, 21), steps=104))
    names = [p.name for p in PARAMS.values() if p.kind is float][:POSTERIOR_PARAMETERS]
    u = np.random.default_rng(11).uniform(0, 1, (SETS, len(names)))
    points = {s: {n: round(PARAMS[n].low + (PARAMS[n].high - PARAMS[n].low) * float(u[s, j]), 6)
                  for j, n in enumerate(names)} for s in range(SETS)}
    table = national_table({s: 0.0 for s in scenarios}, seeds=[1], steps=104, noise=5.0, point_params=points)
    for i, s in enumerate(scenarios[1:]):   # scenario i's effect changes sign with parameter 3i
        k = names[(3 * i) % len(names)]
        x = (table[k] - PARAMS[k].low) / (PARAMS[k].high - PARAMS[k].low)
        mine = table["scenario"] == s
        table.loc[mine, "iskp_members"] += (400 * (x - 0.2 - 0.08 * i) * table["step"] / 104)[mine]
    record = {"file": "/synthetic/posterior.csv", "sha256": "0" * 64, "sets": SETS, "draw_seed": 1,
              "parameters": names, "points_per_set": 1, "particles": list(range(SETS))}
    return write_store(folder / "posterior", table, manifest={"meta": {"sweep": {"posterior": record}},
                                                              "varied": {n: n for n in names}})


def command_times(store: Path, out: Path, repeats: int) -> tuple[float, float]:
    """Median wall and CPU seconds of ``run.py report STORE`` as a new process (imports included)."""
    walls, cpus = [], []
    for i in range(repeats):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        wall = time.perf_counter()
        subprocess.run([sys.executable, str(ROOT / "run.py"), "report", str(store), "--out", str(out / f"cli{i}")],
                       cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        walls.append(time.perf_counter() - wall)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return statistics.median(walls), statistics.median(cpus)


def cpu_seconds() -> float:
    """CPU seconds of this process and of its ended children (the report's worker processes, once joined)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def build_times(store: Path, out: Path, repeats: int) -> tuple[float, float]:
    """Median wall and CPU seconds (this process and its workers) of ``build`` in this process (libraries
    imported by a first build)."""
    from analysis.report.build import build

    build(store, out / "warm", say=lambda _: None)
    walls, cpus = [], []
    for i in range(repeats):
        w, c = time.perf_counter(), cpu_seconds()
        build(store, out / f"report{i}", say=lambda _: None)
        walls.append(time.perf_counter() - w)
        cpus.append(cpu_seconds() - c)
    return statistics.median(walls), statistics.median(cpus)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("store", nargs="?", help="results store (default: a synthetic one of make demo's shape)")
    ap.add_argument("--posterior", action="store_true", help="a synthetic posterior store (without STORE)")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--profile", action="store_true", help="print the top functions by cumulative time")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        store = Path(args.store) if args.store else synthetic_demo_store(tmp, args.posterior)
        kind = "given" if args.store else f"synthetic{' posterior' if args.posterior else ''}, make demo's shape"
        # the command first: its first run reads the store from disk for both
        cli_wall, cli_cpu = command_times(store, tmp, args.repeats)
        wall, cpu = build_times(store, tmp, args.repeats)
        from analysis.report.parallel import default_workers

        print(f"report of {store} ({kind}), charts drawn in {default_workers()} processes, median of {args.repeats}:")
        for what, w, c in (("`run.py report` (a new process, imports included)", cli_wall, cli_cpu),
                           ("making the report (in process, libraries imported)", wall, cpu)):
            print(f"  {what}: {w:.2f} s wall, {c:.2f} s CPU; target <= {TARGET_S:.0f} s: "
                  f"{'meets' if w <= TARGET_S else 'MISSES'}")
        if args.profile:
            import cProfile
            import pstats

            from analysis.report.build import build

            prof = cProfile.Profile()
            prof.runcall(build, store, tmp / "profiled", say=lambda _: None)
            pstats.Stats(prof).sort_stats("cumulative").print_stats(25)
    return 0


if __name__ == "__main__":
    sys.exit(main())
