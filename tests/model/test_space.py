"""Space (sim/model/space.py): the one Chebyshev distance, nearest targets, and the grid's public cells."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from sim.model import space

xy = st.tuples(st.integers(-50, 50), st.integers(-50, 50))


@given(a=xy, b=xy)
def test_chebyshev_is_the_moore_distance(a, b):
    assert space.chebyshev(a, b) == max(abs(a[0] - b[0]), abs(a[1] - b[1]))
    assert space.chebyshev(a, b) == space.chebyshev(b, a)


def test_chebyshev_broadcasts_to_a_distance_matrix():
    homes = np.array([[0, 0], [5, 5]])
    targets = np.array([[1, 3], [5, 4], [9, 9]])
    d = space.chebyshev(homes[:, None, :], targets[None, :, :])
    assert d.tolist() == [[3, 5, 9], [4, 1, 4]]


def test_nearest_picks_the_closest_target_and_the_first_on_ties():
    shape = (10, 10)
    homes = np.ravel_multi_index(([0, 5, 2], [0, 5, 2]), shape)
    targets = np.array([[1, 3], [5, 4], [3, 1]])
    assert space.nearest(homes, shape, targets).tolist() == [0, 1, 0]


def test_snapshot_finds_agents_within_a_radius():
    class Stub:
        def __init__(self, x, y, province=0):
            self.cell = type("C", (), {"coordinate": (x, y)})()
            self.province, self.alive = province, True

    near, far = Stub(2, 2), Stub(9, 9, province=1)
    snap = space.Snapshot([near, far], [far])
    assert snap.cells_near((0, 0), 2) == [near]
    assert snap.units_near((0, 0), 2) == [] and snap.units_near((8, 8), 1) == [far]
    far.alive = False
    assert snap.cells_in_province(1) == []
