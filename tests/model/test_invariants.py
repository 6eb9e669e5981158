"""Invariants of the whole model: conservation of people, no negative counts, determinism, valid agents.

Events on their dates are checked in test_surrender.py and test_prison_escape.py."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim import InsurgencyModel, load_scenario
from sim.model.agents import Affiliation, IskpCell, Recruit, TalibanUnit, TribalElder
from sim.outputs import NATIONAL_COLUMNS, PROVINCE_COLUMNS
from sim.runs.runner import run_one


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), strikes=st.floats(0, 3), inflow=st.floats(0, 100), relapse=st.floats(0, 0.5))
def test_people_are_conserved_every_step(seed, strikes, inflow, relapse):
    """All affiliation states together equal the initial pool plus those added by events, every step,
    and the state counts equal the initial counts plus the counted transitions."""
    m = InsurgencyModel(rng=seed, external_strikes=strikes, foreign_fighter_inflow=inflow, relapse_rate=relapse)
    start = m.pool.counts(len(Affiliation)).copy()
    for _ in range(25):
        m.step()
        people = m.people_by_state()
        assert sum(people.values()) == (m.initial_agents + m.added_agents) * m.scale
        flows_in = m.transitions.sum(axis=0)
        flows_out = m.transitions.sum(axis=1)
        added = np.zeros(len(Affiliation), dtype=int)
        added[Affiliation.CIVILIAN] = m.added_agents
        assert np.array_equal(m.pool.counts(len(Affiliation)), start + added + flows_in - flows_out)


def test_no_negative_counts_and_bounded_shares():
    r = run_one(load_scenario("iron_fist"), seed=3, steps=40)
    nat = r.national.drop(columns=["scenario", "seed", "date"])
    assert (nat >= 0).all().all()
    prov = r.provinces.drop(columns=["scenario", "seed", "date", "province"])
    assert (prov >= 0).all().all()
    for col in ("mean_grievance", "mean_legitimacy", "salafi_mean_grievance"):
        assert nat[col].between(0, 1).all()
    assert r.provinces["legitimacy"].between(0, 1).all()


def test_agents_stay_valid():
    m = InsurgencyModel(rng=5, external_strikes=1.0)
    for _ in range(30):
        m.step()
        for u in m.agents_by_type[TalibanUnit]:
            assert u.strength >= 0 and 0 <= u.intelligence <= 1
            assert u.cell.province >= 0  # never outside Afghanistan
        assert m.treasury >= 0
        for c in m.iskp_cells:
            assert 0 <= c.exposure <= 1
            assert c.cell.province >= 0
        for e in m.agents_by_type[TribalElder]:
            assert 0 <= e.stance_taliban <= 1


def test_tables_have_every_named_column_and_both_dates():
    r = run_one(load_scenario("baseline"), seed=1, steps=5)
    assert list(r.national.columns) == list(NATIONAL_COLUMNS)
    assert list(r.provinces.columns) == list(PROVINCE_COLUMNS)
    assert len(r.national) == 6 and len(r.provinces) == 6 * 34
    assert r.national["date"].iloc[0] == pd.Timestamp("2021-08-15")
    assert (r.national["date"].diff().dropna() == pd.Timedelta(days=7)).all()


def test_same_seed_same_tables_different_seed_different():
    a = run_one(load_scenario("baseline"), seed=11, steps=15)
    b = run_one(load_scenario("baseline"), seed=11, steps=15)
    c = run_one(load_scenario("baseline"), seed=12, steps=15)
    pd.testing.assert_frame_equal(a.national, b.national)
    pd.testing.assert_frame_equal(a.provinces, b.provinces)
    assert not a.national.drop(columns="seed").equals(c.national.drop(columns="seed"))


def test_every_agent_type_is_a_mesa_agent_on_the_afghanistan_grid():
    m = InsurgencyModel(rng=1)
    for cls in (Recruit, IskpCell, TalibanUnit, TribalElder):
        assert len(m.agents_by_type[cls]) > 0
    assert len(m.agents_by_type[Recruit]) == m.pool.n
    r = next(iter(m.agents_by_type[Recruit]))
    assert 0 <= r.grievance <= 1 and isinstance(r.affiliation, Affiliation) and r.province
    outside = np.argwhere(m.grid.province.data < 0)
    assert len(outside) > 0
    coords = {c.coordinate for c in m.grid.all_cells}
    assert all((int(x), int(y)) not in coords for x, y in outside)


@pytest.mark.parametrize("scale", [5, 1])
def test_outputs_are_in_people_whatever_the_scale(scale):
    m = InsurgencyModel(rng=1, scale=scale)
    assert m.report["iskp_members"] == pytest.approx(2200, abs=scale)


def _perturbed(monkeypatch, module, name, rel: float) -> None:
    """Replace ``module.name`` (a function returning floats) by one whose results are off by about ``rel``
    relative, as another CPU's floating-point code (SIMD width, libm) may round them."""
    original = getattr(module, name)

    def off(*args, **kwargs):
        out = np.asarray(original(*args, **kwargs), dtype=float)
        wobble = 1.0 + rel * np.cos(0.7 * np.arange(out.size) + 0.3).reshape(out.shape)
        return out * wobble if out.ndim else float(out * wobble)

    monkeypatch.setattr(module, name, off)


@pytest.mark.slow
@pytest.mark.parametrize("scenario,seed", [("baseline", 1), ("iron_fist", 2)])
def test_the_trajectory_does_not_depend_on_the_last_bits_of_floating_point(monkeypatch, scenario, seed):
    """Reproducible on any machine: results differing in the last bits, as numpy's exp and sums do
    between CPUs, must not change a decision (a near-tie between two places a unit could move to was
    decided by rounding noise, so the golden fingerprints differed between machines). Every hazard and
    every window sum of the model is perturbed by a relative 1e-14; the run must come out the same."""
    from sim.model import model as model_module
    from sim.model import rules
    from sim.model.mechanisms import ambush, deployment, planners, raids, recruitment

    plain = run_one(load_scenario(scenario), seed, steps=60)
    _perturbed(monkeypatch, rules, "hazard_to_prob", 1e-14)
    for module in (model_module, ambush, deployment, planners, raids, recruitment):
        _perturbed(monkeypatch, module, "window_sum", 1e-14)
    wobbly = run_one(load_scenario(scenario), seed, steps=60)
    for table in ("national", "provinces", "events"):
        pd.testing.assert_frame_equal(getattr(plain, table), getattr(wobbly, table), rtol=1e-9)
