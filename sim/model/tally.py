"""This week's outputs: the national row and the per-province rows (all in people).

Read at the end of the step (stocks) and summed over the week (flows); ``sim.outputs`` names the
columns. Also paints the grievance layer (the province means) that cells read when they move.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.inputs.geography import province_sums
from sim.model.population import Affiliation
from sim.outputs import ATTACK_FLOWS, FLOWS

if TYPE_CHECKING:
    from sim.model.model import InsurgencyModel


def tally(m: "InsurgencyModel") -> None:
    """Compute this step's national report and add this step's province rows to the DataCollector."""
    geo, pool, s = m.geo, m.pool, m.scale
    f = pool.flows
    m.last_taliban_harm = f["ejk_nonmembers"].copy()  # civilians killed by the Taliban (legitimacy reads it)
    m.last_ejk = f["ejk_killed"].copy()
    prov_members = province_sums(geo, m.member_grid) * s
    prov_strength = province_sums(geo, m.strength_grid)
    attacks = sum(f[a] for a in ATTACK_FLOWS)
    alive = np.flatnonzero(~np.isin(pool.state, (Affiliation.DEAD, Affiliation.DETAINED, Affiliation.ABROAD)))
    G = pool.grievance(alive, m.legitimacy)
    prov_g = np.bincount(pool.province[alive], weights=G, minlength=geo.n_provinces)
    prov_n = np.bincount(pool.province[alive], minlength=geo.n_provinces)
    prov_grievance = np.divide(prov_g, prov_n, out=np.zeros_like(prov_g), where=prov_n > 0)
    sal = pool.salafi[alive]
    report = {name: float(f[name].sum()) for name in FLOWS}
    report.update(
        iskp_members=float(np.count_nonzero(pool.state == Affiliation.ISKP) * s),
        iskp_cells=float(len(m.iskp_cells)),
        taliban_strength=float(sum(u.strength for u in m.units)),
        attacks_total=float(attacks.sum()),
        provinces_with_iskp=float(np.count_nonzero(prov_members > 0)),
        provinces_with_attacks=float(np.count_nonzero(attacks > 0)),
        mean_grievance=float(G.mean()) if len(G) else 0.0,
        mean_legitimacy=float(np.average(m.legitimacy, weights=geo.population)),
        salafi_mean_grievance=float(G[sal].mean()) if sal.any() else 0.0,
        mean_intelligence=float(np.average(m.intel, weights=geo.population)),
        iskp_planners=float(m.planners),
        iskp_treasury=float(m.treasury),
        iskp_abroad=float(np.count_nonzero(pool.state == Affiliation.ABROAD) * s),
        external_operations=float(m.external_operations),
    )
    m.report = report
    grid_g = np.zeros(geo.shape)
    inside = geo.province_grid >= 0
    grid_g[inside] = prov_grievance[geo.province_grid[inside]]
    m.grid.grievance.data[:] = grid_g
    date = m.date.isoformat()
    for pid, name in enumerate(geo.names):
        m.datacollector.add_table_row("provinces", {
            "step": m.steps, "date": date, "province": name,
            "iskp_members": float(prov_members[pid]), "taliban_strength": float(prov_strength[pid]),
            "attacks_total": float(attacks[pid]), "attacks_mass_casualty": float(f["attacks_mass_casualty"][pid]),
            "civilian_deaths": float(f["civilian_deaths"][pid]), "ejk_killed": float(f["ejk_killed"][pid]),
            "surrenders": float(f["surrenders"][pid]), "legitimacy": float(m.legitimacy[pid]),
            "grievance": float(prov_grievance[pid])})
