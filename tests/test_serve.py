"""``kg serve`` as a user runs it: a real process, real HTTP, and the seed corpus built when empty."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import ROOT, _free_port


def _serve(args: list[str], tmp_path: Path) -> tuple[subprocess.Popen[bytes], str, Path]:
    port = _free_port()
    log = tmp_path / "serve.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("KG_")}
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "api.cli", "serve", "--port", str(port), *args],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    return proc, f"http://127.0.0.1:{port}", log


def _wait(proc: subprocess.Popen[bytes], base: str, log: Path, seconds: float = 120) -> httpx.Response:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"kg serve exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            return httpx.get(f"{base}/healthz", timeout=2)
        except httpx.HTTPError:
            time.sleep(0.3)
    pytest.fail(f"kg serve did not answer within {seconds} s:\n{log.read_text()[-3000:]}")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.mark.parametrize("backend", ["embedded", "memory"])
def test_serve_builds_the_seed_corpus_into_an_empty_store_and_serves_it(tmp_path: Path, backend: str) -> None:
    store = str(tmp_path / "store") if backend == "embedded" else "memory"
    proc, base, log = _serve(["--store", store], tmp_path)
    try:
        health = _wait(proc, base, log)
        assert health.status_code == 200
        assert health.json()["documents"] == 5
        assert "built 5 documents" in log.read_text()
    finally:
        _stop(proc)
    assert proc.returncode == 0, log.read_text()[-3000:]
    if backend == "embedded":
        assert (tmp_path / "store").is_dir()
        # a second start serves the existing store without rebuilding it
        proc, base, log = _serve(["--store", store], tmp_path)
        try:
            assert _wait(proc, base, log).json()["documents"] == 5
            assert "built" not in log.read_text()
        finally:
            _stop(proc)


def test_serve_names_a_store_it_cannot_open(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    proc, _, log = _serve(["--store", str(blocker / "store")], tmp_path)
    assert proc.wait(timeout=60) == 1
    assert str(blocker) in log.read_text()
