"""``run.py calibrate``: pattern-oriented calibration of the free parameters (Grimm et al. 2005).

Method. The free parameters are those without a sourced value (``source`` starting with "[E]" in
``sim.inputs.parameters.PARAMS``) that are behavioural; ``RANGES`` picks the ones the calibration patterns
respond to, each with a prior range.

1. Stage 1: a Latin hypercube over the ranges (``scipy.stats.qmc.LatinHypercube``, log-uniform for
   scale parameters) plus point 0 = the current defaults.
2. Stages 2.. (``--stages``, default 2; the ``--budget`` is split evenly): perturb the 8 best points so
   far by at most a tenth of each prior range (a Latin hypercube of offsets), a refinement in the
   spirit of sequential Monte Carlo ABC (Beaumont et al. 2009).
3. Confirmation: the ``--confirm`` best points are rerun with ``--confirm-seeds`` seeds, because a median
   over a few seeds that just passes is often luck (the best of many noisy points is biased).

Every point runs with the same seeds 1..k (common random numbers) through the sweep runner. A point
*passes* when the median over its seeds lies inside every quantitative pattern's band at once; it is
*accepted* only if it also passes on the confirmation seeds. Points are ranked accepted first, then by
their distance to the bands (``patterns.distance``), then by how central they sit (``patterns.centrality``).

Outputs in ``--out``: one store per stage (``stage1/`` ...) and ``confirm/`` (a rerun resumes them),
``all_sets.csv`` (every point: stage, seeds, parameters, median of each pattern statistic, pass flags,
distance, rank), ``accepted_sets.csv`` and ``pairs.png`` (accepted vs rejected, parameter against parameter).
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import qmc

from analysis import patterns as P
from sim.runs.cli import add_execution_args


@dataclass(frozen=True)
class Prior:
    """Calibration range of one free parameter and the patterns it is meant to move."""

    low: float
    high: float
    log: bool
    patterns: str


# Prior ranges: around the defaults before calibration (commit 26a918c), wide enough to straddle what the
# patterns need (x/÷ 3-4 for rates, log-uniform; ±0.25-0.3 for shares). ``patterns`` is what the mechanism
# should move (docs/ODD.md §7); docs/calibration.md §2 gives what the runs showed.
RANGES: dict[str, Prior] = {
    "recruit_contact_rate": Prior(0.002, 0.03, True, "P5, P8b"),
    "ambush_rate": Prior(0.05, 0.5, True, "P1a, P1b, P12"),
    "ambush_cost": Prior(0.1, 1.2, True, "P1a, P1b, P12"),
    "ambush_lethality": Prior(0.3, 3.0, True, "P6b, P12"),
    "ambush_counterfire": Prior(0.05, 0.4, True, "P5, P1a"),
    "hp_rate": Prior(0.005, 0.08, True, "P6a, P6b"),
    "detection_base": Prior(0.05, 0.6, True, "P8a, P8b, P5"),
    "ejk_accuracy": Prior(0.3, 0.9, False, "P8a, P8b"),
    "surrender_rate": Prior(0.2, 2.0, True, "P9"),
    "relapse_rate": Prior(0.002, 0.05, True, "P9, P14"),
}

EXAMPLES = """examples:
  python run.py calibrate --budget 64                    # 64 points x 4 seeds x 104 weeks -> results/calibrate
  python run.py calibrate --budget 128 --seeds 4 --out results/cal128
  python run.py calibrate --budget 240 --stages 3         # LHS, then two refinements around the best
  python run.py calibrate --budget 32 --steps 44          # skip P14 (needs 104 weeks): faster
  python run.py calibrate --budget 64 --params ambush_rate,hp_rate,surrender_rate --stages 1
Rerunning the same command resumes every stage; another --budget/--params/--seeds is a new design (new --out).
"""


def free_parameters() -> list[str]:
    """Behavioural parameters without a sourced value: the ones calibration may set."""
    from sim.inputs.parameters import PARAMS

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


def _to_unit(name: str, v: np.ndarray) -> np.ndarray:
    pr = RANGES[name]
    if pr.log:
        return np.log(v / pr.low) / np.log(pr.high / pr.low)
    return (v - pr.low) / (pr.high - pr.low)


def _from_unit(name: str, u: np.ndarray) -> np.ndarray:
    pr = RANGES[name]
    if pr.log:
        return np.exp(np.log(pr.low) + u * np.log(pr.high / pr.low))
    return pr.low + u * (pr.high - pr.low)


def _values(names: list[str], u: np.ndarray, first: int) -> pd.DataFrame:
    """Parameter values for unit coordinates ``u`` (one row per point, numbered from ``first``)."""
    from sim.inputs.parameters import coerce

    cols = {name: [coerce(name, round(float(v), 6), "calibration design") for v in _from_unit(name, u[:, j])]
            for j, name in enumerate(names)}
    return pd.DataFrame(cols, index=pd.RangeIndex(first, first + len(u), name="point"))


def design(names: list[str], n: int, seed: int) -> pd.DataFrame:
    """Stage 1: point 0 = the current defaults, then ``n`` Latin-hypercube points over the priors
    (coordinates in prior units 0..1, log for log-scaled parameters; deterministic for a seed)."""
    from sim.inputs.parameters import PARAMS

    u = qmc.LatinHypercube(d=len(names), seed=seed).random(n)
    defaults = pd.DataFrame([{name: PARAMS[name].default for name in names}], index=pd.Index([0], name="point"))
    return pd.concat([defaults, _values(names, u, 1)])


def refine(table: pd.DataFrame, names: list[str], n: int, seed: int, first: int, elite: int = 8,
           width: float = 0.1) -> pd.DataFrame:
    """A refinement stage: ``n`` points around the ``elite`` best points so far (by distance, then
    centrality), taken in turn; each is an elite point moved by a Latin-hypercube offset of at most
    ``width`` of the prior range per parameter (clipped to the prior). Deterministic for a seed."""
    best = table.sort_values(["distance", "centrality"], kind="stable").head(elite)
    centre = np.column_stack([_to_unit(name, best[name].to_numpy(float)) for name in names])
    offsets = (qmc.LatinHypercube(d=len(names), seed=seed).random(n) * 2 - 1) * width
    u = np.clip(centre[np.arange(n) % len(centre)] + offsets, 0.0, 1.0)
    return _values(names, u, first)


def score_points(national: pd.DataFrame, provinces: pd.DataFrame, points: pd.DataFrame) -> pd.DataFrame:
    """One row per design point: its parameters, the median of each pattern statistic, pass flags,
    how many patterns pass, whether all do, distance and centrality, sorted best first (rank 1)."""
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
        row["passes_all"] = bool(len(measured) and measured["pass"].all())
        row["distance"] = P.distance(measured)
        row["centrality"] = P.centrality(measured)
        rows.append(row)
    return rank(pd.DataFrame(rows).assign(confirmed=False, accepted=False))


def rank(table: pd.DataFrame) -> pd.DataFrame:
    """Accepted points first, then confirmed ones (their distance rests on more seeds), then by distance to
    the bands and centrality; ``rank`` 1 = best."""
    out = table.drop(columns="rank", errors="ignore").sort_values(
        ["accepted", "confirmed", "distance", "centrality"], ascending=[False, False, True, True],
        kind="stable").reset_index(drop=True)
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    return out


def pairs_plot(table: pd.DataFrame, names: list[str], path: Path, title: str) -> Path:
    """Scatter matrix of the calibrated parameters (log10 for log-scaled ones) over their prior ranges:
    accepted points in dark blue, points that passed on the first seeds only in light blue, the best
    tenth of the rest (by rank) in orange, the others grey; stacked histograms on the diagonal."""
    from analysis.report.style import plt

    def axis(name: str) -> tuple[np.ndarray, tuple[float, float], str]:
        pr = RANGES[name]
        if pr.log:
            return np.log10(table[name].to_numpy(float)), (np.log10(pr.low), np.log10(pr.high)), f"log10 {name}"
        return table[name].to_numpy(float), (pr.low, pr.high), name

    acc = table["accepted"].to_numpy(dtype=bool)
    first = ~acc & table["passes_all"].to_numpy(dtype=bool)
    near = ~acc & ~first & (table["rank"].to_numpy() <= int(np.ceil(0.1 * len(table))) + (acc | first).sum())
    groups = ((~acc & ~first & ~near, "#c8c8c8", 5, "rejected"), (near, "#E69F00", 12, "best tenth of the rest"),
              (first, "#56B4E9", 14, "passed on the first seeds only"), (acc, "#0072B2", 18, "accepted"))
    k = len(names)
    fig, axes = plt.subplots(k, k, figsize=(1.6 * k + 1.5, 1.6 * k + 1.5), squeeze=False)
    for i, yn in enumerate(names):
        y, ylim, ylabel = axis(yn)
        for j, xn in enumerate(names):
            x, xlim, xlabel = axis(xn)
            ax = axes[i, j]
            ax.grid(False)
            if i == j:
                bins = np.linspace(*xlim, 11)
                ax.hist([x[m] for m, *_ in groups], bins=bins, color=[c for _, c, *_ in groups], stacked=True)
                ax.set_yticks([])
            else:
                for m, colour, size, _ in groups:
                    ax.scatter(x[m], y[m], s=size, color=colour, lw=0)
                ax.set_ylim(ylim)
            ax.set_xlim(xlim)
            ax.tick_params(labelsize=6)
            if i < k - 1:
                ax.set_xticklabels([])
            else:
                ax.set_xlabel(xlabel, fontsize=7)
            if j > 0:
                ax.set_yticklabels([])
            elif i > 0:
                ax.set_ylabel(ylabel, fontsize=7)
    handles = [plt.Line2D([], [], marker="o", ls="none", color=c, label=f"{label} ({int(m.sum())})")
               for m, c, _, label in groups]
    fig.legend(handles=handles, loc="upper right", fontsize=9)
    fig.suptitle(title, fontsize=12)
    fig.tight_layout(rect=(0, 0, 1, 0.97))
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=90, facecolor="white")
    plt.close(fig)
    return path


def set_flags(row: pd.Series, names: list[str]) -> str:
    """A parameter set as ``--set`` flags for ``run.py run/validate/sweep``."""
    return " ".join(f"--set {n}={row[n]:g}" for n in names)


def _stage(points: pd.DataFrame, out: Path, seeds: int, args: argparse.Namespace, meta: dict):
    """Run one stage's points over seeds 1..``seeds`` into the store ``out`` (resumable) and read it back."""
    from sim.runs.sweep import Run, execute

    from sim.results.load import load

    runs = [Run(args.scenario, seed, args.steps, row, int(point))
            for point, row in points.to_dict("index").items() for seed in range(1, seeds + 1)]
    summary = execute(runs, out, backend=args.backend, workers=args.workers, scheduler=args.scheduler,
                      progress=not args.quiet, meta=meta)
    return summary, load(out)


def cmd_calibrate(args: argparse.Namespace) -> int:
    from sim.errors import UserError

    names = [n.strip() for n in args.params.split(",") if n.strip()] if args.params else list(RANGES)
    check_params(names)
    if not 1 <= args.stages <= 10:
        raise UserError(f"--stages is {args.stages}; it must be a whole number from 1 to 10 (default 2).")
    for flag, value, least in (("--budget", args.budget, args.stages), ("--seeds", args.seeds, 1),
                               ("--steps", args.steps, 1), ("--confirm", args.confirm, 0),
                               ("--confirm-seeds", args.confirm_seeds, args.seeds)):
        if value < least:
            raise UserError(f"{flag} is {value}; it must be a whole number >= {least}"
                            f"{' (one point per stage at least)' if flag == '--budget' else ''}"
                            f"{' (--seeds)' if flag == '--confirm-seeds' else ''}.")
    out = Path(args.out)
    meta = {"command": "calibrate", "params": names, "budget": args.budget, "stages": args.stages,
            "design_seed": args.design_seed,
            "ranges": {n: [RANGES[n].low, RANGES[n].high, "log" if RANGES[n].log else "linear"] for n in names}}
    # Stages: a hypercube over the priors, then refinements around the best points so far.
    sizes = [args.budget // args.stages + (i < args.budget % args.stages) for i in range(args.stages)]
    points = design(names, sizes[0], args.design_seed)
    summary, res = _stage(points, out / "stage1", args.seeds, args, dict(meta, stage=1))
    national, provinces = [res.national], [res.provinces]
    table = score_points(res.national, res.provinces, points)
    for stage, size in enumerate(sizes[1:], start=2):
        more = refine(table, names, size, args.design_seed + stage - 1, first=len(points))
        done, res = _stage(more, out / f"stage{stage}", args.seeds, args, dict(meta, stage=stage))
        summary = {k: summary[k] + done[k] for k in ("done", "skipped", "failed")}
        points = pd.concat([points, more])
        national.append(res.national)
        provinces.append(res.provinces)
        table = score_points(pd.concat(national), pd.concat(provinces), points)
    table["stage"] = 1 + np.searchsorted(np.cumsum(sizes), table["point"].to_numpy(), side="left")
    # Confirmation: the best points again over more seeds; only these can be accepted.
    if args.confirm:
        top = points.loc[table["point"].head(args.confirm).to_numpy()]
        done, res = _stage(top, out / "confirm", args.confirm_seeds, args, dict(meta, stage="confirm"))
        summary = {k: summary[k] + done[k] for k in ("done", "skipped", "failed")}
        confirmed = score_points(res.national, res.provinces, top).assign(confirmed=True)
        confirmed["accepted"] = confirmed["passes_all"]
        confirmed["stage"] = table.set_index("point").loc[confirmed["point"], "stage"].to_numpy()
        table = rank(pd.concat([table[~table["point"].isin(confirmed["point"])], confirmed]))
    else:  # no confirmation asked for: passing on the first seeds is acceptance
        table = rank(table.assign(accepted=table["passes_all"]))
    table.to_csv(out / "all_sets.csv", index=False)
    table[table["accepted"]].to_csv(out / "accepted_sets.csv", index=False)
    png = pairs_plot(table, names, out / "pairs.png",
                     f"Calibration: {args.budget} points in {args.stages} stage(s) x {args.seeds} seeds x "
                     f"{args.steps} weeks; best {args.confirm} rerun with {args.confirm_seeds} seeds")
    print(report(table, names, args, summary))
    print(f"wrote {out / 'all_sets.csv'}, {out / 'accepted_sets.csv'} and {png}")
    return 0


def report(table: pd.DataFrame, names: list[str], args: argparse.Namespace, summary: dict) -> str:
    """The short text summary: acceptance, per-pattern pass rates, ranges, best set as ``--set`` flags."""
    ids = [p.id for p in P.QUANTITATIVE if f"pass_{p.id}" in table and table[p.id].notna().any()]
    skipped = [p.id for p in P.QUANTITATIVE if p.id not in ids]
    lines = [f"Calibration of {len(names)} free parameters: {len(table)} points in {args.stages} stage(s) "
             f"(point 0 = current defaults) x {args.seeds} seeds x {args.steps} weeks, best {args.confirm} "
             f"rerun with {args.confirm_seeds} seeds ({summary['done']} runs now, {summary['skipped']} stored, "
             f"{summary['failed']} failed)."]
    if skipped:
        lines.append(f"Not measured with {args.steps} weeks (not required): {', '.join(skipped)}.")
    first = table[~table["confirmed"]]
    lines.append(f"Pass rate per pattern over the {len(first)} unconfirmed points ({args.seeds} seeds): "
                 + ", ".join(f"{i} {first[f'pass_{i}'].mean():.0%}" for i in ids))
    candidates = table[table["passes_all"] | table["confirmed"]]
    lines.append(f"Passing all of {', '.join(ids)} on {args.seeds} seeds: {int(table['passes_all'].sum())} points; "
                 f"confirmed on {args.confirm_seeds} seeds (accepted): {int(table['accepted'].sum())} of "
                 f"{int(table['confirmed'].sum())} rerun.")
    default = table[table["point"] == 0].iloc[0]
    lines.append(f"Current defaults (point 0): rank {default['rank']}, {default['patterns_passed']}/"
                 f"{default['patterns_measured']} pass on {default['seeds']} seeds, distance {default['distance']:.2f}.")
    group = table[table["accepted"]] if table["accepted"].any() else candidates
    if len(group):
        label = "accepted" if table["accepted"].any() else "passing on the first seeds or confirmed"
        lines.append(f"Ranges of the {len(group)} points {label}:")
        for n in names:
            lines.append(f"  {n:<22} {group[n].min():.4g} - {group[n].max():.4g}  (median {group[n].median():.4g}; "
                         f"prior {RANGES[n].low:g} - {RANGES[n].high:g}; meant to move {RANGES[n].patterns})")
    best = table.iloc[0]
    what = ("accepted" if best["accepted"] else "not accepted: closest to the bands") + \
        f", {best['seeds']} seeds"
    lines.append(f"Best set (point {best['point']}, stage {best['stage']}, {what}; distance {best['distance']:.2f}):")
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
    p.add_argument("--stages", type=int, default=2,
                   help="1: one LHS over the priors; N (default 2): the budget split over N stages, each "
                        "after the first sampling around the 8 best points so far")
    p.add_argument("--confirm", type=int, default=5, help="rerun this many best points with more seeds (default 5)")
    p.add_argument("--confirm-seeds", type=int, default=32, help="seeds of the confirmation runs (default 32)")
    p.add_argument("--design-seed", type=int, default=1, help="seed of the Latin hypercube (default 1)")
    p.add_argument("--scenario", default="baseline", help="scenario to calibrate on (default baseline)")
    p.add_argument("--out", default="results/calibrate", help="results store and outputs (default results/calibrate)")
    add_execution_args(p)
    p.set_defaults(func=cmd_calibrate)
