"""Mechanism 10: external actors: strikes, the borders, and foreign support to either side.

Article: whether Afghanistan's neighbours "join the column" against ISIS-K, Russia's exercises with
Tajikistan along the border, and "whether the new regime can obtain support from abroad is still
unclear". Strikes and the border inflow are a phase of the week (8) drawing from their own random
stream, so switching a lever leaves the other draws paired; the support terms below are read by the
mechanisms they scale (recruitment, the group treasury's income, Taliban reinforcement and intelligence,
legitimacy).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from sim.model.mechanisms import planners, treasury
from sim.model.membership import add_recruits, join_nearest_cells, presence_weights

if TYPE_CHECKING:
    from sim.model.model import InsurgencyModel


# ---- foreign support, as factors of other mechanisms --------------------------------------------
def contact_factor(p: dict[str, Any]) -> float:
    """How much external money to ISIS-K raises its recruiters' contact rate ("large sums of money
    for their new recruits")."""
    return 1.0 + p["external_support_iskp"]


def capacity_factor(p: dict[str, Any]) -> float:
    """How much foreign support to the Taliban speeds their reinforcement and intelligence gains."""
    return 1.0 + p["foreign_support_taliban"]


def legitimacy_bonus(p: dict[str, Any]) -> float:
    """Legitimacy that foreign support (recognition, aid) adds to the Taliban's target."""
    return p["foreign_legitimacy_bonus"] * p["foreign_support_taliban"]


# ---- phase 8 ------------------------------------------------------------------------------------
def act(m: "InsurgencyModel") -> None:
    """External strikes on exposed cells, then foreign fighters and supplies through the borders."""
    strikes(m)
    border_inflow(m)


def strikes(m: "InsurgencyModel") -> None:
    """``external_strikes`` a week on average, aimed at the most exposed cells, with collateral deaths."""
    p, rng, pool = m.p, m.external_rng, m.pool
    cells = m.iskp_cells
    n_strikes = int(rng.poisson(p["external_strikes"])) if cells else 0
    for _ in range(n_strikes):
        w = np.array([c.exposure for c in cells]) + 1e-6
        target = cells[int(rng.choice(len(cells), p=w / w.sum()))]
        members = target.members
        killed = members[rng.random(len(members)) < p["strike_kill_share"]]
        pid = target.province
        pool.kill_members(killed, pid)
        target.hit(p["strike_kill_share"])
        planners.decapitate(m, target, len(killed) / max(len(members), 1))
        collateral = int(rng.poisson(p["strike_collateral"]))
        pool.count("civilian_deaths", pid, collateral)
        m.harm[target.cell.coordinate] += collateral + len(killed) * m.scale
        m.grid.violence.data[target.cell.coordinate] += p["violence_per_attack"]


def border_inflow(m: "InsurgencyModel") -> None:
    """Foreign fighters and resources reach border provinces (weighted by ISIS-K presence), less
    what the neighbours interdict; the fighters join the nearest cell."""
    p, rng, geo = m.p, m.external_rng, m.geo
    border = np.array([geo.is_border(i) for i in range(geo.n_provinces)])
    w = border * (presence_weights(p, geo.presence) + p["border_presence_floor"])
    open_share = 1.0 - p["border_interdiction"]
    n_ff = int(rng.poisson(p["foreign_fighter_inflow"] * open_share / m.scale))
    if n_ff:
        homes = rng.choice(geo.n_provinces, size=n_ff, p=w / w.sum())
        idx = add_recruits(m, homes, origin=2, ideology_mean=p["foreign_fighter_ideology"])
        m.added_agents += n_ff
        join_nearest_cells(m, idx)
    if any(border[c.province] for c in m.iskp_cells):  # supplies need a cell in a border province to receive them
        treasury.receive(m, p["foreign_resource_inflow"] * open_share)
