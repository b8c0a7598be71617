"""Benchmark of the service: named-query latency per backend, and HTTP throughput side by side.

Make stores first (see bench/export.py), e.g.::

    python -m bench.generate --claims 10000 --out /tmp/gx10k
    KG_HOME=$PWD kg build --corpus /tmp/gx10k --store /tmp/gx10k-store --quiet
    python -m bench.service --store /tmp/gx10k-store [--store /tmp/gx100k-store] [--json FILE]

For each store it measures:

1. **Named queries** (``queries/*.rq`` with their example parameters): the median latency of
   ``kg.queries.run`` on each backend (the embedded store on disk, an in-memory copy, and a real
   ``oxigraph serve-read-only`` process over the same directory), and of the same SPARQL with the
   same typed bindings run directly in pyoxigraph (``Store.query`` with ``substitutions``, rows
   materialised) on the same open store, all four in turns (one call of each per round). The
   target is ``kg`` within 1.2x of direct pyoxigraph.
2. **HTTP**: ``kg serve`` as a separate process; the median latency of ``/actors/{id}/claims``
   (sequential requests), and requests per second under concurrent load from ``wrk`` (a separate
   C process, Debian's ``wrk``) for ``/sparql`` and ``/actors/{id}/claims``, with the same
   query sent in the same run to raw ``oxigraph serve-read-only`` and to rdflib-endpoint (rdflib's
   own SPARQL evaluator behind FastAPI, loaded from the store's N-Quads dump; skipped above
   ``--rdflib-max-quads`` because rdflib holds everything in Python objects). Targets: ``/sparql``
   at least 0.8x raw Oxigraph server and at least 5x rdflib-endpoint.

The machine is small and shared, so every figure is a median and each comparison is made in the
same run, back to back.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph as ox

from kg import queries as named
from kg.errors import InvalidParameter
from kg.store import GraphStore, OxigraphStore, RemoteStore

ROOT = Path(__file__).resolve().parent.parent
ACCEPT_JSON = "application/sparql-results+json"

# The query sent to every SPARQL server for the throughput comparison: one actor's claims with
# their stance, date, quote and document, the work behind /actors/{id}/claims.
THROUGHPUT_QUERY = """PREFIX bc: <https://w3id.org/backchannel-kg/ontology#>
SELECT ?claim ?stance ?date ?quote ?doc WHERE {
  ?claim bc:claimant <https://w3id.org/backchannel-kg/id/actor/%s> ;
         bc:stance ?stance ; bc:sourceDocument ?doc .
  OPTIONAL { ?claim bc:statedAt ?date }
  OPTIONAL { ?claim bc:quote ?quote }
} ORDER BY ?date ?claim LIMIT 50"""
TRIVIAL_QUERY = "ASK { ?s ?p ?o }"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _median_ms(fn: Callable[[], object], repeat: int) -> float:
    return _medians_ms({"": fn}, repeat)[""]


def _medians_ms(contenders: Mapping[str, Callable[[], object]], repeat: int) -> dict[str, float]:
    """Each contender's median time, run in turns (one call of each per round): this machine's
    speed drifts by tens of percent within a minute, and contenders timed one after the other
    each saw a different machine. The order rotates from round to round, so that no contender
    always follows the one that leaves the caches cold (a second-long remote call)."""
    for fn in contenders.values():
        fn()  # warm the caches once: every contender gets the same warm start
    order = list(contenders.items())
    times: dict[str, list[float]] = {name: [] for name in contenders}
    for round_ in range(repeat):
        for name, fn in order[round_ % len(order) :] + order[: round_ % len(order)]:
            t = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t)
    return {name: statistics.median(ts) * 1000 for name, ts in times.items()}


# --- processes ---------------------------------------------------------------------------------


@contextmanager
def _process(
    cmd: list[str], ready_url: str, log_path: Path, env: dict[str, str] | None = None
) -> Iterator[None]:
    with log_path.open("wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=ROOT)
    try:
        deadline = time.monotonic() + 1800
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"{cmd[0]} exited: {log_path.read_text()[-2000:]}")
            try:
                if httpx.get(ready_url, timeout=5).status_code < 500:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{cmd[0]} did not start: {log_path.read_text()[-2000:]}")
            time.sleep(0.5)
        yield
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@contextmanager
def oxigraph_server(store: Path, work: Path) -> Iterator[str]:
    """Raw Oxigraph server, read-only, over the same store directory; yields its query URL."""
    exe = shutil.which("oxigraph")
    if exe is None:
        raise RuntimeError("oxigraph is not installed (pip install oxigraph)")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    cmd = [
        exe,
        "serve-read-only",
        "--location",
        str(store),
        "--bind",
        f"127.0.0.1:{port}",
        "--union-default-graph",
    ]
    with _process(cmd, f"{base}/query?query=ASK%7B%7D", work / "oxigraph.log"):
        yield f"{base}/query"


@contextmanager
def kg_service(store: Path, work: Path, settings: dict[str, str] | None = None) -> Iterator[str]:
    """``kg serve`` with the defaults (the caller's own KG_ variables are not inherited), plus
    ``settings``: the configuration a run measures is the one it states."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KG_")}
    env.update(KG_HOME=str(ROOT), KG_STORE=str(store), KG_QUERY_MAX_RESULTS="1000000")
    env.update(settings or {})
    cmd = [sys.executable, "-m", "api.cli", "serve", "--port", str(port)]
    base = f"http://127.0.0.1:{port}"
    with _process(cmd, f"{base}/healthz", work / "kg-serve.log", env):
        yield base


@contextmanager
def rdflib_endpoint(nquads: Path, work: Path) -> Iterator[str]:
    port = _free_port()
    cmd = [sys.executable, "-m", "bench.rdflib_endpoint_server", str(nquads), str(port)]
    base = f"http://127.0.0.1:{port}"
    with _process(cmd, f"{base}/?query=ASK%7B%7D", work / "rdflib-endpoint.log"):
        yield f"{base}/"


SETTLE_SECONDS = 2.0
"""Pause after each wrk run: a server may still be answering requests wrk gave up on, and that
work must not land in the next server's measurement."""


def wrk(url: str, duration: int, connections: int, accept: str = ACCEPT_JSON) -> dict[str, float]:
    """Requests per second from wrk (2 threads), with the non-2xx count: errors don't count."""
    exe = shutil.which("wrk")
    if exe is None:
        raise RuntimeError("wrk is not installed (apt-get install wrk)")
    cmd = [exe, "-t2", f"-c{connections}", f"-d{duration}s", "--latency", "-H", f"Accept: {accept}", url]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    time.sleep(SETTLE_SECONDS)
    rps = float(next(line for line in out.splitlines() if line.startswith("Requests/sec")).split()[1])
    bad = 0
    for line in out.splitlines():
        if "Non-2xx" in line:
            bad = int(line.split()[-1])
    p50 = next((line.split()[1] for line in out.splitlines() if line.strip().startswith("50%")), "?")
    if bad:
        raise RuntimeError(f"{url}: {bad} non-2xx answers under load:\n{out}")
    return {"rps": rps, "p50": _ms(p50)}


def _ms(text: str) -> float:
    for unit, factor in (("us", 0.001), ("ms", 1.0), ("s", 1000.0)):
        if text.endswith(unit):
            return float(text[: -len(unit)]) * factor
    return float("nan")


# --- named queries -----------------------------------------------------------------------------


def _direct(raw: ox.Store, query: named.NamedQuery, params: dict[str, str]) -> Callable[[], object]:
    """The same text and typed bindings straight into pyoxigraph, rows materialised as terms."""
    bindings = named.bind(OxigraphStore(raw, None), query, params)
    subs: dict[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple] = {
        ox.Variable(k): v for k, v in bindings.items()
    }
    text = query.text  # the named queries declare their own prefixes

    def call() -> object:
        result = raw.query(text, use_default_graph_as_union=True, substitutions=subs or None)
        assert isinstance(result, ox.QuerySolutions)
        names = [v.value for v in result.variables]
        return [{n: s[n] for n in names if s[n] is not None} for s in result]

    return call


_STAND_INS = {
    "document": "SELECT ?x WHERE { ?c bc:sourceDocument ?x } ORDER BY ?x LIMIT 1",
    "claim": "SELECT ?x WHERE { ?x bc:contradicts ?y } ORDER BY ?x LIMIT 1",
    "actor": (
        "SELECT ?x (COUNT(?c) AS ?n) WHERE { ?c bc:claimant ?x } GROUP BY ?x ORDER BY DESC(?n) ?x LIMIT 1"
    ),
    "channel": "SELECT ?x WHERE { ?p bc:channel ?x } ORDER BY ?x LIMIT 1",
    "name": (
        "SELECT ?x (COUNT(?c) AS ?n) WHERE { ?c bc:claimant ?a . ?a rdfs:label ?x }"
        " GROUP BY ?x ORDER BY DESC(?n) ?x LIMIT 1"
    ),
}


def _params(store: GraphStore, query: named.NamedQuery) -> dict[str, str]:
    """The documented examples where the store has them (a synthetic store lacks the seeds' claims
    and documents): otherwise a stand-in of the same type with data behind it."""
    params = {p.name: p.example for p in query.parameters}
    for _ in query.parameters:
        try:
            named.bind(store, query, params)
            return params
        except InvalidParameter as e:
            p = next((p for p in query.parameters if f"parameter {p.name!r}" in str(e)), None)
            if p is None or p.type not in _STAND_INS:
                raise
            found = store.select(_STAND_INS[p.type])
            if not found:
                raise InvalidParameter(f"no {p.type} in this store to stand in for {p.example!r}") from e
            params[p.name] = found[0]["x"].value
    return params


def _via_kg(store: GraphStore, query: named.NamedQuery, params: dict[str, str]) -> Callable[[], object]:
    return lambda: named.run(store, query, params)


def named_queries(store_path: Path, work: Path, repeat: int, with_memory: bool) -> list[dict[str, Any]]:
    catalogue = named.load_catalogue(ROOT / "queries")
    embedded = OxigraphStore.open_read_only(store_path)
    stores: dict[str, GraphStore] = {"embedded": embedded}
    if with_memory:
        log("  loading an in-memory copy")
        memory = OxigraphStore.open(None)
        memory.bulk_add(embedded.quads())
        stores["memory"] = memory
    rows: list[dict[str, Any]] = []
    try:
        with oxigraph_server(store_path, work) as query_url:
            stores["remote"] = RemoteStore(query_url)
            for name, query in sorted(catalogue.items()):
                try:
                    params = _params(embedded, query)
                except InvalidParameter as e:
                    log(f"  {name:<28} skipped: {e}")
                    continue
                row: dict[str, Any] = {"query": name, "params": params}
                row["rows"] = len(named.run(embedded, query, params))
                contenders = {"direct": _direct(embedded.raw, query, params)}
                for backend, store in stores.items():
                    contenders[backend] = _via_kg(store, query, params)
                row.update({f"{name}_ms": ms for name, ms in _medians_ms(contenders, repeat).items()})
                row["ratio"] = row["embedded_ms"] / row["direct_ms"] if row["direct_ms"] else float("nan")
                log(
                    f"  {name:<28} {row['rows']:>6} rows  direct {row['direct_ms']:8.2f} ms  "
                    + "  ".join(f"{b} {row[f'{b}_ms']:8.2f} ms" for b in stores)
                    + f"  kg/direct {row['ratio']:.2f}x"
                )
                rows.append(row)
            stores["remote"].close()
    finally:
        for store in stores.values():
            store.close()
    return rows


# --- HTTP --------------------------------------------------------------------------------------


def hub_actor(store_path: Path) -> str:
    """The actor with the most claims: the heaviest /actors/{id}/claims."""
    store = OxigraphStore.open_read_only(store_path)
    try:
        rows = store.select(
            "SELECT ?a (COUNT(?c) AS ?n) WHERE { ?c bc:claimant ?a } GROUP BY ?a ORDER BY DESC(?n) ?a LIMIT 1"
        )
        return rows[0]["a"].value.rsplit("/actor/", 1)[1]
    finally:
        store.close()


def http(
    store_path: Path,
    work: Path,
    duration: int,
    connections: int,
    repeat: int,
    rdflib_max_quads: int,
    rounds: int = 3,
    kg_settings: dict[str, str] | None = None,
) -> dict[str, Any]:
    """All servers up at once, then ``rounds`` rounds of wrk taking each server in turn.

    On a small shared machine the load from other jobs drifts over minutes; running the servers one
    after the other puts that drift into the ratio. Interleaving the rounds and taking medians (of
    each server's rate and of the per-round ratios) makes the servers share the same conditions.
    """
    actor = hub_actor(store_path)
    sparql = THROUGHPUT_QUERY % actor
    q = urllib.parse.urlencode({"query": sparql})
    trivial = urllib.parse.urlencode({"query": TRIVIAL_QUERY})
    result: dict[str, Any] = {
        "actor": actor,
        "connections": connections,
        "duration_s": duration,
        "rounds": rounds,
    }
    result["kg_settings"] = kg_settings or {}
    quads = len(OxigraphStore.open_read_only(store_path).raw)
    with ExitStack() as stack:
        base = stack.enter_context(kg_service(store_path, work, kg_settings))
        endpoints = {
            "kg": f"{base}/sparql",
            "oxigraph": stack.enter_context(oxigraph_server(store_path, work)),
        }
        if quads <= rdflib_max_quads:
            nquads = work / "dump.nq"
            raw = ox.Store.read_only(str(store_path))
            raw.dump(str(nquads), format=ox.RdfFormat.N_QUADS)
            del raw
            log(f"  rdflib-endpoint: loading {quads} quads")
            endpoints["rdflib"] = stack.enter_context(rdflib_endpoint(nquads, work))
        else:
            log(f"  rdflib-endpoint skipped: {quads} quads > --rdflib-max-quads {rdflib_max_quads}")
        claims_url = f"{base}/actors/{actor}/claims?limit=50"
        with httpx.Client() as client:
            first = client.get(claims_url)
            first.raise_for_status()
            result["actor_claims_total"] = first.json().get("total")
            result["actor_claims_ms"] = _median_ms(lambda: client.get(claims_url).raise_for_status(), repeat)
            answers = {}
            for name, url in endpoints.items():
                check = client.get(f"{url}?{q}", headers={"Accept": ACCEPT_JSON}, timeout=600)
                check.raise_for_status()
                answers[name] = len(check.json()["results"]["bindings"])
            if len(set(answers.values())) != 1:
                raise RuntimeError(f"the servers disagree on the row count: {answers}")
            result["rows"] = answers["kg"]
        log(f"  /actors/{actor}/claims median {result['actor_claims_ms']:.2f} ms")
        runs: dict[str, list[dict[str, float]]] = {
            f"{n}_{k}": [] for n in endpoints for k in ("sparql", "ask")
        }
        runs["kg_actor_claims"] = []
        for i in range(rounds):
            runs["kg_actor_claims"].append(wrk(claims_url, duration, connections, "application/json"))
            for name, url in endpoints.items():
                runs[f"{name}_sparql"].append(wrk(f"{url}?{q}", duration, connections))
            for name, url in endpoints.items():
                runs[f"{name}_ask"].append(wrk(f"{url}?{trivial}", duration, connections))
            log(
                f"  round {i + 1}/{rounds}: /sparql rps "
                + ", ".join(f"{n} {runs[f'{n}_sparql'][-1]['rps']:.1f}" for n in endpoints)
                + f"; /actors/…/claims {runs['kg_actor_claims'][-1]['rps']:.1f}"
            )
    for key, values in runs.items():
        result[key] = {
            "rps": statistics.median(v["rps"] for v in values),
            "p50": statistics.median(v["p50"] for v in values),
            "rounds": [v["rps"] for v in values],
        }
    for other in ("oxigraph", "rdflib"):
        if f"{other}_sparql" in runs:
            per_round = [
                k["rps"] / o["rps"] for k, o in zip(runs["kg_sparql"], runs[f"{other}_sparql"], strict=True)
            ]
            result[f"ratio_vs_{other}"] = statistics.median(per_round)
            result[f"ratio_vs_{other}_rounds"] = per_round
    result.setdefault("rdflib_sparql", None)
    return result


def _claims(store_path: Path) -> int:
    store = OxigraphStore.open_read_only(store_path)
    try:
        return int(store.select("SELECT (COUNT(?c) AS ?n) WHERE { ?c a bc:Claim }")[0]["n"].value)
    finally:
        store.close()


def _http_lines(h: dict[str, Any]) -> list[str]:
    ox_rps = h["oxigraph_sparql"]["rps"]
    rd = h["rdflib_sparql"]
    rounds = (
        f"medians of {h['rounds']} interleaved rounds of {h['duration_s']} s, {h['connections']} connections"
    )
    lines = [
        f"- `/actors/{h['actor']}/claims?limit=50` ({h['actor_claims_total']} claims in all): "
        f"median {h['actor_claims_ms']:.2f} ms, {h['kg_actor_claims']['rps']:.0f} requests/s",
        f"- `/sparql` ({h['rows']} rows; {rounds}): {h['kg_sparql']['rps']:.1f} requests/s; "
        f"raw Oxigraph server "
        f"{ox_rps:.1f} ({h['ratio_vs_oxigraph']:.2f}x, per round "
        + ", ".join(f"{r:.2f}" for r in h["ratio_vs_oxigraph_rounds"])
        + ")"
        + (
            f"; rdflib-endpoint {rd['rps']:.1f} ({h['ratio_vs_rdflib']:.1f}x, per round "
            + ", ".join(f"{r:.1f}" for r in h["ratio_vs_rdflib_rounds"])
            + ")"
            if rd
            else ""
        ),
    ]
    ask, ox_ask = h["kg_ask"]["rps"], h["oxigraph_ask"]["rps"]
    lines.append(
        f"- `/sparql` ASK: {ask:.0f} requests/s; raw Oxigraph server {ox_ask:.0f} ({ask / ox_ask:.2f}x)"
        + (f"; rdflib-endpoint {h['rdflib_ask']['rps']:.1f}" if rd else "")
    )
    return lines


def report(results: list[dict[str, Any]]) -> str:
    lines: list[str] = []
    for r in results:
        lines.append(f"### {r['claims']:,} claims ({r['store']})\n")
        if r["queries"]:
            lines.append(
                "| query | rows | direct pyoxigraph ms | embedded ms | memory ms | remote ms "
                "| embedded/direct |"
            )
            lines.append("|---|---:|---:|---:|---:|---:|---:|")
            for q in r["queries"]:
                lines.append(
                    f"| {q['query']} | {q['rows']} | {q['direct_ms']:.2f} | {q['embedded_ms']:.2f} | "
                    f"{q.get('memory_ms', float('nan')):.2f} | {q['remote_ms']:.2f} | {q['ratio']:.2f}x |"
                )
            lines.append("")
        if r["http"]:
            lines.extend(_http_lines(r["http"]))
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--store", type=Path, action="append", required=True, help="a built store (repeatable)"
    )
    parser.add_argument("--repeat", type=int, default=20, help="runs per latency median")
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per wrk run")
    parser.add_argument("--connections", type=int, default=8, help="concurrent connections of wrk")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved wrk rounds per server")
    parser.add_argument(
        "--kg-env",
        action="append",
        default=[],
        metavar="KG_NAME=VALUE",
        help="a setting for kg serve (repeatable), e.g. KG_ACCESS_LOG=false",
    )
    parser.add_argument("--rdflib-max-quads", type=int, default=1_000_000)
    parser.add_argument("--no-memory", action="store_true", help="skip the in-memory backend")
    parser.add_argument("--only", choices=["queries", "http"], help="run one half only")
    parser.add_argument("--json", type=Path, help="write the figures as JSON too")
    args = parser.parse_args(argv)
    kg_settings = dict(item.split("=", 1) for item in args.kg_env)
    if any(not k.startswith("KG_") for k in kg_settings):
        parser.error("--kg-env takes KG_NAME=VALUE")
    results: list[dict[str, Any]] = []
    for store_path in args.store:
        with tempfile.TemporaryDirectory(prefix="bench-service-") as tmp:
            work = Path(tmp)
            claims = _claims(store_path)
            log(f"{store_path}: {claims} claims")
            entry: dict[str, Any] = {"store": str(store_path), "claims": claims, "queries": [], "http": None}
            if args.only != "http":
                entry["queries"] = named_queries(store_path, work, args.repeat, not args.no_memory)
            if args.only != "queries":
                entry["http"] = http(
                    store_path,
                    work,
                    args.duration,
                    args.connections,
                    args.repeat,
                    args.rdflib_max_quads,
                    args.rounds,
                    kg_settings,
                )
            results.append(entry)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    print(report(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
