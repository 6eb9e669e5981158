"""Damaged, duplicated and stray parts (issue 12): load and report refuse them by name, resume sets them
aside and re-runs exactly their runs, and the final tables equal an uninterrupted sweep's."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

import run
from analysis import load
from sim.runs.execute import execute
from sim.runs.spec import SweepSpec, plan_runs
from sweep_helpers import assert_same_results, snapshot

ARGV = ["--scenarios", "baseline,iron_fist", "--seeds", "3", "--steps", "3", "--backend", "serial", "--chunk", "2"]
RUNS = plan_runs(SweepSpec(scenarios=("baseline", "iron_fist"), seeds=(1, 2, 3), steps=3))


@pytest.fixture(scope="module")
def whole(tmp_path_factory) -> Path:
    """The uninterrupted sweep: 6 runs in 3 parts of 2 runs."""
    root = tmp_path_factory.mktemp("whole") / "s"
    execute(RUNS, root, backend="serial", progress=False, chunk=2)
    return root


def _truncate(root: Path) -> None:
    path = root / "national" / "part-000002.parquet"
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _zero(root: Path) -> None:
    (root / "provinces" / "part-000002.parquet").write_bytes(b"")


def _corrupt(root: Path) -> None:   # same size, other bytes: only the checksum can tell
    path = root / "provinces" / "part-000002.parquet"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def _missing(root: Path) -> None:
    (root / "national" / "part-000002.parquet").unlink()


def _duplicate(root: Path) -> None:   # the part's files and its manifest record copied under a new name
    for table in ("national", "provinces"):
        shutil.copy(root / table / "part-000002.parquet", root / table / "part-000007.parquet")
    manifest = json.loads((root / "manifest.json").read_text())
    manifest["parts"]["part-000007.parquet"] = manifest["parts"]["part-000002.parquet"]
    (root / "manifest.json").write_text(json.dumps(manifest))


DAMAGE = {"truncated": (_truncate, "part-000002.parquet", "bytes"),
          "zero bytes": (_zero, "part-000002.parquet", "0 bytes"),
          "corrupted": (_corrupt, "part-000002.parquet", "checksum differs"),
          "missing file": (_missing, "part-000002.parquet", "is missing"),
          "duplicated": (_duplicate, "part-000007.parquet", "repeats 2 run(s) already stored in part-000002")}


@pytest.mark.slow
@pytest.mark.parametrize("case", list(DAMAGE))
def test_a_damaged_part_is_named_and_exactly_its_runs_run_again(case, whole, tmp_path, capsys):
    damage, part, words = DAMAGE[case]
    root = tmp_path / "s"
    shutil.copytree(whole, root)
    held = json.loads((root / "manifest.json").read_text())["parts"]["part-000002.parquet"]["runs"]
    damage(root)
    before = snapshot(root)
    for argv in (["report", str(root), "--out", str(tmp_path / "r")], ["export", str(root), "--csv"],
                 ["check", str(root)]):
        code = run.main(argv)
        captured = capsys.readouterr()
        text = captured.err + captured.out
        assert code == (1 if argv[0] == "check" else 2), (argv, text)
        assert part in text and words in text and "Traceback" not in text, text
    assert snapshot(root) == before, "refusing and checking change nothing"

    assert run.main(["sweep", "--resume", str(root), "--backend", "serial", "--quiet"]) == 0
    out = capsys.readouterr().out
    rerun = 0 if case == "duplicated" else len(held)
    assert f"set aside {part}" in out and (f"stored {rerun} runs" if rerun else "holds all 6 runs") in out, out
    assert words.split(" already")[0] in out
    manifest = json.loads((root / "manifest.json").read_text())
    moved = manifest["sessions"][-1]["quarantined"]
    assert [(q["part"], sorted(map(tuple, q["runs"]))) for q in moved] == \
        [(part, sorted(map(tuple, held)) if rerun else [])], "exactly the damaged part's runs run again"
    assert list(root.glob(f"quarantine/*/national/{part}")) or case == "missing file", "kept, not deleted"
    kept = {k: v for k, v in before.items() if part not in k and k != "manifest.json"}
    assert {k: v for k, v in snapshot(root).items() if k in kept} == kept, "no other stored file changed"
    assert_same_results(root, whole)
    assert run.main(["report", str(root), "--out", str(tmp_path / "r")]) == 0
    assert run.main(["check", str(root)]) == 0


def test_a_stray_part_is_not_read_and_is_set_aside_on_resume(whole, tmp_path, capsys):
    """Files a killed writer left (or a copy) that the manifest does not list: load ignores them."""
    root = tmp_path / "s"
    shutil.copytree(whole, root)
    for table in ("national", "provinces"):
        shutil.copy(root / table / "part-000001.parquet", root / table / "part-000009.parquet")
    assert len(pd.read_parquet(root / "national")) == 8 * 4, "a bare Parquet reader would count 2 runs twice"
    assert_same_results(root, whole)
    assert run.main(["check", str(root)]) == 1
    assert "national/part-000009.parquet: is not listed in manifest.json" in capsys.readouterr().out
    assert run.main(["sweep", *ARGV, "--out", str(root), "--quiet"]) == 0   # rerunning the command = resume
    out = capsys.readouterr().out
    assert "set aside national/part-000009.parquet" in out and "none of its runs needed to run again" in out
    assert not list((root / "national").glob("part-000009*")) and len(pd.read_parquet(root / "national")) == 6 * 4
    assert_same_results(root, whole)


def test_an_edited_plan_is_refused_by_resume_and_load(whole, tmp_path, capsys):
    root = tmp_path / "s"
    shutil.copytree(whole, root)
    manifest = json.loads((root / "manifest.json").read_text())
    manifest["points"]["0"] = {"amnesty": 0.9}   # hand-edited: would mix values under point 0
    (root / "manifest.json").write_text(json.dumps(manifest))
    before = snapshot(root)
    for argv in (["sweep", "--resume", str(root), "--backend", "serial"], ["sweep", *ARGV, "--out", str(root)],
                 ["export", str(root), "--csv"], ["check", str(root)]):
        assert run.main(argv) == 2, argv
        err = capsys.readouterr().err
        assert err.startswith("error: ") and err.count("\n") == 1 and "changed after the sweep was planned" in err, err
    assert snapshot(root) == before


@pytest.mark.parametrize("setup", ["never made", "skeleton"])
def test_resume_of_a_folder_that_never_got_a_manifest_says_to_rerun_the_command(setup, tmp_path, capsys):
    root = tmp_path / "s"
    if setup == "skeleton":   # a sweep killed between creating the folder and writing its manifest
        for table in ("national", "provinces"):
            (root / table).mkdir(parents=True)
        (root / ".lock").touch()
    assert run.main(["sweep", "--resume", str(root)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "stored no runs" in err and f"--out {root}`: it starts the sweep" in err, err
    assert sorted(p.name for p in root.rglob("*")) == ([] if setup == "never made" else
                                                       [".lock", "national", "provinces"])


def test_a_sweep_that_cannot_start_its_backend_leaves_no_folder(tmp_path, capsys):
    from sweep_helpers import free_port

    import dask

    with dask.config.set({"distributed.comm.timeouts.connect": "2s"}):
        code = run.main(["sweep", "--seeds", "1", "--steps", "2", "--scheduler", f"tcp://127.0.0.1:{free_port()}",
                         "--out", str(tmp_path / "new")])
    assert code == 2 and "Cannot reach the Dask scheduler" in capsys.readouterr().err
    assert not (tmp_path / "new").exists()


def test_a_sweep_killed_before_its_manifest_says_which_command_to_run_again(tmp_path, capsys):
    """The lock file of a folder a sweep creates holds the command; a kill before the manifest keeps it."""
    import multiprocessing
    import os
    import shlex

    from sim.runs import execute as execute_module

    root = tmp_path / "s"
    argv = ["sweep", "--scenarios", "baseline", "--seed-list", "2,5", "--steps", "2", "--set", "amnesty=0.2,0.8",
            "--backend", "serial", "--out", str(root)]

    def killed_while_starting(*args, **kwargs):   # like `kill -9` while the backend starts
        os._exit(9)

    def child() -> None:
        execute_module.backends.open_backend = killed_while_starting
        run.main(argv)

    proc = multiprocessing.get_context("fork").Process(target=child)
    proc.start()
    proc.join(60)
    assert proc.exitcode == 9 and not (root / "manifest.json").exists() and (root / ".lock").exists()
    assert run.main(["sweep", "--resume", str(root)]) == 2
    err = capsys.readouterr().err
    command = (f"python run.py sweep --scenarios baseline --seed-list 2,5 --steps 2 --set amnesty=0.2,0.8 "
               f"--out {root}")
    assert f"`{command}`" in err and err.count("\n") == 1, err
    assert run.main([*shlex.split(command)[2:], "--backend", "serial", "--quiet"]) == 0   # and it works
    assert load(root).national.groupby(["point", "seed"]).ngroups == 4
