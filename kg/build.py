"""``kg build``: corpus and reference data into the store, all or nothing.

Every document passes the SHACL gate before the store changes: the new store is validated as a
whole (documents with the ontology and reference data they point at, and the derived
contradictions) and a single violation rejects the build.

The new store is written beside the old one and put in its place only when every document has
compiled and the contradictions are derived, so a rejected build (or a crash) leaves the store
exactly as it was, whatever the size of the corpus, and the fast non-transactional bulk loader
can be used for the writing. What the build does not own is carried over from the old store:
documents ingested outside the corpus and the record of retractions (a retracted corpus
document stays out). The reasoner's graph is dropped, since it described the old data.
"""

from __future__ import annotations

import resource
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg import contradictions, gate
from kg.config import Settings
from kg.corpus import SourceDocument, check_document, document_stems, read_document
from kg.errors import CorpusRejected, Problem, StoreError
from kg.namespaces import BC, DOC_GRAPH_PREFIX, GRAPH_RETRACTIONS
from kg.rdfize import compile_document, doc_iri
from kg.reference import load_reference
from kg.store import GraphStore, open_store, swap_directories

Progress = Callable[[str, int, int], None]
"""Called as ``progress(stage, done, total)``; the CLI draws it, tests pass nothing."""


@dataclass
class BuildReport:
    documents: int = 0
    claims: int = 0
    quads: int = 0
    contradictions: list[contradictions.Contradiction] = field(default_factory=list)
    carried_graphs: list[str] = field(default_factory=list)
    skipped_retracted: list[str] = field(default_factory=list)
    warnings: list[gate.Finding] = field(default_factory=list)
    seconds: float = 0.0
    store: Path | None = None
    stages: list[StageTime] = field(default_factory=list)


@dataclass(frozen=True)
class StageTime:
    """How long one stage of the build took and the process's peak memory at its end: at a
    million claims the stages grow at different rates, and this says which one to look at."""

    stage: str
    seconds: float
    peak_mb: int

    def __str__(self) -> str:
        return f"{self.stage} {self.seconds:.1f} s (peak {self.peak_mb} MB)"


def _peak_mb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024  # KiB on Linux


def _noop(stage: str, done: int, total: int) -> None:
    return None


def _carry_over(old: GraphStore, corpus_files: set[str]) -> tuple[list[ox.Quad], set[str], list[str]]:
    """Graphs of the old store that the build must keep, and the documents retracted."""
    retracted = {
        row["doc"].value
        for row in old.select(
            f"SELECT ?doc WHERE {{ GRAPH <{GRAPH_RETRACTIONS.value}> {{ ?r bc:retractedDocument ?doc }} }}"
        )
    }
    keep: list[ox.Quad] = list(old.quads(GRAPH_RETRACTIONS))
    carried: list[str] = [GRAPH_RETRACTIONS.value] if keep else []
    rows = old.select(
        "SELECT DISTINCT ?g ?file WHERE { GRAPH ?g { ?d a bc:Document ."
        " OPTIONAL { ?d bc:sourceFile ?file } } }"
    )
    for row in rows:
        g = row["g"].value
        if not g.startswith(DOC_GRAPH_PREFIX):
            continue
        file = row["file"].value if "file" in row else None
        if file in corpus_files:
            continue  # rebuilt from the corpus (or dropped if its text changed)
        keep.extend(old.quads(ox.NamedNode(g)))
        carried.append(g)
    return keep, retracted, carried


def _read_all(
    corpus_dir: Path, settings: Settings, progress: Progress
) -> tuple[list[str], Iterator[tuple[str, SourceDocument | CorpusRejected]]]:
    stems = document_stems(corpus_dir)

    def gen() -> Iterator[tuple[str, SourceDocument | CorpusRejected]]:
        for i, stem in enumerate(stems, 1):
            try:
                yield stem, read_document(corpus_dir, stem, settings.max_document_bytes)
            except CorpusRejected as e:
                yield stem, e
            progress("documents", i, len(stems))

    return stems, gen()


def build(settings: Settings, progress: Progress | None = None) -> tuple[BuildReport, GraphStore]:
    """Rebuild the store from the corpus; raise ``CorpusRejected`` (store untouched) on bad input.

    Returns the report and the open store (the caller closes it). The build is always made in a
    private staging store; on the embedded backend it is swapped in as a directory, on memory it
    is the store, and on a remote engine it replaces the engine's data in one update.
    """
    t0 = time.perf_counter()
    report_progress = progress or _noop
    corpus_dir = settings.corpus_dir
    if not (corpus_dir / "documents").is_dir():
        raise CorpusRejected([Problem(str(corpus_dir), "", "no documents/ directory in the corpus")])
    ref = load_reference(settings.ontology_dir, corpus_dir)
    stems, docs = _read_all(corpus_dir, settings, report_progress)
    if not stems:
        raise CorpusRejected([Problem(str(corpus_dir / "documents"), "", "no *.txt documents")])
    known = set(stems)

    remote = open_store(settings) if settings.backend == "remote" else None
    target = settings.store_path if remote is None else None
    carry: list[ox.Quad] = []
    retracted: set[str] = set()
    report = BuildReport(store=target)
    if remote is not None or (target is not None and target.exists()):
        old = remote or GraphStore.open(target)
        try:
            carry, retracted, report.carried_graphs = _carry_over(old, {f"{s}.txt" for s in stems})
        finally:
            if remote is None:
                old.close()

    staging = target.with_name(target.name + ".building") if target is not None else None
    if staging is not None and staging.exists():
        shutil.rmtree(staging)
    new = GraphStore.open(staging)
    problems: list[Problem] = []
    stem_keys: dict[str, str] = {}

    def quads() -> Iterator[ox.Quad]:
        yield from ref.quads
        yield from carry
        for stem, doc in docs:
            if isinstance(doc, CorpusRejected):
                problems.extend(doc.problems)
                continue
            found = check_document(doc, ref, known)
            if found:
                problems.extend(found)
                continue
            if doc_iri(doc.key) in retracted:
                report.skipped_retracted.append(stem)
                continue
            if problems:
                continue  # keep checking, stop compiling: nothing will be kept
            stem_keys[stem] = doc.key
            compiled = compile_document(doc, _StemKeys(corpus_dir, stem_keys))
            report.documents += 1
            report.claims += len(doc.annotations.claims)
            report.quads += len(compiled)
            yield from compiled

    lap = time.perf_counter()

    def stage_done(stage: str) -> None:
        nonlocal lap
        now = time.perf_counter()
        report.stages.append(StageTime(stage, now - lap, _peak_mb()))
        lap = now

    try:
        new.bulk_add(quads())
        if problems:
            raise CorpusRejected(problems)
        stage_done("compile and load")
        report_progress("contradictions", 0, 1)
        report.contradictions = contradictions.derive(new)
        report_progress("contradictions", 1, 1)
        stage_done("contradictions")
        report_progress("validation", 0, 1)
        # Compacted first: fresh from the bulk loader, the store answers the gate's point lookups
        # from a pile of unmerged files. At 200k claims one constraint took over 4 minutes there
        # and 1.5 s after a 12 s compaction.
        new.optimize()
        stage_done("compaction")
        blocking, report.warnings = gate.check_store(new, settings.shapes_dir)
        if blocking:
            raise CorpusRejected(gate.as_problems(blocking))
        report_progress("validation", 1, 1)
        stage_done("validation")
    except BaseException:
        new.close()
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
        if remote is not None:
            remote.close()
        raise
    report.quads = len(new)
    if remote is not None:
        try:
            remote.replace_all(new.quads())  # one update: readers see the old data or the new
        except BaseException:
            remote.close()
            raise
        finally:
            new.close()
        stage_done("upload")
        report.seconds = time.perf_counter() - t0
        return report, remote
    if staging is None or target is None:
        report.seconds = time.perf_counter() - t0
        return report, new
    new.close()
    try:
        swap_directories(staging, target)
    except OSError as e:
        raise StoreError(f"could not put the new store in place at {target}: {e}") from e
    stage_done("swap")
    report.seconds = time.perf_counter() - t0
    return report, GraphStore.open(target)


class _StemKeys(dict[str, str]):
    """Document keys by stem, reading a not-yet-seen document's bytes to hash them on demand.

    ``reprint_of`` may point at a document later in the corpus order.
    """

    def __init__(self, corpus_dir: Path, known: dict[str, str]) -> None:
        super().__init__(known)
        self._dir = corpus_dir

    def __contains__(self, stem: object) -> bool:
        return isinstance(stem, str) and (self._dir / "documents" / f"{stem}.txt").is_file()

    def __missing__(self, stem: str) -> str:
        import hashlib

        key = hashlib.sha256((self._dir / "documents" / f"{stem}.txt").read_bytes()).hexdigest()[:16]
        self[stem] = key
        return key


__all__ = ["BC", "BuildReport", "Progress", "StageTime", "build"]
