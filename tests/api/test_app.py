"""The app factory over a real on-disk store, through real HTTP requests (TestClient)."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from api import create_app
from kg.build import build
from tests.conftest import settings_for


def test_health_and_stats(tmp_path: Path) -> None:
    settings = settings_for(tmp_path / "store")
    _, store = build(settings)
    store.close()
    with TestClient(create_app(settings)) as client:
        health = client.get("/healthz")
        assert health.status_code == 200
        body = health.json()
        assert body["status"] == "ok" and body["documents"] == 5 and body["quads"] > 1000
        stats = client.get("/stats").json()
        assert stats["classes"]["Claim"] >= 36
        assert {d["source_file"] for d in stats["documents"]} == {
            f"{s}.txt"
            for s in (
                "000_9ccd7f39ddaf9104",
                "001_98d2358e564cccca",
                "002_c471b481292c7122",
                "003_28ca8b3639213b9e",
                "004_8ca7b8115da28cd5",
            )
        }
        assert stats["contradictions"]["OccurrencePoint"] >= 1
        assert client.get("/nope").status_code == 404


def test_an_empty_store_is_healthy_and_says_so(tmp_path: Path) -> None:
    with TestClient(create_app(settings_for(tmp_path / "empty"))) as client:
        body = client.get("/healthz").json()
        assert body["documents"] == 0 and body["quads"] == 0
