"""The ingest pipeline on the embedded store: what it stores, what it reports, what it leaves alone."""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox
import pytest

from kg.article import ArticleMeta
from kg.config import Settings
from kg.contradictions import find
from kg.gephi_read import SUMMARY_PREDICATE, summary_quads
from kg.ingest import DocumentRetracted, ingest, retract
from kg.namespaces import DOC_GRAPH_PREFIX, GRAPH_CONTRADICTIONS, GRAPH_RETRACTIONS, ID
from kg.store import GraphStore
from tests.conftest import assert_export_reads_the_triples
from tests.ingest.conftest import DOC_004, KEY_004, TEXT_004, curated

GRAPH_004 = f"{DOC_GRAPH_PREFIX}{KEY_004}"
KHAMENEI_DENIAL = f"{ID}claim/{KEY_004}/khamenei-denies-message-to-us"
FM_EXCHANGE = f"{ID}claim/9bdecb3cd4d131be/fm-exchange-of-messages"  # 000
SWISS_CHANNEL = f"{ID}claim/e0e1bd622dfe11ac/fm-messages-via-swiss-interests-section"  # 001


def _graph(store: GraphStore, graph: str) -> set[str]:
    return {line for line in store.canonical_nquads() if line.endswith(f"<{graph}> .")}


def _summarised(store: GraphStore, graph: str) -> bool:
    return store.ask(f"ASK {{ GRAPH <{graph}> {{ <{graph}> bc:exportSummary ?x }} }}")


CONTRADICTIONS_SUMMARY = f"<{GRAPH_CONTRADICTIONS.value}> <{SUMMARY_PREDICATE}>"


def _but_summary(lines: Iterable[str]) -> list[str]:
    """The lines but for the contradictions graph's export summary, which a build writes and an
    ingest that adds contradictions drops (the export then reads the graph itself)."""
    return [line for line in lines if not line.startswith(CONTRADICTIONS_SUMMARY)]


def test_ingest_stores_the_document_and_the_same_contradictions_as_a_full_build(
    store_without_004: GraphStore, settings_without_004: Settings, seed_store: GraphStore
) -> None:
    store = store_without_004
    assert GRAPH_004 not in store.graphs()
    report = ingest(store, settings_without_004, TEXT_004, DOC_004.meta, extractor=curated())

    assert report.stored and not report.dry_run and not report.already_stored
    assert (report.key, report.graph, report.document) == (KEY_004, GRAPH_004, f"{ID}doc/{KEY_004}")
    assert len(report.claims) == 11
    denial = next(c for c in report.claims if c.iri == KHAMENEI_DENIAL)
    assert (denial.claimant, denial.claimant_label, denial.stance) == (
        f"{ID}actor/khamenei",
        "Ali Khamenei",
        "denies",
    )
    assert denial.quote.startswith("denied any claims whatsoever") and (denial.start, denial.end) == (
        516,
        675,
    )
    assert report.validation.conforms
    # 20 pairs, all on whether it took place: 2 claims of 004 against 10 of 000, 001 and 003
    assert len(report.contradictions) == 20
    assert {c.point for c in report.contradictions} == {"OccurrencePoint"}
    pairs = {(c.first, c.second) for c in report.contradictions}
    assert tuple(sorted((KHAMENEI_DENIAL, FM_EXCHANGE))) in pairs
    assert tuple(sorted((KHAMENEI_DENIAL, SWISS_CHANNEL))) in pairs
    assert all(c.reason.startswith("They disagree on whether it took place.") for c in report.contradictions)

    # the incremental rules add exactly what the full build derives, reasons included
    assert _but_summary(sorted(_graph(store, GRAPH_CONTRADICTIONS.value))) == _but_summary(
        sorted(_graph(seed_store, GRAPH_CONTRADICTIONS.value))
    )
    assert not _summarised(store, GRAPH_CONTRADICTIONS.value)
    assert _summarised(seed_store, GRAPH_CONTRADICTIONS.value)
    # what the export reads (the summaries where they are) is what the triples say
    assert_export_reads_the_triples(store)
    assert sorted(find(store)) == sorted(find(seed_store))
    # and the document graph is the corpus build's, but for the file it was read from (which the
    # export summary lists too: it is checked to be the current summary of what was stored)
    source_file = f"<{ID}doc/{KEY_004}> <https://w3id.org/backchannel-kg/ontology#sourceFile>"
    summary = f"<{GRAPH_004}> <{SUMMARY_PREDICATE}>"
    mine = {q for q in _graph(store, GRAPH_004) if not q.startswith((source_file, summary))}
    built = {q for q in _graph(seed_store, GRAPH_004) if not q.startswith((source_file, summary))}
    assert mine == built and len(mine) == report.quads - 2
    stored = list(store.quads(ox.NamedNode(GRAPH_004)))
    assert [q for q in stored if q.predicate.value == SUMMARY_PREDICATE] == summary_quads(stored)
    assert store.ask(f'ASK {{ GRAPH <{GRAPH_004}> {{ ?d bc:sourceFile "{KEY_004}.txt" }} }}')
    # the text is stored, so evidence context can be read from the store
    text = store.select(f"SELECT ?t WHERE {{ <{ID}doc/{KEY_004}> schema:text ?t }}")
    assert text[0]["t"].value == DOC_004.text


def test_propositions_hang_off_the_document_key(
    store_without_004: GraphStore, settings_without_004: Settings
) -> None:
    """Regression: the compiler named every proposition id:proposition/subjects/… (a shadowed key)."""
    report = ingest(store_without_004, settings_without_004, TEXT_004, DOC_004.meta, extractor=curated())
    props = {c.proposition for c in report.claims}
    assert props and all(p.startswith(f"{ID}proposition/{KEY_004}/") for p in props)
    rows = store_without_004.select(
        f"SELECT DISTINCT ?p WHERE {{ GRAPH <{GRAPH_004}> {{ ?c bc:proposition ?p }} }}"
    )
    assert {r["p"].value for r in rows} == props


def test_the_report_lists_actors_and_communications(
    store_without_004: GraphStore, settings_without_004: Settings
) -> None:
    report = ingest(
        store_without_004, settings_without_004, TEXT_004, DOC_004.meta, extractor=curated(), dry_run=True
    )
    actors = {a.iri.removeprefix(f"{ID}actor/"): a for a in report.actors}
    assert actors["khamenei"].known and actors["khamenei"].kind == "person"
    assert actors["khamenei"].roles == ["claimant"]
    assert set(actors["nishadil"].roles) == {"outlet", "claimant"}
    assert {"sender", "recipient"} <= set(actors["iran"].roles) and actors["iran"].kind == "state"
    assert all(a.known and a.reviewed for a in report.actors)
    messages = [m for m in report.communications if m.kind == "message"]
    iran_to_us = [m for m in messages if (m.sender, m.recipient) == (f"{ID}actor/iran", f"{ID}actor/us")]
    assert any(KHAMENEI_DENIAL in m.claims for m in iran_to_us)
    denied = next(m for m in iran_to_us if KHAMENEI_DENIAL in m.claims)
    assert denied.time == "2023-10-07..2025-11-28"
    assert all(m.kind != "position" for m in report.communications)


def test_dry_run_writes_nothing_and_reports_the_same(
    store_without_004: GraphStore, settings_without_004: Settings
) -> None:
    before = store_without_004.canonical_nquads()
    dry = ingest(
        store_without_004, settings_without_004, TEXT_004, DOC_004.meta, extractor=curated(), dry_run=True
    )
    assert store_without_004.canonical_nquads() == before
    assert dry.dry_run and not dry.stored and len(dry.contradictions) == 20 and dry.quads > 400
    real = ingest(store_without_004, settings_without_004, TEXT_004, DOC_004.meta, extractor=curated())
    assert [c.iri for c in dry.claims] == [c.iri for c in real.claims]
    assert [c.iri for c in dry.contradictions] == [c.iri for c in real.contradictions]


def test_reingesting_the_same_bytes_changes_nothing(
    store_without_004: GraphStore, settings_without_004: Settings
) -> None:
    first = ingest(store_without_004, settings_without_004, TEXT_004, DOC_004.meta, extractor=curated())
    after_first = store_without_004.canonical_nquads()

    def must_not_run(*args: object) -> None:
        raise AssertionError("a repeat must not be extracted again")

    again = ingest(store_without_004, settings_without_004, TEXT_004, DOC_004.meta, extractor=must_not_run)  # type: ignore[arg-type]
    assert first.stored and again.already_stored and not again.stored
    assert again.document == first.document and again.claims == []
    assert store_without_004.canonical_nquads() == after_first


def test_the_same_text_as_a_string_or_as_bytes_is_the_same_document(
    store_without_004: GraphStore, settings_without_004: Settings
) -> None:
    as_bytes = ingest(
        store_without_004, settings_without_004, TEXT_004, DOC_004.meta, extractor=curated(), dry_run=True
    )
    as_text = ingest(
        store_without_004, settings_without_004, DOC_004.text, DOC_004.meta, extractor=curated(), dry_run=True
    )
    assert as_bytes.key == as_text.key == KEY_004


def test_retract_after_ingest(store_without_004: GraphStore, settings_without_004: Settings) -> None:
    store = store_without_004
    before = store.canonical_nquads()
    ingest(store, settings_without_004, TEXT_004, DOC_004.meta, extractor=curated())
    r = retract(store, KEY_004, reason="machine-generated, unverified", by="tester")
    assert r.document == f"{ID}doc/{KEY_004}" and r.removed_quads > 400
    assert GRAPH_004 not in store.graphs()
    assert not store.ask(f"ASK {{ ?x bc:firstClaim|bc:secondClaim <{KHAMENEI_DENIAL}> }}")
    # everything is as before the ingest, but for the record of the retraction
    after = [q for q in store.canonical_nquads() if not q.endswith(f"<{GRAPH_RETRACTIONS.value}> .")]
    assert after == _but_summary(before) and len(before) == len(after) + 1
    rows = store.select(
        f"SELECT ?why ?who WHERE {{ GRAPH <{GRAPH_RETRACTIONS.value}> {{"
        f" ?r bc:retractedDocument <{ID}doc/{KEY_004}> ; bc:reason ?why ; bc:retractedBy ?who }} }}"
    )
    assert [(x["why"].value, x["who"].value) for x in rows] == [("machine-generated, unverified", "tester")]

    # the retracted text is refused, and the store stays as it is
    retracted = store.canonical_nquads()
    with pytest.raises(DocumentRetracted, match=r"was retracted at .*machine-generated, unverified"):
        ingest(store, settings_without_004, TEXT_004, DOC_004.meta, extractor=curated())
    assert store.canonical_nquads() == retracted


def test_metadata_in_words_is_linked_to_actors(
    store_without_004: GraphStore, settings_without_004: Settings
) -> None:
    meta = ArticleMeta(
        outlet="Nishadil",
        author="Jane Q. Writer",
        published="2025-11-28",
        url="https://nishadil.example/khamenei",
        machine_generated=True,
    )
    report = ingest(store_without_004, settings_without_004, TEXT_004, meta, extractor=curated())
    assert report.stored and report.title == (
        "Ayatollah Khamenei Firmly Denies Iran Sent Messages to the US Amidst Gaza Conflict"
    )
    rows = store_without_004.select(
        "SELECT ?d ?outlet ?author ?label ?reviewed ?surface ?rel ?evidence ?pub WHERE {"
        " ?d bc:outlet ?outlet ; bc:author ?author ; bc:reliability ?rel ; bc:machineGeneratedEvidence ?evidence ;"
        " schema:datePublished ?pub . ?author skos:prefLabel ?label ; bc:reviewed ?reviewed ;"
        " bc:surfaceForm ?surface }",
        {"d": ox.NamedNode(f"{ID}doc/{KEY_004}")},
    )
    assert len(rows) == 1
    row = {k: v.value for k, v in rows[0].items()}
    assert row["outlet"] == f"{ID}actor/nishadil"
    assert row["author"] == f"{ID}actor/{KEY_004}/jane-q-writer"
    assert (row["label"], row["reviewed"], row["surface"]) == ("Jane Q. Writer", "false", "Jane Q. Writer")
    assert row["rel"].endswith("ReliabilityE")  # self-declared machine-generated text
    assert row["evidence"].startswith(
        "Disclaimer: This article was generated in part using artificial intelligence"
    )
    assert row["pub"] == "2025-11-28"
    author = next(a for a in report.actors if a.roles == ["author"])
    assert (author.known, author.reviewed, author.kind) == (False, False, "person")


def test_an_unknown_outlet_becomes_an_unreviewed_actor_of_the_document(
    store_without_004: GraphStore, settings_without_004: Settings
) -> None:
    meta = ArticleMeta(outlet="Gulf Wire Service", title="Khamenei denial")
    report = ingest(
        store_without_004, settings_without_004, TEXT_004, meta, extractor=curated(), dry_run=True
    )
    outlet = next(a for a in report.actors if "outlet" in a.roles)
    assert outlet.iri == f"{ID}actor/{KEY_004}/gulf-wire-service"
    assert (outlet.kind, outlet.known, outlet.reviewed, outlet.label) == (
        "outlet",
        False,
        False,
        "Gulf Wire Service",
    )
    assert report.validation.conforms and report.title == "Khamenei denial"
