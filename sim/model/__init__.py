"""The model itself: population, space, agents, one module per mechanism, and InsurgencyModel.

No I/O, no printing; never imports ``sim.runs``, ``sim.results`` or ``sim.views``.
"""

from sim.model.model import InsurgencyModel

__all__ = ["InsurgencyModel"]
