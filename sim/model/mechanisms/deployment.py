"""Mechanism 13: Taliban units redeploy toward the ISIS-K presence they know of, on a leash to their post.

Article: fighting "also occurred in other parts of the country as well"; Taliban units were sent after
ISIS-K (docs/sources.md#kamel2021). A mobile unit climbs the gradient of *known* ISIS-K presence: the
members around each place weighted by the province's intelligence (mechanism 12), per fighter
already covering them (a force-to-threat allocation: Kress et al. 2018, docs/sources.md#kress2018), not the fading marks
of past violence, which ambushes leave at the units' own squares (chasing them drew units to each
other and away from the ground they hold). It stays within ``unit_leash`` cells of its post, so
mobility reinforces local control instead of abandoning it. All mobile units move at once, on arrays.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.inputs.geography import window_sum
from sim.model import space
from sim.model.agents import Posture

if TYPE_CHECKING:
    from sim.model.model import InsurgencyModel

# The Moore steps, staying put first (so a unit moves only to strictly better ground).
STEPS = np.array([(0, 0)] + [(dx, dy) for dx in (-1, 0, 1) for dy in (-1, 0, 1) if (dx, dy) != (0, 0)])


def known_presence(m: "InsurgencyModel") -> np.ndarray:
    """ISIS-K people the Taliban know of within ``unit_sense_radius`` of each place (members x the
    province's intelligence, summed over the window) per Taliban fighter already there (in units of
    ``detection_reference_strength``), so units spread over the threats instead of piling onto one;
    -inf outside Afghanistan."""
    geo, r = m.geo, m.p["unit_sense_radius"]
    intel = np.where(geo.inside, m.intel[np.maximum(geo.province_grid, 0)], 0.0)
    known = window_sum(m.member_grid * m.scale * intel, r)
    known[known < 1e-9] = 0.0  # the filter's rounding noise is not presence
    covered = 1.0 + window_sum(m.strength_grid, r) / m.p["detection_reference_strength"]
    return np.where(geo.inside, known / covered, -np.inf)


# Values closer than this (relative) are ties: the window sums of two places that see the same members
# differ only in rounding, which depends on the machine's floating-point code (SIMD width), so an exact
# argmax would let the CPU pick the unit's move.
TIE = 1e-9


def first_best(value: np.ndarray) -> np.ndarray:
    """Per row, the first column within ``TIE`` (relative) of the row's maximum: staying put wins ties."""
    best = value.max(axis=1, keepdims=True)
    return np.argmax(value >= best - TIE * np.maximum(1.0, np.abs(best)), axis=1)


def climb(layer: np.ndarray, xy: np.ndarray, post: np.ndarray, speed: int, leash: int) -> np.ndarray:
    """New positions (n, 2): ``speed`` steps each to the best of the Moore neighbours (or stay), never
    leaving the grid, Afghanistan or the leash around the post."""
    w, h = layer.shape
    for _ in range(speed):
        cand = xy[:, None, :] + STEPS[None, :, :]
        ok = ((cand >= 0) & (cand < (w, h))).all(axis=-1) & (space.chebyshev(cand, post[:, None, :]) <= leash)
        cx, cy = np.clip(cand[..., 0], 0, w - 1), np.clip(cand[..., 1], 0, h - 1)
        value = np.where(ok, layer[cx, cy], -np.inf)
        xy = cand[np.arange(len(xy)), first_best(value)]
    return xy


def redeploy(m: "InsurgencyModel") -> None:
    """Phase 7, before the units' turns: every mobile unit moves up to ``unit_speed`` cells."""
    units = [u for u in m.units if u.posture is Posture.MOBILE]
    if not units or m.p["unit_speed"] == 0:
        return
    xy = space.coords(units)
    post = np.array([u.post for u in units], dtype=int).reshape(-1, 2)
    new = climb(known_presence(m), xy, post, m.p["unit_speed"], m.p["unit_leash"])
    for i in np.flatnonzero((new != xy).any(axis=1)):
        units[i].place(m.grid[(int(new[i, 0]), int(new[i, 1]))])
