"""Bad input is refused with a message naming the problem, and the store stays byte-identical."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg.article import ArticleMeta, TextNotUtf8, TextTooLarge
from kg.cli import app
from kg.config import Settings
from kg.corpus import read_document
from kg.errors import IngestRejected, InvalidParameter
from kg.ingest import ingest
from kg.models import AnnotationFile, DocumentMeta
from kg.reference import Reference
from kg.store import GraphStore
from tests.conftest import CORPUS, ROOT, settings_for
from tests.ingest.conftest import DOC_004, TEXT_004, curated

TEXT_000 = read_document(CORPUS, "000_9ccd7f39ddaf9104").text_path.read_bytes()


def never(text: str, meta: DocumentMeta, reference: Reference, stem: str) -> AnnotationFile:
    raise AssertionError("bad input must be refused before extraction")


CASES = [
    pytest.param(b"", ArticleMeta(), InvalidParameter, r"^the text is empty$", id="empty"),
    pytest.param(
        b" \n\t\r\n", ArticleMeta(), InvalidParameter, r"^the text is only white space$", id="blank"
    ),
    pytest.param(
        "Caf\u00e9 talks in Muscat".encode("latin-1"),
        ArticleMeta(),
        TextNotUtf8,
        r"^the text is not UTF-8: byte 0xe9 at offset 3 \(invalid continuation byte\)$",
        id="latin-1",
    ),
    pytest.param(
        TEXT_004[:100] + b"\xff" + TEXT_004[100:],
        ArticleMeta(),
        TextNotUtf8,
        r"^the text is not UTF-8: byte 0xff at offset 100 ",
        id="stray-byte",
    ),
    pytest.param(
        "Iran said \ud800 nothing",
        ArticleMeta(),
        TextNotUtf8,
        r"cannot be encoded as UTF-8: a lone surrogate at character 10$",
        id="lone-surrogate",
    ),
    pytest.param(
        TEXT_004,
        ArticleMeta(published="28/11/2025"),
        InvalidParameter,
        r"^published: '28/11/2025' is not a date; give it as YYYY-MM-DD",
        id="date-format",
    ),
    pytest.param(
        TEXT_004,
        ArticleMeta(published="2025-02-30"),
        InvalidParameter,
        r"^published: '2025-02-30' is not a date",
        id="impossible-date",
    ),
    pytest.param(
        TEXT_000,
        ArticleMeta(machine_generated=True),
        InvalidParameter,
        r"^machine_generated: the text does not declare itself machine-generated",
        id="machine-generated-without-declaration",
    ),
    pytest.param(
        TEXT_004,
        ArticleMeta(language="english!"),
        InvalidParameter,
        r"^metadata: language: String should match pattern",
        id="language",
    ),
    pytest.param(
        TEXT_004,
        ArticleMeta(url="nishadil dot com"),
        InvalidParameter,
        r"^url: 'nishadil dot com' is not an absolute http\(s\) URL",
        id="url",
    ),
]


@pytest.mark.parametrize(("text", "meta", "error", "message"), CASES)
def test_bad_input_is_refused_before_extraction(
    store_without_004: GraphStore,
    settings_without_004: Settings,
    text: bytes | str,
    meta: ArticleMeta,
    error: type[Exception],
    message: str,
) -> None:
    before = store_without_004.canonical_nquads()
    with pytest.raises(error, match=message):
        ingest(store_without_004, settings_without_004, text, meta, extractor=never)
    assert store_without_004.canonical_nquads() == before


def test_a_text_over_the_size_limit(store_without_004: GraphStore, settings_without_004: Settings) -> None:
    small = settings_without_004.model_copy(update={"max_document_bytes": 1000})
    before = store_without_004.canonical_nquads()
    with pytest.raises(
        TextTooLarge,
        match=r"^the text is 3,840 bytes, over the limit of 1,000 bytes \(KG_MAX_DOCUMENT_BYTES\)$",
    ):
        ingest(store_without_004, small, TEXT_004, ArticleMeta(), extractor=never)
    assert store_without_004.canonical_nquads() == before


def test_records_that_fail_the_corpus_checks_are_rejected_with_the_report(
    store_without_004: GraphStore, settings_without_004: Settings
) -> None:
    ann = DOC_004.annotations
    broken = ann.model_copy(
        update={"claims": [ann.claims[0].model_copy(update={"start": 1, "end": 83}), *ann.claims[1:]]}
    )

    def extract(text: str, meta: DocumentMeta, reference: Reference, stem: str) -> AnnotationFile:
        return broken.model_copy(update={"document": stem})

    before = store_without_004.canonical_nquads()
    with pytest.raises(IngestRejected) as info:
        ingest(store_without_004, settings_without_004, TEXT_004, DOC_004.meta, extractor=extract)
    assert [p.entry for p in info.value.problems] == ["claim headline-denies-messages"]
    assert info.value.problems[0].message.startswith("quote is not the text at [1, 83): the text there reads")
    assert "nothing was stored" in str(info.value)
    assert info.value.report is not None and len(info.value.report["claims"]) == 11  # type: ignore[arg-type]
    assert store_without_004.canonical_nquads() == before


def test_a_document_that_fails_the_shapes_is_rejected_with_the_validation_report(
    store_without_004: GraphStore, settings_without_004: Settings
) -> None:
    """An author must be a person: Iran, a state, passes the id checks but not the shapes."""
    meta = DOC_004.meta.model_copy(update={"author": "iran"})
    before = store_without_004.canonical_nquads()
    with pytest.raises(IngestRejected) as info:
        ingest(store_without_004, settings_without_004, TEXT_004, meta, extractor=curated())
    problems = info.value.problems
    assert len(problems) == 1 and "bc:author" in problems[0].entry
    assert problems[0].message == "A document's author (bc:author) must be a person (bc:Person)."
    report = info.value.report
    assert report is not None
    validation = report["validation"]
    assert isinstance(validation, dict) and validation["conforms"] is False
    assert [r["property"] for r in validation["results"] if r["severity"] == "Violation"] == ["bc:author"]
    assert store_without_004.canonical_nquads() == before


def test_a_store_without_ontology_is_refused(tmp_path: Path) -> None:
    store = GraphStore.open(None)
    with pytest.raises(InvalidParameter, match="holds no ontology or reference data: run 'kg build' first"):
        ingest(store, settings_for("memory"), TEXT_004, DOC_004.meta, extractor=curated())
    assert len(store) == 0


# --- the same through the command line -------------------------------------------------------------

runner = CliRunner()


def _nquads(settings: Settings) -> list[str]:
    store = GraphStore.open(settings.store_path)
    try:
        return store.canonical_nquads()
    finally:
        store.close()


@pytest.mark.parametrize(
    ("content", "options", "message"),
    [
        pytest.param(b"", [], "error: the text is empty", id="empty"),
        pytest.param(b"Caf\xe9", [], "error: the text is not UTF-8: byte 0xe9 at offset 3", id="latin-1"),
        pytest.param(
            TEXT_004, ["--published", "yesterday"], "error: published: 'yesterday' is not a date", id="date"
        ),
        pytest.param(
            TEXT_000,
            ["--machine-generated"],
            "error: machine_generated: the text does not declare itself machine-generated",
            id="machine-generated",
        ),
    ],
)
def test_cli_refuses_bad_input_and_leaves_the_store(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    settings_without_004: Settings,
    content: bytes,
    options: list[str],
    message: str,
) -> None:
    monkeypatch.setenv("KG_HOME", str(ROOT))
    before = _nquads(settings_without_004)
    article = tmp_path / "article.txt"
    article.write_bytes(content)
    result = runner.invoke(
        app, ["ingest", str(article), "--store", str(settings_without_004.store_path), *options]
    )
    assert result.exit_code == 1, result.output
    assert message in " ".join(result.output.split())
    assert _nquads(settings_without_004) == before


def test_cli_refuses_a_text_over_the_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings_without_004: Settings
) -> None:
    monkeypatch.setenv("KG_HOME", str(ROOT))
    monkeypatch.setenv("KG_MAX_DOCUMENT_BYTES", "2000")
    before = _nquads(settings_without_004)
    article = tmp_path / "article.txt"
    article.write_bytes(TEXT_004)
    result = runner.invoke(app, ["ingest", str(article), "--store", str(settings_without_004.store_path)])
    assert result.exit_code == 1
    assert "over the limit of 2,000 bytes (KG_MAX_DOCUMENT_BYTES)" in " ".join(result.output.split())
    assert _nquads(settings_without_004) == before


def test_cli_names_a_missing_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings_without_004: Settings
) -> None:
    monkeypatch.setenv("KG_HOME", str(ROOT))
    missing = tmp_path / "nope.txt"
    result = runner.invoke(app, ["ingest", str(missing), "--store", str(settings_without_004.store_path)])
    assert result.exit_code == 1
    assert f"cannot read {missing}: No such file or directory" in " ".join(result.output.split())
