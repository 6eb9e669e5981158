"""Functional forms shared by several mechanisms; each mechanism's own forms live in its module.

They work on floats or NumPy arrays alike, so the same rule serves a single agent and the whole
recruit pool at once, and tests can check each form directly.
"""

from __future__ import annotations

import numpy as np


def hazard_to_prob(h):
    """Weekly probability of an event with hazard ``h`` (constant within the week)."""
    return 1.0 - np.exp(-np.maximum(h, 0.0))


def grievance(hardship, legitimacy, anger):
    """Epstein's G = H (1 - L), plus anger accumulated from harm and persecution (Bennett 2008), in [0, 1]."""
    return np.clip(hardship * (1.0 - legitimacy) + anger, 0.0, 1.0)


def anger_update(anger, gain, events):
    """Bennett's anger update A' = A + gain * n * (1 - A), capped at 1 (harm in raids and strikes,
    Salafi persecution)."""
    return np.minimum(1.0, anger + gain * events * (1.0 - anger))


def beta_with_mean(rng: np.random.Generator, mean: float, size: int | None = None):
    """A Beta draw with the given mean and concentration 8 (the +0.01 keeps both shapes positive at
    means of 0 and 1): initial elder influence and stance, ideology of escapees and foreign fighters."""
    return rng.beta(8 * mean + 0.01, 8 * (1 - mean) + 0.01, size)
