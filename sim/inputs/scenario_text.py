"""Scenario files as text: a commented template to start from, and a scenario written out resolved.

Both are valid TOML that ``load_scenario`` reads back (tested), built from the parameter table, so
the defaults, units and ranges they show are the program's own.
"""

from __future__ import annotations

import json
from typing import Any

from sim.inputs.events import EVENT_TYPES
from sim.inputs.parameters import PARAMS, Param
from sim.inputs.scenario import Scenario


def toml_value(value: Any) -> str:
    """A parameter value as a TOML literal (strings quoted, numbers as Python writes them)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value)   # a JSON string is a TOML basic string
    return repr(value)


def _param_line(p: Param, value: Any, commented: bool) -> str:
    note = f"{p.unit}, {p.range_text()}" + ("" if value == p.default else f"; default {toml_value(p.default)}")
    return f"{'# ' if commented else ''}{p.name} = {toml_value(value)}".ljust(44) + f"# {note}"


def _grouped(lines_of) -> list[str]:
    groups: dict[str, list[Param]] = {}
    for p in PARAMS.values():   # in the table's order, which groups related parameters
        groups.setdefault(p.group, []).append(p)
    out: list[str] = []
    for group, params in groups.items():
        out.append(f"# --- {group}")
        out += [lines_of(p) for p in params]
    return out


def template(name: str, extends: str = "baseline") -> str:
    """A new scenario file that extends ``extends``: every parameter listed, commented out, at its default."""
    head = [
        f"# Scenario '{name}': a copy of '{extends}' until you uncomment and change a line below.",
        "# Check it with `python run.py scenarios show FILE`, run it with `python run.py run --scenario FILE`.",
        "# `python run.py params` explains every parameter and its source.",
        f'name = {toml_value(name)}',
        'description = "What this scenario changes, and why."',
        f'extends = {toml_value(extends)}',
        "",
        f"# Inherited scheduled events can be dropped by type ({', '.join(EVENT_TYPES)}):",
        '# drop_events = ["prison_escape"]',
        "",
        "[params]",
        "# Uncomment a line to change that parameter (values shown are the program's defaults).",
    ]
    events = [
        "",
        "# Add scheduled events of your own (dates on or after start_date, within the run's weeks):",
        "# [[events]]",
        '# type = "elder_surrender"',
        "# date = 2022-03-01",
        "# people = 40",
        '# province = "Nangarhar"         # or provinces = ["Kunar", "Nangarhar"]',
        '# label = "A brokered surrender"',
    ]
    return "\n".join(head + _grouped(lambda p: _param_line(p, p.default, True)) + events) + "\n"


def resolved(scenario: Scenario) -> str:
    """The scenario with every parameter and event spelt out (no ``extends``): what a run uses."""
    params = scenario.params
    head = [
        f"# Scenario '{scenario.name}' resolved from {scenario.source or '(built in code)'}.",
        "# Parameters that differ from the program's defaults show the default in their comment.",
        f"name = {toml_value(scenario.name)}",
        f"description = {toml_value(scenario.description)}",
        "",
        "[params]",
    ]
    body = _grouped(lambda p: _param_line(p, params[p.name], False))
    events = []
    for e in scenario.events:
        events += ["", "[[events]]", f"type = {toml_value(e.type)}", f"date = {e.date.isoformat()}",
                   f"people = {e.people}", f"provinces = {json.dumps(list(e.provinces))}",
                   f"label = {toml_value(e.label)}"]
    return "\n".join(head + body + events) + "\n"
