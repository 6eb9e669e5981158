"""Afghanistan as a grid: provinces, their attributes, adjacency, and array helpers.

Data (shipped in ``sim/data``, sources in ``provinces_SOURCES.md``): the province raster
``afghanistan_grid.txt`` (geoBoundaries ADM1, 20 km equal-area cells; Runfola et al. 2020),
its legend with province neighbours, and ``provinces.csv`` (NSIA 2021-22 population, borders,
ISIS-K presence 2021-22). Arrays are indexed ``[x, y]`` with y = 0 the southern row, as Mesa's
property layers and drawers expect.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

import numpy as np
from scipy import ndimage

OUTSIDE = -1
PRESENCE_LEVELS = {"none": 0, "low": 1, "medium": 2, "high": 3}
# Salafi presence: EUAA Country Guidance 2024 §3.14.4 (docs/sources.md#euaa2024): "mainly in the eastern
# provinces of Nangarhar, Kunar, and Nuristan"; profiling "increasingly in Kunduz and Badakhshan".
SALAFI_CORE = ("Nangarhar", "Kunar", "Nuristan")
SALAFI_SECONDARY = ("Kunduz", "Badakhshan")
# "The bulk of ISKP fighters has been reported to be present in rural Kunar, Nangarhar and possibly
# Nuristan provinces" (EUAA Country Guidance 2023 citing the UN; docs/sources.md#euaa2023).
ISKP_CORE = ("Kunar", "Nangarhar", "Nuristan")


@dataclass(frozen=True)
class Geography:
    """Provinces and their cells; immutable and shared between model instances."""

    province_grid: np.ndarray          # int [x, y], OUTSIDE where not Afghanistan
    names: tuple[str, ...]             # province id -> name (legend order)
    codes: tuple[str, ...]
    population: np.ndarray             # people, NSIA 2021-22
    presence: np.ndarray               # 0..3 ISIS-K presence level 2021-22
    salafi_level: np.ndarray           # 0 none, 1 secondary, 2 core
    iskp_core: np.ndarray              # bool: where the bulk of ISIS-K fighters is
    shia_level: np.ndarray             # 0 no Hazara (Shia) community listed, 1 a listed minority, 2 the first group
    borders: tuple[frozenset[str], ...]
    neighbours: tuple[frozenset[int], ...]
    city: tuple[tuple[int, int], ...]  # one urban cell per province (the cell nearest its cells' centroid)
    cells_of: tuple[np.ndarray, ...] = field(repr=False)  # flat indices of each province's cells

    @property
    def shape(self) -> tuple[int, int]:
        return self.province_grid.shape

    @property
    def n_provinces(self) -> int:
        return len(self.names)

    @property
    def inside(self) -> np.ndarray:
        return self.province_grid != OUTSIDE

    def index(self, name: str) -> int:
        """Province id of a name (exact, as in provinces.csv)."""
        try:
            return self.names.index(name)
        except ValueError:
            raise KeyError(f"unknown province '{name}'; known: {', '.join(self.names)}") from None

    def is_border(self, pid: int) -> bool:
        return bool(self.borders[pid])


def _read_text(name: str) -> str:
    return resources.files("sim").joinpath("data", name).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def load_geography() -> Geography:
    """Read the shipped raster, legend and province table (cached: the data never change)."""
    legend = list(csv.DictReader(_read_text("afghanistan_grid_legend.csv").splitlines()))
    codes = tuple(r["code"] for r in legend)
    names = tuple(r["name"] for r in legend)
    code_to_id = {c: i for i, c in enumerate(codes)}
    rows = [ln.split() for ln in _read_text("afghanistan_grid.txt").splitlines() if ln and not ln.startswith("#")]
    raster = np.array([[code_to_id.get(tok, OUTSIDE) for tok in row] for row in rows], dtype=np.int16)
    grid = raster[::-1, :].T.copy()  # north-up rows -> [x, y] with y=0 south
    table = {r["name"]: r for r in csv.DictReader(_read_text("provinces.csv").splitlines())}
    missing = set(names) - set(table)
    if missing:
        raise ValueError(f"provinces.csv lacks {sorted(missing)}")
    population = np.array([float(table[n]["population"]) for n in names])
    presence = np.array([PRESENCE_LEVELS[table[n]["iskp_presence"]] for n in names], dtype=np.int8)
    salafi = np.array([2 if n in SALAFI_CORE else 1 if n in SALAFI_SECONDARY else 0 for n in names], dtype=np.int8)
    core = np.array([n in ISKP_CORE for n in names])
    shia = np.array([_shia_level(table[n]["main_ethnic_groups"]) for n in names], dtype=np.int8)
    borders = tuple(frozenset(c for c in table[n]["borders_country"].split(";") if c) for n in names)
    name_to_id = {n: i for i, n in enumerate(names)}
    neighbours = tuple(frozenset(name_to_id[m] for m in r["neighbours"].split(";") if m) for r in legend)
    flat = grid.ravel()
    cells_of = tuple(np.flatnonzero(flat == i) for i in range(len(names)))
    city = []
    for idx in cells_of:
        xy = np.column_stack(np.unravel_index(idx, grid.shape))
        centre = xy.mean(axis=0)
        x, y = xy[np.argmin(((xy - centre) ** 2).sum(axis=1))]
        city.append((int(x), int(y)))
    return Geography(grid, names, codes, population, presence, salafi, core, shia, borders, neighbours, tuple(city), cells_of)


def _shia_level(groups: str) -> int:
    """Shia (Hazara) community of a province from ``main_ethnic_groups`` (an ordinal reading only:
    provinces_SOURCES.md says order and membership are approximate, "not to be used as numbers")."""
    listed = [g.strip() for g in groups.split(";")]
    if not listed or "Hazara" not in listed:
        return 0
    return 2 if listed[0] == "Hazara" else 1


def window_sum(values: np.ndarray, radius: int) -> np.ndarray:
    """Sum of ``values`` over the (2r+1)^2 Moore window around every cell (zero beyond the edge).

    This is the once-per-step neighbourhood computation that replaces per-agent scans.
    """
    if radius <= 0:
        return values.astype(float, copy=True)
    size = 2 * radius + 1
    return ndimage.uniform_filter(values.astype(float), size=size, mode="constant", cval=0.0) * size * size


def province_sums(geo: Geography, values: np.ndarray) -> np.ndarray:
    """Per-province sum of a cell array."""
    ids = geo.province_grid.ravel()
    inside = ids != OUTSIDE
    return np.bincount(ids[inside], weights=values.ravel()[inside], minlength=geo.n_provinces)
