"""Time the Gephi exports (both views, both formats) on built stores and report their sizes.

Make a store first, e.g. for 100k synthetic claims::

    python -m bench.generate --claims 100000 --out /tmp/gx100k
    KG_HOME=$PWD kg build --corpus /tmp/gx100k --store /tmp/gx100k-store --quiet
    python -m bench.export --store /tmp/gx100k-store [--store ...] [--out DIR] [--json FILE]

Each export is timed end to end in this process (the SPARQL reads, the layout and writing the
file), as ``kg export -f FMT --view VIEW -o FILE`` does it; the read of the store is timed once
on its own as well. Files go to ``--out`` (a temporary directory by default, removed after).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from kg import gephi
from kg.store import GraphStore


def _claims(store: GraphStore) -> int:
    return int(store.select("SELECT (COUNT(?c) AS ?n) WHERE { ?c a bc:Claim }")[0]["n"].value)


def run(stores: list[Path], out: Path, repeat: int) -> list[dict[str, object]]:
    results: list[dict[str, object]] = []
    for path in stores:
        store = GraphStore.open(path)
        try:
            claims = _claims(store)
            t = time.perf_counter()
            gephi._read(store, None, None, details=True)  # the read alone, for the record
            read_s = time.perf_counter() - t
            for view in gephi.VIEWS:
                for fmt in gephi.GRAPH_FORMATS:
                    target = out / f"{path.name}-{view}.{fmt}"
                    best = float("inf")
                    for _ in range(repeat):
                        t = time.perf_counter()
                        with target.open("wb") as fh:
                            stats = gephi.export(store, gephi.parse_options(view, fmt), fh)
                        best = min(best, time.perf_counter() - t)
                    row: dict[str, object] = {
                        "store": str(path),
                        "claims": claims,
                        "view": view,
                        "format": fmt,
                        "seconds": round(best, 2),
                        "read_seconds": round(read_s, 2),
                        "nodes": stats.nodes,
                        "edges": stats.edges,
                        "megabytes": round(stats.bytes / 1e6, 1),
                    }
                    results.append(row)
                    print(
                        f"{claims:>8} claims  {view:<7} {fmt:<8} {best:6.2f} s  "
                        f"{stats.nodes:>8} nodes {stats.edges:>8} edges  {stats.bytes / 1e6:7.1f} MB",
                        flush=True,
                    )
        finally:
            store.close()
    return results


def markdown(results: list[dict[str, object]]) -> str:
    lines = [
        "| claims | view | format | seconds | nodes | edges | MB |",
        "|---:|---|---|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r['claims']:,} | {r['view']} | {r['format']} | {r['seconds']} | {r['nodes']:,} | "
            f"{r['edges']:,} | {r['megabytes']} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--store", type=Path, action="append", required=True, help="a built store (repeatable)"
    )
    parser.add_argument("--out", type=Path, help="keep the exported files here")
    parser.add_argument("--repeat", type=int, default=1, help="runs per export; the best is reported")
    parser.add_argument("--json", type=Path, help="also write the results as JSON")
    args = parser.parse_args(argv)
    for path in args.store:
        if not path.is_dir():
            parser.error(f"no store at {path}")
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        results = run(args.store, args.out, args.repeat)
    else:
        with tempfile.TemporaryDirectory(prefix="gephi-bench-") as tmp:
            results = run(args.store, Path(tmp), args.repeat)
    print()
    print(markdown(results))
    if args.json is not None:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
