"""Mechanism 6 (sim/model/mechanisms/raids.py): raids, non-members among the extrajudicially killed, harm."""

from __future__ import annotations

import numpy as np

from sim import InsurgencyModel
from sim.model import space
from sim.model.agents import Affiliation
from sim.model.mechanisms import raids


def test_nonmembers_killed_has_the_accuracy_mean():
    rng = np.random.default_rng(0)
    m, a = 10, 0.6
    draws = [raids.nonmembers_killed(rng, m, a) for _ in range(4000)]
    expected = m * (1 - a) / a
    se = np.std(draws) / np.sqrt(len(draws))
    assert abs(np.mean(draws) - expected) < 4 * se
    assert raids.nonmembers_killed(rng, 0, 0.5) == 0 and raids.nonmembers_killed(rng, 5, 1.0) == 0


def test_a_raid_without_extrajudicial_killing_detains_and_kills_nobody():
    m = InsurgencyModel(rng=5, ejk_share=0.0, raid_capture=1.0)
    cell = max(m.iskp_cells, key=lambda c: len(c.members))
    members = cell.members.copy()
    raids.raid(m, cell)
    assert (m.pool.state[members] == Affiliation.DETAINED).all()
    assert (m.pool.released_at[members] == m.steps + m.p["detention_weeks"]).all()
    assert m.flows["ejk_killed"].sum() == 0 and m.flows["detained"].sum() == len(members) * m.scale
    assert not m.harm.any()


def test_killings_anger_civilians_nearby_only():
    m = InsurgencyModel(rng=5, anger_decay=0.0)
    pool = m.pool
    home = int(pool.home[0])
    m.harm[np.unravel_index(home, m.geo.shape)] = 10.0
    before = pool.anger.copy()
    raids.spread_harm(m)
    d = space.chebyshev(space.flat_xy(pool.home, m.geo.shape), np.unravel_index(home, m.geo.shape))
    assert (pool.anger[d <= m.p["harm_radius"]] > before[d <= m.p["harm_radius"]]).all()
    assert (pool.anger[d > m.p["harm_radius"]] == before[d > m.p["harm_radius"]]).all()
