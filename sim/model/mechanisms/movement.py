"""Mechanism 9: cells move and split (the units' redeployment is mechanism 13, ``deployment.py``).

Article: fighting "also occurred in other parts of the country as well". A pressed cell (exposed or
just hit) moves away from Taliban control; an unpressed one moves, less often, toward aggrieved ground.
A large cell splits, the offshoot settling nearby. A hard-pressed cell in a border province may leave
the country (exit and displacement).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.model import space
from sim.model.agents import IskpCell
from sim.model.population import Affiliation

if TYPE_CHECKING:
    from sim.model.model import InsurgencyModel


def move_scores(m: "InsurgencyModel", options: list, evade: bool) -> np.ndarray:
    """How a cell rates the ground it could move to: evading, least control; otherwise grievance
    minus ``cell_control_aversion`` x control."""
    xs = np.array([c.coordinate[0] for c in options])
    ys = np.array([c.coordinate[1] for c in options])
    control = m.grid.taliban_control.data[xs, ys]
    if evade:
        return -control
    return m.grid.grievance.data[xs, ys] - m.p["cell_control_aversion"] * control


def leaves(exposure: float, exit_exposure: float, rate: float, u: float) -> bool:
    """Whether a cell leaves the country: only above ``exit_exposure``, with a weekly chance that grows
    from 0 to ``rate`` as exposure goes from there to 1 (``u`` is a uniform draw)."""
    if exposure <= exit_exposure or exit_exposure >= 1.0:
        return False
    return u < rate * (exposure - exit_exposure) / (1.0 - exit_exposure)


def exit_abroad(cell: IskpCell) -> bool:
    """The cell's action when hard-pressed in a border province: it may leave Afghanistan (displacement
    to safe havens across the border, e.g. Pakistan's north-west). Its members become ``ABROAD``, counted
    as a stock, and the cell dissolves. True if it left."""
    m = cell.model
    p = m.p
    if not m.geo.is_border(cell.province) or not leaves(cell.exposure, p["cell_exit_exposure"], p["cell_exit_rate"],
                                                         m.random.random()):
        return False
    members = cell.members
    m.pool.transition(members, Affiliation.ABROAD)
    m.pool.count("left_country", cell.province, len(members) * m.scale)
    cell.dissolve()
    return True


def move_or_split(cell: IskpCell) -> None:
    """The cell's action: move within ``cell_move_radius`` (evading when pressed), split when large."""
    m = cell.model
    p = m.p
    pressured = cell.exposure > p["cell_pressed_exposure"] or cell.recent_hit > 0
    if m.random.random() < p["cell_move_prob"] * (1.0 if pressured else p["cell_calm_move_factor"]):
        options = space.neighbourhood(cell.cell, p["cell_move_radius"])
        if options:
            score = move_scores(m, options, evade=pressured)
            cell.place(options[int(np.argmax(score + m.rng.random(len(options)) * 1e-6))])  # random tie-break
    members = cell.members
    if len(members) * p["scale"] > 2 * p["iskp_cell_size"]:
        split(m, cell, members)


def split(m: "InsurgencyModel", cell: IskpCell, members: np.ndarray) -> None:
    """A large cell splits in half; the offshoot settles within ``cell_move_radius``."""
    options = space.neighbourhood(cell.cell, m.p["cell_move_radius"])
    if not options:
        return
    half = m.rng.choice(members, size=len(members) // 2, replace=False)
    new = IskpCell(m, m.random.choice(options))  # money is the group's: a split creates none
    new.exposure = cell.exposure / 2
    m.pool.cell_of[half] = new.unique_id
    m.pool.touch([cell.unique_id, new.unique_id])
