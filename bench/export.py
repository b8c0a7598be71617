"""Time the Gephi exports (both views, both formats) on built stores and report their sizes.

Make a store first, e.g. for 100k synthetic claims::

    python -m bench.generate --claims 100000 --out /tmp/gx100k
    KG_HOME=$PWD kg build --corpus /tmp/gx100k --store /tmp/gx100k-store --quiet
    python -m bench.export --store /tmp/gx100k-store [--store ...] [--repeat 3] [--json FILE]

Each export is timed end to end in this process (the reads, the layout and writing the file), as
``kg export -f FMT --view VIEW -o FILE`` does it, ``--repeat`` times; the median is reported (and
the fastest and every run in the JSON). The read of the store is timed on its own as well.

``kg build`` and ``kg ingest`` write each document graph's export summary
(``kg.gephi_read.summary_quads``). ``--summarise DIR`` is for a store built before they did, or
with summaries of an older format (those are replaced): it also measures a copy of each store
(made in DIR) with the summaries added, as a build now leaves it, and reports what adding them
cost. ``--kg-src DIR`` measures the ``kg`` package found in DIR
(an older checkout, to compare in the same conditions); it cannot be combined with ``--summarise``
unless that checkout knows summaries.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any


def _cpu() -> float:
    """CPU seconds of this process (all threads, polars' among them) and of its ended children
    (an older checkout's edge writer, ``--kg-src``)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def _timed(runs: int, work: Callable[[], object]) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU seconds (all threads of the process and its children) of each run.

    On a shared machine the CPU time is the steadier figure: the wall clock also counts the time
    spent waiting for a core. With polars on both cores the CPU time exceeds the wall clock.
    """
    wall, cpu = [], []
    for _ in range(runs):
        t, c = time.perf_counter(), _cpu()
        work()
        wall.append(time.perf_counter() - t)
        cpu.append(_cpu() - c)
    return wall, cpu


def summarise_copy(source: Path, target: Path) -> dict[str, float]:
    """Copy a store and add the export summaries a build now writes (every document graph's and the
    contradictions graph's); returns what that took."""
    import pyoxigraph as ox

    from kg.gephi_read import SUMMARY_PREDICATE, summary_quads
    from kg.namespaces import DOC_GRAPH_PREFIX, GRAPH_CONTRADICTIONS
    from kg.store import GraphStore

    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source, target)
    store = GraphStore.open(target)
    try:
        t = time.perf_counter()
        # Summaries of an older format would make two per graph, and neither would be trusted.
        store.update(f"DELETE WHERE {{ GRAPH ?g {{ ?g <{SUMMARY_PREDICATE}> ?x }} }}")
        graphs = [
            g for g in store.graphs() if g.startswith(DOC_GRAPH_PREFIX) or g == GRAPH_CONTRADICTIONS.value
        ]
        quads = []
        for g in graphs:
            quads.extend(summary_quads(store.quads(ox.NamedNode(g))))
        seconds = time.perf_counter() - t
        store.bulk_add(quads)
    finally:
        store.close()
    megabytes = sum(len(str(q.object)) for q in quads) / 1e6
    return {"documents": len(graphs), "seconds": round(seconds, 2), "megabytes": round(megabytes, 1)}


def _read_alone(store: Any) -> None:
    """The read of the claims view as the export does it: with the collector paused."""
    from kg import gephi

    if hasattr(gephi, "read"):
        gephi.read(store, "claims")
    else:  # an older checkout (--kg-src)
        with gephi._collector_paused():
            gephi._read(store, None, None, details=True)


def _export_times(
    store: Any, view: str, fmt: str, target: Path, repeat: int
) -> tuple[tuple[list[float], list[float]], Any]:
    """Run one export ``repeat`` times into ``target``; the times and the last run's counts."""
    from kg import gephi

    stats: list[Any] = []

    def export() -> None:
        with target.open("wb") as fh:
            stats.append(gephi.export(store, gephi.parse_options(view, fmt), fh))

    return _timed(repeat, export), stats[-1]


def run(stores: list[Path], out: Path, repeat: int) -> list[dict[str, Any]]:
    from kg import gephi
    from kg.store import GraphStore

    try:
        from kg.gephi_read import summary_coverage
    except ImportError:  # an older checkout (--kg-src)

        def summary_coverage(store: GraphStore) -> tuple[int, int]:
            return 0, len(store.graphs())

    results: list[dict[str, Any]] = []
    for path in stores:
        store = GraphStore.open(path)
        try:
            claims = int(store.select("SELECT (COUNT(?c) AS ?n) WHERE { ?c a bc:Claim }")[0]["n"].value)
            summarised, unsummarised = summary_coverage(store)
            read, read_cpu = _timed(repeat, partial(_read_alone, store))
            for view in gephi.VIEWS:
                for fmt in gephi.GRAPH_FORMATS:
                    (times, cpu), stats = _export_times(
                        store, view, fmt, out / f"{path.name}-{view}.{fmt}", repeat
                    )
                    row: dict[str, Any] = {
                        "store": str(path),
                        "kg": str(Path(gephi.__file__).parent),
                        "claims": claims,
                        "summarised_graphs": summarised,
                        "unsummarised_graphs": unsummarised,
                        "view": view,
                        "format": fmt,
                        "seconds": round(statistics.median(times), 2),
                        "fastest": round(min(times), 2),
                        "runs": [round(t, 2) for t in times],
                        "cpu_seconds": round(statistics.median(cpu), 2),
                        "read_seconds": round(statistics.median(read), 2),
                        "read_cpu_seconds": round(statistics.median(read_cpu), 2),
                        "nodes": stats.nodes,
                        "edges": stats.edges,
                        "megabytes": round(stats.bytes / 1e6, 1),
                    }
                    results.append(row)
                    print(
                        f"{claims:>8} claims  {view:<7} {fmt:<8} {row['seconds']:6.2f} s (median of {repeat})"
                        f"  {row['nodes']:>8} nodes {row['edges']:>8} edges  {row['megabytes']:7.1f} MB",
                        flush=True,
                    )
        finally:
            store.close()
    return results


def markdown(results: list[dict[str, Any]]) -> str:
    lines = [
        "| claims | summaries | view | format | seconds (median) | CPU s | read alone | nodes | edges | MB |",
        "|---:|---|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        summaries = "yes" if r["summarised_graphs"] else "no"
        lines.append(
            f"| {r['claims']:,} | {summaries} | {r['view']} | {r['format']} | {r['seconds']} | "
            f"{r['cpu_seconds']} | {r['read_seconds']} | {r['nodes']:,} | {r['edges']:,} | {r['megabytes']} |"
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
    parser.add_argument("--repeat", type=int, default=3, help="runs per export; the median is reported")
    parser.add_argument("--json", type=Path, help="also write the results as JSON")
    parser.add_argument(
        "--summarise",
        type=Path,
        metavar="DIR",
        help="also measure a summarised copy of each store, made in DIR",
    )
    parser.add_argument("--kg-src", type=Path, metavar="DIR", help="import the kg package from DIR")
    args = parser.parse_args(argv)
    for path in args.store:
        if not path.is_dir():
            parser.error(f"no store at {path}")
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    if args.kg_src is not None:
        if not (args.kg_src / "kg" / "__init__.py").is_file():
            parser.error(f"no kg package in {args.kg_src}")
        sys.path.insert(0, str(args.kg_src.resolve()))
    stores = list(args.store)
    if args.summarise is not None:
        args.summarise.mkdir(parents=True, exist_ok=True)
        for path in args.store:
            copy = args.summarise / f"{path.name}-summarised"
            made = summarise_copy(path, copy)
            print(
                f"{copy}: summaries of {made['documents']} documents ({made['megabytes']} MB) "
                f"made in {made['seconds']} s",
                flush=True,
            )
            stores.append(copy)
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        results = run(stores, args.out, args.repeat)
    else:
        with tempfile.TemporaryDirectory(prefix="gephi-bench-") as tmp:
            results = run(stores, Path(tmp), args.repeat)
    print()
    print(markdown(results))
    if args.json is not None:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
