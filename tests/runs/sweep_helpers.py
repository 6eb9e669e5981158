"""Helpers of the sweep tests: store snapshots, free ports, process trees, a Dask cluster started by hand."""

from __future__ import annotations

import hashlib
import os
import socket
import subprocess
import sys
from pathlib import Path

import pandas as pd

import run
from analysis import load
from sim.runs.cli import spec_from_args
from sim.runs.spec import SweepSpec

REPO = Path(__file__).resolve().parents[2]
PY = sys.executable


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (hidden ones too) with a hash of its bytes."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def assert_same_results(a: Path, b: Path) -> None:
    ra, rb = load(a), load(b)
    pd.testing.assert_frame_equal(ra.national, rb.national)
    pd.testing.assert_frame_equal(ra.provinces, rb.provinces)


def spec(argv: list[str]) -> SweepSpec:
    return spec_from_args(run.build_parser().parse_args(["sweep", *argv]))


def children(pid: int) -> list[int]:
    """Every descendant of ``pid`` (pool workers are children of a fork server, itself a child)."""
    try:
        kids = [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []
    return kids + [d for k in kids for d in children(k)]


def foreground(argv: list[str]) -> list[str]:
    """``argv`` run with SIGINT at its default action and unblocked, as in a terminal's foreground job.

    A shell without job control starts background commands (``make test &``, scripts that load the
    machine, many CI runners) with SIGINT ignored, and children inherit an ignored signal across exec;
    Python then never raises KeyboardInterrupt. A test that sends Ctrl-C resets it in the child itself.
    """
    reset = ("import os, signal, sys; signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT}); "
             "signal.signal(signal.SIGINT, signal.SIG_DFL); os.execv(sys.argv[1], sys.argv[1:])")
    return [PY, "-c", reset, *argv]


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


class DaskCluster:
    """``dask scheduler`` and ``dask worker`` processes on 127.0.0.1, stopped by PID."""

    def __init__(self, workers: int, tls_config: Path | None = None):
        """``tls_config``: a Dask configuration file with TLS certificates (DASK_CONFIG for both); then tls://."""
        self.port = free_port()
        protocol = "tls" if tls_config else "tcp"
        self.address = f"{protocol}://127.0.0.1:{self.port}"
        env = {**os.environ, "PYTHONPATH": str(REPO)}   # stands in for installing the project on each node
        if tls_config:
            env["DASK_CONFIG"] = str(tls_config)
        dask_cli = str(Path(PY).parent / "dask")
        self.scheduler = subprocess.Popen(
            [dask_cli, "scheduler", "--host", "127.0.0.1", "--port", str(self.port), "--protocol", protocol,
             "--dashboard-address", "127.0.0.1:0"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.workers = [subprocess.Popen(
            [dask_cli, "worker", self.address, "--nthreads", "1", "--host", "127.0.0.1", "--no-nanny",
             "--dashboard-address", "127.0.0.1:0"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            for _ in range(workers)]
        from distributed import Client

        from sim.runs.backends import load_security

        security = load_security(tls_config) if tls_config else None
        with Client(self.address, timeout=60, security=security) as client:
            client.wait_for_workers(workers, timeout=120)

    def stop(self) -> None:
        for p in [*self.workers, self.scheduler]:
            if p.poll() is None:
                p.terminate()
        for p in [*self.workers, self.scheduler]:
            try:
                p.wait(20)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
