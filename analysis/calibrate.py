"""``run.py calibrate``: pattern-oriented calibration of the free parameters (Grimm et al. 2005).

Method. The free parameters are those without a sourced value (``source`` starting with "[E]" in
``sim.parameters.PARAMS``) that are behavioural; ``RANGES`` picks the ones the calibration patterns
respond to, each with a prior range. A Latin hypercube of ``--budget`` points over those ranges
(``scipy.stats.qmc.LatinHypercube``, log-uniform for scale parameters) is run through the sweep runner
with the same ``--seeds`` seeds at every point (common random numbers), plus point 0 = the current
defaults. A point is *accepted* when the median over its seeds passes every quantitative pattern of
``analysis.patterns`` at once; all points are ranked by their distance to the tolerance bands
(``patterns.distance``, 0 for accepted points) and then by how central they sit (``patterns.centrality``).

Outputs in ``--out`` (next to the results store, so a rerun resumes): ``all_sets.csv`` (every point,
its parameters, the median of each pattern statistic, pass flags, distance, rank), ``accepted_sets.csv``
and ``pairs.png`` (accepted vs rejected sets, parameter against parameter).
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import qmc

from . import patterns as P


@dataclass(frozen=True)
class Prior:
    """Calibration range of one free parameter and the patterns it is meant to move."""

    low: float
    high: float
    log: bool
    patterns: str


# Prior ranges: around the current defaults, wide enough to straddle what the patterns need (x/÷ 3-4
# for rates, log-uniform; ±0.25-0.3 for shares). Which patterns each one moves is the mechanism's
# reading in docs/ODD.md; the pairs plot shows which of them the patterns actually constrain.
RANGES: dict[str, Prior] = {
    "recruit_contact_rate": Prior(0.002, 0.03, True, "P5, P14"),
    "cop_strength": Prior(200.0, 2400.0, True, "P5"),
    "escapee_ideology": Prior(0.5, 1.0, False, "P5"),
    "ambush_rate": Prior(0.05, 0.5, True, "P1a, P1b, P12"),
    "ambush_cost": Prior(0.1, 1.2, True, "P1a, P1b"),
    "hp_rate": Prior(0.005, 0.08, True, "P6a, P6b"),
    "detection_base": Prior(0.05, 0.6, True, "P8a, P8b, P14"),
    "ejk_accuracy": Prior(0.3, 0.9, False, "P8a, P8b"),
    "surrender_rate": Prior(0.2, 2.0, True, "P9"),
    "surrender_share": Prior(0.15, 0.6, False, "P9"),
    "relapse_rate": Prior(0.002, 0.05, True, "P9, P14"),
}

EXAMPLES = """examples:
  python run.py calibrate --budget 64                    # 64 points x 4 seeds x 104 weeks -> results/calibrate
  python run.py calibrate --budget 128 --seeds 4 --out results/cal128
  python run.py calibrate --budget 32 --steps 44          # skip P14 (needs 104 weeks): faster
  python run.py calibrate --budget 64 --params ambush_rate,hp_rate,surrender_rate
Rerunning the same command resumes the store; a larger --budget is a different design (new --out).
"""


def free_parameters() -> list[str]:
    """Behavioural parameters without a sourced value: the ones calibration may set."""
    from sim.parameters import PARAMS

    return [p.name for p in PARAMS.values() if p.source.startswith("[E]") and p.behavioural]


def check_params(names: list[str]) -> None:
    """Raise UserError unless every name is a free parameter with a prior range."""
    from sim.errors import UserError

    free = set(free_parameters())
    for name in names:
        if name not in free:
            raise UserError(f"--params: '{name}' is not a free behavioural parameter (its source in "
                            f"`python run.py params` must start with [E]); calibratable: {', '.join(RANGES)}.")
        if name not in RANGES:
            raise UserError(f"--params: '{name}' has no calibration range in analysis/calibrate.py RANGES; "
                            f"calibratable: {', '.join(RANGES)}.")
    if not names:
        raise UserError(f"--params is empty; give one or more of: {', '.join(RANGES)}.")


def design(names: list[str], budget: int, seed: int) -> pd.DataFrame:
    """Point 0 = current defaults, points 1..budget = a Latin hypercube over the priors (deterministic)."""
    from sim.parameters import PARAMS, coerce

    u = qmc.LatinHypercube(d=len(names), seed=seed).random(budget)
    rows = [{n: PARAMS[n].default for n in names}]
    for x in u:
        row = {}
        for n, xi in zip(names, x):
            pr = RANGES[n]
            v = np.exp(np.log(pr.low) + xi * np.log(pr.high / pr.low)) if pr.log else pr.low + xi * (pr.high - pr.low)
            row[n] = coerce(n, round(float(v), 6) if PARAMS[n].kind is float else round(float(v)), "calibration design")
        rows.append(row)
    df = pd.DataFrame(rows)
    df.index.name = "point"
    return df


def score_points(national: pd.DataFrame, provinces: pd.DataFrame, points: pd.DataFrame) -> pd.DataFrame:
    """One row per design point: its parameters, the median of each pattern statistic, pass flags,
    how many patterns pass, distance and centrality, sorted best first (rank 1)."""
    stats = P.statistics(national, provinces, P.QUANTITATIVE)
    rows = []
    for point, group in stats.groupby(level="point"):
        card = P.summarise(group, P.QUANTITATIVE)
        measured = card[card["model"].notna()]
        row = {"point": point, **points.loc[point].to_dict(), "seeds": len(group)}
        row.update({f"{r['pattern']}": r["model"] for r in card.to_dict("records")})
        row.update({f"pass_{r['pattern']}": r["pass"] for r in card.to_dict("records")})
        row["patterns_passed"] = int(measured["pass"].sum())
        row["patterns_measured"] = len(measured)
        row["accepted"] = bool(len(measured) and measured["pass"].all())
        row["distance"] = P.distance(measured)
        row["centrality"] = P.centrality(measured)
        rows.append(row)
    out = pd.DataFrame(rows).sort_values(["distance", "centrality"], kind="stable").reset_index(drop=True)
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    return out


def pairs_plot(table: pd.DataFrame, names: list[str], path: Path, title: str) -> Path:
    """Scatter matrix of the calibrated parameters: accepted points over rejected ones, histograms on the diagonal."""
    from .style import plt

    k = len(names)
    fig, axes = plt.subplots(k, k, figsize=(1.7 * k + 1, 1.7 * k + 1), squeeze=False)
    acc = table["accepted"].to_numpy(dtype=bool)
    for i, yn in enumerate(names):
        for j, xn in enumerate(names):
            ax = axes[i, j]
            ax.grid(False)
            log_x = RANGES[xn].log
            if i == j:
                bins = np.geomspace(RANGES[xn].low, RANGES[xn].high, 11) if log_x else np.linspace(
                    RANGES[xn].low, RANGES[xn].high, 11)
                ax.hist(table[xn], bins=bins, color="#bbbbbb")
                if acc.any():
                    ax.hist(table.loc[acc, xn], bins=bins, color="#0072B2")
            else:
                ax.scatter(table.loc[~acc, xn], table.loc[~acc, yn], s=6, color="#bbbbbb", lw=0)
                ax.scatter(table.loc[acc, xn], table.loc[acc, yn], s=14, color="#0072B2", lw=0)
                if RANGES[yn].log:
                    ax.set_yscale("log")
            if log_x:
                ax.set_xscale("log")
            ax.tick_params(labelsize=6)
            if i < k - 1:
                ax.set_xticklabels([])
            else:
                ax.set_xlabel(xn, fontsize=7)
            if j > 0 and i != j:
                ax.set_yticklabels([])
            elif j == 0 and i != 0:
                ax.set_ylabel(yn, fontsize=7)
    fig.suptitle(f"{title}\nblue: accepted ({acc.sum()}), grey: rejected ({(~acc).sum()})", fontsize=11)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=90, facecolor="white")
    plt.close(fig)
    return path


def set_flags(row: pd.Series, names: list[str]) -> str:
    """A parameter set as ``--set`` flags for ``run.py run/validate/sweep``."""
    return " ".join(f"--set {n}={row[n]:g}" for n in names)


def cmd_calibrate(args: argparse.Namespace) -> int:
    from sim.errors import UserError
    from sim.sweep import Run, execute

    from .store import load

    names = [n.strip() for n in args.params.split(",") if n.strip()] if args.params else list(RANGES)
    check_params(names)
    for flag, value, least in (("--budget", args.budget, 1), ("--seeds", args.seeds, 1), ("--steps", args.steps, 1)):
        if value < least:
            raise UserError(f"{flag} is {value}; it must be a whole number >= {least}.")
    points = design(names, args.budget, args.design_seed)
    out = Path(args.out)
    runs = [Run(args.scenario, seed, args.steps, row, int(point))
            for point, row in points.to_dict("index").items() for seed in range(1, args.seeds + 1)]
    meta = {"command": "calibrate", "params": names, "budget": args.budget, "design_seed": args.design_seed,
            "ranges": {n: [RANGES[n].low, RANGES[n].high, "log" if RANGES[n].log else "linear"] for n in names}}
    summary = execute(runs, out, backend=args.backend, workers=args.workers, scheduler=args.scheduler,
                      progress=not args.quiet, meta=meta)
    res = load(out)
    table = score_points(res.national, res.provinces, points)
    table.to_csv(out / "all_sets.csv", index=False)
    accepted = table[table["accepted"]]
    accepted.to_csv(out / "accepted_sets.csv", index=False)
    png = pairs_plot(table, names, out / "pairs.png",
                     f"Calibration: {args.budget} LHS points x {args.seeds} seeds x {args.steps} weeks")
    print(report(table, names, args, summary))
    print(f"wrote {out / 'all_sets.csv'}, {out / 'accepted_sets.csv'} and {png}")
    return 0


def report(table: pd.DataFrame, names: list[str], args: argparse.Namespace, summary: dict) -> str:
    """The short text summary: acceptance, per-pattern pass rates, accepted ranges, best set as flags."""
    ids = [p.id for p in P.QUANTITATIVE if f"pass_{p.id}" in table and table[p.id].notna().any()]
    skipped = [p.id for p in P.QUANTITATIVE if p.id not in ids]
    lines = [f"Calibration of {len(names)} free parameters: {len(table)} points (point 0 = current defaults) x "
             f"{args.seeds} seeds x {args.steps} weeks ({summary['done']} runs now, {summary['skipped']} stored, "
             f"{summary['failed']} failed)."]
    if skipped:
        lines.append(f"Not measured with {args.steps} weeks (not required): {', '.join(skipped)}.")
    acc = table[table["accepted"]]
    lines.append(f"Accepted (median over seeds passes all of {', '.join(ids)}): {len(acc)} of {len(table)}.")
    lines.append("Pass rate per pattern: " + ", ".join(f"{i} {table[f'pass_{i}'].mean():.0%}" for i in ids))
    default = table[table["point"] == 0].iloc[0]
    lines.append(f"Current defaults (point 0): rank {default['rank']}, {default['patterns_passed']}/"
                 f"{default['patterns_measured']} pass, distance {default['distance']:.2f}.")
    if len(acc):
        lines.append("Accepted ranges:")
        for n in names:
            lines.append(f"  {n:<22} {acc[n].min():.4g} - {acc[n].max():.4g}  (median {acc[n].median():.4g}; "
                         f"prior {RANGES[n].low:g} - {RANGES[n].high:g})")
    best = table.iloc[0]
    what = "accepted, most central" if best["accepted"] else "closest to the bands; none accepted"
    lines.append(f"Best set (point {best['point']}, {what}; distance {best['distance']:.2f}):")
    lines.append("  " + set_flags(best, names))
    lines.append("  pattern medians (x = outside the band): " + ", ".join(
        f"{i}={P.fmt(best[i])}{'' if best[f'pass_{i}'] else ' (x)'}" for i in ids))
    return "\n".join(lines)


def register(sub) -> None:
    p = sub.add_parser("calibrate", help="Latin-hypercube calibration of the free parameters against the patterns",
                       description="Sample the free parameters (Latin hypercube over analysis/calibrate.py RANGES), "
                                   "run each point over --seeds seeds through the sweep runner (resumable), keep "
                                   "the points whose seed medians pass every quantitative pattern at once "
                                   "(pattern-oriented modelling), rank the rest by distance to the tolerance "
                                   "bands; writes all_sets.csv, accepted_sets.csv and pairs.png into --out and "
                                   "prints the best set as --set flags.",
                       epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--budget", type=int, required=True, help="number of Latin-hypercube points")
    p.add_argument("--seeds", type=int, default=4, help="seeds 1..k at every point (default 4)")
    p.add_argument("--steps", type=int, default=104, help="weeks per run (default 104; below 104 P14 is skipped)")
    p.add_argument("--params", help=f"comma-separated subset to calibrate (default all: {','.join(RANGES)})")
    p.add_argument("--design-seed", type=int, default=1, help="seed of the Latin hypercube (default 1)")
    p.add_argument("--scenario", default="baseline", help="scenario to calibrate on (default baseline)")
    p.add_argument("--out", default="results/calibrate", help="results store and outputs (default results/calibrate)")
    p.add_argument("--backend", default="processes", choices=("serial", "processes", "dask"),
                   help="where runs execute (default processes)")
    p.add_argument("--workers", type=int, help="worker processes (default: all cores)")
    p.add_argument("--scheduler", help="Dask scheduler address for --backend dask")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_calibrate)
