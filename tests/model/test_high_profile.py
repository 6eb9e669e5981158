"""Mechanism 5 (sim/model/mechanisms/high_profile.py): heavy-tailed tolls, city targets, fading effects; and
the planning cadre that limits high-profile attacks for the group as a whole (planners.py)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from sim import InsurgencyModel
from sim.model import space
from sim.model.mechanisms import high_profile, planners
from sim.runs.runner import release


def test_casualties_have_the_median_and_a_heavy_tail():
    rng = np.random.default_rng(0)
    tolls = np.array([high_profile.casualties(rng, 40.0, 0.7) for _ in range(5000)])
    assert abs(np.median(tolls) - 40) <= 2
    assert tolls.mean() > np.median(tolls) and tolls.max() > 3 * 40


def test_the_target_city_lies_within_reach():
    m = InsurgencyModel(rng=1)
    for coord in [(10, 10), (40, 25), m.geo.city[0]]:
        hit = high_profile.pick_city(m, coord)
        if hit is not None:
            pid, city = hit
            assert city == m.geo.city[pid] and space.chebyshev(city, coord) <= m.p["hp_reach"]
    assert high_profile.pick_city(InsurgencyModel(rng=1, hp_reach=0), (0, 0)) is None


def test_visibility_fades_and_support_recovers_toward_one():
    m = InsurgencyModel(rng=1)
    m.visibility, m.iskp_support[:] = 1.0, 0.5
    high_profile.fade(m)
    assert m.visibility == 1.0 - m.p["visibility_decay"]
    assert np.allclose(m.iskp_support, 0.5 + m.p["support_recovery"] * 0.5)


# ---- the planning cadre (mechanism 5b, sim/model/mechanisms/planners.py) ---------------------------------
def test_high_profile_attacks_never_exceed_what_the_cadre_prepared():
    """The limit is the group's, not the cells': even if every able cell wants to strike, a week has at most
    the attacks the cadre prepared (before the cadre, attacks grew with the number of cells)."""
    for seed in (1, 2, 3):
        m = InsurgencyModel(rng=seed, hp_rate=1.0, hp_cost=0.0, hp_capacity=0.3)
        planned = struck = 0
        for _ in range(30):
            m.step()
            week = m.report["attacks_mass_casualty"] + m.report["attacks_leadership"]
            assert week <= m.hp_planned
            planned += m.hp_planned
            struck += week
        release(m)
        assert struck > 0 and struck <= planned


def test_without_a_cadre_there_are_no_high_profile_attacks():
    m = InsurgencyModel(rng=1, hp_rate=1.0, hp_cost=0.0, planner_rebuild=0.0)
    m.planners = 0.0
    for _ in range(20):
        m.step()
        assert m.report["attacks_mass_casualty"] + m.report["attacks_leadership"] == 0
    release(m)


def test_raids_on_urban_cells_degrade_the_cadre_and_it_rebuilds_slowly():
    m = InsurgencyModel(rng=1)
    m.take_snapshot()
    urban = [c for c in m.iskp_cells if m.urban[c.cell.coordinate]]
    rural = [c for c in m.iskp_cells if not m.urban[c.cell.coordinate]]
    assert urban and rural
    planners.decapitate(m, rural[0], 1.0)
    assert m.planners == 1.0
    planners.decapitate(m, urban[0], 0.5)
    assert m.planners == pytest.approx(1.0 - 0.5 * m.p["planner_exposure"] / len(urban))
    k = m.planners
    assert planners.rebuild(k, 0.02) == pytest.approx(k + 0.02 * (1 - k)) and k < planners.rebuild(k, 0.02) < 1.0
    release(m)


def _high_profile_attacks(seed: int, steps: int, **overrides) -> float:
    m = InsurgencyModel(rng=seed, **overrides)
    total = 0.0
    for _ in range(steps):
        m.step()
        total += m.report["attacks_mass_casualty"] + m.report["attacks_leadership"]
    release(m)
    return total


@pytest.mark.slow
def test_a_more_exposed_cadre_means_fewer_high_profile_attacks():
    """Decapitation works through the stock (Johnston 2012): planners easier to seize, fewer attacks
    (20 paired seeds, 99% t interval of the paired difference)."""
    diffs = np.array([_high_profile_attacks(s, 40, planner_exposure=10.0) - _high_profile_attacks(s, 40, planner_exposure=0.0)
                      for s in range(1, 21)])
    half = stats.t.ppf(0.995, len(diffs) - 1) * diffs.std(ddof=1) / np.sqrt(len(diffs))
    assert diffs.mean() < 0 and abs(diffs.mean()) > half


def test_external_operations_are_counted_apart_from_attacks_in_afghanistan():
    m = InsurgencyModel(rng=2, hp_external_share=1.0, hp_capacity=2.0, hp_rate=1.0, hp_cost=0.0)
    abroad = 0.0
    for _ in range(15):
        m.step()
        abroad += m.report["external_operations"]
        assert m.report["attacks_mass_casualty"] + m.report["attacks_leadership"] == 0
    assert abroad > 0
    release(m)
