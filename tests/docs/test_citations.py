"""Every citation leads somewhere a reader of the repository can follow.

A citation in code or docs may name a file of this repository, a link in the docs, or an entry of
docs/sources.md (``docs/sources.md#key``). None may point at a file outside the repository (the team's
research notes, a sibling checkout), at a missing file, or at an anchor that does not exist.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from analysis.patterns import QUALITATIVE, QUANTITATIVE
from sim.inputs.parameters import PARAMS

from .mdtext import DOCS, ROOT, anchors, rel

SOURCES = ROOT / "docs" / "sources.md"
THIS = Path(__file__).resolve()

# Files whose text cites: the docs, the code (comments, docstrings, parameter and pattern sources), the
# scenario files and the build files. Data tables and this file (which spells out what is forbidden) are not.
SCANNED_DIRS = ("sim", "analysis", "scenarios", "tests", "benchmarks", "docs", ".ci")
SCANNED_SUFFIXES = (".py", ".md", ".toml")
SCANNED_ROOT_FILES = ("README.md", "run.py", "pyproject.toml", "Makefile")

# Places outside the repository that citations used to point at.
OUTSIDE = re.compile(r"domain\.md|\bnotes/\w+\.md|\bdesign/[\w-]+\.md|model-spec|\.\./shared|shared/notes|/work/")

# A path inside the repository: starts with a top-level folder of the repository (optionally ../-relative).
REPO_PATH = re.compile(r"(?<![\w./-])((?:\.\./)*(?:sim|analysis|docs|tests|scenarios|benchmarks)/[\w./*<>{}-]*)")
SOURCE_KEY = re.compile(r"(?<![\w/])(docs/)?sources\.md#([\w-]+)")
MD_LINK = re.compile(r"\]\(([^)\s]+)\)")


def scanned_files() -> list[Path]:
    files = [ROOT / name for name in SCANNED_ROOT_FILES if (ROOT / name).exists()]
    for top in SCANNED_DIRS:
        for path in sorted((ROOT / top).rglob("*")):
            if path.is_file() and (path.suffix in SCANNED_SUFFIXES or path.parent.name == ".ci") \
                    and "__pycache__" not in path.parts and path.resolve() != THIS:
                files.append(path)
    return files


FILES = scanned_files()


def lines_of(path: Path):
    for n, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
        yield n, line


def test_scan_covers_the_places_that_cite():
    names = {rel(p) for p in FILES}
    for must in ("README.md", "docs/ODD.md", "docs/sources.md", "sim/inputs/parameters.py", "sim/inputs/events.py",
                 "analysis/patterns.py", "scenarios/baseline.toml", "sim/data/provinces_SOURCES.md"):
        assert must in names, must


def test_no_citation_points_outside_the_repository():
    found = [f"{rel(p)}:{n}: {line.strip()}" for p in FILES for n, line in lines_of(p) if OUTSIDE.search(line)]
    assert not found, "citations of files that are not in the repository (cite docs/sources.md#key instead):\n" \
        + "\n".join(found)


def test_acceptance_grep_for_the_research_notes_finds_nothing():
    # The acceptance check of issue 14: `grep -rn "domain.md" sim analysis docs README.md` finds nothing.
    needle = "domain" + ".md"
    roots = [ROOT / "sim", ROOT / "analysis", ROOT / "docs", ROOT / "README.md"]
    found = []
    for top in roots:
        for path in ([top] if top.is_file() else sorted(top.rglob("*"))):
            if path.is_file() and "__pycache__" not in path.parts:
                text = path.read_bytes().decode("utf-8", errors="replace")
                found += [f"{rel(path)}:{n}" for n, line in enumerate(text.splitlines(), 1) if needle in line]
    assert not found, found


def _resolve(path_text: str, citing: Path) -> Path | None:
    """The file or folder a cited path names: relative to the citing file, then to the repository root."""
    path_text = path_text.rstrip(".,;:)'\"`")
    for base in (citing.parent, ROOT):
        candidate = (base / path_text).resolve()
        if candidate.exists() and candidate.is_relative_to(ROOT):
            return candidate
    return None


# Paths that a documented command writes into the repository, cited before they exist.
WRITTEN_BY_COMMANDS = {"sim/data/posterior.csv": "docs/adopt_posterior.py ships a calibrated posterior there"}


def test_cited_repository_paths_exist():
    missing = []
    for path in FILES:
        for n, line in lines_of(path):
            for token in REPO_PATH.findall(line):
                if any(c in token for c in "*<>{}") or token.rstrip(".,;:)/") in ("", "sim", "tests", "docs"):
                    continue  # a pattern (``tests/model/test_<mechanism>.py``), not a file
                if _resolve(token, path) is None and token.rstrip(".,;:)'\"`") not in WRITTEN_BY_COMMANDS:
                    missing.append(f"{rel(path)}:{n}: {token}")
    assert not missing, "cited paths that do not exist in the repository:\n" + "\n".join(missing)


def test_every_sources_key_exists():
    keys = anchors(SOURCES)
    bad = [f"{rel(p)}:{n}: sources.md#{key}" for p in FILES for n, line in lines_of(p)
           for _, key in SOURCE_KEY.findall(line) if key not in keys]
    assert not bad, "docs/sources.md has no such entry:\n" + "\n".join(bad)


@pytest.mark.parametrize("doc", DOCS + [ROOT / "sim" / "data" / "provinces_SOURCES.md"], ids=rel)
def test_markdown_links_resolve(doc):
    bad = []
    for n, line in lines_of(doc):
        for target in MD_LINK.findall(line):
            if re.match(r"^[a-z]+:", target):
                continue  # http(s), mailto
            file_part, _, fragment = target.partition("#")
            dest = doc if not file_part else (doc.parent / file_part).resolve()
            if not dest.exists() or not dest.is_relative_to(ROOT):
                bad.append(f"{rel(doc)}:{n}: {target} (no such file)")
            elif fragment and dest.suffix == ".md" and fragment not in anchors(dest):
                bad.append(f"{rel(doc)}:{n}: {target} (no such anchor)")
    assert not bad, "\n".join(bad)


def test_sources_entries_have_an_address_or_say_why_not():
    text = SOURCES.read_text(encoding="utf-8")
    entries = re.split(r'(?=<a id=")', text)[1:]
    assert len(entries) >= 40
    for entry in entries:
        key = re.match(r'<a id="([^"]+)"', entry).group(1)
        assert re.search(r"https?://", entry) or "not recorded" in entry, key
        assert re.search(r"\b(19|20)\d\d\b", entry) or re.search(r"(year|date)[^.]* not recorded", entry, re.I), f"{key}: no date"


def test_every_sourced_parameter_cites_an_entry():
    # [E] marks estimates and free parameters; every other parameter rests on a source, which must be listed.
    bare = [f"{p.name}: {p.source}" for p in PARAMS.values()
            if not p.source.startswith("[E]") and "docs/sources.md#" not in p.source]
    assert not bare, "parameters whose source names no docs/sources.md entry:\n" + "\n".join(bare)


def test_every_pattern_cites_an_entry():
    bare = [f"{p.id}: {p.source}" for p in QUANTITATIVE + QUALITATIVE if "docs/sources.md#" not in p.source]
    assert not bare, bare


def test_scheduled_events_cite_their_source():
    # Each event of the baseline carries its figure's source on the line that sets the number.
    text = (ROOT / "scenarios" / "baseline.toml").read_text(encoding="utf-8")
    people = [line for line in text.splitlines() if line.startswith("people")]
    assert people and all("docs/sources.md#" in line for line in people), people
