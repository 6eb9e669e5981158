"""The one parameter table (sim/inputs/parameters.py): every entry is complete, valid and used."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.inputs.parameters import PARAMS, ParameterError, coerce

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("name", sorted(PARAMS))
def test_every_parameter_has_unit_source_and_a_default_inside_its_range(name):
    p = PARAMS[name]
    assert p.unit and p.doc and p.source and p.group
    assert coerce(name, p.default) == p.default
    if p.kind in (int, float):
        assert p.low <= p.default <= p.high
        with pytest.raises(ParameterError, match=name):
            coerce(name, p.high + 1)


def test_every_parameter_is_read_by_the_model():
    """A constant moved into the table must be used; a parameter nothing reads would be a dead lever."""
    code = "".join(f.read_text(encoding="utf-8") for f in (ROOT / "sim").rglob("*.py") if f.name != "parameters.py")
    unused = [name for name in PARAMS if f'"{name}"' not in code]
    assert unused == []
