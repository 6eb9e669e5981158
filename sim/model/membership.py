"""Who belongs where: adding recruits, founding cells, joining the nearest cell or unit.

Shared by recruitment (1), prison escape (3), the border inflow (10) and relapse (7), and by the
model's construction. Placement uses the province table's 2021-22 ISIS-K presence level (none, low,
medium, high) with weights ``presence_weight_*`` (provinces_SOURCES.md: "none" is "not proof of absence").
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from sim.model import space
from sim.model.agents import IskpCell, Recruit
from sim.model.population import Affiliation, draw_recruits

if TYPE_CHECKING:
    from sim.model.model import InsurgencyModel


def presence_weights(p: dict[str, Any], presence: np.ndarray) -> np.ndarray:
    """Relative weight of each province by its presence level (none, low, medium, high)."""
    levels = np.array([0.0, p["presence_weight_low"], p["presence_weight_medium"], p["presence_weight_high"]])
    return levels[presence]


def iskp_home_weights(m: "InsurgencyModel", floor: float) -> np.ndarray:
    """Where ISIS-K members live: a share ``iskp_core_share`` in the core provinces, the rest by
    presence level elsewhere (``floor`` gives provinces with no recorded presence a small weight)."""
    geo, core = m.geo, m.geo.iskp_core
    w = presence_weights(m.p, geo.presence) + floor
    share = m.p["iskp_core_share"]
    return np.where(core, share * w / w[core].sum(), (1 - share) * w / w[~core].sum())


def add_recruits(m: "InsurgencyModel", provinces: np.ndarray, origin: int, state: Affiliation = Affiliation.CIVILIAN,
                 ideology_mean: float | None = None, anger: float = 0.0) -> np.ndarray:
    """Create Recruit agents (and their pool rows) with homes in the given provinces."""
    idx = draw_recruits(m.pool, m.rng, m.p, m.geo, provinces, origin, state, ideology_mean, anger)
    for i in idx:
        Recruit(m, int(i))
    return idx


def rows_per_cell(m: "InsurgencyModel") -> int:
    """Recruit rows per new cell (``iskp_cell_size`` people)."""
    return max(1, int(round(m.p["iskp_cell_size"] / m.scale)))


def new_cell(m: "InsurgencyModel", flat: int) -> IskpCell:
    """Found an ISIS-K cell at a flat grid index."""
    return IskpCell(m, space.cell_at(m.grid, m.geo.shape, flat))


def join_nearest_cells(m: "InsurgencyModel", idx: np.ndarray) -> None:
    """Returning fighters and foreign arrivals join the nearest cell in their province. Where there is
    none, a group of at least ``iskp_cell_size`` people founds cells; a smaller group joins the nearest
    cell in the country (the network takes it in). Counting people, not agents, keeps where cells
    appear independent of ``scale``: otherwise one agent alone would found a cell, and the finer the
    representation, the more provinces would receive a lone founder."""
    pool = m.pool
    by_prov: dict[int, list[int]] = {}
    for i in idx:
        by_prov.setdefault(int(pool.province[i]), []).append(int(i))
    per_cell = rows_per_cell(m)
    for pid, members in by_prov.items():
        members = np.array(members)
        live = m.iskp_cells
        cells = [c for c in live if c.province == pid]
        if not cells and live and len(members) * m.scale < m.p["iskp_cell_size"]:
            cells = live
        elif not cells:
            for chunk in np.array_split(members, int(np.ceil(len(members) / per_cell))):
                cells.append(new_cell(m, pool.home[chunk[0]]))
        nearest = space.nearest(pool.home[members], m.geo.shape, space.coords(cells))
        pool.join_iskp(members, np.array([c.unique_id for c in cells])[nearest])


def join_taliban(m: "InsurgencyModel", idx: np.ndarray) -> None:
    """Recruits join the Taliban unit nearest their home, raising its strength and establishment."""
    if len(idx) == 0:
        return
    m.pool.transition(idx, Affiliation.TALIBAN)
    units = m.units
    for i, j in zip(idx, space.nearest(m.pool.home[idx], m.geo.shape, space.coords(units))):
        units[j].strength += m.scale
        units[j].establishment += m.scale
        m.pool.count("joined_taliban", int(m.pool.province[i]), m.scale)
