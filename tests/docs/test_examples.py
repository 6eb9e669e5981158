"""The README's and docs' examples agree with the program.

Every ``python run.py ...`` command shown parses with the real argument parser (nothing long is run),
every ``make`` target named exists, the import paths named resolve, the quoted effect sentences are
what ``analysis.report.wording`` prints for those numbers, the output lines pasted under a command are
lines the program's own format strings can print, the cheap transcripts (scenarios, a bad ``--set``,
one run) are reproduced exactly, and every timing in the README is marked for re-measurement.
"""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest

import run as run_py
from analysis.outcomes import HEADLINE, outcome
from analysis.report.wording import effect_sentence

from .mdtext import DOCS, ROOT, Transcript, blocks, commands, prose, rel, transcripts

ALL_COMMANDS = [c for doc in DOCS for c in commands(doc)]


def test_the_docs_show_commands_of_every_main_subcommand():
    shown = {c.argv[0] for c in ALL_COMMANDS if c.argv}
    assert {"run", "sweep", "report", "sensitivity", "validate", "calibrate", "viz", "scenarios"} <= shown, shown


@pytest.mark.parametrize("command", ALL_COMMANDS, ids=lambda c: f"{rel(c.path)}:{c.line}")
def test_run_py_command_parses(command, capsys):
    parser = run_py.build_parser()
    try:
        args = parser.parse_args(list(command.argv))
    except SystemExit as exc:
        if exc.code == 0 and ("--help" in command.argv or "-h" in command.argv):
            return  # argparse prints the help and exits 0
        pytest.fail(f"{command.where()}\nrejected by run.py's parser (exit {exc.code}): {capsys.readouterr().err}")
    assert getattr(args, "func", None) is not None or "--help" in command.argv, command.where()


def test_make_targets_named_in_the_readme_exist():
    targets = set(re.findall(r"^([\w-]+):", (ROOT / "Makefile").read_text(encoding="utf-8"), re.M))
    named = set(re.findall(r"\bmake ([a-z][\w-]*)", (ROOT / "README.md").read_text(encoding="utf-8")))
    assert named and named <= targets, sorted(named - targets)


# --------------------------------------------------------------------------------------- import paths
DOTTED = re.compile(r"\b((?:sim|analysis)(?:\.\w+)+)")
FROM_IMPORT = re.compile(r"^\s*from ((?:sim|analysis)[\w.]*) import ([\w, ]+)")


def _resolves(dotted: str) -> bool:
    """Whether ``a.b.c.name`` is an importable module, or an attribute of the longest importable prefix."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for attr in parts[cut:]:
            if not hasattr(obj, attr):
                return False
            obj = getattr(obj, attr)
        return True
    return False


def _named_import_paths() -> list[tuple[str, str]]:
    found = []
    for doc in DOCS:
        for n, line in enumerate(doc.read_text(encoding="utf-8").splitlines(), 1):
            m = FROM_IMPORT.match(line)
            if m:
                found += [(f"{rel(doc)}:{n}", f"{m.group(1)}.{name.strip()}") for name in m.group(2).split(",")]
            for span in re.findall(r"`([^`]+)`", line):
                found += [(f"{rel(doc)}:{n}", d.rstrip(".")) for d in DOTTED.findall(span)]
    return found


def test_import_paths_named_in_the_docs_resolve():
    named = _named_import_paths()
    assert any(d.startswith("sim.results.load") for _, d in named)
    bad = [f"{where}: {dotted}" for where, dotted in named if not _resolves(dotted)]
    assert not bad, "import paths in the docs that do not exist:\n" + "\n".join(bad)


# ------------------------------------------------------------------------------------ effect sentences
SENTENCE = re.compile(r"(?P<arm>[a-z][\w ]*): (?P<effect>[+−]?[\d,.]+) \(95% CI (?P<low>[+−]?[\d,.]+) to "
                      r"(?P<high>[+−]?[\d,.]+)\) (?P<phrase>.+?) vs (?P<base>\w+) \((?P<rel>[+−]?[\d,.]+)%; "
                      r"(?P<verdict>[^)]+)\)\.")


def _number(text: str) -> float:
    return float(text.replace("−", "-").replace(",", ""))


def _quoted_sentences() -> list[tuple[str, str]]:
    out = []
    for doc in DOCS:
        for n, line in enumerate(doc.read_text(encoding="utf-8").splitlines(), 1):
            out += [(f"{rel(doc)}:{n}", m.group(0)) for m in SENTENCE.finditer(line.replace("*", "").replace("\n", " "))]
    return out


def _joined_docs_text(doc: Path) -> str:
    return re.sub(r"\s*\n\s*", " ", doc.read_text(encoding="utf-8"))


def test_the_readme_and_report_doc_quote_effect_sentences():
    quoted = {where.split(":")[0] for where, _ in _quoted_sentences()}
    assert {"README.md"} <= quoted
    assert SENTENCE.search(_joined_docs_text(ROOT / "docs" / "report.md").replace("*", ""))


@pytest.mark.parametrize("doc", DOCS, ids=rel)
def test_quoted_effect_sentences_are_what_the_report_prints(doc):
    phrases = {outcome(name).phrase(104): name for name in HEADLINE}
    text = _joined_docs_text(doc).replace("*", "")
    for m in SENTENCE.finditer(text):
        assert m.group("phrase") in phrases, f"{rel(doc)}: unknown outcome phrase {m.group('phrase')!r}"
        row = {"arm": m.group("arm"), "outcome": phrases[m.group("phrase")], "effect": _number(m.group("effect")),
               "ci_low": _number(m.group("low")), "ci_high": _number(m.group("high")),
               "relative": _number(m.group("rel")) / 100}
        assert effect_sentence(row, 104, m.group("base")) == m.group(0), f"{rel(doc)}: {m.group(0)}"


N = r"[+−]?[\d,.]+"
POSTERIOR_SENTENCE = re.compile(
    rf"(?P<arm>[a-z][\w ]*): (?P<median>{N}) \(90% of sets x seeds: (?P<p05>{N}) to (?P<p95>{N}); mean "
    rf"(?P<effect>{N}), 95% CI (?P<low>{N}) to (?P<high>{N})\) (?P<phrase>.+?) vs (?P<base>\w+) \("
    rf"(?:(?P<rel>{N})%; )?(?P<verdict>[^,]+), robust in (?P<robust>\d+)% of plausible parameter sets\)\.")


def test_the_readme_quotes_a_posterior_effect_sentence_as_the_report_prints_it():
    """README's posterior sentences (make demo's sweep) re-rendered from their own numbers are identical."""
    from analysis.report.wording import posterior_sentence

    phrases = {outcome(name).phrase(104): name for name in HEADLINE}
    found = list(POSTERIOR_SENTENCE.finditer(_joined_docs_text(ROOT / "README.md").replace("*", "")))
    assert found
    for m in found:
        row = {"arm": m.group("arm"), "outcome": phrases[m.group("phrase")], "robust": int(m.group("robust")) / 100,
               **{k: _number(m.group(g)) for k, g in (("median", "median"), ("p05", "p05"), ("p95", "p95"),
                                                     ("effect", "effect"), ("ci_low", "low"), ("ci_high", "high"))},
               "relative": _number(m.group("rel")) / 100 if m.group("rel") else None}
        assert posterior_sentence(row, 104, m.group("base")) == m.group(0), m.group(0)


# --------------------------------------------------------------------------------- pasted transcripts
def _format_templates() -> list[tuple[re.Pattern, int]]:
    """Every string the program can print, as a regex (f-string fields match anything) and its literal length."""
    out = []
    files = [ROOT / "run.py", *sorted((ROOT / "sim").rglob("*.py")), *sorted((ROOT / "analysis").rglob("*.py"))]
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.JoinedStr):
                texts = [v.value if isinstance(v, ast.Constant) else None for v in node.values]
                if texts and texts[0] is not None:
                    texts[0] = texts[0].lstrip()
                if texts and texts[-1] is not None:
                    texts[-1] = texts[-1].rstrip()
                parts = [re.escape(t) if t is not None else ".*?" for t in texts]
                literal = sum(len(t) for t in texts if t is not None)
                out.append((re.compile("".join(parts), re.S), literal))
            elif isinstance(node, ast.Constant) and isinstance(node.value, str) and len(node.value.strip()) > 3:
                out.append((re.compile(re.escape(node.value.strip())), len(node.value.strip())))
    return out


TEMPLATES = _format_templates()
# The commands whose pasted output is checked against the format strings (the long ones are not rerun).
CHECKED = ("sweep", "report", "validate", "sensitivity", "viz", "export", "calibrate")


def _printed_by_program(line: str) -> bool:
    """Whether one format string of the program prints the line: at least 6 fixed characters, and the
    rest filled by its fields (a table row of numbers needs the header or summary checks instead)."""
    text = line.strip()
    return any(literal >= min(6, len(text)) and pattern.fullmatch(text) for pattern, literal in TEMPLATES) or \
        any(literal >= 12 and pattern.search(text) and pattern.pattern.startswith(re.escape(text[:6]))
            for pattern, literal in TEMPLATES)


def _checked_transcripts() -> list[Transcript]:
    out = []
    for doc in DOCS:
        for t in transcripts(doc):
            words = t.command.split()
            sub = words[words.index("run.py") + 1] if "run.py" in words else (words[1] if words[:1] == ["make"] else "")
            if sub in CHECKED or sub == "demo":
                out.append(t)
    return out


def _data_line(line: str) -> bool:
    """Lines that are data rather than sentences: table rows, rules, ellipses, blank lines."""
    text = line.strip()
    return (not text or text in ("...", "…") or set(text) <= set("-= ") or text.startswith((".venv/", "python "))
            or bool(re.match(r"^(P\d+\w*|x\d|\d+|morris|sobol|pattern)\s", text)))


@pytest.mark.parametrize("transcript", _checked_transcripts(), ids=lambda t: f"{rel(t.path)}:{t.line}")
def test_pasted_output_lines_are_printed_by_the_program(transcript):
    bad = [line for line in transcript.output if not _data_line(line) and not _printed_by_program(line)]
    assert not bad, f"{rel(transcript.path)}:{transcript.line} `{transcript.command}` shows lines no format " \
        f"string of the program prints:\n" + "\n".join(bad)


def test_scorecard_header_and_summary_are_the_programs():
    from analysis import validate

    source = Path(validate.__file__).read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    header = next(line for line in readme.splitlines() if line.startswith("pattern  target (record)"))
    assert header.split() == ["pattern", "target", "(record)", "tolerance", "model", "median", "model", "90%",
                              "band", "result"]
    for column in ("target (record)", "tolerance", "model median", "model 90% band", "result"):
        assert column in source, column
    summary = next(line for line in readme.splitlines() if "quantitative patterns pass" in line)
    assert _printed_by_program(summary), summary


# ------------------------------------------------------------------ cheap transcripts, reproduced exactly
def _readme_transcript(start: str) -> Transcript:
    return next(t for t in transcripts(ROOT / "README.md") if t.command.startswith(start))


def _program_output(argv: list[str], capsys) -> tuple[int, str, str]:
    code = run_py.main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_scenarios_listing_is_current(capsys):
    t = _readme_transcript(".venv/bin/python run.py scenarios")
    code, out, _ = _program_output(["scenarios"], capsys)
    assert code == 0
    assert out.rstrip("\n").splitlines() == list(t.output)


def test_bad_input_example_is_current(capsys, tmp_path):
    t = _readme_transcript(".venv/bin/python run.py run --set amnesty=3")
    code, out, err = _program_output(["run", "--set", "amnesty=3", "--out", str(tmp_path / "x")], capsys)
    assert code == 2 and not (tmp_path / "x").exists()
    assert err.rstrip("\n").splitlines() == list(t.output)


def test_one_run_transcript_is_current(capsys, tmp_path):
    t = _readme_transcript(".venv/bin/python run.py run --scenario baseline --seed 1")
    shown_out = re.search(r"--out (\S+)", t.command).group(1)
    code, out, _ = _program_output(["run", "--scenario", "baseline", "--seed", "1", "--out", str(tmp_path)], capsys)
    assert code == 0
    assert out.replace(str(tmp_path), shown_out.rstrip("/")).rstrip("\n").splitlines() == list(t.output)


# ------------------------------------------------------------------------------------------ timings
DURATION = re.compile(r"\b\d[\d,.]*\s*(s|seconds?|min|minutes?|runs/s|agent-steps/s)\b")
TIMING_MARK = "<!-- timing"


def _paragraphs(doc: Path) -> list[tuple[int, str]]:
    """Paragraphs of prose, and each code block as one paragraph together with the prose just before it."""
    out, buf, start = [], [], 0
    for n, line in prose(doc):
        if not line.strip():
            if buf:
                out.append((start, "\n".join(buf)))
            buf = []
            continue
        if not buf:
            start = n
        buf.append(line)
    if buf:
        out.append((start, "\n".join(buf)))
    return out


def test_every_readme_timing_is_marked_approximate_for_re_measurement():
    readme = ROOT / "README.md"
    text = readme.read_text(encoding="utf-8")
    unmarked = [f"README.md:{n}: {para.splitlines()[0]}" for n, para in _paragraphs(readme)
                if DURATION.search(para) and TIMING_MARK not in para]
    for b in blocks(readme):
        body = "\n".join(b.lines)
        if DURATION.search(body):
            before = text.splitlines()[max(0, b.line - 8): b.line - 1]
            if not any(TIMING_MARK in line for line in before):
                unmarked.append(f"README.md:{b.line}: code block with timings")
    assert not unmarked, (f"timings without a `{TIMING_MARK} ... -->` mark (say they are approximate and when "
                          "they were measured):\n" + "\n".join(unmarked))
    assert "approximate" in text



# ------------------------------------------------------------------------------------ counts in prose
def test_report_doc_counts_of_parameters_and_runs_are_current():
    from analysis.sensitivity import behavioural

    text = _joined_docs_text(ROOT / "docs" / "report.md")
    n = len(behavioural())
    assert f"({n} today;" in text, f"docs/report.md: the number of behavioural parameters is now {n}"
    m = re.search(r"Morris over all (\d+) parameters with r = (\d+) and (\d+) seeds is ([\d,]+) x (\d+) = ([\d,]+) runs",
                  text)
    assert m, "docs/report.md: the Morris budget sentence is gone"
    d, r, seeds, points, seeds2, runs = (int(g.replace(",", "")) for g in m.groups())
    assert (d, points, seeds2, runs) == (n, r * (n + 1), seeds, r * (n + 1) * seeds), m.group(0)
