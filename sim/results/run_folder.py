"""The folder of one run (``run.py run --out``): national, provinces and events tables and a manifest."""

from __future__ import annotations

from pathlib import Path

from sim.results.manifest import write_json_atomic
from sim.results.store import claim_folder


def write_run(result, out: Path, manifest: dict) -> list[Path]:
    """Write the tables (Parquet and CSV) and the manifest into ``out``; returns the paths written.

    Never into a folder holding another kind of output (a sweep's store, a report): StoreError, nothing
    written. Whether a non-empty folder may be overwritten (``--force``) is the caller's check,
    ``claim_folder(out, "run", force)`` before the run.
    """
    out = claim_folder(out, "run", force=True)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, df in (("national", result.national), ("provinces", result.provinces), ("events", result.events)):
        df.to_parquet(out / f"{name}.parquet", index=False)
        df.to_csv(out / f"{name}.csv", index=False)
        written += [out / f"{name}.parquet", out / f"{name}.csv"]
    write_json_atomic(out / "manifest.json", manifest)
    written.append(out / "manifest.json")
    return written
