"""Reading the README and docs/*.md as a test sees them: code blocks, commands, transcripts, anchors."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

FENCE = re.compile(r"^\s*```")
INLINE = re.compile(r"`([^`\n]+)`")
RUN_PY = re.compile(r"(?:^|\s)(?:\S*python3?\s+)?run\.py(?:\s|$)")


@dataclass(frozen=True)
class Block:
    """A fenced code block: its info string, the line number of its first line, and its lines."""

    path: Path
    info: str
    line: int
    lines: tuple[str, ...]


def rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


def blocks(path: Path) -> list[Block]:
    """The fenced code blocks of a Markdown file."""
    out, current, info, start = [], None, "", 0
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if FENCE.match(line):
            if current is None:
                current, info, start = [], line.strip().strip("`").strip(), n + 1
            else:
                out.append(Block(path, info, start, tuple(current)))
                current = None
        elif current is not None:
            current.append(line)
    return out


def prose(path: Path) -> list[tuple[int, str]]:
    """The lines outside fenced code blocks, with their line numbers."""
    out, inside = [], False
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if FENCE.match(line):
            inside = not inside
        elif not inside:
            out.append((n, line))
    return out


def _joined(lines: tuple[str, ...]) -> list[tuple[int, str]]:
    """Lines with shell continuations (trailing backslash) joined, with the offset of their first line."""
    out, buf, first = [], "", 0
    for i, line in enumerate(lines):
        if not buf:
            first = i
        if line.rstrip().endswith("\\"):
            buf += line.rstrip()[:-1] + " "
            continue
        out.append((first, buf + line))
        buf = ""
    if buf:
        out.append((first, buf))
    return out


def run_py_argv(text: str) -> list[str] | None:
    """The arguments after ``run.py`` in a shell line (prompt, env assignments and comments removed)."""
    text = text.strip()
    if text.startswith("$ "):
        text = text[2:]
    if not RUN_PY.search(text) or text.startswith(("#", "(", "error:", "warning:")):   # comments, program output
        return None
    words = shlex.split(text, comments=True)
    if "run.py" not in words:
        return None
    args = words[words.index("run.py") + 1:]
    for stop in ("|", ">", "&&", ";", "&"):
        if stop in args:
            args = args[: args.index(stop)]
    return [a for a in args if a not in ("...", "…")]


@dataclass(frozen=True)
class Command:
    """A ``python run.py ...`` command shown in a document."""

    path: Path
    line: int
    text: str
    argv: tuple[str, ...]

    def where(self) -> str:
        return f"{rel(self.path)}:{self.line}: {self.text.strip()}"


def commands(path: Path) -> list[Command]:
    """Every ``run.py`` command line in the code blocks and complete inline code spans of a file.

    A block line counts if it is a command (a ``$`` prompt, or a block that is not a transcript); inline
    spans count when they start with ``python`` (a bare ``run.py calibrate`` names a subcommand) and are
    not a synopsis with ``[optional]`` parts or ``...``.
    """
    out = []
    for b in blocks(path):
        transcript = any(line.startswith("$ ") for line in b.lines)
        for offset, line in _joined(b.lines):
            if transcript and not line.startswith("$ "):
                continue
            if b.info and b.info not in ("bash", "sh", "shell", "console"):
                continue
            argv = run_py_argv(line)
            if argv is not None:
                out.append(Command(path, b.line + offset, line, tuple(argv)))
    for n, line in prose(path):
        for span in INLINE.findall(line):
            if "run.py" in span and span.lstrip().split()[0].endswith(("python", "python3")) \
                    and "[" not in span and "..." not in span and "SUBCOMMAND" not in span:
                argv = run_py_argv(span)
                if argv:
                    out.append(Command(path, n, span, tuple(argv)))
    return out


@dataclass(frozen=True)
class Transcript:
    """A ``$ command`` line of a code block and the output lines shown under it."""

    path: Path
    line: int
    command: str
    output: tuple[str, ...]


def transcripts(path: Path) -> list[Transcript]:
    """The commands with pasted output: in blocks whose lines start with ``$``, the lines up to the next ``$``."""
    out = []
    for b in blocks(path):
        current, start, lines, continued = None, 0, [], False
        for i, line in enumerate(b.lines):
            if continued:  # the command goes on (shell continuation)
                current += " " + line.strip().rstrip("\\")
                continued = line.rstrip().endswith("\\")
            elif line.startswith("$ "):
                if current is not None:
                    out.append(Transcript(path, start, current, tuple(lines)))
                current, start, lines = line[2:].rstrip().rstrip("\\"), b.line + i, []
                continued = line.rstrip().endswith("\\")
            elif current is not None:
                lines.append(line)
        if current is not None:
            out.append(Transcript(path, start, current, tuple(lines)))
    return out


def slug(heading: str) -> str:
    """GitHub's anchor of a Markdown heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[`*_]", "", heading.strip().lower())
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    """The link targets a Markdown file offers: explicit ``<a id="...">`` and heading slugs."""
    text = path.read_text(encoding="utf-8")
    ids = set(re.findall(r'<a\s+id="([^"]+)"', text))
    for _, line in prose(path):
        m = re.match(r"^#{1,6}\s+(.*)$", line)
        if m:
            ids.add(slug(m.group(1)))
    return ids
