"""Scenario sweeps, the one import for Python users: scenarios x design points x seeds into a results store.

    from sim.runs.sweep import Run, SweepSpec, plan_runs, execute
    runs = plan_runs(SweepSpec(scenarios=("baseline", "iron_fist"), seeds=(1, 2, 3), steps=104))
    summary = execute(runs, Path("results/s1"), backend="processes")   # resumable

The code lives by job: ``sim.runs.design`` (axes, factorial and Latin-hypercube designs),
``sim.runs.spec`` (the sweep file and flags, ``Run``, ``plan_runs``), ``sim.runs.plan`` (validation and
the manifest record), ``sim.runs.execute`` (the run loop), ``sim.runs.progress``, ``sim.runs.backends``.
"""

from sim.runs.design import Axis, SweepError, design_points, latin_hypercube, parse_axis
from sim.runs.execute import CHUNK_RUNS, CHUNK_SECONDS, execute
from sim.runs.plan import stored_runs
from sim.runs.progress import Progress
from sim.runs.spec import Run, SweepSpec, parse_scenarios, parse_seeds, plan_runs
from sim.runs.task import run_task

__all__ = ["Axis", "Run", "SweepSpec", "SweepError", "Progress", "design_points", "execute", "latin_hypercube",
           "parse_axis", "parse_scenarios", "parse_seeds", "plan_runs", "run_task", "stored_runs", "CHUNK_RUNS",
           "CHUNK_SECONDS"]
