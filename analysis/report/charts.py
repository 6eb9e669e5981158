"""Charts of scenario results: time series with 10-90% bands and event marks, and the forest plot.

Inputs are the tidy frames of ``analysis.stats`` with an ``arm`` label column added; outputs are
matplotlib figures (saved with ``analysis.report.style.save``).
"""

from __future__ import annotations

import math
from functools import lru_cache

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.collections import PathCollection
from matplotlib.path import Path as MplPath
from matplotlib.ticker import MaxNLocator, PercentFormatter
from matplotlib.transforms import Affine2D, blended_transform_factory

from analysis.outcomes import LABELS, outcome
from analysis.report import layout
from analysis.report.style import BASELINE_COLOUR, PALETTE, pretty
from analysis.report.wording import number

EVENT_NAMES = {"prison_escape": "prison escape", "elder_surrender": "elder-brokered surrenders"}
EVENT_SHORT = {"elder_surrender": "surrenders"}  # in the line labels, which must fit a panel's height
EVENT_STYLE = {"prison_escape": ("#8B0000", "--"), "elder_surrender": ("#2E7D32", ":")}
DEFAULT_EVENT_STYLE = ("#555555", "-.")
DASH_WORDS = {"--": "dashed", ":": "dotted", "-.": "dash-dotted", "-": "solid"}
EVENT_GAP_WEEKS = 3  # events of one type closer than this share one label ("31 Oct, 5 Nov 2021")


def events_caption(events: list[dict]) -> str:
    """What the event lines look like, in words that match them, e.g. 'dashed: prison escape; dotted: ...'."""
    kinds = dict.fromkeys(str(e["type"]) for e in sorted(events, key=lambda e: str(e["date"])))
    return "; ".join(f"{DASH_WORDS[EVENT_STYLE.get(k, DEFAULT_EVENT_STYLE)[1]]} line: "
                     f"{EVENT_NAMES.get(k, pretty(k))}" for k in kinds)


def start_date(bands: pd.DataFrame) -> pd.Timestamp:
    """Calendar date of step 0 (steps are weeks)."""
    first = bands.loc[bands["step"].idxmin()]
    return pd.Timestamp(first["date"]) - pd.Timedelta(weeks=int(first["step"]))


def week_of(start: pd.Timestamp, when: object) -> float:
    """Position of a calendar date on the week axis."""
    return (pd.Timestamp(when) - start) / pd.Timedelta(weeks=1)


def date_axis(ax: plt.Axes, start: pd.Timestamp, last_step: int) -> None:
    """Calendar dates as tick labels on an axis whose x values are weeks (fast: no date locators)."""
    end = start + pd.Timedelta(weeks=last_step)
    span_months = max(1, (end.year - start.year) * 12 + end.month - start.month)
    every = next(m for m in (1, 2, 3, 6, 12, 24, 60) if span_months / m <= 5)
    months = pd.date_range(start.to_period("M").to_timestamp(), end, freq="MS")
    ticks = [d for d in months if d >= start and (d.month - 1) % every == 0]
    ax.set_xticks([week_of(start, d) for d in ticks], [d.strftime("%b %Y") for d in ticks])
    ax.set_xlim(0, last_step)


def event_groups(events: list[dict], start: pd.Timestamp, last: int) -> list[tuple[str, list[float], str]]:
    """(type, weeks, label) per run of same-type events less than ``EVENT_GAP_WEEKS`` apart, up to week ``last``.

    The label names the type and every date, e.g. 'surrenders 31 Oct, 5 Nov 2021'.
    """
    groups: list[tuple[str, list[float], list[pd.Timestamp]]] = []
    for ev in sorted(events, key=lambda e: str(e["date"])):
        when = week_of(start, ev["date"])
        if not 0 <= when <= last:
            continue
        kind = str(ev["type"])
        if groups and groups[-1][0] == kind and when - groups[-1][1][-1] < EVENT_GAP_WEEKS:
            groups[-1][1].append(when)
            groups[-1][2].append(pd.Timestamp(ev["date"]))
        else:
            groups.append((kind, [when], [pd.Timestamp(ev["date"])]))
    out = []
    for kind, weeks, dates in groups:
        days = ", ".join(d.strftime("%-d %b") for d in dates)
        name = EVENT_SHORT.get(kind, EVENT_NAMES.get(kind, pretty(kind)))
        out.append((kind, weeks, f"{name} {days} {dates[-1].year}"))
    return out


def mark_events(ax: plt.Axes, events: list[dict], start: pd.Timestamp, last: int, label: bool = True) -> None:
    """Vertical lines at the scheduled events up to week ``last``, every one labelled with its name and date.

    A label reads upwards from the top of the panel, right of its line, with a white halo: glyph outlines
    (``event_label``, its text as the collection's label) in one collection of two paths, the halo and the
    letters. As texts with a stroke path effect they were converted to outlines anew at every drawing, a
    fifth of a small-multiples chart's time.
    """
    trans = blended_transform_factory(ax.transData, ax.transAxes)
    for kind, weeks, text in event_groups(events, start, last):
        colour, dash = EVENT_STYLE.get(kind, DEFAULT_EVENT_STYLE)
        for when in weeks:  # over the bands (zorder 1) even if these are drawn later, under the lines (2)
            ax.axvline(when, color=colour, ls=dash, lw=1.1, alpha=0.85, zorder=1.5)
        if label:
            path = event_label(text)
            note = PathCollection([path, path], offsets=[(weeks[-1], 0.985)], offset_transform=trans,
                                  transform=layout.in_points(ax.figure), facecolors=["none", colour],
                                  edgecolors=["white", "none"], linewidths=[2.0, 0.0], zorder=3, label=text,
                                  gid="event label")
            note.set_in_layout(False)
            ax.add_collection(note, autolim=False)


@lru_cache(maxsize=None)
def event_label(text: str, size: float = 7) -> MplPath:
    """``text`` as glyph outlines (points) reading upwards, its ink's left edge at x = 0 and its top ``size``
    points under y = 0 (where the rotated text, aligned left and top, had them in the saved charts)."""
    path = layout.glyphs(text, size).transformed(Affine2D().rotate_deg(90))
    box = path.get_extents()
    return path.transformed(Affine2D().translate(-box.x0, -box.y1 - size))


def fit_ylim(ax: plt.Axes, low: float, high: float) -> None:
    """Start at 0 unless the data sit far above it: then fit them, so that small effects stay visible."""
    if not (np.isfinite(low) and np.isfinite(high)):
        return
    if low > 0.3 * high > 0:
        pad = 0.08 * (high - low) or 0.05 * high
        ax.set_ylim(low - pad, high + pad)
    else:
        ax.set_ylim(min(0.0, low), high * 1.05 if high > 0 else 1.0)


def _band(ax: plt.Axes, rows: pd.DataFrame, colour: str, label: str | None, lw: float = 1.8,
          alpha: float = 0.2) -> list[plt.Artist]:
    """The 10-90% band and the median line of ``rows``; returns both artists."""
    rows = rows.sort_values("step")
    band = ax.fill_between(rows["step"], rows["p10"], rows["p90"], color=colour, alpha=alpha, lw=0)
    return [band, *ax.plot(rows["step"], rows["median"], color=colour, lw=lw, label=label)]


def _grid(n: int, ncols: int = 4, width: float = 3.6, height: float = 2.7) -> tuple[plt.Figure, list[plt.Axes]]:
    """``n`` panels sharing both axes, ``ncols`` a row; a panel with none under it shows its dates.

    Only the ``n`` panels are made: the empty cells of the last row get no (hidden) axes."""
    ncols = min(ncols, n)
    nrows = math.ceil(n / ncols)
    # one panel alone is two wide: room for the note
    fig = plt.figure(figsize=(width * max(ncols, 2), height * nrows + 0.9))
    grid = fig.add_gridspec(nrows, ncols)
    axes = [fig.add_subplot(grid[0, 0])]
    axes += [fig.add_subplot(grid[divmod(i, ncols)], sharex=axes[0], sharey=axes[0]) for i in range(1, n)]
    for ax in axes:
        ax.label_outer()
    for ax in axes[max(0, n - ncols):]:
        ax.xaxis.set_tick_params(labelbottom=True)
    return fig, axes


def _titles(fig: plt.Figure, title: str, note: str = "", note_size: float = 9) -> None:
    """The figure's title at the top and a note at the bottom, at fixed distances from the edges."""
    height = fig.get_size_inches()[1]
    fig.suptitle(title, y=1 - 0.08 / height, va="top")
    if note:
        fig.supxlabel(note, y=0.06 / height, va="bottom", fontsize=note_size, color="#444444")


def _left_margin(ax: plt.Axes, ylabel: bool = True) -> tuple[float, float]:
    """(left margin, gap from the axis to its y label) in inches, for the axis's widest y tick label."""
    gap = layout.ytick_width(ax) + layout.TICKS_IN + 0.04
    return gap + (plt.rcParams["axes.labelsize"] * layout.LINE_IN + 0.08 if ylabel else 0.1), gap


class SeriesPanels:
    """Small multiples, one panel per arm: a metric's median and 10-90% band in colour over the ``reference``
    arm's (the baseline) in grey. The panels, their titles, dates and event marks are the same for every
    metric and cost about as much to make as a figure costs to draw: they are made once, and ``draw`` puts
    one metric after another on them (the figure is saved after each)."""

    NOTE = "line: median over seeds; band: 10th-90th percentile; grey: baseline"

    def __init__(self, bands: pd.DataFrame, arms: list[str], reference: dict[str, str], colours: dict[str, str],
                 events: dict[str, list[dict]]) -> None:
        self.bands, self.arms, self.reference, self.colours = bands, arms, reference, colours
        start, self.last = start_date(bands), int(bands["step"].max())
        self.fig, self.axes = _grid(len(arms))
        date_axis(self.axes[0], start, self.last)  # the axes share x: one locator, formatter and limits for all
        for ax, arm in zip(self.axes, arms):
            mark_events(ax, events.get(arm, []), start, self.last)
            ax.set_title(arm, color=colours[arm], fontsize=10.5)
        self.drawn: list[plt.Artist] = []  # the current metric's bands and lines

    def draw(self, metric: str, title: str, ylabel: str) -> plt.Figure:
        """The figure of ``metric`` (the previous metric's bands removed), laid out for its y tick labels."""
        for artist in self.drawn:
            artist.remove()
        data = self.bands[self.bands["metric"] == metric]
        axes = self.axes
        # the y limits first (the axes share them): drawing into axes with fixed limits skips autoscaling them
        fit_ylim(axes[0], *((float(data["p10"].min()), float(data["p90"].max())) if len(data) else (0.0, 0.0)))
        self.drawn = []
        for ax, arm in zip(axes, self.arms):
            base = data[data["arm"] == self.reference.get(arm)]
            if self.reference.get(arm) != arm and len(base):
                self.drawn += _band(ax, base, BASELINE_COLOUR, "baseline", lw=1.2, alpha=0.12)
            self.drawn += _band(ax, data[data["arm"] == arm], self.colours[arm], arm)
        for ax in axes[:: min(4, len(self.arms))]:
            ax.set_ylabel(ylabel)
        left, gap = _left_margin(axes[0])
        # inches: suptitle and panel titles above, one line of dates and the note below, panel titles between rows
        layout.place(self.fig, left=left, right=0.3, top=0.7, bottom=0.6, wgap=0.25, hgap=0.42)
        for ax in axes:
            layout.fix_labels(ax, gap)
        _titles(self.fig, title, self.NOTE)
        return self.fig


def series_panels(bands: pd.DataFrame, metric: str, arms: list[str], reference: dict[str, str],
                  colours: dict[str, str], events: dict[str, list[dict]], title: str, ylabel: str) -> plt.Figure:
    """One metric's small multiples (``SeriesPanels``) in a figure of its own."""
    return SeriesPanels(bands, arms, reference, colours, events).draw(metric, title, ylabel)


def overview(bands: pd.DataFrame, metric: str, arms: list[str], colours: dict[str, str], events: list[dict],
             title: str, ylabel: str) -> plt.Figure:
    """All arms on one axis (median lines; the first arm, the baseline, with its band), named at the line ends."""
    data = bands[bands["metric"] == metric]
    start, last = start_date(bands), int(bands["step"].max())
    fig, ax = plt.subplots(figsize=(11, 5.5))
    ends = _arm_medians(ax, data, arms, colours, base_lw=2.6, lw=1.7)
    mark_events(ax, events, start, last)
    date_axis(ax, start, last)
    ax.set_ylabel(ylabel)
    if len(data):
        fit_ylim(ax, float(data["p10"].min()), float(data["p90"].max()))
    left, gap = _left_margin(ax)
    layout.place(fig, left=left, right=0.15, top=0.42, bottom=0.62)  # the line names are inside the axes
    layout.fix_labels(ax, gap)
    _label_ends(ax, ends, colours, last)
    ax.set_title(title, loc="left")
    fig.text(left / 11, 0.08 / 5.5, f"lines: median over seeds; grey band: {arms[0]} 10th-90th percentile "
             "(the per-scenario charts show every band)", fontsize=8.5, color="#444444", va="bottom")
    return fig


def _arm_medians(ax: plt.Axes, data: pd.DataFrame, arms: list[str], colours: dict[str, str],
                 base_lw: float, lw: float) -> list[tuple[float, str]]:
    """The first arm (the baseline) with its 10-90% band, the others as median lines; returns the line ends."""
    ends = []
    for arm in arms:
        rows = data[data["arm"] == arm].sort_values("step")
        if arm == arms[0]:
            _band(ax, rows, colours[arm], arm, lw=base_lw, alpha=0.15)
        else:
            ax.plot(rows["step"], rows["median"], color=colours[arm], lw=lw, label=arm)
        if len(rows):
            ends.append((float(rows["median"].iloc[-1]), arm))
    return ends


def _label_ends(ax: plt.Axes, ends: list[tuple[float, str]], colours: dict[str, str], last: int) -> None:
    """Name each line at its end, nudging labels apart so they do not overlap."""
    ends.sort()
    lo, hi = ax.get_ylim()
    gap = (hi - lo) * 0.045
    placed: list[float] = []
    for y, arm in ends:
        y = max(y, placed[-1] + gap) if placed else y
        placed.append(y)
        note = ax.annotate(arm, (last, y), xytext=(6, 0), textcoords="offset points", va="center", fontsize=8.5,
                           color=colours[arm], annotation_clip=False)
        note.set_in_layout(False)  # room is made below, by widening the axis, not by shrinking it
    ax.set_xlim(0, last * (1.04 + 0.0095 * max(len(arm) for _, arm in ends)))
    ax.spines["bottom"].set_bounds(0, last)


def attack_panels(bands: pd.DataFrame, types: tuple[str, ...], arms: list[str], colours: dict[str, str],
                  events: list[dict], title: str) -> plt.Figure:
    """One panel per attack type (own scale) with every arm's cumulative median; baseline with its band."""
    start, last = start_date(bands), int(bands["step"].max())
    fig, axes = plt.subplots(2, math.ceil(len(types) / 2), figsize=(13, 8), squeeze=False)
    for ax, t in zip(axes.ravel(), types):
        _arm_medians(ax, bands[bands["metric"] == t], arms, colours, base_lw=2.4, lw=1.5)
        mark_events(ax, events, start, last)
        ax.set_title(LABELS.get(t, t).capitalize())
        ax.set_ylabel("attacks since start")
        ax.set_ylim(bottom=0)
        date_axis(ax, start, last)
    ncols = min(len(arms), 4)
    legend_in = (math.ceil(len(arms) / ncols) * 1.5 + 0.8) * 10 / 72  # rows of 10-point names, and padding
    left, gap = max((_left_margin(ax) for ax in axes.ravel()), key=lambda m: m[0])
    # between the columns: the right-hand panel's y label and tick labels, and the left one's last date
    layout.place(fig, left=left, right=0.3, top=0.7, bottom=0.5 + legend_in, wgap=left + 0.3, hgap=0.72)
    for ax in axes.ravel():
        layout.fix_labels(ax, gap)
    arms_lines = [line for line in axes[0][0].get_lines() if not line.get_label().startswith("_")]  # not events
    fig.legend(arms_lines, [line.get_label() for line in arms_lines], loc="lower center", ncols=ncols,
               bbox_to_anchor=(0.5, 0.06 / 8))
    _titles(fig, title)
    return fig


def forest(effects: pd.DataFrame, outcomes: list[str], colours: dict[str, str], horizon: int,
           baseline: str, ncols: int = 3) -> plt.Figure:
    """One panel per outcome: each arm's mean paired difference to the baseline, in percent of the
    baseline's mean, with its 95% CI; the absolute difference is written beside each dot."""
    arms = list(dict.fromkeys(effects["arm"]))
    ncols = min(ncols, len(outcomes))
    nrows = math.ceil(len(outcomes) / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(3.1 * ncols + 1.8, (0.42 * len(arms) + 1.3) * nrows + 0.9),
                             sharey=True, squeeze=False)
    y = np.arange(len(arms))[::-1]
    for ax, name in zip(axes.ravel(), outcomes):
        rows = effects[effects["outcome"] == name].set_index("arm").reindex(arms)
        base = rows["baseline_mean"].where(rows["baseline_mean"] != 0)
        pct = rows[["effect", "ci_low", "ci_high"]].div(base, axis=0) * 100
        for yi, arm in zip(y, arms):
            r, p = rows.loc[arm], pct.loc[arm]
            if not np.isfinite(p["effect"]):
                ax.text(0, yi, " n/a (baseline 0)", va="center", fontsize=8.5, color="#666666")
                continue
            ax.plot([p["ci_low"], p["ci_high"]], [yi, yi], color=colours[arm], lw=2.4, solid_capstyle="butt")
            clear = r["ci_low"] > 0 or r["ci_high"] < 0
            ax.plot(p["effect"], yi, "o", ms=7, color=colours[arm], mfc=colours[arm] if clear else "white", mew=1.6)
            ax.annotate(number(r["effect"], signed=True), (p["effect"], yi), xytext=(0, 7),
                        textcoords="offset points", ha="center", va="bottom", fontsize=8.5, color="#333333")
        ax.axvline(0, color="black", lw=0.9)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=4, steps=[1, 2, 2.5, 5, 10]))  # room for labels like -0.05%
        ax.xaxis.set_major_formatter(PercentFormatter(decimals=None))
        ax.set_xlabel("difference, % of the baseline's mean", fontsize=9)
        ax.set_title(outcome(name).phrase(horizon).replace(" at week", "\nat week").replace(" by week", "\nby week"),
                     fontsize=11)
        ax.grid(axis="y", visible=False)
        ax.tick_params(axis="x", labelsize=9.5)
        ax.margins(x=0.12, y=0.18)
    for row in axes:
        row[0].set_yticks(y, arms, fontsize=10.5)
    for ax in axes.ravel()[len(outcomes):]:
        ax.set_visible(False)
    left = layout.text_width(fig, arms, 10.5) + layout.TICKS_IN + 0.1
    # inches: two-line panel titles above each row, tick labels and the axis label under each
    layout.place(fig, left=left, right=0.35, top=0.85, bottom=0.8, wgap=0.5, hgap=1.05)
    for ax in axes.ravel():
        layout.fix_labels(ax, 0.0)
    _titles(fig, f"Effect of each scenario compared with the {pretty(baseline)} (same seeds)",
            "dot: mean paired difference (number above it: in the outcome's own units); bar: bootstrap 95% "
            "confidence interval; filled dot: the interval excludes 0", note_size=9.5)
    return fig


def _outcome_label(name: str) -> str:
    try:
        return outcome(name).label
    except ValueError:
        return name


def _hbars(ax: plt.Axes, names: list[str], series: list[tuple[str, np.ndarray, np.ndarray, str]]) -> None:
    """Horizontal bars (one group per name, first name on top) with 95% CI whiskers."""
    y = np.arange(len(names))[::-1]
    height = 0.8 / len(series)
    for i, (label, values, conf, colour) in enumerate(series):
        offset = (len(series) - 1) / 2 * height - i * height
        ax.barh(y + offset, values, height=height, xerr=conf, color=colour, label=label,
                error_kw={"ecolor": "#222222", "elinewidth": 1.0, "capsize": 2.5})
    ax.set_yticks(y, names)
    ax.axvline(0, color="black", lw=0.8)
    ax.grid(axis="y", visible=False)


MAX_BARS = 25


def morris_bars(table: pd.DataFrame, name: str, seeds: int) -> plt.Figure:
    """Morris mu* (mean absolute elementary effect) per parameter with its 95% CI, most influential on top."""
    t = table.head(MAX_BARS)
    fig, ax = plt.subplots(figsize=(9, 0.3 * len(t) + 1.8), layout="constrained")
    _hbars(ax, list(t["parameter"]), [("mu*", t["mu_star"].to_numpy(), t["mu_star_conf"].to_numpy(), PALETTE[0])])
    ax.set_xlabel(f"mu*: mean absolute change in {_outcome_label(name)} when the parameter moves across its band\n"
                  f"(whiskers: bootstrap 95% CI; {_seeds_note(seeds)})", fontsize=9)
    more = f" (top {MAX_BARS} of {len(table)}; all in morris.csv)" if len(table) > MAX_BARS else ""
    ax.set_title(f"Morris screening: what moves {_outcome_label(name)}{more}", loc="left")
    return fig


def _seeds_note(seeds: int) -> str:
    return f"outcome averaged over {seeds} seeds per design point" if seeds > 1 else "one seed per design point"


def sobol_bars(table: pd.DataFrame, name: str, seeds: int) -> plt.Figure:
    """Sobol first-order (S1) and total (ST) indices per parameter with their 95% CIs."""
    t = table.head(MAX_BARS)
    fig, ax = plt.subplots(figsize=(9, 0.45 * len(t) + 1.8), layout="constrained")
    _hbars(ax, list(t["parameter"]), [
        ("first order S1 (alone)", t["S1"].to_numpy(), t["S1_conf"].to_numpy(), PALETTE[0]),
        ("total ST (with interactions)", t["ST"].to_numpy(), t["ST_conf"].to_numpy(), PALETTE[1])])
    ax.set_xlabel(f"share of the variance of {_outcome_label(name)} explained\n"
                  f"(whiskers: bootstrap 95% CI; {_seeds_note(seeds)})", fontsize=9)
    ax.set_title(f"Sobol indices of {_outcome_label(name)}", loc="left")
    ax.legend(loc="lower right")
    return fig
