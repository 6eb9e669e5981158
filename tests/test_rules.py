"""The functional forms of sim/model/rules.py: ranges, monotonicity and limiting cases (Epstein, Bennett)."""

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


@given(c=st.floats(0, 50), a=st.floats(0, 50), k=st.floats(0, 5))
def test_arrest_probability_in_unit_interval_and_rises_with_cops(c, a, k):
    p = rules.arrest_probability(c, a, k)
    assert 0 <= p <= 1
    assert rules.arrest_probability(c + 1, a, k) >= p


def test_arrest_probability_matches_epstein_calibration():
    # k = 2.3 gives P ~ 0.9 with one cop and one active (Epstein 2002).
    assert abs(rules.arrest_probability(1.0, 1.0, 2.3) - 0.9) < 0.01


@given(a=unit, gain=unit, n=st.floats(0, 100))
def test_anger_update_is_bennetts_and_capped(a, gain, n):
    new = rules.anger_update(a, gain, n)
    assert a - 1e-12 <= new <= 1.0


def test_bennett_example_five_hurt_moves_anger_a_quarter_of_the_way():
    assert abs(rules.anger_update(0.0, 0.05, 5) - 0.25) < 1e-12


@given(risk=unit, d=unit)
def test_deterrence_only_raises_risk(risk, d):
    assert risk - 1e-12 <= rules.deterred_risk(risk, d) <= 1.0


@given(vd=unit, prag=unit, vis=unit, hard=st.sampled_from([0.0, 1.0]), sup=unit)
def test_appeal_falls_with_victory_and_rises_with_pragmatism(vd, prag, vis, hard, sup):
    base = rules.iskp_appeal(vd, prag, vis, hard, sup)
    assert base >= 0
    assert rules.iskp_appeal(min(1, vd + 0.1), prag, vis, hard, sup) <= base + 1e-12
    assert rules.iskp_appeal(vd, prag + 0.1, vis, hard, sup) >= base - 1e-12


def test_nonmembers_killed_has_the_accuracy_mean():
    rng = np.random.default_rng(0)
    m, a = 10, 0.6
    draws = [rules.nonmembers_killed(rng, m, a) for _ in range(4000)]
    expected = m * (1 - a) / a
    se = np.std(draws) / np.sqrt(len(draws))
    assert abs(np.mean(draws) - expected) < 4 * se
    assert rules.nonmembers_killed(rng, 0, 0.5) == 0 and rules.nonmembers_killed(rng, 5, 1.0) == 0


@given(l0=unit, target=unit, harm=st.floats(0, 10), ejk=st.floats(0, 100))
def test_legitimacy_stays_a_share_and_harm_lowers_it(l0, target, harm, ejk):
    a = rules.legitimacy_step(l0, target, 0.05, 0.0, 0.02, 0.0, 0.004)
    b = rules.legitimacy_step(l0, target, 0.05, harm, 0.02, ejk, 0.004)
    assert 0 <= b <= a <= 1


@given(rate=st.floats(0, 1), mon=unit, ctl=unit, g=unit)
def test_relapse_needs_weak_monitoring_and_grievance(rate, mon, ctl, g):
    h = rules.relapse_hazard(rate, mon, ctl, g)
    assert 0 <= h <= rate
    assert rules.relapse_hazard(rate, mon, ctl, 0.0) == 0
    assert rules.relapse_hazard(rate, 1.0, 1.0, g) == 0
