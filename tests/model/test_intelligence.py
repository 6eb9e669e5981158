"""Mechanism 12 (sim/model/mechanisms/intelligence.py): province intelligence accumulates from detainees,
surrendered and elders and decays; captured members give up linked cells; quiet cells can be found."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers import paired_effect
from sim import InsurgencyModel, load_scenario
from sim.model.mechanisms import intelligence, raids, surrender
from sim.runs.runner import run_one

unit = st.floats(0, 1)


@given(intel=unit, informants=st.floats(0, 50), elder=st.floats(0, 5), gain=unit, decay=st.floats(0, 0.5))
def test_intelligence_stays_a_share_grows_with_sources_and_decays_without(intel, informants, elder, gain, decay):
    new = intelligence.accumulate(intel, informants, elder, gain, decay)
    assert 0 <= new <= 1
    assert new >= intelligence.accumulate(intel, 0.0, elder, gain, decay) - 1e-12
    assert np.isclose(intelligence.accumulate(intel, 0.0, 0.0, gain, decay), intel * (1 - decay))


def test_knowledge_and_visibility_have_floors():
    assert intelligence.knowledge(0.0, 0.4) == pytest.approx(0.4)
    assert intelligence.knowledge(0.3, 0.0) == pytest.approx(0.3)
    assert intelligence.visibility(0.0, 0.05) == pytest.approx(0.05)
    assert intelligence.visibility(1.0, 0.05) == pytest.approx(1.0)


def test_a_week_of_detainees_surrendered_and_elders_raises_province_intelligence():
    m = InsurgencyModel(rng=2)
    pid = m.geo.index("Nangarhar")
    m.flows["surrenders"][pid] = 65
    m.elder_intel[:] = 0.0
    intelligence.update(m)
    assert m.intel[pid] > 0 and np.count_nonzero(m.intel) == 1
    m.pool.new_week()
    m.elder_intel[:] = 0.0
    before = m.intel.copy()
    intelligence.update(m)
    assert np.allclose(m.intel, before * (1 - m.p["intelligence_decay"]))


def test_a_surrendered_member_exposes_the_nearest_linked_cell():
    m = InsurgencyModel(rng=4, rollup_share=1.0)
    m.take_snapshot()
    by_prov = {}
    for c in m.iskp_cells:
        by_prov.setdefault(c.province, []).append(c)
    cells = max(by_prov.values(), key=len)
    source, others = cells[0], cells[1:]
    for c in cells:
        c.exposure = 0.0
    surrender.give_up(m, source, source.members[:1], source.province)
    exposed = [c for c in others if c.exposure > 0]
    assert len(exposed) == 1 and np.isclose(exposed[0].exposure, m.p["exposure_gain"] * m.scale)


def test_quiet_cells_are_found_only_with_a_detection_floor():
    """Cells that never act (no ambushes, no high-profile attacks, no elder killings, no starting
    exposure, no leads from the scheduled surrenders) are raided only when detection has a floor."""
    quiet = {"ambush_rate": 0.0, "hp_rate": 0.0, "elder_attack_rate": 0.0, "cell_initial_exposure": 0.0, "rollup_share": 0.0}
    runs = [run_one(load_scenario("baseline"), seed=s, steps=20, overrides={**quiet, "detection_floor": f})
            for s in (1, 2) for f in (0.0, 0.05)]
    detained = [r.national["detained"].sum() for r in runs]
    assert detained[0] == 0 and detained[2] == 0
    assert detained[1] > 0 and detained[3] > 0
    h = raids.detection_hazard(0.13, 0.5, intelligence.visibility(0.0, 0.05), 500.0, 500.0, 2.0)
    assert h > 0


@pytest.mark.slow
@pytest.mark.parametrize("name,low,high", [
    ("intelligence_gain", {"intelligence_gain": 0.02}, {"intelligence_gain": 0.3}),
    ("elder_intel_weight", {"elder_intel_weight": 0.0}, {"elder_intel_weight": 3.0}),
])
def test_intelligence_levers_raise_intelligence_and_detentions(name, low, high):
    mean, half = paired_effect("mean_intelligence", low, high, seeds=20, steps=20, how="last")
    assert mean - half > 0, f"{name}: intelligence {mean:.3g} ± {half:.3g}"
    mean, half = paired_effect("detained", low, high, seeds=20, steps=20, how="sum")
    assert mean - half > 0, f"{name}: detained {mean:.3g} ± {half:.3g}"
