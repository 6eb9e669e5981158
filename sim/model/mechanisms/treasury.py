"""Mechanism 4b: ISIS-K's group treasury, one finite purse for the whole group.

Money is the group's, not the cell's: local extraction (extortion, smuggling, donations) grows with the
people in ISIS-K, not with the number of its cells, so splitting a cell creates no money; external
funding adds to it (money from abroad, supplies through the borders); ambushes and high-profile
attacks spend from it, in the random order in which cells act, and nobody spends what is not there
(UN MT Feb 2021: "insufficient funding", docs/sources.md#unmt2021feb).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.model.population import Affiliation

if TYPE_CHECKING:
    from sim.model.model import InsurgencyModel


def extraction(rate: float, people: float, cell_size: float, external_gain: float) -> float:
    """Weekly local income: ``rate`` per ``cell_size`` people in the group, raised by external money."""
    return rate * people / cell_size * external_gain


def setup(m: "InsurgencyModel", n_cells: int) -> None:
    """At construction: the purse holds U(0, ``initial_resources``) for each starting cell."""
    m.treasury = float(m.rng.uniform(0, m.p["initial_resources"], size=n_cells).sum())
    m.treasury_income = 0.0


def collect(m: "InsurgencyModel") -> None:
    """Phase 6, before the cells act: this week's local extraction (and external money) comes in."""
    p = m.p
    people = float((m.pool.state == Affiliation.ISKP).sum() * m.scale)
    gain = 1.0 + p["iskp_support_income_gain"] * p["external_support_iskp"]
    m.treasury_income = extraction(p["resource_income"], people, p["iskp_cell_size"], gain)
    m.treasury += m.treasury_income


def receive(m: "InsurgencyModel", amount: float) -> None:
    """Supplies from outside (the border inflow) reach the group."""
    m.treasury += amount
    m.treasury_income += amount


def spend(m: "InsurgencyModel", cost: float) -> bool:
    """Pay ``cost`` if the purse holds it; False (and nothing paid) if not."""
    if m.treasury < cost:
        return False
    m.treasury -= cost
    return True
