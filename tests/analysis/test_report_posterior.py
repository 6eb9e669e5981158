"""The report of a posterior store (issue 13): summary first, effect matrix, robustness from the sets, the
deciding parameter, a CSV of every table, and a page with no external reference."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pytest

import run
from synthetic_store import national_table, write_store

SETS = 40


class References(HTMLParser):
    """Every src/href/url(...) of a page, and the tags that load something (script, link, iframe, ...)."""

    def __init__(self) -> None:
        super().__init__()
        self.refs: list[str] = []
        self.loaders: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.refs += [v for k, v in attrs if k in ("src", "href", "srcset", "data", "poster") and v]
        if tag in ("script", "link", "iframe", "object", "embed", "base"):
            self.loaders.append(tag)


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """Baseline, 'iron_fist' whose effect on members is +600 (x - 0.3) with x a posterior parameter, and
    'elder_amnesty' at -300 everywhere; 40 sets x 3 seeds."""
    rng = np.random.default_rng(5)
    x, y = rng.uniform(0, 1, SETS), rng.uniform(0, 1, SETS)
    points = {s: {"detection_base": round(0.05 + 0.2 * x[s], 6), "exposure_decay": round(0.02 + 0.1 * y[s], 6)}
              for s in range(SETS)}
    table = national_table({"baseline": 0.0, "iron_fist": 0.0, "elder_amnesty": -300.0}, seeds=range(1, 4),
                           steps=6, shared=300.0, noise=5.0, point_params=points)
    frac = table["step"] / 6
    xs = (table["detection_base"] - 0.05) / 0.2
    table.loc[table["scenario"] == "iron_fist", "iskp_members"] += (600 * (xs - 0.3) * frac)[table["scenario"] == "iron_fist"]
    record = {"file": "/synthetic/posterior.csv", "sha256": "0" * 64, "sets": SETS, "draw_seed": 1,
              "parameters": ["detection_base", "exposure_decay"], "points_per_set": 1, "particles": list(range(SETS))}
    store = write_store(tmp_path_factory.mktemp("post") / "s", table,
                        manifest={"meta": {"sweep": {"posterior": record}},
                                  "varied": {"detection_base": "detection_base", "exposure_decay": "exposure_decay"}})
    assert run.main(["report", str(store), "--resamples", "1000"]) == 0
    return store / "report", float((x > 0.3).mean())


def test_the_page_opens_on_the_summary_and_the_matrix(report):
    folder, _ = report
    page = (folder / "report.html").read_text(encoding="utf-8")
    h2 = re.findall(r'<h2 id="([a-z]+)"', page)
    assert h2[:3] == ["summary", "matrix", "findings"], h2
    first = page[page.index('id="summary"'):page.index('id="matrix"')]
    assert "iron fist</b>: ISIS-K members +" in first and "robust in" in first
    assert "elder amnesty</b>: ISIS-K members \u2212" in first and "clearly lower, robust in 100% of sets" in first
    assert "They do not cover the model's structure" in first and "40 parameter sets" in first
    assert page.count('class="heat"') == 2 * 5


def test_robustness_and_the_deciding_parameter_come_from_the_sets(report):
    folder, expected = report
    t = pd.read_csv(folder / "effects.csv").set_index(["scenario", "outcome"])
    iron = t.loc[("iron_fist", "iskp_members_final")]
    assert iron["sets"] == SETS and iron["n"] == SETS * 3
    assert iron["robust"] == pytest.approx(expected, abs=1.5 / SETS)
    assert t.loc[("elder_amnesty", "iskp_members_final"), "robust"] == 1.0
    d = pd.read_csv(folder / "deciding_parameters.csv")
    row = d[(d["scenario"] == "iron fist") & (d["outcome"] == "iskp_members_final")].iloc[0]
    assert row["deciding parameters"].startswith("detection_base (higher where it holds")
    assert "elder amnesty" not in set(d["scenario"][d["outcome"] == "iskp_members_final"])
    m = pd.read_csv(folder / "effect_matrix.csv")
    assert not m.set_index(["scenario", "outcome"]).loc[("iron fist", "iskp_members_final"), "robust"]


def test_every_table_is_a_csv_beside_the_page(report):
    folder, _ = report
    page = (folder / "report.html").read_text(encoding="utf-8")
    linked = set(re.findall(r'href="([a-z_]+\.csv)"', page))
    assert linked == {"summary.csv", "effect_matrix.csv", "effects.csv", "deciding_parameters.csv", "scenarios.csv",
                      "provenance.csv", "posterior_sets.csv"}
    for name in linked:
        assert len(pd.read_csv(folder / name)) > 0, name
    assert (folder / "parameters.csv").exists(), "written (empty here: a synthetic manifest lists no scenarios)"
    assert len(pd.read_csv(folder / "posterior_sets.csv")) == SETS


def test_the_page_is_self_contained(report):
    folder, _ = report
    page = (folder / "report.html").read_text(encoding="utf-8")
    parser = References()
    parser.feed(page)
    assert parser.loaders == [], "no script, stylesheet or frame is loaded"
    outside = [r for r in parser.refs if not (r.startswith("data:image/png;base64,") or r.startswith("#")
                                              or re.fullmatch(r"[a-z_]+\.csv", r))]
    assert outside == [] and "url(" not in page and "@import" not in page
    assert page.count("data:image/png;base64,") == len(list((folder / "charts").glob("*.png")))
