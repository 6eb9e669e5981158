"""Mechanism 7 (sim/model/mechanisms/surrender.py): surrender as each member's decision (no leak, depletion),
relapse, and the Nangarhar surrender on its date."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from sim import InsurgencyModel, load_scenario
from sim.model.mechanisms import surrender
from sim.model.population import Affiliation
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


@given(rate=st.floats(0, 2), offer=st.floats(0, 5), amnesty=unit, press=unit, ideo=unit, resolve=unit)
def test_surrender_hazard_needs_pressure_and_falls_with_commitment(rate, offer, amnesty, press, ideo, resolve):
    h = surrender.surrender_hazard(rate, offer, amnesty, press, ideo, False, resolve)
    assert surrender.surrender_hazard(rate, offer, amnesty, 0.0, ideo, False, resolve) == 0
    assert surrender.surrender_hazard(rate, offer, amnesty, press, min(1.0, ideo + 0.1), False, resolve) <= h
    assert surrender.surrender_hazard(rate, offer, amnesty, press, ideo, True, resolve) <= h


def test_a_cell_nobody_has_hit_feels_no_pressure():
    m = InsurgencyModel(rng=1)
    assert all(c.exposure > 0 for c in m.iskp_cells)  # the starting exposure is not pressure
    assert all(surrender.pressure(c.pressure, c.recent_hit) == 0 for c in m.iskp_cells)


def test_no_endogenous_surrender_without_losses():
    """With no raids, no ambush counterfire and no strikes, only the scheduled groups surrender."""
    r = run_one(load_scenario("baseline"), seed=3, steps=16,
                overrides={"detection_base": 0.0, "ambush_counterfire": 0.0})
    logged = r.events.query("event == 'elder_surrender'")["people"].sum()
    assert logged == 120  # 65 + 55 in Nangarhar, weeks 11-12
    assert r.national["surrenders"].sum() == logged


def _press_every_cell(m: InsurgencyModel) -> None:
    for c in m.iskp_cells:
        c.pressure = 1.0


def test_the_surrender_prone_are_used_up():
    """Under constant full pressure, week after week of offers takes the least committed first: the
    share who surrender each week falls, and those left are more ideological and more often hardliners."""
    early, late, prone_before, prone_after, gap = [0, 0], [0, 0], [], [], []
    for seed in range(1, 25):
        m = InsurgencyModel(rng=seed)
        pool = m.pool
        hard = (pool.origin == 2) | pool.ex_prisoner

        def proneness(rows):  # the member-specific factors of the hazard
            return np.mean((1 - pool.ideology[rows]) * (1 - m.p["hardliner_resolve"] * hard[rows]))

        prone_before.append(proneness(pool.state == Affiliation.ISKP))
        for week in range(18):
            _press_every_cell(m)
            m.take_snapshot()
            before = np.flatnonzero(pool.state == Affiliation.ISKP)
            surrender.broker(m)
            gone = before[pool.state[before] == Affiliation.SURRENDERED]
            if week < 3:
                early[0] += len(gone)
                early[1] += len(before)
                gap.append(pool.ideology[before].mean() - pool.ideology[gone].mean())
            elif week >= 15:
                late[0] += len(gone)
                late[1] += len(before)
        prone_after.append(proneness(pool.state == Affiliation.ISKP))
    p_early, p_late = early[0] / early[1], late[0] / late[1]
    se = np.sqrt(p_early * (1 - p_early) / early[1] + p_late * (1 - p_late) / late[1])
    assert p_early - p_late > 3 * se, (p_early, p_late, se)
    assert np.mean(gap) > 0  # who surrenders is less ideological than the cell
    assert (np.array(prone_after) < np.array(prone_before)).all()


@given(home=st.integers(0, 33), cell=st.integers(0, 33), outsider=unit)
def test_elders_have_full_leverage_only_over_their_own_men(home, cell, outsider):
    k = surrender.kin_leverage(np.array([home]), np.array([cell]), outsider)[0]
    assert k == (1.0 if home == cell else outsider)


def _who_surrenders(monkeypatch, seed: int, outsider: float) -> tuple[int, int]:
    """(locals, outsiders) among the endogenous surrenders of 30 weeks (the scheduled groups switched off)."""
    seen = {"local": 0, "outsider": 0}
    real = surrender.give_up

    def give_up(m, cell, idx, pid):
        local = int((m.pool.province[idx] == pid).sum())
        seen["local"] += local
        seen["outsider"] += len(idx) - local
        real(m, cell, idx, pid)

    monkeypatch.setattr(surrender, "give_up", give_up)
    monkeypatch.setattr(surrender, "scheduled", lambda m, event: None)
    m = InsurgencyModel(rng=seed, outsider_leverage=outsider)
    for _ in range(30):
        m.step()
    monkeypatch.undo()
    return seen["local"], seen["outsider"]


def test_with_no_leverage_over_outsiders_only_local_men_surrender(monkeypatch):
    """Members whose home is another province (their cell moved) take no terms when ``outsider_leverage`` is 0,
    and do when it is 1: so the rule binds in the model, not only in the function."""
    closed = [_who_surrenders(monkeypatch, s, 0.0) for s in (1, 2, 3)]
    opened = [_who_surrenders(monkeypatch, s, 1.0) for s in (1, 2, 3)]
    assert all(out == 0 for _, out in closed) and sum(loc for loc, _ in closed) > 0
    assert sum(out for _, out in opened) > 0
