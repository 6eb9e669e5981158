"""The report's first screen: the executive summary, the scenario x outcome effect matrix, what the
uncertainty covers, and (posterior stores) which parameters decide the effects that are not robust.

Every table here is a DataFrame that ``build`` writes as a CSV next to report.html as well.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from analysis import stats
from analysis.outcomes import HEADLINE, SET_COLUMN, outcome
from analysis.report import html
from analysis.report.style import pretty
from analysis.report.wording import number, robust_verdict, verdict

EXEC_OUTCOMES = ("iskp_members_final", "civilian_deaths_cum", "attacks_total_cum")
SHORT = {"iskp_members_final": "ISIS-K members", "civilian_deaths_cum": "civilian deaths",
         "attacks_total_cum": "attacks", "taliban_strength_final": "Taliban strength",
         "surrenders_cum": "surrenders"}


def _direction(row: dict) -> float:
    centre = row["median"] if "median" in row and row["median"] else row["effect"]
    return float(np.sign(centre)) if np.isfinite(centre) else 0.0


def cell(row: dict) -> dict:
    """One scenario x outcome: the headline number, relative change, words and whether it is robust."""
    o = outcome(row["outcome"])
    posterior = "robust" in row
    centre = row["median"] if posterior else row["effect"]
    words = (robust_verdict(row["robust"], row["ci_low"], row["ci_high"], _direction(row), o.how) if posterior
             else verdict(row["ci_low"], row["ci_high"], o.how))
    robust = row["robust"] >= stats.ROBUST if posterior else (row["ci_low"] > 0 or row["ci_high"] < 0)
    return {"effect": centre, "relative": row["relative"], "words": words, "robust": bool(robust),
            "robust_share": row["robust"] if posterior else float("nan")}


def cells(effects: pd.DataFrame, arms: list[str], outcomes: tuple[str, ...]):
    """(arm, outcome, ``cell``) for every arm with effects and every outcome, in reading order."""
    for arm in arms:
        sub = effects[effects["arm"] == arm].set_index("outcome")
        for name in outcomes if len(sub) else ():
            yield arm, name, cell(sub.loc[name].to_dict() | {"outcome": name})


def executive(effects: pd.DataFrame, arms: list[str]) -> pd.DataFrame:
    """One row per scenario arm: headline effect, relative change, verdict and robustness of each EXEC outcome."""
    rows: dict[str, dict] = {}
    for arm, name, c in cells(effects, arms, EXEC_OUTCOMES):
        rows.setdefault(arm, {"scenario": arm}).update({
            f"{name} effect": c["effect"], f"{name} relative": c["relative"], f"{name} verdict": c["words"],
            f"{name} robust share": c["robust_share"]})
    return pd.DataFrame(list(rows.values()))


def _pct(rel: float) -> str:
    return f"{number(100 * rel, True)}%" if rel is not None and math.isfinite(rel) else "n/a"


def executive_html(table: pd.DataFrame, posterior: bool) -> str:
    """The summary as one line per scenario."""
    if table.empty:
        return "<p>The store holds only the baseline, so there are no scenario effects to report.</p>"
    items = []
    for rec in table.to_dict("records"):
        parts = []
        for name in EXEC_OUTCOMES:
            share = rec[f"{name} robust share"]
            robust = f", robust in {100 * share:.0f}% of sets" if posterior and math.isfinite(share) else ""
            parts.append(f"{SHORT[name]} {number(rec[f'{name} effect'], True)} ({_pct(rec[f'{name} relative'])}; "
                         f"{rec[f'{name} verdict']}{robust})")
        items.append(f"<li><b>{html.text(rec['scenario'])}</b>: {html.text('; '.join(parts))}.</li>")
    return f'<ul class="summary">{"".join(items)}</ul>'


def matrix(effects: pd.DataFrame, arms: list[str]) -> pd.DataFrame:
    """Scenario x outcome: relative effect (median over sets x seeds, or mean over seeds) and robustness."""
    return pd.DataFrame([{"scenario": arm, "outcome": name, "effect": c["effect"], "relative": c["relative"],
                          "robust": c["robust"], "robust_share": c["robust_share"], "verdict": c["words"]}
                         for arm, name, c in cells(effects, arms, HEADLINE)])


def _colour(rel: float, scale: float = 0.25) -> str:
    """Red for higher than the baseline, blue for lower; full colour at +-``scale`` (25%)."""
    if not math.isfinite(rel):
        return "#f4f4f4"
    t = min(abs(rel) / scale, 1.0)
    base = (214, 96, 77) if rel > 0 else (67, 147, 195)
    r, g, b = (round(255 + (c - 255) * t) for c in base)
    return f"#{r:02x}{g:02x}{b:02x}"


def matrix_html(m: pd.DataFrame, posterior: bool) -> str:
    """A heat table: colour = relative effect, filled dot = robust, open circle = not."""
    if m.empty:
        return ""
    head = "".join(f"<th>{html.text(SHORT.get(o, o))}</th>" for o in HEADLINE)
    rows = []
    for arm, g in m.groupby("scenario", sort=False):
        cells = []
        for rec in g.set_index("outcome").reindex(list(HEADLINE)).reset_index().to_dict("records"):
            mark = "\u25cf" if rec["robust"] else "\u25cb"
            tip = f"{number(rec['effect'], True)}; {rec['verdict']}"
            cells.append(f'<td class="heat" style="background:{_colour(rec["relative"])}" title="{html.text(tip)}">'
                         f"{mark} {html.text(_pct(rec['relative']))}</td>")
        rows.append(f"<tr><th>{html.text(arm)}</th>{''.join(cells)}</tr>")
    rule = (f"\u25cf: the effect keeps its sign in at least {100 * stats.ROBUST:.0f}% of the posterior sets; "
            "\u25cb: it does not") if posterior else "\u25cf: the 95% CI excludes zero; \u25cb: it does not"
    note = (f'<p class="note">Colour: the {"median" if posterior else "mean"} effect in percent of the baseline '
            f"(red higher, blue lower; full colour at \u00b125%). {rule}. Hover a cell for the number and its words.</p>")
    return f'<table class="matrix"><thead><tr><th>scenario</th>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>' + note


def uncertainty_html(posterior: dict | None, seeds: int, n_params: int) -> str:
    """One paragraph: what the ranges cover, and what they do not."""
    if posterior:
        covers = (f"The ranges cover two things: the randomness between runs ({seeds} paired seeds per set) and what "
                  f"we do not know about the {n_params} calibrated parameters ({posterior['sets']} parameter sets "
                  f"drawn by weight from the posterior <code>{html.text(posterior['file'])}</code>, draw seed "
                  f"{posterior['draw_seed']}). Every scenario ran on the same sets with the same seeds, so each "
                  "difference compares like with like.")
    else:
        covers = (f"The ranges cover only the randomness between runs ({seeds} paired seeds), at one value of every "
                  "parameter; a posterior sweep (<code>run.py sweep --posterior FILE --sets N</code>) adds what we "
                  "do not know about the calibrated parameters.")
    return (f'<p class="uncertainty">{covers} They do not cover the model\'s structure (which mechanisms it has and '
            "how they are written, and what it leaves out), errors and gaps in the data it was built and calibrated "
            "on (up to 6 Feb 2022), parameters that were not calibrated (held at their values), or how exactly a "
            "policy would be carried out (each scenario sets its levers to one stylised level).</p>")


def deciders(effects: pd.DataFrame, per_set: pd.DataFrame, set_params: pd.DataFrame) -> pd.DataFrame:
    """For each scenario and summary outcome robust in fewer than 90% of sets: the 2-3 posterior parameters
    that best separate the sets where the effect keeps its sign from those where it does not."""
    rows = []
    for rec in effects[effects["outcome"].isin(EXEC_OUTCOMES)].to_dict("records"):
        if not rec["robust"] < stats.ROBUST:
            continue
        sets = per_set[(per_set["scenario"] == rec["scenario"]) & (per_set["outcome"] == rec["outcome"])]
        for k in [c for c in per_set.columns if c not in ("scenario", "outcome", SET_COLUMN, "effect", "seeds")]:
            sets = sets[sets[k] == rec[k]]
        sets = sets.set_index(SET_COLUMN).sort_index()
        found = stats.deciding_parameters(sets, set_params.loc[sets.index], _direction(rec))
        text = ", ".join(f"{f['parameter']} ({f['works_when']} where it holds; importance {f['importance']:.2f})"
                         for f in found) or "none stands out"
        rows.append({"scenario": rec["arm"], "outcome": rec["outcome"], "robust_share": rec["robust"],
                     "deciding parameters": text})
    return pd.DataFrame(rows, columns=["scenario", "outcome", "robust_share", "deciding parameters"])


def deciders_html(table: pd.DataFrame) -> str:
    if table.empty:
        return (f"<p>Every summary effect keeps its sign in at least {100 * stats.ROBUST:.0f}% of the posterior sets."
                "</p>")
    shown = table.assign(outcome=[SHORT.get(o, o) for o in table["outcome"]],
                         robust_share=[f"{100 * v:.0f}%" for v in table["robust_share"]])
    return ('<p class="note">Where an effect keeps its sign in fewer than 90% of the posterior sets, the parameters '
            "that best tell the sets where it holds from those where it does not (scikit-learn random forest, "
            "impurity importance; 'higher where it holds': the effect holds in the sets with higher values). "
            "With few sets, read them as leads, not findings.</p>" + html.table(shown, numeric=("robust_share",)))
