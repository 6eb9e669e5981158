"""The functional forms shared by several mechanisms (sim/model/rules.py): Epstein's grievance, Bennett's anger."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from sim.model import rules

unit = st.floats(0, 1)


@given(h=unit, legit=unit, anger=unit)
def test_grievance_is_a_share_and_epstein_without_anger(h, legit, anger):
    g = rules.grievance(h, legit, anger)
    assert 0 <= g <= 1
    assert rules.grievance(h, legit, 0.0) == h * (1 - legit)


@given(a=unit, gain=unit, n=st.floats(0, 100))
def test_anger_update_is_bennetts_and_capped(a, gain, n):
    new = rules.anger_update(a, gain, n)
    assert a - 1e-12 <= new <= 1.0


def test_bennett_example_five_hurt_moves_anger_a_quarter_of_the_way():
    assert abs(rules.anger_update(0.0, 0.05, 5) - 0.25) < 1e-12


def test_beta_with_mean_has_the_mean():
    rng = np.random.default_rng(0)
    draws = rules.beta_with_mean(rng, 0.8, 20000)
    assert ((draws >= 0) & (draws <= 1)).all()
    expected = (8 * 0.8 + 0.01) / (8 + 0.02)
    assert abs(draws.mean() - expected) < 4 * draws.std() / np.sqrt(len(draws))
