"""`run.py run`, `params`, `scenarios`: outputs on disk, and bad input -> exit 2 with a clear message."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from sim.outputs import NATIONAL_COLUMNS, PROVINCE_COLUMNS
from sim.inputs.scenario import bundled_names

ROOT = Path(__file__).resolve().parent.parent


def cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "run.py"), *args], capture_output=True, text=True, cwd=cwd,
                          timeout=600)


def test_run_writes_tables_manifest_and_chart(tmp_path):
    out = tmp_path / "demo"
    r = cli("run", "--scenario", "baseline", "--seed", "1", "--steps", "6", "--out", str(out), "--set", "amnesty=0.7")
    assert r.returncode == 0, r.stderr
    for name in ("national", "provinces", "events"):
        assert (out / f"{name}.parquet").stat().st_size > 0 and (out / f"{name}.csv").stat().st_size > 0
    nat = pd.read_parquet(out / "national.parquet")
    prov = pd.read_csv(out / "provinces.csv")
    assert list(nat.columns) == list(NATIONAL_COLUMNS) and list(prov.columns) == list(PROVINCE_COLUMNS)
    assert nat["step"].max() == 6
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == 1 and manifest["scenario"]["params"]["amnesty"] == 0.7
    assert manifest["versions"]["mesa"] == "3.3.1" and "commit" in manifest["git"]
    assert manifest["started"] <= manifest["finished"] and manifest["conserved"] is True
    png = (out / "main_series.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 20_000


@pytest.mark.slow
@pytest.mark.parametrize("name", bundled_names())
def test_every_bundled_scenario_runs_from_the_cli(tmp_path, name):
    r = cli("run", "--scenario", name, "--seed", "2", "--steps", "8", "--out", str(tmp_path / name))
    assert r.returncode == 0, r.stderr
    nat = pd.read_parquet(tmp_path / name / "national.parquet")
    assert (nat["scenario"] == name).all() and len(nat) == 9


@pytest.mark.slow
def test_full_default_run_from_the_cli(tmp_path):
    r = cli("run", "--scenario", "baseline", "--seed", "1", "--out", str(tmp_path / "full"))
    assert r.returncode == 0, r.stderr
    assert pd.read_parquet(tmp_path / "full" / "national.parquet")["step"].max() == 104


def test_user_scenario_file_extending_baseline(tmp_path):
    f = tmp_path / "my_policy.toml"
    f.write_text('extends = "baseline"\nname = "my_policy"\n[params]\namnesty = 0.95\n')
    r = cli("run", "--scenario", str(f), "--steps", "3", "--out", str(tmp_path / "o"))
    assert r.returncode == 0, r.stderr
    m = json.loads((tmp_path / "o" / "manifest.json").read_text())
    assert m["scenario"]["name"] == "my_policy" and m["scenario"]["params"]["amnesty"] == 0.95
    assert len(m["scenario"]["events"]) == 4  # inherited from baseline


BAD_FILES = {
    "unknown_key.toml": ('[params]\nelder_influense = 0.5\n', ["elder_influense", "Unknown parameter"]),
    "wrong_type.toml": ('[params]\namnesty = "lots"\n', ["amnesty", "[0, 1]"]),
    "out_of_range.toml": ('[params]\nsurrender_rate = 7\n', ["surrender_rate", "[0, 2]"]),
    "bad_date.toml": ('[[events]]\ntype = "elder_surrender"\ndate = "2021-13-45"\npeople = 65\nprovince = "Nangarhar"\n',
                      ["2021-13-45", "YYYY-MM-DD"]),
    "bad_province.toml": ('[[events]]\ntype = "elder_surrender"\ndate = 2021-10-31\npeople = 65\nprovince = "Narnia"\n',
                          ["Narnia", "unknown province"]),
    "unknown_extends.toml": ('extends = "paradise"\n', ["paradise", "Unknown scenario"]),
    "not_toml.toml": ('[params\namnesty = 0.5\n', ["not valid TOML"]),
    "bad_top_key.toml": ('amnesty = 0.5\n', ["amnesty", "[params]"]),
    "event_type.toml": ('[[events]]\ntype = "earthquake"\ndate = 2021-10-31\npeople = 5\nprovince = "Kabul"\n',
                        ["earthquake", "prison_escape"]),
}


@pytest.mark.parametrize("fname", sorted(BAD_FILES))
def test_bad_scenario_file_exits_2_with_message(tmp_path, fname):
    text, needles = BAD_FILES[fname]
    f = tmp_path / fname
    f.write_text(text)
    r = cli("run", "--scenario", str(f), "--steps", "2", "--out", str(tmp_path / "o"))
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    assert fname in r.stderr or "extends" in r.stderr
    for n in needles:
        assert n in r.stderr, r.stderr
    assert not (tmp_path / "o").exists()  # nothing written


@pytest.mark.parametrize("args,needle", [
    (["--scenario", "no_such_scenario"], "Unknown scenario 'no_such_scenario'"),
    (["--scenario", "missing/file.toml"], "does not exist"),
    (["--set", "amnesty=2"], "[0, 1]"),
    (["--set", "foo=1"], "Unknown parameter 'foo'"),
    (["--set", "amnesty"], "name=value"),
    (["--set", "steps=1.5"], "whole number"),
    (["--steps", "0"], "steps"),
])
def test_bad_flags_exit_2(tmp_path, args, needle):
    r = cli("run", *args, "--out", str(tmp_path / "o"))
    assert r.returncode == 2, r.stdout + r.stderr
    assert needle in r.stderr and "Traceback" not in r.stderr


def test_params_lists_every_parameter_with_range_and_source():
    from sim.inputs.parameters import PARAMS
    r = cli("params", "--markdown")
    assert r.returncode == 0
    for name in PARAMS:
        assert f"`{name}`" in r.stdout
    assert "Epstein 2002" in r.stdout


def test_help_has_examples():
    r = cli("run", "--help")
    assert r.returncode == 0 and "examples:" in r.stdout and "--scenario baseline" in r.stdout
