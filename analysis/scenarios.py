"""Descriptions and scheduled events of the scenarios in a store: from its manifest, else the scenario files."""

from __future__ import annotations

from typing import Any

from sim.inputs.scenario import load_scenario
from sim.errors import UserError


def _from_manifest(manifest: dict, name: str) -> dict[str, Any] | None:
    entries = manifest.get("scenarios")
    if isinstance(entries, dict):
        entry = entries.get(name)
        return entry if isinstance(entry, dict) else None
    if isinstance(entries, list):
        for entry in entries:
            if isinstance(entry, dict) and entry.get("name") == name:
                return entry
    return None


def scenario_info(manifest: dict, name: str) -> dict[str, Any]:
    """``{"name", "description", "overrides", "events": [{"type", "date", "label", ...}]}`` of one scenario.

    The manifest's copy wins (it records what actually ran); a bundled or on-disk scenario file is
    the fallback; a scenario found in neither gets no description and no events.
    """
    entry = _from_manifest(manifest, name)
    if entry is None or "events" not in entry:
        try:
            entry = {**load_scenario(name).as_dict(), **(entry or {})}
        except UserError:
            entry = entry or {}
    return {"name": name, "description": entry.get("description", ""),
            "overrides": dict(entry.get("overrides", {})), "events": list(entry.get("events", []))}
