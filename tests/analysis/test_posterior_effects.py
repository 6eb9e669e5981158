"""Effects over posterior sets x seeds (issue 13): on synthetic runs whose effect's sign depends on one
parameter, the robustness share and the deciding parameter come out as constructed."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import stats

OUT = "iskp_members_final"


def posterior_runs(sets: int = 120, seeds: int = 4, threshold: float = 0.3, slope: float = 400.0,
                   noise: float = 5.0, rng_seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """Runs of baseline and 'policy' on ``sets`` posterior sets; the policy's effect is slope * (x - threshold),
    so it is positive exactly where x > threshold; y and z are parameters that do not matter."""
    rng = np.random.default_rng(rng_seed)
    params = pd.DataFrame({"x": rng.uniform(0, 1, sets), "y": rng.uniform(0, 1, sets), "z": rng.uniform(0, 1, sets)})
    true = slope * (params["x"].to_numpy() - threshold)
    rows = []
    for s in range(sets):
        for seed in range(1, seeds + 1):
            shared = 1000 + 2000 * params["y"][s] + 300 * rng.standard_normal()   # cancels in the pair
            for scenario, effect in (("baseline", 0.0), ("policy", true[s])):
                rows.append({"scenario": scenario, "point": s, "posterior_set": s, "seed": seed,
                             **params.iloc[s].to_dict(), OUT: shared + effect + noise * rng.standard_normal()})
    return pd.DataFrame(rows), true


def test_robustness_share_and_deciding_parameter_come_out_as_constructed():
    runs, true = posterior_runs()
    eff = stats.posterior_effects(runs, [OUT], n_resamples=2000).iloc[0]
    expected = float((true > 0).mean())                   # the sets where the effect is positive
    assert 0.6 < expected < 0.8 and eff["median"] > 0
    assert eff["robust"] == pytest.approx(expected, abs=2 / len(true)), "at most a couple of sets near x = 0.3 flip"
    assert eff["sets"] == len(true) and eff["n"] == 4 * len(true)
    assert eff["p05"] < 0 < eff["p95"], "the 90% interval over sets x seeds spans both signs"
    assert eff["ci_low"] <= true.mean() <= eff["ci_high"]
    per_set = stats.set_effects(runs, [OUT]).set_index("posterior_set").sort_index()
    params = runs.drop_duplicates("posterior_set").set_index("posterior_set")[["x", "y", "z"]].sort_index()
    found = stats.deciding_parameters(per_set, params, direction=np.sign(eff["median"]))
    assert found[0]["parameter"] == "x" and found[0]["works_when"] == "higher"
    assert found[0]["importance"] > 0.6 and all(f["parameter"] != "x" for f in found[1:])


def test_an_effect_of_one_sign_everywhere_is_fully_robust_and_names_no_parameter():
    runs, true = posterior_runs(threshold=-0.5)          # positive for every x in [0, 1]
    eff = stats.posterior_effects(runs, [OUT], n_resamples=2000).iloc[0]
    assert eff["robust"] == 1.0 and eff["ci_low"] > 0
    per_set = stats.set_effects(runs, [OUT]).set_index("posterior_set")
    params = runs.drop_duplicates("posterior_set").set_index("posterior_set")[["x", "y", "z"]]
    assert stats.deciding_parameters(per_set, params, 1.0) == []


@pytest.mark.slow
def test_the_interval_of_the_mean_resamples_sets_not_seeds():
    """Seeds within a set share its parameters; a CI over pooled pairs would be too narrow. Over many
    synthetic posteriors the set-level bootstrap covers the true mean effect about 95% of the time."""
    covered = 0
    trials = 120
    for k in range(trials):
        runs, true = posterior_runs(sets=30, seeds=5, threshold=0.3, slope=400.0, noise=40.0, rng_seed=100 + k)
        eff = stats.posterior_effects(runs, [OUT], n_resamples=1000, seed=k).iloc[0]
        covered += eff["ci_low"] <= 400.0 * (0.5 - 0.3) <= eff["ci_high"]   # E[slope (x - t)] with x ~ U(0, 1)
    share = covered / trials
    assert abs(share - 0.95) < 3 * np.sqrt(0.95 * 0.05 / trials) + 0.03, share
