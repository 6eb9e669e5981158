"""Command-line subcommands of sweeps: ``sweep`` (run or resume a sweep) and ``export`` (store to CSV)."""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

from sim.errors import UserError
from sim.inputs.checks import check_out_path
from sim.inputs.parameters import coerce, parse_sets
from sim.results.export import FORMATS

DESIGNS = ("factorial", "lhs")

EXAMPLES_SWEEP = """examples:
  python run.py sweep --scenarios baseline,iron_fist --seeds 20 --steps 104 --out results/s1
  python run.py sweep --scenarios all --seeds 20 --set elder_influence=0.2:0.8:4 --out results/s2
  python run.py sweep --scenarios baseline --seed-list 3,5,9 --set amnesty=0.2,0.5,0.8 --workers 2 --out results/s3
  python run.py sweep --set amnesty=0:1 --set ejk_share=0.2:0.9 --design lhs --samples 50 --out results/lhs
  python run.py sweep --sweep my_sweep.toml --backend dask --out results/s4
  python run.py sweep --sweep my_sweep.toml --scheduler tcp://10.0.0.5:8786 --out results/s5
  python run.py sweep --sweep my_sweep.toml --scheduler tls://10.0.0.5:8786 --security dask-tls.yaml --out results/s6
  python run.py sweep --scenarios all --posterior posterior.csv --sets 20 --seeds 3 --out results/post
  python run.py sweep --resume results/s1          # run only what is missing (after a kill or failures)

posterior (--posterior FILE --sets N --draw-seed S): draw N parameter sets from a posterior CSV (one row per
  set: parameter columns and a weight column) by weight, fixed by the draw seed (default 1); each set is a
  design point, combined with every point of the axes. Every scenario runs on every set with the same
  seeds; manifest.json's meta.sweep.posterior names the posterior row of each set.

axes (--set NAME=VALUES, repeatable; every parameter of `python run.py params` except steps):
  NAME=lo:hi:n     n evenly spaced values, both ends included (0.2:0.8:4 -> 0.2 0.4 0.6 0.8)
  NAME=a,b,c       a list of values;  NAME=v  one value (fixed for the whole sweep)
  NAME=lo:hi       a range sampled by --design lhs (n is not needed there)
  --design factorial (default) runs every combination of the axes' values; --design lhs --samples N
  draws N points by Latin hypercube (scipy.stats.qmc, fixed by --design-seed). Every scenario and
  design point runs with the same seeds (paired comparisons).

sweep file (--sweep FILE, TOML; flags given as well override its keys, --set replaces same-named axes):
  scenarios = ["baseline", "iron_fist"]   # or "all"; bundled names or paths of scenario .toml files
  seeds = 20                              # seeds 1..20; or a list: seeds = [3, 5, 9]
  steps = 104                             # optional; default: each scenario's steps
  design = "factorial"                    # or "lhs", with samples = 50 and optionally design_seed = 1
  posterior = "posterior.csv"             # optional, with sets = 20 and draw_seed = 1 (path next to the file)
  [axes]
  elder_influence = "0.2:0.8:4"
  amnesty = [0.2, 0.5, 0.8]

store (--out DIR): DIR/national/ and DIR/provinces/ are Parquet datasets (pandas.read_parquet(DIR/"national")),
with columns scenario, point, seed, one per varied parameter, then the outputs; DIR/manifest.json has
versions, git revision, the sweep, resolved parameters, planned runs and their hash, every part with its
checksums, and failed runs. Parts are written as runs finish (at least every 10 s); a killed sweep keeps
every stored run; rerunning the same command resumes it, setting damaged parts aside in DIR/quarantine/
and running their runs again. `python run.py check DIR` verifies a store without changing it.
A plan of more than 100,000 runs needs --yes.

backends: processes (default, --workers defaults to all cores), serial, dask (a LocalCluster on
127.0.0.1, or an existing cluster: --scheduler tcp://HOST:PORT or DASK_SCHEDULER_ADDRESS with --backend dask;
the project must be installed on the scheduler and every worker). A tcp:// scheduler lets anyone who can
reach its port run code on the workers: across machines use tls:// with --security (docs/sweeps.md).
"""

EXAMPLES_EXPORT = """examples:
  python run.py export results/s1                       # writes results/s1/csv/national.csv, provinces.csv
  python run.py export results/s1 --summary             # national_summary.csv, provinces_summary.csv
  python run.py export results/s1 --format parquet --to ~/data/s1

values: counts (people, attacks, cells, provinces) as whole numbers, grievance and legitimacy (0-1) to 4
decimals. --summary: one row per scenario, design point, week (and province) and output, with the number
of seeds, their 10th percentile, median and 90th percentile.
"""

_SPEC_FLAGS = ("sweep", "scenarios", "seeds", "seed_list", "steps", "set", "design", "samples", "design_seed",
               "posterior", "sets", "draw_seed", "out")


def spec_from_args(args: argparse.Namespace):
    """The sweep described by --sweep FILE and the flags (flags override the file's keys)."""
    from sim.runs.design import parse_axis
    from sim.runs.spec import SweepSpec, parse_scenarios, parse_seeds

    spec = SweepSpec.from_toml(args.sweep) if args.sweep else SweepSpec()
    changes: dict = {}
    if args.scenarios is not None:
        changes["scenarios"] = parse_scenarios(args.scenarios, "--scenarios")
    if args.seeds is not None:
        changes["seeds"] = parse_seeds(args.seeds, "--seeds")
    if args.seed_list is not None:
        changes["seeds"] = parse_seeds(args.seed_list, "--seed-list")
    if args.steps is not None:
        changes["steps"] = coerce("steps", args.steps, "--steps")
    if args.set:
        sets = parse_sets(args.set)   # refuses a parameter given twice
        cli_axes = [parse_axis(k, v, "--set") for k, v in sets.items()]
        changes["axes"] = tuple(a for a in spec.axes if a.name not in sets) + tuple(cli_axes)
    for key in ("design", "samples", "design_seed", "sets", "draw_seed"):
        if getattr(args, key) is not None:
            changes[key] = getattr(args, key)
    if args.posterior is not None:
        changes["posterior"] = str(Path(args.posterior).resolve())
    return replace(spec, **changes).check()


def cmd_sweep(args: argparse.Namespace) -> int:
    from sim.runs.execute import execute
    from sim.runs.plan import stored_runs
    from sim.runs.spec import MAX_RUNS, plan_runs

    if args.resume:
        given = [f"--{k.replace('_', '-')}" for k in _SPEC_FLAGS if getattr(args, k) not in (None, [])]
        given += ["--yes"] if args.yes else []
        if given:
            raise UserError(f"--resume {args.resume} takes the sweep from its manifest.json; drop "
                            f"{', '.join(given)} (only --backend, --workers, --scheduler, --security, --chunk, --quiet go with it).")
        out, runs, meta = Path(args.resume), stored_runs(args.resume), None
    else:
        if not args.out:
            raise UserError("Give the output folder with --out DIR (or --resume DIR to finish a stored sweep).")
        spec = spec_from_args(args)
        out = check_out_path(args.out, "--out")
        runs = plan_runs(spec, None if args.yes else MAX_RUNS)
        meta = {"sweep": spec.as_dict(), "command": spec.command(args.out)}
    if args.dry_run:
        return dry_run(runs, args.backend or ("dask" if args.scheduler else "processes"), args.workers)
    summary = execute(runs, out, **execution_options(args), meta=meta, chunk=args.chunk)
    for q in summary["quarantined"]:
        again = f"its {len(q['runs'])} run(s) ran again" if q["runs"] else "none of its runs needed to run again"
        print(f"set aside {q['part']} in {out / q['moved_to']}: {q['problem']}; {again}.")
    if summary["done"] == 0 and summary["failed"] == 0 and summary["complete"]:
        print(f"{out} already holds all {summary['planned']} runs of this sweep; nothing to do.")
    else:
        rate = summary["done"] / max(summary["seconds"], 1e-9)
        print(f"stored {summary['done']} runs in {out} in {summary['seconds']:.0f} s ({rate:.2f} runs/s); "
              f"{summary['skipped']} were already there, {summary['failed']} failed, "
              f"{summary['planned']} planned.")
    warn_late_events(runs)   # after the run, so that a refusal by execute stays one paragraph
    if summary["failed"]:
        for f in summary["failures"][:5]:
            print(f"  failed: {f['scenario']} point {f['point']} seed {f['seed']}: {f['error']}")
        print(f"errors are in {out / 'manifest.json'} ('failed'); retry them with: "
              f"python run.py sweep --resume {out}")
        return 1
    print(f"read it with analysis.load('{out}') in Python, or: python run.py report {out}")
    return 0


def warn_late_events(runs: list) -> None:
    """Name the scheduled events that the runs end before (they never fire)."""
    from sim.runs.preview import horizon_notes

    for note in horizon_notes(runs):
        print(f"warning: {note}", file=sys.stderr)


def dry_run(runs: list, backend: str, workers: int | None) -> int:
    """Print the plan and a time estimate from a short timing run; run and write nothing else."""
    from sim.runs.backends import default_workers
    from sim.runs.preview import TIMING_WEEKS, duration, plan_lines, time_runs

    warn_late_events(runs)
    print("\n".join(plan_lines(runs)))
    n = 1 if backend == "serial" else (workers or default_workers())
    estimate = time_runs(runs[0])
    print(f"estimate: about {duration(estimate.seconds(runs, n))} on {min(n, len(runs))} worker(s) "
          f"({estimate.setup:.2f} s set-up + {estimate.per_week * 1000:.0f} ms per week per run, timed now on "
          f"{TIMING_WEEKS} weeks of {runs[0].scenario}; later weeks can cost more, so take it as a rough guide)")
    print("dry run: nothing was run into or written to the store; drop --dry-run to start.")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from sim.results.export import rounded, summary, write_table
    from sim.results.load import load
    from sim.results.store import TABLES, claim_folder

    fmt = "csv" if args.csv else args.format
    results = load(args.dir)
    target = (claim_folder(check_out_path(args.to, "--to"), "export", flag="--to") if args.to is not None
              else Path(args.dir) / fmt)
    target.mkdir(parents=True, exist_ok=True)
    params = list(results.manifest.get("varied", {}).values())
    for table in TABLES:
        df = getattr(results, table)
        df = summary(df, params) if args.summary else rounded(df)
        path = write_table(df, target, f"{table}_summary" if args.summary else table, fmt)
        print(f"wrote {path} ({len(df)} rows)")
    return 0



def cmd_check(args: argparse.Namespace) -> int:
    """Verify a store without changing it: exit 0 if sound, 1 if a part is damaged, duplicated or stray."""
    from sim.results.store import Store

    store = Store(args.dir)
    manifest = store.read_manifest()   # refuses what is not a store, or a manifest whose plan was edited
    found = store.problems(manifest)
    planned = {(n, p, s) for n, p, s, _ in manifest.get("runs", [])}
    stored = store.done_keys(manifest)
    print(f"{args.dir}: sweep store, status {manifest.get('status')}; {len(planned)} runs planned, {len(stored)} "
          f"stored in {len(manifest['parts'])} parts, {len(manifest.get('failed', []))} failed; plan hash "
          f"{'matches' if 'plan_hash' in manifest else 'not recorded'}; every part checked (SHA-256, bytes, runs).")
    for problem in found:
        print(f"problem: {problem.line()}")
    if found:
        print(f"fix: python run.py sweep --resume {args.dir}  (sets these parts aside in quarantine/ and runs exactly "
              f"their runs again; nothing else changes)")
        return 1
    missing = len(planned - stored)
    print("ok" + (f"; {missing} planned runs are not stored yet (python run.py sweep --resume {args.dir})"
                  if missing else ""))
    return 0


def add_execution_args(p) -> None:
    """The flags that say where a command's runs execute (sweep, validate, calibrate, sensitivity)."""
    from sim.runs.backends import BACKENDS

    p.add_argument("--backend", choices=BACKENDS, metavar="{" + ",".join(BACKENDS) + "}",
                   help="where runs execute: processes (default), serial or dask (implied by --scheduler)")
    p.add_argument("--workers", type=int, metavar="N",
                   help="worker processes (default: all cores; an existing --scheduler has its own)")
    p.add_argument("--scheduler", metavar="ADDR", help="existing Dask scheduler, e.g. tcp://10.0.0.5:8786 or, "
                                                       "with --security, tls://10.0.0.5:8786 (implies --backend dask)")
    p.add_argument("--security", metavar="FILE", help="Dask TLS settings (YAML, Dask's config layout) for a tls:// "
                                                      "scheduler; see docs/sweeps.md")
    p.add_argument("--quiet", action="store_true", help="no progress output")


def execution_options(args: argparse.Namespace) -> dict:
    """The keyword arguments of ``sim.runs.execute.execute`` given by ``add_execution_args``' flags."""
    return {"backend": args.backend, "workers": args.workers, "scheduler": args.scheduler,
            "security": args.security, "progress": not args.quiet}


def register(sub) -> None:
    p = sub.add_parser("sweep", help="run scenarios x parameter axes x seeds into a resumable results store",
                       description="Run a sweep: scenarios x parameter design points x seeds, on local "
                                   "processes or a Dask cluster, into a Parquet results store with a manifest.",
                       epilog=EXAMPLES_SWEEP, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sweep", metavar="FILE", help="sweep file (TOML, format below)")
    p.add_argument("--scenarios", help="comma list of bundled names / .toml paths, or 'all' (default baseline)")
    seeds = p.add_mutually_exclusive_group()
    seeds.add_argument("--seeds", type=int, metavar="N", help="run seeds 1..N (default 10)")
    seeds.add_argument("--seed-list", metavar="S1,S2,..", help="run exactly these seeds")
    p.add_argument("--steps", type=int, help="weeks per run (default: the scenario's steps, 104)")
    p.add_argument("--set", action="append", metavar="NAME=VALUES", help="a parameter axis (repeatable; see below)")
    p.add_argument("--design", choices=DESIGNS, help="factorial (default) or lhs")
    p.add_argument("--samples", type=int, metavar="N", help="design points of --design lhs")
    p.add_argument("--design-seed", type=int, metavar="S", help="seed of the LHS design (default 1)")
    p.add_argument("--posterior", metavar="FILE", help="posterior CSV to draw parameter sets from (see below)")
    p.add_argument("--sets", type=int, metavar="N", help="posterior sets to draw, by weight (default 20)")
    p.add_argument("--draw-seed", type=int, metavar="S", help="seed of the posterior draw (default 1)")
    p.add_argument("--out", metavar="DIR", help="results store folder (new, empty, or this sweep's to resume)")
    p.add_argument("--resume", metavar="DIR", help="finish the sweep stored in DIR (runs only what is missing)")
    add_execution_args(p)
    p.add_argument("--chunk", type=int, metavar="N", help="write a part every N finished runs (default 50; "
                                                          "also every 10 s)")
    p.add_argument("--yes", action="store_true", help="run a plan of more than 100,000 runs (refused otherwise)")
    p.add_argument("--dry-run", action="store_true",
                   help="print the plan's runs and a time estimate (from a short timing run), run nothing")
    p.set_defaults(func=cmd_sweep)
    p = sub.add_parser("export", help="export a results store as CSV (or Parquet) for spreadsheets, or its summary",
                       description="Write the national and provinces tables of a results store as CSV (default) or "
                                   "Parquet files, rounded to their meaning, or their per-week summary over seeds.",
                       epilog=EXAMPLES_EXPORT, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("dir", metavar="DIR", help="results store (the --out of run.py sweep)")
    p.add_argument("--format", choices=FORMATS, default="csv", help="csv (default) or parquet")
    p.add_argument("--csv", action="store_true", help="the same as --format csv (kept for older commands)")
    p.add_argument("--summary", action="store_true",
                   help="median, 10th and 90th percentile over seeds per scenario, point and week (and province)")
    p.add_argument("--to", metavar="FOLDER", help="where to write (default DIR/csv or DIR/parquet)")
    p.set_defaults(func=cmd_export)
    p = sub.add_parser("check", help="verify a results store without changing it",
                       description="Check every part of a results store against the checksums, sizes and runs its "
                                   "manifest recorded, and the plan against its hash. Exit 0: sound; 1: problems "
                                   "(listed, with the fix); 2: not a usable store.",
                       epilog="examples:\n  python run.py check results/s1\n",
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("dir", metavar="DIR", help="results store (the --out of run.py sweep)")
    p.set_defaults(func=cmd_check)
