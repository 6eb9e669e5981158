"""The report's reference sections as tables (each also written as a CSV): scenarios, parameter values,
provenance and versions; and the caveats."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from analysis.report import html
from analysis.report.style import pretty
from analysis.scenarios import scenario_info


def _events_text(events: list[dict]) -> str:
    return "; ".join(f"{e.get('date')}: {pretty(e.get('type', ''))} ({e.get('people', '')} people"
                     f"{', ' + ', '.join(e['provinces']) if e.get('provinces') else ''})" for e in events) or "none"


def scenarios_table(r) -> pd.DataFrame:
    """Each scenario's description, parameter changes and scheduled events (events equal to the baseline's
    are not repeated). ``r`` is ``build.Results``."""
    base_events = scenario_info(r.manifest, r.baseline)["events"]
    rows = []
    for s in dict.fromkeys(r.national["scenario"].astype(str)):
        info = scenario_info(r.manifest, s)
        changed = ", ".join(f"{k} = {v}" for k, v in info["overrides"].items() if k != "steps") or "defaults"
        same = s != r.baseline and info["events"] == base_events
        rows.append({"scenario": pretty(s), "description": info["description"], "parameters changed": changed,
                     "scheduled events": f"as in the {pretty(r.baseline)}" if same else _events_text(info["events"])})
    return pd.DataFrame(rows)


def parameters_table(r) -> pd.DataFrame:
    """Every parameter value each scenario ran with (from the manifest); those that differ first."""
    entries = r.manifest.get("scenarios")
    if not isinstance(entries, dict):
        return pd.DataFrame()
    resolved = {pretty(n): e["params"] for n, e in entries.items() if isinstance(e, dict) and isinstance(e.get("params"), dict)}
    if not resolved:
        return pd.DataFrame()
    table = pd.DataFrame(resolved).astype(str)
    differs = table.nunique(axis=1) > 1
    return pd.concat([table[differs], table[~differs]]).reset_index(names="parameter").assign(
        differs=lambda t: t["parameter"].isin(table.index[differs]))


def provenance_table(r, where: Path) -> pd.DataFrame:
    """What was read: store, runs, scenarios, seeds, weeks, posterior, git revision, status, sessions."""
    m = r.manifest
    seeds = sorted(int(s) for s in r.national["seed"].unique())
    n_runs = len(r.national[["scenario", "point", "seed"]].drop_duplicates())
    dates = r.national["date"]
    facts = [("results store", str(where)), ("runs", f"{n_runs}"),
             ("scenarios", ", ".join(pretty(s) for s in dict.fromkeys(r.national["scenario"].astype(str)))),
             ("seeds", f"{len(seeds)} per scenario: {seeds[0]}-{seeds[-1]}" if seeds == list(range(seeds[0], seeds[-1] + 1))
              else ", ".join(map(str, seeds))),
             ("weeks", f"0-{r.horizon} ({pd.Timestamp(dates.min()).date()} to {pd.Timestamp(dates.max()).date()})")]
    if r.posterior:
        p = r.posterior
        facts.append(("posterior", f"{p['file']} (SHA-256 {p['sha256'][:12]}...): {p['sets']} sets drawn by weight, "
                                   f"draw seed {p['draw_seed']}, {len(set(p['particles']))} distinct rows; "
                                   f"parameters {', '.join(p['parameters'])}"))
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
    if isinstance(m.get("versions"), dict):
        facts += [(f"version of {k}", str(v)) for k, v in sorted(m["versions"].items())]
    return pd.DataFrame(facts, columns=["item", "value"])


def provenance_html(r, table: pd.DataFrame, parameters: pd.DataFrame) -> str:
    out = html.table(table)
    if len(parameters):
        shown = parameters.drop(columns="differs")
        out += (f"<details><summary>Parameter values of every scenario ({int(parameters['differs'].sum())} differ "
                f"between scenarios; listed first)</summary>{html.table(shown)}</details>")
    out += ("<details><summary>Full manifest.json</summary><pre>"
            f"{html.text(json.dumps(r.manifest, indent=2, default=str))}</pre></details>")
    return out


def caveats_html(r) -> str:
    n = int(r.national["seed"].nunique())
    ranges = ("The ranges include the randomness between seeds and the posterior's uncertainty about the calibrated "
              "parameters, but not uncertainty about how the world works (the model's structure) or the data."
              if r.posterior else
              "Confidence intervals show only the randomness between seeds (how sure we are about the model's average "
              "with this many runs). They do not include uncertainty about parameters or about how the world works; "
              "<code>python run.py sweep --posterior</code> and <code>python run.py sensitivity</code> explore the "
              "parameters.")
    items = [
        "This is a stylised agent-based model, not a forecast. Its numbers are useful for comparing policies "
        "under the same assumptions; the absolute levels depend on parameters, many of which are estimates "
        "marked [E] in <code>python run.py params</code>.",
        ranges,
        f"Each interval comes from {n} paired seeds{' per parameter set' if r.posterior else ''} (bootstrap, BCa). "
        "With few seeds intervals are approximate and slightly too narrow; with many scenarios and outcomes, a few "
        "intervals will exclude zero by chance.",
        "Pairing by seed makes scenario and baseline start identically, but their random streams drift apart once "
        "the scenarios differ, so pairing removes only part of the run-to-run noise.",
        "People are counted in groups of the model's scale (5 people per agent); the model assigns places to "
        "provinces on a 20 km grid, so small provinces are approximate (the maps draw Natural Earth's outlines). "
        "Legitimacy and grievance are 0-1 indices, not survey data.",
    ]
    if n < 10 and not r.posterior:
        items.append(f"Only {n} seeds per scenario: treat the intervals as rough; 20 or more are advised.")
    if r.posterior and r.posterior["sets"] < 20:
        items.append(f"Only {r.posterior['sets']} posterior sets: the robustness shares move in steps of "
                     f"{100 / r.posterior['sets']:.0f}%; 20 or more sets are advised.")
    if r.manifest.get("status") not in (None, "complete"):
        items.append(f"The sweep is not complete (status '{r.manifest['status']}'): planned runs are missing. "
                     "Effects use the seeds present in both arms (the 'seeds' column); resume the sweep and rerun "
                     "the report for the full picture.")
    if (r.manifest.get("git") or {}).get("dirty"):
        items.append("The runs were made from code with uncommitted changes; the git revision does not fully "
                     "identify the model.")
    return '<ul class="caveats">' + "".join(f"<li>{i}</li>" for i in items) + "</ul>"
