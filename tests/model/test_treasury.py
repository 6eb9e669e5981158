"""Mechanism 4b (sim/model/mechanisms/treasury.py): one finite purse for the group; splitting creates no money."""

from __future__ import annotations

import pytest

from sim import InsurgencyModel
from sim.model.mechanisms import movement, treasury
from sim.runs.runner import release


def test_income_is_paid_per_person_so_splitting_cells_creates_none():
    m = InsurgencyModel(rng=1)
    treasury.collect(m)
    before = m.treasury_income
    for cell in list(m.iskp_cells):          # split every cell that can be split
        if len(cell.members) > 1:
            movement.split(m, cell, cell.members)
    treasury.collect(m)
    assert m.treasury_income == pytest.approx(before) and before > 0
    release(m)


def test_the_books_balance_every_week_and_nothing_is_spent_that_is_not_there():
    """treasury(t) = treasury(t-1) + income - ambush_cost x ambushes - hp_cost x high-profile attacks."""
    m = InsurgencyModel(rng=4)
    p = m.p
    for _ in range(40):
        purse = m.treasury
        m.step()
        r = m.report
        spent = p["ambush_cost"] * r["attacks_ambush"] + p["hp_cost"] * (r["attacks_mass_casualty"] + r["attacks_leadership"])
        assert m.treasury == pytest.approx(purse + m.treasury_income - spent)
        assert m.treasury >= 0
    release(m)


def test_an_empty_purse_with_no_income_mounts_no_attack():
    m = InsurgencyModel(rng=2, initial_resources=0.0, resource_income=0.0, foreign_resource_inflow=0.0)
    for _ in range(15):
        m.step()
        assert m.report["attacks_ambush"] + m.report["attacks_mass_casualty"] + m.report["attacks_leadership"] == 0
    release(m)


def test_a_poorer_group_attacks_less():
    rich = poor = 0.0
    for seed in (1, 2, 3, 4):
        for rate, acc in ((0.08, "rich"), (0.01, "poor")):
            m = InsurgencyModel(rng=seed, resource_income=rate, foreign_resource_inflow=0.0)
            total = 0.0
            for _ in range(20):
                m.step()
                total += m.report["attacks_ambush"]
            release(m)
            if acc == "rich":
                rich += total
            else:
                poor += total
    assert poor < rich
