"""Fixed chart layouts: axes placed at margins given in inches, instead of a layout engine.

Constrained layout measured every artist of a chart in a draw of its own before the real one (about a
third of making a chart). Here the fixed parts of a chart (titles, one line of tick labels, legends) have
known heights, and the only widths that depend on the data, the y tick labels and the names on a forest
plot's axis, are measured as text, without drawing. Titles and axis labels get fixed positions too, so that
drawing does not measure the tick labels again to place them.
"""

from __future__ import annotations

from functools import lru_cache

import matplotlib.pyplot as plt
from matplotlib.font_manager import FontProperties
from matplotlib.path import Path
from matplotlib.textpath import TextPath
from matplotlib.transforms import Affine2D, Transform

LINE_IN = 1.25 / 72  # height of a line of text per point of font size (inches)
TICKS_IN = 0.12      # tick length and padding between an axis and its tick labels
TITLE_PAD_IN = 6 / 72  # matplotlib's default gap between an axes and its title


def text_width(fig: plt.Figure, texts: list[str], size: float, weight: str = "normal") -> float:
    """Width in inches of the widest of ``texts`` at ``size`` points (0 for none)."""
    renderer = fig.canvas.get_renderer()
    prop = FontProperties(size=size, weight=weight)
    widths = [renderer.get_text_width_height_descent(t, prop, ismath=False)[0] for t in texts if t]
    return max(widths, default=0.0) / renderer.points_to_pixels(72)


def ytick_width(ax: plt.Axes) -> float:
    """Width in inches of the axis's widest y tick label, from its locator and formatter (set the limits first)."""
    labels = ax.yaxis.get_major_formatter().format_ticks(list(ax.yaxis.get_majorticklocs()))
    return text_width(ax.figure, labels, FontProperties(size=plt.rcParams["ytick.labelsize"]).get_size_in_points())


def place(fig: plt.Figure, left: float, right: float, top: float, bottom: float, wgap: float = 0.0,
          hgap: float = 0.0) -> None:
    """Set the subplot grid's margins and the gaps between its axes, all in inches."""
    width, height = fig.get_size_inches()
    grid = fig.axes[0].get_subplotspec().get_gridspec()
    nrows, ncols = grid.get_geometry()
    ax_w = (width - left - right - (ncols - 1) * wgap) / ncols
    ax_h = (height - top - bottom - (nrows - 1) * hgap) / nrows
    fig.subplots_adjust(left=left / width, right=1 - right / width, top=1 - top / height, bottom=bottom / height,
                        wspace=wgap / ax_w, hspace=hgap / ax_h)


def fix_labels(ax: plt.Axes, ylabel_gap: float) -> None:
    """Put the axis labels at fixed places: the y label ``ylabel_gap`` inches left of the axis (its tick labels'
    width plus padding), the x label under one line of tick labels; drawing then skips measuring them."""
    bbox = ax.get_position()
    width, height = ax.figure.get_size_inches()
    ax.yaxis.set_label_coords(-ylabel_gap / (bbox.width * width), 0.5)
    xsize = FontProperties(size=plt.rcParams["xtick.labelsize"]).get_size_in_points()
    ax.xaxis.set_label_coords(0.5, -(TICKS_IN + xsize * LINE_IN + 0.03) / (bbox.height * height))


@lru_cache(maxsize=None)
def glyphs(text: str, size: float, bold: bool = False) -> Path:
    """The outline of ``text`` at ``size`` points, centred on (0, 0), in points: text drawn as a path (for a
    halo, or many times over) costs one conversion instead of one per drawing."""
    path = TextPath((0, 0), text, size=size, prop=FontProperties(weight="bold" if bold else "normal"))
    box = path.get_extents()
    return path.transformed(Affine2D().translate(-(box.x0 + box.x1) / 2, -(box.y0 + box.y1) / 2))


def in_points(fig: plt.Figure) -> Transform:
    """The transform of paths given in points (``glyphs``) onto ``fig``."""
    return Affine2D().scale(1 / 72) + fig.dpi_scale_trans
