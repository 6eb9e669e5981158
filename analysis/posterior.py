"""A calibrated posterior (``posterior.csv`` of ``run.py calibrate``): load it, draw parameter sets by weight.

The file has one row per particle of ABC-SMC's final population: one column per calibrated parameter
(values as the model receives them, in the units of ``run.py params``), ``weight`` (summing to 1) and
optionally ``distance``. ``run.py validate --posterior`` and the posterior sweeps (issue 13) use
``load_posterior`` and ``draw``; a draw is reproducible from its seed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.errors import UserError

EXTRA_COLUMNS = ("weight", "distance")


@dataclass(frozen=True)
class Posterior:
    """Particles (one row each, parameter columns only) and their normalised weights."""

    particles: pd.DataFrame
    weights: np.ndarray
    path: Path

    @property
    def names(self) -> list[str]:
        return list(self.particles.columns)


def load_posterior(path: Path | str) -> Posterior:
    """Read and check a posterior CSV: known parameters inside their allowed ranges, weights >= 0 that sum
    to 1 (to 1e-6). Raises ``UserError`` naming the file and the problem."""
    from sim.inputs.parameters import PARAMS, ParameterError, coerce

    path = Path(path)
    try:
        table = pd.read_csv(path)
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise UserError(f"Cannot read the posterior file {path} ({type(exc).__name__}: {exc}); it must be a "
                        f"posterior.csv written by `run.py calibrate`.") from None
    unknown = [c for c in table.columns if c not in PARAMS and c not in EXTRA_COLUMNS]
    names = [c for c in table.columns if c in PARAMS]
    if "weight" not in table or not names or unknown or table.empty:
        raise UserError(f"The posterior file {path} needs a 'weight' column, at least one row and one column per "
                        f"calibrated parameter (names of `run.py params`); "
                        f"{'unknown columns: ' + ', '.join(unknown) if unknown else 'it has ' + ', '.join(table.columns)}.")
    weights = pd.to_numeric(table["weight"], errors="coerce").to_numpy(float)
    if not np.all(np.isfinite(weights)) or (weights < 0).any() or abs(weights.sum() - 1.0) > 1e-6:
        raise UserError(f"The weights in {path} must be numbers >= 0 that sum to 1 (they sum to {np.nansum(weights):.6g}).")
    for name in names:
        for row, value in table[name].items():
            try:
                coerce(name, value, f"{path}, row {row + 2}")
            except ParameterError as exc:
                raise UserError(str(exc)) from None
    return Posterior(table[names].reset_index(drop=True), weights / weights.sum(), path)


def draw(posterior: Posterior, n: int, seed: int) -> pd.DataFrame:
    """``n`` parameter sets drawn with replacement by weight (``numpy.random.default_rng(seed)``): one row
    per draw (index ``draw`` 0..n-1), the parameter columns and ``particle``, the row drawn."""
    if n < 1:
        raise UserError(f"The number of posterior draws is {n}; it must be a whole number >= 1.")
    rows = np.random.default_rng(seed).choice(len(posterior.weights), size=n, replace=True, p=posterior.weights)
    out = posterior.particles.iloc[rows].reset_index(drop=True)
    out.insert(0, "particle", rows)
    out.index.name = "draw"
    return out


def overrides(row: pd.Series | dict) -> dict[str, Any]:
    """One drawn row as model overrides, typed as the parameter table says (whole numbers as int)."""
    from sim.inputs.parameters import PARAMS

    return {k: (int(round(float(v))) if PARAMS[k].kind is int else float(v))
            for k, v in dict(row).items() if k in PARAMS}


def draw_runs(posterior: Posterior, n: int, seed: int, scenario: str, steps: int) -> list:
    """The sweep runs of ``n`` draws: draw i runs once, as design point i, with model seed i + 1, so a
    posterior-predictive scorecard over the draws mixes parameter and seed uncertainty."""
    from sim.runs.sweep import Run

    return [Run(scenario, i + 1, steps, overrides(row), i) for i, row in draw(posterior, n, seed).iterrows()]
