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


def robust_verdict(robust: float, low: float, high: float, direction: float, how: str) -> str:
    """In words, how the effect holds over the posterior: 'clearly fewer' (its sign in >= 90% of the sets and
    the CI of the mean excludes 0), 'fewer in most plausible worlds' (>= 75%), else 'depends on what we don't
    know'."""
    from analysis.stats import MOST, ROBUST

    if not math.isfinite(robust) or not direction:
        return "no difference"
    more, fewer = ("higher", "lower") if how == "final" else ("more", "fewer")
    word = more if direction > 0 else fewer
    clear = (low > 0) if direction > 0 else (high < 0)
    if robust >= ROBUST and clear:
        return f"clearly {word}"
    if robust >= MOST:
        return f"{word} in most plausible worlds"
    return "depends on what we don't know"


def robustness(row: dict) -> str:
    """E.g. 'robust in 94% of plausible parameter sets'."""
    return f"robust in {100 * row['robust']:.0f}% of plausible parameter sets"


def posterior_sentence(row: dict, horizon: int, baseline: str, with_arm: bool = True) -> str:
    """E.g. 'iron fist: +312 (90% of sets x seeds: -50 to +700; mean +290, 95% CI +200 to +380) ISIS-K members
    at week 104 vs baseline (+8%; higher in most plausible worlds, robust in 81% of plausible parameter sets).'"""
    o = outcome(row["outcome"])
    rel = row.get("relative")
    pct = f"{number(100 * rel, signed=True)}%; " if rel is not None and math.isfinite(rel) else ""
    head = f"{row['arm']}: " if with_arm else ""
    direction = math.copysign(1, row["median"]) if row["median"] else math.copysign(1, row["effect"]) * bool(row["effect"])
    return (f"{head}{number(row['median'], signed=True)} (90% of sets x seeds: {number(row['p05'], signed=True)} to "
            f"{number(row['p95'], signed=True)}; mean {number(row['effect'], signed=True)}, 95% CI "
            f"{number(row['ci_low'], signed=True)} to {number(row['ci_high'], signed=True)}) {o.phrase(horizon)} vs "
            f"{pretty(baseline)} ({pct}{robust_verdict(row['robust'], row['ci_low'], row['ci_high'], direction, o.how)}"
            f", {robustness(row)}).")
