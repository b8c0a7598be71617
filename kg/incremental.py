"""Contradictions between one new document and the claims already stored, without a full derive.

A full derive (:func:`kg.contradictions.derive`) reads the features of every claim in the store:
seconds at 100k claims, for every article ingested. But each rule decides about a *pair* of
claims from the two claims alone, so the pairs a new document adds are exactly the pairs the
same rules find among the new claims and the stored claims that could pair with them, keeping
those that involve a new claim. Every rule compares claims that share at least two actors (a
bucket of the rules' index is a pair of actors), so the stored claims that could pair with a
new one are those whose proposition involves a pair of actors some new claim involves.

Those candidates are copied, with only the triples the rules and the reasons read, into the
private staging store that already holds the new document, and :func:`kg.contradictions.find`
runs there unchanged. The result is the same contradiction nodes, IRIs and reasons a full derive
would add, which the tests check against a full build.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Iterable, Iterator

import pyoxigraph as ox

from kg import contradictions
from kg.namespaces import BC, ID, RDF, SKOS, XSD
from kg.store import GraphStore

GRAPH_CANDIDATES = ox.NamedNode(ID + "graph/ingest-candidates")
"""Where the staging store keeps the copied candidates (never written to the real store)."""

_CHUNK = 200
_ROLES = frozenset({BC + "sender", BC + "recipient", BC + "party"})
_XSD_DATE = ox.NamedNode(XSD + "date")

# The stored claims on a pair of actors whose window can overlap the new claims' on that pair
# (every rule requires overlapping windows; unknown bounds are open, as in the rules).
_CANDIDATES = """
SELECT DISTINCT ?c ?p ?stance ?who ?cs ?ce WHERE {
  VALUES (?x ?y ?lo ?hi) { %s }
  ?p bc:sender|bc:recipient|bc:party ?x .
  ?p bc:sender|bc:recipient|bc:party ?y .
  ?c bc:proposition ?p ; bc:stance ?stance ; bc:claimant ?who .
  OPTIONAL { ?c bc:windowStart ?cs }
  OPTIONAL { ?c bc:windowEnd ?ce }
  FILTER (!(BOUND(?ce) && BOUND(?lo) && ?ce < ?lo) && !(BOUND(?cs) && BOUND(?hi) && ?cs > ?hi))
}"""
# One UNION branch per predicate: with the predicates in a VALUES block instead, Oxigraph
# joined that block with every triple of the store (seconds at 10k claims, not milliseconds).
_FEATURES = (
    "SELECT ?p ?role ?v WHERE {\n  VALUES ?p { %s }\n  "
    + "\n  UNION ".join(
        f"{{ ?p {role} ?v BIND({role} AS ?role) }}"
        for role in (
            "rdf:type",
            "bc:sender",
            "bc:recipient",
            "bc:party",
            "bc:viaChannel",
            "bc:initiator",
            "bc:isDirect",
            "bc:summary",
        )
    )
    + "\n}"
)
_NAMES = "SELECT ?who ?name WHERE { VALUES ?who { %s } ?who skos:prefLabel ?name }"

Window = tuple[str, str, dt.date | None, dt.date | None]
"""A pair of actors and the span (open where None) the new claims on it can be about."""


def pair_windows(quads: Iterable[ox.Quad]) -> list[Window]:
    """Every pair of actors a new claim's proposition involves, with the claims' joint window."""
    involved: dict[str, set[str]] = defaultdict(set)
    prop: dict[str, str] = {}
    lo: dict[str, dt.date] = {}
    hi: dict[str, dt.date] = {}
    for q in quads:
        p, s, o = q.predicate.value, q.subject, q.object
        if not isinstance(s, ox.NamedNode) or isinstance(o, ox.Triple):
            continue
        if p in _ROLES:
            involved[s.value].add(o.value)
        elif p == BC + "proposition":
            prop[s.value] = o.value
        elif p == BC + "windowStart":
            lo[s.value] = dt.date.fromisoformat(o.value)
        elif p == BC + "windowEnd":
            hi[s.value] = dt.date.fromisoformat(o.value)
    spans: dict[tuple[str, str], tuple[dt.date | None, dt.date | None]] = {}
    for claim, p in prop.items():
        for pair in itertools.combinations(sorted(involved.get(p, ())), 2):
            start, end = lo.get(claim), hi.get(claim)
            if pair in spans:
                a, b = spans[pair]
                start = None if a is None or start is None else min(a, start)
                end = None if b is None or end is None else max(b, end)
            spans[pair] = (start, end)
    return [(x, y, start, end) for (x, y), (start, end) in sorted(spans.items())]


def _date(d: dt.date | None) -> str:
    return "UNDEF" if d is None else str(ox.Literal(d.isoformat(), datatype=_XSD_DATE))


def _chunks(items: list[str]) -> Iterator[str]:
    for i in range(0, len(items), _CHUNK):
        yield " ".join(f"<{x}>" for x in items[i : i + _CHUNK])


def candidate_triples(store: GraphStore, windows: list[Window]) -> list[ox.Triple]:
    """The stored claims that could pair with a new one, with what the rules and reasons read.

    Three kinds of lookups rather than one CONSTRUCT: Oxigraph evaluated the CONSTRUCT's UNION
    branches before joining them with the candidates, which took seconds in a 10k-claim store
    for the claims on Iran and the US.
    """
    n = ox.NamedNode
    out: dict[ox.Triple, None] = {}
    props: set[str] = set()
    claimants: set[str] = set()
    for i in range(0, len(windows), _CHUNK):
        values = " ".join(
            f"(<{x}> <{y}> {_date(lo)} {_date(hi)})" for x, y, lo, hi in windows[i : i + _CHUNK]
        )
        for row in store.select(_CANDIDATES % values):
            c = row["c"]
            if not isinstance(c, ox.NamedNode):
                continue
            out[ox.Triple(c, n(RDF + "type"), n(BC + "Claim"))] = None
            for predicate, var in (("stance", "stance"), ("proposition", "p"), ("claimant", "who")):
                out[ox.Triple(c, n(BC + predicate), row[var])] = None
            for predicate, var in (("windowStart", "cs"), ("windowEnd", "ce")):
                if var in row:
                    out[ox.Triple(c, n(BC + predicate), row[var])] = None
            props.add(row["p"].value)
            claimants.add(row["who"].value)
    for values in _chunks(sorted(props)):
        for row in store.select(_FEATURES % values):
            out[ox.Triple(row["p"], row["role"], row["v"])] = None  # type: ignore[arg-type]
    for values in _chunks(sorted(claimants)):
        for row in store.select(_NAMES % values):
            out[ox.Triple(row["who"], n(SKOS + "prefLabel"), row["name"])] = None  # type: ignore[arg-type]
    return list(out)


def find_new(
    store: GraphStore, staging: GraphStore, new_claims: set[str], quads: list[ox.Quad]
) -> tuple[list[contradictions.Contradiction], list[ox.Quad]]:
    """The contradictions a new document adds, and their quads for the contradictions graph.

    ``staging`` holds the ontology, the reference data and the new document's ``quads`` (and
    nothing else of the store); the candidates are added to it here. ``new_claims`` are the new
    document's claim IRIs.
    """
    windows = pair_windows(quads)
    if not windows:
        return [], []
    triples = candidate_triples(store, windows)
    staging.add(ox.Quad(t.subject, t.predicate, t.object, GRAPH_CANDIDATES) for t in triples)
    found = [c for c in contradictions.find(staging) if c.first in new_claims or c.second in new_claims]
    return found, contradictions.quads(staging, found)
