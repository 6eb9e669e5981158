"""Numbers and effects in plain language for readers who are not statisticians."""

from __future__ import annotations

import math

from analysis.outcomes import outcome
from analysis.report.style import pretty


def number(x: float, signed: bool = False) -> str:
    """Round for reading: whole numbers from 10 up, 1 decimal from 1, 2 significant digits below."""
    if x is None or not math.isfinite(x):
        return "n/a"
    sign = "+" if signed and x > 0 else ""
    ax = abs(x)
    if ax >= 10:
        text = f"{x:,.0f}"
    elif ax >= 1:
        text = f"{x:,.1f}"
    elif ax == 0:
        text = "0"
    else:
        text = f"{x:.2g}"
    return (sign + text).replace("-", "\u2212")


def verdict(low: float, high: float, how: str) -> str:
    """Whether the 95% CI excludes zero, in words."""
    if not (math.isfinite(low) and math.isfinite(high)):
        return "too few paired seeds to tell"
    more, fewer = ("higher", "lower") if how == "final" else ("more", "fewer")
    if low > 0:
        return f"clearly {more}"
    if high < 0:
        return f"clearly {fewer}"
    return "no clear difference"


def effect_sentence(row: dict, horizon: int, baseline: str, with_arm: bool = True) -> str:
    """E.g. 'iron fist: +312 (95% CI +120 to +505) ISIS-K members at week 104 vs baseline (+8%; clearly higher).'"""
    o = outcome(row["outcome"])
    rel = row.get("relative")
    pct = f"{number(100 * rel, signed=True)}%; " if rel is not None and math.isfinite(rel) else ""
    head = f"{row['arm']}: " if with_arm else ""
    return (f"{head}{number(row['effect'], signed=True)} (95% CI {number(row['ci_low'], signed=True)} to "
            f"{number(row['ci_high'], signed=True)}) {o.phrase(horizon)} vs {pretty(baseline)} "
            f"({pct}{verdict(row['ci_low'], row['ci_high'], o.how)}).")
