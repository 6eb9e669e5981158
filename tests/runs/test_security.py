"""Dask over TLS (issue 12): tls:// schedulers with a --security file, and clear refusals otherwise."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

import run
from analysis import load
from sim.runs.execute import execute
from sim.runs.spec import SweepSpec, plan_runs
from sweep_helpers import PY, REPO, DaskCluster, assert_same_results


def tls_config(folder: Path) -> Path:
    """A self-signed certificate (openssl) and a Dask configuration file using it for every role."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                    "/CN=localhost", "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    pair = f"{{cert: {cert}, key: {key}}}"
    path = folder / "dask-tls.yaml"
    path.write_text(f"distributed:\n  comm:\n    require-encryption: true\n    tls:\n      ca-file: {cert}\n"
                    f"      client: {pair}\n      scheduler: {pair}\n      worker: {pair}\n")
    return path


BAD = {  # extra argv (with {cfg}: a valid file, {tmp}: the test folder) -> words of the message
    "tls without certificates": (["--scheduler", "tls://127.0.0.1:8786"], ["tls://127.0.0.1:8786", "--security FILE"]),
    "security without a scheduler": (["--security", "{cfg}"], ["--security", "tls://HOST:PORT"]),
    "another protocol": (["--scheduler", "udp://127.0.0.1:8786"], ["udp://", "tcp:// or tls://"]),
    "security file without TLS keys": (["--scheduler", "tls://127.0.0.1:8786", "--security", "{tmp}/empty.yaml"],
                                       ["distributed.comm.tls.ca-file", "docs/sweeps.md"]),
    "security file naming a missing certificate": (["--scheduler", "tls://127.0.0.1:8786", "--security",
                                                    "{tmp}/missing.yaml"], ["/nowhere/ca.pem", "does not exist"]),
    "security file that is not YAML": (["--scheduler", "tls://127.0.0.1:8786", "--security", "{tmp}/bad.yaml"],
                                       ["cannot be read as a Dask configuration file"]),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_cluster_security_exits_2_before_anything_is_written(case, tmp_path, capsys):
    (tmp_path / "empty.yaml").write_text("distributed: {}\n")
    (tmp_path / "missing.yaml").write_text("distributed:\n  comm:\n    tls:\n      ca-file: /nowhere/ca.pem\n"
                                           "      client: {cert: /nowhere/c.pem}\n")
    (tmp_path / "bad.yaml").write_text("distributed: [unclosed\n")
    (tmp_path / "ok.yaml").write_text("distributed: {}\n")
    argv, words = BAD[case]
    argv = [a.format(cfg=tmp_path / "ok.yaml", tmp=tmp_path) for a in argv]
    assert run.main(["sweep", "--seeds", "1", "--steps", "2", *argv, "--out", str(tmp_path / "s")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1 and "Traceback" not in err, err
    for word in words:
        assert word in err, (word, err)
    assert not (tmp_path / "s").exists()


@pytest.mark.slow
def test_sweep_on_a_tls_scheduler_with_a_security_file(tmp_path):
    config = tls_config(tmp_path)
    cluster = DaskCluster(workers=1, tls_config=config)
    try:
        plain = subprocess.run([PY, "run.py", "sweep", "--scheduler", cluster.address.replace("tls://", "tcp://"),
                                "--seeds", "1", "--steps", "2", "--out", str(tmp_path / "plain")], cwd=REPO,
                               capture_output=True, text=True, timeout=120,
                               env={"DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "5s", **os.environ})
        result = subprocess.run([PY, "run.py", "sweep", "--scheduler", cluster.address, "--security", str(config),
                                 "--seeds", "2", "--steps", "4", "--out", str(tmp_path / "d")], cwd=REPO,
                                capture_output=True, text=True, timeout=300)
    finally:
        cluster.stop()
    assert plain.returncode == 2 and "Traceback" not in plain.stderr, plain.stderr   # no plain connection to it
    assert not (tmp_path / "plain").exists()
    assert result.returncode == 0, result.stderr
    assert f"dask scheduler {cluster.address}" in result.stderr
    execute(plan_runs(SweepSpec(seeds=(1, 2), steps=4)), tmp_path / "s", backend="serial", progress=False)
    assert_same_results(tmp_path / "d", tmp_path / "s")
    assert len(load(tmp_path / "d").national) == 2 * 5
