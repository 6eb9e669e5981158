"""What ``run.py calibrate`` writes after pyabc's ABC-SMC run: the final population as ``posterior.csv``,
per-generation figures, the manifest, pyabc's own plots, and the text summary."""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.calibrate import Prior, model_values
from sim.inputs.posterior import weighted_quantile

KDE_PARAMS = 6  # the kde matrix shows this many parameters: the most constrained ones


def posterior_table(history, prs: tuple[Prior, ...]) -> pd.DataFrame:
    """The last generation: one row per particle, the model's parameter values, ``weight`` (sum 1) and
    ``distance``."""
    pop = history.get_population()
    rows = [{**model_values(prs, p.parameter), "weight": float(p.weight), "distance": float(p.distance)}
            for p in pop.particles]
    table = pd.DataFrame(rows)
    table["weight"] /= table["weight"].sum()
    return table


def generations_table(history) -> pd.DataFrame:
    """Per generation: epsilon, particles tried (each ``--seeds`` model runs), accepted, acceptance rate,
    effective sample size and wall time."""
    import pyabc

    pops = history.get_all_populations()
    pops = pops[pops["t"] >= 0].reset_index(drop=True)
    ess = [pyabc.weighted_statistics.effective_sample_size(history.get_distribution(t=int(t))[1])
           for t in pops["t"]]
    return pd.DataFrame({"generation": pops["t"], "epsilon": pops["epsilon"], "tried": pops["samples"],
                         "accepted": pops["particles"], "acceptance_rate": pops["particles"] / pops["samples"],
                         "ess": ess, "wall_seconds": pops["wall_time"]})


def uniform_coordinates(history, prs: tuple[Prior, ...]) -> tuple[pd.DataFrame, np.ndarray]:
    """The last generation in the priors' uniform coordinates (log10 for log priors; columns named as the
    parameters, log10_NAME for log priors) and its weights."""
    df, w = history.get_distribution()
    return pd.DataFrame({(f"log10_{p.name}" if p.log else p.name): p.uniform(df[p.key].to_numpy(float))
                         for p in prs}), w


def contraction(history, prs: tuple[Prior, ...]) -> pd.Series:
    """Per parameter (uniform coordinate): weighted posterior sd / prior sd (1 = nothing learnt), smallest first."""
    df, w = uniform_coordinates(history, prs)
    out = {}
    for p, column in zip(prs, df.columns):
        lo, hi = p.bounds
        x = df[column].to_numpy(float)
        mean = np.average(x, weights=w)
        out[column] = float(np.sqrt(np.average((x - mean) ** 2, weights=w)) / ((hi - lo) / np.sqrt(12.0)))
    return pd.Series(out).sort_values()


def plots(history, prs: tuple[Prior, ...], out: Path) -> list[Path]:
    """pyabc.visualization: kde matrix of the ``KDE_PARAMS`` most constrained parameters over their prior
    bounds, epsilon per generation, effective sample size per generation."""
    import pyabc.visualization as viz

    from analysis.report.style import plt

    keys = list(contraction(history, prs).index[:KDE_PARAMS])
    df, w = uniform_coordinates(history, prs)
    limits = {column: p.bounds for p, column in zip(prs, df.columns) if column in keys}
    written = []
    if len(keys) == 1:  # pyabc's kde matrix needs two parameters at least
        (lo, hi), = limits.values()
        fig = viz.plot_kde_1d(df, w, x=keys[0], xmin=lo, xmax=hi).get_figure()
    else:
        fig = np.ravel(viz.plot_kde_matrix(df[keys], w, limits=limits, height=2.0))[0].get_figure()
    fig.suptitle(f"Final population (generation {history.max_t}): the {len(keys)} most constrained parameters", y=1.02)
    written.append(_save(fig, out / "kde_matrix.png", plt))
    eps = history.get_all_populations()
    finite = eps[(eps["t"] >= 0) & np.isfinite(eps["epsilon"])]
    ax = viz.plot_epsilons(history, yscale="symlog" if (finite["epsilon"] <= 0).any() else "log")
    ax.set_title("Epsilon per generation (generation 0: epsilon = inf, every prior draw, not drawn)")
    written.append(_save(ax.get_figure(), out / "epsilons.png", plt))
    ax = viz.plot_effective_sample_sizes(history)
    written.append(_save(ax.get_figure(), out / "ess.png", plt))
    return written


def _save(fig, path: Path, plt) -> Path:
    fig.savefig(path, dpi=90, facecolor="white", bbox_inches="tight")
    plt.close(fig)
    return path


def write_outputs(history, prs: tuple[Prior, ...], ids: tuple[str, ...], out: Path, args: argparse.Namespace,
                  seconds: float, stopped: str | None = None) -> list[Path]:
    """posterior.csv, generations.csv, manifest.json and the plots of the last finished generation; returns
    the paths written."""
    import pyabc

    from analysis.patterns import BY_ID
    from sim.results.manifest import git_revision, now, versions, write_json_atomic

    post, gens = posterior_table(history, prs), generations_table(history)
    post.to_csv(out / "posterior.csv", index=False)
    gens.to_csv(out / "generations.csv", index=False)
    evaluations = int(gens["tried"].sum())
    manifest = {
        "command": "calibrate", "created": now(), "git": git_revision(), "versions": versions(),
        "pyabc": pyabc.__version__, "database": str(out / "abc.db"), "abc_id": int(history.id),
        "scenario": args.scenario, "steps": args.steps, "seeds_per_particle": args.seeds,
        "population": args.population, "generations_max": args.generations, "budget_runs": args.budget,
        "min_acceptance": args.min_acceptance, "design_seed": args.design_seed, "backend": args.backend,
        "priors": {p.name: {"low": p.low, "high": p.high, "scale": "log10-uniform" if p.log else "uniform",
                            "integer": p.integer} for p in prs},
        "patterns": {i: {"low": BY_ID[i].low, "high": BY_ID[i].high if np.isfinite(BY_ID[i].high) else None,
                         "title": BY_ID[i].title} for i in ids},
        "generations": int(len(gens)), "final_epsilon": float(gens["epsilon"].iloc[-1]),
        "stopped": f"{stopped}; the outputs are of the last finished generation" if stopped
                   else "by a stopping rule (epsilon 0, --generations, --budget or --min-acceptance)",
        "evaluations": evaluations, "wall_seconds": round(seconds, 1), "cpu_seconds": round(_cpu_seconds(), 1),
        "seconds_per_evaluation_per_worker": round(seconds * _workers(args) / max(evaluations, 1), 3),
    }
    write_json_atomic(out / "manifest.json", manifest)
    return [out / "abc.db", out / "posterior.csv", out / "generations.csv", out / "manifest.json",
            *plots(history, prs, out)]


def _cpu_seconds() -> float:
    """CPU time of this process and of its finished children (the sampler's worker processes)."""
    import resource

    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _workers(args: argparse.Namespace) -> int:
    from sim.runs.backends import default_workers

    return 1 if args.backend == "serial" else (args.workers or default_workers())


def report(history, prs: tuple[Prior, ...], ids: tuple[str, ...], args: argparse.Namespace, seconds: float) -> str:
    """The text summary: generations, the final epsilon, cost per run, the most constrained parameters."""
    gens, post = generations_table(history), posterior_table(history, prs)
    evaluations = int(gens["tried"].sum())
    lines = [f"ABC-SMC of {len(prs)} parameters on {', '.join(ids)}: {len(gens)} generation(s) of {args.population} "
             f"particles x {args.seeds} seed(s) x {args.steps} weeks; {evaluations} particles tried in {seconds:.0f} s "
             f"({seconds * _workers(args) / max(evaluations, 1):.2f} s per particle per worker; those rejected by "
             f"the early screen ran its weeks only).",
             "generation  epsilon     tried  acceptance  ESS"]
    for g in gens.itertuples():
        lines.append(f"{g.generation:>10}  {g.epsilon:<10.4g}  {g.tried:>5}  {g.acceptance_rate:>10.3f}  {g.ess:.1f}")
    final = float(gens["epsilon"].iloc[-1])
    lines.append("Final population " + ("passes every band (epsilon 0)." if final == 0 else
                                        f"is not yet inside every band (epsilon {final:.3g} > 0)."))
    lines.append("Most constrained (posterior sd / prior sd; weighted median, 5-95%):")
    shrink = contraction(history, prs)
    for column, ratio in shrink.head(KDE_PARAMS).items():
        name = column.removeprefix("log10_")
        q = [weighted_quantile(post[name].to_numpy(float), post["weight"].to_numpy(float), x) for x in (0.5, 0.05, 0.95)]
        lines.append(f"  {name:<24} {ratio:.2f}  {q[0]:.4g} ({q[1]:.4g} - {q[2]:.4g})")
    return "\n".join(lines)

