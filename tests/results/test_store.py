"""The results store: atomic parts, readers that skip leftovers of a killed writer, one writer at a time."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from analysis import load
from sim.errors import UserError
from sim.results.store import TABLES, Store, StoreError, param_column


def frames(scenario: str, seed: int) -> dict[str, pd.DataFrame]:
    """Two tiny tables shaped like a run's (key columns plus one metric)."""
    national = pd.DataFrame({"scenario": scenario, "point": 0, "seed": seed, "step": [0, 1],
                             "iskp_members": [1.0, 2.0]})
    provinces = national.assign(province="Kabul")
    return {"national": national, "provinces": provinces}


def make_store(root: Path, seeds=(1, 2)) -> Store:
    store = Store(root)
    with store.writing():
        manifest = {"kind": "sweep", "format": 2, "status": "complete", "parts": {}}
        for seed in seeds:
            store.write_part(frames("baseline", seed), manifest)
    return store


def test_parts_are_whole_files_with_no_temporary_leftovers(tmp_path):
    store = make_store(tmp_path / "s")
    names = sorted(p.name for p in (tmp_path / "s" / "national").iterdir())
    assert names == ["part-000001.parquet", "part-000002.parquet"], names
    assert sorted(p.name for p in (tmp_path / "s" / "provinces").iterdir()) == names
    manifest = store.read_manifest()
    assert store.done_keys(manifest) == {("baseline", 0, 1), ("baseline", 0, 2)}
    assert [r["runs"] for r in manifest["parts"].values()] == [[["baseline", 0, 1]], [["baseline", 0, 2]]]
    assert all(r[t]["rows"] == 2 and len(r[t]["sha256"]) == 64 for r in manifest["parts"].values() for t in TABLES)


def test_readers_ignore_temporary_files_and_lone_provinces_parts(tmp_path):
    """A killed writer leaves a torn temp file or a provinces part without its national half: never read."""
    root = tmp_path / "s"
    store = make_store(root)
    (root / "national" / ".part-000003.parquet.tmp").write_bytes(b"PAR1 torn")
    (root / "provinces" / ".part-000003.parquet.tmp").write_bytes(b"garbage")
    frames("baseline", 9)["provinces"].to_parquet(root / "provinces" / "part-000004.parquet")
    res = load(root)
    assert sorted(res.national["seed"].unique()) == [1, 2]
    assert sorted(res.provinces["seed"].unique()) == [1, 2], "lone provinces part must not be read"
    assert len(pd.read_parquet(root / "national")) == 4, "pandas skips the '.'-named temp file"
    with store.writing():   # the next writer sets the leftovers aside and numbers after every file
        manifest = store.read_manifest()
        moved = store.repair(manifest, store.problems(manifest))
        name = store.write_part(frames("baseline", 3), manifest)
    assert name == "part-000005.parquet", "numbering continues after every file, so no name is reused"
    assert not list(root.glob("*/.part-*")), "temp files removed"
    assert not (root / "provinces" / "part-000004.parquet").exists(), "lone provinces part set aside"
    assert [(m["part"], m["kind"], m["runs"]) for m in moved] == [("provinces/part-000004.parquet", "stray", [])]
    assert list(root.glob("quarantine/*/provinces/part-000004.parquet")), "kept in quarantine, not deleted"
    assert load(root).provinces["seed"].unique().tolist() == [1, 2, 3]


def test_load_can_leave_columns_unread(tmp_path):
    """``skip`` drops columns a reader does not use (absent ones are ignored); rows and order are unchanged."""
    store = make_store(tmp_path / "s")
    with store.writing():
        manifest = store.read_manifest()
        store.write_part({t: f.assign(extra=7.0) for t, f in frames("iron_fist", 1).items()}, manifest)
    full = load(tmp_path / "s")
    part = load(tmp_path / "s", skip={"provinces": ["iskp_members", "extra", "not_a_column"]})
    assert list(part.provinces.columns) == ["scenario", "point", "seed", "step", "province"]
    pd.testing.assert_frame_equal(part.provinces, full.provinces[list(part.provinces.columns)])
    pd.testing.assert_frame_equal(part.national, full.national)
    assert full.provinces["extra"].notna().sum() == 2, "a part without the column reads it as missing"


def test_one_writer_at_a_time(tmp_path):
    store = make_store(tmp_path / "s")
    with store.writing():
        with pytest.raises(StoreError, match="Another sweep is writing"):
            with Store(tmp_path / "s").writing():
                pass


def test_a_sweep_starting_on_a_folder_another_is_filling_is_told_it_is_busy(tmp_path):
    """Before its manifest, a starting sweep's folder holds parts on the way: a second sweep's folder check
    must say 'another sweep is writing', not 'not a results store' (a race seen in the concurrency test)."""
    from sim.results.store import claim_folder

    folder = tmp_path / "s"
    store = Store(folder)
    with store.writing():
        (folder / TABLES[0] / ".part-000001.parquet.tmp").write_bytes(b"on the way")
        assert store.locked()
        with pytest.raises(StoreError, match="Another sweep is writing"):
            claim_folder(folder, "sweep")
    assert not store.locked()
    with pytest.raises(StoreError, match="not a results store"):
        claim_folder(folder, "sweep")   # nobody writing: a folder of stray files is refused as before


def test_parameter_named_like_an_output_gets_a_prefixed_column():
    assert param_column("amnesty") == "amnesty"
    assert param_column("taliban_strength") == "param_taliban_strength"   # also a national output


@pytest.mark.parametrize("setup, expected", [
    (lambda d: None, "does not exist"),
    (lambda d: (d.mkdir(), (d / "notes.txt").write_text("x")), "no manifest.json"),
    (lambda d: (d.mkdir(), (d / "manifest.json").write_text("{not json")), "cannot be read as JSON"),
    (lambda d: (d.mkdir(), (d / "manifest.json").write_text(json.dumps({"kind": "run"}))), "one run"),
    (lambda d: (d.mkdir(), (d / "manifest.json").write_text(json.dumps({"kind": "sweep", "status": "running"}))),
     "older version"),
    (lambda d: (d.mkdir(), (d / "manifest.json").write_text(json.dumps(
        {"kind": "sweep", "format": 2, "parts": {}, "status": "running"}))), "holds no finished runs"),
])
def test_load_rejects_what_is_not_a_store_with_a_clear_message(tmp_path, setup, expected):
    folder = tmp_path / "r"
    setup(folder)
    with pytest.raises(UserError, match=expected) as err:
        load(folder)
    assert str(folder) in str(err.value)


def test_skeleton_of_a_sweep_killed_before_its_manifest_counts_as_empty(tmp_path):
    root = tmp_path / "s"
    for table in ("national", "provinces"):
        (root / table).mkdir(parents=True)
    (root / ".lock").touch()
    assert Store(root).existing() is None
    (root / "national" / "stray.txt").write_text("x")
    with pytest.raises(StoreError, match="not empty and is not a results store"):
        Store(root).existing()
