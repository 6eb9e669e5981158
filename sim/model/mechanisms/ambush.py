"""Mechanism 4: ISIS-K cells ambush Taliban units (guerrilla attrition), with near-repeat clustering.

Article: "the terrorist organization was relentless in attacking the Taliban military units". Losses
follow Deitchman (1962): the guerrillas' aimed fire grows with surprise, the unit's area fire with its
strength relative to the attackers (docs/sources.md#deitchman1962). Violence leaves a memory on the grid that makes
further attacks nearby likelier (near-repeat, pattern P11): a cell reads the violence within
``near_repeat_radius`` of it, where its targets are; the memory fades each week.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.inputs.geography import window_sum
from sim.model import rules
from sim.model.mechanisms import treasury

if TYPE_CHECKING:
    from sim.model.agents import IskpCell, TalibanUnit
    from sim.model.model import InsurgencyModel


def attack_chance(rate, size_ratio, near_repeat, local_violence):
    """Weekly attack probability: grows with cell size and with recent violence nearby (near-repeat)."""
    return float(rules.hazard_to_prob(rate * np.sqrt(max(size_ratio, 0.0)) * (1.0 + near_repeat * local_violence)))


def ambush_outcome(rng, lethality, counterfire, surprise, unit_strength, cell_people, surprise_floor):
    """Taliban deaths and the chance each attacker dies in an ambush.

    Guerrillas use aimed fire (deaths grow with ``surprise_floor`` + surprise); the unit answers with
    area fire whose effect grows with its strength relative to the attackers (Deitchman 1962,
    docs/sources.md#deitchman1962); the factor 2 makes ``counterfire`` the mean loss share at surprise 1/2 against a
    much stronger unit.
    """
    taliban_deaths = min(int(rng.poisson(lethality * (surprise_floor + surprise))), int(unit_strength))
    share = unit_strength / (unit_strength + max(cell_people, 1.0))
    loss_prob = min(1.0, 2.0 * counterfire * (1.0 - surprise) * share)
    return taliban_deaths, loss_prob


def near_repeat_layer(m: "InsurgencyModel") -> np.ndarray:
    """The recent violence each cell reads for near-repeat: the grid's violence summed within
    ``near_repeat_radius`` of it, which covers the units it could strike (violence is marked where the
    attacks fell, at the struck unit or city, not where the attacking cell stands). Computed once per
    week with the layers."""
    return window_sum(m.grid.violence.data, m.p["near_repeat_radius"])


def ambush(cell: "IskpCell") -> None:
    """The cell's action: ambush a Taliban unit within ``ambush_reach`` if the group can pay for it."""
    m = cell.model
    p = m.p
    if m.treasury < p["ambush_cost"]:
        return
    units = m.snapshot.units_near(cell.cell.coordinate, p["ambush_reach"])
    if not units:
        return
    chance = attack_chance(p["ambush_rate"], cell.people / p["iskp_cell_size"], p["near_repeat"],
                           m.near_violence[cell.cell.coordinate])
    if m.random.random() >= chance:
        return
    unit = m.random.choice(units)
    treasury.spend(m, p["ambush_cost"])
    cell.expose(p["exposure_gain"])
    resolve(m, cell, unit)


def resolve(m: "InsurgencyModel", cell: "IskpCell", unit: "TalibanUnit") -> None:
    """Losses on both sides, civilians caught in the crossfire, violence marked at the unit."""
    p, rng, pool = m.p, m.rng, m.pool
    pid = unit.province
    surprise = 1.0 - unit.intelligence
    members = cell.members
    deaths, loss_prob = ambush_outcome(rng, p["ambush_lethality"], p["ambush_counterfire"], surprise,
                                       unit.strength, len(members) * m.scale, p["ambush_surprise_floor"])
    unit.strength -= deaths
    unit.recent_losses += deaths
    lost = members[rng.random(len(members)) < loss_prob]
    pool.kill_members(lost, pid)
    cell.hit(loss_prob)
    civ = int(rng.poisson(p["ambush_civilian_harm"]))
    pool.count("attacks_ambush", pid, 1)
    pool.count("taliban_deaths", pid, deaths)
    pool.count("civilian_deaths", pid, civ)
    m.grid.violence.data[unit.cell.coordinate] += p["violence_per_attack"]


def violence_fades(m: "InsurgencyModel") -> None:
    """The grid's memory of attacks decays by ``violence_decay`` a week."""
    m.grid.violence.data[:] = m.grid.violence.data * (1.0 - m.p["violence_decay"])
