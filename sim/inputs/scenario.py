"""Scenario files: TOML with parameter overrides and scheduled events, validated on load.

A scenario may ``extends = "baseline"`` (or another bundled name / a path), override a few
parameters in ``[params]``, drop inherited events by type (``drop_events = ["prison_escape"]``)
and add its own ``[[events]]``.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sim.errors import UserError
from sim.inputs.checks import did_you_mean, read_text
from sim.inputs.events import Event, parse_event
from sim.inputs.parameters import ParameterError, coerce, resolve

SCENARIO_DIR = Path(__file__).resolve().parents[2] / "scenarios"
_TOP_KEYS = {"name", "description", "extends", "params", "events", "drop_events"}


class ScenarioError(UserError):
    """A scenario file that cannot be used as it is."""


@dataclass(frozen=True)
class Scenario:
    """A named set of parameter values plus scheduled events."""

    name: str
    description: str = ""
    overrides: dict[str, Any] = field(default_factory=dict)
    events: tuple[Event, ...] = ()
    source: str = ""

    def __post_init__(self) -> None:
        where = f"Scenario file '{self.source}'" if self.source else f"Scenario '{self.name}'"
        check_event_dates(self.events, self.start, where)

    @property
    def params(self) -> dict[str, Any]:
        """Every parameter, defaults updated with this scenario's overrides."""
        return resolve(self.overrides)

    @property
    def start(self) -> dt.date:
        return dt.date.fromisoformat(self.params["start_date"])

    def with_overrides(self, extra: dict[str, Any], where: str = "--set") -> "Scenario":
        """A copy with more overrides (validated against the parameter table)."""
        merged = dict(self.overrides)
        for k, v in extra.items():
            merged[k] = coerce(k, v, where)
        if "start_date" in extra:
            check_event_dates(self.events, dt.date.fromisoformat(merged["start_date"]),
                              f"{where} (scenario '{self.name}')")
        return Scenario(self.name, self.description, merged, self.events, self.source)

    def events_after(self, steps: int | None = None) -> list[Event]:
        """The events that a run of ``steps`` weeks (default: this scenario's steps) ends before."""
        n = int(self.params["steps"] if steps is None else steps)
        return [e for e in self.events if e.step(self.start) > n]

    def horizon_warning(self, steps: int | None = None) -> str | None:
        """One paragraph naming the events that never fire in a run of ``steps`` weeks, or None."""
        late = self.events_after(steps)
        if not late:
            return None
        n = int(self.params["steps"] if steps is None else steps)
        end = self.start + dt.timedelta(days=7 * n)
        listed = "; ".join(f"'{e.type}' on {e.date}" + (f" ({e.label})" if e.label else "") for e in late)
        return (f"scenario '{self.name}': {len(late)} scheduled event(s) fall after the last week of this "
                f"{n}-week run (ending {end}) and will not fire: {listed}.")

    def as_dict(self) -> dict:
        return {"name": self.name, "description": self.description, "source": self.source,
                "overrides": dict(self.overrides), "params": self.params,
                "events": [e.as_dict() for e in self.events]}


def bundled_names() -> list[str]:
    """Names of the scenarios shipped in ``scenarios/``."""
    return sorted(p.stem for p in SCENARIO_DIR.glob("*.toml"))


def _locate(ref: str, relative_to: Path | None = None) -> Path:
    path = Path(ref)
    if path.suffix == ".toml" or "/" in ref or path.exists():
        if not path.is_absolute() and relative_to is not None and not path.exists():
            path = relative_to / path
        if not path.is_file():
            hint = f" The bundled scenario is named '{path.stem}', without .toml." if path.stem in bundled_names() \
                and not path.exists() and path.name == ref else ""
            raise ScenarioError(f"Scenario file '{ref}' does not exist.{hint} Give a bundled name "
                                f"({', '.join(bundled_names())}) or the path of a .toml file.")
        return path
    candidate = SCENARIO_DIR / f"{ref}.toml"
    if not candidate.is_file():
        raise ScenarioError(f"Unknown scenario '{ref}'.{did_you_mean(ref, bundled_names())} Bundled scenarios: "
                            f"{', '.join(bundled_names())}; "
                            f"or give the path of your own .toml file.")
    return candidate


def load_scenario(ref: str, _chain: tuple[str, ...] = ()) -> Scenario:
    """Load and validate a bundled scenario by name, or a user's TOML file by path."""
    path = _locate(ref)
    key = str(path.resolve())
    if key in _chain:
        raise ScenarioError(f"Scenario '{path}' extends itself through {' -> '.join(_chain)}.")
    try:
        data = tomllib.loads(read_text(path, "Scenario file"))
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"Scenario file '{path}' is not valid TOML: {exc}.") from None
    unknown = set(data) - _TOP_KEYS
    if unknown:
        raise ScenarioError(f"Scenario file '{path}' has unknown top-level key(s) {sorted(unknown)}; "
                            f"allowed: {sorted(_TOP_KEYS)} (parameters go under [params]).")
    parent = None
    if "extends" in data:
        if not isinstance(data["extends"], str):
            raise ScenarioError(f"Scenario file '{path}': extends must be a scenario name or path.")
        try:
            parent = load_scenario(_relative_ref(data["extends"], path), _chain + (key,))
        except ScenarioError as exc:
            raise ScenarioError(f"Scenario file '{path}' extends '{data['extends']}', which failed: {exc}") from None
    overrides = dict(parent.overrides) if parent else {}
    params = data.get("params", {})
    if not isinstance(params, dict):
        raise ScenarioError(f"Scenario file '{path}': [params] must be a table of name = value.")
    for name, value in params.items():
        try:
            overrides[name] = coerce(name, value.isoformat() if isinstance(value, dt.date) else value, f"'{path}' [params]")
        except ParameterError as exc:
            raise ScenarioError(str(exc)) from None
    events = list(parent.events) if parent else []
    drop = data.get("drop_events", [])
    if not isinstance(drop, list):
        raise ScenarioError(f"Scenario file '{path}': drop_events must be a list of event types.")
    events = [e for e in events if e.type not in drop]
    raw_events = data.get("events", [])
    if not isinstance(raw_events, list):
        raise ScenarioError(f"Scenario file '{path}': events must be written as [[events]] tables.")
    for i, raw in enumerate(raw_events):
        try:
            events.append(parse_event(raw, f"Scenario file '{path}', events[{i}]"))
        except ValueError as exc:
            raise ScenarioError(str(exc)) from None
    name = data.get("name", path.stem)
    scenario = Scenario(str(name), str(data.get("description", parent.description if parent else "")),
                        overrides, tuple(sorted(events, key=lambda e: e.date)), str(path))
    return scenario


def check_event_dates(events: tuple[Event, ...], start: dt.date, where: str) -> None:
    """Refuse events dated before ``start``: they would all fire at once in week 1 of the run.

    Called wherever a start date meets events: a scenario file, ``--set``, a sweep axis, model keywords.
    """
    early = [e for e in events if e.date < start]
    if early:
        listed = ", ".join(f"'{e.type}' on {e.date}" for e in early)
        raise ScenarioError(f"{where}: start_date {start} is after the scheduled event(s) {listed}; an event "
                            f"before start_date would fire in week 1. Use a start_date on or before "
                            f"{min(e.date for e in early)}, or a scenario without these events "
                            f"(drop_events = [\"{early[0].type}\"] in a file that extends it).")


def _relative_ref(ref: str, path: Path) -> str:
    if ref.endswith(".toml") and not Path(ref).is_absolute():
        return str(path.parent / ref)
    return ref
