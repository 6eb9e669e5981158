"""Mechanism 8 (sim/model/mechanisms/elders.py): the elders' stance, their intelligence and their killing."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from sim import InsurgencyModel
from sim.model.mechanisms import elders

unit = st.floats(0, 1)


@given(stance=unit, legit=unit, kills=st.floats(0, 50), sens=st.floats(0, 0.5), drift=unit)
def test_stance_stays_a_share_and_killings_of_innocents_lower_it(stance, legit, kills, sens, drift):
    s = elders.elder_stance(stance, legit, kills, sens, drift)
    assert 0 <= s <= 1
    assert s <= elders.elder_stance(stance, legit, 0.0, sens, drift) + 1e-12


def test_killing_an_elder_intimidates_the_others_and_removes_his_intelligence():
    m = InsurgencyModel(rng=3)
    pid = m.geo.index("Nangarhar")
    for e in m.elders_in[pid]:
        e.stance_taliban = 0.9
    before = elders.intelligence(m)[pid]
    victim, *others = m.elders_in[pid]
    cell = m.iskp_cells[0]
    elders.kill(m, cell, victim)
    assert not victim.alive and m.flows["elders_killed"][pid] == 1
    assert all(np.isclose(e.stance_taliban, 0.9 - m.p["elder_intimidation"]) for e in others)
    assert elders.intelligence(m)[pid] < before


def test_neutral_elders_still_inform():
    """Elder intelligence falls with the stance but does not vanish at neutral (0.5)."""
    m = InsurgencyModel(rng=3)
    for e in m.elders:
        e.stance_taliban = 0.5
    half = elders.intelligence(m)
    for e in m.elders:
        e.stance_taliban = 1.0
    full = elders.intelligence(m)
    assert (half > 0).all() and np.allclose(half, full / 2)


def test_killed_councils_are_replaced_at_their_rate():
    m = InsurgencyModel(rng=3, elder_replacement_rate=0.1)
    for e in m.elders:
        e.alive = False
    weeks = 5
    for _ in range(weeks):
        for e in m.elders:
            if not e.alive:
                elders.succeed(e)
    back = np.mean([e.alive for e in m.elders])
    expected = 1 - np.exp(-0.1 * weeks)
    n = len(m.elders)
    assert abs(back - expected) < 4 * np.sqrt(expected * (1 - expected) / n)
    assert all(np.isclose(e.stance_taliban, m.legitimacy[e.province]) for e in m.elders if e.alive)
    m0 = InsurgencyModel(rng=3, elder_replacement_rate=0.0)
    victim = m0.elders[0]
    victim.alive = False
    elders.succeed(victim)
    assert not victim.alive
