"""Global sensitivity analysis (SALib): Morris screening of the behavioural parameters, then Sobol on the top ones.

One code path for every evaluator: build the problem, sample a design, evaluate every design point
with the same seeds, average the seeds per point (seed noise inflates the indices, docs/sources.md#seed_noise),
analyse, write a ranked table and bar charts. The model evaluator runs the design through
``sim.runs.sweep.execute`` (resumable, any backend); a Python function evaluator checks the method on
analytic test functions (``analysis.testfunctions``) without model runs.
"""

from __future__ import annotations

import importlib
import inspect
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Protocol

import numpy as np
import pandas as pd
from SALib.analyze import morris as morris_analyze
from SALib.analyze import sobol as sobol_analyze
from SALib.sample import morris as morris_sample
from SALib.sample import sobol as sobol_sample

from sim.errors import UserError
from sim.inputs.checks import did_you_mean
from sim.results.manifest import git_revision, now, versions, write_json_atomic
from sim.inputs.parameters import PARAMS

from analysis.report import charts
from analysis.outcomes import outcome, per_run
from analysis.report.style import save

FUNCTION_MODULE = "analysis.testfunctions"   # the allow-list of --function

METHODS = ("morris", "sobol", "both")
MORRIS_LEVELS = 4
RESAMPLES = 1000
BAND = 0.5  # plausible band: default -50% .. +50%, clipped to the allowed range


class SensitivityError(UserError):
    """Sensitivity options that cannot be used."""


@dataclass(frozen=True)
class Factor:
    """One varied input with the interval it is sampled from."""

    name: str
    low: float
    high: float
    integer: bool = False

    def value(self, x: float) -> float | int:
        """The value passed to the model: rounded for whole-number parameters."""
        return int(round(x)) if self.integer else float(f"{x:.12g}")


def plausible(name: str, full: bool = False) -> Factor:
    """A behavioural parameter's interval: default +-50% clipped to its range (``full``: the whole range).

    A parameter whose default is 0 (a switched-off lever) varies over the lowest quarter of its range.
    """
    p = PARAMS[name]
    integer = p.kind is int
    if full:
        return Factor(name, float(p.low), float(p.high), integer)
    if p.default == 0:
        low, high = p.low, p.low + 0.25 * (p.high - p.low)
    else:
        low, high = max(p.low, p.default * (1 - BAND)), min(p.high, p.default * (1 + BAND))
    if integer:
        low, high = math.floor(low), math.ceil(high)
        if high == low:
            low, high = max(p.low, low - 1), min(p.high, high + 1)
    return Factor(name, float(low), float(high), integer)


def behavioural() -> list[str]:
    """Names of the numeric parameters that describe behaviour (not sizes, dates or switches)."""
    return [p.name for p in PARAMS.values() if p.behavioural and p.kind in (int, float)]


def model_factors(names: list[str] | None = None, full: bool = False) -> list[Factor]:
    """Factors for the named parameters (default: every behavioural one), validated against the table."""
    allowed = behavioural()
    names = names or allowed
    bad = [n for n in names if n not in allowed]
    if bad:
        raise SensitivityError(f"--params: {', '.join(bad)} cannot be varied.{did_you_mean(bad[0], allowed)} "
                               f"Allowed are the behavioural numeric "
                               f"parameters of `python run.py params`: {', '.join(allowed)}.")
    if len(set(names)) < len(names) or len(names) < 2:
        raise SensitivityError(f"--params must name at least 2 different parameters (got {', '.join(names)}).")
    return [plausible(n, full) for n in names]


def problem(factors: list[Factor]) -> dict:
    """The SALib problem definition."""
    return {"num_vars": len(factors), "names": [f.name for f in factors], "bounds": [[f.low, f.high] for f in factors]}


def check_size(method: str, size: int) -> None:
    """Morris needs r >= 2 trajectories; Sobol a power-of-2 base sample (balance of the Sobol sequence)."""
    if method == "morris" and size < 2:
        raise SensitivityError(f"--trajectories is {size}; Morris needs at least 2 (10-50 is usual).")
    if method == "sobol" and (size < 2 or size & (size - 1)):
        raise SensitivityError(f"--samples is {size}; Sobol needs a power of 2 (e.g. 256, 512, 1024) for the "
                               "balance of its sequence.")


def sample(method: str, factors: list[Factor], size: int, seed: int) -> np.ndarray:
    """The design: Morris trajectories (``size`` = r, r(D+1) rows) or Saltelli/Sobol (``size`` = N, N(D+2) rows)."""
    check_size(method, size)
    if method == "morris":
        return morris_sample.sample(problem(factors), N=size, num_levels=MORRIS_LEVELS, seed=seed)
    return sobol_sample.sample(problem(factors), size, calc_second_order=False, seed=seed)


def design_points(X: np.ndarray, factors: list[Factor]) -> list[dict[str, Any]]:
    """The parameter values of each design row, as the model receives them."""
    return [{f.name: f.value(x) for f, x in zip(factors, row)} for row in X]


class Evaluator(Protocol):
    """Evaluates design points with seeds: returns one row per (point, seed) with the outcome columns."""

    outcomes: list[str]

    def __call__(self, points: list[dict[str, Any]], seeds: list[int], label: str) -> pd.DataFrame: ...


@dataclass
class ModelEvaluator:
    """Runs each design point on a scenario through the sweep runner, one results store per design."""

    out: Path
    outcomes: list[str]
    scenario: str = "baseline"
    steps: int | None = None
    backend: str = "processes"
    workers: int | None = None
    scheduler: str | None = None
    security: str | None = None
    progress: bool = True

    def __call__(self, points: list[dict[str, Any]], seeds: list[int], label: str) -> pd.DataFrame:
        from sim.inputs.scenario import load_scenario
        from sim.results.store import Store
        from sim.runs.sweep import Run, execute

        steps = self.steps if self.steps is not None else int(load_scenario(self.scenario).params["steps"])
        runs = [Run(self.scenario, seed, steps, values, point) for point, values in enumerate(points) for seed in seeds]
        where = self.out / label
        summary = execute(runs, where, backend=self.backend, workers=self.workers, scheduler=self.scheduler, security=self.security,
                          progress=self.progress, meta={"sensitivity": label, "outcomes": self.outcomes})
        if summary["failed"]:
            raise SensitivityError(f"{summary['failed']} of {summary['planned']} runs failed (see {where}/manifest.json);"
                                   f" rerun the same command to retry them.")
        columns = sorted({"scenario", "point", "seed", "step"} | {outcome(o).column for o in self.outcomes})
        return per_run(Store(where).read("national", columns), self.outcomes).drop(columns="scenario")


@dataclass
class FunctionEvaluator:
    """Calls ``func(values, seed) -> float`` for each point and seed (analytic test functions).

    ``fixed`` holds the values of inputs a design does not vary (as the model keeps its defaults).
    """

    func: Callable[[dict[str, Any], int], float]
    name: str
    fixed: dict[str, Any]

    @property
    def outcomes(self) -> list[str]:
        return [self.name]

    def __call__(self, points: list[dict[str, Any]], seeds: list[int], label: str) -> pd.DataFrame:
        rows = [{"point": p, "seed": s, self.name: float(self.func({**self.fixed, **values}, s))}
                for p, values in enumerate(points) for s in seeds]
        return pd.DataFrame(rows)


def test_functions() -> list[str]:
    """The functions ``--function`` may name: those defined in the allow-list module."""
    module = importlib.import_module(FUNCTION_MODULE)
    return sorted(name for name, f in vars(module).items()
                  if inspect.isfunction(f) and f.__module__ == FUNCTION_MODULE and not name.startswith("_"))


def load_function(ref: str) -> tuple[Callable, dict[str, tuple[float, float]] | None]:
    """``module:function`` -> the function and its ``bounds`` attribute (if it defines its own inputs).

    Only functions of ``analysis.testfunctions`` are accepted: a free module path would let a command
    line import and call anything (``os:system``).
    """
    module, _, attr = ref.partition(":")
    allowed = test_functions()
    if module != FUNCTION_MODULE or attr not in allowed:
        raise SensitivityError(f"--function '{ref}' is not one of the test functions; allowed: "
                               f"{', '.join(f'{FUNCTION_MODULE}:{n}' for n in allowed)}.{did_you_mean(attr, allowed)}")
    func = getattr(importlib.import_module(module), attr)
    return func, getattr(func, "bounds", None)


def seed_means(per_run_rows: pd.DataFrame, outcomes: list[str], n_points: int) -> np.ndarray:
    """Outcome per design point averaged over its seeds, in design order ([n_points, n_outcomes])."""
    means = per_run_rows.groupby("point")[outcomes].mean().reindex(range(n_points))
    missing = means.index[means.isna().any(axis=1)].tolist()
    if missing:
        raise SensitivityError(f"{len(missing)} design points have no result (first: {missing[:5]}); rerun the "
                               "same command to resume.")
    return means.to_numpy()


def analyse(method: str, factors: list[Factor], X: np.ndarray, y: np.ndarray, seed: int) -> pd.DataFrame:
    """Indices per factor, ranked (Morris by mu*, Sobol by ST), with 95% confidence half-widths."""
    prob = problem(factors)
    if method == "morris":
        si = morris_analyze.analyze(prob, X, y, num_resamples=RESAMPLES, conf_level=0.95,
                                    num_levels=MORRIS_LEVELS, seed=seed)
        df = pd.DataFrame({"parameter": prob["names"], "mu": si["mu"], "mu_star": si["mu_star"],
                           "mu_star_conf": si["mu_star_conf"], "sigma": si["sigma"]})
        key = "mu_star"
    else:
        si = sobol_analyze.analyze(prob, y, calc_second_order=False, num_resamples=RESAMPLES, conf_level=0.95,
                                   seed=seed)
        df = pd.DataFrame({"parameter": prob["names"], "S1": si["S1"], "S1_conf": si["S1_conf"],
                           "ST": si["ST"], "ST_conf": si["ST_conf"]})
        key = "ST"
    df.insert(1, "low", [f.low for f in factors])
    df.insert(2, "high", [f.high for f in factors])
    df = df.sort_values(key, ascending=False, kind="stable").reset_index(drop=True)
    df.insert(0, "rank", range(1, len(df) + 1))
    return df


@dataclass
class Settings:
    """Everything that fixes a sensitivity study (stored in its manifest)."""

    method: str
    factors: list[Factor]
    seeds: list[int]
    trajectories: int = 10
    samples: int = 256
    top: int = 5
    design_seed: int = 1


def study(method: str, factors: list[Factor], size: int, s: Settings, evaluate: Evaluator, out: Path,
          say: Callable[[str], None]) -> pd.DataFrame:
    """Sample, evaluate (seeds averaged per point), analyse every outcome, write <method>.csv and charts."""
    X = sample(method, factors, size, s.design_seed)
    points = design_points(X, factors)
    say(f"{method}: {len(factors)} parameters, {len(points)} design points x {len(s.seeds)} seeds = "
        f"{len(points) * len(s.seeds)} evaluations")
    rows = evaluate(points, s.seeds, method)
    Y = seed_means(rows, evaluate.outcomes, len(points))
    tables = []
    for j, name in enumerate(evaluate.outcomes):
        t = analyse(method, factors, X, Y[:, j], s.design_seed)
        t.insert(0, "outcome", name)
        tables.append(t)
        draw = charts.morris_bars if method == "morris" else charts.sobol_bars
        save(draw(t, name, len(s.seeds)), out, f"{method}_{name}")
    table = pd.concat(tables, ignore_index=True)
    table.to_csv(out / f"{method}.csv", index=False)
    return table


def run(s: Settings, evaluate: Evaluator, out: Path, say: Callable[[str], None] = print) -> dict[str, pd.DataFrame]:
    """Morris, Sobol or both (Sobol on the ``top`` parameters by Morris mu* of the first outcome).

    Options are checked before anything is written; the manifest is written when the study is done.
    """
    if s.method not in METHODS:
        raise SensitivityError(f"--method is '{s.method}'; allowed: {', '.join(METHODS)}.")
    if not s.seeds:
        raise SensitivityError("--seeds must be at least 1.")
    if s.method in ("morris", "both"):
        check_size("morris", s.trajectories)
    if s.method in ("sobol", "both"):
        check_size("sobol", s.samples)
    started = now()
    out.mkdir(parents=True, exist_ok=True)
    results: dict[str, pd.DataFrame] = {}
    sobol_factors = s.factors
    if s.method in ("morris", "both"):
        results["morris"] = study("morris", s.factors, s.trajectories, s, evaluate, out, say)
        first = results["morris"][results["morris"]["outcome"] == evaluate.outcomes[0]]
        keep = set(first["parameter"].head(max(2, s.top)))
        sobol_factors = [f for f in s.factors if f.name in keep]
    if s.method in ("sobol", "both"):
        results["sobol"] = study("sobol", sobol_factors, s.samples, s, evaluate, out, say)
    write_json_atomic(out / "manifest.json", {
        "kind": "sensitivity", "method": s.method, "started": started, "finished": now(), "versions": versions(),
        "git": git_revision(), "seeds": s.seeds, "design_seed": s.design_seed, "outcomes": list(evaluate.outcomes),
        "trajectories": s.trajectories, "samples": s.samples, "top": s.top, "levels": MORRIS_LEVELS,
        "resamples": RESAMPLES, "factors": [vars(f) for f in s.factors], "evaluator": _describe(evaluate),
        "sobol_parameters": [f.name for f in sobol_factors] if "sobol" in results else None,
        "files": sorted(p.name for p in out.iterdir() if p.is_file()) + ["manifest.json"]})
    return results


def _describe(evaluate: Evaluator) -> dict:
    if isinstance(evaluate, ModelEvaluator):
        return {"model": True, "scenario": evaluate.scenario, "steps": evaluate.steps, "backend": evaluate.backend}
    return {"function": getattr(evaluate, "name", str(evaluate))}
