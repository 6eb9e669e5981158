"""Mechanism 8: tribal elders between the two sides.

Article: elders helped the Taliban negotiate surrenders in Nangarhar, and ISIS-K targeted local
leaders. An elder's stance drifts toward the regime's local legitimacy and turns away when innocents
are killed; elders feed Taliban intelligence in proportion to their stance (mechanism 12), and ISIS-K
cells kill the pro-Taliban ones, intimidating the others of the province. A killed council is
replaced in time (Geller & Moss 2008: the qawm regenerates its leaders).
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


def cooperation(m: "InsurgencyModel") -> np.ndarray:
    """Per province: the sum over living elder councils of influence x stance toward the Taliban. It
    falls gradually with the stance, so a neutral elder still gives half of what a fully cooperating
    one would (surrender offers, mechanism 7; intelligence, mechanism 12)."""
    es = m.elders
    pid = np.array([e.province for e in es])
    w = np.array([e.influence * e.stance_taliban if e.alive else 0.0 for e in es])
    return np.bincount(pid, weights=w, minlength=m.geo.n_provinces)


def intelligence(m: "InsurgencyModel") -> np.ndarray:
    """Per province: what the elders tell the Taliban each week, ``elder_intel_weight`` x the mean
    cooperation per council."""
    return m.p["elder_intel_weight"] * cooperation(m) / m.p["elders_per_province"]


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


def succeed(elder: "TribalElder") -> None:
    """A killed council is replaced with weekly hazard ``elder_replacement_rate``: a successor with a
    fresh influence draw, whose stance starts at the province's legitimacy."""
    m = elder.model
    if m.random.random() >= rules.hazard_to_prob(m.p["elder_replacement_rate"]):
        return
    elder.alive = True
    elder.influence = float(rules.beta_with_mean(m.rng, m.p["elder_influence"]))
    elder.stance_taliban = float(m.legitimacy[elder.province])
