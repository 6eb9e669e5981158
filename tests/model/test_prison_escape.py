"""Mechanism 3 (sim/model/mechanisms/prison_escape.py): the escapees arrive in week one and many return."""

from __future__ import annotations

from sim import InsurgencyModel
from sim.model.agents import Affiliation


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
