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
summaries where they are current), joined here in dictionaries; the XML is written by hand in
chunks (ids are node IRIs relative to the project's id base, attribute ids equal their titles so
that graphology and networkx name columns alike), in a fixed order, so the same store gives the
same bytes.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import gc
import itertools
import math
import operator
import os
import re
import shutil
import signal
import tempfile
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import IO, Final

from kg import __version__
from kg.errors import ExportFailed, InvalidParameter
from kg.gephi_read import (
    ACTOR_CLASSES,
    CLAIM_RECORDS,
    PROP_FIELDS,
    PROP_RECORDS,
    PROPOSITION_CLASSES,
    RECORD_FIELDS,
    Columns,
    read_tables,
)
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


@dataclass(slots=True)
class Node:
    id: str
    label: str
    start: str | None
    values: tuple[Value, ...]  # aligned with the graph's node columns; None = no value
    colour: tuple[int, int, int]
    size: float


@dataclass(slots=True)
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
    of edge objects at once; every edge's endpoints are in ``nodes`` by construction. The nodes
    are made when first asked for, so that a second process can write the edges meanwhile
    (:func:`write`); ``size`` is their number, known before.
    """

    view: str
    description: str
    node_columns: tuple[Column, ...]
    edge_columns: tuple[Column, ...]
    make_nodes: Callable[[], list[Node]]
    edges: Callable[[], Iterator[Edge]]
    size: int
    date_from: str | None = None
    date_to: str | None = None

    @functools.cached_property
    def nodes(self) -> list[Node]:
        return self.make_nodes()


@dataclass
class WriteStats:
    nodes: int = 0
    edges: int = 0
    bytes: int = 0


# --- reading the store -------------------------------------------------------------------------


def _local(iri: str | None) -> str | None:
    if iri is None:
        return None
    for sep in ("#", "/"):
        if sep in iri:
            return iri.rsplit(sep, 1)[1]
    return iri


def node_id(iri: str) -> str:
    """A node id: the IRI relative to the project's id base (``actor/iran``), else the IRI."""
    return iri[len(ID) :] if iri.startswith(ID) else iri


@dataclass(slots=True)
class _Claim:
    claimant: str
    prop: str
    doc: str
    stance: str | None
    attribution: str | None
    confidence: str | None
    when: str | None  # the timeline date
    status: str | None  # "stated" or "inferred"
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


def _label_rank(label: str, lang: str | None) -> tuple[int, str]:
    """English first, then untagged, then other languages; ties by text, so the choice is stable."""
    return (0 if lang == "en" else 1 if not lang else 2, label)


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
    *ROLES,
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


def _functional(columns: Columns) -> dict[str, str]:
    """subject -> object; a repeated value (which the shapes forbid) keeps the smallest, stably."""
    subjects, objects = columns
    out = dict(zip(subjects, objects, strict=True))
    if len(out) == len(subjects):
        return out
    out = {}
    for s, o in zip(subjects, objects, strict=True):
        old = out.get(s)
        if old is None or o < old:
            out[s] = o
    return out


class _LocalNames(dict[str, str | None]):
    def __missing__(self, iri: str) -> str | None:
        self[iri] = name = _local(iri)
        return name


def _read(store: GraphStore, date_from: str | None, date_to: str | None, *, details: bool = False) -> _Data:
    """Everything a view needs, restricted to the claims whose timeline date is in the range."""
    r = read_tables(store, [*_TABLES, *(_CLAIMS_VIEW_TABLES if details else ())], records=True)
    records, prop_records = r.pop(CLAIM_RECORDS, None), r.pop(PROP_RECORDS, None)
    claimant, proposition = _functional(r["claimant"]), _functional(r["proposition"])
    document, stated_at = _functional(r["document"]), _functional(r["stated_at"])
    date, not_after, not_before = (
        _functional(r["date"]),
        _functional(r["not_after"]),
        _functional(r["not_before"]),
    )
    denies, affirms = set(r["denies"][0]), set(r["affirms"][0])
    stated_status, inferred_status = set(r["stated_status"][0]), set(r["inferred_status"][0])
    window_start, window_end = _functional(r["window_start"]), _functional(r["window_end"])
    attribution = _functional(r["attribution"]) if details else {}
    confidence = _functional(r["confidence"]) if details else {}

    def when(node: str | None) -> str | None:
        if node is None:
            return None
        return date.get(node) or not_after.get(node) or not_before.get(node)

    # Attributions and grades are a handful of IRIs: their local names once each.
    attribution_name = _LocalNames()
    confidence_name = _LocalNames()
    claims: dict[str, _Claim] = {}
    for c, actor in claimant.items():  # the hottest loop of the read: lookups inline
        p, doc = proposition.get(c), document.get(c)
        if p is None or doc is None:
            continue
        s = stated_at.get(c)
        if s is None:
            stated = status = None
        else:
            stated = date.get(s) or not_after.get(s) or not_before.get(s)
            status = "stated" if s in stated_status else "inferred" if s in inferred_status else None
        a, g = attribution.get(c), confidence.get(c)
        claims[c] = _Claim(
            actor,
            p,
            doc,
            "denies" if c in denies else "affirms" if c in affirms else None,
            None if a is None else attribution_name[a],
            None if g is None else confidence_name[g],
            stated,
            status,
            window_start.get(c),
            window_end.get(c),
        )
    if records:  # claims joined when their graph was written (kg.gephi_read._claim_records)
        rows = zip(*[iter(records[0])] * len(RECORD_FIELDS), strict=True)  # merged whole: no rest
        for c, actor, p, doc, s, w0, w1, a, g, stance, d, na, nb, status in rows:
            if p is None or doc is None or actor is None or c is None:
                continue
            claims[c] = _Claim(
                actor,
                p,
                doc,
                stance,
                None if a is None or not details else attribution_name[a],
                None if g is None or not details else confidence_name[g],
                None if s is None else d or na or nb,
                None if s is None else status,
                w0,
                w1,
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
    props: dict[str, _Prop] = {}
    if prop_records:  # propositions joined when their graph was written
        rows = zip(*[iter(prop_records[0])] * len(PROP_FIELDS), strict=True)
        kind_of = _LocalNames()
        for p, typ, summary_, channel_, direct_, initiator_ in rows:
            if p in wanted_props:
                kind = "Communication" if typ is None else kind_of[typ] or "Communication"
                props[p] = _Prop(kind, summary_, channel_, direct_, initiator_)
    rest = wanted_props.difference(props) if props else wanted_props
    rank = {c: i for i, c in enumerate(PROPOSITION_CLASSES)}
    kinds: dict[str, str] = {}
    for p, typ in zip(*r["prop_type"], strict=True):
        if p in rest and typ is not None:
            kind = _local(typ) or "Communication"
            if p not in kinds or rank[kind] < rank[kinds[p]]:
                kinds[p] = kind
    summary, channel = _functional(r["summary"]), _functional(r["channel"])
    direct, initiator = _functional(r["direct"]), _functional(r["initiator"])
    for p in rest:
        props[p] = _Prop(
            kinds.get(p, "Communication"), summary.get(p), channel.get(p), direct.get(p), initiator.get(p)
        )
    for role in ROLES:
        for p, a in zip(*r[role], strict=True):
            entry = props.get(p or "")
            if entry is not None and a is not None:
                entry.roles.append((role, a))
    for entry in props.values():
        if len(entry.roles) > 1:
            entry.roles = sorted(set(entry.roles))

    actor_kind: dict[str, str] = {}
    for a, typ in zip(*r["actor_type"], strict=True):
        cls = _local(typ)
        if a is None or cls is None or cls not in ACTOR_CLASSES:
            continue
        if a not in actor_kind or ACTOR_CLASSES.index(cls) < ACTOR_CLASSES.index(actor_kind[a]):
            actor_kind[a] = cls
    labels: dict[str, tuple[tuple[int, str], str]] = {}
    for a, label, lang in zip(*r["label"], strict=True):
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

    # One row per contradiction, as a join would give it with the smallest values where the shapes'
    # one-of-each is broken, in the order of the contradictions' IRIs.
    first, second = _functional(r["first_claim"]), _functional(r["second_claim"])
    point = _functional(r["point"])
    reason = _functional(r["reason"]) if details else {}
    contradictions = []
    for x in sorted(set(r["contradiction"][0])):
        c1, c2 = first.get(x), second.get(x)
        if c1 in claims and c2 in claims and c1 is not None and c2 is not None:
            contradictions.append((x, c1, c2, _local(point.get(x)), reason.get(x)))
    return _Data(claims, props, actors, docs, channels, contradictions)


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


class _Ids(dict[str, str]):
    """Node ids by IRI, each worked out once: an export names every node many times."""

    def __missing__(self, iri: str) -> str:
        self[iri] = value = node_id(iri)
        return value


def _actors_view(data: _Data, date_from: str | None, date_to: str | None) -> GraphExport:
    ids = _Ids()
    claims_made: dict[str, int] = defaultdict(int)
    seen: dict[str, list[str | None]] = defaultdict(list)  # actor -> dates of what involves it
    comm_claims: list[tuple[str, _Claim, _Prop, list[tuple[str, str, bool]]]] = []
    pairs_of: dict[str, list[tuple[str, str, bool]]] = {}  # claims may share a proposition
    for iri in sorted(data.claims):
        c = data.claims[iri]
        claims_made[c.claimant] += 1
        seen[c.claimant].append(c.when)
        prop = data.props[c.prop]
        if prop.kind == POSITION:
            continue
        pairs = pairs_of.get(c.prop)
        if pairs is None:
            pairs = pairs_of[c.prop] = _pairs(prop, ids)
        if pairs:
            comm_claims.append((iri, c, prop, pairs))
            for s, t, _ in pairs:
                seen[s].append(c.when)
                seen[t].append(c.when)

    # Contradictions between claimants, folded into one weighted edge per unordered pair.
    disputes: dict[tuple[str, str], list[tuple[str | None, str | None]]] = defaultdict(list)
    for _, c1, c2, point, _reason in data.contradictions:
        a, b = data.claims[c1].claimant, data.claims[c2].claimant
        key = (a, b) if ids[a] <= ids[b] else (b, a)
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
                ids[a],
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
            stance = c.stance or "affirms"
            label = f"{stance} {prop.kind}"
            colour = EDGE_COLOURS.get(stance)
            values = (
                "communication",
                prop.kind,
                data.channels[prop.channel] if prop.channel else None,  # every channel has its name
                _directness(prop.direct),
                False,  # mutual: set per pair below
                stance,
                data.actors[c.claimant][0],
                ids[iri],
                c.when,
                c.status,
                data.docs[c.doc].file,
                prop.summary,
                c.window_start,
                c.window_end,
                None,
                None,
            )
            mutual_values = None
            for s, t, mutual in pairs:
                if mutual:
                    if mutual_values is None:
                        mutual_values = (*values[:4], True, *values[5:])
                    yield Edge(ids[s], ids[t], label, c.when, 1, mutual_values, colour)
                else:
                    yield Edge(ids[s], ids[t], label, c.when, 1, values, colour)
        for key in sorted(disputes, key=lambda k: (ids[k[0]], ids[k[1]])):
            items = disputes[key]
            points = ", ".join(sorted({p for _, p in items if p}))
            n = len(items)
            yield Edge(
                ids[key[0]],
                ids[key[1]],
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
        lambda: nodes,
        edges,
        len(nodes),
        date_from,
        date_to,
    )


def _pairs(prop: _Prop, ids: _Ids) -> list[tuple[str, str, bool]]:
    """Directed (source, target, mutual) pairs a communication is drawn as."""
    roles = prop.roles
    if len(roles) == 2:  # most communications: one sender and one recipient, or two parties
        (r1, a1), (r2, a2) = roles
        if {r1, r2} == {"sender", "recipient"}:
            return [(a1, a2, False)] if r1 == "sender" else [(a2, a1, False)]
        if r1 == r2 == "party" and a1 != a2:
            pair = [(a1, a2, True), (a2, a1, True)]
            return pair if ids[a1] <= ids[a2] else pair[::-1]
    senders = [a for r, a in roles if r == "sender"]
    recipients = [a for r, a in roles if r == "recipient"]
    parties = [a for r, a in roles if r == "party"]
    out = [(s, t, False) for s in senders for t in recipients]
    out += [(s, t, True) for s in parties for t in parties if s != t]
    return sorted(set(out), key=lambda x: (ids[x[0]], ids[x[1]], x[2]))


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
    ids = _Ids()
    claim_iris = sorted(data.claims)
    prop_dates: dict[str, list[str | None]] = defaultdict(list)
    for iri in claim_iris:
        c = data.claims[iri]
        prop_dates[c.prop].append(c.when)
    prop_start = {p: _first_seen(ds) for p, ds in prop_dates.items()}
    actors = {c.claimant for c in data.claims.values()}
    for prop in data.props.values():
        actors.update(a for _, a in prop.roles)

    def nodes() -> list[Node]:
        return _claim_nodes(data, claim_iris, prop_start, ids)

    def edges() -> Iterator[Edge]:
        makes, source = ("makes", None, None, None), ("source", None, None, None)
        claims_by_stance = {s: ("claims", s, None, None) for s in ("affirms", "denies")}
        for iri in claim_iris:
            c = data.claims[iri]
            cid = ids[iri]
            stance = c.stance or "affirms"
            values = claims_by_stance.get(stance) or ("claims", stance, None, None)
            yield Edge(ids[c.claimant], cid, "makes", c.when, 1, makes)
            yield Edge(cid, ids[c.prop], stance, c.when, 1, values, EDGE_COLOURS.get(stance))
            yield Edge(cid, ids[c.doc], "source", c.when, 1, source)
        by_role = {role: (role, None, None, None) for role in ROLES}
        for p in sorted(data.props, key=ids.__getitem__):
            pid, start = ids[p], prop_start[p]
            for role, a in sorted(data.props[p].roles, key=lambda r: (r[0], ids[r[1]])):
                src, dst = (ids[a], pid) if role == "sender" else (pid, ids[a])
                yield Edge(src, dst, role, start, 1, by_role.get(role) or (role, None, None, None))
        for _, c1, c2, point, reason in data.contradictions:
            yield Edge(
                ids[c1],
                ids[c2],
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
        len(actors) + len(claim_iris) + len(data.props) + len(data.docs),
        date_from,
        date_to,
    )


def _claim_nodes(
    data: _Data, claim_iris: list[str], prop_start: dict[str, str | None], ids: _Ids
) -> list[Node]:
    claims_made: dict[str, int] = defaultdict(int)
    actor_dates: dict[str, list[str | None]] = defaultdict(list)
    for iri in claim_iris:
        c = data.claims[iri]
        claims_made[c.claimant] += 1
        actor_dates[c.claimant].append(c.when)
    for p, prop in data.props.items():
        for _, a in prop.roles:
            actor_dates[a].append(prop_start[p])

    # Node values in the order of CLAIM_NODE_COLUMNS: category, kind, claims, stance, attribution,
    # confidence, stated, date_status, window_start, window_end, summary, channel, directness,
    # initiator, title, file, outlet, published.
    nodes: list[Node] = []
    for a, dates in actor_dates.items():
        label, kind = data.actors[a]
        n = claims_made.get(a, 0)
        nodes.append(
            Node(
                ids[a],
                label,
                _first_seen(dates),
                ("actor", kind, n, *_NONE[:15]),
                COLOURS.get(kind, COLOURS["Actor"]),
                _actor_size(n),
            )
        )
    for iri in claim_iris:
        c = data.claims[iri]
        conf = c.confidence[len("Credibility") :] if c.confidence and c.confidence[-1:].isdigit() else None
        nodes.append(
            Node(
                ids[iri],
                _local(iri) or iri,
                c.when,
                (
                    "claim",
                    "Claim",
                    None,
                    c.stance,
                    c.attribution,
                    int(conf) if conf else None,
                    c.when,
                    c.status,
                    c.window_start,
                    c.window_end,
                    *_NONE[:8],
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
                ids[p],
                _summary_label(prop.summary, prop.kind),
                prop_start[p],
                (
                    "position" if is_position else "communication",
                    prop.kind,
                    *_NONE[:8],
                    prop.summary,
                    data.channels[prop.channel] if prop.channel else None,
                    None if is_position else _directness(prop.direct),
                    initiator,
                    *_NONE[:4],
                ),
                COLOURS[POSITION] if is_position else COLOURS["communication"],
                8.0,
            )
        )
    for d, doc in data.docs.items():
        nodes.append(
            Node(
                ids[d],
                doc.title or doc.file or ids[d],
                doc.published,
                ("document", "Document", *_NONE[:12], doc.title, doc.file, doc.outlet, doc.published),
                COLOURS["Document"],
                10.0,
            )
        )
    nodes.sort(key=lambda n: n.id)
    return nodes


_NONE: Final[tuple[None, ...]] = (None,) * 16


def _point_name(point: str | None) -> str | None:
    """``OccurrencePoint`` -> ``occurrence``."""
    if point is None:
        return None
    return (point[: -len("Point")] if point.endswith("Point") else point).lower()


def build(
    store: GraphStore,
    view: str,
    date_from: str | None = None,
    date_to: str | None = None,
    *,
    lazy: bool = False,
) -> GraphExport:
    """Read the store and lay out one view. Checks its arguments first.

    ``lazy`` leaves the nodes to be made when first needed, by :func:`write` while a second
    process writes the edges; otherwise they are made here, with the collector paused.
    """
    check_target(view, "gexf")
    date_from, date_to = parse_dates(date_from, date_to)
    with _collector_paused():
        data = _read(store, date_from, date_to, details=view == "claims")
        make = _actors_view if view == "actors" else _claims_view
        graph = make(data, date_from, date_to)
        if not lazy:
            graph.nodes  # noqa: B018 (made now)
        return graph


_pause_lock = threading.Lock()
_pauses = 0
_resume = False


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Keep Python's cycle collector off while a view is read, laid out (and written, when that
    happens in one call).

    That allocates a few million small containers which all live until the view is written, and
    the collector would walk them again and again for nothing: a third of the time of the read at
    100k claims. Reference counting still frees everything. Concurrent exports share one pause;
    the last one out turns the collector back on (if it was on). A view streamed to an HTTP client
    is written with the collector on, so a slow client never holds it off.
    """
    global _pauses, _resume
    with _pause_lock:
        if _pauses == 0:
            _resume = gc.isenabled()
            gc.disable()
        _pauses += 1
    try:
        yield
    finally:
        with _pause_lock:
            _pauses -= 1
            if _pauses == 0 and _resume:
                gc.enable()


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
_OTHER_SPACE: Final = re.compile(  # the non-ASCII characters str.isspace and re's \s take
    "[\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
)
_UNSAFE_ATTR: Final = _NEEDS_ESCAPE
_UNSAFE_TOKEN: Final = re.compile('[&<>"\x00-\x1f\ufffe\uffff]|[^\\S ]|  |^ | $')
"""What :func:`xml_attr` and :func:`_token` would change (a text without it is its own form)."""


def xml_attr(text: str) -> str:
    """Escape a value for a double-quoted XML attribute, keeping tabs and newlines as references."""
    return text.translate(_ESCAPES) if _NEEDS_ESCAPE.search(text) else text


def _token(text: str) -> str:
    """A label as an ``xsd:token``: whitespace collapsed, as the GEXF grammar types it."""
    return xml_attr(" ".join(text.split()))  # str.split's whitespace is the regex's \\s


def _lexical(value: Value, type_: str) -> str:
    if type_ == "boolean":
        return "true" if value else "false"
    if type_ == "integer":
        return str(int(value))  # type: ignore[arg-type]
    if type_ == "double":
        return repr(float(value))  # type: ignore[arg-type]
    return xml_attr(str(value))


class _Escaped(dict[str, str]):
    """Escaped text by raw text, each worked out once per file: ids, labels, kinds, dates and
    names recur on many elements, and a dictionary hit costs a fifth of the escape check.
    Forgets everything past a bound, so a huge export holds no second copy of its text."""

    def __init__(self, escape: Callable[[str], str], bound: int = 1_000_000) -> None:
        super().__init__()
        self.escape, self.bound = escape, bound

    def __missing__(self, text: str) -> str:
        if len(self) >= self.bound:
            self.clear()
        self[text] = value = self.escape(text)
        return value

    def prefill(self, texts: list[str], unsafe: re.Pattern[str]) -> None:
        """Note the texts ``unsafe`` finds nothing in as their own escaped form, in one C-level
        pass: node ids and labels are mostly unique, and most need no escaping at all."""
        if len(self) + len(texts) <= self.bound:
            # Usually none needs escaping, which one search of them all joined by a space shows:
            # the space is safe between two texts and makes any edge space a double space (an
            # empty text can raise a false alarm, which only costs the search text by text).
            if _all_plain(" ".join(texts), unsafe):
                plain = texts
            else:
                plain = list(itertools.compress(texts, map(operator.not_, map(unsafe.search, texts))))
            self.update(zip(plain, plain, strict=True))


def _all_plain(text: str, unsafe: re.Pattern[str]) -> bool:
    """``unsafe.search(text) is None``, for the token pattern by its parts (two character
    classes and substring tests): Python's engine scans an alternation with anchors slowly."""
    if unsafe is _UNSAFE_TOKEN:
        return not (
            _NEEDS_ESCAPE.search(text)
            or "  " in text
            or text.startswith(" ")
            or text.endswith(" ")
            or (not text.isascii() and _OTHER_SPACE.search(text))
        )
    return unsafe.search(text) is None


class _Markup(dict[Value, str]):
    """One column's element markup by value (opening, lexical value, closing), each made once:
    kinds, stances, dates, claimants and documents recur on thousands of elements. Forgets
    everything past a bound, so a column of unique texts holds no second copy of the file."""

    def __init__(self, opening: str, type_: str, close: str, bound: int = 200_000) -> None:
        super().__init__()
        self.opening, self.type_, self.close, self.bound = opening, type_, close, bound
        self[None] = ""  # no value, no element

    def __missing__(self, value: Value) -> str:
        if self.type_ != "string":  # equal keys (True, 1, 1.0) have one lexical form here
            markup = self.opening + _lexical(value, self.type_) + self.close
        elif type(value) is str:
            markup = self.opening + xml_attr(value) + self.close
        else:  # not kept: True and 1 are one key but "True" and "1" as text
            return self.opening + xml_attr(str(value)) + self.close
        if len(self) >= self.bound:
            self.clear()
            self[None] = ""
        self[value] = markup
        return markup


_lookup: Final = dict.__getitem__  # a subclass's __missing__ still answers


def _values_writer(
    columns: Sequence[Column], open_: Callable[[str], str], close: str
) -> Callable[[tuple[Value, ...]], str]:
    """The markup of an element's values (``open_(name)`` + lexical value + ``close`` for each).

    Views hand the same tuple to every edge that carries the same values (one claim drawn between
    several pairs, every "makes" edge), so a tuple seen before is written from memory.
    """
    markups = [_Markup(open_(c.name), c.type, close) for c in columns]
    width = len(markups)
    shared: dict[int, tuple[tuple[Value, ...], str]] = {}

    def render(values: tuple[Value, ...]) -> str:
        hit = shared.get(id(values))
        if hit is not None and hit[0] is values:
            return hit[1]
        if len(values) != width:
            raise ValueError(f"{len(values)} values for {width} columns")
        out = "".join(map(_lookup, markups, values))  # C-level: a node has a dozen columns
        if len(shared) >= 4096:
            shared.clear()
        shared[id(values)] = (values, out)  # holding the tuple keeps its id from being reused
        return out

    return render


_CHUNK = 2_000  # elements per chunk written (about a megabyte)


_GEXF_TAIL: Final = "    </edges>\n  </graph>\n</gexf>\n"


def _gexf_nodes(graph: GraphExport, stats: WriteStats) -> Iterator[bytes]:
    """The GEXF 1.3 document up to its first edge (a dynamic graph with dates as time)."""
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

    ids, labels = _Escaped(xml_attr), _Escaped(_token)
    ids.prefill([n.id for n in graph.nodes], _UNSAFE_ATTR)
    labels.prefill([n.label for n in graph.nodes], _UNSAFE_TOKEN)
    node_values = _values_writer(
        graph.node_columns, lambda name: f'          <attvalue for="{name}" value="', '"/>\n'
    )
    node_tails: dict[tuple[tuple[int, int, int], float], str] = {}
    buf: list[str] = []
    for n in graph.nodes:
        start = f' start="{n.start}"' if n.start else ""
        tail = node_tails.get((n.colour, n.size))
        if tail is None:
            r, g, b = n.colour
            tail = node_tails[(n.colour, n.size)] = (
                f'        </attvalues>\n        <viz:color r="{r}" g="{g}" b="{b}"/>\n'
                f'        <viz:size value="{n.size:.2f}"/>\n      </node>\n'
            )
        buf.append(
            f'      <node id="{ids[n.id]}" label="{labels[n.label]}"{start}>\n        <attvalues>\n'
            f"{node_values(n.values)}{tail}"
        )
        if len(buf) >= _CHUNK:
            yield _encode(buf, stats)
            buf = []
    stats.nodes += len(graph.nodes)
    buf.append("    </nodes>\n    <edges>\n")
    yield _encode(buf, stats)


def _gexf_edges(graph: GraphExport, stats: WriteStats) -> Iterator[bytes]:
    """The GEXF edges, with ids from ``e0`` (the document's only edges). Needs no node: it can
    be written while they are made."""
    ids, labels = _Escaped(xml_attr), _Escaped(_token)
    edge_values = _values_writer(
        graph.edge_columns, lambda name: f'          <attvalue for="{name}" value="', '"/>\n'
    )
    buf: list[str] = []
    edge_tails: dict[tuple[int, int, int] | None, str] = {}
    count = 0
    for e in graph.edges():
        start = f' start="{e.start}"' if e.start else ""
        tail = edge_tails.get(e.colour)
        if tail is None:
            colour = ""
            if e.colour is not None:
                r, g, b = e.colour
                colour = f'        <viz:color r="{r}" g="{g}" b="{b}"/>\n'
            tail = edge_tails[e.colour] = f"        </attvalues>\n{colour}      </edge>\n"
        buf.append(
            f'      <edge id="e{count}" source="{ids[e.source]}" target="{ids[e.target]}"'
            f' label="{labels[e.label]}" weight="{e.weight}"{start}>\n        <attvalues>\n'
            f"{edge_values(e.values)}{tail}"
        )
        count += 1
        if len(buf) >= _CHUNK:
            yield _encode(buf, stats)
            buf = []
    stats.edges += count
    if buf:
        yield _encode(buf, stats)


_GRAPHML_TYPES: Final = {"string": "string", "integer": "int", "double": "double", "boolean": "boolean"}


_GRAPHML_TAIL: Final = "  </graph>\n</graphml>\n"


def _graphml_nodes(graph: GraphExport, stats: WriteStats) -> Iterator[bytes]:
    """The GraphML document up to its first edge. GraphML has no time: dates are ``start`` values.

    Besides the view's columns, nodes carry ``label``, ``start``, ``r``/``g``/``b`` and ``size``
    and edges ``label``, ``start`` and ``weight``: the keys Gephi's GraphML importer reads.
    """
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

    ids, labels = _Escaped(xml_attr), _Escaped(xml_attr)
    ids.prefill([n.id for n in graph.nodes], _UNSAFE_ATTR)
    labels.prefill([n.label for n in graph.nodes], _UNSAFE_ATTR)
    node_values = _values_writer(graph.node_columns, lambda name: f'      <data key="n_{name}">', "</data>\n")
    node_tails: dict[tuple[tuple[int, int, int], float], str] = {}
    buf: list[str] = []
    for n in graph.nodes:
        start = f'      <data key="n_start">{n.start}</data>\n' if n.start else ""
        tail = node_tails.get((n.colour, n.size))
        if tail is None:
            r, g, b = n.colour
            tail = node_tails[(n.colour, n.size)] = (
                f'      <data key="n_r">{r}</data>\n      <data key="n_g">{g}</data>\n'
                f'      <data key="n_b">{b}</data>\n      <data key="n_size">{n.size!r}</data>\n'
                "    </node>\n"
            )
        buf.append(
            f'    <node id="{ids[n.id]}">\n      <data key="n_label">{labels[n.label]}</data>\n{start}'
            f"{node_values(n.values)}{tail}"
        )
        if len(buf) >= _CHUNK:
            yield _encode(buf, stats)
            buf = []
    stats.nodes += len(graph.nodes)
    if buf:
        yield _encode(buf, stats)


def _graphml_edges(graph: GraphExport, stats: WriteStats) -> Iterator[bytes]:
    ids, labels = _Escaped(xml_attr), _Escaped(xml_attr)
    edge_values = _values_writer(graph.edge_columns, lambda name: f'      <data key="e_{name}">', "</data>\n")
    buf: list[str] = []
    count = 0
    for e in graph.edges():
        start = f'      <data key="e_start">{e.start}</data>\n' if e.start else ""
        buf.append(
            f'    <edge id="e{count}" source="{ids[e.source]}" target="{ids[e.target]}">\n'
            f'      <data key="e_label">{labels[e.label]}</data>\n{start}'
            f'      <data key="e_weight">{float(e.weight)!r}</data>\n'
            f"{edge_values(e.values)}    </edge>\n"
        )
        count += 1
        if len(buf) >= _CHUNK:
            yield _encode(buf, stats)
            buf = []
    stats.edges += count
    if buf:
        yield _encode(buf, stats)


def _encode(parts: list[str], stats: WriteStats) -> bytes:
    data = "".join(parts).encode("utf-8")
    stats.bytes += len(data)
    return data


_PARTS: Final[dict[str, tuple[Callable[[GraphExport, WriteStats], Iterator[bytes]], ...]]] = {
    "gexf": (_gexf_nodes, _gexf_edges),
    "graphml": (_graphml_nodes, _graphml_edges),
}
"""Each format's document in two parts, up to the first edge and the edges: :func:`write` can
write them in two processes."""
_TAILS: Final = {"gexf": _GEXF_TAIL, "graphml": _GRAPHML_TAIL}


def iter_bytes(graph: GraphExport, fmt: str, stats: WriteStats | None = None) -> Iterator[bytes]:
    """The document in chunks of bytes, written in one process (HTTP streams it)."""
    check_target(graph.view, fmt)
    return _document(graph, fmt, stats if stats is not None else WriteStats())


def _document(graph: GraphExport, fmt: str, stats: WriteStats) -> Iterator[bytes]:
    nodes_part, edges_part = _PARTS[fmt]
    yield from nodes_part(graph, stats)
    yield from edges_part(graph, stats)
    yield _encode([_TAILS[fmt]], stats)


SPLIT_MIN_NODES = 50_000
"""From this many nodes on, :func:`write` writes the edges in a second process."""


def write(graph: GraphExport, fmt: str, out: IO[bytes]) -> WriteStats:
    """Write one view in one format to a binary stream; returns counts and size.

    A large view is written by two processes (where the system can fork): the edges by a child
    into a temporary file while this process writes the head and the nodes, then copied in
    behind them. Writing the XML is most of an export's time and the two halves cost about the
    same, so on two cores the 100k-claim claims view takes a fifth less. The bytes are those of
    :func:`iter_bytes`. Streams to HTTP clients use that directly.
    """
    check_target(graph.view, fmt)
    stats = WriteStats()
    with _collector_paused():
        if hasattr(os, "fork") and graph.size >= SPLIT_MIN_NODES:
            _write_split(graph, fmt, out, stats)
        else:
            for chunk in iter_bytes(graph, fmt, stats):
                out.write(chunk)
    return stats


def _write_split(graph: GraphExport, fmt: str, out: IO[bytes], stats: WriteStats) -> None:
    nodes_part, edges_part = _PARTS[fmt]
    with tempfile.TemporaryFile(prefix="kg-export-edges-") as spill:
        report_r, report_w = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: write the edges, report the counts, leave without cleanup
            status = 1
            try:
                os.close(report_r)
                mine = WriteStats()
                for chunk in edges_part(graph, mine):
                    spill.write(chunk)
                spill.flush()
                message, status = f"{mine.edges} {mine.bytes}", 0
            except BaseException as e:  # reported to the parent, which raises
                message = f"{type(e).__name__}: {e}"
            finally:
                try:
                    os.write(report_w, message.encode("utf-8", "replace")[:4000])
                finally:
                    os._exit(status)
        os.close(report_w)
        try:
            for chunk in nodes_part(graph, stats):
                out.write(chunk)
        except BaseException:
            os.kill(pid, signal.SIGKILL)
            raise
        finally:
            with os.fdopen(report_r, "rb") as report:
                message = report.read().decode("utf-8", "replace")
            _, status = os.waitpid(pid, 0)
        if status != 0:
            raise ExportFailed(f"writing the edges of the {graph.view} view failed: {message or status}")
        edges, size = map(int, message.split())
        spill.seek(0)
        shutil.copyfileobj(spill, out, 1 << 20)
        stats.edges += edges
        stats.bytes += size
        tail = _TAILS[fmt].encode()
        out.write(tail)
        stats.bytes += len(tail)


def export(store: GraphStore, options: ExportOptions, out: IO[bytes]) -> WriteStats:
    """Read, lay out and write one export (the CLI's and the benchmark's entry point).

    The collector stays paused until the view is written and dropped: turned back on while the
    view is alive, its first pass would walk all of it (half a second at 100k claims).
    """
    with _collector_paused():
        graph = build(store, options.view, options.date_from, options.date_to, lazy=True)
        stats = write(graph, options.fmt, out)
        del graph
    return stats


def export_bytes(store: GraphStore, options: ExportOptions) -> bytes:
    """The whole export in memory (tests, small stores)."""
    with _collector_paused():
        graph = build(store, options.view, options.date_from, options.date_to)
        data = b"".join(iter_bytes(graph, options.fmt))
        del graph
    return data


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
