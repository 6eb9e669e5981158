"""Tables of a results store for spreadsheets: values rounded to their meaning, and per-week summaries.

Counts (people, attacks, cells, provinces) are whole numbers; model shares and means on a 0-1 scale
(grievance, legitimacy) keep four decimals; design-parameter columns are written as stored.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from sim.outputs import NATIONAL_METRICS, PROVINCE_METRICS

# Outputs on a 0-1 scale; every other output column is a count.
SHARES = frozenset({"mean_grievance", "mean_legitimacy", "salafi_mean_grievance", "legitimacy", "grievance"})
COUNTS = frozenset(NATIONAL_METRICS + PROVINCE_METRICS) - SHARES
SHARE_DIGITS = 4
QUANTILES = {"p10": 0.10, "median": 0.50, "p90": 0.90}
FORMATS = ("csv", "parquet")


def rounded(df: pd.DataFrame) -> pd.DataFrame:
    """A copy with counts as integers and shares to four decimals (e.g. 70000.00000000004 -> 70000)."""
    out = df.copy()
    for col in out.columns:
        if col in COUNTS:
            out[col] = out[col].round().astype("int64")
        elif col in SHARES:
            out[col] = out[col].round(SHARE_DIGITS)
    return out


def summary(df: pd.DataFrame, params: list[str]) -> pd.DataFrame:
    """Median, 10th and 90th percentile over seeds per scenario, design point and week (and province).

    One row per group and output (long format): scenario, point, the design parameters, step, date,
    [province], metric, seeds, p10, median, p90. Summaries of counts keep one decimal (a median of
    an even number of seeds can fall halfway).
    """
    keys = [k for k in ("scenario", "point", *params, "step", "date", "province") if k in df.columns]
    metrics = [c for c in df.columns if c in COUNTS | SHARES]
    long = df.melt(id_vars=keys + ["seed"], value_vars=metrics, var_name="metric")
    grouped = long.groupby(keys + ["metric"], sort=False)["value"]
    table = grouped.quantile(list(QUANTILES.values())).unstack()
    table.columns = list(QUANTILES)
    table.insert(0, "seeds", grouped.size())
    table = table.reset_index()
    for name in QUANTILES:
        table[name] = [round(v, SHARE_DIGITS if m in SHARES else 1) for v, m in zip(table[name], table["metric"])]
    order = {m: i for i, m in enumerate(metrics)}
    by = [k for k in keys if k not in ("step", "date", "province")] + ["metric"] + \
        [k for k in ("province", "step") if k in keys]   # each output's weeks in a block, in time order
    table = table.sort_values(by, key=lambda s: s.map(order) if s.name == "metric" else s, kind="stable")
    return table.reset_index(drop=True)[keys + ["metric", "seeds", *QUANTILES]]


def write_table(df: pd.DataFrame, target: Path, name: str, fmt: str) -> Path:
    """Write ``df`` as ``target/name.fmt`` through a temporary file, so a reader never sees half a file."""
    path, tmp = target / f"{name}.{fmt}", target / f".{name}.{fmt}.tmp"
    if fmt == "csv":
        df.to_csv(tmp, index=False)
    else:
        df.to_parquet(tmp, index=False)
    os.replace(tmp, path)
    return path
