"""Mechanism 3 (sim/model/mechanisms/prison_escape.py): the escapees arrive in week one and many return."""

from __future__ import annotations

import numpy as np

from sim import InsurgencyModel
from sim.model.agents import Affiliation
from sim.model.mechanisms import prison_escape, recruitment


def test_prison_escape_adds_escapees_in_week_one():
    with_escape = InsurgencyModel(rng=1)
    without = InsurgencyModel(rng=1, scenario="no_prison_escape")
    for m in (with_escape, without):
        m.step()
    assert with_escape.added_agents * with_escape.scale >= 1800
    assert without.added_agents * without.scale < 1800  # only foreign arrivals
    escapees = with_escape.pool.origin == 1
    assert escapees.sum() * with_escape.scale == 1800
    assert with_escape.pool.ex_prisoner[escapees].all()
    states = with_escape.pool.state[escapees]
    assert (states == Affiliation.ISKP).sum() > (states == Affiliation.TALIBAN).sum()  # "many of them returned"


def test_escapees_choose_by_the_same_rule_as_everyone_else():
    # On arrival an escapee returns to ISIS-K exactly when recruitment's join rule holds for it (the
    # same risk as any recruit, Salafi deterrence included); nobody is sent to the Taliban by a rule of
    # its own: the others are civilians, under the weekly rules.
    m = InsurgencyModel(rng=3, salafi_persecution=1.0, persecution_deterrence=1.0)
    event = next(e for e in m.events if e.type == "prison_escape")
    before = m.pool.n
    prison_escape.escape(m, event)
    idx = np.arange(before, m.pool.n)
    rule = recruitment.would_join_iskp(m, idx, m.pool.grievance(idx, m.legitimacy), recruitment.risk(m, idx))
    states = m.pool.state[idx]
    assert np.array_equal(states == Affiliation.ISKP, rule)
    assert np.all(states[~rule] == Affiliation.CIVILIAN)
    assert 0 < rule.sum() < len(idx)  # the rule binds for some escapees
    salafi = m.pool.salafi[idx]
    assert rule[salafi].mean() < rule[~salafi].mean()  # deterrence reaches persecuted Salafi escapees too
