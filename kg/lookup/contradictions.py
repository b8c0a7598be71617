"""Contradictions page by page, narrowed to a point of disagreement, an actor or a document.

Like an actor's claims: a count, then the page's contradictions chosen in SPARQL (``ORDER BY …
LIMIT … OFFSET``), then both claims of each, read in one query for the whole page. An actor or a
document matches when it is the claimant or the source of either claim.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from kg.errors import InvalidParameter, NotFound
from kg.lookup import documents
from kg.lookup.claimrows import summaries
from kg.lookup.claims import point_out
from kg.lookup.ids import actor_iri
from kg.lookup.models import ContradictionOut, Page
from kg.lookup.params import Paging, choice
from kg.lookup.rows import integer, text, values
from kg.lookup.vocab import POINTS
from kg.store import GraphStore, Term


@dataclass(frozen=True)
class ContradictionFilters:
    point: ox.NamedNode | None = None
    actor: ox.NamedNode | None = None
    document: ox.NamedNode | None = None

    @classmethod
    def parse(
        cls,
        store: GraphStore,
        *,
        point: str | None = None,
        actor: str | None = None,
        document: str | None = None,
    ) -> ContradictionFilters:
        node = None
        if actor:
            try:
                node = actor_iri(actor)
            except NotFound as e:
                raise InvalidParameter(f"no actor {actor!r}; find its id with an actor search") from e
            if not store.select("SELECT ?a WHERE { ?a a ?t } LIMIT 1", {"a": node}):
                raise InvalidParameter(f"no actor {actor!r}; find its id with an actor search")
        doc = documents.resolve(store, document, missing=InvalidParameter) if document else None
        return cls(choice(point, "point", POINTS), node, doc)

    def bindings(self) -> dict[str, Term]:
        found: dict[str, Term | None] = {"point_f": self.point, "actor_f": self.actor, "doc_f": self.document}
        return {k: v for k, v in found.items() if v is not None}

    def where(self) -> str:
        parts = ["?k a bc:Contradiction ; bc:firstClaim ?first ; bc:secondClaim ?second ; bc:point ?point ."]
        if self.point is not None:
            parts.append("FILTER (?point = ?point_f)")
        if self.actor is not None:
            parts.append("{ ?first bc:claimant ?actor_f } UNION { ?second bc:claimant ?actor_f }")
        if self.document is not None:
            parts.append("{ ?first bc:sourceDocument ?doc_f } UNION { ?second bc:sourceDocument ?doc_f }")
        return "\n  ".join(parts)


def listing(store: GraphStore, filters: ContradictionFilters, paging: Paging) -> Page[ContradictionOut]:
    """Contradictions ordered by point of disagreement, then by IRI (stable across calls)."""
    bound = " ".join(f"?{k}" for k in filters.bindings())
    bindings = filters.bindings()
    count = f"SELECT {bound} (COUNT(DISTINCT ?k) AS ?n) WHERE {{\n  {filters.where()}\n}} GROUP BY {bound}"
    if not bound:
        count = f"SELECT (COUNT(DISTINCT ?k) AS ?n) WHERE {{\n  {filters.where()}\n}}"
    counted = store.select(count, bindings)
    total = integer(counted[0], "n") if counted else 0
    if paging.offset >= total:
        return Page[ContradictionOut](total=total, limit=paging.limit, offset=paging.offset, items=[])
    page = f"""
SELECT DISTINCT {bound} ?k ?point ?first ?second WHERE {{
  {filters.where()}
}} ORDER BY ?point ?k LIMIT {paging.limit} OFFSET {paging.offset}
"""
    rows = store.select(page, bindings)
    found = {text(r, "k") or "": r for r in rows}
    reasons = {
        text(r, "k") or "": text(r, "reason")
        for r in store.select(f"SELECT ?k ?reason WHERE {{ {values('k', found)} ?k bc:reason ?reason }}")
    }
    claims = summaries(store, [text(r, c) or "" for r in rows for c in ("first", "second")])
    items = [
        ContradictionOut(
            iri=k,
            point=point_out(text(r, "point") or ""),
            reason=reasons.get(k),
            first=claims[text(r, "first") or ""],
            second=claims[text(r, "second") or ""],
        )
        for k, r in found.items()
        if text(r, "first") in claims and text(r, "second") in claims
    ]
    return Page[ContradictionOut](total=total, limit=paging.limit, offset=paging.offset, items=items)
