"""InsurgencyModel: the Taliban against ISIS-K cells on an Afghanistan-shaped Mesa grid.

One step is one week from ``start_date`` (default 2021-08-15). ``step()`` is the process overview of
docs/ODD.md §3; each mechanism of the model specification lives in one module of
``sim.model.mechanisms``. The model class holds construction, the order of the week and the layers.

The model does no I/O and prints nothing. All randomness comes from ``rng`` (``self.random`` for
activation order, ``self.rng`` for NumPy draws, ``self.external_rng`` for external actors).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import mesa
import numpy as np
from mesa.datacollection import DataCollector

from sim.inputs.events import Event
from sim.inputs.geography import Geography, load_geography, window_sum
from sim.inputs.scenario import Scenario, load_scenario
from sim.model import rules, space, tally
from sim.model.agents import IskpCell, Posture, TalibanUnit, TribalElder
from sim.model.mechanisms import (ambush, deployment, elders, external, high_profile, intelligence, legitimacy,
                                  movement, planners, prison_escape, raids, recruitment, salafi, surrender, treasury)
from sim.model.membership import add_recruits, iskp_home_weights, new_cell, rows_per_cell
from sim.model.population import Affiliation, RecruitPool
from sim.outputs import EVENT_COLUMNS, NATIONAL_METRICS, PROVINCE_COLUMNS


class InsurgencyModel(mesa.Model):
    """Agent-based model of insurgent competition in Afghanistan after August 2021.

    Args:
        rng: seed (int) or NumPy Generator; the only source of randomness.
        scenario: a Scenario, or the name/path of one (default "baseline"); gives parameters and events.
        **kwargs: any parameter of ``sim.inputs.parameters.PARAMS`` by name, overriding the scenario's.
    """

    def __init__(self, rng=None, scenario: Scenario | str | None = "baseline", **kwargs: Any):
        super().__init__(rng=rng)
        self.seed = int(rng) if isinstance(rng, (int, np.integer)) else -1
        if scenario is None or isinstance(scenario, str):
            scenario = load_scenario(scenario or "baseline")
        self.scenario = scenario.with_overrides(kwargs, "InsurgencyModel(...)") if kwargs else scenario
        self.p: dict[str, Any] = self.scenario.params
        self.start = dt.date.fromisoformat(self.p["start_date"])
        self.events: tuple[Event, ...] = self.scenario.events
        self.geo: Geography = load_geography()
        self.scale = self.p["scale"]
        n_prov = self.geo.n_provinces
        self.pool = RecruitPool(n_prov, self.scale)
        self.legitimacy = np.full(n_prov, self.p["legitimacy_initial"])
        self.iskp_support = np.ones(n_prov)  # ISIS-K's local support (mechanism 5)
        self.visibility = 0.0  # ISIS-K's visibility among hardliners (mechanism 5)
        self.elder_intel = np.zeros(n_prov)
        self.intel = np.zeros(n_prov)  # Taliban intelligence on ISIS-K per province (mechanism 12)
        self.harm = np.zeros(self.geo.shape)  # this week's killings by the Taliban and outsiders, per grid cell
        self.added_agents = 0
        # External actors draw from their own stream so that switching a lever leaves the others' draws paired.
        self.external_rng = self.rng.spawn(1)[0]
        self.grid = space.build_grid(self.geo, self.random)
        self.inside = self.geo.inside
        planners.setup(self)
        self._populate()
        self.initial_agents = self.pool.n
        self.datacollector = DataCollector(
            model_reporters={name: (lambda m, n=name: m.report[n]) for name in NATIONAL_METRICS},
            tables={"provinces": list(PROVINCE_COLUMNS[2:]), "events": list(EVENT_COLUMNS)},
        )
        self.update_layers()
        tally.tally(self)
        self.datacollector.collect(self)

    @classmethod
    def from_scenario(cls, scenario: Scenario | str, rng=None, **overrides: Any) -> "InsurgencyModel":
        """Build the model of a scenario (object, bundled name or path) with optional overrides."""
        return cls(rng=rng, scenario=scenario, **overrides)

    # ------------------------------------------------------------------ construction (ODD §5)
    def _cells_of(self, pid: int, k: int) -> list:
        """``k`` random grid cells of a province (with replacement)."""
        return [space.cell_at(self.grid, self.geo.shape, flat) for flat in self.rng.choice(self.geo.cells_of[pid], size=k)]

    def _populate(self) -> None:
        p, geo, rng = self.p, self.geo, self.rng
        by_population = geo.population / geo.population.sum()
        # Recruit pool, spread by population (NSIA 2021-22).
        n_pool = int(round(p["recruit_pool"] / self.scale))
        add_recruits(self, rng.choice(geo.n_provinces, size=n_pool, p=by_population), origin=0)
        # ISIS-K members in cells, by presence level.
        n_members = int(round(p["iskp_initial_members"] / self.scale))
        per_prov = rng.multinomial(n_members, iskp_home_weights(self, 0.0))
        per_cell = rows_per_cell(self)
        for pid, n in enumerate(per_prov):
            if n == 0:
                continue
            idx = add_recruits(self, np.full(n, pid), origin=0, state=Affiliation.ISKP)
            for chunk in np.array_split(idx, int(np.ceil(n / per_cell))):
                cell = new_cell(self, self.pool.home[chunk[0]])
                self.pool.cell_of[chunk] = cell.unique_id
        treasury.setup(self, len(self.agents_by_type.get(IskpCell, [])))
        # Taliban units: one per province, the rest by population.
        units_per = 1 + rng.multinomial(p["taliban_units"] - geo.n_provinces, by_population)
        strength_per = p["taliban_strength"] * geo.population / geo.population.sum() / units_per
        for pid in range(geo.n_provinces):
            for cell in self._cells_of(pid, units_per[pid]):
                posture = Posture.MOBILE if rng.random() < p["unit_mobile_share"] else Posture.GARRISON
                TalibanUnit(self, cell, float(strength_per[pid]), posture, p["intelligence_initial"])
        # Tribal elders.
        self.elders_in: list[list[TribalElder]] = [[] for _ in range(geo.n_provinces)]
        for pid in range(geo.n_provinces):
            for cell in self._cells_of(pid, p["elders_per_province"]):
                infl = rules.beta_with_mean(rng, p["elder_influence"])
                stance = rules.beta_with_mean(rng, p["elder_stance_taliban"])
                self.elders_in[pid].append(TribalElder(self, cell, float(infl), float(stance)))

    # ------------------------------------------------------------------ the week (ODD §3)
    def step(self) -> None:
        self.pool.new_week()
        self.harm[:] = 0.0
        if self._fire_events():                       # 1. scheduled events (mechanisms 3, 7)
            self.update_layers()                      # 2. otherwise last week's layers still hold
        legitimacy.update(self)                       # 3. legitimacy, hence grievance (11)
        salafi.persecute(self)                        # 4. Salafi persecution, backfire (2)
        recruitment.recruit(self)                     # 5. recruitment into ISIS-K and the Taliban (1)
        self.take_snapshot()
        treasury.collect(self)                        # 6. money comes in (4b), the cadre prepares
        planners.plan(self)                           #    high-profile attacks (5b);
        if IskpCell in self.agents_by_type:           #    cells act (4, 5, 8, 9)
            self.agents_by_type[IskpCell].shuffle_do(_cell_turn)
        deployment.redeploy(self)                     # 7. mobile units redeploy (13), then units
        self.take_snapshot()                          #    reinforce, detect and raid (6)
        raids.search_and_raid(self)
        external.act(self)                            # 8. external actors (10)
        self.take_snapshot()
        self.agents_by_type[TribalElder].shuffle_do(_elder_turn)  # 9. elders act (8), then offer
        surrender.broker(self)                        #     terms that members take or not (7)
        surrender.monitor_and_release(self)           # 10. monitoring, relapse, release (7);
        intelligence.update(self)                     #     intelligence accumulates and decays (12)
        raids.spread_harm(self)                       # 11. harm spreads as anger (6); anger,
        ambush.violence_fades(self)                   #     violence, visibility and lost support fade
        high_profile.fade(self)
        self.update_layers()
        tally.tally(self)                             #     and the outputs are collected
        self.datacollector.collect(self)
        self.running = self.steps < self.p["steps"]  # the horizon stops Play in the browser view

    def _fire_events(self) -> bool:
        """Apply the events dated in this week; True if any fired."""
        fired = False
        for event in self.events:
            if event.step(self.start) != self.steps:
                continue
            fired = True
            if event.type == "prison_escape":
                prison_escape.escape(self, event)
            elif event.type == "elder_surrender":
                surrender.scheduled(self, event)
        return fired

    def update_layers(self) -> None:
        """Neighbourhood quantities for the whole map, once, on arrays (no per-agent scans)."""
        p, shape = self.p, self.geo.shape
        strength = np.zeros(shape)
        for u in self.units:
            strength[u.cell.coordinate] += u.strength
        members = np.zeros(shape)
        cells = self.iskp_cells
        if cells:
            uids = np.array([c.unique_id for c in cells])
            order = np.argsort(uids)
            of = self.pool.cell_of[self.pool.state == Affiliation.ISKP]
            rows = order[np.searchsorted(uids[order], of)]
            counts = np.bincount(rows, minlength=len(cells))
            xy = space.coords(cells)
            np.add.at(members, (xy[:, 0], xy[:, 1]), counts)
        self.member_grid = members
        self.strength_grid = strength
        self.arrest_prob = recruitment.arrest_layer(self, strength, members)
        r = p["presence_radius"]
        self.grid.taliban_control.data[:] = space.saturation(window_sum(strength, r), p["control_scale"]) * self.inside
        self.grid.iskp_influence.data[:] = (space.saturation(window_sum(members, r) * self.scale, p["influence_scale"])
                                            * self.inside)
        self.near_violence = ambush.near_repeat_layer(self)
        self.reach = recruitment.recruiters_reach(self, cells)
        self.elder_intel = elders.intelligence(self)

    def take_snapshot(self) -> None:
        """Positions of cells and units, taken between phases (``space.Snapshot``)."""
        self.snapshot = space.Snapshot(self.iskp_cells, self.units)

    # ------------------------------------------------------------------ queries
    @property
    def iskp_cells(self) -> list[IskpCell]:
        return [c for c in self.agents_by_type.get(IskpCell, []) if c.alive]

    @property
    def units(self) -> list[TalibanUnit]:
        return list(self.agents_by_type.get(TalibanUnit, []))

    @property
    def elders(self) -> list[TribalElder]:
        return list(self.agents_by_type.get(TribalElder, []))

    @property
    def flows(self) -> dict[str, np.ndarray]:
        """This week's flows per province (``sim.outputs.FLOWS``)."""
        return self.pool.flows

    @property
    def transitions(self) -> np.ndarray:
        """Counts of every change of affiliation, [from, to]."""
        return self.pool.transitions

    def people_by_state(self) -> dict[str, int]:
        """People in each affiliation state (the conservation check reads this)."""
        return self.pool.people_by_state()

    def date_of(self, step: int) -> dt.date:
        return self.start + dt.timedelta(days=7 * step)

    @property
    def date(self) -> dt.date:
        return self.date_of(self.steps)

    def log_event(self, event: str, pid: int, people: int, label: str = "") -> None:
        """A row of the scheduled-event log."""
        self.datacollector.add_table_row("events", {
            "step": self.steps, "date": self.date.isoformat(), "event": event,
            "province": self.geo.names[pid], "people": people, "label": label})


# ---------------------------------------------------------------------- the agents' turns
def _cell_turn(cell: IskpCell) -> None:
    """Phase 6, one cell: leave the country if hard-pressed at a border, else move or split, a high-profile attack or else an ambush (paid from the group's
    treasury), perhaps kill an elder, lie low. A cell with no members left dissolves."""
    if not cell.alive:
        return
    if len(cell.members) == 0:
        cell.dissolve()
        return
    if movement.exit_abroad(cell):
        return
    movement.move_or_split(cell)
    if not high_profile.attack(cell):
        ambush.ambush(cell)
    elders.target(cell)
    cell.lie_low()


def _elder_turn(elder: TribalElder) -> None:
    """Phase 9, one elder: the stance moves; a killed council may be replaced. (The surrender offers of
    the province's elders follow, for all members at once: ``surrender.broker``.)"""
    if not elder.alive:
        elders.succeed(elder)
        return
    elders.update_stance(elder)
