"""The posterior that ships (``sim/data/posterior.csv``, ``run.py calibrate``'s final population copied by
``docs/adopt_posterior.py``): it is a real population and the table's defaults are its weighted medians."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.calibrate import free_parameters
from sim.inputs.parameters import PARAMS
from sim.inputs.posterior import SHIPPED, default_value, load_posterior, shipped_summary


def test_the_shipped_posterior_is_a_weighted_population_of_free_parameters():
    post = load_posterior(SHIPPED, "the shipped posterior")
    raw = pd.read_csv(SHIPPED)
    assert len(post.particles) >= 200 and "recruit_pool" in post.names
    assert set(post.names) <= set(free_parameters())  # only parameters without a sourced value
    assert np.isclose(raw["weight"].sum(), 1.0, atol=1e-6) and (raw["weight"] >= 0).all()
    assert (post.weights > 0).sum() >= 50  # not one particle carrying everything
    for name in post.names:
        p = PARAMS[name]
        assert post.particles[name].between(p.low, p.high).all()
        assert post.particles[name].nunique() > 1, f"{name} does not vary over the population"


def test_the_defaults_are_the_shipped_posterior_weighted_medians():
    table = shipped_summary()
    for name, row in table.iterrows():
        assert PARAMS[name].default == default_value(name, row["median"]), name
        assert row["q05"] <= PARAMS[name].default <= row["q95"]


def test_run_py_params_says_the_defaults_are_the_shipped_posterior_medians(capsys):
    from run import main

    assert main(["params"]) == 0
    out = capsys.readouterr().out
    n = len(shipped_summary())
    assert f"defaults of the {n} calibrated parameters are the weighted medians of the ABC-SMC" in out.splitlines()[0]
    assert " ".join(out.split()).count("Default: ABC posterior median") == n
