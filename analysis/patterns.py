"""Calibration patterns (docs/calibration.md §1): what the record says, and the model statistic that is compared with it.

Each quantitative pattern is a pure function from the national and province tables of many runs (the
columns of ``sim.outputs``; rows per run and step) to one number per run, plus a target, a tolerance
band and the sources. A pattern *passes* when the median over seeds lies inside the band (``share``
patterns: when the share of seeds with a true statistic lies inside it). The calendar enters only
through the dates of the windows below; the model itself never reads them.

Time convention. The row of step ``s`` carries ``date = start + 7 s`` and its flows were counted during
the week ending on that date, i.e. in the days (date - 7, date]. A flow summed over a window of calendar
days [first, last] weights each row by the share of its week that falls inside the window, so windows
need not start on a step boundary (19 Aug 2021 is day 4 of step 1); the takeover day itself (day 0),
which the scheduled events count in step 1, lies before step 1's week, so a window from 15 Aug covers
days 1.. and takes step 1 whole. A stock "on" a date is read from the last row dated on or before it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd

from analysis.outcomes import run_keys

Statistic = Callable[[pd.DataFrame, pd.DataFrame], pd.Series]
DAY = pd.Timedelta(days=1)


# ---------------------------------------------------------------------------------------------- helpers
def _day(text: str) -> pd.Timestamp:
    return pd.Timestamp(text)


def _week_weights(dates: pd.Series, first: str, last: str) -> np.ndarray:
    """Share of each row's week (date - 7 days, date] inside the calendar days [first, last]."""
    end = pd.to_datetime(dates)
    lo = np.maximum(end - 7 * DAY, _day(first) - DAY)
    hi = np.minimum(end, _day(last))
    return np.clip((hi - lo) / DAY, 0.0, 7.0) / 7.0


def window_total(table: pd.DataFrame, metric: str, first: str, last: str) -> pd.Series:
    """Per run: a flow ``metric`` summed over the calendar days [first, last] (partial weeks pro rata)."""
    w = _week_weights(table["date"], first, last)
    return (table[metric] * w).groupby([table[k] for k in run_keys(table)]).sum()


def stock_on(table: pd.DataFrame, metric: str, day: str) -> pd.Series:
    """Per run: a stock ``metric`` at the end of the last week dated on or before ``day``."""
    rows = table[pd.to_datetime(table["date"]) <= _day(day)]
    return rows.sort_values("step").groupby(run_keys(rows))[metric].last()


def step_of(day: str, start: str = "2021-08-15") -> int:
    """The step whose week contains ``day`` (how many weeks a run needs to cover a window)."""
    return int(np.ceil((_day(day) - _day(start)) / (7 * DAY)))


def fmt(x: float) -> str:
    """A number as the scorecard shows it: 3 significant digits, thousands grouped, n/a for NaN."""
    if np.isnan(x):
        return "n/a"
    return f"{x:.3g}" if abs(x) < 100 else f"{x:,.0f}"


def _province(provinces: pd.DataFrame, name: str) -> pd.DataFrame:
    return provinces[provinces["province"] == name]


def _monthly_weekly_rate(national: pd.DataFrame, month: str) -> pd.Series:
    first = _day(month + "-01")
    last = first + pd.offsets.MonthEnd(0)
    days = (last - first) / DAY + 1
    return window_total(national, "attacks_total", str(first.date()), str(last.date())) * 7.0 / days


# ------------------------------------------------------------------------------------------- statistics
def attacks_after_takeover(national: pd.DataFrame, provinces: pd.DataFrame) -> pd.Series:
    """P1a: ISIS-K attacks of every kind, 19 Aug - 31 Dec 2021 (the UN SG's window)."""
    return window_total(national, "attacks_total", "2021-08-19", "2021-12-31")


def peak_weekly_attack_rate(national: pd.DataFrame, provinces: pd.DataFrame) -> pd.Series:
    """P1b: the higher of the mean weekly attack rates of September and October 2021 (Lyons' months)."""
    return np.maximum(_monthly_weekly_rate(national, "2021-09"), _monthly_weekly_rate(national, "2021-10"))


def members_early_2022(national: pd.DataFrame, provinces: pd.DataFrame) -> pd.Series:
    """P5: ISIS-K members on 2 Jan 2022 (week 20)."""
    return stock_on(national, "iskp_members", "2022-01-02")


def mass_casualty_attacks(national: pd.DataFrame, provinces: pd.DataFrame) -> pd.Series:
    """P6a: mass-casualty attacks 15 Aug - 30 Nov 2021."""
    return window_total(national, "attacks_mass_casualty", "2021-08-15", "2021-11-30")


def mass_casualty_death_share(national: pd.DataFrame, provinces: pd.DataFrame) -> pd.Series:
    """P6b: share of deaths in ISIS-K attacks, 15 Aug - 30 Nov 2021, that fall in mass-casualty attacks.

    The tables do not split deaths by attack type, so the numerator is the civilian deaths of every
    province-week with a mass-casualty attack (it also holds that province-week's routine deaths, ~1 against
    ~40, a small upward bias); the denominator is all civilian deaths except non-members killed
    extrajudicially, plus Taliban deaths. Runs without any attack death give NaN.
    """
    first, last = "2021-08-15", "2021-11-30"
    mc = provinces[provinces["attacks_mass_casualty"] > 0]
    numerator = window_total(mc, "civilian_deaths", first, last)
    attack_deaths = (window_total(national, "civilian_deaths", first, last)
                     - window_total(national, "ejk_nonmembers", first, last)
                     + window_total(national, "taliban_deaths", first, last))
    numerator = numerator.reindex(attack_deaths.index, fill_value=0.0)
    return (numerator / attack_deaths.where(attack_deaths > 0)).clip(upper=1.0)


def nangarhar_ejk(national: pd.DataFrame, provinces: pd.DataFrame) -> pd.Series:
    """P8a: extrajudicial killings in Nangarhar, 15 Aug - 31 Dec 2021."""
    return window_total(_province(provinces, "Nangarhar"), "ejk_killed", "2021-08-15", "2021-12-31")


def national_ejk_unama(national: pd.DataFrame, provinces: pd.DataFrame) -> pd.Series:
    """P8b: extrajudicial killings nationwide, 15 Aug 2021 - 15 Jun 2022 (UNAMA's window)."""
    return window_total(national, "ejk_killed", "2021-08-15", "2022-06-15")


def national_surrenders_early(national: pd.DataFrame, provinces: pd.DataFrame) -> pd.Series:
    """P9n: surrenders nationwide, 15 Aug - 7 Nov 2021 (the report of 7 Nov 2021)."""
    return window_total(national, "surrenders", "2021-08-15", "2021-11-07")


def members_mid_2023(national: pd.DataFrame, provinces: pd.DataFrame) -> pd.Series:
    """P5b: ISIS-K members on 15 Jul 2023 (week 99), the long-run strength shape."""
    return stock_on(national, "iskp_members", "2023-07-15")


def nangarhar_surrenders(national: pd.DataFrame, provinces: pd.DataFrame) -> pd.Series:
    """P9: surrenders in Nangarhar, 15 Aug 2021 - 6 Feb 2022 (scheduled groups and elder-brokered ones)."""
    return window_total(_province(provinces, "Nangarhar"), "surrenders", "2021-08-15", "2022-02-06")


def taliban_loss_share(national: pd.DataFrame, provinces: pd.DataFrame) -> pd.Series:
    """P12: Taliban deaths 15 Aug - 31 Dec 2021 as a share of the Taliban strength at the start."""
    start = national.sort_values("step").groupby(run_keys(national))["taliban_strength"].first()
    return window_total(national, "taliban_deaths", "2021-08-15", "2021-12-31") / start


def persists_two_years(national: pd.DataFrame, provinces: pd.DataFrame) -> pd.Series:
    """P14: 1 if ISIS-K still has members at week 104, else 0 (runs shorter than 104 weeks: NaN)."""
    last = national.sort_values("step").groupby(run_keys(national))[["step", "iskp_members"]].last()
    return (last["iskp_members"] > 0).astype(float).where(last["step"] >= 104)


def near_repeat_ratio(national: pd.DataFrame, provinces: pd.DataFrame, lag: int = 10, shuffles: int = 20) -> pd.Series:
    """P11 (qualitative): how strongly attacks in a province follow attacks there in the previous ``lag``
    weeks, relative to the same province's attacks placed at random in time.

    S = sum over provinces and weeks of attacks(t) x attacks(t-1 .. t-lag); the statistic is S divided by
    its mean over ``shuffles`` within-province permutations of the weeks (fixed generator, deterministic),
    which keep each province's total. Values > 1 mean clustering in time beyond each province's own rate
    (near-repeat; Chuang et al. 2019: ~10 weeks for IS), though slow trends in a province also raise it.
    """
    rng = np.random.default_rng(0)
    keys = run_keys(provinces)
    out = {}
    for key, run in provinces[provinces["step"] > 0].groupby(keys):
        x = run.pivot_table(index="step", columns="province", values="attacks_total", aggfunc="sum").to_numpy()

        def follow(a: np.ndarray) -> float:
            c = np.vstack([np.zeros((1, a.shape[1])), np.cumsum(a, axis=0)])
            t = np.arange(len(a))
            recent = c[t] - c[np.maximum(t - lag, 0)]  # attacks in weeks t-lag .. t-1
            return float((a * recent).sum())

        expected = np.mean([follow(rng.permuted(x, axis=0)) for _ in range(shuffles)])
        out[key] = follow(x) / expected if expected > 0 else np.nan
    index = pd.MultiIndex.from_tuples(list(out), names=keys)
    return pd.Series(list(out.values()), index=index if len(keys) > 1 else index.get_level_values(0), dtype=float)


# --------------------------------------------------------------------------------------------- patterns
@dataclass(frozen=True)
class Pattern:
    """One calibration pattern: a per-run statistic, the record's target and the accepted band."""

    id: str
    title: str
    statistic: Statistic
    target: float  # point value of the record (NaN when the record gives only a bound or a shape)
    low: float
    high: float
    unit: str
    target_text: str
    tolerance: str
    source: str
    until: str  # last calendar day the statistic reads: runs must cover it
    summary: str = "median"  # "median" of the per-run values, or "share" of runs where the value is 1

    def needs_steps(self, start: str = "2021-08-15") -> int:
        return step_of(self.until, start)

    def band_text(self) -> str:
        if np.isinf(self.high):
            return f">= {fmt(self.low)}"
        return f"{fmt(self.low)} - {fmt(self.high)}"


# P8b's upper bound [E]: P8a's upper band (240 killings in the 139 days 15 Aug - 31 Dec 2021) at the same rate
# over UNAMA's 305 days (15 Aug 2021 - 15 Jun 2022), doubled for the provinces outside Nangarhar.
P8B_HIGH = float(round(2 * 240 * 305 / 139, -1))

QUANTITATIVE: tuple[Pattern, ...] = (
    Pattern(
        "P1a", "Post-takeover surge: attacks 19 Aug - 31 Dec 2021", attacks_after_takeover,
        152, 152 / 1.4, 152 * 1.4, "attacks", "152",
        "x/÷ 1.4: series that count the same attacks differ by this factor (UN 60 vs ITIC claims 82 for "
        "2020); claimed vs attributed attacks and the exact window add similar uncertainty (docs/sources.md#itic2022)",
        "UN SG A/76/667-S/2022/64, 28 Jan 2022 (docs/sources.md#unsg2022jan)", "2021-12-31"),
    Pattern(
        "P1b", "Peak of the surge: weekly attack rate, Sep-Oct 2021", peak_weekly_attack_rate,
        10.8, 10.8 / 1.4, 10.8 * 1.4, "attacks/week", "8.9 (Sep), 10.8 (Oct)",
        "x/÷ 1.4 around Oct's 10.8, the same counting factor as P1a; the statistic is the higher of the two "
        "monthly means, so weekly noise does not inflate it",
        "SRSG Lyons, UNSC 17 Nov 2021: 38 (Sep), 48 (Oct) (docs/sources.md#lyons2021)", "2021-10-31"),
    Pattern(
        "P5", "Strength after the prison releases: members on 2 Jan 2022 (week 20)", members_early_2022,
        4000, 3000, 5000, "members", "~2,200 -> ~4,000",
        "3,000-5,000 [E]: the band around the UN's ~4,000; UN estimates of ISIS-K strength disagree by "
        "more than ±25% (1,000-2,200 in Feb 2021; 500-1,500 vs 'up to 10,000' in Jul 2021)",
        "UN SG S/2022/63 (Feb 2022) via Washington Examiner (docs/sources.md#unsg2022feb)", "2022-01-02"),
    Pattern(
        "P5b", "Long-run strength: members on 15 Jul 2023 (week 99)", members_mid_2023,
        3500, 2000, 5000, "members", "4,000-6,000 incl. families",
        "2,000-5,000 [E]: the model counts members, not families; fighters ~2,000-4,000 if families are 1/3 to 1/2 "
        "([E]), 4,000-5,000 fighters in AfIntl's reading of the same report. A shape the "
        "issue allows (P5 long run), not a point to fit",
        "UN SG 17th strategic-level report, Aug 2023 (docs/sources.md#unsg2023aug)", "2023-07-15"),
    Pattern(
        "P6a", "Mass-casualty attacks are rare: 15 Aug - 30 Nov 2021", mass_casualty_attacks,
        4, 2, 7, "attacks", "4",
        "2-7: four is one draw of a rare-event count (a Poisson mean of 4 gives 1-7 in 90% of histories) and "
        "the hospital attack (19-25 killed) sits on the >=20-killed threshold",
        "Pentagon, AFP, Reuters, MoPH figures (docs/sources.md#the-big-attacks-of-2021)", "2021-11-30"),
    Pattern(
        "P6b", "... but dominate deaths: mass-casualty share of attack deaths, 15 Aug - 30 Nov 2021",
        mass_casualty_death_share, 0.65, 0.5, 0.85, "share",
        "~0.65 [E] ('dominate deaths')",
        "0.5-0.85: 'dominate' means more than half; ~0.65 = >=283 killed in the 4 attacks against ~150 in ~115 "
        "routine attacks; the upper end allows the high tolls (373) and fewer deaths per routine attack. "
        "Routine deaths [E]: ITIC 2021 casualties 2,210 minus ~740 in the big attacks over ~360 attacks = ~4 "
        "casualties, ~1.3 killed, per routine attack",
        "docs/sources.md#the-big-attacks-of-2021; ITIC via VOA (docs/sources.md#itic2022)", "2021-11-30"),
    Pattern(
        "P8a", "Extrajudicial killings in Nangarhar, 15 Aug - 31 Dec 2021", nangarhar_ejk,
        118, 80, 240, "people", "118 (~6/week)",
        "80-240: registered bodies undercount killings (bodies not found or not brought in: up to x2); the "
        "lower end allows some registered bodies not to be Taliban killings of suspects (HRW counted 54 in one "
        "canal stretch in Nov alone)",
        "HRW, 7 Jul 2022, Nangarhar healthcare workers (docs/sources.md#hrw2022)", "2021-12-31"),
    Pattern(
        "P8b", "Extrajudicial killings nationwide, 15 Aug 2021 - 15 Jun 2022", national_ejk_unama,
        59, 59, P8B_HIGH, "people", ">= 59 (UNAMA)",
        "59 to ~1,050: UNAMA verification lags and misses cases, so the model must reach at least 59; the upper "
        "bound [E] is P8a's upper rate (240 in 15 Aug-31 Dec 2021) over UNAMA's 305 days, doubled for the rest of "
        "the country (the record places the killings in Nangarhar and Kunar: HRW, BBC)",
        "UNAMA, 20 Jul 2022 (docs/sources.md#unama2022)", "2022-06-15"),
    Pattern(
        "P9", "Surrenders in Nangarhar, 15 Aug 2021 - 6 Feb 2022", nangarhar_surrenders,
        550, 500, 750, "people", "> 500 (~100/month)",
        "500-750: 'more than 500'; 8 groups of 35-65 plus 149 earlier individual surrenders gives at most ~670",
        "Nangarhar intelligence via TOLOnews, 6 Feb 2022; Xinhua/Anadolu (docs/sources.md#surrenders)", "2022-02-06"),
    Pattern(
        "P9n", "Surrenders nationwide, 15 Aug - 7 Nov 2021", national_surrenders_early,
        250, 250, 500, "people", "> 250 ('in the last two months')",
        "250-500: 'more than 250' nationally; Nangarhar's sourced groups alone make 269 by 5 Nov (149 + 65 + 55), "
        "so the surrenders were mostly there; the upper end allows reports to miss up to half (as P8a's x2)",
        "East Coast Daily, 7 Nov 2021 (docs/sources.md#eastcoast2021); Xinhua/Anadolu (docs/sources.md#surrenders)", "2021-11-07"),
    Pattern(
        "P12", "De-escalation: Taliban deaths 15 Aug - 31 Dec 2021 / Taliban strength", taliban_loss_share,
        np.nan, 0.0, 0.02, "share", "small (clashes -91%)",
        "<= 2% in 4.5 months (~5%/year) [E]: the Taliban-ISIS-K war is low-intensity next to the pre-takeover "
        "war whose clashes were ~50x as frequent",
        "UN SG Jan 2022 (docs/sources.md#unsg2022jan)", "2021-12-31"),
    Pattern(
        "P14", "Persistence: ISIS-K still has members at week 104 (share of seeds)", persists_two_years,
        1.0, 0.9, 1.0, "share of seeds", "not eradicated",
        ">= 90% of seeds ('the large majority')",
        "UN SG Aug 2023 (docs/sources.md#unsg2023aug); Kress & Szechtman 2009 (docs/sources.md#kress2009); Phillips 2015 (docs/sources.md#phillips2015)", "2023-08-13", summary="share"),
)

QUALITATIVE: tuple[Pattern, ...] = (
    Pattern(
        "P11", "Near-repeat: attack weeks cluster within 10 weeks in a province (ratio to shuffled)",
        near_repeat_ratio, 1.0, 1.0, np.inf, "ratio", "> 1 (~10 weeks)",
        "qualitative: the median ratio must exceed 1 (province, not 20 km, resolution)",
        "Chuang et al. PNAS 2019 (docs/sources.md#chuang2019)", "2023-08-13"),
)
# P10 (Salafi persecution: backfire vs deterrence) needs paired runs under two parameter sets, so it is a
# test (tests/model/test_salafi.py), not a statistic of the baseline.

BY_ID = {p.id: p for p in QUANTITATIVE + QUALITATIVE}


@dataclass(frozen=True)
class Observation:
    """One figure of the record drawn against the model: a point (first == last) or a mean over a span."""

    series: str      # key of the chart panel (see analysis.validate.PANELS)
    first: str
    last: str
    value: float
    low: float | None = None   # bounds of an estimate; low alone (high None) marks "at least"
    high: float | None = None
    label: str = ""


RECORD: tuple[Observation, ...] = (
    # Weekly attack rates: Lyons' monthly counts and the UN SG's window mean (docs/sources.md#attacks).
    Observation("attacks_week", "2021-08-16", "2021-08-31", 13 * 7 / 16, label="Lyons: 13 in late Aug"),
    Observation("attacks_week", "2021-09-01", "2021-09-30", 38 * 7 / 30, label="Lyons: 38 in Sep"),
    Observation("attacks_week", "2021-10-01", "2021-10-31", 48 * 7 / 31, label="Lyons: 48 in Oct"),
    Observation("attacks_week", "2021-08-19", "2021-12-31", 152 * 7 / 135, label="UN SG: 152, 19 Aug-31 Dec"),
    # ISIS-K strength (docs/sources.md#isis-k-strength).
    Observation("members", "2021-08-15", "2021-08-15", 2200, label="UN: ~2,200 before Aug 2021"),
    Observation("members", "2022-01-02", "2022-01-02", 4000, 3000, 5000, label="UN SG: approaching 4,000"),
    Observation("members", "2023-07-15", "2023-07-15", 5000, 4000, 6000, label="UN SG: 4,000-6,000 incl. families"),
    # Extrajudicial killings (docs/sources.md#extrajudicial-killings).
    Observation("ejk_nangarhar", "2021-12-31", "2021-12-31", 118, 80, 240, label="HRW: 118 bodies, Aug-Dec"),
    Observation("ejk_nangarhar", "2022-04-30", "2022-04-30", 100, 100, None, label="HRW: >100 in one canal by Apr"),
    Observation("ejk_national", "2022-06-15", "2022-06-15", 59, 59, None, label="UNAMA: 59 verified"),
    # Nangarhar surrenders, cumulative (docs/sources.md#surrenders).
    Observation("surrenders_nangarhar", "2021-10-30", "2021-10-30", 149, label="149 before 31 Oct"),
    Observation("surrenders_nangarhar", "2021-10-31", "2021-10-31", 214, label="+65 on 31 Oct"),
    Observation("surrenders_nangarhar", "2021-11-05", "2021-11-05", 269, label="+55 on 5 Nov"),
    Observation("surrenders_nangarhar", "2022-02-06", "2022-02-06", 550, 500, 750, label="> 500 by 6 Feb 2022"),
    # Mass-casualty attacks, cumulative (docs/sources.md#the-big-attacks-of-2021).
    Observation("mass_casualty", "2021-08-26", "2021-08-26", 1, label="Kabul airport"),
    Observation("mass_casualty", "2021-10-08", "2021-10-08", 2, label="Kunduz"),
    Observation("mass_casualty", "2021-10-15", "2021-10-15", 3, label="Kandahar"),
    Observation("mass_casualty", "2021-11-02", "2021-11-02", 4, label="military hospital"),
)


def statistics(national: pd.DataFrame, provinces: pd.DataFrame,
               patterns: tuple[Pattern, ...] = QUANTITATIVE) -> pd.DataFrame:
    """One row per run (scenario, point, seed), one column per pattern id; NaN where a run is too short
    to cover the pattern's window (so a 30-week run never passes a pattern about week 104 by default)."""
    covered = national.groupby(run_keys(national))["step"].max()
    out = pd.DataFrame({p.id: p.statistic(national, provinces) for p in patterns}).reindex(covered.index)
    for p in patterns:
        out.loc[covered < p.needs_steps(), p.id] = np.nan
    return out


def summarise(stats: pd.DataFrame, patterns: tuple[Pattern, ...] = QUANTITATIVE) -> pd.DataFrame:
    """The scorecard of one set of runs: target, band, model median with its 5-95% band over seeds, pass."""
    rows = []
    for p in patterns:
        values = stats[p.id].dropna() if p.id in stats else pd.Series(dtype=float)
        if values.empty:
            value = lo = hi = np.nan
        elif p.summary == "share":
            value = lo = hi = float(values.mean())
        else:
            value = float(values.median())
            lo, hi = (float(q) for q in values.quantile([0.05, 0.95]))
        rows.append({"pattern": p.id, "title": p.title, "target": p.target_text, "band": p.band_text(),
                     "low": p.low, "high": p.high, "unit": p.unit, "model": value, "model_p05": lo,
                     "model_p95": hi, "runs": len(values),
                     "pass": bool(p.low <= value <= p.high) if not np.isnan(value) else False,
                     "tolerance": p.tolerance, "source": p.source})
    return pd.DataFrame(rows)
