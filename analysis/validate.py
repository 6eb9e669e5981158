"""``run.py validate``: the baseline over many seeds against the record (the calibration patterns).

Runs the scenario through the sweep runner into a results store (resumable), then prints the scorecard
of ``analysis.patterns`` and writes it as ``scorecard.csv`` with a chart of the model's 5-95% band
against the data points on calendar time (``validation.png``). A measurement, not a test: the exit
status is 0 whatever the score.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from analysis import patterns as P
from sim.runs.cli import add_execution_args

EXAMPLES = """examples:
  python run.py validate                                  # 32 seeds of the baseline -> results/validate
  python run.py validate --seeds 8 --out results/val8     # quicker look
  python run.py validate --set surrender_rate=1.2 --out results/val_sr   # a candidate parameter set
  python run.py validate --posterior results/calibrate/posterior.csv --draws 100   # posterior predictive
  python run.py validate --backend dask --scheduler tcp://10.0.0.5:8786  # on a Dask cluster
Rerunning the same command resumes the store and only runs what is missing.
"""

# Chart panels: which national/province series is drawn against which observations of patterns.RECORD.
# (key, title, table, metric, province, cumulative)
PANELS = (
    ("attacks_week", "Attacks per week (4-week mean)", "national", "attacks_total", None, False),
    ("members", "ISIS-K members", "national", "iskp_members", None, False),
    ("mass_casualty", "Mass-casualty attacks (cumulative)", "national", "attacks_mass_casualty", None, True),
    ("ejk_nangarhar", "Extrajudicial killings, Nangarhar (cumulative)", "provinces", "ejk_killed", "Nangarhar", True),
    ("ejk_national", "Extrajudicial killings, national (cumulative)", "national", "ejk_killed", None, True),
    ("surrenders_nangarhar", "Surrenders, Nangarhar (cumulative)", "provinces", "surrenders", "Nangarhar", True),
)
MODEL_COLOUR, DATA_COLOUR = "#0072B2", "#D55E00"


def scorecard(national: pd.DataFrame, provinces: pd.DataFrame) -> pd.DataFrame:
    """The scorecard of all quantitative and qualitative patterns for the runs in the tables."""
    patterns = P.QUANTITATIVE + P.QUALITATIVE
    return P.summarise(P.statistics(national, provinces, patterns), patterns)


def format_card(card: pd.DataFrame) -> str:
    """The scorecard as an aligned text table (also used in the README)."""
    rows = [("pattern", "target (record)", "tolerance", "model median", "model 90% band", "result")]
    for r in card.to_dict("records"):
        lo, hi = r["model_p05"], r["model_p95"]
        band = "-" if np.isnan(lo) or lo == hi else f"{P.fmt(lo)} - {P.fmt(hi)}"
        result = "n/a" if np.isnan(r["model"]) else ("pass" if r["pass"] else "FAIL")
        rows.append((r["pattern"], r["target"], r["band"], P.fmt(r["model"]), band, result))
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _series(national: pd.DataFrame, provinces: pd.DataFrame, table: str, metric: str, province: str | None,
            cumulative: bool) -> pd.DataFrame:
    """Per date: 5%, 50% and 95% over runs of one (possibly cumulated) series."""
    from analysis.outcomes import run_keys

    df = national if table == "national" else provinces[provinces["province"] == province]
    df = df.sort_values("step")
    by_run = df.groupby(run_keys(df))[metric]
    if cumulative:
        values = by_run.cumsum()
    elif metric == "attacks_total":  # compared with monthly means: smooth each run over 4 weeks first
        values = by_run.transform(lambda v: v.rolling(4, min_periods=1).mean())
    else:
        values = df[metric]
    q = values.groupby(pd.to_datetime(df["date"])).quantile([0.05, 0.5, 0.95]).unstack()
    q.columns = ["p05", "median", "p95"]
    return q


def chart(national: pd.DataFrame, provinces: pd.DataFrame, path: Path, title: str) -> Path:
    """Model bands against the record's figures, one panel per observed series (PNG)."""
    import matplotlib.dates as mdates

    from analysis.report.style import plt

    fig, axes = plt.subplots(2, 3, figsize=(15, 8.5), constrained_layout=True)
    for ax, (key, panel_title, table, metric, province, cumulative) in zip(axes.ravel(), PANELS):
        q = _series(national, provinces, table, metric, province, cumulative)
        last_obs = max(pd.Timestamp(o.last) for o in P.RECORD if o.series == key)
        q = q[q.index <= last_obs + pd.Timedelta(days=180)]  # the period the record speaks about
        ax.fill_between(q.index, q["p05"], q["p95"], color=MODEL_COLOUR, alpha=0.2, lw=0, label="model 5-95%")
        ax.plot(q.index, q["median"], color=MODEL_COLOUR, lw=1.6, label="model median")
        for obs in (o for o in P.RECORD if o.series == key):
            first, last = pd.Timestamp(obs.first), pd.Timestamp(obs.last)
            if first != last:
                ax.hlines(obs.value, first, last, color=DATA_COLOUR, lw=2.5)
                ax.annotate(obs.label, (first + (last - first) / 2, obs.value), textcoords="offset points",
                            xytext=(0, 5), ha="center", fontsize=7, color=DATA_COLOUR)
                continue
            if obs.low is not None and obs.high is None:
                ax.plot(first, obs.value, marker="^", color=DATA_COLOUR, ms=8, ls="none")
            elif obs.low is not None:
                ax.errorbar(first, obs.value, yerr=[[obs.value - obs.low], [obs.high - obs.value]], fmt="o",
                            color=DATA_COLOUR, capsize=4)
            else:
                ax.plot(first, obs.value, "o", color=DATA_COLOUR)
            ax.annotate(obs.label, (first, obs.value), textcoords="offset points", xytext=(5, -10 if key ==
                        "surrenders_nangarhar" else 4), fontsize=7, color=DATA_COLOUR)
        ax.set_title(panel_title)
        ax.set_ylim(bottom=0)
        locator = mdates.AutoDateLocator(minticks=3, maxticks=6)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    axes[0, 0].plot([], [], "o", color=DATA_COLOUR, label="record (▲ = at least)")
    axes[0, 0].legend(loc="upper right", fontsize=8)
    fig.suptitle(title)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110, facecolor="white")
    plt.close(fig)
    return path


def cmd_validate(args: argparse.Namespace) -> int:
    from sim.inputs.checks import check_out_path
    from sim.inputs.parameters import coerce, parse_sets
    from sim.errors import UserError
    from sim.runs.cli import execution_options
    from sim.runs.sweep import Run, execute

    from sim.results.load import load

    if args.seeds < 1:
        raise UserError(f"--seeds is {args.seeds}; it must be a whole number >= 1 (default 32).")
    if args.steps < 1:
        raise UserError(f"--steps is {args.steps}; it must be a whole number >= 1 (104 covers every pattern).")
    overrides = {k: coerce(k, v, "--set") for k, v in parse_sets(args.set).items()}
    out = check_out_path(args.out, "--out")
    if args.posterior:
        runs, meta, settings = _posterior_runs(args, overrides)
    else:
        runs = [Run(args.scenario, seed, args.steps, overrides, 0) for seed in range(1, args.seeds + 1)]
        meta = {"command": "validate", "set": overrides}
        settings = ", ".join(f"{k}={v}" for k, v in overrides.items()) or "defaults"
    summary = execute(runs, out, **execution_options(args), meta=meta)
    res = load(out)
    card = scorecard(res.national, res.provinces)
    n_runs = res.national.groupby(["scenario", "point", "seed"]).ngroups
    print(f"Validation of '{args.scenario}' ({settings}): {n_runs} {'runs' if args.posterior else 'seeds'} x "
          f"{args.steps} weeks ({summary['done']} run now, {summary['skipped']} already stored, "
          f"{summary['failed']} failed)\n")
    print(format_card(card))
    quantitative = card[card["pattern"].isin([p.id for p in P.QUANTITATIVE])]
    print(f"\n{int(quantitative['pass'].sum())} of {len(quantitative)} quantitative patterns pass "
          "(median over seeds inside the tolerance). P10 (Salafi backfire vs deterrence) is tests/model/test_salafi.py.")
    card.to_csv(out / "scorecard.csv", index=False)
    png = chart(res.national, res.provinces, out / "validation.png",
                f"{args.scenario} ({settings}): model over {n_runs} seeds vs the record")
    print(f"wrote {out / 'scorecard.csv'} and {png}")
    return 0


def _posterior_runs(args: argparse.Namespace, overrides: dict) -> tuple[list, dict, str]:
    """``--posterior``: ``--draws`` parameter sets drawn by weight (seed ``--draw-seed``), one run each."""
    from analysis.posterior import draw_runs, load_posterior
    from sim.errors import UserError

    if overrides:
        raise UserError("--set cannot be combined with --posterior: the posterior draws set the parameters.")
    posterior = load_posterior(args.posterior)
    runs = draw_runs(posterior, args.draws, args.draw_seed, args.scenario, args.steps)
    meta = {"command": "validate", "posterior": str(posterior.path), "draws": args.draws,
            "draw_seed": args.draw_seed, "particles": len(posterior.weights)}
    settings = (f"{args.draws} draws by weight from {posterior.path} ({len(posterior.weights)} particles, "
                f"draw seed {args.draw_seed}), model seeds 1..{args.draws}")
    return runs, meta, settings


def register(sub) -> None:
    p = sub.add_parser("validate", help="run the baseline over many seeds and score it against the record",
                       description="Run a scenario over N seeds (through the sweep runner, resumable), print the "
                                   "scorecard of the calibration patterns (target, tolerance, model median and "
                                   "90% band, pass/fail) and write scorecard.csv and validation.png into --out. "
                                   "Exit status 0 whatever the score.",
                       epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seeds", type=int, default=32,
                   help="seeds 1..N (default 32; with --posterior draw i runs with seed i + 1 instead)")
    p.add_argument("--steps", type=int, default=104, help="weeks per run (default 104; P14 needs 104)")
    p.add_argument("--scenario", default="baseline", help="bundled name or TOML path (default baseline)")
    p.add_argument("--set", action="append", metavar="NAME=VALUE", help="override a parameter (repeatable)")
    p.add_argument("--posterior", metavar="FILE", help="score --draws parameter sets drawn by weight from this "
                                                         "posterior.csv (run.py calibrate), one run each")
    p.add_argument("--draws", type=int, default=100, help="posterior draws with --posterior (default 100)")
    p.add_argument("--draw-seed", type=int, default=1, help="seed of the posterior draws (default 1)")
    p.add_argument("--out", default="results/validate", help="results store and outputs (default results/validate)")
    add_execution_args(p)
    p.set_defaults(func=cmd_validate)
