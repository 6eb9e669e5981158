"""Space: the Mesa grid of Afghanistan, positions as array snapshots, distance and near-queries.

Distance on the grid is Chebyshev (the Moore neighbourhood): ``chebyshev`` is the one helper for it.
Cells and units are looked up in a ``Snapshot`` of their positions, taken between phases (nobody moves
within a phase while others look them up), so spatial queries are array operations, not scans of agents.
"""

from __future__ import annotations

from typing import Generic, TypeVar

import numpy as np
from mesa.discrete_space import OrthogonalMooreGrid, PropertyLayer

from sim.inputs.geography import Geography

LAYERS = ("taliban_control", "iskp_influence", "grievance", "violence")


def build_grid(geo: Geography, random) -> OrthogonalMooreGrid:
    """The grid with its property layers; cells outside Afghanistan are removed (never neighbours)."""
    grid = OrthogonalMooreGrid(geo.shape, torus=False, capacity=None, random=random)
    grid.add_property_layer(PropertyLayer.from_data("province", geo.province_grid.astype(int)))
    for name in LAYERS:
        grid.create_property_layer(name, default_value=0.0, dtype=float)
    for x, y in np.argwhere(~geo.inside):
        grid.remove_cell(grid[(int(x), int(y))])
    return grid


def cell_at(grid: OrthogonalMooreGrid, shape: tuple[int, int], flat: int):
    """The grid cell of a flat index (x * height + y)."""
    x, y = np.unravel_index(int(flat), shape)
    return grid[(int(x), int(y))]


def chebyshev(a, b) -> np.ndarray:
    """Chebyshev distance between coordinates (last axis x, y), broadcasting like NumPy."""
    return np.abs(np.asarray(a) - np.asarray(b)).max(axis=-1)


def flat_xy(flat: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Coordinates (n, 2) of flat grid indices."""
    return np.stack(np.unravel_index(flat, shape), axis=-1)


def coords(agents) -> np.ndarray:
    """Coordinates (n, 2) of agents standing on cells."""
    return np.array([a.cell.coordinate for a in agents], dtype=int).reshape(-1, 2)


def neighbourhood(cell, radius: int) -> list:
    """Cells of Afghanistan within ``radius`` (outside cells were removed from the grid)."""
    return list(cell.get_neighborhood(radius=radius))


def saturation(total: np.ndarray, scale: float) -> np.ndarray:
    """Presence as a share in [0, 1): 1 - exp(-total / scale); ``scale`` is the amount giving 63%."""
    return 1.0 - np.exp(-total / scale)


A = TypeVar("A")
U = TypeVar("U")


class Snapshot(Generic[A, U]):
    """Positions of the live ISIS-K cells and of the Taliban units at one moment, as arrays."""

    def __init__(self, cells: list[A], units: list[U]):
        self.cells = cells
        self.cell_xy = coords(cells)
        self.units = units
        self.unit_xy = coords(units)
        self.cells_by_prov: dict[int, list[A]] = {}
        for c in cells:
            self.cells_by_prov.setdefault(c.province, []).append(c)

    @staticmethod
    def _within(xy: np.ndarray, coord, radius: int) -> np.ndarray:
        return np.flatnonzero(chebyshev(xy, coord) <= radius) if len(xy) else np.zeros(0, int)

    def cells_near(self, coord, radius: int) -> list[A]:
        return [self.cells[i] for i in self._within(self.cell_xy, coord, radius) if self.cells[i].alive]

    def units_near(self, coord, radius: int) -> list[U]:
        return [self.units[i] for i in self._within(self.unit_xy, coord, radius)]

    def cells_in_province(self, pid: int) -> list[A]:
        return [c for c in self.cells_by_prov.get(pid, []) if c.alive]


def nearest(homes: np.ndarray, shape: tuple[int, int], targets_xy: np.ndarray) -> np.ndarray:
    """For each flat home index, the index of the nearest target (Chebyshev; first on ties)."""
    d = chebyshev(flat_xy(homes, shape)[:, None, :], np.asarray(targets_xy)[None, :, :])
    return np.argmin(d, axis=1)

