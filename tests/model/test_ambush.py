"""Mechanism 4 (sim/model/mechanisms/ambush.py): attack chance, Deitchman's asymmetric losses, near-repeat."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from analysis.patterns import near_repeat_ratio
from sim import InsurgencyModel
from sim.model.mechanisms import ambush
from sim.runs.runner import release

unit = st.floats(0, 1)


@given(rate=st.floats(0, 1), size=st.floats(0, 10), nr=st.floats(0, 5), v=st.floats(0, 10))
def test_attack_chance_is_a_probability_rising_with_size_and_recent_violence(rate, size, nr, v):
    p = ambush.attack_chance(rate, size, nr, v)
    assert 0 <= p <= 1
    assert ambush.attack_chance(rate, size + 1, nr, v) >= p - 1e-12
    assert ambush.attack_chance(rate, size, nr, v + 1) >= p - 1e-12


def test_surprise_raises_taliban_deaths_and_lowers_attacker_losses():
    rng = np.random.default_rng(0)
    draws = {s: [ambush.ambush_outcome(rng, 1.15, 0.13, s, 700.0, 50.0, 0.5) for _ in range(3000)]
             for s in (0.1, 0.9)}
    deaths = {s: np.array([d for d, _ in draws[s]]) for s in draws}
    se = np.hypot(deaths[0.1].std(), deaths[0.9].std()) / np.sqrt(3000)
    assert deaths[0.9].mean() - deaths[0.1].mean() > 4 * se  # aimed fire works better by surprise
    assert draws[0.9][0][1] < draws[0.1][0][1]  # area fire answers worse when surprised


def test_attacker_loss_share_grows_with_the_units_strength_and_is_capped():
    rng = np.random.default_rng(1)
    _, weak = ambush.ambush_outcome(rng, 1.0, 0.13, 0.5, 10.0, 50.0, 0.5)
    _, strong = ambush.ambush_outcome(rng, 1.0, 0.13, 0.5, 5000.0, 50.0, 0.5)
    assert weak < strong <= 1.0
    assert ambush.ambush_outcome(rng, 1.0, 1.0, 0.0, 1e6, 1.0, 0.5)[1] == 1.0
    deaths, _ = ambush.ambush_outcome(rng, 100.0, 0.1, 1.0, 3.0, 50.0, 0.5)
    assert deaths <= 3  # a unit cannot lose more fighters than it has


# ---- near-repeat reads the violence where the cell's targets are (issue 11) -----------------------------
def test_a_cell_reads_the_violence_of_attacks_on_units_within_its_reach():
    """Ambush violence is marked at the struck unit, up to ambush_reach away; the cell must read it there
    (it used to read only its own square, where its attacks never fall, so near-repeat was dead)."""
    m = InsurgencyModel(rng=1)
    cell = m.iskp_cells[0]
    x, y = cell.cell.coordinate
    m.grid.violence.data[:] = 0.0
    r = m.p["ambush_reach"]
    ring = [(x + dx, y + dy) for dx in range(-r, r + 1) for dy in range(-r, r + 1) if max(abs(dx), abs(dy)) == r]
    target = next(t for t in ring if 0 <= t[0] < m.inside.shape[0] and 0 <= t[1] < m.inside.shape[1] and m.inside[t])
    m.grid.violence.data[target] = 2.0
    m.update_layers()
    assert m.grid.violence.data[x, y] == 0.0 and m.near_violence[x, y] == 2.0
    far = ambush.attack_chance(m.p["ambush_rate"], 1.0, m.p["near_repeat"], m.near_violence[x, y])
    assert far > ambush.attack_chance(m.p["ambush_rate"], 1.0, m.p["near_repeat"], 0.0)
    release(m)


def _clustering(seed: int, near_repeat: float, steps: int = 40) -> float:
    m = InsurgencyModel(rng=seed, near_repeat=near_repeat)
    for _ in range(steps):
        m.step()
    prov = m.datacollector.get_table_dataframe("provinces").assign(scenario="baseline", seed=seed)
    release(m)
    return float(near_repeat_ratio(None, prov).iloc[0])


@pytest.mark.slow
def test_near_repeat_raises_the_clustering_of_attacks_in_time():
    """P11's statistic must come from the mechanism: with near_repeat on, attacks in a province follow
    attacks there more closely than with it off (20 paired seeds, 99% t interval)."""
    diffs = np.array([_clustering(s, 3.0) - _clustering(s, 0.0) for s in range(1, 21)])
    half = stats.t.ppf(0.995, len(diffs) - 1) * diffs.std(ddof=1) / np.sqrt(len(diffs))
    assert diffs.mean() > half
