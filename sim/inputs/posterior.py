"""A calibrated posterior (``posterior.csv``): read and check it, draw parameter sets from it by weight.

The file has one row per particle: one column per calibrated parameter (values as the model takes them,
names of ``run.py params``), a ``weight`` column (>= 0, summing to more than 0; normalised here) and
optionally ``distance`` (ABC's, ignored). ``run.py sweep --posterior FILE --sets N`` draws N sets with
``draw`` and runs every scenario on each; the analysis reuses ``load_posterior`` and ``draw``. The draw is
fixed by its seed (``numpy.random.default_rng(seed)``), so the same command gives the same sets.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.errors import UserError
from sim.inputs.parameters import PARAMS, ParameterError, coerce

WEIGHT = "weight"
EXTRA_COLUMNS = (WEIGHT, "distance")
# The calibrated posterior shipped with the package (``run.py calibrate``'s final population, copied by
# ``docs/adopt_posterior.py``); the defaults of its parameters are its weighted medians.
SHIPPED = Path(__file__).resolve().parents[1] / "data" / "posterior.csv"


class PosteriorError(UserError):
    """A posterior file that cannot be used."""


@dataclass(frozen=True)
class Posterior:
    """Particles (one row each, parameter columns only, typed as the table says) and normalised weights."""

    particles: pd.DataFrame
    weights: np.ndarray
    path: Path
    sha256: str

    @property
    def names(self) -> list[str]:
        return list(self.particles.columns)


def load_posterior(path: Path | str, where: str = "--posterior") -> Posterior:
    """Read and check a posterior CSV; raises ``PosteriorError`` naming the file, the column and the fix."""
    path = Path(path)
    ask = (f"({where}; a posterior.csv has one row per parameter set: one column per parameter of `python run.py "
           f"params`, and a '{WEIGHT}' column)")
    if not path.is_file():
        raise PosteriorError(f"The posterior file '{path}' does not exist {ask}.")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PosteriorError(f"The posterior file '{path}' is not UTF-8 text (byte {exc.start}) {ask}.") from None
    try:
        table = pd.read_csv(io.StringIO(text))
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise PosteriorError(f"The posterior file '{path}' is not a readable CSV table ({exc}) {ask}.") from None
    table.columns = [str(c).strip() for c in table.columns]
    if WEIGHT not in table.columns or table.empty:
        raise PosteriorError(f"The posterior file '{path}' has {'no rows' if table.empty else f'no {WEIGHT!r} column'}"
                             f" (columns: {', '.join(table.columns) or 'none'}) {ask}.")
    names = [c for c in table.columns if c not in EXTRA_COLUMNS]
    for name in names:
        if name not in PARAMS or name == "steps" or PARAMS[name].kind is str:
            detail = (f"'{name}' is not a parameter" if name not in PARAMS
                      else f"'{name}' is the run length or a date, not a calibrated number")
            raise PosteriorError(f"The posterior file '{path}' has column {detail}; every column but "
                                 f"{' and '.join(EXTRA_COLUMNS)} must name a numeric parameter of `python run.py "
                                 f"params` {ask}.")
    if not names:
        raise PosteriorError(f"The posterior file '{path}' has no parameter columns {ask}.")
    weights = pd.to_numeric(table[WEIGHT], errors="coerce").to_numpy(float)
    bad = ~np.isfinite(weights) | (weights < 0)
    if bad.any() or weights.sum() <= 0:
        row = int(np.argmax(bad)) + 2 if bad.any() else None
        raise PosteriorError(f"The '{WEIGHT}' column of '{path}' must hold numbers >= 0 that sum to more than 0 "
                             + (f"(row {row} has '{table[WEIGHT].iloc[row - 2]}')" if row else
                                f"(they sum to {weights.sum():g})") + f" {ask}.")
    values: dict[str, list] = {}
    for name in names:
        column = []
        for i, value in enumerate(table[name]):
            if pd.isna(value):
                raise PosteriorError(f"The posterior file '{path}', row {i + 2}, has no value for '{name}' "
                                     f"(allowed: {PARAMS[name].range_text()}) {ask}.")
            try:
                column.append(coerce(name, float(value) if PARAMS[name].kind is float else value,
                                     f"'{path}', row {i + 2}"))
            except (ParameterError, ValueError) as exc:
                raise PosteriorError(f"{str(exc).rstrip('.')} {ask}.") from None
        values[name] = column
    particles = pd.DataFrame(values)
    return Posterior(particles, weights / weights.sum(), path, hashlib.sha256(raw).hexdigest())


def draw(posterior: Posterior, n: int, seed: int) -> pd.DataFrame:
    """``n`` parameter sets drawn with replacement, by weight, with ``numpy.random.default_rng(seed)``.

    One row per draw (index ``draw`` 0..n-1): ``particle`` (the file's row, 0-based, header excluded) and
    the parameter columns.
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise PosteriorError(f"The number of posterior sets is {n}; it must be a whole number >= 1 (--sets N).")
    rows = np.random.default_rng(seed).choice(len(posterior.weights), size=n, replace=True, p=posterior.weights)
    out = posterior.particles.iloc[rows].reset_index(drop=True)
    out.insert(0, "particle", rows)
    out.index.name = "draw"
    return out


def overrides(row: pd.Series | dict) -> dict[str, Any]:
    """One drawn row as model overrides, typed as the parameter table says (whole numbers as int)."""
    return {k: (int(v) if PARAMS[k].kind is int else float(v)) for k, v in dict(row).items() if k in PARAMS}


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """The smallest value whose cumulative normalised weight reaches ``q`` (q = 0.5: the weighted median)."""
    order = np.argsort(values, kind="stable")
    cum = np.cumsum(weights[order]) / weights.sum()
    return float(values[order][min(int(np.searchsorted(cum, q - 1e-12)), len(values) - 1)])


def default_value(name: str, value: float) -> int | float:
    """A posterior summary as a table default: whole numbers rounded, others to 3 significant figures."""
    if PARAMS[name].kind is int:
        return int(round(value))
    return float(f"{value:.3g}")


def summary(posterior: Posterior) -> pd.DataFrame:
    """Per parameter: the weighted median (as a table default) and the 5th and 95th weighted percentiles."""
    rows = []
    for name in posterior.names:
        x = posterior.particles[name].to_numpy(float)
        rows.append({"name": name, "median": default_value(name, weighted_quantile(x, posterior.weights, 0.5)),
                     "q05": weighted_quantile(x, posterior.weights, 0.05),
                     "q95": weighted_quantile(x, posterior.weights, 0.95)})
    table = pd.DataFrame(rows).set_index("name")
    table["median"] = pd.Series({r["name"]: r["median"] for r in rows}, dtype=object)  # ints stay ints
    return table


def shipped_summary() -> pd.DataFrame | None:
    """``summary`` of the shipped posterior, or None when the package ships none."""
    return summary(load_posterior(SHIPPED, "the shipped posterior")) if SHIPPED.is_file() else None
