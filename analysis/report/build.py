"""``run.py report RESULTS_DIR``: charts, effect table, maps and one self-contained report.html.

Reads only the results store (``sim.results.load.load``); scenario event dates come from the store's
manifest or, failing that, the scenario files; the map raster from ``sim.inputs.geography``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pandas as pd

from sim.errors import UserError
from sim.results.manifest import git_revision, now, versions, write_json_atomic

from analysis import stats
from analysis.report import charts, html, map_figures
from analysis.outcomes import ATTACK_TYPES, HEADLINE, LABELS, SERIES, is_flow, outcome, param_columns, per_run
from analysis.scenarios import scenario_info
from sim.results.load import load
from analysis.report.style import arm_labels, colours, pretty, save
from analysis.report.wording import effect_sentence, number


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


def compute(where: Path, baseline: str, resamples: int) -> Results:
    """Load the store and compute the paired effects."""
    store = load(where)
    check(store, baseline, where)
    national, provinces = store.national, store.provinces
    params = param_columns(national)
    runs = per_run(national, HEADLINE)
    effects = stats.effects(runs, HEADLINE, baseline=baseline, n_resamples=resamples)
    effects.insert(0, "arm", arm_labels(effects, params))
    arms_df = national[["scenario", *params]].drop_duplicates()
    arms_df = arms_df.assign(arm=arm_labels(arms_df, params), first=arms_df["scenario"] != baseline)
    arms = list(arms_df.sort_values(["first", "scenario", *params])["arm"])
    scenario_of = dict(zip(arms_df["arm"], arms_df["scenario"].astype(str)))
    base_arms = arms_df[arms_df["scenario"] == baseline]
    matched = arms_df.merge(base_arms[[*params, "arm"]], on=params, how="left", suffixes=("", "_base")) \
        if params else arms_df.assign(arm_base=pretty(baseline))
    reference = dict(zip(matched["arm"], matched["arm_base"]))
    return Results(national, provinces, store.manifest or {}, baseline, arms, scenario_of, reference,
                   colours(arms, set(base_arms["arm"])), params, int(national["step"].max()), effects)


def time_series(r: Results, folder: Path) -> list[Chart]:
    """The overview, one small-multiples chart per key metric, and attacks by type."""
    metrics = list(SERIES) + list(ATTACK_TYPES)
    bands = stats.bands(stats.cumulate(r.national, metrics), metrics)
    bands = bands.assign(arm=arm_labels(bands, r.params))
    events = {arm: scenario_info(r.manifest, s)["events"] for arm, s in r.scenario_of.items()}
    base_events = events.get(r.arms[0], [])
    marks = f"vertical lines mark the scheduled events ({charts.events_caption(base_events)})" if base_events \
        else "no scheduled events"
    out = [Chart("series", "ISIS-K members under each scenario",
                 f"Median over seeds of each scenario; the grey band is the baseline's 10th-90th percentile; {marks}.",
                 save(charts.overview(bands, "iskp_members", r.arms, r.colours, base_events,
                                      "ISIS-K members under each scenario", "people"), folder, "overview_iskp_members"))]
    for m in SERIES:
        label = LABELS.get(m, m)
        title = f"{label[0].upper()}{label[1:]}{' since the start (cumulative)' if is_flow(m) else ''}"
        unit = "0-1" if "(0-1)" in label else "people"
        fig = charts.series_panels(bands, m, r.arms, r.reference, r.colours, events, title, unit)
        out.append(Chart("series", title, "Each panel: one scenario (colour) over the baseline (grey); "
                         f"line = median over seeds, band = 10th-90th percentile; {marks}. Stocks and shares far "
                         "from zero have a fitted vertical axis (not from 0), so that small differences show.",
                         save(fig, folder, f"series_{m}")))
    fig = charts.attack_panels(bands, ATTACK_TYPES, r.arms, r.colours, base_events, "ISIS-K attacks by type since the start")
    out.append(Chart("series", "ISIS-K attacks by type", "Cumulative attacks of each type, median over seeds; "
                     f"the baseline is drawn with its 10th-90th percentile band. Each panel has its own scale; {marks}.",
                     save(fig, folder, "series_attacks_by_type")))
    return out


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


def province_maps(r: Results, folder: Path, weeks: list[int], resamples: int, per_100k: bool) -> list[Chart]:
    """Baseline levels at the chosen weeks and each scenario minus baseline at the horizon."""
    return [Chart("maps", title, caption, paths) for title, caption, paths in map_figures.province_maps(
        r, lambda fig, name: save(fig, folder, name), lambda step: when(r, step), weeks, resamples, per_100k)]


def effect_table(r: Results) -> pd.DataFrame:
    """The effects with reader-facing columns (written as effects.csv)."""
    t = r.effects.copy()
    t.insert(t.columns.get_loc("outcome") + 1, "outcome_label",
             [outcome(o).phrase(r.horizon) for o in t["outcome"]])
    t["summary"] = [effect_sentence(row, r.horizon, r.baseline) for row in t.to_dict("records")]
    return t


def findings_html(r: Results) -> str:
    """One bullet per scenario: the ISIS-K sentence in bold, then the other headline outcomes."""
    items = []
    for arm in r.arms[1:]:
        rows = r.effects[r.effects["arm"] == arm].set_index("outcome")
        if rows.empty:
            continue
        first, *rest = [rows.loc[o].to_dict() | {"outcome": o, "arm": arm} for o in HEADLINE]
        sub = "".join(f"<li>{html.text(effect_sentence(row, r.horizon, r.baseline, with_arm=False))}</li>"
                      for row in rest)
        items.append(f"<li><b>{html.text(effect_sentence(first, r.horizon, r.baseline))}</b><ul>{sub}</ul></li>")
    if not items:
        return "<p>The store holds only the baseline, so there are no scenario effects to report.</p>"
    return f'<ul class="findings">{"".join(items)}</ul>'


def effects_html(t: pd.DataFrame) -> str:
    shown = pd.DataFrame({
        "scenario": t["arm"], "outcome": t["outcome_label"], "seeds": t["n"],
        "baseline": t["baseline_mean"].map(number), "scenario mean": t["scenario_mean"].map(number),
        "difference": t["effect"].map(lambda v: number(v, True)),
        "95% CI": [f"{number(a, True)} to {number(b, True)}" for a, b in zip(t["ci_low"], t["ci_high"])],
        "relative": t["relative"].map(lambda v: f"{number(100 * v, True)}%")})
    return html.table(shown, numeric=("seeds", "baseline", "scenario mean", "difference", "95% CI", "relative"))


def _events_text(events: list[dict]) -> str:
    return "; ".join(f"{e.get('date')}: {pretty(e.get('type', ''))} ({e.get('people', '')} people"
                     f"{', ' + ', '.join(e['provinces']) if e.get('provinces') else ''})" for e in events) or "none"


def scenarios_html(r: Results) -> str:
    """Each scenario's description, parameter changes and scheduled events (events equal to the baseline's
    are not repeated)."""
    base_events = scenario_info(r.manifest, r.baseline)["events"]
    rows = []
    for s in dict.fromkeys(r.national["scenario"].astype(str)):
        info = scenario_info(r.manifest, s)
        changed = ", ".join(f"{k} = {v}" for k, v in info["overrides"].items() if k != "steps") or "defaults"
        same = s != r.baseline and info["events"] == base_events
        rows.append({"scenario": pretty(s), "description": info["description"], "parameters changed": changed,
                     "scheduled events": f"as in the {pretty(r.baseline)}" if same else _events_text(info["events"])})
    return html.table(pd.DataFrame(rows))


def parameters_html(r: Results) -> str:
    """Every parameter value each scenario ran with (from the manifest), in a collapsed table."""
    entries = r.manifest.get("scenarios")
    if not isinstance(entries, dict):
        return ""
    resolved = {pretty(n): e["params"] for n, e in entries.items() if isinstance(e, dict) and isinstance(e.get("params"), dict)}
    if not resolved:
        return ""
    table = pd.DataFrame(resolved).astype(str)
    differs = table.nunique(axis=1) > 1
    table = pd.concat([table[differs], table[~differs]]).reset_index(names="parameter")
    return (f"<details><summary>Parameter values of every scenario ({int(differs.sum())} differ between scenarios; "
            f"listed first)</summary>{html.table(table)}</details>")


def provenance_html(r: Results, where: Path) -> str:
    m = r.manifest
    seeds = sorted(int(s) for s in r.national["seed"].unique())
    n_runs = len(r.national[["scenario", *r.params, "seed"]].drop_duplicates())
    dates = r.national["date"]
    facts = [("results store", str(where)), ("runs", f"{n_runs}"),
             ("scenarios", ", ".join(pretty(s) for s in dict.fromkeys(r.national["scenario"].astype(str)))),
             ("seeds", f"{len(seeds)} per scenario: {seeds[0]}-{seeds[-1]}" if seeds == list(range(seeds[0], seeds[-1] + 1))
              else ", ".join(map(str, seeds))),
             ("weeks", f"0-{r.horizon} ({pd.Timestamp(dates.min()).date()} to {pd.Timestamp(dates.max()).date()})")]
    if r.params:
        facts.append(("varied parameters", ", ".join(r.params)))
    git = m.get("git") or {}
    if git:
        facts.append(("git revision of the run", f"{git.get('commit')}{' (uncommitted changes)' if git.get('dirty') else ''}"))
    for key in ("status", "created", "updated"):
        if key in m:
            facts.append((f"store {key}", str(m[key])))
    if m.get("failed"):
        facts.append(("failed runs", f"{len(m['failed'])} (not in the results; resume the sweep to retry them)"))
    for i, session in enumerate(m.get("sessions") or [], 1):
        facts.append((f"session {i}", ", ".join(f"{k} {v}" for k, v in session.items() if k != "git")))
    out = html.table(pd.DataFrame(facts, columns=["", "value"]))
    if isinstance(m.get("versions"), dict):
        out += "<h3>Versions used for the runs</h3>" + html.table(
            pd.DataFrame(sorted(m["versions"].items()), columns=["package", "version"]))
    out += parameters_html(r)
    out += ("<details><summary>Full manifest.json</summary><pre>"
            f"{html.text(json.dumps(m, indent=2, default=str))}</pre></details>")
    return out


def caveats_html(r: Results) -> str:
    n = int(r.national["seed"].nunique())
    items = [
        "This is a stylised agent-based model, not a forecast. Its numbers are useful for comparing policies "
        "under the same assumptions; the absolute levels depend on parameters, many of which are estimates "
        "marked [E] in <code>python run.py params</code>.",
        "Confidence intervals show only the randomness between seeds (how sure we are about the model's average "
        "with this many runs). They do not include uncertainty about parameters or about how the world works; "
        "<code>python run.py sensitivity</code> explores the parameters.",
        f"Each interval comes from {n} paired seeds (bootstrap, BCa). With few seeds intervals are approximate and "
        "slightly too narrow; with many scenarios and outcomes, a few intervals will exclude zero by chance.",
        "Pairing by seed makes scenario and baseline start identically, but their random streams drift apart once "
        "the scenarios differ, so pairing removes only part of the run-to-run noise.",
        "People are counted in groups of the model's scale (5 people per agent); the model assigns places to "
        "provinces on a 20 km grid, so small provinces are approximate (the maps draw Natural Earth's outlines). Legitimacy and grievance are 0-1 indices, not survey data.",
    ]
    if n < 10:
        items.append(f"Only {n} seeds per scenario: treat the intervals as rough; 20 or more are advised.")
    if r.manifest.get("status") not in (None, "complete"):
        items.append(f"The sweep is not complete (status '{r.manifest['status']}'): planned runs are missing. "
                     "Effects use the seeds present in both arms (the 'seeds' column); resume the sweep and rerun "
                     "the report for the full picture.")
    if (r.manifest.get("git") or {}).get("dirty"):
        items.append("The runs were made from code with uncommitted changes; the git revision does not fully "
                     "identify the model.")
    return '<ul class="caveats">' + "".join(f"<li>{i}</li>" for i in items) + "</ul>"


def assemble(r: Results, where: Path, figures: list[Chart], table_csv: str) -> str:
    """The whole page."""
    def figs(section: str) -> str:
        return "".join(f"<h3>{html.text(c.title)}</h3>" + html.image(c.paths[0], c.title, c.caption)
                       for c in figures if c.section == section)
    t = effect_table(r)
    first, last = pd.Timestamp(r.national["date"].min()).date(), pd.Timestamp(r.national["date"].max()).date()
    body = [
        "<h1>Taliban vs ISIS-K: scenario comparison</h1>",
        f'<p class="sub">{len(r.arms)} {"scenario x design-point combinations" if r.params else "scenarios"}, '
        f'{r.national["seed"].nunique()} seeds each, weekly steps from '
        f"{first} to {last} (week {r.horizon}). Generated {html.text(now())} from <code>{html.text(where)}</code>.</p>",
        '<nav><a href="#findings">Key findings</a><a href="#effects">Effects</a><a href="#series">Over time</a>'
        '<a href="#maps">Maps</a><a href="#scenarios">Scenarios</a><a href="#provenance">Provenance</a>'
        '<a href="#caveats">Caveats</a></nav>',
        f'<h2 id="findings">Key findings: each scenario compared with the {html.text(pretty(r.baseline))}</h2>',
        '<p class="note">Difference of the scenario to the baseline, averaged over paired seeds (the same seeds '
        "in both), with a 95% confidence interval. \"Clearly\" means the interval excludes zero.</p>",
        findings_html(r),
        '<h2 id="effects">Effect table</h2>',
        f'<p class="note">Also in <a href="{table_csv}">{table_csv}</a> (next to this file).</p>',
        effects_html(t) if len(t) else "<p>No scenarios besides the baseline.</p>",
        figs("effects"),
        '<h2 id="series">Over time</h2>', figs("series"),
        '<h2 id="maps">Maps by province</h2>', figs("maps"),
        '<h2 id="scenarios">Scenarios</h2>', scenarios_html(r),
        '<h2 id="provenance">Provenance</h2>', provenance_html(r, where),
        '<h2 id="caveats">Caveats</h2>', caveats_html(r),
    ]
    return html.page("Taliban vs ISIS-K: scenario comparison", "\n".join(body))


def build(where: Path, out: Path | None = None, baseline: str = "baseline", weeks: list[int] | None = None,
          resamples: int = 9999, say: Callable[[str], None] = print, per_100k: bool = False) -> Path:
    """Write charts (PNG+SVG), effects.csv, manifest.json and report.html into ``out``; return report.html.

    ``per_100k`` maps the count metrics per 100,000 residents instead of as totals.
    """
    where = Path(where)
    out = Path(out) if out else where / "report"
    r = compute(where, baseline, resamples)
    weeks = map_weeks(r.horizon, weeks)
    folder = out / "charts"
    kinds = "scenario x design-point combinations" if r.params else "scenarios"
    say(f"report: {len(r.arms)} {kinds}, {r.national['seed'].nunique()} seeds, {r.horizon} weeks")
    figures: list[Chart] = []
    if len(r.effects):
        fig = charts.forest(r.effects, list(HEADLINE), r.colours, r.horizon, r.baseline)
        figures.append(Chart("effects", "Forest plot of the effects",
                             "Mean paired difference to the baseline in percent of the baseline's mean, with its "
                             "bootstrap 95% CI; the number above each dot is the difference in the outcome's units.",
                             save(fig, folder, "forest_effects")))
    figures += time_series(r, folder)
    figures += province_maps(r, folder, weeks, resamples, per_100k)
    out.mkdir(parents=True, exist_ok=True)
    effect_table(r).to_csv(out / "effects.csv", index=False)
    page = out / "report.html"
    page.write_text(assemble(r, where, figures, "effects.csv"), encoding="utf-8")
    write_json_atomic(out / "manifest.json", {
        "kind": "report", "store": str(where), "baseline": baseline, "map_weeks": weeks, "maps_per_100k": per_100k, "resamples": resamples,
        "created": now(), "versions": versions(), "git": git_revision(),
        "files": sorted(str(p.relative_to(out)) for c in figures for p in c.paths) + ["effects.csv", "report.html"]})
    return page
