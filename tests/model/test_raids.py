"""Mechanism 6 (sim/model/mechanisms/raids.py): raids, non-members among the extrajudicially killed, harm,
and the levers ejk_share, ejk_accuracy and detention_weeks (each moves its outcome over 20 paired seeds)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from helpers import paired_effect
from sim import InsurgencyModel
from sim.model import space
from sim.model.agents import Affiliation
from sim.model.mechanisms import raids
from sim.runs.runner import release


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


@pytest.mark.slow
@pytest.mark.parametrize("name,metric,low,high,sign", [
    ("killing suspects instead of detaining them loses informants", "mean_intelligence",
     {"ejk_share": 0.1}, {"ejk_share": 0.9}, -1),
    ("less accurate killing angers civilians", "mean_grievance", {"ejk_accuracy": 0.9}, {"ejk_accuracy": 0.3}, +1),
])
def test_ejk_levers_move_their_outcomes(name, metric, low, high, sign):
    mean, half = paired_effect(metric, low, high, seeds=20, steps=30, how="last")
    assert sign * mean - half > 0, f"{name}: {mean:.3g} ± {half:.3g} (99%)"


def _detained_at(seed: int, steps: int, weeks: int) -> int:
    m = InsurgencyModel(rng=seed, detention_weeks=weeks)
    for _ in range(steps):
        m.step()
    held = int(np.count_nonzero(m.pool.state == Affiliation.DETAINED))
    release(m)
    return held


@pytest.mark.slow
def test_longer_detention_keeps_more_people_held():
    diffs = np.array([_detained_at(s, 30, 52) - _detained_at(s, 30, 4) for s in range(1, 21)])
    half = stats.t.ppf(0.995, len(diffs) - 1) * diffs.std(ddof=1) / np.sqrt(len(diffs))
    assert diffs.mean() - half > 0, f"{diffs.mean():.1f} ± {half:.1f}"
