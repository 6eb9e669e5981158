"""The results store of a sweep: Parquet datasets written in atomic parts, plus ``manifest.json``.

Layout of a store folder ``DIR``::

    DIR/manifest.json            provenance, planned runs, failures, status (sim.runs.sweep writes it)
    DIR/national/part-000001.parquet ...    one row per run x step
    DIR/provinces/part-000001.parquet ...   one row per run x step x province

``pandas.read_parquet(DIR / "national")`` reads a whole table. A part holds the runs that finished
between two flushes. It is written under a temporary name starting with ``.`` (which Parquet readers
skip), fsync'd, then renamed, so a killed sweep leaves every part either whole or absent. Both tables
of a part share its name; the provinces part is renamed first, so a part counts as stored only when
its national file exists, and a lone provinces file (killed between the two renames) is ignored by
readers and removed on resume.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pyarrow.dataset as pads

from sim.errors import UserError
from sim.results.manifest import write_json_atomic
from sim.outputs import NATIONAL_COLUMNS, PROVINCE_COLUMNS

TABLES = ("national", "provinces")
MANIFEST = "manifest.json"
KIND = "sweep"
RUN_KEY = ("scenario", "point", "seed")
_PART = re.compile(r"^part-(\d+)\.parquet$")
_RESERVED = set(NATIONAL_COLUMNS) | set(PROVINCE_COLUMNS) | set(RUN_KEY)


class StoreError(UserError):
    """A folder that cannot be used as a results store for what was asked."""


def param_column(name: str) -> str:
    """Column holding a varied parameter: its own name, or ``param_<name>`` if an output has that name."""
    return f"param_{name}" if name in _RESERVED else name


class Store:
    """One store folder: reading parts and the manifest, and writing them safely."""

    def __init__(self, root: Path | str):
        self.root = Path(root)
        self._next = 0

    @property
    def manifest_path(self) -> Path:
        return self.root / MANIFEST

    # ---- reading -------------------------------------------------------------------------------

    def read_manifest(self) -> dict:
        """The manifest; StoreError if the folder is missing or is not a sweep store."""
        if not self.root.exists():
            raise StoreError(f"Results folder '{self.root}' does not exist. Make one with "
                             f"`python run.py sweep --out {self.root}` (see `python run.py sweep --help`).")
        if not self.root.is_dir():
            raise StoreError(f"'{self.root}' is a file, not a results folder made by `python run.py sweep`.")
        if not self.manifest_path.is_file():
            raise StoreError(f"'{self.root}' is not a results store: it has no {MANIFEST}. A store is the "
                             f"folder given to `python run.py sweep --out`.")
        try:
            data = json.loads(self.manifest_path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise StoreError(f"'{self.manifest_path}' cannot be read as JSON ({exc}); "
                             f"this folder is not a usable results store.") from None
        if not isinstance(data, dict) or data.get("kind") != KIND:
            kind = data.get("kind") if isinstance(data, dict) else None
            hint = " It is the output of `run.py run` (one run); read its national.parquet directly." \
                if kind == "run" else ""
            raise StoreError(f"'{self.root}' is not a sweep results store: {MANIFEST} has kind "
                             f"{kind!r}, expected '{KIND}'.{hint}")
        return data

    def parts(self) -> list[str]:
        """Names of the parts stored whole (national file present), in write order."""
        national = self.root / "national"
        if not national.is_dir():
            return []
        return sorted(p.name for p in national.iterdir() if _PART.match(p.name))

    def read(self, table: str, columns: list[str] | None = None) -> pd.DataFrame:
        """All stored rows of ``table`` (``national`` or ``provinces``); empty frame if none."""
        paths = [str(self.root / table / name) for name in self.parts() if (self.root / table / name).is_file()]
        if not paths:
            return pd.DataFrame(columns=columns)
        return pads.dataset(paths, format="parquet").to_table(columns=columns).to_pandas()

    def done_keys(self) -> set[tuple[str, int, int]]:
        """Keys (scenario, point, seed) of the runs already stored."""
        df = self.read("national", list(RUN_KEY)).drop_duplicates()
        return {(str(s), int(p), int(d)) for s, p, d in df.itertuples(index=False)}

    def existing(self) -> dict | None:
        """Manifest of the store at ``root`` if there is one; None for a new or empty folder.

        Raises StoreError for a file, or a folder that holds something other than a store.
        """
        if not self.root.exists():
            return None
        if not self.root.is_dir():
            raise StoreError(f"Output '{self.root}' is a file; give a folder (new, empty, or a store of this sweep).")
        if not self.manifest_path.exists() and self._bare():
            return None
        if not self.manifest_path.exists():
            raise StoreError(f"Output folder '{self.root}' is not empty and is not a results store "
                             f"(no {MANIFEST}); refusing to write into it. Give a new or empty folder.")
        return self.read_manifest()

    def _bare(self) -> bool:
        """Empty, or only the empty skeleton of a sweep killed before it wrote its manifest."""
        for entry in self.root.iterdir():
            if entry.name in TABLES and entry.is_dir() and not any(entry.iterdir()):
                continue
            if entry.name != ".lock":
                return False
        return True

    # ---- writing -------------------------------------------------------------------------------

    @contextlib.contextmanager
    def writing(self) -> Iterator[None]:
        """Hold the store's lock (one writer at a time), tidy leftovers of a killed writer, number parts."""
        self.root.mkdir(parents=True, exist_ok=True)
        for table in TABLES:
            (self.root / table).mkdir(exist_ok=True)
        fd = os.open(self.root / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise StoreError(f"Another sweep is writing to '{self.root}' right now; wait for it to "
                                 f"finish or stop it, then resume.") from None
            self._tidy()
            yield
        finally:
            os.close(fd)

    def _tidy(self) -> None:
        """Remove temporary files and lone provinces parts left by a killed writer; set the part counter."""
        whole = set(self.parts())
        numbers = [0]
        for table in TABLES:
            for path in (self.root / table).iterdir():
                if path.name.startswith(".part-"):
                    path.unlink()
                elif _PART.match(path.name) and path.name not in whole:
                    path.unlink()
                elif _PART.match(path.name):
                    numbers.append(int(_PART.match(path.name).group(1)))
        self._next = max(numbers) + 1

    def write_part(self, frames: dict[str, pd.DataFrame]) -> str:
        """Write one part of every table atomically; returns the part's file name."""
        name = f"part-{self._next:06d}.parquet"
        self._next += 1
        temps = {}
        try:
            for table in TABLES:
                temps[table] = self.root / table / f".{name}.tmp"
                with open(temps[table], "wb") as fh:
                    frames[table].to_parquet(fh, index=False, compression="zstd")
                    fh.flush()
                    os.fsync(fh.fileno())
            for table in ("provinces", "national"):   # national last: it marks the part as stored
                os.replace(temps[table], self.root / table / name)
                _fsync_dir(self.root / table)
        except BaseException:
            for tmp in temps.values():
                tmp.unlink(missing_ok=True)
            raise
        return name

    def write_manifest(self, data: dict) -> None:
        write_json_atomic(self.manifest_path, data)


def _fsync_dir(path: Path) -> None:
    """Make a rename in ``path`` durable."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
