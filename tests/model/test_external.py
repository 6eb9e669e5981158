"""Mechanism 10 (sim/model/mechanisms/external.py): support factors, strikes and the border inflow."""

from __future__ import annotations

import pytest

from sim import InsurgencyModel
from sim.inputs.parameters import defaults
from sim.model.mechanisms import external
from tests.helpers import paired_effect


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


# ---- border interdiction acts through its two channels (issue 11), 20 paired seeds each --------------------
@pytest.mark.slow
def test_border_interdiction_keeps_foreign_fighters_out():
    """Closed borders cut joining by foreign fighters (at 50 a week, so the channel is visible over 30 weeks;
    at the default 5 a week, "only small numbers" (UN), its effect on members is within the seed spread)."""
    ctx = {"foreign_fighter_inflow": 50.0}
    mean, half = paired_effect("joined_iskp", {**ctx, "border_interdiction": 0.0}, {**ctx, "border_interdiction": 1.0},
                               seeds=20, steps=30)
    assert mean + half < 0, f"{mean:.0f} ± {half:.0f}"


@pytest.mark.slow
def test_border_interdiction_stops_supplies_to_the_treasury():
    mean, half = paired_effect("iskp_treasury", {"border_interdiction": 0.0}, {"border_interdiction": 1.0},
                               seeds=20, steps=30, how="last")
    assert mean + half < 0, f"{mean:.2f} ± {half:.2f}"
