"""Shared helpers of the shape tests: the shapes, the context graph, the case loader.

A case is a patch over the valid base (``tests/shapes/base.trig``, trimmed compiler output)
and the exact set of validation results it must produce, each as (focus node, result path or
None, source shape, source constraint component). The cases live in
``tests/shapes/cases/<stem>.yaml``, one file per shapes file ``shapes/<stem>.ttl``, written in
the prefixes that ``base.trig`` declares::

    cases:
      - name: claim-without-claimant          # unique over all files, [a-z0-9-]+
        about: A claim attributed to nobody.  # what is wrong, in words
        update: |                             # SPARQL Update applied to the base
          DELETE WHERE { claim:source-us-two-messages-to-iran bc:claimant ?who }
        expect:                               # every result, nothing more
          - [claim:source-us-two-messages-to-iran, bc:claimant, bc:ClaimShape-claimant,
             sh:MinCountConstraintComponent]

``load_cases()`` gives each case's data graph without the ontology; ``context_graph()`` gives the
ontology and the reference individuals the data is validated with, so that another engine can
run the same cases.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyshacl
import yaml
from rdflib import RDF, BNode, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SHAPES_DIR = ROOT / "shapes"
ONTOLOGY_DIR = ROOT / "ontology"
CASES_DIR = HERE / "cases"
BASE_FILE = HERE / "base.trig"

SH = Namespace("http://www.w3.org/ns/shacl#")
BC = Namespace("https://w3id.org/backchannel-kg/ontology#")

Result = tuple[str, str | None, str, str]
"""(focus node, result path or None, source shape, source constraint component), as IRIs."""

CASE_KEYS = {"name", "about", "update", "expect"}
CASE_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")

#: The constraint parameters a shape may use, each with the component it belongs to.
COMPONENT_OF: dict[URIRef, URIRef] = {
    SH[p]: SH[c]
    for p, c in {
        "minCount": "MinCountConstraintComponent",
        "maxCount": "MaxCountConstraintComponent",
        "class": "ClassConstraintComponent",
        "datatype": "DatatypeConstraintComponent",
        "nodeKind": "NodeKindConstraintComponent",
        "in": "InConstraintComponent",
        "hasValue": "HasValueConstraintComponent",
        "pattern": "PatternConstraintComponent",
        "minInclusive": "MinInclusiveConstraintComponent",
        "maxInclusive": "MaxInclusiveConstraintComponent",
        "minExclusive": "MinExclusiveConstraintComponent",
        "maxExclusive": "MaxExclusiveConstraintComponent",
        "minLength": "MinLengthConstraintComponent",
        "maxLength": "MaxLengthConstraintComponent",
        "equals": "EqualsConstraintComponent",
        "disjoint": "DisjointConstraintComponent",
        "lessThan": "LessThanConstraintComponent",
        "lessThanOrEquals": "LessThanOrEqualsConstraintComponent",
        "uniqueLang": "UniqueLangConstraintComponent",
        "languageIn": "LanguageInConstraintComponent",
        "node": "NodeConstraintComponent",
        "not": "NotConstraintComponent",
        "or": "OrConstraintComponent",
        "and": "AndConstraintComponent",
        "xone": "XoneConstraintComponent",
        "closed": "ClosedConstraintComponent",
        "sparql": "SPARQLConstraintComponent",
    }.items()
}
#: Predicates of a shape that are not constraint parameters.
NON_CONSTRAINT = {
    RDF.type,
    *(
        SH[p]
        for p in (
            "path",
            "property",
            "name",
            "description",
            "message",
            "severity",
            "targetClass",
            "targetNode",
            "targetSubjectsOf",
            "targetObjectsOf",
            "flags",
            "ignoredProperties",
        )
    ),
}


@dataclass
class ShapeCase:
    """One failing example: the data (without ontology) and the results it must produce."""

    name: str
    about: str
    file: Path
    data: Graph
    expected: set[Result] = field(default_factory=set)


# --------------------------------------------------------------------------- graphs


def shape_files() -> list[Path]:
    return sorted(SHAPES_DIR.glob("*.ttl"))


def ontology_files() -> list[Path]:
    return sorted(ONTOLOGY_DIR.glob("*.ttl"))


def reference_files() -> list[Path]:
    return sorted((ONTOLOGY_DIR / "individuals").glob("*.ttl"))


def _parse(paths: Iterable[Path]) -> Graph:
    g = Graph()
    for path in paths:
        g.parse(path, format="turtle")
    return g


@functools.cache
def _shapes() -> Graph:
    return _parse(shape_files())


@functools.cache
def _context() -> Graph:
    return _parse([*ontology_files(), *reference_files()])


def copy(g: Graph) -> Graph:
    out = Graph()
    out += g
    return out


def shapes_graph() -> Graph:
    """Every file of ``shapes/`` in one graph (a fresh copy)."""
    return copy(_shapes())


def context_graph() -> Graph:
    """The ontology and the reference individuals (a fresh copy), which data is validated with."""
    return copy(_context())


def ontology_graph() -> Graph:
    return _parse(ontology_files())


def merge_quads(ds: Dataset) -> Graph:
    """All named graphs of a dataset as one graph (validation sees their union)."""
    g = Graph()
    for s, p, o, _ in ds.quads((None, None, None, None)):
        g.add((s, p, o))
    return g


@functools.cache
def _base() -> tuple[Graph, tuple[tuple[str, str], ...]]:
    ds = Dataset()
    ds.parse(BASE_FILE, format="trig")
    spaces = tuple((p, str(ns)) for p, ns in ds.namespace_manager.namespaces())
    return merge_quads(ds), spaces


def base_graph() -> Graph:
    """The valid base, all its named graphs merged (a fresh copy)."""
    return copy(_base()[0])


def prefixes() -> dict[str, str]:
    """The prefixes of ``base.trig``, which the case files are written in."""
    return dict(_base()[1])


def expand(name: str, spaces: dict[str, str]) -> str:
    """``bc:ClaimShape`` → its IRI; a full ``<iri>`` or ``http…`` is kept as it is."""
    if name.startswith("<") and name.endswith(">"):
        return name[1:-1]
    if name.startswith(("http://", "https://", "urn:")):
        return name
    prefix, sep, local = name.partition(":")
    if not sep or prefix not in spaces:
        raise ValueError(f"{name!r} is not a prefixed name of base.trig's prefixes or an IRI")
    return spaces[prefix] + local


# --------------------------------------------------------------------------- cases


def case_files() -> list[Path]:
    return sorted(CASES_DIR.glob("*.yaml"))


def _sparql_prefixes(spaces: dict[str, str]) -> str:
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in sorted(spaces.items()) if p)


def _case(path: Path, entry: dict[str, object], spaces: dict[str, str]) -> ShapeCase:
    name = str(entry.get("name", ""))
    where = f"{path.name}: case {name or '?'}"
    unknown = set(entry) - CASE_KEYS
    if unknown:
        raise ValueError(f"{where}: unknown keys {sorted(unknown)}")
    if not CASE_NAME.match(name):
        raise ValueError(f"{where}: the name must be [a-z0-9-]+")
    about, update, expect = entry.get("about"), entry.get("update"), entry.get("expect")
    if not isinstance(about, str) or not about.strip():
        raise ValueError(f"{where}: 'about' must say what is wrong")
    if not isinstance(update, str) or not update.strip():
        raise ValueError(f"{where}: 'update' must be a SPARQL Update")
    if not isinstance(expect, list) or not expect:
        raise ValueError(f"{where}: 'expect' must list at least one result")
    data = base_graph()
    before = len(data)
    data.update(_sparql_prefixes(spaces) + update)
    if len(data) == before and set(data) == set(_base()[0]):
        raise ValueError(f"{where}: the update changes nothing")
    expected: set[Result] = set()
    for row in expect:
        if not (isinstance(row, list) and len(row) == 4):
            raise ValueError(f"{where}: each expected result is [focus, path or null, shape, component]")
        focus, path_, shape, component = row
        expected.add(
            (
                expand(str(focus), spaces),
                None if path_ is None else expand(str(path_), spaces),
                expand(str(shape), spaces),
                expand(str(component), spaces),
            )
        )
    return ShapeCase(name=name, about=about.strip(), file=path, data=data, expected=expected)


def load_cases() -> list[ShapeCase]:
    """Every case of every file under ``tests/shapes/cases/``, in file order."""
    spaces = prefixes()
    cases: list[ShapeCase] = []
    for path in case_files():
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        if not isinstance(doc, dict) or set(doc) != {"cases"} or not isinstance(doc["cases"], list):
            raise ValueError(f"{path.name}: expected a mapping with one key, 'cases', holding a list")
        cases.extend(_case(path, entry, spaces) for entry in doc["cases"])
    names = [c.name for c in cases]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError(f"duplicate case names: {duplicates}")
    return cases


# --------------------------------------------------------------------------- validation


def validate(data: Graph, shapes: Graph | None = None) -> tuple[bool, Graph, str]:
    """pySHACL over the data merged with the ontology and the reference individuals.

    The context is merged into the data graph (rather than passed as ``ont_graph``) so that
    ``rdfs:subClassOf`` and the types of reference actors are both visible, with no inference.
    """
    merged = copy(data)
    merged += _context()
    conforms, report, text = pyshacl.validate(
        merged,
        shacl_graph=shapes if shapes is not None else _shapes(),
        inference="none",
        advanced=True,
        allow_warnings=True,
    )
    return bool(conforms), report, str(text)


def _iri(node: Node | None) -> str | None:
    if node is None:
        return None
    if isinstance(node, BNode | Literal):
        raise AssertionError(f"expected an IRI in a validation result, got {node!r}")
    return str(node)


def results(report: Graph) -> set[Result]:
    """The (focus, path, source shape, component) of every result of a report graph."""
    out: set[Result] = set()
    for r in report.subjects(RDF.type, SH.ValidationResult):
        focus = _iri(report.value(r, SH.focusNode))
        shape = _iri(report.value(r, SH.sourceShape))
        component = _iri(report.value(r, SH.sourceConstraintComponent))
        assert focus and shape and component, f"incomplete result {r}"
        out.add((focus, _iri(report.value(r, SH.resultPath)), shape, component))
    return out


# --------------------------------------------------------------------------- shapes


def shapes_of(g: Graph) -> set[Node]:
    """The top-level shapes: every sh:NodeShape / sh:PropertyShape, and every sh:property value."""
    found: set[Node] = set(g.subjects(RDF.type, SH.NodeShape)) | set(g.subjects(RDF.type, SH.PropertyShape))
    found |= set(g.objects(None, SH.property))
    return found


def constraints(g: Graph) -> set[tuple[str, str]]:
    """Every (shape, constraint component) pair the shapes graph declares.

    A parameter the map does not know is an error, so no constraint escapes the coverage test.
    ``sh:qualifiedValueShape`` and its counts are mapped too, for completeness.
    """
    pairs: set[tuple[str, str]] = set()
    # shapes that only qualify values (sh:qualifiedValueShape) report nothing themselves: their
    # failures show up as the qualified count of the property shape that uses them
    qualifiers = set(g.objects(None, SH.qualifiedValueShape))
    for shape in shapes_of(g):
        if shape in qualifiers:
            continue
        for p in set(g.predicates(shape, None)):
            if p in NON_CONSTRAINT:
                continue
            if p == SH.qualifiedValueShape:
                continue
            if p == SH.qualifiedMinCount:
                pairs.add((str(shape), str(SH.QualifiedMinCountConstraintComponent)))
            elif p == SH.qualifiedMaxCount:
                pairs.add((str(shape), str(SH.QualifiedMaxCountConstraintComponent)))
            elif p in COMPONENT_OF:
                pairs.add((str(shape), str(COMPONENT_OF[p])))
            else:
                raise AssertionError(f"{shape}: {p} is neither a known constraint parameter nor metadata")
    return pairs


def list_members(g: Graph, head: Node) -> list[Node]:
    return list(Collection(g, head))  # type: ignore[arg-type]
