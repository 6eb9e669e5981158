"""Docking with Epstein (2002): our recruitment rule, with every ISIS-K term off, plays Epstein's Model I.

Axtell et al. (1996) call it *docking*: two implementations of one model must give the same
distributions of outputs. The reference is Mesa 3.3.1's own ``epstein_civil_violence`` example; ours
is ``EpsteinDocking`` below, whose citizens decide with the functions of ``sim.model.mechanisms.recruitment`` (and the shared
``sim.model.rules.grievance``) unchanged:

* grievance      ``rules.grievance(H, L, anger=0)``                    = H (1 - L)
* ISIS-K appeal  ``recruitment.iskp_appeal(0, 0, L, I, 0, hardliner, 1)``    = 1  (no victory dampening, no
                 Taliban pragmatism, no visibility of attacks, full local support)
* pull           ``recruitment.iskp_pull(G, ideology, appeal=1, ideology_weight=0)`` = G  (no ideology/Salafi term)
* risk           ``recruitment.arrest_probability(C, A, k, rounded=True)`` = 1 - exp(-k round(C/A)), A counting
                 the citizen (the full model does not round: its C/A is a ratio of people)
* decision       ``recruitment.joins(pull, R, P, T)``: active ("would join") when G - R P > T

Citizens are the recruit pool (H, R ~ U(0,1), fixed), cops are Taliban units of one ``cop_strength``
each (so C counts units), legitimacy is fixed, and there are no events, elders, Salafis, anger or
cells. The world is Mesa's: a 40x40 torus, von Neumann vision 7 (112 sites), one agent per site,
citizen density 0.7, cop density 0.074, L = 0.8, J_max = 1000, T = 0.1, k = 2.3, movement on.

Semantics follow the example line by line: every step all agents act once in a fresh random order
(``shuffle_do``); a jailed citizen only counts down its sentence (and stays on its site, visible to
nobody as active); a free citizen looks around, decides, and moves to a random empty site within
vision; a cop arrests one random active citizen within vision (sentence U{0..J_max}) and moves.
What is vectorised: the site grid is an array of codes and each agent's neighbourhood is a row of
precomputed site indices, so a look-around is one fancy index and one ``bincount``; grievance, pull
and the arrest-probability table for every (C, A) are computed once by the rule functions.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import mesa
import numpy as np

from sim.model import rules
from sim.model.agents import release
from sim.model.mechanisms import recruitment

EMPTY, QUIET, ACTIVE, JAILED, COP = 0, 1, 2, 3, 4


@dataclass(frozen=True)
class EpsteinConfig:
    """Mesa 3.3.1's ``EpsteinCivilViolence`` defaults (symbols of Epstein 2002 in the comments)."""

    width: int = 40
    height: int = 40
    citizen_density: float = 0.7
    cop_density: float = 0.074
    vision: int = 7              # v, von Neumann radius, citizens and cops alike
    legitimacy: float = 0.8      # L
    max_jail_term: int = 1000    # J_max
    threshold: float = 0.1       # T
    arrest_k: float = 2.3        # k
    movement: bool = True


def von_neumann_sites(width: int, height: int, radius: int) -> np.ndarray:
    """For every site (flat index x * height + y), the flat indices of the sites within von Neumann
    ``radius`` on the torus, centre excluded (Mesa's ``get_neighborhood(radius)``)."""
    offsets = [(dx, dy) for dx in range(-radius, radius + 1) for dy in range(-radius, radius + 1)
               if 0 < abs(dx) + abs(dy) <= radius]
    x, y = np.divmod(np.arange(width * height), height)
    return np.stack([((x + dx) % width) * height + (y + dy) % height for dx, dy in offsets], axis=1)


class EpsteinDocking(mesa.Model):
    """Epstein's Model I with our recruitment rule (see the module docstring for the configuration)."""

    def __init__(self, config: EpsteinConfig = EpsteinConfig(), rng=None):
        super().__init__(rng=rng)
        self.config = c = config
        n_sites = c.width * c.height
        self.sites = von_neumann_sites(c.width, c.height, c.vision)
        self.code = np.zeros(n_sites, dtype=np.int8)
        # Populate site by site as the example does: citizen, cop or empty with the two densities.
        draws = np.array([self.random.random() for _ in range(n_sites)])
        kind = np.where(draws < c.citizen_density, QUIET,
                        np.where(draws < c.citizen_density + c.cop_density, COP, EMPTY))
        self.pos = np.flatnonzero(kind != EMPTY)           # agent -> site
        self.is_cop = kind[self.pos] == COP
        self.code[self.pos] = kind[self.pos]
        self.citizens = int((~self.is_cop).sum())
        n = len(self.pos)
        hardship = np.array([self.random.random() for _ in range(n)])
        risk_aversion = np.array([self.random.random() for _ in range(n)])
        self.risk_aversion = risk_aversion.tolist()
        self.jail = np.zeros(n, dtype=np.int64)
        self.agent_at = np.full(n_sites, -1, dtype=np.int64)
        self.agent_at[self.pos] = np.arange(n)
        # Our rules with every ISIS-K term switched off; legitimacy fixed, so the pull is fixed.
        appeal = recruitment.iskp_appeal(victory_dampening=0.0, pragmatism=0.0, legitimacy=c.legitimacy,
                                         ideology=np.zeros(n), visibility=0.0, hardliner=np.zeros(n),
                                         local_support=1.0)
        grievance = rules.grievance(hardship, c.legitimacy, anger=0.0)
        self.pull = recruitment.iskp_pull(grievance, ideology=np.zeros(n), appeal=appeal, ideology_weight=0.0).tolist()
        k = self.sites.shape[1]
        self.arrest_table = recruitment.arrest_probability(np.arange(k + 1)[:, None], np.arange(k + 2)[None, :],
                                                           c.arrest_k, rounded=True).tolist()
        self.counts = self._counts()

    def _counts(self) -> dict[str, float]:
        states = self.code[self.pos[~self.is_cop]]
        return {"active": float(np.mean(states == ACTIVE)), "jailed": float(np.mean(states == JAILED))}

    def step(self) -> None:
        """All agents act once in random order (Mesa's ``shuffle_do``)."""
        n = len(self.pos)
        for i in self.random.sample(range(n), n):
            if self.is_cop[i]:
                self._cop(i)
            elif self.jail[i]:
                self.jail[i] -= 1  # a jailed citizen only serves its sentence
            else:
                self._citizen(i)
        self.counts = self._counts()

    def _citizen(self, i: int) -> None:
        """Rule A with our rule functions, then movement rule M."""
        sites = self.sites[self.pos[i]]
        seen = self.code[sites]
        tally = np.bincount(seen, minlength=5)
        risk = self.arrest_table[tally[COP]][tally[ACTIVE] + 1]  # A counts the citizen itself
        join = recruitment.joins(self.pull[i], self.risk_aversion[i], risk, self.config.threshold)
        self.code[self.pos[i]] = ACTIVE if join else QUIET
        self._move(i, sites, seen)

    def _cop(self, i: int) -> None:
        """Rule C: arrest one random active citizen within vision; then move."""
        sites = self.sites[self.pos[i]]
        seen = self.code[sites]
        actives = sites[seen == ACTIVE]
        if len(actives):
            site = actives[self.random.randrange(len(actives))]
            self.jail[self.agent_at[site]] = self.random.randint(0, self.config.max_jail_term)
            self.code[site] = JAILED
        self._move(i, sites, seen)

    def _move(self, i: int, sites: np.ndarray, seen: np.ndarray) -> None:
        """Rule M: move to a random empty site within vision (arrests do not change which sites are empty)."""
        if not self.config.movement:
            return
        empty = sites[seen == EMPTY]
        if len(empty) == 0:
            return
        new, old = int(empty[self.random.randrange(len(empty))]), int(self.pos[i])
        self.code[new], self.code[old] = self.code[old], EMPTY
        self.agent_at[new], self.agent_at[old] = i, -1
        self.pos[i] = new


def run_ours(seed: int, steps: int, config: EpsteinConfig = EpsteinConfig()) -> dict[str, float]:
    """Mean active and jailed shares of citizens over steps 1..``steps`` of ``EpsteinDocking``."""
    model = EpsteinDocking(config, rng=seed)
    shares = []
    for _ in range(steps):
        model.step()
        shares.append(model.counts)
    return _means(shares)


def run_mesa(seed: int, steps: int, config: EpsteinConfig = EpsteinConfig()) -> dict[str, float]:
    """The same means from Mesa's own ``epstein_civil_violence`` example with the same configuration."""
    from mesa.examples.advanced.epstein_civil_violence.model import EpsteinCivilViolence

    c = asdict(config)
    model = EpsteinCivilViolence(
        width=c["width"], height=c["height"], citizen_density=c["citizen_density"], cop_density=c["cop_density"],
        citizen_vision=c["vision"], cop_vision=c["vision"], legitimacy=c["legitimacy"],
        max_jail_term=c["max_jail_term"], active_threshold=c["threshold"], arrest_prob_constant=c["arrest_k"],
        movement=c["movement"], max_iters=steps + 1, seed=seed)
    shares = []
    for _ in range(steps):
        model.step()
        n = model.ACTIVE + model.QUIET + model.ARRESTED
        shares.append({"active": model.ACTIVE / n, "jailed": model.ARRESTED / n})
    release(model)
    return _means(shares)


def _means(shares: list[dict[str, float]]) -> dict[str, float]:
    return {key: float(np.mean([s[key] for s in shares])) for key in ("active", "jailed")}
