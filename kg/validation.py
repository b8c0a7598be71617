"""SHACL validation: pySHACL as the reference, compiled SPARQL inside the store as the fast path.

pySHACL on 100k claims (a million triples) needs the whole store loaded into rdflib first (about
35 s) and then about 20 s to validate; the same constraints compiled to SPARQL
(:mod:`kg.shacl_sparql`) run in pyoxigraph in a second or two, and per document in milliseconds,
since every compiled query can be restricted to the focus nodes one named graph introduces. The
two engines must report the same results, compared on (focus node, path, source shape,
constraint component); the tests hold them to it on every shape case, so the fast path can be
trusted wherever the reference would be too slow.
"""

from __future__ import annotations

import itertools
import os
import re
import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.exceptions import ParserError
from rdflib.namespace import RDF
from rdflib.plugins.parsers.notation3 import BadSyntax
from rdflib.term import Node

from kg.errors import InvalidParameter
from kg.shacl_sparql import (
    SH,
    VIOLATION,
    CompiledConstraint,
    Compiler,
    UnsupportedShape,
    node_id,
    nt_escape,
    render_path,
    sh,
    shapes_hash,
)
from kg.store import GraphStore, Term

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"

__all__ = [
    "CompiledConstraint",
    "UnsupportedShape",
    "Violation",
    "compile_shapes",
    "load_shapes",
    "validate_store",
    "validate_with_pyshacl",
]


@dataclass(frozen=True, order=True)
class Violation:
    """One validation result, engine-neutral, so the two engines' results can be compared."""

    focus: str
    path: str | None
    value: str | None
    source_shape: str
    component: str
    severity: str
    message: str

    def key(self) -> tuple[str, str | None, str, str]:
        """What must agree between engines: focus node, path, source shape and component.

        The value is left out: a component such as ``sh:minCount`` has none, and the two stores
        spell some literals differently (Oxigraph keeps ``"+5"^^xsd:integer`` as ``"5"``).
        """
        return (self.focus, self.path, self.source_shape, self.component)


# --- shapes ----------------------------------------------------------------------------------


def load_shapes(paths: Sequence[Path]) -> Graph:
    """Parse the shapes files into one graph; a syntax error names the file and the line.

    A shapes file is edited by hand, so the message points where to look:
    ``shapes/x.ttl, line 12: ']' expected``.
    """
    g = Graph()
    for path in paths:
        try:
            g.parse(path, format="turtle")
        except BadSyntax as e:
            why = getattr(e, "_why", str(e))
            raise InvalidParameter(f"{path}, line {e.lines + 1}: {why}") from e
        except (ParserError, SyntaxError, ValueError) as e:
            line = getattr(e, "lineno", None)
            where = f"{path}, line {line}" if line else str(path)
            raise InvalidParameter(f"{where}: {e}") from e
        except OSError as e:
            raise InvalidParameter(f"{path}: cannot read the shapes file: {e}") from e
    return g


_CACHE: dict[str, list[CompiledConstraint]] = {}
_CACHE_LOCK = threading.Lock()


def compile_shapes(shapes: Graph) -> list[CompiledConstraint]:
    """Compile every constraint of the shapes graph to SPARQL (cached per shapes-graph hash).

    Raises :class:`~kg.shacl_sparql.UnsupportedShape` (an ``InvalidParameter``) naming the
    shape and the feature for anything the compiler cannot translate: a constraint skipped in
    silence would let bad data through.
    """
    digest = shapes_hash(shapes)
    with _CACHE_LOCK:
        cached = _CACHE.get(digest)
    if cached is None:
        cached = Compiler(shapes).compile()
        with _CACHE_LOCK:
            if len(_CACHE) > 16:
                _CACHE.clear()
            _CACHE[digest] = cached
    return list(cached)


# --- the fast path ---------------------------------------------------------------------------


def validate_store(
    store: GraphStore, compiled: list[CompiledConstraint], *, graph: str | None = None
) -> list[Violation]:
    """Run the compiled constraints in the store, over the union of all graphs.

    With ``graph``, only focus nodes whose targeting triple (their ``rdf:type``, or the triple
    of ``sh:targetSubjectsOf``/``sh:targetObjectsOf``) is in that named graph are validated,
    which is what checking one ingested document needs; their values are still looked up in
    the whole store, as the full validation does. An ``sh:targetNode`` node counts as belonging
    to a graph holding a triple with it as subject.
    """
    bindings: Mapping[str, Term] | None = {"g": ox.NamedNode(graph)} if graph is not None else None
    closures: dict[str, str] = {}
    queries = [
        _expand_class_closures(store, c.sparql_all if graph is None and c.sparql_all else c.sparql, closures)
        for c in compiled
    ]

    def run(i: int) -> list[Violation]:
        return [_violation_from_row(compiled[i], row) for row in store.select(queries[i], bindings)]

    found: set[Violation] = set()
    if graph is None and len(queries) > 1:
        # The whole store: hundreds of scans of seconds each at scale, and the engine evaluates
        # them without the GIL, so they share the cores.
        with ThreadPoolExecutor(max_workers=_VALIDATION_THREADS) as pool:
            for part in pool.map(run, range(len(queries))):
                found.update(part)
    else:
        for i in range(len(queries)):
            found.update(run(i))
    return sorted(found, key=_order)


_VALIDATION_THREADS = max(1, min(4, os.cpu_count() or 1))


_CLOSURE_SCOPED = re.compile(r"(\?__kg_t\d+) rdfs:subClassOf\* (<[^>]+>) \.")
_CLOSURE_ALL = re.compile(r"\?this a/rdfs:subClassOf\* (<[^>]+>) \.")
_CLOSURE_VALUE = re.compile(r"(\?\w+) rdf:type/rdfs:subClassOf\* (<[^>]+>)")


def _subclasses(store: GraphStore, cls: str, cache: dict[str, str]) -> str:
    """A target class and its subclasses, read from the store's ontology, as SPARQL terms."""
    if cls not in cache:
        rows = store.select(f"SELECT DISTINCT ?sub WHERE {{ ?sub rdfs:subClassOf* {cls} }}")
        terms = {cls} | {str(r["sub"]) for r in rows if isinstance(r["sub"], ox.NamedNode)}
        cache[cls] = " ".join(sorted(terms))
    return cache[cls]


def _expand_class_closures(store: GraphStore, query: str, cache: dict[str, str]) -> str:
    """Replace ``?t rdfs:subClassOf* <C>`` by ``VALUES ?t { <C> <Sub> … }`` before running.

    The same set of classes, but Oxigraph plans the path badly: it walks every instance of
    every class before it applies the graph a document is in, so checking one document of a
    100k-claim store took 8 s in one constraint; with the classes listed it takes 2 ms. The
    ``sh:class`` test on each value (``?v rdf:type/rdfs:subClassOf* <C>`` in a ``NOT EXISTS``)
    is listed the same way: evaluated as a path it walked the class tree once per value, four
    times the cost of the whole constraint otherwise.
    """
    query = _CLOSURE_SCOPED.sub(
        lambda m: f"VALUES {m.group(1)} {{ {_subclasses(store, m.group(2), cache)} }}", query
    )
    query = _CLOSURE_ALL.sub(
        lambda m: f"VALUES ?__kg_cls {{ {_subclasses(store, m.group(1), cache)} }} ?this a ?__kg_cls .", query
    )
    fresh = itertools.count()

    def value_classes(m: re.Match[str]) -> str:
        var = f"?__kg_vcls{next(fresh)}"
        return f"VALUES {var} {{ {_subclasses(store, m.group(2), cache)} }} {m.group(1)} rdf:type {var}"

    return _CLOSURE_VALUE.sub(value_classes, query)


def _order(v: Violation) -> tuple[str, ...]:
    """Sort order that tolerates the missing path or value of some results."""
    return (v.focus, v.path or "", v.source_shape, v.component, v.value or "", v.severity, v.message)


def _violation_from_row(c: CompiledConstraint, row: Mapping[str, Term]) -> Violation:
    path = c.path
    if c.path_from_results and "path" in row:
        path = _ox_id(row["path"])
    value = row.get("value")
    texts = {name: _ox_text(term) for name, term in row.items()}
    return Violation(
        focus=_ox_id(row["this"]),
        path=path,
        value=_ox_nt(value) if value is not None else None,
        source_shape=c.shape,
        component=c.component,
        severity=c.severity,
        message=_message(c.message_template, texts, c.component, path),
    )


def _ox_id(term: Term) -> str:
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return term.value


def _ox_text(term: Term) -> str:
    return term.value


def _ox_nt(term: Term) -> str:
    if isinstance(term, ox.Literal):
        return _literal_nt(term.value, term.datatype.value, term.language)
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return f"<{term.value}>"


def _literal_nt(lexical: str, datatype: str | None, language: str | None) -> str:
    body = f'"{nt_escape(lexical)}"'
    if language:
        return f"{body}@{language}"
    if datatype and datatype != XSD_STRING:
        return f"{body}^^<{datatype}>"
    return body


_PLACEHOLDER = re.compile(r"\{[?$]([A-Za-z_][A-Za-z0-9_]*)\}")


def _message(template: str, values: Mapping[str, str], component: str, path: str | None) -> str:
    """``sh:message`` with ``{$this}``/``{?value}``-style placeholders filled, or a default."""
    if not template:
        local = component.removeprefix(SH).removesuffix("ConstraintComponent")
        where = f" on path {path}" if path else ""
        return f"{local} constraint not satisfied{where}"
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), template)


# --- the reference ---------------------------------------------------------------------------


def validate_with_pyshacl(data: Graph, shapes: Graph, context: Graph) -> list[Violation]:
    """Validate with pySHACL, the reference implementation the fast path is checked against.

    The context (ontology and reference individuals) is merged into a copy of the data, as it
    is in the store's union graph: class targets and ``sh:class`` need its
    ``rdfs:subClassOf`` triples, and claims point at reference actors. No inference is run,
    since the store has none either.
    """
    import pyshacl  # only here: a tenth of every kg command's start-up otherwise

    merged = Graph()
    for triple in data:
        merged.add(triple)
    for triple in context:
        merged.add(triple)
    _conforms, results, _text = pyshacl.validate(
        merged, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=False
    )
    if not isinstance(results, Graph):
        raise InvalidParameter("pySHACL returned no results graph")
    top_level = (
        r
        for r in results.subjects(RDF.type, sh("ValidationResult"))
        if (None, sh("detail"), r) not in results
    )  # results nested under sh:detail explain a sh:node/sh:or result; they are not results
    found = {_violation_from_result(results, r) for r in top_level}
    return sorted(found, key=_order)


def _violation_from_result(g: Graph, r: Node) -> Violation:
    def one(p: str) -> Node | None:
        return g.value(r, sh(p))

    focus, path, value = one("focusNode"), one("resultPath"), one("value")
    shape, component, severity = one("sourceShape"), one("sourceConstraintComponent"), one("resultSeverity")
    if focus is None or shape is None or component is None:
        raise InvalidParameter(f"pySHACL result {r} lacks a focus node, source shape or component")
    path_id = None if path is None else str(path) if isinstance(path, URIRef) else render_path(g, path)
    message = one("resultMessage")
    return Violation(
        focus=node_id(focus),
        path=path_id,
        value=_rdflib_nt(value) if value is not None else None,
        source_shape=node_id(shape),
        component=str(component),
        severity=str(severity or VIOLATION),
        message=str(message) if message is not None else "",
    )


def _rdflib_nt(term: Node) -> str:
    if isinstance(term, Literal):
        dt = str(term.datatype) if term.datatype is not None else None
        return _literal_nt(str(term), dt, term.language)
    if isinstance(term, BNode):
        return f"_:{term}"
    return f"<{term}>"
