"""Benchmark runner: how fast ``kg build`` is on synthetic corpora, against pyoxigraph alone.

``python -m bench.run [--claims 10000 100000 1000000] [--workdir bench/out] [--repeat 1] [--keep]``

For each corpus size N:

1. generate the corpus with ``bench.generate`` (seed 42), or reuse the one already in
   ``WORKDIR/claims-N/corpus`` when its stamp (``bench-stamp.json``) names the same N, seed,
   actor count and generator source;
2. run ``kg build --quiet`` in a child process, timing its wall clock and reading the child's
   peak RSS from ``os.wait4``; the summary line gives documents, claims, contradictions, quads;
3. export the store as N-Quads (``kg export``) and time pyoxigraph alone bulk-loading that file
   into a fresh on-disk store, in another child process (same wall clock and peak RSS);
4. compare the contradictions found with the pairs the generator planted
   (``expected_contradictions.jsonl``): recall on planted pairs, and the total found.

The table goes to stdout, progress to stderr, every figure to ``WORKDIR/results.json``.
Stores and the N-Quads dump are deleted after measuring unless ``--keep``; corpora are kept so
the next run reuses them (``--drop-corpus`` deletes them too).

``--kg-src DIR`` (or ``BENCH_KG_SRC``) runs the ``kg`` package found in DIR instead of this
checkout's, e.g. a patched copy; the ontology is always this checkout's (``KG_HOME``).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import generate as gen

ROOT = Path(__file__).resolve().parent.parent
SEED = 42
N_ACTORS = 1000
STAMP = "bench-stamp.json"
DEFAULT_CLAIMS = (10_000, 100_000, 1_000_000)

CLAIM_BASE = "https://w3id.org/backchannel-kg/id/claim/"
BC = gen.BC

SUMMARY = re.compile(
    r"built (?P<documents>\d+) documents, (?P<claims>\d+) claims, "
    r"(?P<contradictions>\d+) contradictions, (?P<quads>\d+) quads in (?P<seconds>[\d.]+)\s*s"
)

# The child processes. The kg one imports the package from a chosen source directory.
KG_CHILD = "import sys; sys.path.insert(0, sys.argv.pop(1)); from kg.cli import app; app()"
BULK_CHILD = """
import sys, time
import pyoxigraph as ox
store_path, nquads = sys.argv[1], sys.argv[2]
t0 = time.perf_counter()
store = ox.Store(store_path)
store.bulk_load(path=nquads, format=ox.RdfFormat.N_QUADS)
store.flush()
seconds = time.perf_counter() - t0
print(f"loaded {len(store)} quads in {seconds:.3f}s")
"""
BULK_SUMMARY = re.compile(r"loaded (?P<quads>\d+) quads in (?P<seconds>[\d.]+)s")

CONTRADICTION_PAIRS = f"""
SELECT DISTINCT ?first ?second WHERE {{
  GRAPH ?g {{ ?c a <{BC}Contradiction> ; <{BC}firstClaim> ?first ; <{BC}secondClaim> ?second }}
}}"""


# --------------------------------------------------------------------------------------------
# Progress
# --------------------------------------------------------------------------------------------

_T0 = time.perf_counter()


def log(message: str) -> None:
    """A progress line on stderr, with the time since start."""
    print(f"[{time.perf_counter() - _T0:7.1f}s] {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------------
# Child processes
# --------------------------------------------------------------------------------------------


@dataclass
class ChildRun:
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    peak_rss_mb: float
    timed_out: bool = False


def run_child(
    cmd: list[str],
    *,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float | None = None,
) -> ChildRun:
    """Run ``cmd``, measuring wall time and peak RSS (``ru_maxrss`` from ``os.wait4``).

    The output goes to temporary files rather than pipes, so the parent can block in ``wait4``
    (which reports the child's own resource usage) without the child stalling on a full pipe.
    On timeout the child's whole process group is killed.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env, cwd=cwd, start_new_session=True)
        killed = threading.Event()

        def kill() -> None:
            killed.set()
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, 9)

        timer = threading.Timer(timeout, kill) if timeout else None
        if timer is not None:
            timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            if timer is not None:
                timer.cancel()
        seconds = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        out.seek(0)
        err.seek(0)
        return ChildRun(
            returncode=proc.returncode,
            stdout=out.read().decode("utf-8", "replace"),
            stderr=err.read().decode("utf-8", "replace"),
            seconds=seconds,
            peak_rss_mb=usage.ru_maxrss / 1024,  # KiB on Linux
            timed_out=killed.is_set(),
        )


def kg_env() -> dict[str, str]:
    env = dict(os.environ)
    env["KG_HOME"] = str(ROOT)  # the ontology is found there
    env["COLUMNS"] = "10000"  # rich would wrap the summary line at 80 columns
    env["NO_COLOR"] = "1"
    env.pop("KG_STORE", None)
    env.pop("KG_CORPUS", None)
    return env


def kg_command(kg_src: Path, *args: str) -> list[str]:
    return [sys.executable, "-c", KG_CHILD, str(kg_src), *args]


def _check(run: ChildRun, what: str) -> None:
    if run.timed_out:
        raise ChildFailed(f"{what} timed out after {run.seconds:.0f}s", timed_out=True)
    if run.returncode != 0:
        tail = "\n".join((run.stderr or run.stdout).strip().splitlines()[-15:])
        raise ChildFailed(f"{what} failed (exit {run.returncode}):\n{tail}")


class ChildFailed(RuntimeError):
    def __init__(self, message: str, timed_out: bool = False) -> None:
        super().__init__(message)
        self.timed_out = timed_out


STAGE = re.compile(r"(?P<stage>[a-z][a-z ]*?) (?P<seconds>[\d.]+) s \(peak (?P<peak_mb>\d+) MB\)")


def parse_summary(stdout: str) -> dict[str, Any]:
    """The figures of ``kg build``'s summary line, and its stages line (time and peak memory)."""
    flat = " ".join(stdout.split())
    m = SUMMARY.search(flat)
    if m is None:
        raise ValueError(f"no summary line in the output of kg build:\n{stdout[-2000:]}")
    d: dict[str, Any] = {k: int(v) for k, v in m.groupdict().items() if k != "seconds"}
    d["seconds"] = float(m["seconds"])
    _, found, stages = flat.partition("stages: ")
    d["stages"] = (
        [
            {"stage": s["stage"], "seconds": float(s["seconds"]), "peak_mb": int(s["peak_mb"])}
            for s in STAGE.finditer(stages)
        ]
        if found
        else []
    )
    return d


# --------------------------------------------------------------------------------------------
# The steps
# --------------------------------------------------------------------------------------------


def _generator_digest() -> str:
    return hashlib.sha256(Path(gen.__file__).read_bytes()).hexdigest()[:16]


def ensure_corpus(n: int, corpus: Path, seed: int = SEED) -> dict[str, Any]:
    """Generate the corpus of ``n`` claims in ``corpus`` unless its stamp says it is there."""
    want = {"claims": n, "seed": seed, "actors": N_ACTORS, "generator": _generator_digest()}
    stamp_path = corpus / STAMP
    if stamp_path.is_file():
        try:
            stamp = json.loads(stamp_path.read_text())
        except json.JSONDecodeError:
            stamp = {}
        if all(stamp.get(k) == v for k, v in want.items()):
            log(f"N={n}: reusing the corpus in {corpus}")
            return stamp
    log(f"N={n}: generating the corpus in {corpus}")
    stamp_path.unlink(missing_ok=True)  # no stamp while the corpus is half written
    s = gen.generate(n, corpus, seed=seed, n_actors=N_ACTORS, progress=sys.stderr.isatty(), force=True)
    stamp = {
        **want,
        "documents": s.documents,
        "planted_pairs": s.contradicting_pairs,
        "reprints": s.reprints,
        "bytes": s.bytes,
        "generation_seconds": round(s.seconds, 3),
    }
    stamp_path.write_text(json.dumps(stamp, indent=2) + "\n")
    log(
        f"N={n}: {s.documents} documents, {s.contradicting_pairs} planted pairs, "
        f"{s.bytes / 1e6:.0f} MB in {s.seconds:.1f}s"
    )
    return stamp


def build_once(
    corpus: Path, store: Path, kg_src: Path, timeout: float | None
) -> tuple[ChildRun, dict[str, Any]]:
    """One fresh ``kg build`` (no old store to carry over from)."""
    for p in (store, store.with_name(store.name + ".building"), store.with_name(store.name + ".old")):
        shutil.rmtree(p, ignore_errors=True)
    run = run_child(
        kg_command(kg_src, "build", "--corpus", str(corpus), "--store", str(store), "--quiet"),
        env=kg_env(),
        cwd=ROOT,
        timeout=timeout,
    )
    _check(run, "kg build")
    return run, parse_summary(run.stdout)


def export_nquads(store: Path, out: Path, kg_src: Path, timeout: float | None) -> ChildRun:
    run = run_child(
        kg_command(kg_src, "export", "--format", "nquads", "-o", str(out), "--store", str(store)),
        env=kg_env(),
        cwd=ROOT,
        timeout=timeout,
    )
    _check(run, "kg export")
    return run


def bulk_load_once(nquads: Path, store: Path, timeout: float | None) -> tuple[ChildRun, float, int]:
    """pyoxigraph alone bulk-loading the dump into a fresh on-disk store."""
    shutil.rmtree(store, ignore_errors=True)
    run = run_child([sys.executable, "-c", BULK_CHILD, str(store), str(nquads)], timeout=timeout)
    _check(run, "pyoxigraph bulk_load")
    m = BULK_SUMMARY.search(run.stdout)
    if m is None:
        raise ValueError(f"unexpected output of the bulk-load child: {run.stdout!r}")
    return run, float(m["seconds"]), int(m["quads"])


def planted_pairs(corpus: Path) -> list[dict[str, str]]:
    path = corpus / "expected_contradictions.jsonl"
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def claim_iri(corpus: Path, ref: str, keys: dict[str, str]) -> str:
    """``stem#claim-id`` as the claim IRI the build gives it (keyed by the text's hash)."""
    stem, _, claim_id = ref.partition("#")
    if stem not in keys:
        raw = (corpus / "documents" / f"{stem}.txt").read_bytes()
        keys[stem] = hashlib.sha256(raw).hexdigest()[:16]
    return f"{CLAIM_BASE}{keys[stem]}/{claim_id}"


def found_pairs(store: Path) -> set[frozenset[str]]:
    """Every contradicting pair of claims the built store records."""
    import pyoxigraph as ox

    st = ox.Store.read_only(str(store))
    try:
        return {frozenset((row["first"].value, row["second"].value)) for row in st.query(CONTRADICTION_PAIRS)}
    finally:
        del st


def recall(corpus: Path, store: Path, keep_missed: int = 20) -> dict[str, Any]:
    """How many planted pairs the build found, overall and per reason."""
    planted = planted_pairs(corpus)
    found = found_pairs(store)
    keys: dict[str, str] = {}
    by_reason: dict[str, list[int]] = {}
    missed: list[dict[str, str]] = []
    hits = 0
    for p in planted:
        pair = frozenset((claim_iri(corpus, p["a"], keys), claim_iri(corpus, p["b"], keys)))
        hit = pair in found
        hits += hit
        counts = by_reason.setdefault(p.get("reason", "?"), [0, 0])
        counts[0] += hit
        counts[1] += 1
        if not hit and len(missed) < keep_missed:
            missed.append(p)
    return {
        "planted_pairs": len(planted),
        "planted_found": hits,
        "planted_recall": hits / len(planted) if planted else None,
        "planted_recall_by_reason": {
            r: {"found": f, "planted": t, "recall": f / t} for r, (f, t) in sorted(by_reason.items())
        },
        "contradiction_pairs_found": len(found),
        "missed_examples": missed,
    }


def _dir_mb(path: Path) -> float:
    if not path.exists():
        return 0.0
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20


def measure(
    n: int,
    workdir: Path,
    *,
    seed: int = SEED,
    repeat: int = 1,
    keep: bool = False,
    timeout: float | None = None,
    kg_src: Path | None = None,
    drop_corpus: bool = False,
) -> dict[str, Any]:
    """Every figure for one corpus size. A failed or timed-out step is reported, not raised."""
    kg_src = Path(kg_src or os.environ.get("BENCH_KG_SRC") or ROOT).resolve()
    base = Path(workdir) / f"claims-{n}"
    corpus, store = base / "corpus", base / "store"
    dump, bulk_store = base / "dump.nq", base / "bulk-store"
    base.mkdir(parents=True, exist_ok=True)
    result: dict[str, Any] = {"n_claims": n, "seed": seed, "status": "ok", "kg_src": str(kg_src)}
    try:
        stamp = ensure_corpus(n, corpus, seed)
        result["corpus_mb"] = round(stamp.get("bytes", 0) / 2**20, 1)
        result["reprints"] = stamp.get("reprints")

        builds: list[ChildRun] = []
        summary: dict[str, Any] = {}
        internal: list[float] = []
        for i in range(repeat):
            log(f"N={n}: kg build ({i + 1}/{repeat})")
            run, summary = build_once(corpus, store, kg_src, timeout)
            builds.append(run)
            internal.append(summary["seconds"])
            log(
                f"N={n}: built {summary['claims']} claims, {summary['quads']} quads, "
                f"{summary['contradictions']} contradictions in {run.seconds:.1f}s, "
                f"peak RSS {run.peak_rss_mb:.0f} MB"
            )
            for st in summary["stages"]:
                log(f"N={n}:   {st['stage']}: {st['seconds']:.1f}s, peak {st['peak_mb']} MB")
        build_s = statistics.median(r.seconds for r in builds)
        result.update(
            documents=summary["documents"],
            claims=summary["claims"],
            quads=summary["quads"],
            contradictions=summary["contradictions"],
            build_seconds=build_s,
            build_seconds_all=[r.seconds for r in builds],
            build_internal_seconds=statistics.median(internal),
            build_peak_rss_mb=max(r.peak_rss_mb for r in builds),
            claims_per_second=summary["claims"] / build_s,
            build_stages=summary["stages"],
            store_mb=round(_dir_mb(store), 1),
        )

        log(f"N={n}: recall on planted pairs")
        result.update(recall(corpus, store))

        log(f"N={n}: kg export --format nquads")
        exp = export_nquads(store, dump, kg_src, timeout)
        result["export_seconds"] = exp.seconds
        result["nquads_mb"] = round(dump.stat().st_size / 2**20, 1)

        loads: list[tuple[ChildRun, float, int]] = []
        for i in range(repeat):
            log(f"N={n}: pyoxigraph bulk_load of the dump ({i + 1}/{repeat})")
            loads.append(bulk_load_once(dump, bulk_store, timeout))
        load_s = statistics.median(r.seconds for r, _, _ in loads)
        result.update(
            bulk_load_seconds=load_s,
            bulk_load_seconds_all=[r.seconds for r, _, _ in loads],
            bulk_load_internal_seconds=statistics.median(s for _, s, _ in loads),
            bulk_load_peak_rss_mb=max(r.peak_rss_mb for r, _, _ in loads),
            bulk_load_quads=loads[-1][2],
            build_over_bulk_load=build_s / load_s,
        )
        log(
            f"N={n}: bulk_load {load_s:.1f}s, peak RSS {result['bulk_load_peak_rss_mb']:.0f} MB; "
            f"build/bulk-load = {result['build_over_bulk_load']:.1f}x"
        )
    except ChildFailed as e:
        result["status"] = "timeout" if e.timed_out else "failed"
        result["error"] = str(e)
        log(f"N={n}: {e}")
    finally:
        if not keep:
            for p in (store, store.with_name("store.building"), store.with_name("store.old"), bulk_store):
                shutil.rmtree(p, ignore_errors=True)
            dump.unlink(missing_ok=True)
            if drop_corpus:
                shutil.rmtree(corpus, ignore_errors=True)
    return result


# --------------------------------------------------------------------------------------------
# Reporting
# --------------------------------------------------------------------------------------------


def _fmt(v: Any, spec: str) -> str:
    return "-" if v is None else format(v, spec)


def table(results: list[dict[str, Any]]) -> Any:
    from rich.table import Table

    t = Table(title="kg build benchmark (synthetic corpus, seed 42)")
    cols = [
        ("claims (N)", "n_claims", ","),
        ("documents", "documents", ","),
        ("quads", "quads", ","),
        ("build s", "build_seconds", ".1f"),
        ("build RSS MB", "build_peak_rss_mb", ".0f"),
        ("claims/s", "claims_per_second", ",.0f"),
        ("bulk-load s", "bulk_load_seconds", ".1f"),
        ("bulk-load RSS MB", "bulk_load_peak_rss_mb", ".0f"),
        ("build / bulk-load", "build_over_bulk_load", ".1f"),
        ("contradictions", "contradictions", ","),
        ("planted recall", "planted_recall", ".1%"),
    ]
    for title, _, _ in cols:
        t.add_column(title, justify="right")
    t.add_column("status")
    for r in results:
        cells = [_fmt(r.get(key), spec) for _, key, spec in cols]
        if r.get("planted_pairs") is not None and r.get("planted_recall") is not None:
            cells[-1] += f" ({r['planted_found']}/{r['planted_pairs']})"
        t.add_row(*cells, r["status"])
    return t


def run(
    claims: list[int],
    workdir: Path,
    *,
    repeat: int = 1,
    keep: bool = False,
    timeout: float | None = None,
    kg_src: Path | None = None,
    drop_corpus: bool = False,
    seed: int = SEED,
) -> list[dict[str, Any]]:
    """Measure every size in turn, writing ``results.json`` after each one."""
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    results: list[dict[str, Any]] = []
    meta = {
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "python": sys.version.split()[0],
        "cpus": os.cpu_count(),
        "repeat": repeat,
    }
    try:
        import pyoxigraph

        meta["pyoxigraph"] = pyoxigraph.__version__
    except (ImportError, AttributeError):
        pass
    for n in claims:
        results.append(
            measure(
                n,
                workdir,
                seed=seed,
                repeat=repeat,
                keep=keep,
                timeout=timeout,
                kg_src=kg_src,
                drop_corpus=drop_corpus,
            )
        )
        out = {"meta": meta, "results": results}
        (workdir / "results.json").write_text(json.dumps(out, indent=2) + "\n")
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    parser.add_argument("--claims", type=int, nargs="+", default=list(DEFAULT_CLAIMS))
    parser.add_argument("--workdir", type=Path, default=ROOT / "bench" / "out")
    parser.add_argument("--repeat", type=int, default=1, help="builds per size (median reported)")
    parser.add_argument("--keep", action="store_true", help="keep the stores and the N-Quads dump")
    parser.add_argument("--drop-corpus", action="store_true", help="also delete the corpora")
    parser.add_argument("--timeout", type=float, default=None, help="seconds allowed per child")
    parser.add_argument("--kg-src", type=Path, default=None, help="directory holding the kg package")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    results = run(
        args.claims,
        args.workdir,
        repeat=args.repeat,
        keep=args.keep,
        timeout=args.timeout,
        kg_src=args.kg_src,
        drop_corpus=args.drop_corpus,
        seed=args.seed,
    )
    from rich.console import Console

    Console(width=None if sys.stdout.isatty() else 200).print(table(results))
    log(f"figures written to {args.workdir / 'results.json'}")
    return 0 if all(r["status"] == "ok" for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
