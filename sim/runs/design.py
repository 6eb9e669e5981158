"""Sweep designs: parameter axes and the design points they make (full factorial or Latin hypercube).

``latin_hypercube`` is the project's one Latin-hypercube generator (``scipy.stats.qmc``); the sweep's
``--design lhs`` and any analysis that needs a space-filling design draw from it, so the same seed
gives the same points everywhere.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.errors import UserError
from sim.inputs.parameters import PARAMS, coerce

DESIGNS = ("factorial", "lhs")


class SweepError(UserError):
    """A sweep file, flag or run list that cannot be used."""


@dataclass(frozen=True)
class Axis:
    """One varied parameter: explicit ``values``, or a range ``low:high`` with ``n`` values (n optional for LHS)."""

    name: str
    values: tuple = ()
    low: float | None = None
    high: float | None = None
    n: int | None = None
    where: str = "--set"

    @property
    def is_range(self) -> bool:
        return self.low is not None

    @property
    def size(self) -> int | None:
        """How many values a factorial design takes from this axis (None: a range without n)."""
        return self.n if self.is_range else len(self.values)

    def text(self) -> str:
        """The axis in the ``--set`` syntax."""
        if self.is_range:
            return f"{self.low:g}:{self.high:g}" + (f":{self.n}" if self.n else "")
        return ",".join(str(v) for v in self.values)

    def grid(self) -> list:
        """The values of a full-factorial design: the list, or n evenly spaced values with both ends."""
        if not self.is_range:
            return list(self.values)
        raw = np.linspace(self.low, self.high, self.n)
        return [self._value(v, f"{self.where} (value {i + 1} of {self.text()})") for i, v in enumerate(raw)]

    def sample(self, u: np.ndarray) -> list:
        """Values for Latin-hypercube coordinates ``u`` in [0, 1): uniform on a range, equal strata on a list."""
        if not self.is_range:
            return [self.values[min(int(x * len(self.values)), len(self.values) - 1)] for x in u]
        if PARAMS[self.name].kind is int:
            span = int(self.high) - int(self.low) + 1
            return [int(self.low) + min(int(x * span), span - 1) for x in u]
        return [self._value(self.low + x * (self.high - self.low), self.where) for x in u]

    def _value(self, v: float, where: str) -> Any:
        return coerce(self.name, float(f"{v:.12g}"), where)


def parse_axis(name: str, value: Any, where: str = "--set") -> Axis:
    """An axis from ``lo:hi:n`` / ``lo:hi`` / ``a,b,c`` text, a TOML list, or a single value."""
    name = name.strip()
    if name not in PARAMS:
        coerce(name, 0, where)  # raises the table's "unknown parameter" message with similar names
    if name == "steps":
        raise SweepError(f"'steps' cannot be an axis ({where}); set the horizon with --steps or steps = N.")
    param = PARAMS[name]
    if isinstance(value, str) and ":" in value:
        bits = [b.strip() for b in value.split(":")]
        if param.kind is str or len(bits) not in (2, 3) or not all(bits):
            raise SweepError(f"Axis '{name}' in {where} is '{value}'; a range is lo:hi:n (n values, ends "
                             f"included), e.g. {name}={_example(param)}; allowed: {param.range_text()}.")
        low, high = (coerce(name, b, where) for b in bits[:2])
        if not low < high:
            raise SweepError(f"Axis '{name}' in {where}: range {value} needs lo < hi.")
        n = None
        if len(bits) == 3:
            try:
                n = int(bits[2])
            except ValueError:
                n = -1
            if n < 2:
                raise SweepError(f"Axis '{name}' in {where}: n in '{value}' must be a whole number >= 2 "
                                 f"(it counts the values, ends included); for one value write {name}={bits[0]}.")
        return Axis(name, low=low, high=high, n=n, where=where)
    if isinstance(value, str):
        items = [v.strip() for v in value.split(",")] if value.strip() else []
    elif isinstance(value, list):
        items = [v.isoformat() if hasattr(v, "isoformat") else v for v in value]
    else:
        items = [value.isoformat() if hasattr(value, "isoformat") else value]
    if not items or any(v == "" for v in items):
        raise SweepError(f"Axis '{name}' in {where} is empty (or has an empty value); give values like "
                         f"{name}=a,b,c or a range {name}={_example(param)}; allowed: {param.range_text()}.")
    values = tuple(coerce(name, v, where) for v in items)
    if len(set(values)) < len(values):
        raise SweepError(f"Axis '{name}' in {where} lists a value twice: {', '.join(map(str, values))}.")
    return Axis(name, values=values, where=where)


def _example(param) -> str:
    if param.kind is str:
        return "2021-08-15,2021-09-15"
    return f"{param.low:g}:{param.high:g}:3"


def latin_hypercube(samples: int, dims: int, seed: int) -> np.ndarray:
    """``samples`` x ``dims`` coordinates in [0, 1), one in each of ``samples`` equal strata per dimension.

    The stream is ``numpy.random.default_rng(seed)``, so a design is fixed by its seed.
    """
    from scipy.stats import qmc

    return qmc.LatinHypercube(d=dims, seed=np.random.default_rng(seed)).random(samples)


def count_points(axes: tuple[Axis, ...], design: str = "factorial", samples: int | None = None) -> int:
    """How many design points ``design_points`` would make, without making them."""
    if not axes:
        return 1
    return math.prod(a.size or 0 for a in axes) if design == "factorial" else int(samples or 0)


def design_points(axes: tuple[Axis, ...], design: str = "factorial", samples: int | None = None,
                  seed: int = 1) -> list[dict[str, Any]]:
    """The parameter combinations of the axes; point ids are indexes into this list."""
    if not axes:
        return [{}]
    names = [a.name for a in axes]
    if design == "factorial":
        return [dict(zip(names, combo)) for combo in itertools.product(*(a.grid() for a in axes))]
    u = latin_hypercube(samples, len(axes), seed)
    columns = [a.sample(u[:, i]) for i, a in enumerate(axes)]
    return [dict(zip(names, row)) for row in zip(*columns)]
