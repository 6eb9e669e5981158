"""Analytic test functions with known sensitivity indices, to check ``run.py sensitivity --function``.

A function takes the design point's values and a seed and returns one number; its ``bounds``
attribute (name -> (low, high)) defines its inputs instead of the model's parameter table.
"""

from __future__ import annotations

import math

import numpy as np

from sim.inputs.parameters import PARAMS

# Ishigami & Homma (1990) with a = 7, b = 0.1 on [-pi, pi]^3; analytic indices (Saltelli et al. 2008):
ISHIGAMI_S1 = {"x1": 0.3139, "x2": 0.4424, "x3": 0.0}
ISHIGAMI_ST = {"x1": 0.5576, "x2": 0.4424, "x3": 0.2437}


def ishigami(values: dict[str, float], seed: int = 0) -> float:
    """sin(x1) + 7 sin(x2)^2 + 0.1 x3^4 sin(x1); deterministic (the seed is ignored)."""
    x1, x2, x3 = values["x1"], values["x2"], values["x3"]
    return math.sin(x1) + 7.0 * math.sin(x2) ** 2 + 0.1 * x3 ** 4 * math.sin(x1)


ishigami.bounds = {name: (-math.pi, math.pi) for name in ("x1", "x2", "x3")}


# A model stand-in with a known ranking: amnesty moves the outcome ~100x more than the others.
DOMINANT = "amnesty"
DOMINANT_OTHERS = ("ejk_share", "ambush_rate", "monitoring", "hp_rate", "vision")


def dominant(values: dict[str, float], seed: int = 0) -> float:
    """200 amnesty + the others relative to their defaults, plus unit normal seed noise.

    Its inputs are the model parameters (no ``bounds``); over their plausible band (default +-50%)
    each other term spans 0.5-1.5, so Morris must rank amnesty first by a wide margin.
    """
    rng = np.random.default_rng(seed)
    others = sum(values[k] / PARAMS[k].default for k in DOMINANT_OTHERS)
    return 200.0 * values[DOMINANT] + others + rng.normal(0.0, 1.0)
