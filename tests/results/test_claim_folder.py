"""No command writes into a folder holding another kind of output (issue 12): ``claim_folder``, and the
commands that use it, refuse with exit 2 and change nothing."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

import run
from sim.results.store import StoreError, claim_folder
from sim.runs.execute import execute
from sim.runs.spec import SweepSpec, plan_runs


def snapshot(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def sweep_store(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("claim") / "s"
    execute(plan_runs(SweepSpec(seeds=(1, 2), steps=2)), root, backend="serial", progress=False)
    return root


@pytest.mark.parametrize("kind", ["run", "report", "sensitivity", "export"])
@pytest.mark.parametrize("force", [False, True])
def test_a_sweep_store_is_never_claimed_by_another_kind(kind, force, sweep_store):
    before = snapshot(sweep_store)
    with pytest.raises(StoreError, match="holds a sweep's results store") as err:
        claim_folder(sweep_store, kind, force=force)
    assert str(sweep_store) in str(err.value) and "\n" not in str(err.value)
    assert snapshot(sweep_store) == before


def test_run_needs_force_for_a_non_empty_folder_and_nothing_for_a_new_one(tmp_path):
    assert claim_folder(tmp_path / "new", "run") == tmp_path / "new" and not (tmp_path / "new").exists()
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "manifest.json").write_text(json.dumps({"kind": "run"}))
    with pytest.raises(StoreError, match="not empty.*--force"):
        claim_folder(tmp_path / "old", "run")
    assert claim_folder(tmp_path / "old", "run", force=True) == tmp_path / "old"


@pytest.mark.parametrize("make, words", [
    (lambda d: None, "is empty"),
    (lambda d: d.write_text("x"), "is a file"),
    (lambda d: (d.mkdir(), (d / "manifest.json").write_text("{torn")), "cannot be read as JSON"),
    (lambda d: (d.mkdir(), (d / "manifest.json").write_text(json.dumps({"kind": "report"}))), "holds a report"),
])
def test_folders_no_command_may_write_into(make, words, tmp_path):
    target = tmp_path / "t"
    make(target)
    before = snapshot(tmp_path)
    with pytest.raises(StoreError, match=words):
        claim_folder("" if words == "is empty" else target, "run", force=True)
    assert snapshot(tmp_path) == before


def test_run_and_export_into_a_sweep_store_exit_2_and_change_nothing(sweep_store, capsys):
    """The reproduction of issue 12: `run --out STORE` replaced the sweep's manifest."""
    before = snapshot(sweep_store)
    for argv in (["run", "--steps", "2", "--out", str(sweep_store)],
                 ["export", str(sweep_store), "--csv", "--to", str(sweep_store)]):
        assert run.main(argv) == 2, argv
        err = capsys.readouterr().err
        assert err.startswith("error: ") and err.count("\n") == 1 and "holds a sweep's results store" in err, err
    assert snapshot(sweep_store) == before
    assert run.main(["sweep", "--resume", str(sweep_store), "--backend", "serial"]) == 0
    assert "nothing to do" in capsys.readouterr().out
