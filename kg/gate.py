"""The SHACL gate: nothing reaches the store unless it conforms to the shapes.

Validation itself (``kg.validation``) speaks in focus nodes, paths and constraint components.
This module turns that into what a person acts on: which document, which claim, which property,
what is wrong, and the quote the claim rests on. It also loads the shapes and the context graph
once per process: the ontology and the reference data that documents point at.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox

from kg.errors import CorpusRejected, Problem
from kg.namespaces import DOC_GRAPH_PREFIX, PREFIXES
from kg.store import GraphStore
from kg.validation import CompiledConstraint, Violation, compile_shapes, load_shapes, validate_store

SH = "http://www.w3.org/ns/shacl#"


def shape_files(shapes_dir: Path) -> list[Path]:
    files = sorted(shapes_dir.glob("*.ttl"))
    if not files:
        raise CorpusRejected([Problem(str(shapes_dir), "", "no SHACL shapes (*.ttl) found")])
    return files


@lru_cache(maxsize=4)
def _compiled(files: tuple[Path, ...], stamps: tuple[float, ...]) -> list[CompiledConstraint]:
    return compile_shapes(load_shapes(list(files)))


def compiled_shapes(shapes_dir: Path) -> list[CompiledConstraint]:
    """The shapes as store queries, compiled once per content of the shapes directory."""
    files = tuple(shape_files(shapes_dir))
    return _compiled(files, tuple(p.stat().st_mtime for p in files))


def short(iri: str | None) -> str | None:
    """``bc:claimant`` rather than the full IRI, for people."""
    if iri is None:
        return None
    for prefix, base in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
        if iri.startswith(base) and "/" not in iri[len(base) :]:
            return f"{prefix}:{iri[len(base) :]}"
    return iri


@dataclass(frozen=True)
class Finding:
    """One violation, located for a reader."""

    severity: str
    document: str | None
    graph: str | None
    resource: str
    claim: str | None
    property: str | None
    value: str | None
    message: str
    quote: str | None
    shape: str
    component: str

    def line(self) -> str:
        where = " · ".join(
            x
            for x in (self.document or self.graph, f"claim {self.claim}" if self.claim else self.resource)
            if x
        )
        prop = f" · {self.property}" if self.property else ""
        return f"{where}{prop}: {self.message}"


_LOCATE = """
SELECT ?focus ?g ?file ?claimId ?quote WHERE {
  GRAPH ?g { ?focus ?anyP ?anyO }
  OPTIONAL { GRAPH ?g { ?doc a bc:Document ; bc:sourceFile ?file } }
  OPTIONAL {
    GRAPH ?g { ?claim bc:annotationId ?claimId ; bc:evidence ?ev . ?ev oa:hasSelector/oa:exact ?quote .
               FILTER (?claim = ?focus || ?ev = ?focus || EXISTS { ?claim bc:evidence/oa:hasSelector ?focus }
                       || EXISTS { ?claim bc:statedAt ?focus }) }
  }
} LIMIT 1
"""


def explain(store: GraphStore, violations: list[Violation]) -> list[Finding]:
    """Locate each violation: its document graph, its claim and the claim's quote."""
    findings: list[Finding] = []
    cache: dict[str, dict[str, ox.NamedNode | ox.BlankNode | ox.Literal]] = {}
    for v in violations:
        if v.focus not in cache:
            row: dict[str, ox.NamedNode | ox.BlankNode | ox.Literal] = {}
            if not v.focus.startswith("_:"):
                rows = store.select(_LOCATE, {"focus": ox.NamedNode(v.focus)})
                row = rows[0] if rows else {}
            cache[v.focus] = row
        row = cache[v.focus]
        graph = row["g"].value if "g" in row else None
        findings.append(
            Finding(
                severity=v.severity.rsplit("#", 1)[-1],
                document=row["file"].value if "file" in row else None,
                graph=graph,
                resource=v.focus,
                claim=row["claimId"].value if "claimId" in row else None,
                property=short(v.path),
                value=v.value,
                message=v.message,
                quote=row["quote"].value if "quote" in row else None,
                shape=short(v.source_shape) or v.source_shape,
                component=v.component.rsplit("#", 1)[-1],
            )
        )
    return findings


def check_store(
    store: GraphStore, shapes_dir: Path, *, graph: str | None = None
) -> tuple[list[Finding], list[Finding]]:
    """Validate the store (or one document graph); return (violations, warnings and infos)."""
    found = explain(store, validate_store(store, compiled_shapes(shapes_dir), graph=graph))
    blocking = [f for f in found if f.severity == "Violation"]
    return blocking, [f for f in found if f.severity != "Violation"]


def as_problems(findings: list[Finding]) -> list[Problem]:
    """Findings in the form a rejected build or ingest reports."""
    out = []
    for f in findings:
        entry = " · ".join(
            x
            for x in (f"claim {f.claim}" if f.claim else f.resource, f.property, f"{f.shape} {f.component}")
            if x
        )
        quote = f' (quote: "{f.quote}")' if f.quote else ""
        out.append(Problem(f.document or f.graph or "store", entry, f.message + quote))
    return out


def report_text(findings: list[Finding]) -> str:
    if not findings:
        return "conforms: no violations"
    lines = [f"{len(findings)} result(s):"]
    for f in findings:
        lines.append(f"- [{f.severity}] {f.line()}")
        if f.value:
            lines.append(f"    value: {f.value}")
        if f.quote:
            lines.append(f'    quote: "{f.quote}"')
        lines.append(f"    shape: {f.shape} ({f.component}); resource: {f.resource}")
    return "\n".join(lines)


def report_json(findings: list[Finding]) -> str:
    return json.dumps(
        {
            "conforms": not any(f.severity == "Violation" for f in findings),
            "results": [asdict(f) for f in findings],
        },
        indent=2,
        ensure_ascii=False,
    )


def is_document_graph(graph: str) -> bool:
    return graph.startswith(DOC_GRAPH_PREFIX)
