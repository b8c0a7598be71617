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

Data comes from a handful of SELECTs whose rows are read as they stream; the XML is written by
hand in chunks (ids are node IRIs relative to the project's id base, attribute ids equal their
titles so that graphology and networkx name columns alike), in a fixed order, so the same store
gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import IO, Final

from kg import __version__
from kg.errors import InvalidParameter
from kg.namespaces import ID
from kg.store import GraphStore

VIEWS: Final = ("actors", "claims")
GRAPH_FORMATS: Final[dict[str, str]] = {
    # Neither type is IANA-registered; these are the names Gephi, gexf.net and yEd use.
    "gexf": "application/gexf+xml",
    "graphml": "application/graphml+xml",
}

GEXF_NS: Final = "http://gexf.net/1.3"
GEXF_VIZ_NS: Final = "http://gexf.net/1.3/viz"
GRAPHML_NS: Final = "http://graphml.graphdrawing.org/xmlns"

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
POSITION: Final = "PositionStatement"
ROLES: Final = ("sender", "recipient", "party", "concerns")  # how actors take part in a proposition

COLOURS: Final[dict[str, tuple[int, int, int]]] = {
    "State": (31, 119, 180),
    "Person": (255, 127, 14),
    "NonStateArmedGroup": (214, 39, 40),
    "Organisation": (44, 160, 44),
    "Outlet": (148, 103, 189),
    "DiplomaticMission": (140, 86, 75),
    "CollectiveActor": (227, 119, 194),
    "UnnamedSource": (127, 127, 127),
    "Actor": (188, 189, 34),
    "Claim": (23, 190, 207),
    "Document": (174, 199, 232),
    "PositionStatement": (199, 199, 199),
    "communication": (255, 187, 120),
}
EDGE_COLOURS: Final[dict[str, tuple[int, int, int]]] = {
    "affirms": (110, 110, 110),
    "denies": (214, 39, 40),
    "contradiction": (148, 103, 189),
    "contradicts": (148, 103, 189),
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


# --- the graph model the writers consume -----------------------------------------------------


@dataclass(frozen=True)
class Column:
    """A node or edge attribute: GEXF ``<attribute id=title=name>``, GraphML ``<key attr.name>``."""

    name: str
    type: str  # string | integer | double | boolean
    description: str = ""


Value = str | int | float | bool | None


@dataclass(frozen=True, slots=True)
class Node:
    id: str
    label: str
    start: str | None
    values: tuple[Value, ...]  # aligned with the graph's node columns; None = no value
    colour: tuple[int, int, int]
    size: float


@dataclass(frozen=True, slots=True)
class Edge:
    source: str
    target: str
    label: str
    start: str | None
    weight: int
    values: tuple[Value, ...]  # aligned with the graph's edge columns
    colour: tuple[int, int, int] | None = None


@dataclass
class GraphExport:
    """One view, ready to write: nodes sorted by id, edges produced in a fixed order on demand.

    Edges are a generator function rather than a list, so a million claims never hold millions
    of edge objects at once; every edge's endpoints are in ``nodes`` by construction.
    """

    view: str
    description: str
    node_columns: tuple[Column, ...]
    edge_columns: tuple[Column, ...]
    nodes: list[Node]
    edges: Callable[[], Iterator[Edge]]
    date_from: str | None = None
    date_to: str | None = None


@dataclass
class WriteStats:
    nodes: int = 0
    edges: int = 0
    bytes: int = 0


# --- reading the store -------------------------------------------------------------------------


def _rows(store: GraphStore, sparql: str, width: int) -> Iterator[tuple[str | None, ...]]:
    """Stream a SELECT's rows as tuples of lexical values (None where unbound)."""
    for sol in store.solutions(sparql):
        yield tuple(None if (t := sol[i]) is None else t.value for i in range(width))


def _local(iri: str | None) -> str | None:
    if iri is None:
        return None
    for sep in ("#", "/"):
        if sep in iri:
            return iri.rsplit(sep, 1)[1]
    return iri


def _lower(text: str | None) -> str | None:
    return None if text is None else text.lower()


def node_id(iri: str) -> str:
    """A node id: the IRI relative to the project's id base (``actor/iran``), else the IRI."""
    return iri[len(ID) :] if iri.startswith(ID) else iri


def _lt(a: str | None, b: str | None) -> str | None:
    """The smaller of two optional values (deterministic merge of repeated rows)."""
    if a is None:
        return b
    if b is None:
        return a
    return a if a <= b else b


@dataclass(slots=True)
class _Claim:
    claimant: str
    prop: str
    doc: str
    stance: str | None
    name: str | None
    attribution: str | None
    confidence: str | None
    when: str | None  # the timeline date
    status: str | None
    window_start: str | None
    window_end: str | None


@dataclass(slots=True)
class _Prop:
    kind: str
    summary: str | None = None
    channel: str | None = None
    direct: str | None = None
    initiator: str | None = None
    roles: list[tuple[str, str]] = field(default_factory=list)  # (role, actor iri)


@dataclass(slots=True)
class _Doc:
    file: str | None
    title: str | None
    outlet: str | None
    published: str | None


@dataclass
class _Data:
    claims: dict[str, _Claim]
    props: dict[str, _Prop]
    actors: dict[str, tuple[str, str]]  # iri -> (label, kind)
    docs: dict[str, _Doc]
    channels: dict[str, str]
    contradictions: list[tuple[str, str, str, str | None, str | None]]  # iri, c1, c2, point, reason


# Oxigraph answers a single triple pattern as a streamed index scan, but evaluates each further
# pattern of a join as an index lookup per row (about 10 µs each), so one wide OPTIONAL-heavy
# SELECT per claim took 10 s for 10k claims. Each query below is one pattern (or one pattern over
# a VALUES list); they run in parallel threads (pyoxigraph releases the GIL while it evaluates)
# and are joined in Python dictionaries. Patterns whose object is a fixed IRI ask only for the
# subjects, which saves decoding a term per row.
_QUERIES: Final[dict[str, tuple[str, int]]] = {
    "claimant": ("SELECT ?c ?x WHERE { ?c bc:claimant ?x }", 2),
    "proposition": ("SELECT ?c ?x WHERE { ?c bc:proposition ?x }", 2),
    "document": ("SELECT ?c ?x WHERE { ?c bc:sourceDocument ?x }", 2),
    "denies": ("SELECT ?c WHERE { ?c bc:stance bc:Denies }", 1),
    "affirms": ("SELECT ?c WHERE { ?c bc:stance bc:Affirms }", 1),
    "stated_at": ("SELECT ?c ?x WHERE { ?c bc:statedAt ?x }", 2),
    "window_start": ("SELECT ?c ?x WHERE { ?c bc:windowStart ?x }", 2),
    "window_end": ("SELECT ?c ?x WHERE { ?c bc:windowEnd ?x }", 2),
    "date": ("SELECT ?s ?x WHERE { ?s bc:date ?x }", 2),
    "not_after": ("SELECT ?s ?x WHERE { ?s bc:notAfter ?x }", 2),
    "not_before": ("SELECT ?s ?x WHERE { ?s bc:notBefore ?x }", 2),
    "stated_status": ("SELECT ?s WHERE { ?s bc:dateStatus bc:Stated }", 1),
    "inferred_status": ("SELECT ?s WHERE { ?s bc:dateStatus bc:Inferred }", 1),
    "prop_type": (
        "SELECT ?p ?x WHERE { VALUES ?x { "
        + " ".join(f"bc:{c}" for c in PROPOSITION_CLASSES)
        + " } ?p a ?x }",
        2,
    ),
    "summary": ("SELECT ?p ?x WHERE { ?p bc:summary ?x }", 2),
    "channel": ("SELECT ?p ?x WHERE { ?p bc:viaChannel ?x }", 2),
    "direct": ("SELECT ?p ?x WHERE { ?p bc:isDirect ?x }", 2),
    "initiator": ("SELECT ?p ?x WHERE { ?p bc:initiator ?x }", 2),
    "sender": ("SELECT ?p ?x WHERE { ?p bc:sender ?x }", 2),
    "recipient": ("SELECT ?p ?x WHERE { ?p bc:recipient ?x }", 2),
    "party": ("SELECT ?p ?x WHERE { ?p bc:party ?x }", 2),
    "concerns": ("SELECT ?p ?x WHERE { ?p bc:concerns ?x }", 2),
    "actor_type": (
        "SELECT ?a ?x WHERE { VALUES ?x { " + " ".join(f"bc:{c}" for c in ACTOR_CLASSES) + " } ?a a ?x }",
        2,
    ),
    "label": ("SELECT ?a ?x ?lang WHERE { ?a skos:prefLabel ?x BIND(LANG(?x) AS ?lang) }", 3),
    "file": ("SELECT ?d ?x WHERE { ?d bc:sourceFile ?x }", 2),
    "headline": ("SELECT ?d ?x WHERE { ?d schema:headline ?x }", 2),
    "outlet": ("SELECT ?d ?x WHERE { ?d bc:outlet ?x }", 2),
    "published": ("SELECT ?d ?x WHERE { ?d bc:publicationDate ?x }", 2),
    "contradiction": (
        "SELECT ?x ?c1 ?c2 ?point ?reason WHERE { ?x a bc:Contradiction ; bc:firstClaim ?c1 ; "
        "bc:secondClaim ?c2 . OPTIONAL { ?x bc:point ?point } OPTIONAL { ?x bc:reason ?reason } }",
        5,
    ),
}
# Only the claims view shows these.
_CLAIMS_VIEW_QUERIES: Final[dict[str, tuple[str, int]]] = {
    "attribution": ("SELECT ?c ?x WHERE { ?c bc:attribution ?x }", 2),
    "confidence": ("SELECT ?c ?x WHERE { ?c bc:confidence ?x }", 2),
}


def _label_rank(label: str, lang: str | None) -> tuple[int, str]:
    """English first, then untagged, then other languages; ties by text, so the choice is stable."""
    return (0 if lang == "en" else 1 if not lang else 2, label)


def _functional(rows: Iterable[tuple[str | None, ...]]) -> dict[str, str]:
    """subject -> object; a repeated value (which the shapes forbid) keeps the smallest, stably."""
    out: dict[str, str] = {}
    for s, o in rows:
        if s is None or o is None:
            continue
        old = out.get(s)
        if old is None or o < old:
            out[s] = o
    return out


def _fetch(store: GraphStore, names: Iterable[str]) -> dict[str, list[tuple[str | None, ...]]]:
    """Run the named queries in parallel threads; each answer is a list of value tuples."""
    queries = {**_QUERIES, **_CLAIMS_VIEW_QUERIES}

    def run(name: str) -> list[tuple[str | None, ...]]:
        sparql, width = queries[name]
        return list(_rows(store, sparql, width))

    wanted = list(names)
    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        return dict(zip(wanted, pool.map(run, wanted), strict=True))


def _read(store: GraphStore, date_from: str | None, date_to: str | None, *, details: bool = False) -> _Data:
    """Everything a view needs, restricted to the claims whose timeline date is in the range."""
    r = _fetch(store, [*_QUERIES, *(_CLAIMS_VIEW_QUERIES if details else ())])
    claimant, proposition = _functional(r["claimant"]), _functional(r["proposition"])
    document, stated_at = _functional(r["document"]), _functional(r["stated_at"])
    date, not_after, not_before = (
        _functional(r["date"]),
        _functional(r["not_after"]),
        _functional(r["not_before"]),
    )
    denies = {row[0] for row in r["denies"]}
    affirms = {row[0] for row in r["affirms"]}
    stated_status = {row[0] for row in r["stated_status"]}
    inferred_status = {row[0] for row in r["inferred_status"]}
    window_start, window_end = _functional(r["window_start"]), _functional(r["window_end"])
    attribution = _functional(r.get("attribution", ()))
    confidence = _functional(r.get("confidence", ()))

    def when(node: str | None) -> str | None:
        if node is None:
            return None
        return date.get(node) or not_after.get(node) or not_before.get(node)

    def status(node: str | None) -> str | None:
        if node is None:
            return None
        return "stated" if node in stated_status else "inferred" if node in inferred_status else None

    claims: dict[str, _Claim] = {}
    for c, actor in claimant.items():
        p, doc = proposition.get(c), document.get(c)
        if p is None or doc is None:
            continue
        s = stated_at.get(c)
        stance = "denies" if c in denies else "affirms" if c in affirms else None
        claims[c] = _Claim(
            actor,
            p,
            doc,
            stance,
            None,
            _local(attribution.get(c)),
            _local(confidence.get(c)),
            when(s),
            status(s),
            window_start.get(c),
            window_end.get(c),
        )
    if date_from is not None or date_to is not None:
        claims = {
            iri: c
            for iri, c in claims.items()
            if c.when is not None
            and (date_from is None or c.when >= date_from)
            and (date_to is None or c.when <= date_to)
        }

    wanted_props = {c.prop for c in claims.values()}
    rank = {c: i for i, c in enumerate(PROPOSITION_CLASSES)}
    kinds: dict[str, str] = {}
    for p, typ in r["prop_type"]:
        if p in wanted_props and typ is not None:
            kind = _local(typ) or "Communication"
            if p not in kinds or rank[kind] < rank[kinds[p]]:
                kinds[p] = kind
    summary, channel = _functional(r["summary"]), _functional(r["channel"])
    direct, initiator = _functional(r["direct"]), _functional(r["initiator"])
    props = {
        p: _Prop(
            kinds.get(p, "Communication"), summary.get(p), channel.get(p), direct.get(p), initiator.get(p)
        )
        for p in wanted_props
    }
    for role in ROLES:
        for p, a in r[role]:
            entry = props.get(p or "")
            if entry is not None and a is not None:
                entry.roles.append((role, a))
    for entry in props.values():
        entry.roles = sorted(set(entry.roles))

    actor_kind: dict[str, str] = {}
    for a, typ in r["actor_type"]:
        cls = _local(typ)
        if a is None or cls is None or cls not in ACTOR_CLASSES:
            continue
        if a not in actor_kind or ACTOR_CLASSES.index(cls) < ACTOR_CLASSES.index(actor_kind[a]):
            actor_kind[a] = cls
    labels: dict[str, tuple[tuple[int, str], str]] = {}
    for a, label, lang in r["label"]:
        if a is None or label is None:
            continue
        ranked = _label_rank(label, lang)
        if a not in labels or ranked < labels[a][0]:
            labels[a] = (ranked, label)

    def label_of(iri: str) -> str:
        return labels[iri][1] if iri in labels else (_local(iri) or iri)

    involved = {c.claimant for c in claims.values()}
    for entry in props.values():
        involved.update(a for _, a in entry.roles)
    actors = {a: (label_of(a), actor_kind.get(a, "Actor")) for a in involved}

    file, headline = _functional(r["file"]), _functional(r["headline"])
    outlet, published = _functional(r["outlet"]), _functional(r["published"])
    docs = {
        d: _Doc(
            file.get(d),
            headline.get(d),
            label_of(outlet[d]) if d in outlet else None,
            when(published.get(d)),
        )
        for d in {c.doc for c in claims.values()}
    }
    channels = {ch: label_of(ch) for ch in {p.channel for p in props.values() if p.channel}}

    unique: dict[str, tuple[str, str, str, str | None, str | None]] = {}
    for x, c1, c2, point, reason in sorted(r["contradiction"], key=lambda row: tuple(v or "" for v in row)):
        if x is None or c1 not in claims or c2 not in claims or c1 is None or c2 is None:
            continue
        unique.setdefault(x, (x, c1, c2, _local(point), reason))  # one row per contradiction
    return _Data(claims, props, actors, docs, channels, list(unique.values()))


# --- shared helpers for the views ------------------------------------------------------------


def _directness(direct: str | None) -> str:
    if direct is None:
        return "unstated"
    return "direct" if direct in ("true", "1") else "indirect"


def _first_seen(dates: Iterable[str | None]) -> str | None:
    """The earliest date, or None if any is missing (an undated item keeps its node always visible)."""
    out: str | None = None
    for d in dates:
        if d is None:
            return None
        out = d if out is None or d < out else out
    return out


def _both_on_record(a: str | None, b: str | None) -> str | None:
    return None if a is None or b is None else max(a, b)


def _actor_size(claims: int) -> float:
    return round(10.0 + 6.0 * math.log2(1 + claims), 2)


def _summary_label(text: str | None, fallback: str, limit: int = 60) -> str:
    if not text:
        return fallback
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _claim_name(iri: str, claim: _Claim) -> str:
    return claim.name or (_local(iri) or iri)


def _describe(view: str, summary: str, date_from: str | None, date_to: str | None) -> str:
    span = ""
    if date_from or date_to:
        span = f" Claims stated from {date_from or 'the start'} to {date_to or 'the end'}."
    return (
        f"backchannel-kg {view} view: {summary}{span} Node ids are IRIs relative to {ID}; "
        "times are statement dates (publication dates for documents)."
    )


# --- the actors view ---------------------------------------------------------------------------

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


def _actors_view(data: _Data, date_from: str | None, date_to: str | None) -> GraphExport:
    claims_made: dict[str, int] = defaultdict(int)
    seen: dict[str, list[str | None]] = defaultdict(list)  # actor -> dates of what involves it
    comm_claims: list[tuple[str, _Claim, _Prop, list[tuple[str, str, bool]]]] = []
    for iri in sorted(data.claims):
        c = data.claims[iri]
        claims_made[c.claimant] += 1
        seen[c.claimant].append(c.when)
        prop = data.props[c.prop]
        if prop.kind == POSITION:
            continue
        pairs = _pairs(prop)
        if pairs:
            comm_claims.append((iri, c, prop, pairs))
            for s, t, _ in pairs:
                seen[s].append(c.when)
                seen[t].append(c.when)

    # Contradictions between claimants, folded into one weighted edge per unordered pair.
    disputes: dict[tuple[str, str], list[tuple[str | None, str | None]]] = defaultdict(list)
    for _, c1, c2, point, _reason in data.contradictions:
        a, b = data.claims[c1].claimant, data.claims[c2].claimant
        key = (a, b) if node_id(a) <= node_id(b) else (b, a)
        disputes[key].append(
            (_both_on_record(data.claims[c1].when, data.claims[c2].when), _point_name(point))
        )
    dispute_start: dict[tuple[str, str], str | None] = {}
    for key, items in disputes.items():
        start = _first_seen(d for d, _ in items)
        dispute_start[key] = start
        seen[key[0]].append(start)
        seen[key[1]].append(start)

    nodes = []
    for a in seen:
        label, kind = data.actors[a]
        n = claims_made.get(a, 0)
        nodes.append(
            Node(
                node_id(a),
                label,
                _first_seen(seen[a]),
                (kind, n),
                COLOURS.get(kind, COLOURS["Actor"]),
                _actor_size(n),
            )
        )
    nodes.sort(key=lambda n: n.id)

    def edges() -> Iterator[Edge]:
        for iri, c, prop, pairs in comm_claims:
            doc = data.docs[c.doc]
            claimant = data.actors[c.claimant][0]
            channel = data.channels.get(prop.channel, _local(prop.channel)) if prop.channel else None
            stance = c.stance or "affirms"
            for s, t, mutual in pairs:
                yield Edge(
                    node_id(s),
                    node_id(t),
                    f"{stance} {prop.kind}",
                    c.when,
                    1,
                    (
                        "communication",
                        prop.kind,
                        channel,
                        _directness(prop.direct),
                        mutual,
                        stance,
                        claimant,
                        node_id(iri),
                        c.when,
                        c.status.lower() if c.status else None,
                        doc.file,
                        prop.summary,
                        c.window_start,
                        c.window_end,
                        None,
                        None,
                    ),
                    EDGE_COLOURS.get(stance),
                )
        for key in sorted(disputes, key=lambda k: (node_id(k[0]), node_id(k[1]))):
            items = disputes[key]
            points = ", ".join(sorted({p for _, p in items if p}))
            n = len(items)
            yield Edge(
                node_id(key[0]),
                node_id(key[1]),
                f"{n} disagreement{'s' if n != 1 else ''}",
                dispute_start[key],
                n,
                ("contradiction", *([None] * 13), points or None, n),
                EDGE_COLOURS["contradiction"],
            )

    return GraphExport(
        "actors",
        _describe(
            "actors",
            "actors linked by the communications claims speak of (one edge per claim and direction; "
            "a mutual communication is one edge each way) and by weighted contradiction edges.",
            date_from,
            date_to,
        ),
        ACTOR_NODE_COLUMNS,
        ACTOR_EDGE_COLUMNS,
        nodes,
        edges,
        date_from,
        date_to,
    )


def _pairs(prop: _Prop) -> list[tuple[str, str, bool]]:
    """Directed (source, target, mutual) pairs a communication is drawn as."""
    senders = [a for r, a in prop.roles if r == "sender"]
    recipients = [a for r, a in prop.roles if r == "recipient"]
    parties = [a for r, a in prop.roles if r == "party"]
    out = [(s, t, False) for s in senders for t in recipients]
    out += [(s, t, True) for s in parties for t in parties if s != t]
    return sorted(set(out), key=lambda x: (node_id(x[0]), node_id(x[1]), x[2]))


# --- the claims view ---------------------------------------------------------------------------

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


def _claims_view(data: _Data, date_from: str | None, date_to: str | None) -> GraphExport:
    claim_iris = sorted(data.claims)
    prop_dates: dict[str, list[str | None]] = defaultdict(list)
    claims_made: dict[str, int] = defaultdict(int)
    for iri in claim_iris:
        c = data.claims[iri]
        prop_dates[c.prop].append(c.when)
        claims_made[c.claimant] += 1
    prop_start = {p: _first_seen(ds) for p, ds in prop_dates.items()}
    actor_dates: dict[str, list[str | None]] = defaultdict(list)
    for iri in claim_iris:
        c = data.claims[iri]
        actor_dates[c.claimant].append(c.when)
    for p, prop in data.props.items():
        for _, a in prop.roles:
            actor_dates[a].append(prop_start[p])

    nodes: list[Node] = []
    blank: list[Value] = [None] * len(CLAIM_NODE_COLUMNS)
    col = {c.name: i for i, c in enumerate(CLAIM_NODE_COLUMNS)}

    def vals(**kw: Value) -> tuple[Value, ...]:
        out = list(blank)
        for k, v in kw.items():
            out[col[k]] = v
        return tuple(out)

    for a, dates in actor_dates.items():
        label, kind = data.actors[a]
        n = claims_made.get(a, 0)
        nodes.append(
            Node(
                node_id(a),
                label,
                _first_seen(dates),
                vals(category="actor", kind=kind, claims=n),
                COLOURS.get(kind, COLOURS["Actor"]),
                _actor_size(n),
            )
        )
    for iri in claim_iris:
        c = data.claims[iri]
        conf = c.confidence[len("Credibility") :] if c.confidence and c.confidence[-1:].isdigit() else None
        nodes.append(
            Node(
                node_id(iri),
                _claim_name(iri, c),
                c.when,
                vals(
                    category="claim",
                    kind="Claim",
                    stance=c.stance,
                    attribution=c.attribution,
                    confidence=int(conf) if conf else None,
                    stated=c.when,
                    date_status=c.status.lower() if c.status else None,
                    window_start=c.window_start,
                    window_end=c.window_end,
                ),
                COLOURS["Claim"],
                6.0,
            )
        )
    for p, prop in data.props.items():
        is_position = prop.kind == POSITION
        initiator = (
            data.actors[prop.initiator][0] if prop.initiator in data.actors else _local(prop.initiator)
        )
        nodes.append(
            Node(
                node_id(p),
                _summary_label(prop.summary, prop.kind),
                prop_start[p],
                vals(
                    category="position" if is_position else "communication",
                    kind=prop.kind,
                    summary=prop.summary,
                    channel=data.channels.get(prop.channel, _local(prop.channel)) if prop.channel else None,
                    directness=None if is_position else _directness(prop.direct),
                    initiator=initiator,
                ),
                COLOURS[POSITION] if is_position else COLOURS["communication"],
                8.0,
            )
        )
    for d, doc in data.docs.items():
        nodes.append(
            Node(
                node_id(d),
                doc.title or doc.file or node_id(d),
                doc.published,
                vals(
                    category="document",
                    kind="Document",
                    title=doc.title,
                    file=doc.file,
                    outlet=doc.outlet,
                    published=doc.published,
                ),
                COLOURS["Document"],
                10.0,
            )
        )
    nodes.sort(key=lambda n: n.id)

    def edges() -> Iterator[Edge]:
        for iri in claim_iris:
            c = data.claims[iri]
            cid = node_id(iri)
            stance = c.stance or "affirms"
            yield Edge(node_id(c.claimant), cid, "makes", c.when, 1, ("makes", None, None, None))
            yield Edge(
                cid,
                node_id(c.prop),
                stance,
                c.when,
                1,
                ("claims", stance, None, None),
                EDGE_COLOURS.get(stance),
            )
            yield Edge(cid, node_id(c.doc), "source", c.when, 1, ("source", None, None, None))
        for p in sorted(data.props, key=node_id):
            pid, start = node_id(p), prop_start[p]
            for role, a in sorted(data.props[p].roles, key=lambda r: (r[0], node_id(r[1]))):
                src, dst = (node_id(a), pid) if role == "sender" else (pid, node_id(a))
                yield Edge(src, dst, role, start, 1, (role, None, None, None))
        for _, c1, c2, point, reason in data.contradictions:
            yield Edge(
                node_id(c1),
                node_id(c2),
                f"contradicts ({point})" if point else "contradicts",
                _both_on_record(data.claims[c1].when, data.claims[c2].when),
                1,
                ("contradicts", None, _point_name(point), reason),
                EDGE_COLOURS["contradicts"],
            )

    return GraphExport(
        "claims",
        _describe(
            "claims",
            "claimant -> claim -> proposition (with its sender, recipient, parties or concerned actors), "
            "claim -> source document, claim -> contradicting claim.",
            date_from,
            date_to,
        ),
        CLAIM_NODE_COLUMNS,
        CLAIM_EDGE_COLUMNS,
        nodes,
        edges,
        date_from,
        date_to,
    )


def _point_name(point: str | None) -> str | None:
    """``OccurrencePoint`` -> ``occurrence``."""
    if point is None:
        return None
    return (point[: -len("Point")] if point.endswith("Point") else point).lower()


def build(
    store: GraphStore, view: str, date_from: str | None = None, date_to: str | None = None
) -> GraphExport:
    """Read the store and lay out one view. Checks its arguments first."""
    check_target(view, "gexf")
    date_from, date_to = parse_dates(date_from, date_to)
    data = _read(store, date_from, date_to, details=view == "claims")
    if view == "actors":
        return _actors_view(data, date_from, date_to)
    return _claims_view(data, date_from, date_to)


# --- XML writing ---------------------------------------------------------------------------------

_NEEDS_ESCAPE = re.compile('[&<>"\x00-\x1f\ufffe\uffff]')
_ESCAPES = str.maketrans(
    {
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        '"': "&quot;",
        "\t": "&#9;",
        "\n": "&#10;",
        "\r": "&#13;",
        **{chr(i): None for i in range(32) if i not in (9, 10, 13)},  # not allowed in XML 1.0
        "\ufffe": None,
        "\uffff": None,
    }
)
_SPACES = re.compile(r"\s+")


def xml_attr(text: str) -> str:
    """Escape a value for a double-quoted XML attribute, keeping tabs and newlines as references."""
    return text.translate(_ESCAPES) if _NEEDS_ESCAPE.search(text) else text


def _token(text: str) -> str:
    """A label as an ``xsd:token``: whitespace collapsed, as the GEXF grammar types it."""
    return xml_attr(_SPACES.sub(" ", text).strip())


def _lexical(value: Value, type_: str) -> str:
    if type_ == "boolean":
        return "true" if value else "false"
    if type_ == "integer":
        return str(int(value))  # type: ignore[arg-type]
    if type_ == "double":
        return repr(float(value))  # type: ignore[arg-type]
    return xml_attr(str(value))


_CHUNK = 2000  # elements per chunk written


def iter_gexf(graph: GraphExport, stats: WriteStats | None = None) -> Iterator[bytes]:
    """The GEXF 1.3 document in chunks of bytes (a dynamic graph with dates as time)."""
    stats = stats if stats is not None else WriteStats()
    head = [
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        f'<gexf xmlns="{GEXF_NS}" xmlns:viz="{GEXF_VIZ_NS}" version="1.3">\n',
        "  <meta>\n",
        f"    <creator>backchannel-kg {xml_attr(__version__)}</creator>\n",
        f"    <description>{xml_attr(graph.description)}</description>\n",
        "  </meta>\n",
    ]
    bounds = ""
    if graph.date_from:
        bounds += f' start="{graph.date_from}"'
    if graph.date_to:
        bounds += f' end="{graph.date_to}"'
    head.append(f'  <graph mode="dynamic" defaultedgetype="directed" timeformat="date"{bounds}>\n')
    for cls, columns in (("node", graph.node_columns), ("edge", graph.edge_columns)):
        # One block per class: graphology-gexf keeps only the last block of each class.
        head.append(f'    <attributes class="{cls}" mode="static">\n')
        for c in columns:
            head.append(f'      <attribute id="{c.name}" title="{c.name}" type="{c.type}"/>\n')
        head.append("    </attributes>\n")
    head.append("    <nodes>\n")
    yield _encode(head, stats)

    ncols = [(c.name, c.type) for c in graph.node_columns]
    buf: list[str] = []
    for n in graph.nodes:
        start = f' start="{n.start}"' if n.start else ""
        buf.append(f'      <node id="{xml_attr(n.id)}" label="{_token(n.label)}"{start}>\n')
        buf.append("        <attvalues>\n")
        for (name, type_), v in zip(ncols, n.values, strict=True):
            if v is not None:
                buf.append(f'          <attvalue for="{name}" value="{_lexical(v, type_)}"/>\n')
        buf.append("        </attvalues>\n")
        r, g, b = n.colour
        buf.append(f'        <viz:color r="{r}" g="{g}" b="{b}"/>\n')
        buf.append(f'        <viz:size value="{n.size:.2f}"/>\n')
        buf.append("      </node>\n")
        stats.nodes += 1
        if len(buf) >= _CHUNK * 8:
            yield _encode(buf, stats)
            buf = []
    buf.append("    </nodes>\n    <edges>\n")

    ecols = [(c.name, c.type) for c in graph.edge_columns]
    for e in graph.edges():
        start = f' start="{e.start}"' if e.start else ""
        buf.append(
            f'      <edge id="e{stats.edges}" source="{xml_attr(e.source)}" target="{xml_attr(e.target)}"'
            f' label="{_token(e.label)}" weight="{e.weight}"{start}>\n'
        )
        buf.append("        <attvalues>\n")
        for (name, type_), v in zip(ecols, e.values, strict=True):
            if v is not None:
                buf.append(f'          <attvalue for="{name}" value="{_lexical(v, type_)}"/>\n')
        buf.append("        </attvalues>\n")
        if e.colour is not None:
            r, g, b = e.colour
            buf.append(f'        <viz:color r="{r}" g="{g}" b="{b}"/>\n')
        buf.append("      </edge>\n")
        stats.edges += 1
        if len(buf) >= _CHUNK * 8:
            yield _encode(buf, stats)
            buf = []
    buf.append("    </edges>\n  </graph>\n</gexf>\n")
    yield _encode(buf, stats)


_GRAPHML_TYPES: Final = {"string": "string", "integer": "int", "double": "double", "boolean": "boolean"}


def iter_graphml(graph: GraphExport, stats: WriteStats | None = None) -> Iterator[bytes]:
    """The GraphML document in chunks of bytes. GraphML has no time: dates are ``start`` values.

    Besides the view's columns, nodes carry ``label``, ``start``, ``r``/``g``/``b`` and ``size``
    and edges ``label``, ``start`` and ``weight``: the keys Gephi's GraphML importer reads.
    """
    stats = stats if stats is not None else WriteStats()
    node_keys: list[tuple[str, str]] = [("label", "string"), ("start", "string")]
    node_keys += [(c.name, c.type) for c in graph.node_columns]
    node_keys += [("r", "integer"), ("g", "integer"), ("b", "integer"), ("size", "double")]
    edge_keys: list[tuple[str, str]] = [("label", "string"), ("start", "string"), ("weight", "double")]
    edge_keys += [(c.name, c.type) for c in graph.edge_columns]
    head = [
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        f'<graphml xmlns="{GRAPHML_NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
        f' xsi:schemaLocation="{GRAPHML_NS} http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">\n',
    ]
    for prefix, target, keys in (("n", "node", node_keys), ("e", "edge", edge_keys)):
        for name, type_ in keys:
            head.append(
                f'  <key id="{prefix}_{name}" for="{target}" attr.name="{name}"'
                f' attr.type="{_GRAPHML_TYPES[type_]}"/>\n'
            )
    head.append('  <graph id="G" edgedefault="directed">\n')
    head.append(f"    <desc>{xml_attr(graph.description)}</desc>\n")
    yield _encode(head, stats)

    buf: list[str] = []
    ncols = [(c.name, c.type) for c in graph.node_columns]
    for n in graph.nodes:
        buf.append(f'    <node id="{xml_attr(n.id)}">\n')
        buf.append(f'      <data key="n_label">{xml_attr(n.label)}</data>\n')
        if n.start:
            buf.append(f'      <data key="n_start">{n.start}</data>\n')
        for (name, type_), v in zip(ncols, n.values, strict=True):
            if v is not None:
                buf.append(f'      <data key="n_{name}">{_lexical(v, type_)}</data>\n')
        r, g, b = n.colour
        buf.append(
            f'      <data key="n_r">{r}</data>\n      <data key="n_g">{g}</data>\n'
            f'      <data key="n_b">{b}</data>\n      <data key="n_size">{n.size!r}</data>\n'
        )
        buf.append("    </node>\n")
        stats.nodes += 1
        if len(buf) >= _CHUNK * 8:
            yield _encode(buf, stats)
            buf = []
    ecols = [(c.name, c.type) for c in graph.edge_columns]
    for e in graph.edges():
        buf.append(
            f'    <edge id="e{stats.edges}" source="{xml_attr(e.source)}" target="{xml_attr(e.target)}">\n'
        )
        buf.append(f'      <data key="e_label">{xml_attr(e.label)}</data>\n')
        if e.start:
            buf.append(f'      <data key="e_start">{e.start}</data>\n')
        buf.append(f'      <data key="e_weight">{float(e.weight)!r}</data>\n')
        for (name, type_), v in zip(ecols, e.values, strict=True):
            if v is not None:
                buf.append(f'      <data key="e_{name}">{_lexical(v, type_)}</data>\n')
        buf.append("    </edge>\n")
        stats.edges += 1
        if len(buf) >= _CHUNK * 8:
            yield _encode(buf, stats)
            buf = []
    buf.append("  </graph>\n</graphml>\n")
    yield _encode(buf, stats)


def _encode(parts: list[str], stats: WriteStats) -> bytes:
    data = "".join(parts).encode("utf-8")
    stats.bytes += len(data)
    return data


WRITERS: Final[dict[str, Callable[[GraphExport, WriteStats | None], Iterator[bytes]]]] = {
    "gexf": iter_gexf,
    "graphml": iter_graphml,
}


def iter_bytes(graph: GraphExport, fmt: str, stats: WriteStats | None = None) -> Iterator[bytes]:
    check_target(graph.view, fmt)
    return WRITERS[fmt](graph, stats)


def write(graph: GraphExport, fmt: str, out: IO[bytes]) -> WriteStats:
    """Write one view in one format to a binary stream; returns counts and size."""
    stats = WriteStats()
    for chunk in iter_bytes(graph, fmt, stats):
        out.write(chunk)
    return stats


def export(store: GraphStore, options: ExportOptions, out: IO[bytes]) -> WriteStats:
    """Read, lay out and write one export (the CLI's and the benchmark's entry point)."""
    graph = build(store, options.view, options.date_from, options.date_to)
    return write(graph, options.fmt, out)


def export_bytes(store: GraphStore, options: ExportOptions) -> bytes:
    """The whole export in memory (tests, small stores)."""
    graph = build(store, options.view, options.date_from, options.date_to)
    return b"".join(iter_bytes(graph, options.fmt))


__all__: Sequence[str] = (
    "GRAPH_FORMATS",
    "VIEWS",
    "Column",
    "Edge",
    "ExportOptions",
    "GraphExport",
    "Node",
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
