"""The report's charts have fixed layouts (no layout engine): drawn, no title, label, tick label or legend
overlaps another, or another panel, or leaves the figure, for many panels, long names and wide numbers."""

from __future__ import annotations

import itertools

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from matplotlib.transforms import Bbox

from analysis import stats
from analysis.outcomes import ATTACK_TYPES
from analysis.report import charts
from synthetic_store import national_table

ARMS = ["baseline", "border_cooperation", "elder_amnesty", "external_strikes", "external_support_iskp",
        "foreign_support_taliban", "iron_fist", "no_amnesty", "no_prison_escape"]
EVENTS = [{"type": "prison_escape", "date": "2021-08-15"}, {"type": "elder_surrender", "date": "2021-10-31"}]


def labels(fig: plt.Figure) -> list[tuple[str, Bbox]]:
    """(what, extent in pixels) of every text that the layout places: figure titles, notes and legends, and each
    visible panel's titles, axis labels and drawn tick labels (not the notes drawn inside a panel)."""
    renderer = fig.canvas.get_renderer()
    out = []
    for text in fig.texts:   # with the title and the note under the panels
        if text.get_text():
            out.append((f"figure text {text.get_text()[:30]!r}", text.get_window_extent(renderer)))
    out += [("legend", legend.get_window_extent(renderer)) for legend in fig.legends]
    for i, ax in enumerate(a for a in fig.axes if a.get_visible()):
        for text in (ax.title, ax._left_title, ax.xaxis.label, ax.yaxis.label):
            if text.get_text():
                out.append((f"panel {i} {text.get_text()[:30]!r}", text.get_window_extent(renderer)))
        for axis in (ax.xaxis, ax.yaxis):
            low, high = sorted(axis.get_view_interval())
            for tick in axis.get_major_ticks()[:len(axis.get_majorticklocs())]:
                if tick.label1.get_visible() and tick.label1.get_text() and low <= tick.get_loc() <= high:
                    out.append((f"panel {i} tick {tick.label1.get_text()!r}", tick.label1.get_window_extent(renderer)))
    return out


def assert_legible(fig: plt.Figure) -> None:
    fig.canvas.draw()
    page = fig.bbox.padded(1)
    found = labels(fig)
    outside = [what for what, box in found if not (page.contains(box.x0, box.y0) and page.contains(box.x1, box.y1))]
    assert not outside, f"leave the figure: {outside}"
    clash = [(a, b) for (a, box_a), (b, box_b) in itertools.combinations(found, 2) if box_a.overlaps(box_b)]
    assert not clash, f"overlap: {clash[:5]}"
    panels = [(i, ax.get_window_extent()) for i, ax in enumerate(a for a in fig.axes if a.get_visible())]
    inside = [(what, i) for what, box in found for i, panel in panels
              if not what.startswith(f"panel {i} ") and box.overlaps(panel)]
    assert not inside, f"drawn over another panel: {inside[:5]}"
    plt.close(fig)


@pytest.fixture(scope="module")
def bands() -> pd.DataFrame:
    metrics = ["iskp_members", "taliban_strength", *ATTACK_TYPES]
    table = national_table({a: 40.0 * i for i, a in enumerate(ARMS)}, seeds=range(1, 4), steps=104)
    table["taliban_strength"] *= 100.0   # seven-figure tick labels
    return stats.bands(stats.cumulate(table, metrics), metrics).assign(arm=lambda d: d["scenario"])


@pytest.mark.parametrize("n", [1, 2, 5, 8, 9])
def test_small_multiples_are_legible_for_any_number_of_panels(bands, n):
    arms = ARMS[:n]
    for metric in ("iskp_members", "taliban_strength"):
        assert_legible(charts.series_panels(bands, metric, arms, {a: "baseline" for a in arms},
                                            dict(zip(arms, ["#444"] * n)), {a: EVENTS for a in arms}, "A title",
                                            "people"))


def test_overview_and_attack_panels_are_legible(bands):
    colours = dict(zip(ARMS, ["#444"] * len(ARMS)))
    assert_legible(charts.overview(bands, "taliban_strength", ARMS, colours, EVENTS, "Overview", "people"))
    for arms in (ARMS, ARMS[:2]):
        assert_legible(charts.attack_panels(bands, ATTACK_TYPES, arms, colours, EVENTS, "Attacks by type"))


@pytest.mark.parametrize("effect", [0.0, 25.0, -4000.0])
def test_forest_plot_is_legible_for_long_names_and_any_effect_size(effect):
    arms = [*ARMS[1:], "iron_fist (amnesty=0.25, ejk_share=0.5)"]
    rows = [{"arm": a, "outcome": o, "baseline_mean": 70000.0, "effect": effect * (1 + i % 3), "ci_low": effect - 50,
             "ci_high": effect + 50 * (1 + i % 2)} for i, a in enumerate(arms)
            for o in ("iskp_members_final", "civilian_deaths_cum", "attacks_total_cum", "taliban_strength_final",
                      "surrenders_cum")]
    frame = pd.DataFrame(rows)
    if effect == 0.0:   # an outcome that no scenario moves: a zero-width interval at 0
        frame.loc[frame["outcome"] == "taliban_strength_final", ["ci_low", "ci_high"]] = 0.0
    assert_legible(charts.forest(frame, list(dict.fromkeys(frame["outcome"])), dict.fromkeys(arms, "#444"), 104,
                                 "baseline"))
