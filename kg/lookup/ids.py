"""Turning the ids clients put in URLs into IRIs, and naming what is missing when one is unknown.

A resource can be named by its short id (the IRI relative to its collection: ``khamenei``,
``9bdecb3cd4d131be/fm-exchange-of-messages``), by a prefixed name (``actor:khamenei``) or by its
full IRI. Whatever the form, the result is a ``NamedNode`` that pyoxigraph has checked, so an id
can only ever be bound into a query as a term.
"""

from __future__ import annotations

from typing import Final

import pyoxigraph as ox

from kg.errors import NotFound
from kg.lookup.vocab import ACTOR_BASE, CLAIM_BASE, DOC_BASE

_SCHEMES: Final = ("http://", "https://", "urn:")


def to_iri(ident: str, base: str, prefix: str, what: str) -> ox.NamedNode:
    """``ident`` as an IRI under ``base``; NotFound when it cannot be an IRI at all."""
    text = ident.strip()
    if not text:
        raise NotFound(f"no {what} id given")
    if text.startswith(f"{prefix}:"):
        text = base + text[len(prefix) + 1 :]
    elif not text.startswith(_SCHEMES):
        text = base + text.strip("/")
    try:
        return ox.NamedNode(text)
    except ValueError as e:
        raise NotFound(f"no {what} {ident!r}: it is not a valid id ({e})") from e


def actor_iri(ident: str) -> ox.NamedNode:
    return to_iri(ident, ACTOR_BASE, "actor", "actor")


def claim_iri(ident: str) -> ox.NamedNode:
    return to_iri(ident, CLAIM_BASE, "claim", "claim")


def doc_iri(ident: str) -> ox.NamedNode:
    return to_iri(ident, DOC_BASE, "doc", "document")
