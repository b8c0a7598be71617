"""Run one query and write its whole answer within the time limit and the size limit, or fail.

The endpoint never sends a 200 with a truncated body: the answer is produced in full, in memory,
before anything is sent, and an overrun raises ``QueryTimeout`` or ``ResultTooLarge`` instead.

*Time.* Queries run on a small pool of daemon threads (pyoxigraph releases the GIL while it
evaluates and serialises, so they run in parallel); the caller waits for the answer only until
the deadline (counted from when the request arrived, so time spent waiting for a worker counts)
and then gives up with ``QueryTimeout``. The worker itself checks the deadline each
time the serialiser hands it a chunk (about every 8 KB) or every 1,024 triples, and stops there.
pyoxigraph has no way to cancel a query, so the one thing not bounded is a query that computes a
long time before its first row (an aggregate or ORDER BY over a huge join): its worker thread
keeps computing until that first row, then stops. The pool's size bounds how many such runaways
can burn CPU at once; requests that find every worker busy wait (within their own time limit)
and then get ``QueryTimeout`` saying the endpoint is busy. A remote engine should also be given
its own limit (``oxigraph serve --timeout-s``, Fuseki's ``arq:queryTimeout``), which does cancel.
Process isolation (a read-only store per worker process, killed at the deadline) would bound that
case for the embedded backend too, at the cost of copying answers between processes and of
reopening the store after each write; it is not done here.

*Size.* A SELECT answer is written as TSV first, because TSV puts exactly one solution on each
line (line breaks inside literals are escaped), so counting newlines in each chunk counts rows
in C, not in Python; over the limit, the serialiser is stopped. The TSV is then converted to the
format the client asked for by pyoxigraph's own parser and serialiser. When the query's own
top-level LIMIT already keeps it within the limit, the answer is written directly. CONSTRUCT and
DESCRIBE triples are counted as they are read.
"""

from __future__ import annotations

import io
import queue
import re
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final, Generic, TypeVar

import pyoxigraph as ox

from kg.errors import InvalidParameter, InvalidSparql, KGError, QueryTimeout, ResultTooLarge, StoreError
from kg.store import GraphStore

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

T = TypeVar("T")


@dataclass(frozen=True)
class Format:
    """One serialisation an answer can be given in."""

    name: str
    media_type: str
    content_type: str
    w3c: str  # the format's IRI in http://www.w3.org/ns/formats/, for the service description
    aliases: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    results: ox.QueryResultsFormat | None = None
    rdf: ox.RdfFormat | None = None


_FORMATS_NS: Final = "http://www.w3.org/ns/formats/"
RESULT_FORMATS: Final = (
    Format("json", "application/sparql-results+json", "application/sparql-results+json",
           _FORMATS_NS + "SPARQL_Results_JSON", ("application/json",), ("json",),
           results=ox.QueryResultsFormat.JSON),
    Format("xml", "application/sparql-results+xml", "application/sparql-results+xml",
           _FORMATS_NS + "SPARQL_Results_XML", ("application/xml", "text/xml"), ("xml",),
           results=ox.QueryResultsFormat.XML),
    Format("csv", "text/csv", "text/csv; charset=utf-8",
           _FORMATS_NS + "SPARQL_Results_CSV", (), ("csv",), results=ox.QueryResultsFormat.CSV),
    Format("tsv", "text/tab-separated-values", "text/tab-separated-values; charset=utf-8",
           _FORMATS_NS + "SPARQL_Results_TSV", (), ("tsv",), results=ox.QueryResultsFormat.TSV),
)  # fmt: skip
GRAPH_FORMATS: Final = (
    Format("turtle", "text/turtle", "text/turtle; charset=utf-8", _FORMATS_NS + "Turtle",
           ("application/x-turtle",), ("turtle", "ttl"), rdf=ox.RdfFormat.TURTLE),
    Format("ntriples", "application/n-triples", "application/n-triples", _FORMATS_NS + "N-Triples",
           (), ("ntriples", "nt", "n-triples"), rdf=ox.RdfFormat.N_TRIPLES),
    Format("jsonld", "application/ld+json", "application/ld+json", _FORMATS_NS + "JSON-LD",
           ("application/json",), ("jsonld", "json-ld", "json"), rdf=ox.RdfFormat.JSON_LD),
    Format("rdfxml", "application/rdf+xml", "application/rdf+xml", _FORMATS_NS + "RDF_XML",
           ("application/xml", "text/xml"), ("rdfxml", "rdf", "xml"), rdf=ox.RdfFormat.RDF_XML),
)  # fmt: skip
_TSV: Final = RESULT_FORMATS[3]


@dataclass(frozen=True)
class Payload:
    """A complete answer: the Content-Type header value and the bytes."""

    content_type: str
    body: bytes


@dataclass(frozen=True)
class Limits:
    timeout: float
    max_results: int


@dataclass
class Plan:
    """One query, ready to run: the text the engine gets and what to do with its answer.

    ``choose`` picks the format once the kind of answer is known ("results" for SELECT and ASK,
    "graph" for CONSTRUCT and DESCRIBE); ``explain`` turns a parse error into the message the
    client gets; ``prefixes`` gives the query's own prefixes, for readable Turtle and RDF/XML.
    """

    text: str
    default_graphs: list[str] | None
    named_graphs: list[str] | None
    bounded: bool
    choose: Callable[[str], Format]
    explain: Callable[[str], str]
    prefixes: Callable[[], dict[str, str]] = field(default=dict)


class WorkerPool(Generic[T]):
    """A fixed set of daemon threads running queries, made once per endpoint.

    Daemon threads, not a ``ThreadPoolExecutor``: the interpreter joins executor threads at exit,
    so one runaway query would keep a stopped server from exiting.
    """

    def __init__(self, size: int, name: str = "sparql") -> None:
        self.size = size
        self._jobs: queue.SimpleQueue[tuple[Future[T], Callable[[], T]] | None] = queue.SimpleQueue()
        self._threads = [
            threading.Thread(target=self._work, name=f"{name}-{i}", daemon=True) for i in range(size)
        ]
        for thread in self._threads:
            thread.start()

    def submit(self, job: Callable[[], T]) -> Future[T]:
        future: Future[T] = Future()
        self._jobs.put((future, job))
        return future

    def close(self) -> None:
        """Stop each thread once the jobs already queued are done."""
        for _ in self._threads:
            self._jobs.put(None)

    def _work(self) -> None:
        while (item := self._jobs.get()) is not None:
            future, job = item
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(job())
            except BaseException as e:  # handed to the waiting request, not swallowed
                _release_frames(e)
                future.set_exception(e)
            # The answer (up to the size limit) belongs to the caller now: an idle thread must not
            # keep it alive until its next job.
            del item, future, job


def _release_frames(error: BaseException | None) -> None:
    """Free the locals of the failed job's frames on this thread.

    A traceback keeps its frames, and so the query's pyoxigraph result, alive; those objects must
    be freed on the thread that made them, not on the request thread that reads the error.
    """
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        traceback.clear_frames(error.__traceback__)
        error = error.__cause__ or error.__context__


@dataclass(frozen=True)
class Pending(Generic[T]):
    """A job on a worker, with the deadline its answer must meet.

    Whoever waits (a thread with ``wait``, or an event loop on ``future``) gives up at the
    deadline and reports ``expired()``: the job is cancelled if it has not started.
    """

    future: Future[T]
    deadline: float
    limits: Limits
    workers: int

    def remaining(self) -> float:
        return max(0.0, self.deadline - time.monotonic())

    def wait(self) -> T:
        try:
            return self.future.result(timeout=self.remaining())
        except TimeoutError:
            raise self.expired() from None

    def expired(self) -> QueryTimeout:
        if self.future.cancel() or self.future.cancelled():
            return QueryTimeout(
                f"the endpoint is busy: the query waited its whole time limit ({self.limits.timeout:g} s) "
                f"for one of the {self.workers} query workers; try again later"
            )
        return QueryTimeout(_overtime(self.limits))


def start(pool: WorkerPool[T], job: Callable[[float], T], limits: Limits) -> Pending[T]:
    """Queue ``job(deadline)`` on a worker; the time limit runs from now, waiting included."""
    deadline = time.monotonic() + limits.timeout
    return Pending(pool.submit(lambda: job(deadline)), deadline, limits, pool.size)


def _overtime(limits: Limits) -> str:
    return (
        f"the query ran longer than the time limit of {limits.timeout:g} s and was stopped; "
        "narrow it (more specific patterns, a LIMIT) and try again"
    )


def _too_many(limits: Limits, what: str) -> str:
    return (
        f"the answer has more than {limits.max_results} {what}, the most this endpoint returns; "
        f"add a LIMIT (at most {limits.max_results}) or narrow the query"
    )


class _Sink(io.BytesIO):
    """An in-memory file for pyoxigraph's serialisers that stops them at the deadline or row limit."""

    def __init__(self, deadline: float, limits: Limits, *, count_lines: bool) -> None:
        super().__init__()
        self._deadline = deadline
        self._limits = limits
        self._max_lines = limits.max_results + 1 if count_lines else None  # +1: the TSV header
        self._lines = 0

    def write(self, chunk: ReadableBuffer, /) -> int:
        if time.monotonic() > self._deadline:
            raise QueryTimeout(_overtime(self._limits))
        if self._max_lines is not None:
            self._lines += (chunk if isinstance(chunk, bytes) else bytes(chunk)).count(b"\n")
            if self._lines > self._max_lines:
                raise ResultTooLarge(_too_many(self._limits, "rows"))
        return super().write(chunk)


def answer(store: GraphStore, plan: Plan, limits: Limits, deadline: float) -> Payload:
    """Evaluate and serialise; engine errors become the library's own errors."""
    try:
        result = store.query(
            plan.text, default_graphs=plan.default_graphs, named_graphs=plan.named_graphs, prefixes=False
        )
        if isinstance(result, ox.QueryBoolean):
            fmt = plan.choose("results")
            return Payload(fmt.content_type, result.serialize(format=fmt.results) or b"")
        if isinstance(result, ox.QuerySolutions):
            fmt = plan.choose("results")
            return Payload(fmt.content_type, _solutions(result, fmt, plan, limits, deadline))
        fmt = plan.choose("graph")
        return Payload(fmt.content_type, _triples(result, fmt, plan, limits, deadline))
    except SyntaxError as e:
        raise InvalidSparql(plan.explain(str(e))) from e
    except KGError as e:
        if type(e) is InvalidParameter:  # a remote engine refused the query: its reason, not its URL
            raise InvalidSparql(plan.explain(str(e).partition("refused the request: ")[2] or str(e))) from e
        raise
    except (RuntimeError, ValueError) as e:
        raise InvalidSparql(f"the query cannot be evaluated: {e}") from e
    except OSError as e:
        raise StoreError(f"the store failed while answering the query: {e}") from e


def _solutions(result: ox.QuerySolutions, fmt: Format, plan: Plan, limits: Limits, deadline: float) -> bytes:
    if plan.bounded and fmt is not _TSV:
        sink = _Sink(deadline, limits, count_lines=False)
        result.serialize(sink, format=fmt.results)
        return sink.getvalue()
    sink = _Sink(deadline, limits, count_lines=True)
    result.serialize(sink, format=_TSV.results)
    if fmt is _TSV:
        return sink.getvalue()
    converted = ox.parse_query_results(sink.getvalue(), format=_TSV.results).serialize(format=fmt.results)
    if time.monotonic() > deadline:
        raise QueryTimeout(_overtime(limits))
    return converted or b""


def _triples(result: Iterable[ox.Triple], fmt: Format, plan: Plan, limits: Limits, deadline: float) -> bytes:
    triples: list[ox.Triple] = []
    for i, triple in enumerate(result):
        if i >= limits.max_results:
            raise ResultTooLarge(_too_many(limits, "triples"))
        if not i & 1023 and time.monotonic() > deadline:
            raise QueryTimeout(_overtime(limits))
        triples.append(triple)
    if fmt.rdf in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML):
        try:
            return ox.serialize(triples, format=fmt.rdf, prefixes=plan.prefixes()) or b""
        except ValueError:
            pass  # a declared prefix the serialiser cannot use: write full IRIs instead
    return ox.serialize(triples, format=fmt.rdf) or b""


_LIMIT_TAIL: Final = re.compile(r"\bLIMIT\s+([0-9]+)\s*(?:OFFSET\s+[0-9]+\s*)?$", re.IGNORECASE)


def top_level_limit(query: str) -> int | None:
    """The query's top-level LIMIT when it can be read without a parser, else None.

    It is the modifier at the very end of the text, after the last '}'. Text with no quote,
    '#', '<' or '{' after that brace holds no string, comment, IRI or group there, so that LIMIT is
    neither hidden in one nor inside a sub-query. Anything else (a trailing VALUES block, a
    comment) returns None and the answer is counted instead.
    """
    tail = query[query.rfind("}") + 1 :]
    if any(c in tail for c in "#\"'<{"):
        return None
    m = _LIMIT_TAIL.search(tail)
    return int(m.group(1)) if m else None


def names(formats: Sequence[Format]) -> str:
    """The formats' media types, for messages and documentation."""
    return ", ".join(f.media_type for f in formats)
