"""SHACL shapes compiled to SPARQL SELECT queries that run inside the store.

pySHACL needs the whole data graph in rdflib (tens of seconds for a million triples); the same
constraints as SPARQL over pyoxigraph take a second or two. This module turns a shapes graph into
one query per (shape, constraint component) whose solutions are the validation results, with the
result semantics of SHACL Core and SHACL-SPARQL (one row per focus node for ``sh:minCount``, one
per offending value for ``sh:class`` and so on), so the results can be compared one for one with
pySHACL's. Anything the compiler does not understand is an error naming the shape and the
feature: a constraint that is skipped silently would let bad data through.

Every query projects ``?this`` (focus node), ``?value`` (offending value, if any) and ``?g``
(the named graph holding the triple that makes ``?this`` a focus node: its ``rdf:type``, the
``sh:targetSubjectsOf`` triple …). Binding ``?g`` beforehand restricts validation to the focus
nodes one document graph introduces; Oxigraph substitutes a pre-bound variable only where it
is projected, which is why every sub-select that holds a target pattern projects ``?g`` too.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import combinations

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS
from rdflib.term import Node

from kg.errors import InvalidParameter

SH = "http://www.w3.org/ns/shacl#"
XSD = "http://www.w3.org/2001/XMLSchema#"


def sh(local: str) -> URIRef:
    """A term of the SHACL vocabulary."""
    return URIRef(SH + local)


VIOLATION = SH + "Violation"

TARGET_PREDICATES = frozenset(
    sh(n) for n in ("targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf")
)
#: Parameters of the Core components the compiler translates, with their component's name.
COMPONENT_OF: dict[URIRef, str] = {
    sh("minCount"): "MinCountConstraintComponent",
    sh("maxCount"): "MaxCountConstraintComponent",
    sh("class"): "ClassConstraintComponent",
    sh("datatype"): "DatatypeConstraintComponent",
    sh("nodeKind"): "NodeKindConstraintComponent",
    sh("in"): "InConstraintComponent",
    sh("hasValue"): "HasValueConstraintComponent",
    sh("pattern"): "PatternConstraintComponent",
    sh("minInclusive"): "MinInclusiveConstraintComponent",
    sh("maxInclusive"): "MaxInclusiveConstraintComponent",
    sh("minExclusive"): "MinExclusiveConstraintComponent",
    sh("maxExclusive"): "MaxExclusiveConstraintComponent",
    sh("minLength"): "MinLengthConstraintComponent",
    sh("maxLength"): "MaxLengthConstraintComponent",
    sh("equals"): "EqualsConstraintComponent",
    sh("disjoint"): "DisjointConstraintComponent",
    sh("lessThan"): "LessThanConstraintComponent",
    sh("lessThanOrEquals"): "LessThanOrEqualsConstraintComponent",
    sh("node"): "NodeConstraintComponent",
    sh("not"): "NotConstraintComponent",
    sh("or"): "OrConstraintComponent",
    sh("and"): "AndConstraintComponent",
    sh("xone"): "XoneConstraintComponent",
    sh("uniqueLang"): "UniqueLangConstraintComponent",
    sh("qualifiedMinCount"): "QualifiedMinCountConstraintComponent",
    sh("qualifiedMaxCount"): "QualifiedMaxCountConstraintComponent",
}
#: Predicates allowed on a shape that do not themselves constrain anything.
SHAPE_OTHER = frozenset(
    sh(n)
    for n in (
        "property",
        "path",
        "qualifiedValueShape",
        "qualifiedValueShapesDisjoint",
        "sparql",
        "flags",
        "name",
        "description",
        "message",
        "severity",
        "deactivated",
        "order",
        "group",
        "defaultValue",
    )
)
SPARQL_CONSTRAINT_PREDICATES = frozenset(
    sh(n)
    for n in (
        "select",
        "prefixes",
        "message",
        "deactivated",
        "severity",
        "name",
        "description",
        "order",
        "group",
    )
)
PREFIX_DECLARATION_PREDICATES = frozenset(sh(n) for n in ("prefix", "namespace", "declare"))
PATH_PREDICATES = frozenset(
    sh(n) for n in ("inversePath", "alternativePath", "zeroOrMorePath", "oneOrMorePath", "zeroOrOnePath")
)
NODE_KINDS: dict[str, str] = {
    "IRI": "isIRI(?V)",
    "BlankNode": "isBlank(?V)",
    "Literal": "isLiteral(?V)",
    "BlankNodeOrIRI": "(isBlank(?V) || isIRI(?V))",
    "BlankNodeOrLiteral": "(isBlank(?V) || isLiteral(?V))",
    "IRIOrLiteral": "(isIRI(?V) || isLiteral(?V))",
}
#: Datatypes whose lexical space SPARQL can check with a cast: a literal is well formed when
#: the cast of its lexical form succeeds (``"2024-02-30"^^xsd:date`` does not). Other datatypes
#: are checked by datatype IRI only.
CASTABLE = frozenset(
    XSD + n
    for n in (
        "integer",
        "decimal",
        "float",
        "double",
        "boolean",
        "date",
        "dateTime",
        "time",
        "duration",
        "dayTimeDuration",
        "yearMonthDuration",
        "gYear",
        "gYearMonth",
        "gMonth",
        "gMonthDay",
        "gDay",
    )
)
#: Integer subtypes: well formed when castable to xsd:integer and within range. Oxigraph stores
#: a well-formed ``"7"^^xsd:nonNegativeInteger`` as ``"7"^^xsd:integer`` (only ill-formed ones
#: keep their datatype), so in the store an in-range xsd:integer must pass as the subtype: the
#: store cannot tell the two apart, and rejecting every stored subtype value would be worse.
INTEGER_RANGES: dict[str, tuple[int | None, int | None]] = {
    XSD + "nonNegativeInteger": (0, None),
    XSD + "positiveInteger": (1, None),
    XSD + "nonPositiveInteger": (None, 0),
    XSD + "negativeInteger": (None, -1),
    XSD + "long": (-(2**63), 2**63 - 1),
    XSD + "int": (-(2**31), 2**31 - 1),
    XSD + "short": (-(2**15), 2**15 - 1),
    XSD + "byte": (-128, 127),
    XSD + "unsignedLong": (0, 2**64 - 1),
    XSD + "unsignedInt": (0, 2**32 - 1),
    XSD + "unsignedShort": (0, 2**16 - 1),
    XSD + "unsignedByte": (0, 255),
}
_Fail = Callable[[str], "UnsupportedShape"]
"""Builds the error for an unsupported feature, naming the shape being compiled."""

#: Counts up to this are checked with pairwise-distinct value variables (usable inside
#: ``EXISTS``); larger ones with an aggregate sub-select (top level only).
PAIRWISE_LIMIT = 3


@dataclass(frozen=True)
class CompiledConstraint:
    """One constraint of one shape as SPARQL.

    ``sparql`` projects ``?this ?value ?g`` (SHACL-SPARQL constraints also their own variables,
    ``?path`` among them) and works with or without ``?g`` pre-bound; ``sparql_all`` is the same
    constraint without the graph of the targeting triple, which is faster when the whole store
    is validated (a node typed in several graphs is checked once) and also covers
    ``sh:targetNode`` nodes the data does not mention at all.
    """

    shape: str
    component: str
    path: str | None
    sparql: str
    severity: str
    message_template: str
    sparql_all: str = ""
    path_from_results: bool = False


class UnsupportedShape(InvalidParameter):
    """The shapes use a SHACL feature the SPARQL compiler does not translate."""


# --- rendering terms -------------------------------------------------------------------------


def nt_escape(text: str) -> str:
    """Escape a string for an N-Triples / SPARQL double-quoted literal."""
    out = text.replace("\\", "\\\\").replace('"', '\\"')
    return out.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")


def sparql_term(term: Node) -> str:
    """A constant term in SPARQL syntax (blank nodes cannot be constants in a query)."""
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, Literal):
        body = f'"{nt_escape(str(term))}"'
        if term.language:
            return f"{body}@{term.language}"
        if term.datatype is not None:
            return f"{body}^^<{term.datatype}>"
        return body
    raise UnsupportedShape(f"a blank node ({term}) cannot be used as a constant in SPARQL")


def node_id(term: Node) -> str:
    """How a shape, focus node or path node is named in a :class:`Violation`."""
    if isinstance(term, BNode):
        return f"_:{term}"
    return str(term)


# --- the compiler ----------------------------------------------------------------------------


@dataclass
class _Fresh:
    """Fresh variable names, so nested shapes never capture each other's variables."""

    n: int = 0

    def __call__(self, hint: str) -> str:
        self.n += 1
        return f"?__kg_{hint}{self.n}"


@dataclass
class Compiler:
    """Walks a shapes graph and emits one :class:`CompiledConstraint` per constraint."""

    g: Graph
    fresh: _Fresh = field(default_factory=_Fresh)

    # naming -----------------------------------------------------------------------------

    def name(self, node: Node) -> str:
        """A readable name for error messages: a prefixed name where a prefix is known."""
        if isinstance(node, URIRef):
            try:
                return self.g.namespace_manager.normalizeUri(node)
            except (ValueError, KeyError):
                return f"<{node}>"
        return node_id(node)

    def fail(self, shape: Node, feature: str) -> UnsupportedShape:
        return UnsupportedShape(f"shape {self.name(shape)}: unsupported SHACL feature {feature}")

    # structure --------------------------------------------------------------------------

    def one(self, s: Node, p: URIRef) -> Node | None:
        values = list(self.g.objects(s, p))
        if len(values) > 1:
            raise InvalidParameter(f"shape {self.name(s)}: more than one value of {self.name(p)}")
        return values[0] if values else None

    def deactivated(self, s: Node) -> bool:
        flag = self.one(s, sh("deactivated"))
        return isinstance(flag, Literal) and flag.toPython() is True

    def shapes(self) -> set[Node]:
        """Every node playing the role of a shape, as SHACL defines shape (section 2.1)."""
        found: set[Node] = set()
        for kind in (sh("NodeShape"), sh("PropertyShape")):
            found.update(self.g.subjects(RDF.type, kind))
        for p in TARGET_PREDICATES | {sh("target"), sh("path")}:
            found.update(self.g.subjects(p, None))
        for p in (sh("property"), sh("node"), sh("not"), sh("qualifiedValueShape")):
            found.update(self.g.objects(None, p))
        for p in (sh("or"), sh("and"), sh("xone")):
            for lst in self.g.objects(None, p):
                found.update(self.members(lst))
        return found

    def members(self, lst: Node) -> list[Node]:
        return list(Collection(self.g, lst))

    def check_vocabulary(self, shapes: set[Node]) -> None:
        """Refuse any ``sh:`` predicate the compiler would otherwise ignore."""
        sparql_nodes = set(self.g.objects(None, sh("sparql")))
        list_nodes = {n for n in self.g.subjects(RDF.first, None)}
        path_nodes = {s for p in PATH_PREDICATES for s in self.g.subjects(p, None)}
        for s, p, _ in self.g:
            if not isinstance(p, URIRef) or not str(p).startswith(SH):
                continue
            if s in shapes:
                if p not in COMPONENT_OF and p not in SHAPE_OTHER and p not in TARGET_PREDICATES:
                    raise self.fail(s, self.name(p))
            elif s in sparql_nodes:
                if p not in SPARQL_CONSTRAINT_PREDICATES:
                    raise self.fail(s, f"{self.name(p)} on a SPARQL constraint")
            elif p in PREFIX_DECLARATION_PREDICATES or (s in path_nodes and p in PATH_PREDICATES):
                continue
            elif s not in list_nodes:
                raise UnsupportedShape(
                    f"node {self.name(s)}: unsupported SHACL feature {self.name(p)} outside a shape"
                )

    # paths ------------------------------------------------------------------------------

    def path(self, shape: Node, p: Node) -> str:
        """A SHACL path as a SPARQL property path."""
        if isinstance(p, URIRef):
            return f"<{p}>"
        if (p, RDF.first, None) in self.g:
            return "(" + "/".join(self.path(shape, m) for m in self.members(p)) + ")"
        for pred, fmt in (
            ("inversePath", "^{}"),
            ("zeroOrMorePath", "{}*"),
            ("oneOrMorePath", "{}+"),
            ("zeroOrOnePath", "{}?"),
        ):
            inner = self.one(p, sh(pred))
            if inner is not None:
                return "(" + fmt.format(self.path(shape, inner)) + ")"
        alt = self.one(p, sh("alternativePath"))
        if alt is not None:
            return "(" + "|".join(self.path(shape, m) for m in self.members(alt)) + ")"
        raise self.fail(shape, f"the path {self.name(p)}")

    def path_label(self, shape: Node, p: Node) -> str:
        """How a result path is named: its IRI, or SPARQL property-path syntax if complex."""
        return str(p) if isinstance(p, URIRef) else render_path(self.g, p)

    # targets ----------------------------------------------------------------------------

    def targets(self, shape: Node, scoped: bool) -> list[str]:
        """Group patterns binding ``?this`` (and, if ``scoped``, ``?g``) to the focus nodes."""
        t = self.fresh("t")
        out: list[str] = []
        classes = list(self.g.objects(shape, sh("targetClass")))
        class_types = {RDFS.Class, *self.g.subjects(RDFS.subClassOf, RDFS.Class)}
        if any(ty in class_types for ty in self.g.objects(shape, RDF.type)):
            classes.append(shape)  # implicit class target (SHACL 2.1.3.3)
        for c in classes:
            cls = sparql_term(c)
            if scoped:
                out.append(f"GRAPH ?g {{ ?this a {t} }} {t} rdfs:subClassOf* {cls} .")
            else:
                out.append(f"?this a/rdfs:subClassOf* {cls} .")
        for n in self.g.objects(shape, sh("targetNode")):
            v = f"VALUES ?this {{ {sparql_term(n)} }}"
            out.append(f"{v} GRAPH ?g {{ ?this {self.fresh('p')} {self.fresh('o')} }}" if scoped else v)
        for p in self.g.objects(shape, sh("targetSubjectsOf")):
            pattern = f"?this {sparql_term(p)} {self.fresh('o')} ."
            out.append(f"GRAPH ?g {{ {pattern} }}" if scoped else pattern)
        for p in self.g.objects(shape, sh("targetObjectsOf")):
            pattern = f"{self.fresh('s')} {sparql_term(p)} ?this ."
            out.append(f"GRAPH ?g {{ {pattern} }}" if scoped else pattern)
        return out

    # constraints ------------------------------------------------------------------------

    def value_nodes(self, shape: Node, focus: str, value: str) -> str:
        p = self.one(shape, sh("path"))
        if p is None:
            return f"BIND({focus} AS {value})"
        return f"{focus} {self.path(shape, p)} {value} ."

    def constraint_patterns(
        self, shape: Node, focus: str, value: str, stack: tuple[Node, ...], top_target: str | None
    ) -> Iterator[tuple[str, str]]:
        """(component IRI, group pattern) for each Core constraint of ``shape``.

        The pattern binds ``value`` to the offending value where the component reports one.
        ``top_target`` is the target pattern when compiling a top-level query (which may then
        use an aggregate), None inside a nested shape.
        """
        p = self.one(shape, sh("path"))
        path = self.path(shape, p) if p is not None else None
        vn = self.value_nodes(shape, focus, value)
        for param, local in COMPONENT_OF.items():
            for arg in self.g.objects(shape, param):
                component = SH + local
                pattern = self.component(shape, local, arg, focus, value, path, vn, stack, top_target)
                yield component, pattern

    def component(
        self,
        shape: Node,
        local: str,
        arg: Node,
        focus: str,
        value: str,
        path: str | None,
        vn: str,
        stack: tuple[Node, ...],
        top_target: str | None,
    ) -> str:
        """The violation pattern of one constraint component (SHACL Core section 4)."""
        v = value
        if local in ("MinCountConstraintComponent", "MaxCountConstraintComponent"):
            if path is None:
                raise self.fail(shape, "sh:minCount/sh:maxCount on a node shape")
            n = _int(self, shape, arg)
            return self.count(shape, local.startswith("Min"), n, focus, path, top_target, None)
        if local in ("QualifiedMinCountConstraintComponent", "QualifiedMaxCountConstraintComponent"):
            qualified = self.one(shape, sh("qualifiedValueShape"))
            if path is None or qualified is None:
                raise self.fail(
                    shape, f"sh:{local[0].lower()}{local[1:-19]} without sh:path and sh:qualifiedValueShape"
                )
            n = _int(self, shape, arg)
            only_conforming = (qualified, stack)
            return self.count(shape, "Min" in local, n, focus, path, top_target, only_conforming)
        if local == "UniqueLangConstraintComponent":
            if path is None:
                raise self.fail(shape, "sh:uniqueLang on a node shape")
            if not (isinstance(arg, Literal) and arg.toPython() is True):
                return "FILTER(false)"
            a, b = self.fresh("l"), self.fresh("l")
            return (
                f"FILTER EXISTS {{ {focus} {path} {a} . {focus} {path} {b} . "
                f'FILTER(!sameTerm({a}, {b}) && LANG({a}) != "" && LCASE(LANG({a})) = LCASE(LANG({b}))) }}'
            )
        if local == "ClassConstraintComponent":
            return f"{vn} FILTER NOT EXISTS {{ {v} rdf:type/rdfs:subClassOf* {sparql_term(arg)} }}"
        if local == "DatatypeConstraintComponent":
            return f"{vn} FILTER(!({datatype_test(v, arg)}))"
        if local == "NodeKindConstraintComponent":
            kind = str(arg).removeprefix(SH)
            if kind not in NODE_KINDS:
                raise self.fail(shape, f"sh:nodeKind {self.name(arg)}")
            return f"{vn} FILTER(!{NODE_KINDS[kind].replace('?V', v)})"
        if local == "InConstraintComponent":
            options = [f"sameTerm({v}, {sparql_term(m)})" for m in self.members(arg)]
            return f"{vn} FILTER(!({' || '.join(options) or 'false'}))"
        if local == "HasValueConstraintComponent":
            if path is None:
                return f"FILTER(!sameTerm({focus}, {sparql_term(arg)}))"
            return f"FILTER NOT EXISTS {{ {focus} {path} {sparql_term(arg)} }}"
        if local == "PatternConstraintComponent":
            flags = self.one(shape, sh("flags"))
            flag_arg = f', "{nt_escape(str(flags))}"' if flags is not None else ""
            return f'{vn} FILTER(isBlank({v}) || !REGEX(STR({v}), "{nt_escape(str(arg))}"{flag_arg}))'
        ops = {
            "MinInclusiveConstraintComponent": ">=",
            "MaxInclusiveConstraintComponent": "<=",
            "MinExclusiveConstraintComponent": ">",
            "MaxExclusiveConstraintComponent": "<",
        }
        if local in ops:
            return f"{vn} FILTER(!COALESCE({v} {ops[local]} {sparql_term(arg)}, false))"
        if local in ("MinLengthConstraintComponent", "MaxLengthConstraintComponent"):
            op = "<" if local.startswith("Min") else ">"
            n = _int(self, shape, arg)
            return f"{vn} FILTER(isBlank({v}) || STRLEN(STR({v})) {op} {n})"
        if local in (
            "EqualsConstraintComponent",
            "DisjointConstraintComponent",
            "LessThanConstraintComponent",
            "LessThanOrEqualsConstraintComponent",
        ):
            return self.pair(shape, local, arg, focus, v, path, vn)
        return self.logical(shape, local, arg, v, vn, stack)

    def count(
        self,
        shape: Node,
        too_few: bool,
        n: int,
        focus: str,
        path: str,
        top: str | None,
        qualified: tuple[Node, tuple[Node, ...]] | None,
    ) -> str:
        """Cardinality: one result per focus node, without a value.

        ``sh:minCount``/``sh:maxCount`` count the value nodes; the qualified variants (given
        ``qualified``: the shape and the enclosing stack) only those that conform to it.
        """
        k = n if too_few else n + 1  # distinct values that must (not) exist
        if k == 0:
            return "FILTER(false)"  # a minimum of 0 never fails

        def condition(x: str) -> str:
            if qualified is None:
                return ""
            return f"FILTER NOT EXISTS {{ {self.fails(qualified[0], x, qualified[1])} }}"

        if k <= PAIRWISE_LIMIT or top is None:
            if k > 2 * PAIRWISE_LIMIT:
                raise self.fail(shape, f"a count of {n} inside a nested shape")
            vs = [self.fresh("c") for _ in range(k)]
            body = " ".join(f"{focus} {path} {x} . {condition(x)}" for x in vs)
            distinct = " && ".join(f"!sameTerm({a}, {b})" for a, b in combinations(vs, 2))
            inner = f"{body} FILTER({distinct})" if distinct else body
            return f"FILTER {'NOT ' if too_few else ''}EXISTS {{ {inner} }}"
        c, x = self.fresh("n"), self.fresh("c")
        op = "<" if too_few else ">"
        group = "?this ?g" if "?g" in top else "?this"
        return (
            f"{{ SELECT {group} (COUNT(DISTINCT {x}) AS {c}) WHERE {{ {top} "
            f"OPTIONAL {{ ?this {path} {x} {condition(x)} }} }} GROUP BY {group} }} FILTER({c} {op} {n})"
        )

    def pair(self, shape: Node, local: str, arg: Node, focus: str, v: str, path: str | None, vn: str) -> str:
        """Property pair components (SHACL Core 4.5): compare with another property's values."""
        if not isinstance(arg, URIRef):
            raise self.fail(shape, f"sh:{local} with a non-IRI argument")
        other = f"<{arg}>"
        if local == "EqualsConstraintComponent":
            return (
                f"{{ {vn} FILTER NOT EXISTS {{ {focus} {other} {v} }} }} UNION "
                f"{{ {focus} {other} {v} FILTER NOT EXISTS {{ {self.value_nodes(shape, focus, v)} }} }}"
            )
        if local == "DisjointConstraintComponent":
            return f"{vn} {focus} {other} {v} ."
        if path is None:
            raise self.fail(shape, f"sh:{local} on a node shape")
        o = self.fresh("o")
        op = "<" if local == "LessThanConstraintComponent" else "<="
        return f"{vn} {focus} {other} {o} . FILTER(!COALESCE({v} {op} {o}, false))"

    def logical(self, shape: Node, local: str, arg: Node, v: str, vn: str, stack: tuple[Node, ...]) -> str:
        """sh:node, sh:not, sh:or, sh:and, sh:xone: conformance of the value to other shapes."""
        if local in ("NodeConstraintComponent", "NotConstraintComponent"):
            fails = self.fails(arg, v, stack)
            return f"{vn} FILTER({'' if local.startswith('Not') else '!'}NOT EXISTS {{ {fails} }})"
        members = self.members(arg)
        conforms = [f"NOT EXISTS {{ {self.fails(m, v, stack)} }}" for m in members]
        if local == "OrConstraintComponent":
            return f"{vn} FILTER(!({' || '.join(conforms) or 'false'}))"
        if local == "AndConstraintComponent":
            return f"{vn} FILTER(!({' && '.join(conforms) or 'true'}))"
        counted = " + ".join(f"IF({c}, 1, 0)" for c in conforms) or "0"
        return f"{vn} FILTER(({counted}) != 1)"

    def fails(self, shape: Node, focus: str, stack: tuple[Node, ...]) -> str:
        """A pattern that matches when ``focus`` does not conform to ``shape`` (any severity)."""
        if shape in stack:
            raise self.fail(shape, "a recursive shape reference")
        if self.deactivated(shape):
            return "FILTER(false)"
        stack = (*stack, shape)
        branches: list[str] = []
        for s in (shape, *self.g.objects(shape, sh("property"))):
            if s is not shape and self.deactivated(s):
                continue
            if (s, sh("sparql"), None) in self.g:
                raise self.fail(s, "sh:sparql in a shape used through sh:node/sh:not/sh:or/sh:and/sh:xone")
            if s is not shape and (s, sh("property"), None) in self.g:
                raise self.fail(s, "sh:property on a property shape")
            for _, pattern in self.constraint_patterns(s, focus, self.fresh("v"), stack, None):
                branches.append(f"{{ {pattern} }}")
        return " UNION ".join(branches) or "FILTER(false)"

    # top level --------------------------------------------------------------------------

    def compile(self) -> list[CompiledConstraint]:
        shapes = self.shapes()
        self.check_vocabulary(shapes)
        for s in shapes:
            if (s, sh("target"), None) in self.g:
                raise self.fail(s, "sh:target")
            disjoint = self.one(s, sh("qualifiedValueShapesDisjoint"))
            if isinstance(disjoint, Literal) and disjoint.toPython() is True:
                raise self.fail(s, "sh:qualifiedValueShapesDisjoint true")
        out: list[CompiledConstraint] = []
        for shape in sorted(shapes, key=node_id):
            if self.deactivated(shape) or not self.targets(shape, scoped=False):
                continue
            out.extend(self.compile_targeted(shape, shape, direct=True))
            for ps in sorted(self.g.objects(shape, sh("property")), key=node_id):
                if not self.deactivated(ps):
                    out.extend(self.compile_targeted(shape, ps, direct=False))
        return out

    def compile_targeted(self, target_shape: Node, shape: Node, direct: bool) -> list[CompiledConstraint]:
        """Every constraint of ``shape`` on the focus nodes of ``target_shape``."""
        if not direct and (shape, sh("property"), None) in self.g:
            raise self.fail(shape, "sh:property on a property shape")
        severity = str(self.one(shape, sh("severity")) or VIOLATION)
        p = self.one(shape, sh("path"))
        path_label = self.path_label(shape, p) if p is not None else None
        message = message_of(self.g, shape)
        out: list[CompiledConstraint] = []
        targets = {sc: self.targets(target_shape, scoped=sc) for sc in (True, False)}
        for component, scoped, unscoped in self.core_queries(shape, targets):
            out.append(
                CompiledConstraint(
                    shape=node_id(shape),
                    component=component,
                    path=path_label,
                    sparql=scoped,
                    severity=severity,
                    message_template=message,
                    sparql_all=unscoped,
                )
            )
        for constraint in sorted(self.g.objects(shape, sh("sparql")), key=node_id):
            if self.deactivated(constraint):
                continue
            queries = {sc: self.sparql_constraint(shape, constraint, p, targets[sc]) for sc in (True, False)}
            out.append(
                CompiledConstraint(
                    shape=node_id(shape),
                    component=SH + "SPARQLConstraintComponent",
                    path=path_label,
                    sparql=queries[True],
                    severity=str(self.one(constraint, sh("severity")) or severity),
                    message_template=message_of(self.g, constraint) or message,
                    sparql_all=queries[False],
                    path_from_results=True,
                )
            )
        return out

    def core_queries(self, shape: Node, targets: dict[bool, list[str]]) -> Iterator[tuple[str, str, str]]:
        """(component, scoped query, whole-store query) for each Core constraint of ``shape``."""
        per_scope: dict[bool, list[tuple[str, str]]] = {}
        for scoped, patterns in targets.items():
            target = " UNION ".join(f"{{ {t} }}" for t in patterns)
            target = target if len(patterns) > 1 else patterns[0]
            rows: list[tuple[str, str]] = []
            for component, pattern in self.constraint_patterns(shape, "?this", "?value", (), target):
                # an aggregate holds the target pattern itself
                body = pattern if pattern.startswith("{ SELECT") else f"{{ {target} }} {pattern}"
                rows.append((component, f"SELECT DISTINCT ?this ?value ?g WHERE {{ {body} }}"))
            per_scope[scoped] = rows
        for (component, scoped_q), (_, unscoped_q) in zip(per_scope[True], per_scope[False], strict=True):
            yield component, scoped_q, unscoped_q

    def sparql_constraint(self, shape: Node, constraint: Node, path: Node | None, targets: list[str]) -> str:
        """A SHACL-SPARQL constraint with ``$this`` pre-bound by the shape's targets.

        The target pattern is joined at the start of the query's WHERE clause, which gives the
        pre-binding semantics of SHACL-SPARQL 5.3.1 for the queries SHACL allows (no MINUS, no
        sub-select without ``$this``) and lets the store use ``?g`` to find the focus nodes.
        """
        if self.one(constraint, sh("ask")) is not None:
            raise self.fail(shape, "sh:ask in a constraint")
        select = self.one(constraint, sh("select"))
        if not isinstance(select, Literal):
            raise self.fail(shape, "a SPARQL constraint without sh:select")
        prefixes = "".join(
            f"PREFIX {pfx}: <{ns}>\n" for pfx, ns in declared_prefixes(self.g, constraint, shape)
        )
        path_text = self.path(shape, path) if path is not None else None
        text = substitute(str(select), shape, path_text, lambda f: self.fail(shape, f))
        target = " UNION ".join(f"{{ {t} }}" for t in targets)
        return prefixes + inject(text, target, lambda f: self.fail(shape, f))


def _int(c: Compiler, shape: Node, arg: Node) -> int:
    if not isinstance(arg, Literal) or not isinstance(arg.toPython(), int):
        raise c.fail(shape, f"a non-integer count {arg!r}")
    value: int = arg.toPython()
    return value


def datatype_test(v: str, dt: Node) -> str:
    """SPARQL test that ``v`` is a well-formed literal of datatype ``dt`` (SHACL Core 4.1.2)."""
    if not isinstance(dt, URIRef):
        raise UnsupportedShape(f"sh:datatype {dt!r} is not an IRI")
    test = f"isLiteral({v}) && sameTerm(DATATYPE({v}), <{dt}>)"
    if str(dt) in CASTABLE:
        test += f" && COALESCE(isLiteral(<{dt}>(STR({v}))), false)"
    elif str(dt) in INTEGER_RANGES:
        low, high = INTEGER_RANGES[str(dt)]
        cast = f"<{XSD}integer>(STR({v}))"
        bounds = [
            f"{cast} >= {low}" if low is not None else "",
            f"{cast} <= {high}" if high is not None else "",
        ]
        stored_as = f"(sameTerm(DATATYPE({v}), <{dt}>) || sameTerm(DATATYPE({v}), <{XSD}integer>))"
        test = f"isLiteral({v}) && {stored_as} && COALESCE({' && '.join(b for b in bounds if b)}, false)"
    return test


def render_path(g: Graph, p: Node) -> str:
    """A path node in SPARQL property-path syntax with full IRIs, as both engines name it."""
    if isinstance(p, URIRef):
        return f"<{p}>"
    if (p, RDF.first, None) in g:
        return "(" + "/".join(render_path(g, m) for m in Collection(g, p)) + ")"
    for pred, fmt in (
        ("inversePath", "^{}"),
        ("zeroOrMorePath", "{}*"),
        ("oneOrMorePath", "{}+"),
        ("zeroOrOnePath", "{}?"),
    ):
        inner = g.value(p, sh(pred))
        if inner is not None:
            return "(" + fmt.format(render_path(g, inner)) + ")"
    alt = g.value(p, sh("alternativePath"))
    if alt is not None:
        return "(" + "|".join(render_path(g, m) for m in Collection(g, alt)) + ")"
    return node_id(p)


def message_of(g: Graph, node: Node) -> str:
    """The ``sh:message`` of a shape or constraint (English, or untagged, preferred)."""
    messages = sorted(
        (m for m in g.objects(node, sh("message")) if isinstance(m, Literal)),
        key=lambda m: (m.language not in (None, "en"), str(m)),
    )
    return str(messages[0]) if messages else ""


def declared_prefixes(g: Graph, constraint: Node, shape: Node) -> list[tuple[str, str]]:
    """Prefixes a SPARQL constraint declares through ``sh:prefixes`` / ``sh:declare``."""
    found: list[tuple[str, str]] = []
    for ontology in g.objects(constraint, sh("prefixes")):
        for decl in g.objects(ontology, sh("declare")):
            pfx, ns = g.value(decl, sh("prefix")), g.value(decl, sh("namespace"))
            if pfx is None or ns is None:
                raise UnsupportedShape(f"shape {node_id(shape)}: sh:declare without sh:prefix/sh:namespace")
            found.append((str(pfx), str(ns)))
    return sorted(set(found))


_TOKEN = re.compile(
    r"""(?P<comment>\#[^\n]*)
      | (?P<string>'''(?:[^\\]|\\.)*?'''|\"\"\"(?:[^\\]|\\.)*?\"\"\"|'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")
      | (?P<iri><[^<>"{}|^`\\\s]*>)
      | (?P<var>[?$][A-Za-z0-9_\u00b7-\uffff]+)
      | (?P<word>[A-Za-z_][A-Za-z0-9_-]*)
      | (?P<brace>[{}])
      | (?P<other>.)""",
    re.VERBOSE | re.DOTALL,
)


def tokens(query: str) -> Iterator[re.Match[str]]:
    return _TOKEN.finditer(query)


def substitute(query: str, shape: Node, path: str | None, fail: _Fail) -> str:
    """Replace the SHACL-SPARQL pre-bound variables: ``$this``, ``$PATH``, ``$currentShape``."""
    out: list[str] = []
    for m in tokens(query):
        text = m.group(0)
        if m.lastgroup == "var":
            name = text[1:]
            if name == "this":
                text = "?this"
            elif name == "PATH":
                if path is None:
                    raise fail("$PATH in a SPARQL constraint of a node shape")
                text = path
            elif name == "currentShape":
                text = sparql_term(shape)
            elif name == "shapesGraph":
                raise fail("$shapesGraph in a SPARQL constraint")
            elif name == "g" or name.startswith("__kg_"):
                raise fail(f"the variable {text} (reserved by the compiler) in a SPARQL constraint")
        out.append(text)
    return "".join(out)


def inject(query: str, target: str, fail: _Fail) -> str:
    """Join the target pattern into the top-level WHERE clause and project ``?g``."""
    toks = list(tokens(query))
    words = [(i, m) for i, m in enumerate(toks) if m.lastgroup == "word"]
    select = next((i for i, m in words if m.group(0).upper() == "SELECT"), None)
    if select is None:
        raise fail("a sh:select that is not a SELECT query")
    depth = 0
    open_at = close_at = None
    for i in range(select, len(toks)):
        if toks[i].lastgroup != "brace":
            continue
        if toks[i].group(0) == "{":
            if depth == 0 and open_at is None:
                open_at = i
            depth += 1
        else:
            depth -= 1
            if depth == 0 and close_at is None:
                close_at = i
    if open_at is None or close_at is None:
        raise fail("a sh:select whose WHERE clause cannot be found")
    head_toks = toks[select:open_at]
    star = any(m.group(0) == "*" for m in head_toks)
    projects_this = any(m.lastgroup == "var" and m.group(0) == "?this" for m in head_toks)
    where = next(
        (i for i, m in enumerate(head_toks) if m.lastgroup == "word" and m.group(0).upper() == "WHERE"),
        len(head_toks),
    )
    parts = [m.group(0) for m in head_toks]
    if not star:
        if not projects_this:
            raise fail("a sh:select that does not project $this")
        parts.insert(where, " ?g ")
    head = "".join(parts)
    tail = "".join(m.group(0) for m in toks[close_at + 1 :])
    if re.search(r"\bGROUP\s+BY\b", tail, re.IGNORECASE):
        tail = re.sub(r"\bGROUP\s+BY\b", "GROUP BY ?g", tail, count=1, flags=re.IGNORECASE)
    prologue = "".join(m.group(0) for m in toks[:select])
    body = "".join(m.group(0) for m in toks[open_at + 1 : close_at])
    return f"{prologue}{head}{{ {{ {target} }} {body} }}{tail}"


def shapes_hash(g: Graph) -> str:
    """A hash of the exact triples (blank node ids included) for caching compiled shapes."""
    lines = sorted(f"{s.n3()} {p.n3()} {o.n3()}" for s, p, o in g)
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()
