"""The browser view's optional baseline overlay: the bundled baseline's median and 10-90% band over a
few seeds, computed once per horizon (in a background thread of the view) and cached for the session."""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from sim.model.model import InsurgencyModel

BASELINE = "baseline"
SEEDS = (1, 2, 3, 4, 5, 6)
METRICS = ("iskp_members", "taliban_strength", "attacks_ambush", "attacks_mass_casualty", "attacks_leadership",
           "attacks_elder", "civilian_deaths", "ejk_killed", "surrenders", "relapses")


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
