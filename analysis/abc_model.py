"""The pyabc model of ``run.py calibrate``: one parameter set over k model seeds, with exact early rejection.

Kept apart from ``analysis.calibrate`` because it imports pyabc (about 2 s), which ``run.py --help`` and
the other subcommands should not pay for.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from pyabc.model import IntegratedModel, ModelResult

from analysis import abc_distance as D
from analysis.calibrate import Prior, model_values

SCREEN_STEPS = 20  # weeks of the early-rejection screen: P1a, P1b, P5, P6a, P6b, P8a, P9n, P12 end by then


def summaries(scenario: Any, seeds: np.ndarray, steps: int, overrides: dict, ids: tuple[str, ...]) -> dict:
    """Summary statistics of the patterns ``ids`` over runs of ``steps`` weeks with the given model seeds
    (through ``sim.runs.runner.run_one``)."""
    from sim.runs.runner import run_one

    runs = [run_one(scenario, int(s), steps, overrides) for s in seeds]
    national = pd.concat([r.national for r in runs], ignore_index=True)
    provinces = pd.concat([r.provinces for r in runs], ignore_index=True)
    return D.summary_statistics(national, provinces, tuple(D.P.BY_ID[i] for i in ids))


class Simulator(IntegratedModel):
    """pyabc model: one parameter set over ``seeds`` model seeds, with exact early rejection.

    When epsilon is finite and the runs are longer than ``screen`` weeks, the seeds first run for
    ``screen`` weeks. Those weeks are identical in the full runs (same seeds and parameters), so the
    distance over the patterns they cover is a lower bound of the full distance; if it already exceeds
    epsilon the particle is rejected without the full runs (it would be rejected anyway). This spares the
    costly runs in which ISIS-K explodes; a particle that passes the screen costs screen/steps more.
    Picklable, for the process and Dask samplers; the model seeds come from numpy's global generator,
    which each sampler seeds.
    """

    def __init__(self, scenario: Any, steps: int, seeds: int, priors: tuple[Prior, ...], ids: tuple[str, ...],
                 screen: int = SCREEN_STEPS):
        super().__init__(name=getattr(scenario, "name", "model"))
        self.scenario, self.steps, self.seeds, self.priors, self.ids = scenario, steps, seeds, priors, ids
        self.early = tuple(i for i in ids if D.P.BY_ID[i].needs_steps() <= screen)
        self.screen = screen if self.early and screen < steps else 0

    def integrated_simulate(self, pars, eps: float) -> ModelResult:
        overrides = model_values(self.priors, pars)
        seeds = np.random.randint(1, 2**31 - 1, size=self.seeds)
        if self.screen and np.isfinite(eps):
            x = summaries(self.scenario, seeds, self.screen, overrides, self.early)
            lower = D.BandDistance(self.early)(x)
            if lower > eps:
                return ModelResult(accepted=False, distance=lower, sum_stat=x)
        x = summaries(self.scenario, seeds, self.steps, overrides, self.ids)
        d = D.BandDistance(self.ids)(x)
        return ModelResult(accepted=bool(d <= eps), distance=d, sum_stat=x)
