"""The model's rules as pure functions, one per functional form in docs/ODD.md §7.

They work on floats or NumPy arrays alike, so the same rule serves a single agent and the whole
recruit pool at once, and tests can check each form directly.
"""

from __future__ import annotations

import numpy as np


def hazard_to_prob(h):
    """Weekly probability of an event with hazard ``h`` (constant within the week)."""
    return 1.0 - np.exp(-np.maximum(h, 0.0))


def grievance(hardship, legitimacy, anger):
    """Epstein's G = H (1 - L), plus anger accumulated from harm and persecution (Bennett 2008), in [0, 1]."""
    return np.clip(hardship * (1.0 - legitimacy) + anger, 0.0, 1.0)


def arrest_probability(cops, actives, k):
    """Epstein's estimated arrest probability P = 1 - exp(-k round(C/A)), with A >= 1 counting the agent.

    ``round`` as in Mesa's example: "without it, its impossible to replicate the dynamics" (docs/sources.md#mesa_epstein).
    """
    return 1.0 - np.exp(-k * np.round(cops / np.maximum(actives, 1.0)))


def iskp_appeal(victory_dampening, pragmatism, visibility, hardliner, local_support):
    """How attractive ISIS-K is: lowered by the Taliban's victory, raised by their perceived pragmatism
    and, for hardliners, by the visibility of spectacular attacks; scaled by local support."""
    return np.maximum(0.0, 1.0 - victory_dampening + pragmatism + visibility * hardliner) * local_support


def iskp_pull(grievance_, ideology, appeal, ideology_weight):
    """What draws a recruit to ISIS-K: grievance plus weighted ideology, times the group's appeal."""
    return appeal * (grievance_ + ideology_weight * ideology)


def joins(pull, risk_aversion, risk, threshold):
    """Epstein's rule A: join when pull - R * P > T."""
    return pull - risk_aversion * risk > threshold


def anger_update(anger, gain, events):
    """Bennett's anger update A' = A + gain * n * (1 - A), capped at 1."""
    return np.minimum(1.0, anger + gain * events * (1.0 - anger))


def deterred_risk(risk, deterrence):
    """Perceived risk after persecution: an extra independent chance ``deterrence`` of being caught."""
    return 1.0 - (1.0 - risk) * (1.0 - deterrence)


def taliban_join_hazard(rate, legitimacy, grievance_):
    """Civilians join the Taliban when the regime's legitimacy exceeds their grievance."""
    return rate * np.maximum(0.0, legitimacy - grievance_)


def attack_chance(rate, size_ratio, near_repeat, local_violence):
    """Weekly attack probability: grows with cell size and with recent violence nearby (near-repeat)."""
    return float(hazard_to_prob(rate * np.sqrt(max(size_ratio, 0.0)) * (1.0 + near_repeat * local_violence)))


def ambush_outcome(rng, lethality, counterfire, surprise, unit_strength, cell_people):
    """Taliban deaths and the chance each attacker dies in an ambush.

    Guerrillas use aimed fire (deaths grow with surprise); the unit answers with area fire whose
    effect grows with its strength relative to the attackers (Deitchman 1962, docs/sources.md#deitchman1962).
    """
    taliban_deaths = min(int(rng.poisson(lethality * (0.5 + surprise))), int(unit_strength))
    share = unit_strength / (unit_strength + max(cell_people, 1.0))
    loss_prob = min(1.0, 2.0 * counterfire * (1.0 - surprise) * share)
    return taliban_deaths, loss_prob


def detection_hazard(base, intelligence, elder_intel, exposure, strength):
    """Mechanism 6: detection grows with intelligence, elder cooperation, exposure and unit size."""
    return base * intelligence * (1.0 + elder_intel) * exposure * min(2.0, np.sqrt(strength / 500.0))


def nonmembers_killed(rng, members_killed: int, accuracy: float) -> int:
    """Non-members killed alongside ``members_killed`` members when a share ``accuracy`` of the killed
    are members: the failures before that many successes (negative binomial, mean m (1-a)/a)."""
    if members_killed <= 0 or accuracy >= 1.0:
        return 0
    return int(rng.negative_binomial(members_killed, accuracy))


def pressure(exposure, recent_losses, members):
    """How hard-pressed a cell is: its exposure plus the share of members it just lost."""
    lost = recent_losses / max(members + recent_losses, 1)
    return min(1.0, exposure + lost)


def surrender_hazard(rate, influence, stance_taliban, amnesty, pressure_):
    """Mechanism 7: an elder's chance to broker a surrender rises with influence, his alignment with
    the Taliban, the terms offered and the pressure on the cell."""
    return rate * influence * stance_taliban * amnesty * pressure_


def relapse_hazard(rate, monitoring, control, grievance_):
    """Surrendered recruits relapse when monitoring is weak and grievance high."""
    return rate * (1.0 - monitoring * control) * grievance_


def legitimacy_step(legitimacy, target, rate, harm_per_100k, harm_weight, ejk, ejk_penalty):
    """Mechanism 11: legitimacy moves toward a security-driven target and falls with civilian harm
    and extrajudicial killings."""
    new = legitimacy + rate * (target - legitimacy) - harm_weight * harm_per_100k - ejk_penalty * ejk
    return np.clip(new, 0.0, 1.0)


def elder_stance(stance, legitimacy, nonmember_kills, sensitivity):
    """Elders drift toward the regime's local legitimacy and turn away when innocents are killed."""
    return float(np.clip(stance + 0.02 * (legitimacy - stance) - sensitivity * nonmember_kills, 0.0, 1.0))
