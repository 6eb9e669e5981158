"""In-process test of the browser view (``sim/views/app.py``) with ``solara.render``: no server, no browser.

The controls are rendered inline (``View(sidebar=False)``) because Solara's sidebar is a portal that
``solara.render`` does not include (docs/sources.md#mesa_viz). Every check goes through the widgets a user
touches: buttons, the scenario picker, sliders, the layer toggle, and the text and images shown.
"""

from __future__ import annotations

import ipyvuetify as v
import ipywidgets
import numpy as np
import pytest
import solara

from sim.views import app
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
    """A lever slider by its label (the label also shows the value: "Amnesty ...: 0.50")."""
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
    assert slider(ui, "Amnesty (generosity of terms)").label.endswith(": 0.90")


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


def test_border_segments_separate_different_provinces():
    grid = np.pad(load_geography().province_grid, 1, constant_values=-1)
    internal, outline = app.border_segments()
    for segments, on_outline in ((internal, False), (outline, True)):
        assert len(segments)
        for (x0, y0), (x1, y1) in segments:
            assert abs(x1 - x0) + abs(y1 - y0) == 1.0  # one cell edge
            mx, my = (x0 + x1) / 2 + 1, (y0 + y1) / 2 + 1  # +1: the padding
            if x0 == x1:   # vertical edge between the cells left and right of it
                a, b = grid[int(mx - 0.5), int(my)], grid[int(mx + 0.5), int(my)]
            else:
                a, b = grid[int(mx), int(my - 0.5)], grid[int(mx), int(my + 0.5)]
            assert a != b and ((-1 in (a, b)) == on_outline)


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
