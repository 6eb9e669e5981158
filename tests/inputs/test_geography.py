"""The Afghanistan grid: 34 provinces from the shipped raster and table, adjacency, helpers."""

from __future__ import annotations

import numpy as np

from sim.inputs.geography import load_geography, province_sums, window_sum


def test_34_provinces_each_with_cells_and_data():
    g = load_geography()
    assert g.n_provinces == 34 and g.shape == (65, 51)
    assert all(len(c) >= 3 for c in g.cells_of)
    assert g.inside.sum() == sum(len(c) for c in g.cells_of)
    assert abs(g.population.sum() - 32_031_845) < 1  # provinces_SOURCES.md check sum
    assert set(g.names[i] for i in np.flatnonzero(g.presence == 3)) == {"Kabul", "Kunar", "Nangarhar"}


def test_north_is_up_and_badakhshan_is_north_east():
    g = load_geography()
    bd = g.cells_of[g.index("Badakhshan")]
    hm = g.cells_of[g.index("Helmand")]
    bx, by = np.unravel_index(bd, g.shape)
    hx, hy = np.unravel_index(hm, g.shape)
    assert by.mean() > hy.mean() and bx.mean() > hx.mean()


def test_adjacency_is_symmetric_and_matches_touching_cells():
    g = load_geography()
    for i, nbrs in enumerate(g.neighbours):
        for j in nbrs:
            assert i in g.neighbours[j]
    grid = g.province_grid
    touching = set()
    for dx, dy in ((1, 0), (0, 1), (1, 1), (1, -1)):
        a = grid[max(0, -dx):grid.shape[0] - max(0, dx), max(0, -dy):grid.shape[1] - max(0, dy)]
        b = grid[max(0, dx):, max(0, dy):][: a.shape[0], : a.shape[1]]
        m = (a >= 0) & (b >= 0) & (a != b)
        touching |= {tuple(sorted(p)) for p in zip(a[m], b[m])}
    legend = {tuple(sorted((i, j))) for i, n in enumerate(g.neighbours) for j in n}
    assert touching == legend  # the legend's neighbours are exactly the provinces whose cells touch


def test_window_sum_and_province_sums():
    g = load_geography()
    a = np.zeros(g.shape)
    a[30, 20] = 2.0
    w = window_sum(a, 2)
    assert w.sum() == 2.0 * 25 and w[32, 22] == 2.0 and w[33, 20] == 0.0
    ones = g.inside.astype(float)
    assert np.array_equal(province_sums(g, ones), np.array([len(c) for c in g.cells_of], dtype=float))
