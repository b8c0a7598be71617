"""A lexical scan of a SPARQL query, for the checks the endpoint makes before evaluating it.

The endpoint must refuse ``SERVICE`` (the engine would call any host the client names) without
being fooled by the word inside a string, an IRI or a comment, and without missing it where the
engine sees it. Three facts about Oxigraph's parser shape this module:

* keywords are matched without a word boundary: ``SERVICE:x {…}``, ``SERVICESILENT<…>{…}``,
  ``trueSERVICE<…>{…}`` and ``1SERVICE<…>{…}`` all run a SERVICE call. So any bare word *containing*
  ``service``, and any prefixed name whose prefix contains it, counts (no SPARQL keyword, function
  or literal contains that word, so this only refuses queries that are not what they look like);
* ``<`` is an IRI or the less-than operator depending on context (a scannerless parser): in
  ``FILTER(1<'x>') SERVICE <…> {…} #'`` the engine sees a comparison, a string and a SERVICE call,
  where a longest-match lexer sees an IRI and a string hiding the call. Where ``<`` can be an
  operator (inside parentheses, after an operand) and the would-be IRI holds a quote, a ``#`` or
  the word itself, the scan follows both readings (a bounded number of times) and refuses if
  either finds SERVICE;
* ``\\uXXXX`` escapes outside strings are not decoded by Oxigraph, but SPARQL allows them
  anywhere, so the scan also looks at the text with them decoded.

The same scan gives the query form, the ``FROM``/``FROM NAMED`` dataset (Oxigraph's union
default graph would otherwise override ``FROM``), the declared prefixes (for readable Turtle) and
the prefixes used without a declaration (for a helpful error message).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Final
from urllib.parse import urljoin

from kg.errors import InvalidSparql

_BASE: Final = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_U: Final = _BASE + "_"
_CHARS: Final = _U + "\\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
_PLX: Final = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_PREFIX: Final = f"[{_BASE}](?:[{_CHARS}.]*[{_CHARS}])?"
_LOCAL: Final = f"(?:[{_U}:0-9]|{_PLX})(?:(?:[{_CHARS}.:]|{_PLX})*(?:[{_CHARS}:]|{_PLX}))?"

_TOKEN: Final = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\r\n]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
              |'(?:[^'\\\r\n]|\\.)*'|"(?:[^"\\\r\n]|\\.)*")
  | (?P<var>[?$][{u}0-9][{u}0-9\u00b7\u0300-\u036f\u203f-\u2040]*)
  | (?P<bnode>_:[{u}0-9](?:[{chars}.]*[{chars}])?)
  | (?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*(?:--[A-Za-z]+)?)
  | (?P<pname>(?:{prefix})?:(?:{local})?)
  | (?P<number>[0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?|\.[0-9]+(?:[eE][+-]?[0-9]+)?)
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<gtgt>>>)
  | (?P<punct>[\s\S])
    """.replace("{u}", _U)
    .replace("{chars}", _CHARS)
    .replace("{prefix}", _PREFIX)
    .replace("{local}", _LOCAL),
    re.VERBOSE,
)
_IRIREF: Final = re.compile(r"""<((?:[^<>"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*)>""")
_UCHAR: Final = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_SCHEME: Final = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
_FORMS: Final = frozenset({"SELECT", "CONSTRUCT", "DESCRIBE", "ASK"})
UPDATE_KEYWORDS: Final = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}
)
_NOT_OPERANDS: Final = frozenset("(,=!<>&|+-*/^")
_MAX_READINGS: Final = 8

# Frames: what an open bracket holds, which decides how '<' and '(' read inside it.
_GROUP, _EXPR, _COLL, _DATA, _TRIPLE = "group", "expr", "coll", "data", "triple"


@dataclass
class QueryScan:
    """What the endpoint needs to know about a query before running it."""

    has_service: bool = False
    form: str | None = None
    first_keyword: str | None = None
    default_graphs: list[str] = field(default_factory=list)
    named_graphs: list[str] = field(default_factory=list)
    prefixes: dict[str, str] = field(default_factory=dict)
    used_prefixes: set[str] = field(default_factory=set)

    @property
    def undeclared_prefixes(self) -> list[str]:
        return sorted(self.used_prefixes - set(self.prefixes))


@dataclass
class _Frame:
    kind: str
    subselect: bool = False


@dataclass
class _State:
    frames: list[_Frame] = field(default_factory=list)
    prev: tuple[str, str] = ("", "")
    prev2: tuple[str, str] = ("", "")
    values_pending: bool = False

    def copy(self) -> _State:
        return _State(
            [_Frame(f.kind, f.subselect) for f in self.frames],
            self.prev,
            self.prev2,
            self.values_pending,
        )


def _unescape(text: str) -> str:
    return _UCHAR.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), text)


def _is_service_token(kind: str, text: str) -> bool:
    if kind == "word":
        return "service" in text.lower()
    if kind == "pname":
        return "service" in text.split(":", 1)[0].lower()
    return False


def _operand_before(state: _State) -> bool:
    kind, text = state.prev
    if kind in ("", "ltlt"):
        return False
    return not (kind == "punct" and text in _NOT_OPERANDS)


class _Scanner:
    """One pass over the text; forks a second reading where '<' is ambiguous and it matters."""

    def __init__(self, text: str, collect: bool) -> None:
        self.text = text
        self.collect = collect
        self.readings = 1
        self.result = QueryScan()
        self._base: str | None = None

    def run(self) -> QueryScan:
        self._walk(0, _State(), primary=True)
        return self.result

    def _walk(self, pos: int, state: _State, *, primary: bool) -> None:
        text, n = self.text, len(self.text)
        while pos < n and not self.result.has_service:
            if text[pos] == "<":
                pos = self._angle(pos, state, primary=primary)
                continue
            m = _TOKEN.match(text, pos)
            if m is None:  # cannot happen: the last alternative matches any character
                break
            kind = m.lastgroup or "punct"
            pos = m.end()
            if kind in ("ws", "comment"):
                continue
            self._token(kind, m.group(), state, primary=primary)

    def _angle(self, pos: int, state: _State, *, primary: bool) -> int:
        """'<' opens an IRI, a triple term, or is the less-than operator, by context."""
        frame = state.frames[-1].kind if state.frames else None
        operator_possible = frame in (_EXPR, _COLL, _TRIPLE) and _operand_before(state)
        m = _IRIREF.match(self.text, pos)
        if m is None:
            if self.text.startswith("<<", pos) and not operator_possible:
                self._token("ltlt", "<<", state, primary=primary)
                return pos + 2
            self._token("punct", "<", state, primary=primary)
            return pos + 1
        body = m.group(1)
        if operator_possible and ("'" in body or "#" in body or "service" in _unescape(body).lower()):
            self.readings += 1
            if self.readings > _MAX_READINGS:
                raise InvalidSparql(
                    "the query has too many '<' that could be comparisons or IRIs to check it for "
                    "SERVICE; put a space after '<' when it compares"
                )
            alternative = state.copy()
            self._token("punct", "<", alternative, primary=False)
            self._walk(pos + 1, alternative, primary=False)
            if self.result.has_service:
                return len(self.text)
        self._token("iri", m.group(), state, primary=primary)
        return m.end()

    def _token(self, kind: str, text: str, state: _State, *, primary: bool) -> None:
        if _is_service_token(kind, text):
            self.result.has_service = True
            return
        if primary and self.collect:
            self._collect(kind, text, state)
        self._brackets(kind, text, state)
        state.prev2, state.prev = state.prev, (kind, text)

    def _brackets(self, kind: str, text: str, state: _State) -> None:
        frames = state.frames
        top = frames[-1] if frames else None
        if kind == "word":
            upper = text.upper()
            if upper == "VALUES":
                state.values_pending = True
            elif upper == "SELECT" and top is not None and top.kind == _GROUP:
                top.subselect = True
            return
        if kind == "ltlt":
            frames.append(_Frame(_TRIPLE))
            return
        if kind == "gtgt":
            if top is not None and top.kind == _TRIPLE:
                frames.pop()
            return
        if kind != "punct":
            return
        if text == "{":
            data = state.values_pending or (top is not None and top.kind == _DATA)
            state.values_pending = False
            frames.append(_Frame(_DATA if data else _GROUP))
        elif text == "(":
            frames.append(_Frame(self._paren_kind(state, top)))
        elif text == "[":
            frames.append(_Frame(_DATA if top is not None and top.kind == _DATA else _COLL))
        elif text in ")}]":
            opener = {")": (_EXPR, _COLL, _DATA), "}": (_GROUP, _DATA), "]": (_COLL, _DATA)}[text]
            while frames:
                if frames.pop().kind in opener:
                    break

    @staticmethod
    def _paren_kind(state: _State, top: _Frame | None) -> str:
        """Whether a '(' opens an expression (where '<' compares) or a list of terms."""
        if state.values_pending or (top is not None and top.kind == _DATA):
            return _DATA
        if top is None or top.kind == _EXPR or top.subselect:
            return _EXPR
        if top.kind != _GROUP:
            return _COLL
        kind, text = state.prev
        if kind == "word":
            return _COLL if text == "a" else _EXPR
        if kind in ("pname", "iri") and state.prev2[0] == "word" and state.prev2[1].upper() == "FILTER":
            return _EXPR
        return _COLL

    def _collect(self, kind: str, text: str, state: _State) -> None:
        """Prologue, form and dataset, read from the top level of the primary reading."""
        result = self.result
        top_level = not state.frames
        prev_kind, prev_text = state.prev
        prev_upper = prev_text.upper() if prev_kind == "word" else ""
        if kind == "iri":
            iri = _unescape(text[1:-1])
            if top_level and prev_upper == "BASE":
                self._base = self._resolve(iri)
            elif top_level and prev_kind == "pname" and state.prev2[1].upper() == "PREFIX":
                result.prefixes[prev_text.split(":", 1)[0]] = self._resolve(iri)
        elif kind == "pname":
            if not (top_level and prev_upper == "PREFIX"):
                result.used_prefixes.add(text.split(":", 1)[0])
        elif kind == "word" and top_level:
            upper = text.upper()
            if result.first_keyword is None and upper not in ("BASE", "PREFIX"):
                result.first_keyword = upper
                if upper in _FORMS:
                    result.form = upper
        if top_level and kind in ("iri", "pname") and prev_upper in ("FROM", "NAMED"):
            self._dataset_clause(kind, text, state)

    def _dataset_clause(self, kind: str, text: str, state: _State) -> None:
        named = state.prev[1].upper() == "NAMED"
        if named and state.prev2[1].upper() != "FROM":
            return
        if kind == "iri":
            iri = self._resolve(_unescape(text[1:-1]))
        else:
            prefix, _, local = text.partition(":")
            if prefix not in self.result.prefixes:
                return  # the engine reports the undeclared prefix
            iri = self.result.prefixes[prefix] + re.sub(r"\\(.)", r"\1", local)
        (self.result.named_graphs if named else self.result.default_graphs).append(iri)

    def _resolve(self, iri: str) -> str:
        if _SCHEME.match(iri) or self._base is None:
            return iri
        resolved = urljoin(self._base, iri)
        return resolved + "#" if iri.endswith("#") and not resolved.endswith("#") else resolved


def scan(text: str) -> QueryScan:
    """Scan a query; raises ``InvalidSparql`` when SERVICE appears in any reading of it."""
    result = _Scanner(text, collect=True).run()
    if not result.has_service and ("\\u" in text or "\\U" in text):
        result.has_service = _Scanner(_unescape(text), collect=False).run().has_service
    if result.has_service:
        raise InvalidSparql(
            "SERVICE is not allowed here: this endpoint makes no requests to other hosts "
            "(run federated queries from a client instead)"
        )
    return result
