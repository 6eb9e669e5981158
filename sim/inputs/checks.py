"""Checks of command-line inputs shared by every subcommand: seeds, text files, output folders, names.

Each check raises ``UserError`` with one paragraph naming the flag or file and what is allowed, before
anything runs or is written, so that bad input never ends in a traceback or a half-written folder.
"""

from __future__ import annotations

import difflib
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from sim.errors import UserError

# Seeds are stored in int64 Parquet columns (and NumPy's generators take any int >= 0), so the
# largest seed that can be run *and* stored is the largest int64.
SEED_MAX = 2**63 - 1


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """`` Did you mean 'x'?`` for the closest of ``choices`` (difflib), or "" when none is close."""
    close = difflib.get_close_matches(word, list(choices), n=3, cutoff=0.6)
    if not close:
        return ""
    return " Did you mean " + " or ".join(f"'{c}'" for c in close) + "?"


def check_seed(value: object, flag: str = "--seed") -> int:
    """``value`` as a seed: a whole number in [0, 2**63 - 1] (NumPy's and the store's limits)."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= SEED_MAX:
        raise UserError(f"{flag} is {value!r}; a seed must be a whole number in [0, {SEED_MAX}] (0 to 2**63 - 1, "
                        f"the largest seed the results tables can store).")
    return value


def check_positive(value: int | None, flag: str) -> int | None:
    """A count flag (steps, runs) that, when given, must be at least 1; 0 is never 'the default'."""
    if value is not None and value < 1:
        raise UserError(f"{flag} is {value}; it must be a whole number >= 1 (leave it out for the default).")
    return value


def read_text(path: Path, what: str) -> str:
    """The UTF-8 text of ``path``; a binary or UTF-16 file, or an unreadable one, is a UserError."""
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise UserError(f"{what} '{path}' is not UTF-8 text (byte {exc.start} is 0x{exc.object[exc.start]:02x}); "
                        f"it may be binary or saved as UTF-16. Save it as UTF-8 TOML.") from None
    except OSError as exc:
        raise UserError(f"{what} '{path}' cannot be read: {exc.strerror or exc}.") from None


def check_out_path(value: str | os.PathLike, flag: str) -> Path:
    """An output folder that can be created or written into, checked before anything runs; leaves no trace.

    Refuses the empty string (it would mean the current folder), an existing file, a path under a file,
    and a place where a folder cannot be made or written (``/proc/x``, a read-only folder): it tries, by
    making and removing the first missing folder or a temporary file, because permissions alone do not
    tell (root, read-only mounts, /proc).
    """
    text = os.fspath(value)
    if not str(text).strip():
        raise UserError(f"{flag} is empty; give the output folder (it would otherwise write into the current folder).")
    path = Path(text)
    if path.exists() and not path.is_dir():
        raise UserError(f"{flag} '{path}' is an existing file, not a folder; give a folder path.")
    first = path
    while not first.parent.exists() and first.parent != first:
        first = first.parent
    if not path.exists() and not first.parent.is_dir():
        raise UserError(f"{flag} '{path}' is inside '{first.parent}', which is a file, not a folder.")
    try:
        if path.exists():
            with tempfile.TemporaryFile(dir=path):
                pass
        else:
            first.mkdir()
            first.rmdir()
    except OSError as exc:
        raise UserError(f"{flag} '{path}' cannot be created or written: {exc.strerror or exc}; "
                        f"give a folder you can write to.") from None
    return path
