"""The named queries as ready-to-run examples for a SPARQL editor in the browser.

An example must give in the editor the answer its REST route gives when called without values.
The route binds its parameters: defaults, and a required one must be given. A bare query text
would leave them unbound and answer another question: a parameter used in a FILTER, unbound,
filters every row out. So each example binds what the route would bind, with the documented
example value for a required parameter. The binding is a VALUES block opening the WHERE group,
as ``kg.store.bind_inline`` writes it for remote engines. The file's ``#+`` header gives way to a
short comment naming the parameters. The files declare their own prefixes (the catalogue checks
that), so an example runs as it is in any SPARQL client.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass

import pyoxigraph as ox

from kg.queries import NamedQuery, Parameter, parse_value
from kg.store import Term, bind_inline


@dataclass(frozen=True)
class Example:
    name: str
    summary: str
    query: str


def _bound_value(p: Parameter) -> Term | None:
    """What the REST route binds when given nothing: the default; the example if one is required."""
    raw = p.default if p.default is not None else (p.example if p.required else None)
    if raw is None:
        return None
    value = parse_value(p, raw)
    # a document named by its file name needs the store to resolve it; the reader binds it then
    return value if isinstance(value, ox.NamedNode | ox.Literal) else None


def _body(text: str) -> str:
    """The query without its ``#+`` header and the blank lines after it."""
    lines = text.splitlines()
    start = 0
    while start < len(lines) and lines[start].startswith("#+"):
        start += 1
    while start < len(lines) and not lines[start].strip():
        start += 1
    return "\n".join(lines[start:]).rstrip() + "\n"


def example(query: NamedQuery) -> Example:
    bindings: dict[str, Term] = {}
    notes = [f"# {query.summary}"]
    if query.parameters:
        notes.append(f"# The answer of GET /queries/{query.name} without values. Its parameters:")
    for p in query.parameters:
        value = _bound_value(p)
        if value is not None:
            bindings[p.name] = value
            how = "bound by VALUES" + ("" if p.default is not None else " to the documented example")
        else:
            how = f"unbound; for instance {p.example!r}"
        notes.append(f"#   ?{p.name} ({p.type}, {how}): {' '.join(p.description.split())}")
    body = _body(query.text)
    text = bind_inline(body, bindings) if bindings else body
    return Example(name=query.name, summary=query.summary, query="\n".join(notes) + "\n" + text)


def examples(catalogue: Iterable[NamedQuery]) -> list[Example]:
    """The catalogue in name order."""
    return [example(q) for q in sorted(catalogue, key=lambda q: q.name)]


def digest(items: Iterable[Example]) -> str:
    """A short content hash: a browser keeps its saved tabs only while the examples stay the same."""
    payload = json.dumps([asdict(e) for e in items], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]
