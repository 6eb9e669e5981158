"""One run = (scenario, seed) -> tidy tables. Used by ``run.py run``, the sweep runner and tests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from sim.model import agents
from sim.model.model import InsurgencyModel
from sim.outputs import EVENT_COLUMNS, NATIONAL_COLUMNS, PROVINCE_COLUMNS
from sim.inputs.scenario import Scenario


@dataclass
class RunResult:
    """The tables of one run, in the column order of ``sim.outputs``."""

    national: pd.DataFrame
    provinces: pd.DataFrame
    events: pd.DataFrame
    conserved: bool
    halted: int | None = None  # the week a run was stopped early by ``halt_members``, else None


def run_one(scenario: Scenario, seed: int, steps: int | None = None, overrides: dict[str, Any] | None = None,
            halt_members: float | None = None) -> RunResult:
    """Run a scenario for ``steps`` weeks (default: the scenario's ``steps``) with one seed.

    ``halt_members`` (people) stops the run after the first week in which ISIS-K has more members; the
    calibration uses it to stop runaway runs far outside every strength band (``analysis.abc_model``).
    """
    model = InsurgencyModel.from_scenario(scenario, rng=int(seed), **(overrides or {}))
    n = int(steps if steps is not None else model.p["steps"])
    conserved, halted = True, None
    for week in range(1, n + 1):
        model.step()
        conserved &= sum(model.people_by_state().values()) == model.pool.n * model.scale
        if halt_members is not None and model.datacollector.model_vars["iskp_members"][-1] > halt_members:
            halted = week
            break
    result = frames(model)
    result.conserved, result.halted = conserved, halted
    release(model)
    return result


def frames(model: InsurgencyModel) -> RunResult:
    """The DataCollector's tables with scenario, seed, step and date attached."""
    dc = model.datacollector
    national = dc.get_model_vars_dataframe().reset_index(drop=True)
    national.insert(0, "step", range(len(national)))
    national.insert(1, "date", [model.date_of(s).isoformat() for s in national["step"]])
    provinces = dc.get_table_dataframe("provinces")
    events = dc.get_table_dataframe("events")
    if events.empty:
        events = pd.DataFrame(columns=list(EVENT_COLUMNS))
    out = []
    for df in (national, provinces, events):
        df = df.copy()
        df.insert(0, "scenario", model.scenario.name)
        df.insert(1, "seed", model.seed)
        df["date"] = pd.to_datetime(df["date"])
        out.append(df)
    national, provinces, events = out
    return RunResult(national[list(NATIONAL_COLUMNS)], provinces[list(PROVINCE_COLUMNS)], events, True)


def release(model: InsurgencyModel) -> None:
    """Let a finished model be garbage-collected (``sim.model.agents.release``: Mesa 3.3.1 has no public way)."""
    agents.release(model)
