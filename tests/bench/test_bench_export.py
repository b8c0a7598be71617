"""The Gephi export benchmark end to end on the seed build without summaries, and its summarised copy."""

from __future__ import annotations

import json
from pathlib import Path

from bench import export as bench_export
from kg.build import build
from kg.store import GraphStore
from tests.conftest import settings_for


def test_measures_every_export_with_and_without_summaries(tmp_path: Path) -> None:
    store = tmp_path / "store"
    _, built = build(settings_for(store))
    assert built.ask("ASK { GRAPH ?g { ?g bc:exportSummary ?x } }")  # the build writes them
    # --summarise is for a store built before summaries were: make one
    built.update("DELETE WHERE { GRAPH ?g { ?g bc:exportSummary ?x } }")
    built.close()
    results = tmp_path / "export.json"
    bench_export.main(
        [
            "--store",
            str(store),
            "--repeat",
            "2",
            "--summarise",
            str(tmp_path / "summarised"),
            "--out",
            str(tmp_path / "files"),
            "--json",
            str(results),
        ]
    )
    rows = json.loads(results.read_text())
    assert len(rows) == 8  # two stores, two views, two formats
    plain, summarised = rows[:4], rows[4:]
    assert {r["summarised_graphs"] for r in plain} == {0}
    assert {r["summarised_graphs"] for r in summarised} == {6}  # five documents, the contradictions
    for a, b in zip(plain, summarised, strict=True):
        assert (a["view"], a["format"], a["nodes"], a["edges"]) == (
            b["view"],
            b["format"],
            b["nodes"],
            b["edges"],
        )
        assert len(a["runs"]) == 2 and a["seconds"] > 0 and a["cpu_seconds"] > 0
    assert [(r["view"], r["nodes"], r["edges"]) for r in plain[::2]] == [
        ("actors", 27, 60),
        ("claims", 210, 463),
    ]
    # The files of both stores are the same bytes; the given store was only read.
    for view in ("actors", "claims"):
        for fmt in ("gexf", "graphml"):
            mine = (tmp_path / "files" / f"store-{view}.{fmt}").read_bytes()
            assert mine == (tmp_path / "files" / f"store-summarised-{view}.{fmt}").read_bytes()
    reopened = GraphStore.open(store)
    try:
        assert not reopened.ask("ASK { GRAPH ?g { ?g bc:exportSummary ?x } }")
    finally:
        reopened.close()
