"""Mechanism 9 (sim/model/mechanisms/movement.py): cells evade control and split when large (units: test_deployment.py)."""

from __future__ import annotations

import numpy as np

from sim import InsurgencyModel
from sim.model import space
from sim.model.mechanisms import movement
from sim.model.population import Affiliation
from sim.runs.runner import release


def test_a_pressed_cell_rates_ground_by_low_control():
    m = InsurgencyModel(rng=1)
    cell = m.iskp_cells[0]
    options = space.neighbourhood(cell.cell, 2)
    scores = movement.move_scores(m, options, evade=True)
    control = np.array([m.grid.taliban_control.data[c.coordinate] for c in options])
    assert np.array_equal(np.argsort(scores, kind="stable"), np.argsort(-control, kind="stable"))


def test_a_split_halves_members_keeps_everyone_and_creates_no_money():
    m = InsurgencyModel(rng=1)
    cell = max(m.iskp_cells, key=lambda c: len(c.members))
    members, purse = cell.members.copy(), m.treasury
    last_id = max(a.unique_id for a in m.agents)
    movement.split(m, cell, members)
    new = [c for c in m.iskp_cells if c.unique_id > last_id]
    assert len(new) == 1 and m.treasury == purse
    assert len(cell.members) + len(new[0].members) == len(members)
    assert len(new[0].members) == len(members) // 2
    assert space.chebyshev(new[0].cell.coordinate, cell.cell.coordinate) <= m.p["cell_move_radius"]


# ---- exit and displacement (issue 11) ---------------------------------------------------------------------
def test_only_a_hard_pressed_cell_may_leave_and_more_so_when_more_exposed():
    assert not movement.leaves(0.6, 0.6, 1.0, 0.0) and not movement.leaves(1.0, 1.0, 1.0, 0.0)
    assert movement.leaves(1.0, 0.6, 0.1, 0.099) and not movement.leaves(1.0, 0.6, 0.1, 0.101)
    assert movement.leaves(0.9, 0.6, 0.1, 0.07) and not movement.leaves(0.7, 0.6, 0.1, 0.07)


def test_a_cell_that_leaves_is_counted_abroad_not_deleted():
    m = InsurgencyModel(rng=1, cell_exit_rate=1.0, cell_exit_exposure=0.5)
    border = next(c for c in m.iskp_cells if m.geo.is_border(c.province))
    inland = next(c for c in m.iskp_cells if not m.geo.is_border(c.province))
    border.exposure = inland.exposure = 1.0
    members = border.members.copy()
    total = sum(m.people_by_state().values())
    assert not movement.exit_abroad(inland) and inland.alive
    assert movement.exit_abroad(border) and not border.alive
    assert (m.pool.state[members] == Affiliation.ABROAD).all()
    assert m.flows["left_country"][border.province] == len(members) * m.scale
    assert sum(m.people_by_state().values()) == total and m.people_by_state()["abroad"] == len(members) * m.scale
    m.step()
    assert m.report["iskp_abroad"] >= len(members) * m.scale
    release(m)
