"""Mechanism 7: elder-brokered surrender as each member's decision, then monitoring, relapse and the
release of detainees.

Article: "the Taliban negotiated with ISIS cells in Nangarhar to surrender with the help of local
tribal leaders ... although they would be closely monitored by Taliban intelligence"; "a group of 65
members of the organization agreeing to give up their fight" (a scheduled event of the scenario).
Endogenous surrender needs real pressure (losses to raids, ambush counterfire and strikes, accumulated
in ``IskpCell.pressure``): the least committed members of pressed cells take the terms first, so the
surrender-prone are used up and the ideologues, foreign fighters and ex-prisoners remain. The elders'
offer reaches the men of their own province; a cell's members from elsewhere hear it only as
``outsider_leverage``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.inputs.events import Event
from sim.model import rules
from sim.model.mechanisms import elders, intelligence
from sim.model.membership import join_nearest_cells
from sim.model.population import Affiliation

if TYPE_CHECKING:
    from sim.model.agents import IskpCell
    from sim.model.model import InsurgencyModel


def pressure(stock, recent_hit):
    """How hard-pressed a cell is: its accumulated losses (``IskpCell.pressure``) plus the share of
    members this week's hits were set to take (``IskpCell.hit``); 0 for a cell nobody has hit (the
    starting exposure is not pressure)."""
    return min(1.0, stock + recent_hit)


def surrender_hazard(rate, offer, amnesty, pressure_, ideology, hardliner, resolve):
    """Each member's weekly hazard of taking the elders' offer: pressure x the terms x the offer (the
    elders' influence x alignment) x (1 - ideology) x (1 - ``resolve`` for foreign fighters and
    ex-prisoners). Works on arrays of members, so the least committed go first and the committed remain."""
    return rate * offer * amnesty * pressure_ * (1.0 - ideology) * (1.0 - resolve * hardliner)


def kin_leverage(home_province, cell_province, outsider):
    """The elders' leverage over each member: full over the men of their own province, ``outsider`` over
    those whose home is elsewhere (a cell's members stay with it when it moves to another province). The
    record's surrendered groups were local men brokered by the elders of their own districts; an elder
    speaks for his qawm, a kinship network, not for strangers passing through."""
    return np.where(home_province == cell_province, 1.0, outsider)


def relapse_hazard(rate, monitoring, control, grievance_):
    """Surrendered recruits relapse when monitoring is weak and grievance high."""
    return rate * (1.0 - monitoring * control) * grievance_


def broker(m: "InsurgencyModel") -> None:
    """Phase 9, after the elders' turns: the living elders of each province offer terms to every member
    of its cells, and each member decides for himself (one draw per member). Independent offers add
    their hazards, so a province's elders act through the sum of influence x stance."""
    p, pool = m.p, m.pool
    cells = [c for c in m.iskp_cells if len(c.members)]
    if not cells:
        return
    press = np.array([pressure(c.pressure, c.recent_hit) for c in cells])
    if not press.any():
        return
    sizes = np.array([len(c.members) for c in cells])
    idx = np.concatenate([c.members for c in cells])
    owner = np.repeat(np.arange(len(cells)), sizes)
    cell_prov = np.array([c.province for c in cells])[owner]
    offer = elders.cooperation(m)[cell_prov] * kin_leverage(pool.province[idx], cell_prov, p["outsider_leverage"])
    hardliner = (pool.origin[idx] == 2) | pool.ex_prisoner[idx]
    h = surrender_hazard(p["surrender_rate"], offer, p["amnesty"], press[owner], pool.ideology[idx], hardliner,
                         p["hardliner_resolve"])
    accept = m.rng.random(len(idx)) < rules.hazard_to_prob(h)
    for i in np.unique(owner[accept]):
        give_up(m, cells[i], idx[accept & (owner == i)], cells[i].province)


def give_up(m: "InsurgencyModel", cell: "IskpCell", idx: np.ndarray, pid: int) -> None:
    """These members surrender and are monitored from now on."""
    m.pool.transition(idx, Affiliation.SURRENDERED)
    m.pool.count("surrenders", pid, len(idx) * m.scale)
    intelligence.roll_up(m, cell, len(idx) * m.scale)


def scheduled(m: "InsurgencyModel", event: Event) -> None:
    """Phase 1: a dated group surrender, taken from the province's largest cells first."""
    for name in event.provinces:
        pid = m.geo.index(name)
        wanted = int(round(event.people / m.scale / len(event.provinces)))
        taken = 0
        for cell in sorted((c for c in m.iskp_cells if c.province == pid), key=lambda c: -len(c.members)):
            members = cell.members
            k = min(len(members), wanted - taken)
            if k > 0:
                give_up(m, cell, m.rng.choice(members, size=k, replace=False), pid)
                taken += k
            if taken >= wanted:
                break
        m.log_event("elder_surrender", pid, taken * m.scale, event.label)


def monitor_and_release(m: "InsurgencyModel") -> None:
    """Phase 10: the surrendered relapse when monitoring is weak and grievance high (relapses rejoin
    the nearest cell but are not counted as new joins); detainees whose term is over come out."""
    pool, p = m.pool, m.p
    sur = np.flatnonzero(pool.state == Affiliation.SURRENDERED)
    if len(sur):
        control = m.grid.taliban_control.data.ravel()[pool.home[sur]]
        h = relapse_hazard(p["relapse_rate"], p["monitoring"], control, pool.grievance(sur, m.legitimacy))
        back = sur[m.rng.random(len(sur)) < rules.hazard_to_prob(h)]
        if len(back):
            np.add.at(pool.flows["relapses"], pool.province[back], m.scale)
            join_nearest_cells(m, back)
            np.add.at(pool.flows["joined_iskp"], pool.province[back], -m.scale)
            np.add.at(pool.flows["salafi_joined_iskp"], pool.province[back], -m.scale * pool.salafi[back])
    out = np.flatnonzero((pool.state == Affiliation.DETAINED) & (pool.released_at <= m.steps))
    pool.transition(out, Affiliation.CIVILIAN)
