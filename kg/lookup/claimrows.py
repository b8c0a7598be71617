"""One claim per row, with what a list of claims shows: claimant, stance, date, quote, source.

``DETAILS`` is the group pattern that fetches those fields for claims already chosen (``?c``),
and ``COLUMNS`` folds them to one row per claim: labels can be in several languages, an inferred
graph adds superclasses, and a node shared by several document graphs comes back once per graph,
so single values are ``SAMPLE``d and types are concatenated. Each OPTIONAL starts from a node
already bound (nesting the next step inside): written as one group, the evidence quote made
Oxigraph join every quote selector in the store first (7 s for one page at 100k claims). Both
the paged list of an actor's claims and the claim lists inside cards use them, so a claim looks
the same everywhere.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from kg.lookup.models import ClaimSummary, DocumentRef, OutletRef, PropositionBrief
from kg.lookup.rows import Row, date_out, ref_from_row, text, values, words
from kg.lookup.vocab import (
    ACTOR_CLASSES,
    CLAIM_BASE,
    DOC_BASE,
    PROPOSITION_CLASSES,
    grade_of,
    most_specific,
    short_id,
    slug_of,
)
from kg.store import GraphStore

_ACTOR_TYPES: Final = ", ".join(f"<{iri}>" for iri in ACTOR_CLASSES)
_PROP_TYPES: Final = ", ".join(f"<{iri}>" for iri in PROPOSITION_CLASSES)

DETAILS: Final = f"""
  ?c bc:claimant ?claimant_ ; bc:stance ?stance_ ; bc:sourceDocument ?doc_ ; bc:proposition ?p_ .
  OPTIONAL {{ ?c bc:attribution ?attr_ }}
  OPTIONAL {{ ?claimant_ skos:prefLabel ?clabel_ }}
  OPTIONAL {{ ?claimant_ a ?ckind_ FILTER (?ckind_ IN ({_ACTOR_TYPES})) }}
  OPTIONAL {{ ?c bc:statedAt ?sv_ .
             OPTIONAL {{ ?sv_ bc:date ?s_date_ }} OPTIONAL {{ ?sv_ bc:dateStatus ?s_status_ }}
             OPTIONAL {{ ?sv_ bc:notBefore ?s_nb_ }} OPTIONAL {{ ?sv_ bc:notAfter ?s_na_ }}
             OPTIONAL {{ ?sv_ bc:expression ?s_expr_ }} }}
  OPTIONAL {{ ?c bc:evidence ?ev_ OPTIONAL {{ ?ev_ oa:hasSelector ?qs_ . ?qs_ oa:exact ?quote_ }} }}
  OPTIONAL {{ ?doc_ schema:headline ?title_ }}
  OPTIONAL {{ ?doc_ bc:outlet ?outlet_ .
             OPTIONAL {{ ?outlet_ skos:prefLabel ?olabel_ }}
             OPTIONAL {{ ?outlet_ bc:reliability ?orel_ }}
             OPTIONAL {{ ?outlet_ a ?okind_ FILTER (?okind_ IN ({_ACTOR_TYPES})) }} }}
  OPTIONAL {{ ?doc_ bc:publicationDate ?pv_ .
             OPTIONAL {{ ?pv_ bc:date ?pub_date_ }} OPTIONAL {{ ?pv_ bc:dateStatus ?pub_status_ }}
             OPTIONAL {{ ?pv_ bc:notBefore ?pub_nb_ }} OPTIONAL {{ ?pv_ bc:notAfter ?pub_na_ }} }}
  OPTIONAL {{ ?p_ bc:summary ?summary_ }}
  OPTIONAL {{ ?p_ a ?pkind_ FILTER (?pkind_ IN ({_PROP_TYPES})) }}
"""
_SINGLE: Final = (
    *("claimant", "clabel", "stance", "attr", "s_date", "s_status", "s_nb", "s_na", "s_expr"),
    *("quote",),
    *("doc", "title", "outlet", "olabel", "orel", "pub_date", "pub_status", "pub_nb", "pub_na"),
    *("p", "summary"),
)
_MULTI: Final = ("ckind", "okind", "pkind")
COLUMNS: Final = " ".join(
    [f"(SAMPLE(?{n}_) AS ?{n})" for n in _SINGLE]
    + [f'(GROUP_CONCAT(DISTINCT STR(?{n}_); separator=" ") AS ?{n})' for n in _MULTI]
)


def summary_from_row(row: Row) -> ClaimSummary:
    claim, doc, prop = text(row, "c") or "", text(row, "doc") or "", text(row, "p") or ""
    claimant = text(row, "claimant") or ""
    outlet = text(row, "outlet")
    stated = date_out(row, "s_")
    attribution = text(row, "attr")
    return ClaimSummary(
        id=short_id(claim, CLAIM_BASE),
        iri=claim,
        claimant=ref_from_row(claimant, text(row, "clabel"), words(row, "ckind")),
        stance=slug_of(text(row, "stance") or ""),
        attribution=slug_of(attribution) if attribution else None,
        stated_at=stated,
        when=text(row, "when"),
        quote=text(row, "quote"),
        source=DocumentRef(
            id=short_id(doc, DOC_BASE),
            iri=doc,
            title=text(row, "title"),
            outlet=None if outlet is None else _outlet(row, outlet),
            published=date_out(row, "pub_"),
        ),
        proposition=PropositionBrief(
            iri=prop,
            kind=most_specific(words(row, "pkind"), PROPOSITION_CLASSES),
            summary=text(row, "summary"),
        ),
    )


def _outlet(row: Row, iri: str) -> OutletRef:
    ref = ref_from_row(iri, text(row, "olabel"), words(row, "okind"))
    reliability = text(row, "orel")
    return OutletRef(**ref.model_dump(), reliability=grade_of(reliability) if reliability else None)


def summaries(store: GraphStore, claims: Iterable[str]) -> dict[str, ClaimSummary]:
    """The listed claims (IRIs found by an earlier query), by IRI, in date order."""
    iris = list(dict.fromkeys(claims))
    if not iris:
        return {}
    sparql = f"""
SELECT ?c ?when {COLUMNS} WHERE {{
  {values("c", iris)}
  {DETAILS}
  BIND (COALESCE(?s_date_, ?s_na_, ?s_nb_) AS ?when)
}} GROUP BY ?c ?when ORDER BY ?when ?c
"""
    return {text(r, "c") or "": summary_from_row(r) for r in store.select(sparql)}
