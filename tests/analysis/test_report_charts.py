"""Legibility of the report's charts and of the one-run PNG: percent forest plot, fitted axes where
effects are small, every event line labelled with captions that match the lines, readable names."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.ticker import PercentFormatter

from analysis import stats
from analysis.report import charts
from analysis.report.wording import number
from sim.views import quicklook
from sim.views.quicklook import quick_chart
from synthetic_store import national_table

EVENTS = [{"type": "prison_escape", "date": "2021-08-15"}, {"type": "elder_surrender", "date": "2021-10-31"},
          {"type": "elder_surrender", "date": "2021-11-05"}, {"type": "elder_surrender", "date": "2022-02-06"}]


def effects_frame() -> pd.DataFrame:
    rows = []
    for arm, effect in (("a", 50.0), ("b", -20.0)):
        for name, base in (("iskp_members_final", 1000.0), ("taliban_strength_final", 70000.0)):
            rows.append({"scenario": arm, "arm": arm, "outcome": name, "n": 10, "baseline_mean": base,
                         "scenario_mean": base + effect, "effect": effect, "ci_low": effect - 5, "ci_high": effect + 5,
                         "relative": effect / base})
    return pd.DataFrame(rows)


def test_forest_plot_is_in_percent_of_the_baseline_with_the_absolute_difference_written():
    eff = effects_frame()
    fig = charts.forest(eff, ["iskp_members_final", "taliban_strength_final"], {"a": "#111", "b": "#222"}, 52,
                        "baseline")
    members, strength = fig.axes[:2]
    for ax in (members, strength):
        assert isinstance(ax.xaxis.get_major_formatter(), PercentFormatter)
        assert min(t.get_fontsize() for t in ax.get_xticklabels()) >= 9
    dots = [line.get_xdata()[0] for line in members.lines if line.get_marker() == "o"]
    assert dots == pytest.approx([5.0, -2.0])  # 50 of 1000, -20 of 1000, in percent
    dots = [line.get_xdata()[0] for line in strength.lines if line.get_marker() == "o"]
    assert dots == pytest.approx([50 / 700, -20 / 700])
    assert [t.get_text() for t in members.texts] == [number(50.0, True), number(-20.0, True)]
    assert min(t.get_fontsize() for t in members.get_yticklabels()) >= 10
    plt.close(fig)


def bands_of(metric: str) -> pd.DataFrame:
    table = stats.cumulate(national_table({"baseline": 0.0, "x": 0.0}, seeds=range(1, 4), steps=30), [metric])
    return stats.bands(table, [metric]).assign(arm=lambda d: d["scenario"])


def test_small_effects_on_indices_get_a_fitted_axis_and_counts_start_at_zero():
    for metric, from_zero in (("mean_legitimacy", False), ("civilian_deaths", True)):  # a stock, a running total
        bands = bands_of(metric)
        fig = charts.series_panels(bands, metric, ["baseline", "x"], {"baseline": "baseline", "x": "baseline"},
                                   {"baseline": "#444", "x": "#07b"}, {}, "t", "u")
        low, high = fig.axes[0].get_ylim()
        data = bands[bands["metric"] == metric]
        assert low <= data["p10"].min() and high >= data["p90"].max()
        if from_zero:
            assert low == 0
        else:
            assert low > 0.5 * data["p10"].min()  # legitimacy 0.25-0.55 is not squashed against 0
        plt.close(fig)


def test_every_event_line_is_labelled_with_its_date_and_the_caption_names_its_dash():
    start = pd.Timestamp("2021-08-15")
    fig, ax = plt.subplots()
    charts.mark_events(ax, EVENTS, start, 52)
    lines = [line for line in ax.lines if len(set(line.get_xdata())) == 1]
    assert len(lines) == 4
    labels = " | ".join(c.get_label() for c in ax.collections if c.get_gid() == "event label")
    for day in ("15 Aug 2021", "31 Oct", "5 Nov 2021", "6 Feb 2022"):
        assert day in labels
    caption = charts.events_caption(EVENTS)
    words = {"--": "dashed", ":": "dotted"}
    escape, surrender = lines[0], lines[1]
    assert f"{words[escape.get_linestyle()]} line: prison escape" in caption
    assert f"{words[surrender.get_linestyle()]} line: elder-brokered surrenders" in caption
    plt.close(fig)


def test_one_run_chart_has_readable_names_units_and_fitted_slow_series(tmp_path):
    table = national_table({"baseline": 0.0}, seeds=[1], steps=20)
    assert quick_chart(table, tmp_path / "main_series.png").stat().st_size > 10_000
    axes = quicklook.figure(table).axes
    labels = [t.get_text() for ax in axes for t in (ax.get_legend().get_texts() if ax.get_legend() else [])]
    assert labels and not [t for t in labels if "_" in t]  # no raw column names
    assert all(ax.get_ylabel() for ax in axes) and all("_" not in ax.get_title(loc="left") for ax in axes)
    strength = next(ax for ax in axes if ax.get_title(loc="left") == "Taliban strength")
    assert strength.get_ylim()[0] > 0.5 * table["taliban_strength"].min()
    assert np.isclose(next(ax for ax in axes if ax.get_title(loc="left") == "Attacks per week").get_ylim()[0], 0)
