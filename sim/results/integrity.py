"""What makes a stored part trustworthy: a checksum, a byte count and a row count per table, and its runs.

Each part's record is written into ``manifest.json`` (atomically, right after the part's files) and
is what counts as stored. ``problems`` compares the files with the records without changing anything;
``sim.results.store.Store.repair`` moves the parts it names to ``quarantine/`` so that their runs are
run again.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

TABLES = ("national", "provinces")
PART = re.compile(r"^part-(\d+)\.parquet$")

Key = tuple[str, int, int]


@dataclass
class Problem:
    """Something wrong with one part: ``kind`` is damaged, duplicate or stray (a file the manifest does not list).

    ``runs`` are the runs that must run again once the part is set aside (none for a stray file or
    for a part whose every run is stored in another part).
    """

    part: str
    kind: str
    text: str
    runs: list[Key] = field(default_factory=list)

    def line(self) -> str:
        again = f"; its {len(self.runs)} run(s) run again on resume" if self.runs else ""
        return f"{self.part}: {self.text}{again}"


def file_record(path: Path, rows: int) -> dict:
    """Checksum, size and row count of one table file of a part, as stored in the manifest."""
    return {"sha256": _sha256(path), "bytes": path.stat().st_size, "rows": int(rows)}


def _sha256(path: Path) -> str:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def check_file(root: Path, table: str, name: str, record: dict) -> str | None:
    """Why ``root/table/name`` does not match its record, or None if it does."""
    path = root / table / name
    if not path.is_file():
        return f"{table}/{name} is missing"
    size = path.stat().st_size
    if size != record["bytes"]:
        return f"{table}/{name} has {size:,} bytes, {record['bytes']:,} were written"
    if _sha256(path) != record["sha256"]:
        return f"{table}/{name} has other bytes than were written (its checksum differs)"
    return None


def keys_of(record: dict) -> list[Key]:
    return [(str(s), int(p), int(d)) for s, p, d in record["runs"]]


def problems(root: Path, parts: dict[str, dict]) -> list[Problem]:
    """Every damaged, duplicated or stray part of the store at ``root`` with part records ``parts``."""
    found: list[Problem] = []
    owner: dict[Key, str] = {}
    for name in sorted(parts):
        record = parts[name]
        damage = [t for t in (check_file(root, table, name, record[table]) for table in TABLES) if t]
        keys = keys_of(record)
        if damage:
            found.append(Problem(name, "damaged", "; ".join(damage), [k for k in keys if k not in owner]))
            continue
        repeated = [k for k in keys if k in owner]
        if repeated:
            first = repeated[0]
            found.append(Problem(name, "duplicate", f"repeats {len(repeated)} run(s) already stored in "
                                 f"{owner[first]} (e.g. scenario {first[0]}, point {first[1]}, seed {first[2]})",
                                 [k for k in keys if k not in owner]))
            continue
        owner.update((k, name) for k in keys)
    for table in TABLES:
        folder = root / table
        for path in sorted(folder.iterdir()) if folder.is_dir() else []:
            if PART.match(path.name) and path.name not in parts:
                found.append(Problem(f"{table}/{path.name}", "stray", "is not listed in manifest.json (left by a "
                                     "sweep killed while writing it, or copied in); its rows are not read"))
    # A damaged part's runs are re-run only if no sound part holds them.
    for p in found:
        p.runs = [k for k in p.runs if k not in owner]
    return found
