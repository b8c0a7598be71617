"""Benchmark of the SHACL gate: the store's own SPARQL against pySHACL, on the same data.

    python -m bench.validate --claims 100000 [--workdir bench/out] [--pyshacl/--no-pyshacl]

For N synthetic claims it builds (or reuses) a store, plants a known set of violations in it
(claims without a claimant, a stance outside the closed list, a plain actor-to-actor triple, an
inferred date without evidence), then measures:

* full-store validation in the store (median of three runs),
* validating one document graph against the whole store (median over a sample of documents),
  which is what the gate does at ingest,
* pySHACL on the same data (load into rdflib, then validate; once, it is slow),

and checks that both engines report exactly the same violations.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from bench.generate import generate
from kg.gate import compiled_shapes, shape_files
from kg.namespaces import BC, DOC_GRAPH_PREFIX, GRAPH_ONTOLOGY, GRAPH_REFERENCE, ID
from kg.store import GraphStore
from kg.validation import load_shapes, validate_store, validate_with_pyshacl

ROOT = Path(__file__).resolve().parent.parent
console = Console(stderr=True)


def _build(corpus: Path, store: Path) -> None:
    if store.exists():
        return
    cmd = [sys.executable, "-c", "from kg.cli import app; app()", "build", "--corpus", str(corpus)]
    cmd += ["--store", str(store), "--quiet"]
    subprocess.run(cmd, check=True, env={"KG_HOME": str(ROOT), "PATH": "/usr/bin:/bin"})


def plant_violations(store: GraphStore, rng: random.Random, n: int) -> int:
    """Break ``n`` claims in four ways; return how many triples were changed."""
    rows = store.select(
        "SELECT ?c ?g WHERE { GRAPH ?g { ?c a bc:Claim ; bc:claimant ?who ; bc:statedAt ?d } } LIMIT 5000"
    )
    picked = rng.sample(rows, min(n, len(rows)))
    changes = 0
    for i, row in enumerate(picked):
        c, g = row["c"].value, row["g"].value
        kind = i % 4
        if kind == 0:
            store.raw.update(f"DELETE WHERE {{ GRAPH <{g}> {{ <{c}> <{BC}claimant> ?x }} }}")
        elif kind == 1:
            store.raw.update(
                f"DELETE {{ GRAPH <{g}> {{ <{c}> <{BC}stance> ?s }} }} "
                f"INSERT {{ GRAPH <{g}> {{ <{c}> <{BC}stance> <{BC}Maybe> }} }} "
                f"WHERE {{ GRAPH <{g}> {{ <{c}> <{BC}stance> ?s }} }}"
            )
        elif kind == 2:
            store.raw.update(
                f"INSERT DATA {{ GRAPH <{g}> {{ <{ID}actor/iran> <{BC}sentMessageTo> <{ID}actor/us> }} }}"
            )
        else:
            store.raw.update(
                f"DELETE {{ GRAPH <{g}> {{ ?d <{BC}dateEvidence> ?e }} }} "
                f"INSERT {{ GRAPH <{g}> {{ ?d <{BC}dateStatus> <{BC}Inferred> }} }} "
                f"WHERE {{ GRAPH <{g}> {{ <{c}> <{BC}statedAt> ?d ."
                f" OPTIONAL {{ ?d <{BC}dateEvidence> ?e }} }} }}"
            )
        changes += 1
    return changes


def run(
    n_claims: int,
    workdir: Path,
    *,
    with_pyshacl: bool,
    planted: int = 40,
    samples: int = 50,
    repeat: int = 3,
    store_path: Path | None = None,
) -> dict[str, object]:
    if store_path is None:
        corpus = workdir / f"corpus-{n_claims}"
        if not (corpus / "documents").is_dir():
            console.print(f"generating {n_claims} claims …")
            generate(n_claims, corpus, seed=42)
        store_path = workdir / f"validate-store-{n_claims}"
        console.print("building …")
        _build(corpus, store_path)
    work = workdir / f"validate-work-{n_claims}"
    if work.exists():
        import shutil

        shutil.rmtree(work)
    GraphStore.open(store_path).raw.backup(str(work))
    store = GraphStore.open(work)
    rng = random.Random(7)
    plant_violations(store, rng, planted)
    compiled = compiled_shapes(ROOT / "shapes")

    console.print(f"full validation in the store ({len(store)} quads) …")
    full_times = []
    fast = []
    for _ in range(repeat):
        t = time.perf_counter()
        fast = validate_store(store, compiled)
        full_times.append(time.perf_counter() - t)

    graphs = [g for g in store.graphs() if g.startswith(DOC_GRAPH_PREFIX)]
    sample = rng.sample(graphs, min(samples, len(graphs)))
    console.print(f"per-document validation on {len(sample)} documents …")
    per_doc = []
    for g in sample:
        t = time.perf_counter()
        validate_store(store, compiled, graph=g)
        per_doc.append(time.perf_counter() - t)

    result: dict[str, object] = {
        "claims": n_claims,
        "quads": len(store),
        "documents": len(graphs),
        "planted": planted,
        "fast_violations": len(fast),
        "fast_full_median_s": statistics.median(full_times),
        "fast_per_document_median_ms": statistics.median(per_doc) * 1000,
        "fast_per_document_p95_ms": sorted(per_doc)[int(0.95 * (len(per_doc) - 1))] * 1000,
    }
    if with_pyshacl:
        console.print("pySHACL: loading into rdflib …")
        t = time.perf_counter()
        context_graphs = {GRAPH_ONTOLOGY, GRAPH_REFERENCE}
        data = store.to_rdflib(context_graphs, exclude=True)
        context = store.to_rdflib(context_graphs)
        load_s = time.perf_counter() - t
        console.print(f"pySHACL: validating {len(data)} triples …")
        t = time.perf_counter()
        reference = validate_with_pyshacl(data, load_shapes(shape_files(ROOT / "shapes")), context)
        pyshacl_s = time.perf_counter() - t
        same = {v.key() for v in reference} == {v.key() for v in fast}
        result |= {
            "pyshacl_load_s": load_s,
            "pyshacl_validate_s": pyshacl_s,
            "pyshacl_violations": len(reference),
            "same_violations": same,
            "speedup_vs_pyshacl": pyshacl_s / float(result["fast_full_median_s"]),  # type: ignore[arg-type]
        }
    store.close()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--claims", type=int, nargs="+", default=[100_000])
    parser.add_argument("--workdir", type=Path, default=ROOT / "bench" / "out")
    parser.add_argument("--pyshacl", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--repeat", type=int, default=3, help="full validations (median reported)")
    parser.add_argument("--store", type=Path, help="an already built store (copied, never changed)")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    results = [
        run(n, args.workdir, with_pyshacl=args.pyshacl, repeat=args.repeat, store_path=args.store)
        for n in args.claims
    ]
    table = Table(title="SHACL validation")
    for key in results[0]:
        table.add_column(key.replace("_", " "), justify="right")
    for r in results:
        table.add_row(*(f"{v:.3f}" if isinstance(v, float) else str(v) for v in r.values()))
    Console().print(table)
    (args.workdir / "validate-results.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
