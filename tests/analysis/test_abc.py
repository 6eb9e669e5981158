"""ABC-SMC pieces without model runs: the band distance, the priors, and posterior loading and drawing."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from analysis import abc_distance as D
from analysis import patterns as P
from analysis.calibrate import free_parameters, priors
from analysis.posterior import draw, load_posterior, overrides
from sim.errors import UserError
from sim.inputs.parameters import PARAMS

ALL = D.abc_patterns(104)
DIST = D.BandDistance(tuple(p.id for p in ALL))


def inside() -> dict[str, float]:
    """A summary inside every band (its middle)."""
    return {p.id: (p.low + p.high) / 2 for p in ALL}


def test_calibration_set_is_dated_patterns_plus_the_two_long_run_shapes():
    assert [p.id for p in ALL] == list(D.ABC_IDS)
    late = [p.id for p in ALL if p.until > "2022-02-06"]
    assert set(late) == {"P8b", "P5b", "P14"}  # P8b: UNAMA's window; P5b and P14: the allowed shapes
    assert "P11" not in D.ABC_IDS and all(np.isfinite(p.high) for p in ALL)
    assert [p.id for p in D.abc_patterns(26)] == ["P1a", "P1b", "P5", "P6a", "P6b", "P8a", "P9", "P9n", "P12"]


def test_distance_is_zero_inside_every_band_and_on_its_bounds():
    assert DIST(inside()) == 0.0
    assert DIST({p.id: p.low for p in ALL}) == 0.0
    assert DIST({p.id: p.high for p in ALL}) == 0.0


@pytest.mark.parametrize("pattern", ALL, ids=lambda p: p.id)
def test_distance_grows_with_the_scaled_gap_outside_a_band(pattern):
    width = pattern.high - pattern.low
    for side, bound in ((+1, pattern.high), (-1, pattern.low)):
        ds = [DIST(dict(inside(), **{pattern.id: bound + side * k * width / 4})) for k in (1, 2, 4)]
        assert ds == pytest.approx([0.25, 0.5, 1.0])


def test_upper_bounds_bind_p8b_and_the_national_surrender_flow():
    assert P.BY_ID["P8b"].high == pytest.approx(1050.0)
    assert DIST(dict(inside(), P8b=P.BY_ID["P8b"].high * 2)) > 1.0
    assert P.BY_ID["P9n"].low == 250 and P.BY_ID["P9n"].high == 500
    assert DIST(dict(inside(), P9n=2200.0)) == pytest.approx((2200 - 500) / 250)  # ~2,200: the old model's flow
    assert DIST(dict(inside(), P9n=200.0)) == pytest.approx(50 / 250)


def test_missing_statistics_count_as_one_band_width():
    assert DIST(dict(inside(), P6b=np.nan)) == pytest.approx(D.MISSING)
    x = inside()
    del x["P14"]
    assert DIST(x) == pytest.approx(D.MISSING)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(-1e5, 1e5, allow_nan=False), min_size=len(ALL), max_size=len(ALL)))
def test_distance_is_zero_exactly_when_every_summary_passes(values):
    x = {p.id: v for p, v in zip(ALL, values)}
    passes = all(p.low <= x[p.id] <= p.high for p in ALL)
    d = DIST(x)
    assert d >= 0 and (d == 0) == passes
    gaps = DIST.gaps(x)
    assert d == pytest.approx(np.sqrt(sum(g * g for g in gaps.values())))


def test_summary_statistics_are_the_scorecard_medians_and_shares():
    from test_patterns import national, provinces

    nat, prov = national(seeds=(1, 2, 3), steps=104), provinces(seeds=(1, 2, 3), steps=104)
    x = D.summary_statistics(nat, prov, ALL)
    card = P.summarise(P.statistics(nat, prov, ALL), ALL).set_index("pattern")["model"]
    assert x == pytest.approx(card.to_dict(), nan_ok=True) and set(x) == set(D.ABC_IDS)


def test_priors_cover_every_unsourced_parameter_over_the_table_ranges():
    unsourced = {n for n, p in PARAMS.items() if p.source.startswith("[E]") and p.kind in (int, float)}
    prs = priors()
    assert {p.name for p in prs} == unsourced - {"scale", "steps"} and "recruit_pool" in free_parameters()
    for p in prs:
        table = PARAMS[p.name]
        assert (p.low, p.high) == (table.low, table.high) and p.integer == (table.kind is int)
        assert p.value(-np.inf) == pytest.approx(table.low) and p.value(np.inf) == pytest.approx(table.high)
        assert p.value(-40.0) == pytest.approx(table.low) and p.value(40.0) == pytest.approx(table.high)
        lo, hi = p.bounds
        assert p.coordinate((lo + hi) / 2) == pytest.approx(0.0) and table.low <= p.value(0.0) <= table.high
        for u in np.linspace(lo, hi, 7)[1:-1]:
            assert p.uniform(p.coordinate(u)) == pytest.approx(u)
    by_name = {p.name: p for p in prs}
    assert by_name["recruit_pool"].log and by_name["recruit_pool"].key == "probit_log10_recruit_pool"
    assert by_name["recruit_pool"].value(by_name["recruit_pool"].coordinate(4.5)) == 31623
    assert not by_name["ambush_rate"].log and by_name["ambush_rate"].key == "probit_ambush_rate"
    with pytest.raises(UserError, match="ejk_share"):  # sourced (HRW/UNAMA): not calibrated
        priors(["ejk_share"])



def test_narrowed_priors_keep_the_table_shape_and_refuse_ranges_outside_it():
    pool, rate = priors(["recruit_pool=10000:100000", "ambush_rate = 0.02:0.3"])
    assert (pool.low, pool.high, pool.log, pool.integer) == (10000, 100000, True, True)
    assert pool.value(-40.0) == 10000 and pool.value(40.0) == 100000 and pool.value(0.0) == 31623
    assert (rate.low, rate.high, rate.log) == (0.02, 0.3, False)  # the table's [0, 1] range is not log
    assert rate.value(0.0) == pytest.approx(0.16)
    for bad, words in (("ambush_rate=0.5:2", "allowed range"), ("ambush_rate=0.3:0.02", "LOW < HIGH"),
                       ("ambush_rate=0.1", "NAME=LOW:HIGH"), ("ambush_rate=a:b", "NAME=LOW:HIGH"),
                       ("ejk_share=0.1:0.5", "cannot be calibrated")):
        with pytest.raises(UserError, match=words):
            priors([bad])

def write_posterior(path, rows: list[dict]) -> None:
    pd.DataFrame(rows).to_csv(path, index=False)


def test_load_posterior_checks_columns_weights_and_ranges(tmp_path):
    good = tmp_path / "good.csv"
    write_posterior(good, [{"hp_rate": 0.1, "recruit_pool": 20000, "weight": 0.25, "distance": 0.0},
                           {"hp_rate": 0.2, "recruit_pool": 40000, "weight": 0.75, "distance": 0.0}])
    post = load_posterior(good)
    assert post.names == ["hp_rate", "recruit_pool"] and post.weights.tolist() == [0.25, 0.75]
    assert overrides(post.particles.iloc[1]) == {"hp_rate": 0.2, "recruit_pool": 40000}
    assert isinstance(overrides(post.particles.iloc[1])["recruit_pool"], int)
    for name, rows, message in (
            ("neg.csv", [{"hp_rate": 0.1, "weight": 1.5}, {"hp_rate": 0.2, "weight": -0.5}], ">= 0"),
            ("unknown.csv", [{"hp_rat": 0.1, "weight": 1.0}], "hp_rat"),
            ("range.csv", [{"hp_rate": 3.0, "weight": 1.0}], "hp_rate"),
            ("noweight.csv", [{"hp_rate": 0.1}], "'weight'")):
        write_posterior(tmp_path / name, rows)
        with pytest.raises(UserError, match=message):
            load_posterior(tmp_path / name)
    (tmp_path / "binary.csv").write_bytes(b"\xff\xfe\x00hp_rate")
    with pytest.raises(UserError):
        load_posterior(tmp_path / "binary.csv")


def test_draws_follow_the_weights_and_repeat_for_a_seed(tmp_path):
    path = tmp_path / "post.csv"
    weights = np.array([0.5, 0.3, 0.2, 0.0])
    write_posterior(path, [{"hp_rate": 0.1 * (i + 1), "weight": w} for i, w in enumerate(weights)])
    post = load_posterior(path)
    a, b = draw(post, 2000, seed=7), draw(post, 2000, seed=7)
    pd.testing.assert_frame_equal(a, b)
    assert not draw(post, 2000, seed=8)["particle"].equals(a["particle"])
    assert (a["hp_rate"] == post.particles["hp_rate"].to_numpy()[a["particle"]]).all()
    counts = np.bincount(a["particle"], minlength=4)
    assert counts[3] == 0  # a particle of weight 0 is never drawn
    assert stats.chisquare(counts[:3], 2000 * weights[:3]).pvalue > 0.001
    with pytest.raises(UserError):
        draw(post, 0, seed=1)


def test_new_statistics_read_their_windows():
    from test_patterns import national, provinces

    nat = national(surrenders=7.0)  # one surrender a day
    days = (pd.Timestamp("2021-11-07") - pd.Timestamp("2021-08-15")).days  # days 1.. of the window
    assert P.national_surrenders_early(nat, provinces()).tolist() == pytest.approx([days, days])
    nat["iskp_members"] = nat["step"] * 10.0
    assert P.members_mid_2023(nat, provinces()).tolist() == [990.0, 990.0]  # 15 Jul 2023 falls in week 100
    assert P.BY_ID["P5b"].needs_steps() == 100 and P.BY_ID["P9n"].needs_steps() == 12


def test_the_probit_coordinates_keep_the_prior_uniform_over_the_table_range():
    """pyabc samples standard normal z; mapped back, every parameter is uniform on its range (KS)."""
    from analysis.calibrate import pyabc_prior

    prs = priors()
    prior = pyabc_prior(prs)
    np.random.seed(0)
    draws = [prior.rvs() for _ in range(2000)]
    pvalues = []
    for p in prs:
        lo, hi = p.bounds
        u = p.uniform(np.array([float(d[p.key]) for d in draws]))
        assert ((u >= lo) & (u <= hi)).all()
        pvalues.append(stats.kstest(u, stats.uniform(lo, hi - lo).cdf).pvalue)
    # 57 independent tests of a true null: p-values are uniform; at most a few below 0.01 by chance
    assert sum(pv < 0.01 for pv in pvalues) <= 3 and stats.kstest(pvalues, "uniform").pvalue > 0.001
