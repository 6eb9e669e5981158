"""Mechanism 3: the prison escape of August 2021, a scheduled event of the scenario.

Article: "thousands of ISIS-Khorasan prisoners managed to escape ... many of them returned to the ranks
of the terrorist organization instead of joining the new Taliban emirate". Escapees go home
(provinces weighted by ISIS-K presence, with a small floor where none is recorded) and each chooses
ISIS-K, the Taliban or civilian life by the same rules as every other recruit, with an ex-prisoner's
ideology and anger: ISIS-K on arrival when the join rule (recruitment.would_join_iskp, Salafi deterrence
included) holds, with no contact draw since they know the network; otherwise they are civilians, whom
recruitment's weekly rules (ISIS-K by contact, the Taliban by legitimacy over grievance) apply to from
this week on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING


from sim.inputs.events import Event
from sim.model.mechanisms import recruitment
from sim.model.membership import add_recruits, iskp_home_weights, join_nearest_cells

if TYPE_CHECKING:
    from sim.model.model import InsurgencyModel


def escape(m: "InsurgencyModel", event: Event) -> None:
    """Phase 1: the escapees arrive, the layers are refreshed, and those whom the join rule draws
    return to ISIS-K; the others stay civilians."""
    geo, p, pool = m.geo, m.p, m.pool
    n = int(round(event.people / m.scale))
    homes = m.rng.choice(geo.n_provinces, size=n, p=iskp_home_weights(m, p["escapee_presence_floor"]))
    idx = add_recruits(m, homes, origin=1, ideology_mean=p["escapee_ideology"], anger=p["escapee_anger"])
    m.added_agents += n
    for name in event.provinces:
        m.log_event("prison_escape", geo.index(name), n * m.scale // len(event.provinces), event.label)
    m.update_layers()
    G = pool.grievance(idx, m.legitimacy)
    to_iskp = recruitment.would_join_iskp(m, idx, G, recruitment.risk(m, idx))
    join_nearest_cells(m, idx[to_iskp])
