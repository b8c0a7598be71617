"""The Gephi export's data as polars frames: the store's tables joined into claims, propositions,
roles, actors, documents and contradictions.

:mod:`kg.gephi_read` gives one table per triple pattern (from the documents' export summaries
where they are current, with claims and propositions already joined into records). The join was
done in Python dictionaries, one object per claim; at 100k claims that and the writers' per-element
work were most of an export's time on a slow machine (a few microseconds per element, in lookups
and the memory they touch). Here each table becomes a frame once and every join, choice and
ordering runs in polars' columnar engine, on both cores. The semantics are those of a join over the
triples: a pattern that the shapes say has one value per subject but has several keeps the
smallest, stably; a claim needs a claimant, a proposition and a source document.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Final

import polars as pl

from kg.gephi_read import (
    ACTOR_CLASSES,
    CLAIM_RECORDS,
    PROP_RECORDS,
    PROPOSITION_CLASSES,
)
from kg.namespaces import ID

Table = pl.DataFrame  # kg.gephi_read's tables

ROLES: Final = ("sender", "recipient", "party", "concerns")  # how actors take part in a proposition
POSITION: Final = "PositionStatement"
S: Final = pl.String


@dataclass
class Frames:
    """One export's data. Claims: ``claim, claimant, prop, doc, stance, attribution, confidence,
    when, status, window_start, window_end``. Props: ``prop, kind, summary, channel, direct,
    initiator``. Roles: ``prop, role, actor`` (unique). Actors: ``actor, label, kind`` (every
    claimant and every actor with a role in an exported proposition). Docs: ``doc, file, title,
    outlet, published``. Channels: ``channel, channel_label``. Contradictions: ``x, c1, c2,
    point, reason`` in the order of their IRIs (a view draws those whose claims are both in)."""

    claims: pl.DataFrame
    props: pl.DataFrame
    roles: pl.DataFrame
    actors: pl.DataFrame
    docs: pl.DataFrame
    channels: pl.DataFrame
    contradictions: pl.DataFrame


def local(iri: str | None) -> str | None:
    """The local name of an IRI: after its last ``#``, else after its last ``/``."""
    if iri is None:
        return None
    for sep in ("#", "/"):
        if sep in iri:
            return iri.rsplit(sep, 1)[1]
    return iri


def node_id(expr: pl.Expr) -> pl.Expr:
    """A node id: the IRI relative to the project's id base (``actor/iran``), else the IRI."""
    return expr.str.strip_prefix(ID)


def mapped(
    frame: pl.DataFrame, column: str, fn: Callable[[str], str | None], out: str | None = None
) -> pl.DataFrame:
    """``fn`` applied to a column through its distinct values: local names, labels and the like
    take few distinct values, and a Python call per distinct value costs nothing per row."""
    values = frame.get_column(column).drop_nulls().unique().to_list()
    mapping = {v: fn(v) for v in values}
    return frame.with_columns(
        pl.col(column).replace_strict(mapping, default=None, return_dtype=S).alias(out or column)
    )


def _pairs(table: Table, s: str, o: str) -> pl.DataFrame:
    return table.select(pl.col("s").alias(s), pl.col("o").alias(o))


def _functional(table: Table, s: str, o: str) -> pl.DataFrame:
    """subject -> object; a repeated value (which the shapes forbid) keeps the smallest."""
    frame = _pairs(table, s, o).filter(pl.col(s).is_not_null())
    if frame.get_column(s).is_unique().all():
        return frame
    return frame.group_by(s, maintain_order=True).agg(pl.col(o).min())


def _subjects(table: Table) -> pl.Series:
    return table.get_column("s").implode()


def truthy(expr: pl.Expr) -> pl.Expr:
    """Null for an empty text (and for null): Python's truth of a text, as ``a or b`` uses it."""
    return pl.when(expr != "").then(expr)


def _first_of(a: str, b: str, c: str) -> pl.Expr:
    """Python's ``a or b or c`` over three text columns."""
    return pl.coalesce(truthy(pl.col(a)), truthy(pl.col(b)), pl.col(c))


def read_frames(
    r: Mapping[str, Table], date_from: str | None, date_to: str | None, *, details: bool
) -> Frames:
    """The joined frames from the tables :func:`kg.gephi_read.read_tables` gave (with records),
    restricted to the claims whose timeline date is in the range (undated ones are left out then)."""
    with ThreadPoolExecutor(max_workers=1) as pool:  # polars lets go of the GIL: parts overlap
        later_contradictions = pool.submit(_contradictions, r, details=details)
        later_labels = pool.submit(_labels, r)
        later_kinds = pool.submit(_actor_kinds, r)
        return _joined(r, date_from, date_to, details, later_contradictions, later_labels, later_kinds)


def _joined(
    r: Mapping[str, Table],
    date_from: str | None,
    date_to: str | None,
    details: bool,
    later_contradictions: Future[pl.DataFrame],
    later_labels: Future[Callable[[str], str]],
    later_kinds: Future[pl.DataFrame],
) -> Frames:
    """Claims (from records and from table rows; records win, as they were written last), then
    what they involve; the parts made in the other thread are waited for where first needed."""
    claims = _table_claims(r, details=details)
    records = r.get(CLAIM_RECORDS)
    if records is not None and records.height:
        recorded = records.filter(
            pl.col("proposition").is_not_null()
            & pl.col("document").is_not_null()
            & pl.col("claimant").is_not_null()
            & pl.col("claim").is_not_null()
        )
        recorded = recorded.select(
            "claim",
            "claimant",
            pl.col("proposition").alias("prop"),
            pl.col("document").alias("doc"),
            "stance",
            (pl.col("attribution") if details else pl.lit(None, S)).alias("attribution"),
            (pl.col("confidence") if details else pl.lit(None, S)).alias("confidence"),
            pl.when(pl.col("stated_at").is_not_null())
            .then(_first_of("date", "not_after", "not_before"))
            .alias("when"),
            pl.when(pl.col("stated_at").is_not_null()).then(pl.col("status")).alias("status"),
            "window_start",
            "window_end",
        )
        if claims.height:  # records are unique among themselves (gephi_read.records_apart)
            claims = pl.concat([claims, recorded]).unique("claim", keep="last", maintain_order=True)
        else:
            claims = recorded
    claims = mapped(mapped(claims, "attribution", local), "confidence", local)
    if date_from is not None or date_to is not None:
        keep = pl.col("when").is_not_null()
        if date_from is not None:
            keep &= pl.col("when") >= date_from
        if date_to is not None:
            keep &= pl.col("when") <= date_to
        claims = claims.filter(keep)
    claims = claims.sort("claim")

    props = _props(r, claims.get_column("prop").unique())
    roles = (
        pl.concat(
            [_pairs(r[role], "prop", "actor").with_columns(pl.lit(role).alias("role")) for role in ROLES]
        )
        .filter(pl.col("actor").is_not_null())
        .join(props.select("prop"), on="prop", how="semi")
        .unique()
        .select("prop", "role", "actor")
    )

    label_of = later_labels.result()
    kinds = later_kinds.result()
    involved = pl.concat([claims.select(actor="claimant"), roles.select("actor")]).unique()
    actors = (
        mapped(involved, "actor", label_of, "label")
        .join(kinds, on="actor", how="left")
        .with_columns(pl.col("kind").fill_null("Actor"))
    )

    docs = (
        claims.select("doc")
        .unique()
        .join(_functional(r["file"], "doc", "file"), on="doc", how="left")
        .join(_functional(r["headline"], "doc", "title"), on="doc", how="left")
        .join(_functional(r["outlet"], "doc", "outlet_iri"), on="doc", how="left")
        .join(_functional(r["published"], "doc", "node"), on="doc", how="left")
    )
    docs = docs.join(_dates(r, docs.get_column("node")), on="node", how="left").rename({"when": "published"})
    docs = mapped(docs, "outlet_iri", label_of, "outlet").select(
        "doc", "file", "title", "outlet", "published"
    )
    channels = mapped(
        props.select(channel="channel")
        .filter(pl.col("channel").is_not_null() & (pl.col("channel") != ""))
        .unique(),
        "channel",
        label_of,
        "channel_label",
    )

    contradictions = later_contradictions.result()
    return Frames(claims, props, roles, actors, docs, channels, contradictions)


def _contradictions(r: Mapping[str, Table], *, details: bool) -> pl.DataFrame:
    """``x, c1, c2, point, reason``: each contradiction whose two claims are named, by IRI."""
    contradictions = (
        r["contradiction"]
        .select(x="s")
        .unique()
        .join(_functional(r["first_claim"], "x", "c1"), on="x", how="inner")
        .join(_functional(r["second_claim"], "x", "c2"), on="x", how="inner")
        .filter(pl.col("c1").is_not_null() & pl.col("c2").is_not_null())
        .join(_functional(r["point"], "x", "point"), on="x", how="left")
        .join(
            _functional(r["reason"], "x", "reason")
            if details
            else pl.DataFrame(schema={"x": S, "reason": S}),
            on="x",
            how="left",
        )
        .sort("x")
    )
    return mapped(contradictions, "point", local)


def _dates(r: Mapping[str, Table], nodes: pl.Series) -> pl.DataFrame:
    """``node, when``: the timeline date of each of these date nodes (its date, else the latest
    it can be, else the earliest), read only for them."""
    wanted = pl.DataFrame({"node": nodes}).drop_nulls().unique()
    found = [
        _functional(r[name], "node", column).join(wanted, on="node", how="semi")
        for name, column in (("date", "d"), ("not_after", "na"), ("not_before", "nb"))
    ]
    return (
        wanted.join(found[0], on="node", how="left")
        .join(found[1], on="node", how="left")
        .join(found[2], on="node", how="left")
        .select("node", _first_of("d", "na", "nb").alias("when"))
    )


def _table_claims(r: Mapping[str, Table], *, details: bool) -> pl.DataFrame:
    """Claims joined from the tables' rows (those the summaries do not hold as records)."""
    claims = (
        _functional(r["claimant"], "claim", "claimant")
        .join(_functional(r["proposition"], "claim", "prop"), on="claim", how="inner")
        .join(_functional(r["document"], "claim", "doc"), on="claim", how="inner")
        .filter(pl.col("prop").is_not_null() & pl.col("doc").is_not_null())
        .join(_functional(r["stated_at"], "claim", "node"), on="claim", how="left")
        .join(_functional(r["window_start"], "claim", "window_start"), on="claim", how="left")
        .join(_functional(r["window_end"], "claim", "window_end"), on="claim", how="left")
    )
    for name in ("attribution", "confidence"):
        table = _functional(r[name], "claim", name) if details else pl.DataFrame(schema={"claim": S, name: S})
        claims = claims.join(table, on="claim", how="left")
    denies, affirms = _subjects(r["denies"]), _subjects(r["affirms"])
    stated, inferred = _subjects(r["stated_status"]), _subjects(r["inferred_status"])
    return claims.join(_dates(r, claims.get_column("node")), on="node", how="left").select(
        "claim",
        "claimant",
        "prop",
        "doc",
        pl.when(pl.col("claim").is_in(denies))
        .then(pl.lit("denies"))
        .when(pl.col("claim").is_in(affirms))
        .then(pl.lit("affirms"))
        .alias("stance"),
        "attribution",
        "confidence",
        "when",
        pl.when(pl.col("node").is_in(stated))
        .then(pl.lit("stated"))
        .when(pl.col("node").is_in(inferred))
        .then(pl.lit("inferred"))
        .alias("status"),
        "window_start",
        "window_end",
    )


def _props(r: Mapping[str, Table], wanted: pl.Series) -> pl.DataFrame:
    """The claimed propositions: from their records, else joined from the tables; the kind is the
    most specific of the proposition classes a proposition has (an inferred graph adds the rest)."""
    records = r.get(PROP_RECORDS)
    recorded = pl.DataFrame(
        schema={"prop": S, "kind": S, "summary": S, "channel": S, "direct": S, "initiator": S}
    )
    if records is not None and records.height:
        frame = records.join(pl.DataFrame({"prop": wanted}), on="prop", how="semi")
        frame = mapped(frame, "prop_type", lambda t: local(t) or "Communication", "kind")
        recorded = frame.select(
            "prop", pl.col("kind").fill_null("Communication"), "summary", "channel", "direct", "initiator"
        ).unique("prop", keep="last", maintain_order=True)
    rest = pl.DataFrame({"prop": wanted}).join(recorded, on="prop", how="anti")
    rank = {c: i for i, c in enumerate(PROPOSITION_CLASSES)}
    types = (
        _pairs(r["prop_type"], "prop", "type")
        .filter(pl.col("type").is_not_null())
        .join(rest, on="prop", how="semi")
    )
    types = mapped(types, "type", lambda t: local(t) or "Communication", "kind").with_columns(
        pl.col("kind").replace_strict(rank, default=len(rank), return_dtype=pl.Int64).alias("rank")
    )
    kinds = types.sort("rank").group_by("prop", maintain_order=True).agg(pl.col("kind").first())
    joined = (
        rest.join(kinds, on="prop", how="left")
        .with_columns(pl.col("kind").fill_null("Communication"))
        .join(_functional(r["summary"], "prop", "summary"), on="prop", how="left")
        .join(_functional(r["channel"], "prop", "channel"), on="prop", how="left")
        .join(_functional(r["direct"], "prop", "direct"), on="prop", how="left")
        .join(_functional(r["initiator"], "prop", "initiator"), on="prop", how="left")
    )
    return pl.concat([recorded, joined.select(recorded.columns)])


def _labels(r: Mapping[str, Table]) -> Callable[[str], str]:
    """An IRI's label: English first, then untagged, then other languages, ties by text; else its
    local name. Labels are few (actors, outlets, channels): kept in a dictionary."""
    frame = r["label"].rename({"o": "label"})
    best = (
        frame.filter(pl.col("s").is_not_null() & pl.col("label").is_not_null())
        .with_columns(
            pl.when(pl.col("lang") == "en")
            .then(0)
            .when(pl.col("lang").is_null() | (pl.col("lang") == ""))
            .then(1)
            .otherwise(2)
            .alias("rank")
        )
        .sort("s", "rank", "label")
        .unique("s", keep="first", maintain_order=True)
    )
    found = dict(zip(best.get_column("s").to_list(), best.get_column("label").to_list(), strict=True))

    def label_of(iri: str) -> str:
        label = found.get(iri)
        return label if label is not None else (local(iri) or iri)

    return label_of


def _actor_kinds(r: Mapping[str, Table]) -> pl.DataFrame:
    """Each actor's most specific actor class (the first of :data:`ACTOR_CLASSES` it has)."""
    rank = {c: i for i, c in enumerate(ACTOR_CLASSES)}
    types = mapped(_pairs(r["actor_type"], "actor", "type"), "type", local, "kind").filter(
        pl.col("actor").is_not_null() & pl.col("kind").is_in(list(ACTOR_CLASSES))
    )
    return (
        types.with_columns(pl.col("kind").replace_strict(rank, return_dtype=pl.Int64).alias("rank"))
        .sort("rank")
        .group_by("actor", maintain_order=True)
        .agg(pl.col("kind").first())
    )
