"""Reading query rows into the answer models: values, dates, references to actors and documents.

Every lookup module reads rows the same way: a missing value is None, a date node's fields
arrive as columns with one prefix (``s_date``, ``s_status`` …), and an actor is named through
the cached actor index (``kg.lookup.names``) rather than by joining labels in every query.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

import pyoxigraph as ox

from kg.lookup.models import ActorRef, DateOut, OutletRef
from kg.lookup.names import ActorIndex
from kg.lookup.vocab import ACTOR_BASE, ACTOR_CLASSES, grade_of, most_specific, short_id, slug_of
from kg.namespaces import BC
from kg.store import GraphStore, Term

Row = Mapping[str, Term]


def text(row: Row, key: str) -> str | None:
    term = row.get(key)
    return None if term is None else term.value


def integer(row: Row, key: str) -> int:
    value = text(row, key)
    return int(value) if value is not None else 0


def words(row: Row, key: str) -> list[str]:
    """A ``GROUP_CONCAT`` column (space-separated IRIs) as a list."""
    value = text(row, key)
    return value.split() if value else []


def date_out(row: Row, prefix: str) -> DateOut | None:
    """The date node whose fields are the columns ``<prefix>date``, ``<prefix>status`` …"""
    date, status = text(row, prefix + "date"), text(row, prefix + "status")
    nb, na = text(row, prefix + "nb"), text(row, prefix + "na")
    if date is None and status is None and nb is None and na is None:
        return None
    return DateOut(
        date=date,
        status=slug_of(status) if status else None,
        not_before=nb,
        not_after=na,
        expression=text(row, prefix + "expr"),
    )


def date_columns(node: str, prefix: str) -> str:
    """The OPTIONAL patterns that fill ``date_out``'s columns for the date node ``?<node>``."""
    return (
        f"OPTIONAL {{ ?{node} bc:date ?{prefix}date }} OPTIONAL {{ ?{node} bc:dateStatus ?{prefix}status }} "
        f"OPTIONAL {{ ?{node} bc:notBefore ?{prefix}nb }} OPTIONAL {{ ?{node} bc:notAfter ?{prefix}na }}"
    )


def best_date(d: DateOut | None) -> str | None:
    """The date claims are ordered by: the day, else the latest, else the earliest possible."""
    if d is None:
        return None
    return d.date or d.not_after or d.not_before


def actor_ref(index: ActorIndex, iri: str) -> ActorRef:
    actor = index.get(iri)
    if actor is None:
        ident = short_id(iri, ACTOR_BASE)
        return ActorRef(id=ident, iri=iri, label=ident, kind=None)
    return ActorRef(id=actor.id, iri=iri, label=actor.label, kind=actor.kind)


def outlet_ref(index: ActorIndex, iri: str, reliability: str | None) -> OutletRef:
    ref = actor_ref(index, iri)
    return OutletRef(**ref.model_dump(), reliability=grade_of(reliability) if reliability else None)


def ref_from_row(iri: str, label: str | None, kinds: Iterable[str]) -> ActorRef:
    """An actor named by columns of the query itself (no index needed)."""
    ident = short_id(iri, ACTOR_BASE)
    return ActorRef(id=ident, iri=iri, label=label or ident, kind=most_specific(kinds, ACTOR_CLASSES))


def values(var: str, iris: Iterable[str]) -> str:
    """A ``VALUES`` block over IRIs the store itself returned (never a client's text).

    Written by pyoxigraph's N-Triples serializer, as the store binds parameters; used where one
    query reads many nodes found by an earlier one (the bindings API binds a single row).
    """
    terms = " ".join(str(ox.NamedNode(i)) for i in dict.fromkeys(iris))
    return f"VALUES ?{var} {{ {terms} }}"


def describe(
    store: GraphStore, iris: Iterable[str], skip: Iterable[str] = ()
) -> dict[str, dict[str, list[Term]]]:
    """Every property of some nodes (distinct values, in a stable order), except ``skip``.

    A node's triples may sit in several graphs (the union default graph returns each once per
    graph), so values are deduplicated here.
    """
    nodes = list(dict.fromkeys(iris))
    out: dict[str, dict[str, list[Term]]] = defaultdict(lambda: defaultdict(list))
    if not nodes:
        return out
    skipped = ", ".join(str(ox.NamedNode(p)) for p in skip)
    not_in = f"FILTER (?p NOT IN ({skipped}))" if skipped else ""
    sparql = f"SELECT ?s ?p ?o WHERE {{ {values('s', nodes)} ?s ?p ?o {not_in} }}"
    for row in store.select(sparql):
        s, p, o = row["s"].value, row["p"].value, row["o"]
        if o not in out[s][p]:
            out[s][p].append(o)
    return out


def first(props: Mapping[str, list[Term]], prop: str) -> str | None:
    """The first value of a ``describe``d property: a full IRI, or a local name in ``bc:``."""
    found = all_of(props, prop)
    return found[0] if found else None


def all_of(props: Mapping[str, list[Term]], prop: str) -> list[str]:
    return [t.value for t in props.get(prop if ":" in prop else BC + prop, [])]
