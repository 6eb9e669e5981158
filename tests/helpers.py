"""Shared test helpers: many-seed comparisons with a tolerance taken from the spread."""

from __future__ import annotations

import numpy as np
from scipy import stats

from sim import InsurgencyModel, load_scenario
from sim.runs.runner import release


def outcome(scenario: str, seed: int, steps: int, metric: str, how: str = "sum", **overrides) -> float:
    """One run's value of a national metric: cumulative ("sum") or at the last step ("last")."""
    model = InsurgencyModel.from_scenario(load_scenario(scenario), rng=seed, **overrides)
    values = []
    for _ in range(steps):
        model.step()
        values.append(model.report[metric])
    release(model)
    return float(np.sum(values) if how == "sum" else values[-1])


def paired_effect(metric: str, low: dict, high: dict, seeds: int = 20, steps: int = 30, how: str = "sum",
                  scenario_low: str = "baseline", scenario_high: str = "baseline") -> tuple[float, float]:
    """Mean paired difference (high - low) over seeds and the half-width of its 99% t interval."""
    diffs = np.array([outcome(scenario_high, s, steps, metric, how, **high) -
                      outcome(scenario_low, s, steps, metric, how, **low) for s in range(1, seeds + 1)])
    half = stats.t.ppf(0.995, len(diffs) - 1) * diffs.std(ddof=1) / np.sqrt(len(diffs))
    return float(diffs.mean()), float(half)
