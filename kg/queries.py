"""The catalogue of named queries: one SPARQL SELECT per ``queries/<name>.rq``, run with typed values.

Each file opens with a header of ``#+ `` lines holding YAML (the grlc convention, so the file
stays valid SPARQL): a summary, a description, the parameters with their types and the columns
the query returns. The header is parsed strictly: a missing or unknown key, a column list that
is not exactly what the SELECT projects, a parameter the SELECT does not project, a default or
example that is not a value of its type, or a query without ORDER BY is an error naming the file,
so a broken query never reaches a user as a silently different one.

Values arrive as strings (from a URL, the command line) and are bound as typed pyoxigraph terms
(an xsd:date literal, an actor IRI, …), never spliced into the query text. Oxigraph substitutes
projected variables only; a remote engine gets the values as a VALUES block opening the WHERE
group (``kg.store.bind_inline``). Both mean the same if a parameter is a projected variable that
the outer group joins on (in a required pattern: in an OPTIONAL an unmatched value would
survive) or filters on, and never assigns. Oxigraph substitutes inside subqueries, a VALUES
block does not reach them: a subquery may match or compute the variable and project it
(grouping by it), which gives the same join either way, but must not filter on it. An optional
parameter is tested with ``COALESCE(test, ?p != ?p, true)``, not ``BOUND(?p)``, which Oxigraph
folds to false before it substitutes. The loader checks the projection, the assignment and
BOUND(); the expected answers, run on all three backends, check the rest.

How the queries are written for Oxigraph's planner, which joins by hashing whole patterns unless
one side is already small: the selective part first (the parameters, or a subquery that
aggregates), then each further value in an OPTIONAL of one triple pattern (nested for chains),
which Oxigraph joins row by row; no join on a variable a BIND computed (that plan took 16 s
where a matched variable took 2 s, at 20,000 claims).

The files declare their own prefixes, so each is a complete query that can be pasted into any
SPARQL endpoint; they run without the project's prefix block.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal, get_args

import pyoxigraph as ox
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from kg.errors import InvalidParameter, KGError, NotFound
from kg.namespaces import BC, ID, PREFIXES, XSD
from kg.rdfize import ATTRIBUTION, STANCE
from kg.store import GraphStore, Term, bind_inline

ParameterType = Literal[
    "iri",
    "actor",
    "channel",
    "claim",
    "document",
    "string",
    "name",
    "date",
    "integer",
    "boolean",
    "stance",
    "attribution",
    "point",
]
PARAMETER_TYPES: Final[tuple[str, ...]] = get_args(ParameterType)

# What each type accepts, in words: used in error messages and in the API documentation.
TYPE_HELP: Final[dict[str, str]] = {
    "iri": "an absolute IRI, or an id below the project's id namespace such as claim/<key>/<id>",
    "actor": "an actor id such as iran (or actor/iran, or <document key>/<id> for a document's own "
    "actors), or an actor IRI",
    "channel": "a channel id such as oman (or channel/oman), or a channel IRI",
    "claim": "a claim id such as claim/<document key>/<annotation id>, or a claim IRI",
    "document": "a document's key (16 hex digits), doc/<key>, its source file name or stem, or its IRI",
    "string": "any text",
    "name": "a name in any spelling; case, spaces, hyphens, dots and apostrophes are ignored",
    "date": "a date as YYYY-MM-DD",
    "integer": "a whole number",
    "boolean": "true or false",
    "stance": "affirms or denies",
    "attribution": ", ".join(ATTRIBUTION),
    "point": "occurrence, directness or initiator",
}

POINTS: Final[dict[str, str]] = {
    "occurrence": "OccurrencePoint",
    "directness": "DirectnessPoint",
    "initiator": "InitiatorPoint",
}
# Closed lists of words, per type, and the project term each word stands for.
CHOICES: Final[dict[str, dict[str, str]]] = {
    "stance": {word: BC + local for word, local in STANCE.items()},
    "attribution": {word: BC + local for word, local in ATTRIBUTION.items()},
    "point": {word: BC + local for word, local in POINTS.items()},
}
# The class an IRI-valued parameter must be an instance of (directly or through subclasses).
ENTITY_CLASSES: Final[dict[str, str]] = {
    "actor": BC + "Actor",
    "channel": BC + "Channel",
    "claim": BC + "Claim",
    "document": BC + "Document",
}

_XSD_DATE = ox.NamedNode(XSD + "date")
_XSD_INTEGER = ox.NamedNode(XSD + "integer")
_XSD_BOOLEAN = ox.NamedNode(XSD + "boolean")
_INTEGER_TYPES = frozenset(
    XSD + t
    for t in (
        "integer",
        "int",
        "long",
        "short",
        "byte",
        "nonNegativeInteger",
        "nonPositiveInteger",
        "positiveInteger",
        "negativeInteger",
        "unsignedInt",
        "unsignedLong",
        "unsignedShort",
        "unsignedByte",
    )
)
_FLOAT_TYPES = frozenset(XSD + t for t in ("decimal", "double", "float"))

_QUERY_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_VARIABLE = r"^[A-Za-z_][A-Za-z0-9_]*$"
_ABSOLUTE_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+$")
_ID_PATH = re.compile(r"^[a-z]+(?:/[A-Za-z0-9._~-]+)+$")
_SLUG = r"[a-z0-9][a-z0-9-]*"
_KEY = r"[0-9a-f]{16}"
_ACTOR_ID = re.compile(rf"^(?:actor/)?((?:{_KEY}/)?{_SLUG})$")
_CHANNEL_ID = re.compile(rf"^(?:channel/)?((?:{_KEY}/)?{_SLUG})$")
_CLAIM_ID = re.compile(rf"^(?:claim/)?({_KEY}/{_SLUG})$")
_DOCUMENT_KEY = re.compile(rf"^(?:doc/)?({_KEY})$")
_FILE_NAME = re.compile(r"^[\w.-]+$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_INTEGER = re.compile(r"^[+-]?\d{1,18}$")
_NOT_NAME_CHAR = re.compile(r"[\W_]")
_ORDER_BY = re.compile(r"\bORDER\s+BY\b", re.IGNORECASE)
_COMMENT = re.compile(r"#[^\n]*")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Parameter(_Strict):
    """One value a named query takes, bound to the SPARQL variable of the same name."""

    name: str = Field(pattern=_VARIABLE, description="the SPARQL variable it binds (without '?')")
    type: ParameterType = Field(description="how the string given is read: " + ", ".join(PARAMETER_TYPES))
    required: bool = Field(default=False, description="whether a value must be given")
    default: str | None = Field(default=None, description="the value used when none is given")
    description: str = Field(min_length=1, description="what the parameter does")
    example: str = Field(description="a value that gives a non-empty answer on the seed corpus")

    @field_validator("default", "example", mode="before")
    @classmethod
    def _as_text(cls, value: object) -> object:
        """YAML reads 2024 as a number and 2024-02-10 as a date; keep them as a user would type them."""
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int | float | dt.date):
            return value.isoformat() if isinstance(value, dt.date) else str(value)
        return value


class Column(_Strict):
    """One projected variable of a named query and what it holds."""

    name: str = Field(pattern=_VARIABLE)
    description: str = Field(min_length=1)


class _Header(_Strict):
    summary: str = Field(min_length=1)
    description: str = Field(min_length=1)
    parameters: tuple[Parameter, ...] = ()
    columns: tuple[Column, ...] = Field(min_length=1)


class NamedQuery(_Strict):
    """A query of the catalogue: its name (the file stem, the route), documentation and text."""

    name: str
    summary: str
    description: str
    parameters: tuple[Parameter, ...]
    columns: tuple[Column, ...]
    text: str

    def parameter(self, name: str) -> Parameter:
        for p in self.parameters:
            if p.name == name:
                return p
        raise InvalidParameter(self._unknown(name))

    def _unknown(self, name: str) -> str:
        known = ", ".join(p.name for p in self.parameters) or "none"
        return f"unknown parameter {name!r} for query {self.name!r}; it takes: {known}"


# --- loading -------------------------------------------------------------------------------------


def load_catalogue(directory: Path) -> dict[str, NamedQuery]:
    """Every ``*.rq`` file of ``directory`` (not its subdirectories), by name, in name order."""
    if not directory.is_dir():
        raise KGError(f"{directory}: no such directory of named queries")
    catalogue: dict[str, NamedQuery] = {}
    for path in sorted(directory.glob("*.rq")):
        query = load_query(path)
        catalogue[query.name] = query
    return catalogue


def load_query(path: Path) -> NamedQuery:
    """One named query, checked; every problem is a KGError that names the file."""
    name = path.stem
    if not _QUERY_NAME.match(name):
        raise KGError(f"{path}: a query's file name must be snake_case ([a-z][a-z0-9_]*.rq)")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise KGError(f"{path}: cannot read the query: {e}") from e
    header = _parse_header(path, text)
    _check_parameters(path, header.parameters)
    _check_sparql(path, text, header)
    return NamedQuery(
        name=name,
        summary=header.summary.strip(),
        description=header.description.strip(),
        parameters=header.parameters,
        columns=header.columns,
        text=text,
    )


def _parse_header(path: Path, text: str) -> _Header:
    lines: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.startswith("#+"):
            break
        if line.rstrip() != "#+" and not line.startswith("#+ "):
            raise KGError(
                f"{path}: header line {number}: a header line starts with '#+ ' (hash, plus, space)"
            )
        lines.append(line[3:])
    if not lines:
        raise KGError(
            f"{path}: no header; the file must open with '#+ ' lines (summary, description, columns)"
        )
    try:
        data = yaml.safe_load("\n".join(lines))
    except yaml.YAMLError as e:
        raise KGError(f"{path}: the header is not valid YAML: {' '.join(str(e).split())}") from e
    if not isinstance(data, dict):
        raise KGError(
            f"{path}: the header must be a YAML mapping (summary, description, parameters, columns)"
        )
    try:
        return _Header.model_validate(data)
    except ValidationError as e:
        problems = "; ".join(f"{_location(err['loc'], data)}: {err['msg']}" for err in e.errors())
        raise KGError(f"{path}: header: {problems}") from e


def _location(loc: Sequence[int | str], data: Mapping[str, Any]) -> str:
    """A pydantic error location as a reader finds it: parameters[1] (year).type."""
    out = ""
    node: Any = data
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
            node = node[part] if isinstance(node, list) and part < len(node) else None
            if isinstance(node, dict) and isinstance(node.get("name"), str):
                out += f" ({node['name']})"
        else:
            out += f".{part}" if out else str(part)
            node = node.get(part) if isinstance(node, dict) else None
    return out or "header"


def _check_parameters(path: Path, parameters: Sequence[Parameter]) -> None:
    seen: set[str] = set()
    for p in parameters:
        if p.name in seen:
            raise KGError(f"{path}: parameter {p.name!r} is declared twice")
        seen.add(p.name)
        if p.required and p.default is not None:
            raise KGError(f"{path}: parameter {p.name!r} is required, so it cannot have a default")
        for field in ("default", "example"):
            value = getattr(p, field)
            if value is None:
                continue
            try:
                parse_value(p, value)
            except InvalidParameter as e:
                raise KGError(f"{path}: parameter {p.name!r}: the {field} is not a valid value: {e}") from e


def _check_sparql(path: Path, text: str, header: _Header) -> None:
    try:
        result = ox.Store().query(text)
    except SyntaxError as e:
        raise KGError(f"{path}: not a valid SPARQL query (with its own PREFIX declarations): {e}") from e
    if not isinstance(result, ox.QuerySolutions):
        raise KGError(f"{path}: a named query must be a SELECT query")
    projected = [v.value for v in result.variables]
    columns = [c.name for c in header.columns]
    if projected != columns:
        raise KGError(
            f"{path}: the header's columns {columns} are not the variables the SELECT projects, "
            f"in order: {projected}"
        )
    for p in header.parameters:
        if p.name not in projected:
            raise KGError(
                f"{path}: parameter {p.name!r} is not projected by the SELECT; a parameter must be a "
                "projected variable so that every backend binds it"
            )
    body = _COMMENT.sub("", text)
    _check_bindable(path, text, header.parameters)
    for p in header.parameters:
        if re.search(rf"\bBOUND\s*\(\s*\?{p.name}\s*\)", body, re.IGNORECASE):
            raise KGError(
                f"{path}: parameter {p.name!r} is tested with BOUND(), which Oxigraph evaluates before it "
                f"binds parameters; write COALESCE(<test with ?{p.name}>, ?{p.name} != ?{p.name}, true)"
            )
    if not _ORDER_BY.search(body):
        raise KGError(f"{path}: the query has no ORDER BY; every named query needs a stable order")


def _check_bindable(path: Path, text: str, parameters: Sequence[Parameter]) -> None:
    """The query must still parse with its parameters bound as a remote engine gets them.

    That is a VALUES block opening the WHERE group (``kg.store.bind_inline``): a parameter
    assigned in that group (``BIND (... AS ?p)``) would clash with it. A subquery may compute a
    parameter's variable, since the outer group only joins with what it projects.
    """
    if not parameters:
        return
    values: dict[str, Term] = {}
    for p in parameters:
        value = parse_value(p, p.example)
        values[p.name] = value if not isinstance(value, DocumentFile) else ox.NamedNode(ID + "doc/0")
    try:
        ox.Store().query(bind_inline(text, values))
    except (SyntaxError, InvalidParameter) as e:
        raise KGError(
            f"{path}: with its parameters bound as on a remote engine (a VALUES block opening the WHERE "
            f"group) the query is not valid: {e}; a parameter may be joined or filtered on, never assigned "
            "(BIND ... AS) in the outer group"
        ) from e


# --- values --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DocumentFile:
    """A document given by its file name: only the store can say which document that is."""

    name: str


def normalise_name(text: str) -> str:
    """The form names are matched in: lower case, letters and digits only (as the queries compute)."""
    return _NOT_NAME_CHAR.sub("", text.lower())


def parse_value(parameter: Parameter, raw: str) -> Term | DocumentFile:
    """Read one string as a value of the parameter's type; InvalidParameter names what is wrong."""
    ptype, value = parameter.type, raw.strip()

    def bad(why: str) -> InvalidParameter:
        return InvalidParameter(f"parameter {parameter.name!r}: {raw!r} {why}; expected {TYPE_HELP[ptype]}")

    if not value and ptype != "string":
        raise InvalidParameter(f"parameter {parameter.name!r}: empty value; expected {TYPE_HELP[ptype]}")
    if ptype == "string":
        return ox.Literal(raw)
    if ptype == "name":
        key = normalise_name(value)
        if not key:
            raise bad("has no letters or digits")
        return ox.Literal(key)
    if ptype == "date":
        if not _DATE.match(value):
            raise bad("is not a date")
        try:
            day = dt.date.fromisoformat(value)
        except ValueError as e:
            raise bad(f"is not a calendar date ({e})") from e
        return ox.Literal(day.isoformat(), datatype=_XSD_DATE)
    if ptype == "integer":
        if not _INTEGER.match(value):
            raise bad("is not a whole number")
        return ox.Literal(str(int(value)), datatype=_XSD_INTEGER)
    if ptype == "boolean":
        if value.lower() not in ("true", "false"):
            raise bad("is not a boolean")
        return ox.Literal(value.lower(), datatype=_XSD_BOOLEAN)
    if ptype in CHOICES:
        choices = CHOICES[ptype]
        word = value.lower()
        if word in choices:
            return ox.NamedNode(choices[word])
        if value in choices.values():
            return ox.NamedNode(value)
        raise bad("is not one of the choices")
    return _parse_reference(ptype, value, bad)


def _parse_reference(ptype: str, value: str, bad: Callable[[str], InvalidParameter]) -> Term | DocumentFile:
    """IRI-valued types: a full IRI, or the short ids people type (iran, claim/<key>/<id>)."""
    short = {
        "actor": (_ACTOR_ID, "actor/"),
        "channel": (_CHANNEL_ID, "channel/"),
        "claim": (_CLAIM_ID, "claim/"),
        "document": (_DOCUMENT_KEY, "doc/"),
    }
    if ptype in short:
        pattern, base = short[ptype]
        match = pattern.match(value)
        if match:
            return ox.NamedNode(ID + base + match.group(1))
    if ptype == "iri" and _ID_PATH.match(value):
        return ox.NamedNode(ID + value)
    if _ABSOLUTE_IRI.match(value):
        return ox.NamedNode(value)
    if ptype == "document" and _FILE_NAME.match(value):
        return DocumentFile(value if value.endswith(".txt") else value + ".txt")
    raise bad("is neither an id nor an IRI")


def bind(store: GraphStore, query: NamedQuery, params: Mapping[str, str]) -> dict[str, Term]:
    """The typed bindings for a run: defaults applied, required checked, references resolved."""
    for name in params:
        query.parameter(name)
    bindings: dict[str, Term] = {}
    for p in query.parameters:
        raw = params.get(p.name)
        if raw is None:
            raw = p.default
        if raw is None:
            if p.required:
                raise InvalidParameter(
                    f"parameter {p.name!r} is required for query {query.name!r}: {p.description}"
                )
            continue
        value = parse_value(p, raw)
        if isinstance(value, DocumentFile):
            value = _document_by_file(store, p, value)
        elif p.type in ENTITY_CLASSES and isinstance(value, ox.NamedNode):
            _check_instance(store, p, value)
        bindings[p.name] = value
    return bindings


def _document_by_file(store: GraphStore, p: Parameter, ref: DocumentFile) -> ox.NamedNode:
    rows = store.select(
        "SELECT ?document ?file WHERE { ?document a bc:Document ; bc:sourceFile ?file } "
        "ORDER BY ?document LIMIT 1",
        {"file": ox.Literal(ref.name)},
    )
    document = rows[0]["document"] if rows else None
    if isinstance(document, ox.NamedNode):
        return document
    raise InvalidParameter(f"parameter {p.name!r}: no document with source file {ref.name!r} in the store")


def _check_instance(store: GraphStore, p: Parameter, value: ox.NamedNode) -> None:
    """An IRI of the wrong kind or a typo (``irna`` for ``iran``) fails loudly, not as an empty answer."""
    if store.is_instance(value, ENTITY_CLASSES[p.type]):
        return
    raise InvalidParameter(f"parameter {p.name!r}: no {p.type} {compact(value)} in the store")


# --- running -------------------------------------------------------------------------------------


def get(catalogue: Mapping[str, NamedQuery], name: str) -> NamedQuery:
    """The query of that name, or NotFound listing the names there are."""
    if name in catalogue:
        return catalogue[name]
    raise NotFound(f"no named query {name!r}; the queries are: {', '.join(sorted(catalogue)) or 'none'}")


def run(store: GraphStore, query: NamedQuery, params: Mapping[str, str]) -> list[dict[str, Term]]:
    """Run a named query with values given as strings; unbound columns are absent from a row."""
    bindings = bind(store, query, params)
    result = store.query(query.text, bindings=bindings, prefixes=False)
    if not isinstance(result, ox.QuerySolutions):
        raise KGError(f"query {query.name!r} did not return solutions")
    names = [c.name for c in query.columns]
    rows: list[dict[str, Term]] = []
    for solution in result:
        row: dict[str, Term] = {}
        for n in names:
            term = solution[n]
            if term is not None and not isinstance(term, ox.Triple):
                row[n] = term
        rows.append(row)
    return rows


# --- answers as plain data -----------------------------------------------------------------------

JsonValue = str | int | float | bool | None


def json_value(term: Term | None) -> JsonValue:
    """A term as plain JSON: IRIs as strings, numbers and booleans as such, other literals as text.

    Dates and language-tagged strings become their lexical form; a number whose lexical form does
    not parse (or is not finite) stays a string, so nothing is lost or invented.
    """
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    datatype = term.datatype.value
    try:
        if datatype in _INTEGER_TYPES:
            return int(term.value)
        if datatype in _FLOAT_TYPES:
            number = float(term.value)
            return number if math.isfinite(number) else term.value
    except ValueError:
        return term.value
    if datatype == XSD + "boolean":
        return term.value in ("true", "1")
    return term.value


def answer(query: NamedQuery, rows: Sequence[Mapping[str, Term]]) -> dict[str, Any]:
    """The answer as the API and ``kg query --format json`` give it: every column in every row."""
    columns = [c.name for c in query.columns]
    return {
        "query": query.name,
        "columns": columns,
        "rows": [{c: json_value(row.get(c)) for c in columns} for row in rows],
        "count": len(rows),
    }


def to_csv(query: NamedQuery, rows: Sequence[Mapping[str, Term]]) -> str:
    """RFC 4180 CSV with a header row; values are the terms' lexical forms (IRIs in full), unbound empty."""
    columns = [c.name for c in query.columns]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_lexical(row.get(c)) for c in columns])
    return out.getvalue()


def _lexical(term: Term | None) -> str:
    if term is None:
        return ""
    return f"_:{term.value}" if isinstance(term, ox.BlankNode) else term.value


def compact(term: Term | None) -> str:
    """A short form for people: bc:Affirms, actor:iran, claim/<key>/<id>; literals as their text."""
    if term is None:
        return ""
    if not isinstance(term, ox.NamedNode):
        return _lexical(term)
    iri = term.value
    matches = [(len(base), p) for p, base in PREFIXES.items() if p != "id" and iri.startswith(base)]
    if matches:
        length, prefix = max(matches)
        return f"{prefix}:{iri[length:]}"
    return iri[len(ID) :] if iri.startswith(ID) else iri
