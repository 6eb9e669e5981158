"""The calibration statistics compute what their docstrings say, on tables with known answers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import patterns as P
from sim.outputs import NATIONAL_COLUMNS, PROVINCE_COLUMNS

START = pd.Timestamp("2021-08-15")


def national(seeds=(1, 2), steps=104, **constant) -> pd.DataFrame:
    """A national table in the output contract with every metric 0 except the given constants per week."""
    rows = []
    for seed in seeds:
        for s in range(steps + 1):
            row = {c: 0.0 for c in NATIONAL_COLUMNS}
            row.update(scenario="baseline", seed=seed, step=s, date=START + pd.Timedelta(days=7 * s))
            if s > 0:
                row.update(constant)
            rows.append(row)
    return pd.DataFrame(rows, columns=list(NATIONAL_COLUMNS))


def provinces(seeds=(1, 2), steps=30, per_week: dict | None = None, names=("Nangarhar", "Kunar")) -> pd.DataFrame:
    rows = []
    for seed in seeds:
        for s in range(steps + 1):
            for name in names:
                row = {c: 0.0 for c in PROVINCE_COLUMNS}
                row.update(scenario="baseline", seed=seed, step=s, province=name,
                           date=START + pd.Timedelta(days=7 * s))
                if s > 0 and name == "Nangarhar":
                    row.update(per_week or {})
                rows.append(row)
    return pd.DataFrame(rows, columns=list(PROVINCE_COLUMNS))


def test_window_total_counts_partial_weeks_pro_rata():
    nat = national(attacks_total=7.0)  # one attack per day
    got = P.window_total(nat, "attacks_total", "2021-08-19", "2021-12-31")
    days = (pd.Timestamp("2021-12-31") - pd.Timestamp("2021-08-19")).days + 1
    assert got.tolist() == pytest.approx([days, days])
    # A window inside one week gets that week's share only.
    one = P.window_total(nat, "attacks_total", "2021-08-16", "2021-08-17")
    assert one.tolist() == pytest.approx([2.0, 2.0])


def test_stock_on_reads_last_row_on_or_before_the_day():
    nat = national(steps=30)
    nat["iskp_members"] = nat["step"] * 100.0
    got = P.stock_on(nat, "iskp_members", "2022-01-02")  # exactly step 20
    assert got.tolist() == [2000.0, 2000.0]
    got = P.stock_on(nat, "iskp_members", "2022-01-08")  # before step 21's date
    assert got.tolist() == [2000.0, 2000.0]
    assert P.step_of("2022-01-02") == 20 and P.step_of("2022-02-06") == 25


def test_peak_rate_is_the_higher_monthly_mean():
    nat = national(steps=30)
    nat.loc[nat["date"].dt.month == 10, "attacks_total"] = 14.0  # 2 per day in weeks ending in October
    got = P.peak_weekly_attack_rate(nat, provinces())
    # October's weeks end on 3, 10, 17, 24, 31 Oct: Oct 1-31 all covered at 2/day = 14/week.
    assert got.tolist() == pytest.approx([14.0, 14.0])


def test_province_statistics_read_nangarhar_only():
    prov = provinces(per_week={"ejk_killed": 7.0, "surrenders": 14.0})
    prov.loc[prov["province"] == "Kunar", ["ejk_killed", "surrenders"]] = 1000.0
    nat = national(steps=30)
    ejk = P.nangarhar_ejk(nat, prov)
    days = (pd.Timestamp("2021-12-31") - START).days  # days 1..138: step 1's week starts after day 0
    assert ejk.tolist() == pytest.approx([days, days])
    sur = P.nangarhar_surrenders(nat, prov)
    assert sur.tolist() == pytest.approx([2 * (pd.Timestamp("2022-02-06") - START).days] * 2)


def test_mass_casualty_share_counts_deaths_of_weeks_with_such_attacks():
    nat = national(steps=30, civilian_deaths=10.0, taliban_deaths=0.0)
    prov = provinces(steps=30)
    week = prov["step"] == 3
    prov.loc[week & (prov["province"] == "Nangarhar"), ["attacks_mass_casualty", "civilian_deaths"]] = [1.0, 10.0]
    # Attack deaths 15 Aug - 30 Nov = 10 per week * (107 days / 7); the mass-casualty week holds 10 of them.
    expected = 10.0 / (10.0 * 107 / 7)
    assert P.mass_casualty_death_share(nat, prov).tolist() == pytest.approx([expected, expected])


def test_persistence_needs_104_weeks_and_members():
    nat = national(seeds=(1, 2, 3), steps=104)
    nat.loc[(nat["seed"] == 1) & (nat["step"] == 104), "iskp_members"] = 5.0
    got = P.persists_two_years(nat, provinces())
    assert got.tolist() == [1.0, 0.0, 0.0]
    short = national(seeds=(1,), steps=30, iskp_members=5.0)
    assert np.isnan(P.persists_two_years(short, provinces()).iloc[0])


def test_near_repeat_ratio_sees_clustering():
    rng = np.random.default_rng(1)
    prov = provinces(seeds=(1,), steps=104)
    nang = prov["province"] == "Nangarhar"
    # Attacks in bursts: weeks 10-19 and 60-69 only -> strongly clustered in time.
    prov.loc[nang & prov["step"].between(10, 19), "attacks_total"] = 1.0
    prov.loc[nang & prov["step"].between(60, 69), "attacks_total"] = 1.0
    prov.loc[~nang, "attacks_total"] = (rng.random((~nang).sum()) < 0.2).astype(float)
    clustered = P.near_repeat_ratio(national(seeds=(1,)), prov).iloc[0]
    # The same number of attack weeks spread evenly (every 5th week) shows no clustering.
    prov["attacks_total"] = 0.0
    prov.loc[nang & (prov["step"] % 5 == 0) & (prov["step"] > 0), "attacks_total"] = 1.0
    prov.loc[~nang, "attacks_total"] = (rng.random((~nang).sum()) < 0.2).astype(float)
    even = P.near_repeat_ratio(national(seeds=(1,)), prov).iloc[0]
    assert clustered > 1.5 and even < 1.1


def test_scorecard_passes_inside_band_only():
    ids = [p.id for p in P.QUANTITATIVE]
    inside = {p.id: (p.low + min(p.high, p.low * 2 + 1)) / 2 for p in P.QUANTITATIVE}
    inside["P14"] = 1.0
    stats = pd.DataFrame([inside] * 5)
    card = P.summarise(stats)
    assert card["pass"].all()
    outside = dict(inside, P5=6000.0)
    card = P.summarise(pd.DataFrame([outside] * 5))
    assert card.set_index("pattern").loc["P5", "pass"] == False  # noqa: E712
    assert card["pass"].sum() == len(ids) - 1
    assert set(card["pattern"]) == set(ids)


def test_share_summary_is_share_of_seeds():
    stats = pd.DataFrame({"P14": [1.0] * 8 + [0.0] * 2})
    card = P.summarise(stats, (P.BY_ID["P14"],))
    assert card["model"].iloc[0] == pytest.approx(0.8) and not card["pass"].iloc[0]


def test_every_pattern_has_band_source_and_window():
    for p in P.QUANTITATIVE + P.QUALITATIVE:
        assert p.low <= p.high and p.source and p.tolerance and p.target_text
        assert 1 <= p.needs_steps() <= 104


def test_statistics_are_missing_for_runs_too_short_for_the_window():
    nat = national(steps=19, attacks_total=7.0)  # ends 26 Dec 2021, before the window's 31 Dec
    stats = P.statistics(nat, provinces(steps=19))
    assert stats["P1a"].isna().all() and stats["P5"].isna().all()
    assert stats["P6a"].notna().all()  # 15 Aug - 30 Nov is covered by 19 weeks


def test_validate_cli_prints_scorecard_writes_files_and_resumes(tmp_path, capsys):
    from run import main

    out = tmp_path / "val"
    args = ["validate", "--seeds", "2", "--steps", "26", "--out", str(out), "--backend", "serial", "--quiet"]
    assert main(args) == 0
    text = capsys.readouterr().out
    for pid in ("P1a", "P5", "P9", "P14"):
        assert pid in text
    card = pd.read_csv(out / "scorecard.csv")
    assert set(card["pattern"]) >= {p.id for p in P.QUANTITATIVE}
    assert card.set_index("pattern").loc["P14", "model"] != card.set_index("pattern").loc["P14", "model"]  # NaN: 26 weeks
    assert (out / "validation.png").stat().st_size > 10_000
    assert main(args) == 0
    assert "0 run now, 2 already stored" in capsys.readouterr().out
    assert main(["validate", "--seeds", "0", "--out", str(tmp_path / "x")]) == 2
