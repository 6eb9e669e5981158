"""The bundled scenarios reproduce their recorded fingerprints exactly (see fingerprint.py)."""

from __future__ import annotations

import json

import pytest

from golden.fingerprint import FILE, SEEDS, fingerprint

RECORDED = json.loads(FILE.read_text())


@pytest.mark.parametrize("key", sorted(RECORDED))
def test_fingerprint_unchanged(key):
    scenario, seed = key.split("/")
    assert fingerprint(scenario, int(seed)) == RECORDED[key], (
        f"{key}: output differs from tests/golden/fingerprints.json. If the change of behaviour is meant, "
        "regenerate with `python tests/golden/fingerprint.py --write` in a commit of its own that says why.")


def test_every_bundled_scenario_is_pinned():
    from sim import bundled_names

    assert sorted(RECORDED) == sorted(f"{n}/{s}" for n in bundled_names() for s in SEEDS)
