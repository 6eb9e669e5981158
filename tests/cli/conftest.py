"""Fixtures of the command-line tests: a refusal checker and a small real sweep store."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli_support import refusal


@pytest.fixture
def refused(capsys):
    """``refused(argv, *needles)``: the command exits 2 with one paragraph that holds every needle."""
    import run

    def check(argv: list[str], *needles: str) -> str:
        code = run.main(argv)
        err = capsys.readouterr().err
        assert code == 2, err
        message = refusal(err)
        for needle in needles:
            assert needle in message, message
        return message
    return check


@pytest.fixture(scope="session")
def sweep_store(tmp_path_factory) -> Path:
    """A small real sweep store: baseline and iron_fist, seeds 1-3, 3 weeks (serial backend)."""
    import run

    out = tmp_path_factory.mktemp("cli") / "store"
    assert run.main(["sweep", "--scenarios", "baseline,iron_fist", "--seeds", "3", "--steps", "3",
                     "--backend", "serial", "--quiet", "--out", str(out)]) == 0
    return out
