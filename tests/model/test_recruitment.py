"""Mechanism 1 (sim/model/mechanisms/recruitment.py): Epstein's arrest probability and ISIS-K's appeal."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from sim.model.mechanisms import recruitment

unit = st.floats(0, 1)


@given(c=st.floats(0, 50), a=st.floats(0, 50), k=st.floats(0, 5))
def test_arrest_probability_in_unit_interval_and_rises_with_cops(c, a, k):
    p = recruitment.arrest_probability(c, a, k)
    assert 0 <= p <= 1
    assert recruitment.arrest_probability(c + 1, a, k) >= p


def test_arrest_probability_matches_epstein_calibration():
    # k = 2.3 gives P ~ 0.9 with one cop and one active (Epstein 2002).
    assert abs(recruitment.arrest_probability(1.0, 1.0, 2.3) - 0.9) < 0.01


@given(vd=unit, prag=unit, vis=unit, hard=st.sampled_from([0.0, 1.0]), sup=unit)
def test_appeal_falls_with_victory_and_rises_with_pragmatism(vd, prag, vis, hard, sup):
    base = recruitment.iskp_appeal(vd, prag, vis, hard, sup)
    assert base >= 0
    assert recruitment.iskp_appeal(min(1, vd + 0.1), prag, vis, hard, sup) <= base + 1e-12
    assert recruitment.iskp_appeal(vd, prag + 0.1, vis, hard, sup) >= base - 1e-12
