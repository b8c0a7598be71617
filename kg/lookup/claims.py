"""The claim card: who claims what, in which words (with the text around them), and who disagrees.

The card is read in a few rounds of "every property of these nodes" (the claim; its proposition,
date, evidence and document; their selectors, time span and channel; the span's ends), so it
shows whatever the compiler wrote without one query per field. The words around the quote come
from the document text stored in the graph (``schema:text``), cut in the store with ``SUBSTR`` so
a long text never travels; a store without the text falls back to the corpus file named by
``bc:sourceFile``.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Final

import pyoxigraph as ox

from kg.errors import InvalidParameter, NotFound
from kg.lookup.claimrows import summaries
from kg.lookup.ids import claim_iri
from kg.lookup.models import (
    ChannelRef,
    ClaimCard,
    ContradictionOut,
    DateOut,
    DocumentOut,
    EvidenceOut,
    PointOut,
    PropositionOut,
    TimeSpanOut,
    TopicRef,
)
from kg.lookup.names import ActorIndex, actor_index
from kg.lookup.rows import actor_ref, all_of, describe, first, integer, outlet_ref, text
from kg.lookup.vocab import (
    CHANNEL_BASE,
    CHANNEL_TYPES,
    CLAIM_BASE,
    DOC_BASE,
    POINT_LABELS,
    PROPOSITION_CLASSES,
    TOPIC_BASE,
    confidence_of,
    grade_of,
    local_name,
    most_specific,
    short_id,
    slug_of,
)
from kg.namespaces import OA, RDF, RDFS, SCHEMA, SKOS, XSD
from kg.store import GraphStore, Term

DEFAULT_CONTEXT: Final = 200
MAX_CONTEXT: Final = 2000
Props = Mapping[str, list[Term]]
_KEY = re.compile(r"[0-9a-f]{16}")

_IS_CLAIM = "SELECT ?c WHERE { ?c a bc:Claim } LIMIT 1"
_CLAIMS_IN_DOC = "SELECT ?d (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c bc:sourceDocument ?d } GROUP BY ?d"
_CLAIMS_OF_DOC = "SELECT ?d ?id WHERE { ?c bc:sourceDocument ?d ; bc:annotationId ?id }"
_AROUND = """
SELECT ?d ?from_before ?len_before ?from_after ?len_after ?before ?after WHERE {
  ?d schema:text ?text .
  BIND (SUBSTR(?text, ?from_before, ?len_before) AS ?before)
  BIND (SUBSTR(?text, ?from_after, ?len_after) AS ?after)
} LIMIT 1
"""
_CONTRADICTIONS = """
SELECT ?c ?k ?point ?reason ?first ?second WHERE {
  ?k bc:firstClaim|bc:secondClaim ?c .
  ?k a bc:Contradiction ; bc:point ?point ; bc:firstClaim ?first ; bc:secondClaim ?second .
  OPTIONAL { ?k bc:reason ?reason }
} ORDER BY ?point ?k
"""


def _unknown(store: GraphStore, ident: str, node: ox.NamedNode | None) -> NotFound:
    """Say what a claim id looks like, and name the closest claims of the same document."""
    message = f"no claim {ident!r}"
    key, _, wanted = short_id(node.value, CLAIM_BASE).rpartition("/") if node is not None else ("", "", "")
    if _KEY.fullmatch(key):
        doc = ox.NamedNode(DOC_BASE + key)
        ids = sorted(text(r, "id") or "" for r in store.select(_CLAIMS_OF_DOC, {"d": doc}))
        close = difflib.get_close_matches(wanted, ids, n=3, cutoff=0.75)
        if close:
            return NotFound(message + "; did you mean " + ", ".join(f"{key}/{c}" for c in close) + "?")
        if not ids:
            message += f" (no document has the key {key!r})"
    return NotFound(
        message + "; a claim id is <document key>/<claim id>, e.g. 9bdecb3cd4d131be/lead-direct-communication"
    )


def card(
    store: GraphStore, ident: str, context: int = DEFAULT_CONTEXT, corpus_dir: Path | None = None
) -> ClaimCard:
    if not 0 <= context <= MAX_CONTEXT:
        raise InvalidParameter(f"'context' must be between 0 and {MAX_CONTEXT} characters, not {context}")
    try:
        node = claim_iri(ident)
    except NotFound as e:
        raise _unknown(store, ident, None) from e
    if not store.select(_IS_CLAIM, {"c": node}):
        raise _unknown(store, ident, node)
    iri = node.value
    index = actor_index(store)
    brief = summaries(store, [iri])[iri]
    claim = describe(store, [iri])[iri]
    p_iri, doc_iri = first(claim, "proposition") or "", first(claim, "sourceDocument") or ""
    ev_iri, stated_iri = first(claim, "evidence") or "", first(claim, "statedAt")
    second = describe(
        store, [p_iri, ev_iri, doc_iri, *([stated_iri] if stated_iri else [])], skip=[SCHEMA + "text"]
    )
    prop, evidence, doc = second[p_iri], second[ev_iri], second[doc_iri]
    third = describe(
        store,
        [
            *all_of(evidence, OA + "hasSelector"),
            *all_of(prop, "timeSpan"),
            *all_of(prop, "viaChannel"),
            *all_of(prop, "topic"),
            *all_of(doc, "publicationDate"),
        ],
    )
    span_iri = first(prop, "timeSpan")
    span = third.get(span_iri, {}) if span_iri else {}
    ends = describe(store, [*all_of(span, "start"), *all_of(span, "end")])
    return ClaimCard(
        **brief.model_dump(exclude={"proposition", "source", "stated_at"}),
        stated_at=_date(second.get(stated_iri, {})) if stated_iri else None,
        confidence=confidence_of(first(claim, "confidence") or ""),
        note=first(claim, RDFS + "comment"),
        proposition=_proposition(index, p_iri, prop, third, ends),
        evidence=_evidence(store, ev_iri, evidence, third, doc, doc_iri, context, corpus_dir),
        source=_document(index, doc_iri, doc, third, store),
        contradictions=contradictions_of(store, node),
    )


def _date(props: Props) -> DateOut:
    status = first(props, "dateStatus")
    return DateOut(
        date=first(props, "date"),
        status=slug_of(status) if status else None,
        not_before=first(props, "notBefore"),
        not_after=first(props, "notAfter"),
        expression=first(props, "expression"),
        date_evidence=all_of(props, "dateEvidence"),
    )


def _proposition(
    index: ActorIndex, iri: str, prop: Props, nodes: Mapping[str, Props], ends: Mapping[str, Props]
) -> PropositionOut:
    def one(name: str) -> str | None:
        return first(prop, name)

    def actor(name: str) -> list[str]:
        return all_of(prop, name)

    span_iri = one("timeSpan")
    span = nodes.get(span_iri, {}) if span_iri else {}
    channel_iri = one("viaChannel")
    direct = one("isDirect")
    return PropositionOut(
        iri=iri,
        kind=most_specific(all_of(prop, RDF + "type"), PROPOSITION_CLASSES),
        summary=one("summary"),
        sender=actor_ref(index, a) if (a := one("sender")) else None,
        recipient=actor_ref(index, a) if (a := one("recipient")) else None,
        parties=[actor_ref(index, a) for a in actor("party")],
        initiator=actor_ref(index, a) if (a := one("initiator")) else None,
        concerns=[actor_ref(index, a) for a in actor("concerns")],
        channel=_channel(index, channel_iri, nodes.get(channel_iri, {})) if channel_iri else None,
        direct=None if direct is None else direct == "true",
        topics=[
            TopicRef(id=short_id(t, TOPIC_BASE), iri=t, label=first(nodes.get(t, {}), SKOS + "prefLabel"))
            for t in all_of(prop, "topic")
        ],
        time=None
        if not span
        else TimeSpanOut(
            expression=first(span, "expression"),
            start=_date(ends[s]) if (s := first(span, "start")) and s in ends else None,
            end=_date(ends[e]) if (e := first(span, "end")) and e in ends else None,
        ),
    )


def _channel(index: ActorIndex, iri: str, props: Props) -> ChannelRef:
    direct, via = first(props, "isDirect"), first(props, "intermediary")
    return ChannelRef(
        id=short_id(iri, CHANNEL_BASE),
        iri=iri,
        label=first(props, SKOS + "prefLabel") or first(props, RDFS + "label"),
        type=most_specific(all_of(props, "channelType"), CHANNEL_TYPES),
        direct=None if direct is None else direct == "true",
        intermediary=actor_ref(index, via) if via else None,
    )


def _evidence(
    store: GraphStore,
    iri: str,
    evidence: Props,
    nodes: Mapping[str, Props],
    doc: Props,
    doc_iri: str,
    context: int,
    corpus_dir: Path | None,
) -> EvidenceOut:
    selectors = [nodes.get(s, {}) for s in all_of(evidence, OA + "hasSelector")]
    quote = next((first(s, OA + "exact") for s in selectors if first(s, OA + "exact") is not None), None)
    position = next((s for s in selectors if first(s, OA + "start") is not None), {})
    prefix = next((first(s, OA + "prefix") for s in selectors if first(s, OA + "prefix") is not None), None)
    suffix = next((first(s, OA + "suffix") for s in selectors if first(s, OA + "suffix") is not None), None)
    start = int(first(position, OA + "start") or 0)
    end = int(first(position, OA + "end") or start + len(quote or ""))
    before, after = _around(store, doc_iri, doc, start, end, context, corpus_dir)
    return EvidenceOut(
        iri=iri,
        quote=quote or "",
        start=start,
        end=end,
        prefix=prefix,
        suffix=suffix,
        context_before=before,
        context_after=after,
    )


def _integer(n: int) -> ox.Literal:
    return ox.Literal(str(n), datatype=ox.NamedNode(XSD + "integer"))


def _around(
    store: GraphStore, doc_iri: str, doc: Props, start: int, end: int, context: int, corpus_dir: Path | None
) -> tuple[str, str]:
    """Up to ``context`` characters of the document text on each side of the quote."""
    lo = max(0, start - context)
    bindings: dict[str, Term] = {
        "d": ox.NamedNode(doc_iri),
        "from_before": _integer(lo + 1),
        "len_before": _integer(start - lo),
        "from_after": _integer(end + 1),
        "len_after": _integer(context),
    }
    rows = store.select(_AROUND, bindings)
    if rows:
        return text(rows[0], "before") or "", text(rows[0], "after") or ""
    source = first(doc, "sourceFile")
    path = corpus_dir / "documents" / source if corpus_dir is not None and source else None
    if path is None or not path.is_file():
        return "", ""
    body = path.read_text(encoding="utf-8")
    return body[lo:start], body[end : end + context]


def _document(
    index: ActorIndex, iri: str, doc: Props, nodes: Mapping[str, Props], store: GraphStore
) -> DocumentOut:
    outlet, author, rel = first(doc, "outlet"), first(doc, "author"), first(doc, "reliability")
    published = first(doc, "publicationDate")
    outlet_rel = None
    if outlet:
        outlet_rel = first(describe(store, [outlet]).get(outlet, {}), "reliability")
    counted = store.select(_CLAIMS_IN_DOC, {"d": ox.NamedNode(iri)})
    return DocumentOut(
        id=short_id(iri, DOC_BASE),
        iri=iri,
        title=first(doc, SCHEMA + "headline"),
        outlet=outlet_ref(index, outlet, outlet_rel) if outlet else None,
        published=_date(nodes[published]) if published and published in nodes else None,
        author=actor_ref(index, author) if author else None,
        language=first(doc, SCHEMA + "inLanguage"),
        machine_generated=first(doc, "machineGenerated") == "true",
        reliability=grade_of(rel) if rel else None,
        url=first(doc, SCHEMA + "url"),
        source_file=first(doc, "sourceFile"),
        reprint_of=first(doc, "reprintOf"),
        claim_count=integer(counted[0], "n") if counted else 0,
    )


def point_out(iri: str) -> PointOut:
    slug = slug_of(iri)
    return PointOut(id=slug, iri=iri, question=POINT_LABELS.get(slug, local_name(iri)))


def contradictions_of(store: GraphStore, claim: ox.NamedNode) -> list[ContradictionOut]:
    """Every contradiction the claim is part of, each with both claims in full."""
    rows = store.select(_CONTRADICTIONS, {"c": claim})
    found: dict[str, dict[str, str | None]] = {}
    for r in rows:
        found.setdefault(
            text(r, "k") or "",
            {
                "point": text(r, "point"),
                "reason": text(r, "reason"),
                "1": text(r, "first"),
                "2": text(r, "second"),
            },
        )
    claims = summaries(store, [c for k in found.values() for c in (k["1"], k["2"]) if c])
    return [
        ContradictionOut(
            iri=k,
            point=point_out(v["point"] or ""),
            reason=v["reason"],
            first=claims[v["1"] or ""],
            second=claims[v["2"] or ""],
        )
        for k, v in found.items()
        if v["1"] in claims and v["2"] in claims
    ]
