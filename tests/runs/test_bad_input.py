"""Bad sweep input exits 2 with a one-paragraph message and leaves the store byte-identical (issue 4, acceptance 4)."""

from __future__ import annotations

from pathlib import Path

import dask
import distributed  # noqa: F401  (loads its config defaults before dask.config.set below saves and restores them)
import pytest

import run
from sim.runs.execute import execute
from sim.runs.spec import SweepSpec, plan_runs
from sweep_helpers import free_port, snapshot


@pytest.fixture(scope="module")
def stored(tmp_path_factory) -> Path:
    """A store of baseline x seeds 1,2 x 3 steps with seed 2's part removed, so the sweep is unfinished."""
    root = tmp_path_factory.mktemp("bad") / "store"
    execute(plan_runs(SweepSpec(seeds=(1, 2), steps=3)), root, backend="serial", progress=False, chunk=1)
    for table in ("national", "provinces"):
        (root / table / "part-000002.parquet").unlink()
    return root


def _toml(tmp: Path, text: str) -> str:
    path = tmp / "bad_sweep.toml"
    path.write_text(text)
    return str(path)


BAD = {  # name: (changes to the base flags, function of tmp dir -> extra argv, words the message must hold)
    "unknown parameter": ({"--set": "no_such_param=1,2"}, None, ["no_such_param", "--set", "run.py params"]),
    "value out of range": ({"--set": "amnesty=0.5:1.5:3"}, None, ["amnesty", "1.5", "[0, 1]"]),
    "empty axis": ({"--set": "amnesty="}, None, ["amnesty", "empty"]),
    "range with n=0": ({"--set": "amnesty=0.1:0.9:0"}, None, ["amnesty", ">= 2"]),
    "zero seeds": ({"--seed-list": None, "--seeds": "0"}, None, ["--seeds", "at least 1"]),
    "unknown scenario": ({"--scenarios": "baseline,nope"}, None, ["nope", "Bundled scenarios"]),
    "unknown backend": ({"--backend": "mpi"}, None, ["mpi", "serial, processes, dask"]),
    "bad scheduler address": ({"--backend": None, "--scheduler": "localhost"}, None, ["localhost", "tcp://HOST:PORT"]),
    "unreachable scheduler": ({"--backend": None, "--scheduler": "tcp://127.0.0.1:{port}"}, None,
                              ["Cannot reach the Dask scheduler", "127.0.0.1"]),
    "another sweep in --out": ({"--seed-list": "1,2,3"}, None, ["holds a different sweep", "1..2", "1..3"]),
    "resume with spec flags": ({"--out": None, "--resume": "{store}"}, None, ["--resume", "drop", "--scenarios"]),
    "file: unknown key": ({}, lambda t: ["--sweep", _toml(t, "seedz = 3\n")], ["bad_sweep.toml", "seedz", "allowed"]),
    "file: unknown parameter": ({}, lambda t: ["--sweep", _toml(t, "[axes]\nfoo_bar = [1]\n")],
                                ["bad_sweep.toml", "[axes]", "foo_bar"]),
    "file: out of range": ({}, lambda t: ["--sweep", _toml(t, "[axes]\nvision = [2, 9]\n")],
                           ["bad_sweep.toml", "vision", "[1, 6]"]),
    "file: empty axis": ({}, lambda t: ["--sweep", _toml(t, "[axes]\namnesty = []\n")], ["bad_sweep.toml", "empty"]),
    "file: zero seeds": ({"--seed-list": None}, lambda t: ["--sweep", _toml(t, "seeds = 0\n")],
                         ["bad_sweep.toml", "seeds", "at least 1"]),
    "file: not TOML": ({}, lambda t: ["--sweep", _toml(t, "seeds = [1,\n")], ["bad_sweep.toml", "not valid TOML"]),
    "file: missing": ({}, lambda t: ["--sweep", str(t / "absent.toml")], ["absent.toml", "does not exist"]),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_exits_2_with_a_message_and_leaves_the_store_untouched(case, stored, tmp_path, capsys):
    changes, extra, words = BAD[case]
    flags = {"--scenarios": "baseline", "--seed-list": "1,2", "--steps": "3", "--backend": "serial",
             "--out": str(stored)}
    flags.update(changes)
    fill = {"port": free_port(), "store": stored}
    argv = ["sweep"] + [x for k, v in flags.items() if v is not None for x in (k, v.format(**fill))]
    argv += extra(tmp_path) if extra else []
    before = snapshot(stored)
    with dask.config.set({"distributed.comm.timeouts.connect": "2s"}):
        code = run.main(argv)
    err = capsys.readouterr().err
    assert code == 2, f"{case}: exit {code}, stderr {err!r}"
    assert err.startswith("error: ") and err.count("\n") == 1 and "Traceback" not in err, err
    for word in words:
        assert word in err, f"{case}: {word!r} missing from {err!r}"
    assert snapshot(stored) == before, f"{case}: the store changed"


def test_resume_of_a_folder_that_is_not_a_store_exits_2(tmp_path, capsys):
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "mine.txt").write_text("keep")
    assert run.main(["sweep", "--resume", str(tmp_path / "x")]) == 2
    assert run.main(["sweep", "--out", str(tmp_path / "x"), "--steps", "2"]) == 2
    err = capsys.readouterr().err
    assert "not a results store" in err and "not empty and is not a results store" in err
    assert (tmp_path / "x" / "mine.txt").read_text() == "keep" and len(list((tmp_path / "x").iterdir())) == 1


def test_an_output_folder_that_cannot_be_made_exits_2(capsys):
    assert run.main(["sweep", "--seeds", "1", "--steps", "1", "--backend", "serial", "--out", "/proc/no/store"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: --out '/proc/no/store' cannot be created or written") and err.count("\n") == 1, err
