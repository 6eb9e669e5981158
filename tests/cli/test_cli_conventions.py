"""Issue 14, item 3: the conventions of a Python command line (entry point, --version, pipes, "did you
mean", listed choices, sweep --dry-run, scenario templates, export formats and summaries, licence)."""

from __future__ import annotations

import importlib
import json
import re
import subprocess
import sys
import tomllib

import numpy as np
import pandas as pd
import pytest

from cli_support import ROOT, cli, refusal, tree_hash
from sim.inputs.parameters import PARAMS, defaults
from sim.inputs.scenario import load_scenario
from sim.version import __version__

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


# ---- entry point, version, licence ---------------------------------------------------------------

def test_console_script_names_an_importable_entry_function():
    target = PYPROJECT["project"]["scripts"]["insurgency-abm"]
    module, _, attr = target.partition(":")
    assert callable(getattr(importlib.import_module(module), attr))
    assert any(p.startswith(module.split(".")[0]) for p in PYPROJECT["tool"]["setuptools"]["packages"]["find"]["include"])


def test_version_through_the_entry_module():
    r = subprocess.run([sys.executable, "-m", "insurgency_abm", "--version"], capture_output=True, text=True,
                       cwd=ROOT, timeout=120)
    assert r.returncode == 0 and r.stdout.strip() == f"insurgency-abm {__version__}"


def test_run_py_is_the_same_program():
    r = cli("--version")
    assert r.returncode == 0 and r.stdout.strip() == f"insurgency-abm {__version__}"
    assert "usage: run.py" in cli("--help").stdout


def test_licence_is_an_spdx_string_for_a_setuptools_that_reads_it():
    assert PYPROJECT["project"]["license"] == "MIT"
    requires = " ".join(PYPROJECT["build-system"]["requires"])
    assert int(re.search(r"setuptools>=(\d+)", requires).group(1)) >= 77


# ---- broken pipes ---------------------------------------------------------------------------------

def test_params_into_head_ends_quietly():
    r = subprocess.run(f"'{sys.executable}' run.py params | head -1", shell=True, capture_output=True, text=True,
                       cwd=ROOT, timeout=120)
    whole = subprocess.run([sys.executable, "run.py", "params"], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert r.returncode == 0 and r.stdout == whole.stdout.splitlines(keepends=True)[0] and r.stdout.count("\n") == 1
    assert r.stderr == ""


def test_a_reader_that_closed_before_any_output_gives_no_traceback():
    """Deterministic broken pipe: the read end is closed before the program has printed anything."""
    proc = subprocess.Popen([sys.executable, str(ROOT / "run.py"), "params"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, cwd=ROOT)
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 141
    assert err == "", err


# ---- did you mean, and choices -------------------------------------------------------------------

def test_misspelt_parameter_gets_did_you_mean(refused, tmp_path):
    refused(["run", "--set", "amnesti=0.5", "--out", str(tmp_path / "o")],
            "Unknown parameter 'amnesti'", "Did you mean 'amnesty'?")


def test_misspelt_scenario_gets_did_you_mean(refused, tmp_path):
    refused(["run", "--scenario", "iron_fst", "--out", str(tmp_path / "o")],
            "Unknown scenario 'iron_fst'", "Did you mean 'iron_fist'?")


def test_misspelt_subcommand_and_choice_get_did_you_mean(refused):
    refused(["swep"], "subcommand 'swep' is not one of: run, params,", "Did you mean 'sweep'?", "run.py --help")
    refused(["sweep", "--backend", "dsk", "--out", "x"], "--backend 'dsk' is not one of: serial, processes, dask.",
            "Did you mean 'dask'?", "See `run.py sweep --help`.")
    refused(["scenarios", "shw"], "Did you mean 'show'?")


def test_argument_errors_are_one_paragraph_too():
    r = cli("run")
    assert r.returncode == 2
    assert refusal(r.stderr) == "error: the following arguments are required: --out. See `run.py run --help`."


def test_every_enum_flag_lists_its_choices():
    import run

    parser = run.build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    flags = {(name, opt): action.choices for name, p in sub.choices.items() for action in p._actions
             for opt in action.option_strings}
    for key in [("sweep", "--backend"), ("sweep", "--design"), ("export", "--format"), ("validate", "--backend"),
                ("sensitivity", "--method"), ("sensitivity", "--range")]:
        assert flags[key], key


# ---- sweep --dry-run ------------------------------------------------------------------------------

def test_sweep_dry_run_prints_the_plan_and_an_estimate_and_writes_nothing(tmp_path):
    out = tmp_path / "s"
    r = cli("sweep", "--dry-run", "--scenarios", "baseline,iron_fist", "--seeds", "3", "--steps", "8",
            "--set", "amnesty=0.2,0.5,0.8", "--out", str(out))
    assert r.returncode == 0, r.stderr
    assert "plan: 18 runs = 2 scenario(s) x 3 design point(s) x 3 seed(s), 8 weeks each" in r.stdout
    assert "baseline: 9 runs" in r.stdout and "iron_fist: 9 runs" in r.stdout
    seconds = re.search(r"estimate: about (\d+) (s|min|h) on (\d+) worker", r.stdout)
    assert seconds and int(seconds.group(1)) > 0
    assert not out.exists()


def test_dry_run_estimate_scales_with_the_plan():
    from sim.runs.preview import Estimate
    from sim.runs.sweep import Run

    e = Estimate(setup=0.5, per_week=0.01)
    runs = [Run("baseline", s, 100) for s in range(1, 9)]
    assert e.seconds(runs, 1) == pytest.approx(8 * 1.5)
    assert e.seconds(runs, 4) == pytest.approx(8 * 1.5 / 4)
    assert e.seconds(runs[:2], 16) == pytest.approx(1.5)    # no more workers than runs


# ---- scenario templates --------------------------------------------------------------------------

def test_scenarios_new_then_run(tmp_path):
    r = cli("scenarios", "new", "my.toml", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    text = (tmp_path / "my.toml").read_text()
    assert 'extends = "baseline"' in text and text.count("\n# ") > len(PARAMS)
    mine, base = load_scenario(str(tmp_path / "my.toml")), load_scenario("baseline")
    assert mine.name == "my" and mine.params == base.params and mine.events == base.events
    r = cli("run", "--scenario", "my.toml", "--steps", "2", "--out", "o", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert json.loads((tmp_path / "o" / "manifest.json").read_text())["scenario"]["name"] == "my"


def test_template_shows_the_true_defaults(tmp_path):
    """Uncommenting every parameter line of the template changes nothing: its values are the defaults."""
    assert cli("scenarios", "new", "all_lines", "--extends", "iron_fist", cwd=tmp_path).returncode == 0
    lines = (tmp_path / "all_lines.toml").read_text().splitlines()
    start = lines.index("[params]")
    end = next(i for i in range(start, len(lines)) if "[[events]]" in lines[i])
    body = [ln[2:] if re.match(r"# [a-z_]+ = ", ln) else ln for ln in lines[start:end]]
    (tmp_path / "uncommented.toml").write_text("\n".join(body) + "\n")
    assert load_scenario(str(tmp_path / "uncommented.toml")).params == defaults()


def test_scenarios_new_refuses_to_overwrite(refused, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mine.toml").write_text("# my work\n")
    refused(["scenarios", "new", "mine.toml"], "already exists", "--force")
    assert (tmp_path / "mine.toml").read_text() == "# my work\n"
    refused(["scenarios", "new", "x.toml", "--extends", "baselin"], "Did you mean 'baseline'?")
    assert not (tmp_path / "x.toml").exists()


@pytest.mark.parametrize("name", ["baseline", "iron_fist", "no_prison_escape"])
def test_scenarios_show_prints_the_scenario_resolved(capsys, tmp_path, name):
    import run

    assert run.main(["scenarios", "show", name]) == 0
    shown = capsys.readouterr().out
    assert "extends" not in shown
    (tmp_path / "shown.toml").write_text(shown)
    again, original = load_scenario(str(tmp_path / "shown.toml")), load_scenario(name)
    assert again.params == original.params and again.events == original.events and again.name == original.name
    changed = [k for k, v in original.params.items() if v != PARAMS[k].default]
    for k in changed:
        assert re.search(rf"^{k} = .*; default ", shown, re.M), k


# ---- export ---------------------------------------------------------------------------------------

def test_export_writes_rounded_csv_by_default(sweep_store, tmp_path):
    r = cli("export", str(sweep_store), "--to", str(tmp_path / "csv"))
    assert r.returncode == 0, r.stderr
    nat = pd.read_csv(tmp_path / "csv" / "national.csv")
    raw = pd.read_parquet(sweep_store / "national")
    assert len(nat) == len(raw) == 2 * 3 * 4
    for col in ("taliban_strength", "iskp_members", "civilian_deaths"):
        assert nat[col].dtype.kind == "i", col
    assert (nat["taliban_strength"].to_numpy() == raw["taliban_strength"].round().to_numpy()).all()
    text = (tmp_path / "csv" / "national.csv").read_text()
    assert not re.search(r"\d\.\d{5,}", text)               # no 70000.00000000004 nor 0.2567409421254786
    assert np.allclose(nat["mean_legitimacy"], raw["mean_legitimacy"], atol=5e-5)


def test_export_parquet(sweep_store, tmp_path):
    r = cli("export", str(sweep_store), "--format", "parquet", "--to", str(tmp_path / "pq"))
    assert r.returncode == 0, r.stderr
    assert len(pd.read_parquet(tmp_path / "pq" / "provinces.parquet")) == 2 * 3 * 4 * 34


def test_export_summary(sweep_store, tmp_path):
    r = cli("export", str(sweep_store), "--summary", "--to", str(tmp_path / "sum"))
    assert r.returncode == 0, r.stderr
    summary = pd.read_csv(tmp_path / "sum" / "national_summary.csv")
    assert list(summary.columns) == ["scenario", "point", "step", "date", "metric", "seeds", "p10", "median", "p90"]
    raw = pd.read_parquet(sweep_store / "national")
    assert len(summary) == 2 * 4 * (len(raw.columns) - 5)      # scenarios x weeks x outputs
    assert (summary["seeds"] == 3).all() and (summary["p10"] <= summary["median"]).all()
    assert (summary["median"] <= summary["p90"]).all()
    for scenario, step, metric in [("baseline", 3, "iskp_members"), ("iron_fist", 2, "mean_grievance")]:
        values = raw[(raw.scenario == scenario) & (raw.step == step)][metric]
        row = summary[(summary.scenario == scenario) & (summary.step == step) & (summary.metric == metric)].iloc[0]
        digits = 4 if metric == "mean_grievance" else 1
        assert row["median"] == round(float(np.median(values)), digits)
        assert row["p10"] == round(float(np.quantile(values, 0.1)), digits)
        assert row["p90"] == round(float(np.quantile(values, 0.9)), digits)
    provinces = pd.read_csv(tmp_path / "sum" / "provinces_summary.csv")
    assert provinces["province"].nunique() == 34 and (provinces["seeds"] == 3).all()


def test_export_keeps_the_old_csv_flag_and_leaves_the_store_alone(sweep_store, tmp_path):
    before = tree_hash(sweep_store)
    r = cli("export", str(sweep_store), "--csv", "--to", str(tmp_path / "c"))
    assert r.returncode == 0 and (tmp_path / "c" / "national.csv").is_file()
    assert tree_hash(sweep_store) == before
    assert refusal(cli("export", str(sweep_store), "--to", "").stderr).startswith("error: --to is empty")


def test_scenarios_new_extends_a_file_from_another_folder(tmp_path):
    (tmp_path / "mine.toml").write_text('extends = "iron_fist"\n[params]\namnesty = 0.9\n')
    (tmp_path / "sub").mkdir()
    r = cli("scenarios", "new", "sub/child.toml", "--extends", "mine.toml", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    child, parent = load_scenario(str(tmp_path / "sub" / "child.toml")), load_scenario(str(tmp_path / "mine.toml"))
    assert child.params == parent.params and child.params["amnesty"] == 0.9 and child.events == parent.events
