"""Scenario sweeps: scenarios x parameter design points x seeds, run on any backend into a results store.

Python use (the report, sensitivity and calibration code call exactly this)::

    from sim.runs.sweep import Run, SweepSpec, plan_runs, execute
    runs = plan_runs(SweepSpec(scenarios=("baseline", "iron_fist"), seeds=(1, 2, 3), steps=104))
    summary = execute(runs, Path("results/s1"), backend="processes")   # resumable

A sweep file (TOML, same content as the ``run.py sweep`` flags; see ``docs/sweeps.md``)::

    scenarios = ["baseline", "iron_fist"]     # or "all"
    seeds = 20                                # seeds 1..20, or a list: [3, 5, 9]
    steps = 104                               # optional: default is each scenario's steps
    design = "factorial"                      # or "lhs" with samples = N (and design_seed = 1)
    [axes]
    elder_influence = "0.2:0.8:4"             # 4 evenly spaced values, ends included
    amnesty = [0.2, 0.5, 0.8]                 # a list (or the string "0.2,0.5,0.8")

Seeds are part of each Run, never drawn from worker state, so results are identical on every backend
and worker count. The same seed list is used for every scenario and design point (paired seeds).
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import itertools
import json
import math
import sys
import time
import tomllib
import traceback
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.runs import backends
from sim.errors import UserError
from sim.results.manifest import git_revision, now, versions
from sim.inputs.parameters import PARAMS, coerce
from sim.inputs.scenario import Scenario, bundled_names, load_scenario
from sim.inputs.checks import SEED_MAX, check_seed
from sim.results.store import KIND, Store, StoreError, param_column

DESIGNS = ("factorial", "lhs")
CHUNK_RUNS = 50        # write a part after this many finished runs ...
CHUNK_SECONDS = 30.0   # ... or when the oldest unwritten run finished this long ago
_FILE_KEYS = ("scenarios", "seeds", "steps", "design", "samples", "design_seed", "axes")


class SweepError(UserError):
    """A sweep file, flag or run list that cannot be used."""


# ---- runs and the sweep specification ----------------------------------------------------------

@dataclass(frozen=True)
class Run:
    """One model run. Its key in the store is (scenario name, point, seed).

    Args:
        scenario: a bundled scenario name or the path of a scenario TOML file.
        seed: the run's random seed (the model's ``rng``).
        steps: weeks to simulate.
        overrides: parameter values applied on top of the scenario (validated by ``execute``).
        point: id of the design point (the parameter combination); runs that share a point share
            ``overrides``, whatever their scenario or seed.
    """

    scenario: str
    seed: int
    steps: int
    overrides: dict[str, Any] = field(default_factory=dict, hash=False)
    point: int = 0


@dataclass(frozen=True)
class Axis:
    """One varied parameter: explicit ``values``, or a range ``low:high`` with ``n`` values (n optional for LHS)."""

    name: str
    values: tuple = ()
    low: float | None = None
    high: float | None = None
    n: int | None = None
    where: str = "--set"

    @property
    def is_range(self) -> bool:
        return self.low is not None

    def text(self) -> str:
        """The axis in the ``--set`` syntax."""
        if self.is_range:
            return f"{self.low:g}:{self.high:g}" + (f":{self.n}" if self.n else "")
        return ",".join(str(v) for v in self.values)

    def grid(self) -> list:
        """The values of a full-factorial design: the list, or n evenly spaced values with both ends."""
        if not self.is_range:
            return list(self.values)
        raw = np.linspace(self.low, self.high, self.n)
        return [self._value(v, f"{self.where} (value {i + 1} of {self.text()})") for i, v in enumerate(raw)]

    def sample(self, u: np.ndarray) -> list:
        """Values for Latin-hypercube coordinates ``u`` in [0, 1): uniform on a range, equal strata on a list."""
        if not self.is_range:
            return [self.values[min(int(x * len(self.values)), len(self.values) - 1)] for x in u]
        if PARAMS[self.name].kind is int:
            span = int(self.high) - int(self.low) + 1
            return [int(self.low) + min(int(x * span), span - 1) for x in u]
        return [self._value(self.low + x * (self.high - self.low), self.where) for x in u]

    def _value(self, v: float, where: str) -> Any:
        return coerce(self.name, float(f"{v:.12g}"), where)


def parse_axis(name: str, value: Any, where: str = "--set") -> Axis:
    """An axis from ``lo:hi:n`` / ``lo:hi`` / ``a,b,c`` text, a TOML list, or a single value."""
    name = name.strip()
    if name not in PARAMS:
        coerce(name, 0, where)  # raises the table's "unknown parameter" message with similar names
    if name == "steps":
        raise SweepError(f"'steps' cannot be an axis ({where}); set the horizon with --steps or steps = N.")
    param = PARAMS[name]
    if isinstance(value, str) and ":" in value:
        bits = [b.strip() for b in value.split(":")]
        if param.kind is str or len(bits) not in (2, 3) or not all(bits):
            raise SweepError(f"Axis '{name}' in {where} is '{value}'; a range is lo:hi:n (n values, ends "
                             f"included), e.g. {name}={_example(param)}; allowed: {param.range_text()}.")
        low, high = (coerce(name, b, where) for b in bits[:2])
        if not low < high:
            raise SweepError(f"Axis '{name}' in {where}: range {value} needs lo < hi.")
        n = None
        if len(bits) == 3:
            try:
                n = int(bits[2])
            except ValueError:
                n = -1
            if n < 2:
                raise SweepError(f"Axis '{name}' in {where}: n in '{value}' must be a whole number >= 2 "
                                 f"(it counts the values, ends included); for one value write {name}={bits[0]}.")
        return Axis(name, low=low, high=high, n=n, where=where)
    if isinstance(value, str):
        items = [v.strip() for v in value.split(",")] if value.strip() else []
    elif isinstance(value, list):
        items = [v.isoformat() if hasattr(v, "isoformat") else v for v in value]
    else:
        items = [value.isoformat() if hasattr(value, "isoformat") else value]
    if not items or any(v == "" for v in items):
        raise SweepError(f"Axis '{name}' in {where} is empty (or has an empty value); give values like "
                         f"{name}=a,b,c or a range {name}={_example(param)}; allowed: {param.range_text()}.")
    values = tuple(coerce(name, v, where) for v in items)
    if len(set(values)) < len(values):
        raise SweepError(f"Axis '{name}' in {where} lists a value twice: {', '.join(map(str, values))}.")
    return Axis(name, values=values, where=where)


def _example(param) -> str:
    if param.kind is str:
        return "2021-08-15,2021-09-15"
    return f"{param.low:g}:{param.high:g}:3"


def parse_seeds(value: Any, where: str = "--seeds") -> tuple[int, ...]:
    """Seeds from a count N (seeds 1..N) or an explicit list of whole numbers >= 0."""
    if isinstance(value, bool):
        value = None
    if isinstance(value, int):
        if value < 1:
            raise SweepError(f"{where} is {value}; it must be at least 1 (seeds 1..N are run).")
        return tuple(range(1, value + 1))
    if isinstance(value, str):
        value = [v.strip() for v in value.split(",")] if value.strip() else []
    if not isinstance(value, list) or not value:
        raise SweepError(f"{where} is empty or not a list; give a count (seeds = 20) or a list of whole "
                         f"numbers >= 0 (seeds = [3, 5, 9] / --seed-list 3,5,9).")
    seeds = []
    for v in value:
        try:
            whole = not isinstance(v, bool) and float(v) == int(v)
        except (TypeError, ValueError, OverflowError):
            whole = False
        if not whole and not (isinstance(v, (int, str)) and str(v).strip().lstrip("-").isdigit()):
            raise SweepError(f"{where} has '{v}', which is not a whole number in [0, {SEED_MAX}].")
        seeds.append(check_seed(int(float(v)) if isinstance(v, float) else int(v), where))
    if len(set(seeds)) < len(seeds):
        raise SweepError(f"{where} lists a seed twice: {', '.join(map(str, seeds))}.")
    return tuple(seeds)


def parse_scenarios(value: Any, where: str = "--scenarios", base: Path | None = None) -> tuple[str, ...]:
    """Scenario references from "all", a comma list or a TOML list; files are made absolute paths."""
    if isinstance(value, str):
        value = bundled_names() if value.strip() == "all" else [v.strip() for v in value.split(",")]
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
        raise SweepError(f"{where} must name at least one scenario: 'all', bundled names "
                         f"({', '.join(bundled_names())}) or paths of .toml files.")
    refs = []
    for ref in value:
        path = Path(ref)
        if base is not None and ref.endswith(".toml") and not path.is_absolute() and (base / path).exists():
            path = base / path
        refs.append(str(path.resolve()) if (ref.endswith(".toml") or "/" in ref) and path.exists() else ref)
    if len(set(refs)) < len(refs):
        raise SweepError(f"{where} names a scenario twice: {', '.join(value)}.")
    return tuple(refs)


@dataclass(frozen=True)
class SweepSpec:
    """What a sweep file or the ``run.py sweep`` flags describe; ``plan_runs`` turns it into runs.

    Args:
        scenarios: bundled names and/or TOML paths.
        seeds: the seed list, shared by every scenario and design point.
        steps: weeks per run; None means each scenario's own ``steps``.
        axes: varied parameters.
        design: "factorial" (every combination of the axes' values) or "lhs" (Latin hypercube).
        samples: number of LHS design points.
        design_seed: seed of the LHS design (the design is part of the sweep, so it is fixed).
        source: the sweep file it came from, if any.
    """

    scenarios: tuple[str, ...] = ("baseline",)
    seeds: tuple[int, ...] = tuple(range(1, 11))
    steps: int | None = None
    axes: tuple[Axis, ...] = ()
    design: str = "factorial"
    samples: int | None = None
    design_seed: int = 1
    source: str | None = None

    def check(self) -> "SweepSpec":
        """Cross-field checks; returns self."""
        where = f"'{self.source}'" if self.source else "the command line"
        if self.design not in DESIGNS:
            raise SweepError(f"design is '{self.design}' in {where}; allowed: {', '.join(DESIGNS)}.")
        names = [a.name for a in self.axes]
        if len(set(names)) < len(names):
            raise SweepError(f"An axis is given twice in {where}: {', '.join(names)}.")
        if self.design == "factorial":
            if self.samples is not None:
                raise SweepError(f"samples is only used with design lhs ({where}); remove it or add --design lhs.")
            for a in self.axes:
                if a.is_range and a.n is None:
                    raise SweepError(f"Axis '{a.name}' in {a.where} is a range without n ({a.text()}); a "
                                     f"factorial design needs lo:hi:n (e.g. {a.text()}:4).")
        else:
            if not self.axes:
                raise SweepError(f"design lhs needs at least one axis ({where}); add --set name=lo:hi.")
            if isinstance(self.samples, bool) or not isinstance(self.samples, int) or self.samples < 1:
                raise SweepError(f"design lhs needs samples = N, a whole number >= 1 ({where}; "
                                 f"it was {self.samples}).")
        if isinstance(self.design_seed, bool) or not isinstance(self.design_seed, int) or self.design_seed < 0:
            raise SweepError(f"design_seed is {self.design_seed} in {where}; it must be a whole number >= 0.")
        return self

    @classmethod
    def from_toml(cls, path: Path | str) -> "SweepSpec":
        """Read and validate a sweep file."""
        path = Path(path)
        if not path.is_file():
            raise SweepError(f"Sweep file '{path}' does not exist.")
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise SweepError(f"Sweep file '{path}' is not valid TOML: {exc}.") from None
        unknown = sorted(set(data) - set(_FILE_KEYS))
        if unknown:
            raise SweepError(f"Sweep file '{path}' has unknown key(s) {unknown}; allowed: {list(_FILE_KEYS)} "
                             f"(parameter axes go under [axes]).")
        spec = cls(source=str(path))
        if "scenarios" in data:
            spec = replace(spec, scenarios=parse_scenarios(data["scenarios"], f"'{path}' scenarios", path.parent))
        if "seeds" in data:
            spec = replace(spec, seeds=parse_seeds(data["seeds"], f"'{path}' seeds"))
        if "steps" in data:
            spec = replace(spec, steps=coerce("steps", data["steps"], f"'{path}' steps"))
        axes = data.get("axes", {})
        if not isinstance(axes, dict):
            raise SweepError(f"Sweep file '{path}': axes must be a table, [axes] with name = values lines.")
        spec = replace(spec, axes=tuple(parse_axis(k, v, f"'{path}' [axes]") for k, v in axes.items()))
        for key in ("design", "samples", "design_seed"):
            if key in data:
                spec = replace(spec, **{key: data[key]})
        return spec.check()

    def as_dict(self) -> dict:
        """The spec as stored in the manifest."""
        return {"file": self.source, "scenarios": list(self.scenarios), "seeds": list(self.seeds),
                "steps": self.steps, "design": self.design, "samples": self.samples,
                "design_seed": self.design_seed, "axes": {a.name: a.text() for a in self.axes}}


def design_points(spec: SweepSpec) -> list[dict[str, Any]]:
    """The parameter combinations of the spec; point ids are indexes into this list."""
    if not spec.axes:
        return [{}]
    names = [a.name for a in spec.axes]
    if spec.design == "factorial":
        return [dict(zip(names, combo)) for combo in itertools.product(*(a.grid() for a in spec.axes))]
    from scipy.stats import qmc

    u = qmc.LatinHypercube(d=len(spec.axes), seed=np.random.default_rng(spec.design_seed)).random(spec.samples)
    columns = [a.sample(u[:, i]) for i, a in enumerate(spec.axes)]
    return [dict(zip(names, row)) for row in zip(*columns)]


def plan_runs(spec: SweepSpec) -> list[Run]:
    """Every run of the spec: for each scenario, each design point, each seed."""
    spec.check()
    points = design_points(spec)
    runs = []
    for ref in spec.scenarios:
        scenario = load_scenario(ref)
        for p, overrides in enumerate(points):
            steps = spec.steps or scenario.with_overrides(overrides, "[axes]").params["steps"]
            runs += [Run(ref, seed, int(steps), dict(overrides), p) for seed in spec.seeds]
    return runs


# ---- executing ---------------------------------------------------------------------------------

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


@dataclass
class _Plan:
    """Validated runs with their scenarios, parameter columns and manifest entries."""

    keys: list[tuple[str, int, int]]
    tasks: list[tuple]
    record: dict  # manifest fields: scenarios, points, varied, seeds, runs


def _prepare(runs: list[Run]) -> _Plan:
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
    return _Plan(keys, tasks, json.loads(json.dumps(record, default=str)))


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def _identity(record: dict) -> dict:
    """What makes two sweeps the same: resolved scenario parameters and events, points, runs."""
    return {"scenarios": {n: {"params": s["params"], "events": s["events"]} for n, s in record["scenarios"].items()},
            "points": record["points"], "runs": sorted(map(tuple, record["runs"]))}


def _difference(old: dict, new: dict) -> str:
    """A short description of how two sweep records differ."""
    a, b = _identity(old), _identity(new)
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


def _check_plan_record(manifest: dict, out: Path | str) -> dict:
    """The manifest, if it holds the plan that resume and a rerun compare with; else a SweepError."""
    missing = [k for k in ("scenarios", "points", "seeds", "runs") if k not in manifest]
    if missing:
        raise SweepError(f"'{Path(out) / 'manifest.json'}' lacks {', '.join(map(repr, missing))} (damaged or edited "
                         f"by hand), so the planned runs are unknown and the sweep cannot be resumed or checked. "
                         f"Nothing was changed; run the sweep again into a new --out folder.")
    return manifest


def stored_runs(out: Path | str) -> list[Run]:
    """The planned runs recorded in a store's manifest (what ``run.py sweep --resume`` executes)."""
    manifest = _check_plan_record(Store(out).read_manifest(), out)
    scenarios, points = manifest["scenarios"], manifest["points"]
    return [Run(scenarios[name]["ref"], seed, steps, dict(points[str(point)]), point)
            for name, point, seed, steps in manifest["runs"]]


def execute(runs: list[Run], out: Path, backend: str = "processes", workers: int | None = None,
            scheduler: str | None = None, progress: bool = True, meta: dict | None = None,
            chunk: int | None = None) -> dict:
    """Run what the store at ``out`` is missing of ``runs`` and store it; returns a summary.

    Args:
        runs: the planned runs (e.g. from ``plan_runs``); all are validated before anything is written.
        out: the store folder: new or empty, or holding this same sweep (then only missing runs run;
            an identical finished sweep does nothing). A folder holding another sweep raises
            StoreError and is left untouched.
        backend: "serial", "processes" (default; ``workers`` defaults to all cores) or "dask"
            (a loopback LocalCluster, or the cluster at ``scheduler`` / ``DASK_SCHEDULER_ADDRESS``).
        progress: tqdm bar on a terminal, plain lines otherwise, nothing if False.
        meta: extra JSON-able information stored in the manifest as ``meta`` on creation
            (e.g. the sweep file or a sensitivity design).
        chunk: write a part every ``chunk`` finished runs (default 50; also every 30 s).

    Returns:
        {"planned", "skipped" (already stored), "done" (stored now), "failed", "complete", "out",
        "seconds", "failures": [{"scenario", "point", "seed", "error"}]}

    Every stored row carries scenario, point, seed and one column per varied parameter (the union
    of override keys; the column is ``param_<name>`` when an output has that name, see the
    manifest's ``varied``), then the ``sim.outputs`` columns. A run that raises is recorded with its
    error in the manifest's ``failed`` list and the sweep goes on; resuming retries it.
    """
    started = time.monotonic()
    plan = _prepare(runs)
    address = backends.check(backend, workers, scheduler)
    if chunk is not None and (isinstance(chunk, bool) or not isinstance(chunk, int) or chunk < 1):
        raise SweepError(f"--chunk is {chunk}; it must be a whole number >= 1.")
    store = Store(out)
    old = store.existing()
    if old is not None:
        _check_plan_record(old, out)
    if old is not None and _identity(old) != _identity(plan.record):
        raise StoreError(f"Output folder '{out}' holds a different sweep: {_difference(old, plan.record)}. "
                         f"Give another --out, or delete the folder to start over; nothing was changed.")
    done = store.done_keys() if old is not None else set()
    todo = [i for i, k in enumerate(plan.keys) if k not in done]
    summary = {"planned": len(plan.keys), "skipped": len(plan.keys) - len(todo), "done": 0, "failed": 0,
               "complete": not todo, "out": str(out), "failures": []}
    if not todo and old is not None and old.get("status") == "complete":
        summary["seconds"] = time.monotonic() - started
        return summary
    with contextlib.ExitStack() as stack:
        # Connect before writing anything: an unreachable scheduler leaves the store as it was.
        backend_info = stack.enter_context(backends.open_backend(backend, workers, address)) if todo else None
        stack.enter_context(store.writing())
        manifest = old or {"kind": KIND, "format": 1, "created": now(), "versions": versions(),
                           "git": git_revision(), "meta": meta, **plan.record, "failed": [], "sessions": []}
        manifest["status"] = "running"
        manifest["sessions"].append({"started": now(), "backend": backend_info.label if backend_info else None,
                                     "git": git_revision().get("commit"), "to_run": len(todo)})
        store.write_manifest(manifest)
        failed = {(f["scenario"], f["point"], f["seed"]): f for f in manifest["failed"]}
        _loop(plan, todo, backend_info, store, manifest, failed, summary, chunk or CHUNK_RUNS, progress)
    summary["seconds"] = time.monotonic() - started
    return summary


def _loop(plan: _Plan, todo: list[int], backend, store: Store, manifest: dict, failed: dict,
          summary: dict, chunk: int, progress: bool) -> None:
    """Submit runs through a window, store results in parts as they finish, keep the manifest current."""
    bar = Progress(len(plan.keys), summary["skipped"], progress)
    buffer: list[tuple[pd.DataFrame, pd.DataFrame]] = []
    oldest = 0.0

    def save(final: bool = False) -> None:
        if buffer:
            batch = buffer[:]
            buffer.clear()   # before writing: an interrupted write must not be written again (duplicates)
            store.write_part({"national": pd.concat([b[0] for b in batch], ignore_index=True),
                              "provinces": pd.concat([b[1] for b in batch], ignore_index=True)})
        manifest["failed"] = list(failed.values())
        if final:
            manifest["status"] = "complete" if not failed and summary["complete"] else "incomplete"
            manifest["sessions"][-1].update(finished=now(), done=summary["done"], failed=len(failed))
        manifest["updated"] = now()
        store.write_manifest(manifest)

    if backend:
        bar.note(f"sweep: {len(plan.keys)} runs planned, {summary['skipped']} already stored, {len(todo)} to run "
                 f"on {backend.label} -> {store.root}")
    pending: dict[cf.Future, int] = {}
    queue = iter(todo)
    try:
        while True:
            while backend and len(pending) < backend.window and (i := next(queue, None)) is not None:
                pending[backend.executor.submit(run_task, *plan.tasks[i])] = i
            if not pending:
                break
            timeout = max(0.1, CHUNK_SECONDS - (time.monotonic() - oldest)) if buffer else None
            finished, _ = cf.wait(pending, timeout=timeout, return_when=cf.FIRST_COMPLETED)
            for future in finished:
                key = plan.keys[pending.pop(future)]
                try:
                    national, provinces = future.result()
                except Exception as exc:  # recorded, the sweep goes on
                    failed[key] = {"scenario": key[0], "point": key[1], "seed": key[2],
                                   "error": _first_line(exc), "when": now(),
                                   "traceback": "".join(traceback.format_exception(exc))[-4000:]}
                    summary["failed"] += 1
                    bar.note(f"run {key[0]} point {key[1]} seed {key[2]} failed: {_first_line(exc)}")
                else:
                    failed.pop(key, None)
                    oldest = oldest if buffer else time.monotonic()
                    buffer.append((national, provinces))
                    summary["done"] += 1
                bar.update(summary["failed"])
            if buffer and (len(buffer) >= chunk or time.monotonic() - oldest >= CHUNK_SECONDS):
                save()
        summary["complete"] = not failed
        summary["failures"] = [{k: f[k] for k in ("scenario", "point", "seed", "error")} for f in failed.values()]
        summary["failed"] = len(failed)
    finally:
        for future in pending:
            future.cancel()
        save(final=True)
        bar.close()


def _first_line(exc: BaseException) -> str:
    """The error on one line (the manifest keeps the traceback)."""
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text[:300]}"


class Progress:
    """Runs done of planned: a tqdm bar on a terminal, a plain line now and then otherwise."""

    def __init__(self, total: int, initial: int, enabled: bool, stream=None):
        self.stream = stream or sys.stderr
        self.total, self.count, self.start_count = total, initial, initial
        self.enabled = enabled
        self.started = self.last = time.monotonic()
        self.every = max(1, total // 20)
        self.bar = None
        if enabled and self.stream.isatty():
            from tqdm import tqdm
            self.bar = tqdm(total=total, initial=initial, unit="run", file=self.stream, dynamic_ncols=True)

    def update(self, failed: int) -> None:
        self.count += 1
        if self.bar is not None:
            self.bar.update(1)
            if failed:
                self.bar.set_postfix(failed=failed)
        elif self.enabled and (self.count % self.every == 0 or time.monotonic() - self.last > 30
                               or self.count == self.total):
            self.last = time.monotonic()
            rate = (self.count - self.start_count) / max(self.last - self.started, 1e-9)
            left = (self.total - self.count) / rate if rate > 0 else math.inf
            eta = f", about {left:.0f} s left" if math.isfinite(left) and self.count < self.total else ""
            extra = f", {failed} failed" if failed else ""
            print(f"sweep: {self.count}/{self.total} runs{extra} ({rate:.2f} runs/s{eta})", file=self.stream,
                  flush=True)

    def note(self, text: str) -> None:
        if self.bar is not None:
            self.bar.write(text, file=self.stream)
        elif self.enabled:
            print(text, file=self.stream, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


__all__ = ["Axis", "Run", "SweepSpec", "SweepError", "design_points", "execute", "parse_axis", "parse_scenarios",
           "parse_seeds", "plan_runs", "run_task", "stored_runs", "CHUNK_RUNS", "CHUNK_SECONDS"]
