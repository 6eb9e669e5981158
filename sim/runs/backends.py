"""Where the runs of a sweep execute: all backends are a ``concurrent.futures.Executor``.

- ``serial``: in this process, one run at a time (debugging, tiny sweeps).
- ``processes``: a ``ProcessPoolExecutor`` on this machine, one pool for the whole sweep (starting
  workers costs about a second each, see ``_pool_context``).
- ``dask``: a loopback ``distributed.LocalCluster``, or an existing cluster when a scheduler address is
  given (``--scheduler tcp://HOST:PORT``, ``tls://HOST:PORT`` with ``--security FILE``, or
  ``DASK_SCHEDULER_ADDRESS``). The scheduler reschedules the runs of a worker that dies; a run that
  kills workers repeatedly fails with ``KilledWorker``.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sim.errors import UserError

BACKENDS = ("serial", "processes", "dask")
SCHEDULER_ENV = "DASK_SCHEDULER_ADDRESS"
PROBE_SECONDS = 120  # how long a new cluster may take to run its first (test) task


class BackendError(UserError):
    """A backend that cannot be used as asked (unknown name, bad worker count, unreachable scheduler)."""


@dataclass
class Backend:
    """An open executor, how many runs to keep submitted at once, and a line describing it."""

    executor: Executor
    window: int
    label: str
    notes: list[str] = field(default_factory=list)
    client: Any = None  # the distributed.Client of the dask backend (pyabc's Dask sampler takes it)


class SerialExecutor(Executor):
    """Runs each task in this process when it is submitted."""

    def submit(self, fn, /, *args, **kwargs) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as exc:  # the caller records it as a failed run
            future.set_exception(exc)
        return future


def default_workers() -> int:
    """Cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def resolve(backend: str | None, scheduler: str | None) -> str:
    """The backend to use: as given; if none is given, dask with a scheduler address, else processes."""
    return backend or ("dask" if scheduler else "processes")


def check(backend: str, workers: int | None, scheduler: str | None, security: str | Path | None = None) -> str | None:
    """Validate the choice before anything is written; returns the scheduler address to use, if any."""
    if backend not in BACKENDS:
        raise BackendError(f"Unknown backend '{backend}'; allowed: {', '.join(BACKENDS)} (--backend).")
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
        raise BackendError(f"--workers is {workers}; it must be a whole number >= 1.")
    if scheduler and backend != "dask":
        raise BackendError(f"--scheduler {scheduler} needs --backend dask (it was '{backend}').")
    address = (scheduler or os.environ.get(SCHEDULER_ENV) or None) if backend == "dask" else None
    if security is not None and not address:
        raise BackendError(f"--security {security} is for a scheduler at a tls:// address; give --scheduler "
                           f"tls://HOST:PORT as well.")
    if not address:
        return None
    from distributed.comm.addressing import parse_address, parse_host_port

    source = "--scheduler" if scheduler else SCHEDULER_ENV
    try:
        protocol, location = parse_address(address)
        parse_host_port(location)
    except ValueError as exc:
        raise BackendError(f"{source} is '{address}', which is not a scheduler address ({exc}); "
                           f"write it as tcp://HOST:PORT or tls://HOST:PORT, e.g. tcp://10.0.0.5:8786.") from None
    if protocol not in ("tcp", "tls"):
        raise BackendError(f"{source} is '{address}'; the scheduler address must start with tcp:// or tls://.")
    if protocol == "tls" and security is None:
        raise BackendError(f"{source} is '{address}', a TLS scheduler; give its certificates with --security FILE "
                           f"(see docs/sweeps.md, 'Running on a cluster').")
    if security is not None:
        load_security(security)
    return address


def load_security(path: str | Path):
    """A ``distributed.security.Security`` from a Dask configuration file (YAML) with the client's TLS files.

    The file has Dask's own layout, so the same file configures ``dask scheduler`` and ``dask worker``
    (``DASK_CONFIG=FILE``)::

        distributed:
          comm:
            require-encryption: true
            tls:
              ca-file: /etc/dask/ca.pem     # absolute paths: Dask reads relative ones from the current folder
              client: {cert: client.pem, key: client-key.pem}
              scheduler: {cert: scheduler.pem, key: scheduler-key.pem}
              worker: {cert: worker.pem, key: worker-key.pem}
    """
    import yaml
    from distributed.security import Security

    path = Path(path)
    where = f"--security {path}"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise BackendError(f"{where} cannot be read as a Dask configuration file ({type(exc).__name__}: "
                           f"{' '.join(str(exc).split())[:200]}).") from None
    try:
        tls = data["distributed"]["comm"]["tls"]
        files = {"tls_ca_file": tls["ca-file"], "tls_client_cert": tls["client"]["cert"],
                 "tls_client_key": tls["client"].get("key")}
    except (TypeError, KeyError, AttributeError):
        raise BackendError(f"{where} needs distributed.comm.tls.ca-file and distributed.comm.tls.client.cert "
                           f"(and .key) in Dask's configuration layout; see docs/sweeps.md.") from None
    resolved = {}
    for key, value in files.items():
        if value is None:
            continue
        file = Path(str(value)).expanduser().resolve()
        if not file.is_file():
            raise BackendError(f"{where}: the file '{value}' ({key}) does not exist (looked at {file}).")
        resolved[key] = str(file)
    return Security(require_encryption=True, **resolved)


@contextlib.contextmanager
def open_backend(backend: str, workers: int | None = None, scheduler: str | None = None, runs: int | None = None,
                 security: str | Path | None = None) -> Iterator[Backend]:
    """Start (or connect to) the backend, yield it, and shut it down afterwards.

    A local pool gets at most ``runs`` workers (no idle processes); more workers than cores is allowed,
    with a note, since the runs then share the cores and go no faster.
    """
    address = check(backend, workers, scheduler, security)
    notes = []
    n = workers or default_workers()
    if runs is not None and 0 < runs < n:
        if workers is not None and not address:
            notes.append(f"--workers {workers} capped at {runs}, the number of runs to do.")
        n = runs
    if n > default_workers() and backend != "serial" and not address:
        notes.append(f"{n} workers is more than the {default_workers()} cores this process may use; the runs share "
                     f"the cores and go no faster, and each worker holds a model in memory.")
    if backend == "serial":
        yield Backend(SerialExecutor(), 1, "serial (this process)")  # submit runs the task
    elif backend == "processes":
        pool = ProcessPoolExecutor(n, mp_context=_pool_context(), initializer=_worker_init, initargs=(os.getpid(),))
        try:
            yield Backend(pool, 2 * n, f"processes ({n} workers)", notes)
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
    else:
        with _dask(n, address, load_security(security) if security is not None else None) as opened:
            opened.notes[:0] = notes
            yield opened


def _pool_context() -> multiprocessing.context.BaseContext:
    """Start pool workers from a fork server that has imported the model once, where the OS has one.

    ``import mesa`` makes ``spawn`` the default, which imports the model again in every worker (about a
    second of CPU each); the fork server is single-threaded, so forking from it is safe.
    """
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["sim.runs.task", "sim.runs.runner"])
    return context


def _worker_init(sweep: int) -> None:
    """Ctrl-C is handled by the sweep's main process, which stops the pool, so workers ignore it; and a
    worker exits when that process is gone: a killed sweep would otherwise leave its workers (and the
    fork server, which waits for them) behind forever."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def watch() -> None:
        while _alive(sweep):
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, name="sweep-watch", daemon=True).start()


def _alive(pid: int) -> bool:
    """Whether process ``pid`` still runs (a zombie, killed but not yet reaped, counts as gone)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(") ", 1)[1][0] != "Z"
    except (OSError, IndexError):
        return True


def project_version() -> str:
    """Run as a task: proves that the scheduler and a worker can import this project, and which version."""
    from sim.version import __version__

    return __version__


def _check_environment(client, address: str) -> None:
    """Fail before any run is submitted if the cluster cannot import the project or runs another version."""
    from sim.version import __version__

    hint = ("The project must be installed, at the same version, on the scheduler and on every worker "
            "(pip install -e . there, or PYTHONPATH=<project folder> for `dask scheduler` and `dask worker`).")
    try:
        theirs = client.submit(project_version, pure=False).result(timeout=PROBE_SECONDS)
    except TimeoutError:
        raise BackendError(f"No worker of the Dask scheduler at '{address}' ran a test task within "
                           f"{PROBE_SECONDS} s; are workers connected (`dask worker {address}`)?") from None
    except Exception as exc:  # deserialisation on the scheduler, ModuleNotFoundError on a worker, ...
        text = " ".join(str(exc).split())[:200]
        raise BackendError(f"The Dask cluster at '{address}' cannot run this project's tasks "
                           f"({type(exc).__name__}: {text}). {hint}") from None
    if theirs != __version__:
        raise BackendError(f"The Dask workers at '{address}' run insurgency-abm {theirs}, this is {__version__}. "
                           f"{hint}")


@contextlib.contextmanager
def _dask(workers: int, address: str | None, security=None) -> Iterator[Backend]:
    from distributed import Client, LocalCluster

    cluster = None
    if address:
        try:
            client = Client(address, set_as_default=False, security=security)
        except (OSError, TimeoutError, ValueError) as exc:
            raise BackendError(
                f"Cannot reach the Dask scheduler at '{address}' ({type(exc).__name__}: {exc}). Start one with "
                f"`dask scheduler` and check the address (--scheduler or {SCHEDULER_ENV}); the connect timeout "
                f"is the Dask setting distributed.comm.timeouts.connect.") from None
        try:
            _check_environment(client, address)
        except BackendError:
            client.close()
            raise
        threads = sum(client.nthreads().values())
        label = f"dask scheduler {address} ({threads} worker threads now)"
    else:
        n = workers
        cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, host="127.0.0.1",
                               dashboard_address="127.0.0.1:0", silence_logs=logging.ERROR)
        client = Client(cluster, set_as_default=False)
        threads = n
        label = f"dask LocalCluster ({n} workers, dashboard {client.dashboard_link})"
    executor = client.get_executor(pure=False)
    try:
        # The scheduler queues what its workers cannot take yet; a deep window lets added workers get work.
        yield Backend(executor, max(2 * threads, 64), label, client=client)
    finally:
        executor.shutdown(wait=False)
        client.close()
        if cluster is not None:
            cluster.close()
