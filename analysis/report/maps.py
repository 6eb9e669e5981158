"""Province choropleths from vector outlines: small multiples with one colour scale and a numbered key.

The outlines, their borders and the label placement come from ``sim.inputs.outlines`` (the routine the
browser view uses too). Provinces are keyed by number (1 = Badakhshan ... 34 = Zabul, alphabetical) in
every panel, with the key under the maps; numbers are spread so that no two collide. A province can be
marked (bold outline, bold number): the report marks those whose difference from the baseline exceeds
the seed noise.
"""

from __future__ import annotations

import math
from functools import lru_cache

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.colors import Normalize, TwoSlopeNorm
from matplotlib.path import Path as MplPath

from analysis.report.layout import glyphs, in_points
from sim.inputs.geography import load_geography
from sim.inputs.outlines import CREDIT, load_outlines, spread_labels

PRINT_WIDTH_PX = 2400  # the saved PNG is at least this wide (print resolution)
PANEL_WIDTH_IN = 4.6
PANEL_HEIGHT_IN = 3.7  # one map and its title
PANEL_TITLE_IN = 0.3
TITLE_IN = 0.5        # the figure's title above the maps
BAR_IN = 1.2          # the colour bar and its label, right of the maps
NUMBER_SIZE = 6.5      # points
HALO_WIDTH = 1.8      # points of white around each number


@lru_cache(maxsize=1)
def province_paths() -> tuple[MplPath, ...]:
    """Per province (``Geography.names`` order), all its rings as one compound path (holes cut out by the
    even-odd rule); built once and shared by every panel's collections (artists cannot be shared, paths can)."""
    return tuple(MplPath.make_compound_path(*(MplPath(ring, closed=True) for ring in rings))
                 for rings in load_outlines().rings)


@lru_cache(maxsize=2)
def border_path(kind: str) -> MplPath:
    """The 'internal' or 'national' border segments as one compound path (built once for every panel): as a
    LineCollection each of the ~2,500 segments became a path of its own in every panel."""
    segments = getattr(load_outlines(), kind)
    codes = np.tile([MplPath.MOVETO, MplPath.LINETO], len(segments)).astype(MplPath.code_type)
    path = MplPath(segments.reshape(-1, 2), codes)
    path.should_simplify = False  # drawn exactly as the segments were
    return path


def per_100k(values: dict[str, float]) -> dict[str, float]:
    """Counts per province turned into counts per 100,000 residents (NSIA 2021-22 population)."""
    geo = load_geography()
    return {name: v / geo.population[geo.index(name)] * 1e5 for name, v in values.items()}


def draw(ax: plt.Axes, values: dict[str, float], cmap: str, norm: Normalize,
         marked: frozenset[str] = frozenset()) -> PathCollection:
    """Paint one map: provinces filled by value (grey hatched if missing), borders, marked outlines.

    Every layer is one collection over the shared paths, added without updating the data limits (they are
    set from the outlines' bounds): per-province patches cost most of a map's drawing time.
    """
    geo, outlines, paths = load_geography(), load_outlines(), province_paths()
    shown = [i for i, n in enumerate(geo.names) if np.isfinite(values.get(n, np.nan))]
    missing = [i for i in range(geo.n_provinces) if i not in shown]
    fills = PathCollection([paths[i] for i in shown], cmap=cmap, norm=norm, edgecolors="none")
    fills.set_array(np.array([values[geo.names[i]] for i in shown], dtype=float))
    ax.add_collection(fills, autolim=False)
    if missing:
        ax.add_collection(PathCollection([paths[i] for i in missing], facecolors="#eeeeee", edgecolors="none",
                                         hatch="////"), autolim=False)
    for kind, colour, width in (("internal", "#666666", 0.45), ("national", "black", 1.0)):
        ax.add_collection(PathCollection([border_path(kind)], facecolors="none", edgecolors=colour, linewidths=width),
                          autolim=False)
    if marked:
        ax.add_collection(PathCollection([paths[geo.index(n)] for n in sorted(marked)], facecolors="none",
                                         edgecolors="black", linewidths=1.9, joinstyle="miter", capstyle="butt",
                                         gid="marked"),
                          autolim=False)
    x0, x1, y0, y1 = outlines.bounds
    ax.set_xlim(x0 - 0.5, x1 + 0.5)
    ax.set_ylim(y0 - 0.5, y1 + 0.5)
    ax.set_aspect("equal")
    ax.set_axis_off()
    return fills


def number_positions(ax: plt.Axes, size: float = NUMBER_SIZE) -> np.ndarray:
    """Where each province's key number goes: near its label point, spread so that none collide.

    Call once the axes have their final size (after ``apply_aspect``): the spacing follows from their size on
    the page, the same for every panel of a grid.
    """
    outlines = load_outlines()
    points_per_unit = ax.get_window_extent().width / np.ptp(ax.get_xlim()) * 72 / ax.figure.dpi
    half = np.array([[0.31 * size * len(str(i + 1)) + 0.6, 0.5 * size + 0.3] for i in range(len(outlines.labels))])
    return spread_labels(outlines.labels, half / points_per_unit)


def number_provinces(ax: plt.Axes, positions: np.ndarray, marked: frozenset[str] = frozenset(),
                     size: float = NUMBER_SIZE) -> None:
    """Write each province's key number at ``positions`` (``number_positions``), in bold if ``marked``, with a
    white halo, and a leader line where a number moved off its province.

    The numbers are glyph outlines in two collections per weight (halo, then figures; gid 'numbers' or
    'numbers bold', paths in province order): as 34 texts with a path-effect halo they were most of a
    map's drawing time, and a halo turned each text into these outlines anyway.
    """
    geo, outlines = load_geography(), load_outlines()
    moved = [i for i in range(geo.n_provinces) if np.hypot(*(positions[i] - outlines.labels[i])) > 1.0]
    if moved:
        ax.add_collection(LineCollection([(outlines.labels[i], positions[i]) for i in moved], colors="#333333",
                                         linewidths=0.4, zorder=2), autolim=False)
    groups = [(bold, [i for i in range(geo.n_provinces) if (geo.names[i] in marked) == bold]) for bold in (False, True)]
    for halo in (True, False):
        for bold, ids in groups:
            if not ids:
                continue
            numbers = PathCollection([glyphs(str(i + 1), size, bold) for i in ids], offsets=positions[ids],
                                     offset_transform=ax.transData, transform=in_points(ax.figure), zorder=3,
                                     facecolors="none" if halo else "black", edgecolors="white" if halo else "none",
                                     linewidths=HALO_WIDTH if halo else 0.0)
            numbers.set_in_layout(False)
            if not halo:
                numbers.set_gid("numbers bold" if bold else "numbers")
            ax.add_collection(numbers, autolim=False)


def key_text(columns: int) -> list[str]:
    """The number key, '1 Badakhshan' ... '34 Zabul', as ``columns`` blocks of lines."""
    names = load_geography().names
    rows = math.ceil(len(names) / columns)
    entries = [f"{i + 1:>2}  {n}" for i, n in enumerate(names)]
    return ["\n".join(entries[c * rows:(c + 1) * rows]) for c in range(columns)]


def map_grid(panels: list[tuple[str, dict[str, float]]], title: str, unit: str, diverging: bool = False,
             ncols: int = 4, cmap: str | None = None, marked: dict[str, frozenset[str]] | None = None,
             note: str = "") -> plt.Figure:
    """Small multiples sharing one colour scale: ``panels`` is a list of (panel title, {province: value}).

    ``marked`` maps a panel title to the provinces outlined in bold on it; ``note`` is printed under the key.
    """
    finite = [v for _, values in panels for v in values.values() if np.isfinite(v)]
    if diverging:
        bound = max((abs(v) for v in finite), default=0.0) or 1.0
        norm: Normalize = TwoSlopeNorm(vcenter=0.0, vmin=-bound, vmax=bound)
        cmap = cmap or "RdBu_r"
    else:
        low, high = (min(finite), max(finite)) if finite else (0.0, 1.0)
        norm = Normalize(vmin=min(low, 0.0), vmax=high if high > low else low + 1.0)
        cmap = cmap or "YlOrRd"
    ncols = min(ncols, len(panels))
    nrows = math.ceil(len(panels) / ncols)
    width = PANEL_WIDTH_IN * ncols + BAR_IN
    columns = max(3, min(7, int(width / 2.0)))
    key_height = (math.ceil(34 / columns) + 3) * 10.5 / 72 + 0.2  # key lines, two note lines, margins
    height = PANEL_HEIGHT_IN * nrows + TITLE_IN + key_height
    # Fixed positions (inches from the bottom left), not a layout engine: every size here is known, and
    # constrained layout cost most of a map figure's making.
    fig = plt.figure(figsize=(width, height))
    fig.dpi = max(fig.dpi, math.ceil(PRINT_WIDTH_PX / width))  # style.save keeps a figure's own dpi if higher

    def box(x: float, y: float, w: float, h: float) -> tuple[float, float, float, float]:
        return x / width, y / height, w / width, h / height
    maps_top = height - TITLE_IN
    axes = [fig.add_axes(box(c * PANEL_WIDTH_IN + 0.05, maps_top - (r + 1) * PANEL_HEIGHT_IN + 0.05,
                             PANEL_WIDTH_IN - 0.1, PANEL_HEIGHT_IN - PANEL_TITLE_IN - 0.05))
            for r in range(nrows) for c in range(ncols)]
    marked = marked or {}
    image = None
    for ax, (name, values) in zip(axes, panels):
        image = draw(ax, values, cmap, norm, marked.get(name, frozenset()))
        ax.set_title(name, fontsize=10.5)
    for ax in axes[len(panels):]:
        ax.set_visible(False)
    span = 0.8 * PANEL_HEIGHT_IN * nrows
    bar = fig.add_axes(box(width - BAR_IN + 0.3, maps_top - (PANEL_HEIGHT_IN * nrows + span) / 2, 0.17, span))
    fig.colorbar(image, cax=bar, label=unit)
    fig.suptitle(title)
    for c, block in enumerate(key_text(columns)):
        fig.text(0.02 + 0.96 * c / columns, (key_height - 0.1) / height, block, va="top", ha="left", fontsize=8.5,
                 family="monospace")
    fig.text(0.02, 0.05 / height, "\n".join(filter(None, [note, CREDIT])), fontsize=8.5, color="#444444",
             va="bottom", wrap=True)
    axes[0].apply_aspect()  # the map's drawn size, from which the numbers' spacing follows
    positions = number_positions(axes[0])
    for ax, (name, _) in zip(axes, panels):
        number_provinces(ax, positions, marked.get(name, frozenset()))
    return fig
