"""Mechanism 7: elder-brokered surrender, then monitoring, relapse and the release of detainees.

Article: "the Taliban negotiated with ISIS cells in Nangarhar to surrender with the help of local
tribal leaders ... although they would be closely monitored by Taliban intelligence"; "a group of 65
members of the organization agreeing to give up their fight" (a scheduled event of the scenario).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.inputs.events import Event
from sim.model import rules
from sim.model.membership import join_nearest_cells
from sim.model.population import Affiliation

if TYPE_CHECKING:
    from sim.model.agents import IskpCell, TribalElder
    from sim.model.model import InsurgencyModel


def pressure(exposure, recent_losses, members):
    """How hard-pressed a cell is: its exposure plus the share of members it just lost."""
    lost = recent_losses / max(members + recent_losses, 1)
    return min(1.0, exposure + lost)


def surrender_hazard(rate, influence, stance_taliban, amnesty, pressure_):
    """An elder's chance to broker a surrender rises with influence, his alignment with the Taliban,
    the terms offered and the pressure on the cell."""
    return rate * influence * stance_taliban * amnesty * pressure_


def relapse_hazard(rate, monitoring, control, grievance_):
    """Surrendered recruits relapse when monitoring is weak and grievance high."""
    return rate * (1.0 - monitoring * control) * grievance_


def broker(elder: "TribalElder") -> None:
    """The elder's action: offer terms to each cell of his province; a pressed cell may give up a share."""
    m = elder.model
    p = m.p
    for cell in m.snapshot.cells_in_province(elder.province):
        press = pressure(cell.exposure, cell.recent_losses, len(cell.members))
        h = surrender_hazard(p["surrender_rate"], elder.influence, elder.stance_taliban, p["amnesty"], press)
        if h > 0 and m.random.random() < rules.hazard_to_prob(h):
            surrender(m, cell, p["surrender_share"], elder.province)


def surrender(m: "InsurgencyModel", cell: "IskpCell", share: float, pid: int) -> None:
    """A binomial share (at least one) of the cell's members surrenders."""
    members = cell.members
    if len(members) == 0:
        return
    k = max(1, int(m.rng.binomial(len(members), share)))
    give_up(m, cell, m.rng.choice(members, size=k, replace=False), pid)


def give_up(m: "InsurgencyModel", cell: "IskpCell", idx: np.ndarray, pid: int) -> None:
    """These members surrender and are monitored from now on."""
    m.pool.transition(idx, Affiliation.SURRENDERED)
    m.pool.count("surrenders", pid, len(idx) * m.scale)
    cell.recent_losses += len(idx)


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
