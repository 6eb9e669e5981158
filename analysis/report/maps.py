"""Province maps on the model's 65 x 51 Afghanistan grid: values per province, borders, main names.

The raster and names come from ``sim.inputs.geography.load_geography()`` (data, not model code).
"""

from __future__ import annotations

import math
from functools import lru_cache

import matplotlib.pyplot as plt
import matplotlib.patheffects as pe
import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.colors import Normalize, TwoSlopeNorm

from sim.inputs.geography import Geography, load_geography

# Labelled on every map: the largest cities' provinces and the ISIS-K heartland in the east.
MAIN_PROVINCES = ("Kabul", "Nangarhar", "Kunar", "Kandahar", "Herat", "Balkh", "Kunduz", "Helmand",
                  "Badakhshan", "Ghazni", "Faryab")


def raster(geo: Geography, values: dict[str, float]) -> np.ma.MaskedArray:
    """A [y, x] image (south row first) with each province's cells set to its value; outside masked."""
    ids = geo.province_grid
    per_id = np.array([values.get(name, np.nan) for name in geo.names] + [np.nan])
    image = per_id[np.where(ids >= 0, ids, len(geo.names))].T
    return np.ma.masked_invalid(image)


@lru_cache(maxsize=1)
def border_segments() -> tuple[list, list]:
    """Line segments between cells of different provinces: (inner province borders, the country border)."""
    ids = load_geography().province_grid
    inner, outer = [], []
    for axis in (0, 1):
        a = ids[:-1, :] if axis == 0 else ids[:, :-1]
        b = ids[1:, :] if axis == 0 else ids[:, 1:]
        for x, y in zip(*np.nonzero(a != b)):
            if axis == 0:  # vertical edge between (x, y) and (x + 1, y)
                seg = [(x + 0.5, y - 0.5), (x + 0.5, y + 0.5)]
            else:          # horizontal edge between (x, y) and (x, y + 1)
                seg = [(x - 0.5, y + 0.5), (x + 0.5, y + 0.5)]
            (outer if min(a[x, y], b[x, y]) < 0 else inner).append(seg)
    # cells on the raster's edge also border the outside
    w, h = ids.shape
    for x, y in zip(*np.nonzero(ids >= 0)):
        if x in (0, w - 1):
            outer.append([(x + (0.5 if x else -0.5), y - 0.5), (x + (0.5 if x else -0.5), y + 0.5)])
        if y in (0, h - 1):
            outer.append([(x - 0.5, y + (0.5 if y else -0.5)), (x + 0.5, y + (0.5 if y else -0.5))])
    return inner, outer


def draw(ax: plt.Axes, geo: Geography, values: dict[str, float], cmap: str, norm: Normalize,
         labels: bool = True) -> plt.cm.ScalarMappable:
    """Paint one map with province borders and the names of the main provinces."""
    image = ax.imshow(raster(geo, values), origin="lower", cmap=cmap, norm=norm, interpolation="nearest")
    inner, outer = border_segments()
    ax.add_collection(LineCollection(inner, colors="#555555", linewidths=0.5))
    ax.add_collection(LineCollection(outer, colors="black", linewidths=1.1))
    if labels:
        halo = [pe.withStroke(linewidth=2.2, foreground="white")]
        for name in MAIN_PROVINCES:
            x, y = geo.city[geo.index(name)]
            ax.text(x, y, name, ha="center", va="center", fontsize=7, path_effects=halo)
    ax.set_axis_off()
    ax.set_aspect("equal")
    return image


def map_grid(panels: list[tuple[str, dict[str, float]]], title: str, unit: str, diverging: bool = False,
             ncols: int = 4, cmap: str | None = None) -> plt.Figure:
    """Small multiples sharing one colour scale: ``panels`` is a list of (panel title, {province: value})."""
    geo = load_geography()
    finite = [v for _, values in panels for v in values.values() if np.isfinite(v)]
    if diverging:
        bound = max((abs(v) for v in finite), default=0.0) or 1.0
        norm: Normalize = TwoSlopeNorm(vcenter=0.0, vmin=-bound, vmax=bound)
        cmap = cmap or "RdBu_r"
    else:
        low, high = (min(finite), max(finite)) if finite else (0.0, 1.0)
        norm = Normalize(vmin=min(low, 0.0) if low >= 0 else low, vmax=high if high > low else low + 1.0)
        cmap = cmap or "YlOrRd"
    ncols = min(ncols, len(panels))
    nrows = math.ceil(len(panels) / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(3.9 * ncols, 3.2 * nrows + 0.8), squeeze=False,
                             layout="constrained")
    image = None
    for ax, (name, values) in zip(axes.ravel(), panels):
        image = draw(ax, geo, values, cmap, norm)
        ax.set_title(name, fontsize=10)
    for ax in axes.ravel()[len(panels):]:
        ax.set_visible(False)
    fig.colorbar(image, ax=axes.ravel().tolist(), shrink=0.8, label=unit)
    fig.suptitle(title)
    return fig
