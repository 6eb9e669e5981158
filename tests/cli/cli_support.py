"""Helpers of the command-line tests: run a command as a user types it, check a refusal, hash a folder."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def refusal(err: str) -> str:
    """The one ``error:`` paragraph of stderr (warnings aside); fails if there is a traceback or more text."""
    assert "Traceback" not in err, err
    lines = [line for line in err.splitlines() if line.strip() and not line.startswith("warning: ")]
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    return lines[0]


def cli(*args: str, cwd: Path = ROOT, **kw) -> subprocess.CompletedProcess:
    """The command as a user types it (a separate process)."""
    return subprocess.run([sys.executable, str(ROOT / "run.py"), *args], capture_output=True, text=True, cwd=cwd,
                          timeout=600, **kw)


def tree_hash(root: Path) -> str:
    """A hash of every file's path and bytes under ``root`` (to show that nothing changed)."""
    h = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        h.update(str(path.relative_to(root)).encode())
        h.update(path.read_bytes())
    return h.hexdigest()
