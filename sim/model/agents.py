"""The four agent types of the model spec: state and small queries only.

What the agents do each week is in ``sim.model.mechanisms`` (one module per mechanism), and the
order of their turns in ``InsurgencyModel.step``. Recruits are many and decide in bulk, so their
state lives in NumPy arrays (``model.pool``, ``sim.model.population``); a ``Recruit`` agent is a
named view on one row of those arrays. Cells, units and elders are few and act one by one
(``shuffle_do``), reading neighbourhood quantities that the model computes once per step.
"""

from __future__ import annotations

from enum import IntEnum
from typing import TYPE_CHECKING

import numpy as np
from mesa import Agent
from mesa.discrete_space import CellAgent, FixedAgent

from sim.model.population import Affiliation

if TYPE_CHECKING:
    from sim.model.model import InsurgencyModel

__all__ = ["Affiliation", "Posture", "Recruit", "IskpCell", "TalibanUnit", "TribalElder"]


class Posture(IntEnum):
    GARRISON = 0
    MOBILE = 1


class Recruit(Agent):
    """An at-risk young person (``scale`` people) in the recruitment pool.

    State: grievance (derived: hardship x (1 - legitimacy) + anger), ideology, risk aversion,
    Salafi identity, ex-prisoner flag, affiliation, and the ISIS-K cell it belongs to.
    """

    model: "InsurgencyModel"

    def __init__(self, model: "InsurgencyModel", index: int):
        super().__init__(model)
        self.index = index

    def _get(self, name):
        return getattr(self.model.pool, name)[self.index]

    @property
    def affiliation(self) -> Affiliation:
        return Affiliation(int(self._get("state")))

    @property
    def grievance(self) -> float:
        return float(self.model.pool.grievance(np.array([self.index]), self.model.legitimacy)[0])

    @property
    def ideology(self) -> float:
        return float(self._get("ideology"))

    @property
    def risk_aversion(self) -> float:
        return float(self._get("risk_aversion"))

    @property
    def salafi(self) -> bool:
        return bool(self._get("salafi"))

    @property
    def ex_prisoner(self) -> bool:
        return bool(self._get("ex_prisoner"))

    @property
    def cell_id(self) -> int:
        return int(self._get("cell_of"))

    @property
    def province(self) -> str:
        return self.model.geo.names[int(self._get("province"))]


class _Placed(CellAgent):
    """A cell agent that remembers the province of the grid cell it stands on."""

    model: "InsurgencyModel"

    def place(self, cell) -> None:
        self.cell = cell
        self.province = int(self.model.geo.province_grid[cell.coordinate])


class IskpCell(_Placed):
    """A clandestine ISIS-K cell: members (recruits), exposure, recent losses. Its money is the group's
    (``model.treasury``, ``sim.model.mechanisms.treasury``).

    Its week (``InsurgencyModel.step``, phase 6): move or split (mechanism 9);
    a high-profile attack if able (5), otherwise an ambush (4); kill a pro-Taliban elder (8); lie low.
    """

    def __init__(self, model: "InsurgencyModel", cell):
        super().__init__(model)
        self.place(cell)
        self.exposure = model.p["cell_initial_exposure"]
        self.recent_hit = 0.0  # share of members this week's raids, ambush counterfire and strikes were set to take
        self.pressure = 0.0  # accumulated share of members lost to the Taliban and outsiders (mechanism 7)
        self.alive = True

    @property
    def members(self) -> np.ndarray:
        """Pool indices of this cell's members."""
        return self.model.pool.members_of(self.unique_id)

    @property
    def people(self) -> int:
        return len(self.members) * self.model.p["scale"]

    def expose(self, gain: float) -> None:
        """Exposure rises (capped at 1) when the cell acts or is hit."""
        self.exposure = min(1.0, self.exposure + gain)

    def hit(self, share: float) -> None:
        """A raid, ambush counterfire or strike set to take ``share`` of the members (each member is lost
        with that chance). The cell's pressure counts this share, not how many agents the draw took:
        with ``scale`` people per agent the realised share of a small cell is lumpy, and the members a
        lucky draw spares would surrender under a pressure that depends on the representation."""
        self.recent_hit = 1.0 - (1.0 - self.recent_hit) * (1.0 - share)

    def lie_low(self) -> None:
        """End of the cell's turn: exposure and pressure decay, this week's hits join the pressure and are
        forgotten."""
        p = self.model.p
        self.exposure *= 1.0 - p["exposure_decay"]
        self.pressure = min(1.0, self.pressure * (1.0 - p["pressure_decay"]) + self.recent_hit)
        self.recent_hit = 0.0

    def dissolve(self) -> None:
        """A cell with no members left disappears."""
        self.alive = False
        self.remove()


class TalibanUnit(_Placed):
    """A Taliban garrison or mobile unit of many fighters: strength, establishment, posture,
    intelligence, recent losses. Its week (phase 7): redeploy if mobile (mechanism 13); reinforce;
    detect and raid (6)."""

    def __init__(self, model: "InsurgencyModel", cell, strength: float, posture: Posture, intelligence: float):
        super().__init__(model)
        self.place(cell)
        self.strength = strength
        self.establishment = strength
        self.posture = posture
        self.post = cell.coordinate  # where it was posted: a mobile unit stays within unit_leash of it
        self.intelligence = intelligence
        self.recent_losses = 0.0
        self.alive = True


class TribalElder(FixedAgent):
    """A tribal leader or elder council: influence, stance toward the Taliban, alive.

    Its week (phase 9): the stance drifts (mechanism 8), then it may broker surrenders (7).
    """

    model: "InsurgencyModel"

    def __init__(self, model: "InsurgencyModel", cell, influence: float, stance_taliban: float):
        super().__init__(model)
        self.cell = cell
        self.province = int(model.geo.province_grid[cell.coordinate])
        self.influence = influence
        self.stance_taliban = stance_taliban
        self.alive = True

    @property
    def stance_iskp(self) -> float:
        """Stance toward ISIS-K: the elders of the article side with whoever they do not oppose."""
        return 1.0 - self.stance_taliban


def release(model) -> None:
    """Let a finished model be garbage-collected.

    Mesa 3.3.1 numbers agents with ``Agent._ids``, a class-level dict keyed by model that keeps every
    model alive; it has no public way to drop an entry (``Model.remove_all_agents()`` leaves it), so
    this is the project's one use of that private attribute.
    """
    Agent._ids.pop(model, None)
