"""Ingest throughput: generated articles through ``kg.ingest.ingest``, into an empty store and into
a store that already holds a corpus of N claims.

    python -m bench.ingest [--articles 50] [--base-claims 10000] [--base-store /tmp/gx10k-store]
                           [--seed 42] [--workdir bench/out/ingest]

The articles are the synthetic corpus of ``bench.generate`` (article-like texts: headline, byline,
direct and reported speech, denials, channels, dates, real and synthetic actors). With the same
seed the generator writes the same actors and the same documents in the same order, so
``generate(base + more, seed)`` continues the base corpus: the documents past the base store's
are new articles about the same actors, and the share the generator plants as contradicting an
earlier document contradicts stored claims. Each article goes through the whole pipeline with
its metadata given as an analyst would (title, outlet id, publication date, the machine-generated
flag): extraction, corpus checks, compilation, the SHACL gate, contradictions with the stored
claims, the single write.

Two runs, each on a store of its own:

* *empty*: the ontology and reference data only (the synthetic actors included), no document;
* *base*: a copy of ``--base-store`` (never written to), or a store built here from
  ``generate(--base-claims, seed)`` when no store is given.

One dry-run ingest first fills the per-process caches (reference data, compiled shapes), so the
figures are for a warm service. Reported per run: articles per second (wall clock over all
articles), claims per second, and the median and 90th percentile per article of each stage.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from bench.generate import generate
from kg.article import ArticleMeta
from kg.config import Settings
from kg.ingest import ingest
from kg.reference import load_reference
from kg.store import GraphStore

ROOT = Path(__file__).resolve().parent.parent
STAGES = ("extract", "compile", "validation", "contradictions", "write", "total")


@dataclass(frozen=True)
class Article:
    name: str
    text: bytes
    meta: ArticleMeta


@dataclass
class RunResult:
    store: str
    stored_claims_before: int
    articles: int
    seconds: float
    articles_per_second: float
    claims: int
    claims_per_second: float
    contradictions: int
    new_actors: int
    median: dict[str, float] = field(default_factory=dict)
    p90: dict[str, float] = field(default_factory=dict)


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _meta(data: dict[str, object]) -> ArticleMeta:
    published = data.get("published")
    day = published.get("date") if isinstance(published, dict) else None
    return ArticleMeta(
        title=str(data["title"]),
        outlet=str(data["outlet"]) if data.get("outlet") else None,
        published=str(day) if day else None,
        machine_generated=bool(data.get("machine_generated")),
    )


def articles(corpus: Path, n: int, skip: set[str], start: int = 0) -> list[Article]:
    """``n`` generated documents from the ``start``-th on whose key is not in ``skip``.

    ``start`` is the number of documents in the base store: the generator's documents past it
    are the ones it did not hold (the same seed writes the same sequence).
    """
    out: list[Article] = []
    for path in sorted((corpus / "documents").glob("*.txt"))[start:]:
        text = path.read_bytes()
        if hashlib.sha256(text).hexdigest()[:16] in skip:
            continue
        meta = json.loads(path.with_name(path.name.removesuffix(".txt") + ".meta.json").read_text("utf-8"))
        out.append(Article(path.stem, text, _meta(meta)))
        if len(out) == n:
            break
    return out


def _keys(store: GraphStore) -> set[str]:
    rows = store.select("SELECT ?d WHERE { ?d a bc:Document }")
    return {r["d"].value.rsplit("/", 1)[-1] for r in rows}


def _claims(store: GraphStore) -> int:
    return int(store.select("SELECT (COUNT(?c) AS ?n) WHERE { ?c a bc:Claim }")[0]["n"].value)


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def run(label: str, store: GraphStore, settings: Settings, batch: list[Article]) -> RunResult:
    before = _claims(store)
    ingest(store, settings, batch[0].text, batch[0].meta, dry_run=True)  # warm the caches
    per_stage: dict[str, list[float]] = {s: [] for s in STAGES}
    claims = contradictions = new_actors = 0
    t0 = time.perf_counter()
    for i, article in enumerate(batch, 1):
        report = ingest(store, settings, article.text, article.meta)
        if not report.stored:
            raise SystemExit(f"{article.name} was not stored (already in the store?)")
        claims += len(report.claims)
        contradictions += len(report.contradictions)
        new_actors += sum(1 for a in report.actors if not a.known)
        seconds = report.seconds.model_dump()
        for s in STAGES:
            per_stage[s].append(seconds[s])
        if i % 10 == 0:
            _log(f"  {label}: {i}/{len(batch)} articles")
    wall = time.perf_counter() - t0
    return RunResult(
        store=label,
        stored_claims_before=before,
        articles=len(batch),
        seconds=round(wall, 3),
        articles_per_second=round(len(batch) / wall, 2),
        claims=claims,
        claims_per_second=round(claims / wall, 1),
        contradictions=contradictions,
        new_actors=new_actors,
        median={s: round(statistics.median(v) * 1000, 1) for s, v in per_stage.items()},
        p90={s: round(_percentile(v, 0.9) * 1000, 1) for s, v in per_stage.items()},
    )


def _build(corpus: Path, store: Path) -> None:
    cmd = [sys.executable, "-c", "from kg.cli import app; app()", "build", "--corpus", str(corpus)]
    cmd += ["--store", str(store), "--quiet"]
    subprocess.run(cmd, check=True, env={"KG_HOME": str(ROOT), "PATH": "/usr/bin:/bin"})


def table(results: list[RunResult]) -> str:
    head = "| store | claims stored | articles | articles/s | claims/s | contradictions found |"
    head += " median ms: extract | validation | contradictions | write | total (p90) |"
    lines = [head, "|" + "---|" * 10]
    for r in results:
        m, p = r.median, r.p90
        lines.append(
            f"| {r.store} | {r.stored_claims_before:,} | {r.articles} | {r.articles_per_second} | "
            f"{r.claims_per_second} | {r.contradictions} | {m['extract']} | {m['validation']} | "
            f"{m['contradictions']} | {m['write']} | {m['total']} ({p['total']}) |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--articles", type=int, default=50, help="articles per run (default 50)")
    parser.add_argument("--base-claims", type=int, default=10_000, help="claims of the base corpus")
    parser.add_argument(
        "--base-store", type=Path, help="a store built from generate(base-claims, seed); copied"
    )
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--workdir", type=Path, default=ROOT / "bench" / "out" / "ingest")
    args = parser.parse_args(argv)
    work: Path = args.workdir
    work.mkdir(parents=True, exist_ok=True)

    corpus = work / "articles"
    _log(f"generating {args.base_claims:,} + ~{args.articles * 12:,} claims (seed {args.seed}) into {corpus}")
    generate(args.base_claims + args.articles * 12 + 1000, corpus, seed=args.seed, force=True)

    base_path = work / "store-base"
    if base_path.exists():
        shutil.rmtree(base_path)
    if args.base_store is not None:
        _log(f"copying {args.base_store} to {base_path}")
        shutil.copytree(args.base_store, base_path)
    else:
        base_corpus = work / "base-corpus"
        generate(args.base_claims, base_corpus, seed=args.seed, force=True)
        _log(f"building the base store from {base_corpus}")
        _build(base_corpus, base_path)

    settings = Settings(home=ROOT, corpus=corpus, store=str(base_path))
    base = GraphStore.open(base_path)
    try:
        stored = _keys(base)
        batch = articles(corpus, args.articles, stored, start=len(stored))
        if len(batch) < args.articles:
            raise SystemExit(f"only {len(batch)} new articles were generated")
        empty = GraphStore.open(None)
        empty.add(load_reference(settings.ontology_dir, corpus).quads)
        results = [run("empty", empty, settings.model_copy(update={"store": "memory"}), batch)]
        empty.close()
        results.append(run("base", base, settings, batch))
    finally:
        base.close()
        shutil.rmtree(base_path, ignore_errors=True)
    (work / "results.json").write_text(json.dumps([asdict(r) for r in results], indent=2) + "\n")
    print(table(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
