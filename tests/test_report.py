"""``run.py report``: a self-contained report with every scenario, effects, forest plot, maps and provenance;
charts that are really drawn; and a clear exit 2 on stores it cannot describe."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import matplotlib.image as mpimg
import matplotlib.pyplot as plt
import pandas as pd
import pytest

import run
from analysis.report import charts
from analysis.outcomes import HEADLINE
from synthetic_store import national_table, write_store

# A chart whose layout collapsed (labels pushing the axes to zero size) is a broken chart.
pytestmark = pytest.mark.filterwarnings("error:constrained_layout not applied:UserWarning")
REPO = Path(__file__).resolve().parent.parent
SCENARIOS = {"baseline": 0.0, "iron_fist": 500.0, "elder_amnesty": -400.0, "no_prison_escape": 0.0}


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    """A synthetic store (4 bundled scenarios x 8 seeds x 8 weeks, known effects on ISIS-K) and its report."""
    store = write_store(tmp_path_factory.mktemp("store") / "s",
                        national_table(SCENARIOS, seeds=range(1, 9), steps=8, shared=300.0, noise=30.0))
    assert run.main(["report", str(store), "--resamples", "2000"]) == 0
    return store / "report"


def test_report_lists_every_scenario_effects_maps_and_provenance(report):
    page = (report / "report.html").read_text(encoding="utf-8")
    for name in ("baseline", "iron fist", "elder amnesty", "no prison escape"):
        assert name in page
    for section in ('id="findings"', 'id="effects"', 'id="series"', 'id="maps"', 'id="provenance"', 'id="caveats"'):
        assert section in page
    assert "abc123synthetic" in page  # the git revision from the store's manifest
    assert "Forest plot" in page and "map_" not in page  # images are inlined, not linked
    assert page.count('src="data:image/png;base64,') == len(list((report / "charts").glob("*.png")))
    assert not re.search(r'(src|href)="(https?:)?//', page), "the report must open offline"
    # the plain-language line of the big injected effect
    assert re.search(r"<b>iron fist: \+\d[\d,]* \(95% CI \+[\d,]+ to \+[\d,]+\) ISIS-K members at week 8 vs "
                     r"baseline \(\+\d+(\.\d)?%; clearly higher\)\.</b>", page)


def test_effect_table_csv_has_each_scenario_and_headline_outcome(report):
    t = pd.read_csv(report / "effects.csv")
    assert len(t) == 3 * len(HEADLINE)
    assert set(t["scenario"]) == {"iron_fist", "elder_amnesty", "no_prison_escape"}
    members = t[t["outcome"] == "iskp_members_final"].set_index("scenario")
    for scenario, effect in (("iron_fist", 500), ("elder_amnesty", -400)):   # as constructed, within 3 se
        low, high = members.loc[scenario, "ci_low"], members.loc[scenario, "ci_high"]
        assert abs((low + high) / 2 - effect) < 3 * (high - low) / 3.92, (scenario, low, high)
    assert (members["n"] == 8).all()
    assert members.loc["iron_fist", "summary"].startswith("iron fist: +")


def test_every_chart_is_drawn_and_saved_as_png_and_svg_only_on_request(report, tmp_path):
    pngs = sorted((report / "charts").glob("*.png"))
    names = {p.stem for p in pngs}
    assert {"forest_effects", "overview_iskp_members", "series_attacks_by_type"} <= names
    assert {f"map_{m}_{kind}" for m in ("iskp_members", "attacks_total", "legitimacy")
            for kind in ("baseline", "difference")} <= names
    for png in pngs:
        pixels = mpimg.imread(png)[..., :3]
        inked = (pixels < 0.85).any(axis=-1).mean()
        assert pixels.std() > 0.05 and inked > 0.02, f"{png.name} looks blank (std {pixels.std():.3f}, ink {inked:.3f})"
    assert not list((report / "charts").glob("*.svg")), "PNG only by default"
    store = write_store(tmp_path / "s", national_table(SCENARIOS, seeds=range(1, 4), steps=8))
    assert run.main(["report", str(store), "--resamples", "1000", "--svg"]) == 0
    charts_dir = store / "report" / "charts"
    assert {p.stem for p in charts_dir.glob("*.svg")} == {p.stem for p in charts_dir.glob("*.png")}
    for svg in charts_dir.glob("*.svg"):
        assert svg.read_text(encoding="utf-8").count("<path") > 20, f"{svg.name} has almost nothing drawn"


def test_time_series_mark_the_scheduled_events():
    table = national_table({"baseline": 0.0, "x": 10.0}, seeds=range(1, 4), steps=20)
    from analysis import stats
    bands = stats.bands(table, ["iskp_members"]).assign(arm=lambda d: d["scenario"])
    events = {"baseline": [{"type": "prison_escape", "date": "2021-08-15"},
                           {"type": "elder_surrender", "date": "2021-10-31"}], "x": []}
    fig = charts.series_panels(bands, "iskp_members", ["baseline", "x"], {"baseline": "baseline", "x": "baseline"},
                               {"baseline": "#444444", "x": "#0072B2"}, events, "t", "people")
    first, second = fig.axes[:2]
    week = lambda ax: sorted(round(l.get_xdata()[0], 2) for l in ax.lines if len(set(l.get_xdata())) == 1)
    assert week(first) == [0.0, 11.0] and week(second) == []  # 31 Oct 2021 is 11 weeks after 15 Aug
    labels = lambda ax: {c.get_label() for c in ax.collections if c.get_gid() == "event label"}
    bands_of = lambda ax: [c for c in ax.collections if c.get_gid() != "event label"]
    assert labels(first) >= {"prison escape 15 Aug 2021", "surrenders 31 Oct 2021"} and not labels(second)
    assert len(bands_of(first)) >= 1 and len(bands_of(second)) >= 2  # bands: own, and baseline behind
    plt.close(fig)


def test_not_a_store_exits_2(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("hello")
    assert run.main(["report", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "not a results store" in err and "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]  # nothing written


def test_empty_store_exits_2(tmp_path, capsys):
    store = write_store(tmp_path / "s", national_table({}, seeds=[]))
    assert run.main(["report", str(store)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "no finished runs" in err
    assert not (store / "report").exists()


def test_store_without_the_baseline_exits_2(tmp_path, capsys):
    store = write_store(tmp_path / "s", national_table({"iron_fist": 0.0, "elder_amnesty": 0.0}, seeds=[1, 2], steps=2))
    assert run.main(["report", str(store)]) == 2
    err = capsys.readouterr().err
    assert "has no runs of the baseline scenario 'baseline'" in err and "iron_fist" in err and "--baseline" in err
    assert not (store / "report").exists()


def test_the_command_line_exits_2_on_a_missing_folder(tmp_path):
    proc = subprocess.run([sys.executable, str(REPO / "run.py"), "report", str(tmp_path / "nothing")],
                          capture_output=True, text=True, cwd=REPO)
    assert proc.returncode == 2
    assert proc.stderr.startswith("error: ") and "does not exist" in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.slow
def test_report_on_a_real_sweep(tmp_path):
    """The model's own outputs through sim.runs.sweep.execute: 3 scenarios x 3 seeds x 6 weeks."""
    from sim.runs.sweep import Run, execute

    runs = [Run(s, seed, 6, {}, 0) for s in ("baseline", "iron_fist", "no_prison_escape") for seed in (1, 2, 3)]
    execute(runs, tmp_path / "s", backend="serial", progress=False)
    assert run.main(["report", str(tmp_path / "s"), "--resamples", "2000", "--weeks", "3,6"]) == 0
    page = (tmp_path / "s" / "report" / "report.html").read_text(encoding="utf-8")
    assert "iron fist" in page and "no prison escape" in page
    t = pd.read_csv(tmp_path / "s" / "report" / "effects.csv")
    assert len(t) == 2 * len(HEADLINE) and (t["n"] == 3).all()
    assert t[["effect", "ci_low", "ci_high"]].notna().all().all()


def test_design_points_are_compared_with_the_baseline_at_the_same_values(tmp_path):
    table = national_table({"baseline": 0.0, "iron_fist": 300.0}, seeds=range(1, 6), steps=4,
                           point_params={0: {"amnesty": 0.2}, 1: {"amnesty": 0.8}})
    store = write_store(tmp_path / "s", table)
    assert run.main(["report", str(store), "--resamples", "1000"]) == 0
    t = pd.read_csv(store / "report" / "effects.csv")
    members = t[t["outcome"] == "iskp_members_final"].set_index("amnesty")
    assert list(members["arm"]) == ["iron fist (amnesty=0.2)", "iron fist (amnesty=0.8)"]
    assert (members["n"] == 5).all()
    page = (store / "report" / "report.html").read_text(encoding="utf-8")
    assert "4 scenario x design-point combinations" in page


def test_charts_drawn_in_several_processes_are_the_same_files_as_in_one(report, tmp_path):
    """The figures are drawn in forked workers (analysis.report.parallel): the files must not depend on how
    many, and the page must list them in the same order."""
    store = report.parent
    assert run.main(["report", str(store), "--resamples", "2000", "--workers", "1", "--out", str(tmp_path / "one")]) == 0
    assert run.main(["report", str(store), "--resamples", "2000", "--workers", "3", "--out", str(tmp_path / "three")]) == 0
    one, three = sorted((tmp_path / "one").rglob("*.png")), sorted((tmp_path / "three").rglob("*.png"))
    assert [p.name for p in one] == [p.name for p in three] and len(one) >= 10
    for a, b in zip(one, three):
        assert a.read_bytes() == b.read_bytes(), a.name
    for name in ("effects.csv", "summary.csv", "effect_matrix.csv"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "three" / name).read_bytes(), name
    strip = lambda p: re.sub(r"Generated [^<]* from", "", p.read_text(encoding="utf-8"))  # noqa: E731
    assert strip(tmp_path / "one" / "report.html") == strip(tmp_path / "three" / "report.html")


def test_workers_below_one_is_refused(report, tmp_path, capsys):
    assert run.main(["report", str(report.parent), "--workers", "0", "--out", str(tmp_path / "r")]) == 2
    assert "--workers is 0" in capsys.readouterr().err
