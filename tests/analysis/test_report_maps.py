"""The report's province maps: vector outlines, 34 numbered provinces without colliding labels, print
width, per-100,000 scaling, and marks exactly where a difference exceeds the seed noise."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.collections import PathCollection
from PIL import Image

from analysis.report import map_figures, maps
from analysis.report.style import save
from sim.inputs.geography import load_geography
from synthetic_store import national_table, province_table


def numbers(ax) -> list[tuple[int, bool, object]]:
    """(number, bold, box in pixels) of every province number drawn on ``ax``."""
    out = []
    for c in ax.collections:
        if c.get_gid() in ("numbers", "numbers bold"):
            bold = c.get_gid() == "numbers bold"
            which = {id(maps.glyphs(str(k), maps.NUMBER_SIZE, bold)): k for k in range(1, 35)}
            at = c.get_offset_transform().transform(c.get_offsets())
            for path, (x, y) in zip(c.get_paths(), at):
                box = path.get_extents(c.get_transform()).translated(x, y)
                out.append((which[id(path)], bold, box))
    return out


def test_every_province_is_a_filled_vector_shape_with_a_number_that_collides_with_none(tmp_path):
    geo = load_geography()
    values = {n: float(i) for i, n in enumerate(geo.names)}
    fig = maps.map_grid([("a", values), ("b", values), ("c", values)], "t", "unit")
    ax = fig.axes[0]
    assert not ax.images  # no raster
    filled = [c for c in ax.collections if isinstance(c, PathCollection)][0]
    assert len(filled.get_paths()) == geo.n_provinces
    assert sorted(filled.get_array().tolist()) == sorted(values.values())
    labels = numbers(ax)
    assert sorted(k for k, _, _ in labels) == list(range(1, 35))
    boxes = [box for _, _, box in labels]
    assert all(box.width > 2 and box.height > 5 for box in boxes)  # drawn at a legible size (pixels)
    collide = [(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1:] if a.overlaps(b)]
    assert collide == []
    key = "\n".join(t.get_text() for t in fig.texts + [t for sf in fig.subfigs for t in sf.texts])
    assert all(f"{i + 1:>2}  {n}" in key for i, n in enumerate(geo.names))
    png = save(fig, tmp_path, "m")[0]
    assert Image.open(png).size[0] >= maps.PRINT_WIDTH_PX


def test_marked_provinces_get_a_bold_outline_and_number():
    geo = load_geography()
    values = {n: 1.0 for n in geo.names}
    fig = maps.map_grid([("a", values)], "t", "unit", diverging=True, marked={"a": frozenset({"Kabul", "Herat"})})
    ax = fig.axes[0]
    bold = sorted(k for k, b, _ in numbers(ax) if b)
    assert bold == sorted(geo.index(n) + 1 for n in ("Kabul", "Herat"))
    outlined = [c for c in ax.collections if c.get_gid() == "marked"]
    assert [len(c.get_paths()) for c in outlined] == [2]
    assert outlined[0].get_linewidth()[0] > 1.5 and not outlined[0].get_facecolor().any()
    plt.close(fig)


def test_per_100k_divides_by_the_province_population():
    geo = load_geography()
    scaled = maps.per_100k({"Kabul": 100.0, "Kapisa": 100.0})
    assert scaled["Kabul"] == 100.0 / geo.population[geo.index("Kabul")] * 1e5
    assert scaled["Kapisa"] > scaled["Kabul"]  # same count, fewer people
    assert map_figures.scaled("legitimacy", {"Kabul": 0.5}, True) == {"Kabul": 0.5}  # an index is not rescaled


def test_only_provinces_with_a_difference_beyond_seed_noise_are_marked():
    national = national_table({"baseline": 0.0, "x": 0.0}, seeds=range(1, 13), steps=3)
    provinces = province_table(national)
    rng = np.random.default_rng(5)
    provinces["iskp_members"] = rng.normal(100, 10, len(provinces))  # pure noise everywhere ...
    shift = (provinces["scenario"] == "x") & provinces["province"].isin(["Kunar", "Herat"])
    provinces.loc[shift, "iskp_members"] += 60.0                       # ... but a real effect in two
    marks = map_figures.marked_provinces(map_figures.cumulated(provinces, [3]), "iskp_members", 3, "baseline", 2000)
    assert set(marks) <= {("x",)}
    # the 32 others are false marks at ~5-8% each (Binomial(32, 0.08): 99.9th percentile 8)
    assert {"Kunar", "Herat"} <= marks[("x",)] and len(marks[("x",)]) <= 2 + 8


def test_the_report_writes_difference_maps_with_marks_and_the_per_100k_variant(tmp_path):
    import run
    from synthetic_store import write_store

    store = write_store(tmp_path / "s", national_table({"baseline": 0.0, "iron_fist": 300.0}, seeds=range(1, 6)))
    assert run.main(["report", str(store), "--resamples", "1000", "--per-100k"]) == 0
    charts = store / "report" / "charts"
    assert (charts / "map_iskp_members_difference_per_100k.png").exists()
    assert Image.open(charts / "map_attacks_total_baseline_per_100k.png").size[0] >= maps.PRINT_WIDTH_PX
    page = (store / "report" / "report.html").read_text(encoding="utf-8")
    assert "outlined in bold differ by more than the seed noise" in page
    assert pd.read_json(store / "report" / "manifest.json", typ="series")["maps_per_100k"]
