"""The browser view's optional baseline overlay: the bundled baseline's median and 10-90% band over a
few seeds, computed once per horizon (in a background thread of the view) and cached in the server process."""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from sim.model.model import InsurgencyModel
from sim.views.series import PER_WEEK, STOCKS

BASELINE = "baseline"
SEEDS = (1, 2, 3, 4, 5, 6)
METRICS = tuple(column for panel in (*STOCKS, *PER_WEEK) for column, _, _ in panel.lines)


@lru_cache(maxsize=4)
def baseline_band(steps: int, seeds: tuple[int, ...] = SEEDS) -> dict[str, tuple[np.ndarray, ...]]:
    """Per metric, (median, 10th, 90th percentile) over ``seeds`` runs of the baseline, weeks 0 to ``steps``."""
    runs = []
    for seed in seeds:
        model = InsurgencyModel(rng=seed, scenario=BASELINE, steps=steps)
        for _ in range(steps):
            model.step()
        runs.append({m: np.asarray(model.datacollector.model_vars[m], dtype=float) for m in METRICS})
    return {m: tuple(np.percentile(np.vstack([r[m] for r in runs]), [50, 10, 90], axis=0)) for m in METRICS}
