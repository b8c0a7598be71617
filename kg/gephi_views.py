"""The two Gephi views laid out as polars frames of nodes and edges, ready for
:mod:`kg.gephi_render`. See :mod:`kg.gephi` for what each view shows and how time is given.

Every choice the views make (an actor's first date, a proposition's start, the pairs a
communication is drawn between, the weight of a dispute) is a group-by or a join over whole
columns; nothing loops over claims in Python. Rows come out in a fixed order (nodes by id, edges
by claim, proposition and contradiction IRIs), so the same store gives the same bytes.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterator
from typing import Final

import polars as pl

from kg.gephi_frames import POSITION, ROLES, Frames, local, mapped, node_id, truthy

S: Final = pl.String
I64: Final = pl.Int64

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
PY_SPACE: Final = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680"
    + "".join(map(chr, range(0x2000, 0x200B)))
    + ("\u2028\u2029\u202f\u205f\u3000")
)
"""The characters Python's ``str.isspace`` takes (what ``str.rstrip`` strips)."""

NodeFrame = pl.DataFrame
"""``id, label, start, r, g, b, size`` and a column per node attribute (null: no value)."""
EdgeParts = Callable[[], Iterator[pl.DataFrame]]
"""Edge frames in order: ``source, target, label, start, weight, r, g, b`` and the attributes."""


def actor_size(claims: int) -> float:
    return round(10.0 + 6.0 * math.log2(1 + claims), 2)


def _colour(
    key: pl.Expr, colours: dict[str, tuple[int, int, int]], default: tuple[int, int, int] | None
) -> list[pl.Expr]:
    """``r, g, b`` by a key column (null channels where the key has no colour and no default)."""
    return [
        key.replace_strict(
            {k: v[i] for k, v in colours.items()},
            default=None if default is None else default[i],
            return_dtype=I64,
        ).alias(channel)
        for i, channel in enumerate("rgb")
    ]


def _fixed_colour(colour: tuple[int, int, int] | None) -> list[pl.Expr]:
    return [pl.lit(None if colour is None else colour[i], I64).alias(c) for i, c in enumerate("rgb")]


def _first_seen(frame: pl.DataFrame, key: str, date: str, out: str) -> pl.DataFrame:
    """The earliest date per key, or null if any is missing (an undated item stays visible)."""
    return frame.group_by(key).agg(
        pl.when(pl.col(date).null_count() == 0).then(pl.col(date).min()).alias(out)
    )


def _both_on_record(a: pl.Expr, b: pl.Expr) -> pl.Expr:
    return pl.when(a.is_not_null() & b.is_not_null()).then(pl.when(a >= b).then(a).otherwise(b))


def _directness(direct: pl.Expr) -> pl.Expr:
    return (
        pl.when(direct.is_null())
        .then(pl.lit("unstated"))
        .when(direct.is_in(["true", "1"]))
        .then(pl.lit("direct"))
        .otherwise(pl.lit("indirect"))
    )


def _point_name(point: str) -> str:
    """``OccurrencePoint`` -> ``occurrence``."""
    return (point[: -len("Point")] if point.endswith("Point") else point).lower()


def _local_expr(iri: pl.Expr) -> pl.Expr:
    """:func:`kg.gephi_frames.local` over a column, or the IRI itself where that is empty."""
    name = (
        pl.when(iri.str.contains("#", literal=True))
        .then(iri.str.extract(r"#([^#]*)$"))
        .when(iri.str.contains("/", literal=True))
        .then(iri.str.extract(r"/([^/]*)$"))
        .otherwise(iri)
    )
    return pl.when(name != "").then(name).otherwise(iri)


def _sizes(frame: pl.DataFrame, count: str) -> pl.DataFrame:
    sizes = {n: actor_size(n) for n in frame.get_column(count).unique().to_list()}
    return frame.with_columns(pl.col(count).replace_strict(sizes, return_dtype=pl.Float64).alias("size"))


def _with_ids(claims: pl.DataFrame) -> pl.DataFrame:
    return claims.with_columns(
        node_id(pl.col("claim")).alias("cid"),
        node_id(pl.col("claimant")).alias("aid"),
        pl.col("stance").fill_null("affirms").alias("st"),
    )


def _by_id(frame: pl.DataFrame) -> pl.DataFrame:
    """Sorted by id, stably; often already so (claims come sorted by IRI), which costs one pass."""
    return frame if frame.get_column("id").is_sorted() else frame.sort("id", maintain_order=True)


def _nodes(parts: list[pl.DataFrame], columns: list[str]) -> pl.DataFrame:
    """The node frames of each kind as one, sorted by id (kinds in the order given on a tie).

    Each kind is sorted on its own; when their ranges of ids do not overlap (kinds have ids of
    their own, ``actor/…``, ``claim/…``), putting them one after the other sorts the whole, which
    saves sorting a quarter of a million strings at 100k claims.
    """
    order = sorted(
        (
            (i, _by_id(part).with_columns(pl.lit(i).alias("_kind")))
            for i, part in enumerate(parts)
            if part.height
        ),
        key=lambda item: (item[1].item(0, "id"), item[0]),
    )
    ranked = [part for _, part in order]
    frame = pl.concat(ranked, how="diagonal_relaxed") if ranked else pl.concat(parts, how="diagonal_relaxed")
    apart = all(a.item(-1, "id") < b.item(0, "id") for a, b in itertools.pairwise(ranked))
    if not apart:
        frame = frame.sort("id", "_kind", maintain_order=True)
    return frame.select("id", "label", "start", "r", "g", "b", "size", *columns)


# --- the actors view ---------------------------------------------------------------------------------


def _pairs(roles: pl.DataFrame) -> pl.DataFrame:
    """Directed ``(prop, s, t, mutual)`` pairs each communication is drawn as: sender -> recipient,
    and each way between two parties (mutual), ordered by the endpoints' ids."""
    senders = roles.filter(pl.col("role") == "sender").select("prop", s="actor")
    recipients = roles.filter(pl.col("role") == "recipient").select("prop", t="actor")
    parties = roles.filter(pl.col("role") == "party").select("prop", "actor")
    directed = senders.join(recipients, on="prop").with_columns(pl.lit(False).alias("mutual"))
    mutual = (
        parties.rename({"actor": "s"})
        .join(parties.rename({"actor": "t"}), on="prop")
        .filter(pl.col("s") != pl.col("t"))
        .with_columns(pl.lit(True).alias("mutual"))
    )
    return (
        pl.concat([directed, mutual])
        .unique()
        .with_columns(node_id(pl.col("s")).alias("sid"), node_id(pl.col("t")).alias("tid"))
    )


ACTOR_NODE_ATTRS: Final = ("kind", "claims")
ACTOR_EDGE_ATTRS: Final = (
    "relation",
    "communication",
    "channel",
    "directness",
    "mutual",
    "stance",
    "claimant",
    "claim",
    "stated",
    "date_status",
    "document",
    "summary",
    "window_start",
    "window_end",
    "points",
    "disagreements",
)


def actors_view(f: Frames) -> tuple[Callable[[], NodeFrame], EdgeParts, int]:
    """Actors, communication edges per claim and pair, and weighted contradiction edges."""
    claims = _with_ids(f.claims).with_row_index("i")
    actor_label = f.actors.select("actor", "label", "kind")
    props = f.props.join(f.channels, on="channel", how="left")
    comm = claims.join(props.filter(pl.col("kind") != POSITION), on="prop", how="inner").join(
        _pairs(f.roles), on="prop", how="inner"
    )

    c1 = claims.select(c1="claim", a="claimant", w1="when", aid1="aid")
    c2 = claims.select(c2="claim", b="claimant", w2="when", aid2="aid")
    raw = mapped(f.contradictions, "point", _point_name, "pname").join(c1, on="c1").join(c2, on="c2")
    forward = pl.col("aid1") <= pl.col("aid2")
    items = raw.select(
        pl.when(forward).then(pl.col("a")).otherwise(pl.col("b")).alias("k0"),
        pl.when(forward).then(pl.col("b")).otherwise(pl.col("a")).alias("k1"),
        _both_on_record(pl.col("w1"), pl.col("w2")).alias("date"),
        "pname",
    )
    disputes = (
        items.group_by("k0", "k1")
        .agg(
            pl.len().cast(I64).alias("n"),
            pl.when(pl.col("date").null_count() == 0).then(pl.col("date").min()).alias("start"),
            pl.col("pname")
            .filter(truthy(pl.col("pname")).is_not_null())
            .unique()
            .sort()
            .str.join(", ")
            .alias("points"),
        )
        .with_columns(
            node_id(pl.col("k0")).alias("sid"),
            node_id(pl.col("k1")).alias("tid"),
            pl.when(pl.col("points") != "").then(pl.col("points")).alias("points"),
        )
        .sort("sid", "tid")
    )

    seen = pl.concat(
        [
            claims.select(actor="claimant", date="when"),
            comm.select(actor="s", date="when"),
            comm.select(actor="t", date="when"),
            disputes.select(actor="k0", date="start"),
            disputes.select(actor="k1", date="start"),
        ]
    )
    made = claims.group_by(actor="claimant").agg(pl.len().cast(I64).alias("claims"))
    nodes_frame = (
        _first_seen(seen, "actor", "date", "start")
        .join(actor_label, on="actor", how="left")
        .join(made, on="actor", how="left")
        .with_columns(pl.col("claims").fill_null(0), node_id(pl.col("actor")).alias("id"))
    )
    nodes_frame = _sizes(nodes_frame, "claims").with_columns(
        *_colour(pl.col("kind"), COLOURS, COLOURS["Actor"])
    )
    nodes = _nodes([nodes_frame], list(ACTOR_NODE_ATTRS))

    def edges() -> Iterator[pl.DataFrame]:
        docs = f.docs.select("doc", document="file")
        labels = actor_label.select(claimant="actor", claimant_label="label")
        communications = comm.join(docs, on="doc", how="left").join(labels, on="claimant", how="left")
        yield communications.sort("i", "sid", "tid", "mutual").select(
            pl.col("sid").alias("source"),
            pl.col("tid").alias("target"),
            (pl.col("st") + " " + pl.col("kind")).alias("label"),
            pl.col("when").alias("start"),
            pl.lit(1, I64).alias("weight"),
            *_colour(pl.col("st"), EDGE_COLOURS, None),
            pl.lit("communication").alias("relation"),
            pl.col("kind").alias("communication"),
            pl.when(truthy(pl.col("channel")).is_not_null()).then(pl.col("channel_label")).alias("channel"),
            _directness(pl.col("direct")).alias("directness"),
            "mutual",
            pl.col("st").alias("stance"),
            pl.col("claimant_label").alias("claimant"),
            pl.col("cid").alias("claim"),
            pl.col("when").alias("stated"),
            pl.col("status").alias("date_status"),
            "document",
            "summary",
            "window_start",
            "window_end",
            pl.lit(None, S).alias("points"),
            pl.lit(None, I64).alias("disagreements"),
        )
        yield disputes.select(
            pl.col("sid").alias("source"),
            pl.col("tid").alias("target"),
            pl.concat_str(
                pl.col("n").cast(S),
                pl.when(pl.col("n") != 1).then(pl.lit(" disagreements")).otherwise(pl.lit(" disagreement")),
            ).alias("label"),
            "start",
            pl.col("n").alias("weight"),
            *_fixed_colour(EDGE_COLOURS["contradiction"]),
            pl.lit("contradiction").alias("relation"),
            *[pl.lit(None, S).alias(name) for name in ACTOR_EDGE_ATTRS[1:4]],
            pl.lit(None, pl.Boolean).alias("mutual"),
            *[pl.lit(None, S).alias(name) for name in ACTOR_EDGE_ATTRS[5:14]],
            "points",
            pl.col("n").alias("disagreements"),
        )

    return (lambda: nodes), edges, nodes.height


# --- the claims view ---------------------------------------------------------------------------------

CLAIM_NODE_ATTRS: Final = (
    "category",
    "kind",
    "claims",
    "stance",
    "attribution",
    "confidence",
    "stated",
    "date_status",
    "window_start",
    "window_end",
    "summary",
    "channel",
    "directness",
    "initiator",
    "title",
    "file",
    "outlet",
    "published",
)
CLAIM_EDGE_ATTRS: Final = ("relation", "stance", "point", "reason")
SUMMARY_LABEL: Final = 60


def _confidence(name: str) -> str | None:
    """``Credibility3`` -> ``3`` (an Admiralty grade), as text for the integer column."""
    digits = name[len("Credibility") :] if name[-1:].isdigit() else ""
    try:
        return str(int(digits)) if digits else None
    except ValueError:
        return None


def claims_view(f: Frames) -> tuple[Callable[[], NodeFrame], EdgeParts, int]:
    """Actors, claims, propositions and documents; claimant -> claim -> proposition, claim ->
    document, the proposition's actors, and claim -> claim for each contradiction."""
    claims = _with_ids(f.claims).with_columns(
        node_id(pl.col("prop")).alias("pid"), node_id(pl.col("doc")).alias("did")
    )
    prop_start = _first_seen(claims, "prop", "when", "start")
    props = (
        f.props.join(prop_start, on="prop", how="left")
        .join(f.channels, on="channel", how="left")
        .with_columns(node_id(pl.col("prop")).alias("pid"))
        .sort("pid", "prop")
        .with_row_index("prank")
    )
    roles = f.roles.join(props.select("prop", "pid", "prank", "start"), on="prop").with_columns(
        node_id(pl.col("actor")).alias("aid")
    )
    size = f.actors.height + claims.height + props.height + f.docs.height

    def nodes() -> pl.DataFrame:
        made = claims.group_by(actor="claimant").agg(pl.len().cast(I64).alias("claims"))
        dates = pl.concat([claims.select(actor="claimant", date="when"), roles.select("actor", date="start")])
        actors = (
            _first_seen(dates, "actor", "date", "start")
            .join(f.actors, on="actor", how="left")
            .join(made, on="actor", how="left")
            .with_columns(pl.col("claims").fill_null(0))
        )
        actors = _sizes(actors, "claims").select(
            node_id(pl.col("actor")).alias("id"),
            "label",
            "start",
            *_colour(pl.col("kind"), COLOURS, COLOURS["Actor"]),
            "size",
            pl.lit("actor").alias("category"),
            "kind",
            "claims",
        )
        claim_nodes = mapped(claims, "confidence", _confidence, "grade").select(
            pl.col("cid").alias("id"),
            _local_expr(pl.col("claim")).alias("label"),
            pl.col("when").alias("start"),
            *_fixed_colour(COLOURS["Claim"]),
            pl.lit(6.0).alias("size"),
            pl.lit("claim").alias("category"),
            pl.lit("Claim").alias("kind"),
            "stance",
            "attribution",
            pl.col("grade").cast(I64).alias("confidence"),
            pl.col("when").alias("stated"),
            pl.col("status").alias("date_status"),
            "window_start",
            "window_end",
        )
        position = pl.col("kind") == POSITION
        summary = pl.col("summary")
        initiators = f.actors.select(initiator="actor", initiator_label="label")
        prop_nodes = mapped(
            props.join(initiators, on="initiator", how="left"), "initiator", local, "initiator_name"
        )
        prop_nodes = prop_nodes.select(
            pl.col("pid").alias("id"),
            pl.when(truthy(summary).is_null())
            .then(pl.col("kind"))
            .when(summary.str.len_chars() <= SUMMARY_LABEL)
            .then(summary)
            .otherwise(summary.str.slice(0, SUMMARY_LABEL - 1).str.strip_chars_end(PY_SPACE) + "…")
            .alias("label"),
            "start",
            *[
                pl.when(position)
                .then(pl.lit(COLOURS[POSITION][i]))
                .otherwise(pl.lit(COLOURS["communication"][i]))
                .cast(I64)
                .alias(c)
                for i, c in enumerate("rgb")
            ],
            pl.lit(8.0).alias("size"),
            pl.when(position).then(pl.lit("position")).otherwise(pl.lit("communication")).alias("category"),
            "kind",
            "summary",
            pl.when(truthy(pl.col("channel")).is_not_null()).then(pl.col("channel_label")).alias("channel"),
            pl.when(~position).then(_directness(pl.col("direct"))).alias("directness"),
            pl.coalesce(pl.col("initiator_label"), pl.col("initiator_name")).alias("initiator"),
        )
        doc_nodes = f.docs.with_columns(node_id(pl.col("doc")).alias("id")).select(
            "id",
            pl.coalesce(truthy(pl.col("title")), truthy(pl.col("file")), pl.col("id")).alias("label"),
            pl.col("published").alias("start"),
            *_fixed_colour(COLOURS["Document"]),
            pl.lit(10.0).alias("size"),
            pl.lit("document").alias("category"),
            pl.lit("Document").alias("kind"),
            "title",
            "file",
            "outlet",
            "published",
        )
        return _nodes([actors, claim_nodes, prop_nodes, doc_nodes], list(CLAIM_NODE_ATTRS))

    def edges() -> Iterator[pl.DataFrame]:
        base = claims.with_row_index("i").with_columns(pl.col("i").cast(I64) * 3)
        none = pl.lit(None, S)
        makes, claimed, sources = (
            base.select(
                pl.col("i") + k,
                pl.col(source).alias("source"),
                pl.col(target).alias("target"),
                label.alias("label"),
                pl.col("when").alias("start"),
                pl.lit(1, I64).alias("weight"),
                *colour,
                pl.lit(relation).alias("relation"),
                stance.alias("stance"),
            )
            for k, source, target, label, colour, relation, stance in (
                (0, "aid", "cid", pl.lit("makes"), _fixed_colour(None), "makes", none),
                (
                    1,
                    "cid",
                    "pid",
                    pl.col("st"),
                    _colour(pl.col("st"), EDGE_COLOURS, None),
                    "claims",
                    pl.col("st"),
                ),
                (2, "cid", "did", pl.lit("source"), _fixed_colour(None), "source", none),
            )
        )
        tail = [none.alias("point"), none.alias("reason")]
        yield pl.concat([makes, claimed, sources]).sort("i").drop("i").with_columns(*tail)
        sender = pl.col("role") == "sender"
        # Ordered by proposition, role and actor: by ranks, cheaper to sort than three strings.
        actors = roles.select("aid").unique().sort("aid").with_row_index("arank")
        roles_ranked = roles.join(actors, on="aid").with_columns(
            pl.col("role")
            .replace_strict({r: i for i, r in enumerate(sorted(ROLES))}, return_dtype=I64)
            .alias("rrank")
        )
        yield roles_ranked.sort("prank", "rrank", "arank").select(
            pl.when(sender).then(pl.col("aid")).otherwise(pl.col("pid")).alias("source"),
            pl.when(sender).then(pl.col("pid")).otherwise(pl.col("aid")).alias("target"),
            pl.col("role").alias("label"),
            "start",
            pl.lit(1, I64).alias("weight"),
            *_fixed_colour(None),
            pl.col("role").alias("relation"),
            none.alias("stance"),
            *tail,
        )
        c1 = claims.select(c1="claim", w1="when", id1="cid")
        c2 = claims.select(c2="claim", w2="when", id2="cid")
        contradictions = (
            mapped(f.contradictions, "point", _point_name, "pname").join(c1, on="c1").join(c2, on="c2")
        )
        yield contradictions.sort("x").select(
            pl.col("id1").alias("source"),
            pl.col("id2").alias("target"),
            pl.when(truthy(pl.col("point")).is_not_null())
            .then(pl.concat_str(pl.lit("contradicts ("), pl.col("point"), pl.lit(")")))
            .otherwise(pl.lit("contradicts"))
            .alias("label"),
            _both_on_record(pl.col("w1"), pl.col("w2")).alias("start"),
            pl.lit(1, I64).alias("weight"),
            *_fixed_colour(EDGE_COLOURS["contradicts"]),
            pl.lit("contradicts").alias("relation"),
            none.alias("stance"),
            pl.col("pname").alias("point"),
            "reason",
        )

    return nodes, edges, size
