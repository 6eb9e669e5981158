"""Browser view of ``InsurgencyModel``: the map of Afghanistan, the levers and the national series.

Started by ``python run.py viz`` (``sim/views/cli.py``), which serves this module with Solara. The page
is built from Mesa's own pieces — ``ModelController`` (Reset, Play/Pause, Step), ``ShowSteps`` and the
``update_counter`` that makes components redraw after each step — around a parameter panel of our own:
picking a scenario must move the lever sliders to that scenario's values, which Mesa 3.3.1's
``ModelCreator`` cannot do (its sliders would silently override the scenario on Reset).

The map and the charts are drawn with matplotlib (``Figure``, no pyplot state) from the model's
property layers, agents and DataCollector (``sim.views.drawing``); the optional baseline band comes
from ``sim.views.baseline``. The model itself is the same class the CLI runs.
"""

from __future__ import annotations

import io
import os
import warnings
from dataclasses import dataclass
from functools import lru_cache

import reacton.ipywidgets as rw
import solara
from matplotlib.figure import Figure

# Solara's hook linter flags Mesa 3.3.1's ComponentsView (unused here) on import; harmless (docs/sources.md#mesa_viz).
warnings.filterwarnings("ignore", message=r".*ComponentsView: `use_state` found despite early return")
from mesa.visualization.solara_viz import ModelController, ShowSteps  # noqa: E402
from mesa.visualization.utils import force_update, update_counter  # noqa: E402

from sim.inputs.parameters import PARAMS
from sim.inputs.scenario import Scenario, bundled_names, load_scenario
from sim.model.model import InsurgencyModel
from sim.views.baseline import SEEDS, baseline_band
from sim.views.drawing import LAYER_BY_LABEL, LAYERS, draw_charts, draw_map, layer_image  # noqa: F401 (API)

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


def lever_label(label: str, value: float, default: float) -> str:
    """A lever slider's label with its value and the scenario's own value (what Reset to it restores)."""
    return f"{label}: {value:.2f} (scenario {default:.2f})"


def pending_changes(params: dict, model: InsurgencyModel) -> bool:
    """Whether the panel's settings differ from those of the running model (Reset applies them)."""
    if params["rng"] != model.seed or _scenario(params["scenario"]).name != model.scenario.name:
        return True
    return any(params[name] != model.p[name] for name in LEVERS)


# ----------------------------------------------------------------------------- components
@dataclass(frozen=True)
class ViewState:
    """Per-browser-session state shared by the controls and the views."""

    model: solara.Reactive[InsurgencyModel]
    params: solara.Reactive[dict]
    layer: solara.Reactive[str]
    names: solara.Reactive[bool]     # province names on the map
    baseline: solara.Reactive[bool]  # the baseline band behind the charts
    play_interval: solara.Reactive[int]
    render_interval: solara.Reactive[int]
    use_threads: solara.Reactive[bool]


def use_view_state(scenario: str, seed: int) -> ViewState:
    """Create the session's state (hook: call at the top of a component)."""
    initial = solara.use_memo(lambda: model_parameters(scenario, seed), [])
    first = solara.use_memo(lambda: InsurgencyModel(**initial), [])
    return ViewState(model=solara.use_reactive(first), params=solara.use_reactive(initial),
                     layer=solara.use_reactive("taliban_control"), names=solara.use_reactive(True),
                     baseline=solara.use_reactive(False), play_interval=solara.use_reactive(150),
                     render_interval=solara.use_reactive(1), use_threads=solara.use_reactive(False))


def png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


# The pictures scale to their column, so a narrow window never scrolls them sideways (issue 14).
FIT = {"width": "100%", "height": "auto"}
# Slider labels carry values, so they are long: put each on its own line above its slider.
CSS = """
.sim-sliders .v-slider__slot, .sim-sliders .v-input__slot { flex-wrap: wrap; }
.sim-sliders .v-input__slot > .v-label { width: 100%; max-width: 100%; height: auto; white-space: normal; }
"""


@solara.component
def MapView(state: ViewState):
    """Layer buttons and the names switch above the map, redrawn after every step (``sim-map``/``ref="map"``)."""
    update_counter.get()
    model, layer, names = state.model.value, state.layer.value, state.names.value
    with solara.Row(style={"flex-wrap": "wrap", "align-items": "center", "gap": "4px 12px"}):
        solara.ToggleButtonsSingle(value=LAYERS[layer].label, values=list(LAYER_BY_LABEL),
                                   on_value=lambda label: state.layer.set(LAYER_BY_LABEL[label]), dense=True,
                                   style={"flex-wrap": "wrap", "max-width": "100%"}, classes=["sim-layers"])
        solara.Checkbox(label="Province names", value=state.names)
    image = solara.use_memo(lambda: png(draw_map(model, layer, names)), [model, model.steps, layer, names])
    rw.Image(value=image, format="png", layout=FIT, _dom_classes=["sim-map"]).meta(ref="map")


@solara.component
def ChartsView(state: ViewState):
    """The national series, redrawn after every step (``ref="charts"``), over the baseline band if asked.

    The band (``sim.views.baseline``) is computed in a background thread the first time it is asked for.
    """
    update_counter.get()
    model, wanted = state.model.value, state.baseline.value
    steps = int(model.p["steps"])
    result = solara.use_thread(lambda: baseline_band(steps) if wanted else None, dependencies=[wanted, steps],
                               intrusive_cancel=False)
    band = result.value if wanted and result.state == solara.ResultState.FINISHED else None
    solara.Checkbox(label=f"Baseline band ({len(SEEDS)} seeds)", value=state.baseline)
    if wanted and band is None:
        solara.Text(f"Computing the baseline band: {len(SEEDS)} runs of {steps} weeks ...",
                    style={"font-size": "0.85em"})
    image = solara.use_memo(lambda: png(draw_charts(model, band)), [model, model.steps, band is None])
    rw.Image(value=image, format="png", layout=FIT, _dom_classes=["sim-charts"]).meta(ref="charts")


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
    defaults = _scenario(params["scenario"]).params
    for name, label in LEVERS.items():
        p = PARAMS[name]
        solara.SliderFloat(lever_label(label, params[name], defaults[name]), value=params[name], min=p.low,
                           max=p.high, step=(p.high - p.low) / 100, on_value=lambda v, name=name: set_lever(name, v))
    if pending_changes(params, state.model.value):
        solara.Info("Changed settings take effect on Reset.", dense=True)


@solara.component
def Controls(state: ViewState):
    """Mesa's ModelController (Reset / Play-Pause / Step) with its speed setting."""
    solara.SliderInt(f"Play interval: {state.play_interval.value} ms", value=state.play_interval, min=10,
                     max=1000, step=10)
    solara.SliderInt(f"Weeks per Step / redraw: {state.render_interval.value}", value=state.render_interval,
                     min=1, max=26)
    ModelController(state.model, model_parameters=state.params, play_interval=state.play_interval,
                    render_interval=state.render_interval, use_threads=state.use_threads)


@solara.component
def View(scenario: str = "baseline", seed: int = 1, sidebar: bool = True):
    """The whole view; ``sidebar=False`` lays the controls out inline (for in-process tests)."""
    state = use_view_state(scenario, seed)
    solara.Style(CSS)
    side = solara.Sidebar if sidebar else solara.Column
    with side(), solara.Column(classes=["sim-sliders"], gap="8px"):
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
