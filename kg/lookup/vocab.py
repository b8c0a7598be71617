"""The short words the REST answers use for ontology terms, and back.

Clients filter and read stance and attribution with the slugs the curated corpus uses
(``denies``, ``indirect-speech``), so a value learnt from an annotation file works as a filter;
those IRIs come from the compiler's own tables (``kg.rdfize``), never retyped. Kinds of actors
and of propositions are reported by class name (``Person``, ``MessageExchange``), as the ontology
spells them. The JSON-LD context (``kg.lookup.jsonld``) maps every such word back to its IRI.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

import pyoxigraph as ox

from kg.namespaces import BC, ID
from kg.rdfize import ATTRIBUTION, STANCE

STANCES: Final[dict[str, str]] = {slug: BC + local for slug, local in STANCE.items()}
ATTRIBUTIONS: Final[dict[str, str]] = {slug: BC + local for slug, local in ATTRIBUTION.items()}
DATE_STATUSES: Final[dict[str, str]] = {"stated": BC + "Stated", "inferred": BC + "Inferred"}
POINTS: Final[dict[str, str]] = {
    "occurrence": BC + "OccurrencePoint",
    "directness": BC + "DirectnessPoint",
    "initiator": BC + "InitiatorPoint",
}
POINT_LABELS: Final[dict[str, str]] = {
    "occurrence": "whether it took place",
    "directness": "whether it was direct",
    "initiator": "who started it",
}
RELIABILITY: Final[dict[str, str]] = {g: f"{BC}Reliability{g}" for g in "ABCDEF"}
CONFIDENCE: Final[dict[int, str]] = {n: f"{BC}Credibility{n}" for n in range(1, 7)}


# Most specific first: a store with an inferred graph types an Outlet as an Organisation too, and
# a Request as a Message; the first class found in this order is the one reported.
ACTOR_CLASSES: Final[tuple[str, ...]] = tuple(
    BC + local
    for local in (
        "Outlet",
        "Person",
        "State",
        "NonStateArmedGroup",
        "DiplomaticMission",
        "UnnamedSource",
        "CollectiveActor",
        "Organisation",
    )
)
PROPOSITION_CLASSES: Final[tuple[str, ...]] = tuple(
    BC + local
    for local in (
        "Request",
        "Warning",
        "Message",
        "MessageExchange",
        "Negotiation",
        "Talks",
        "Communication",
        "PositionStatement",
    )
)
CHANNEL_TYPES: Final[tuple[str, ...]] = tuple(
    BC + local
    for local in ("DirectChannel", "ProtectingPowerChannel", "MediatorChannel", "UnspecifiedIndirectChannel")
)

ACTOR_BASE: Final = ID + "actor/"
CLAIM_BASE: Final = ID + "claim/"
DOC_BASE: Final = ID + "doc/"
CHANNEL_BASE: Final = ID + "channel/"
CONTRADICTION_BASE: Final = ID + "contradiction/"
TOPIC_BASE: Final = ID + "topic/"

_INVERSE: Final[dict[str, str]] = {
    iri: slug for table in (STANCES, ATTRIBUTIONS, DATE_STATUSES, POINTS) for slug, iri in table.items()
}


def slug_of(iri: str) -> str:
    """The slug of a known vocabulary IRI, else the IRI's local name (never empty)."""
    if iri in _INVERSE:
        return _INVERSE[iri]
    return local_name(iri) or iri


def grade_of(iri: str) -> str:
    """``bc:ReliabilityB`` -> ``B``."""
    return iri.removeprefix(BC + "Reliability")


def confidence_of(iri: str) -> int | None:
    digits = iri.removeprefix(BC + "Credibility")
    return int(digits) if digits.isdigit() else None


def short_id(iri: str, base: str) -> str:
    """The id a URL uses: the IRI relative to its collection, or the whole IRI when foreign."""
    return iri[len(base) :] if iri.startswith(base) else iri


def most_specific(types: Iterable[str], classes: tuple[str, ...]) -> str | None:
    """The most specific of ``types`` among ``classes``, as its class name (``Person``)."""
    present = set(types)
    return next((local_name(iri) for iri in classes if iri in present), None)


def local_name(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def node(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)
