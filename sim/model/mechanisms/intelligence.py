"""Mechanism 12: Taliban intelligence on ISIS-K, a province stock that accumulates, rolls up networks and decays.

Kress & Szechtman (2009, docs/sources.md#kress2009): what decides counter-insurgency is the quality of
intelligence, which rises with the cooperation of the population and is what lets the government hit
insurgents rather than civilians. The record to 6 Feb 2022: the Nangarhar intelligence department ran
the surrenders and monitored the surrendered (docs/sources.md#surrenders), and relied on detentions
(docs/sources.md#hrw2022). So a province's intelligence grows from detainees, surrendered members and
cooperating elders, and goes stale; a captured or surrendered member can give up a linked cell (the
nearest other cell of his province: ISIS-K is organised in provincial networks); and no cell is
invisible: a quiet cell keeps a floor of visibility that intelligence can act on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.model import rules, space
from sim.model.mechanisms import external

if TYPE_CHECKING:
    from sim.model.agents import IskpCell
    from sim.model.model import InsurgencyModel


def accumulate(intel, informants, elder_intel, gain, decay):
    """One week of a province's intelligence stock, a share in [0, 1]: new knowledge arrives with hazard
    ``gain`` x (informants in cells' worth + elder cooperation) and fills the unknown part; a share
    ``decay`` of what is known goes stale."""
    learned = (1.0 - intel) * rules.hazard_to_prob(gain * (informants + elder_intel))
    return np.clip(intel * (1.0 - decay) + learned, 0.0, 1.0)


def knowledge(unit_intel, province_intel):
    """What a unit knows about a cell: its own tactical intelligence or the province's (either finds it)."""
    return 1.0 - (1.0 - unit_intel) * (1.0 - province_intel)


def visibility(exposure, floor):
    """How visible a cell is: a quiet cell keeps ``floor`` (its members live among people who know them);
    exposure from acting adds to it."""
    return floor + (1.0 - floor) * exposure


def update(m: "InsurgencyModel") -> None:
    """Phase 10: this week's detainees and surrendered (people, in units of ``iskp_cell_size``) and the
    elders' cooperation add to each province's intelligence, which also decays."""
    p, f = m.p, m.flows
    informants = (f["detained"] + f["surrenders"]) / p["iskp_cell_size"]
    gain = p["intelligence_gain"] * external.capacity_factor(p)  # foreign support speeds it (mechanism 10)
    m.intel = accumulate(m.intel, informants, m.elder_intel, gain, p["intelligence_decay"])


def roll_up(m: "InsurgencyModel", source: "IskpCell", people: int) -> None:
    """Captured or surrendered members (``people``) each give up, with probability ``rollup_share``,
    the nearest other cell of their province, whose exposure rises by ``exposure_gain`` per lead."""
    if people <= 0:
        return
    leads = int(m.rng.binomial(people, m.p["rollup_share"]))
    if leads == 0:
        return
    linked = [c for c in m.iskp_cells if c.province == source.province and c is not source]
    if not linked:
        return
    d = space.chebyshev(space.coords(linked), source.cell.coordinate)
    target = linked[int(np.argmin(d + m.rng.random(len(d)) * 1e-3))]  # nearest, random tie-break
    target.expose(leads * m.p["exposure_gain"])
