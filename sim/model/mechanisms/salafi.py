"""Mechanism 2: Salafi persecution, with a backfire half and a deterrence half.

Article: "The Taliban has even begun to persecute members of the Afghan Salafi community". Where the
Taliban are in control, persecution raises Salafi anger (backfire, phase 4) and their perceived risk
of joining ISIS-K (deterrence, read by recruitment); raids profile Salafis as suspects (HRW 2022).
The net sign on joining is left to emerge (pattern P10).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from sim.model import rules
from sim.model.population import Affiliation

if TYPE_CHECKING:
    from sim.model.model import InsurgencyModel


def deterred_risk(risk, deterrence):
    """Perceived risk after persecution: an extra independent chance ``deterrence`` of being caught."""
    return 1.0 - (1.0 - risk) * (1.0 - deterrence)


def deterrence(m: "InsurgencyModel", idx: np.ndarray) -> np.ndarray:
    """The extra chance of being caught that persecution adds for Salafis, growing with Taliban control."""
    p, pool = m.p, m.pool
    control = m.grid.taliban_control.data.ravel()[pool.home[idx]]
    return p["persecution_deterrence"] * p["salafi_persecution"] * control * pool.salafi[idx]


def profiling_weight(p: dict[str, Any], is_salafi: np.ndarray) -> np.ndarray:
    """Relative chance of a civilian being taken for a suspect near a raid: Salafis are profiled."""
    return 1.0 + p["salafi_profiling"] * p["salafi_persecution"] * is_salafi


def persecute(m: "InsurgencyModel") -> None:
    """Phase 4 (backfire): Salafi civilians' anger rises with persecution where the Taliban control."""
    pool, p = m.pool, m.p
    s = np.flatnonzero(pool.salafi & (pool.state == Affiliation.CIVILIAN))
    control = m.grid.taliban_control.data.ravel()[pool.home[s]]
    pool.anger[s] = rules.anger_update(pool.anger[s], p["persecution_backfire"] * p["salafi_persecution"], control)
