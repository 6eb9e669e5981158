"""Shipping a posterior: weighted medians as table defaults (``docs/adopt_posterior.py``) and what
``run.py params`` says about them, on temporary posteriors (the shipped one: test_shipped_posterior.py)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd

from sim.inputs import posterior as post_mod
from sim.inputs.posterior import default_value, load_posterior, summary, weighted_quantile

ROOT = Path(__file__).resolve().parents[2]


def test_weighted_quantile_reads_the_cumulative_weight():
    x = np.array([4.0, 1.0, 3.0, 2.0])
    w = np.array([0.7, 0.1, 0.1, 0.1])
    assert weighted_quantile(x, w, 0.5) == 4.0  # 0.7 of the weight sits on 4
    assert weighted_quantile(x, w, 0.05) == 1.0
    assert weighted_quantile(x, w, 0.25) == 3.0  # cumulative 0.1, 0.2, 0.3 at 1, 2, 3
    assert weighted_quantile(x, np.ones(4), 0.5) == 2.0  # unweighted: the lower median


def _posterior(tmp_path: Path) -> Path:
    path = tmp_path / "posterior.csv"
    pd.DataFrame({"recruit_pool": [2000, 9000, 40000, 41000], "hp_rate": [0.01, 0.02, 0.0456789, 0.9],
                  "weight": [0.1, 0.2, 0.5, 0.2]}).to_csv(path, index=False)
    return path


def test_summary_gives_table_defaults_whole_numbers_rounded_others_to_three_figures(tmp_path):
    table = summary(load_posterior(_posterior(tmp_path)))
    assert table.loc["recruit_pool", "median"] == 40000 and isinstance(table.loc["recruit_pool", "median"], (int, np.integer))
    assert table.loc["hp_rate", "median"] == 0.0457 and default_value("hp_rate", 0.0456789) == 0.0457
    assert table.loc["hp_rate", "q05"] == 0.01 and table.loc["hp_rate", "q95"] == 0.9


def test_run_py_params_marks_the_defaults_of_a_shipped_posterior(tmp_path, monkeypatch, capsys):
    from run import main

    monkeypatch.setattr(post_mod, "SHIPPED", tmp_path / "none.csv")
    assert main(["params"]) == 0
    assert "posterior" not in capsys.readouterr().out.splitlines()[0]  # none shipped: nothing claimed
    monkeypatch.setattr(post_mod, "SHIPPED", _posterior(tmp_path))
    assert main(["params"]) == 0
    out = capsys.readouterr().out
    assert "defaults of the 2 calibrated parameters are the weighted medians" in out.splitlines()[0]
    assert " ".join(out.split()).count("Default: ABC posterior median") == 2
    assert "(90% of the posterior weight in 2e+03 – 4.1e+04)" in " ".join(out.split())


def test_adopt_rewrites_exactly_the_default_literal_of_each_parameter():
    spec = importlib.util.spec_from_file_location("adopt_posterior", ROOT / "docs" / "adopt_posterior.py")
    adopt = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(adopt)
    texts = {Path(p): Path(p).read_text(encoding="utf-8") for p in adopt.TABLES}
    before = dict(texts)
    old, new = adopt.rewrite_default(texts, "hp_rate", 0.0457)
    assert new == "0.0457" and float(old) > 0
    changed = [p for p in texts if texts[p] != before[p]]
    assert len(changed) == 1
    diff = [(a, b) for a, b in zip(before[changed[0]].splitlines(), texts[changed[0]].splitlines()) if a != b]
    assert len(diff) == 1 and diff[0][1].startswith(diff[0][0].split(old)[0]) and "0.0457" in diff[0][1]
    old, new = adopt.rewrite_default(texts, "recruit_pool", 41000)
    assert new == "41000"
