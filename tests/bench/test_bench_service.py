"""The service benchmark's query half runs on the seed store and times every named query per backend.

The HTTP half needs ``wrk`` and rdflib-endpoint, which are benchmark tools, not test dependencies;
it is exercised by running the benchmark, not here.
"""

from __future__ import annotations

import json
from pathlib import Path

from bench import service
from kg.build import BuildReport
from kg.queries import load_catalogue
from kg.store import GraphStore
from tests.conftest import ROOT


def test_every_named_query_is_timed_on_every_backend(
    seed_build: tuple[BuildReport, GraphStore], tmp_path: Path
) -> None:
    report, _ = seed_build
    assert report.store is not None
    out = tmp_path / "figures.json"
    assert (
        service.main(["--store", str(report.store), "--only", "queries", "--repeat", "1", "--json", str(out)])
        == 0
    )
    (entry,) = json.loads(out.read_text())
    assert entry["claims"] == 86
    names = {q["query"] for q in entry["queries"]}
    assert names == set(load_catalogue(ROOT / "queries"))
    for q in entry["queries"]:
        for key in ("direct_ms", "embedded_ms", "memory_ms", "remote_ms"):
            assert q[key] > 0, (q["query"], key)
        assert q["rows"] > 0, q["query"]  # the documented examples have answers on the seeds
