"""In-process test of the browser view (``sim/views/app.py``) with ``solara.render``: no server, no browser.

The controls are rendered inline (``View(sidebar=False)``) because Solara's sidebar is a portal that
``solara.render`` does not include (docs/sources.md#mesa_viz). Every check goes through the widgets a user
touches: buttons, the scenario picker, sliders, the layer toggle, and the text and images shown.
"""

from __future__ import annotations

import time

import ipyvuetify as v
import ipywidgets
import numpy as np
import pytest
import solara

from sim.views import app, baseline, drawing
from sim.inputs.geography import load_geography
from sim.model.model import InsurgencyModel
from sim.inputs.scenario import load_scenario


@pytest.fixture
def ui():
    box, rc = solara.render(app.View("baseline", 1, sidebar=False), handle_error=False)
    yield rc
    rc.close()


def texts(rc) -> list[str]:
    return [w.children[0] for w in rc.find(v.Html, tag="span").widgets if w.children]


def images(rc) -> tuple[bytes, bytes]:
    """PNG bytes of the map and of the charts."""
    return tuple(bytes(rc.find(ipywidgets.Image, meta_ref=ref).widget.value) for ref in ("map", "charts"))


def click(rc, label: str) -> None:
    rc.find(v.Btn, children=[label]).widget.click()


def slider(rc, label: str):
    """A slider by its label (the label also shows the value: "Amnesty ...: 0.50 (scenario 0.50)")."""
    found = [w for w in rc.find(v.Slider).widgets if w.label.startswith(label + ": ")]
    assert len(found) == 1, label
    return found[0]


def test_step_advances_date_and_redraws_map_and_charts(ui):
    map0, charts0 = images(ui)
    assert "Step: 0" in texts(ui) and "Date: 2021-08-15" in texts(ui)
    click(ui, "Step")
    ui.find(children=["Step: 1"]).assert_single()
    assert "Date: 2021-08-22" in texts(ui)
    map1, charts1 = images(ui)
    assert map1 != map0 and charts1 != charts0


def test_reset_returns_to_step_zero_and_applies_slider_and_seed(ui):
    click(ui, "Step")
    click(ui, "Step")
    ui.find(children=["Step: 2"]).assert_single()
    notice = "Changed settings take effect on Reset."
    assert not ui.find(children=[notice]).widgets
    slider(ui, "Amnesty (generosity of terms)").v_model = 0.9
    ui.find(v.TextField, label="Random seed").widget.v_model = "7"
    ui.find(children=[notice]).assert_not_empty()
    click(ui, "Reset")
    ui.find(children=["Step: 0"]).assert_single()
    assert "Scenario: baseline, seed 7" in texts(ui)
    assert not ui.find(children=[notice]).widgets  # the rebuilt model has amnesty 0.9 and seed 7
    assert slider(ui, "Amnesty (generosity of terms)").v_model == 0.9
    default = load_scenario("baseline").params["amnesty"]
    assert slider(ui, "Amnesty (generosity of terms)").label.endswith(f": 0.90 (scenario {default:.2f})")


def test_scenario_picker_builds_that_scenario_with_its_lever_values(ui):
    click(ui, "Step")
    iron = load_scenario("iron_fist").params
    assert iron["ejk_share"] != load_scenario("baseline").params["ejk_share"]
    ui.find(v.Select, label="Scenario").widget.v_model = "iron_fist"
    ui.find(children=["Step: 0"]).assert_single()
    assert "Scenario: iron_fist, seed 1" in texts(ui)
    for name, label in app.LEVERS.items():
        assert slider(ui, label).v_model == pytest.approx(iron[name]), name
    assert not ui.find(children=["Changed settings take effect on Reset."]).widgets


def test_layer_toggle_redraws_the_map(ui):
    toggle = ui.find(v.BtnToggle).widget
    shown = {}
    for i, label in enumerate(app.LAYER_BY_LABEL):
        toggle.v_model = i
        shown[label] = images(ui)[0]
    assert len(set(shown.values())) == len(app.LAYERS)


def test_layer_image_is_blank_outside_afghanistan():
    model = InsurgencyModel(rng=3)
    for layer in app.LAYERS:
        img = app.layer_image(model, layer)
        assert np.array_equal(np.isnan(img), ~model.inside), layer


def test_speed_sliders_show_their_values(ui):
    interval = slider(ui, "Play interval")
    assert interval.label == f"Play interval: {interval.v_model} ms"
    interval.v_model = 400
    assert slider(ui, "Play interval").label == "Play interval: 400 ms"
    weeks = slider(ui, "Weeks per Step / redraw")
    weeks.v_model = 4
    assert slider(ui, "Weeks per Step / redraw").label == "Weeks per Step / redraw: 4"


def test_every_lever_slider_shows_value_and_the_scenarios_value():
    params = load_scenario("iron_fist").params
    for name, label in app.LEVERS.items():
        assert app.lever_label(label, 0.123, params[name]) == f"{label}: 0.12 (scenario {params[name]:.2f})"


def checkbox(rc, label: str):
    return rc.find(v.Checkbox, label=label).widget


def test_province_names_are_on_every_layer_and_can_be_switched_off():
    model = InsurgencyModel(rng=2)
    names = set(model.geo.names)
    for layer in app.LAYERS:
        fig = drawing.draw_map(model, layer)
        assert names <= {t.get_text() for t in fig.axes[0].texts}, layer
        fig = drawing.draw_map(model, layer, names=False)
        assert not names & {t.get_text() for t in fig.axes[0].texts}, layer


def test_province_names_do_not_overlap():
    fig = drawing.draw_map(InsurgencyModel(rng=2), "province")
    fig.canvas.draw()
    geo = load_geography()
    boxes = [t.get_window_extent() for t in fig.axes[0].texts if t.get_text() in geo.names]
    assert len(boxes) == geo.n_provinces
    assert [(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1:] if a.overlaps(b)] == []


def test_names_switch_redraws_the_map(ui):
    with_names = images(ui)[0]
    checkbox(ui, "Province names").v_model = False
    assert images(ui)[0] != with_names


def test_no_chart_axis_is_empty_at_step_zero():
    fig = drawing.draw_charts(InsurgencyModel(rng=1))
    for ax in fig.axes:
        low, high = ax.get_ylim()
        assert high - low >= 1.0, ax.get_title()  # not matplotlib's 0-0.05 for an all-zero series


def test_baseline_band_is_the_spread_of_baseline_runs():
    one = InsurgencyModel(rng=2, scenario="baseline", steps=5)
    for _ in range(5):
        one.step()
    members = np.asarray(one.datacollector.model_vars["iskp_members"])
    assert all(np.array_equal(q, members) for q in baseline.baseline_band(5, (2,))["iskp_members"])  # one seed
    median, low, high = baseline.baseline_band(5, (1, 2, 3))["iskp_members"]
    assert len(median) == 6 and np.all(low <= median) and np.all(median <= high) and np.any(low < high)


def test_baseline_checkbox_draws_the_band_behind_the_charts(ui, monkeypatch):
    calls = []
    monkeypatch.setattr(app, "baseline_band", lambda steps: calls.append(steps) or baseline.baseline_band(6, (1, 2)))
    before = images(ui)[1]
    checkbox(ui, "Baseline band (6 seeds)").v_model = True
    deadline = time.monotonic() + 60
    while images(ui)[1] == before and time.monotonic() < deadline:
        time.sleep(0.2)
    assert calls == [104] and images(ui)[1] != before
    assert not [t for t in texts(ui) if t.startswith("Computing the baseline band")]


def test_scenario_choices_add_a_users_file(tmp_path):
    own = tmp_path / "mine.toml"
    own.write_text('extends = "baseline"\nname = "mine"\n[params]\namnesty = 0.8\n')
    assert app.scenario_choices("baseline") == app.bundled_names()
    assert app.scenario_choices(str(own)) == app.bundled_names() + [str(own)]
    assert app.model_parameters(str(own), 4) == {"rng": 4, "scenario": str(own),
                                                 **{k: load_scenario(str(own)).params[k] for k in app.LEVERS}}
    assert app.model_parameters(str(own), 4)["amnesty"] == 0.8


@pytest.mark.parametrize("argv, message", [
    (["viz", "--scenario", "nope"], "Unknown scenario 'nope'"),
    (["viz", "--host", "0.0.0.0"], "not a loopback address"),
    (["viz", "--port", "70000"], "out of range"),
    (["viz", "--seed", "-1"], "must be a whole number"),
])
def test_viz_bad_input_exits_2_before_serving(argv, message, capsys):
    import run

    assert run.main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err and "Traceback" not in err


def test_viz_port_in_use_exits_2(capsys):
    import socket

    import run

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        assert run.main(["viz", "--port", str(busy.getsockname()[1])]) == 2
    assert "already in use" in capsys.readouterr().err
