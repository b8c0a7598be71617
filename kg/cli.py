"""The ``kg`` command line: one command per job, each a thin shell over a library function.

Errors the library raises on purpose (bad corpus, unknown document, unwritable path) are printed
as they are and end the command with status 1; nothing else is caught.
"""

from __future__ import annotations

import atexit
import json
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from kg import gephi
from kg import stats as stats_mod
from kg.config import Settings
from kg.errors import InvalidParameter, KGError
from kg.store import EXPORT_FORMATS, GraphStore, open_store

if TYPE_CHECKING:
    from kg import queries

app = typer.Typer(
    help="Back-channel claims knowledge graph: build, inspect, reason over and export it.",
    no_args_is_help=True,
    add_completion=False,
)
out = Console()
err = Console(stderr=True)

StoreOpt = Annotated[str | None, typer.Option("--store", help="store path or 'memory' (env KG_STORE)")]
CorpusOpt = Annotated[Path | None, typer.Option("--corpus", help="corpus directory (env KG_CORPUS)")]


def _settings(store: str | None = None, corpus: Path | None = None) -> Settings:
    overrides: dict[str, object] = {}
    if store is not None:
        overrides["store"] = store
    if corpus is not None:
        overrides["corpus"] = corpus
    return Settings(**overrides)  # type: ignore[arg-type]


@contextmanager
def _errors() -> Iterator[None]:
    try:
        yield
    except KGError as e:
        err.print(f"[bold red]error:[/] {e}", highlight=False, markup=True, soft_wrap=True)
        raise typer.Exit(1) from e


def _open_existing(settings: Settings, *, read_only: bool = False) -> GraphStore:
    """The store the settings name, which must exist; ``read_only`` for commands that only read,
    so that they also run while ``kg serve`` holds the store."""
    path = settings.store_path
    if settings.backend == "embedded" and path is not None and not path.exists():
        raise InvalidParameter(f"no store at {path}; run 'kg build' first")
    return open_store(settings, read_only=read_only)


@app.command()
def build(store: StoreOpt = None, corpus: CorpusOpt = None, quiet: bool = False) -> None:
    """Compile the corpus and reference data into the store, deriving contradictions."""
    settings = _settings(store, corpus)
    with _errors():
        graph_store = _build_with_progress(settings, quiet)
        try:
            if not quiet:
                _print_stats(stats_mod.compute(graph_store))
        finally:
            graph_store.close()


def _build_with_progress(settings: Settings, quiet: bool) -> GraphStore:
    """Build with a progress bar on a terminal, print the one-line summary, return the store."""
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        disable=quiet or not err.is_terminal,
    ) as bar:
        tasks: dict[str, TaskID] = {}

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        from kg.build import build as run_build  # the compiler and its parsers: build and serve only

        report, graph_store = run_build(settings, progress)
    where = report.store or ("the remote engine" if settings.backend == "remote" else "memory")
    out.print(
        f"built {report.documents} documents, {report.claims} claims, "
        f"{len(report.contradictions)} contradictions, {report.quads} quads "
        f"in {report.seconds:.2f}s -> {where}"
    )
    out.print("stages: " + "; ".join(map(str, report.stages)), soft_wrap=True)
    if report.carried_graphs:
        out.print(f"kept {len(report.carried_graphs)} graph(s) not built from the corpus")
    if report.skipped_retracted:
        out.print(f"left out retracted: {', '.join(report.skipped_retracted)}")
    return graph_store


def _print_stats(s: stats_mod.Stats) -> None:
    out.print(f"{s.quads} quads in {s.graphs} named graphs")
    docs = Table(title="documents")
    docs.add_column("file", overflow="fold", min_width=12)
    docs.add_column("title", overflow="ellipsis", max_width=40)
    docs.add_column("published", overflow="fold")
    docs.add_column("claims", justify="right")
    docs.add_column("contradicted", justify="right")
    for d in s.documents:
        date = f"{d.published} ({d.date_status})" if d.date_status else d.published
        docs.add_row(d.source_file, d.title[:60], date, str(d.claims), str(d.contradicted_claims))
    out.print(docs)
    classes = Table(title="instances per class")
    classes.add_column("class")
    classes.add_column("count", justify="right")
    for name, n in s.classes:
        classes.add_row(name, str(n))
    out.print(classes)
    if s.contradictions:
        points = Table(title="contradictions per point")
        points.add_column("point")
        points.add_column("count", justify="right")
        for name, n in s.contradictions:
            points.add_row(name, str(n))
        out.print(points)


@app.command()
def stats(store: StoreOpt = None) -> None:
    """Counts per class, per document and per point of disagreement."""
    with _errors():
        graph_store = _open_existing(_settings(store), read_only=True)
        try:
            _print_stats(stats_mod.compute(graph_store))
        finally:
            graph_store.close()


@app.command()
def export(
    format: Annotated[
        str,
        typer.Option("--format", "-f", help=f"one of {', '.join([*EXPORT_FORMATS, *gephi.GRAPH_FORMATS])}"),
    ] = "trig",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="file to write (default stdout)")
    ] = None,
    view: Annotated[
        str | None,
        typer.Option("--view", help=f"gexf/graphml only: {' or '.join(gephi.VIEWS)} (required)"),
    ] = None,
    date_from: Annotated[
        str | None, typer.Option("--from", help="gexf/graphml only: claims stated on or after YYYY-MM-DD")
    ] = None,
    date_to: Annotated[
        str | None, typer.Option("--to", help="gexf/graphml only: claims stated on or before YYYY-MM-DD")
    ] = None,
    store: StoreOpt = None,
) -> None:
    """Dump the store, or export a Gephi graph (gexf, graphml) of the actors or the claims.

    TriG and N-Quads keep the named graphs; Turtle and N-Triples merge them.
    """
    with _errors():
        if format in gephi.GRAPH_FORMATS:
            if view is None:
                raise InvalidParameter(f"--format {format} needs --view ({' or '.join(gephi.VIEWS)})")
            options = gephi.parse_options(view, format, date_from, date_to)
            graph_store = _open_existing(_settings(store), read_only=True)
            try:
                graph = gephi.build(graph_store, options.view, options.date_from, options.date_to, lazy=True)
            finally:
                graph_store.close()
            _leave_behind(graph)
            if output is None:
                stats = gephi.write(graph, options.fmt, sys.stdout.buffer)
                sys.stdout.buffer.flush()
                return
            written: list[gephi.WriteStats] = []
            _write_atomically(output, lambda fh: written.append(gephi.write(graph, options.fmt, fh)))
            stats = written[0]
            err.print(f"wrote {output} ({stats.nodes} nodes, {stats.edges} edges, {stats.bytes} bytes)")
            return
        if format not in EXPORT_FORMATS:
            raise InvalidParameter(
                f"unknown export format {format!r}; use one of "
                f"{', '.join([*EXPORT_FORMATS, *gephi.GRAPH_FORMATS])}"
            )
        if view is not None or date_from is not None or date_to is not None:
            raise InvalidParameter(
                f"--view, --from and --to apply to the graph formats ({', '.join(gephi.GRAPH_FORMATS)}), "
                f"not to {format}"
            )
        graph_store = _open_existing(_settings(store), read_only=True)
        try:
            if output is None:
                graph_store.dump(sys.stdout.buffer, format)
                sys.stdout.buffer.flush()
                return
            _write_atomically(output, lambda fh: graph_store.dump(fh, format))
            err.print(f"wrote {output}")
        finally:
            graph_store.close()


def _write_atomically(path: Path, write: object) -> None:
    """Write to a temporary file beside ``path`` and rename, so no partial file is ever left."""
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise InvalidParameter(f"cannot write {path}: directory {directory} does not exist")
    try:
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".part")
    except OSError as e:
        raise InvalidParameter(f"cannot write {path}: {e.strerror}") from e
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)  # type: ignore[operator]
        try:
            os.replace(tmp, path)
        except OSError as e:  # e.g. the path is a directory
            raise InvalidParameter(f"cannot write {path}: {e.strerror}") from e
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@app.command()
def validate(
    file: Annotated[Path | None, typer.Argument(help="an RDF file to validate instead of the store")] = None,
    format: Annotated[str, typer.Option("--format", "-f", help="report format: text or json")] = "text",
    engine: Annotated[str, typer.Option(help="fast (SPARQL in the store) or pyshacl (reference)")] = "fast",
    store: StoreOpt = None,
) -> None:
    """Check the store (or a file, with the ontology and reference data) against the SHACL shapes."""
    from kg import gate, validate_cmd

    if format not in ("text", "json"):
        err.print(f"[bold red]error:[/] unknown report format {format!r}; use text or json")
        raise typer.Exit(2)
    with _errors():
        findings, graph_store = validate_cmd.run(_settings(store), file, engine)
        graph_store.close()
    out.print(
        gate.report_json(findings) if format == "json" else gate.report_text(findings),
        highlight=False,
        markup=False,
        soft_wrap=True,
    )
    if any(f.severity == "Violation" for f in findings):
        raise typer.Exit(1)


@app.command()
def reason(
    store: StoreOpt = None,
    write: Annotated[bool, typer.Option(help="write inferences to the inferred graph")] = True,
) -> None:
    """Run HermiT over ontology and data; report inconsistency or store the inferences."""
    from kg import infer

    with _errors():
        graph_store = _open_existing(_settings(store))
        try:
            report = infer.run(graph_store, write=write)
        finally:
            graph_store.close()
    if report.consistent:
        out.print(
            f"consistent ({report.reasoner}, {report.seconds:.1f}s); "
            f"{len(report.inferred)} inferred triples" + (" written to the inferred graph" if write else "")
        )
        return
    inc = report.inconsistency
    out.print(f"[bold red]INCONSISTENT[/] ({report.reasoner}, {report.seconds:.1f}s)")
    if inc is not None:
        out.print(inc.message, highlight=False)
        for ind in inc.individuals:
            out.print(f"  individual: {ind}", highlight=False)
        for ax in inc.axioms:
            out.print(f"  axiom: {ax}", highlight=False)
    raise typer.Exit(1)


@app.command()
def retract(
    document: Annotated[str, typer.Argument(help="document IRI, key or file stem")],
    reason: Annotated[str, typer.Option("--reason", help="why it is retracted (recorded)")],
    by: Annotated[str, typer.Option("--by", help="who retracts it")] = os.environ.get("USER", "unknown"),
    store: StoreOpt = None,
) -> None:
    """Remove exactly one document's graph, recording who retracted it, when and why."""
    from kg.retract import retract as run_retract

    with _errors():
        graph_store = _open_existing(_settings(store))
        try:
            r = run_retract(graph_store, document, reason=reason, by=by)
        finally:
            graph_store.close()
    out.print(f"retracted {r.document} ({r.removed_quads} quads) at {r.at.isoformat()}: {r.iri}")


@app.command()
def query(
    name: Annotated[str | None, typer.Argument(help="the named query to run (see --list)")] = None,
    param: Annotated[
        list[str] | None,
        typer.Option("--param", "-p", help="a parameter as NAME=VALUE; repeat for more"),
    ] = None,
    format: Annotated[str, typer.Option("--format", "-f", help="table, json or csv")] = "table",
    list_queries: Annotated[
        bool, typer.Option("--list", help="list the named queries (with NAME: its parameters and columns)")
    ] = False,
    store: StoreOpt = None,
) -> None:
    """Run one of the named queries in queries/ with typed parameters, or list them."""
    from kg import queries

    settings = _settings(store)
    with _errors():
        catalogue = queries.load_catalogue(settings.queries_dir)
        if list_queries:
            _print_catalogue(catalogue, name)
            return
        if name is None:
            raise InvalidParameter("name a query to run, or use --list to see them")
        if format not in ("table", "json", "csv"):
            raise InvalidParameter(f"unknown output format {format!r}; use table, json or csv")
        named = queries.get(catalogue, name)
        params: dict[str, str] = {}
        for item in param or []:
            key, eq, value = item.partition("=")
            if not eq or not key.strip():
                raise InvalidParameter(f"--param {item!r}: write NAME=VALUE")
            if key.strip() in params:
                raise InvalidParameter(f"parameter {key.strip()!r} is given more than once")
            params[key.strip()] = value
        graph_store = _open_existing(settings, read_only=True)
        try:
            rows = queries.run(graph_store, named, params)
        finally:
            graph_store.close()
    if format == "json":
        sys.stdout.write(json.dumps(queries.answer(named, rows), ensure_ascii=False, indent=2) + "\n")
        return
    if format == "csv":
        sys.stdout.write(queries.to_csv(named, rows))
        return
    table = Table(title=f"{named.name}: {named.summary}", title_justify="left")
    for column in named.columns:
        table.add_column(column.name, overflow="fold")
    for row in rows:
        table.add_row(*(queries.compact(row.get(c.name)) for c in named.columns))
    out.print(table, highlight=False, markup=False)
    out.print(f"{len(rows)} row{'' if len(rows) == 1 else 's'}", highlight=False)


def _print_catalogue(catalogue: dict[str, queries.NamedQuery], name: str | None) -> None:
    if name is None:
        table = Table(title="named queries (kg query NAME --param NAME=VALUE)", title_justify="left")
        table.add_column("query", no_wrap=True)
        table.add_column("summary")
        table.add_column("parameters (* required)")
        for q in catalogue.values():
            signature = ", ".join(f"{p.name}{'*' if p.required else ''}: {p.type}" for p in q.parameters)
            table.add_row(q.name, q.summary, signature or "-")
        out.print(table, highlight=False, markup=False)
        return
    from kg import queries

    q = queries.get(catalogue, name)
    out.print(f"{q.name}: {q.summary}\n\n{q.description}\n", highlight=False, markup=False, soft_wrap=True)
    params = Table(title="parameters", title_justify="left")
    for heading in ("name", "type", "required", "default", "example", "description"):
        params.add_column(heading, overflow="fold")
    for p in q.parameters:
        required = "yes" if p.required else "no"
        params.add_row(p.name, p.type, required, p.default or "", p.example, p.description)
    out.print(params, highlight=False, markup=False)
    columns = Table(title="columns", title_justify="left")
    columns.add_column("name", no_wrap=True)
    columns.add_column("description")
    for c in q.columns:
        columns.add_row(c.name, c.description)
    out.print(columns, highlight=False, markup=False)


@app.command()
def anchor(
    file: Annotated[Path, typer.Argument(help="an annotation YAML file")],
    write: Annotated[bool, typer.Option(help="write the offsets back into the file")] = False,
) -> None:
    """Find the offsets of quotes that lack them (quotes that occur exactly once)."""
    from kg.anchor import anchor_file

    with _errors():
        results = anchor_file(file, write=write)
    for claim_id, status in results:
        out.print(f"{claim_id}: {status}", highlight=False)


_leaving: list[object] | None = None
"""What commands leave for the process's end: a list only when :func:`main` ends it without
teardown."""


def _leave_behind(thing: object) -> None:
    """Let ``thing`` go at the process's end rather than now, when that end skips the teardown.

    An export's view is millions of small objects: freeing them one by one takes a third of a
    second at 100k claims, and then the interpreter's own teardown walks what is left again. The
    console script (:func:`main`) ends the process without either. Run any other way (tests,
    ``python -c``), nothing is kept.
    """
    if _leaving is not None:
        _leaving.append(thing)


def main() -> None:
    """The ``kg`` console script: run one command, then end the process at once.

    Everything a command must finish is finished when it returns: its ``finally`` blocks have
    closed the store and renamed or removed its files, and the ``atexit`` handlers run here
    (logging's, temporary directories'). What is skipped is freeing every object and the
    interpreter's module teardown, which cost up to a second after a large read and change no
    byte on disk. The exit status is the command's, as with ``app()``.
    """
    global _leaving
    _leaving = []
    try:
        app()
        status: int = 0
    except SystemExit as e:
        status = _status(e.code)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (kg ... | head): as Python itself reports it
            status = status or 120
    atexit._run_exitfuncs()
    os._exit(status)


def _status(code: object) -> int:
    """The exit status ``sys.exit(code)`` gives: None is 0, a number itself, anything else is
    printed to standard error and is 1."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


@app.command()
def ingest(
    file: Annotated[Path, typer.Argument(help="a UTF-8 plain-text article; '-' reads standard input")],
    outlet: Annotated[str | None, typer.Option(help="the outlet's name or actor id, e.g. Reuters")] = None,
    title: Annotated[str | None, typer.Option(help="title (default: the first line of the text)")] = None,
    author: Annotated[str | None, typer.Option(help="the author's name or actor id")] = None,
    published: Annotated[str | None, typer.Option(help="publication date, YYYY-MM-DD")] = None,
    url: Annotated[str | None, typer.Option(help="where the article was found")] = None,
    language: Annotated[str, typer.Option(help="BCP 47 language tag of the text")] = "en",
    machine_generated: Annotated[
        bool, typer.Option("--machine-generated", help="the text declares itself machine-generated")
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="check and print what would be added; write nothing")
    ] = False,
    format: Annotated[str, typer.Option("--format", "-f", help="report format: text or json")] = "text",
    store: StoreOpt = None,
) -> None:
    """Extract a new article's claims, pass them through the SHACL gate and store it as its own graph."""
    from kg.article import ArticleMeta
    from kg.errors import IngestRejected
    from kg.ingest import ingest as run_ingest
    from kg.ingest_report import summary

    if format not in ("text", "json"):
        err.print(f"[bold red]error:[/] unknown report format {format!r}; use text or json")
        raise typer.Exit(2)
    settings = _settings(store)
    with _errors():
        meta = ArticleMeta(
            title=title,
            outlet=outlet,
            author=author,
            published=published,
            url=url,
            language=language,
            machine_generated=machine_generated,
        )
        try:
            data = sys.stdin.buffer.read() if str(file) == "-" else file.read_bytes()
        except OSError as e:
            raise InvalidParameter(f"cannot read {file}: {e.strerror}") from e
        graph_store = _open_existing(settings)
        try:
            report = run_ingest(graph_store, settings, data, meta, dry_run=dry_run)
        except IngestRejected as e:
            if format == "json" and e.report is not None:
                sys.stdout.write(json.dumps(e.report, ensure_ascii=False, indent=2) + "\n")
            raise
        finally:
            graph_store.close()
    if format == "json":
        sys.stdout.write(report.model_dump_json(indent=2) + "\n")
        return
    out.print(summary(report), highlight=False, markup=False, soft_wrap=True)


@app.command("eval")
def eval_cmd(
    corpus: CorpusOpt = None,
    format: Annotated[str, typer.Option("--format", "-f", help="table or json")] = "table",
) -> None:
    """Run the extractor on the curated corpus and score it: precision, recall, F1 per document."""
    from kg.evaluate import CATEGORIES, evaluate

    if format not in ("table", "json"):
        err.print(f"[bold red]error:[/] unknown format {format!r}: use table or json", highlight=False)
        raise typer.Exit(2)
    settings = _settings(corpus=corpus)
    with _errors():
        report = evaluate(settings.corpus_dir, settings.ontology_dir, settings.max_document_bytes)
    if format == "json":
        sys.stdout.write(json.dumps(report.as_dict(), indent=2) + "\n")
        return
    overall = Table(title="Extraction against the curated annotations (all documents)")
    for column in ("", "precision", "recall", "F1", "TP", "FP", "FN"):
        overall.add_column(column, justify="left" if not column else "right")
    for category, score in report.overall.items():
        overall.add_row(
            category,
            f"{score.precision:.3f}",
            f"{score.recall:.3f}",
            f"{score.f1:.3f}",
            str(score.tp),
            str(score.fp),
            str(score.fn),
        )
    per_doc = Table(title="F1 per document")
    per_doc.add_column("doc", overflow="fold")
    per_doc.add_column("cur/ext", justify="right")
    short = {"recipient": "recip.", "channel": "chan.", "parties": "parties", "sender": "sender"}
    for category in CATEGORIES:
        per_doc.add_column(short.get(category, category), justify="right")
    for d in report.documents:
        head, _, rest = d.stem.partition("_")
        name = head if head.isdigit() and rest else d.stem
        per_doc.add_row(name, f"{d.curated}/{d.extracted}", *(f"{d.scores[c].f1:.2f}" for c in CATEGORIES))
    out.print(overall)
    out.print(per_doc)


if __name__ == "__main__":
    app()
