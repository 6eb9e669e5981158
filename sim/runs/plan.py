"""A validated plan: the runs checked against the parameter table and scenario files, the worker tasks,
the manifest record of the sweep, and how two sweep records differ (to refuse mixing sweeps in a store).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from sim.inputs.parameters import coerce
from sim.inputs.scenario import Scenario, load_scenario
from sim.results.store import Store, StoreError, param_column
from sim.runs.design import SweepError
from sim.runs.spec import Run


@dataclass
class Plan:
    """Validated runs with their scenarios, parameter columns and manifest entries."""

    keys: list[tuple[str, int, int]]
    tasks: list[tuple]
    record: dict  # manifest fields: scenarios, points, varied, seeds, runs


def prepare(runs: list[Run]) -> Plan:
    """Validate the runs against the parameter table and scenario files, before anything is written."""
    if not runs:
        raise SweepError("The sweep plans no runs; give at least one scenario and one seed.")
    base: dict[str, Scenario] = {}
    names: dict[str, str] = {}
    points: dict[int, dict] = {}
    if not all(isinstance(run, Run) for run in runs):
        raise SweepError("execute() takes a list of sim.runs.sweep.Run.")
    runs = [replace(r, steps=_plain(r.steps), overrides={k: _plain(v) for k, v in r.overrides.items()})
            for r in runs]   # NumPy scalars (from a design table) become the Python values the table checks
    for run in runs:
        for attr in ("seed", "point"):
            v = getattr(run, attr)
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 0:
                raise SweepError(f"Run {run}: {attr} must be a whole number >= 0.")
        if run.scenario not in base:
            base[run.scenario] = load_scenario(run.scenario)
            name = base[run.scenario].name
            if name in names.values():
                other = next(r for r, n in names.items() if n == name)
                raise SweepError(f"Scenarios '{other}' and '{run.scenario}' share the name '{name}'; "
                                 f"results are keyed by scenario name, so give one of them another name.")
            names[run.scenario] = name
        if points.setdefault(run.point, run.overrides) != run.overrides:
            raise SweepError(f"Design point {run.point} has two different sets of overrides: "
                             f"{points[run.point]} and {run.overrides}.")
    varied = {name: param_column(name) for name in sorted({k for ov in points.values() for k in ov})}
    if "steps" in varied:
        raise SweepError("'steps' cannot be an override of a Run; use Run.steps.")
    resolved: dict[tuple[str, int], tuple[Scenario, dict]] = {}   # scenario with the point's values, its params
    coerced: dict[int, dict] = {}
    keys, tasks, seen = [], [], set()
    for run in runs:
        if (run.scenario, run.point) not in resolved:
            scenario = base[run.scenario].with_overrides(run.overrides, f"design point {run.point}")
            resolved[run.scenario, run.point] = scenario, scenario.params
        scenario, params = resolved[run.scenario, run.point]
        coerced.setdefault(run.point, {k: scenario.overrides[k] for k in run.overrides})
        steps = coerce("steps", run.steps, f"Run {names[run.scenario]}/{run.point}/{run.seed}")
        key = (names[run.scenario], int(run.point), int(run.seed))
        if key in seen:
            raise SweepError(f"Run (scenario {key[0]}, point {key[1]}, seed {key[2]}) is planned twice.")
        seen.add(key)
        keys.append(key)
        tasks.append((scenario, key[2], steps, key[1], {col: params[p] for p, col in varied.items()}))
    record = {
        "scenarios": {names[ref]: {"ref": ref, **s.as_dict()} for ref, s in base.items()},
        "points": {str(p): ov for p, ov in sorted(coerced.items())},
        "varied": varied,
        "seeds": sorted({k[2] for k in keys}),
        "run_fields": ["scenario", "point", "seed", "steps"],
        "runs": [[k[0], k[1], k[2], t[2]] for k, t in zip(keys, tasks)],
    }
    return Plan(keys, tasks, json.loads(json.dumps(record, default=str)))


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def identity(record: dict) -> dict:
    """What makes two sweeps the same: resolved scenario parameters and events, points, runs."""
    return {"scenarios": {n: {"params": s["params"], "events": s["events"]} for n, s in record["scenarios"].items()},
            "points": record["points"], "runs": sorted(map(tuple, record["runs"]))}


def difference(old: dict, new: dict) -> str:
    """A short description of how two sweep records differ."""
    a, b = identity(old), identity(new)
    if set(a["scenarios"]) != set(b["scenarios"]):
        return f"its scenarios are {sorted(a['scenarios'])}, this sweep's are {sorted(b['scenarios'])}"
    for name in a["scenarios"]:
        pa, pb = a["scenarios"][name]["params"], b["scenarios"][name]["params"]
        for k in sorted(set(pa) | set(pb)):
            if pa.get(k) != pb.get(k):
                return (f"scenario '{name}' had {k} = {pa.get(k)} there and has {pb.get(k)} now (the defaults "
                        f"or the scenario file changed since)")
        if a["scenarios"][name]["events"] != b["scenarios"][name]["events"]:
            return f"the scheduled events of scenario '{name}' changed"
    if a["points"] != b["points"]:
        return f"its parameter axes differ ({len(a['points'])} design points there, {len(b['points'])} now)"
    seeds_a, seeds_b = sorted(old["seeds"]), sorted(new["seeds"])
    if seeds_a != seeds_b:
        return f"its seeds are {_span(seeds_a)}, this sweep's are {_span(seeds_b)}"
    return f"it plans {len(a['runs'])} runs with other steps or combinations than these {len(b['runs'])}"


def _span(seeds: list[int]) -> str:
    return f"{seeds[0]}..{seeds[-1]}" if seeds == list(range(seeds[0], seeds[-1] + 1)) else ",".join(map(str, seeds))


def require_plan(manifest: dict, path: Path) -> dict:
    """The manifest, if it records the plan that resume and a rerun compare with; StoreError otherwise."""
    if not all(isinstance(manifest.get(k), (dict, list)) for k in ("scenarios", "points", "runs")):
        raise StoreError(f"'{path}' lists no planned runs (it needs 'scenarios', 'points' and 'runs'; damaged, "
                         f"edited by hand or not written by `run.py sweep`), so the sweep cannot be resumed or "
                         f"checked. Nothing was changed; run the sweep again into a new --out folder.")
    return manifest


def stored_runs(out: Path | str) -> list[Run]:
    """The planned runs recorded in a store's manifest (what ``run.py sweep --resume`` executes)."""
    store = Store(out)
    if not store.manifest_path.is_file() and (not store.root.exists() or store.root.is_dir() and store.bare()):
        state = "does not exist" if not store.root.exists() else "has no manifest.json"
        made = store.lock_note() if store.root.exists() else ""
        what = f"`{made}`" if made else f"`python run.py sweep ... --out {out}`"
        raise StoreError(f"--resume {out}: the folder {state}, so the sweep that was to write there was stopped "
                         f"before it recorded its plan and stored no runs; there is nothing to resume. Run the "
                         f"original command again, {what}: it starts the sweep.")
    manifest = require_plan(store.read_manifest(), store.manifest_path)
    scenarios, points = manifest["scenarios"], manifest["points"]
    return [Run(scenarios[name]["ref"], seed, steps, dict(points[str(point)]), point)
            for name, point, seed, steps in manifest["runs"]]
