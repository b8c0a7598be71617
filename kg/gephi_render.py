"""Gephi exports written from columns: GEXF 1.3 and GraphML rendered by polars expressions.

The view hands over its nodes and edges as polars frames (one row per element, one column per
attribute, null for "no value") and this module turns each batch of rows into markup with a
single ``select`` of one string expression per row, so the escaping, the number formatting and
the string building all run in polars' Rust kernels rather than in a Python loop per element;
Python only formats the few distinct colour/size and weight combinations. The rendered rows
leave polars as bytes a few megabytes at a time, joined there and handed over as one binary
value each.

The bytes are those of the hand-written writers this replaces (``kg.gephi``'s ``_gexf_nodes``
and friends); every rule below, down to which values are escaped and which are written raw,
follows them, so that the same store still gives the same file.

Frames:

* nodes: ``id``, ``label`` (String), ``start`` (String, nullable), ``r``, ``g``, ``b`` (Int64),
  ``size`` (Float64), then one column per node column, named after it, typed by it (string:
  String, integer: Int64, double: Float64, boolean: Boolean); null is "no value".
* edges: ``source``, ``target``, ``label`` (String), ``start`` (String, nullable), ``weight``
  (Int64), ``r``, ``g``, ``b`` (Int64, all null for an edge without colour), then the edge
  columns likewise.

This module imports nothing from :mod:`kg.gephi` (which imports it): columns and counters are
taken by their shape (:class:`ColumnLike`, :class:`StatsLike`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Final, Protocol

import polars as pl

from kg import __version__

GEXF_NS: Final = "http://gexf.net/1.3"
GEXF_VIZ_NS: Final = "http://gexf.net/1.3/viz"
GRAPHML_NS: Final = "http://graphml.graphdrawing.org/xmlns"


class ColumnLike(Protocol):
    """A node or edge attribute (``kg.gephi.Column``): its name and its type, one of
    ``string``, ``integer``, ``double``, ``boolean``."""

    @property
    def name(self) -> str: ...

    @property
    def type(self) -> str: ...


class StatsLike(Protocol):
    """What was written (``kg.gephi.WriteStats``): counters this module adds to."""

    nodes: int
    edges: int
    bytes: int


# --- escaping ------------------------------------------------------------------------------------

_ATTR_ESCAPES: Final[dict[str, str]] = {
    "&": "&amp;",
    "<": "&lt;",
    ">": "&gt;",
    '"': "&quot;",
    "\t": "&#9;",
    "\n": "&#10;",
    "\r": "&#13;",
    **{chr(i): "" for i in range(32) if i not in (9, 10, 13)},  # not allowed in XML 1.0
    "\ufffe": "",
    "\uffff": "",
}
_ATTR_TABLE: Final = str.maketrans({k: v or None for k, v in _ATTR_ESCAPES.items()})
_ATTR_FROM: Final = list(_ATTR_ESCAPES)
_ATTR_TO: Final = list(_ATTR_ESCAPES.values())

_SPACE_CLASS: Final = (
    r"\t\n\x0B\x0C\r\x1C-\x1F \x{85}\x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}"
)
"""Exactly the characters ``str.isspace`` takes, which are those ``str.split()`` splits on: the
regex crate's ``\\s`` (Unicode White_Space) lacks the four information separators ``\\x1c``-
``\\x1f``, which Python counts as whitespace."""
_SPACE_RUN: Final = f"[{_SPACE_CLASS}]+"


def xml_attr(text: str) -> str:
    """Escape one value for a double-quoted XML attribute in Python (the head's few texts), with
    the rules of :func:`escape_attr`."""
    return text.translate(_ATTR_TABLE)


def escape_attr(expr: pl.Expr) -> pl.Expr:
    """Each value escaped for a double-quoted XML attribute (also used for element text).

    ``& < > "`` become entities; tab, newline and carriage return character references, so that
    an attribute value keeps them (a parser normalises literal ones to spaces); the other C0
    controls and U+FFFE/U+FFFF, which XML 1.0 does not allow at all, are dropped. One
    Aho-Corasick pass over the text instead of a ``replace_all`` per character: no slower than
    merely testing for the characters, so it is not worth testing first.
    """
    return expr.str.replace_many(_ATTR_FROM, _ATTR_TO)


def collapse_space(expr: pl.Expr) -> pl.Expr:
    """Python's ``" ".join(text.split())``: whitespace runs to one space, none at either end."""
    return expr.str.replace_all(_SPACE_RUN, " ").str.strip_chars(" ")


def escape_token(expr: pl.Expr) -> pl.Expr:
    """A label as an ``xsd:token`` (whitespace collapsed, as the GEXF grammar types labels),
    escaped as :func:`escape_attr` does. Collapsing first matters: a control character between
    two spaces is dropped after the collapse, leaving the two spaces, as the old writer did."""
    return escape_attr(collapse_space(expr))


_ODD_SPACE: Final = f"[{_SPACE_CLASS.replace(' ', '')}]|  |^ | $"
"""What :func:`collapse_space` would change; a slice of labels without it skips that pass."""


def float_repr(expr: pl.Expr) -> pl.Expr:
    """Python's ``repr(float)`` of each value (a GraphML ``double``, a double column).

    Polars' own float formatting is the same shortest round-trip form, with the same switch to
    exponents from 1e16 up, but differs below 1e-4: it writes ``0.0000x`` down to 1e-5 where
    Python has ``xe-05``, its exponents have no leading zero (``e-7``, Python ``e-07``), and it
    spells NaN ``NaN``. Those three are patched; everything else is polars' text.
    """
    x = expr.cast(pl.Float64)
    text = (
        x.cast(pl.String)
        .str.replace(r"^(-?)0\.0000([1-9])([0-9]+)$", "${1}${2}.${3}e-05")
        .str.replace(r"^(-?)0\.0000([1-9])$", "${1}${2}e-05")
        .str.replace(r"e-([0-9])$", "e-0${1}")
    )
    return pl.when(x.is_nan()).then(pl.lit("nan")).otherwise(text)


def lexical(expr: pl.Expr, type_: str) -> pl.Expr:
    """An attribute value's lexical form for its column type (null stays null: no element).

    Integers in decimal, booleans ``true``/``false`` (polars' casts give exactly those), doubles
    as Python's ``repr``, strings escaped.
    """
    if type_ in ("integer", "boolean"):
        return expr.cast(pl.String)
    if type_ == "double":
        return float_repr(expr)
    if type_ == "string":
        return escape_attr(expr.cast(pl.String))
    raise ValueError(f"unknown column type {type_!r}")


# --- rendering -----------------------------------------------------------------------------------


def _wrap(opening: str, value: pl.Expr, closing: str) -> pl.Expr:
    """``opening + value + closing``, null when the value is: an optional piece of markup."""
    return pl.concat_str([pl.lit(opening), value, pl.lit(closing)])


def _start(opening: str, closing: str) -> pl.Expr:
    """The ``start`` date, written raw as the old writers did (dates are ``YYYY-MM-DD``), and only
    when there is one: an empty text counts as none."""
    value = pl.col("start")
    return pl.when(value != "").then(_wrap(opening, value, closing))


def _values(columns: Sequence[ColumnLike], opening: str, closing: str) -> list[pl.Expr]:
    """One optional element per column; the column name goes in unescaped (names are ours)."""
    return [_wrap(opening.format(name=c.name), lexical(pl.col(c.name), c.type), closing) for c in columns]


Key = tuple[object, ...]


def _by_distinct(frame: pl.DataFrame, keys: Sequence[str], markup: Callable[[Key], str]) -> pl.Expr:
    """``markup(values)`` for the row's values in ``keys``, made in Python once per distinct
    combination in ``frame`` and mapped onto the rows.

    For the markup that only a few combinations make (colour and size, weights), written in
    Python with its exact formatting: ``f"{size:.2f}"`` rounds the exact binary value, which
    polars' ``round`` does not, and a float's ``repr`` is simply Python's own. A struct lookup
    also costs a fraction of building the same text from casts per row.
    """
    key = pl.struct(keys)
    # In order of first appearance: polars takes -0.0 for 0.0 (and one NaN for another), so the
    # first one's text stands for both, as the old writers' dictionary of tails had it.
    distinct = frame.select(key.unique(maintain_order=True)).to_series()
    texts = [markup(tuple(d[k] for k in keys)) for d in distinct.to_list()]
    return key.replace_strict(distinct, texts, return_dtype=pl.String)


def _gexf_node_tail(key: Key) -> str:
    r, g, b, size = key
    return (
        f'        </attvalues>\n        <viz:color r="{r}" g="{g}" b="{b}"/>\n'
        f'        <viz:size value="{size:.2f}"/>\n      </node>\n'
    )


def _graphml_node_tail(key: Key) -> str:
    r, g, b, size = key
    return (
        f'      <data key="n_r">{r}</data>\n      <data key="n_g">{g}</data>\n'
        f'      <data key="n_b">{b}</data>\n      <data key="n_size">{size!r}</data>\n'
        "    </node>\n"
    )


def _gexf_edge_tail(key: Key) -> str:
    """No colour (the three are null) is no ``viz:color`` element."""
    r, g, b = key
    colour = "" if r is None else f'        <viz:color r="{r}" g="{g}" b="{b}"/>\n'
    return f"        </attvalues>\n{colour}      </edge>\n"


def _graphml_weight(key: Key) -> str:
    """``repr(float(weight))``: GraphML types the weight a double (``1.0``)."""
    (weight,) = key
    return f'      <data key="e_weight">{float(weight)!r}</data>\n'  # type: ignore[arg-type]


def _edge_id(offset: int) -> pl.Expr:
    """``n`` of ``e{n}``, counting on from ``offset`` (the edges before this batch)."""
    return (pl.int_range(pl.len(), dtype=pl.Int64) + offset).cast(pl.String)


def _label_token(frame: pl.DataFrame) -> pl.Expr:
    """The GEXF label (an ``xsd:token``), collapsing whitespace only if some label needs it.

    The collapse is a regex replacement several times the cost of testing for what it would
    change, and labels almost never need it, so the batch is tested first.
    """
    label = pl.col("label")
    odd = frame.height > 0 and bool(frame.select(label.str.contains(_ODD_SPACE).any()).item())
    return escape_attr(collapse_space(label) if odd else label)


NODE_KEYS: Final = ("r", "g", "b", "size")
COLOUR_KEYS: Final = ("r", "g", "b")


def _gexf_node_row(columns: Sequence[ColumnLike], batch: pl.DataFrame, tail: pl.Expr) -> pl.Expr:
    return pl.concat_str(
        [
            pl.lit('      <node id="'),
            escape_attr(pl.col("id")),
            pl.lit('" label="'),
            _label_token(batch),
            pl.lit('"'),
            _start(' start="', '"'),
            pl.lit(">\n        <attvalues>\n"),
            *_values(columns, '          <attvalue for="{name}" value="', '"/>\n'),
            tail,
        ],
        ignore_nulls=True,
    )


def _graphml_node_row(columns: Sequence[ColumnLike], tail: pl.Expr) -> pl.Expr:
    return pl.concat_str(
        [
            pl.lit('    <node id="'),
            escape_attr(pl.col("id")),
            pl.lit('">\n      <data key="n_label">'),
            escape_attr(pl.col("label")),
            pl.lit("</data>\n"),
            _start('      <data key="n_start">', "</data>\n"),
            *_values(columns, '      <data key="n_{name}">', "</data>\n"),
            tail,
        ],
        ignore_nulls=True,
    )


def _edge_opening(indent: str, offset: int) -> list[pl.Expr]:
    """``<edge id="e…" source="…" target="…`` (both formats)."""
    return [
        pl.lit(indent + '<edge id="e'),
        _edge_id(offset),
        pl.lit('" source="'),
        escape_attr(pl.col("source")),
        pl.lit('" target="'),
        escape_attr(pl.col("target")),
    ]


def _gexf_edge_row(columns: Sequence[ColumnLike], batch: pl.DataFrame, offset: int) -> pl.Expr:
    return pl.concat_str(
        [
            *_edge_opening("      ", offset),
            pl.lit('" label="'),
            _label_token(batch),
            pl.lit('" weight="'),
            pl.col("weight").cast(pl.String),
            pl.lit('"'),
            _start(' start="', '"'),
            pl.lit(">\n        <attvalues>\n"),
            *_values(columns, '          <attvalue for="{name}" value="', '"/>\n'),
            _by_distinct(batch, COLOUR_KEYS, _gexf_edge_tail),
        ],
        ignore_nulls=True,
    )


def _graphml_edge_row(columns: Sequence[ColumnLike], batch: pl.DataFrame, offset: int) -> pl.Expr:
    return pl.concat_str(
        [
            *_edge_opening("    ", offset),
            pl.lit('">\n      <data key="e_label">'),
            escape_attr(pl.col("label")),
            pl.lit("</data>\n"),
            _start('      <data key="e_start">', "</data>\n"),
            _by_distinct(batch, ("weight",), _graphml_weight),
            *_values(columns, '      <data key="e_{name}">', "</data>\n"),
            pl.lit("    </edge>\n"),
        ],
        ignore_nulls=True,
    )


BATCH_ROWS: Final = 65_536
"""Rows rendered by one ``select``. Each ``select`` costs a few milliseconds of planning for an
expression of a hundred nodes, so slices of a few thousand rows spend more time planning than
rendering; one of this size is some tens of megabytes of text."""
CHUNK_ROWS: Final = 8_192
"""Rendered rows per chunk of bytes: 2 to 8 megabytes. Turning a chunk that size into bytes is
also faster per byte than turning the whole batch (it stays in the processor's caches)."""


def _batches(frame: pl.DataFrame) -> Iterator[tuple[int, pl.DataFrame]]:
    for offset in range(0, frame.height, BATCH_ROWS):
        yield offset, frame.slice(offset, BATCH_ROWS)


def _chunks(rendered: pl.DataFrame, stats: StatsLike) -> Iterator[bytes]:
    """The rendered rows (one string column) as UTF-8, ``CHUNK_ROWS`` rows at a time, each
    chunk whole elements.

    Joined in polars and handed over as a binary value: a single copy into Python's bytes. That
    is faster than ``write_csv`` into a buffer (no quoting, no terminator, which also copies
    verbatim) and three times faster than joining into a Python string and encoding it.
    """
    column = rendered.to_series()
    for offset in range(0, len(column), CHUNK_ROWS):
        data: bytes = column.slice(offset, CHUNK_ROWS).str.join("").cast(pl.Binary).item()
        stats.bytes += len(data)
        yield data


MIDDLES: Final[dict[str, str]] = {"gexf": "    </nodes>\n    <edges>\n", "graphml": ""}
"""What comes between the last node and the first edge."""
TAILS: Final[dict[str, str]] = {
    "gexf": "    </edges>\n  </graph>\n</gexf>\n",
    "graphml": "  </graph>\n</graphml>\n",
}
"""What comes after the last edge."""


NODE_FIELDS: Final = ("id", "label", "start", *NODE_KEYS)
"""The node frame's own columns, before the view's: no view column may take one of these names
(a GraphML key ``n_r`` would then be declared twice, too)."""
EDGE_FIELDS: Final = ("source", "target", "label", "start", "weight", *COLOUR_KEYS)
"""The edge frame's own columns, before the view's."""
FORMATS: Final = ("gexf", "graphml")


def _check(fmt: str, columns: Sequence[ColumnLike], fields: Sequence[str]) -> None:
    if fmt not in FORMATS:
        raise ValueError(f"unknown graph format {fmt!r}; use one of {', '.join(FORMATS)}")
    taken = sorted({c.name for c in columns}.intersection(fields))
    if taken:
        raise ValueError(f"column names {taken} are taken by the frame's own columns {list(fields)}")


def _gexf_head(
    description: str,
    node_columns: Sequence[ColumnLike],
    edge_columns: Sequence[ColumnLike],
    date_from: str | None,
    date_to: str | None,
) -> str:
    head = [
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        f'<gexf xmlns="{GEXF_NS}" xmlns:viz="{GEXF_VIZ_NS}" version="1.3">\n',
        "  <meta>\n",
        f"    <creator>backchannel-kg {xml_attr(__version__)}</creator>\n",
        f"    <description>{xml_attr(description)}</description>\n",
        "  </meta>\n",
    ]
    bounds = ""
    if date_from:
        bounds += f' start="{date_from}"'
    if date_to:
        bounds += f' end="{date_to}"'
    head.append(f'  <graph mode="dynamic" defaultedgetype="directed" timeformat="date"{bounds}>\n')
    for cls, columns in (("node", node_columns), ("edge", edge_columns)):
        # One block per class: graphology-gexf keeps only the last block of each class.
        head.append(f'    <attributes class="{cls}" mode="static">\n')
        for c in columns:
            head.append(f'      <attribute id="{c.name}" title="{c.name}" type="{c.type}"/>\n')
        head.append("    </attributes>\n")
    head.append("    <nodes>\n")
    return "".join(head)


_GRAPHML_TYPES: Final = {"string": "string", "integer": "int", "double": "double", "boolean": "boolean"}


def _graphml_head(
    description: str, node_columns: Sequence[ColumnLike], edge_columns: Sequence[ColumnLike]
) -> str:
    """Besides the view's columns, nodes carry ``label``, ``start``, ``r``/``g``/``b`` and
    ``size`` and edges ``label``, ``start`` and ``weight``: the keys Gephi's importer reads."""
    node_keys: list[tuple[str, str]] = [("label", "string"), ("start", "string")]
    node_keys += [(c.name, c.type) for c in node_columns]
    node_keys += [("r", "integer"), ("g", "integer"), ("b", "integer"), ("size", "double")]
    edge_keys: list[tuple[str, str]] = [("label", "string"), ("start", "string"), ("weight", "double")]
    edge_keys += [(c.name, c.type) for c in edge_columns]
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
    head.append(f"    <desc>{xml_attr(description)}</desc>\n")
    return "".join(head)


def head(
    fmt: str,
    description: str,
    node_columns: Sequence[ColumnLike],
    edge_columns: Sequence[ColumnLike],
    date_from: str | None = None,
    date_to: str | None = None,
) -> str:
    """The document up to its first node: declarations, metadata, attribute keys.

    ``date_from``/``date_to`` bound the GEXF graph's time; GraphML has no time and ignores them.
    """
    _check(fmt, node_columns, NODE_FIELDS)
    _check(fmt, edge_columns, EDGE_FIELDS)
    if fmt == "gexf":
        return _gexf_head(description, node_columns, edge_columns, date_from, date_to)
    return _graphml_head(description, node_columns, edge_columns)


def render_nodes(
    fmt: str, node_columns: Sequence[ColumnLike], nodes: pl.DataFrame, stats: StatsLike
) -> Iterator[bytes]:
    """The node elements, in the frame's order, and nothing else; counts into ``stats``.

    Checks its arguments at once, before the first chunk is asked for.
    """
    _check(fmt, node_columns, NODE_FIELDS)
    return _nodes(fmt, node_columns, nodes, stats)


def _nodes(
    fmt: str, node_columns: Sequence[ColumnLike], nodes: pl.DataFrame, stats: StatsLike
) -> Iterator[bytes]:
    if fmt == "gexf":
        tail = _by_distinct(nodes, NODE_KEYS, _gexf_node_tail)
        for _, batch in _batches(nodes):
            yield from _chunks(batch.select(_gexf_node_row(node_columns, batch, tail)), stats)
    else:
        row = _graphml_node_row(node_columns, _by_distinct(nodes, NODE_KEYS, _graphml_node_tail))
        for _, batch in _batches(nodes):
            yield from _chunks(batch.select(row), stats)
    stats.nodes += nodes.height


def render_edges(
    fmt: str, edge_columns: Sequence[ColumnLike], edge_parts: Iterable[pl.DataFrame], stats: StatsLike
) -> Iterator[bytes]:
    """The edge elements, in order, with ids ``e0``, ``e1``, … running on across the parts, and
    nothing else; counts into ``stats``.

    Needs no node, so it can be written apart from them (by another process, say). The parts
    are consumed one at a time, so a caller can make each just before it is written.
    """
    _check(fmt, edge_columns, EDGE_FIELDS)
    return _edges(fmt, edge_columns, edge_parts, stats)


def _edges(
    fmt: str, edge_columns: Sequence[ColumnLike], edge_parts: Iterable[pl.DataFrame], stats: StatsLike
) -> Iterator[bytes]:
    make_row = _gexf_edge_row if fmt == "gexf" else _graphml_edge_row
    count = 0
    for frame in edge_parts:
        for offset, batch in _batches(frame):
            yield from _chunks(batch.select(make_row(edge_columns, batch, count + offset)), stats)
        count += frame.height
    stats.edges += count


def counted(text: str, stats: StatsLike) -> bytes:
    """The text as UTF-8, its size counted into ``stats`` (the parts around the elements)."""
    data = text.encode()
    stats.bytes += len(data)
    return data


def render(
    fmt: str,
    description: str,
    node_columns: Sequence[ColumnLike],
    edge_columns: Sequence[ColumnLike],
    nodes: pl.DataFrame,
    edge_parts: Iterable[pl.DataFrame],
    date_from: str | None,
    date_to: str | None,
    stats: StatsLike,
) -> Iterator[bytes]:
    """The whole document (``fmt`` ``gexf`` or ``graphml``) in chunks of a few megabytes, each
    whole elements; counts the nodes, edges and bytes into ``stats`` as they are written.

    The document is ``head`` + :func:`render_nodes` + ``MIDDLES[fmt]`` + :func:`render_edges` +
    ``TAILS[fmt]``, for a caller that writes the parts apart. Arguments are checked at once, so a
    bad call fails before anything is sent.
    """
    text = head(fmt, description, node_columns, edge_columns, date_from, date_to)
    return _document(fmt, text, node_columns, edge_columns, nodes, edge_parts, stats)


def _document(
    fmt: str,
    text: str,
    node_columns: Sequence[ColumnLike],
    edge_columns: Sequence[ColumnLike],
    nodes: pl.DataFrame,
    edge_parts: Iterable[pl.DataFrame],
    stats: StatsLike,
) -> Iterator[bytes]:
    yield counted(text, stats)
    yield from _nodes(fmt, node_columns, nodes, stats)
    if MIDDLES[fmt]:
        yield counted(MIDDLES[fmt], stats)
    yield from _edges(fmt, edge_columns, edge_parts, stats)
    yield counted(TAILS[fmt], stats)


__all__: Sequence[str] = (
    "EDGE_FIELDS",
    "FORMATS",
    "GEXF_NS",
    "GEXF_VIZ_NS",
    "GRAPHML_NS",
    "MIDDLES",
    "NODE_FIELDS",
    "TAILS",
    "ColumnLike",
    "StatsLike",
    "collapse_space",
    "counted",
    "escape_attr",
    "escape_token",
    "float_repr",
    "head",
    "lexical",
    "render",
    "render_edges",
    "render_nodes",
    "xml_attr",
)
