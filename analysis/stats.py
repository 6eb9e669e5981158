"""Statistics over seeds (and posterior parameter sets): median with a 10-90% band, and paired
scenario-minus-baseline effects with CIs, their robustness over the posterior and the parameters deciding it.

Conventions follow Covasim/Starsim (median and 10th-90th percentile across seeds) for the spread of
outcomes, and a bootstrap 95% CI (``scipy.stats.bootstrap``, BCa) of the mean paired difference for
effects: every scenario runs the same seed list, so scenario and baseline are compared seed by seed.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import stats

from analysis.outcomes import is_flow, param_columns, run_keys

QUANTILES = {"p10": 0.1, "median": 0.5, "p90": 0.9}


def arm_columns(df: pd.DataFrame) -> list[str]:
    """Columns that name one compared arm: the scenario plus any varied parameter values."""
    return ["scenario"] + param_columns(df)


def cumulate(table: pd.DataFrame, metrics: list[str], within: list[str] | None = None) -> pd.DataFrame:
    """A copy in which the flow metrics (counts per week) are replaced by their running totals per run
    (and ``within``), rows in the table's order.

    Only the flow columns are put in week order and summed: sorting the whole table (a store's province
    table has half a million rows) cost more than the sums.
    """
    flows = [m for m in metrics if is_flow(m)]
    if not flows:
        return table
    keys = run_keys(table) + param_columns(table) + (within or [])
    group = table.groupby(keys, sort=False, observed=True, dropna=False).ngroup().to_numpy()
    order = np.lexsort((table["step"].to_numpy(), group))  # by group, each group's weeks in order
    sums = table[flows].iloc[order].groupby(group[order], sort=False).cumsum()
    back = np.empty_like(order)
    back[order] = np.arange(len(order))
    return table.assign(**{f: sums[f].to_numpy()[back] for f in flows})


def bands(table: pd.DataFrame, metrics: list[str], by: list[str] | None = None) -> pd.DataFrame:
    """Median and 10-90% band over seeds of each metric per arm (and ``by``), step and date.

    Returns a tidy frame: arm columns, ``by`` columns, step, date, metric, p10, median, p90.
    """
    group = arm_columns(table) + (by or []) + ["step", "date"]
    long = table.melt(id_vars=group, value_vars=metrics, var_name="metric")
    q = long.groupby(group + ["metric"], observed=True, dropna=False)["value"].quantile(list(QUANTILES.values()))
    wide = q.unstack()
    wide.columns = list(QUANTILES)
    return wide.reset_index()


def mean_ci(values: np.ndarray, confidence: float = 0.95, n_resamples: int = 9999,
            rng: np.random.Generator | None = None) -> tuple[float, float, float]:
    """Mean of ``values`` with a bootstrap CI (BCa; percentile if BCa is undefined)."""
    values = np.asarray(values, dtype=float)
    mean = float(values.mean()) if len(values) else float("nan")
    if len(values) < 2:
        return mean, float("nan"), float("nan")
    if np.ptp(values) == 0:
        return mean, mean, mean
    rng = rng if rng is not None else np.random.default_rng(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", stats.DegenerateDataWarning)
        for method in ("BCa", "percentile"):
            res = stats.bootstrap((values,), np.mean, n_resamples=n_resamples, confidence_level=confidence,
                                  method=method, vectorized=True, rng=rng)
            low, high = res.confidence_interval
            if np.isfinite(low) and np.isfinite(high):
                break
    return mean, float(low), float(high)


def paired(runs: pd.DataFrame, outcomes: list[str] | tuple[str, ...], arm: dict, baseline: str
           ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Outcomes of one arm and of the baseline with the same parameter values, on the design points and seeds
    both have (the same rows, in order). All outcomes at once: aligning them one by one was most of the
    effects' time."""
    params = {k: v for k, v in arm.items() if k != "scenario"}
    mask = pd.Series(True, index=runs.index)
    for k, v in params.items():
        mask &= runs[k].isna() if pd.isna(v) else runs[k] == v
    sub = runs[mask]
    on = ["point", "seed"] if "point" in sub.columns else ["seed"]   # a point of a posterior sweep is a set
    a = sub[sub["scenario"] == arm["scenario"]].set_index(on)[list(outcomes)]
    b = sub[sub["scenario"] == baseline].set_index(on)[list(outcomes)]
    common = a.index.intersection(b.index).sort_values()
    return a.loc[common], b.loc[common]


def columns_ci(diffs: np.ndarray, confidence: float = 0.95, n_resamples: int = 9999,
               rng: np.random.Generator | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``mean_ci`` of every column of ``diffs`` (pairs x columns) in one vectorised bootstrap (BCa, percentile
    where BCa is undefined); a constant column's interval is its value."""
    diffs = np.asarray(diffs, dtype=float)
    mean = diffs.mean(axis=0)
    low, high = np.full_like(mean, np.nan), np.full_like(mean, np.nan)
    if len(diffs) < 2:
        return mean, low, high
    flat = np.ptp(diffs, axis=0) == 0
    low[flat], high[flat] = mean[flat], mean[flat]
    todo = np.flatnonzero(~flat)
    rng = rng if rng is not None else np.random.default_rng(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", stats.DegenerateDataWarning)
        for method in ("BCa", "percentile"):
            if not len(todo):
                break
            res = stats.bootstrap((diffs[:, todo].T,), np.mean, n_resamples=n_resamples, confidence_level=confidence,
                                  method=method, vectorized=True, axis=-1, rng=rng)
            lo, hi = np.atleast_1d(res.confidence_interval.low), np.atleast_1d(res.confidence_interval.high)
            ok = np.isfinite(lo) & np.isfinite(hi)
            low[todo[ok]], high[todo[ok]] = lo[ok], hi[ok]
            todo = todo[~ok]
    return mean, low, high


def effects_by(runs: pd.DataFrame, metric: str, by: str, baseline: str = "baseline", confidence: float = 0.95,
               n_resamples: int = 9999, seed: int = 0) -> pd.DataFrame:
    """``effects`` of one metric for every value of ``by`` (e.g. province) at once: per arm and ``by`` value,
    the mean paired difference (same point and seed) with its bootstrap CI."""
    rng = np.random.default_rng(seed)
    cols = arm_columns(runs)
    params = cols[1:]
    keys = params + ["point", "seed"]
    wide = runs.pivot_table(index=["scenario", *keys], columns=by, values=metric, observed=True, dropna=False)
    base = wide.xs(baseline, level="scenario")
    rows = []
    for scenario in [s for s in wide.index.get_level_values("scenario").unique() if s != baseline]:
        own = wide.xs(scenario, level="scenario")
        for arm, sub in (own.groupby(level=params, dropna=False) if params else [((), own)]):
            common = sub.index.intersection(base.index)
            diffs = sub.loc[common].to_numpy() - base.loc[common].to_numpy()
            mean, low, high = columns_ci(diffs, confidence, n_resamples, rng)
            arm = dict(zip(params, arm if isinstance(arm, tuple) else (arm,)))
            rows += [{"scenario": scenario, **arm, by: v, "n": len(common), "effect": m, "ci_low": lo, "ci_high": hi}
                     for v, m, lo, hi in zip(sub.columns, mean, low, high)]
    return pd.DataFrame(rows, columns=[*cols, by, "n", "effect", "ci_low", "ci_high"])


def effects(runs: pd.DataFrame, outcomes: list[str] | tuple[str, ...], baseline: str = "baseline",
            confidence: float = 0.95, n_resamples: int = 9999, seed: int = 0) -> pd.DataFrame:
    """Scenario-minus-baseline effect of each outcome per arm, paired by seed, with a bootstrap CI.

    ``runs`` has one row per run (``outcomes.per_run``). Each arm is compared with the baseline arm
    that has the same varied-parameter values; only seeds present in both count (``n``).
    """
    rng = np.random.default_rng(seed)
    cols = arm_columns(runs)
    arms = runs[cols].drop_duplicates().sort_values(cols)
    rows = []
    for arm in arms[arms["scenario"] != baseline].to_dict("records"):
        own, base_runs = paired(runs, outcomes, arm, baseline)
        for name in outcomes:
            diff = (own[name] - base_runs[name]).to_numpy()
            effect, low, high = mean_ci(diff, confidence, n_resamples, rng)
            base = float(base_runs[name].mean()) if len(own) else float("nan")
            rows.append({**arm, "outcome": name, "n": len(own), "baseline_mean": base,
                         "scenario_mean": float(own[name].mean()) if len(own) else float("nan"),
                         "effect": effect, "ci_low": low, "ci_high": high,
                         "relative": effect / base if base else float("nan")})
    return pd.DataFrame(rows, columns=cols + ["outcome", "n", "baseline_mean", "scenario_mean", "effect",
                                              "ci_low", "ci_high", "relative"])


def means_at(table: pd.DataFrame, metrics: list[str], steps: list[int], by: list[str],
             cumulated: bool = False) -> pd.DataFrame:
    """Mean over seeds of each metric per arm, ``by`` (e.g. province) and step, at the given steps.

    Flows are cumulated from the start first, so 'attacks' at week 52 means attacks in weeks 1-52
    (``cumulated``: the table is ``cumulate``'s already, e.g. shared with other uses to cumulate it once).
    """
    table = table if cumulated else cumulate(table, metrics, within=by)
    table = table[table["step"].isin(steps)]
    return table.groupby(arm_columns(table) + by + ["step"], observed=True, dropna=False)[metrics].mean().reset_index()


def minus_baseline(values: pd.DataFrame, metrics: list[str], baseline: str = "baseline") -> pd.DataFrame:
    """Each non-baseline row's metrics minus the baseline row with the same other keys.

    With the same seed list in every scenario, the difference of means equals the mean paired difference.
    """
    keys = [c for c in values.columns if c not in metrics and c != "scenario"]
    base = values[values["scenario"] == baseline].drop(columns="scenario")
    other = values[values["scenario"] != baseline]
    merged = other.merge(base, on=keys, suffixes=("", "_base"), how="inner")
    for m in metrics:
        merged[m] = merged[m] - merged[f"{m}_base"]
    return merged[list(values.columns)]


# ---- effects over posterior parameter sets x seeds (issue 13) ---------------------------------------------

ROBUST = 0.9        # share of posterior sets keeping the effect's sign above which it is "robust"
MOST = 0.75         # ... above which it holds "in most plausible worlds"
INTERVAL = (0.05, 0.95)   # the 90% interval over sets x seeds


def paired_diffs(runs: pd.DataFrame, outcome: str, scenario: str, baseline: str, on: list[str]) -> pd.DataFrame:
    """Scenario minus baseline of one outcome, matched on ``on`` (design point and seed: same set, same seed)."""
    a = runs.loc[runs["scenario"] == scenario, [*on, outcome]]
    b = runs.loc[runs["scenario"] == baseline, [*on, outcome]]
    pair = a.merge(b, on=on, suffixes=("", "_base"), how="inner")
    return pair.assign(diff=pair[outcome] - pair[f"{outcome}_base"])


def set_effects(runs: pd.DataFrame, outcomes: list[str] | tuple[str, ...], baseline: str = "baseline",
                set_column: str = "posterior_set", arm: list[str] | None = None) -> pd.DataFrame:
    """Per arm, outcome and posterior set: the mean over seeds of the paired difference to the baseline.

    Runs are paired on (point, seed): a design point is one posterior set (and one point of any axes), so
    the pair shares the set's parameter values and the seed. ``arm`` are extra columns that tell arms apart
    (the axes' parameters; the scenario always does).
    """
    arm = arm or []
    rows = []
    for scenario in sorted(set(runs["scenario"].astype(str)) - {baseline}):
        for name in outcomes:
            d = paired_diffs(runs, name, scenario, baseline, ["point", "seed", set_column, *arm])
            g = d.groupby([*arm, set_column], observed=True)["diff"].agg(["mean", "size"]).reset_index()
            rows.append(g.assign(scenario=scenario, outcome=name))
    cols = ["scenario", *arm, "outcome", set_column, "mean", "size"]
    out = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=cols)
    return out[cols].rename(columns={"mean": "effect", "size": "seeds"})


def posterior_effects(runs: pd.DataFrame, outcomes: list[str] | tuple[str, ...], baseline: str = "baseline",
                      set_column: str = "posterior_set", arm: list[str] | None = None, confidence: float = 0.95,
                      n_resamples: int = 9999, seed: int = 0) -> pd.DataFrame:
    """Effects over posterior sets x seeds, per arm and outcome.

    Columns: ``median``, ``p05``, ``p95`` of the paired differences over every set and seed (the 90%
    interval: parameter and seed uncertainty together); ``effect`` (their mean) with ``ci_low``/``ci_high``,
    a bootstrap CI that resamples whole sets (the seeds of a set are not independent of each other); and
    ``robust``, the share of sets whose mean effect has the sign of the median (a set with effect 0 does
    not keep it). ``n`` pairs, ``sets``, the baseline's and the scenario's means, ``relative``.
    """
    arm = arm or []
    rng = np.random.default_rng(seed)
    per_set = set_effects(runs, outcomes, baseline, set_column, arm)
    rows = []
    for keys, group in per_set.groupby(["scenario", *arm, "outcome"], sort=False, observed=True):
        values = dict(zip(["scenario", *arm, "outcome"], keys if isinstance(keys, tuple) else (keys,)))
        sub = runs
        for k in arm:
            sub = sub[sub[k] == values[k]]
        d = paired_diffs(sub, values["outcome"], values["scenario"], baseline, ["point", "seed", set_column])
        diffs = d["diff"].to_numpy(float)
        effect, low, high = mean_ci(group["effect"].to_numpy(float), confidence, n_resamples, rng)
        median = float(np.median(diffs))
        sign = np.sign(median) or np.sign(effect)
        robust = float((np.sign(group["effect"]) == sign).mean()) if sign else float("nan")
        base = float(d[f"{values['outcome']}_base"].mean())
        rows.append({**values, "n": len(d), "sets": len(group), "baseline_mean": base,
                     "scenario_mean": float(d[values["outcome"]].mean()), "median": median,
                     "p05": float(np.quantile(diffs, INTERVAL[0])), "p95": float(np.quantile(diffs, INTERVAL[1])),
                     "effect": effect, "ci_low": low, "ci_high": high, "robust": robust,
                     "relative": median / base if base else float("nan")})
    return pd.DataFrame(rows, columns=["scenario", *arm, "outcome", "n", "sets", "baseline_mean", "scenario_mean",
                                       "median", "p05", "p95", "effect", "ci_low", "ci_high", "robust", "relative"])


# Trees of the deciding-parameter forest. A tree on tens of sets is mostly scikit-learn's per-tree overhead
# (about 1 ms); 100 trees name the same top parameter as 300 did for every effect built to depend on one
# (tests/analysis; docs/report.md), in a third of the time. Where no parameter decides an effect (seed
# noise), the names move with the number of trees about as much as with the forest's seed.
TREES = 100


def deciding_parameters(per_set: pd.DataFrame, parameters: pd.DataFrame, direction: float, top: int = 3,
                        seed: int = 0) -> list[dict]:
    """The posterior parameters that best separate the sets where an effect keeps its ``direction`` (sign)
    from those where it does not: scikit-learn's random forest (impurity importance, ``seed`` fixed).

    ``per_set`` has one row per set (``effect``), ``parameters`` the set's parameter values (same index).
    Returns up to ``top`` dicts (parameter, importance, and whether the effect holds where it is 'higher' or
    'lower'), keeping only parameters that score above an even share of the importance.
    """
    from sklearn.ensemble import RandomForestClassifier

    works = (np.sign(per_set["effect"].to_numpy(float)) == direction).astype(int)
    if works.min() == works.max() or parameters.shape[1] == 0:
        return []
    X = parameters.to_numpy(float)
    forest = RandomForestClassifier(n_estimators=TREES, min_samples_leaf=2, random_state=seed).fit(X, works)
    importances = forest.feature_importances_  # a property that averages over the trees on every access
    order = np.argsort(importances)[::-1]
    even = 1.0 / parameters.shape[1]
    out = []
    for i in order[:top]:
        score = float(importances[i])
        if score <= even and out:
            break
        col = parameters.iloc[:, i]
        where = "higher" if col[works == 1].median() > col[works == 0].median() else "lower"
        out.append({"parameter": parameters.columns[i], "importance": score, "works_when": where})
    return out
