"""The one table of model parameters: name, default, unit, allowed range, source.

Every other part of the project (scenario files, ``--set`` overrides, sweep axes, browser
sliders, the ODD document) refers to parameters by these names and is validated against
this table. Sources marked [E] are estimates or free parameters chosen in calibration;
the others cite the literature or the record, with their entry in ``docs/sources.md`` (``docs/sources.md#<key>``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sim.errors import UserError
from sim.inputs import table_conflict, table_people
from sim.inputs.checks import did_you_mean
from sim.inputs.param_spec import Param

# The one table, in two files by mechanism family (each stays readable); order is the ODD table's order.
_TABLE: list[Param] = table_people.TABLE + table_conflict.TABLE
PARAMS: dict[str, Param] = {p.name: p for p in _TABLE}


class ParameterError(UserError, ValueError):
    """A parameter name or value that the table does not allow."""


def coerce(name: str, value: Any, where: str = "") -> Any:
    """Return ``value`` converted to the parameter's type, or raise ParameterError naming the range."""
    where = f" in {where}" if where else ""
    if name not in PARAMS:
        raise ParameterError(f"Unknown parameter '{name}'{where}.{did_you_mean(name, PARAMS)} "
                             f"`python run.py params` lists all {len(PARAMS)} parameters.")
    p = PARAMS[name]
    if p.kind is str:
        try:
            dt.date.fromisoformat(str(value))
        except ValueError:
            raise ParameterError(f"Parameter '{name}'{where} is '{value}', which is not {p.range_text()}.") from None
        return str(value)
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            raise ParameterError(f"Parameter '{name}'{where} is '{value}', not a number; allowed: {p.range_text()}.") from None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ParameterError(f"Parameter '{name}'{where} has type {type(value).__name__}; allowed: {p.range_text()}.")
    if p.kind is int:
        if float(value) != int(value):
            raise ParameterError(f"Parameter '{name}'{where} is {value}, not a whole number; allowed: {p.range_text()}.")
        value = int(value)
    else:
        value = float(value)
    if not (p.low <= value <= p.high):
        raise ParameterError(f"Parameter '{name}'{where} is {value:g}, outside the allowed range: {p.range_text()} ({p.unit}).")
    return value


def defaults() -> dict[str, Any]:
    """All parameters at their default values."""
    return {p.name: p.default for p in _TABLE}


def resolve(overrides: dict[str, Any] | None = None, where: str = "") -> dict[str, Any]:
    """Defaults updated with validated overrides."""
    values = defaults()
    for k, v in (overrides or {}).items():
        values[k] = coerce(k, v, where)
    return values


def parse_sets(items: list[str] | None) -> dict[str, str]:
    """``--set name=value`` pairs as a dict (values are validated against the parameter table later)."""
    out = {}
    for item in items or []:
        if "=" not in item:
            raise UserError(f"--set '{item}' is not of the form name=value (e.g. --set amnesty=0.8).")
        k, v = item.split("=", 1)
        k = k.strip()
        if k in out:
            raise UserError(f"--set gives '{k}' twice ({out[k]} and {v.strip()}); give each parameter once "
                            f"(a sweep takes several values in one --set, e.g. --set {k}=a,b,c).")
        out[k] = v.strip()
    return out
