"""Documentation is part of the feature: the ODD's parameter table matches the code, every mechanism is covered."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sim.inputs.parameters import PARAMS

ROOT = Path(__file__).resolve().parents[2]


def test_odd_parameter_table_is_current():
    odd = (ROOT / "docs" / "ODD.md").read_text(encoding="utf-8")
    table = subprocess.run([sys.executable, str(ROOT / "run.py"), "params", "--markdown"], capture_output=True,
                           text=True, check=True, cwd=ROOT).stdout
    assert table in odd, "docs/ODD.md is out of date: run `python docs/update_params_table.py`"
    for name in PARAMS:
        assert f"`{name}`" in odd


def test_odd_covers_all_eleven_mechanisms_with_article_passages():
    odd = (ROOT / "docs" / "ODD.md").read_text(encoding="utf-8")
    for n in range(1, 12):
        assert f"(mechanism {n})" in odd
    for passage in ("uphill struggle", "persecute members of the Afghan Salafi", "managed to escape",
                    "relentless in attacking", "Eidgah Mosque", "extrajudicial killings",
                    "a group of 65 members", "join the column", "obtain support from abroad"):
        assert passage in odd, passage
