"""A calibrated posterior (``posterior.csv`` of ``run.py calibrate``): load it, draw parameter sets by weight.

The file has one row per particle of ABC-SMC's final population: one column per calibrated parameter
(values as the model receives them, in the units of ``run.py params``), ``weight`` and optionally
``distance``. Reading, checking and drawing live in ``sim.inputs.posterior`` (the posterior sweeps of
``run.py sweep --posterior`` use them too); this module adds the runs of ``run.py validate --posterior``.
"""

from __future__ import annotations

from sim.inputs.posterior import Posterior, draw, load_posterior, overrides

__all__ = ["Posterior", "draw", "draw_runs", "load_posterior", "overrides"]


def draw_runs(posterior: Posterior, n: int, seed: int, scenario: str, steps: int) -> list:
    """The sweep runs of ``n`` draws: draw i runs once, as design point i, with model seed i + 1, so a
    posterior-predictive scorecard over the draws mixes parameter and seed uncertainty."""
    from sim.runs.sweep import Run

    return [Run(scenario, i + 1, steps, overrides(row), i) for i, row in draw(posterior, n, seed).iterrows()]
