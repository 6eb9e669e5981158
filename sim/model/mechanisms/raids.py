"""Mechanism 6: counter-insurgency raids and extrajudicial killing, and the harm they spread.

Article: "bodies appeared, rumored to be ISIS elements who were killed by the Taliban in targeted
extrajudicial killings". Units detect nearby cells (their own and the province's intelligence,
mechanism 12; the cell's visibility; unit size) and raid them: a share of the seized is killed, the rest detained; with imperfect accuracy,
civilians profiled as suspects are killed too. Every killing by the Taliban or outsiders angers the
civilians around it (Bennett 2008), which feeds recruitment: the backfire loop of Kress & Szechtman.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.inputs.geography import window_sum
from sim.model import rules, space
from sim.model.mechanisms import external, intelligence, planners, salafi
from sim.model.population import Affiliation

if TYPE_CHECKING:
    from sim.model.agents import IskpCell, TalibanUnit
    from sim.model.model import InsurgencyModel


def detection_hazard(base, knowledge_, visibility_, strength, reference_strength, size_cap):
    """Detection grows with what the unit knows (its own and the province's intelligence), the cell's
    visibility (a floor plus exposure) and unit size (as the square root of strength over
    ``reference_strength``, at most ``size_cap``)."""
    return base * knowledge_ * visibility_ * np.minimum(size_cap, np.sqrt(strength / reference_strength))


def nonmembers_killed(rng, members_killed: int, accuracy: float) -> int:
    """Non-members killed alongside ``members_killed`` members when a share ``accuracy`` of the killed
    are members: the failures before that many successes (negative binomial, mean m (1-a)/a)."""
    if members_killed <= 0 or accuracy >= 1.0:
        return 0
    return int(rng.negative_binomial(members_killed, accuracy))


def reinforce(units: list["TalibanUnit"], p: dict) -> None:
    """Units make good part of their losses (faster with foreign support)."""
    rate = p["taliban_reinforcement"] * external.capacity_factor(p)
    for u in units:
        u.strength += max(0.0, u.establishment - u.strength) * rate


def search_and_raid(m: "InsurgencyModel") -> None:
    """Phase 7, the units' actions: reinforce; then every unit looks for the cells within ``vision`` (one
    distance matrix and one matrix of detection draws for all), and in random order each raids the
    detected cells that are still there."""
    p, snap = m.p, m.snapshot
    units = snap.units
    reinforce(units, p)
    for u in units:
        u.recent_losses = 0.0
    cells = snap.cells
    if not cells or not units:
        return
    near = space.chebyshev(snap.unit_xy[:, None, :], snap.cell_xy[None, :, :]) <= p["vision"]
    ui, ci = np.nonzero(near)
    if len(ui) == 0:
        return
    unit_intel = np.array([u.intelligence for u in units])
    strength = np.array([u.strength for u in units])
    prov = np.array([c.province for c in cells])
    exposure = np.array([c.exposure for c in cells])
    h = detection_hazard(p["detection_base"], intelligence.knowledge(unit_intel[ui], m.intel[prov[ci]]),
                         intelligence.visibility(exposure[ci], p["detection_floor"]), strength[ui],
                         p["detection_reference_strength"], p["detection_size_cap"])
    hit = m.rng.random(len(ui)) < rules.hazard_to_prob(h)
    ui, ci = ui[hit], ci[hit]
    rank = np.empty(len(units), dtype=int)
    rank[m.rng.permutation(len(units))] = np.arange(len(units))  # the units' random order
    for j in np.lexsort((ci, rank[ui])):
        if cells[ci[j]].alive:
            raid(m, cells[ci[j]])


def raid(m: "InsurgencyModel", cell: "IskpCell") -> None:
    """Seize members; kill a share extrajudicially, with non-members among the killed; detain the rest."""
    p, rng, pool = m.p, m.rng, m.pool
    pid = cell.province
    members = cell.members
    seized = members[rng.random(len(members)) < p["raid_capture"]]
    killed_mask = rng.random(len(seized)) < p["ejk_share"]
    killed, held = seized[killed_mask], seized[~killed_mask]
    pool.kill_members(killed, pid)
    pool.transition(held, Affiliation.DETAINED)
    pool.released_at[held] = m.steps + p["detention_weeks"]
    pool.count("detained", pid, len(held) * m.scale)
    cell.hit(p["raid_capture"])
    cell.expose(p["exposure_gain"])
    intelligence.roll_up(m, cell, len(held) * m.scale)
    planners.decapitate(m, cell, len(seized) / max(len(members), 1))
    n_non = nonmembers_killed(rng, len(killed), p["ejk_accuracy"])
    victims = suspects_near(m, cell.cell.coordinate, n_non)
    pool.transition(victims, Affiliation.DEAD)
    n_killed = (len(killed) + len(victims)) * m.scale
    pool.count("ejk_killed", pid, n_killed)
    pool.count("ejk_nonmembers", pid, len(victims) * m.scale)
    pool.count("civilian_deaths", pid, len(victims) * m.scale)
    m.harm[cell.cell.coordinate] += n_killed


def suspects_near(m: "InsurgencyModel", coord, k: int) -> np.ndarray:
    """Civilians within ``suspect_radius`` profiled as suspects; Salafis more often (HRW 2022)."""
    if k <= 0:
        return np.zeros(0, dtype=int)
    pool = m.pool
    homes = space.flat_xy(pool.home, m.geo.shape)
    near = np.flatnonzero((pool.state == Affiliation.CIVILIAN) & (space.chebyshev(homes, coord) <= m.p["suspect_radius"]))
    if len(near) == 0:
        return near
    w = salafi.profiling_weight(m.p, pool.salafi[near])
    k = min(k, len(near))
    return m.rng.choice(near, size=k, replace=False, p=w / w.sum())


def spread_harm(m: "InsurgencyModel") -> None:
    """This week's killings (``m.harm``) anger civilians within ``harm_radius``; then anger decays."""
    pool, p = m.pool, m.p
    if m.harm.any():
        near = window_sum(m.harm, p["harm_radius"]).ravel()[pool.home]
        alive = (near > 0) & (pool.state != Affiliation.DEAD)
        pool.anger[alive] = rules.anger_update(pool.anger[alive], p["anger_gain"], near[alive])
    pool.anger *= 1.0 - p["anger_decay"]
