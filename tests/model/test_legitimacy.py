"""Mechanism 11 (sim/model/mechanisms/legitimacy.py): legitimacy stays a share, harm lowers it, and harm is
attributed by perpetrator (the sign test of issue 11)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim import InsurgencyModel
from sim.model.mechanisms import high_profile, legitimacy
from sim.runs.runner import release
from tests.helpers import paired_effect

unit = st.floats(0, 1)


@given(l0=unit, target=unit, harm=st.floats(0, 10), ejk=st.floats(0, 100))
def test_legitimacy_stays_a_share_and_harm_lowers_it(l0, target, harm, ejk):
    a = legitimacy.legitimacy_step(l0, target, 0.05, 0.0, 0.02, 0.0, 0.004)
    b = legitimacy.legitimacy_step(l0, target, 0.05, harm, 0.02, ejk, 0.004)
    assert 0 <= b <= a <= 1


# ---- harm attributed by perpetrator (issue 11): the sign test ---------------------------------------------


def _massacre(pid_name: str, **overrides) -> tuple[float, float, float]:
    """One mass-casualty attack on a province's city: (ISIS-K support there, civilian deaths, Shia deaths)."""
    m = InsurgencyModel(rng=3, hp_leadership_share=0.0, **overrides)
    pid = m.geo.index(pid_name)
    high_profile.strike(m, m.iskp_cells[0], (pid, m.geo.city[pid]))
    out = (float(m.iskp_support[pid]), m.flows["civilian_deaths"][pid], m.flows["civilian_deaths_shia"][pid])
    release(m)
    return out


def test_a_massacre_of_shia_costs_iskp_no_support_one_of_its_own_constituency_does():
    loss = 1.0 - InsurgencyModel(rng=3).p["hp_support_loss"]
    support, deaths, shia = _massacre("Kabul", sectarian_targeting=1.0)   # Kabul lists a Hazara community
    assert support == 1.0 and deaths == shia > 0
    support, deaths, shia = _massacre("Kabul", sectarian_targeting=0.0)
    assert support == pytest.approx(loss) and deaths > 0 and shia == 0
    support, _, shia = _massacre("Nangarhar", sectarian_targeting=1.0)   # no Shia community listed
    assert support == pytest.approx(loss) and shia == 0


def test_the_province_table_names_the_shia_communities():
    geo = InsurgencyModel(rng=1).geo
    level = dict(zip(geo.names, geo.shia_level))
    assert level["Bamyan"] == level["Daykundi"] == 2 and level["Kabul"] == level["Kunduz"] == 1
    assert level["Nangarhar"] == level["Kunar"] == 0


def _legitimacy_path(seed: int, steps: int, **overrides) -> tuple[np.ndarray, float]:
    m = InsurgencyModel(rng=seed, **overrides)
    path, mass = [], 0.0
    for _ in range(steps):
        m.step()
        path.append(m.report["mean_legitimacy"])
        mass += m.report["attacks_mass_casualty"]
    release(m)
    return np.array(path), mass


def test_iskp_massacres_do_not_lower_taliban_legitimacy():
    """The toll of ISIS-K's massacres enters no Taliban legitimacy: with tolls of 1 or 400 the paths are
    identical (before the fix every death lowered it, and the loop ran the wrong way)."""
    attacked = 0.0
    for seed in (1, 2, 3):
        small, mass = _legitimacy_path(seed, 25, mass_casualty_deaths=1.0, hp_rate=0.2)
        large, _ = _legitimacy_path(seed, 25, mass_casualty_deaths=400.0, hp_rate=0.2)
        attacked += mass
        assert np.array_equal(small, large)
    assert attacked > 0


@pytest.mark.slow
def test_taliban_killings_of_civilians_lower_taliban_legitimacy():
    """Poorer targeting (more non-members among those the Taliban kill) lowers legitimacy: 20 paired seeds."""
    diff, half = paired_effect("mean_legitimacy", {"ejk_accuracy": 1.0}, {"ejk_accuracy": 0.3},
                               seeds=20, steps=30, how="last")
    assert diff < 0 and abs(diff) > half


@pytest.mark.slow
def test_legitimacy_harm_lowers_legitimacy_through_the_civilians_the_taliban_kill():
    """legitimacy_harm alone (no EJK penalty): the Taliban's own civilian victims cost legitimacy (20 paired seeds)."""
    ctx = {"legitimacy_ejk_penalty": 0.0}
    mean, half = paired_effect("mean_legitimacy", {**ctx, "legitimacy_harm": 0.0}, {**ctx, "legitimacy_harm": 0.5},
                               seeds=20, steps=30, how="last")
    assert mean + half < 0, f"{mean:.3f} ± {half:.3f}"


@pytest.mark.slow
def test_anger_gain_raises_grievance():
    """Anger from killings nearby (Bennett) enters grievance: a higher anger_gain, more grievance (20 paired seeds)."""
    mean, half = paired_effect("mean_grievance", {"anger_gain": 0.0}, {"anger_gain": 0.5}, seeds=20, steps=30, how="last")
    assert mean - half > 0, f"{mean:.3f} ± {half:.3f}"
