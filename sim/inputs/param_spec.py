"""One entry of the parameter table (``sim.inputs.parameters``): name, default, unit, range, group, source."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Param:
    """One model parameter with its meaning, unit, range and source."""

    name: str
    default: Any
    unit: str
    low: float | None
    high: float | None
    group: str
    doc: str
    source: str
    kind: type = float
    behavioural: bool = True  # False for sizes and switches that sensitivity analysis should not vary

    def range_text(self) -> str:
        """The allowed range, as shown in error messages and ``run.py params``."""
        if self.kind is str:
            return "a date YYYY-MM-DD"
        if self.kind is bool:
            return "true or false"
        return f"{self.kind.__name__} in [{self.low:g}, {self.high:g}]"


def _p(name, default, unit, low, high, group, doc, source, kind=float, behavioural=True) -> Param:
    return Param(name, default, unit, low, high, group, doc, source, kind, behavioural)

