"""The ontology and the reference individuals, read from Turtle.

The ontology files (``ontology/*.ttl``) go to the ontology graph; the reference individuals
(``ontology/individuals/*.ttl`` plus any ``<corpus>/reference/*.ttl`` a corpus brings) go to the
reference graph. The ids an annotation may use (actor, channel and topic slugs) are read from
there, so the annotations can only point at things the reference data defines.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg.errors import CorpusRejected, Problem
from kg.namespaces import GRAPH_ONTOLOGY, GRAPH_REFERENCE, ID, RDF

RDF_TYPE = RDF + "type"


@dataclass
class Reference:
    """Parsed ontology and reference quads, and the ids they define."""

    quads: list[ox.Quad] = field(default_factory=list)
    actors: set[str] = field(default_factory=set)
    channels: set[str] = field(default_factory=set)
    topics: set[str] = field(default_factory=set)
    files: list[Path] = field(default_factory=list)

    def knows(self, kind: str, slug: str) -> bool:
        return slug in {"actor": self.actors, "channel": self.channels, "topic": self.topics}[kind]


def ontology_files(ontology_dir: Path) -> list[Path]:
    """The vocabulary files, in a stable order."""
    return sorted(p for p in ontology_dir.glob("*.ttl") if p.is_file())


def individual_files(ontology_dir: Path, corpus_dir: Path | None = None) -> list[Path]:
    """The reference-individual files: the project's own, then the corpus's extra ones."""
    files = sorted((ontology_dir / "individuals").glob("*.ttl"))
    if corpus_dir is not None:
        files += sorted((corpus_dir / "reference").glob("*.ttl"))
    return files


def _parse(path: Path, graph: ox.NamedNode) -> Iterable[ox.Quad]:
    try:
        for t in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
            yield ox.Quad(t.subject, t.predicate, t.object, graph)
    except SyntaxError as e:
        raise CorpusRejected([Problem(str(path), "", f"Turtle does not parse: {e}")]) from e


def load_reference(ontology_dir: Path, corpus_dir: Path | None = None) -> Reference:
    """Parse the ontology and reference individuals and index the ids they define."""
    ref = Reference()
    onto = ontology_files(ontology_dir)
    if not onto:
        raise CorpusRejected([Problem(str(ontology_dir), "", "no ontology *.ttl files found")])
    for path in onto:
        ref.quads.extend(_parse(path, GRAPH_ONTOLOGY))
        ref.files.append(path)
    for path in individual_files(ontology_dir, corpus_dir):
        ref.quads.extend(_parse(path, GRAPH_REFERENCE))
        ref.files.append(path)
    buckets = {"actor/": ref.actors, "channel/": ref.channels, "topic/": ref.topics}
    for q in ref.quads:
        if q.predicate.value != RDF_TYPE or not isinstance(q.subject, ox.NamedNode):
            continue
        iri = q.subject.value
        if not iri.startswith(ID):
            continue
        local = iri[len(ID) :]
        for prefix, bucket in buckets.items():
            if local.startswith(prefix) and "/" not in local[len(prefix) :]:
                bucket.add(local[len(prefix) :])
    return ref
