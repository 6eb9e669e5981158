"""Vector outlines of the 34 provinces, in model grid units: what the browser view and the report's maps draw.

One routine serves both (issue 10: the app and the maps had two raster-edge versions). The data,
``sim/data/province_outlines.json``, are Natural Earth admin-1 polygons projected onto the model grid
(cell (x, y) is centred on (x, y), y = 0 south) and simplified with shared borders kept shared; how they
were made is in ``province_outlines_SOURCES.md``. The model never reads them: its space is the raster.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from sim.inputs.geography import _read_text, load_geography

OUTLINES_FILE = "province_outlines.json"
CREDIT = "Province outlines: Natural Earth (public domain)"


@dataclass(frozen=True)
class Outlines:
    """Polygons per province id (the order of ``Geography.names``), label points and border segments."""

    rings: tuple[tuple[np.ndarray, ...], ...]  # per province: closed (n, 2) rings, each part's exterior then holes
    labels: np.ndarray                          # (34, 2) a point well inside each province (pole of inaccessibility)
    internal: np.ndarray                        # (k, 2, 2) segments shared by two provinces
    national: np.ndarray                        # (m, 2, 2) segments of the country border

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """(x min, x max, y min, y max) of all outlines."""
        points = np.concatenate([ring for rings in self.rings for ring in rings])
        return (float(points[:, 0].min()), float(points[:, 0].max()),
                float(points[:, 1].min()), float(points[:, 1].max()))


def _edges(rings: tuple[np.ndarray, ...]) -> list[tuple[tuple[float, float], tuple[float, float]]]:
    """Undirected edges of rings, each as a sorted pair of vertices."""
    out = []
    for ring in rings:
        points = [tuple(p) for p in ring.tolist()]
        out += [tuple(sorted((a, b))) for a, b in zip(points[:-1], points[1:]) if a != b]
    return out


@lru_cache(maxsize=1)
def load_outlines() -> Outlines:
    """Read the shipped outlines (cached); a border edge drawn by two provinces is internal, by one national."""
    data = json.loads(_read_text(OUTLINES_FILE))["provinces"]
    names = load_geography().names
    missing = sorted(set(names) ^ set(data))
    if missing:
        raise ValueError(f"{OUTLINES_FILE} and the province legend differ in {missing}")
    rings = tuple(tuple(np.array(ring, dtype=float) for polygon in data[n]["polygons"] for ring in polygon)
                  for n in names)
    labels = np.array([data[n]["label"] for n in names], dtype=float)
    counts = Counter(edge for province in rings for edge in _edges(province))
    internal = np.array([e for e, c in counts.items() if c > 1], dtype=float).reshape(-1, 2, 2)
    national = np.array([e for e, c in counts.items() if c == 1], dtype=float).reshape(-1, 2, 2)
    return Outlines(rings, labels, internal, national)


def border_segments() -> tuple[np.ndarray, np.ndarray]:
    """Line segments (internal province borders, the national border), each (n, 2, 2) in grid units."""
    outlines = load_outlines()
    return outlines.internal, outlines.national


def spread_labels(anchors: np.ndarray, half_sizes: np.ndarray, gap: float = 0.0,
                  iterations: int = 400) -> np.ndarray:
    """Label centres near ``anchors`` at which no two label boxes overlap.

    ``half_sizes`` are each box's half width and half height in the same units as the anchors. Each
    overlapping pair is pushed apart along the axis where it overlaps least (half each), until none
    overlaps; labels that overlap nothing stay on their anchor.
    """
    pos = np.array(anchors, dtype=float)
    half = np.asarray(half_sizes, dtype=float) + gap / 2
    n = len(pos)
    order = np.arange(n)
    for _ in range(iterations):
        delta = pos[:, None, :] - pos[None, :, :]                      # (n, n, 2): i minus j
        overlap = half[:, None, :] + half[None, :, :] - np.abs(delta)  # > 0 on both axes: the boxes overlap
        hit = (overlap > 1e-9).all(axis=2) & ~np.eye(n, dtype=bool)
        if not hit.any():
            break
        axis = np.argmin(overlap, axis=2)                              # push along the smaller overlap
        sign = np.sign(np.take_along_axis(delta, axis[..., None], 2)[..., 0])
        sign = np.where(sign == 0, np.where(order[:, None] < order[None, :], -1.0, 1.0), sign)
        amount = np.where(hit, 0.5 * np.take_along_axis(overlap, axis[..., None], 2)[..., 0] + 1e-3, 0.0)
        move = np.zeros_like(pos)
        for k in (0, 1):
            move[:, k] = (np.where(axis == k, amount * sign, 0.0)).sum(axis=1)
        pos += 0.5 * move
    return pos
