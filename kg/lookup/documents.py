"""Documents: the list (newest first, page by page) and the document card.

A document is named by its key (the first 16 hex digits of the SHA-256 of its bytes, which is
also the tail of its IRI), by its IRI, or by the name or stem of its source file
(``004_8ca7b8115da28cd5``), which is how the corpus names it.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Final

import pyoxigraph as ox

from kg.errors import KGError, NotFound
from kg.lookup.claimrows import summaries
from kg.lookup.ids import doc_iri
from kg.lookup.models import ActorMention, DocumentCard, DocumentOut, DocumentRef, Page
from kg.lookup.names import ActorIndex, actor_index
from kg.lookup.params import Paging
from kg.lookup.rows import (
    Row,
    actor_ref,
    date_columns,
    date_out,
    integer,
    outlet_ref,
    text,
    values,
)
from kg.lookup.vocab import DOC_BASE, STANCES, grade_of, short_id
from kg.store import GraphStore

_FILE_STEM = re.compile(r"^[\w.-]*_[\w.-]*$")
_BY_FILE = "SELECT ?file ?d WHERE { ?d bc:sourceFile ?file } LIMIT 1"
_IS_DOCUMENT = "SELECT ?d WHERE { ?d a bc:Document } LIMIT 1"


def resolve(
    store: GraphStore, ident: str, *, check: bool = True, missing: type[KGError] = NotFound
) -> ox.NamedNode:
    """The document's IRI; with ``check``, ``missing`` is raised when there is no such document."""
    name = ident.strip()
    if _FILE_STEM.match(name) or name.endswith(".txt"):
        file = name if name.endswith(".txt") else name + ".txt"
        rows = store.select(_BY_FILE, {"file": ox.Literal(file)})
        if rows:
            return ox.NamedNode(rows[0]["d"].value)
    try:
        node = doc_iri(name)
    except NotFound as e:
        raise missing(f"no document {ident!r}: use its key, its IRI or its source file name") from e
    if check and not store.select(_IS_DOCUMENT, {"d": node}):
        raise missing(f"no document {ident!r}: use its key, its IRI or its source file name")
    return node


# --- references and list items -------------------------------------------------------------

_FIELDS: Final = f"""
  OPTIONAL {{ ?d schema:headline ?title }}
  OPTIONAL {{ ?d bc:outlet ?outlet OPTIONAL {{ ?outlet bc:reliability ?orel }} }}
  OPTIONAL {{ ?d bc:publicationDate ?pv . {date_columns("pv", "pub_")} }}
"""
_LIST_FIELDS: Final = (
    _FIELDS
    + """
  OPTIONAL { ?d schema:inLanguage ?lang }
  OPTIONAL { ?d bc:machineGenerated ?mg }
  OPTIONAL { ?d bc:reliability ?rel }
  OPTIONAL { ?d bc:author ?author }
  OPTIONAL { ?d schema:url ?url }
  OPTIONAL { ?d bc:sourceFile ?file }
  OPTIONAL { ?d bc:reprintOf ?reprint }
"""
)


def _ref(index: ActorIndex, row: Row) -> DocumentRef:
    doc = text(row, "d") or ""
    outlet = text(row, "outlet")
    return DocumentRef(
        id=short_id(doc, DOC_BASE),
        iri=doc,
        title=text(row, "title"),
        outlet=None if outlet is None else outlet_ref(index, outlet, text(row, "orel")),
        published=date_out(row, "pub_"),
    )


def _out(index: ActorIndex, row: Row, claim_count: int) -> DocumentOut:
    author, rel = text(row, "author"), text(row, "rel")
    return DocumentOut(
        **_ref(index, row).model_dump(),
        author=None if author is None else actor_ref(index, author),
        language=text(row, "lang"),
        machine_generated=text(row, "mg") == "true",
        reliability=grade_of(rel) if rel else None,
        url=text(row, "url"),
        source_file=text(row, "file"),
        reprint_of=text(row, "reprint"),
        claim_count=claim_count,
    )


def refs(store: GraphStore, index: ActorIndex, iris: Iterable[str]) -> dict[str, DocumentRef]:
    """Short references to documents found by an earlier query, by IRI."""
    docs = list(dict.fromkeys(iris))
    if not docs:
        return {}
    rows = store.select(f"SELECT * WHERE {{ {values('d', docs)} {_FIELDS} }}")
    out: dict[str, DocumentRef] = {}
    for r in rows:
        out.setdefault(text(r, "d") or "", _ref(index, r))
    return out


_COUNT = "SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d a bc:Document }"


_PAGE_COLUMNS: Final = " ".join(
    "?" + v
    for v in (
        *("d", "when", "title", "outlet", "orel", "pub_date", "pub_status", "pub_nb", "pub_na"),
        *("lang", "mg", "rel", "author", "url", "file", "reprint"),
    )
)


def _page(paging: Paging) -> str:
    # Newest first: ordered and cut in a sub-select, then the page's fields and claim counts.
    return f"""
SELECT {_PAGE_COLUMNS} (COUNT(DISTINCT ?c) AS ?claims) WHERE {{
  {{ SELECT DISTINCT ?d ?when WHERE {{
      ?d a bc:Document .
      OPTIONAL {{ ?d bc:publicationDate ?w .
                 OPTIONAL {{ ?w bc:date ?w_date }}
                 OPTIONAL {{ ?w bc:notAfter ?w_na }}
                 OPTIONAL {{ ?w bc:notBefore ?w_nb }} }}
      BIND (COALESCE(?w_date, ?w_na, ?w_nb) AS ?when)
    }} ORDER BY (!BOUND(?when)) DESC(?when) ?d LIMIT {paging.limit} OFFSET {paging.offset} }}
  {_LIST_FIELDS}
  OPTIONAL {{ ?c bc:sourceDocument ?d }}
}} GROUP BY {_PAGE_COLUMNS}
ORDER BY (!BOUND(?when)) DESC(?when) ?d
"""


def listing(store: GraphStore, paging: Paging) -> Page[DocumentOut]:
    """Documents, newest first (by publication date, stated or inferred)."""
    total = integer(store.select(_COUNT)[0], "n")
    index = actor_index(store)
    items: dict[str, DocumentOut] = {}
    if paging.offset < total:
        for r in store.select(_page(paging)):
            items.setdefault(text(r, "d") or "", _out(index, r, integer(r, "claims")))
    return Page[DocumentOut](
        total=total, limit=paging.limit, offset=paging.offset, items=list(items.values())
    )


# --- the card ----------------------------------------------------------------------------------

_CLAIMS = "SELECT ?d ?c WHERE { ?c bc:sourceDocument ?d }"
_CITES = "SELECT ?d ?x WHERE { ?d bc:cites ?x } ORDER BY ?x"
_CONTRADICTED = (
    "SELECT ?d (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c bc:sourceDocument ?d ; bc:contradicts ?o } GROUP BY ?d"
)
ROLES: Final = ("claimant", "sender", "recipient", "party", "initiator", "concerns")
_ROLES = """
SELECT ?d ?a ?role (COUNT(DISTINCT ?c) AS ?n) WHERE {
  ?c bc:sourceDocument ?d .
  { ?c bc:claimant ?a BIND ("claimant" AS ?role) }
  UNION
  { VALUES (?rp ?role) { (bc:sender "sender") (bc:recipient "recipient") (bc:party "party")
                         (bc:initiator "initiator") (bc:concerns "concerns") }
    ?c bc:proposition ?p . ?p ?rp ?a }
} GROUP BY ?d ?a ?role
"""


def card(store: GraphStore, ident: str) -> DocumentCard:
    node = resolve(store, ident)
    index = actor_index(store)
    doc_rows = store.select(f"SELECT * WHERE {{ ?d a bc:Document . {_LIST_FIELDS} }}", {"d": node})
    claim_iris = [text(r, "c") or "" for r in store.select(_CLAIMS, {"d": node})]
    claims = summaries(store, claim_iris)
    by_stance = Counter({slug: 0 for slug in STANCES})
    by_stance.update(c.stance for c in claims.values())
    contradicted = store.select(_CONTRADICTED, {"d": node})
    roles: dict[str, dict[str, int]] = defaultdict(dict)
    for r in store.select(_ROLES, {"d": node}):
        roles[text(r, "a") or ""][text(r, "role") or ""] = integer(r, "n")
    mentions = [
        ActorMention(**actor_ref(index, a).model_dump(), roles={k: found[k] for k in ROLES if k in found})
        for a, found in roles.items()
    ]
    mentions.sort(key=lambda m: (-sum(m.roles.values()), m.label.casefold()))
    base = _out(index, doc_rows[0], len(claims))
    cited = [text(r, "x") or "" for r in store.select(_CITES, {"d": node})]
    return DocumentCard(
        **base.model_dump(),
        cites=[actor_ref(index, a) for a in dict.fromkeys(cited)],
        claims_by_stance=dict(by_stance),
        contradicted_claims=integer(contradicted[0], "n") if contradicted else 0,
        claims=list(claims.values()),
        actors=mentions,
    )
