"""The four agent types of the model spec, each a Mesa agent whose methods read like the mechanisms.

Recruits are many and decide in bulk, so their state lives in NumPy arrays owned by the model
(``model.pool``); a ``Recruit`` agent is a named view on one row of those arrays. Cells, units and
elders are few and act one by one (``shuffle_do``), reading neighbourhood quantities that the model
computes once per step on the property layers.
"""

from __future__ import annotations

from enum import IntEnum
from typing import TYPE_CHECKING

import numpy as np
from mesa import Agent
from mesa.discrete_space import CellAgent, FixedAgent

from sim.model import rules

if TYPE_CHECKING:
    from sim.model.model import InsurgencyModel


class Affiliation(IntEnum):
    """Where a recruit stands; every change between these is counted."""

    CIVILIAN = 0
    ISKP = 1
    TALIBAN = 2
    SURRENDERED = 3  # surrendered and monitored by Taliban intelligence
    DETAINED = 4
    DEAD = 5


class Posture(IntEnum):
    GARRISON = 0
    MOBILE = 1


class Recruit(Agent):
    """An at-risk young person (``scale`` people) in the recruitment pool.

    State: grievance (derived: hardship x (1 - legitimacy) + anger), ideology, risk aversion,
    Salafi identity, ex-prisoner flag, affiliation, and the ISIS-K cell it belongs to.
    """

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
        return float(self.model.grievance_of(np.array([self.index]))[0])

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

    def place(self, cell) -> None:
        self.cell = cell
        self.province = int(self.model.geo.province_grid[cell.coordinate])


class IskpCell(_Placed):
    """A clandestine ISIS-K cell: members (recruits), resources, exposure, recent losses.

    Summary of rules, in order each week: gather resources; move or split (mechanism 9); mount a
    high-profile attack if able (mechanism 5), otherwise ambush a nearby unit (mechanism 4);
    kill a pro-Taliban elder (mechanism 8); let exposure decay.
    """

    def __init__(self, model: "InsurgencyModel", cell, resources: float = 0.0):
        super().__init__(model)
        self.place(cell)
        self.resources = resources
        self.exposure = 0.2
        self.recent_losses = 0
        self.alive = True

    # ---- state read from the pool --------------------------------------------------------
    @property
    def members(self) -> np.ndarray:
        """Pool indices of this cell's members."""
        return self.model.members_of(self.unique_id)

    @property
    def people(self) -> int:
        return len(self.members) * self.model.p["scale"]

    def step(self) -> None:
        if not self.alive:
            return
        if len(self.members) == 0:
            self.dissolve()
            return
        self.gather_resources()
        self.move_or_split()
        if not self.attack_high_profile():
            self.ambush()
        self.target_elders()
        self.exposure *= 1.0 - self.model.p["exposure_decay"]
        self.recent_losses = 0

    def dissolve(self) -> None:
        """A cell with no members left disappears."""
        self.alive = False
        self.remove()

    def gather_resources(self) -> None:
        m = self.model
        self.resources += m.p["resource_income"] * (1.0 + 2.0 * m.p["external_support_iskp"])

    def move_or_split(self) -> None:
        """Mechanism 9: evade pressure, reach recruits, split when large.

        Article: fighting "also occurred in other parts of the country as well".
        """
        m = self.model
        pressured = self.exposure > 0.5 or self.recent_losses > 0
        if m.random.random() < m.p["cell_move_prob"] * (1.0 if pressured else 0.3):
            options = m.country_neighbourhood(self.cell, 2)
            if options:
                score = m.cell_move_scores(options, evade=pressured)
                self.place(options[int(np.argmax(score + m.rng.random(len(options)) * 1e-6))])
        members = self.members
        if len(members) * m.p["scale"] > 2 * m.p["iskp_cell_size"]:
            m.split_cell(self, members)

    def attack_high_profile(self) -> bool:
        """Mechanism 5: mass-casualty or leadership attack, mostly in cities.

        Article: "suicide bombings ... demonstrating its ability to reach senior members of the
        movement by targeting the funeral of the mother of Taliban spokesman Zabihullah Mujahid".
        """
        m = self.model
        if self.people < m.p["hp_min_members"] or self.resources < m.p["hp_cost"]:
            return False
        if m.random.random() >= m.p["hp_rate"]:
            return False
        target = m.pick_city(self.cell.coordinate)
        if target is None:
            return False
        self.resources -= m.p["hp_cost"]
        self.exposure = min(1.0, self.exposure + 2 * m.p["exposure_gain"])
        m.high_profile_attack(self, target)
        return True

    def ambush(self) -> None:
        """Mechanism 4: ambush a Taliban unit within reach; losses depend on strength and surprise.

        Article: "the terrorist organization was relentless in attacking the Taliban military units".
        """
        m = self.model
        if self.resources < m.p["ambush_cost"]:
            return
        units = m.units_near(self.cell.coordinate, m.p["ambush_reach"])
        if not units:
            return
        x, y = self.cell.coordinate
        chance = rules.attack_chance(m.p["ambush_rate"], self.people / m.p["iskp_cell_size"],
                                     m.p["near_repeat"], m.grid.violence.data[x, y])
        if m.random.random() >= chance:
            return
        unit = m.random.choice(units)
        self.resources -= m.p["ambush_cost"]
        self.exposure = min(1.0, self.exposure + m.p["exposure_gain"])
        m.resolve_ambush(self, unit)

    def target_elders(self) -> None:
        """Mechanism 8: kill a pro-Taliban elder in the cell's province (a local leadership attack)."""
        m = self.model
        targets = [e for e in m.elders_in[self.province] if e.alive and e.stance_taliban > 0.5]
        if targets and m.random.random() < rules.hazard_to_prob(m.p["elder_attack_rate"] * len(targets)):
            m.kill_elder(self, m.random.choice(targets))


class TalibanUnit(_Placed):
    """A Taliban garrison or mobile unit of many fighters.

    Summary of rules each week: make good part of recent losses; if mobile, redeploy toward recent
    ISIS-K violence (mechanism 9); search nearby cells and raid those it detects, killing some of
    those seized (mechanism 6).
    """

    def __init__(self, model: "InsurgencyModel", cell, strength: float, posture: Posture, intelligence: float):
        super().__init__(model)
        self.place(cell)
        self.strength = strength
        self.establishment = strength
        self.posture = posture
        self.intelligence = intelligence
        self.recent_losses = 0.0
        self.alive = True

    def step(self) -> None:
        self.reinforce()
        if self.posture is Posture.MOBILE:
            self.redeploy()
        self.search_and_raid()
        self.recent_losses = 0.0

    def reinforce(self) -> None:
        m = self.model
        gap = max(0.0, self.establishment - self.strength)
        self.strength += gap * m.p["taliban_reinforcement"] * (1.0 + m.p["foreign_support_taliban"])

    def redeploy(self) -> None:
        """Move up to ``unit_speed`` cells toward the most violent nearby ground."""
        m = self.model
        for _ in range(m.p["unit_speed"]):
            options = m.country_neighbourhood(self.cell, 1)
            if not options:
                return
            v = np.array([m.violence_attraction[c.coordinate] for c in options])
            here = m.violence_attraction[self.cell.coordinate]
            if v.max() <= here:
                return
            self.place(options[int(np.argmax(v))])

    def search_and_raid(self) -> None:
        """Mechanism 6: detection grows with intelligence, elder cooperation and cell exposure.

        Article: "bodies appeared, rumored to be ISIS elements who were killed by the Taliban in
        targeted extrajudicial killings".
        """
        m = self.model
        for cell_agent in m.cells_near(self.cell.coordinate, m.p["vision"]):
            if not cell_agent.alive:
                continue
            h = rules.detection_hazard(m.p["detection_base"], self.intelligence, m.elder_intel[cell_agent.province],
                                       cell_agent.exposure, self.strength)
            if m.random.random() < rules.hazard_to_prob(h):
                m.raid(self, cell_agent)
                gain = m.p["intelligence_gain"] * (1.0 + m.p["foreign_support_taliban"])
                self.intelligence = min(1.0, self.intelligence + gain)


class TribalElder(FixedAgent):
    """A tribal leader or elder council: influence, stance toward the Taliban, alive.

    Summary of rules each week: stance drifts toward local legitimacy and falls with killings of
    innocents; elders who lean to the Taliban broker surrenders of cells under pressure
    (mechanism 7) and feed Taliban intelligence (mechanism 8, computed by the model per province).
    """

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

    def step(self) -> None:
        if not self.alive:
            return
        self.update_stance()
        self.broker_surrender()

    def update_stance(self) -> None:
        m = self.model
        pid = self.province
        self.stance_taliban = rules.elder_stance(self.stance_taliban, m.legitimacy[pid],
                                                 m.flows["ejk_nonmembers"][pid] / m.p["scale"],
                                                 m.p["elder_harm_sensitivity"])

    def broker_surrender(self) -> None:
        """Mechanism 7: "the Taliban negotiated with ISIS cells in Nangarhar to surrender with the help
        of local tribal leaders ... although they would be closely monitored by Taliban intelligence"."""
        m = self.model
        for cell_agent in m.cells_in_province(self.province):
            pressure = rules.pressure(cell_agent.exposure, cell_agent.recent_losses, len(cell_agent.members))
            h = rules.surrender_hazard(m.p["surrender_rate"], self.influence, self.stance_taliban,
                                       m.p["amnesty"], pressure)
            if h > 0 and m.random.random() < rules.hazard_to_prob(h):
                m.surrender(cell_agent, m.p["surrender_share"], self.province, brokered_by=self)
