"""Docking with Epstein (2002): our recruitment rule with the ISIS-K terms off reproduces Mesa's example.

The slow tests run Mesa 3.3.1's ``epstein_civil_violence`` and ``sim.model.docking.EpsteinDocking`` (which
decides with ``sim.model.rules`` unchanged) over 30 seeds each and compare the distributions over seeds of
the mean active share and the mean jailed share with a two-sample KS test: p > 0.05 for both.
"""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from functools import partial

import numpy as np
import pytest
from scipy.stats import ks_2samp

from sim.model import rules
from sim.model.mechanisms import recruitment
from sim.model.agents import release
from sim.model.docking import ACTIVE, COP, EMPTY, EpsteinConfig, EpsteinDocking, run_mesa, run_ours, von_neumann_sites

SEEDS = range(1, 31)


def test_isis_k_terms_off_reduce_the_rule_to_epsteins():
    rng = np.random.default_rng(3)
    h, r, ideology, legit = rng.random(1000), rng.random(1000), rng.random(1000), 0.8
    appeal = recruitment.iskp_appeal(0.0, 0.0, legit, ideology, 0.0, (ideology > 0.5).astype(float), 1.0)
    pull = recruitment.iskp_pull(rules.grievance(h, legit, 0.0), ideology, appeal, 0.0)
    assert np.allclose(appeal, 1.0) and np.allclose(pull, h * (1 - legit))
    cops, actives = rng.integers(0, 10, 1000), rng.integers(1, 10, 1000)
    p = recruitment.arrest_probability(cops, actives, 2.3, rounded=True)
    mesa_p = [1 - np.exp(-2.3 * round(c / a)) for c, a in zip(cops, actives)]  # Mesa's formula, Python round
    assert np.allclose(p, mesa_p)
    assert np.array_equal(recruitment.joins(pull, r, p, 0.1), pull - r * p > 0.1)


def test_vision_is_mesas_von_neumann_neighbourhood():
    import mesa

    grid = mesa.discrete_space.OrthogonalVonNeumannGrid((40, 40), capacity=1, torus=True,
                                                        random=__import__("random").Random(1))
    sites = von_neumann_sites(40, 40, 7)
    assert sites.shape == (1600, 112)
    for x, y in [(0, 0), (5, 39), (20, 13)]:
        mesa_sites = {cx * 40 + cy for cx, cy in (c.coordinate for c in grid[(x, y)].get_neighborhood(radius=7))}
        assert set(sites[x * 40 + y].tolist()) == mesa_sites


def test_world_stays_consistent_and_runs_are_reproducible():
    model = EpsteinDocking(EpsteinConfig(legitimacy=0.6, max_jail_term=15), rng=5)
    citizens, n = model.citizens, len(model.pos)
    for _ in range(20):
        model.step()
        assert len(set(model.pos.tolist())) == n  # one agent per site
        assert np.all(model.agent_at[model.pos] == np.arange(n))
        assert (model.code == EMPTY).sum() == 1600 - n and (model.code == COP).sum() == n - citizens
        assert np.all(model.code[model.pos[model.jail > 0]] != ACTIVE)  # serving a sentence: never active
    assert run_ours(5, 20) == run_ours(5, 20)


def _compare(config: EpsteinConfig, steps: int) -> dict[str, tuple[float, float, float]]:
    workers = min(2, os.cpu_count() or 1)
    with ProcessPoolExecutor(workers) as pool:
        ours = list(pool.map(partial(run_ours, steps=steps, config=config), SEEDS))
        theirs = list(pool.map(partial(run_mesa, steps=steps, config=config), SEEDS))
    out = {}
    for key in ("active", "jailed"):
        a, b = [r[key] for r in ours], [r[key] for r in theirs]
        out[key] = (ks_2samp(a, b).pvalue, float(np.mean(a)), float(np.mean(b)))
    return out


@pytest.mark.slow
def test_docking_with_mesa_epstein_defaults():
    """Mesa's defaults (40x40 torus, v=7, densities 0.7/0.074, L=0.8, J_max=1000, T=0.1, k=2.3), 100 steps."""
    result = _compare(EpsteinConfig(), steps=100)
    for key, (p, ours, theirs) in result.items():
        assert p > 0.05, f"{key}: KS p={p:.3f}, mean over seeds ours {ours:.4f} vs Mesa {theirs:.4f}"
    assert result["jailed"][1] > 0.005  # arrests do happen, so the comparison is not of zeros


@pytest.mark.slow
def test_docking_in_the_outburst_regime():
    """Same world with short jail terms and lower legitimacy (L=0.7, J_max=30): repeated outbursts, 40 steps."""
    result = _compare(EpsteinConfig(legitimacy=0.7, max_jail_term=30), steps=40)
    for key, (p, ours, theirs) in result.items():
        assert p > 0.05, f"{key}: KS p={p:.3f}, mean over seeds ours {ours:.4f} vs Mesa {theirs:.4f}"
    assert result["active"][1] > 0.001


def _share_below_threshold(seed: int, weeks: tuple[int, ...] = (4, 13, 26)) -> list[float]:
    """Share of civilians within a recruiter's reach who fail the join rule, at the given weeks of the baseline."""
    from sim import InsurgencyModel
    from sim.model.population import Affiliation

    model = InsurgencyModel(rng=seed)
    shares = []
    for week in range(1, max(weeks) + 1):
        model.step()
        if week in weeks:
            pool = model.pool
            civ = np.flatnonzero(pool.state == Affiliation.CIVILIAN)
            cand = civ[model.reach.ravel()[pool.home[civ]] >= 0]
            willing = recruitment.would_join_iskp(model, cand, pool.grievance(cand, model.legitimacy),
                                                  recruitment.risk(model, cand))
            shares.append(1.0 - float(willing.mean()))
    release(model)
    return shares


@pytest.mark.slow
def test_join_rule_binds_in_the_full_model():
    """Docking certifies the rule; here it must also bind: a sizeable share of the civilians a cell can
    reach are below the threshold (before risk was counted in people, 9-25%)."""
    shares = np.array([_share_below_threshold(seed) for seed in range(1, 11)])
    assert shares.mean() > 0.3, shares.round(2)
    assert shares.min() > 0.15, shares.round(2)
