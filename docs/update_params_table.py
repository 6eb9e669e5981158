#!/usr/bin/env python3
"""Regenerate the parameter table at the end of docs/ODD.md from sim/inputs/parameters.py (the one source)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MARK = "## 8. Parameters"


def table() -> str:
    out = subprocess.run([sys.executable, str(ROOT / "run.py"), "params", "--markdown"], capture_output=True,
                         text=True, check=True, cwd=ROOT)
    return out.stdout


def main() -> None:
    odd = ROOT / "docs" / "ODD.md"
    text = odd.read_text(encoding="utf-8")
    head = text[: text.index(MARK)]
    intro = ("## 8. Parameters\n\nGenerated from `sim/inputs/parameters.py` (the single source) by "
             "`python docs/update_params_table.py`; `tests/docs/test_odd.py` fails when it is out of date.\n\n")
    odd.write_text(head + intro + table(), encoding="utf-8")


if __name__ == "__main__":
    main()
