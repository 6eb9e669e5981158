"""The sweep specification: scenarios x design points x seeds, from a sweep file or the ``run.py sweep`` flags.

A sweep file (TOML, same content as the flags; see ``docs/sweeps.md``)::

    scenarios = ["baseline", "iron_fist"]     # or "all"
    seeds = 20                                # seeds 1..20, or a list: [3, 5, 9]
    steps = 104                               # optional: default is each scenario's steps
    design = "factorial"                      # or "lhs" with samples = N (and design_seed = 1)
    posterior = "posterior.csv"               # optional: run every scenario on parameter sets drawn from it
    sets = 20                                 # how many sets to draw (by weight; default 20)
    draw_seed = 1                             # fixes the draw
    [axes]
    elder_influence = "0.2:0.8:4"             # 4 evenly spaced values, ends included
    amnesty = [0.2, 0.5, 0.8]                 # a list (or the string "0.2,0.5,0.8")

Seeds are part of each Run, never drawn from worker state, so results are identical on every backend
and worker count. The same seed list is used for every scenario and design point (paired seeds).
With a posterior, each drawn set is a design point (combined with every point of the axes): every
scenario runs on the same sets with the same seeds, and ``posterior_record`` (stored in the manifest's
``meta.sweep.posterior``) says which posterior row each design point used.
"""

from __future__ import annotations

import shlex
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sim.inputs.checks import SEED_MAX, check_seed
from sim.inputs.parameters import coerce
from sim.inputs.posterior import draw, load_posterior, overrides
from sim.inputs.scenario import bundled_names, load_scenario
from sim.runs.design import DESIGNS, Axis, SweepError, count_points, design_points, parse_axis

_FILE_KEYS = ("scenarios", "seeds", "steps", "design", "samples", "design_seed", "posterior", "sets", "draw_seed",
              "axes")
DEFAULT_SETS = 20          # posterior sets drawn when a posterior is given without sets
MAX_RUNS = 100_000         # a larger plan needs --yes (it is likely a typo: days of computing)
HARD_MAX_RUNS = 1_000_000  # the manifest lists every run; beyond this, split the sweep


@dataclass(frozen=True)
class Run:
    """One model run. Its key in the store is (scenario name, point, seed).

    Args:
        scenario: a bundled scenario name or the path of a scenario TOML file.
        seed: the run's random seed (the model's ``rng``).
        steps: weeks to simulate.
        overrides: parameter values applied on top of the scenario (validated by ``execute``).
        point: id of the design point (the parameter combination); runs that share a point share
            ``overrides``, whatever their scenario or seed.
    """

    scenario: str
    seed: int
    steps: int
    overrides: dict[str, Any] = field(default_factory=dict, hash=False)
    point: int = 0


def parse_seeds(value: Any, where: str = "--seeds") -> tuple[int, ...]:
    """Seeds from a count N (seeds 1..N) or an explicit list of whole numbers >= 0."""
    if isinstance(value, bool):
        value = None
    if isinstance(value, int):
        if value < 1:
            raise SweepError(f"{where} is {value}; it must be at least 1 (seeds 1..N are run).")
        if value > HARD_MAX_RUNS:
            raise SweepError(f"{where} is {value:,}; a sweep runs at most {HARD_MAX_RUNS:,} runs (its manifest lists "
                             f"every run), so give at most that many seeds and split larger studies into sweeps.")
        return tuple(range(1, value + 1))
    if isinstance(value, str):
        value = [v.strip() for v in value.split(",")] if value.strip() else []
    if not isinstance(value, list) or not value:
        raise SweepError(f"{where} is empty or not a list; give a count (seeds = 20) or a list of whole "
                         f"numbers >= 0 (seeds = [3, 5, 9] / --seed-list 3,5,9).")
    seeds = []
    for v in value:
        try:
            whole = not isinstance(v, bool) and float(v) == int(v)
        except (TypeError, ValueError, OverflowError):
            whole = False
        if not whole and not (isinstance(v, (int, str)) and str(v).strip().lstrip("-").isdigit()):
            raise SweepError(f"{where} has '{v}', which is not a whole number in [0, {SEED_MAX}].")
        seeds.append(check_seed(int(float(v)) if isinstance(v, float) else int(v), where))
    if len(set(seeds)) < len(seeds):
        raise SweepError(f"{where} lists a seed twice: {', '.join(map(str, seeds))}.")
    return tuple(seeds)


def parse_scenarios(value: Any, where: str = "--scenarios", base: Path | None = None) -> tuple[str, ...]:
    """Scenario references from "all", a comma list or a TOML list; files are made absolute paths."""
    if isinstance(value, str):
        value = bundled_names() if value.strip() == "all" else [v.strip() for v in value.split(",")]
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
        raise SweepError(f"{where} must name at least one scenario: 'all', bundled names "
                         f"({', '.join(bundled_names())}) or paths of .toml files.")
    refs = []
    for ref in value:
        path = Path(ref)
        if base is not None and ref.endswith(".toml") and not path.is_absolute() and (base / path).exists():
            path = base / path
        refs.append(str(path.resolve()) if (ref.endswith(".toml") or "/" in ref) and path.exists() else ref)
    if len(set(refs)) < len(refs):
        raise SweepError(f"{where} names a scenario twice: {', '.join(value)}.")
    return tuple(refs)


@dataclass(frozen=True)
class SweepSpec:
    """What a sweep file or the ``run.py sweep`` flags describe; ``plan_runs`` turns it into runs.

    Args:
        scenarios: bundled names and/or TOML paths.
        seeds: the seed list, shared by every scenario and design point.
        steps: weeks per run; None means each scenario's own ``steps``.
        axes: varied parameters.
        design: "factorial" (every combination of the axes' values) or "lhs" (Latin hypercube).
        samples: number of LHS design points.
        design_seed: seed of the LHS design (the design is part of the sweep, so it is fixed).
        source: the sweep file it came from, if any.
        posterior: path of a posterior CSV (``sim.inputs.posterior``); None: no posterior.
        sets: how many parameter sets to draw from it (None: ``DEFAULT_SETS``).
        draw_seed: seed of the weighted draw.
    """

    scenarios: tuple[str, ...] = ("baseline",)
    seeds: tuple[int, ...] = tuple(range(1, 11))
    steps: int | None = None
    axes: tuple[Axis, ...] = ()
    design: str = "factorial"
    samples: int | None = None
    design_seed: int = 1
    source: str | None = None
    posterior: str | None = None
    sets: int | None = None
    draw_seed: int = 1

    def check(self) -> "SweepSpec":
        """Cross-field checks; returns self."""
        where = f"'{self.source}'" if self.source else "the command line"
        if self.design not in DESIGNS:
            raise SweepError(f"design is '{self.design}' in {where}; allowed: {', '.join(DESIGNS)}.")
        names = [a.name for a in self.axes]
        if len(set(names)) < len(names):
            raise SweepError(f"An axis is given twice in {where}: {', '.join(names)}.")
        if self.design == "factorial":
            if self.samples is not None:
                raise SweepError(f"samples is only used with design lhs ({where}); remove it or add --design lhs.")
            for a in self.axes:
                if a.is_range and a.n is None:
                    raise SweepError(f"Axis '{a.name}' in {a.where} is a range without n ({a.text()}); a "
                                     f"factorial design needs lo:hi:n (e.g. {a.text()}:4).")
        else:
            if not self.axes:
                raise SweepError(f"design lhs needs at least one axis ({where}); add --set name=lo:hi.")
            if isinstance(self.samples, bool) or not isinstance(self.samples, int) or self.samples < 1:
                raise SweepError(f"design lhs needs samples = N, a whole number >= 1 ({where}; "
                                 f"it was {self.samples}).")
        if isinstance(self.design_seed, bool) or not isinstance(self.design_seed, int) or self.design_seed < 0:
            raise SweepError(f"design_seed is {self.design_seed} in {where}; it must be a whole number >= 0.")
        if self.posterior is None:
            if self.sets is not None:
                raise SweepError(f"sets = {self.sets} in {where} draws parameter sets from a posterior, but none is "
                                 f"given; add --posterior FILE (posterior = \"FILE\" in a sweep file) or drop sets.")
        else:
            if self.sets is not None and (isinstance(self.sets, bool) or not isinstance(self.sets, int) or
                                          not 1 <= self.sets <= HARD_MAX_RUNS):
                raise SweepError(f"sets is {self.sets} in {where}; it must be a whole number from 1 to "
                                 f"{HARD_MAX_RUNS:,} (posterior parameter sets drawn by weight).")
            if isinstance(self.draw_seed, bool) or not isinstance(self.draw_seed, int) or self.draw_seed < 0:
                raise SweepError(f"draw_seed is {self.draw_seed} in {where}; it must be a whole number >= 0.")
        return self

    @property
    def n_sets(self) -> int:
        """Posterior sets drawn (1 without a posterior: the scenarios' own values)."""
        return (self.sets or DEFAULT_SETS) if self.posterior else 1

    @classmethod
    def from_toml(cls, path: Path | str) -> "SweepSpec":
        """Read and validate a sweep file."""
        path = Path(path)
        if not path.is_file():
            raise SweepError(f"Sweep file '{path}' does not exist.")
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise SweepError(f"Sweep file '{path}' is not valid TOML: {exc}.") from None
        unknown = sorted(set(data) - set(_FILE_KEYS))
        if unknown:
            raise SweepError(f"Sweep file '{path}' has unknown key(s) {unknown}; allowed: {list(_FILE_KEYS)} "
                             f"(parameter axes go under [axes]).")
        spec = cls(source=str(path))
        if "scenarios" in data:
            spec = replace(spec, scenarios=parse_scenarios(data["scenarios"], f"'{path}' scenarios", path.parent))
        if "seeds" in data:
            spec = replace(spec, seeds=parse_seeds(data["seeds"], f"'{path}' seeds"))
        if "steps" in data:
            spec = replace(spec, steps=coerce("steps", data["steps"], f"'{path}' steps"))
        axes = data.get("axes", {})
        if not isinstance(axes, dict):
            raise SweepError(f"Sweep file '{path}': axes must be a table, [axes] with name = values lines.")
        spec = replace(spec, axes=tuple(parse_axis(k, v, f"'{path}' [axes]") for k, v in axes.items()))
        for key in ("design", "samples", "design_seed", "sets", "draw_seed"):
            if key in data:
                spec = replace(spec, **{key: data[key]})
        if "posterior" in data:
            if not isinstance(data["posterior"], str) or not data["posterior"].strip():
                raise SweepError(f"Sweep file '{path}': posterior must be the path of a posterior CSV file.")
            file = Path(data["posterior"])
            spec = replace(spec, posterior=str(file if file.is_absolute() else (path.parent / file).resolve()))
        return spec.check()

    def as_dict(self) -> dict:
        """The spec as stored in the manifest."""
        return {"file": self.source, "scenarios": list(self.scenarios), "seeds": list(self.seeds),
                "steps": self.steps, "design": self.design, "samples": self.samples,
                "design_seed": self.design_seed, "axes": {a.name: a.text() for a in self.axes},
                **({"posterior": self.posterior_record()} if self.posterior else {})}

    def command(self, out: Path | str) -> str:
        """A ``run.py sweep`` command line that plans exactly these runs into ``out``."""
        seeds = self.seeds
        argv = ["python", "run.py", "sweep", "--scenarios", ",".join(self.scenarios)]
        argv += ["--seeds", str(len(seeds))] if seeds == tuple(range(1, len(seeds) + 1)) else \
            ["--seed-list", ",".join(map(str, seeds))]
        argv += ["--steps", str(self.steps)] if self.steps else []
        argv += [x for a in self.axes for x in ("--set", f"{a.name}={a.text()}")]
        if self.design != "factorial":
            argv += ["--design", self.design, "--samples", str(self.samples), "--design-seed", str(self.design_seed)]
        if self.posterior:
            argv += ["--posterior", self.posterior, "--sets", str(self.n_sets), "--draw-seed", str(self.draw_seed)]
        return shlex.join([*argv, "--out", str(out)])

    def size(self) -> int:
        """How many runs the spec plans (scenarios x design points x seeds), without planning them."""
        return len(self.scenarios) * self.n_sets * count_points(self.axes, self.design, self.samples) * len(self.seeds)

    def points(self) -> list[dict[str, Any]]:
        """The design points: each posterior set (if any) combined with each point of the axes
        (``sim.runs.design.design_points``); point id = set x (points of the axes) + axis point."""
        grid = design_points(self.axes, self.design, self.samples, self.design_seed)
        if not self.posterior:
            return grid
        return [{**overrides(row), **point} for _, row in self._draws().iterrows() for point in grid]

    def _draws(self):
        """The drawn posterior sets, after checking that they leave the scenarios' levers and the axes alone."""
        posterior = load_posterior(self.posterior)
        taken = {a.name for a in self.axes} & set(posterior.names)
        if taken:
            raise SweepError(f"The posterior '{self.posterior}' gives values of {', '.join(sorted(taken))}, which "
                             f"is also an axis of the sweep; drop the axis or use a posterior without that column.")
        for ref in self.scenarios:
            scenario = load_scenario(ref)
            levers = sorted(set(scenario.overrides) & set(posterior.names))
            if levers:
                raise SweepError(f"Scenario '{scenario.name}' sets {', '.join(levers)}, which the posterior "
                                 f"'{self.posterior}' would overwrite on every set, removing the scenario's policy; "
                                 f"a posterior must hold only calibrated parameters that no compared scenario sets.")
        return draw(posterior, self.n_sets, self.draw_seed)

    def posterior_record(self) -> dict[str, Any]:
        """What the manifest keeps of the posterior: the file and its SHA-256, the draw, and the posterior row
        (``particle``, 0-based) of each draw; design point p used draw p // ``points_per_set``."""
        drawn = self._draws()
        return {"file": self.posterior, "sha256": load_posterior(self.posterior).sha256, "sets": self.n_sets,
                "draw_seed": self.draw_seed, "parameters": [c for c in drawn.columns if c != "particle"],
                "points_per_set": count_points(self.axes, self.design, self.samples),
                "particles": [int(p) for p in drawn["particle"]]}


def plan_runs(spec: SweepSpec, max_runs: int | None = MAX_RUNS) -> list[Run]:
    """Every run of the spec: for each scenario, each design point, each seed.

    The plan's size is computed first: more than ``max_runs`` runs (None: no limit, the CLI's --yes)
    or more than ``HARD_MAX_RUNS`` is refused before anything is built.
    """
    spec.check()
    size = spec.size()
    shape = (f"{len(spec.scenarios)} scenario(s) x {spec.n_sets * count_points(spec.axes, spec.design, spec.samples):,}"
             f" design point(s) x {len(spec.seeds):,} seed(s)")
    if size > HARD_MAX_RUNS:
        raise SweepError(f"The sweep plans {size:,} runs ({shape}); a sweep runs at most {HARD_MAX_RUNS:,} (its "
                         f"manifest lists every run). Use fewer values per axis, fewer seeds or --design lhs, or "
                         f"split the study into several sweeps.")
    if max_runs is not None and size > max_runs:
        raise SweepError(f"The sweep plans {size:,} runs ({shape}), more than {max_runs:,}; at a few runs per "
                         f"second per core that is days of computing, so check the axes and seeds, or add --yes to "
                         f"run it anyway.")
    points = spec.points()
    runs = []
    for ref in spec.scenarios:
        scenario = load_scenario(ref)
        for p, overrides in enumerate(points):
            steps = spec.steps or scenario.with_overrides(overrides, "[axes]").params["steps"]
            runs += [Run(ref, seed, int(steps), dict(overrides), p) for seed in spec.seeds]
    return runs
