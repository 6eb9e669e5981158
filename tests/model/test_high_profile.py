"""Mechanism 5 (sim/model/mechanisms/high_profile.py): heavy-tailed tolls, city targets, fading effects."""

from __future__ import annotations

import numpy as np

from sim import InsurgencyModel
from sim.model import space
from sim.model.mechanisms import high_profile


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
