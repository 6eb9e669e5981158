"""The results store of a sweep: Parquet datasets written in atomic parts, plus ``manifest.json``.

Layout of a store folder ``DIR``::

    DIR/manifest.json            provenance, the plan and its hash, the parts, failures, status
    DIR/national/part-000001.parquet ...    one row per run x step
    DIR/provinces/part-000001.parquet ...   one row per run x step x province
    DIR/quarantine/...           damaged or stray parts set aside by a resume (never read)

A part holds the runs that finished between two flushes. Its two files are written under temporary
names starting with ``.`` (which Parquet readers skip), fsync'd and renamed; then the manifest, with
the part's record (its runs, and per table a SHA-256, byte count and row count), replaces the old one
atomically. A part is stored when, and only when, the manifest lists it: readers read exactly the
listed parts after checking them, so a reader never sees half a part, a damaged part is refused by
name, and a killed writer's unlisted files are ignored and set aside by the next resume.
One writer at a time holds ``DIR/.lock``; it reads the manifest again under the lock.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import shutil
from collections.abc import Collection, Iterator
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from sim.errors import UserError
from sim.outputs import NATIONAL_COLUMNS, PROVINCE_COLUMNS
from sim.results import integrity
from sim.results.integrity import PART, TABLES, Key, Problem
from sim.results.manifest import check_plan_hash, write_json_atomic

MANIFEST = "manifest.json"
KIND = "sweep"
FORMAT = 2
RUN_KEY = ("scenario", "point", "seed")
KINDS = ("sweep", "run", "report", "sensitivity", "export")
_RESERVED = set(NATIONAL_COLUMNS) | set(PROVINCE_COLUMNS) | set(RUN_KEY)


class StoreError(UserError):
    """A folder that cannot be used as a results store for what was asked."""


def param_column(name: str) -> str:
    """Column holding a varied parameter: its own name, or ``param_<name>`` if an output has that name."""
    return f"param_{name}" if name in _RESERVED else name


def folder_kind(path: Path) -> str | None:
    """The ``kind`` in ``path/manifest.json`` ("sweep", "run", "report", ...), None if there is no manifest.

    Raises StoreError if the manifest cannot be read: a folder whose manifest is unreadable is not
    written into by anyone.
    """
    data = _manifest_data(Path(path))
    if data is None:
        return None
    return str(data.get("kind")) if isinstance(data, dict) else "unknown"


def _manifest_data(folder: Path) -> object:
    """The parsed ``folder/manifest.json``, None if absent; StoreError if it is not JSON."""
    manifest = folder / MANIFEST
    if not manifest.is_file():
        return None
    try:
        return json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise StoreError(f"'{manifest}' cannot be read as JSON ({exc}); refusing to use or overwrite that "
                         f"folder. Give another folder.") from None


BUSY = ("Another sweep is writing to '{root}' right now; wait for it to finish or stop it, then resume. "
        "Nothing was changed.")


def claim_folder(path: str | os.PathLike, kind: str, force: bool = False, flag: str = "--out") -> Path:
    """Check, before anything is written, that a command writing output of ``kind`` may use folder ``path``.

    Refused with StoreError (nothing is written): an empty path; a path that is a file; a folder whose
    ``manifest.json`` has another kind (a sweep store is never overwritten by a run or a report, even
    with ``force``); a manifest that cannot be read. For kind "run" also a non-empty folder unless
    ``force`` (a run replaces its files). Kind "sweep" also refuses a non-empty folder that is not a
    store. Returns the folder as a Path. ``flag`` names the option in messages.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    if not str(path).strip():
        raise StoreError(f"{flag} is empty; give the folder to write into (an empty value would mean the "
                         f"current folder).")
    folder = Path(path)
    if folder.exists() and not folder.is_dir():
        raise StoreError(f"{flag} '{folder}' is a file; give a folder (new or empty).")
    if not folder.exists():
        return folder
    found = folder_kind(folder)
    if found is not None and found != kind:
        what = {"sweep": "a sweep's results store", "run": "the output of `run.py run`",
                "report": "a report", "sensitivity": "a sensitivity study"}.get(found, f"output of kind '{found}'")
        raise StoreError(f"{flag} '{folder}' holds {what} (manifest.json kind '{found}'); writing {kind} output "
                         f"there would overwrite or mix with it, so nothing was written. Give another folder.")
    if kind == "run" and not force and any(folder.iterdir()):
        raise StoreError(f"{flag} '{folder}' is not empty; `run` replaces the tables and manifest in it. Give a new "
                         f"or empty folder, or add --force to overwrite that run's files.")
    if kind == "sweep" and found is None and not Store(folder).bare():
        if Store(folder).locked():   # a sweep that started a moment ago: parts on the way, no manifest yet
            raise StoreError(BUSY.format(root=folder))
        raise StoreError(f"Output folder '{folder}' is not empty and is not a results store (no {MANIFEST}); "
                         f"refusing to write into it. Give a new or empty folder.")
    return folder


class Store:
    """One store folder: reading its checked parts and manifest, and writing them safely."""

    def __init__(self, root: Path | str):
        self.root = Path(root)
        self._next = 1

    @property
    def manifest_path(self) -> Path:
        return self.root / MANIFEST

    # ---- reading -------------------------------------------------------------------------------

    def read_manifest(self) -> dict:
        """The manifest; StoreError if the folder is missing, is not a sweep store, or its plan was edited."""
        if not self.root.is_dir():   # a folder that vanishes meanwhile reads as missing, not as a file
            if self.root.is_file():
                raise StoreError(f"'{self.root}' is a file, not a results folder made by `python run.py sweep`.")
            raise StoreError(f"Results folder '{self.root}' does not exist. Make one with "
                             f"`python run.py sweep --out {self.root}` (see `python run.py sweep --help`).")
        if not self.manifest_path.is_file():
            raise StoreError(f"'{self.root}' is not a results store: it has no {MANIFEST}. A store is the "
                             f"folder given to `python run.py sweep --out`; a sweep stopped before it wrote its "
                             f"manifest stored no runs, so run its original command again.")
        data = _manifest_data(self.root)
        kind = data.get("kind") if isinstance(data, dict) else None
        if kind != KIND:
            hint = " It is the output of `run.py run` (one run); read its national.parquet directly." \
                if kind == "run" else ""
            raise StoreError(f"'{self.root}' is not a sweep results store: {MANIFEST} has kind "
                             f"{kind!r}, expected '{KIND}'.{hint}")
        if data.get("format") != FORMAT or not isinstance(data.get("parts"), dict):
            raise StoreError(f"'{self.root}' was written by an older version (store format {data.get('format')}, "
                             f"without part checksums), so it cannot be checked. Its tables still read with "
                             f"pandas.read_parquet('{self.root}/national'); rerun the sweep into a new folder to "
                             f"use it here.")
        problem = check_plan_hash(data)
        if problem:
            raise StoreError(f"'{self.manifest_path}' was changed after the sweep was planned: {problem}. Resuming "
                             f"would mix parameter values under one design point, so it is refused; put the "
                             f"original manifest back, or run the sweep into a new folder.")
        return data

    def problems(self, manifest: dict) -> list[Problem]:
        """Damaged, duplicated and stray parts (reads every listed file; changes nothing)."""
        return integrity.problems(self.root, manifest["parts"])

    def read(self, table: str, columns: list[str] | None = None) -> pd.DataFrame:
        """The rows of ``table`` in every part the manifest lists, after checking each part (see ``read_tables``)."""
        return self.read_tables({table: columns})[0][table]

    def read_tables(self, columns: dict[str, list[str] | None], skip: dict[str, Collection[str]] | None = None
                    ) -> tuple[dict[str, pd.DataFrame], dict]:
        """Tables (name -> columns, None for all) of the parts one manifest lists, and that manifest.

        ``skip`` names, per table, columns not to read where a part has them (e.g. the report's maps need
        three of the province table's outputs): they are neither decoded nor converted to pandas.
        Every listed part is checked first; StoreError names the first damaged or duplicated one. Both
        tables come from the same parts, so every run read is complete in each. If a resume sets a
        part aside while this reads, it reads again from the new manifest.
        """
        manifest = self.read_manifest()
        for _ in range(3):
            bad = [p for p in self.problems(manifest) if p.kind != "stray"]
            if not bad:
                try:
                    return {t: self._read_parts(t, cols, manifest, (skip or {}).get(t, ()))
                            for t, cols in columns.items()}, manifest
                except FileNotFoundError:
                    pass
            again = self.read_manifest()
            if again["parts"] == manifest["parts"] and bad:
                raise StoreError(f"Results store '{self.root}' is damaged: {bad[0].line()}"
                                 f"{f' (and {len(bad) - 1} more part(s))' if len(bad) > 1 else ''}. Nothing was "
                                 f"read. `python run.py sweep --resume {self.root}` sets damaged parts aside in "
                                 f"quarantine/ and runs their runs again; `python run.py check {self.root}` lists "
                                 f"every problem.")
            manifest = again
        raise StoreError(f"'{self.root}' kept changing while it was read; try again when its sweep is done.")

    def _read_parts(self, table: str, columns: list[str] | None, manifest: dict, skip: Collection[str] = ()
                    ) -> pd.DataFrame:
        frames = []
        for name, record in sorted(manifest["parts"].items()):
            path = self.root / table / name
            wanted = [c for c in columns or pq.read_schema(path).names if c not in skip] if skip else columns
            df = pq.read_table(path, columns=wanted).to_pandas()
            keys = set(integrity.keys_of(record))
            stored = {(str(s), int(p), int(d)) for s, p, d in df[list(RUN_KEY)].drop_duplicates().itertuples(
                index=False)} if set(RUN_KEY) <= set(df.columns) else keys
            if len(df) != record[table]["rows"] or stored != keys:
                raise StoreError(f"Results store '{self.root}' is damaged: {table}/{name} holds {len(df)} rows of "
                                 f"{len(stored)} runs, but manifest.json lists {record[table]['rows']} rows of "
                                 f"{len(keys)} runs for it. Nothing was read; `python run.py check {self.root}`.")
            frames.append(df)
        if not frames:
            return pd.DataFrame(columns=columns)
        return pd.concat(frames, ignore_index=True)

    def done_keys(self, manifest: dict) -> set[Key]:
        """Keys (scenario, point, seed) of the runs the manifest lists as stored."""
        return {k for record in manifest["parts"].values() for k in integrity.keys_of(record)}

    def existing(self) -> dict | None:
        """Manifest of the store at ``root`` if there is one; None for a new or empty folder.

        Raises StoreError for a file, a folder holding something other than a sweep store, or a
        manifest that fails its checks (``read_manifest``).
        """
        claim_folder(self.root, KIND)
        return self.read_manifest() if self.manifest_path.exists() else None

    def lock_note(self) -> str:
        """What the lock file of a folder created by a sweep says made it ("" if nothing)."""
        try:
            return (self.root / ".lock").read_text(encoding="utf-8", errors="replace").strip()
        except OSError:
            return ""

    def locked(self) -> bool:
        """Whether a writer holds the store's lock right now (a shared lock cannot be had)."""
        try:
            fd = os.open(self.root / ".lock", os.O_RDONLY)
        except OSError:
            return False
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        finally:
            os.close(fd)   # closing also drops a shared lock that was granted
        return False

    def bare(self) -> bool:
        """Empty, or only the empty skeleton of a sweep stopped before it wrote its manifest."""
        for entry in self.root.iterdir():
            if entry.name in TABLES and entry.is_dir() and not any(entry.iterdir()):
                continue
            if entry.name != ".lock":
                return False
        return True

    # ---- writing -------------------------------------------------------------------------------

    @contextlib.contextmanager
    def writing(self, note: str = "") -> Iterator[None]:
        """Hold the store's lock (one writer at a time) and number new parts after every existing file.

        ``note`` (the command that makes the store) is written into the lock file of a folder this call
        creates, so that a folder left without a manifest by a killed writer can say what made it.
        A folder this call created is removed again if no manifest was written into it (e.g. the
        backend could not start), so a refused sweep leaves nothing behind.
        """
        created = not self.root.exists()
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.root / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise StoreError(f"Cannot write into '{self.root}' ({type(exc).__name__}: {exc.strerror}); give a "
                             f"folder you can write to.") from None
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise StoreError(BUSY.format(root=self.root)) from None
            if created and note:
                os.write(fd, note.encode())
            for table in TABLES:
                (self.root / table).mkdir(exist_ok=True)
            numbers = [0] + [int(m.group(1)) for table in TABLES for p in (self.root / table).iterdir()
                             if (m := PART.match(p.name.lstrip(".").removesuffix(".tmp")))]
            self._next = max(numbers) + 1
            yield
        finally:
            if created and not self.manifest_path.exists() and self.bare():
                shutil.rmtree(self.root, ignore_errors=True)
            os.close(fd)

    def repair(self, manifest: dict, found: list[Problem]) -> list[dict]:
        """Under the lock: set the parts of ``found`` (from ``problems``) aside in ``quarantine/`` and drop them
        from ``manifest`` (the caller writes it), and remove a killed writer's temporary files.

        Returns one entry per part set aside: part, kind, problem, runs to run again, where it went.
        """
        for table in TABLES:
            for path in (self.root / table).iterdir():
                if path.name.startswith(".part-"):
                    path.unlink()   # a torn temporary file: never part of the store
        if not found:
            return []
        stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S.%fZ")
        target = self.root / "quarantine" / stamp
        out = []
        for p in found:
            names = [p.part] if p.kind == "stray" else [f"{t}/{p.part}" for t in TABLES]
            for rel in names:
                if (self.root / rel).exists():
                    (target / rel).parent.mkdir(parents=True, exist_ok=True)
                    os.replace(self.root / rel, target / rel)
            manifest["parts"].pop(p.part, None)
            out.append({"part": p.part, "kind": p.kind, "problem": p.text, "runs": [list(k) for k in p.runs],
                        "moved_to": str(target.relative_to(self.root))})
        return out

    def write_part(self, frames: dict[str, pd.DataFrame], manifest: dict) -> str:
        """Write one part of every table atomically, then the manifest listing it; returns its name."""
        keys = {t: set(map(tuple, frames[t][list(RUN_KEY)].drop_duplicates().itertuples(index=False)))
                for t in TABLES}
        if keys["national"] != keys["provinces"]:
            raise ValueError("a part's tables must hold the same runs")
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
            record = {"runs": sorted([str(s), int(p), int(d)] for s, p, d in keys["national"])}
            record.update({t: integrity.file_record(temps[t], len(frames[t])) for t in TABLES})
            for table in TABLES:
                os.replace(temps[table], self.root / table / name)
                _fsync_dir(self.root / table)
        except BaseException:
            for tmp in temps.values():
                tmp.unlink(missing_ok=True)
            raise
        manifest["parts"][name] = record
        self.write_manifest(manifest)   # the part counts as stored from here on
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
