"""The quad store, behind one interface with three backends chosen by configuration.

- ``OxigraphStore``: the embedded Oxigraph store, on disk (the default) or in memory;
- ``RemoteStore``: any SPARQL 1.1 engine reached over HTTP (Oxigraph server, Fuseki, GraphDB,
  Virtuoso, QLever), through the SPARQL 1.1 Protocol for queries and updates only, so nothing
  here depends on one vendor's extensions.

Everything above this module (build, rules, validation, queries, the API) talks to ``GraphStore``
and gets pyoxigraph terms back from every backend, so the same queries and tests run unchanged on
each. Queries see the union of all named graphs as their default graph, which is how the project's
queries and rules are written; a remote engine must be configured the same way (Oxigraph server
``--union-default-graph``, Fuseki ``tdb2:unionDefaultGraph``, GraphDB and Virtuoso do it by
default). Writes that replace a graph go through one SPARQL update, which the engines apply as a
single transaction, so a reader sees the old graph or the new one, never half of it.
"""

from __future__ import annotations

import contextlib
import gc
import re
import shutil
import threading
from abc import ABC, abstractmethod
from collections import defaultdict
from collections.abc import Container, Iterable, Iterator, Mapping, Sequence
from itertools import islice
from pathlib import Path
from typing import IO, TYPE_CHECKING, Final

import pyoxigraph as ox

from kg.config import Settings
from kg.errors import InvalidParameter, StoreError
from kg.namespaces import PREFIXES, RDF, RDFS, sparql_prefixes

if TYPE_CHECKING:  # loaded where used: most commands need neither, and they take 0.1-0.2 s to import
    import httpx
    import rdflib

Term = ox.NamedNode | ox.BlankNode | ox.Literal
_SUBCLASS: Final = RDFS + "subClassOf"
_SUBCLASS_NODE: Final = ox.NamedNode(_SUBCLASS)
_TYPE: Final = ox.NamedNode(RDF + "type")
_MAX_INSTANCES: Final = 100_000
QueryResult = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples | Iterator[ox.Triple]

EXPORT_FORMATS: dict[str, ox.RdfFormat] = {
    "trig": ox.RdfFormat.TRIG,
    "nquads": ox.RdfFormat.N_QUADS,
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
}


def _rows(result: QueryResult) -> list[dict[str, Term]]:
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


def _ntriples(triples: Iterable[ox.Triple]) -> str:
    return (ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"").decode()


class GraphStore(ABC):
    """A quad store holding one named graph per document plus the build's own graphs."""

    path: Path | None = None
    backend: str = "abstract"

    @classmethod
    def open(cls, path: Path | None) -> OxigraphStore:
        """Open (creating if needed) the embedded store at ``path``, or an in-memory one."""
        return OxigraphStore.open(path)

    # --- reading -------------------------------------------------------------------------

    @abstractmethod
    def query(
        self,
        sparql: str,
        *,
        bindings: Mapping[str, Term] | None = None,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        prefixes: bool = True,
    ) -> QueryResult:
        """Run any query form; the answer is pyoxigraph terms whichever the backend.

        ``bindings`` are typed values for variables (SEP-0007 substitution on Oxigraph, a
        ``VALUES`` block opening the WHERE group elsewhere, see ``bind_inline``): a value is never
        spliced into the query text. Without
        ``default_graphs`` the default graph is the union of the named graphs. ``prefixes`` adds
        the project's prefix declarations in front of the text.
        """

    def select(self, sparql: str, bindings: Mapping[str, Term] | None = None) -> list[dict[str, Term]]:
        """Run a SELECT with the project prefixes; values are bound as typed terms, never spliced.

        Oxigraph substitutes a bound variable only when the query projects it, so queries that
        take bindings name those variables in their SELECT clause.
        """
        return _rows(self.query(sparql, bindings=bindings))

    def solutions(self, sparql: str) -> ox.QuerySolutions:
        """A SELECT's solutions as a stream, for readers that go through many rows once."""
        result = self.query(sparql)
        if not isinstance(result, ox.QuerySolutions):
            raise InvalidParameter("expected a SELECT query")
        return result

    def ask(self, sparql: str, *, prefixes: bool = True) -> bool:
        return bool(self.query(sparql, prefixes=prefixes))

    def is_instance(self, node: ox.NamedNode, cls: str) -> bool:
        """Whether ``node`` has a type that is ``cls`` or under it (``rdfs:subClassOf*``).

        The named queries check each entity parameter with it, on every run. The IRI is written by
        pyoxigraph's serializer (a checked NamedNode, not a caller's text); substituting it instead
        makes Oxigraph walk every instance of the class before filtering. Full IRIs and no prefix
        block: parsing the project's prefixes was half of a check's cost.
        """
        return self.ask(f"ASK {{ {node} a ?type . ?type <{_SUBCLASS}>* <{cls}> }}", prefixes=False)

    @abstractmethod
    def graphs(self) -> list[str]:
        """The names of the named graphs, sorted."""

    @abstractmethod
    def quads(self, graph: ox.NamedNode | None = None) -> Iterator[ox.Quad]:
        """Every quad of the named graphs (or of one graph)."""

    @abstractmethod
    def __len__(self) -> int: ...

    def is_empty(self) -> bool:
        return next(self.quads(), None) is None

    def to_rdflib(
        self, graphs: Container[ox.NamedNode] | None = None, *, exclude: bool = False
    ) -> rdflib.Graph:
        """The union of some graphs (all, those in ``graphs``, or all but them) as one rdflib graph.

        For the tools that work on rdflib (pySHACL, the OWL reasoner); duplicates across graphs
        collapse, as in an RDF merge.
        """
        triples = dict.fromkeys(
            ox.Triple(q.subject, q.predicate, q.object)
            for q in self.quads()
            if graphs is None or (q.graph_name in graphs) != exclude
        )
        import rdflib

        graph = rdflib.Graph()
        graph.parse(data=_ntriples(triples), format="nt")
        return graph

    def canonical_nquads(self) -> list[str]:
        """Every quad as a sorted N-Quads line: two stores are equal iff these are equal."""
        data = ox.serialize(list(self.quads()), format=ox.RdfFormat.N_QUADS) or b""
        return sorted(line for line in data.decode().splitlines() if line)

    def dump(self, out: IO[bytes], fmt: str, graph: ox.NamedNode | None = None) -> None:
        """Write the store (or one graph) in an RDF syntax. Turtle/N-Triples merge all graphs."""
        if fmt not in EXPORT_FORMATS:
            raise InvalidParameter(f"unknown export format {fmt!r}; use one of {sorted(EXPORT_FORMATS)}")
        rdf_format = EXPORT_FORMATS[fmt]
        if fmt in ("trig", "nquads"):
            ox.serialize(self.quads(graph), out, format=rdf_format)
            return
        triples = dict.fromkeys(ox.Triple(q.subject, q.predicate, q.object) for q in self.quads(graph))
        ox.serialize(triples, out, format=rdf_format, prefixes=dict(PREFIXES))

    # --- writing -------------------------------------------------------------------------

    @abstractmethod
    def update(self, sparql: str) -> None:
        """Run a SPARQL update (with the project prefixes) as one transaction."""

    def add(self, quads: Iterable[ox.Quad]) -> None:
        """Transactional insert: all the quads or none."""
        self.update(_insert_data(quads))

    def bulk_add(self, quads: Iterable[ox.Quad]) -> None:
        """Fast load, not necessarily transactional; only for a store nobody else sees yet."""
        self.add(quads)

    def replace_graph(self, graph: ox.NamedNode, quads: Iterable[ox.Quad]) -> None:
        """Swap a graph's content in one transaction (drop and insert in a single update)."""
        triples = [ox.Triple(q.subject, q.predicate, q.object) for q in quads]
        update = f"DROP SILENT GRAPH <{graph.value}>"
        if triples:
            update += f" ;\nINSERT DATA {{ GRAPH <{graph.value}> {{\n{_ntriples(triples)}}} }}"
        self.update(update)

    def drop_graph(self, graph: ox.NamedNode) -> None:
        self.update(f"DROP SILENT GRAPH <{graph.value}>")

    def replace_all(self, quads: Iterable[ox.Quad]) -> None:
        """Make the store hold exactly ``quads`` (a build publishing its result)."""
        self.update("DROP SILENT ALL ;\n" + _insert_data(quads))

    def optimize(self) -> None:  # noqa: B027 (optional hook: most backends have nothing to do)
        """Compact storage after a large load, where the backend can."""

    @abstractmethod
    def close(self) -> None:
        """Release what the backend holds (an on-disk lock, HTTP connections)."""


def _insert_data(quads: Iterable[ox.Quad]) -> str:
    """One ``INSERT DATA`` for quads in named graphs (the default graph is not used)."""
    by_graph: dict[str, list[ox.Triple]] = defaultdict(list)
    for q in quads:
        if not isinstance(q.graph_name, ox.NamedNode):
            raise InvalidParameter(f"quads must be in a named graph, not {q.graph_name}")
        by_graph[q.graph_name.value].append(ox.Triple(q.subject, q.predicate, q.object))
    blocks = "\n".join(f"GRAPH <{g}> {{\n{_ntriples(ts)}}}" for g, ts in by_graph.items())
    return f"INSERT DATA {{\n{blocks}\n}}"


class OxigraphStore(GraphStore):
    """The embedded Oxigraph store: a directory on disk, or memory when ``path`` is None."""

    def __init__(self, inner: ox.Store, path: Path | None, *, read_only: bool = False) -> None:
        self._inner = inner
        self.path = path
        self.backend = "memory" if path is None else "embedded"
        self.read_only = read_only
        # Every write through this object counts here (before and after it); class closures and
        # instances found are kept with the count they were found at, and used only at that count.
        # Nothing else writes to this store: on disk the writer holds RocksDB's lock, and a reader
        # sees a fixed snapshot.
        self._writes = 0
        self._writes_lock = threading.Lock()
        self._subclasses: dict[str, tuple[int, frozenset[ox.NamedNode | ox.BlankNode]]] = {}
        self._instances: dict[tuple[str, str], int] = {}  # (node, class) found an instance

    @classmethod
    def open(cls, path: Path | None) -> OxigraphStore:
        if path is None:
            return cls(ox.Store(), None)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            return cls(ox.Store(str(path)), path)
        except OSError as e:
            raise StoreError(f"cannot open the store at {path}: {e}") from e

    @classmethod
    def open_read_only(cls, path: Path) -> OxigraphStore:
        """A reader of the store as it is now, beside any process that holds it open for writing
        (``kg serve``): it takes no lock, and sees no later write."""
        try:
            return cls(ox.Store.read_only(str(path)), path, read_only=True)
        except OSError as e:
            raise StoreError(f"cannot open the store at {path} for reading: {e}") from e

    @property
    def raw(self) -> ox.Store:
        """The pyoxigraph store itself, for tools that only make sense embedded (backup, bench)."""
        return self._inner

    def is_instance(self, node: ox.NamedNode, cls: str) -> bool:
        """The same answer as the ASK, from the indexes: one lookup of the node's types, checked
        against the classes under ``cls``; both kept until the next write. Parsing and planning
        the ASK cost more than the small named queries whose parameters it checks: 0.14 ms a
        check, against 0.04-0.06 ms for the lookup (decoding the types) and 1-2 µs from memory."""
        writes = self._writes
        key = (node.value, cls)
        if self._instances.get(key) == writes:
            return True
        under = self._classes_under(cls, writes)
        if not any(q.object in under for q in self._inner.quads_for_pattern(node, _TYPE, None)):
            return False
        if len(self._instances) >= _MAX_INSTANCES:
            self._instances.clear()
        self._instances[key] = writes  # the count from before: stale if a write began since
        return True

    def _classes_under(self, cls: str, writes: int) -> frozenset[ox.NamedNode | ox.BlankNode]:
        """``cls`` and every class ``rdfs:subClassOf*`` it, kept at the count the caller read (one
        check uses one count for both of its answers)."""
        known = self._subclasses.get(cls)
        if known is not None and known[0] == writes:
            return known[1]
        found: set[ox.NamedNode | ox.BlankNode] = {ox.NamedNode(cls)}
        level = set(found)
        while level:
            level = {
                q.subject
                for c in level
                for q in self._inner.quads_for_pattern(None, _SUBCLASS_NODE, c)
                if isinstance(q.subject, ox.NamedNode | ox.BlankNode) and q.subject not in found
            }
            found |= level
        under = frozenset(found)
        self._subclasses[cls] = (writes, under)  # the count from before: stale if a write began since
        return under

    @contextlib.contextmanager
    def _write(self) -> Iterator[None]:
        """Count a write before and after it: an answer worked out while it ran is never reused."""
        self._count_write()
        try:
            yield
        finally:
            self._count_write()

    def _count_write(self) -> None:
        with self._writes_lock:  # concurrent writers (API threads) must not lose a count
            self._writes += 1

    def close(self) -> None:
        """Release the on-disk lock (pyoxigraph closes when the object is collected).

        A reader holds no lock and has nothing to flush: dropping it is enough, and skips a
        collection that would walk whatever the caller has built from the store.
        """
        if self.read_only:
            self._count_write()
            self._inner = ox.Store()
            return
        with contextlib.suppress(OSError):
            self._inner.flush()
        self._count_write()
        self._inner = ox.Store()
        gc.collect()

    def __len__(self) -> int:
        return len(self._inner)

    def query(
        self,
        sparql: str,
        *,
        bindings: Mapping[str, Term] | None = None,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        prefixes: bool = True,
    ) -> QueryResult:
        subs: dict[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple] = {
            ox.Variable(k): v for k, v in (bindings or {}).items()
        }
        text = sparql_prefixes() + sparql if prefixes else sparql
        if default_graphs is None and named_graphs is None:
            return self._inner.query(text, use_default_graph_as_union=True, substitutions=subs or None)
        return self._inner.query(
            text,
            use_default_graph_as_union=default_graphs is None,
            default_graph=[ox.NamedNode(g) for g in default_graphs] if default_graphs is not None else None,
            named_graphs=[ox.NamedNode(g) for g in named_graphs] if named_graphs is not None else None,
            substitutions=subs or None,
        )

    def graphs(self) -> list[str]:
        return sorted(g.value for g in self._inner.named_graphs() if isinstance(g, ox.NamedNode))

    def quads(self, graph: ox.NamedNode | None = None) -> Iterator[ox.Quad]:
        return iter(self._inner.quads_for_pattern(None, None, None, graph))

    def dump(self, out: IO[bytes], fmt: str, graph: ox.NamedNode | None = None) -> None:
        if fmt in ("trig", "nquads") and graph is None:
            self._inner.dump(out, format=EXPORT_FORMATS[fmt])
            return
        super().dump(out, fmt, graph)

    def update(self, sparql: str) -> None:
        with self._write():
            self._inner.update(sparql_prefixes() + sparql)

    def add(self, quads: Iterable[ox.Quad]) -> None:
        with self._write():
            self._inner.extend(quads)

    def bulk_add(self, quads: Iterable[ox.Quad]) -> None:
        """Fast, non-transactional load; only for a store nobody else sees yet."""
        with self._write():
            self._inner.bulk_extend(quads)

    def replace_all(self, quads: Iterable[ox.Quad]) -> None:
        with self._write():
            self._inner.clear()
            self._inner.bulk_extend(quads)

    def optimize(self) -> None:
        with contextlib.suppress(OSError):
            self._inner.optimize()


_RESULTS_JSON: Final = "application/sparql-results+json"
_NTRIPLES: Final = "application/n-triples"
_CHUNK_QUADS: Final = 50_000


class RemoteStore(GraphStore):
    """A SPARQL 1.1 engine over HTTP: queries to ``query_url``, updates to ``update_url``.

    Answers are parsed by pyoxigraph's results parsers, so callers get the same terms as from the
    embedded store. Connections are pooled. Errors name the engine and carry its message.
    """

    backend = "remote"

    def __init__(self, query_url: str, update_url: str | None = None, *, timeout: float = 60.0) -> None:
        self.query_url = query_url
        self.update_url = update_url or query_url
        self.path = None
        import httpx

        self._http = httpx.Client(timeout=timeout, trust_env=False)

    def close(self) -> None:
        self._http.close()

    def _post(self, url: str, data: dict[str, str | list[str]], accept: str) -> httpx.Response:
        import httpx

        try:
            response = self._http.post(url, data=data, headers={"Accept": accept})
        except httpx.HTTPError as e:
            raise StoreError(f"the SPARQL engine at {url} cannot be reached: {e}") from e
        if response.status_code >= 400:
            message = response.text.strip()[:2000] or response.reason_phrase
            if response.status_code == 400:
                raise InvalidParameter(f"the SPARQL engine at {url} refused the request: {message}")
            raise StoreError(f"the SPARQL engine at {url} answered {response.status_code}: {message}")
        return response

    def query(
        self,
        sparql: str,
        *,
        bindings: Mapping[str, Term] | None = None,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        prefixes: bool = True,
    ) -> QueryResult:
        text = sparql_prefixes() + sparql if prefixes else sparql
        if bindings:
            text = bind_inline(text, bindings)
        data: dict[str, str | list[str]] = {"query": text}
        if default_graphs is not None:
            data["default-graph-uri"] = list(default_graphs)
        if named_graphs is not None:
            data["named-graph-uri"] = list(named_graphs)
        response = self._post(self.query_url, data, f"{_RESULTS_JSON}, {_NTRIPLES};q=0.9")
        media = response.headers.get("content-type", "").split(";")[0].strip()
        if media == _RESULTS_JSON:
            return ox.parse_query_results(response.content, format=ox.QueryResultsFormat.JSON)
        fmt = ox.RdfFormat.from_media_type(media)
        if fmt is None:
            raise StoreError(f"the SPARQL engine at {self.query_url} answered in {media!r}")
        return (ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(response.content, format=fmt))

    def graphs(self) -> list[str]:
        rows = self.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        return sorted(r["g"].value for r in rows if isinstance(r["g"], ox.NamedNode))

    def quads(self, graph: ox.NamedNode | None = None) -> Iterator[ox.Quad]:
        if graph is not None:
            rows = self.select(f"SELECT ?s ?p ?o WHERE {{ GRAPH <{graph.value}> {{ ?s ?p ?o }} }}")
            return (ox.Quad(r["s"], r["p"], r["o"], graph) for r in rows)  # type: ignore[arg-type]
        rows = self.select("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        return (ox.Quad(r["s"], r["p"], r["o"], r["g"]) for r in rows)  # type: ignore[arg-type]

    def __len__(self) -> int:
        rows = self.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
        return int(rows[0]["n"].value)

    def update(self, sparql: str) -> None:
        self._post(self.update_url, {"update": sparql_prefixes() + sparql}, "*/*")

    def bulk_add(self, quads: Iterable[ox.Quad]) -> None:
        """Insert in chunks of updates: each chunk is atomic, the whole is not."""
        it = iter(quads)
        while chunk := list(islice(it, _CHUNK_QUADS)):
            self.update(_insert_data(chunk))

    def replace_all(self, quads: Iterable[ox.Quad]) -> None:
        """Clear and load; one update (atomic) when it fits in one chunk, else chunked."""
        it = iter(quads)
        first = list(islice(it, _CHUNK_QUADS))
        self.update("DROP SILENT ALL ;\n" + _insert_data(first))
        self.bulk_add(it)


# The lexical tokens that may hide a "{" or the word WHERE: comments, string literals (long forms
# first) and IRI references (which, unlike a "<" comparison, never contain spaces).
_TOKENS: Final = re.compile(
    r"""(?P<skip>\#[^\n]*|'''(?:[^\\]|\\.)*?'''|\"\"\"(?:[^\\]|\\.)*?\"\"\"|'(?:[^'\\\n]|\\.)*'"""
    r"""|"(?:[^"\\\n]|\\.)*"|<[^<>"{}|^`\\\x00-\x20]*>)|(?P<where>\bWHERE\b)|(?P<open>\{)""",
    re.IGNORECASE,
)


def bind_inline(text: str, bindings: Mapping[str, Term]) -> str:
    """Bind typed values as a ``VALUES`` block opening the query's WHERE group.

    Engines other than Oxigraph have no substitution API, and a trailing ``VALUES`` clause is
    joined only after the group's FILTERs ran (so a parameter used in a FILTER would be unbound
    there). At the start of the outer group the values join every pattern and are seen by every
    FILTER of that group. Values are written by the N-Triples serializer, never spliced as text.
    """
    names = " ".join(f"?{k}" for k in bindings)
    terms = " ".join(_term_text(v) for v in bindings.values())
    block = f" VALUES ({names}) {{ ({terms}) }} "
    first_open: int | None = None
    after_where = False
    for m in _TOKENS.finditer(text):
        if m.group("where"):
            after_where = True
        elif m.group("open"):
            if after_where:
                return text[: m.end()] + block + text[m.end() :]
            if first_open is None:
                first_open = m.end()
    if first_open is None:
        raise InvalidParameter("cannot bind parameters: the query has no group pattern")
    return text[:first_open] + block + text[first_open:]


def _term_text(term: Term) -> str:
    if isinstance(term, ox.BlankNode):
        raise InvalidParameter("a blank node cannot be bound as a query parameter")
    return str(term)  # pyoxigraph prints N-Triples syntax, with escapes


def open_store(settings: Settings, *, read_only: bool = False) -> GraphStore:
    """The store the settings name: remote when a query URL is set, else embedded or memory.

    ``read_only`` opens the embedded store as a reader (for commands that only read: they then
    run while ``kg serve`` holds the store); a remote engine is read through the same client.
    """
    if settings.sparql_query_url:
        return RemoteStore(
            settings.sparql_query_url, settings.sparql_update_url, timeout=settings.remote_timeout
        )
    if read_only and settings.store_path is not None:
        return OxigraphStore.open_read_only(settings.store_path)
    return OxigraphStore.open(settings.store_path)


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
