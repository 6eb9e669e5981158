"""A quick PNG of one run's main series, written by ``run.py run`` next to its tables."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from sim.outputs import ATTACK_FLOWS  # noqa: E402

PANELS = (
    ("ISIS-K members", ["iskp_members"]),
    ("Attacks per week", list(ATTACK_FLOWS)),
    ("Deaths per week", ["civilian_deaths", "taliban_deaths", "iskp_deaths", "ejk_killed"]),
    ("Surrenders and relapses per week", ["surrenders", "relapses"]),
    ("Taliban strength", ["taliban_strength"]),
    ("Legitimacy and grievance", ["mean_legitimacy", "mean_grievance", "salafi_mean_grievance"]),
)


def quick_chart(national: pd.DataFrame, path: Path) -> Path:
    """Six small panels of the national series against calendar dates."""
    fig, axes = plt.subplots(3, 2, figsize=(11, 9), sharex=True)
    for ax, (title, cols) in zip(axes.ravel(), PANELS):
        for col in cols:
            ax.plot(national["date"], national[col], label=col)
        ax.set_title(title, fontsize=10)
        if len(cols) > 1:
            ax.legend(fontsize=7)
    scen = national["scenario"].iloc[0]
    seed = national["seed"].iloc[0]
    fig.suptitle(f"{scen}, seed {seed}")
    fig.autofmt_xdate()
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return Path(path)
