"""Retracting a document: its graph goes, a record of who retracted it, when and why stays.

The record lives in the retractions graph (outside the document's graph, so it survives the
document). The contradictions that named the retracted claims go too, in the same update, so a
reader sees the document with its contradictions or neither.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

import pyoxigraph as ox

from kg.errors import InvalidParameter, NotFound
from kg.gephi_read import DROP_CONTRADICTIONS_SUMMARY
from kg.namespaces import BC, GRAPH_CONTRADICTIONS, GRAPH_RETRACTIONS, ID, PROV, RDF, RDFS, XSD
from kg.rdfize import doc_graph_iri, doc_iri
from kg.store import GraphStore


@dataclass(frozen=True)
class Retraction:
    iri: str
    document: str
    graph: str
    removed_quads: int
    at: dt.datetime


def resolve_document(store: GraphStore, ref: str) -> str:
    """A document IRI from its IRI, its key or its source file stem."""
    if ref.startswith(ID + "doc/"):
        return ref
    rows = store.select(
        "SELECT ?doc ?ref WHERE { ?doc a bc:Document ; bc:sourceFile ?f . "
        "FILTER (?f = CONCAT(?ref, '.txt') || STRENDS(STR(?doc), CONCAT('/', ?ref))) }",
        {"ref": ox.Literal(ref)},
    )
    if not rows:
        raise NotFound(f"no document {ref!r} in the store (give its IRI, key or file stem)")
    return rows[0]["doc"].value


def retract(store: GraphStore, document: str, *, reason: str, by: str) -> Retraction:
    if not reason.strip():
        raise InvalidParameter("a retraction needs a reason")
    doc = resolve_document(store, document)
    key = doc.rsplit("/", 1)[-1]
    graph = ox.NamedNode(doc_graph_iri(key))
    removed = sum(1 for _ in store.quads(graph))
    if removed == 0:
        raise NotFound(f"document {doc} has no graph in the store (already retracted?)")
    title = next(
        (
            q.object.value
            for q in store.quads(graph)
            if q.predicate.value.endswith("headline") and isinstance(q.object, ox.Literal)
        ),
        key,
    )
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    iri = f"{ID}retraction/{hashlib.sha256(f'{doc}|{now.isoformat()}'.encode()).hexdigest()[:16]}"
    n, g = ox.NamedNode, GRAPH_RETRACTIONS
    stamp = ox.Literal(now.isoformat().replace("+00:00", "Z"), datatype=n(XSD + "dateTime"))
    record = [
        ox.Quad(n(iri), n(RDF + "type"), n(BC + "Retraction"), g),
        ox.Quad(n(iri), n(BC + "retractedDocument"), n(doc_iri(key)), g),
        ox.Quad(n(iri), n(BC + "retractedGraph"), ox.Literal(graph.value, datatype=n(XSD + "anyURI")), g),
        ox.Quad(n(iri), n(BC + "retractedAt"), stamp, g),
        ox.Quad(n(iri), n(PROV + "atTime"), stamp, g),
        ox.Quad(n(iri), n(BC + "retractedBy"), ox.Literal(by), g),
        ox.Quad(n(iri), n(BC + "reason"), ox.Literal(reason), g),
        ox.Quad(n(iri), n(RDFS + "label"), ox.Literal(f"Retraction of {title}", language="en"), g),
    ]
    body = (
        ox.serialize(
            [ox.Triple(q.subject, q.predicate, q.object) for q in record], format=ox.RdfFormat.N_TRIPLES
        )
        or b""
    ).decode()
    store.update(
        _unlink(graph.value)
        + DROP_CONTRADICTIONS_SUMMARY
        + " ;\n"
        + f"DROP GRAPH <{graph.value}> ;\nINSERT DATA {{ GRAPH <{g.value}> {{\n{body}}} }}"
    )
    return Retraction(iri, doc, graph.value, removed, now)


def _unlink(graph: str) -> str:
    """Update operations removing the contradictions that name a claim of ``graph``.

    Each contradiction is decided from its two claims alone, so those are exactly the ones a new
    derivation would no longer find: removing them in the same update as the graph gives the
    result of a full derivation, and no reader sees the document gone but its contradictions
    still there.
    """
    c = GRAPH_CONTRADICTIONS.value
    return (
        f"DELETE {{ GRAPH <{c}> {{ ?n ?p ?o }} }} WHERE {{ GRAPH <{graph}> {{ ?claim a bc:Claim }}"
        f" GRAPH <{c}> {{ ?n bc:firstClaim|bc:secondClaim ?claim . ?n ?p ?o }} }} ;\n"
        f"DELETE {{ GRAPH <{c}> {{ ?claim bc:contradicts ?other . ?other bc:contradicts ?claim }} }}"
        f" WHERE {{ GRAPH <{graph}> {{ ?claim a bc:Claim }}"
        f" GRAPH <{c}> {{ ?claim bc:contradicts ?other }} }} ;\n"
    )
