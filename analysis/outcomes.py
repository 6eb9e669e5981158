"""What the analysis measures: names, plain labels and per-run summaries of the output columns.

A *run outcome* is one number per run (scenario, point, seed), named ``<column>_final`` (value at
the horizon, for stocks such as members) or ``<column>_cum`` (sum over all weeks, for flows such as
deaths). The report's headline outcomes and ``run.py sensitivity --outcome`` use the same names.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from sim.outputs import ATTACK_FLOWS, FLOWS, KEYS, NATIONAL_METRICS, PROVINCE_METRICS

RUN_KEYS = ("scenario", "point", "seed")
SET_COLUMN = "posterior_set"   # which posterior draw a run used (added from the manifest by ``with_sets``)

# Plain names of the national metrics for charts and sentences (people unless said otherwise).
LABELS = {
    "iskp_members": "ISIS-K members",
    "iskp_cells": "ISIS-K cells",
    "taliban_strength": "Taliban strength (fighters)",
    "attacks_total": "attacks (all types)",
    "attacks_ambush": "ambushes",
    "attacks_mass_casualty": "mass-casualty attacks",
    "attacks_leadership": "attacks on leaders",
    "attacks_elder": "attacks on elders",
    "civilian_deaths": "civilian deaths",
    "taliban_deaths": "Taliban deaths",
    "iskp_deaths": "ISIS-K deaths",
    "ejk_killed": "extrajudicial killings",
    "ejk_nonmembers": "non-members killed extrajudicially",
    "surrenders": "surrenders",
    "relapses": "relapses",
    "detained": "detentions",
    "elders_killed": "elders killed",
    "joined_iskp": "recruits joining ISIS-K",
    "joined_taliban": "recruits joining the Taliban",
    "mean_legitimacy": "mean Taliban legitimacy (0-1)",
    "mean_grievance": "mean grievance (0-1)",
    "salafi_mean_grievance": "Salafi grievance (0-1)",
    "legitimacy": "Taliban legitimacy (0-1)",
    "grievance": "grievance (0-1)",
    "provinces_with_iskp": "provinces with ISIS-K",
}

# The five outcomes of the effect table and forest plot, in reading order.
HEADLINE = ("iskp_members_final", "civilian_deaths_cum", "attacks_total_cum", "taliban_strength_final",
            "surrenders_cum")

# Metrics drawn as time series in the report; flows are drawn cumulated so that curves are readable.
SERIES = ("iskp_members", "civilian_deaths", "taliban_strength", "surrenders", "ejk_killed", "mean_legitimacy",
          "salafi_mean_grievance")
ATTACK_TYPES = ATTACK_FLOWS


@dataclass(frozen=True)
class Outcome:
    """One number per run: a national column at the horizon (``final``) or summed over weeks (``cum``)."""

    name: str
    column: str
    how: str  # "final" or "cum"

    @property
    def label(self) -> str:
        return LABELS.get(self.column, self.column.replace("_", " "))

    def phrase(self, horizon: int) -> str:
        """Words after a number, e.g. 'ISIS-K members at week 104' or 'civilian deaths by week 104'."""
        return f"{self.label} {'at' if self.how == 'final' else 'by'} week {horizon}"


def is_flow(column: str) -> bool:
    """Counts during a step (summed over time) as opposed to stocks and shares (read at a time)."""
    return column in FLOWS or column == "attacks_total"


def outcome(name: str) -> Outcome:
    """Parse ``<column>_final`` / ``<column>_cum``; raises ValueError naming the allowed forms."""
    for how in ("final", "cum"):
        column = name.removesuffix(f"_{how}")
        if column != name and column in NATIONAL_METRICS:
            if how == "cum" and not is_flow(column):
                raise ValueError(f"outcome '{name}': {column} is a stock, not a weekly count; use {column}_final")
            return Outcome(name, column, how)
    flows = sorted(c for c in NATIONAL_METRICS if is_flow(c))
    raise ValueError(f"unknown outcome '{name}'; use <column>_final for any national column or <column>_cum for "
                     f"a weekly count ({', '.join(flows)}); headline outcomes: {', '.join(HEADLINE)}")


def run_keys(df: pd.DataFrame) -> list[str]:
    """The columns that identify one run in a store table."""
    return [k for k in RUN_KEYS if k in df.columns]


def param_columns(df: pd.DataFrame) -> list[str]:
    """Columns of varied parameters: everything that is neither a key, an output nor a run outcome."""
    known = set(KEYS) | set(RUN_KEYS) | set(NATIONAL_METRICS) | set(PROVINCE_METRICS) | {"province", SET_COLUMN}
    return [c for c in df.columns if c not in known and not _is_outcome_name(c)]


def _is_outcome_name(name: str) -> bool:
    return any(name.endswith(f"_{how}") and name.removesuffix(f"_{how}") in NATIONAL_METRICS for how in ("final", "cum"))


def posterior_record(manifest: dict | None) -> dict | None:
    """The posterior a sweep drew its parameter sets from (``meta.sweep.posterior``), or None."""
    record = ((manifest or {}).get("meta") or {}).get("sweep", {}).get("posterior")
    return record if isinstance(record, dict) and record.get("particles") else None


def with_sets(df: pd.DataFrame, manifest: dict | None) -> pd.DataFrame:
    """``df`` with a ``posterior_set`` column (the draw each run's design point used), if the store has one."""
    record = posterior_record(manifest)
    if record is None or df is None:
        return df
    out = df.copy()
    out.insert(list(out.columns).index("point") + 1, SET_COLUMN, out["point"] // int(record["points_per_set"]))
    return out


def per_run(national: pd.DataFrame, names: tuple[str, ...] | list[str] = HEADLINE) -> pd.DataFrame:
    """One row per run with its keys, varied parameters and the named outcomes."""
    wanted = [outcome(n) for n in names]
    keys = run_keys(national) + ([SET_COLUMN] if SET_COLUMN in national.columns else []) + param_columns(national)
    ordered = national.sort_values(run_keys(national) + ["step"])
    grouped = ordered.groupby(keys, sort=True, observed=True, dropna=False)
    finals = grouped[sorted({o.column for o in wanted if o.how == "final"})].last()
    sums = grouped[sorted({o.column for o in wanted if o.how == "cum"})].sum()
    out = pd.DataFrame(index=finals.index)
    for o in wanted:
        out[o.name] = (finals if o.how == "final" else sums)[o.column]
    return out.reset_index()
