"""Shared fixtures: a read-only seed store built once per session, fresh stores for writers."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from kg import gephi
from kg.build import BuildReport, build
from kg.config import Settings
from kg.gephi_read import SUMMARY_PREDICATE
from kg.reference import Reference, load_reference
from kg.store import GraphStore

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"


def without_summaries(store: GraphStore) -> GraphStore:
    """An in-memory copy of ``store`` with no export summary: the export reads its triples."""
    copy = GraphStore.open(None)
    copy.bulk_add(q for q in store.quads() if q.predicate.value != SUMMARY_PREDICATE)
    return copy


def assert_export_reads_the_triples(store: GraphStore) -> None:
    """What the export reads (summaries where a graph has a current one) is what the triples say."""
    plain = without_summaries(store)
    for view in gephi.VIEWS:
        options = gephi.parse_options(view, "gexf")
        assert gephi.export_bytes(store, options) == gephi.export_bytes(plain, options), view


def settings_for(store: Path | str, corpus: Path = CORPUS) -> Settings:
    return Settings(home=ROOT, corpus=corpus, store=str(store))


@pytest.fixture(scope="session")
def seed_build(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[BuildReport, GraphStore]]:
    """The seed corpus built once into a real on-disk store; tests must not write to it."""
    path = tmp_path_factory.mktemp("seed") / "store"
    report, store = build(settings_for(path))
    yield report, store
    store.close()


@pytest.fixture(scope="session")
def seed_store(seed_build: tuple[BuildReport, GraphStore]) -> GraphStore:
    return seed_build[1]


@pytest.fixture
def corpus_copy(tmp_path: Path) -> Path:
    """A private copy of the corpus a test may edit."""
    target = tmp_path / "corpus"
    shutil.copytree(CORPUS, target)
    return target


@pytest.fixture
def fresh_store(tmp_path: Path) -> Iterator[GraphStore]:
    """A store of its own, built from the seeds, for a test that writes."""
    _, store = build(settings_for(tmp_path / "store"))
    yield store
    store.close()


# --- the three backends ------------------------------------------------------------------------

BACKENDS = ("embedded", "memory", "remote")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class OxigraphServer:
    """A real ``oxigraph serve`` process on 127.0.0.1, started and stopped by the fixture."""

    process: subprocess.Popen[bytes]
    base: str
    log: Path

    @property
    def query_url(self) -> str:
        return f"{self.base}/query"

    @property
    def update_url(self) -> str:
        return f"{self.base}/update"


def start_oxigraph(workdir: Path, *extra: str) -> OxigraphServer:
    """Start the server on a free port and wait until it answers; fail loudly if it cannot start."""
    exe = shutil.which("oxigraph")
    if exe is None:
        pytest.fail("the 'oxigraph' server is not installed (pip install oxigraph, in the '[test]' extra)")
    port = _free_port()
    log = workdir / "oxigraph.log"
    cmd = [exe, "serve", "--location", str(workdir / "data"), "--bind", f"127.0.0.1:{port}"]
    cmd += ["--union-default-graph", *extra]
    with log.open("wb") as out:
        process = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"oxigraph serve exited with {process.returncode}: {log.read_text()[-2000:]}")
        try:
            if httpx.get(f"{base}/query", params={"query": "ASK {}"}, timeout=1).status_code == 200:
                return OxigraphServer(process, base, log)
        except httpx.HTTPError:
            time.sleep(0.1)
    stop_oxigraph(OxigraphServer(process, base, log))
    pytest.fail(f"oxigraph serve did not answer on {base} within 30 s: {log.read_text()[-2000:]}")


def stop_oxigraph(server: OxigraphServer) -> None:
    """Stop the server by its pid (SIGTERM, then SIGKILL) and reap it."""
    if server.process.poll() is None:
        os.kill(server.process.pid, signal.SIGTERM)
        try:
            server.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.kill(server.process.pid, signal.SIGKILL)
            server.process.wait(timeout=10)


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphServer]:
    server = start_oxigraph(tmp_path_factory.mktemp("oxigraph"))
    yield server
    stop_oxigraph(server)


def remote_settings(server: OxigraphServer, corpus: Path = CORPUS) -> Settings:
    return Settings(
        home=ROOT, corpus=corpus, sparql_query_url=server.query_url, sparql_update_url=server.update_url
    )


@pytest.fixture(scope="session")
def remote_seed_store(oxigraph_server: OxigraphServer) -> Iterator[GraphStore]:
    """The seed build loaded into the real Oxigraph server; tests must not write to it."""
    _, store = build(remote_settings(oxigraph_server))
    yield store
    store.close()


@pytest.fixture(scope="session")
def memory_seed_store() -> Iterator[GraphStore]:
    _, store = build(settings_for("memory"))
    yield store
    store.close()


@pytest.fixture(params=BACKENDS)
def backend_store(request: pytest.FixtureRequest) -> GraphStore:
    """The seed build on each backend in turn (read-only): the same test runs on all three."""
    name = {"embedded": "seed_store", "memory": "memory_seed_store", "remote": "remote_seed_store"}
    store: GraphStore = request.getfixturevalue(name[request.param])
    return store


@pytest.fixture(scope="session")
def reference() -> Reference:
    """The ontology and reference individuals, as ``kg build`` loads them."""
    return load_reference(ROOT / "ontology", ROOT / "corpus")
