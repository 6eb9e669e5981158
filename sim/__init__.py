"""Agent-based simulation of insurgent competition in Afghanistan: the Taliban against ISIS-K after August 2021."""

from .model import InsurgencyModel
from .parameters import PARAMS
from .scenario import Scenario, bundled_names, load_scenario

__all__ = ["InsurgencyModel", "PARAMS", "Scenario", "bundled_names", "load_scenario"]
__version__ = "0.1.0"
