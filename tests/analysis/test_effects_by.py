"""``stats.effects_by`` (one vectorised bootstrap for all provinces) agrees with ``stats.effects`` run per province."""

from __future__ import annotations

import numpy as np
import pytest

from analysis import stats
from synthetic_store import national_table, province_table


def test_vectorised_province_effects_match_one_bootstrap_per_province():
    nat = national_table({"baseline": 0.0, "iron_fist": 300.0, "elder_amnesty": -50.0}, seeds=range(1, 11), steps=2,
                         noise=80.0)
    prov = province_table(nat)
    runs = prov[prov["step"] == 2][["scenario", "point", "seed", "province", "iskp_members"]]
    fast = stats.effects_by(runs, "iskp_members", "province", n_resamples=4000).set_index(["scenario", "province"])
    for (scenario, province), row in fast.iterrows():
        one = stats.effects(runs[runs["province"] == province].drop(columns="province"), ["iskp_members"],
                            n_resamples=4000)
        ref = one[one["scenario"] == scenario].iloc[0]
        assert row["effect"] == pytest.approx(ref["effect"], rel=1e-12) and row["n"] == ref["n"] == 10
        width = ref["ci_high"] - ref["ci_low"]
        assert abs(row["ci_low"] - ref["ci_low"]) < 0.15 * width and abs(row["ci_high"] - ref["ci_high"]) < 0.15 * width
    assert len(fast) == 2 * runs["province"].nunique()
    assert np.isfinite(fast[["ci_low", "ci_high"]].to_numpy()).all()
