"""Ingesting a new article: extract, check, validate, find what it contradicts, store it whole.

The steps, each able to refuse the document with nothing written:

1. the bytes: UTF-8, under the size limit, not empty (:mod:`kg.article`);
2. the metadata: a date that parses, names linked to actors (:mod:`kg.article`);
3. extraction (:mod:`kg.extract`) into the same records the curated annotations use, then the
   corpus checks (quotes at their offsets, known ids) and compilation to the document's graph;
4. the SHACL gate, run on a private in-memory *staging* store holding the store's ontology and
   reference graphs and the new graph, so the real store is never touched before the document
   is known to conform (a reader must not see a document that is then rejected);
5. the contradictions with the stored claims (:mod:`kg.incremental`), validated the same way;
6. one write: the document graph and the new contradictions in a single transaction (one
   ``INSERT DATA`` on a remote engine), so a reader sees all of the document or none of it.

The document key is the hash of its bytes, so the same bytes ingested again change nothing.
Writers are serialised by a lock (one ingest or retraction at a time in a process: the
contradictions of a new document are computed against the store as it is, and a concurrent
writer could add a claim in between); readers are never blocked. Several processes writing
to one remote engine are not serialised by this lock.
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from pathlib import Path

import pyoxigraph as ox

from kg import gate, incremental, ingest_report
from kg.article import ArticleMeta, ResolvedMeta, decode_text, document_meta, reference_context
from kg.config import Settings
from kg.corpus import SourceDocument, check_document
from kg.errors import IngestRejected, InvalidParameter, KGError, StoreError
from kg.gephi_read import DROP_CONTRADICTIONS_SUMMARY
from kg.ingest_report import IngestReport
from kg.models import AnnotationFile, DocumentMeta, LocalActor
from kg.namespaces import BC, GRAPH_ONTOLOGY, GRAPH_REFERENCE, GRAPH_RETRACTIONS
from kg.rdfize import compile_document, doc_graph_iri, doc_iri
from kg.reference import Reference
from kg.retract import Retraction
from kg.retract import retract as _retract
from kg.store import GraphStore, OxigraphStore

Extractor = Callable[[str, DocumentMeta, Reference, str], AnnotationFile]
"""``extract(text, meta, reference, stem) -> AnnotationFile``: the interface of :mod:`kg.extract`."""

_WRITE_LOCK = threading.Lock()


class DocumentRetracted(KGError):
    """The text is that of a retracted document; it stays out until the retraction is undone."""


def _default_extractor() -> Extractor:
    try:
        from kg.extract import extract
    except ImportError as e:  # the extractor ships with the package; this is a broken install
        raise KGError(f"the article extractor (kg.extract) cannot be loaded: {e}") from e
    return extract


@contextlib.contextmanager
def writer() -> Iterator[None]:
    """Hold the process's write lock (ingest and retraction take turns; readers go on)."""
    with _WRITE_LOCK:
        yield


def ingest(
    store: GraphStore,
    settings: Settings,
    text: bytes | str,
    meta: ArticleMeta | DocumentMeta,
    *,
    dry_run: bool = False,
    extractor: Extractor | None = None,
) -> IngestReport:
    """Ingest one article; raise ``InvalidParameter``/``IngestRejected`` with the store untouched.

    ``meta`` is what a submitter says (names, a date as text), or metadata already in corpus form.
    With ``dry_run`` everything is checked and reported and nothing is written.
    """
    t0 = time.perf_counter()
    body, raw = decode_text(text, settings.max_document_bytes)
    sha = hashlib.sha256(raw).hexdigest()
    key = sha[:16]
    graph, document = doc_graph_iri(key), doc_iri(key)
    ctx = reference_context(settings.ontology_dir, settings.corpus_dir)
    resolved = document_meta(meta, body, ctx) if isinstance(meta, ArticleMeta) else ResolvedMeta(meta, [])
    if _stored(store, graph, document):
        return _repeat(key, graph, document, resolved.meta.title, dry_run, t0)
    _refuse_retracted(store, document)

    t = time.perf_counter()
    extracted = (extractor or _default_extractor())(body, resolved.meta, ctx.reference, key)
    annotations = _with_actors(extracted, key, resolved.local_actors)
    extract_s = time.perf_counter() - t

    t = time.perf_counter()
    source = SourceDocument(
        stem=key,
        text_path=Path(f"{key}.txt"),
        text=body,
        sha256=sha,
        meta=resolved.meta,
        annotations=annotations,
        meta_path=Path("metadata"),
        annotation_path=Path("extraction"),
    )
    report = ingest_report.build(key, graph, document, resolved.meta, annotations, ctx.actors)
    report.dry_run = dry_run
    problems = check_document(source, ctx.reference, set())
    if problems:
        raise IngestRejected(problems, report.model_dump(mode="json"))
    quads = compile_document(source)
    report.quads = len(quads)
    report.seconds.extract = extract_s
    report.seconds.compile = time.perf_counter() - t

    with contextlib.nullcontext() if dry_run else writer():
        if not dry_run and _stored(store, graph, document):  # another writer was first
            return _repeat(key, graph, document, resolved.meta.title, dry_run, t0)
        if not dry_run:
            _refuse_retracted(store, document)  # or retracted it meanwhile
        added = _check_and_relate(store, settings, quads, graph, {c.iri for c in report.claims}, report)
        if not dry_run:
            t = time.perf_counter()
            try:
                if added:  # the contradictions graph changes: its export summary would be stale
                    store.update(DROP_CONTRADICTIONS_SUMMARY)
                store.add([*quads, *added])
            except OSError as e:
                raise StoreError(f"could not write document {document}: {e}") from e
            report.seconds.write = time.perf_counter() - t
            report.stored = True
    report.seconds.total = time.perf_counter() - t0
    return report


def _check_and_relate(
    store: GraphStore,
    settings: Settings,
    quads: list[ox.Quad],
    graph: str,
    claims: set[str],
    report: IngestReport,
) -> list[ox.Quad]:
    """Find the new graph's contradictions with the stored claims and validate both.

    Returns the contradiction quads to write with the graph; raises ``IngestRejected`` when the
    shapes are violated.
    """
    with _staging(store, graph, quads) as staging:
        t = time.perf_counter()
        found, added = incremental.find_new(store, staging, claims, quads)
        report.seconds.contradictions = time.perf_counter() - t
        reasons = {
            q.subject.value: q.object.value
            for q in added
            if q.predicate.value == BC + "reason"
            and isinstance(q.subject, ox.NamedNode)
            and isinstance(q.object, ox.Literal)
        }
        report.contradictions = ingest_report.contradiction_out(found, reasons)

        t = time.perf_counter()
        # In the staging store only, the new contradictions sit in the new graph: one validation
        # pass over that graph's focus nodes then covers the document and its contradictions.
        into_graph = ox.NamedNode(graph)
        staging.add(ox.Quad(q.subject, q.predicate, q.object, into_graph) for q in added)
        blocking, warnings = gate.check_store(staging, settings.shapes_dir, graph=graph)
        report.seconds.validation = time.perf_counter() - t
        report.validation.results = [*blocking, *warnings]
        if blocking:
            report.validation.conforms = False
            raise IngestRejected(gate.as_problems(blocking), report.model_dump(mode="json"))
    return added


# --- the staging store ---------------------------------------------------------------------------


class _Staging:
    """A private in-memory store holding a copy of one store's ontology and reference graphs."""

    def __init__(self, size: int, context: list[ox.Quad]) -> None:
        self.size = size
        self.store = OxigraphStore.open(None)
        self.store.bulk_add(context)
        self.lock = threading.Lock()


_STAGING: weakref.WeakKeyDictionary[GraphStore, _Staging] = weakref.WeakKeyDictionary()
_STAGING_LOCK = threading.Lock()
_COUNT_CONTEXT = (
    f"SELECT (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ <{GRAPH_ONTOLOGY.value}> <{GRAPH_REFERENCE.value}> }}"
    " GRAPH ?g { ?s ?p ?o } }"
)


@contextlib.contextmanager
def _staging(store: GraphStore, graph: str, quads: list[ox.Quad]) -> Iterator[GraphStore]:
    """The store's ontology and reference data plus the new graph, in a store nobody else sees.

    A new document's triples all hang off IRIs of its own (its key), so validating its graph
    here reads the same values as validating it inside the store would, and the store is never
    written before the document is known to conform. The copy of the context is made once per
    store and again only when its size changes (a rebuild); after each use the staging store is
    emptied of all but the context.
    """
    size = int(store.select(_COUNT_CONTEXT)[0]["n"].value)
    if size == 0:
        raise InvalidParameter("the store holds no ontology or reference data: run 'kg build' first")
    with _STAGING_LOCK:
        staging = _STAGING.get(store)
        if staging is None or staging.size != size:
            staging = _Staging(size, [*store.quads(GRAPH_ONTOLOGY), *store.quads(GRAPH_REFERENCE)])
            _STAGING[store] = staging
    with staging.lock:
        staging.store.add(quads)
        try:
            yield staging.store
        finally:
            staging.store.update(
                f"DROP SILENT GRAPH <{graph}> ; DROP SILENT GRAPH <{incremental.GRAPH_CANDIDATES.value}>"
            )


# --- small helpers -------------------------------------------------------------------------------


def _stored(store: GraphStore, graph: str, document: str) -> bool:
    return store.ask(f"ASK {{ GRAPH <{graph}> {{ <{document}> a bc:Document }} }}")


def _refuse_retracted(store: GraphStore, document: str) -> None:
    rows = store.select(
        f"SELECT ?at ?why WHERE {{ GRAPH <{GRAPH_RETRACTIONS.value}> {{"
        f" ?r bc:retractedDocument <{document}> ; bc:retractedAt ?at ; bc:reason ?why }} }}"
        " ORDER BY DESC(?at) LIMIT 1"
    )
    if rows:
        raise DocumentRetracted(
            f"document {document} was retracted at {rows[0]['at'].value} ({rows[0]['why'].value}); "
            "the same text is not ingested again"
        )


def _repeat(key: str, graph: str, document: str, title: str, dry_run: bool, t0: float) -> IngestReport:
    report = IngestReport(
        document=document,
        key=key,
        graph=graph,
        title=title,
        stored=False,
        dry_run=dry_run,
        already_stored=True,
    )
    report.seconds.total = time.perf_counter() - t0
    return report


def _with_actors(ann: AnnotationFile, key: str, extra: list[LocalActor]) -> AnnotationFile:
    """The extracted records, named for the document, with the metadata's new actors.

    An outlet or author the reference data does not know is an actor of the document, made from
    the submitter's own words; it replaces an actor extraction made under the same id (from
    the bare id, since the metadata it was given names the actor by id).
    """
    mine = {a.id for a in extra}
    if ann.document == key and not extra:
        return ann
    kept = [a for a in ann.local_actors if a.id not in mine]
    return ann.model_copy(update={"document": key, "local_actors": [*kept, *extra]})


def retract(store: GraphStore, document: str, *, reason: str, by: str) -> Retraction:
    """Retract a document, taking turns with ingests (see :func:`kg.retract.retract`)."""
    with writer():
        return _retract(store, document, reason=reason, by=by)
