"""What the Gephi export reads from the store: one table per triple pattern, fast.

Oxigraph answers a single triple pattern as a streamed index scan, but evaluates each further
pattern of a join as an index lookup per row (10-40 µs each): one wide OPTIONAL-heavy SELECT per
claim took 10 s for 10k claims. So every read here is one pattern, and the export joins the
tables in Python dictionaries. Even so, the engine's cost is decoding terms (a dictionary lookup
per IRI or long string, 3-8 µs each): about 11 s of CPU for the 1.6 million rows of a 100k-claim
store. Hence the *export summary*: a graph may carry, as one literal, its own rows of every table
(:func:`summary_quads`). The compiler writes one into each document graph, and the derivation of
contradictions one into the contradictions graph (at 100k claims, some 100k contradictions whose
five patterns cost 4 s to read). Reading those literals, and only the few graphs without one
(ontology, reference, inferred) pattern by pattern, gives the same tables for a fraction of the
cost. Since a union of graphs is read as the union of its graphs' rows, the two ways give the
same tables, and so the same export byte for byte; the tests check it.

A summary is trusted only as a whole: each summarised graph must hold exactly one, made by this
version of the patterns (their digest is in it). Otherwise that graph is read pattern by pattern,
and when more than a few graphs are in that case the whole store is, as it was before summaries.
So whatever writes a graph whole writes its summary with it, from the same quads; whatever changes
part of it drops the summary (ingest and retraction do so for the contradictions graph, see
:data:`DROP_CONTRADICTIONS_SUMMARY`), and a graph edited by hand afterwards should lose its summary
too. Such a graph is read pattern by pattern until it is written whole again.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Final

import pyoxigraph as ox

from kg.namespaces import BC, GRAPH_CONTRADICTIONS, RDF, SCHEMA, SKOS
from kg.store import GraphStore, OxigraphStore

Columns = list[list[str]]
"""A table as columns of lexical values, as SPARQL CSV gives them (blank nodes as ``_:id``)."""

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
SUMMARY_VERSION: Final = hashlib.sha256(repr(sorted(PATTERNS.items())).encode()).hexdigest()[:16]
DROP_CONTRADICTIONS_SUMMARY: Final = (
    f"DELETE WHERE {{ GRAPH <{GRAPH_CONTRADICTIONS.value}> "
    f"{{ <{GRAPH_CONTRADICTIONS.value}> <{BC}exportSummary> ?summary }} }}"
)
"""The update a writer of single contradictions runs first: the graph's summary (written whole by
``kg.contradictions.derive``) no longer matches it, and the export then reads the graph itself."""
MAX_UNSUMMARISED: Final = 64
"""Graphs without a summary read pattern by pattern; past this, the whole store is read so."""


# --- pattern by pattern --------------------------------------------------------------------------


def table(store: GraphStore, pattern: Pattern, graphs: Sequence[str] | None = None) -> Columns:
    """One pattern's rows over the union of all graphs (or over ``graphs`` only), as columns.

    pyoxigraph writes the whole answer as SPARQL CSV in Rust; an answer with nothing quoted in it
    (IRIs and dates) is split into columns by two string methods, anything else by the csv module.
    That costs about half of walking the solutions in Python (a solution, a term and a string per
    value) and makes no object per row. CSV keeps lexical forms only, which is all the export uses.
    """
    width = pattern.width
    if graphs is not None and not graphs:
        return [[] for _ in range(width)]
    result = store.query(pattern.sparql(), default_graphs=graphs, prefixes=False)
    if not isinstance(result, ox.QuerySolutions):
        raise TypeError("a SELECT answers with solutions")
    text = (result.serialize(format=ox.QueryResultsFormat.CSV) or b"").decode("utf-8")
    body = text.partition("\r\n")[2]
    if '"' not in body:  # nothing quoted: no comma or line break inside a value
        flat = body.replace("\r\n", ",").split(",")
        flat.pop()  # after the last line break
        return [flat[i::width] for i in range(width)]
    rows = list(csv.reader(io.StringIO(body, newline="")))
    if not rows:
        return [[] for _ in range(width)]
    return [list(column) for column in zip(*rows, strict=True)]


def _tables(store: GraphStore, names: Sequence[str], graphs: Sequence[str] | None) -> dict[str, Columns]:
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
        by_predicate: dict[str, list[tuple[str, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple]]] = {}
        for q in scratch.quads():
            by_predicate.setdefault(q.predicate.value, []).append((_lexical(q.subject), q.object))
        terms: dict[str, int] = {}
        rows: dict[str, list[int]] = {}
        for name, pattern in PATTERNS.items():
            table_rows: list[tuple[str, ...]] = []
            for s, o in by_predicate.get(pattern.predicate, ()):
                value = _lexical(o)
                if pattern.objects and value not in pattern.objects:
                    continue
                if pattern.subjects_only:
                    table_rows.append((s,))
                elif pattern.with_language:
                    table_rows.append((s, value, (o.language or "") if isinstance(o, ox.Literal) else ""))
                else:
                    table_rows.append((s, value))
            # Sorted: the store's iteration order is not stable from one process to the next, and
            # the same graph must give the same literal (a rebuild leaves the same quads).
            table_rows.sort()
            flat = [terms.setdefault(v, len(terms)) for row in table_rows for v in row]
            if flat:
                rows[name] = flat
        text = json.dumps(
            {"version": SUMMARY_VERSION, "terms": list(terms), "rows": rows},
            ensure_ascii=False,
            separators=(",", ":"),
        )
        out.append(ox.Quad(graph, ox.NamedNode(SUMMARY_PREDICATE), ox.Literal(text), graph))
    return out


_CURRENT: Final = '{"version":"' + SUMMARY_VERSION + '"'


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


def _merge(texts: Iterable[str], names: Sequence[str], into: dict[str, Columns]) -> bool:
    """Add the summaries' rows of the named tables to ``into``; False if one cannot be read."""
    for text in texts:
        try:
            summary = json.loads(text)
            terms = summary["terms"].__getitem__
            rows: Mapping[str, list[int]] = summary["rows"]
            for name in names:
                flat = rows.get(name)
                if not flat:
                    continue
                columns = into[name]
                width = len(columns)
                if width == 1:
                    columns[0].extend(map(terms, flat))
                else:
                    for i in range(width):
                        columns[i].extend(map(terms, flat[i::width]))
        except (ValueError, TypeError, KeyError, IndexError, AttributeError):
            return False
    return True


def read_tables(store: GraphStore, names: Iterable[str]) -> dict[str, Columns]:
    """The named tables over the union of all graphs: from the summaries where they can be trusted."""
    wanted = list(dict.fromkeys(names))
    summaries, rest = _plan(store)
    if summaries and len(rest) <= MAX_UNSUMMARISED:
        with ThreadPoolExecutor(max_workers=1) as pool:
            live = pool.submit(_tables, store, wanted, rest)  # while the summaries are parsed
            merged: dict[str, Columns] = {n: [[] for _ in range(PATTERNS[n].width)] for n in wanted}
            readable = _merge(summaries.values(), wanted, merged)
            others = live.result()
        if readable:
            for name, columns in others.items():
                for mine, theirs in zip(merged[name], columns, strict=True):
                    mine.extend(theirs)
            return merged
    return _tables(store, wanted, None)
