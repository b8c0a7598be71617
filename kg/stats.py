"""Counts that tell a person what the store holds: per class, per document, per graph."""

from __future__ import annotations

from dataclasses import dataclass

from kg.store import GraphStore


@dataclass(frozen=True)
class DocumentStats:
    iri: str
    title: str
    source_file: str
    published: str
    date_status: str
    claims: int
    contradicted_claims: int


@dataclass(frozen=True)
class Stats:
    quads: int
    graphs: int
    classes: list[tuple[str, int]]
    documents: list[DocumentStats]
    contradictions: list[tuple[str, int]]


_CLASSES = """
SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE {
  ?s a ?class .
  FILTER (STRSTARTS(STR(?class), STR(bc:)))
} GROUP BY ?class ORDER BY DESC(?n) ?class
"""

_DOCS = """
SELECT ?doc ?title ?file ?date ?status (COUNT(DISTINCT ?claim) AS ?claims)
       (COUNT(DISTINCT ?contested) AS ?contestedClaims) WHERE {
  ?doc a bc:Document ; schema:headline ?title ; bc:sourceFile ?file .
  OPTIONAL { ?doc bc:publicationDate ?pd .
             OPTIONAL { ?pd bc:date ?date } OPTIONAL { ?pd bc:dateStatus ?status } }
  OPTIONAL { ?claim bc:sourceDocument ?doc .
             OPTIONAL { ?claim bc:contradicts ?other . BIND (?claim AS ?contested) } }
} GROUP BY ?doc ?title ?file ?date ?status ORDER BY ?file
"""

_POINTS = """
SELECT ?point (COUNT(?c) AS ?n) WHERE { ?c a bc:Contradiction ; bc:point ?point }
GROUP BY ?point ORDER BY ?point
"""


def _local(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def compute(store: GraphStore) -> Stats:
    classes = [(_local(r["class"].value), int(r["n"].value)) for r in store.select(_CLASSES)]
    docs = [
        DocumentStats(
            iri=r["doc"].value,
            title=r["title"].value,
            source_file=r["file"].value,
            published=r["date"].value if "date" in r else "unknown",
            date_status=_local(r["status"].value).lower() if "status" in r else "",
            claims=int(r["claims"].value),
            contradicted_claims=int(r["contestedClaims"].value),
        )
        for r in store.select(_DOCS)
    ]
    points = [(_local(r["point"].value), int(r["n"].value)) for r in store.select(_POINTS)]
    return Stats(len(store), len(store.graphs()), classes, docs, points)
