"""Mechanism 11 (sim/model/mechanisms/legitimacy.py): legitimacy stays a share and harm lowers it."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from sim.model.mechanisms import legitimacy

unit = st.floats(0, 1)


@given(l0=unit, target=unit, harm=st.floats(0, 10), ejk=st.floats(0, 100))
def test_legitimacy_stays_a_share_and_harm_lowers_it(l0, target, harm, ejk):
    a = legitimacy.legitimacy_step(l0, target, 0.05, 0.0, 0.02, 0.0, 0.004)
    b = legitimacy.legitimacy_step(l0, target, 0.05, harm, 0.02, ejk, 0.004)
    assert 0 <= b <= a <= 1
