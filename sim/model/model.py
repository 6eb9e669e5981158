"""InsurgencyModel: the Taliban against ISIS-K cells on an Afghanistan-shaped Mesa grid.

One step is one week from ``start_date`` (default 2021-08-15). Each step runs the mechanisms in this
order (docs/ODD.md §3):

1. scheduled events (prison escape, elder-brokered surrender groups) — mechanisms 3, 7
2. neighbourhood layers, computed once on NumPy arrays — Taliban control, ISIS-K influence,
   arrest probability, recent violence
3. legitimacy per province, and from it grievance — mechanism 11
4. Salafi persecution (backfire and deterrence) — mechanism 2
5. recruitment into ISIS-K (Epstein's rule) and into the Taliban — mechanism 1
6. ISIS-K cells act (random order): move/split, high-profile attack or ambush, kill elders — 4, 5, 8, 9
7. Taliban units act (random order): redeploy, detect and raid, extrajudicial killing — 6, 9
8. external actors: strikes, border inflow and interdiction — mechanism 10
9. tribal elders act: stance, brokered surrender — mechanisms 7, 8
10. monitoring and relapse of the surrendered, release of detainees — mechanism 7
11. collection of the outputs (Mesa DataCollector)

The model does no I/O and prints nothing. All randomness comes from ``rng`` (``self.random`` for
activation order, ``self.rng`` for NumPy draws).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import mesa
import numpy as np
from mesa.datacollection import DataCollector
from mesa.discrete_space import OrthogonalMooreGrid, PropertyLayer

from sim.model import rules
from sim.model.agents import Affiliation, IskpCell, Posture, Recruit, TalibanUnit, TribalElder
from sim.inputs.events import Event
from sim.inputs.geography import Geography, load_geography, province_sums, window_sum
from sim.outputs import EVENT_COLUMNS, FLOWS, NATIONAL_METRICS, PROVINCE_COLUMNS, ATTACK_FLOWS
from sim.model.population import RecruitPool
from sim.inputs.scenario import Scenario, load_scenario

# Relative weights for placing ISIS-K members and returning escapees by 2021-22 presence level
# (none, low, medium, high): provinces.csv `iskp_presence`; "none" gets a small non-zero weight as
# provinces_SOURCES.md advises ("not proof of absence").
PRESENCE_WEIGHT = np.array([0.0, 1.0, 3.0, 12.0])
VIOLENCE_DECAY = 0.10  # ~10-week memory of attacks (Chuang et al. 2019: IS near-repeat ~10 weeks)
SUPPORT_RECOVERY = 0.02  # weekly recovery of ISIS-K's local support after a mass-casualty attack
VISIBILITY_DECAY = 0.10


class InsurgencyModel(mesa.Model):
    """Agent-based model of insurgent competition in Afghanistan after August 2021.

    Args:
        rng: seed (int) or NumPy Generator; the only source of randomness.
        scenario: a Scenario, or the name/path of one (default "baseline"); gives parameters and events.
        **kwargs: any parameter of ``sim.inputs.parameters.PARAMS`` by name, overriding the scenario's.
    """

    def __init__(self, rng=None, scenario: Scenario | str | None = "baseline", **kwargs: Any):
        super().__init__(rng=rng)
        if isinstance(rng, (int, np.integer)):
            self.seed = int(rng)
        else:
            self.seed = -1
        if scenario is None or isinstance(scenario, str):
            scenario = load_scenario(scenario or "baseline")
        self.scenario = scenario.with_overrides(kwargs, "InsurgencyModel(...)") if kwargs else scenario
        self.p: dict[str, Any] = self.scenario.params
        self.start = dt.date.fromisoformat(self.p["start_date"])
        self.events: tuple[Event, ...] = self.scenario.events
        self.geo: Geography = load_geography()
        self.scale = self.p["scale"]
        n_prov = self.geo.n_provinces
        self.flows = {name: np.zeros(n_prov) for name in FLOWS}
        self.transitions = np.zeros((len(Affiliation), len(Affiliation)), dtype=np.int64)
        self.legitimacy = np.full(n_prov, self.p["legitimacy_initial"])
        self.iskp_support = np.ones(n_prov)
        self.visibility = 0.0
        self.elder_intel = np.zeros(n_prov)
        self.harm = np.zeros(self.geo.shape)
        self.added_agents = 0
        # External actors draw from their own stream so that switching a lever leaves the others' draws paired.
        self.external_rng = self.rng.spawn(1)[0]
        self._members: dict[int, np.ndarray] = {}
        self._build_grid()
        self.pool = RecruitPool()
        self._populate()
        self.initial_agents = self.pool.n
        self.datacollector = DataCollector(
            model_reporters={name: (lambda m, n=name: m.report[n]) for name in NATIONAL_METRICS},
            tables={"provinces": list(PROVINCE_COLUMNS[2:]), "events": list(EVENT_COLUMNS)},
        )
        self._update_layers()
        self._tally()
        self.datacollector.collect(self)

    @classmethod
    def from_scenario(cls, scenario: Scenario | str, rng=None, **overrides: Any) -> "InsurgencyModel":
        """Build the model of a scenario (object, bundled name or path) with optional overrides."""
        return cls(rng=rng, scenario=scenario, **overrides)

    # ------------------------------------------------------------------ construction
    def _build_grid(self) -> None:
        geo = self.geo
        self.grid = OrthogonalMooreGrid(geo.shape, torus=False, capacity=None, random=self.random)
        self.grid.add_property_layer(PropertyLayer.from_data("province", geo.province_grid.astype(int)))
        for name in ("taliban_control", "iskp_influence", "grievance", "violence"):
            self.grid.create_property_layer(name, default_value=0.0, dtype=float)
        for x, y in np.argwhere(~geo.inside):
            self.grid.remove_cell(self.grid._cells[(int(x), int(y))])
        self.inside = geo.inside

    def _random_cells(self, pid: int, k: int) -> np.ndarray:
        return self.rng.choice(self.geo.cells_of[pid], size=k)

    def _populate(self) -> None:
        p, geo, rng = self.p, self.geo, self.rng
        # Recruit pool, spread by population (NSIA 2021-22).
        n_pool = int(round(p["recruit_pool"] / self.scale))
        prov = rng.choice(geo.n_provinces, size=n_pool, p=geo.population / geo.population.sum())
        self._add_recruits(prov, origin=0)
        # ISIS-K members in cells, by presence level.
        n_members = int(round(p["iskp_initial_members"] / self.scale))
        per_prov = rng.multinomial(n_members, self._iskp_home_weights(0.0))
        per_cell = max(1, int(round(p["iskp_cell_size"] / self.scale)))
        for pid, n in enumerate(per_prov):
            if n == 0:
                continue
            idx = self._add_recruits(np.full(n, pid), origin=0, state=Affiliation.ISKP)
            for chunk in np.array_split(idx, int(np.ceil(n / per_cell))):
                cell = self._new_cell(self.pool.home[chunk[0]], resources=rng.uniform(0, p["initial_resources"]))
                self.pool.cell_of[chunk] = cell.unique_id
        # Taliban units: one per province, the rest by population.
        extra = rng.multinomial(p["taliban_units"] - geo.n_provinces, geo.population / geo.population.sum())
        units_per = 1 + extra
        strength_per = p["taliban_strength"] * geo.population / geo.population.sum() / units_per
        for pid in range(geo.n_provinces):
            for flat in self._random_cells(pid, units_per[pid]):
                posture = Posture.MOBILE if rng.random() < p["unit_mobile_share"] else Posture.GARRISON
                TalibanUnit(self, self._cell_at(flat), float(strength_per[pid]), posture, p["intelligence_initial"])
        # Tribal elders.
        self.elders_in: list[list[TribalElder]] = [[] for _ in range(geo.n_provinces)]
        for pid in range(geo.n_provinces):
            for flat in self._random_cells(pid, p["elders_per_province"]):
                infl = rng.beta(8 * p["elder_influence"] + 0.01, 8 * (1 - p["elder_influence"]) + 0.01)
                stance = rng.beta(8 * p["elder_stance_taliban"] + 0.01, 8 * (1 - p["elder_stance_taliban"]) + 0.01)
                self.elders_in[pid].append(TribalElder(self, self._cell_at(flat), float(infl), float(stance)))

    def _iskp_home_weights(self, floor: float) -> np.ndarray:
        """Where ISIS-K members live: a share ``iskp_core_share`` in the core provinces, the rest by
        presence level elsewhere (``floor`` gives provinces with no recorded presence a small weight)."""
        geo, core = self.geo, self.geo.iskp_core
        w = PRESENCE_WEIGHT[geo.presence] + floor
        share = self.p["iskp_core_share"]
        return np.where(core, share * w / w[core].sum(), (1 - share) * w / w[~core].sum())

    def _add_recruits(self, provinces: np.ndarray, origin: int, state: Affiliation = Affiliation.CIVILIAN,
                      ideology_mean: float | None = None, anger: float = 0.0) -> np.ndarray:
        """Create Recruit agents (and their pool rows) with homes in the given provinces."""
        p, geo, rng = self.p, self.geo, self.rng
        k = len(provinces)
        if k == 0:
            return np.zeros(0, dtype=int)
        homes = np.array([rng.choice(geo.cells_of[pid]) for pid in provinces], dtype=np.int32)
        level = geo.salafi_level[provinces]
        share = np.where(level == 2, p["salafi_share_core"],
                         np.where(level == 1, p["salafi_share_other"], 0.3 * p["salafi_share_other"]))
        salafi = rng.random(k) < share
        if ideology_mean is None:
            ideology = rng.beta(2.0, 5.0, k)
        else:
            ideology = rng.beta(8 * ideology_mean + 0.01, 8 * (1 - ideology_mean) + 0.01, k)
        ideology = np.minimum(1.0, ideology + p["salafi_ideology_bonus"] * salafi)
        idx = self.pool.add(home=homes, province=provinces, hardship=rng.random(k), risk_aversion=rng.random(k),
                            ideology=ideology, anger=np.full(k, anger), salafi=salafi,
                            ex_prisoner=np.full(k, origin == 1), state=np.full(k, int(state)),
                            origin=np.full(k, origin))
        for i in idx:
            Recruit(self, int(i))
        return idx

    def _cell_at(self, flat: int):
        x, y = np.unravel_index(int(flat), self.geo.shape)
        return self.grid._cells[(int(x), int(y))]

    def _new_cell(self, flat: int, resources: float = 0.0) -> IskpCell:
        return IskpCell(self, self._cell_at(flat), resources)

    # ------------------------------------------------------------------ queries used by agents
    @property
    def iskp_cells(self) -> list[IskpCell]:
        return [c for c in self.agents_by_type.get(IskpCell, []) if c.alive]

    @property
    def units(self) -> list[TalibanUnit]:
        return list(self.agents_by_type.get(TalibanUnit, []))

    @property
    def elders(self) -> list[TribalElder]:
        return list(self.agents_by_type.get(TribalElder, []))

    def members_of(self, uid: int) -> np.ndarray:
        """Pool indices of a cell's members (cached until membership of that cell changes)."""
        cached = self._members.get(uid)
        if cached is None:
            cached = np.flatnonzero((self.pool.cell_of == uid) & (self.pool.state == Affiliation.ISKP))
            self._members[uid] = cached
        return cached

    def _touch(self, uids) -> None:
        for uid in np.unique(uids):
            self._members.pop(int(uid), None)

    def _snapshot(self) -> None:
        """Positions of cells and units as arrays, taken between phases (nobody moves within a phase
        while others look them up), so spatial queries are array operations, not scans of agents."""
        self._cells = self.iskp_cells
        self._cell_xy = np.array([c.cell.coordinate for c in self._cells], dtype=int).reshape(-1, 2)
        self._units = self.units
        self._unit_xy = np.array([u.cell.coordinate for u in self._units], dtype=int).reshape(-1, 2)
        self._cells_by_prov: dict[int, list[IskpCell]] = {}
        for c in self._cells:
            self._cells_by_prov.setdefault(c.province, []).append(c)

    @staticmethod
    def _within(xy: np.ndarray, coord, radius: int) -> np.ndarray:
        return np.flatnonzero(np.abs(xy - np.asarray(coord)).max(axis=1) <= radius) if len(xy) else np.zeros(0, int)

    def cells_near(self, coord, radius: int) -> list[IskpCell]:
        return [self._cells[i] for i in self._within(self._cell_xy, coord, radius) if self._cells[i].alive]

    def units_near(self, coord, radius: int) -> list[TalibanUnit]:
        return [self._units[i] for i in self._within(self._unit_xy, coord, radius)]

    def cells_in_province(self, pid: int) -> list[IskpCell]:
        return [c for c in self._cells_by_prov.get(pid, []) if c.alive]

    def country_neighbourhood(self, cell, radius: int) -> list:
        """Cells of Afghanistan within ``radius`` (outside cells were removed from the grid)."""
        return list(cell.get_neighborhood(radius=radius))

    def cell_move_scores(self, options: list, evade: bool) -> np.ndarray:
        xs = np.array([c.coordinate[0] for c in options])
        ys = np.array([c.coordinate[1] for c in options])
        control = self.grid.taliban_control.data[xs, ys]
        if evade:
            return -control
        return self.grid.grievance.data[xs, ys] - 0.5 * control

    def grievance_of(self, idx: np.ndarray) -> np.ndarray:
        pool = self.pool
        return rules.grievance(pool.hardship[idx], self.legitimacy[pool.province[idx]], pool.anger[idx])

    def date_of(self, step: int) -> dt.date:
        return self.start + dt.timedelta(days=7 * step)

    @property
    def date(self) -> dt.date:
        return self.date_of(self.steps)

    # ------------------------------------------------------------------ bookkeeping
    def _count(self, flow: str, pid: int, n: float) -> None:
        self.flows[flow][pid] += n

    def _transition(self, idx: np.ndarray, new: Affiliation) -> None:
        """Move recruits to a new affiliation, counting every change."""
        if len(idx) == 0:
            return
        old = self.pool.state[idx]
        self._touch(self.pool.cell_of[idx][old == Affiliation.ISKP])
        np.add.at(self.transitions, (old, int(new)), 1)
        self.pool.state[idx] = int(new)
        if new != Affiliation.ISKP:
            self.pool.cell_of[idx] = -1

    def _kill_members(self, idx: np.ndarray, pid: int) -> None:
        self._transition(idx, Affiliation.DEAD)
        self._count("iskp_deaths", pid, len(idx) * self.scale)

    def _join_iskp(self, idx: np.ndarray, cell_uids: np.ndarray) -> None:
        pool = self.pool
        self._transition(idx, Affiliation.ISKP)
        pool.cell_of[idx] = cell_uids
        self._touch(cell_uids)
        np.add.at(self.flows["joined_iskp"], pool.province[idx], self.scale)
        np.add.at(self.flows["salafi_joined_iskp"], pool.province[idx], self.scale * pool.salafi[idx])

    def _log_event(self, event: str, pid: int, people: int, label: str = "") -> None:
        self.datacollector.add_table_row("events", {
            "step": self.steps, "date": self.date.isoformat(), "event": event,
            "province": self.geo.names[pid], "people": people, "label": label})

    # ------------------------------------------------------------------ the week
    def step(self) -> None:
        for v in self.flows.values():
            v[:] = 0.0
        self.harm[:] = 0.0
        if self._fire_events():
            self._update_layers()  # otherwise the layers from the end of last week still hold
        self._update_legitimacy()
        self._salafi_persecution()
        self._recruitment()
        self._snapshot()
        if IskpCell in self.agents_by_type:
            self.agents_by_type[IskpCell].shuffle_do("step")
        self._snapshot()
        self.agents_by_type[TalibanUnit].shuffle_do("step")
        self._external_actors()
        self._snapshot()
        self.agents_by_type[TribalElder].shuffle_do("step")
        self._monitoring_and_release()
        self._spread_harm()
        self._decay()
        self._update_layers()
        self._tally()
        self.datacollector.collect(self)
        self.running = self.steps < self.p["steps"]  # the horizon stops Play in the browser view

    # 1. scheduled events ------------------------------------------------------------------
    def _fire_events(self) -> bool:
        """Apply the events dated in this week; True if any fired."""
        fired = False
        for event in self.events:
            if event.step(self.start) != self.steps:
                continue
            fired = True
            if event.type == "prison_escape":
                self._prison_escape(event)
            elif event.type == "elder_surrender":
                self._scheduled_surrender(event)
        return fired

    def _prison_escape(self, event: Event) -> None:
        """Mechanism 3: "thousands of ISIS-Khorasan prisoners managed to escape ... many of them returned
        to the ranks of the terrorist organization instead of joining the new Taliban emirate".

        Escapees go home (provinces weighted by ISIS-K presence) and each chooses ISIS-K, the Taliban or
        civilian life by the same rules as everyone else, with an ex-prisoner's ideology and anger.
        """
        geo, p = self.geo, self.p
        n = int(round(event.people / self.scale))
        homes = self.rng.choice(geo.n_provinces, size=n, p=self._iskp_home_weights(0.05))
        idx = self._add_recruits(homes, origin=1, ideology_mean=p["escapee_ideology"], anger=p["escapee_anger"])
        self.added_agents += n
        for name in event.provinces:
            self._log_event("prison_escape", geo.index(name), n * self.scale // len(event.provinces), event.label)
        self._update_layers()
        G = self.grievance_of(idx)
        risk = self.arrest_prob.ravel()[self.pool.home[idx]]
        pull = rules.iskp_pull(G, self.pool.ideology[idx], self._appeal(idx), p["ideology_weight"])
        to_iskp = rules.joins(pull, self.pool.risk_aversion[idx], risk, p["activation_threshold"])
        self._join_nearest_cells(idx[to_iskp])
        rest = idx[~to_iskp]
        to_tal = self.rng.random(len(rest)) < np.maximum(0.0, self.legitimacy[self.pool.province[rest]] - G[~to_iskp])
        self._join_taliban(rest[to_tal])

    def _join_nearest_cells(self, idx: np.ndarray) -> None:
        """Returning fighters and foreign arrivals join the nearest cell in their province, or found one."""
        pool = self.pool
        by_prov: dict[int, list[int]] = {}
        for i in idx:
            by_prov.setdefault(int(pool.province[i]), []).append(int(i))
        per_cell = max(1, int(round(self.p["iskp_cell_size"] / self.scale)))
        for pid, members in by_prov.items():
            members = np.array(members)
            cells = [c for c in self.iskp_cells if c.province == pid]
            if not cells:
                for chunk in np.array_split(members, int(np.ceil(len(members) / per_cell))):
                    cells.append(self._new_cell(pool.home[chunk[0]]))
            coords = np.array([c.cell.coordinate for c in cells])
            hx, hy = np.unravel_index(pool.home[members], self.geo.shape)
            d = np.maximum(np.abs(coords[:, 0][None, :] - hx[:, None]), np.abs(coords[:, 1][None, :] - hy[:, None]))
            uids = np.array([c.unique_id for c in cells])[np.argmin(d, axis=1)]
            self._join_iskp(members, uids)

    def _scheduled_surrender(self, event: Event) -> None:
        """Mechanism 7 as data: "a group of 65 members of the organization agreeing to give up their fight"."""
        for name in event.provinces:
            pid = self.geo.index(name)
            wanted = int(round(event.people / self.scale / len(event.provinces)))
            taken = 0
            for cell in sorted((c for c in self.iskp_cells if c.province == pid), key=lambda c: -len(c.members)):
                members = cell.members
                k = min(len(members), wanted - taken)
                if k > 0:
                    self._surrender_members(cell, self.rng.choice(members, size=k, replace=False), pid)
                    taken += k
                if taken >= wanted:
                    break
            self._log_event("elder_surrender", pid, taken * self.scale, event.label)

    # 2. layers ---------------------------------------------------------------------------------
    def _update_layers(self) -> None:
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
            xy = np.array([c.cell.coordinate for c in cells])
            np.add.at(members, (xy[:, 0], xy[:, 1]), counts)
        self.member_grid = members
        self.strength_grid = strength
        r = p["vision"]
        cops = window_sum(strength, r) / p["cop_strength"]
        actives = window_sum(members, r) + 1.0
        self.arrest_prob = rules.arrest_probability(cops, actives, p["arrest_k"]) * self.inside
        self.grid.taliban_control.data[:] = (1.0 - np.exp(-window_sum(strength, 2) / 2000.0)) * self.inside
        self.grid.iskp_influence.data[:] = (1.0 - np.exp(-window_sum(members, 2) * self.scale / 100.0)) * self.inside
        violence = self.grid.violence.data
        self.violence_near = window_sum(violence, 1)
        self.violence_attraction = window_sum(violence, 4)
        # Recruiters' reach: each grid cell is served by one cell within recruit_radius (random order).
        reach = np.full(shape, -1, dtype=np.int64)
        rr = p["recruit_radius"]
        for c in self.random.sample(cells, len(cells)):
            x, y = c.cell.coordinate
            reach[max(0, x - rr): x + rr + 1, max(0, y - rr): y + rr + 1] = c.unique_id
        self.reach = np.where(self.inside, reach, -1)
        # Elder intelligence per province (mechanism 8).
        intel = np.zeros(self.geo.n_provinces)
        for pid, elders in enumerate(self.elders_in):
            intel[pid] = sum(e.influence * max(0.0, 2 * e.stance_taliban - 1) for e in elders if e.alive)
        self.elder_intel = p["elder_intel_weight"] * intel / p["elders_per_province"]

    # 3. legitimacy ------------------------------------------------------------------------------
    def _update_legitimacy(self) -> None:
        """Mechanism 11: legitimacy rises with security and falls with civilian harm and EJK."""
        p, geo = self.p, self.geo
        violence = province_sums(geo, self.grid.violence.data)
        target = (p["legitimacy_initial"] + p["legitimacy_security_gain"] * np.exp(-violence)
                  + 0.15 * p["foreign_support_taliban"])
        harm = self._last_civilian_deaths / (geo.population / 1e5)
        self.legitimacy = rules.legitimacy_step(self.legitimacy, target, p["legitimacy_rate"], harm,
                                                p["legitimacy_harm"], self._last_ejk / self.scale,
                                                p["legitimacy_ejk_penalty"])

    # 4. Salafi persecution -------------------------------------------------------------------
    def _salafi_persecution(self) -> None:
        """Mechanism 2 (backfire half): "The Taliban has even begun to persecute members of the Afghan
        Salafi community"; persecution raises Salafi anger where the Taliban are in control. The
        deterrence half raises their perceived risk in ``_recruitment``."""
        pool, p = self.pool, self.p
        s = np.flatnonzero(pool.salafi & (pool.state == Affiliation.CIVILIAN))
        control = self.grid.taliban_control.data.ravel()[pool.home[s]]
        pool.anger[s] = rules.anger_update(pool.anger[s], p["persecution_backfire"] * p["salafi_persecution"], control)

    # 5. recruitment ---------------------------------------------------------------------------
    def _appeal(self, idx: np.ndarray) -> np.ndarray:
        p = self.p
        hardliner = (self.pool.ideology[idx] > 0.5).astype(float)
        return rules.iskp_appeal(p["victory_dampening"], p["taliban_pragmatism"], self.visibility, hardliner,
                                 self.iskp_support[self.pool.province[idx]])

    def _risk(self, idx: np.ndarray) -> np.ndarray:
        """Perceived risk of joining: Epstein's arrest probability, raised for persecuted Salafis."""
        pool, p = self.pool, self.p
        risk = self.arrest_prob.ravel()[pool.home[idx]]
        control = self.grid.taliban_control.data.ravel()[pool.home[idx]]
        deterrence = p["persecution_deterrence"] * p["salafi_persecution"] * control * pool.salafi[idx]
        return rules.deterred_risk(risk, deterrence)

    def _recruitment(self) -> None:
        """Mechanism 1: civilians near a cell join when pull - R * P > T (Epstein 2002).

        Article: "ISIS-Khorasan faces an uphill struggle to attract new supporters when an extremist
        Islamist movement has already secured victory" (victory_dampening); "accused the Afghan movement
        of cooperating with the United States" (taliban_pragmatism).
        """
        pool, p = self.pool, self.p
        civ = np.flatnonzero(pool.state == Affiliation.CIVILIAN)
        G = self.grievance_of(civ)
        reach = self.reach.ravel()[pool.home[civ]]
        near = reach >= 0
        cand, Gc = civ[near], G[near]
        pull = rules.iskp_pull(Gc, pool.ideology[cand], self._appeal(cand), p["ideology_weight"])
        willing = rules.joins(pull, pool.risk_aversion[cand], self._risk(cand), p["activation_threshold"])
        contact = p["recruit_contact_rate"] * (1.0 + p["external_support_iskp"])
        joined = willing & (self.rng.random(len(cand)) < contact)
        self._join_iskp(cand[joined], reach[near][joined])
        # Joining the Taliban: legitimacy above grievance.
        still = pool.state[civ] == Affiliation.CIVILIAN
        h = rules.taliban_join_hazard(p["taliban_recruit_rate"], self.legitimacy[pool.province[civ]], G)
        to_tal = still & (self.rng.random(len(civ)) < rules.hazard_to_prob(h))
        self._join_taliban(civ[to_tal])

    def _join_taliban(self, idx: np.ndarray) -> None:
        if len(idx) == 0:
            return
        self._transition(idx, Affiliation.TALIBAN)
        units = self.units
        coords = np.array([u.cell.coordinate for u in units])
        hx, hy = np.unravel_index(self.pool.home[idx], self.geo.shape)
        d = np.maximum(np.abs(coords[:, 0][None, :] - hx[:, None]), np.abs(coords[:, 1][None, :] - hy[:, None]))
        for i, j in zip(idx, np.argmin(d, axis=1)):
            units[j].strength += self.scale
            units[j].establishment += self.scale
            self._count("joined_taliban", int(self.pool.province[i]), self.scale)

    # 6. cells' actions (called by IskpCell) ------------------------------------------------------
    def split_cell(self, cell: IskpCell, members: np.ndarray) -> None:
        """Mechanism 9: a large cell splits; the offshoot settles within two cells' distance."""
        options = self.country_neighbourhood(cell.cell, 2)
        if not options:
            return
        half = self.rng.choice(members, size=len(members) // 2, replace=False)
        new = IskpCell(self, self.random.choice(options), cell.resources / 2)
        cell.resources /= 2
        new.exposure = cell.exposure / 2
        self.pool.cell_of[half] = new.unique_id
        self._touch([cell.unique_id, new.unique_id])

    def pick_city(self, coord) -> tuple[int, tuple[int, int]] | None:
        """A city within hp_reach, chosen with probability proportional to its province's population."""
        x, y = coord
        r = self.p["hp_reach"]
        options = [(pid, c) for pid, c in enumerate(self.geo.city) if max(abs(c[0] - x), abs(c[1] - y)) <= r]
        if not options:
            return None
        w = np.array([self.geo.population[pid] for pid, _ in options])
        return options[int(self.rng.choice(len(options), p=w / w.sum()))]

    def high_profile_attack(self, cell: IskpCell, target: tuple[int, tuple[int, int]]) -> None:
        p, rng = self.p, self.rng
        pid, coord = target
        attackers = self.rng.choice(cell.members, size=1, replace=False)
        self._kill_members(attackers, pid)  # suicide attackers / assault team
        if rng.random() < p["hp_leadership_share"]:
            deaths = int(round(rng.lognormal(np.log(max(p["leadership_deaths"], 1e-9)), 0.7)))
            leaders = deaths // 2
            self._count("attacks_leadership", pid, 1)
            self._count("taliban_deaths", pid, leaders)
            self._count("civilian_deaths", pid, deaths - leaders)
            for u in self.units:
                if u.province == pid:
                    u.intelligence *= 0.9  # leadership losses disrupt the local chain of command
                    u.strength = max(0.0, u.strength - leaders / 2)
        else:
            deaths = int(round(rng.lognormal(np.log(p["mass_casualty_deaths"]), 0.7)))
            self._count("attacks_mass_casualty", pid, 1)
            self._count("civilian_deaths", pid, deaths)
            self.iskp_support[pid] *= 1.0 - p["hp_support_loss"]
        self.visibility += p["hp_visibility_gain"]
        self.grid.violence.data[coord] += 3.0

    def resolve_ambush(self, cell: IskpCell, unit: TalibanUnit) -> None:
        p, rng = self.p, self.rng
        pid = unit.province
        surprise = 1.0 - unit.intelligence
        members = cell.members
        deaths, loss_prob = rules.ambush_outcome(rng, p["ambush_lethality"], p["ambush_counterfire"], surprise,
                                                 unit.strength, len(members) * self.scale)
        unit.strength -= deaths
        unit.recent_losses += deaths
        lost = members[rng.random(len(members)) < loss_prob]
        self._kill_members(lost, pid)
        cell.recent_losses += len(lost)
        civ = int(rng.poisson(p["ambush_civilian_harm"]))
        self._count("attacks_ambush", pid, 1)
        self._count("taliban_deaths", pid, deaths)
        self._count("civilian_deaths", pid, civ)
        self.grid.violence.data[unit.cell.coordinate] += 1.0

    def kill_elder(self, cell: IskpCell, elder: TribalElder) -> None:
        elder.alive = False
        pid = elder.province
        self._count("attacks_elder", pid, 1)
        self._count("elders_killed", pid, 1)
        self.grid.violence.data[elder.cell.coordinate] += 1.0
        cell.exposure = min(1.0, cell.exposure + self.p["exposure_gain"])
        for e in self.elders_in[pid]:
            if e.alive:
                e.stance_taliban = max(0.0, e.stance_taliban - 0.05)  # intimidation

    # 7. units' actions (called by TalibanUnit) ---------------------------------------------------
    def raid(self, unit: TalibanUnit, cell: IskpCell) -> None:
        """Mechanism 6: seize members; kill a share extrajudicially, with non-members among the killed."""
        p, rng, pool = self.p, self.rng, self.pool
        pid = cell.province
        members = cell.members
        seized = members[rng.random(len(members)) < p["raid_capture"]]
        killed_mask = rng.random(len(seized)) < p["ejk_share"]
        killed, held = seized[killed_mask], seized[~killed_mask]
        self._kill_members(killed, pid)
        self._transition(held, Affiliation.DETAINED)
        pool.released_at[held] = self.steps + p["detention_weeks"]
        self._count("detained", pid, len(held) * self.scale)
        cell.recent_losses += len(seized)
        cell.exposure = min(1.0, cell.exposure + p["exposure_gain"])
        n_non = rules.nonmembers_killed(rng, len(killed), p["ejk_accuracy"])
        victims = self._suspects_near(cell.cell.coordinate, n_non)
        self._transition(victims, Affiliation.DEAD)
        n_killed = (len(killed) + len(victims)) * self.scale
        self._count("ejk_killed", pid, n_killed)
        self._count("ejk_nonmembers", pid, len(victims) * self.scale)
        self._count("civilian_deaths", pid, len(victims) * self.scale)
        self.harm[cell.cell.coordinate] += n_killed

    def _suspects_near(self, coord, k: int) -> np.ndarray:
        """Civilians profiled as suspects near a raid; Salafis more often under persecution (HRW 2022)."""
        if k <= 0:
            return np.zeros(0, dtype=int)
        pool = self.pool
        x, y = coord
        hx, hy = np.unravel_index(pool.home, self.geo.shape)
        near = np.flatnonzero((pool.state == Affiliation.CIVILIAN) & (np.abs(hx - x) <= 2) & (np.abs(hy - y) <= 2))
        if len(near) == 0:
            return near
        w = 1.0 + 2.0 * self.p["salafi_persecution"] * pool.salafi[near]
        k = min(k, len(near))
        return self.rng.choice(near, size=k, replace=False, p=w / w.sum())

    # 8. external actors -------------------------------------------------------------------------
    def _external_actors(self) -> None:
        """Mechanism 10: external strikes, border interdiction, foreign support (the latter in the rules)."""
        p, rng, geo = self.p, self.external_rng, self.geo
        cells = self.iskp_cells
        n_strikes = int(rng.poisson(p["external_strikes"])) if cells else 0
        for _ in range(n_strikes):
            w = np.array([c.exposure for c in cells]) + 1e-6
            target = cells[int(rng.choice(len(cells), p=w / w.sum()))]
            members = target.members
            killed = members[rng.random(len(members)) < p["strike_kill_share"]]
            pid = target.province
            self._kill_members(killed, pid)
            target.recent_losses += len(killed)
            collateral = int(rng.poisson(p["strike_collateral"]))
            self._count("civilian_deaths", pid, collateral)
            self.harm[target.cell.coordinate] += collateral + len(killed) * self.scale
            self.grid.violence.data[target.cell.coordinate] += 1.0
        # Foreign fighters and supplies through border provinces, less what neighbours interdict.
        border = np.array([geo.is_border(i) for i in range(geo.n_provinces)])
        w = border * (PRESENCE_WEIGHT[geo.presence] + 0.5)
        open_share = 1.0 - p["border_interdiction"]
        n_ff = int(rng.poisson(p["foreign_fighter_inflow"] * open_share / self.scale))
        if n_ff:
            homes = rng.choice(geo.n_provinces, size=n_ff, p=w / w.sum())
            idx = self._add_recruits(homes, origin=2, ideology_mean=0.85)
            self.added_agents += n_ff
            self._join_nearest_cells(idx)
        border_cells = [c for c in self.iskp_cells if border[c.province]]
        for c in border_cells:
            c.resources += p["foreign_resource_inflow"] * open_share / len(border_cells)

    # 9. (elders act in TribalElder.step) ; surrender used by elders and events ------------------
    def surrender(self, cell: IskpCell, share: float, pid: int, brokered_by: TribalElder | None = None) -> None:
        members = cell.members
        if len(members) == 0:
            return
        k = max(1, int(self.rng.binomial(len(members), share)))
        self._surrender_members(cell, self.rng.choice(members, size=k, replace=False), pid)

    def _surrender_members(self, cell: IskpCell, idx: np.ndarray, pid: int) -> None:
        self._transition(idx, Affiliation.SURRENDERED)
        self._count("surrenders", pid, len(idx) * self.scale)
        cell.recent_losses += len(idx)

    # 10. monitoring, relapse, release ------------------------------------------------------------
    def _monitoring_and_release(self) -> None:
        """Surrendered recruits relapse when monitoring is weak and grievance high; detainees come out."""
        pool, p = self.pool, self.p
        sur = np.flatnonzero(pool.state == Affiliation.SURRENDERED)
        if len(sur):
            control = self.grid.taliban_control.data.ravel()[pool.home[sur]]
            h = rules.relapse_hazard(p["relapse_rate"], p["monitoring"], control, self.grievance_of(sur))
            back = sur[self.rng.random(len(sur)) < rules.hazard_to_prob(h)]
            if len(back):
                np.add.at(self.flows["relapses"], pool.province[back], self.scale)
                self._join_nearest_cells(back)
                np.add.at(self.flows["joined_iskp"], pool.province[back], -self.scale)  # relapses are not new joins
                np.add.at(self.flows["salafi_joined_iskp"], pool.province[back], -self.scale * pool.salafi[back])
        out = np.flatnonzero((pool.state == Affiliation.DETAINED) & (pool.released_at <= self.steps))
        self._transition(out, Affiliation.CIVILIAN)

    def _spread_harm(self) -> None:
        """Every killing by the Taliban or outsiders angers civilians around it (Bennett 2008)."""
        if not self.harm.any():
            return
        pool = self.pool
        near = window_sum(self.harm, self.p["harm_radius"]).ravel()[pool.home]
        alive = (near > 0) & (pool.state != Affiliation.DEAD)
        pool.anger[alive] = rules.anger_update(pool.anger[alive], self.p["anger_gain"] / self.scale, near[alive])

    def _decay(self) -> None:
        p = self.p
        self.pool.anger *= 1.0 - p["anger_decay"]
        self.grid.violence.data[:] = self.grid.violence.data * (1.0 - VIOLENCE_DECAY)
        self.visibility *= 1.0 - VISIBILITY_DECAY
        self.iskp_support += SUPPORT_RECOVERY * (1.0 - self.iskp_support)

    # 11. outputs --------------------------------------------------------------------------------
    _last_civilian_deaths = 0.0
    _last_ejk = 0.0

    def _tally(self) -> None:
        """Compute this step's national row and per-province rows (all in people)."""
        geo, pool, s = self.geo, self.pool, self.scale
        f = self.flows
        self._last_civilian_deaths = f["civilian_deaths"].copy()
        self._last_ejk = f["ejk_killed"].copy()
        prov_members = province_sums(geo, self.member_grid) * s
        prov_strength = province_sums(geo, self.strength_grid)
        attacks = sum(f[a] for a in ATTACK_FLOWS)
        alive = np.flatnonzero(~np.isin(pool.state, (Affiliation.DEAD, Affiliation.DETAINED)))
        G = self.grievance_of(alive)
        prov_g = np.bincount(pool.province[alive], weights=G, minlength=geo.n_provinces)
        prov_n = np.bincount(pool.province[alive], minlength=geo.n_provinces)
        prov_grievance = np.divide(prov_g, prov_n, out=np.zeros_like(prov_g), where=prov_n > 0)
        sal = pool.salafi[alive]
        report = {name: float(f[name].sum()) for name in FLOWS}
        report.update(
            iskp_members=float(np.count_nonzero(pool.state == Affiliation.ISKP) * s),
            iskp_cells=float(len(self.iskp_cells)),
            taliban_strength=float(sum(u.strength for u in self.units)),
            attacks_total=float(attacks.sum()),
            provinces_with_iskp=float(np.count_nonzero(prov_members > 0)),
            provinces_with_attacks=float(np.count_nonzero(attacks > 0)),
            mean_grievance=float(G.mean()) if len(G) else 0.0,
            mean_legitimacy=float(np.average(self.legitimacy, weights=geo.population)),
            salafi_mean_grievance=float(G[sal].mean()) if sal.any() else 0.0,
        )
        self.report = report
        grid_g = np.zeros(geo.shape)
        inside = geo.province_grid >= 0
        grid_g[inside] = prov_grievance[geo.province_grid[inside]]
        self.grid.grievance.data[:] = grid_g
        date = self.date.isoformat()
        for pid, name in enumerate(geo.names):
            self.datacollector.add_table_row("provinces", {
                "step": self.steps, "date": date, "province": name,
                "iskp_members": float(prov_members[pid]), "taliban_strength": float(prov_strength[pid]),
                "attacks_total": float(attacks[pid]), "attacks_mass_casualty": float(f["attacks_mass_casualty"][pid]),
                "civilian_deaths": float(f["civilian_deaths"][pid]), "ejk_killed": float(f["ejk_killed"][pid]),
                "surrenders": float(f["surrenders"][pid]), "legitimacy": float(self.legitimacy[pid]),
                "grievance": float(prov_grievance[pid])})

    def people_by_state(self) -> dict[str, int]:
        """People in each affiliation state (the conservation check reads this)."""
        counts = self.pool.counts(len(Affiliation)) * self.scale
        return {a.name.lower(): int(counts[a]) for a in Affiliation}

