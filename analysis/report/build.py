"""``run.py report RESULTS_DIR``: charts, effect table, maps and one self-contained report.html.

Reads only the results store (``sim.results.load.load``); scenario event dates come from the store's
manifest or, failing that, the scenario files; the map raster from ``sim.inputs.geography``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Callable

import pandas as pd

from sim.errors import UserError
from sim.results.manifest import git_revision, now, versions, write_json_atomic

from analysis import stats
from analysis.report import charts, html, map_figures, sections, summary
from analysis.report.parallel import run_jobs
from analysis.outcomes import (ATTACK_TYPES, HEADLINE, LABELS, SERIES, SET_COLUMN, is_flow, outcome, param_columns,
                               per_run, posterior_record, with_sets)
from analysis.scenarios import scenario_info
from sim.outputs import PROVINCE_METRICS
from sim.results.load import load
from sim.results.store import Store
from analysis.report.style import arm_labels, colours, pretty, save
from analysis.report.wording import effect_sentence, number, posterior_sentence

SERIES_PER_JOB = 4  # small-multiples charts drawn on one set of panels, one after another, in one job


@dataclass
class Chart:
    """One saved chart and the words that go with it in the report."""

    section: str
    title: str
    caption: str
    paths: list[Path] = field(default_factory=list)


@dataclass
class Results:
    """What the report is made of, computed once from the store."""

    national: pd.DataFrame
    provinces: pd.DataFrame
    manifest: dict
    baseline: str
    arms: list[str]
    scenario_of: dict[str, str]
    reference: dict[str, str]  # arm -> the baseline arm with the same varied-parameter values
    colours: dict[str, str]
    params: list[str]
    horizon: int
    effects: pd.DataFrame
    posterior: dict | None = None          # the manifest's record of the posterior draw, if any
    per_set: pd.DataFrame | None = None    # per arm, outcome and posterior set: the mean paired effect
    set_params: pd.DataFrame | None = None  # per posterior set: its parameter values
    svg: bool = False

    def save(self, fig, folder: Path, name: str, keep_open: bool = False) -> list[Path]:
        return save(fig, folder, name, svg=self.svg, keep_open=keep_open)


def check(store, baseline: str, where: Path) -> None:
    """Refuse stores the report cannot describe, naming the folder and what to do."""
    national = store.national
    if national is None or national.empty:
        raise UserError(f"Results store '{where}' holds no runs (its national table is empty). Run a sweep into it "
                        f"first, e.g. `python run.py sweep --scenarios all --seeds 20 --out {where}`.")
    found = sorted(national["scenario"].astype(str).unique())
    if baseline not in found:
        raise UserError(f"Results store '{where}' has no runs of the baseline scenario '{baseline}' (it has: "
                        f"{', '.join(found)}). Effects are differences to the baseline: add it to the sweep "
                        f"(--scenarios {baseline},...) or name another scenario with --baseline.")


def posterior_columns(manifest: dict) -> dict[str, str]:
    """Column -> parameter of the posterior's parameters in a posterior store's tables (else empty)."""
    record = posterior_record(manifest)
    return {(manifest.get("varied") or {}).get(n, n): n for n in record["parameters"]} if record else {}


def unread_province_columns(manifest: dict) -> list[str]:
    """Columns of the province table (the largest) that the report does not use: the outputs it does not map,
    the date, and a posterior's parameters (one column each, tens of them, describing the sets, not the arms)."""
    return ["date", *(m for m in PROVINCE_METRICS if m not in map_figures.MAP_METRICS), *posterior_columns(manifest)]


def compute(where: Path, baseline: str, resamples: int) -> Results:
    """Load the store (what it needs of the province table) and compute the paired effects."""
    store = load(where, skip={"provinces": unread_province_columns(Store(where).read_manifest())})
    check(store, baseline, where)
    manifest = store.manifest or {}
    record = posterior_record(manifest)
    # the maps compare arms province by province and need no set numbers: the largest table is not copied
    national, provinces = with_sets(store.national, manifest), store.provinces
    set_params = None
    if record:   # the posterior's columns describe the sets, not the arms: keep them aside
        cols = posterior_columns(manifest)
        set_params = national.drop_duplicates(SET_COLUMN).set_index(SET_COLUMN)[list(cols)].rename(columns=cols)
        national = national.drop(columns=list(cols))
    params = param_columns(national)
    runs = per_run(national, HEADLINE)
    if record:
        effects = stats.posterior_effects(runs, HEADLINE, baseline=baseline, arm=params, n_resamples=resamples)
        per_set = stats.set_effects(runs, HEADLINE, baseline=baseline, arm=params)
    else:
        effects, per_set = stats.effects(runs, HEADLINE, baseline=baseline, n_resamples=resamples), None
    effects.insert(0, "arm", arm_labels(effects, params))
    arms_df = national[["scenario", *params]].drop_duplicates()
    arms_df = arms_df.assign(arm=arm_labels(arms_df, params), first=arms_df["scenario"] != baseline)
    arms = list(arms_df.sort_values(["first", "scenario", *params])["arm"])
    scenario_of = dict(zip(arms_df["arm"], arms_df["scenario"].astype(str)))
    base_arms = arms_df[arms_df["scenario"] == baseline]
    matched = arms_df.merge(base_arms[[*params, "arm"]], on=params, how="left", suffixes=("", "_base")) \
        if params else arms_df.assign(arm_base=pretty(baseline))
    reference = dict(zip(matched["arm"], matched["arm_base"]))
    return Results(national, provinces, manifest, baseline, arms, scenario_of, reference,
                   colours(arms, set(base_arms["arm"])), params, int(national["step"].max()), effects, record,
                   per_set, set_params.sort_index() if set_params is not None else None)


def time_series(r: Results, folder: Path) -> list[tuple[int, Callable[[], list[Chart]]]]:
    """Jobs (``analysis.report.parallel``) of the over-time charts, each with the panels it draws (its rough
    cost): the overview, the small-multiples charts of the key metrics (``SERIES_PER_JOB`` a job, redrawing
    one set of panels) and attacks by type. The bands all of them draw are computed here, once."""
    metrics = list(SERIES) + list(ATTACK_TYPES)
    bands = stats.bands(stats.cumulate(r.national, metrics), metrics)
    bands = bands.assign(arm=arm_labels(bands, r.params))
    events = {arm: scenario_info(r.manifest, s)["events"] for arm, s in r.scenario_of.items()}
    base_events = events.get(r.arms[0], [])
    marks = f"vertical lines mark the scheduled events ({charts.events_caption(base_events)})" if base_events \
        else "no scheduled events"

    def overview() -> list[Chart]:
        fig = charts.overview(bands, "iskp_members", r.arms, r.colours, base_events,
                              "ISIS-K members under each scenario", "people")
        return [Chart("series", "ISIS-K members under each scenario",
                      f"Median over seeds of each scenario; the grey band is the baseline's 10th-90th percentile; "
                      f"{marks}.", r.save(fig, folder, "overview_iskp_members"))]

    def series(metrics: tuple[str, ...]) -> list[Chart]:
        panels = charts.SeriesPanels(bands, r.arms, r.reference, r.colours, events)
        out = []
        for m in metrics:
            label = LABELS.get(m, m)
            title = f"{label[0].upper()}{label[1:]}{' since the start (cumulative)' if is_flow(m) else ''}"
            fig = panels.draw(m, title, "0-1" if "(0-1)" in label else "people")
            out.append(Chart("series", title, "Each panel: one scenario (colour) over the baseline (grey); "
                             f"line = median over seeds, band = 10th-90th percentile; {marks}. Stocks and shares "
                             "far from zero have a fitted vertical axis (not from 0), so that small differences show.",
                             r.save(fig, folder, f"series_{m}", keep_open=m != metrics[-1])))
        return out

    def attacks() -> list[Chart]:
        fig = charts.attack_panels(bands, ATTACK_TYPES, r.arms, r.colours, base_events,
                                   "ISIS-K attacks by type since the start")
        return [Chart("series", "ISIS-K attacks by type", "Cumulative attacks of each type, median over seeds; "
                      f"the baseline is drawn with its 10th-90th percentile band. Each panel has its own scale; "
                      f"{marks}.", r.save(fig, folder, "series_attacks_by_type"))]
    groups = [SERIES[i:i + SERIES_PER_JOB] for i in range(0, len(SERIES), SERIES_PER_JOB)]
    return [(1, overview), *((len(g) * len(r.arms), partial(series, g)) for g in groups),
            (len(ATTACK_TYPES), attacks)]


def map_weeks(horizon: int, weeks: list[int] | None) -> list[int]:
    """The weeks to map: the user's (validated) or about 6 months, 1 year and the horizon."""
    if weeks:
        bad = [w for w in weeks if not 0 <= w <= horizon]
        if bad:
            raise UserError(f"--weeks {','.join(map(str, bad))}: the store's runs cover weeks 0 to {horizon}.")
        return sorted(set(weeks))
    return [w for w in (26, 52) if w < horizon] + [horizon]


def when(r: Results, step: int) -> str:
    """Calendar date of a step, e.g. '13 Feb 2022'."""
    return pd.Timestamp(r.national.loc[r.national["step"] == step, "date"].iloc[0]).strftime("%-d %b %Y")


def province_maps(r: Results, folder: Path, weeks: list[int], resamples: int,
                  per_100k: bool) -> list[tuple[int, Callable[[], list[Chart]]]]:
    """One job per map figure, with the maps it draws: baseline levels at the chosen weeks, each scenario minus
    baseline at the horizon."""
    def chart(job: Callable[[], tuple[str, str, list]]) -> list[Chart]:
        return [Chart("maps", *job())]
    return [(panels, partial(chart, job)) for panels, job in map_figures.province_maps(
        r, lambda fig, name: r.save(fig, folder, name), lambda step: when(r, step), weeks, resamples, per_100k)]


def effect_table(r: Results) -> pd.DataFrame:
    """The effects with reader-facing columns (written as effects.csv)."""
    t = r.effects.copy()
    t.insert(t.columns.get_loc("outcome") + 1, "outcome_label",
             [outcome(o).phrase(r.horizon) for o in t["outcome"]])
    t["summary"] = [sentence(r, row) for row in t.to_dict("records")]
    return t


def sentence(r: Results, row: dict, with_arm: bool = True) -> str:
    """The plain-language line of one effect: over sets x seeds for a posterior store, else over seeds."""
    words = posterior_sentence if r.posterior else effect_sentence
    return words(row, r.horizon, r.baseline, with_arm=with_arm)


def findings_html(r: Results) -> str:
    """One bullet per scenario: the ISIS-K sentence in bold, then the other headline outcomes."""
    items = []
    for arm in r.arms[1:]:
        rows = r.effects[r.effects["arm"] == arm].set_index("outcome")
        if rows.empty:
            continue
        first, *rest = [rows.loc[o].to_dict() | {"outcome": o, "arm": arm} for o in HEADLINE]
        sub = "".join(f"<li>{html.text(sentence(r, row, with_arm=False))}</li>" for row in rest)
        items.append(f"<li><b>{html.text(sentence(r, first))}</b><ul>{sub}</ul></li>")
    if not items:
        return "<p>The store holds only the baseline, so there are no scenario effects to report.</p>"
    return f'<ul class="findings">{"".join(items)}</ul>'


def effects_html(t: pd.DataFrame) -> str:
    if "robust" in t:
        shown = pd.DataFrame({
            "scenario": t["arm"], "outcome": t["outcome_label"], "sets": t["sets"], "runs paired": t["n"],
            "baseline": t["baseline_mean"].map(number), "median effect": t["median"].map(lambda v: number(v, True)),
            "90% interval (sets x seeds)": [f"{number(a, True)} to {number(b, True)}" for a, b in zip(t["p05"], t["p95"])],
            "robust in": [f"{100 * v:.0f}% of sets" for v in t["robust"]],
            "mean effect": t["effect"].map(lambda v: number(v, True)),
            "95% CI of the mean": [f"{number(a, True)} to {number(b, True)}" for a, b in zip(t["ci_low"], t["ci_high"])],
            "relative (median)": t["relative"].map(lambda v: f"{number(100 * v, True)}%")})
        return html.table(shown, numeric=tuple(shown.columns[2:]))
    shown = pd.DataFrame({
        "scenario": t["arm"], "outcome": t["outcome_label"], "seeds": t["n"],
        "baseline": t["baseline_mean"].map(number), "scenario mean": t["scenario_mean"].map(number),
        "difference": t["effect"].map(lambda v: number(v, True)),
        "95% CI": [f"{number(a, True)} to {number(b, True)}" for a, b in zip(t["ci_low"], t["ci_high"])],
        "relative": t["relative"].map(lambda v: f"{number(100 * v, True)}%")})
    return html.table(shown, numeric=("seeds", "baseline", "scenario mean", "difference", "95% CI", "relative"))


def tables(r: Results, where: Path) -> dict[str, pd.DataFrame]:
    """Every table of the page, by CSV file name (written next to report.html)."""
    t = effect_table(r)
    out = {"summary.csv": summary.executive(t, r.arms[1:]), "effect_matrix.csv": summary.matrix(t, r.arms[1:]),
           "effects.csv": t}
    if r.posterior:
        out["deciding_parameters.csv"] = summary.deciders(t, r.per_set, r.set_params)
        out["posterior_sets.csv"] = r.set_params.reset_index()
    out |= {"scenarios.csv": sections.scenarios_table(r), "provenance.csv": sections.provenance_table(r, where),
            "parameters.csv": sections.parameters_table(r)}
    return out


def assemble(r: Results, where: Path, figures: list[Chart], t: dict[str, pd.DataFrame]) -> str:
    """The whole page: the answer first (summary, matrix, what the uncertainty covers), then the details."""
    def figs(section: str) -> str:
        return "".join(f"<h3>{html.text(c.title)}</h3>" + html.image(c.paths[0], c.title, c.caption)
                       for c in figures if c.section == section)

    def csv(name: str) -> str:
        return f'<p class="note">Also in <a href="{name}">{name}</a> (next to this file).</p>'
    first, last = pd.Timestamp(r.national["date"].min()).date(), pd.Timestamp(r.national["date"].max()).date()
    seeds = r.national["seed"].nunique()
    what = (f"{r.posterior['sets']} posterior parameter sets x {seeds} paired seeds per scenario" if r.posterior
            else f"{seeds} seeds each")
    post = bool(r.posterior)
    how = ("Median effect over parameter sets and seeds; its words use the share of plausible parameter sets in "
           f"which the effect keeps its sign (clearly: at least {100 * stats.ROBUST:.0f}% and the 95% CI of the "
           f"mean excludes zero; in most plausible worlds: at least {100 * stats.MOST:.0f}%; otherwise it depends "
           "on what we don't know)." if post else
           "Mean difference over paired seeds; \"clearly\" means its 95% confidence interval excludes zero.")
    body = [
        "<h1>Taliban vs ISIS-K: scenario comparison</h1>",
        f'<p class="sub">{len(r.arms)} {"scenario x design-point combinations" if r.params else "scenarios"}, '
        f"{what}, weekly steps from {first} to {last} (week {r.horizon}). Generated {html.text(now())} from "
        f"<code>{html.text(where)}</code>.</p>",
        '<nav><a href="#summary">Summary</a><a href="#matrix">Effect matrix</a><a href="#findings">Key findings</a>'
        '<a href="#effects">Effects</a>' + ('<a href="#deciders">What decides it</a>' if post else "") +
        '<a href="#series">Over time</a><a href="#maps">Maps</a><a href="#scenarios">Scenarios</a>'
        '<a href="#provenance">Provenance</a><a href="#caveats">Caveats</a></nav>',
        f'<h2 id="summary">Summary: each scenario against the {html.text(pretty(r.baseline))} at week {r.horizon}</h2>',
        f'<p class="note">{html.text(how)}</p>', summary.executive_html(t["summary.csv"], post), csv("summary.csv"),
        summary.uncertainty_html(r.posterior, seeds, len(r.set_params.columns) if post else 0),
        '<h2 id="matrix">Effect matrix</h2>', summary.matrix_html(t["effect_matrix.csv"], post),
        csv("effect_matrix.csv"),
        f'<h2 id="findings">Key findings: each scenario compared with the {html.text(pretty(r.baseline))}</h2>',
        findings_html(r),
        '<h2 id="effects">Effect table</h2>', csv("effects.csv"),
        effects_html(t["effects.csv"]) if len(t["effects.csv"]) else "<p>No scenarios besides the baseline.</p>",
        figs("effects"),
    ]
    if post:
        body += ['<h2 id="deciders">What decides the effects that are not robust</h2>',
                 summary.deciders_html(t["deciding_parameters.csv"]), csv("deciding_parameters.csv")]
    body += [
        '<h2 id="series">Over time</h2>', figs("series"),
        '<h2 id="maps">Maps by province</h2>', figs("maps"),
        '<h2 id="scenarios">Scenarios</h2>', html.table(t["scenarios.csv"]), csv("scenarios.csv"),
        '<h2 id="provenance">Provenance</h2>', sections.provenance_html(r, t["provenance.csv"], t["parameters.csv"]),
        csv("provenance.csv") + (csv("parameters.csv") if len(t["parameters.csv"]) else "")
        + (csv("posterior_sets.csv") if post else ""),
        '<h2 id="caveats">Caveats</h2>', sections.caveats_html(r),
    ]
    return html.page("Taliban vs ISIS-K: scenario comparison", "\n".join(body))


def build(where: Path, out: Path | None = None, baseline: str = "baseline", weeks: list[int] | None = None,
          resamples: int = 9999, say: Callable[[str], None] = print, per_100k: bool = False,
          svg: bool = False, workers: int | None = None) -> Path:
    """Write charts (PNG; SVG too with ``svg``), a CSV of every table, manifest.json and report.html into
    ``out``; return report.html. ``per_100k`` maps the count metrics per 100,000 residents instead of as totals.
    The charts are drawn in ``workers`` processes (default: the cores, ``analysis.report.parallel``).
    """
    where = Path(where)
    out = Path(out) if out else where / "report"
    r = compute(where, baseline, resamples)
    r.svg = svg
    weeks = map_weeks(r.horizon, weeks)
    folder = out / "charts"
    kinds = "scenario x design-point combinations" if r.params else "scenarios"
    sets = f"{r.posterior['sets']} posterior sets x " if r.posterior else ""
    say(f"report: {len(r.arms)} {kinds}, {sets}{r.national['seed'].nunique()} seeds, {r.horizon} weeks")
    jobs: list[tuple[int, Callable[[], list[Chart]]]] = []  # (panels drawn, job)
    if len(r.effects):
        def forest() -> list[Chart]:
            fig = charts.forest(r.effects, list(HEADLINE), r.colours, r.horizon, r.baseline)
            return [Chart("effects", "Forest plot of the effects",
                          "Mean paired difference to the baseline in percent of the baseline's mean, with its "
                          f"bootstrap 95% CI{' (resampling parameter sets)' if r.posterior else ''}; the number "
                          "above each dot is the difference in the outcome's units.",
                          r.save(fig, folder, "forest_effects"))]
        jobs.append((len(HEADLINE), forest))
    jobs += time_series(r, folder) + province_maps(r, folder, weeks, resamples, per_100k)
    drawn = run_jobs([job for _, job in jobs], workers, costs=[panels for panels, _ in jobs])
    figures = [chart for charts_of_job in drawn for chart in charts_of_job]
    out.mkdir(parents=True, exist_ok=True)
    t = tables(r, where)
    for name, table in t.items():
        table.to_csv(out / name, index=False)
    page = out / "report.html"
    page.write_text(assemble(r, where, figures, t), encoding="utf-8")
    write_json_atomic(out / "manifest.json", {
        "kind": "report", "store": str(where), "baseline": baseline, "map_weeks": weeks, "maps_per_100k": per_100k,
        "resamples": resamples, "svg": svg, "created": now(), "versions": versions(), "git": git_revision(),
        "files": sorted(str(p.relative_to(out)) for c in figures for p in c.paths) + sorted(t) + ["report.html"]})
    return page
