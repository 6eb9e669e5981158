"""Scheduled events: scenario data (dates and sizes), never code paths keyed on the calendar.

Two kinds come from the article: the prison escape of 15 Aug 2021 ("thousands of ISIS-Khorasan
prisoners managed to escape") and elder-brokered surrenders ("a group of 65 members of the
organization agreeing to give up their fight").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sim.inputs.geography import load_geography

EVENT_TYPES = ("prison_escape", "elder_surrender")


@dataclass(frozen=True)
class Event:
    """One scheduled event: ``people`` arrive (escape) or surrender in ``provinces`` on ``date``."""

    type: str
    date: dt.date
    people: int
    provinces: tuple[str, ...]
    label: str = ""

    def step(self, start: dt.date) -> int:
        """The step in which the event happens: step k covers days (7(k-1), 7k], day 0 falls in step 1."""
        days = (self.date - start).days
        return max(1, -(-days // 7))

    def as_dict(self) -> dict:
        return {"type": self.type, "date": self.date.isoformat(), "people": self.people,
                "provinces": list(self.provinces), "label": self.label}


def parse_event(raw: dict, where: str) -> Event:
    """Build an Event from a scenario table, raising ValueError with the file and key on bad input."""
    if not isinstance(raw, dict):
        raise ValueError(f"{where}: each [[events]] entry must be a table")
    allowed = {"type", "date", "people", "provinces", "province", "label"}
    extra = set(raw) - allowed
    if extra:
        raise ValueError(f"{where}: unknown key(s) {sorted(extra)} in an event; allowed: {sorted(allowed)}")
    etype = raw.get("type")
    if etype not in EVENT_TYPES:
        raise ValueError(f"{where}: event type '{etype}' is not one of {', '.join(EVENT_TYPES)}")
    date = raw.get("date")
    if isinstance(date, str):
        try:
            date = dt.date.fromisoformat(date)
        except ValueError:
            raise ValueError(f"{where}: event date '{date}' is not a date YYYY-MM-DD") from None
    if not isinstance(date, dt.date) or isinstance(date, dt.datetime):
        raise ValueError(f"{where}: event '{etype}' needs date = YYYY-MM-DD, got {date!r}")
    people = raw.get("people")
    if isinstance(people, bool) or not isinstance(people, int) or not 1 <= people <= 100000:
        raise ValueError(f"{where}: event '{etype}' on {date} has people = {people!r}; allowed: integer in [1, 100000]")
    provs = raw.get("provinces", [raw["province"]] if "province" in raw else None)
    if not provs or not isinstance(provs, list) or not all(isinstance(p, str) for p in provs):
        raise ValueError(f"{where}: event '{etype}' on {date} needs province = \"Name\" or provinces = [\"Name\", ...]")
    known = load_geography().names
    for p in provs:
        if p not in known:
            raise ValueError(f"{where}: event '{etype}' names unknown province '{p}'; known: {', '.join(known)}")
    return Event(etype, date, people, tuple(provs), str(raw.get("label", "")))
