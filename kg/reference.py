"""The ontology and the reference individuals, read from Turtle.

The ontology files (``ontology/*.ttl``) go to the ontology graph; the reference individuals
(``ontology/individuals/*.ttl`` plus any ``<corpus>/reference/*.ttl`` a corpus brings) go to the
reference graph. The ids an annotation may use (actor, channel and topic slugs) are read from
there, so the annotations can only point at things the reference data defines.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg.errors import CorpusRejected, Problem
from kg.namespaces import BC, GRAPH_ONTOLOGY, GRAPH_REFERENCE, ID, RDF

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
    """Parse one Turtle file, giving its blank nodes stable ids.

    The parser names blank nodes at random; OWL needs them (lists, restrictions, disjointness
    axioms), and a rebuild must give the same quads, so each blank node is renamed after the
    file's content hash and its order of appearance.
    """
    raw = path.read_bytes()
    salt = hashlib.sha256(raw).hexdigest()[:12]
    names: dict[str, ox.BlankNode] = {}

    def stable(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> ox.NamedNode | ox.BlankNode | ox.Literal:
        if isinstance(term, ox.BlankNode):
            if term.value not in names:
                names[term.value] = ox.BlankNode(f"b{salt}n{len(names)}")
            return names[term.value]
        return term

    try:
        for t in ox.parse(raw, format=ox.RdfFormat.TURTLE, base_iri=path.resolve().as_uri()):
            yield ox.Quad(stable(t.subject), t.predicate, stable(t.object), graph)  # type: ignore[arg-type]
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
    typed: dict[str, set[str]] = {}
    for q in ref.quads:
        is_type = q.predicate.value == RDF_TYPE
        if is_type and isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.NamedNode):
            typed.setdefault(q.subject.value, set()).add(q.object.value)
    for iri, types in typed.items():
        if not iri.startswith(ID):
            continue
        local = iri[len(ID) :]
        head, _, slug = local.partition("/")
        if not slug or "/" in slug:
            continue
        if head == "actor":
            ref.actors.add(slug)
        elif head == "channel" and BC + "Channel" in types:
            ref.channels.add(slug)
        elif head == "topic" and BC + "Topic" in types:
            ref.topics.add(slug)
    return ref
