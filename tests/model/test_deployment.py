"""Mechanism 13 (sim/model/mechanisms/deployment.py): mobile units climb toward the ISIS-K presence the
Taliban know of, on a leash to their post. Open: making every unit mobile still helps ISIS-K (xfail)."""

from __future__ import annotations

import numpy as np
import pytest

from helpers import paired_effect
from sim import InsurgencyModel
from sim.model import space
from sim.model.mechanisms import deployment


def test_units_climb_to_known_presence_and_not_past_it_or_off_the_leash():
    layer = np.zeros((10, 10))
    xy, post = np.array([[5, 5]]), np.array([[5, 5]])
    assert (deployment.climb(layer, xy, post, 3, 4) == xy).all()  # nothing known: stay
    layer[6, 6] = 5.0
    assert (deployment.climb(layer, xy, post, 3, 4) == [[6, 6]]).all()  # up the gradient, then stop
    layer[9, 9] = 50.0
    layer[7, 7], layer[8, 8] = 10.0, 20.0
    assert (deployment.climb(layer, xy, post, 5, 2) == [[7, 7]]).all()  # the leash holds
    layer[:, :] = -np.inf
    layer[5, 5] = 0.0
    assert (deployment.climb(layer, xy, post, 2, 4) == xy).all()  # never off Afghanistan


def test_known_presence_needs_intelligence():
    m = InsurgencyModel(rng=1)
    m.intel[:] = 0.0
    known = deployment.known_presence(m)
    assert (known[m.geo.inside] == 0).all()
    m.intel[:] = 0.5
    assert deployment.known_presence(m)[m.geo.inside].max() > 0


def test_mobile_units_move_toward_known_cells_within_the_leash():
    m = InsurgencyModel(rng=2, unit_mobile_share=1.0, unit_speed=3, unit_leash=2)
    m.intel[:] = 1.0
    before = space.coords(m.units)
    deployment.redeploy(m)
    after = space.coords(m.units)
    post = np.array([u.post for u in m.units])
    assert (space.chebyshev(after, post) <= 2).all()
    layer = deployment.known_presence(m)
    assert (layer[after[:, 0], after[:, 1]] >= layer[before[:, 0], before[:, 1]]).all()
    assert (after != before).any(axis=1).sum() > 0


@pytest.mark.slow
# Justified xfail: a known open defect of issue 11 (all-mobile units still help ISIS-K), kept visible so the
# fix shows as an XPASS; the reason string gives the measured figures.
@pytest.mark.xfail(reason="open: pursued cells evade away from control and ambush less, and ISIS-K's own ambush "
                          "counterfire is its main loss, so all-mobile still adds members (about +25% at week 104, "
                          "4 seeds; the old violence-chasing rule gave +50%); mobility does not raise detentions either "
                          "(+38 ± 241 people over 30 weeks, 20 paired seeds)", strict=False)
def test_all_mobile_units_do_not_raise_iskp():
    mean, half = paired_effect("iskp_members", {"unit_mobile_share": 0.0}, {"unit_mobile_share": 1.0},
                               seeds=20, steps=30, how="last")
    assert mean - half <= 0, f"all-mobile adds {mean:.0f} ± {half:.0f} members"
