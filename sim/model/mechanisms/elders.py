"""Mechanism 8: tribal elders between the two sides.

Article: elders helped the Taliban negotiate surrenders in Nangarhar, and ISIS-K targeted local
leaders. An elder's stance drifts toward the regime's local legitimacy and turns away when innocents
are killed; pro-Taliban elders feed Taliban intelligence (detection in raids), and ISIS-K cells kill
them, intimidating the others of the province.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.model import rules

if TYPE_CHECKING:
    from sim.model.agents import IskpCell, TribalElder
    from sim.model.model import InsurgencyModel


def elder_stance(stance, legitimacy, nonmember_kills, sensitivity, drift):
    """Elders drift toward the regime's local legitimacy and turn away when innocents are killed."""
    return float(np.clip(stance + drift * (legitimacy - stance) - sensitivity * nonmember_kills, 0.0, 1.0))


def intelligence(m: "InsurgencyModel") -> np.ndarray:
    """Per province: what pro-Taliban elders tell the Taliban (influence x how far past neutral)."""
    p = m.p
    intel = np.zeros(m.geo.n_provinces)
    for pid, elders in enumerate(m.elders_in):
        intel[pid] = sum(e.influence * max(0.0, 2 * e.stance_taliban - 1) for e in elders if e.alive)
    return p["elder_intel_weight"] * intel / p["elders_per_province"]


def update_stance(elder: "TribalElder") -> None:
    """The elder's week begins with his stance moving (phase 9)."""
    m = elder.model
    pid = elder.province
    elder.stance_taliban = elder_stance(elder.stance_taliban, m.legitimacy[pid],
                                        m.pool.flows["ejk_nonmembers"][pid],
                                        m.p["elder_harm_sensitivity"], m.p["elder_stance_drift"])


def target(cell: "IskpCell") -> None:
    """The cell's action: kill a pro-Taliban elder in its province (a local leadership attack)."""
    m = cell.model
    p = m.p
    targets = [e for e in m.elders_in[cell.province] if e.alive and e.stance_taliban > 0.5]
    if targets and m.random.random() < rules.hazard_to_prob(p["elder_attack_rate"] * len(targets)):
        kill(m, cell, m.random.choice(targets))


def kill(m: "InsurgencyModel", cell: "IskpCell", elder: "TribalElder") -> None:
    """An elder is killed; the cell is more exposed; the other elders of the province are intimidated."""
    elder.alive = False
    pid = elder.province
    m.pool.count("attacks_elder", pid, 1)
    m.pool.count("elders_killed", pid, 1)
    m.grid.violence.data[elder.cell.coordinate] += m.p["violence_per_attack"]
    cell.expose(m.p["exposure_gain"])
    for e in m.elders_in[pid]:
        if e.alive:
            e.stance_taliban = max(0.0, e.stance_taliban - m.p["elder_intimidation"])
