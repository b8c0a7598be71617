"""What an ingest adds (or would add): the report the CLI prints and the API returns.

Built from the same records the compiler turns into RDF and with the compiler's own IRI
functions, so every IRI in the report is the one in the store: a client can follow a claim from
the report to ``GET /claims/{id}``.
"""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel, Field

from kg.article import ActorIndex
from kg.contradictions import POINT_LABEL, Contradiction
from kg.gate import Finding
from kg.models import AnnotationFile, DateValue, DocumentMeta, Proposition, TimeSpan
from kg.namespaces import ID, actor_iri, channel_iri
from kg.rdfize import claim_iri, local_actor_iri, local_channel_iri, proposition_iri


class ActorOut(BaseModel):
    iri: str
    label: str
    kind: str
    known: bool = Field(description="a reference actor (true) or one known only from this document")
    reviewed: bool = Field(description="false for actors created automatically and not yet checked")
    surface_form: str | None = Field(default=None, description="the words that introduced a new actor")
    roles: list[str] = Field(
        description="what it is in the document: claimant, sender, recipient, party, initiator, subject, "
        "outlet, author"
    )


class ClaimOut(BaseModel):
    iri: str
    id: str
    claimant: str
    claimant_label: str
    stance: str
    attribution: str
    quote: str
    start: int | None
    end: int | None
    stated: str | None = Field(description="when it was said: a date, or bounds as 'from..to'")
    kind: str
    summary: str
    proposition: str


class CommunicationOut(BaseModel):
    iri: str
    kind: str
    sender: str | None = None
    recipient: str | None = None
    parties: list[str] = Field(default_factory=list)
    channel: str | None = None
    direct: bool | None = None
    initiator: str | None = None
    time: str | None = Field(default=None, description="the time span as 'from..to' (either end may be open)")
    summary: str
    claims: list[str] = Field(description="the claims that affirm or deny it")


class ContradictionOut(BaseModel):
    iri: str
    first: str
    second: str
    point: str
    point_label: str
    reason: str


class ValidationOut(BaseModel):
    conforms: bool = True
    results: list[Finding] = Field(default_factory=list)


class StageSeconds(BaseModel):
    """Where the time went; the throughput benchmark reads these."""

    extract: float = 0.0
    compile: float = 0.0
    validation: float = 0.0
    contradictions: float = 0.0
    write: float = 0.0
    total: float = 0.0


class IngestReport(BaseModel):
    document: str = Field(description="the document IRI (id:doc/<key>)")
    key: str = Field(description="first 16 hex digits of the SHA-256 of the text's bytes")
    graph: str
    title: str
    stored: bool = Field(description="the document is now in the store (false for a dry run or a repeat)")
    dry_run: bool = False
    already_stored: bool = Field(default=False, description="the same bytes were ingested before: no change")
    claims: list[ClaimOut] = Field(default_factory=list)
    actors: list[ActorOut] = Field(default_factory=list)
    communications: list[CommunicationOut] = Field(default_factory=list)
    contradictions: list[ContradictionOut] = Field(default_factory=list)
    validation: ValidationOut = Field(default_factory=ValidationOut)
    quads: int = 0
    seconds: StageSeconds = Field(default_factory=StageSeconds)


def _date_text(value: DateValue | None) -> str | None:
    if value is None:
        return None
    if value.date is not None and value.not_before is None and value.not_after is None:
        return value.date.isoformat()
    lo, hi = value.earliest, value.latest
    return f"{lo.isoformat() if lo else ''}..{hi.isoformat() if hi else ''}"


def _span_text(span: TimeSpan | None) -> str | None:
    if span is None:
        return None
    lo = span.start.earliest if span.start else None
    hi = span.end.latest if span.end else None
    return f"{lo.isoformat() if lo else ''}..{hi.isoformat() if hi else ''}"


class _Names(dict[str, str]):
    """Actor ids of one document to IRIs: its own actors hang off its key, the rest are reference."""

    def __missing__(self, slug: str) -> str:
        return actor_iri(slug)


def build(
    key: str,
    graph: str,
    document: str,
    meta: DocumentMeta,
    ann: AnnotationFile,
    actors: ActorIndex,
) -> IngestReport:
    """The report of what the document's records say, before anything is validated or stored."""
    names = _Names({a.id: local_actor_iri(key, a.id) for a in ann.local_actors})
    local = {a.id: a for a in ann.local_actors}
    channels = {ch.id: local_channel_iri(key, ch.id) for ch in ann.local_channels}
    roles: dict[str, list[str]] = {}

    def role(slug: str | None, name: str) -> None:
        if slug is not None and name not in roles.setdefault(slug, []):
            roles[slug].append(name)

    def label(slug: str) -> str:
        return local[slug].label if slug in local else actors.labels.get(slug, slug)

    role(meta.outlet, "outlet")
    role(meta.author, "author")
    claims: list[ClaimOut] = []
    comms: dict[str, CommunicationOut] = {}
    for c in ann.claims:
        p: Proposition = c.proposition
        p_iri = proposition_iri(key, p, names)
        iri = claim_iri(key, c.id)
        role(c.claimant, "claimant")
        for slug, name in ((p.sender, "sender"), (p.recipient, "recipient"), (p.initiator, "initiator")):
            role(slug, name)
        for slug in p.parties:
            role(slug, "party")
        for slug in p.subjects:
            role(slug, "subject")
        claims.append(
            ClaimOut(
                iri=iri,
                id=c.id,
                claimant=names[c.claimant],
                claimant_label=label(c.claimant),
                stance=c.stance,
                attribution=c.attribution,
                quote=c.quote,
                start=c.start,
                end=c.end,
                stated=_date_text(c.stated or meta.published),
                kind=p.kind,
                summary=p.summary,
                proposition=p_iri,
            )
        )
        if p.kind == "position":
            continue
        if p_iri not in comms:
            comms[p_iri] = CommunicationOut(
                iri=p_iri,
                kind=p.kind,
                sender=names[p.sender] if p.sender else None,
                recipient=names[p.recipient] if p.recipient else None,
                parties=[names[x] for x in p.parties],
                channel=(channels.get(p.channel) or channel_iri(p.channel)) if p.channel else None,
                direct=p.direct,
                initiator=names[p.initiator] if p.initiator else None,
                time=_span_text(p.time),
                summary=p.summary,
                claims=[],
            )
        comms[p_iri].claims.append(iri)
    for a in ann.local_actors:
        roles.setdefault(a.id, [])
    actor_list = [
        ActorOut(
            iri=names[slug],
            label=label(slug),
            kind=local[slug].kind if slug in local else actors.kinds.get(slug, "actor"),
            known=slug not in local,
            reviewed=local[slug].reviewed if slug in local else True,
            surface_form=local[slug].surface_form if slug in local else None,
            roles=r,
        )
        for slug, r in sorted(roles.items())
    ]
    return IngestReport(
        document=document,
        key=key,
        graph=graph,
        title=meta.title,
        stored=False,
        claims=claims,
        actors=actor_list,
        communications=list(comms.values()),
    )


def contradiction_out(found: Iterable[Contradiction], reasons: dict[str, str]) -> list[ContradictionOut]:
    return [
        ContradictionOut(
            iri=c.iri,
            first=c.first,
            second=c.second,
            point=c.point,
            point_label=POINT_LABEL[c.point],
            reason=reasons.get(c.iri, ""),
        )
        for c in found
    ]


def _short(iri: str | None) -> str:
    return "" if iri is None else iri.removeprefix(ID)


def summary(report: IngestReport) -> str:
    """The report as text for a terminal: what was (or would be) added, line by line."""
    if report.already_stored:
        return f"already stored: {report.document} (the same bytes were ingested before); nothing changed"
    head = (
        "stored" if report.stored else "dry run, nothing written; would add" if report.dry_run else "checked"
    )
    new = sum(1 for a in report.actors if not a.known)
    lines = [
        f"{head}: {report.document} in graph {report.graph}",
        f"  title: {report.title}",
        f"  {len(report.claims)} claims, {len(report.actors)} actors ({new} new), "
        f"{len(report.communications)} communications, {len(report.contradictions)} contradictions "
        f"with stored claims, {report.quads} quads",
        "actors:",
    ]
    for a in report.actors:
        mark = "new, unreviewed" if not a.known and not a.reviewed else "new" if not a.known else "known"
        surface = f'; from "{a.surface_form}"' if a.surface_form else ""
        lines.append(f"  [{mark}] {a.label} ({a.kind}) {_short(a.iri)}: {', '.join(a.roles) or '-'}{surface}")
    lines.append("claims:")
    for c in report.claims:
        lines.append(
            f"  {c.id}: {c.claimant_label} {c.stance} ({c.attribution}, {c.kind}) "
            f'"{c.quote}" [{c.start}, {c.end})'
        )
    lines.append("communications:")
    for m in report.communications:
        who = (
            f"{_short(m.sender)} -> {_short(m.recipient)}"
            if m.sender
            else " & ".join(_short(p) for p in m.parties)
        )
        extras = [f"via {_short(m.channel)}" if m.channel else ""]
        extras += ["direct" if m.direct else "indirect" if m.direct is False else ""]
        extras += [f"initiated by {_short(m.initiator)}" if m.initiator else ""]
        extras += [f"time {m.time}" if m.time else ""]
        detail = ", ".join(x for x in extras if x)
        lines.append(f"  {m.kind}: {who}{f' ({detail})' if detail else ''}: {m.summary}")
    lines.append("contradictions with stored claims:")
    for x in report.contradictions:
        lines.append(f"  {x.point_label}: {_short(x.first)} / {_short(x.second)}: {x.reason}")
    warnings = sum(1 for f in report.validation.results if f.severity != "Violation")
    verdict = "conforms" if report.validation.conforms else "does not conform"
    lines.append(f"validation: {verdict} ({warnings} warning(s) or note(s))")
    return "\n".join(lines)
