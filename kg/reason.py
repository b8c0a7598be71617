"""OWL 2 DL reasoning over the ontology and instance data with HermiT.

The SHACL gate checks the *shape* of each document; it cannot see what follows from the
ontology (a person who is also a state, a claim with two claimants on a functional property, the
inverse of every membership). This module hands the whole graph to HermiT, through owlready2,
and returns either the new facts (materialised types and object-property values) or, when the
data contradict the ontology, *which* individuals and axioms do so, because "inconsistent" on its
own tells a curator nothing about what to fix.

Pipeline of :func:`reason`:

1. :func:`reasoner_input` keeps what the reasoner needs (see its docstring for why data values
   are mostly dropped) and writes it as N-Triples into a fresh owlready2 ``World``.
2. ``owlready2.sync_reasoner_hermit`` runs HermiT in a JVM (classification, realisation and,
   optionally, object-property values).
3. The new triples are read back from owlready2's inference ontology, completed (superclass
   types, inverse and symmetric values that owlready2 leaves out because they merely mirror an
   existing triple) and compared with the input by IRI.
4. On inconsistency, Pellet's ``explain`` command (shipped with owlready2) computes a
   justification; if it cannot, a small built-in diagnosis looks for disjoint types and
   functional-property clashes; failing both, the report says so honestly.
"""

from __future__ import annotations

import itertools
import re
import shutil
import subprocess
import tempfile
import time
from collections import defaultdict, deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import owlready2
import owlready2.reasoning as owl_reasoning
import rdflib
from rdflib import BNode, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, XSD
from rdflib.term import Node

__all__ = [
    "MAX_LITERAL_LENGTH",
    "Inconsistency",
    "ReasonerFailed",
    "ReasonerUnavailable",
    "ReasoningReport",
    "reason",
    "reasoner_input",
]

Triple = tuple[Node, Node, Node]

MAX_LITERAL_LENGTH = 1000
"""Longest lexical form of a data value handed to the reasoner.

Longer values are document texts and quotes: no axiom of ours constrains them, and shipping
them to the JVM only costs time and memory."""

_PELLET_TIMEOUT_SECONDS = 300
_BC = "https://w3id.org/backchannel-kg/ontology#"
_ID = "https://w3id.org/backchannel-kg/id/"
_RENAMED = "urn:bckg-reason:e"
_RENAMED_RE = re.compile(r"urn:bckg-reason:e(\d+)")

_PREFIXES: tuple[tuple[str, str], ...] = (
    ("bc", _BC),
    ("id", _ID),
    ("rdf", str(RDF)),
    ("rdfs", str(RDFS)),
    ("owl", str(OWL)),
    ("xsd", str(XSD)),
    ("skos", "http://www.w3.org/2004/02/skos/core#"),
    ("prov", "http://www.w3.org/ns/prov#"),
    ("schema", "https://schema.org/"),
    ("oa", "http://www.w3.org/ns/oa#"),
    ("dcterms", "http://purl.org/dc/terms/"),
)

# Namespaces whose terms are the OWL/RDF machinery itself, never classes or individuals of ours.
_BUILTIN_NAMESPACES = (str(RDF), str(RDFS), str(OWL), str(XSD))

# Literal-valued predicates that are part of OWL axioms (restrictions, enumerations, facets)
# rather than data: dropping them would change the meaning of the ontology.
_STRUCTURAL_LITERAL_PREDICATES = frozenset(
    {
        OWL.cardinality,
        OWL.minCardinality,
        OWL.maxCardinality,
        OWL.qualifiedCardinality,
        OWL.minQualifiedCardinality,
        OWL.maxQualifiedCardinality,
        OWL.hasValue,
        RDF.first,
        XSD.minInclusive,
        XSD.maxInclusive,
        XSD.minExclusive,
        XSD.maxExclusive,
        XSD.length,
        XSD.minLength,
        XSD.maxLength,
        XSD.pattern,
        XSD.totalDigits,
        XSD.fractionDigits,
    }
)

# The OWL 2 datatype map (OWL 2 Syntax §4) plus rdf:langString; HermiT rejects anything else
# (notably xsd:date, xsd:gYear, xsd:duration).
_OWL2_DATATYPES = frozenset(
    {
        RDF.PlainLiteral,
        RDF.XMLLiteral,
        RDF.langString,
        RDFS.Literal,
        OWL.real,
        OWL.rational,
        *(
            XSD[name]
            for name in (
                *("decimal", "integer", "nonNegativeInteger", "nonPositiveInteger"),
                *("positiveInteger", "negativeInteger", "long", "int", "short", "byte"),
                *("unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte"),
                *("double", "float", "string", "normalizedString", "token", "language"),
                *("Name", "NCName", "NMTOKEN", "boolean", "hexBinary", "base64Binary"),
                *("anyURI", "dateTime", "dateTimeStamp"),
            )
        ),
    }
)

_SCHEMA_TYPES = frozenset(
    {
        OWL.Class,
        RDFS.Class,
        RDFS.Datatype,
        RDF.Property,
        OWL.ObjectProperty,
        OWL.DatatypeProperty,
        OWL.AnnotationProperty,
        OWL.FunctionalProperty,
        OWL.InverseFunctionalProperty,
        OWL.TransitiveProperty,
        OWL.SymmetricProperty,
        OWL.AsymmetricProperty,
        OWL.ReflexiveProperty,
        OWL.IrreflexiveProperty,
        OWL.Ontology,
        OWL.Restriction,
        OWL.AllDisjointClasses,
        OWL.AllDifferent,
        OWL.AllDisjointProperties,
        OWL.NegativePropertyAssertion,
        OWL.Axiom,
    }
)

_OBJECT_PROPERTY_TYPES = frozenset(
    {
        OWL.ObjectProperty,
        OWL.InverseFunctionalProperty,
        OWL.TransitiveProperty,
        OWL.SymmetricProperty,
        OWL.AsymmetricProperty,
        OWL.ReflexiveProperty,
        OWL.IrreflexiveProperty,
    }
)

# Pellet's renderer keyword -> RDF predicate, for binary axioms "A keyword B".
_PELLET_BINARY = {
    "type": RDF.type,
    "subClassOf": RDFS.subClassOf,
    "subPropertyOf": RDFS.subPropertyOf,
    "disjointWith": OWL.disjointWith,
    "equivalentTo": OWL.equivalentClass,
    "equivalentClass": OWL.equivalentClass,
    "differentFrom": OWL.differentFrom,
    "sameAs": OWL.sameAs,
    "inverseOf": OWL.inverseOf,
    "domain": RDFS.domain,
    "range": RDFS.range,
}
_SYMMETRIC_AXIOMS = frozenset(
    {OWL.disjointWith, OWL.equivalentClass, OWL.differentFrom, OWL.sameAs, OWL.inverseOf}
)
# Pellet's renderer keyword -> characteristic class, for unary axioms "Functional p".
_PELLET_CHARACTERISTICS = {
    "Functional": OWL.FunctionalProperty,
    "InverseFunctional": OWL.InverseFunctionalProperty,
    "Transitive": OWL.TransitiveProperty,
    "Symmetric": OWL.SymmetricProperty,
    "Asymmetric": OWL.AsymmetricProperty,
    "Reflexive": OWL.ReflexiveProperty,
    "Irreflexive": OWL.IrreflexiveProperty,
}
_PELLET_NARY = {
    "DisjointClasses": "owl:AllDisjointClasses",
    "DifferentIndividuals": "owl:AllDifferent",
    "DisjointProperties": "owl:AllDisjointProperties",
    "EquivalentClasses": "owl:equivalentClass",
}


class ReasonerUnavailable(RuntimeError):
    """No Java runtime is available to run HermiT (or Pellet for explanations)."""


class ReasonerFailed(RuntimeError):
    """HermiT ran but stopped with an error other than an inconsistency."""


@dataclass(frozen=True)
class Inconsistency:
    """Why the graph is inconsistent, in terms a curator can act on.

    Attributes:
        message: Human summary.
        individuals: IRIs of the offending individuals (empty if they could not be isolated).
        axioms: The axioms involved, readable, e.g. ``"id:actor/x rdf:type bc:Person"`` or
            ``"bc:Person owl:disjointWith bc:State"``.
    """

    message: str
    individuals: tuple[str, ...]
    axioms: tuple[str, ...]


@dataclass(frozen=True)
class ReasoningReport:
    """Outcome of one reasoner run.

    Attributes:
        consistent: Whether HermiT found the graph consistent.
        inferred: Triples entailed but not in the input, sorted: rdf:type statements of
            individuals (superclasses included, owl:Thing/owl:NamedIndividual left out) and
            object-property values between named individuals. Empty when inconsistent.
        inconsistency: The explanation when ``consistent`` is false, else ``None``.
        seconds: Wall-clock time of the whole call (JVM start-up included).
        reasoner: Name of the reasoner that decided consistency.
    """

    consistent: bool
    inferred: tuple[Triple, ...]
    inconsistency: Inconsistency | None
    seconds: float
    reasoner: str


def reason(graph: rdflib.Graph, *, infer_property_values: bool = True) -> ReasoningReport:
    """Run HermiT over ``graph`` (ontology and instance data together).

    Args:
        graph: The ontology and the data to check, in one graph (merge the named graphs of
            a dataset first: only the triples this graph yields are seen); not modified.
        infer_property_values: Also materialise object-property values (inverse,
            sub-property, symmetric, chains). Costs an extra HermiT pass per property.

    Returns:
        The report; when the graph is inconsistent, ``inconsistency`` says why.

    Raises:
        ReasonerUnavailable: If no ``java`` executable can be found.
        ReasonerFailed: If HermiT stops with an error that is not an inconsistency.
    """
    started = time.perf_counter()
    java = _java_executable()
    prepared = reasoner_input(graph)
    world = owlready2.World()
    try:
        with tempfile.TemporaryDirectory(prefix="kg-reason-") as tmp:
            source = Path(tmp) / "input.nt"
            prepared.serialize(destination=source, format="nt", encoding="utf-8")
            with source.open("rb") as handle:
                world.get_ontology("http://reason.invalid/input#").load(fileobj=handle, format="ntriples")
        try:
            # Schema axioms may still name datatypes outside the OWL 2 map (``rdfs:range
            # xsd:date``); without this flag HermiT refuses the whole ontology over them.
            owlready2.sync_reasoner_hermit(
                world,
                infer_property_values=infer_property_values,
                debug=0,
                ignore_unsupported_datatypes=True,
            )
        except owlready2.OwlReadyInconsistentOntologyError:
            inconsistency = _explain(prepared, java)
            return ReasoningReport(
                consistent=False,
                inferred=(),
                inconsistency=inconsistency,
                seconds=time.perf_counter() - started,
                reasoner="HermiT",
            )
        except owlready2.OwlReadyJavaError as error:
            raise ReasonerFailed(f"HermiT failed: {error}") from error
        raw = list(_inference_triples(world))
    finally:
        world.close()
    inferred = _complete(prepared, raw, with_property_values=infer_property_values)
    return ReasoningReport(
        consistent=True,
        inferred=inferred,
        inconsistency=None,
        seconds=time.perf_counter() - started,
        reasoner="HermiT",
    )


def reasoner_input(graph: rdflib.Graph) -> rdflib.Graph:
    """Return the part of ``graph`` the reasoner should see.

    Kept: every triple whose object is an IRI or blank node (rdf:type, object-property values,
    all schema axioms), OWL's own literal-valued axiom parts (cardinalities, ``owl:hasValue``,
    facets, list members), and values of declared ``owl:DatatypeProperty`` whose datatype is in
    the OWL 2 datatype map, whose lexical form is valid and at most :data:`MAX_LITERAL_LENGTH`
    characters long. Dropped: annotations (labels, definitions, quotes), data values typed
    ``xsd:date`` and other datatypes HermiT rejects, ill-typed literals (HermiT aborts on them
    instead of reporting an inconsistency), long texts, and ``owl:imports`` (the imported
    files are already in the graph; following them would go to the network).

    The cost is that a data value dropped here cannot type its subject through the property's
    ``rdfs:domain`` nor clash with a functional data property; the classes of our individuals
    are asserted explicitly (SHACL requires it), so nothing we rely on is lost.

    Args:
        graph: The full graph.

    Returns:
        A new graph; ``graph`` is left untouched.
    """
    data_properties = set(graph.subjects(RDF.type, OWL.DatatypeProperty))
    kept = rdflib.Graph()
    for s, p, o in graph:
        if p == OWL.imports:
            continue
        if isinstance(o, Literal):
            wanted = p in _STRUCTURAL_LITERAL_PREDICATES or p in data_properties
            if not (wanted and _reasoner_safe(o)):
                continue
        kept.add((s, p, o))
    return kept


def _reasoner_safe(value: Literal) -> bool:
    """Tell whether HermiT accepts ``value`` and it is short enough to be worth sending."""
    if len(value) > MAX_LITERAL_LENGTH or value.ill_typed:
        return False
    return value.datatype is None or value.datatype in _OWL2_DATATYPES


def _java_executable() -> str:
    """Find the JVM owlready2 will call, or explain why reasoning cannot run."""
    configured = str(owlready2.JAVA_EXE)
    java = shutil.which(configured)
    if java is None:
        raise ReasonerUnavailable(
            f"OWL reasoning needs a Java runtime (HermiT runs in a JVM), but "
            f"{configured!r} was not found on PATH; install a JRE (17 or later) "
            f"or set owlready2.JAVA_EXE to its path"
        )
    return java


# --------------------------------------------------------------------------- inferences


def _inference_triples(world: owlready2.World) -> Iterator[tuple[str, str, str]]:
    """Yield, as IRI strings, the triples owlready2 stored from HermiT's answer."""
    ontology = world.get_ontology(owl_reasoning._INFERRENCES_ONTOLOGY)
    for s, p, o in ontology.get_triples():
        if not (isinstance(s, int) and isinstance(o, int)) or s < 0 or o < 0:
            continue  # blank nodes and literals: nothing we report
        yield world._unabbreviate(s), world._unabbreviate(p), world._unabbreviate(o)


def _complete(
    graph: rdflib.Graph, raw: Iterable[tuple[str, str, str]], *, with_property_values: bool
) -> tuple[Triple, ...]:
    """Turn owlready2's additions into the new-triples list of the report.

    HermiT prints only direct types, and prints a property value under the most specific
    property only (``sender``, not its super-property ``participant``); owlready2 also skips
    a value whose inverse triple already exists. So superclass types, super-property values and
    inverse/symmetric mirrors are added back here, from the class and property hierarchies
    HermiT computed. Each step is a sound consequence of what HermiT entailed.
    """
    raw = list(raw)
    asserted = {(str(s), str(p), str(o)) for s, p, o in graph if _named(s) and _named(o)}
    facts = asserted | set(raw)
    schema = {str(s) for s in _schema_terms(graph)}
    individuals = {str(i) for i in _individuals(graph)} | {
        s for s, p, _ in raw if p == str(RDF.type) and s not in schema
    }
    classes = _hierarchy(facts, str(RDFS.subClassOf), str(OWL.equivalentClass))
    result: set[tuple[str, str, str]] = set()
    for s, p, o in facts:
        if p == str(RDF.type) and s in individuals:
            result.add((s, p, o))
            result.update((s, p, sup) for sup in _closure(o, classes))
    if with_property_values:
        object_properties = {str(p) for p in _object_properties(graph)} | {
            p for _, p, _ in raw if p not in _BUILTIN_PREDICATES
        }
        values = {
            (s, p, o) for s, p, o in facts if p in object_properties and s in individuals and o in individuals
        }
        result |= _property_closure(graph, facts, values)
    trivial = {str(OWL.Thing), str(OWL.NamedIndividual)}
    new = (
        t
        for t in result - asserted
        if not (t[1] == str(RDF.type) and (t[2] in trivial or t[2].startswith(_BUILTIN_NAMESPACES)))
    )
    return tuple((URIRef(s), URIRef(p), URIRef(o)) for s, p, o in sorted(new))


def _hierarchy(facts: Iterable[tuple[str, str, str]], sub: str, equivalent: str) -> dict[str, set[str]]:
    """Direct "is under" edges of a class or property hierarchy, equivalences both ways."""
    edges: dict[str, set[str]] = defaultdict(set)
    for s, p, o in facts:
        if p == sub:
            edges[s].add(o)
        elif p == equivalent:
            edges[s].add(o)
            edges[o].add(s)
    return edges


def _property_closure(
    graph: rdflib.Graph,
    facts: set[tuple[str, str, str]],
    values: set[tuple[str, str, str]],
) -> set[tuple[str, str, str]]:
    """Close property values under super-properties, inverses and symmetry (to a fixpoint)."""
    supers = _hierarchy(facts, str(RDFS.subPropertyOf), str(OWL.equivalentProperty))
    inverses: dict[str, set[str]] = defaultdict(set)
    for left, right in graph.subject_objects(OWL.inverseOf):
        inverses[str(left)].add(str(right))
        inverses[str(right)].add(str(left))
    for prop in graph.subjects(RDF.type, OWL.SymmetricProperty):
        inverses[str(prop)].add(str(prop))
    closed = set(values)
    queue = deque(values)
    while queue:
        s, p, o = queue.popleft()
        implied = [(s, q, o) for q in _closure(p, supers)]
        implied += [(o, q, s) for q in inverses.get(p, ())]
        for triple in implied:
            if triple not in closed and not triple[1].startswith(_BUILTIN_NAMESPACES):
                closed.add(triple)
                queue.append(triple)
    return closed


_BUILTIN_PREDICATES = frozenset(
    str(p)
    for p in (
        RDF.type,
        RDFS.subClassOf,
        RDFS.subPropertyOf,
        OWL.equivalentClass,
        OWL.equivalentProperty,
        OWL.sameAs,
    )
)


def _closure(start: str, edges: dict[str, set[str]]) -> set[str]:
    """All nodes reachable from ``start`` (itself excluded unless on a cycle)."""
    seen: set[str] = set()
    queue = deque(edges.get(start, ()))
    while queue:
        node = queue.popleft()
        if node not in seen:
            seen.add(node)
            queue.extend(edges.get(node, ()))
    return seen


def _named(term: Node) -> bool:
    return isinstance(term, URIRef)


def _schema_terms(graph: rdflib.Graph) -> set[Node]:
    """Classes, properties, datatypes and ontology headers declared or used as such."""
    terms: set[Node] = set()
    for kind in _SCHEMA_TYPES:
        terms.update(graph.subjects(RDF.type, kind))
    terms.update(graph.objects(None, RDF.type))
    terms.update(graph.predicates())
    for p in (RDFS.subClassOf, OWL.equivalentClass, OWL.disjointWith, RDFS.domain, RDFS.range):
        for s, o in graph.subject_objects(p):
            terms.update((s, o))
    for p in (RDFS.subPropertyOf, OWL.inverseOf, OWL.equivalentProperty):
        for s, o in graph.subject_objects(p):
            terms.update((s, o))
    return terms


def _object_properties(graph: rdflib.Graph) -> set[Node]:
    props: set[Node] = set()
    for kind in _OBJECT_PROPERTY_TYPES:
        props.update(graph.subjects(RDF.type, kind))
    return props


def _individuals(graph: rdflib.Graph) -> set[URIRef]:
    """Named individuals of ``graph``.

    An IRI typed with a non-builtin class (or ``owl:NamedIndividual``) is one even if it is
    also a class (OWL 2 punning, e.g. a SKOS concept that is a class); an IRI merely linked
    by a non-builtin property is one only if it plays no schema role, so that a class with a
    ``skos:definition`` is not taken for an individual.
    """
    schema = _schema_terms(graph)
    typed: set[URIRef] = set()
    linked: set[URIRef] = set()
    for s, p, o in graph:
        if p == RDF.type:
            if isinstance(s, URIRef) and (
                o == OWL.NamedIndividual or not str(o).startswith(_BUILTIN_NAMESPACES)
            ):
                typed.add(s)
        elif p in (OWL.sameAs, OWL.differentFrom) or not str(p).startswith(_BUILTIN_NAMESPACES):
            linked.update(t for t in (s, o) if isinstance(t, URIRef))
    return typed | {t for t in linked if t not in schema}


# --------------------------------------------------------------------------- explanations


def _explain(graph: rdflib.Graph, java: str) -> Inconsistency:
    """Say why ``graph`` is inconsistent: Pellet's justification, else our own diagnosis."""
    explained = _explain_with_pellet(graph, java)
    if explained is not None:
        return explained
    diagnosed = _diagnose(graph)
    if diagnosed is not None:
        return diagnosed
    return Inconsistency(
        message=(
            "HermiT found the graph inconsistent, but the axioms responsible could not be "
            "isolated (Pellet's explanation failed and no disjoint-class or functional-property "
            "clash was found among asserted facts)"
        ),
        individuals=(),
        axioms=(),
    )


def _explain_with_pellet(graph: rdflib.Graph, java: str) -> Inconsistency | None:
    """Ask Pellet (bundled with owlready2) for one justification of the inconsistency.

    owlready2's own ``sync_reasoner_pellet(debug=2)`` cannot be used: its ``realize`` step loads
    through a Jena build compiled for a newer JVM than 17. ``pellet explain`` loads through the
    OWL API and works. Its renderer prints short names only, which are ambiguous across our
    IRI scheme (``id:actor/x`` and ``id:claim/x``), so every IRI is first renamed to a unique
    ``urn:`` token and mapped back afterwards.
    """
    renamed, names = _rename(graph)
    with tempfile.TemporaryDirectory(prefix="kg-explain-") as tmp:
        source = Path(tmp) / "renamed.nt"
        renamed.serialize(destination=source, format="nt", encoding="utf-8")
        command = [
            java,
            f"-Xmx{owl_reasoning.JAVA_MEMORY}M",
            "-cp",
            owl_reasoning._PELLET_CLASSPATH,
            "pellet.Pellet",
            "explain",
            "--ignore-imports",
            str(source),
        ]
        try:
            done = subprocess.run(
                command,
                capture_output=True,
                text=True,
                encoding="utf-8",
                errors="replace",
                timeout=_PELLET_TIMEOUT_SECONDS,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired):
            return None
    if done.returncode != 0:
        return None
    axioms_text = _pellet_axioms(done.stdout)
    if not axioms_text:
        return None
    axioms = tuple(_render_pellet_axiom(text, names, graph) for text in axioms_text)
    individuals = _individuals(graph)
    mentioned: list[str] = []
    for text in axioms_text:
        for match in _RENAMED_RE.finditer(text):
            term = names.get(int(match.group(1)))
            if term in individuals and str(term) not in mentioned:
                mentioned.append(str(term))
    return Inconsistency(
        message=(
            "inconsistent: "
            + (", ".join(_curie(i) for i in mentioned) or "the ontology")
            + " cannot satisfy "
            + "; ".join(axioms)
            + " (justification computed by Pellet)"
        ),
        individuals=tuple(mentioned),
        axioms=axioms,
    )


def _rename(graph: rdflib.Graph) -> tuple[rdflib.Graph, dict[int, URIRef]]:
    """Replace every non-builtin IRI by a unique token IRI; return the graph and the key."""
    numbers: dict[URIRef, int] = {}

    def swap(term: Node) -> Node:
        if isinstance(term, URIRef) and not str(term).startswith(_BUILTIN_NAMESPACES):
            number = numbers.setdefault(term, len(numbers))
            return URIRef(f"{_RENAMED}{number}")
        return term

    renamed = rdflib.Graph()
    for s, p, o in graph:
        renamed.add((swap(s), swap(p), swap(o)))
    return renamed, {number: term for term, number in numbers.items()}


def _pellet_axioms(output: str) -> list[str]:
    """Cut the first justification out of ``pellet explain`` output, one axiom per item.

    Axioms are printed one per line, n-ary ones (``DisjointClasses(a\\n b)``) over several
    lines; lines are joined until parentheses balance.
    """
    lines = output.splitlines()
    try:
        start = next(i for i, line in enumerate(lines) if line.startswith("Explanation(s)"))
    except StopIteration:
        return []
    axioms: list[str] = []
    pending = ""
    for line in lines[start + 1 :]:
        text = line.strip()
        if not text and not pending:
            if axioms:
                break
            continue
        number = re.match(r"^(\d+)\)\s*", text)
        if number:
            if axioms and number.group(1) != "1":
                break  # only the first justification
            text = text[number.end() :]
        pending = f"{pending} {text}".strip()
        if pending.count("(") <= pending.count(")"):
            axioms.append(" ".join(pending.split()))
            pending = ""
    return axioms


def _render_pellet_axiom(text: str, names: dict[int, URIRef], graph: rdflib.Graph) -> str:
    """Rewrite one Pellet axiom in the report's ``subject predicate object`` CURIE form."""

    def term(token: str) -> URIRef | None:
        match = _RENAMED_RE.fullmatch(token)
        return names.get(int(match.group(1))) if match else None

    words = text.split()
    if len(words) == 3:
        a, b = term(words[0]), term(words[2])
        predicate = _PELLET_BINARY.get(words[1]) or term(words[1])
        if a is not None and b is not None and predicate is not None:
            return _triple_text(a, predicate, b, graph)
    if len(words) == 2 and words[0] in _PELLET_CHARACTERISTICS:
        prop = term(words[1])
        if prop is not None:
            return _triple_text(prop, RDF.type, _PELLET_CHARACTERISTICS[words[0]], graph)
    nary = re.fullmatch(r"(\w+)\((.*)\)", text)
    if nary and nary.group(1) in _PELLET_NARY:
        members = [term(w) for w in nary.group(2).split()]
        if all(m is not None for m in members):
            named = [m for m in members if m is not None]
            if len(named) == 2 and nary.group(1) == "DisjointClasses":
                return _triple_text(named[0], OWL.disjointWith, named[1], graph)
            inner = " ".join(sorted(_curie(m) for m in named))
            return f"{_PELLET_NARY[nary.group(1)]}({inner})"
    return _RENAMED_RE.sub(lambda m: _curie(names.get(int(m.group(1)), URIRef(m.group(0)))), text)


def _triple_text(s: Node, p: Node, o: Node, graph: rdflib.Graph) -> str:
    """Render a triple, oriented as asserted when the axiom is symmetric."""
    if p in _SYMMETRIC_AXIOMS and (s, p, o) not in graph and (o, p, s) in graph:
        s, o = o, s
    return f"{_curie(s)} {_curie(p)} {_curie(o)}"


def _curie(term: Node | str) -> str:
    """Short readable name: ``bc:Person``, ``id:actor/x``, else ``<iri>`` (strings are IRIs)."""
    if isinstance(term, (Literal, BNode)):
        return term.n3()
    text = str(term)
    for prefix, namespace in _PREFIXES:
        if text.startswith(namespace) and len(text) > len(namespace):
            return f"{prefix}:{text[len(namespace) :]}"
    return f"<{text}>"


# --------------------------------------------------------------------------- own diagnosis


@dataclass(frozen=True)
class _Typing:
    """Why an individual has a class: the chain of input axioms that yields it."""

    cls: Node
    because: tuple[str, ...]


def _diagnose(graph: rdflib.Graph) -> Inconsistency | None:
    """Find the common clashes from asserted facts alone, when Pellet gives no answer.

    Covers an individual whose classes (asserted, via rdfs:subClassOf, or via the
    domain/range of an asserted property) are declared disjoint, and a functional or
    inverse-functional property linking to two individuals declared different. Other
    inconsistencies (cardinality restrictions, datatypes, ...) are left to the caller's
    honest "could not isolate" message.
    """
    typings = _typings(graph)
    clashes: list[tuple[str, tuple[str, ...]]] = []
    disjoint = _disjoint_pairs(graph)
    for individual, types in typings.items():
        for (c1, c2), axiom in disjoint.items():
            t1, t2 = types.get(c1), types.get(c2)
            if t1 is not None and t2 is not None:
                clashes.append((str(individual), (*t1.because, *t2.because, axiom)))
    different = _different_pairs(graph)
    for kind, forward in ((OWL.FunctionalProperty, True), (OWL.InverseFunctionalProperty, False)):
        for prop in graph.subjects(RDF.type, kind):
            pairs = graph.subject_objects(prop)
            values: dict[Node, set[Node]] = defaultdict(set)
            for s, o in pairs:
                key, value = (s, o) if forward else (o, s)
                values[key].add(value)
            for key, found in values.items():
                for v1, v2 in itertools.combinations(sorted(found, key=str), 2):
                    declared = different.get(frozenset((v1, v2)))
                    if declared is None:
                        continue
                    link1 = (key, prop, v1) if forward else (v1, prop, key)
                    link2 = (key, prop, v2) if forward else (v2, prop, key)
                    clashes.append(
                        (
                            str(key),
                            (
                                _triple_text(*link1, graph),
                                _triple_text(*link2, graph),
                                _triple_text(prop, RDF.type, kind, graph),
                                declared,
                            ),
                        )
                    )
    if not clashes:
        return None
    individuals = tuple(dict.fromkeys(i for i, _ in clashes))
    axioms = tuple(dict.fromkeys(a for _, chain in clashes for a in chain))
    return Inconsistency(
        message=(
            "inconsistent: "
            + ", ".join(_curie(i) for i in individuals)
            + " cannot satisfy "
            + "; ".join(axioms)
            + " (found by the built-in diagnosis)"
        ),
        individuals=individuals,
        axioms=axioms,
    )


def _typings(graph: rdflib.Graph) -> dict[Node, dict[Node, _Typing]]:
    """Every named class of every individual, with the first derivation found (BFS)."""
    parents: dict[Node, list[tuple[Node, str]]] = defaultdict(list)
    for s, o in graph.subject_objects(RDFS.subClassOf):
        parents[s].append((o, _triple_text(s, RDFS.subClassOf, o, graph)))
    for s, o in graph.subject_objects(OWL.equivalentClass):
        parents[s].append((o, _triple_text(s, OWL.equivalentClass, o, graph)))
        parents[o].append((s, _triple_text(s, OWL.equivalentClass, o, graph)))
    super_properties: dict[Node, list[tuple[Node, str]]] = defaultdict(list)
    for s, o in graph.subject_objects(RDFS.subPropertyOf):
        super_properties[s].append((o, _triple_text(s, RDFS.subPropertyOf, o, graph)))

    seeds: dict[Node, list[_Typing]] = defaultdict(list)
    for s, o in graph.subject_objects(RDF.type):
        if isinstance(s, URIRef) and not str(o).startswith(_BUILTIN_NAMESPACES):
            seeds[s].append(_Typing(o, (_triple_text(s, RDF.type, o, graph),)))
    for s, p, o in graph:
        if str(p).startswith(_BUILTIN_NAMESPACES):
            continue
        for prop, chain in _with_supers(p, super_properties):
            link = (_triple_text(s, p, o, graph), *chain)
            for domain in graph.objects(prop, RDFS.domain):
                seeds[s].append(_Typing(domain, (*link, _triple_text(prop, RDFS.domain, domain, graph))))
            if isinstance(o, URIRef):
                for range_ in graph.objects(prop, RDFS.range):
                    seeds[o].append(_Typing(range_, (*link, _triple_text(prop, RDFS.range, range_, graph))))

    result: dict[Node, dict[Node, _Typing]] = {}
    for individual, start in seeds.items():
        known: dict[Node, _Typing] = {}
        queue = deque(start)
        while queue:
            typing = queue.popleft()
            if typing.cls in known:
                continue
            known[typing.cls] = typing
            for parent, axiom in parents.get(typing.cls, ()):
                queue.append(_Typing(parent, (*typing.because, axiom)))
        result[individual] = known
    return result


def _with_supers(
    prop: Node, supers: dict[Node, list[tuple[Node, str]]]
) -> Iterator[tuple[Node, tuple[str, ...]]]:
    """``prop`` and its super-properties, each with the sub-property axioms leading to it."""
    seen = {prop}
    queue: deque[tuple[Node, tuple[str, ...]]] = deque([(prop, ())])
    while queue:
        current, chain = queue.popleft()
        yield current, chain
        for parent, axiom in supers.get(current, ()):
            if parent not in seen:
                seen.add(parent)
                queue.append((parent, (*chain, axiom)))


def _disjoint_pairs(graph: rdflib.Graph) -> dict[tuple[Node, Node], str]:
    """Disjoint class pairs from owl:disjointWith and owl:AllDisjointClasses, with the axiom."""
    pairs: dict[tuple[Node, Node], str] = {}
    for s, o in graph.subject_objects(OWL.disjointWith):
        pairs[(s, o)] = _triple_text(s, OWL.disjointWith, o, graph)
    for node in graph.subjects(RDF.type, OWL.AllDisjointClasses):
        members = _members(graph, node)
        axiom = f"owl:AllDisjointClasses({' '.join(sorted(_curie(m) for m in members))})"
        for a, b in itertools.combinations(members, 2):
            pairs.setdefault((a, b), axiom)
    return pairs


def _different_pairs(graph: rdflib.Graph) -> dict[frozenset[Node], str]:
    """Pairs of individuals declared different, with the axiom saying so."""
    pairs: dict[frozenset[Node], str] = {}
    for s, o in graph.subject_objects(OWL.differentFrom):
        pairs[frozenset((s, o))] = _triple_text(s, OWL.differentFrom, o, graph)
    for node in graph.subjects(RDF.type, OWL.AllDifferent):
        members = _members(graph, node)
        axiom = f"owl:AllDifferent({' '.join(sorted(_curie(m) for m in members))})"
        for a, b in itertools.combinations(members, 2):
            pairs.setdefault(frozenset((a, b)), axiom)
    return pairs


def _members(graph: rdflib.Graph, node: Node) -> list[Node]:
    """Members of an owl:AllDisjointClasses or owl:AllDifferent node, as listed in the graph."""
    for predicate in (OWL.members, OWL.distinctMembers):
        head = graph.value(node, predicate)
        if isinstance(head, (BNode, URIRef)):
            return list(Collection(graph, head))
    return []
