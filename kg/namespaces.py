"""Every namespace and fixed IRI of the project, defined once.

The ontology (``ontology/*.ttl``) is the source of truth for term names; this module only spells
out the IRIs the code needs, as plain strings and as pyoxigraph ``NamedNode`` constants, so the
compiler, the rules and the CLI never build IRIs by hand in two ways.
"""

from __future__ import annotations

from typing import Final

from pyoxigraph import NamedNode

BC: Final = "https://w3id.org/backchannel-kg/ontology#"
ONTOLOGY_IRI: Final = "https://w3id.org/backchannel-kg/ontology"
ID: Final = "https://w3id.org/backchannel-kg/id/"

RDF: Final = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS: Final = "http://www.w3.org/2000/01/rdf-schema#"
OWL: Final = "http://www.w3.org/2002/07/owl#"
XSD: Final = "http://www.w3.org/2001/XMLSchema#"
SKOS: Final = "http://www.w3.org/2004/02/skos/core#"
PROV: Final = "http://www.w3.org/ns/prov#"
SCHEMA: Final = "https://schema.org/"
OA: Final = "http://www.w3.org/ns/oa#"
TIME: Final = "http://www.w3.org/2006/time#"
DCTERMS: Final = "http://purl.org/dc/terms/"

PREFIXES: Final[dict[str, str]] = {
    "bc": BC,
    "id": ID,
    "rdf": RDF,
    "rdfs": RDFS,
    "owl": OWL,
    "xsd": XSD,
    "skos": SKOS,
    "prov": PROV,
    "schema": SCHEMA,
    "oa": OA,
    "time": TIME,
    "dcterms": DCTERMS,
    # short forms for reference individuals: actor:iran is <…/id/actor/iran>
    "actor": ID + "actor/",
    "channel": ID + "channel/",
    "topic": ID + "topic/",
}

# Named graphs the build owns. Each document's graph is ``graph/doc/<hash>``.
GRAPH_ONTOLOGY: Final = NamedNode(ID + "graph/ontology")
GRAPH_REFERENCE: Final = NamedNode(ID + "graph/reference")
GRAPH_CONTRADICTIONS: Final = NamedNode(ID + "graph/contradictions")
GRAPH_INFERRED: Final = NamedNode(ID + "graph/inferred")
GRAPH_RETRACTIONS: Final = NamedNode(ID + "graph/retractions")
DOC_GRAPH_PREFIX: Final = ID + "graph/doc/"


def bc(local: str) -> NamedNode:
    """A term of the project vocabulary."""
    return NamedNode(BC + local)


def ns(base: str, local: str) -> NamedNode:
    """A term of another vocabulary, e.g. ``ns(SKOS, "prefLabel")``."""
    return NamedNode(base + local)


def actor_iri(slug: str) -> str:
    """The canonical IRI of a reference actor."""
    return f"{ID}actor/{slug}"


def channel_iri(slug: str) -> str:
    return f"{ID}channel/{slug}"


def topic_iri(slug: str) -> str:
    return f"{ID}topic/{slug}"


def sparql_prefixes() -> str:
    """The PREFIX block every project query may rely on."""
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())
