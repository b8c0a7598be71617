"""The shapes of what the lookups return, also the REST API's response models.

One key means one thing everywhere (``stated_at`` is always a claim's statement date, ``source``
always the document a claim comes from), so the single JSON-LD context in ``kg.lookup.jsonld``
maps every answer onto the ontology. Vocabulary values are the corpus slugs (``denies``,
``indirect-speech``) or, for ``kind``, the class name (``Person``, ``MessageExchange``).
"""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel, Field

T = TypeVar("T")


class DateOut(BaseModel):
    """A date as the text gives it (stated) or as worked out from clues (inferred, with bounds)."""

    date: str | None = Field(default=None, description="the day, when known (YYYY-MM-DD)")
    status: str | None = Field(default=None, description="`stated` or `inferred`")
    not_before: str | None = None
    not_after: str | None = None
    expression: str | None = Field(default=None, description="the words of the text, e.g. 'on Saturday'")
    date_evidence: list[str] = Field(
        default_factory=list,
        description="why an inferred date is what it is (on cards; lists leave it empty)",
    )


class ActorRef(BaseModel):
    id: str = Field(description="short id: the IRI relative to https://w3id.org/backchannel-kg/id/actor/")
    iri: str
    label: str
    kind: str | None = Field(
        default=None, description="the actor's class: State, Person, Outlet, UnnamedSource …"
    )


class OutletRef(ActorRef):
    reliability: str | None = Field(
        default=None, description="the outlet's source reliability, A (best) to F"
    )


class DocumentRef(BaseModel):
    id: str = Field(description="short id: the IRI relative to https://w3id.org/backchannel-kg/id/doc/")
    iri: str
    title: str | None = None
    outlet: OutletRef | None = None
    published: DateOut | None = None


class PropositionBrief(BaseModel):
    """What a claim says, in short."""

    iri: str
    kind: str | None = Field(
        default=None, description="Message, Request, Warning, MessageExchange, Talks … or PositionStatement"
    )
    summary: str | None = None


class ClaimSummary(BaseModel):
    id: str = Field(description="short id <document key>/<annotation id>, as in /claims/{id}")
    iri: str
    claimant: ActorRef
    stance: str = Field(description="`affirms` or `denies`")
    attribution: str | None = Field(
        default=None,
        description="direct-quote, partial-quote, indirect-speech, anonymous-source or outlet-framing",
    )
    stated_at: DateOut | None = Field(default=None, description="when the claim was made")
    when: str | None = Field(
        default=None,
        description="the date claims are ordered and filtered by: the statement date, else the latest it "
        "can have been made, else the earliest",
    )
    quote: str | None = Field(default=None, description="the exact words of the evidence")
    source: DocumentRef
    proposition: PropositionBrief


class Page(BaseModel, Generic[T]):
    """One window on a sorted list, with the links to the neighbouring windows."""

    total: int = Field(description="how many items match, over all pages")
    limit: int
    offset: int
    next: str | None = Field(default=None, description="URL of the next page, if any")
    prev: str | None = Field(default=None, description="URL of the previous page, if any")
    items: list[T]


# --- actors ----------------------------------------------------------------------------------


class MatchOut(BaseModel):
    how: str = Field(description="exact, office, prefix, word, contains or similar (best first)")
    name: str = Field(description="the name or office title that matched")
    start_date: str | None = Field(default=None, description="for an office match: when the term began")
    end_date: str | None = Field(default=None, description="for an office match: when the term ended")


class ActorSummary(ActorRef):
    names: list[str] = Field(description="every label: the preferred one first, then all other spellings")
    claim_count: int = Field(description="claims the actor makes")
    match: MatchOut | None = Field(default=None, description="how the search text matched (searches only)")


class OfficeRef(BaseModel):
    iri: str
    label: str


class OfficeTermOut(BaseModel):
    iri: str
    office: OfficeRef
    start_date: str | None = None
    end_date: str | None = None
    acting: bool | None = None


class DocumentMention(DocumentRef):
    claims_made: int = Field(description="claims in this document made by the actor")
    claims_about: int = Field(description="claims in this document whose proposition involves the actor")


class ActorCard(ActorRef):
    names: list[str]
    definition: str | None = None
    affiliations: list[ActorRef] = Field(default_factory=list)
    offices: list[OfficeTermOut] = Field(default_factory=list, description="terms in office, by start date")
    claim_count: int
    claims_by_stance: dict[str, int] = Field(description="claims made, per stance")
    document_count: int = Field(
        description="documents with a claim the actor makes or that involves it (sender, party …)"
    )
    documents: list[DocumentMention] = Field(
        description="those documents, most mentions first, at most 50 (document_count has them all)"
    )


# --- claims ----------------------------------------------------------------------------------


class ChannelRef(BaseModel):
    id: str
    iri: str
    label: str | None = None
    type: str | None = Field(default=None, description="channel type: DirectChannel, MediatorChannel …")
    direct: bool | None = None
    intermediary: ActorRef | None = None


class TopicRef(BaseModel):
    id: str
    iri: str
    label: str | None = None


class TimeSpanOut(BaseModel):
    expression: str | None = None
    start: DateOut | None = None
    end: DateOut | None = None


class PropositionOut(PropositionBrief):
    sender: ActorRef | None = None
    recipient: ActorRef | None = None
    parties: list[ActorRef] = Field(default_factory=list)
    initiator: ActorRef | None = None
    concerns: list[ActorRef] = Field(default_factory=list, description="what a position statement is about")
    channel: ChannelRef | None = None
    direct: bool | None = None
    topics: list[TopicRef] = Field(default_factory=list)
    time: TimeSpanOut | None = None


class EvidenceOut(BaseModel):
    iri: str
    quote: str
    start: int = Field(description="offset of the quote's first character in the document text")
    end: int = Field(description="offset just after the quote's last character")
    prefix: str | None = Field(default=None, description="the stored text selector's prefix")
    suffix: str | None = None
    context_before: str = Field(description="the document text before the quote (up to `context` chars)")
    context_after: str = Field(description="the document text after the quote")


class DocumentOut(DocumentRef):
    author: ActorRef | None = None
    language: str | None = None
    machine_generated: bool = False
    reliability: str | None = Field(
        default=None, description="the document's source reliability, A (best) to F"
    )
    url: str | None = None
    source_file: str | None = None
    reprint_of: str | None = Field(default=None, description="IRI of the document this one reprints")
    claim_count: int


class PointOut(BaseModel):
    id: str = Field(description="occurrence, directness or initiator")
    iri: str
    question: str = Field(description="what the claims disagree on, e.g. 'whether it took place'")


class ContradictionOut(BaseModel):
    iri: str
    point: PointOut
    reason: str | None = None
    first: ClaimSummary
    second: ClaimSummary


class ClaimCard(ClaimSummary):
    confidence: int | None = Field(default=None, description="confidence in this claim, 1 (confirmed) to 6")
    note: str | None = Field(default=None, description="the annotator's comment")
    proposition: PropositionOut
    evidence: EvidenceOut
    source: DocumentOut
    contradictions: list[ContradictionOut] = Field(description="every contradiction this claim is part of")


# --- documents ---------------------------------------------------------------------------------


class ActorMention(ActorRef):
    roles: dict[str, int] = Field(description="claims of the document in which the actor has each role")


class DocumentCard(DocumentOut):
    cites: list[ActorRef] = Field(default_factory=list, description="sources the document cites by name")
    claims_by_stance: dict[str, int]
    contradicted_claims: int = Field(description="claims of this document that some claim contradicts")
    claims: list[ClaimSummary]
    actors: list[ActorMention]


# --- channels ----------------------------------------------------------------------------------


class ChannelPair(BaseModel):
    from_: ActorRef = Field(
        serialization_alias="from", description="sender, or the first party of a mutual exchange"
    )
    to: ActorRef
    mutual: bool = Field(description="talks or an exchange between parties, not one-way messages")
    claim_count: int
    claims_by_stance: dict[str, int]


class ChannelOut(ChannelRef):
    claim_count: int = Field(description="claims whose proposition goes through this channel")
    claims_by_stance: dict[str, int]
    pairs: list[ChannelPair] = Field(description="the actors the channel is claimed to link")
