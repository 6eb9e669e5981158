"""Mechanism 7 (sim/model/mechanisms/surrender.py): relapse, and the Nangarhar surrender on its date."""

from __future__ import annotations

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from sim import InsurgencyModel, load_scenario
from sim.model.mechanisms import surrender
from sim.runs.runner import frames, run_one

unit = st.floats(0, 1)


@given(rate=st.floats(0, 1), mon=unit, ctl=unit, g=unit)
def test_relapse_needs_weak_monitoring_and_grievance(rate, mon, ctl, g):
    h = surrender.relapse_hazard(rate, mon, ctl, g)
    assert 0 <= h <= rate
    assert surrender.relapse_hazard(rate, mon, ctl, 0.0) == 0
    assert surrender.relapse_hazard(rate, 1.0, 1.0, g) == 0


def test_nangarhar_surrender_event_fires_on_its_date():
    """31 Oct 2021 is day 77, the last day of week 11: the Nangarhar row of step 11 shows the 65."""
    model = InsurgencyModel(rng=2, surrender_rate=0.0)  # no endogenous surrenders: only the event counts
    for _ in range(12):
        model.step()
    r = frames(model)
    ng = r.provinces[r.provinces.province == "Nangarhar"].set_index("step")
    assert r.national.loc[r.national.step == 11, "date"].iloc[0] == pd.Timestamp("2021-10-31")
    assert ng.loc[11, "surrenders"] == 65
    assert ng.loc[10, "surrenders"] == 0 and ng.loc[12, "surrenders"] == 55  # 5 Nov falls in week 12
    ev = r.events.set_index(["step", "event"])
    assert ev.loc[(11, "elder_surrender"), "people"] == 65


def test_nangarhar_event_with_endogenous_surrenders_still_logs_65():
    r = run_one(load_scenario("baseline"), seed=4, steps=12)
    ng = r.provinces[(r.provinces.province == "Nangarhar") & (r.provinces.step == 11)]
    assert ng["surrenders"].iloc[0] >= 65
    assert (r.events.query("event == 'elder_surrender' and step == 11")["people"] == 65).all()
