"""Compiling a checked document into the quads of its own named graph.

Every IRI is derived from content: the document's key is a prefix of the SHA-256 of its bytes,
claims hang off it by their curated id, propositions by a hash of what they say. So compiling
the same bytes twice gives the same quads. Every IRI a document mints hangs off its key, so no
triple is in two documents' graphs and retracting one document touches nothing of another.

What a claim is about is a proposition node, never a plain triple between actors: the proposition
carries ``rdf:subject``/``rdf:predicate``/``rdf:object`` (RDF 1.1 reification, which asserts
nothing and maps one to one onto RDF 1.2 ``rdf:reifies``), so a denied exchange never becomes a
fact in any graph or in their union.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator

import pyoxigraph as ox

from kg.corpus import SourceDocument
from kg.gephi_read import summary_quads
from kg.models import ClaimAnnotation, DateValue, LocalActor, LocalChannel, Proposition, TimeSpan
from kg.namespaces import (
    BC,
    DOC_GRAPH_PREFIX,
    ID,
    OA,
    RDF,
    RDFS,
    SCHEMA,
    SKOS,
    XSD,
    actor_iri,
    channel_iri,
    topic_iri,
)

_N = ox.NamedNode
A = _N(RDF + "type")
XSD_DATE = _N(XSD + "date")
XSD_BOOL = _N(XSD + "boolean")
# Offsets are xsd:integer (>= 0 by the shapes): Oxigraph rewrites xsd:nonNegativeInteger to
# xsd:integer on insert, and one spelling keeps every backend's quads identical.
XSD_INT = _N(XSD + "integer")
XSD_URI = _N(XSD + "anyURI")

KIND_CLASS: dict[str, str] = {
    "communication": "Communication",
    "message": "Message",
    "request": "Request",
    "warning": "Warning",
    "message-exchange": "MessageExchange",
    "talks": "Talks",
    "negotiation": "Negotiation",
    "position": "PositionStatement",
}
# The predicate a proposition reifies: what the claim would say as a triple if it were a fact.
KIND_PREDICATE: dict[str, str] = {
    "communication": "communicatedWith",
    "message": "sentMessageTo",
    "request": "sentRequestTo",
    "warning": "sentWarningTo",
    "message-exchange": "exchangedMessagesWith",
    "talks": "heldTalksWith",
    "negotiation": "negotiatedWith",
}
STANCE = {"affirms": "Affirms", "denies": "Denies"}
ATTRIBUTION = {
    "direct-quote": "DirectQuote",
    "partial-quote": "PartialQuote",
    "indirect-speech": "IndirectSpeech",
    "anonymous-source": "AnonymousSourcing",
    "outlet-framing": "OutletFraming",
}
ACTOR_CLASS = {
    "state": "State",
    "armed-group": "NonStateArmedGroup",
    "person": "Person",
    "organisation": "Organisation",
    "outlet": "Outlet",
    "mission": "DiplomaticMission",
    "collective": "CollectiveActor",
    "unnamed-source": "UnnamedSource",
}
CHANNEL_TYPE = {
    "direct": "DirectChannel",
    "protecting-power": "ProtectingPowerChannel",
    "mediator": "MediatorChannel",
    "unspecified": "UnspecifiedIndirectChannel",
}
METHOD = {"curated": "CuratedAnnotation", "extracted": "AutomaticExtraction"}
CONTEXT_CHARS = 32


def bc(local: str) -> ox.NamedNode:
    return _N(BC + local)


def doc_iri(key: str) -> str:
    return f"{ID}doc/{key}"


def doc_graph_iri(key: str) -> str:
    return f"{DOC_GRAPH_PREFIX}{key}"


def claim_iri(key: str, claim_id: str) -> str:
    return f"{ID}claim/{key}/{claim_id}"


def local_actor_iri(key: str, slug: str) -> str:
    return f"{ID}actor/{key}/{slug}"


def local_channel_iri(key: str, slug: str) -> str:
    return f"{ID}channel/{key}/{slug}"


def _date(d: dt.date) -> ox.Literal:
    return ox.Literal(d.isoformat(), datatype=XSD_DATE)


def _bool(b: bool) -> ox.Literal:
    return ox.Literal("true" if b else "false", datatype=XSD_BOOL)


def _str(s: str) -> ox.Literal:
    return ox.Literal(s)


def _en(s: str) -> ox.Literal:
    return ox.Literal(s, language="en")


def _hash(obj: object) -> str:
    blob = json.dumps(obj, sort_keys=True, default=str, ensure_ascii=False).encode()
    return hashlib.sha256(blob).hexdigest()[:16]


class _Emitter:
    """Collects the triples of one document graph."""

    def __init__(self, graph: str) -> None:
        self.graph = _N(graph)
        self.quads: list[ox.Quad] = []

    def add(self, s: str | ox.NamedNode, p: ox.NamedNode, o: ox.NamedNode | ox.Literal | str) -> None:
        subj = _N(s) if isinstance(s, str) else s
        obj = _N(o) if isinstance(o, str) else o
        self.quads.append(ox.Quad(subj, p, obj, self.graph))


def _date_value(em: _Emitter, iri: str, value: DateValue) -> None:
    em.add(iri, A, bc("DateValue"))
    em.add(iri, bc("dateStatus"), bc("Stated" if value.status == "stated" else "Inferred"))
    if value.date:
        em.add(iri, bc("date"), _date(value.date))
    if value.not_before:
        em.add(iri, bc("notBefore"), _date(value.not_before))
    if value.not_after:
        em.add(iri, bc("notAfter"), _date(value.not_after))
    if value.expression:
        em.add(iri, bc("expression"), _str(value.expression))
    for ev in value.evidence:
        em.add(iri, bc("dateEvidence"), _str(ev))


def _time_span(em: _Emitter, iri: str, span: TimeSpan) -> None:
    em.add(iri, A, bc("TimeSpan"))
    if span.expression:
        em.add(iri, bc("expression"), _str(span.expression))
    for end_name, value in (("start", span.start), ("end", span.end)):
        if value is not None:
            node = f"{iri}/{end_name}"
            em.add(iri, bc(end_name), node)
            _date_value(em, node, value)


def proposition_iri(key: str, p: Proposition, resolve: dict[str, str]) -> str:
    """Name a proposition by its document and what it says (actor ids resolved).

    Two claims of one document that say the same thing share the node. Across documents the
    node is not shared: Oxigraph's union default graph yields a triple once per graph holding
    it, so a triple in two graphs would multiply every join the rules and shapes make.
    """
    content = p.model_dump(mode="json", exclude_none=True)
    for role in ("sender", "recipient", "initiator"):
        if role in content:
            content[role] = resolve[content[role]]
    for role in ("parties", "subjects"):
        content[role] = sorted(resolve[x] for x in content.get(role, []))
    return f"{ID}proposition/{key}/{_hash(content)}"


def _proposition(
    em: _Emitter, iri: str, p: Proposition, resolve: dict[str, str], channels: dict[str, str]
) -> None:
    em.add(iri, A, bc(KIND_CLASS[p.kind]))
    em.add(iri, bc("summary"), _str(p.summary))
    if p.sender:
        em.add(iri, bc("sender"), resolve[p.sender])
    if p.recipient:
        em.add(iri, bc("recipient"), resolve[p.recipient])
    for party in p.parties:
        em.add(iri, bc("party"), resolve[party])
    for subject in p.subjects:
        em.add(iri, bc("concerns"), resolve[subject])
    if p.initiator:
        em.add(iri, bc("initiator"), resolve[p.initiator])
    if p.channel:
        em.add(iri, bc("viaChannel"), channels.get(p.channel) or channel_iri(p.channel))
    if p.direct is not None:
        em.add(iri, bc("isDirect"), _bool(p.direct))
    for t in p.topics:
        em.add(iri, bc("topic"), topic_iri(t))
    if p.kind in KIND_PREDICATE:
        first = p.sender or p.parties[0]
        second = p.recipient or p.parties[1]
        em.add(iri, _N(RDF + "subject"), resolve[first])
        em.add(iri, _N(RDF + "predicate"), bc(KIND_PREDICATE[p.kind]))
        em.add(iri, _N(RDF + "object"), resolve[second])
    if p.time is not None:
        span = f"{iri}/time"
        em.add(iri, bc("timeSpan"), span)
        _time_span(em, span, p.time)


def _local_actor(em: _Emitter, key: str, a: LocalActor, resolve: dict[str, str]) -> None:
    iri = local_actor_iri(key, a.id)
    em.add(iri, A, bc(ACTOR_CLASS[a.kind]))
    em.add(iri, _N(SKOS + "prefLabel"), _en(a.label))
    em.add(iri, bc("reviewed"), _bool(a.reviewed))
    if a.surface_form:
        em.add(iri, bc("surfaceForm"), _str(a.surface_form))
        if a.surface_form != a.label:
            em.add(iri, _N(SKOS + "altLabel"), _en(a.surface_form))
    if a.affiliation:
        em.add(iri, bc("affiliation"), resolve[a.affiliation])
    if a.reliability:
        em.add(iri, bc("reliability"), bc(f"Reliability{a.reliability}"))


def _local_channel(em: _Emitter, key: str, ch: LocalChannel, resolve: dict[str, str]) -> None:
    iri = local_channel_iri(key, ch.id)
    em.add(iri, A, bc("Channel"))
    em.add(iri, _N(SKOS + "prefLabel"), _en(ch.label))
    em.add(iri, bc("channelType"), bc(CHANNEL_TYPE[ch.type]))
    em.add(iri, bc("isDirect"), _bool(ch.type == "direct"))
    if ch.intermediary:
        em.add(iri, bc("intermediary"), resolve[ch.intermediary])


def _claim(
    em: _Emitter,
    doc: SourceDocument,
    c: ClaimAnnotation,
    resolve: dict[str, str],
    default_stated: DateValue | None,
    channels: dict[str, str],
) -> None:
    key = doc.key
    iri = claim_iri(key, c.id)
    d_iri = doc_iri(key)
    em.add(iri, A, bc("Claim"))
    em.add(iri, bc("annotationId"), _str(c.id))
    em.add(iri, bc("claimant"), resolve[c.claimant])
    em.add(iri, bc("stance"), bc(STANCE[c.stance]))
    em.add(iri, bc("attribution"), bc(ATTRIBUTION[c.attribution]))
    em.add(iri, bc("sourceDocument"), d_iri)
    em.add(iri, bc("annotationMethod"), bc(METHOD[c.method]))
    if c.confidence is not None:
        em.add(iri, bc("confidence"), bc(f"Credibility{c.confidence}"))
    if c.note:
        em.add(iri, _N(RDFS + "comment"), _en(c.note))

    stated = c.stated or default_stated
    if stated is not None:
        node = f"{iri}/stated"
        em.add(iri, bc("statedAt"), node)
        _date_value(em, node, stated)
    lo, hi = claim_window(c.proposition, stated)
    if lo is not None:
        em.add(iri, bc("windowStart"), _date(lo))
    if hi is not None:
        em.add(iri, bc("windowEnd"), _date(hi))

    p_iri = proposition_iri(key, c.proposition, resolve)
    em.add(iri, bc("proposition"), p_iri)
    _proposition(em, p_iri, c.proposition, resolve, channels)

    start = c.start if c.start is not None else 0
    end = c.end if c.end is not None else start + len(c.quote)
    ev = f"{iri}/evidence"
    em.add(iri, bc("evidence"), ev)
    em.add(ev, A, bc("Evidence"))
    em.add(ev, A, _N(OA + "SpecificResource"))
    em.add(ev, _N(OA + "hasSource"), d_iri)
    pos, quote = f"{ev}/position", f"{ev}/quote"
    em.add(ev, _N(OA + "hasSelector"), pos)
    em.add(ev, _N(OA + "hasSelector"), quote)
    em.add(pos, A, _N(OA + "TextPositionSelector"))
    em.add(pos, _N(OA + "start"), ox.Literal(str(start), datatype=XSD_INT))
    em.add(pos, _N(OA + "end"), ox.Literal(str(end), datatype=XSD_INT))
    em.add(quote, A, _N(OA + "TextQuoteSelector"))
    em.add(quote, _N(OA + "exact"), _str(c.quote))
    em.add(quote, _N(OA + "prefix"), _str(doc.text[max(0, start - CONTEXT_CHARS) : start]))
    em.add(quote, _N(OA + "suffix"), _str(doc.text[end : end + CONTEXT_CHARS]))


RECENT_PAST = dt.timedelta(days=365)
"""How far before the statement an undated communication is taken to lie.

"Iran and the US exchanged messages", with no time given, speaks of the recent past. Read as
"at any time before the statement", every undated claim on a pair of actors overlapped every
earlier one: at 100k synthetic claims 94% of the derived contradictions involved such a claim
(a 2019 denial against a 2025 report), and their number grew with the square of the corpus.
"""


def claim_window(p: Proposition, stated: DateValue | None) -> tuple[dt.date | None, dt.date | None]:
    """The dates between which what a claim speaks of can have happened (None: open).

    Materialised on the claim so the contradiction rules compare two values instead of walking
    date nodes and optional bounds for every candidate pair (which Oxigraph plans badly). An
    open end is closed by the statement date; an open start by :data:`RECENT_PAST` before the
    earliest the statement (or, if it is earlier, the stated end) can be. With no start, no end
    and no earliest statement date the window stays open towards the past.
    """
    span = p.time
    lo = span.start.earliest if span is not None and span.start is not None else None
    end = span.end.latest if span is not None and span.end is not None else None
    hi = end if end is not None or stated is None else stated.latest
    if lo is None:
        anchors = [d for d in (stated.earliest if stated is not None else None, end) if d is not None]
        if anchors:
            lo = min(anchors) - RECENT_PAST
    return lo, hi


def _default_statement_date(doc: SourceDocument) -> DateValue | None:
    """When the text gives no statement date, all we know is: on or before publication."""
    pub = doc.meta.published
    if pub is None or pub.latest is None:
        return None
    return DateValue(
        status="inferred",
        date=pub.date,
        not_after=pub.latest,
        evidence=[
            "The text gives no separate date for this statement; it was made on or before the "
            f"document's publication ({pub.status} {pub.date or pub.latest})."
        ],
    )


def compile_document(doc: SourceDocument, stem_keys: dict[str, str] | None = None) -> list[ox.Quad]:
    """All quads of one document's named graph. The document must have passed ``check_document``.

    The last quad is the graph's export summary (:mod:`kg.gephi_read`), made here from the same
    quads so that every writer of a document graph (build, ingest) stores it with them.
    """
    key = doc.key
    em = _Emitter(doc_graph_iri(key))
    ann, meta = doc.annotations, doc.meta
    resolve: dict[str, str] = {}
    for a in ann.local_actors:
        resolve[a.id] = local_actor_iri(key, a.id)

    class _Resolver(dict[str, str]):
        def __missing__(self, slug: str) -> str:
            return actor_iri(slug)

    resolver = _Resolver(resolve)

    d = doc_iri(key)
    em.add(d, A, bc("Document"))
    em.add(d, A, _N(SCHEMA + "NewsArticle"))
    em.add(d, _N(SCHEMA + "headline"), _en(meta.title))
    em.add(d, _N(SCHEMA + "text"), _str(doc.text))
    em.add(d, _N(SCHEMA + "inLanguage"), _str(meta.language))
    em.add(d, bc("sha256"), _str(doc.sha256))
    em.add(d, bc("sourceFile"), _str(doc.text_path.name))
    em.add(d, bc("machineGenerated"), _bool(meta.machine_generated))
    em.add(d, bc("reliability"), bc(f"Reliability{meta.reliability}"))
    if meta.machine_generated_evidence:
        em.add(d, bc("machineGeneratedEvidence"), _str(meta.machine_generated_evidence))
    if meta.outlet:
        em.add(d, bc("outlet"), resolver[meta.outlet])
    if meta.outlet_evidence:
        em.add(d, bc("outletEvidence"), _str(meta.outlet_evidence))
    if meta.author:
        em.add(d, bc("author"), resolver[meta.author])
    if meta.dateline:
        em.add(d, bc("dateline"), _str(meta.dateline))
    if meta.url:
        em.add(d, _N(SCHEMA + "url"), ox.Literal(meta.url, datatype=XSD_URI))
    for cited in meta.cites:
        em.add(d, bc("cites"), resolver[cited])
    if meta.reprint_of and stem_keys and meta.reprint_of in stem_keys:
        em.add(d, bc("reprintOf"), doc_iri(stem_keys[meta.reprint_of]))
    if meta.published is not None:
        node = f"{d}/published"
        em.add(d, bc("publicationDate"), node)
        _date_value(em, node, meta.published)
        if meta.published.status == "stated" and meta.published.date:
            em.add(d, _N(SCHEMA + "datePublished"), _date(meta.published.date))

    for a in ann.local_actors:
        _local_actor(em, key, a, resolver)
    channels = {ch.id: local_channel_iri(key, ch.id) for ch in ann.local_channels}
    for ch in ann.local_channels:
        _local_channel(em, key, ch, resolver)
    default_stated = _default_statement_date(doc)
    for c in ann.claims:
        _claim(em, doc, c, resolver, default_stated, channels)
    quads = _dedupe(em.quads)
    return quads + summary_quads(quads)


def _dedupe(quads: list[ox.Quad]) -> list[ox.Quad]:
    """Shared propositions emit the same triples twice; keep one, in a stable order."""
    return list(dict.fromkeys(quads))


def iter_quads(docs: list[SourceDocument]) -> Iterator[ox.Quad]:
    stem_keys = {d.stem: d.key for d in docs}
    for doc in docs:
        yield from compile_document(doc, stem_keys)
