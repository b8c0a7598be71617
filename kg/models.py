"""The reviewable input records: document metadata and curated claim annotations.

These mirror ``corpus/README.md`` field for field. They are strict (unknown keys are errors) so a
typo in a hand-edited YAML file is reported instead of silently dropped. Cross-record checks that
need the text or the reference data (offsets, actor ids) live in ``kg.corpus``.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")

Stance = Literal["affirms", "denies"]
Attribution = Literal[
    "direct-quote", "partial-quote", "indirect-speech", "anonymous-source", "outlet-framing"
]
Kind = Literal[
    "communication",
    "message",
    "request",
    "warning",
    "message-exchange",
    "talks",
    "negotiation",
    "position",
]
DIRECTIONAL_KINDS: frozenset[str] = frozenset({"message", "request", "warning"})
MUTUAL_KINDS: frozenset[str] = frozenset({"communication", "message-exchange", "talks", "negotiation"})
ActorKind = Literal[
    "state", "armed-group", "person", "organisation", "outlet", "mission", "collective", "unnamed-source"
]
Grade = Literal["A", "B", "C", "D", "E", "F"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_slug(value: str) -> str:
    if not SLUG.match(value):
        raise ValueError(f"{value!r} is not a lower-case id of letters, digits and hyphens")
    return value


class DateValue(Strict):
    """A date as the text gives it or as worked out from clues; inferred ones carry evidence."""

    status: Literal["stated", "inferred"]
    date: dt.date | None = None
    not_before: dt.date | None = None
    not_after: dt.date | None = None
    expression: str | None = None
    evidence: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _coherent(self) -> DateValue:
        if self.date is None and self.not_before is None and self.not_after is None:
            raise ValueError("a date value needs a date or at least one bound (not_before/not_after)")
        if self.status == "stated" and self.date is None:
            raise ValueError("a stated date needs 'date'")
        if self.status == "inferred" and not [e for e in self.evidence if e.strip()]:
            raise ValueError("an inferred date must carry its evidence")
        lo, hi = self.not_before, self.not_after
        if lo and hi and lo > hi:
            raise ValueError(f"not_before {lo} is after not_after {hi}")
        if self.date and lo and self.date < lo:
            raise ValueError(f"date {self.date} is before not_before {lo}")
        if self.date and hi and self.date > hi:
            raise ValueError(f"date {self.date} is after not_after {hi}")
        return self

    @property
    def earliest(self) -> dt.date | None:
        return self.not_before or self.date

    @property
    def latest(self) -> dt.date | None:
        return self.not_after or self.date


class TimeSpan(Strict):
    """The time a communication is said to cover; either end may be unknown."""

    start: DateValue | None = None
    end: DateValue | None = None
    expression: str | None = None

    @model_validator(mode="after")
    def _ordered(self) -> TimeSpan:
        if self.start is None and self.end is None:
            raise ValueError("a time span needs a start or an end")
        lo = self.start.earliest if self.start else None
        hi = self.end.latest if self.end else None
        if lo and hi and lo > hi:
            raise ValueError(f"the span starts ({lo}) after it ends ({hi})")
        return self


class DocumentMeta(Strict):
    """What is known of a document beyond its text."""

    title: str = Field(min_length=1)
    outlet: str | None = None
    outlet_evidence: str | None = None
    author: str | None = None
    language: str = Field(default="en", pattern=r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{1,8})*$")
    url: str | None = None
    dateline: str | None = None
    published: DateValue | None = None
    machine_generated: bool = False
    machine_generated_evidence: str | None = None
    reliability: Grade = "F"
    cites: list[str] = Field(default_factory=list)
    reprint_of: str | None = None

    @model_validator(mode="after")
    def _machine_generated_has_evidence(self) -> DocumentMeta:
        if self.machine_generated and not self.machine_generated_evidence:
            raise ValueError("machine_generated is true but machine_generated_evidence is missing")
        if self.outlet_evidence and not self.outlet:
            raise ValueError("outlet_evidence is given but outlet is not")
        return self


class LocalActor(Strict):
    """An actor known only from one document, such as an anonymous source.

    Extraction creates such actors for people and organisations the reference data does not
    know; they stay ``reviewed: false`` until a curator looks at them, and keep the words of
    the text that introduced them (``surface_form``) so the curator can judge the link.
    """

    id: str
    kind: ActorKind
    label: str = Field(min_length=1)
    affiliation: str | None = None
    reliability: Grade | None = None
    reviewed: bool = True
    surface_form: str | None = None

    @field_validator("id")
    @classmethod
    def _slug(cls, value: str) -> str:
        return _check_slug(value)


ChannelType = Literal["direct", "protecting-power", "mediator", "unspecified"]


class LocalChannel(Strict):
    """A channel known only from one document, such as a mediator the reference data lacks."""

    id: str
    type: ChannelType
    label: str = Field(min_length=1)
    intermediary: str | None = None

    @field_validator("id")
    @classmethod
    def _slug(cls, value: str) -> str:
        return _check_slug(value)


class Proposition(Strict):
    """What a claim is about. Never asserted: it is the content of claims, not a fact."""

    kind: Kind
    sender: str | None = None
    recipient: str | None = None
    parties: list[str] = Field(default_factory=list)
    subjects: list[str] = Field(default_factory=list)
    channel: str | None = None
    direct: bool | None = None
    initiator: str | None = None
    time: TimeSpan | None = None
    topics: list[str] = Field(default_factory=list)
    summary: str = Field(min_length=1)

    @model_validator(mode="after")
    def _roles_fit_kind(self) -> Proposition:
        if self.kind in DIRECTIONAL_KINDS:
            if not (self.sender and self.recipient):
                raise ValueError(f"a {self.kind} needs a sender and a recipient")
            if self.parties:
                raise ValueError(f"a {self.kind} has a sender and a recipient, not parties")
        elif self.kind in MUTUAL_KINDS:
            if len(set(self.parties)) < 2:
                raise ValueError(f"a {self.kind} needs at least two distinct parties")
            if self.sender or self.recipient:
                raise ValueError(f"a {self.kind} has parties, not a sender and a recipient")
        else:  # position
            if self.sender or self.recipient or self.parties or self.channel or self.initiator:
                raise ValueError("a position has subjects, not senders, parties, channels or initiators")
            if self.direct is not None:
                raise ValueError("a position cannot be direct or indirect")
        return self

    @property
    def actors(self) -> list[str]:
        """Every actor id the proposition refers to, for reference checks."""
        ids = [*self.parties, *self.subjects]
        ids += [a for a in (self.sender, self.recipient, self.initiator) if a]
        return ids


class ClaimAnnotation(Strict):
    """One statement attributed to a claimant, anchored to an exact span of the text."""

    id: str
    claimant: str
    stance: Stance
    attribution: Attribution
    quote: str = Field(min_length=1)
    start: int | None = Field(default=None, ge=0)
    end: int | None = Field(default=None, ge=0)
    confidence: int | None = Field(default=None, ge=1, le=6)
    stated: DateValue | None = None
    proposition: Proposition
    note: str | None = None
    method: Literal["curated", "extracted"] = "curated"

    @field_validator("id")
    @classmethod
    def _slug(cls, value: str) -> str:
        return _check_slug(value)


class AnnotationFile(Strict):
    """The curated annotations of one document."""

    document: str
    local_actors: list[LocalActor] = Field(default_factory=list)
    local_channels: list[LocalChannel] = Field(default_factory=list)
    claims: list[ClaimAnnotation] = Field(default_factory=list)
