"""The report's province maps: baseline levels over time, and each scenario minus the baseline.

Difference maps outline in bold the provinces whose difference exceeds the seed noise: the paired-seed
bootstrap 95% CI of ``analysis.stats.effects_by`` (per province) excludes zero. With ``per_100k`` the count
metrics are shown per 100,000 residents; indices (legitimacy) are never rescaled.
"""

from __future__ import annotations

from functools import partial
from typing import Callable

import pandas as pd

from analysis import stats
from analysis.outcomes import param_columns, run_keys
from analysis.report import maps
from analysis.report.style import arm_labels, pretty

# metric -> (name, unit, is a count of people or attacks that can be divided by population)
MAP_METRICS = {"iskp_members": ("ISIS-K members", "members", True),
               "attacks_total": ("ISIS-K attacks since the start", "attacks", True),
               "legitimacy": ("Taliban legitimacy", "legitimacy 0-1", False)}
MARK_NOTE = ("bold outline and number: the 95% CI of the paired difference (same seeds) excludes 0; "
             "with 34 provinces, about 2 in 100 such marks can be chance")


def unit_of(metric: str, per_100k: bool, how: str) -> str:
    """Colour-bar label, e.g. 'attacks per 100,000 residents (mean over seeds)'."""
    _, unit, count = MAP_METRICS[metric]
    return f"{unit}{' per 100,000 residents' if per_100k and count else ''} ({how})"


def scaled(metric: str, values: dict[str, float], per_100k: bool) -> dict[str, float]:
    return maps.per_100k(values) if per_100k and MAP_METRICS[metric][2] else values


def cumulated(provinces: pd.DataFrame, steps: list[int]) -> pd.DataFrame:
    """The map metrics of every run and province at ``steps``, flows as running totals: the province table
    (the largest one) is cut to these columns and cumulated once for every map."""
    keys = run_keys(provinces) + param_columns(provinces) + ["province", "step"]
    table = stats.cumulate(provinces[keys + list(MAP_METRICS)], list(MAP_METRICS), within=["province"])
    return table[table["step"].isin(steps)]


def marked_provinces(table: pd.DataFrame, metric: str, step: int, baseline: str, resamples: int
                     ) -> dict[tuple, frozenset[str]]:
    """Per arm (scenario plus varied parameters), the provinces whose paired effect's 95% CI excludes 0;
    ``table`` is ``cumulated``'s."""
    runs = table[table["step"] == step][run_keys(table) + param_columns(table) + ["province", metric]]
    arm_cols = stats.arm_columns(runs)
    eff = stats.effects_by(runs, metric, "province", baseline=baseline, n_resamples=resamples)
    out: dict[tuple, set[str]] = {}
    for row in eff[(eff["ci_low"] > 0) | (eff["ci_high"] < 0)].to_dict("records"):
        out.setdefault(tuple(row[c] for c in arm_cols), set()).add(str(row["province"]))
    return {k: frozenset(v) for k, v in out.items()}


def province_maps(r, save: Callable, when: Callable[[int], str], weeks: list[int], resamples: int,
                  per_100k: bool = False) -> list[tuple[int, Callable[[], tuple[str, str, list]]]]:
    """One job per map figure (``analysis.report.parallel``), each returning its (title, caption, saved paths),
    with the number of maps it draws (its rough cost); ``r`` is ``build.Results``. The tables all maps share
    are computed here, once."""
    metrics = list(MAP_METRICS)
    table = cumulated(r.provinces, sorted(set(weeks) | {r.horizon}))
    values = stats.means_at(table, metrics, sorted(set(weeks) | {r.horizon}), ["province"], cumulated=True)
    values = values.assign(arm=arm_labels(values, r.params))
    base = values[values["scenario"] == r.baseline]
    suffix = "_per_100k" if per_100k else ""

    def level(m: str, name: str) -> tuple[str, str, list]:
        panels = [(f"{arm}, week {w} ({when(w)})", scaled(m, dict(zip(g["province"], g[m])), per_100k))
                  for (arm, w), g in base[base["step"].isin(weeks)].groupby(["arm", "step"], sort=True)]
        fig = maps.map_grid(panels, f"{name}: {pretty(r.baseline)}", unit_of(m, per_100k, "mean over seeds"),
                            ncols=len(weeks))
        return (f"{name} in the {pretty(r.baseline)}",
                f"Per province, mean over seeds, at weeks {', '.join(map(str, weeks))}. Numbers key the "
                "provinces (list under the maps).", save(fig, f"map_{m}_baseline{suffix}"))

    def difference(m: str, name: str) -> tuple[str, str, list]:
        marks = marked_provinces(table, m, r.horizon, r.baseline, resamples)
        panels, marked = [], {}
        for key, g in diff.groupby(cols, sort=False, observed=True, dropna=False):
            arm = g["arm"].iloc[0]
            panels.append((arm, scaled(m, dict(zip(g["province"], g[m])), per_100k)))
            marked[arm] = marks.get(key if isinstance(key, tuple) else (key,), frozenset())
        panels.sort(key=lambda p: r.arms.index(p[0]) if p[0] in r.arms else len(r.arms))
        fig = maps.map_grid(panels, f"{name} at week {r.horizon} ({when(r.horizon)}): scenario minus "
                                    f"{pretty(r.baseline)}", unit_of(m, per_100k, "difference of means"),
                            diverging=True, marked=marked, note=MARK_NOTE)
        return (f"{name}: difference to the {pretty(r.baseline)} at week {r.horizon}",
                "Red: higher than in the baseline; blue: lower. Same seeds in every scenario. Provinces "
                "outlined in bold differ by more than the seed noise (95% CI of the paired difference "
                "excludes 0).", save(fig, f"map_{m}_difference{suffix}"))

    jobs = [(len(weeks), partial(level, m, name)) for m, (name, _, _) in MAP_METRICS.items()]
    diff = stats.minus_baseline(values.drop(columns="arm"), metrics, r.baseline)
    diff = diff[diff["step"] == r.horizon]
    if diff.empty:
        return jobs
    cols = stats.arm_columns(diff)
    diff = diff.assign(arm=arm_labels(diff, r.params))
    return jobs + [(len(r.arms) - 1, partial(difference, m, name)) for m, (name, _, _) in MAP_METRICS.items()]
