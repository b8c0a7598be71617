"""The three store backends answer alike: embedded on disk, in memory, and a real Oxigraph server.

The remote backend is a real ``oxigraph serve`` process started by the fixture (never a mock);
the seed build is loaded into it by ``kg.build`` itself, through SPARQL updates.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from kg.build import build
from kg.config import Settings
from kg.errors import InvalidParameter, StoreError
from kg.namespaces import BC, DOC_GRAPH_PREFIX, GRAPH_RETRACTIONS, ID, RDF, RDFS
from kg.retract import retract
from kg.store import GraphStore, OxigraphStore, RemoteStore, open_store
from tests.conftest import (
    ROOT,
    OxigraphServer,
    remote_settings,
    settings_for,
    start_oxigraph,
    stop_oxigraph,
)

CLAIMS = (
    "SELECT ?c ?stance ?doc WHERE { ?c a bc:Claim ; bc:stance ?stance ; bc:sourceDocument ?doc } ORDER BY ?c"
)


def _no_blank_nodes(lines: list[str]) -> list[str]:
    """Blank nodes get fresh labels when loaded through a SPARQL update; compare the rest."""
    return [line for line in lines if "_:" not in line]


def test_every_backend_holds_the_same_seed_graph(backend_store: GraphStore, seed_store: GraphStore) -> None:
    assert len(backend_store) == len(seed_store) > 5_000
    assert backend_store.graphs() == seed_store.graphs()
    assert _no_blank_nodes(backend_store.canonical_nquads()) == _no_blank_nodes(seed_store.canonical_nquads())


def test_every_backend_answers_the_same_query(backend_store: GraphStore, seed_store: GraphStore) -> None:
    rows = backend_store.select(CLAIMS)
    assert rows == seed_store.select(CLAIMS)
    assert len(rows) == 86


def test_bindings_are_typed_values_on_every_backend(backend_store: GraphStore) -> None:
    q = "SELECT ?stance ?c WHERE { ?c a bc:Claim ; bc:stance ?stance } ORDER BY ?c"
    denies = backend_store.select(
        q, {"stance": ox.NamedNode("https://w3id.org/backchannel-kg/ontology#Denies")}
    )
    assert denies and all(r["stance"].value.endswith("#Denies") for r in denies)
    # a hostile string stays a string: it is not spliced into the query text
    hostile = ox.Literal('x" } ; DROP ALL ; SELECT * { ?a ?b "')
    assert backend_store.select("SELECT ?label ?a WHERE { ?a rdfs:label ?label }", {"label": hostile}) == []
    assert len(backend_store) > 5_000


def test_ask_and_graph_restricted_queries(backend_store: GraphStore) -> None:
    assert backend_store.ask("ASK { actor:iran ?p ?o }")
    docs = [g for g in backend_store.graphs() if g.startswith(DOC_GRAPH_PREFIX)]
    result = backend_store.query("SELECT (COUNT(*) AS ?n) WHERE { ?c a bc:Claim }", default_graphs=[docs[0]])
    assert isinstance(result, ox.QuerySolutions)
    only_one = int(next(iter(result))["n"].value)
    assert 0 < only_one < 86


def test_construct_returns_triples_on_every_backend(backend_store: GraphStore) -> None:
    result = backend_store.query("CONSTRUCT { actor:iran ?p ?o } WHERE { actor:iran ?p ?o }")
    triples = list(result)  # type: ignore[arg-type]
    assert triples and all(isinstance(t, ox.Triple) for t in triples)


def test_instance_checks_give_the_asks_answer_on_every_backend(backend_store: GraphStore) -> None:
    """The embedded and memory stores answer from the indexes instead of asking (the named queries
    check every entity parameter with it); the answer must be the ASK's, which the remote store
    still sends."""
    claim = backend_store.select("SELECT ?c WHERE { ?c a bc:Claim } ORDER BY ?c LIMIT 1")[0]["c"]
    doc = backend_store.select("SELECT ?d WHERE { ?d a bc:Document } ORDER BY ?d LIMIT 1")[0]["d"]
    assert isinstance(claim, ox.NamedNode) and isinstance(doc, ox.NamedNode)
    cases = [
        (ox.NamedNode(ID + "actor/iran"), BC + "Actor", True),  # a State, one level down
        (ox.NamedNode(ID + "actor/khamenei"), BC + "Actor", True),  # a Person
        (ox.NamedNode(ID + "actor/khamenei"), BC + "Person", True),  # its own type
        (ox.NamedNode(ID + "actor/khamenei"), BC + "State", False),
        (doc, BC + "Document", True),
        (claim, BC + "Claim", True),
        (claim, BC + "Actor", False),
        (ox.NamedNode(BC + "Person"), BC + "Actor", False),  # a class is not its superclass's instance
        (ox.NamedNode(ID + "actor/irna"), BC + "Outlet", True),  # the news agency
        (ox.NamedNode(ID + "actor/no-such-actor"), BC + "Actor", False),  # not in the store
    ]
    for node, cls, expected in cases:
        assert backend_store.is_instance(node, cls) is expected, (node, cls)
        assert GraphStore.is_instance(backend_store, node, cls) is expected, (node, cls)


def test_an_instance_check_ends_on_a_cycle_of_classes() -> None:
    store = OxigraphStore.open(None)
    g, sub, a = ox.NamedNode("http://e/g"), ox.NamedNode(RDFS + "subClassOf"), ox.NamedNode(RDF + "type")
    x, c1, c2, c3 = (ox.NamedNode(f"http://e/{n}") for n in ("x", "C1", "C2", "C3"))
    store.bulk_add([ox.Quad(c1, sub, c2, g), ox.Quad(c2, sub, c1, g), ox.Quad(x, a, c1, g)])
    for cls, expected in ((c2.value, True), (c1.value, True), (c3.value, False)):
        assert store.is_instance(x, cls) is expected
        assert GraphStore.is_instance(store, x, cls) is expected


def test_instance_checks_see_every_write() -> None:
    """The embedded store keeps what it found until the next write: a write through any of its
    methods is seen by the next check, whether it removes an instance or adds a class."""
    store = OxigraphStore.open(None)
    g, sub, a = ox.NamedNode("http://e/g"), ox.NamedNode(RDFS + "subClassOf"), ox.NamedNode(RDF + "type")
    x, y, top, mid, low = (ox.NamedNode(f"http://e/{n}") for n in ("x", "y", "Top", "Mid", "Low"))
    store.add([ox.Quad(mid, sub, top, g), ox.Quad(x, a, mid, g), ox.Quad(y, a, low, g)])
    assert store.is_instance(x, top.value) and store.is_instance(x, top.value)  # the second from memory
    assert not store.is_instance(y, top.value)
    store.update("DELETE DATA { GRAPH <http://e/g> { <http://e/x> a <http://e/Mid> } }")
    assert not store.is_instance(x, top.value)
    store.update("INSERT DATA { GRAPH <http://e/g> { <http://e/Low> rdfs:subClassOf <http://e/Mid> } }")
    assert store.is_instance(y, top.value)  # a class added under Top since the last check
    store.replace_all([ox.Quad(mid, sub, top, g)])
    assert not store.is_instance(y, top.value)
    store.bulk_add([ox.Quad(y, a, mid, g)])
    assert store.is_instance(y, top.value)


def test_a_malformed_query_is_a_parameter_error_on_the_remote_backend(remote_seed_store: GraphStore) -> None:
    with pytest.raises(InvalidParameter, match="refused"):
        remote_seed_store.select("SELECT WHERE {")


def test_an_unreachable_engine_is_a_store_error_naming_it(tmp_path: Path) -> None:
    store = RemoteStore("http://127.0.0.1:9/query", timeout=2)
    with pytest.raises(StoreError, match=r"127\.0\.0\.1:9/query"):
        store.select("SELECT * WHERE { ?s ?p ?o } LIMIT 1")
    store.close()


def test_settings_choose_the_backend(tmp_path: Path, oxigraph_server: OxigraphServer) -> None:
    assert settings_for(tmp_path / "s").backend == "embedded"
    assert settings_for("memory").backend == "memory"
    remote = remote_settings(oxigraph_server)
    assert remote.backend == "remote"
    store = open_store(remote)
    assert isinstance(store, RemoteStore) and store.update_url.endswith("/update")
    store.close()


def test_a_rebuild_on_a_remote_engine_keeps_retractions_and_replaces_the_rest(tmp_path: Path) -> None:
    """A private server: build, retract one document, rebuild: the retraction survives."""
    server = start_oxigraph(tmp_path)
    try:
        settings = remote_settings(server)
        report, store = build(settings)
        assert report.documents == 5
        before = len(store)
        doc = "004_8ca7b8115da28cd5"
        retract(store, doc, reason="test", by="pytest")
        assert len(store) < before
        store.close()
        report2, store2 = build(settings)
        assert report2.skipped_retracted == [doc]
        assert GRAPH_RETRACTIONS.value in store2.graphs()
        # what the server holds is what a client of the server sees
        direct = httpx.post(
            server.query_url,
            data={"query": "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"},
            headers={"Accept": "application/sparql-results+json"},
        ).json()
        assert int(direct["results"]["bindings"][0]["n"]["value"]) == len(store2)
        store2.close()
    finally:
        stop_oxigraph(server)


def test_a_rejected_build_leaves_the_remote_engine_unchanged(tmp_path: Path, corpus_copy: Path) -> None:
    server = start_oxigraph(tmp_path)
    try:
        _, store = build(remote_settings(server))
        before = store.canonical_nquads()
        ann = corpus_copy / "annotations" / "002_c471b481292c7122.yaml"
        ann.write_text(
            ann.read_text(encoding="utf-8").replace("stance: affirms", "stance: maybe", 1), "utf-8"
        )
        with pytest.raises(Exception, match="stance"):
            build(remote_settings(server, corpus_copy))
        assert store.canonical_nquads() == before
        store.close()
    finally:
        stop_oxigraph(server)


def test_the_memory_backend_builds_in_place() -> None:
    report, store = build(Settings(home=ROOT, store="memory"))
    assert store.backend == "memory" and store.path is None and report.documents == 5
    store.close()


@pytest.mark.parametrize(
    ("query", "expected_prefix"),
    [
        (
            'SELECT ?x ("{" AS ?z) # a { in a comment\nWHERE { ?x ?p ?o }',
            'SELECT ?x ("{" AS ?z) # a { in a comment\nWHERE {',
        ),
        ("ASK { ?x ?p ?o }", "ASK {"),
        ("CONSTRUCT { ?x ?p ?o } WHERE { ?x ?p ?o }", "CONSTRUCT { ?x ?p ?o } WHERE {"),
        ("PREFIX e: <http://e/{x}#>\nSELECT * { ?x ?p ?o }", None),
        ("SELECT * WHERE { ?x ?p '''multi { where ''' }", "SELECT * WHERE {"),
    ],
)
def test_inline_bindings_open_the_where_group(query: str, expected_prefix: str | None) -> None:
    from kg.store import bind_inline

    bound = bind_inline(query, {"x": ox.NamedNode("http://e/a")})
    if expected_prefix is None:  # "{" inside an IRI is not a group: "<http://e/{x}#>" is no IRIREF
        assert "VALUES (?x)" in bound
        return
    assert bound.startswith(expected_prefix + " VALUES (?x) { (<http://e/a>) } ")


def test_inline_bindings_need_a_group() -> None:
    from kg.store import bind_inline

    with pytest.raises(InvalidParameter, match="no group pattern"):
        bind_inline("SELECT ?x", {"x": ox.Literal("a")})
