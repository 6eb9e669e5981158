"""Mechanism 6 (sim/model/mechanisms/raids.py): non-members among the extrajudicially killed."""

from __future__ import annotations

import numpy as np

from sim.model.mechanisms import raids


def test_nonmembers_killed_has_the_accuracy_mean():
    rng = np.random.default_rng(0)
    m, a = 10, 0.6
    draws = [raids.nonmembers_killed(rng, m, a) for _ in range(4000)]
    expected = m * (1 - a) / a
    se = np.std(draws) / np.sqrt(len(draws))
    assert abs(np.mean(draws) - expected) < 4 * se
    assert raids.nonmembers_killed(rng, 0, 0.5) == 0 and raids.nonmembers_killed(rng, 5, 1.0) == 0
