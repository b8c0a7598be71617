"""The SHACL gate in front of the store, and ``kg validate`` as a person uses it."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from typer.testing import CliRunner

from kg.build import build
from kg.cli import app
from kg.corpus import read_document
from kg.errors import CorpusRejected
from kg.rdfize import claim_iri, doc_graph_iri
from kg.store import GraphStore
from tests.conftest import CORPUS, ROOT, settings_for

runner = CliRunner()
STEM = "001_98d2358e564cccca"
DOC = read_document(CORPUS, STEM)
CLAIM = "fm-rules-out-direct-talks"

OVERLAPPING_TERM = """
@prefix bc: <https://w3id.org/backchannel-kg/ontology#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://w3id.org/backchannel-kg/id/term/amir-abdollahian-fm-duplicate> a bc:OfficeTerm ;
    rdfs:label "a second, overlapping term"@en ;
    bc:holder <https://w3id.org/backchannel-kg/id/actor/amir-abdollahian> ;
    bc:office <https://w3id.org/backchannel-kg/id/office/iran-foreign-minister> ;
    bc:startDate "2023-01-01"^^xsd:date ;
    bc:endDate "2023-12-31"^^xsd:date .
"""


def test_a_build_that_breaks_the_shapes_is_rejected_whole(tmp_path: Path, corpus_copy: Path) -> None:
    path = tmp_path / "store"
    _, store = build(settings_for(path, corpus_copy))
    before = store.canonical_nquads()
    store.close()
    (corpus_copy / "reference").mkdir()
    (corpus_copy / "reference" / "terms.ttl").write_text(OVERLAPPING_TERM, encoding="utf-8")
    with pytest.raises(CorpusRejected) as caught:
        build(settings_for(path, corpus_copy))
    text = str(caught.value)
    assert "amir-abdollahian" in text and "OfficeTerm" in text
    after = GraphStore.open(path)
    assert after.canonical_nquads() == before
    after.close()
    assert not (tmp_path / "store.building").exists()


@pytest.fixture
def built(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("KG_HOME", str(ROOT))
    path = tmp_path / "store"
    _, store = build(settings_for(path))
    store.close()
    return path


def test_validate_the_store(built: Path) -> None:
    result = runner.invoke(app, ["validate", "--store", str(built)])
    assert result.exit_code == 0, result.output
    assert "conforms" in result.output
    result = runner.invoke(app, ["validate", "--store", str(built), "--format", "json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {"conforms": True, "results": []}


def _break_a_claim(path: Path) -> None:
    store = GraphStore.open(path)
    graph, claim = doc_graph_iri(DOC.key), claim_iri(DOC.key, CLAIM)
    store.raw.update(
        f"DELETE WHERE {{ GRAPH <{graph}> {{ <{claim}> <https://w3id.org/backchannel-kg/ontology#claimant> ?who }} }}"
    )
    store.close()


@pytest.mark.parametrize("engine", ["fast", "pyshacl"])
def test_a_violation_is_reported_so_a_person_can_act(built: Path, engine: str) -> None:
    _break_a_claim(built)
    result = runner.invoke(app, ["validate", "--store", str(built), "--engine", engine])
    assert result.exit_code == 1, result.output
    out = result.output
    assert f"{STEM}.txt" in out  # the document
    assert f"claim {CLAIM}" in out  # the claim
    assert "bc:claimant" in out  # the property
    assert "ruling out the possibility of direct talks" in out  # the quote it rests on
    report = json.loads(
        runner.invoke(app, ["validate", "--store", str(built), "--format", "json", "--engine", engine]).stdout
    )
    assert report["conforms"] is False
    [finding] = report["results"]
    assert finding["claim"] == CLAIM and finding["property"] == "bc:claimant"
    assert finding["component"] == "MinCountConstraintComponent"


def test_validate_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KG_HOME", str(ROOT))
    bad = tmp_path / "claim.ttl"
    bad.write_text(
        "@prefix bc: <https://w3id.org/backchannel-kg/ontology#> .\n"
        "<https://w3id.org/backchannel-kg/id/claim/x/lonely> a bc:Claim ; bc:stance bc:Affirms .\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["validate", str(bad)])
    assert result.exit_code == 1
    assert "https://w3id.org/backchannel-kg/id/claim/x/lonely" in result.output
    assert "bc:claimant" in result.output


def test_validate_bad_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KG_HOME", str(ROOT))
    broken = tmp_path / "broken.ttl"
    broken.write_text(
        "@prefix bc: <https://w3id.org/backchannel-kg/ontology#> .\n\n<a> bc:x .\n", encoding="utf-8"
    )
    result = runner.invoke(app, ["validate", str(broken)])
    assert result.exit_code == 1
    assert "broken.ttl" in result.output and "does not parse" in result.output and "3" in result.output
    odd = tmp_path / "data.csv"
    odd.write_text("a,b\n", encoding="utf-8")
    result = runner.invoke(app, ["validate", str(odd)])
    assert result.exit_code == 1 and "unknown RDF format '.csv'" in result.output
    result = runner.invoke(app, ["validate", str(tmp_path / "missing.ttl")])
    assert result.exit_code == 1 and "no such file" in result.output
    result = runner.invoke(app, ["validate", "--format", "xml"])
    assert result.exit_code == 2 and "unknown report format" in result.output


def test_a_broken_shapes_file_is_named_with_its_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shapes = tmp_path / "shapes"
    shapes.mkdir()
    for p in (ROOT / "shapes").glob("*.ttl"):
        (shapes / p.name).write_text(p.read_text(encoding="utf-8"), encoding="utf-8")
    (shapes / "zz-broken.ttl").write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n\n<x> sh:path\n", encoding="utf-8"
    )
    monkeypatch.setenv("KG_HOME", str(ROOT))
    monkeypatch.setenv("KG_SHAPES", str(shapes))
    result = runner.invoke(app, ["validate", "--store", "memory"])
    assert result.exit_code == 1
    assert "zz-broken.ttl" in result.output and "line" in result.output


def test_document_graph_quads_are_unchanged_by_validation(built: Path) -> None:
    store = GraphStore.open(built)
    before = store.canonical_nquads()
    store.close()
    runner.invoke(app, ["validate", "--store", str(built)])
    store = GraphStore.open(built)
    assert store.canonical_nquads() == before
    assert ox.NamedNode(doc_graph_iri(DOC.key)).value in store.graphs()
    store.close()
