"""Command-line subcommands of the analysis: ``report`` (charts + report.html) and ``sensitivity``."""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.errors import UserError
from sim.inputs.checks import check_out_path, check_positive
from sim.results.store import claim_folder
from sim.runs.cli import add_execution_args

EXAMPLES_REPORT = """examples:
  python run.py report results/default                  # writes results/default/report/report.html
  python run.py report results/s1 --out ~/reports/s1 --weeks 13,52,104
  python run.py report results/s1 --baseline iron_fist  # compare every scenario with iron fist instead
  python run.py report results/s1 --per-100k            # maps of members and attacks per 100,000 residents

writes (into RESULTS_DIR/report/ unless --out):
  report.html      self-contained (images embedded), opens offline in any browser; opens on the summary
  summary.csv      one line per scenario: effect on ISIS-K members, civilian deaths and attacks, robustness
  effect_matrix.csv, effects.csv, scenarios.csv, provenance.csv, parameters.csv: every table of the page
                   (a posterior store adds deciding_parameters.csv and posterior_sets.csv)
  charts/*.png     forest plot, time series (median, 10-90% band, scheduled events), province maps (--svg: also .svg)
  manifest.json    what was read, options, versions, git revision

a store of a posterior sweep (run.py sweep --posterior FILE --sets N) gives effects over parameter sets x
seeds: the median and its 90% interval, the share of sets keeping the effect's sign ("robust in 94% of
plausible parameter sets"), the bootstrap CI of the mean, and for effects robust in fewer than 90% of the
sets the parameters that best separate the sets where they hold.
"""

EXAMPLES_SENSITIVITY = """examples:
  python run.py sensitivity --method morris --trajectories 10 --seeds 5 --steps 104 --out results/sa
  python run.py sensitivity --method both --trajectories 20 --samples 256 --top 5 --seeds 5 --out results/sa
  python run.py sensitivity --method sobol --params ejk_share,amnesty,monitoring --samples 512 --out results/sobol
  python run.py sensitivity --method morris --outcome civilian_deaths_cum --outcome iskp_members_final \\
      --backend dask --scheduler tcp://10.0.0.5:8786 --out results/sa
  python run.py sensitivity --method sobol --function analysis.testfunctions:ishigami --samples 1024 \\
      --out results/ishigami        # check the method on the Ishigami test function (no model runs)

what it does:
  Morris screening (SALib) over every behavioural parameter of `python run.py params` (or --params),
  each varied over a plausible band: default -50%..+50%, clipped to its allowed range (--range full:
  the whole allowed range). Then (--method both) Sobol first-order and total indices with 95% CIs on
  the --top parameters by mu*. Every design point runs with the same --seeds seeds and the outcome is
  averaged over them BEFORE the analysis (seed noise would otherwise inflate the indices).
  Runs go through the sweep runner: rerunning the same command resumes, and --backend dask works.

outcomes (--outcome, repeatable; the first one ranks parameters for Sobol):
  <column>_final   a national output at the horizon, e.g. iskp_members_final, taliban_strength_final
  <column>_cum     a weekly count summed over the run, e.g. civilian_deaths_cum, attacks_total_cum

writes (into --out): morris/ and sobol/ (results stores), morris.csv, sobol.csv (ranked tables),
morris_<outcome>.png|svg and sobol_<outcome>.png|svg (bars with 95% CI whiskers), manifest.json
"""


def parse_weeks(text: str | None) -> list[int] | None:
    if not text:
        return None
    try:
        return [int(w) for w in text.split(",") if w.strip()]
    except ValueError:
        raise UserError(f"--weeks '{text}' is not a comma-separated list of whole weeks (e.g. 26,52,104).") from None


def cmd_report(args: argparse.Namespace) -> int:
    from analysis.report.build import build

    if args.resamples < 1000:
        raise UserError(f"--resamples is {args.resamples}; use at least 1000 for a stable 95% interval.")
    check_positive(args.workers, "--workers")
    if args.out is not None or Path(args.results).is_dir():
        claim_folder(check_out_path(args.out if args.out is not None else Path(args.results) / "report", "--out"),
                     "report")
    page = build(Path(args.results), Path(args.out) if args.out else None, baseline=args.baseline,
                 weeks=parse_weeks(args.weeks), resamples=args.resamples, per_100k=args.per_100k, svg=args.svg,
                 workers=args.workers)
    print(f"report: {page}")
    return 0


def cmd_sensitivity(args: argparse.Namespace) -> int:
    from sim.inputs.parameters import defaults

    from analysis import sensitivity as sa
    from analysis.outcomes import outcome
    from analysis.report.wording import number

    if args.seeds < 1:
        raise UserError(f"--seeds is {args.seeds}; it must be at least 1 (seeds 1..k run at every design point).")
    check_positive(args.steps, "--steps")
    claim_folder(check_out_path(args.out, "--out"), "sensitivity")
    names = [n.strip() for n in args.params.split(",") if n.strip()] if args.params else None
    if args.function:
        if args.outcome:
            raise UserError("--outcome applies to model runs; with --function the outcome is the function's value.")
        func, bounds = sa.load_function(args.function)
        if bounds and names:
            raise UserError(f"--params cannot be used with --function {args.function}, which defines its own inputs.")
        if bounds:
            factors = [sa.Factor(n, float(lo), float(hi)) for n, (lo, hi) in bounds.items()]
            fixed = {f.name: (f.low + f.high) / 2 for f in factors}
        else:
            factors = sa.model_factors(names, args.range == "full")
            fixed = defaults()
        evaluate = sa.FunctionEvaluator(func, args.function.rpartition(":")[2], fixed)
    else:
        outcomes = args.outcome or ["iskp_members_final"]
        for name in outcomes:
            try:
                outcome(name)
            except ValueError as exc:
                raise UserError(f"--outcome: {exc}.") from None
        factors = sa.model_factors(names, args.range == "full")
        evaluate = sa.ModelEvaluator(Path(args.out), outcomes, args.scenario, args.steps, args.backend,
                                     args.workers, args.scheduler, args.security, progress=not args.quiet)
    settings = sa.Settings(args.method, factors, list(range(1, args.seeds + 1)), args.trajectories, args.samples,
                           args.top, args.design_seed)
    out = Path(args.out)
    results = sa.run(settings, evaluate, out)
    for method, table in results.items():
        key = "mu_star" if method == "morris" else "ST"
        for name, t in table.groupby("outcome", sort=False):
            top = ", ".join(f"{r.parameter} ({number(getattr(r, key)) if method == 'morris' else f'{r.ST:.2f}'})"
                            for r in t.head(5).itertuples())
            print(f"{method} {name}: top by {key}: {top}")
        print(f"wrote {out / (method + '.csv')}")
    return 0


def register(sub) -> None:
    p = sub.add_parser("report", help="charts, scenario effects, maps and report.html from a results store",
                       description="Read a results store (made by `run.py sweep`) and write a self-contained "
                                   "HTML report with scenario effects (paired seeds, bootstrap 95% CIs), "
                                   "time series, province maps, provenance and caveats.",
                       epilog=EXAMPLES_REPORT, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("results", metavar="RESULTS_DIR", help="a results store folder (the --out of run.py sweep)")
    p.add_argument("--out", help="output folder (default RESULTS_DIR/report)")
    p.add_argument("--baseline", default="baseline", help="scenario the others are compared with (default baseline)")
    p.add_argument("--weeks", help="weeks shown on the baseline maps, comma-separated (default 26,52,horizon)")
    p.add_argument("--resamples", type=int, default=9999, help="bootstrap resamples per interval (default 9999)")
    p.add_argument("--per-100k", action="store_true",
                   help="map ISIS-K members and attacks per 100,000 residents (NSIA 2021-22) instead of as totals")
    p.add_argument("--svg", action="store_true", help="also write every chart as SVG (default: PNG only)")
    p.add_argument("--workers", type=int, metavar="N",
                   help="processes drawing the charts (default: the cores, at most 4; 1 draws them in this one)")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("sensitivity", help="Morris screening and Sobol indices of the behavioural parameters (SALib)",
                       description="Global sensitivity analysis of the model (or of a test function) with SALib; "
                                   "runs through the sweep runner, so it is resumable and can use Dask.",
                       epilog=EXAMPLES_SENSITIVITY, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--method", choices=("morris", "sobol", "both"), default="both",
                   help="morris (screening), sobol (indices), both (Sobol on the --top of Morris; default)")
    p.add_argument("--trajectories", type=int, default=10, metavar="R", help="Morris trajectories r (default 10)")
    p.add_argument("--samples", type=int, default=256, metavar="N", help="Sobol base sample N, a power of 2 (default 256)")
    p.add_argument("--top", type=int, default=5, help="parameters passed from Morris to Sobol (default 5)")
    p.add_argument("--seeds", type=int, default=5, help="seeds per design point, averaged (default 5)")
    p.add_argument("--steps", type=int, help="weeks per run (default: the scenario's steps, 104)")
    p.add_argument("--scenario", default="baseline", help="scenario the parameters are varied around (default baseline)")
    p.add_argument("--params", help="comma-separated parameters to vary (default: every behavioural parameter)")
    p.add_argument("--range", choices=("plausible", "full"), default="plausible",
                   help="plausible: default +-50%% clipped to the allowed range (default); full: the allowed range")
    p.add_argument("--outcome", action="append", help="run outcome to analyse (repeatable; default iskp_members_final)")
    p.add_argument("--design-seed", type=int, default=1, help="seed of the sampled design (default 1)")
    p.add_argument("--function", metavar="MODULE:FUNC", help="analyse a Python function f(values, seed) instead "
                   "of the model, e.g. analysis.testfunctions:ishigami")
    p.add_argument("--out", required=True, help="output folder (stores, tables, charts, manifest)")
    add_execution_args(p)
    p.set_defaults(func=cmd_sensitivity)
