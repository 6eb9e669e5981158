"""Agent-based simulation of insurgent competition in Afghanistan: the Taliban against ISIS-K after August 2021."""

from sim.model.model import InsurgencyModel
from sim.inputs.parameters import PARAMS
from sim.inputs.scenario import Scenario, bundled_names, load_scenario

__all__ = ["InsurgencyModel", "PARAMS", "Scenario", "bundled_names", "load_scenario"]
__version__ = "0.1.0"
