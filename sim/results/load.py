"""Reading a sweep's results store back: one call, pandas out.

    from sim.results.load import load   (or: from analysis import load)
    res = load("results/default")
    res.national      # one row per run x step: scenario, point, seed, varied parameters, outputs
    res.provinces     # one row per run x step x province
    res.manifest      # provenance, scenarios with resolved parameters, planned runs, parts, failures
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from typing import NamedTuple

import pandas as pd

from sim.results.store import Store, StoreError

ORDER = {"national": ["scenario", "point", "seed", "step"],
         "provinces": ["scenario", "point", "seed", "step", "province"]}


class Results(NamedTuple):
    """The tables and manifest of a results store."""

    national: pd.DataFrame
    provinces: pd.DataFrame
    manifest: dict


def load(path: Path | str, skip: dict[str, Collection[str]] | None = None) -> Results:
    """Read a results store made by ``run.py sweep`` (or ``sim.runs.sweep.execute``), rows sorted by run and step.

    Only the parts the manifest lists are read, each after its checksum, size, row count and runs are
    checked, and both tables from the same parts: every run returned is complete in both tables.
    Raises StoreError (a UserError) with a clear message for a missing folder, a folder that is not a
    store, a manifest whose plan was edited, a damaged part or a run stored in two parts (named), or a store
    without finished runs. ``skip`` names, per table, columns not to read (never the run keys, the step or
    the province, which order the rows).
    """
    store = Store(path)
    tables, manifest = store.read_tables({name: None for name in ORDER}, skip)
    if not manifest["parts"]:
        raise StoreError(f"Results store '{path}' holds no finished runs yet (status: "
                         f"{manifest.get('status')}); run or resume it with `python run.py sweep --resume {path}`.")
    for name, cols in ORDER.items():
        tables[name] = tables[name].sort_values(cols, kind="stable").reset_index(drop=True)
    return Results(tables["national"], tables["provinces"], manifest)
