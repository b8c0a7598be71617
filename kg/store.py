"""The embedded Oxigraph store, behind a small interface the rest of the library uses.

Queries see the union of all named graphs as their default graph (``use_default_graph_as_union``),
which is how the project's queries and rules are written; a remote engine must be configured the
same way (Oxigraph server ``--union-default-graph``, Fuseki ``tdb:unionDefaultGraph``).
Writes that replace a graph go through one SPARQL update, which Oxigraph applies as a single
transaction, so a reader sees the old graph or the new one, never half of it.
"""

from __future__ import annotations

import contextlib
import gc
import shutil
from collections.abc import Container, Iterable, Iterator, Mapping
from pathlib import Path
from typing import IO

import pyoxigraph as ox
import rdflib

from kg.errors import InvalidParameter, StoreError
from kg.namespaces import PREFIXES, sparql_prefixes

Term = ox.NamedNode | ox.BlankNode | ox.Literal

EXPORT_FORMATS: dict[str, ox.RdfFormat] = {
    "trig": ox.RdfFormat.TRIG,
    "nquads": ox.RdfFormat.N_QUADS,
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
}


class GraphStore:
    """A quad store holding one named graph per document plus the build's own graphs."""

    def __init__(self, inner: ox.Store, path: Path | None) -> None:
        self._inner = inner
        self.path = path

    @classmethod
    def open(cls, path: Path | None) -> GraphStore:
        """Open (creating if needed) the on-disk store at ``path``, or an in-memory one."""
        if path is None:
            return cls(ox.Store(), None)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            return cls(ox.Store(str(path)), path)
        except OSError as e:
            raise StoreError(f"cannot open the store at {path}: {e}") from e

    @property
    def raw(self) -> ox.Store:
        return self._inner

    def close(self) -> None:
        """Release the on-disk lock (pyoxigraph closes when the object is collected)."""
        with contextlib.suppress(OSError):
            self._inner.flush()
        self._inner = ox.Store()
        gc.collect()

    def __len__(self) -> int:
        return len(self._inner)

    # --- reading -------------------------------------------------------------------------

    def select(self, sparql: str, bindings: Mapping[str, Term] | None = None) -> list[dict[str, Term]]:
        """Run a SELECT with the project prefixes; values are bound as typed terms, never spliced.

        Oxigraph substitutes a bound variable only when the query projects it, so queries that
        take bindings name those variables in their SELECT clause.
        """
        subs: dict[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple] = {
            ox.Variable(k): v for k, v in (bindings or {}).items()
        }
        result = self._inner.query(
            sparql_prefixes() + sparql, use_default_graph_as_union=True, substitutions=subs or None
        )
        if not isinstance(result, ox.QuerySolutions):
            raise InvalidParameter("expected a SELECT query")
        names = [v.value for v in result.variables]
        rows: list[dict[str, Term]] = []
        for sol in result:
            row: dict[str, Term] = {}
            for n in names:
                value = sol[n]
                if value is not None:
                    row[n] = value
            rows.append(row)
        return rows

    def ask(self, sparql: str) -> bool:
        result = self._inner.query(sparql_prefixes() + sparql, use_default_graph_as_union=True)
        return bool(result)

    def graphs(self) -> list[str]:
        return sorted(g.value for g in self._inner.named_graphs() if isinstance(g, ox.NamedNode))

    def quads(self, graph: ox.NamedNode | None = None) -> Iterator[ox.Quad]:
        return iter(self._inner.quads_for_pattern(None, None, None, graph))

    def to_rdflib(
        self, graphs: Container[ox.NamedNode] | None = None, *, exclude: bool = False
    ) -> rdflib.Graph:
        """The union of some graphs (all, those in ``graphs``, or all but them) as one rdflib graph.

        For the tools that work on rdflib (pySHACL, the OWL reasoner); duplicates across graphs
        collapse, as in an RDF merge.
        """
        triples = dict.fromkeys(
            ox.Triple(q.subject, q.predicate, q.object)
            for q in self._inner
            if graphs is None or (q.graph_name in graphs) != exclude
        )
        graph = rdflib.Graph()
        graph.parse(data=(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"").decode(), format="nt")
        return graph

    def canonical_nquads(self) -> list[str]:
        """Every quad as a sorted N-Quads line: two stores are equal iff these are equal."""
        data = ox.serialize(list(self._inner), format=ox.RdfFormat.N_QUADS) or b""
        return sorted(line for line in data.decode().splitlines() if line)

    def dump(self, out: IO[bytes], fmt: str, graph: ox.NamedNode | None = None) -> None:
        """Write the store (or one graph) in an RDF syntax. Turtle/N-Triples merge all graphs."""
        if fmt not in EXPORT_FORMATS:
            raise InvalidParameter(f"unknown export format {fmt!r}; use one of {sorted(EXPORT_FORMATS)}")
        rdf_format = EXPORT_FORMATS[fmt]
        if fmt in ("trig", "nquads"):
            if graph is None:
                self._inner.dump(out, format=rdf_format)
            else:
                quads = self._inner.quads_for_pattern(None, None, None, graph)
                ox.serialize(quads, out, format=rdf_format)
            return
        triples = dict.fromkeys(
            ox.Triple(q.subject, q.predicate, q.object)
            for q in self._inner.quads_for_pattern(None, None, None, graph)
        )
        ox.serialize(triples, out, format=rdf_format, prefixes=dict(PREFIXES))

    # --- writing -------------------------------------------------------------------------

    def bulk_add(self, quads: Iterable[ox.Quad]) -> None:
        """Fast, non-transactional load; only for a store nobody else sees yet."""
        self._inner.bulk_extend(quads)

    def add(self, quads: Iterable[ox.Quad]) -> None:
        """Transactional insert: all the quads or none."""
        self._inner.extend(quads)

    def replace_graph(self, graph: ox.NamedNode, quads: Iterable[ox.Quad]) -> None:
        """Swap a graph's content in one transaction (drop and insert in a single update)."""
        triples = [ox.Triple(q.subject, q.predicate, q.object) for q in quads]
        body = (ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"").decode()
        update = f"DROP SILENT GRAPH <{graph.value}>"
        if body:
            update += f" ;\nINSERT DATA {{ GRAPH <{graph.value}> {{\n{body}}} }}"
        self._inner.update(update)

    def drop_graph(self, graph: ox.NamedNode) -> None:
        self._inner.update(f"DROP SILENT GRAPH <{graph.value}>")

    def update(self, sparql: str) -> None:
        self._inner.update(sparql_prefixes() + sparql)

    def optimize(self) -> None:
        with contextlib.suppress(OSError):
            self._inner.optimize()


def swap_directories(new: Path, target: Path) -> None:
    """Put a freshly built store directory in place of the old one, keeping the old on failure."""
    old = target.with_name(target.name + ".old")
    if old.exists():
        shutil.rmtree(old)
    if target.exists():
        target.rename(old)
    try:
        new.rename(target)
    except OSError:
        if old.exists():
            old.rename(target)
        raise
    if old.exists():
        shutil.rmtree(old, ignore_errors=True)
