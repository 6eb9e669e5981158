"""Summary statistics and distance of the ABC-SMC calibration (``run.py calibrate``), in one place.

The statistics are the calibration patterns of ``analysis.patterns`` that the record dates up to 6 Feb 2022,
plus the two long-run shapes the issue allows (P5b, the mid-2023 strength band, and P14, persistence).
Left out: P11 (qualitative, a near-repeat shape whose value over 104 weeks says nothing about the record's
dates) and P10 (a paired comparison of two parameter sets, not a statistic of one). For one parameter set
run over k seeds, each statistic is summarised as the scorecard does: the median over the seeds, or the
share of seeds (P14).

The distance is zero when every summary lies inside its tolerance band, and otherwise the root sum of
squares of how far each lies outside, in band widths: a pattern-oriented ABC kernel (Grimm et al. 2005;
the tolerance bands of docs/calibration.md §1 are the acceptance region at epsilon 0). A statistic that
cannot be computed for a parameter set (e.g. P6b when no attack killed anyone) counts as ``MISSING`` band
widths away.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis import patterns as P

# Calibration set: record dated up to 6 Feb 2022, plus the long-run shapes P5b and P14. P8b reads UNAMA's
# window to 15 Jun 2022 (an EJK count, not one of the held-out attack or harm patterns); the issue keeps it.
ABC_IDS: tuple[str, ...] = ("P1a", "P1b", "P5", "P6a", "P6b", "P8a", "P8b", "P9", "P9n", "P12", "P5b", "P14")
MISSING = 1.0  # band widths charged for a statistic that could not be computed


def abc_patterns(steps: int, ids: tuple[str, ...] = ABC_IDS) -> tuple[P.Pattern, ...]:
    """The calibration patterns that runs of ``steps`` weeks cover (P14 needs 104, P5b 99, P8b 44)."""
    return tuple(P.BY_ID[i] for i in ids if P.BY_ID[i].needs_steps() <= steps)


def summary_statistics(national: pd.DataFrame, provinces: pd.DataFrame,
                       patterns: tuple[P.Pattern, ...]) -> dict[str, float]:
    """One parameter set's summary statistics: per pattern, the median over its runs (``share`` patterns:
    the share of runs), exactly the scorecard's ``model`` column. NaN when no run gives a value."""
    card = P.summarise(P.statistics(national, provinces, patterns), patterns)
    return {row["pattern"]: float(row["model"]) for row in card.to_dict("records")}


def observed(patterns: tuple[P.Pattern, ...]) -> dict[str, float]:
    """The record's value per pattern (the point target, or the band's middle where there is none): what
    pyabc stores as the observed data. The distance reads the bands, not these values."""
    return {p.id: float(p.target if np.isfinite(p.target) else (p.low + p.high) / 2) for p in patterns}


def gap(pattern: P.Pattern, value: float) -> float:
    """How far ``value`` lies outside the pattern's band, in band widths (0 inside the band, bounds
    included); a one-sided band uses its bound as the width."""
    if value is None or np.isnan(value):
        return MISSING
    width = pattern.high - pattern.low if np.isfinite(pattern.high) else abs(pattern.low) or 1.0
    return (max(pattern.low - value, 0.0) + max(value - pattern.high, 0.0)) / width


@dataclass(frozen=True)
class BandDistance:
    """pyabc distance ``d(x, x_0)``: root sum of squares of the band gaps of the patterns ``ids``.

    A picklable callable, so pyabc's process and Dask samplers can ship it; ``x_0`` (the record) is not
    read, because the bands already encode it.
    """

    ids: tuple[str, ...]

    def gaps(self, x: dict) -> dict[str, float]:
        """Per pattern, the gap of the summary statistic ``x[id]`` (missing keys count as ``MISSING``)."""
        return {i: gap(P.BY_ID[i], float(x.get(i, np.nan))) for i in self.ids}

    def __call__(self, x: dict, x_0: dict | None = None) -> float:
        return float(np.sqrt(sum(g * g for g in self.gaps(x).values())))
