"""The seed corpus as a claims graph: every curated claim, anchored, with no fact asserted."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from kg.build import build
from kg.corpus import document_stems, read_document
from kg.namespaces import BC, DOC_GRAPH_PREFIX, GRAPH_CONTRADICTIONS, GRAPH_ONTOLOGY, GRAPH_REFERENCE, ID
from kg.rdfize import claim_iri
from kg.store import GraphStore
from tests.conftest import CORPUS, settings_for

STEMS = document_stems(CORPUS)
DOCS = {s: read_document(CORPUS, s) for s in STEMS}


def test_one_named_graph_per_document_plus_the_build_graphs(seed_store: GraphStore) -> None:
    graphs = seed_store.graphs()
    doc_graphs = [g for g in graphs if g.startswith(DOC_GRAPH_PREFIX)]
    assert sorted(doc_graphs) == sorted(DOC_GRAPH_PREFIX + d.key for d in DOCS.values())
    for g in (GRAPH_ONTOLOGY, GRAPH_REFERENCE, GRAPH_CONTRADICTIONS):
        assert g.value in graphs


def test_every_curated_claim_is_in_its_document_graph(seed_store: GraphStore) -> None:
    query = """
    SELECT ?claim ?g ?claimant ?stance ?exact ?start ?end WHERE {
      GRAPH ?g { ?claim bc:claimant ?claimant ; bc:stance ?stance ; bc:sourceDocument ?doc ;
                        bc:evidence ?ev .
                 ?ev oa:hasSource ?doc ; oa:hasSelector ?q, ?p .
                 ?q oa:exact ?exact . ?p oa:start ?start ; oa:end ?end . }
    }"""
    total = 0
    for doc in DOCS.values():
        for c in doc.annotations.claims:
            rows = seed_store.select(
                query,
                {
                    "claim": ox.NamedNode(claim_iri(doc.key, c.id)),
                    "g": ox.NamedNode(DOC_GRAPH_PREFIX + doc.key),
                },
            )
            assert len(rows) == 1, (doc.stem, c.id, rows)
            row = rows[0]
            assert row["claimant"].value.startswith(ID + "actor/")
            assert row["claimant"].value.endswith("/" + c.claimant)
            assert row["stance"].value == BC + ("Affirms" if c.stance == "affirms" else "Denies")
            assert row["exact"].value == c.quote
            assert doc.text[int(row["start"].value) : int(row["end"].value)] == c.quote
            total += 1
    assert total >= 36


def test_evidence_quotes_match_the_stored_text(seed_store: GraphStore) -> None:
    """The document's full text is in the graph, so spans can be checked by the store itself."""
    mismatches = seed_store.select("""
    SELECT ?claim WHERE {
      ?claim bc:evidence ?ev . ?ev oa:hasSource ?doc ; oa:hasSelector ?q, ?p .
      ?doc schema:text ?text . ?q oa:exact ?exact . ?p oa:start ?s ; oa:end ?e .
      FILTER (SUBSTR(?text, ?s + 1, ?e - ?s) != ?exact)
    }""")
    assert mismatches == []
    assert seed_store.ask("ASK { ?ev oa:hasSelector/oa:exact ?x }")


SURFACE_FORMS = {
    "hezbollah": ["Hezbollah", "Hizbullah", "Hizbollah"],
    "amir-abdollahian": [
        "Amir-Abdollahian",
        "Amirabdollahian",
        "Hossein Amir-Abdollahian",
        "Hossein Amirabdollahian",
    ],
    "iran": ["Iran", "Tehran", "Islamic Republic"],
    "us": ["United States", "Washington", "America", "US", "U.S."],
    "khamenei": ["Ali Khamenei", "Khamenei"],
    "bagheri": ["Ali Bagheri", "Bagheri"],
    "houthis": ["Houthis"],
    "hamas": ["Hamas"],
    "oman": ["Oman"],
}


@pytest.mark.parametrize(("slug", "forms"), sorted(SURFACE_FORMS.items()))
def test_every_surface_form_resolves_to_one_actor(
    seed_store: GraphStore, slug: str, forms: list[str]
) -> None:
    for form in forms:
        rows = seed_store.select(
            """SELECT DISTINCT ?actor ?form WHERE {
                 ?actor skos:prefLabel|skos:altLabel ?l .
                 FILTER (STRSTARTS(STR(?actor), "https://w3id.org/backchannel-kg/id/actor/") && LCASE(STR(?l)) = LCASE(?form)) }""",
            {"form": ox.Literal(form)},
        )
        assert [r["actor"].value for r in rows] == [ID + "actor/" + slug], form


def test_no_label_names_two_actors(seed_store: GraphStore) -> None:
    """Reference actors only: two documents may each have their own unnamed outlet."""
    clashes = seed_store.select("""
    SELECT ?l (COUNT(DISTINCT ?a) AS ?n) WHERE {
      GRAPH <https://w3id.org/backchannel-kg/id/graph/reference> { ?a skos:prefLabel|skos:altLabel ?label }
      FILTER (STRSTARTS(STR(?a), "https://w3id.org/backchannel-kg/id/actor/"))
      BIND (LCASE(STR(?label)) AS ?l)
    } GROUP BY ?l HAVING (COUNT(DISTINCT ?a) > 1)""")
    assert clashes == []


@pytest.mark.parametrize(
    ("date", "holder"),
    [("2024-02-10", "amir-abdollahian"), ("2024-06-03", "bagheri"), ("2023-11-16", "amir-abdollahian")],
)
def test_iran_s_foreign_minister_resolves_by_date(seed_store: GraphStore, date: str, holder: str) -> None:
    rows = seed_store.select(
        """SELECT DISTINCT ?person ?d WHERE {
             ?office skos:prefLabel|skos:altLabel ?title . FILTER (LCASE(STR(?title)) = "iran's foreign minister")
             ?term bc:office ?office ; bc:holder ?person ; bc:startDate ?from .
             OPTIONAL { ?term bc:endDate ?to }
             FILTER (?from <= ?d && (!BOUND(?to) || ?d <= ?to)) }""",
        {"d": ox.Literal(date, datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date"))},
    )
    assert [r["person"].value for r in rows] == [ID + "actor/" + holder]


def test_no_claimed_communication_is_a_plain_triple(seed_store: GraphStore) -> None:
    """No graph (and so not their union) asserts actor-to-actor communication as a fact."""
    predicates = seed_store.select("SELECT DISTINCT ?p WHERE { ?prop rdf:predicate ?p }")
    assert predicates, "propositions should reify their communication"
    for row in predicates:
        assert not seed_store.ask(f"ASK {{ GRAPH ?g {{ ?s <{row['p'].value}> ?o }} }}"), row["p"].value
    # and no bc: property ever links two actors except the relations the ontology allows between them
    allowed = {BC + p for p in ("affiliation", "member", "representsState", "hostedBy", "intermediary")}
    links = seed_store.select("""
    SELECT DISTINCT ?p WHERE {
      GRAPH ?g { ?a ?p ?b }
      ?a a ?ca . ?b a ?cb .
      ?ca rdfs:subClassOf* bc:Actor . ?cb rdfs:subClassOf* bc:Actor .
      FILTER (STRSTARTS(STR(?p), STR(bc:)))
    }""")
    assert {r["p"].value for r in links} <= allowed


def test_denied_exchange_is_only_a_proposition(seed_store: GraphStore) -> None:
    rows = seed_store.select("""
    SELECT ?prop ?pred WHERE {
      ?claim bc:claimant <https://w3id.org/backchannel-kg/id/actor/khamenei> ; bc:stance bc:Denies ; bc:proposition ?prop .
      ?prop a bc:Message ; bc:sender <https://w3id.org/backchannel-kg/id/actor/iran> ; bc:recipient <https://w3id.org/backchannel-kg/id/actor/us> ; rdf:predicate ?pred .
    }""")
    assert rows and all(r["pred"].value == BC + "sentMessageTo" for r in rows)


def test_document_metadata_in_the_graph(seed_store: GraphStore) -> None:
    rows = seed_store.select("""
    SELECT ?file ?mg ?rel ?status WHERE {
      ?d a bc:Document ; bc:sourceFile ?file ; bc:machineGenerated ?mg ; bc:reliability ?rel ;
         bc:publicationDate/bc:dateStatus ?status ; schema:text ?t ; schema:inLanguage "en" .
    } ORDER BY ?file""")
    assert len(rows) == 5
    by_file = {r["file"].value[:3]: r for r in rows}
    assert by_file["004"]["mg"].value == "true"
    assert by_file["004"]["rel"].value == BC + "ReliabilityE"
    assert by_file["001"]["rel"].value == BC + "ReliabilityB"
    assert by_file["000"]["status"].value == BC + "Inferred"
    assert by_file["003"]["status"].value == BC + "Stated"
    inferred_without_evidence = seed_store.select(
        "SELECT ?v WHERE { ?v bc:dateStatus bc:Inferred FILTER NOT EXISTS { ?v bc:dateEvidence ?e } }"
    )
    assert inferred_without_evidence == []


def test_build_is_idempotent(tmp_path) -> None:
    path = tmp_path / "store"
    _, first = build(settings_for(path))
    before = first.canonical_nquads()
    first.close()
    _, second = build(settings_for(path))
    after = second.canonical_nquads()
    second.close()
    _, elsewhere = build(settings_for(tmp_path / "other"))
    assert before == after == elsewhere.canonical_nquads()
    elsewhere.close()
    assert not (tmp_path / "store.building").exists()
    # data has no blank nodes (IRIs derived from content); only OWL axioms in the ontology use them
    blank = [q for q in before if q.startswith("_:") or " _:" in q]
    assert blank and all(q.endswith(f"<{GRAPH_ONTOLOGY.value}> .") for q in blank)


def test_build_report(seed_build) -> None:
    report, store = seed_build
    assert report.documents == 5
    assert report.claims == sum(len(d.annotations.claims) for d in DOCS.values())
    assert report.quads == len(store)
