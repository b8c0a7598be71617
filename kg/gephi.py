"""Gephi exports: the claims graph as GEXF 1.3 (dynamic, with dates) and as GraphML.

Two views of the same store:

* **actors**: nodes are actors (label, kind, number of claims made; colour by kind, size by
  claims). Edges are the communications that claims speak of, one edge per claim and direction
  (sender -> recipient, with channel, directness, stance, claimant, statement date and source
  document), plus one *contradiction* edge per pair of claimants who disagree, weighted by the
  number of contradictions between their claims. A mutual communication (talks, an exchange of
  messages: ``bc:party``) is drawn as one edge each way between every two parties, each marked
  ``mutual``; that keeps the graph purely directed, so every reader (Gephi, networkx,
  graphology) sees the same edges and in/out-degrees still read "talked to". A contradiction
  edge has no direction of its own: it goes from the smaller node id to the larger.
* **claims**: nodes are actors, claims, propositions (claimed communications and stated
  positions) and documents; edges claimant -> claim -> proposition, claim -> document, the
  proposition's sender -> proposition -> recipient (or -> party, -> concerned actor), and
  claim -> claim for every contradiction (first claim to second claim).

Time (GEXF ``mode="dynamic"``, ``timeformat="date"``): a claim, and every edge that stands for it,
starts on the date the claim was stated (the best date, else the latest it can have been made,
else the earliest), a document on its publication date, a contradiction once both of its claims
are on record. Actors and propositions start with the first claim that involves them. Nothing
ends: a claim once made stays on record, so Gephi's timeline accumulates the story in order. An
item with no date, or touching one, has no time and stays visible throughout. ``date_from`` /
``date_to`` keep the claims whose timeline date lies in the range (undated claims are left out
then) and everything those claims involve.

Data comes from one table per triple pattern (:mod:`kg.gephi_read`: from the documents' export
summaries where they are current), joined in polars (:mod:`kg.gephi_frames`), laid out as frames
of nodes and edges (:mod:`kg.gephi_views`) and rendered to XML by polars string expressions
(:mod:`kg.gephi_render`): no Python object per claim, node or edge, so the work runs in Rust on
every core. Ids are node IRIs relative to the project's id base, attribute ids equal their titles
so that graphology and networkx name columns alike, and everything comes in a fixed order, so the
same store gives the same bytes. polars is imported by the first export, not by the service's
start.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Final

from kg.errors import ExportFailed, InvalidParameter, KGError
from kg.gephi_read import read_tables
from kg.namespaces import ID
from kg.store import GraphStore

if TYPE_CHECKING:
    import polars as pl

    from kg.gephi_frames import Frames

VIEWS: Final = ("actors", "claims")
GRAPH_FORMATS: Final[dict[str, str]] = {
    # Neither type is IANA-registered; these are the names Gephi, gexf.net and yEd use.
    "gexf": "application/gexf+xml",
    "graphml": "application/graphml+xml",
}


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


# --- parameters ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportOptions:
    """What to export: a view, a format and an optional range of statement dates (ISO strings)."""

    view: str
    fmt: str
    date_from: str | None = None
    date_to: str | None = None


def check_target(view: str, fmt: str) -> None:
    """Refuse an unknown view or format, naming it and the choices."""
    if view not in VIEWS:
        raise InvalidParameter(f"unknown export view {view!r}; use one of {', '.join(VIEWS)}")
    if fmt not in GRAPH_FORMATS:
        raise InvalidParameter(f"unknown graph export format {fmt!r}; use one of {', '.join(GRAPH_FORMATS)}")


def parse_date(value: str | None, name: str) -> str | None:
    """An ISO date ``YYYY-MM-DD`` (a real calendar day) or None; anything else is refused."""
    if value is None or value == "":
        return None
    text = value.strip()
    if not _DATE.fullmatch(text):
        raise InvalidParameter(f"'{name}' must be a date as YYYY-MM-DD, not {value!r}")
    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError as e:
        raise InvalidParameter(f"'{name}' is not a calendar date: {value!r} ({e})") from e


def parse_dates(date_from: str | None, date_to: str | None) -> tuple[str | None, str | None]:
    lo, hi = parse_date(date_from, "from"), parse_date(date_to, "to")
    if lo is not None and hi is not None and lo > hi:
        raise InvalidParameter(f"the date range is empty: from {lo} is after to {hi}")
    return lo, hi


def parse_options(
    view: str, fmt: str, date_from: str | None = None, date_to: str | None = None
) -> ExportOptions:
    """Check everything a user gave before any work is done (so a bad call writes nothing)."""
    check_target(view, fmt)
    lo, hi = parse_dates(date_from, date_to)
    return ExportOptions(view, fmt, lo, hi)


# --- the graph the renderer consumes -----------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """A node or edge attribute: GEXF ``<attribute id=title=name>``, GraphML ``<key attr.name>``."""

    name: str
    type: str  # string | integer | double | boolean
    description: str = ""


ACTOR_NODE_COLUMNS: Final = (
    Column("kind", "string", "class of actor (State, Person, …)"),
    Column("claims", "integer", "number of claims the actor makes in the export"),
)
ACTOR_EDGE_COLUMNS: Final = (
    Column("relation", "string", "communication or contradiction"),
    Column("communication", "string", "kind of communication claimed (Message, Talks, …)"),
    Column("channel", "string", "channel or intermediary, when stated"),
    Column("directness", "string", "direct, indirect or unstated"),
    Column("mutual", "boolean", "a mutual communication: one edge each way"),
    Column("stance", "string", "affirms or denies"),
    Column("claimant", "string", "who makes the claim"),
    Column("claim", "string", "the claim's id"),
    Column("stated", "string", "when the claim was made (YYYY-MM-DD)"),
    Column("date_status", "string", "whether the statement date is stated or inferred"),
    Column("document", "string", "source document file"),
    Column("summary", "string", "what is claimed"),
    Column("window_start", "string", "earliest date the communication can have begun"),
    Column("window_end", "string", "latest date the communication can have happened"),
    Column("points", "string", "what the two claimants disagree on"),
    Column("disagreements", "integer", "number of contradicting claim pairs"),
)
CLAIM_NODE_COLUMNS: Final = (
    Column("category", "string", "actor, claim, communication, position or document"),
    Column("kind", "string", "class: State, Claim, Message, Document, …"),
    Column("claims", "integer", "actors: number of claims made in the export"),
    Column("stance", "string", "claims: affirms or denies"),
    Column("attribution", "string", "claims: how the claim is attributed"),
    Column("confidence", "integer", "claims: Admiralty credibility 1-6, when graded"),
    Column("stated", "string", "claims: when the claim was made (YYYY-MM-DD)"),
    Column("date_status", "string", "claims: statement date stated or inferred"),
    Column("window_start", "string", "claims: earliest date the communication can have begun"),
    Column("window_end", "string", "claims: latest date the communication can have happened"),
    Column("summary", "string", "propositions: what is claimed"),
    Column("channel", "string", "communications: channel or intermediary"),
    Column("directness", "string", "communications: direct, indirect or unstated"),
    Column("initiator", "string", "communications: who started it, when stated"),
    Column("title", "string", "documents: headline"),
    Column("file", "string", "documents: source file"),
    Column("outlet", "string", "documents: publishing outlet"),
    Column("published", "string", "documents: publication date (YYYY-MM-DD)"),
)
CLAIM_EDGE_COLUMNS: Final = (
    Column("relation", "string", "makes, claims, source, sender, recipient, party, concerns, contradicts"),
    Column("stance", "string", "claims edges: affirms or denies"),
    Column("point", "string", "contradicts edges: what the claims disagree on"),
    Column("reason", "string", "contradicts edges: the disagreement in words"),
)


@dataclass
class GraphExport:
    """One view, ready to write: a frame of nodes sorted by id, frames of edges in a fixed order.

    Both are made when first asked for (:mod:`kg.gephi_views`): the edges part by part, so that a
    million claims never hold every edge's rendered text at once. Every edge's endpoints are among
    the nodes by construction; ``size`` is the number of nodes, known before they are made.
    """

    view: str
    description: str
    node_columns: tuple[Column, ...]
    edge_columns: tuple[Column, ...]
    make_nodes: Callable[[], pl.DataFrame]
    edges: Callable[[], Iterator[pl.DataFrame]]
    size: int
    date_from: str | None = None
    date_to: str | None = None

    @property
    def nodes(self) -> pl.DataFrame:
        if self._nodes is None:
            self._nodes = self.make_nodes()
        return self._nodes

    _nodes: pl.DataFrame | None = None


@dataclass
class WriteStats:
    nodes: int = 0
    edges: int = 0
    bytes: int = 0


def node_id(iri: str) -> str:
    """A node id: the IRI relative to the project's id base (``actor/iran``), else the IRI."""
    return iri[len(ID) :] if iri.startswith(ID) else iri


# What each view reads (kg.gephi_read.PATTERNS); _CLAIMS_VIEW_TABLES are for the claims view only.
_TABLES: Final = (
    "claimant",
    "proposition",
    "document",
    "denies",
    "affirms",
    "stated_at",
    "window_start",
    "window_end",
    "date",
    "not_after",
    "not_before",
    "stated_status",
    "inferred_status",
    "prop_type",
    "summary",
    "channel",
    "direct",
    "initiator",
    "sender",
    "recipient",
    "party",
    "concerns",
    "actor_type",
    "label",
    "file",
    "headline",
    "outlet",
    "published",
    "contradiction",
    "first_claim",
    "second_claim",
    "point",
)
_CLAIMS_VIEW_TABLES: Final = ("attribution", "confidence", "reason")


def _describe(view: str, summary: str, date_from: str | None, date_to: str | None) -> str:
    span = ""
    if date_from or date_to:
        span = f" Claims stated from {date_from or 'the start'} to {date_to or 'the end'}."
    return (
        f"backchannel-kg {view} view: {summary}{span} Node ids are IRIs relative to {ID}; "
        "times are statement dates (publication dates for documents)."
    )


_SUMMARIES: Final = {
    "actors": "actors linked by the communications claims speak of (one edge per claim and direction; "
    "a mutual communication is one edge each way) and by weighted contradiction edges.",
    "claims": "claimant -> claim -> proposition (with its sender, recipient, parties or concerned actors), "
    "claim -> source document, claim -> contradicting claim.",
}


def build(
    store: GraphStore,
    view: str,
    date_from: str | None = None,
    date_to: str | None = None,
    *,
    lazy: bool = False,
) -> GraphExport:
    """Read the store and lay out one view. Checks its arguments first.

    ``lazy`` leaves the nodes to be made when first written; otherwise they are made here.
    """
    check_target(view, "gexf")
    date_from, date_to = parse_dates(date_from, date_to)
    from kg import gephi_views  # polars, loaded by the first export only

    details = view == "claims"
    frames = read(store, view, date_from, date_to)
    layout = gephi_views.claims_view if details else gephi_views.actors_view
    nodes, edges, size = layout(frames)
    graph = GraphExport(
        view,
        _describe(view, _SUMMARIES[view], date_from, date_to),
        CLAIM_NODE_COLUMNS if details else ACTOR_NODE_COLUMNS,
        CLAIM_EDGE_COLUMNS if details else ACTOR_EDGE_COLUMNS,
        nodes,
        edges,
        size,
        date_from,
        date_to,
    )
    if not lazy:
        graph.nodes  # noqa: B018 (made now)
    return graph


def read(store: GraphStore, view: str, date_from: str | None = None, date_to: str | None = None) -> Frames:
    """What a view needs from the store, joined (:mod:`kg.gephi_frames`); dates already checked."""
    from kg import gephi_frames

    details = view == "claims"
    tables = read_tables(store, [*_TABLES, *(_CLAIMS_VIEW_TABLES if details else ())], records=True)
    return gephi_frames.read_frames(tables, date_from, date_to, details=details)


# --- writing -------------------------------------------------------------------------------------------


def iter_bytes(graph: GraphExport, fmt: str, stats: WriteStats | None = None) -> Iterator[bytes]:
    """The document in chunks of bytes (HTTP streams it; :func:`write` writes it)."""
    check_target(graph.view, fmt)
    from kg.gephi_render import render

    return render(
        fmt,
        graph.description,
        graph.node_columns,
        graph.edge_columns,
        graph.nodes,
        graph.edges(),
        graph.date_from,
        graph.date_to,
        stats if stats is not None else WriteStats(),
    )


CONCURRENT_MIN_NODES = 20_000
"""From this many nodes on, :func:`write` renders the edges in a second thread."""


def write(graph: GraphExport, fmt: str, out: IO[bytes]) -> WriteStats:
    """Write one view in one format to a binary stream; returns counts and size.

    A large view's edges are rendered by a second thread into a temporary file while this one
    renders and writes the head and the nodes; then they are copied in behind them. polars lets
    go of the GIL while it renders and renders a batch on little more than one core, so on two
    cores the claims view at 100k claims takes about a third less time to write. The bytes are
    those of :func:`iter_bytes`, which the HTTP routes stream.
    """
    check_target(graph.view, fmt)
    stats = WriteStats()
    try:
        if graph.size >= CONCURRENT_MIN_NODES:
            _write_concurrently(graph, fmt, out, stats)
        else:
            for chunk in iter_bytes(graph, fmt, stats):
                out.write(chunk)
    except KGError:
        raise
    except Exception as e:  # a full disk, a broken pipe, a bug: named, and the CLI leaves no file
        raise ExportFailed(f"writing the {graph.view} view as {fmt} failed: {type(e).__name__}: {e}") from e
    return stats


def _write_concurrently(graph: GraphExport, fmt: str, out: IO[bytes], stats: WriteStats) -> None:
    from kg import gephi_render as render

    head = render.head(
        fmt, graph.description, graph.node_columns, graph.edge_columns, graph.date_from, graph.date_to
    )
    edge_stats = WriteStats()
    with tempfile.TemporaryFile(prefix="kg-export-edges-") as spill, ThreadPoolExecutor(1) as pool:

        def edges() -> None:
            for chunk in render.render_edges(fmt, graph.edge_columns, graph.edges(), edge_stats):
                spill.write(chunk)

        done = pool.submit(edges)
        try:
            out.write(render.counted(head, stats))
            for chunk in render.render_nodes(fmt, graph.node_columns, graph.nodes, stats):
                out.write(chunk)
            out.write(render.counted(render.MIDDLES[fmt], stats))
        finally:
            done.result()  # waits for the edges (and raises their failure) before the file goes
        spill.seek(0)
        shutil.copyfileobj(spill, out, 1 << 20)
        stats.edges += edge_stats.edges
        stats.bytes += edge_stats.bytes
        out.write(render.counted(render.TAILS[fmt], stats))


def export(store: GraphStore, options: ExportOptions, out: IO[bytes]) -> WriteStats:
    """Read, lay out and write one export (the CLI's and the benchmark's entry point)."""
    graph = build(store, options.view, options.date_from, options.date_to, lazy=True)
    return write(graph, options.fmt, out)


def export_bytes(store: GraphStore, options: ExportOptions) -> bytes:
    """The whole export in memory (tests, small stores)."""
    graph = build(store, options.view, options.date_from, options.date_to)
    return b"".join(iter_bytes(graph, options.fmt))


__all__: Sequence[str] = (
    "GRAPH_FORMATS",
    "VIEWS",
    "Column",
    "ExportOptions",
    "GraphExport",
    "WriteStats",
    "build",
    "check_target",
    "export",
    "export_bytes",
    "iter_bytes",
    "node_id",
    "parse_dates",
    "parse_options",
    "write",
)
