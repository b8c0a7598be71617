"""What ``kg validate`` runs: the store or an RDF file, through the fast engine or pySHACL.

A file is validated together with the ontology and the reference data, exactly as a document is
at the gate. The fast engine runs the shapes as SPARQL inside Oxigraph; pySHACL is the
reference implementation, slower, kept for cross-checking.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from kg import gate
from kg.config import Settings
from kg.errors import InvalidParameter
from kg.namespaces import GRAPH_INFERRED, GRAPH_ONTOLOGY, GRAPH_REFERENCE
from kg.reference import load_reference
from kg.store import GraphStore
from kg.validation import Violation, load_shapes, validate_with_pyshacl

FILE_FORMATS: dict[str, ox.RdfFormat] = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".trig": ox.RdfFormat.TRIG,
    ".nq": ox.RdfFormat.N_QUADS,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".n3": ox.RdfFormat.N3,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
    ".xml": ox.RdfFormat.RDF_XML,
}
FILE_GRAPH = ox.NamedNode("https://w3id.org/backchannel-kg/id/graph/doc/validated-file")


def load_file(path: Path, settings: Settings) -> GraphStore:
    """An in-memory store with the file's data beside the ontology and reference data."""
    if not path.is_file():
        raise InvalidParameter(f"no such file: {path}")
    fmt = FILE_FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InvalidParameter(
            f"{path}: unknown RDF format {path.suffix or '(no extension)'!r}; "
            f"use one of {', '.join(sorted(FILE_FORMATS))}"
        )
    store = GraphStore.open(None)
    ref = load_reference(settings.ontology_dir, settings.corpus_dir)
    store.add(ref.quads)
    try:
        quads = [
            q if q.graph_name != ox.DefaultGraph() else ox.Quad(q.subject, q.predicate, q.object, FILE_GRAPH)
            for q in ox.parse(path=str(path), format=fmt, base_iri=path.resolve().as_uri())
        ]
    except SyntaxError as e:
        raise InvalidParameter(f"{path}: does not parse as {fmt.name}: {e}") from e
    store.add(quads)
    return store


def run(
    settings: Settings, file: Path | None = None, engine: str = "fast"
) -> tuple[list[gate.Finding], GraphStore]:
    """Validate; return every finding (violations, warnings) and the store it refers to."""
    if engine not in ("fast", "pyshacl"):
        raise InvalidParameter(f"unknown engine {engine!r}; use 'fast' or 'pyshacl'")
    if file is not None:
        store = load_file(file, settings)
    else:
        path = settings.store_path
        if path is not None and not path.exists():
            raise InvalidParameter(f"no store at {path}; run 'kg build' first")
        store = GraphStore.open(path)
    if engine == "fast":
        blocking, other = gate.check_store(store, settings.shapes_dir)
        return blocking + other, store
    shapes = load_shapes(gate.shape_files(settings.shapes_dir))
    context = {GRAPH_ONTOLOGY, GRAPH_REFERENCE}
    data = store.to_rdflib({*context, GRAPH_INFERRED}, exclude=True)
    violations: list[Violation] = validate_with_pyshacl(data, shapes, store.to_rdflib(context))
    return gate.explain(store, sorted(violations)), store
