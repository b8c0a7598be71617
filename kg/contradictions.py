"""Deriving contradictions between claims, never entering them by hand.

The rules (``kg.rules``) are a keyed join over claim features fetched from the store. Each answer
becomes a ``bc:Contradiction`` node naming both
claims, the point of disagreement and a readable reason, plus a symmetric ``bc:contradicts``
link for one-hop "who says the opposite?". All of it lives in the contradictions graph, which the
build replaces as a whole.

Time overlap is shared by every rule: each claim carries the window its communication can fall
in (``bc:windowStart``/``bc:windowEnd``, computed by the compiler from the time span, the
statement date closing an open end and the year before it an open start, see
:data:`kg.rdfize.RECENT_PAST`); bounds still unknown are open, and two claims overlap unless one's
window ends before the other's begins.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final

import pyoxigraph as ox

from kg import rules
from kg.gephi_read import stored_summary_quad, summary_quads
from kg.namespaces import BC, GRAPH_CONTRADICTIONS, ID, RDF, SKOS
from kg.store import GraphStore

POINT_LABEL = {
    "OccurrencePoint": "whether it took place",
    "DirectnessPoint": "whether it was direct",
    "InitiatorPoint": "who initiated it",
}


@dataclass(frozen=True, order=True, slots=True)
class Contradiction:
    """Two claims that disagree, and on what."""

    first: str
    second: str
    point: str  # local name of the bc:DisagreementPoint

    @property
    def iri(self) -> str:
        digest = hashlib.sha256(f"{self.first}|{self.second}|{self.point}".encode()).hexdigest()[:16]
        return f"{ID}contradiction/{digest}"


def find(store: GraphStore) -> list[Contradiction]:
    """Run every rule; pairs are put in a stable order so the result does not depend on the rule."""
    return sorted({_pair(a, b, point) for a, b, point in rules.run(store)})


def _pair(a: str, b: str, point: str) -> Contradiction:
    first, second = sorted((a, b))
    return Contradiction(first, second, point)


def _objects(store: GraphStore, predicate: str, subjects: set[str]) -> dict[str, str]:
    """The object of ``predicate`` for each of ``subjects`` that has one (the least, if several)."""
    out: dict[str, str] = {}
    for s, o in rules.predicate_pairs(store, predicate):
        if s in subjects and (s not in out or o < out[s]):
            out[s] = o
    return out


def _descriptions(store: GraphStore, claims: set[str]) -> dict[str, tuple[str, str, str]]:
    """Claimant's name, stance and what is claimed, for each claim that has all three.

    Read as five plain scans: asked claim by claim (a ``VALUES`` join per 500 claims) it took
    0.85 ms a claim, 17 s for the 20k claims in contradiction at 100k.
    """
    claimant = _objects(store, BC + "claimant", claims)
    stance = _objects(store, BC + "stance", claims)
    prop = _objects(store, BC + "proposition", claims)
    summary = _objects(store, BC + "summary", set(prop.values()))
    names = _objects(store, SKOS + "prefLabel", set(claimant.values()))
    out: dict[str, tuple[str, str, str]] = {}
    for c in sorted(claims):
        if c in claimant and c in stance and prop.get(c) in summary:
            name = names.get(claimant[c], c)
            out[c] = (name, "denies" if stance[c].endswith("Denies") else "affirms", summary[prop[c]])
    return out


def reason_text(c: Contradiction, desc: dict[str, tuple[str, str, str]]) -> str:
    """A sentence a reader can check against both quotes."""
    n1, s1, p1 = desc.get(c.first, (c.first, "?", "?"))
    n2, s2, p2 = desc.get(c.second, (c.second, "?", "?"))
    return (
        f"They disagree on {POINT_LABEL[c.point]}. {n1} {s1}: {p1.rstrip('.')}. {n2} {s2}: {p2.rstrip('.')}."
    )


def quads(store: GraphStore, found: list[Contradiction]) -> list[ox.Quad]:
    """The contradictions graph's quads for ``found`` (each once)."""
    return list(dict.fromkeys(iter_quads(store, found)))


def iter_quads(store: GraphStore, found: list[Contradiction]) -> Iterator[ox.Quad]:
    """The same, streamed: a ``bc:contradicts`` link may come twice (two points, one pair).

    The store is read before the first quad is asked for, so the stream can go into it.
    """
    desc = _descriptions(store, {c.first for c in found} | {c.second for c in found})
    return _stream(found, desc)


def _stream(found: list[Contradiction], desc: dict[str, tuple[str, str, str]]) -> Iterator[ox.Quad]:
    g = GRAPH_CONTRADICTIONS
    n = ox.NamedNode
    for c in found:
        node = n(c.iri)
        first, second = n(c.first), n(c.second)
        yield from (
            ox.Quad(node, n(RDF + "type"), n(BC + "Contradiction"), g),
            ox.Quad(node, n(BC + "firstClaim"), first, g),
            ox.Quad(node, n(BC + "secondClaim"), second, g),
            ox.Quad(node, n(BC + "point"), n(BC + c.point), g),
            ox.Quad(node, n(BC + "reason"), ox.Literal(reason_text(c, desc)), g),
            ox.Quad(
                node,
                n(SKOS + "prefLabel"),
                ox.Literal(f"contradiction on {POINT_LABEL[c.point]}", language="en"),
                g,
            ),
            ox.Quad(first, n(BC + "contradicts"), second, g),
            ox.Quad(second, n(BC + "contradicts"), first, g),
        )


MAX_SUMMARISED: Final = 200_000
"""Past this many contradictions the graph gets no export summary: one literal of that size (and
the rows behind it) would cost more than reading the graph when exporting. The export then
reads the graph itself, as it does after an ingest."""


def derive(store: GraphStore) -> list[Contradiction]:
    """Recompute the contradictions graph; ``store`` is the build's private staging store.

    The graph gets its export summary (:mod:`kg.gephi_read`) with it: at 100k claims it holds
    some 35k contradictions, which the export otherwise decodes term by term. Whatever adds to
    or removes from the graph later (ingest, retraction) drops that summary, and the next
    derivation writes it again. Into an empty graph the quads are streamed to the bulk loader and
    the summary is read back from the store: the graph grows faster than the corpus (pairs of
    claims on the busiest actor pairs), and held as quads it took more memory than the rest of
    the build.
    """
    found = find(store)
    summarise = len(found) <= MAX_SUMMARISED
    if next(store.quads(GRAPH_CONTRADICTIONS), None) is None:
        store.bulk_add(iter_quads(store, found))
        summary = stored_summary_quad(store, GRAPH_CONTRADICTIONS) if summarise else None
        if summary is not None:  # none for a value the summary cannot hold: read by pattern
            store.bulk_add([summary])
    else:
        new = quads(store, found)
        if summarise:
            new += summary_quads(new)
        store.replace_graph(GRAPH_CONTRADICTIONS, new)
    return found
