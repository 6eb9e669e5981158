"""Reading a sweep's results store back: one call, pandas out.

    from sim.results.load import load   (or: from analysis import load)
    res = load("results/default")
    res.national      # one row per run x step: scenario, point, seed, varied parameters, outputs
    res.provinces     # one row per run x step x province
    res.manifest      # provenance, scenarios with resolved parameters, planned runs, failures
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import pandas as pd

from sim.errors import UserError
from sim.results.store import Store

ORDER = {"national": ["scenario", "point", "seed", "step"],
         "provinces": ["scenario", "point", "seed", "step", "province"]}


class Results(NamedTuple):
    """The tables and manifest of a results store."""

    national: pd.DataFrame
    provinces: pd.DataFrame
    manifest: dict


def load(path: Path | str) -> Results:
    """Read a results store made by ``run.py sweep`` (or ``sim.runs.sweep.execute``), rows sorted by run and step.

    Raises UserError with a clear message for a missing folder, a folder that is not a store, or a
    store without finished runs. Only whole parts are read (temporary files of a killed sweep are not).
    """
    store = Store(path)
    manifest = store.read_manifest()
    if not store.parts():
        raise UserError(f"Results store '{path}' holds no finished runs yet (status: "
                        f"{manifest.get('status')}); run or resume it with `python run.py sweep --resume {path}`.")
    tables = {name: store.read(name).sort_values(cols, kind="stable").reset_index(drop=True)
              for name, cols in ORDER.items()}
    return Results(tables["national"], tables["provinces"], manifest)
