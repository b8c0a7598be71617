"""What the Gephi export reads from the store: one table per triple pattern, fast.

Oxigraph answers a single triple pattern as a streamed index scan, but evaluates each further
pattern of a join as an index lookup per row (10-40 µs each): one wide OPTIONAL-heavy SELECT per
claim took 10 s for 10k claims. So every read here is one pattern, and the export joins the
tables in polars (:mod:`kg.gephi_frames`). Even so, the engine's cost is decoding terms (a dictionary lookup
per IRI or long string, 3-8 µs each): about 11 s of CPU for the 1.6 million rows of a 100k-claim
store. Hence the *export summary*: a graph may carry, as one literal, its own rows of every table
(:func:`summary_quads`). The compiler writes one into each document graph, and the derivation of
contradictions one into the contradictions graph (at 100k claims, some 100k contradictions whose
five patterns cost 4 s to read). Reading those literals, and only the few graphs without one
(ontology, reference, inferred) pattern by pattern, gives the same tables for a fraction of the
cost. Since a union of graphs is read as the union of its graphs' rows, the two ways give the
same tables, and so the same export byte for byte; the tests check it.

A summary also holds the join the export does per claim and per proposition, done once when the
graph is written: *records* (:func:`_claim_records`, :func:`_prop_records`) for the claims and
propositions the graph describes regularly (one value per pattern), whose rows then leave the
summary's tables. At 100k claims that spares the reader a dozen joins of 100k rows. Records
keep the union semantics: the reader uses them only when no row outside them is about a recorded
node (:func:`records_apart`, :func:`props_apart`: another graph's, say an inferred type, or a
hand edit), and otherwise puts them back into the tables first, so the join sees exactly the
rows the triples give.

A summary is trusted only as a whole: each summarised graph must hold exactly one, made by this
version of the patterns (their digest is in it). Otherwise that graph is read pattern by pattern,
and when more than a few graphs are in that case the whole store is, as it was before summaries.
So whatever writes a graph whole writes its summary with it, from the same quads; whatever changes
part of it drops the summary (ingest and retraction do so for the contradictions graph, see
:data:`DROP_CONTRADICTIONS_SUMMARY`), and a graph edited by hand afterwards should lose its summary
too. Such a graph is read pattern by pattern until it is written whole again.
"""

from __future__ import annotations

import base64
import hashlib
import os
import struct
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Final

import pyoxigraph as ox

from kg.namespaces import BC, GRAPH_CONTRADICTIONS, RDF, SCHEMA, SKOS
from kg.store import GraphStore, OxigraphStore

if TYPE_CHECKING:  # polars is imported by the first export, not by every command and the service
    import polars as pl

    # A table as a frame of lexical values, as SPARQL CSV gives them (blank nodes as ``_:id``):
    # columns ``s``, ``o`` and ``lang`` as wide as its pattern; records have RECORD_FIELDS or
    # PROP_FIELDS as columns, null where a graph has no value.
    Table = pl.DataFrame

ACTOR_CLASSES: Final = (
    "State",
    "Person",
    "NonStateArmedGroup",
    "Organisation",
    "Outlet",
    "DiplomaticMission",
    "CollectiveActor",
    "UnnamedSource",
)
# Most specific first: an inferred graph may add the superclasses (a Request is a Message).
PROPOSITION_CLASSES: Final = (
    "Request",
    "Warning",
    "Message",
    "MessageExchange",
    "Negotiation",
    "Talks",
    "Communication",
    "PositionStatement",
)


@dataclass(frozen=True)
class Pattern:
    """``?s <predicate> ?o``, read as the columns s, o (and the language of o, for labels).

    ``objects`` restricts o to those IRIs; with ``subjects_only`` (one object) only s is read,
    which saves decoding a term per row.
    """

    predicate: str
    objects: tuple[str, ...] = ()
    subjects_only: bool = False
    with_language: bool = False

    @property
    def width(self) -> int:
        return 1 if self.subjects_only else 3 if self.with_language else 2

    @property
    def columns(self) -> tuple[str, ...]:
        return ("s", "o", "lang")[: self.width]

    def sparql(self) -> str:
        if self.subjects_only:
            return f"SELECT ?s WHERE {{ ?s <{self.predicate}> <{self.objects[0]}> }}"
        if self.with_language:
            return f"SELECT ?s ?o ?lang WHERE {{ ?s <{self.predicate}> ?o BIND(LANG(?o) AS ?lang) }}"
        if self.objects:
            values = " ".join(f"<{o}>" for o in self.objects)
            return f"SELECT ?s ?o WHERE {{ VALUES ?o {{ {values} }} ?s <{self.predicate}> ?o }}"
        return f"SELECT ?s ?o WHERE {{ ?s <{self.predicate}> ?o }}"


def _bc(local: str) -> str:
    return BC + local


PATTERNS: Final[dict[str, Pattern]] = {
    "claimant": Pattern(_bc("claimant")),
    "proposition": Pattern(_bc("proposition")),
    "document": Pattern(_bc("sourceDocument")),
    "denies": Pattern(_bc("stance"), (_bc("Denies"),), subjects_only=True),
    "affirms": Pattern(_bc("stance"), (_bc("Affirms"),), subjects_only=True),
    "stated_at": Pattern(_bc("statedAt")),
    "window_start": Pattern(_bc("windowStart")),
    "window_end": Pattern(_bc("windowEnd")),
    "attribution": Pattern(_bc("attribution")),
    "confidence": Pattern(_bc("confidence")),
    "date": Pattern(_bc("date")),
    "not_after": Pattern(_bc("notAfter")),
    "not_before": Pattern(_bc("notBefore")),
    "stated_status": Pattern(_bc("dateStatus"), (_bc("Stated"),), subjects_only=True),
    "inferred_status": Pattern(_bc("dateStatus"), (_bc("Inferred"),), subjects_only=True),
    "prop_type": Pattern(RDF + "type", tuple(_bc(c) for c in PROPOSITION_CLASSES)),
    "summary": Pattern(_bc("summary")),
    "channel": Pattern(_bc("viaChannel")),
    "direct": Pattern(_bc("isDirect")),
    "initiator": Pattern(_bc("initiator")),
    "sender": Pattern(_bc("sender")),
    "recipient": Pattern(_bc("recipient")),
    "party": Pattern(_bc("party")),
    "concerns": Pattern(_bc("concerns")),
    "actor_type": Pattern(RDF + "type", tuple(_bc(c) for c in ACTOR_CLASSES)),
    "label": Pattern(SKOS + "prefLabel", with_language=True),
    "file": Pattern(_bc("sourceFile")),
    "headline": Pattern(SCHEMA + "headline"),
    "outlet": Pattern(_bc("outlet")),
    "published": Pattern(_bc("publicationDate")),
    # A contradiction in five patterns rather than one join: the join took 130 µs a row.
    "contradiction": Pattern(RDF + "type", (_bc("Contradiction"),), subjects_only=True),
    "first_claim": Pattern(_bc("firstClaim")),
    "second_claim": Pattern(_bc("secondClaim")),
    "point": Pattern(_bc("point")),
    "reason": Pattern(_bc("reason")),
}

SUMMARY_PREDICATE: Final = _bc("exportSummary")
"""``<graph> bc:exportSummary "…"`` inside the graph it summarises."""
CLAIM_RECORDS: Final = "claim_records"
"""The pseudo-table of claim records (see :func:`_claim_records`), read like a table."""
_CLAIM_KEYED: Final = (
    "claimant",
    "proposition",
    "document",
    "stated_at",
    "window_start",
    "window_end",
    "attribution",
    "confidence",
)
_NODE_KEYED: Final = ("date", "not_after", "not_before")
RECORD_FIELDS: Final = ("claim", *_CLAIM_KEYED, "stance", *_NODE_KEYED, "status")
"""A claim record's columns: the claim, its one value of each claim pattern, its stance
(``denies``, ``affirms``), its statement node's one value of each date pattern, and that node's
status (``stated``, ``inferred``); None where the graph has no row."""
PROP_RECORDS: Final = "prop_records"
"""The pseudo-table of proposition records (see :func:`_prop_records`)."""
_PROP_KEYED: Final = ("prop_type", "summary", "channel", "direct", "initiator")
PROP_FIELDS: Final = ("prop", *_PROP_KEYED)
"""A proposition record's columns: the proposition and its one value of each pattern (one type)."""
_FORMAT: Final = "sections: terms, then per table and kind of record its indexes as base64 int32"
SUMMARY_VERSION: Final = hashlib.sha256(
    repr((sorted(PATTERNS.items()), RECORD_FIELDS, PROP_FIELDS, _FORMAT)).encode()
).hexdigest()[:16]
SUMMARY_HEADER: Final = "backchannel-kg export summary " + SUMMARY_VERSION
_SECTION: Final = "\x1e"  # between sections
_TERM: Final = "\x1f"  # before each term
_PADDING: Final = -2  # fills a section's last base64 quantum
_SECTIONS: Final = ("terms", *PATTERNS, CLAIM_RECORDS, PROP_RECORDS)
_SEPARATORS: Final = frozenset(_SECTION + _TERM)
DROP_CONTRADICTIONS_SUMMARY: Final = (
    f"DELETE WHERE {{ GRAPH <{GRAPH_CONTRADICTIONS.value}> "
    f"{{ <{GRAPH_CONTRADICTIONS.value}> <{BC}exportSummary> ?summary }} }}"
)
"""The update a writer of single contradictions runs first: the graph's summary (written whole by
``kg.contradictions.derive``) no longer matches it, and the export then reads the graph itself."""
MAX_UNSUMMARISED: Final = 64
"""Graphs without a summary read pattern by pattern; past this, the whole store is read so."""


# --- pattern by pattern --------------------------------------------------------------------------


def empty(columns: Sequence[str]) -> Table:
    import polars as pl

    return pl.DataFrame(schema=dict.fromkeys(columns, pl.String))


def table(store: GraphStore, pattern: Pattern, graphs: Sequence[str] | None = None) -> Table:
    """One pattern's rows over the union of all graphs (or over ``graphs`` only).

    pyoxigraph writes the whole answer as SPARQL CSV in Rust, and polars parses it in Rust: no
    Python object per row or value. CSV keeps lexical forms only, which is all the export uses.
    """
    import polars as pl

    if graphs is not None and not graphs:
        return empty(pattern.columns)
    result = store.query(pattern.sparql(), default_graphs=graphs, prefixes=False)
    if not isinstance(result, ox.QuerySolutions):
        raise TypeError("a SELECT answers with solutions")
    data = result.serialize(format=ox.QueryResultsFormat.CSV) or b""
    return pl.read_csv(
        data,
        schema=dict.fromkeys(pattern.columns, pl.String),
        empty_string_is_null=False,
        raise_if_empty=False,
    )


def _tables(store: GraphStore, names: Sequence[str], graphs: Sequence[str] | None) -> dict[str, Table]:
    """The named tables, in parallel threads: pyoxigraph lets go of the GIL while it evaluates and
    serialises (two threads measured at 1.7 cores), and a remote engine's answers overlap."""
    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        answers = pool.map(lambda name: table(store, PATTERNS[name], graphs), names)
        return dict(zip(names, answers, strict=True))


# --- export summaries ------------------------------------------------------------------------------


def _lexical(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> str:
    """A term as SPARQL CSV writes it."""
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    if isinstance(term, ox.Triple):
        raise TypeError("RDF-star triples are not part of the export")
    return term.value


Object = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


def summary_quads(quads: Iterable[ox.Quad]) -> list[ox.Quad]:
    """The export summary of each graph among ``quads``: one quad per graph, to store with them.

    Meant for a compiled document (its graph's complete content). The values are taken after a
    round trip through an in-memory store, so they have the lexical forms the store will give
    (Oxigraph writes ``"1"^^xsd:boolean`` back as ``true``).
    """
    by_graph: dict[ox.NamedNode, list[ox.Quad]] = {}
    for q in quads:
        if isinstance(q.graph_name, ox.NamedNode) and q.predicate.value != SUMMARY_PREDICATE:
            by_graph.setdefault(q.graph_name, []).append(q)
    out = []
    for graph, content in by_graph.items():
        scratch = OxigraphStore.open(None)  # in memory: freed with the object (close() would collect)
        scratch.bulk_add(content)
        by_predicate: dict[str, list[tuple[str, Object]]] = {}
        for q in scratch.quads():
            by_predicate.setdefault(q.predicate.value, []).append((_lexical(q.subject), q.object))
        quad = _summary_quad(graph, partial(_rows_of, by_predicate))
        if quad is not None:
            out.append(quad)
    return out


def _rows_of(by_predicate: dict[str, list[tuple[str, Object]]], predicate: str) -> list[tuple[str, Object]]:
    return by_predicate.get(predicate, [])


def stored_summary_quad(store: GraphStore, graph: ox.NamedNode) -> ox.Quad | None:
    """The export summary of a graph the store already holds, read from it predicate by predicate.

    For a derived graph too large to hold as quads: only its rows are kept (the contradictions of
    a million claims are millions of quads), and the lexical forms are the store's own.
    """

    read: dict[str, list[tuple[str, Object]]] = {}

    def pairs(predicate: str) -> list[tuple[str, Object]]:  # once each: tables share predicates
        if predicate not in read:
            query = f"SELECT ?s ?o WHERE {{ GRAPH <{graph.value}> {{ ?s <{predicate}> ?o }} }}"
            read[predicate] = [
                (_lexical(s), o)
                for s, o in ((solution[0], solution[1]) for solution in store.solutions(query))
                if s is not None and o is not None and not isinstance(s, ox.Literal)
            ]
        return read[predicate]

    return _summary_quad(graph, pairs)


def _summary_quad(
    graph: ox.NamedNode, pairs: Callable[[str], Iterable[tuple[str, Object]]]
) -> ox.Quad | None:
    """The summary of one graph from its (subject, object) pairs by predicate; None for a graph
    with a value the summary cannot hold (one with its separators, U+001E or U+001F: such a graph
    is read pattern by pattern)."""
    tables: dict[str, list[tuple[str, ...]]] = {}
    for name, pattern in PATTERNS.items():
        table_rows: list[tuple[str, ...]] = []
        for s, o in pairs(pattern.predicate):
            value = _lexical(o)
            if pattern.objects and value not in pattern.objects:
                continue
            if pattern.subjects_only:
                table_rows.append((s,))
            elif pattern.with_language:
                table_rows.append((s, value, (o.language or "") if isinstance(o, ox.Literal) else ""))
            else:
                table_rows.append((s, value))
        tables[name] = table_rows
    text = _summary_text(tables)
    if text is None:
        return None
    return ox.Quad(graph, ox.NamedNode(SUMMARY_PREDICATE), ox.Literal(text), graph)


def _summary_text(tables: dict[str, list[tuple[str, ...]]]) -> str | None:
    """One graph's tables (and claim and proposition records) as the summary literal.

    Sections apart by U+001E: a header naming the version, the graph's distinct terms (each after
    a U+001F), then for each table and kind of record the indexes of its values into the terms,
    flattened row by row (-1 for no value), as little-endian 32-bit integers in base64, padded
    with -2 to a multiple of three so that no section needs base64's own padding. Rather than
    JSON, so that the reader decodes the indexes of every summary with one call per table and
    looks them up in polars: no Python object per value. None when a term holds a separator.
    """
    records = _claim_records(tables)
    props = _prop_records(tables)
    terms: dict[str, int] = {}

    def index(value: str | None) -> int:
        return -1 if value is None else terms.setdefault(value, len(terms))

    sections = []
    for name in PATTERNS:
        table_rows = tables[name]
        # Sorted: the store's iteration order is not stable from one process to the next, and
        # the same graph must give the same literal (a rebuild leaves the same quads).
        table_rows.sort()
        sections.append([index(v) for row in table_rows for v in row])
    sections.append([index(v) for record in records for v in record])
    sections.append([index(v) for record in props for v in record])
    if any(not _SEPARATORS.isdisjoint(term) for term in terms):
        return None
    parts = [SUMMARY_HEADER, "".join(_TERM + term for term in terms)]
    for flat in sections:
        flat += [_PADDING] * (-len(flat) % 3)
        parts.append(base64.b64encode(struct.pack(f"<{len(flat)}i", *flat)).decode("ascii"))
    return _SECTION.join(parts)


def _claim_records(tables: dict[str, list[tuple[str, ...]]]) -> list[tuple[str | None, ...]]:
    """Take out of one graph's tables the rows of each claim that the graph describes alone.

    The export joins a dozen tables per claim; a record is that join done once, when the graph is
    written. A claim qualifies when the graph gives it one claimant, at most one value of every
    other claim pattern, at most one stance, and a statement node of its own with at most one
    value of each date pattern and one status. Its rows (and its statement node's) leave the
    tables for the record, so the tables and the records together still hold exactly the graph's
    rows; anything irregular stays in the tables. Records are sorted, like the tables.
    """
    by: dict[str, dict[str, list[str]]] = {}
    for name in (*_CLAIM_KEYED, *_NODE_KEYED):
        index: dict[str, list[str]] = {}
        for s, o in tables[name]:
            index.setdefault(s, []).append(o)
        by[name] = index
    flags: dict[str, set[str]] = {n: {r[0] for r in tables[n]} for n in ("denies", "affirms")}
    flags.update({n: {r[0] for r in tables[n]} for n in ("stated_status", "inferred_status")})
    statement_of: dict[str, int] = {}
    for _, pointed in tables["stated_at"]:
        statement_of[pointed] = statement_of.get(pointed, 0) + 1
    claims = set(by["claimant"])
    published = {o for _, o in tables["published"]}

    def single(name: str, subject: str) -> tuple[bool, str | None]:
        values = by[name].get(subject, ())
        return len(values) <= 1, values[0] if values else None

    records: list[tuple[str | None, ...]] = []
    taken: set[str] = set()
    nodes: set[str] = set()
    for c in sorted(claims):
        both_stances = c in flags["denies"] and c in flags["affirms"]
        if len(by["claimant"][c]) != 1 or c in statement_of or both_stances:
            continue
        values: list[str | None] = [c]
        ok = True
        for name in _CLAIM_KEYED:
            one, value = single(name, c)
            ok = ok and one
            values.append(value)
        values.append("denies" if c in flags["denies"] else "affirms" if c in flags["affirms"] else None)
        node = values[1 + _CLAIM_KEYED.index("stated_at")]
        if node is not None:
            ok = ok and statement_of[node] == 1 and node not in claims and node not in published
            ok = ok and not (node in flags["stated_status"] and node in flags["inferred_status"])
        for name in _NODE_KEYED:
            one, value = single(name, node) if node is not None else (True, None)
            ok = ok and one
            values.append(value)
        status = None
        if node is not None and node in flags["stated_status"]:
            status = "stated"
        elif node is not None and node in flags["inferred_status"]:
            status = "inferred"
        values.append(status)
        if ok:
            records.append(tuple(values))
            taken.add(c)
            if node is not None:
                nodes.add(node)
    if records:
        for name in (*_CLAIM_KEYED, "denies", "affirms"):
            tables[name] = [r for r in tables[name] if r[0] not in taken]
        for name in (*_NODE_KEYED, "stated_status", "inferred_status"):
            tables[name] = [r for r in tables[name] if r[0] not in nodes]
    return records


def _prop_records(tables: dict[str, list[tuple[str, ...]]]) -> list[tuple[str | None, ...]]:
    """The same for propositions: one of the proposition types, at most one value of the others."""
    by: dict[str, dict[str, list[str]]] = {}
    for name in _PROP_KEYED:
        index: dict[str, list[str]] = {}
        for s, o in tables[name]:
            index.setdefault(s, []).append(o)
        by[name] = index
    records: list[tuple[str | None, ...]] = []
    for p in sorted(by["prop_type"]):
        values = [by[name].get(p, ()) for name in _PROP_KEYED]
        if len(values[0]) == 1 and all(len(v) <= 1 for v in values):
            records.append((p, *(v[0] if v else None for v in values)))
    if records:
        taken = {r[0] for r in records}
        for name in _PROP_KEYED:
            tables[name] = [r for r in tables[name] if r[0] not in taken]
    return records


def _fields(name: str) -> tuple[str, ...]:
    return (
        RECORD_FIELDS
        if name == CLAIM_RECORDS
        else PROP_FIELDS
        if name == PROP_RECORDS
        else PATTERNS[name].columns
    )


def _keys(tables: Mapping[str, Table], names: Iterable[str], column: str = "s") -> pl.Series:
    """The values of one column of the named tables present, as one series."""
    import polars as pl

    found = [tables[n].get_column(column) for n in names if n in tables]
    return pl.concat(found) if found else pl.Series(column, [], dtype=pl.String)


def _meets(values: pl.Series, others: pl.Series) -> bool:
    return bool(values.len() and others.len() and values.is_in(others.implode()).any())


def props_apart(tables: Mapping[str, Table]) -> bool:
    """Whether the proposition records can be used as they are (see :func:`records_apart`)."""
    records = tables.get(PROP_RECORDS)
    if records is None or records.height == 0:
        return True
    props = records.get_column("prop")
    if props.n_unique() != props.len():
        return False
    return not _meets(props, _keys(tables, _PROP_KEYED))


def expand_props(tables: dict[str, Table]) -> None:
    """Put the proposition records back into the tables they were taken from (those present)."""
    import polars as pl

    records = tables.pop(PROP_RECORDS, None)
    if records is None or records.height == 0:
        return
    for name in _PROP_KEYED:
        if name in tables:
            rows = records.select(s="prop", o=name).filter(pl.col("o").is_not_null())
            tables[name] = pl.concat([tables[name], rows])


def records_apart(tables: Mapping[str, Table]) -> bool:
    """Whether the claim records can be used as they are: no row outside them (another graph's,
    or one left in the tables) is about a recorded claim or its statement node, and no two records
    share either. Otherwise :func:`expand_records` puts them back into the tables."""
    import polars as pl

    records = tables.get(CLAIM_RECORDS)
    if records is None or records.height == 0:
        return True
    claims = records.get_column("claim")
    nodes = records.get_column("stated_at").drop_nulls()
    if claims.n_unique() != claims.len() or nodes.n_unique() != nodes.len() or _meets(claims, nodes):
        return False
    if _meets(claims, _keys(tables, (*_CLAIM_KEYED, "denies", "affirms"))):
        return False
    node_rows = pl.concat(
        [
            _keys(tables, (*_NODE_KEYED, "stated_status", "inferred_status")),
            _keys(tables, ("stated_at", "published"), "o").alias("s"),  # what else points at one
        ]
    )
    return not _meets(nodes, node_rows)


def expand_records(tables: dict[str, Table]) -> None:
    """Put the claim records back into the tables they were taken from (those present)."""
    import polars as pl

    records = tables.pop(CLAIM_RECORDS, None)
    if records is None or records.height == 0:
        return
    for name in _CLAIM_KEYED:
        if name in tables:
            rows = records.select(s="claim", o=name).filter(pl.col("o").is_not_null())
            tables[name] = pl.concat([tables[name], rows])
    for name in _NODE_KEYED:
        if name in tables:
            rows = records.select(s="stated_at", o=name).filter(
                pl.col("s").is_not_null() & pl.col("o").is_not_null()
            )
            tables[name] = pl.concat([tables[name], rows])
    for name, key, field, flag in (
        ("denies", "claim", "stance", "denies"),
        ("affirms", "claim", "stance", "affirms"),
        ("stated_status", "stated_at", "status", "stated"),
        ("inferred_status", "stated_at", "status", "inferred"),
    ):
        if name in tables:
            rows = records.filter((pl.col(field) == flag) & pl.col(key).is_not_null()).select(s=key)
            tables[name] = pl.concat([tables[name], rows])


def _plan(store: GraphStore) -> tuple[dict[str, str], list[str]]:
    """The current summary of each graph that has exactly one, and the graphs to read otherwise
    (none listed when no graph has a summary: listing them costs a scan on a remote engine).

    The summaries are a few large literals: walked in Python, cheaper than written out as CSV.
    """
    found: dict[str, list[str]] = {}
    query = f"SELECT ?g ?x WHERE {{ GRAPH ?g {{ ?g <{SUMMARY_PREDICATE}> ?x }} }}"
    for solution in store.solutions(query):
        graph, text = solution[0], solution[1]
        if graph is not None and text is not None:
            found.setdefault(graph.value, []).append(text.value)
    if not found:
        return {}, []  # the common case before summaries: no need to list the graphs
    summaries = {
        g: texts[0] for g, texts in found.items() if len(texts) == 1 and texts[0].startswith(_CURRENT)
    }
    return summaries, [g for g in store.graphs() if g not in summaries]


def summary_coverage(store: GraphStore) -> tuple[int, int]:
    """How many graphs the export reads from their summary, and how many pattern by pattern."""
    summaries, rest = _plan(store)
    return len(summaries), len(rest) if summaries else len(store.graphs())


_CURRENT: Final = SUMMARY_HEADER + _SECTION


def _merge(texts: Sequence[str], names: Sequence[str]) -> dict[str, Table] | None:
    """The summaries' rows of the named tables and their records; None if one cannot be read.

    The literals become one polars column, split there into sections; the terms of all summaries
    become one column more, and each table's indexes, from all summaries at once, one base64
    decoding (the sections are whole base64 quanta, so joined they decode as one) into numpy,
    where each index becomes a position among all the terms by its summary's offset; then a
    gather. No Python object per value: at 100k claims that is a sixth of the time parsing the
    summaries as JSON and spreading their values took.
    """
    import numpy as np
    import polars as pl

    wanted = [*names, CLAIM_RECORDS, PROP_RECORDS]
    out: dict[str, Table] = {}
    try:
        split = pl.Series("x", texts, dtype=pl.String).str.split(_SECTION)
        if not split.list.len().eq(len(_SECTIONS) + 1).all():
            return None
        sections = split.to_frame().select(
            pl.col("x").list.get(k).alias(name) for k, name in enumerate(_SECTIONS, start=1)
        )
        del split
        terms = sections.get_column("terms").str.split(_TERM)  # [""] + terms, each
        lengths = terms.list.len().cast(pl.Int32).to_numpy()
        none = int(lengths.sum())  # the position of a null appended to all the terms
        everything = pl.concat([terms.explode(), pl.Series([None], dtype=pl.String)])
        del terms
        offsets = np.cumsum(lengths) - lengths + 1  # a summary's first term (after its "")

        def table(name: str) -> Table | None:
            encoded = sections.get_column(name)
            sizes = encoded.str.len_bytes().cast(pl.Int64).to_numpy()
            if (sizes % 16).any():
                return None
            decoded = encoded.str.join("").str.decode("base64").item()
            indexes = np.frombuffer(decoded or b"", dtype="<i4")
            counts = sizes // 16 * 3
            kept = indexes != _PADDING
            indexes = indexes[kept]
            if ((indexes < -1) | (indexes >= np.repeat(lengths - 1, counts)[kept])).any():
                return None  # an index outside its own summary's terms
            positions = np.where(indexes == -1, none, indexes + np.repeat(offsets, counts)[kept])
            fields = _fields(name)
            width = len(fields)
            if len(positions) % width:
                return None
            rows = positions.reshape(-1, width)  # one gather per column: the strings copied once
            return pl.DataFrame({f: everything.gather(rows[:, k]) for k, f in enumerate(fields)})

        # In two threads: numpy and polars let go of the GIL, and a gather keeps one core busy.
        with ThreadPoolExecutor(max_workers=2) as pool:
            for name, frame in zip(wanted, pool.map(table, wanted), strict=True):
                if frame is None:
                    return None
                out[name] = frame
    except (pl.exceptions.PolarsError, ValueError, TypeError):
        return None
    return out


def read_tables(store: GraphStore, names: Iterable[str], *, records: bool = False) -> dict[str, Table]:
    """The named tables over the union of all graphs: from the summaries where they can be trusted.

    With ``records``, claims the summaries hold as records come as the pseudo-table
    :data:`CLAIM_RECORDS` (columns :data:`RECORD_FIELDS`) instead of as rows of the tables, when
    :func:`records_apart` says that gives the same join; otherwise they are rows as usual.
    Propositions likewise, as :data:`PROP_RECORDS` (:data:`PROP_FIELDS`, :func:`props_apart`).
    """
    import polars as pl

    wanted = list(dict.fromkeys(names))
    summaries, rest = _plan(store)
    if summaries and len(rest) <= MAX_UNSUMMARISED:
        with ThreadPoolExecutor(max_workers=1) as pool:
            live = pool.submit(_tables, store, wanted, rest)  # while the summaries are split
            merged = _merge(list(summaries.values()), wanted)
            others = live.result()
        if merged is not None:
            for name, frame in others.items():
                merged[name] = pl.concat([merged[name], frame])
            if not (records and records_apart(merged)):
                expand_records(merged)
            if not (records and props_apart(merged)):
                expand_props(merged)
            return merged
    return _tables(store, wanted, None)


def summary_tables(text: str) -> dict[str, Table]:
    """What one summary literal holds: every table and both kinds of record (for inspection and
    tests); raises ValueError if it cannot be read."""
    if not text.startswith(_CURRENT):
        raise ValueError("not a current export summary")
    tables = _merge([text], list(PATTERNS))
    if tables is None:
        raise ValueError("an export summary that cannot be read")
    return tables
