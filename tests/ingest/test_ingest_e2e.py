"""End to end with the real extractor: an article written for the tests, through the CLI and HTTP.

The article (``articles/muscat_denial.txt``) is new wording about the seeds' story: a spokesman
denying direct talks in Oman, and the foreign minister affirming an exchange of messages through
the Swiss embassy, which Khamenei's stored denial (004) contradicts.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api import create_app
from api.documents import make_router
from kg.build import build
from kg.cli import app as cli
from kg.config import Settings
from kg.gephi_read import SUMMARY_PREDICATE
from kg.namespaces import GRAPH_CONTRADICTIONS, ID
from kg.store import GraphStore
from tests.conftest import ROOT, settings_for
from tests.ingest.conftest import KEY_004

ARTICLE = Path(__file__).parent / "articles" / "muscat_denial.txt"
KHAMENEI_DENIAL = f"{ID}claim/{KEY_004}/khamenei-denies-message-to-us"
runner = CliRunner()


@pytest.fixture
def seed_settings(tmp_path: Path) -> Settings:
    settings = settings_for(tmp_path / "store")
    _, store = build(settings)
    store.close()
    return settings


def _nquads(settings: Settings) -> list[str]:
    store = GraphStore.open(settings.store_path)
    try:
        return store.canonical_nquads()
    finally:
        store.close()


def _check(report: dict[str, object]) -> None:
    """What the extractor must find in the article, whatever its exact wording of summaries."""
    claims = report["claims"]
    assert isinstance(claims, list) and claims
    minister = [c for c in claims if c["claimant"] == f"{ID}actor/amir-abdollahian"]
    assert any(c["stance"] == "affirms" and c["kind"] == "message-exchange" for c in minister), minister
    assert any(c["stance"] == "denies" for c in claims)
    for c in claims:
        assert ARTICLE.read_text(encoding="utf-8")[c["start"] : c["end"]] == c["quote"]
    actors = {a["iri"]: a for a in report["actors"]}  # type: ignore[union-attr]
    outlet = next(a for a in actors.values() if "outlet" in a["roles"])
    assert (outlet["label"], outlet["known"], outlet["reviewed"]) == ("Gulf Wire Service", False, False)
    assert {f"{ID}actor/iran", f"{ID}actor/us"} <= set(actors)
    firsts_and_seconds = {x for c in report["contradictions"] for x in (c["first"], c["second"])}  # type: ignore[union-attr]
    assert KHAMENEI_DENIAL in firsts_and_seconds
    assert report["validation"] == {"conforms": True, "results": []}


def test_cli_ingest_dry_run_then_store_then_repeat(
    seed_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KG_HOME", str(ROOT))
    store = str(seed_settings.store_path)
    options = ["--outlet", "Gulf Wire Service", "--published", "2024-06-12", "--store", store]
    before = _nquads(seed_settings)

    dry = runner.invoke(cli, ["ingest", str(ARTICLE), *options, "--dry-run", "--format", "json"])
    assert dry.exit_code == 0, dry.output
    report = json.loads(dry.output)
    assert report["dry_run"] is True and report["stored"] is False
    _check(report)
    assert _nquads(seed_settings) == before

    text = runner.invoke(cli, ["ingest", str(ARTICLE), *options, "--dry-run"])
    assert text.exit_code == 0
    assert text.output.startswith(f"dry run, nothing written; would add: {ID}doc/{report['key']}")
    assert "[new, unreviewed] Gulf Wire Service (outlet)" in text.output
    assert (
        "contradictions with stored claims:" in text.output
        and KHAMENEI_DENIAL.removeprefix(ID) in text.output
    )

    stored = runner.invoke(cli, ["ingest", str(ARTICLE), *options])
    assert stored.exit_code == 0, stored.output
    assert stored.output.startswith(f"stored: {ID}doc/{report['key']}")
    after = _nquads(seed_settings)
    in_graph = [q for q in after if q.endswith(f"<{report['graph']}> .")]
    assert len(in_graph) == report["quads"]
    assert len(after) > len(before) + report["quads"]  # and the contradictions with stored claims

    again = runner.invoke(cli, ["ingest", str(ARTICLE), *options])
    assert again.exit_code == 0 and again.output.startswith("already stored:")
    assert _nquads(seed_settings) == after

    retracted = runner.invoke(cli, ["retract", report["key"], "--reason", "test article", "--store", store])
    assert retracted.exit_code == 0, retracted.output
    # As before, but for the record of the retraction and the contradictions graph's export
    # summary: ingest added contradictions, so it dropped that summary (derived data, written
    # again by the next build) and the export reads the graph itself meanwhile.
    summary = f"<{GRAPH_CONTRADICTIONS.value}> <{SUMMARY_PREDICATE}>"
    assert any(q.startswith(summary) for q in before)
    assert [q for q in _nquads(seed_settings) if "graph/retractions" not in q] == [
        q for q in before if not q.startswith(summary)
    ]


def test_cli_reads_standard_input(seed_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KG_HOME", str(ROOT))
    result = runner.invoke(
        cli,
        ["ingest", "-", "--dry-run", "--format", "json", "--store", str(seed_settings.store_path)],
        input=ARTICLE.read_bytes(),
    )
    assert result.exit_code == 0, result.output
    assert (
        json.loads(result.output)["title"] == "Tehran denies holding direct talks with Washington in Muscat"
    )


def test_post_with_the_real_extractor(seed_settings: Settings) -> None:
    settings = seed_settings.model_copy(update={"api_key": "k"})
    app = create_app(settings)  # mounts the write routes, since a key is set
    if "post" not in app.openapi()["paths"].get("/documents", {}):
        app.include_router(make_router(settings))
        app.openapi_schema = None
    with TestClient(app) as client:
        r = client.post(
            "/documents",
            json={
                "text": ARTICLE.read_text(encoding="utf-8"),
                "outlet": "Gulf Wire Service",
                "published": "2024-06-12",
            },
            headers={"X-API-Key": "k"},
        )
        assert r.status_code == 201, r.text
        _check(r.json())
        assert client.get("/healthz").json()["documents"] == 6
