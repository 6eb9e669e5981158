"""A quick PNG of one run's main series, written by ``run.py run`` next to its tables.

Panels, names, units and colours are those of the browser view (``sim.views.series``), so the two agree.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from sim.views.series import PER_WEEK, STOCKS  # noqa: E402


def _fit(ax, values: pd.Series) -> None:
    """Start at 0 unless the series sits far above it (strength, legitimacy): then fit it, so change shows."""
    low, high = float(values.min()), float(values.max())
    if low > 0.3 * high > 0:
        pad = 0.08 * (high - low) or 0.05 * high
        ax.set_ylim(low - pad, high + pad)
    else:
        ax.set_ylim(0, max(high * 1.08, 1.0))


def figure(national: pd.DataFrame) -> plt.Figure:
    """Six panels of the national series against calendar dates, with readable names and units."""
    fig, axes = plt.subplots(3, 2, figsize=(12, 9.5), sharex=True, layout="constrained")
    dates = pd.to_datetime(national["date"])
    for ax, (title, unit, lines) in zip(axes.T.ravel(), STOCKS + PER_WEEK):
        for column, label, colour in lines:
            ax.plot(dates, national[column], label=label, color=colour, lw=1.4)
        _fit(ax, national[[c for c, _, _ in lines]].stack())
        ax.set_title(title, fontsize=11, loc="left")
        ax.set_ylabel(unit, fontsize=10)
        ax.tick_params(labelsize=9)
        ax.grid(alpha=0.3)
        if len(lines) > 1:
            ax.legend(fontsize=8.5, frameon=False, ncol=2)
    for ax in axes[-1]:
        ax.xaxis.set_major_locator(mdates.MonthLocator(bymonth=(1, 4, 7, 10)))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%b\n%Y"))
    scen, seed = national["scenario"].iloc[0], national["seed"].iloc[0]
    fig.suptitle(f"Scenario {str(scen).replace('_', ' ')}, seed {seed}: one run, weekly", fontsize=13)
    return fig


def quick_chart(national: pd.DataFrame, path: Path) -> Path:
    """Write ``figure(national)`` as a PNG."""
    fig = figure(national)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return Path(path)
