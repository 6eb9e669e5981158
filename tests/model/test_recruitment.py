"""Mechanism 1 (sim/model/mechanisms/recruitment.py): Epstein's arrest probability and ISIS-K's appeal."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from sim.inputs.geography import window_sum
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


@given(vd=unit, prag=unit, legit=unit, ideo=unit, vis=unit, hard=st.sampled_from([0.0, 1.0]), sup=unit)
def test_appeal_falls_with_victory_and_rises_with_pragmatism(vd, prag, legit, ideo, vis, hard, sup):
    base = recruitment.iskp_appeal(vd, prag, legit, ideo, vis, hard, sup)
    assert base >= 0
    assert recruitment.iskp_appeal(min(1, vd + 0.1), prag, legit, ideo, vis, hard, sup) <= base + 1e-12
    assert recruitment.iskp_appeal(vd, prag + 0.1, legit, ideo, vis, hard, sup) >= base - 1e-12


@given(vd=st.floats(0, 0.5), prag=st.floats(0, 0.5), legit=unit, ideo=unit)
def test_victory_acts_through_legitimacy_and_pragmatism_through_ideology(vd, prag, legit, ideo):
    # Two mechanisms, not one constant: victory dampening bites in proportion to the victors'
    # legitimacy and not at all where they have none; pragmatism pulls in proportion to ideology.
    def a(v, p, l, i):
        return recruitment.iskp_appeal(v, p, l, i, 0.0, 0.0, 1.0)
    assert abs((a(vd, prag, legit, ideo) - a(vd + 0.1, prag, legit, ideo)) - 0.1 * legit) < 1e-9
    assert abs((a(vd, prag + 0.1, legit, ideo) - a(vd, prag, legit, ideo)) - 0.1 * ideo) < 1e-9
    assert a(vd, prag, 0.0, ideo) == a(0.0, prag, 0.0, ideo)
    assert a(vd, prag, legit, 0.0) == a(vd, 0.0, legit, 0.0)


def test_risk_is_not_rounded_away_outside_docking():
    # Half a cop per person or less: Mesa's round(C/A) gives 0; the full model keeps the risk.
    assert recruitment.arrest_probability(0.3, 1.0, 2.3, rounded=True) == 0.0
    assert abs(recruitment.arrest_probability(0.3, 1.0, 2.3) - (1 - np.exp(-0.69))) < 1e-12


@given(scale=st.sampled_from([1, 2, 5, 10]))
def test_arrest_layer_counts_people_not_agents(scale):
    # The same people (members grid in agents of `scale` people) give the same risk at any scale.
    rng = np.random.default_rng(7)
    strength = np.where(rng.random((12, 9)) < 0.2, rng.uniform(100, 2000, (12, 9)), 0.0)
    people = 10.0 * rng.integers(0, 6, (12, 9))
    p = {"vision": 2, "cop_strength": 120.0, "arrest_k": 2.3}
    ref = recruitment.arrest_layer(SimpleNamespace(p=p, scale=1, inside=np.ones((12, 9))), strength, people)
    got = recruitment.arrest_layer(SimpleNamespace(p=p, scale=scale, inside=np.ones((12, 9))), strength, people / scale)
    assert np.allclose(got, ref)
    assert (ref > 0).sum() == (window_sum(strength, 2) > 0).sum()  # risk wherever a cop can see

