"""The recruit pool: one row per Recruit agent, held as NumPy arrays so rules run on all at once."""

from __future__ import annotations

import numpy as np

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
    """Columns of recruit state; rows are appended by events and never removed (the dead stay, DEAD)."""

    def __init__(self):
        self.n = 0
        for name, dtype in FIELDS.items():
            setattr(self, name, np.zeros(0, dtype=dtype))

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
