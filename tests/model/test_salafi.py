"""Mechanism 2 (sim/model/mechanisms/salafi.py). P10 (docs/calibration.md §6): the sign of persecution's net effect on Salafi joining comes out of the rules.

Persecuting Salafis raises their anger (backfire, Bennett's update) and their perceived risk of joining
(deterrence, Epstein's risk term). Neither sign is written into the model, so with a high-backfire set
the net effect of persecution on Salafis joining ISIS-K must be positive, and with a high-deterrence
set negative. Each effect is the mean over seeds of the paired difference (same seed, persecution at
the table's maximum minus none) in cumulative ``salafi_joined_iskp``; its 99% t interval must exclude 0
on opposite sides.
"""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from sim import load_scenario
from sim.model.mechanisms import salafi
from sim.runs.runner import run_one

SEEDS = range(1, 25)
STEPS = 52
# Persecution acts through three channels: backfire (anger), deterrence (perceived risk) and profiling
# in raids (Salafis over-represented among the non-members killed, which shrinks their pool). The two sets
# differ only in the first two; profiling is switched off in both (no extrajudicial killing) so that the
# test isolates the backfire-deterrence balance that P10 is about.
BASE = {"ejk_share": 0.0}
BACKFIRE = {**BASE, "persecution_backfire": 0.5, "persecution_deterrence": 0.0}     # table maxima / minima
DETERRENCE = {**BASE, "persecution_backfire": 0.0, "persecution_deterrence": 1.0}


def salafi_joined(seed: int, persecution: float, params: dict) -> float:
    overrides = dict(params, salafi_persecution=persecution)
    return float(run_one(load_scenario("baseline"), seed, STEPS, overrides).national["salafi_joined_iskp"].sum())


def _difference(args: tuple[int, dict]) -> float:
    seed, params = args
    return salafi_joined(seed, 1.0, params) - salafi_joined(seed, 0.0, params)


def effect(params: dict) -> tuple[float, float, float]:
    """Mean paired difference (persecuted - not) and its 99% t interval over SEEDS."""
    with ProcessPoolExecutor(min(2, os.cpu_count() or 1)) as pool:
        diffs = np.array(list(pool.map(_difference, [(s, params) for s in SEEDS])))
    half = stats.t.ppf(0.995, len(diffs) - 1) * diffs.std(ddof=1) / np.sqrt(len(diffs))
    return float(diffs.mean()), float(diffs.mean() - half), float(diffs.mean() + half)


# With profiling on (the calibrated defaults, ejk_share 0.4) the backfire set's effect is about zero:
# +0.6 (99% CI -33.3 .. +34.5) against -96.0 (-131.5 .. -60.5) for deterrence, 24 seeds, 52 weeks
# (commit b6d4016): selective killing of Salafis offsets their anger, and most are willing already.
@pytest.mark.slow
def test_persecution_effect_flips_sign_between_backfire_and_deterrence():
    backfire, deterrence = effect(BACKFIRE), effect(DETERRENCE)
    report = (f"salafi_joined_iskp over {STEPS} weeks, persecution 1 - 0, {len(SEEDS)} seeds: high backfire "
              f"{backfire[0]:+.1f} (99% CI {backfire[1]:+.1f} .. {backfire[2]:+.1f}); high deterrence "
              f"{deterrence[0]:+.1f} ({deterrence[1]:+.1f} .. {deterrence[2]:+.1f})")
    assert backfire[1] > 0, report
    assert deterrence[2] < 0, report


@given(risk=st.floats(0, 1), d=st.floats(0, 1))
def test_deterrence_only_raises_risk(risk, d):
    assert risk - 1e-12 <= salafi.deterred_risk(risk, d) <= 1.0
