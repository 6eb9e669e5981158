"""Agent-based simulation of insurgent competition in Afghanistan: the Taliban against ISIS-K after August 2021."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.inputs.parameters import PARAMS
from sim.inputs.scenario import Scenario, bundled_names, load_scenario
from sim.version import __version__

if TYPE_CHECKING:
    from sim.model.model import InsurgencyModel

__all__ = ["InsurgencyModel", "PARAMS", "Scenario", "__version__", "bundled_names", "load_scenario"]


def __getattr__(name: str) -> object:
    """``sim.InsurgencyModel`` is imported on first use: the model pulls in Mesa (about a second), which the
    commands that only read results (``run.py report``, ``check``, ...) and every ``sim.*`` import never need."""
    if name == "InsurgencyModel":
        from sim.model.model import InsurgencyModel

        return InsurgencyModel
    raise AttributeError(f"module 'sim' has no attribute {name!r}")
