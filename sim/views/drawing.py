"""The browser view's two pictures, drawn with matplotlib ``Figure`` (no pyplot state): the map and the charts.

The map shows one property layer of the model (cells, clipped to the country's outline), the province
borders and names from ``sim.inputs.outlines`` (the routine the report's maps use), and the agents.
The charts show the national series so far and, optionally, a baseline band behind them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import matplotlib.dates as mdates
import matplotlib.patheffects as pe
import numpy as np
from matplotlib import colormaps
from matplotlib.collections import LineCollection, PatchCollection
from matplotlib.colors import ListedColormap, PowerNorm
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, PathPatch
from matplotlib.path import Path as MplPath
from matplotlib.ticker import FixedLocator, MaxNLocator

from sim.inputs.outlines import CREDIT, load_outlines, spread_labels
from sim.model.agents import Posture, TalibanUnit, TribalElder
from sim.model.model import InsurgencyModel
from sim.views.series import MEMBERS_COLOUR, PER_WEEK, STRENGTH_COLOUR


@dataclass(frozen=True)
class LayerStyle:
    label: str  # the layer button's text: short, so five fit side by side
    title: str
    cmap: str
    vmax: float  # fixed scale, so colours mean the same thing every week
    gamma: float = 1.0  # < 1 spreads the low values (recent violence is mostly small)
    unit: str = "0 to 1"


LAYERS = {
    "taliban_control": LayerStyle("Control", "Taliban control", "Blues", 1.0),
    "iskp_influence": LayerStyle("ISIS-K", "ISIS-K influence", "RdPu", 1.0),
    "grievance": LayerStyle("Grievance", "Grievance", "Purples", 1.0),
    "violence": LayerStyle("Violence", "Recent violence", "YlOrBr", 4.0, 0.5, "attacks, fading over ~10 weeks"),
    "province": LayerStyle("Provinces", "Provinces", "Pastel1", 0.0),
}
LAYER_BY_LABEL = {style.label: name for name, style in LAYERS.items()}

UNIT_COLOUR = STRENGTH_COLOUR
CELL_COLOUR = MEMBERS_COLOUR
DEAD_COLOUR = "#7f7f7f"
ELDER_CMAP = ListedColormap(["#f2b701", "#c9c9c9", "#2ca02c"])  # against / neutral / with the Taliban
NAME_SIZE = 6.5  # points
HALO = [pe.withStroke(linewidth=1.6, foreground="white")]
# Per metric: (median, p10, p90) arrays by step, from ``sim.views.baseline``.
Band = dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]


def layer_image(model: InsurgencyModel, layer: str) -> np.ndarray:
    """The layer's values as a float array [x, y], NaN outside Afghanistan (drawn blank)."""
    data = getattr(model.grid, layer).data.astype(float)
    data[~model.inside] = np.nan
    return data


def _coords(agents, dx: float | np.ndarray = 0.0) -> np.ndarray:
    return np.array([a.cell.coordinate for a in agents], dtype=float).reshape(-1, 2) + dx


def _province_paths() -> list[MplPath]:
    return [MplPath.make_compound_path(*(MplPath(r, closed=True) for r in rings)) for rings in load_outlines().rings]


def draw_province_names(ax, names: tuple[str, ...], size: float = NAME_SIZE) -> None:
    """Every province's name near its label point, spread so that none overlap (leader line if moved)."""
    outlines = load_outlines()
    fig = ax.figure
    ax.apply_aspect()  # the final data limits, from which the text's size in grid units follows
    width_px = fig.get_figwidth() * fig.dpi * ax.get_position().width
    points_per_unit = width_px / np.ptp(ax.get_xlim()) * 72 / fig.dpi
    half = np.array([[0.29 * size * len(n) + 0.8, 0.5 * size + 0.4] for n in names]) / points_per_unit
    pos = spread_labels(outlines.labels, half)
    for name, anchor, (x, y) in zip(names, outlines.labels, pos):
        if np.hypot(*(anchor - (x, y))) > 1.0:
            ax.plot([anchor[0], x], [anchor[1], y], color="#333333", lw=0.4, zorder=4)
        ax.text(x, y, name, fontsize=size, ha="center", va="center", color="#222222", path_effects=HALO, zorder=5)


def draw_map(model: InsurgencyModel, layer: str, names: bool = True) -> Figure:
    """The chosen layer, province borders (and names), and the agents, titled with the calendar date."""
    style, outlines = LAYERS[layer], load_outlines()
    # Fixed positions (map, colour bar, legend): a layout engine cost a third of the drawing time.
    # Shown about 550 px wide in a 1400 px window: 6 inches at 120 dpi keeps the names legible there.
    fig = Figure(figsize=(6.0, 6.4), dpi=120)
    ax = fig.add_axes((0.0, 0.19, 1.0, 0.73))
    x0, x1, y0, y1 = outlines.bounds
    ax.set_xlim(x0 - 0.3, x1 + 0.3)
    ax.set_ylim(y0 - 0.3, y1 + 0.3)
    ax.set_aspect("equal")
    ax.set_axis_off()
    paths = _province_paths()
    if layer == "province":
        base = colormaps[style.cmap].colors
        ax.add_collection(PatchCollection([PathPatch(p) for p in paths], edgecolor="none",
                                          facecolor=[base[i % len(base)] for i in range(len(paths))]))
    else:
        data = layer_image(model, layer)
        im = ax.imshow(data.T, origin="lower", cmap=style.cmap, norm=PowerNorm(style.gamma, 0.0, style.vmax),
                       interpolation="nearest", alpha=0.85)
        country = PathPatch(MplPath.make_compound_path(*paths), transform=ax.transData)
        im.set_clip_path(country)  # cells, but inside the country's outline
        fig.colorbar(im, cax=fig.add_axes((0.3, 0.16, 0.4, 0.02)), orientation="horizontal",
                     label=f"{style.title} ({style.unit})",
                     extend="max" if np.nanmax(data) > style.vmax else "neither")
    ax.add_collection(LineCollection(outlines.internal, colors="#555555", linewidths=0.5))
    ax.add_collection(LineCollection(outlines.national, colors="black", linewidths=1.2))
    _draw_agents(ax, model)
    if names:
        draw_province_names(ax, model.geo.names)
    ax.set_title(f"{model.date:%d %B %Y}  ·  week {model.steps}  ·  {model.scenario.name}\n{style.title}",
                 fontsize=11, loc="left")
    elders = list(model.agents_by_type.get(TribalElder, []))
    alive = sum(e.alive for e in elders)
    fig.legend(handles=_legend_handles(len(model.iskp_cells), alive, len(elders) - alive),
               loc="lower center", bbox_to_anchor=(0.5, 0.012), ncol=3, fontsize=7, frameon=False,
               columnspacing=1.2, handletextpad=0.3)
    fig.text(0.99, 0.003, CREDIT, fontsize=6, color="#777777", ha="right", va="bottom")
    return fig


def _draw_agents(ax, model: InsurgencyModel) -> None:
    units = [u for u in model.agents_by_type.get(TalibanUnit, []) if u.alive]
    for posture, marker in ((Posture.GARRISON, "s"), (Posture.MOBILE, "D")):
        group = [u for u in units if u.posture is posture]
        xy = _coords(group, -0.2)
        ax.scatter(xy[:, 0], xy[:, 1], s=[8 + u.strength / 25 for u in group], marker=marker,
                   c=UNIT_COLOUR, edgecolors="white", linewidths=0.5, zorder=3)
    cells = model.iskp_cells
    xy = _coords(cells, 0.2)
    ax.scatter(xy[:, 0], xy[:, 1], s=[6 + 5 * len(c.members) for c in cells], marker="o",
               c=CELL_COLOUR, edgecolors="black", linewidths=0.5, alpha=0.9, zorder=3)
    elders = list(model.agents_by_type.get(TribalElder, []))
    alive = [e for e in elders if e.alive]
    xy = _coords(alive, np.array([0.2, -0.2]))
    ax.scatter(xy[:, 0], xy[:, 1], s=22, marker="^", c=[e.stance_taliban for e in alive], cmap=ELDER_CMAP,
               vmin=0.0, vmax=1.0, edgecolors="black", linewidths=0.5, zorder=3)
    xy = _coords([e for e in elders if not e.alive], np.array([0.2, -0.2]))
    ax.scatter(xy[:, 0], xy[:, 1], s=18, marker="x", c=DEAD_COLOUR, linewidths=1.0, zorder=3)


def _legend_handles(n_cells: int, n_alive: int, n_dead: int) -> list[Line2D]:
    def mark(marker, face, label, edge="black", size=7):
        return Line2D([], [], linestyle="", marker=marker, markerfacecolor=face, markeredgecolor=edge,
                      markersize=size, label=label)

    return [
        mark("s", UNIT_COLOUR, "Taliban garrison (size: strength)", edge="white"),
        mark("D", UNIT_COLOUR, "Taliban mobile unit", edge="white", size=6),
        mark("o", CELL_COLOUR, f"ISIS-K cell (size: members): {n_cells}"),
        mark("^", ELDER_CMAP(1.0), f"elder with the Taliban ({n_alive} alive)"),
        mark("^", ELDER_CMAP(0.5), "elder undecided"),
        mark("^", ELDER_CMAP(0.0), "elder against the Taliban"),
        Line2D([], [], linestyle="", marker="x", color=DEAD_COLOUR, markersize=6, label=f"elder killed: {n_dead}"),
    ]


def quarter_starts(start: dt.date, end: dt.date) -> list[dt.date]:
    """1 Jan, 1 Apr, 1 Jul and 1 Oct between two dates."""
    out, year, month = [], start.year, (start.month - 1) // 3 * 3 + 1
    while (day := dt.date(year, month, 1)) <= end:
        if day >= start:
            out.append(day)
        year, month = (year + 1, 1) if month == 10 else (year, month + 3)
    return out


def _series(ax, dates, values, colour: str, label: str, band: Band | None, name: str, lw: float = 1.2) -> float:
    """One series (a dot while it has a single point) over its baseline band; returns the largest value shown."""
    top = float(np.max(values)) if len(values) else 0.0
    if band and name in band:
        median, low, high = band[name]
        band_dates = [dates[0] + dt.timedelta(weeks=i) for i in range(len(median))]
        ax.fill_between(band_dates, low, high, color=colour, alpha=0.13, lw=0, zorder=1)
        ax.plot(band_dates, median, color=colour, lw=0.8, ls=":", zorder=1)
        top = max(top, float(np.max(high)))
    ax.plot(dates, values, color=colour, label=label, lw=lw, marker="o" if len(values) == 1 else None, ms=3, zorder=2)
    return top


def draw_charts(model: InsurgencyModel, band: Band | None = None) -> Figure:
    """The national series so far (the model's DataCollector) by calendar date; ``band``: the baseline's."""
    series = model.datacollector.model_vars
    dates = [model.date_of(s) for s in range(len(series["iskp_members"]))]
    # About the column's width; fixed margins, as a layout engine doubled the drawing time.
    fig = Figure(figsize=(4.9, 7.6), dpi=100)
    axes = fig.subplots(len(PER_WEEK) + 1, 1, sharex=True,
                        gridspec_kw=dict(left=0.14, right=0.85, top=0.93, bottom=0.07, hspace=0.42))
    ax = axes[0]
    top = _series(ax, dates, series["iskp_members"], CELL_COLOUR, "ISIS-K members", band, "iskp_members")
    ax.set_ylim(0, max(10.0, 1.1 * top))
    ax.set_ylabel("ISIS-K members", color=CELL_COLOUR)
    twin = ax.twinx()
    strength = series["taliban_strength"]
    _series(twin, dates, strength, UNIT_COLOUR, "Taliban strength", band, "taliban_strength")
    twin.set_ylabel("Taliban strength", color=UNIT_COLOUR)
    ax.set_title("ISIS-K members and Taliban strength (people)", fontsize=10, loc="left")
    for ax, (title, unit, lines) in zip(axes[1:], PER_WEEK):
        top = max(_series(ax, dates, series[name], colour, label, band, name) for name, label, colour in lines)
        ax.set_title(f"{title} ({unit})", fontsize=10, loc="left")
        ax.legend(fontsize=7, loc="upper left", ncol=2, framealpha=0.8, handlelength=1.2, columnspacing=0.8)
        ax.set_ylim(0, max(4.0, 1.35 * top))  # room for the legend; never an empty 0-0.05 axis at week 0
        ax.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=4))
    if band:
        fig.legend(handles=[Patch(color="#999999", alpha=0.35, label="baseline scenario: 10-90% of seeds"),
                            Line2D([], [], color="#555555", ls=":", lw=0.9, label="baseline median")],
                   loc="upper center", ncol=2, fontsize=7.5, frameon=False, bbox_to_anchor=(0.5, 1.0))
    # The scenario's whole horizon, so the axes do not rescale every week.
    end = model.date_of(max(model.p["steps"], len(dates) - 1))
    axes[-1].set_xlim(dates[0], end)
    # Fixed ticks on the first day of each quarter: matplotlib's AutoDateLocator took half the drawing time.
    axes[-1].xaxis.set_major_locator(FixedLocator(mdates.date2num(quarter_starts(dates[0], end))))
    axes[-1].xaxis.set_major_formatter(mdates.DateFormatter("%b\n%Y"))
    for ax in [*axes, twin]:
        ax.tick_params(labelsize=8)
    for ax in axes:
        ax.grid(alpha=0.3)
    return fig
