"""The national series the views chart, grouped into panels with readable names, units and colours.

Shared by the browser view's charts (``sim.views.drawing``) and the one-run PNG (``sim.views.quicklook``);
column names are those of ``sim.outputs.NATIONAL_METRICS``.
"""

from __future__ import annotations

from typing import NamedTuple

from sim.outputs import ATTACK_FLOWS

MEMBERS_COLOUR = "#d62728"
STRENGTH_COLOUR = "#08306b"


class Panel(NamedTuple):
    title: str
    unit: str                                # the y axis' label
    lines: tuple[tuple[str, str, str], ...]  # (column, legend label, colour)


PER_WEEK = (
    Panel("Attacks per week", "attacks", tuple(zip(ATTACK_FLOWS, ("ambush", "mass casualty", "on leaders", "on elders"),
                                                   ("#ff7f0e", "#d62728", "#9467bd", "#8c564b")))),
    Panel("Deaths per week", "people", (("civilian_deaths", "civilians", "#7f7f7f"),
                                        ("taliban_deaths", "Taliban", "#4292c6"),
                                        ("iskp_deaths", "ISIS-K", "#fc8d59"),
                                        ("ejk_killed", "extrajudicial killings", "#08306b"))),
    Panel("Surrenders and relapses per week", "people", (("surrenders", "surrenders", "#2ca02c"),
                                                         ("relapses", "relapses", "#d62728"))),
)
STOCKS = (
    Panel("ISIS-K members", "people", (("iskp_members", "ISIS-K members", MEMBERS_COLOUR),)),
    Panel("Taliban strength", "fighters", (("taliban_strength", "Taliban strength", STRENGTH_COLOUR),)),
    Panel("Legitimacy and grievance", "index, 0 to 1", (("mean_legitimacy", "Taliban legitimacy", "#08306b"),
                                                        ("mean_grievance", "grievance, everyone", "#6a51a3"),
                                                        ("salafi_mean_grievance", "grievance, Salafis", "#e6550d"))),
)
