"""Agent-based simulation of insurgent competition in Afghanistan: the Taliban against ISIS-K after August 2021."""

from sim.model.model import InsurgencyModel
from sim.inputs.parameters import PARAMS
from sim.inputs.scenario import Scenario, bundled_names, load_scenario
from sim.version import __version__

__all__ = ["InsurgencyModel", "PARAMS", "Scenario", "__version__", "bundled_names", "load_scenario"]
