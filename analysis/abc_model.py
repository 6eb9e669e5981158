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
# A run whose ISIS-K membership passes this is stopped: ten times the top of the strength bands P5 and P5b
# (5,000), so it would have to lose nine in ten members to come back into them. Such runs are the costly
# ones (tens of thousands of members, thousands of cells) and are rejected at every finite epsilon.
RUNAWAY_MEMBERS = 50_000.0
RUNAWAY_DISTANCE = 1_000.0  # more than any completed run's distance (band gaps of ~10 at 50,000 members)


def summaries(scenario: Any, seeds: np.ndarray, steps: int, overrides: dict, ids: tuple[str, ...]) -> dict | None:
    """Summary statistics of the patterns ``ids`` over runs of ``steps`` weeks with the given model seeds
    (through ``sim.runs.runner.run_one``); None when a run passed ``RUNAWAY_MEMBERS`` and was stopped."""
    from sim.runs.runner import run_one

    runs = []
    for s in seeds:
        runs.append(run_one(scenario, int(s), steps, overrides, halt_members=RUNAWAY_MEMBERS))
        if runs[-1].halted is not None:
            return None
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
            if x is None:
                return self.runaway(eps)
            lower = D.BandDistance(self.early)(x)
            if lower > eps:
                return ModelResult(accepted=False, distance=lower, sum_stat=x)
        x = summaries(self.scenario, seeds, self.steps, overrides, self.ids)
        if x is None:
            return self.runaway(eps)
        d = D.BandDistance(self.ids)(x)
        return ModelResult(accepted=bool(d <= eps), distance=d, sum_stat=x)

    def runaway(self, eps: float) -> ModelResult:
        """A run stopped at ``RUNAWAY_MEMBERS``: no statistics (NaN), distance ``RUNAWAY_DISTANCE``, so it is
        accepted only by generation 0's infinite epsilon and ranks below every completed run."""
        return ModelResult(accepted=bool(RUNAWAY_DISTANCE < eps), distance=RUNAWAY_DISTANCE,
                           sum_stat={i: float("nan") for i in self.ids})
