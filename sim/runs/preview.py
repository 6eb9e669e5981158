"""What a sweep would do, before it runs: the plan's size and a time estimate from a short timing run.

The estimate times the first planned run's scenario twice (set-up only, then a few weeks), so it
reflects this machine's current load; a run's cost changes as the insurgency grows, so the figure is
a rough guide (the README's timings say by how much), not a promise.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass

from sim.inputs.scenario import load_scenario
from sim.runs.runner import run_one
from sim.runs.sweep import Run

TIMING_WEEKS = 13   # a quarter: long enough to pass the escape week and settle, short enough to wait for


@dataclass(frozen=True)
class Estimate:
    """Seconds of one model's set-up and of one simulated week, measured on this machine."""

    setup: float
    per_week: float

    def seconds(self, runs: list[Run], workers: int) -> float:
        """Wall time of ``runs`` spread over ``workers`` parallel workers (no worker start-up cost)."""
        total = sum(self.setup + self.per_week * r.steps for r in runs)
        return total / max(1, min(workers, len(runs)))


def time_runs(run: Run, weeks: int = TIMING_WEEKS) -> Estimate:
    """Time ``run``'s scenario with its overrides: a 0-week run (set-up, tables) and a ``weeks``-week one."""
    scenario = load_scenario(run.scenario).with_overrides(run.overrides, f"design point {run.point}")
    weeks = max(1, min(weeks, run.steps))
    took = []
    for n in (0, weeks):
        started = time.perf_counter()
        run_one(scenario, run.seed, n)
        took.append(time.perf_counter() - started)
    return Estimate(took[0], max(0.0, took[1] - took[0]) / weeks)


def plan_lines(runs: list[Run]) -> list[str]:
    """The plan in a few lines: runs per scenario, design points, seeds, weeks."""
    per_scenario = Counter(r.scenario for r in runs)
    points = len({r.point for r in runs})
    seeds = sorted({r.seed for r in runs})
    weeks = sorted({r.steps for r in runs})
    lines = [f"plan: {len(runs)} runs = {len(per_scenario)} scenario(s) x {points} design point(s) x "
             f"{len(seeds)} seed(s), {'/'.join(map(str, weeks))} weeks each"]
    lines += [f"  {name}: {n} runs" for name, n in per_scenario.items()]
    return lines


def horizon_notes(runs: list[Run]) -> list[str]:
    """A warning for each scenario and run length whose scheduled events fall after the last week."""
    notes, seen, scenarios = [], set(), {}
    for r in runs:
        key = (r.scenario, r.steps, r.overrides.get("start_date"))
        if key in seen:
            continue
        seen.add(key)
        base = scenarios.setdefault(r.scenario, load_scenario(r.scenario))
        scenario = base.with_overrides({"start_date": key[2]}, f"the sweep axis start_date (point {r.point})") if key[2] else base
        if note := scenario.horizon_warning(r.steps):
            notes.append(note)
    return notes


def duration(seconds: float) -> str:
    """``seconds`` as '40 s', '12 min' or '3.5 h'."""
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"
