"""Mechanism 5: high-profile attacks, mass-casualty or against Taliban leaders, mostly in cities.

Article: "suicide bombings ... demonstrating its ability to reach senior members of the movement by
targeting the funeral of the mother of Taliban spokesman Zabihullah Mujahid". A mass-casualty attack
on ISIS-K's own (Sunni) constituency costs it local support in the struck province (Zahedzadeh); one on a
Shia (Hazara) community, where the province table lists one, does not; each attack raises its visibility
among hardliners (Bloom 2004). Both effects fade week by week.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.model import space
from sim.model.mechanisms import planners, treasury

if TYPE_CHECKING:
    from sim.model.agents import IskpCell
    from sim.model.model import InsurgencyModel


def casualties(rng: np.random.Generator, mean_deaths: float, sigma: float) -> int:
    """Deaths of one attack: lognormal around ``mean_deaths`` (heavy-tailed, pattern P6)."""
    return int(round(rng.lognormal(np.log(mean_deaths), sigma)))


def strikes_shia(u: float, sectarian_targeting: float, shia_level: int) -> bool:
    """Whether a mass-casualty attack hits a Shia (Hazara) community: only where one is listed, with
    chance ``sectarian_targeting`` (``u`` is a uniform draw). Harm is attributed by perpetrator and
    victim: a massacre of Shia costs ISIS-K nothing among the Sunni recruits it draws on."""
    return bool(shia_level > 0 and u < sectarian_targeting)


def pick_city(m: "InsurgencyModel", coord) -> tuple[int, tuple[int, int]] | None:
    """A city within ``hp_reach``, chosen with probability proportional to its province's population."""
    near = space.chebyshev(np.array(m.geo.city), coord) <= m.p["hp_reach"]
    options = [(pid, c) for pid, c in enumerate(m.geo.city) if near[pid]]
    if not options:
        return None
    w = np.array([m.geo.population[pid] for pid, _ in options])
    return options[int(m.rng.choice(len(options), p=w / w.sum()))]


def attack(cell: "IskpCell") -> bool:
    """The cell's action: a high-profile attack if the cadre prepared one this week, the cell is large
    enough and the group can pay; True if it struck."""
    m = cell.model
    p = m.p
    if not planners.available(m) or cell.people < p["hp_min_members"] or m.treasury < p["hp_cost"]:
        return False
    if m.random.random() >= p["hp_rate"]:
        return False
    target = pick_city(m, cell.cell.coordinate)
    if target is None:
        return False
    treasury.spend(m, p["hp_cost"])
    planners.take(m)
    cell.expose(2 * p["exposure_gain"])
    strike(m, cell, target)
    return True


def strike(m: "InsurgencyModel", cell: "IskpCell", target: tuple[int, tuple[int, int]]) -> None:
    """The attack itself: the attacker dies; leaders or crowds are killed; support and visibility move."""
    p, rng, pool = m.p, m.rng, m.pool
    pid, coord = target
    attackers = rng.choice(cell.members, size=1, replace=False)
    pool.kill_members(attackers, pid)  # suicide attackers / assault team
    if rng.random() < p["hp_leadership_share"]:
        deaths = casualties(rng, max(p["leadership_deaths"], 1e-9), p["hp_deaths_sigma"])
        leaders = deaths // 2
        pool.count("attacks_leadership", pid, 1)
        pool.count("taliban_deaths", pid, leaders)
        pool.count("civilian_deaths", pid, deaths - leaders)
        for u in m.units:
            if u.province == pid:
                u.intelligence *= p["leadership_intel_retained"]  # losses disrupt the local chain of command
                u.strength = max(0.0, u.strength - leaders / 2)
    else:
        deaths = casualties(rng, p["mass_casualty_deaths"], p["hp_deaths_sigma"])
        pool.count("attacks_mass_casualty", pid, 1)
        pool.count("civilian_deaths", pid, deaths)
        if strikes_shia(rng.random(), p["sectarian_targeting"], m.geo.shia_level[pid]):
            pool.count("civilian_deaths_shia", pid, deaths)
        else:
            m.iskp_support[pid] *= 1.0 - p["hp_support_loss"]  # its own constituency is harmed
    m.visibility += p["hp_visibility_gain"]
    m.grid.violence.data[coord] += p["violence_per_hp_attack"]


def fade(m: "InsurgencyModel") -> None:
    """Weekly: visibility among hardliners decays; local support recovers toward 1."""
    m.visibility *= 1.0 - m.p["visibility_decay"]
    m.iskp_support += m.p["support_recovery"] * (1.0 - m.iskp_support)
