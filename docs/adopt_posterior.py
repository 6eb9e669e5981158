#!/usr/bin/env python3
"""Ship a calibrated posterior: copy ``run.py calibrate``'s ``posterior.csv`` into the package and make its
weighted medians the defaults of the parameter table.

    python docs/adopt_posterior.py results/calibrate/posterior.csv

The file is checked first (``sim.inputs.posterior.load_posterior``); then it is copied to
``sim/data/posterior.csv``, each calibrated parameter's default in ``sim/inputs/table_*.py`` is rewritten to
the weighted median (whole numbers rounded, others to 3 significant figures) and the ODD's parameter table
is regenerated (``tests/inputs/test_posterior_defaults.py``). Changing defaults changes behaviour: regenerate the golden fingerprints in a commit of their own.
"""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sim.inputs.posterior import SHIPPED, load_posterior, summary  # noqa: E402

TABLES = sorted((ROOT / "sim" / "inputs").glob("table_*.py"))


def rewrite_default(texts: dict[Path, str], name: str, value: int | float) -> tuple[str, str]:
    """Replace the default of ``name`` (the literal after ``_p("name",``) in whichever table defines it."""
    pattern = re.compile(r'(_p\("' + re.escape(name) + r'",\s*)([^,]+)(,)')
    hits = [(path, m) for path, text in texts.items() for m in pattern.finditer(text)]
    if len(hits) != 1:
        raise SystemExit(f"adopt_posterior: '{name}' is defined {len(hits)} times in {', '.join(map(str, TABLES))}.")
    path, m = hits[0]
    new = repr(value) if isinstance(value, int) else f"{value:g}" if "e" not in f"{value:g}" else repr(value)
    texts[path] = texts[path][: m.start(2)] + new + texts[path][m.end(2):]
    return m.group(2).strip(), new


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    source = Path(argv[0])
    medians = summary(load_posterior(source, "adopt_posterior.py"))["median"]
    texts = {path: path.read_text(encoding="utf-8") for path in TABLES}
    for name, value in medians.items():
        old, new = rewrite_default(texts, name, value)
        if old != new:
            print(f"{name:<28} {old:>12} -> {new}")
    for path, text in texts.items():
        path.write_text(text, encoding="utf-8")
    if source.resolve() != SHIPPED:
        shutil.copyfile(source, SHIPPED)
    import subprocess

    subprocess.run([sys.executable, str(ROOT / "docs" / "update_params_table.py")], check=True, cwd=ROOT)
    print(f"{len(medians)} defaults are now the weighted medians of {SHIPPED.relative_to(ROOT)}; "
          f"regenerate the golden fingerprints (python tests/golden/fingerprint.py --write) in their own commit.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
