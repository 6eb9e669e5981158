"""Mechanism 10 (sim/model/mechanisms/external.py): support factors, strikes and the border inflow."""

from __future__ import annotations

from sim import InsurgencyModel
from sim.inputs.parameters import defaults
from sim.model.mechanisms import external


def test_support_terms_are_neutral_without_support_and_grow_with_it():
    p = defaults()
    assert external.contact_factor(p) == 1.0 and external.capacity_factor(p) == 1.0
    assert external.legitimacy_bonus(p) == 0.0
    q = {**p, "foreign_support_taliban": 1.0, "external_support_iskp": 1.0}
    assert external.capacity_factor(q) == 2.0 and external.contact_factor(q) == 2.0
    assert external.legitimacy_bonus(q) == p["foreign_legitimacy_bonus"]


def test_closed_borders_let_no_foreign_fighter_in_and_strikes_use_their_own_stream():
    m = InsurgencyModel(rng=2, border_interdiction=1.0, external_strikes=0.0)
    rng_state = m.rng.bit_generator.state
    n = m.pool.n
    external.act(m)
    assert m.pool.n == n and m.added_agents == 0
    assert m.rng.bit_generator.state == rng_state  # no arrivals: the model's own stream is untouched
