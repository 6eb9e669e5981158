"""``run.py calibrate``: ABC-SMC calibration of the free parameters with pyabc (Beaumont et al. 2009).

Priors. Every parameter of ``sim.inputs.parameters`` whose source starts with "[E]" (no sourced value),
numeric, except ``scale`` (people per agent: a representation, which results must not depend on), is
calibrated by default, ``recruit_pool`` included (``--params`` picks a subset). Each prior is uniform over
the table's allowed range, or over a narrower ``NAME=LOW:HIGH``, or log-uniform (uniform in log10, pyabc
parameter ``probit_log10_NAME``) when the table's range is positive and spans a factor of at least
``LOG_SPAN``. Whole-number parameters are rounded when they reach the model.

Model (``analysis.abc_model.Simulator``). One parameter set runs the scenario over ``--seeds`` k model
seeds, drawn from numpy's global generator (which pyabc's serial sampler also draws from, so a seeded
serial run repeats exactly), through ``sim.runs.runner.run_one``; its summary statistics and the distance
are those of ``analysis.abc_distance`` (zero inside every tolerance band). Once epsilon is finite, a
20-week screen rejects a particle early when the patterns of those weeks alone are already too far.

Tolerance. Generation 0 accepts every prior draw (epsilon = inf); each next epsilon is the weighted
median of the last generation's distances (``pyabc.QuantileEpsilon``, alpha 0.5); the run stops after the
generation run at epsilon 0 (every accepted particle passes every band), after ``--generations``, when
``--budget`` model runs are used up (checked between generations), or when a generation's acceptance
rate would fall below ``--min-acceptance`` (that generation is dropped).

Stopping. Ctrl-C, ``kill -INT`` or ``kill`` (SIGTERM, what batch schedulers send) stops the run and writes
the outputs of the last finished generation (exit 130); a run started in the background (``&``) has SIGINT
ignored by its shell, so it is turned back on (``stop_on_signals``).
If the importance weights of a generation turn NaN in pyabc (a population of a few particles collapsing onto
a point), the last finished generation is written too, with a message, and the exit status is 1.

Outputs in ``--out``: ``abc.db`` (pyabc's database), ``posterior.csv`` (final population: one row per
particle, parameter values as the model received them, ``weight``, ``distance``), ``generations.csv``,
``manifest.json``, and pyabc's plots ``kde_matrix.png``, ``epsilons.png``, ``ess.png``.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import random
import signal
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import numpy as np
from scipy.special import ndtr, ndtri

from analysis import abc_distance as D
from sim.runs.cli import add_execution_args

LOG_SPAN = 25.0  # a positive range spanning at least this factor gets a log-uniform prior
NOT_CALIBRATED = {"scale": "people per agent, a representation choice: outputs per person must not depend on it",
                  "steps": "the run length, which the patterns' windows fix (--steps)"}
DB_NAME = "abc.db"

EXAMPLES = """examples:
  python run.py calibrate --population 8 --generations 2 --steps 26 --out results/cal_try   # a quick look
  python run.py calibrate --budget 5000 --out results/calibrate   # the full run (docs/calibration.md §2.6)
  python run.py calibrate --params recruit_pool,recruit_contact_rate,hp_rate --population 100 --out results/cal3
  python run.py calibrate --backend dask --scheduler tcp://10.0.0.5:8786 --population 400 --out results/cal_big
  python run.py validate --posterior results/calibrate/posterior.csv --draws 100   # score the posterior
"""


@dataclass(frozen=True)
class Prior:
    """Uniform (or log10-uniform) prior of one calibrated parameter over its range.

    pyabc samples it in probit coordinates, z = Phi^-1((u - a) / (b - a)) with u the uniform coordinate on
    ``bounds`` = [a, b] (u = log10 of the value for log priors) and Phi the standard normal CDF. If u is
    uniform, z is standard normal, so the prior is exactly the same; but pyabc's multivariate normal
    proposals can no longer fall outside the support (in the table's own coordinates, with 57 bounded
    parameters, almost every proposal did, and pyabc redrew them one by one), and their Gaussian tails
    match the prior's: with logit coordinates (a logistic prior, tails like e^-|z|) particles accepted far
    out got huge importance weights and the effective sample size collapsed (docs/calibration.md §2.6).
    """

    name: str
    low: float
    high: float
    log: bool
    integer: bool

    @property
    def key(self) -> str:
        """The parameter's name inside pyabc: probit_NAME, or probit_log10_NAME for log-uniform priors."""
        return f"probit_log10_{self.name}" if self.log else f"probit_{self.name}"

    @property
    def bounds(self) -> tuple[float, float]:
        """The prior's support in its uniform coordinate (log10 of the value for log-uniform priors)."""
        return (float(np.log10(self.low)), float(np.log10(self.high))) if self.log else (self.low, self.high)

    def uniform(self, z: float | np.ndarray) -> float | np.ndarray:
        """The uniform coordinate of pyabc coordinate ``z``."""
        lo, hi = self.bounds
        return lo + (hi - lo) * ndtr(z)

    def coordinate(self, u: float) -> float:
        """pyabc's coordinate of uniform coordinate ``u`` (the inverse of ``uniform``)."""
        lo, hi = self.bounds
        return float(ndtri((u - lo) / (hi - lo)))

    def value(self, z: float) -> float | int:
        """The model value of pyabc coordinate ``z`` (10**u for log priors, rounded for whole numbers)."""
        u = float(self.uniform(z))
        v = float(np.clip(10.0 ** u if self.log else u, self.low, self.high))
        return int(round(v)) if self.integer else v


def free_parameters() -> list[str]:
    """Names of the parameters without a sourced value ("[E]" source), numeric, minus ``NOT_CALIBRATED``."""
    from sim.inputs.parameters import PARAMS

    return [p.name for p in PARAMS.values()
            if p.source.startswith("[E]") and p.kind in (int, float) and p.name not in NOT_CALIBRATED]


def priors(names: list[str] | None = None) -> tuple[Prior, ...]:
    """The priors of ``names`` (default: all free parameters), over the parameter table's ranges.

    An entry ``NAME=LOW:HIGH`` narrows that prior's support to [LOW, HIGH], which must lie inside the
    table's range (history matching before ABC: docs/calibration.md §2.7). Whether a prior is log-uniform is
    decided by the table's range, so narrowing keeps the prior's shape.
    """
    from sim.errors import UserError
    from sim.inputs.parameters import PARAMS

    free = free_parameters()
    entries = [(n, None) for n in free] if names is None else [_entry(e) for e in names]
    bad = [n for n, _ in entries if n not in free]
    if bad or not entries:
        raise UserError(f"--params: {', '.join(bad) or '(empty)'} cannot be calibrated; allowed are the "
                        f"parameters without a sourced value: {', '.join(free)}.")
    out = []
    for n, support in entries:
        p = PARAMS[n]
        low, high = support or (float(p.low), float(p.high))
        if not p.low <= low < high <= p.high:
            raise UserError(f"--params: {n}={low:g}:{high:g} is not a range inside {n}'s allowed range "
                            f"[{p.low:g}, {p.high:g}] with LOW < HIGH.")
        log = p.low > 0 and p.high / p.low >= LOG_SPAN
        out.append(Prior(n, low, high, log, p.kind is int))
    return tuple(out)


def _entry(text: str) -> tuple[str, tuple[float, float] | None]:
    """One ``--params`` entry: ``NAME`` or ``NAME=LOW:HIGH``."""
    from sim.errors import UserError

    name, eq, support = (t.strip() for t in text.partition("="))
    if not eq:
        return name, None
    try:
        low, high = (float(x) for x in support.split(":"))
    except ValueError:
        raise UserError(f"--params: '{text}' is not NAME or NAME=LOW:HIGH with two numbers (e.g. "
                        f"ambush_rate=0.02:0.3).") from None
    return name, (low, high)


def pyabc_prior(prs: tuple[Prior, ...]):
    """The priors as a ``pyabc.Distribution``: standard normal in each probit coordinate, i.e. uniform over
    the prior's range (``Prior``)."""
    import pyabc

    return pyabc.Distribution(**{p.key: pyabc.RV("norm", 0.0, 1.0) for p in prs})


def model_values(prs: tuple[Prior, ...], theta: dict) -> dict[str, Any]:
    """A pyabc parameter dict as model overrides."""
    return {p.name: p.value(float(theta[p.key])) for p in prs}


@contextlib.contextmanager
def sampler(backend: str, workers: int | None, scheduler: str | None) -> Iterator[Any]:
    """pyabc's sampler for a backend: serial = SingleCoreSampler (deterministic for a seed), processes =
    MulticoreEvalParallelSampler, dask = DaskDistributedSampler on the project's Dask backend."""
    from pyabc.sampler import DaskDistributedSampler, MulticoreEvalParallelSampler, SingleCoreSampler

    from sim.runs import backends

    backends.check(backend, workers, scheduler)
    if backend == "serial":
        yield SingleCoreSampler(check_max_eval=True)
    elif backend == "processes":
        yield MulticoreEvalParallelSampler(n_procs=workers or backends.default_workers(), check_max_eval=True)
    else:
        with backends.open_backend("dask", workers, scheduler) as opened:
            yield DaskDistributedSampler(dask_client=opened.client)


def check_args(args: argparse.Namespace) -> None:
    """Bad flag values as UserError, before anything is written."""
    from sim.errors import UserError
    from sim.inputs.checks import check_out_path
    from sim.inputs.scenario import load_scenario

    load_scenario(args.scenario)   # a missing, malformed or non-UTF-8 scenario file: one paragraph
    check_out_path(args.out, "--out")
    for flag, value, least in (("--population", args.population, 2), ("--generations", args.generations, 1),
                               ("--seeds", args.seeds, 1), ("--steps", args.steps, 1)):
        if value < least:
            raise UserError(f"{flag} is {value}; it must be a whole number >= {least}.")
    if args.budget is not None and args.budget < args.population * args.seeds:
        raise UserError(f"--budget is {args.budget} model runs; it must cover at least one generation "
                        f"(--population x --seeds = {args.population * args.seeds}).")
    first = min(D.P.BY_ID[i].needs_steps() for i in D.ABC_IDS)
    if args.steps < first:
        raise UserError(f"--steps is {args.steps}; runs must cover at least one calibration pattern: {first} weeks "
                        f"or more (104 covers all of {', '.join(D.ABC_IDS)}).")
    if not 0 <= args.min_acceptance < 1:
        raise UserError(f"--min-acceptance is {args.min_acceptance}; it must be a number in [0, 1).")
    if (Path(args.out) / DB_NAME).exists():
        raise UserError(f"{Path(args.out) / DB_NAME} already holds a calibration; choose another --out "
                        f"(or delete that folder) so that no finished result is overwritten.")


@contextlib.contextmanager
def stop_on_signals() -> Iterator[None]:
    """While calibrating, SIGINT and SIGTERM raise KeyboardInterrupt in this process (the Ctrl-C path, which
    writes the last finished generation's outputs): SIGINT even when the shell started the run in the
    background with it ignored, SIGTERM so that ``kill PID`` or a batch scheduler's time limit loses
    nothing. Worker processes forked meanwhile inherit the handler and die of the signal as before."""
    main = os.getpid()

    def stop(signum, frame):
        if os.getpid() != main:
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)
            return
        raise KeyboardInterrupt

    before = {s: signal.signal(s, stop) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for s, handler in before.items():
            signal.signal(s, handler)


def release_database(history) -> None:
    """After an interrupt, let go of what the interrupted database access held before reading abc.db again.

    The interrupt can land inside pyabc's ``History`` between opening a connection and closing it (its
    ``with_session`` wrapper has no ``finally``): the session stays open, or an orphaned connection keeps
    its write lock, and the next connection then waits pyabc's 120 s ``DB_TIMEOUT`` for that lock. Roll the
    session back, close it, and collect the orphans, so that the outputs read a consistent database at once.
    """
    import gc

    session, engine = getattr(history, "_session", None), getattr(history, "_engine", None)
    try:
        if session is not None:
            session.rollback()
            session.close()
        if engine is not None:
            engine.dispose()
    finally:
        history._session = history._engine = None
        gc.collect()


def cmd_calibrate(args: argparse.Namespace) -> int:
    import pyabc

    from analysis import abc_outputs as O
    from analysis.abc_model import Simulator
    from sim.errors import UserError
    from sim.inputs.scenario import load_scenario
    from sim.runs.backends import resolve

    args.backend = resolve(args.backend, args.scheduler)  # the flag's default is None: processes, or dask with a scheduler
    check_args(args)
    prs = priors([n.strip() for n in args.params.split(",") if n.strip()] if args.params else None)
    patterns = D.abc_patterns(args.steps)
    ids = tuple(p.id for p in patterns)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    logging.getLogger("ABC").setLevel(logging.WARNING if args.quiet else logging.INFO)
    np.random.seed(args.design_seed)
    random.seed(args.design_seed)
    model = Simulator(load_scenario(args.scenario), args.steps, args.seeds, prs, ids)
    started = time.perf_counter()
    with stop_on_signals(), sampler(args.backend, args.workers, args.scheduler) as smp:
        smp.show_progress = not args.quiet
        abc = pyabc.ABCSMC(model, pyabc_prior(prs), D.BandDistance(ids), population_size=args.population,
                           sampler=smp, eps=pyabc.QuantileEpsilon(initial_epsilon=np.inf, alpha=0.5))
        abc.new(f"sqlite:///{(out / DB_NAME).resolve()}", D.observed(patterns))
        budget = np.inf if args.budget is None else args.budget // args.seeds
        interrupted, degenerate = False, ""
        with warnings.catch_warnings():  # pyabc compares epsilon with the previous one, inf - inf at generation 1
            warnings.filterwarnings("ignore", "invalid value encountered in scalar subtract", RuntimeWarning)
            try:
                history = abc.run(minimum_epsilon=0.0, max_nr_populations=args.generations,
                                  max_total_nr_simulations=budget, min_acceptance_rate=args.min_acceptance)
            except KeyboardInterrupt:  # Ctrl-C or kill: the finished generations are in abc.db; write the last one
                interrupted, history = True, abc.history
            except AssertionError as exc:  # pyabc's weights of the generation under way turned NaN
                if "total weight" not in str(exc):
                    raise
                degenerate, history = str(exc), abc.history
    seconds = time.perf_counter() - started
    if interrupted or degenerate:
        release_database(history)
    if (interrupted or degenerate) and history.max_t < 0:
        raise UserError(f"calibrate {'was interrupted' if interrupted else 'failed'} before generation 0 finished: "
                        f"nothing to write ({out / DB_NAME} is kept; start again with another --out).")
    stopped = ("interrupted (Ctrl-C, SIGINT or SIGTERM)" if interrupted
               else f"weights not finite in generation {history.max_t + 1}" if degenerate else None)
    written = O.write_outputs(history, prs, ids, out, args, seconds, stopped)
    print(O.report(history, prs, ids, args, seconds))
    print("wrote " + ", ".join(str(p) for p in written))
    if interrupted:
        print(f"interrupted during generation {history.max_t + 1}: the outputs are those of generation "
              f"{history.max_t}, the last one finished.", file=sys.stderr)
        return 130
    if degenerate:
        print(f"calibrate stopped in generation {history.max_t + 1}: its importance weights are not finite "
              f"(pyabc: '{degenerate}'), which happens when a tiny population collapses onto a point and the "
              f"proposal kernel degenerates. The outputs are those of generation {history.max_t}, the last one "
              f"finished; use a larger --population (200 is the default).", file=sys.stderr)
        return 1
    return 0


def register(sub) -> None:
    p = sub.add_parser("calibrate", help="ABC-SMC calibration (pyabc) of the free parameters against the patterns",
                       description="Calibrate every parameter without a sourced value by ABC-SMC (pyabc): priors "
                                   "over the parameter table's ranges, each particle run over --seeds seeds, "
                                   "distance zero inside every tolerance band of the calibration patterns "
                                   "(docs/calibration.md). Writes abc.db, posterior.csv, generations.csv, "
                                   "manifest.json and pyabc's plots into --out.",
                       epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--population", type=int, default=200, help="particles per generation (default 200)")
    p.add_argument("--generations", type=int, default=12, help="at most this many generations (default 12)")
    p.add_argument("--budget", type=int, help="stop after the generation in which the particles tried x --seeds "
                                              "reach this number (default: no limit)")
    p.add_argument("--seeds", type=int, default=1,
                   help="model seeds per particle (default 1: one simulation per particle, as in standard ABC)")
    p.add_argument("--steps", type=int, default=104,
                   help="weeks per run (default 104; shorter runs drop P14 below 104, P5b below 99, P8b below 44)")
    p.add_argument("--params", help="comma-separated subset to calibrate (default: every free parameter, see "
                                    "`run.py params`: sources starting with [E]); the others keep their defaults. "
                                    "NAME=LOW:HIGH narrows that prior to [LOW, HIGH] inside the table's range")
    p.add_argument("--min-acceptance", type=float, default=0.1,
                   help="drop a generation whose acceptance rate falls below this and stop (default 0.1; "
                        "not enforced by the dask sampler)")
    p.add_argument("--design-seed", type=int, default=1,
                   help="seed of numpy's generator for pyabc's sampling and the model seeds (default 1; "
                        "repeatable with --backend serial)")
    p.add_argument("--scenario", default="baseline", help="scenario to calibrate on (default baseline)")
    p.add_argument("--out", default="results/calibrate", help="output folder, must not hold a calibration yet "
                                                              "(default results/calibrate)")
    add_execution_args(p)
    p.set_defaults(func=cmd_calibrate)
