"""Actors: search by any name, the actor card, and an actor's claims page by page.

``claims`` is the route that has to stay fast on large stores (an actor such as Iran or the US
makes a fifth of all claims). It is two SELECTs whatever the size: a count, and one page. The
page query chooses and orders the claims in a sub-select (``ORDER BY … LIMIT … OFFSET`` in
SPARQL) and only then fetches the page's details, so the work per request grows with the actor's
claims only through one index lookup and a date per claim. Filter values are typed terms bound
by the store; the outer query is written without the ``WHERE`` keyword on purpose, so that a
remote engine gets the bound values (``kg.store.bind_inline``) inside the sub-select, where the
filters are, as Oxigraph's substitution does.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from kg.errors import InvalidParameter, NotFound
from kg.lookup import documents
from kg.lookup.claimrows import COLUMNS, DETAILS, summary_from_row
from kg.lookup.ids import actor_iri
from kg.lookup.models import (
    ActorCard,
    ActorRef,
    ActorSummary,
    ClaimSummary,
    DocumentMention,
    MatchOut,
    OfficeRef,
    OfficeTermOut,
    Page,
)
from kg.lookup.names import ActorIndex, IndexedActor, Match, actor_index, compact
from kg.lookup.params import Paging, choice, date_range
from kg.lookup.rows import actor_ref, all_of, describe, first, integer, text, values
from kg.lookup.vocab import ATTRIBUTIONS, STANCES, slug_of
from kg.namespaces import SKOS
from kg.store import GraphStore, Term

DOCUMENTS_ON_CARD = 50


class UnknownActor(NotFound):
    """No actor has this id; carries the nearest actors by name so a client can offer them."""

    def __init__(self, ident: str, suggestions: list[ActorRef]) -> None:
        self.suggestions = suggestions
        message = f"no actor {ident!r}"
        if suggestions:
            message += "; did you mean " + ", ".join(f"{s.id} ({s.label})" for s in suggestions) + "?"
        super().__init__(message)


def unknown(index: ActorIndex, ident: str) -> UnknownActor:
    """The error for an id no actor has, with the actors whose names or ids are closest."""
    wanted = ident.rsplit("/", 1)[-1].removeprefix("actor:")
    return UnknownActor(ident, [_ref(m.actor) for m in index.similar(wanted)])


def _ref(actor: IndexedActor) -> ActorRef:
    return ActorRef(id=actor.id, iri=actor.iri, label=actor.label, kind=actor.kind)


def _known(store: GraphStore, ident: str) -> tuple[ActorIndex, IndexedActor]:
    index = actor_index(store)
    try:
        iri = actor_iri(ident)
    except NotFound as e:
        raise unknown(index, ident) from e
    actor = index.get(iri.value)
    if actor is None:
        raise unknown(index, ident)
    return index, actor


# --- search ----------------------------------------------------------------------------------

_CLAIM_COUNTS = "SELECT ?a (COUNT(DISTINCT ?c) AS ?n) WHERE {{ {values} ?c bc:claimant ?a }} GROUP BY ?a"


def search(store: GraphStore, q: str | None, paging: Paging) -> Page[ActorSummary]:
    """All actors by label, or those whose names match ``q`` (best match first)."""
    index = actor_index(store)
    if q is None or not q.strip():
        matches: list[tuple[IndexedActor, Match | None]] = [(a, None) for a in index.sorted]
    else:
        if not compact(q):
            raise InvalidParameter(f"'q' must contain a letter or a digit, not {q!r}")
        matches = [(m.actor, m) for m in index.search(q)]
    window = matches[paging.offset : paging.offset + paging.limit]
    counts: dict[str, int] = {}
    if window:
        rows = store.select(_CLAIM_COUNTS.format(values=values("a", (a.iri for a, _ in window))))
        counts = {text(r, "a") or "": integer(r, "n") for r in rows}
    items = [
        ActorSummary(
            id=a.id,
            iri=a.iri,
            label=a.label,
            kind=a.kind,
            names=a.names,
            claim_count=counts.get(a.iri, 0),
            match=None if m is None else _match_out(m),
        )
        for a, m in window
    ]
    return Page[ActorSummary](total=len(matches), limit=paging.limit, offset=paging.offset, items=items)


def _match_out(m: Match) -> MatchOut:
    if m.term is None:
        return MatchOut(how=m.how, name=m.name)
    return MatchOut(how=m.how, name=m.name, start_date=m.term.start, end_date=m.term.end)


# --- the card --------------------------------------------------------------------------------

_OFFICES = """
SELECT ?a ?term ?office ?title ?start ?end ?acting WHERE {
  ?term bc:holder ?a ; bc:office ?office .
  OPTIONAL { ?office skos:prefLabel ?title }
  OPTIONAL { ?term bc:startDate ?start }
  OPTIONAL { ?term bc:endDate ?end }
  OPTIONAL { ?term bc:acting ?acting }
} ORDER BY ?start ?term
"""
_STANCES = """
SELECT ?a ?stance (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c bc:claimant ?a ; bc:stance ?stance }
GROUP BY ?a ?stance
"""
_MENTIONS = """
SELECT ?a ?doc (COUNT(DISTINCT ?made) AS ?made_n) (COUNT(DISTINCT ?about) AS ?about_n) WHERE {
  { ?made bc:claimant ?a ; bc:sourceDocument ?doc }
  UNION
  { VALUES ?role { bc:sender bc:recipient bc:party bc:initiator bc:concerns }
    ?p ?role ?a . ?about bc:proposition ?p ; bc:sourceDocument ?doc }
} GROUP BY ?a ?doc
"""


def card(store: GraphStore, ident: str) -> ActorCard:
    index, actor = _known(store, ident)
    node = ox.NamedNode(actor.iri)
    props = describe(store, [actor.iri]).get(actor.iri, {})
    offices: dict[str, OfficeTermOut] = {}
    for r in store.select(_OFFICES, {"a": node}):
        term, office = text(r, "term") or "", text(r, "office") or ""
        acting = text(r, "acting")
        offices.setdefault(
            term,
            OfficeTermOut(
                iri=term,
                office=OfficeRef(iri=office, label=text(r, "title") or office),
                start_date=text(r, "start"),
                end_date=text(r, "end"),
                acting=None if acting is None else acting == "true",
            ),
        )
    by_stance = {slug: 0 for slug in STANCES}
    for r in store.select(_STANCES, {"a": node}):
        by_stance[slug_of(text(r, "stance") or "")] = integer(r, "n")
    mentions = sorted(
        (
            (integer(r, "made_n"), integer(r, "about_n"), text(r, "doc") or "")
            for r in store.select(_MENTIONS, {"a": node})
        ),
        key=lambda m: (-(m[0] + m[1]), m[2]),
    )
    shown = mentions[:DOCUMENTS_ON_CARD]
    refs = documents.refs(store, index, [doc for _, _, doc in shown])
    return ActorCard(
        id=actor.id,
        iri=actor.iri,
        label=actor.label,
        kind=actor.kind,
        names=actor.names,
        definition=first(props, SKOS + "definition"),
        affiliations=[actor_ref(index, a) for a in all_of(props, "affiliation")],
        offices=list(offices.values()),
        claim_count=sum(by_stance.values()),
        claims_by_stance=by_stance,
        document_count=len(mentions),
        documents=[
            DocumentMention(**refs[doc].model_dump(), claims_made=made, claims_about=about)
            for made, about, doc in shown
            if doc in refs
        ],
    )


# --- claims ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClaimFilters:
    """What ``claims`` narrows on; each set value is a typed term bound into the queries."""

    stance: ox.NamedNode | None = None
    attribution: ox.NamedNode | None = None
    document: ox.NamedNode | None = None
    date_from: ox.Literal | None = None
    date_to: ox.Literal | None = None
    document_id: str | None = None

    @classmethod
    def parse(
        cls,
        store: GraphStore,
        *,
        stance: str | None = None,
        attribution: str | None = None,
        document: str | None = None,
        date_from: str | None = None,
        date_to: str | None = None,
    ) -> ClaimFilters:
        lo, hi = date_range(date_from, date_to)
        doc = documents.resolve(store, document, check=False, missing=InvalidParameter) if document else None
        return cls(
            stance=choice(stance, "stance", STANCES),
            attribution=choice(attribution, "attribution", ATTRIBUTIONS),
            document=doc,
            date_from=lo,
            date_to=hi,
            document_id=document,
        )

    def bindings(self) -> dict[str, Term]:
        found: dict[str, Term | None] = {
            "stance_f": self.stance,
            "attr_f": self.attribution,
            "doc_f": self.document,
            "from": self.date_from,
            "to": self.date_to,
        }
        return {k: v for k, v in found.items() if v is not None}

    def patterns(self) -> str:
        parts = []
        if self.stance is not None:
            parts.append("?c bc:stance ?stance_f .")
        if self.attribution is not None:
            parts.append("?c bc:attribution ?attr_f .")
        if self.document is not None:
            parts.append("?c bc:sourceDocument ?doc_f .")
        return "\n    ".join(parts)

    def dated(self) -> bool:
        return self.date_from is not None or self.date_to is not None

    def date_filters(self) -> str:
        parts = []
        if self.date_from is not None:
            parts.append("FILTER (?when >= ?from)")
        if self.date_to is not None:
            parts.append("FILTER (?when <= ?to)")
        return " ".join(parts)


# The date a claim is ordered and filtered by: its statement date, else the latest it can have
# been made, else the earliest (the same rule as the Gephi timeline).
_WHEN = """
    OPTIONAL { ?c bc:statedAt ?w .
               OPTIONAL { ?w bc:date ?w_date }
               OPTIONAL { ?w bc:notAfter ?w_na }
               OPTIONAL { ?w bc:notBefore ?w_nb } }
    BIND (COALESCE(?w_date, ?w_na, ?w_nb) AS ?when)"""


def _count_query(f: ClaimFilters) -> str:
    bound = " ".join(f"?{k}" for k in f.bindings())
    when = _WHEN + " " + f.date_filters() if f.dated() else ""
    return f"""
SELECT ?a {bound} (COUNT(DISTINCT ?c) AS ?n) WHERE {{
    ?c bc:claimant ?a .
    {f.patterns()}{when}
}} GROUP BY ?a {bound}
"""


def _page_query(f: ClaimFilters, paging: Paging) -> str:
    bound = " ".join(f"?{k}" for k in f.bindings())
    # No WHERE keyword on the outer query: see the module docstring.
    return f"""
SELECT ?a {bound} ?c ?when {COLUMNS} {{
  {{ SELECT ?a {bound} ?c ?when WHERE {{
    ?c bc:claimant ?a .
    {f.patterns()}{_WHEN}
    {f.date_filters()}
  }} ORDER BY (!BOUND(?when)) ?when ?c LIMIT {paging.limit} OFFSET {paging.offset} }}
  {DETAILS}
}} GROUP BY ?a {bound} ?c ?when ORDER BY (!BOUND(?when)) ?when ?c
"""


_EXISTS = "SELECT ?a WHERE { ?a a ?type } LIMIT 1"


def claims(store: GraphStore, ident: str, filters: ClaimFilters, paging: Paging) -> Page[ClaimSummary]:
    """One page of the claims an actor makes, in date order (undated claims last)."""
    try:
        node = actor_iri(ident)
    except NotFound as e:
        raise unknown(actor_index(store), ident) from e
    bindings: dict[str, Term] = {"a": node, **filters.bindings()}
    counted = store.select(_count_query(filters), bindings)
    total = integer(counted[0], "n") if counted else 0
    if total == 0:
        # Only now tell "no such actor" (404) from "no claim passes the filters" (an empty page).
        if not store.select(_EXISTS, {"a": node}):
            raise unknown(actor_index(store), ident)
        if filters.document_id is not None:
            documents.resolve(store, filters.document_id, check=True, missing=InvalidParameter)
        return Page[ClaimSummary](total=0, limit=paging.limit, offset=paging.offset, items=[])
    rows = store.select(_page_query(filters, paging), bindings) if paging.offset < total else []
    return Page[ClaimSummary](
        total=total, limit=paging.limit, offset=paging.offset, items=[summary_from_row(r) for r in rows]
    )
