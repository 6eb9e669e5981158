"""Mechanism 1: recruitment into ISIS-K (Epstein's civil-violence rule) and into the Taliban.

Article: "ISIS-Khorasan faces an uphill struggle to attract new supporters when an extremist Islamist
movement has already secured victory" (victory_dampening, acting through Taliban legitimacy); "accused
the Afghan movement of cooperating with the United States" (taliban_pragmatism, acting through the
recruit's ideology).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.inputs.geography import window_sum
from sim.model import rules
from sim.model.mechanisms import external, salafi
from sim.model.membership import join_taliban
from sim.model.population import Affiliation

if TYPE_CHECKING:
    from sim.model.agents import IskpCell
    from sim.model.model import InsurgencyModel


# ---- functional forms -------------------------------------------------------------------------
def arrest_probability(cops, actives, k, rounded: bool = False):
    """Epstein's estimated arrest probability P = 1 - exp(-k C/A), with A >= 1 counting the agent.

    ``rounded`` applies ``round(C/A)`` as Mesa's example does ("without it, its impossible to replicate
    the dynamics", docs/sources.md#mesa_epstein); only the docking configuration uses it. In the full
    model C/A is a ratio of people, often below 1/2, and rounding would set the risk to 0 there.
    """
    ratio = cops / np.maximum(actives, 1.0)
    return 1.0 - np.exp(-k * (np.round(ratio) if rounded else ratio))


def iskp_appeal(victory_dampening, pragmatism, legitimacy, ideology, visibility, hardliner, local_support):
    """How attractive ISIS-K is to a recruit, from two distinct mechanisms of the article and the
    visibility of spectacular attacks, scaled by local support:

    * victory dampening, - ``victory_dampening`` x L: an Islamist movement that has won leaves ISIS-K
      little to offer, the more so where the victors are accepted (Taliban legitimacy L in the province);
    * Taliban pragmatism, + ``taliban_pragmatism`` x I: cooperation with the US and the Doha deal are a
      betrayal in the eyes of the ideologically committed (ideology I), whom ISIS-K courts with it;
    * visibility among hardliners (``hardliner`` is 1 above ``hardliner_ideology``).
    """
    raw = 1.0 - victory_dampening * legitimacy + pragmatism * ideology + visibility * hardliner
    return np.maximum(0.0, raw) * local_support


def iskp_pull(grievance_, ideology, appeal, ideology_weight):
    """What draws a recruit to ISIS-K: grievance plus weighted ideology, times the group's appeal."""
    return appeal * (grievance_ + ideology_weight * ideology)


def joins(pull, risk_aversion, risk, threshold):
    """Epstein's rule A: join when pull - R * P > T."""
    return pull - risk_aversion * risk > threshold


def taliban_join_hazard(rate, legitimacy, grievance_):
    """Civilians join the Taliban when the regime's legitimacy exceeds their grievance."""
    return rate * np.maximum(0.0, legitimacy - grievance_)


# ---- layers (phase 2) -------------------------------------------------------------------------
def arrest_layer(m: "InsurgencyModel", strength: np.ndarray, members: np.ndarray) -> np.ndarray:
    """Epstein's P on every grid cell: Taliban 'cops' (``cop_strength`` fighters each) against the
    ISIS-K members within ``vision``, in people (``members`` counts agents of ``scale`` people), the
    would-be recruit counting itself as one person. Counting people, not agents, keeps the risk
    independent of the representation."""
    p = m.p
    cops = window_sum(strength, p["vision"]) / p["cop_strength"]
    actives = window_sum(members, p["vision"]) * m.scale + 1.0
    return arrest_probability(cops, actives, p["arrest_k"]) * m.inside


def recruiters_reach(m: "InsurgencyModel", cells: list["IskpCell"]) -> np.ndarray:
    """Each grid cell is served by one ISIS-K cell within ``recruit_radius`` (the last in random order)."""
    reach = np.full(m.geo.shape, -1, dtype=np.int64)
    rr = m.p["recruit_radius"]
    for c in m.random.sample(cells, len(cells)):
        x, y = c.cell.coordinate
        reach[max(0, x - rr): x + rr + 1, max(0, y - rr): y + rr + 1] = c.unique_id
    return np.where(m.inside, reach, -1)


# ---- what a recruit weighs ----------------------------------------------------------------------
def appeal(m: "InsurgencyModel", idx: np.ndarray) -> np.ndarray:
    """ISIS-K's appeal to these recruits (hardliners: ideology above ``hardliner_ideology``)."""
    p = m.p
    ideology, prov = m.pool.ideology[idx], m.pool.province[idx]
    hardliner = (ideology > p["hardliner_ideology"]).astype(float)
    return iskp_appeal(p["victory_dampening"], p["taliban_pragmatism"], m.legitimacy[prov], ideology,
                       m.visibility, hardliner, m.iskp_support[prov])


def risk(m: "InsurgencyModel", idx: np.ndarray) -> np.ndarray:
    """Perceived risk of joining: Epstein's arrest probability, raised for persecuted Salafis."""
    r = m.arrest_prob.ravel()[m.pool.home[idx]]
    return salafi.deterred_risk(r, salafi.deterrence(m, idx))


def would_join_iskp(m: "InsurgencyModel", idx: np.ndarray, grievance_: np.ndarray, perceived_risk: np.ndarray):
    """Epstein's rule A for these recruits: pull - R * P > T."""
    p, pool = m.p, m.pool
    pull = iskp_pull(grievance_, pool.ideology[idx], appeal(m, idx), p["ideology_weight"])
    return joins(pull, pool.risk_aversion[idx], perceived_risk, p["activation_threshold"])


# ---- phase 5 ------------------------------------------------------------------------------------
def recruit(m: "InsurgencyModel") -> None:
    """Civilians within reach of a cell join it when pull - R * P > T and a recruiter meets them;
    the others may join the Taliban when legitimacy exceeds their grievance."""
    pool, p = m.pool, m.p
    civ = np.flatnonzero(pool.state == Affiliation.CIVILIAN)
    G = pool.grievance(civ, m.legitimacy)
    reach = m.reach.ravel()[pool.home[civ]]
    near = reach >= 0
    cand, Gc = civ[near], G[near]
    willing = would_join_iskp(m, cand, Gc, risk(m, cand))
    contact = p["recruit_contact_rate"] * external.contact_factor(p)
    joined = willing & (m.rng.random(len(cand)) < contact)
    pool.join_iskp(cand[joined], reach[near][joined])
    still = pool.state[civ] == Affiliation.CIVILIAN
    h = taliban_join_hazard(p["taliban_recruit_rate"], m.legitimacy[pool.province[civ]], G)
    to_tal = still & (m.rng.random(len(civ)) < rules.hazard_to_prob(h))
    join_taliban(m, civ[to_tal])
