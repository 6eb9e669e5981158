"""Mechanism 11: Taliban legitimacy per province, endogenous (Lemos 2018).

Legitimacy moves toward a target that security raises (little recent violence) and foreign support
raises, and falls with last week's civilian deaths caused by the Taliban (the non-members killed in
raids) and with extrajudicial killings. Harm is attributed by perpetrator: ISIS-K's massacres lower
ISIS-K's own support (``high_profile``), not the Taliban's legitimacy; they reach legitimacy only as
insecurity (the violence term of the target). Grievance
(Epstein's H (1 - L) plus anger) follows from it in every other mechanism.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.inputs.geography import province_sums
from sim.model.mechanisms import external

if TYPE_CHECKING:
    from sim.model.model import InsurgencyModel


def legitimacy_step(legitimacy, target, rate, harm_per_100k, harm_weight, ejk, ejk_penalty):
    """Legitimacy moves toward a security-driven target and falls with the civilian harm the Taliban
    cause and with extrajudicial killings."""
    new = legitimacy + rate * (target - legitimacy) - harm_weight * harm_per_100k - ejk_penalty * ejk
    return np.clip(new, 0.0, 1.0)


def update(m: "InsurgencyModel") -> None:
    """Phase 3: this week's legitimacy per province from last week's violence, harm and killings."""
    p, geo = m.p, m.geo
    violence = province_sums(geo, m.grid.violence.data)
    target = p["legitimacy_initial"] + p["legitimacy_security_gain"] * np.exp(-violence) + external.legitimacy_bonus(p)
    harm = m.last_taliban_harm / (geo.population / 1e5)
    m.legitimacy = legitimacy_step(m.legitimacy, target, p["legitimacy_rate"], harm, p["legitimacy_harm"],
                                   m.last_ejk, p["legitimacy_ejk_penalty"])
