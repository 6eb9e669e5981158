"""Mechanism 5b: ISIS-K's planning cadre, a group-level stock that gates high-profile attacks.

High-profile attacks (mass-casualty and leadership) need planners, bomb-makers and facilitators whom
the group holds in common, mostly in the cities. Their number, not the number of cells, limits how
many such attacks ISIS-K can mount in a week. The stock ``m.planners`` (the share of a full cadre
still in place, in [0, 1]) is degraded when raids or strikes hit cells in urban places, where the cadre sits
(Johnston 2012: removing leaders lowers the frequency and intensity of insurgent violence), and
rebuilds slowly toward full strength (Jordan 2014: religious, bureaucratised groups with community
support survive decapitation, regroup and go on attacking).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.inputs.geography import window_sum
from sim.model import space

if TYPE_CHECKING:
    from sim.model.agents import IskpCell
    from sim.model.model import InsurgencyModel


def rebuild(stock: float, rate: float) -> float:
    """The cadre regrows toward full strength: K' = K + rate (1 - K)."""
    return stock + rate * (1.0 - stock)


def setup(m: "InsurgencyModel") -> None:
    """At construction: a full cadre, no attacks planned yet, and the urban cells where it sits
    (within ``planner_urban_radius`` of a province's city cell)."""
    cities = np.zeros(m.geo.shape)
    for xy in m.geo.city:
        cities[xy] = 1.0
    m.urban = (window_sum(cities, m.p["planner_urban_radius"]) > 0.5) & m.inside
    m.planners = 1.0
    m.external_operations = 0
    m.hp_planned = 0
    m.hp_budget = 0


def plan(m: "InsurgencyModel") -> None:
    """Phase 6, before the cells act: the cadre rebuilds, then prepares Poisson(``hp_capacity`` x K)
    high-profile attacks for this week. A Binomial share ``hp_external_share`` of them are external
    operations (abroad: counted as ``external_operations``, not as attacks in Afghanistan); cells able
    and willing to strike draw on the rest (``take``)."""
    p = m.p
    m.planners = rebuild(m.planners, p["planner_rebuild"])
    prepared = int(m.rng.poisson(p["hp_capacity"] * m.planners))
    abroad = int(m.rng.binomial(prepared, p["hp_external_share"]))
    m.external_operations = abroad
    m.hp_planned = prepared - abroad
    m.hp_budget = m.hp_planned


def available(m: "InsurgencyModel") -> bool:
    """Whether a prepared attack is left this week."""
    return m.hp_budget > 0


def take(m: "InsurgencyModel") -> None:
    """A cell carries out one of the week's prepared attacks."""
    m.hp_budget -= 1


def cadre_loss(seized_share: float, urban_cells: int, exposure: float) -> float:
    """Share of the cadre lost when a raid seizes ``seized_share`` of one of ``urban_cells`` urban cells:
    the cadre is spread over the urban cells, and its members are ``exposure`` times as likely to be
    seized as the rank and file."""
    return min(1.0, exposure * seized_share / max(urban_cells, 1))


def decapitate(m: "InsurgencyModel", cell: "IskpCell", seized_share: float) -> None:
    """A raid or strike that seizes or kills ``seized_share`` of a cell in an urban cell takes planners
    with them: K *= 1 - ``cadre_loss``. Rural cells hold no planners."""
    if not m.urban[cell.cell.coordinate]:
        return
    xy = space.coords(m.iskp_cells)
    urban_cells = int(m.urban[xy[:, 0], xy[:, 1]].sum())
    m.planners *= 1.0 - cadre_loss(seized_share, urban_cells, m.p["planner_exposure"])
