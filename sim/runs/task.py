"""The worker task of a sweep: one whole run, with its design point and parameter columns attached.

Its own small module so that the driver does not import the model (pool workers and Dask workers
import it by name; only they, and the serial backend, load ``sim.runs.runner``).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from sim.inputs.scenario import Scenario


def run_task(scenario: Scenario, seed: int, steps: int, point: int,
             columns: dict[str, Any]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One whole run, in a worker: national and provinces tables with point and parameter columns.

    A top-level function so that spawned processes and Dask workers can import it.
    """
    from sim.runs.runner import run_one  # imported here: the driver only needs it for the serial backend

    result = run_one(scenario, seed, steps)
    out = []
    for df in (result.national, result.provinces):
        df.insert(1, "point", point)
        for i, (col, value) in enumerate(columns.items()):
            df.insert(3 + i, col, value)
        out.append(df)
    return out[0], out[1]
