"""Browser view of ``InsurgencyModel``: the map of Afghanistan, the levers and the national series.

Started by ``python run.py viz`` (``sim/views/cli.py``), which serves this module with Solara. The page
is built from Mesa's own pieces — ``ModelController`` (Reset, Play/Pause, Step), ``ShowSteps`` and the
``update_counter`` that makes components redraw after each step — around a parameter panel of our own:
picking a scenario must move the lever sliders to that scenario's values, which Mesa 3.3.1's
``ModelCreator`` cannot do (its sliders would silently override the scenario on Reset).

The map and the charts are drawn with matplotlib (``Figure``, no pyplot state) from the model's
property layers, agents and DataCollector; the model itself is the same class the CLI runs.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import warnings
from dataclasses import dataclass
from functools import lru_cache

import matplotlib.dates as mdates
import numpy as np
import reacton.ipywidgets as rw
import solara
from matplotlib import colormaps
from matplotlib.colors import ListedColormap, PowerNorm
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FixedLocator, MaxNLocator

# Solara's hook linter flags Mesa 3.3.1's ComponentsView (unused here) on import; harmless (docs/sources.md#mesa_viz).
warnings.filterwarnings("ignore", message=r".*ComponentsView: `use_state` found despite early return")
from mesa.visualization.solara_viz import ModelController, ShowSteps  # noqa: E402
from mesa.visualization.utils import force_update, update_counter  # noqa: E402

from sim.model.agents import Posture, TalibanUnit, TribalElder
from sim.inputs.geography import OUTSIDE, load_geography
from sim.model.model import InsurgencyModel
from sim.inputs.parameters import PARAMS
from sim.inputs.scenario import Scenario, bundled_names, load_scenario

# Set by ``run.py viz`` for the server process; the defaults serve ``solara run sim.views.app`` directly.
SCENARIO_ENV = "SIM_VIZ_SCENARIO"
SEED_ENV = "SIM_VIZ_SEED"

# Levers the analyst moves (issue 6), with short labels; ranges come from the parameter table.
LEVERS = {
    "elder_influence": "Elder influence",
    "amnesty": "Amnesty (generosity of terms)",
    "ejk_share": "Extrajudicial killing share",
    "salafi_persecution": "Salafi persecution",
    "external_strikes": "External strikes per week",
    "border_interdiction": "Border interdiction",
    "foreign_support_taliban": "Foreign support to the Taliban",
    "external_support_iskp": "External support to ISIS-K",
}


@dataclass(frozen=True)
class LayerStyle:
    label: str
    cmap: str
    vmax: float  # fixed scale, so colours mean the same thing every week
    gamma: float = 1.0  # < 1 spreads the low values (recent violence is mostly small)
    unit: str = "0 to 1"


LAYERS = {
    "taliban_control": LayerStyle("Taliban control", "Blues", 1.0),
    "iskp_influence": LayerStyle("ISIS-K influence", "RdPu", 1.0),
    "grievance": LayerStyle("Grievance", "Purples", 1.0),
    "violence": LayerStyle("Recent violence", "YlOrBr", 4.0, 0.5, "attacks, fading over ~10 weeks"),
    "province": LayerStyle("Province", "Pastel1", 0.0),
}
LAYER_BY_LABEL = {style.label: name for name, style in LAYERS.items()}

UNIT_COLOUR = "#08306b"
CELL_COLOUR = "#d62728"
DEAD_COLOUR = "#7f7f7f"
ELDER_CMAP = ListedColormap(["#f2b701", "#c9c9c9", "#2ca02c"])  # against / neutral / with the Taliban
CHART_GROUPS = (  # (title, [(model reporter, label, colour)]), one panel each; names from NATIONAL_METRICS
    ("Attacks per week", [("attacks_ambush", "ambush", "#ff7f0e"),
                                   ("attacks_mass_casualty", "mass casualty", "#d62728"),
                                   ("attacks_leadership", "leadership", "#9467bd"),
                                   ("attacks_elder", "on elders", "#8c564b")]),
    ("Deaths per week", [("civilian_deaths", "civilians", "#7f7f7f"),
                         ("ejk_killed", "extrajudicial killings", "#08306b")]),
    ("Surrenders and relapses per week", [("surrenders", "surrenders", "#2ca02c"),
                                          ("relapses", "relapses", "#d62728")]),
)


# ----------------------------------------------------------------------------- parameters
def scenario_choices(current: str) -> list[str]:
    """The bundled scenarios, plus the one given on the command line if it is a user's file."""
    names = bundled_names()
    return names if current in names else names + [current]


@lru_cache(maxsize=32)
def _scenario(ref: str) -> Scenario:
    return load_scenario(ref)


def model_parameters(scenario: str, seed: int) -> dict:
    """Keyword arguments of ``InsurgencyModel`` for a scenario: its own lever values and the seed."""
    params = _scenario(scenario).params
    return {"rng": seed, "scenario": scenario, **{name: params[name] for name in LEVERS}}


def pending_changes(params: dict, model: InsurgencyModel) -> bool:
    """Whether the panel's settings differ from those of the running model (Reset applies them)."""
    if params["rng"] != model.seed or _scenario(params["scenario"]).name != model.scenario.name:
        return True
    return any(params[name] != model.p[name] for name in LEVERS)


# ----------------------------------------------------------------------------- drawing
@lru_cache(maxsize=1)
def border_segments() -> tuple[np.ndarray, np.ndarray]:
    """Line segments between cells of different provinces: (internal borders, national border).

    Cell (x, y) is drawn centred on (x, y), so the edge between two cells lies half a cell away.
    """
    grid = load_geography().province_grid
    padded = np.pad(grid, 1, constant_values=OUTSIDE)
    internal, outline = [], []
    # Vertical edges: between (x, y) and (x + 1, y); horizontal edges: between (x, y) and (x, y + 1).
    for a, b, edge in ((padded[:-1, 1:-1], padded[1:, 1:-1], "v"), (padded[1:-1, :-1], padded[1:-1, 1:], "h")):
        for i, j in np.argwhere(a != b):
            if edge == "v":
                x, y = i - 0.5, j
                seg = ((x, y - 0.5), (x, y + 0.5))
            else:
                x, y = i, j - 0.5
                seg = ((x - 0.5, y), (x + 0.5, y))
            (outline if OUTSIDE in (a[i, j], b[i, j]) else internal).append(seg)
    return np.array(internal, dtype=float), np.array(outline, dtype=float)


def layer_image(model: InsurgencyModel, layer: str) -> np.ndarray:
    """The layer's values as a float array [x, y], NaN outside Afghanistan (drawn blank)."""
    data = getattr(model.grid, layer).data.astype(float)
    data[~model.inside] = np.nan
    return data


def _coords(agents, dx: float = 0.0) -> np.ndarray:
    return np.array([a.cell.coordinate for a in agents], dtype=float).reshape(-1, 2) + dx


def draw_map(model: InsurgencyModel, layer: str) -> Figure:
    """The chosen property layer, province borders and the agents, titled with the calendar date."""
    style = LAYERS[layer]
    # Fixed positions (map, colour bar, legend): a layout engine cost a third of the drawing time.
    fig = Figure(figsize=(7.0, 7.0), dpi=100)
    ax = fig.add_axes((0.0, 0.19, 1.0, 0.73))
    data = layer_image(model, layer)
    if layer == "province":
        base = colormaps[style.cmap].colors
        cmap = ListedColormap([base[i % len(base)] for i in range(model.geo.n_provinces)])
        im = ax.imshow(data.T, origin="lower", cmap=cmap, vmin=-0.5, vmax=model.geo.n_provinces - 0.5,
                       interpolation="nearest")
        for name, (x, y) in zip(model.geo.names, model.geo.city):
            ax.text(x, y, name, fontsize=6.5, ha="center", va="center", color="#222222")
    else:
        im = ax.imshow(data.T, origin="lower", cmap=style.cmap, norm=PowerNorm(style.gamma, 0.0, style.vmax),
                       interpolation="nearest", alpha=0.85)
        fig.colorbar(im, cax=fig.add_axes((0.3, 0.16, 0.4, 0.02)), orientation="horizontal",
                     label=f"{style.label} ({style.unit})",
                     extend="max" if np.nanmax(data) > style.vmax else "neither")
    internal, outline = border_segments()
    ax.add_collection(LineCollection(internal, colors="#555555", linewidths=0.5))
    ax.add_collection(LineCollection(outline, colors="black", linewidths=1.2))

    units = [u for u in model.agents_by_type.get(TalibanUnit, []) if u.alive]
    for posture, marker in ((Posture.GARRISON, "s"), (Posture.MOBILE, "D")):
        group = [u for u in units if u.posture is posture]
        xy = _coords(group, -0.2)
        ax.scatter(xy[:, 0], xy[:, 1], s=[8 + u.strength / 25 for u in group], marker=marker,
                   c=UNIT_COLOUR, edgecolors="white", linewidths=0.5)
    cells = model.iskp_cells
    xy = _coords(cells, 0.2)
    ax.scatter(xy[:, 0], xy[:, 1], s=[6 + 5 * len(c.members) for c in cells], marker="o",
               c=CELL_COLOUR, edgecolors="black", linewidths=0.5, alpha=0.9)
    elders = list(model.agents_by_type.get(TribalElder, []))
    alive = [e for e in elders if e.alive]
    xy = _coords(alive, np.array([0.2, -0.2]))
    ax.scatter(xy[:, 0], xy[:, 1], s=22, marker="^", c=[e.stance_taliban for e in alive], cmap=ELDER_CMAP,
               vmin=0.0, vmax=1.0, edgecolors="black", linewidths=0.5)
    xy = _coords([e for e in elders if not e.alive], np.array([0.2, -0.2]))
    ax.scatter(xy[:, 0], xy[:, 1], s=18, marker="x", c=DEAD_COLOUR, linewidths=1.0)

    ax.set_xlim(-0.5, model.geo.shape[0] - 0.5)
    ax.set_ylim(-0.5, model.geo.shape[1] - 0.5)
    ax.set_aspect("equal")
    ax.set_axis_off()
    ax.set_title(f"{model.date:%d %B %Y}  ·  week {model.steps}  ·  {model.scenario.name}\n{style.label}",
                 fontsize=12, loc="left")
    fig.legend(handles=_legend_handles(len(cells), len(alive), len(elders) - len(alive)),
               loc="lower center", bbox_to_anchor=(0.5, 0.0), ncol=3, fontsize=8, frameon=False,
               columnspacing=1.2, handletextpad=0.3)
    return fig


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


def draw_charts(model: InsurgencyModel) -> Figure:
    """The national series so far (the model's DataCollector), by calendar date."""
    series = model.datacollector.model_vars
    dates = [model.date_of(s) for s in range(len(series["iskp_members"]))]
    # About the column's width, so the browser does not shrink it; fixed margins, as a layout engine
    # doubled the drawing time.
    fig = Figure(figsize=(4.9, 7.6), dpi=100)
    axes = fig.subplots(len(CHART_GROUPS) + 1, 1, sharex=True,
                        gridspec_kw=dict(left=0.14, right=0.85, top=0.96, bottom=0.07, hspace=0.38))
    ax = axes[0]
    ax.plot(dates, series["iskp_members"], color=CELL_COLOUR, label="ISIS-K members")
    ax.set_ylabel("ISIS-K members", color=CELL_COLOUR)
    twin = ax.twinx()
    twin.plot(dates, series["taliban_strength"], color=UNIT_COLOUR, label="Taliban strength")
    twin.set_ylabel("Taliban strength", color=UNIT_COLOUR)
    ax.set_title("ISIS-K members and Taliban strength", fontsize=10, loc="left")
    for ax, (title, lines) in zip(axes[1:], CHART_GROUPS):
        for name, label, colour in lines:
            ax.plot(dates, series[name], color=colour, label=label, linewidth=1.2)
        ax.set_title(title, fontsize=10, loc="left")
        ax.legend(fontsize=7, loc="upper right", ncol=2, framealpha=0.8, handlelength=1.2, columnspacing=0.8)
        ax.set_ylim(bottom=0)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    # The scenario's whole horizon, so the axes do not rescale every week.
    end = model.date_of(max(model.p["steps"], len(dates) - 1))
    axes[-1].set_xlim(dates[0], end)
    # Fixed ticks on the first day of each quarter: matplotlib's AutoDateLocator took half the drawing time.
    axes[-1].xaxis.set_major_locator(FixedLocator(mdates.date2num(quarter_starts(dates[0], end))))
    axes[-1].xaxis.set_major_formatter(mdates.DateFormatter("%b\n%Y"))
    for ax in axes:
        ax.tick_params(labelsize=8)
        ax.grid(alpha=0.3)
    return fig


# ----------------------------------------------------------------------------- components
@dataclass(frozen=True)
class ViewState:
    """Per-browser-session state shared by the controls and the views."""

    model: solara.Reactive[InsurgencyModel]
    params: solara.Reactive[dict]
    layer: solara.Reactive[str]
    play_interval: solara.Reactive[int]
    render_interval: solara.Reactive[int]
    use_threads: solara.Reactive[bool]


def use_view_state(scenario: str, seed: int) -> ViewState:
    """Create the session's state (hook: call at the top of a component)."""
    initial = solara.use_memo(lambda: model_parameters(scenario, seed), [])
    first = solara.use_memo(lambda: InsurgencyModel(**initial), [])
    return ViewState(model=solara.use_reactive(first), params=solara.use_reactive(initial),
                     layer=solara.use_reactive("taliban_control"), play_interval=solara.use_reactive(150),
                     render_interval=solara.use_reactive(1), use_threads=solara.use_reactive(False))


def png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


@solara.component
def MapView(state: ViewState):
    """Layer selector above the map; the map is redrawn after every step (``sim-map``/``ref="map"`` for tests)."""
    update_counter.get()
    model, layer = state.model.value, state.layer.value
    solara.ToggleButtonsSingle(value=LAYERS[layer].label, values=list(LAYER_BY_LABEL),
                               on_value=lambda label: state.layer.set(LAYER_BY_LABEL[label]), dense=True)
    image = solara.use_memo(lambda: png(draw_map(model, layer)), [model, model.steps, layer])
    rw.Image(value=image, format="png", _dom_classes=["sim-map"]).meta(ref="map")


@solara.component
def ChartsView(state: ViewState):
    """The national series, redrawn after every step (``ref="charts"`` for tests)."""
    update_counter.get()
    model = state.model.value
    image = solara.use_memo(lambda: png(draw_charts(model)), [model, model.steps])
    rw.Image(value=image, format="png", _dom_classes=["sim-charts"]).meta(ref="charts")


@solara.component
def Information(state: ViewState):
    update_counter.get()
    model = state.model.value
    ShowSteps(model)
    solara.Text(f"Date: {model.date.isoformat()}")
    r = model.report
    solara.Text(f"Scenario: {model.scenario.name}, seed {model.seed}")
    solara.Text(f"ISIS-K members {r['iskp_members']:,.0f} in {r['iskp_cells']:.0f} cells; "
                f"Taliban strength {r['taliban_strength']:,.0f}")


@solara.component
def ParameterPanel(state: ViewState):
    """Scenario picker (loads it at once), seed and lever sliders (applied by Reset)."""
    params = state.params.value
    seed_error = solara.use_reactive("")

    def pick_scenario(name: str) -> None:
        new = model_parameters(name, params["rng"])
        state.params.set(new)
        state.model.set(InsurgencyModel(**new))
        force_update()

    def set_seed(value: int | None) -> None:
        if value is None or value < 0:
            seed_error.set("The seed must be a whole number ≥ 0.")
            return
        seed_error.set("")
        state.params.set({**state.params.value, "rng": int(value)})

    def set_lever(name: str, value: float) -> None:
        state.params.set({**state.params.value, name: float(value)})

    solara.Select("Scenario", value=params["scenario"], values=scenario_choices(params["scenario"]),
                  on_value=pick_scenario)
    solara.Text(_scenario(params["scenario"]).description, style={"font-size": "0.8em"})
    solara.InputInt("Random seed", value=params["rng"], on_value=set_seed, continuous_update=True)
    if seed_error.value:
        solara.Error(seed_error.value, dense=True)
    for name, label in LEVERS.items():
        p = PARAMS[name]
        solara.SliderFloat(f"{label}: {params[name]:.2f}", value=params[name], min=p.low, max=p.high,
                           step=(p.high - p.low) / 100, on_value=lambda v, name=name: set_lever(name, v))
    if pending_changes(params, state.model.value):
        solara.Info("Changed settings take effect on Reset.", dense=True)


@solara.component
def Controls(state: ViewState):
    """Mesa's ModelController (Reset / Play-Pause / Step) with its speed setting."""
    solara.SliderInt("Play interval (ms)", value=state.play_interval, min=10, max=1000, step=10)
    solara.SliderInt("Weeks per Step / redraw", value=state.render_interval, min=1, max=26)
    ModelController(state.model, model_parameters=state.params, play_interval=state.play_interval,
                    render_interval=state.render_interval, use_threads=state.use_threads)


@solara.component
def View(scenario: str = "baseline", seed: int = 1, sidebar: bool = True):
    """The whole view; ``sidebar=False`` lays the controls out inline (for in-process tests)."""
    state = use_view_state(scenario, seed)
    side = solara.Sidebar if sidebar else solara.Column
    with side():
        with solara.Card("Controls"):
            Controls(state)
        with solara.Card("Information"):
            Information(state)
        with solara.Card("Scenario and levers"):
            ParameterPanel(state)
    with solara.Columns([3, 2]):
        with solara.Column():
            MapView(state)
        with solara.Column():
            ChartsView(state)


@solara.component
def Page():
    solara.Title("Taliban vs ISIS-K")
    with solara.AppBar():
        solara.AppBarTitle("Taliban vs ISIS-K in Afghanistan: agent-based model")
    View(os.environ.get(SCENARIO_ENV, "baseline"), int(os.environ.get(SEED_ENV, "1")))
