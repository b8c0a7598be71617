"""JSON-LD for the lookup answers: the same JSON plus one ``@context`` that makes it RDF.

The context maps each key of ``kg.lookup.models`` to the ontology term the value came from
(``stance`` → ``bc:stance``, ``claimant`` → ``bc:claimant``, ``title`` → ``schema:headline``,
``offices`` → the reverse of ``bc:holder``), ``iri`` to ``@id`` and ``kind`` to ``@type``, and
each vocabulary word to its IRI (``denies`` → ``bc:Denies``, ``Person`` → ``bc:Person``, ``B`` →
``bc:ReliabilityB``). Read as RDF, a card gives back triples of the store (a test checks it for a
claim card), with three kinds of exceptions: the short ``id`` (``dcterms:identifier``), the
actors a document mentions (``schema:mentions``), and ``names`` as ``rdfs:label`` (which SKOS
labels entail). Nodes the JSON gives no IRI (dates, time spans) become blank nodes. The evidence
node carries its selectors' values (``quote`` as ``oa:exact``, ``start``/``end`` as character
offsets) directly, a flattening of the Web Annotation selectors. What is computed rather than
stored (counts, the text around a quote, how a search matched, the quote repeated on a claim)
maps to ``null``, which JSON-LD processors ignore. Lists are Hydra collections (``hydra:member``,
``hydra:totalItems``, ``hydra:next``). Keys whose meaning depends on where they sit are scoped:
``start``/``end`` are offsets inside ``evidence`` and date nodes (``bc:start``) inside ``time``.
Contradictions listed on a claim are ``@included`` nodes, each pointing at its two claims with
``bc:firstClaim``/``bc:secondClaim``.
"""

from __future__ import annotations

from typing import Any, Final

from pydantic import BaseModel

from kg.lookup.vocab import (
    ACTOR_CLASSES,
    ATTRIBUTIONS,
    CHANNEL_TYPES,
    DATE_STATUSES,
    PROPOSITION_CLASSES,
    RELIABILITY,
    STANCES,
    local_name,
)
from kg.namespaces import BC, DCTERMS, OA, RDFS, SCHEMA, SKOS, XSD

MEDIA_TYPE: Final = "application/ld+json"
HYDRA: Final = "http://www.w3.org/ns/hydra/core#"

_ID: Final = {"@type": "@id"}
_VOCAB: Final = {"@type": "@vocab"}
_DATE: Final = {"@type": XSD + "date"}

_KEYS: Final[dict[str, Any]] = {
    # identity
    "iri": "@id",
    "kind": "@type",
    "id": DCTERMS + "identifier",
    "label": SKOS + "prefLabel",
    "names": RDFS + "label",
    "definition": SKOS + "definition",
    # claims
    "claimant": BC + "claimant",
    "stance": {"@id": BC + "stance", **_VOCAB},
    "attribution": {"@id": BC + "attribution", **_VOCAB},
    "stated_at": BC + "statedAt",
    "source": BC + "sourceDocument",
    "proposition": BC + "proposition",
    "note": RDFS + "comment",
    "evidence": {
        "@id": BC + "evidence",
        "@context": {
            "quote": OA + "exact",
            "start": {"@id": OA + "start", "@type": XSD + "integer"},
            "end": {"@id": OA + "end", "@type": XSD + "integer"},
        },
    },
    "prefix": OA + "prefix",
    "suffix": OA + "suffix",
    "contradictions": "@included",
    "first": {"@id": BC + "firstClaim"},
    "second": {"@id": BC + "secondClaim"},
    "point": BC + "point",
    "reason": BC + "reason",
    # what is claimed
    "summary": BC + "summary",
    "sender": BC + "sender",
    "recipient": BC + "recipient",
    "parties": BC + "party",
    "initiator": BC + "initiator",
    "concerns": BC + "concerns",
    "channel": BC + "viaChannel",
    "direct": BC + "isDirect",
    "topics": BC + "topic",
    "time": {
        "@id": BC + "timeSpan",
        "@context": {"start": BC + "start", "end": BC + "end"},
    },
    "type": {"@id": BC + "channelType", **_VOCAB},
    "intermediary": BC + "intermediary",
    # dates
    "date": {"@id": BC + "date", **_DATE},
    "status": {"@id": BC + "dateStatus", **_VOCAB},
    "not_before": {"@id": BC + "notBefore", **_DATE},
    "not_after": {"@id": BC + "notAfter", **_DATE},
    "expression": BC + "expression",
    "date_evidence": BC + "dateEvidence",
    # documents and actors
    "title": SCHEMA + "headline",
    "outlet": BC + "outlet",
    "author": BC + "author",
    "cites": BC + "cites",
    "published": BC + "publicationDate",
    "language": SCHEMA + "inLanguage",
    "machine_generated": BC + "machineGenerated",
    "reliability": {"@id": BC + "reliability", **_VOCAB},
    "url": {"@id": SCHEMA + "url", **_ID},
    "source_file": BC + "sourceFile",
    "reprint_of": {"@id": BC + "reprintOf", **_ID},
    "claims": {"@reverse": BC + "sourceDocument"},
    "actors": SCHEMA + "mentions",
    "documents": {"@reverse": SCHEMA + "mentions"},
    "affiliations": BC + "affiliation",
    "offices": {"@reverse": BC + "holder"},
    "office": BC + "office",
    "start_date": {"@id": BC + "startDate", **_DATE},
    "end_date": {"@id": BC + "endDate", **_DATE},
    "acting": BC + "acting",
    # collections
    "items": HYDRA + "member",
    "total": HYDRA + "totalItems",
    "next": {"@id": HYDRA + "next", **_ID},
    "prev": {"@id": HYDRA + "previous", **_ID},
}
# Computed, not stored: nothing in the graph to map them to.
_DERIVED: Final = (
    "when",
    "quote",
    "confidence",
    "context_before",
    "context_after",
    "claim_count",
    "claims_by_stance",
    "claims_made",
    "claims_about",
    "contradicted_claims",
    "document_count",
    "roles",
    "question",
    "match",
    "pairs",
    "limit",
    "offset",
)
_WORDS: Final[dict[str, str]] = {
    **STANCES,
    **ATTRIBUTIONS,
    **DATE_STATUSES,
    **RELIABILITY,
    **{local_name(iri): iri for iri in (*ACTOR_CLASSES, *PROPOSITION_CLASSES, *CHANNEL_TYPES)},
}

CONTEXT: Final[dict[str, Any]] = {
    "@version": 1.1,
    "bc": BC,
    "schema": SCHEMA,
    "hydra": HYDRA,
    **_WORDS,
    **_KEYS,
    **dict.fromkeys(_DERIVED),
}


def document(model: BaseModel) -> dict[str, Any]:
    """The model as JSON-LD: its JSON form with the context in front."""
    return {"@context": CONTEXT, **model.model_dump(mode="json", by_alias=True)}
