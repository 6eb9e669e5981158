"""Mechanism 4 (sim/model/mechanisms/ambush.py): attack chance and Deitchman's asymmetric losses."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from sim.model.mechanisms import ambush

unit = st.floats(0, 1)


@given(rate=st.floats(0, 1), size=st.floats(0, 10), nr=st.floats(0, 5), v=st.floats(0, 10))
def test_attack_chance_is_a_probability_rising_with_size_and_recent_violence(rate, size, nr, v):
    p = ambush.attack_chance(rate, size, nr, v)
    assert 0 <= p <= 1
    assert ambush.attack_chance(rate, size + 1, nr, v) >= p - 1e-12
    assert ambush.attack_chance(rate, size, nr, v + 1) >= p - 1e-12


def test_surprise_raises_taliban_deaths_and_lowers_attacker_losses():
    rng = np.random.default_rng(0)
    draws = {s: [ambush.ambush_outcome(rng, 1.15, 0.13, s, 700.0, 50.0, 0.5) for _ in range(3000)]
             for s in (0.1, 0.9)}
    deaths = {s: np.array([d for d, _ in draws[s]]) for s in draws}
    se = np.hypot(deaths[0.1].std(), deaths[0.9].std()) / np.sqrt(3000)
    assert deaths[0.9].mean() - deaths[0.1].mean() > 4 * se  # aimed fire works better by surprise
    assert draws[0.9][0][1] < draws[0.1][0][1]  # area fire answers worse when surprised


def test_attacker_loss_share_grows_with_the_units_strength_and_is_capped():
    rng = np.random.default_rng(1)
    _, weak = ambush.ambush_outcome(rng, 1.0, 0.13, 0.5, 10.0, 50.0, 0.5)
    _, strong = ambush.ambush_outcome(rng, 1.0, 0.13, 0.5, 5000.0, 50.0, 0.5)
    assert weak < strong <= 1.0
    assert ambush.ambush_outcome(rng, 1.0, 1.0, 0.0, 1e6, 1.0, 0.5)[1] == 1.0
    deaths, _ = ambush.ambush_outcome(rng, 100.0, 0.1, 1.0, 3.0, 50.0, 0.5)
    assert deaths <= 3  # a unit cannot lose more fighters than it has
