"""The recruit pool: one row per Recruit agent, held as NumPy arrays so rules run on all at once.

The pool also keeps the books of who moves where: every change of affiliation is counted in
``transitions``, and the week's flows (deaths, joins, surrenders...) per province in ``flows``.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any

import numpy as np

from sim.inputs.geography import Geography
from sim.model import rules
from sim.outputs import FLOWS


class Affiliation(IntEnum):
    """Where a recruit stands; every change between these is counted."""

    CIVILIAN = 0
    ISKP = 1
    TALIBAN = 2
    SURRENDERED = 3  # surrendered and monitored by Taliban intelligence
    DETAINED = 4
    DEAD = 5
    ABROAD = 6  # left Afghanistan with a cell that fled detection (a stock, not deleted)


FIELDS = {
    "home": np.int32,          # flat grid index of the recruit's home cell
    "province": np.int16,      # province id of home
    "hardship": np.float64,    # H ~ U(0,1), fixed (Epstein)
    "risk_aversion": np.float64,  # R ~ U(0,1), fixed (Epstein)
    "ideology": np.float64,    # receptiveness to ISIS-K's creed, 0-1
    "anger": np.float64,       # grievance accumulated from harm and persecution (Bennett)
    "salafi": np.bool_,
    "ex_prisoner": np.bool_,
    "state": np.int8,          # Affiliation
    "cell_of": np.int64,       # unique_id of the ISIS-K cell, -1 if none
    "released_at": np.int32,   # step at which a detainee is released
    "origin": np.int8,         # 0 pool, 1 escapee, 2 foreign fighter
}


class RecruitPool:
    """Columns of recruit state; rows are appended by events and never removed (the dead stay, DEAD).

    Each row stands for ``scale`` people; flows are counted in people.
    """

    def __init__(self, n_provinces: int, scale: int):
        self.n = 0
        self.scale = scale
        for name, dtype in FIELDS.items():
            setattr(self, name, np.zeros(0, dtype=dtype))
        self.flows = {name: np.zeros(n_provinces) for name in FLOWS}
        self.transitions = np.zeros((len(Affiliation), len(Affiliation)), dtype=np.int64)
        self._members: dict[int, np.ndarray] = {}

    def add(self, **columns) -> np.ndarray:
        """Append rows (every field given or defaulted) and return their indices."""
        k = len(next(iter(columns.values())))
        defaults = {"cell_of": -1, "released_at": -1}
        for name, dtype in FIELDS.items():
            col = columns.get(name)
            if col is None:
                col = np.full(k, defaults.get(name, 0), dtype=dtype)
            setattr(self, name, np.concatenate([getattr(self, name), np.asarray(col, dtype=dtype)]))
        idx = np.arange(self.n, self.n + k)
        self.n += k
        return idx

    def counts(self, n_states: int) -> np.ndarray:
        """Number of agents in each affiliation state."""
        return np.bincount(self.state, minlength=n_states)

    def people_by_state(self) -> dict[str, int]:
        """People in each affiliation state (the conservation check reads this)."""
        counts = self.counts(len(Affiliation)) * self.scale
        return {a.name.lower(): int(counts[a]) for a in Affiliation}

    def grievance(self, idx: np.ndarray, legitimacy: np.ndarray) -> np.ndarray:
        """Grievance of the given rows under their provinces' legitimacy."""
        return rules.grievance(self.hardship[idx], legitimacy[self.province[idx]], self.anger[idx])

    # ---- membership of cells ------------------------------------------------------------
    def members_of(self, uid: int) -> np.ndarray:
        """Pool indices of a cell's members (cached until membership of that cell changes)."""
        cached = self._members.get(uid)
        if cached is None:
            cached = np.flatnonzero((self.cell_of == uid) & (self.state == Affiliation.ISKP))
            self._members[uid] = cached
        return cached

    def touch(self, uids) -> None:
        """Forget the cached member lists of these cells (their membership changed)."""
        for uid in np.unique(uids):
            self._members.pop(int(uid), None)

    # ---- bookkeeping ----------------------------------------------------------------------
    def new_week(self) -> None:
        """Zero the flows: they count what happens during one step."""
        for v in self.flows.values():
            v[:] = 0.0

    def count(self, flow: str, pid: int, n: float) -> None:
        self.flows[flow][pid] += n

    def transition(self, idx: np.ndarray, new: Affiliation) -> None:
        """Move recruits to a new affiliation, counting every change."""
        if len(idx) == 0:
            return
        old = self.state[idx]
        self.touch(self.cell_of[idx][old == Affiliation.ISKP])
        np.add.at(self.transitions, (old, int(new)), 1)
        self.state[idx] = int(new)
        if new != Affiliation.ISKP:
            self.cell_of[idx] = -1

    def kill_members(self, idx: np.ndarray, pid: int) -> None:
        """ISIS-K members killed (in an attack of their own, an ambush, a raid or a strike)."""
        self.transition(idx, Affiliation.DEAD)
        self.count("iskp_deaths", pid, len(idx) * self.scale)

    def join_iskp(self, idx: np.ndarray, cell_uids: np.ndarray) -> None:
        """Recruits join the given cells (one uid per recruit), counted as joins."""
        self.transition(idx, Affiliation.ISKP)
        self.cell_of[idx] = cell_uids
        self.touch(cell_uids)
        np.add.at(self.flows["joined_iskp"], self.province[idx], self.scale)
        np.add.at(self.flows["salafi_joined_iskp"], self.province[idx], self.scale * self.salafi[idx])


def draw_recruits(pool: RecruitPool, rng: np.random.Generator, p: dict[str, Any], geo: Geography,
                  provinces: np.ndarray, origin: int, state: Affiliation = Affiliation.CIVILIAN,
                  ideology_mean: float | None = None, anger: float = 0.0) -> np.ndarray:
    """Append pool rows for recruits with homes in the given provinces; return their indices.

    Homes are random cells of the province; the Salafi share depends on the province's Salafi level
    (mechanism 2's population, EUAA 2024); ideology is Beta(2, 5) unless a mean is given (escapees,
    foreign fighters); H and R are U(0, 1) (Epstein).
    """
    k = len(provinces)
    if k == 0:
        return np.zeros(0, dtype=int)
    homes = np.array([rng.choice(geo.cells_of[pid]) for pid in provinces], dtype=np.int32)
    level = geo.salafi_level[provinces]
    share = np.where(level == 2, p["salafi_share_core"],
                     np.where(level == 1, p["salafi_share_other"], p["salafi_share_elsewhere"] * p["salafi_share_other"]))
    salafi = rng.random(k) < share
    if ideology_mean is None:
        ideology = rng.beta(p["ideology_beta_a"], p["ideology_beta_b"], k)
    else:
        ideology = rules.beta_with_mean(rng, ideology_mean, k)
    ideology = np.minimum(1.0, ideology + p["salafi_ideology_bonus"] * salafi)
    return pool.add(home=homes, province=provinces, hardship=rng.random(k), risk_aversion=rng.random(k),
                    ideology=ideology, anger=np.full(k, anger), salafi=salafi,
                    ex_prisoner=np.full(k, origin == 1), state=np.full(k, int(state)), origin=np.full(k, origin))
