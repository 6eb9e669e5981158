"""Provenance stamped on every output folder: versions, git revision, parameters, seeds, times."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import platform
import subprocess
import tempfile
from importlib import metadata
from pathlib import Path
from typing import Any

PACKAGES = ("mesa", "numpy", "scipy", "pandas", "pyarrow", "matplotlib", "dask", "distributed", "SALib")
REPO = Path(__file__).resolve().parents[2]
PLAN_FIELDS = ("scenarios", "points", "varied", "seeds", "run_fields", "runs")


def versions() -> dict[str, str]:
    """Python and library versions of this process."""
    out = {"python": platform.python_version()}
    for pkg in PACKAGES:
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = "not installed"
    from sim.version import __version__
    out["insurgency-abm"] = __version__
    return out


def git_revision() -> dict[str, Any]:
    """Commit of the code that ran and whether the work tree had uncommitted changes."""
    try:
        rev = subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO, capture_output=True, text=True, timeout=10)
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPO,
                               capture_output=True, text=True, timeout=10)
        if rev.returncode != 0:
            return {"commit": None, "dirty": None}
        return {"commit": rev.stdout.strip(), "dirty": bool(dirty.stdout.strip())}
    except (OSError, subprocess.SubprocessError):
        return {"commit": None, "dirty": None}


def now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def write_json_atomic(path: Path, data: dict) -> None:
    """Write JSON so that a reader sees either the old file or the whole new one, never a torn one."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=2, default=str)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; results are shared with colleagues
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def plan_hash(manifest: dict) -> str:
    """SHA-256 of a sweep's plan (resolved scenarios, design points, varied columns, seeds, runs) as canonical JSON."""
    plan = {k: manifest.get(k) for k in PLAN_FIELDS}
    return hashlib.sha256(json.dumps(plan, sort_keys=True, separators=(",", ":"), default=str).encode()).hexdigest()


def check_plan_hash(manifest: dict) -> str | None:
    """Why a manifest's plan does not match the hash written when it was planned; None if it does (or it has no plan)."""
    if "plan_hash" not in manifest and "runs" not in manifest:
        return None
    if manifest.get("plan_hash") != plan_hash(manifest):
        return ("its planned scenarios, design points, seeds or runs no longer match the plan_hash written when the "
                "sweep was planned")
    return None
