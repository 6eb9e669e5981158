"""Executing a sweep: run what a results store is missing, on any backend, writing parts as runs finish.

``execute`` validates every run first (``sim.runs.plan.prepare``), then keeps a window of runs submitted
to the backend's executor, buffers finished runs and writes them to the store in parts (every
``CHUNK_RUNS`` runs or ``CHUNK_SECONDS`` seconds), keeping the manifest current.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import time
import traceback
from pathlib import Path

import pandas as pd

from sim.results.integrity import Problem
from sim.results.manifest import git_revision, now, plan_hash, versions
from sim.results.store import FORMAT, KIND, Store, StoreError
from sim.runs import backends
from sim.runs.design import SweepError
from sim.runs.plan import Plan, difference, identity, prepare, require_plan
from sim.runs.progress import Progress
from sim.runs.task import run_task
from sim.runs.spec import Run

CHUNK_RUNS = 50        # write a part after this many finished runs ...
CHUNK_SECONDS = 10.0   # ... or when the oldest unwritten run finished this long ago


def execute(runs: list[Run], out: Path, backend: str | None = "processes", workers: int | None = None,
            scheduler: str | None = None, progress: bool = True, meta: dict | None = None,
            chunk: int | None = None, security: str | Path | None = None) -> dict:
    """Run what the store at ``out`` is missing of ``runs`` and store it; returns a summary.

    Args:
        runs: the planned runs (e.g. from ``plan_runs``); all are validated before anything is written.
        out: the store folder: new or empty, or holding this same sweep (then only missing runs run;
            an identical finished sweep does nothing). A folder holding another sweep, another kind of
            output or a manifest whose plan was edited raises StoreError and is left untouched.
        backend: "serial", "processes" (default; ``workers`` defaults to all cores) or "dask"
            (a loopback LocalCluster, or the cluster at ``scheduler`` / ``DASK_SCHEDULER_ADDRESS``);
            None means "dask" if ``scheduler`` is given, else "processes" (the command-line default).
        progress: tqdm bar on a terminal, plain lines otherwise, nothing if False.
        meta: extra JSON-able information stored in the manifest as ``meta`` on creation
            (e.g. the sweep file or a sensitivity design); its "command", if any, is also noted in a
            new folder's lock file, so that a sweep killed before its manifest can say what it was.
        chunk: write a part every ``chunk`` finished runs (default 50; also every 10 s).
        security: a Dask TLS settings file for a ``tls://`` scheduler (``sim.runs.backends.load_security``).

    Returns:
        {"planned", "skipped" (already stored), "done" (stored now), "failed", "complete", "out",
        "seconds", "failures": [{"scenario", "point", "seed", "error"}], "quarantined": parts set aside
        because they were damaged, duplicated or stray, each with the runs that ran again}

    The store's lock is taken before the store is read for real, so two sweeps on one folder never
    both run a run. Damaged parts found then are moved to ``quarantine/`` and exactly their runs run
    again.

    Every stored row carries scenario, point, seed and one column per varied parameter (the union
    of override keys; the column is ``param_<name>`` when an output has that name, see the
    manifest's ``varied``), then the ``sim.outputs`` columns. A run that raises is recorded with its
    error in the manifest's ``failed`` list and the sweep goes on; resuming retries it.
    """
    started = time.monotonic()
    plan = prepare(runs)
    backend = backends.resolve(backend, scheduler)
    address = backends.check(backend, workers, scheduler, security)
    if chunk is not None and (isinstance(chunk, bool) or not isinstance(chunk, int) or chunk < 1):
        raise SweepError(f"--chunk is {chunk}; it must be a whole number >= 1.")
    store = Store(out)
    summary = {"planned": len(plan.keys), "skipped": 0, "done": 0, "failed": 0, "complete": False,
               "out": str(out), "failures": [], "quarantined": []}
    old = _same_sweep(store, plan)    # read-only first: a refused sweep does not even take the lock
    if old is not None and old.get("status") == "complete" and not _todo(plan, store, old, []) \
            and not store.problems(old):
        return {**summary, "skipped": len(plan.keys), "complete": True, "seconds": time.monotonic() - started}
    with contextlib.ExitStack() as stack:
        stack.enter_context(store.writing(note=str((meta or {}).get("command", ""))))
        old = _same_sweep(store, plan)   # again under the lock: another sweep may have stored runs since
        found = store.problems(old) if old is not None else []
        todo = _todo(plan, store, old, found)
        summary.update(skipped=len(plan.keys) - len(todo), complete=not todo)
        if not todo and not found and old is not None and old.get("status") == "complete":
            summary["seconds"] = time.monotonic() - started
            return summary
        # Start the backend before changing anything: one that cannot start leaves the store as it was.
        backend_info = stack.enter_context(backends.open_backend(backend, workers, address, len(todo), security)) \
            if todo else None
        manifest = old or {"kind": KIND, "format": FORMAT, "created": now(), "versions": versions(),
                           "git": git_revision(), "meta": meta, **plan.record, "plan_hash": plan_hash(plan.record),
                           "parts": {}, "failed": [], "sessions": []}
        summary["quarantined"] = store.repair(manifest, found)
        manifest["status"] = "running"
        manifest["sessions"].append({"started": now(), "backend": backend_info.label if backend_info else None,
                                     "git": git_revision().get("commit"), "to_run": len(todo),
                                     "quarantined": summary["quarantined"]})
        store.write_manifest(manifest)
        failed = {(f["scenario"], f["point"], f["seed"]): f for f in manifest["failed"]}
        _loop(plan, todo, backend_info, store, manifest, failed, summary, chunk or CHUNK_RUNS, progress)
    summary["seconds"] = time.monotonic() - started
    return summary


def _same_sweep(store: Store, plan: Plan) -> dict | None:
    """The store's manifest (None for a new folder) if it holds this same sweep; StoreError otherwise."""
    old = store.existing()
    if old is not None:
        require_plan(old, store.manifest_path)
    if old is not None and identity(old) != identity(plan.record):
        raise StoreError(f"Output folder '{store.root}' holds a different sweep: {difference(old, plan.record)}. "
                         f"Give another --out, or delete the folder to start over; nothing was changed.")
    return old


def _todo(plan: Plan, store: Store, old: dict | None, found: list[Problem]) -> list[int]:
    """Indexes of the planned runs not stored in a sound part."""
    if old is None:
        return list(range(len(plan.keys)))
    bad = {p.part for p in found}
    done = store.done_keys({"parts": {n: r for n, r in old["parts"].items() if n not in bad}})
    return [i for i, k in enumerate(plan.keys) if k not in done]


def _loop(plan: Plan, todo: list[int], backend, store: Store, manifest: dict, failed: dict,
          summary: dict, chunk: int, progress: bool) -> None:
    """Submit runs through a window, store results in parts as they finish, keep the manifest current."""
    bar = Progress(len(plan.keys), summary["skipped"], progress)
    buffer: list[tuple[pd.DataFrame, pd.DataFrame]] = []
    oldest = 0.0

    def save(final: bool = False) -> None:
        manifest["failed"] = list(failed.values())
        if final:
            manifest["status"] = "complete" if not failed and summary["complete"] else "incomplete"
            manifest["sessions"][-1].update(finished=now(), done=summary["done"], failed=len(failed))
        manifest["updated"] = now()
        if buffer:
            batch = buffer[:]
            buffer.clear()   # before writing: an interrupted write must not be written again (duplicates)
            store.write_part({"national": pd.concat([b[0] for b in batch], ignore_index=True),
                              "provinces": pd.concat([b[1] for b in batch], ignore_index=True)}, manifest)
        else:
            store.write_manifest(manifest)

    if backend:
        for text in backend.notes:
            bar.note(f"sweep: warning: {text}")
        bar.note(f"sweep: {len(plan.keys)} runs planned, {summary['skipped']} already stored, {len(todo)} to run "
                 f"on {backend.label} -> {store.root}")
    pending: dict[cf.Future, int] = {}
    queue = iter(todo)
    try:
        while True:
            while backend and len(pending) < backend.window and (i := next(queue, None)) is not None:
                pending[backend.executor.submit(run_task, *plan.tasks[i])] = i
            if not pending:
                break
            timeout = max(0.1, CHUNK_SECONDS - (time.monotonic() - oldest)) if buffer else None
            finished, _ = cf.wait(pending, timeout=timeout, return_when=cf.FIRST_COMPLETED)
            for future in finished:
                key = plan.keys[pending.pop(future)]
                try:
                    national, provinces = future.result()
                except Exception as exc:  # recorded, the sweep goes on
                    failed[key] = {"scenario": key[0], "point": key[1], "seed": key[2],
                                   "error": _first_line(exc), "when": now(),
                                   "traceback": "".join(traceback.format_exception(exc))[-4000:]}
                    summary["failed"] += 1
                    bar.note(f"run {key[0]} point {key[1]} seed {key[2]} failed: {_first_line(exc)}")
                else:
                    failed.pop(key, None)
                    oldest = oldest if buffer else time.monotonic()
                    buffer.append((national, provinces))
                    summary["done"] += 1
                bar.update(summary["failed"])
            if buffer and (len(buffer) >= chunk or time.monotonic() - oldest >= CHUNK_SECONDS):
                save()
        summary["complete"] = not failed
        summary["failures"] = [{k: f[k] for k in ("scenario", "point", "seed", "error")} for f in failed.values()]
        summary["failed"] = len(failed)
    finally:
        for future in pending:
            future.cancel()
        save(final=True)
        bar.close()


def _first_line(exc: BaseException) -> str:
    """The error on one line (the manifest keeps the traceback)."""
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text[:300]}"
