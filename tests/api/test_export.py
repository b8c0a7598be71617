"""GET /export/{view}.gexf and .graphml over a real on-disk store, through real HTTP requests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api import create_app
from kg.build import build
from tests.conftest import settings_for
from tests.kg.test_gephi import assert_graphml_matches, assert_reads_back_everywhere, assert_valid_gexf


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    settings = settings_for(tmp_path_factory.mktemp("export") / "store")
    _, store = build(settings)
    store.close()
    with TestClient(create_app(settings)) as c:
        yield c


@pytest.mark.parametrize("view", ["actors", "claims"])
def test_both_formats_of_each_view(client: TestClient, view: str, tmp_path: Path) -> None:
    gexf = client.get(f"/export/{view}.gexf")
    assert gexf.status_code == 200
    assert gexf.headers["content-type"] == "application/gexf+xml"
    assert gexf.headers["content-disposition"] == f'attachment; filename="{view}.gexf"'
    assert_valid_gexf(gexf.content)
    facts = assert_reads_back_everywhere(gexf.content, tmp_path / f"{view}.gexf")
    graphml = client.get(f"/export/{view}.graphml")
    assert graphml.status_code == 200
    assert graphml.headers["content-type"] == "application/graphml+xml"
    assert_graphml_matches(graphml.content, facts, tmp_path / f"{view}.graphml")
    assert client.get(f"/export/{view}.gexf").content == gexf.content  # same store, same bytes


def test_a_date_range(client: TestClient) -> None:
    whole = client.get("/export/claims.gexf").content
    part = client.get("/export/claims.gexf", params={"from": "2024-01-01", "to": "2024-12-31"})
    assert part.status_code == 200
    assert_valid_gexf(part.content)
    assert b'start="2024-01-01" end="2024-12-31"' in part.content and len(part.content) < len(whole)


@pytest.mark.parametrize(
    ("url", "status", "detail"),
    [
        ("/export/people.gexf", 404, "unknown export view 'people'; use one of actors, claims"),
        ("/export/actors.json", 404, "unknown graph export format 'json'; use one of gexf, graphml"),
        ("/export/actors", 404, "no export 'actors'; ask for <view>.<format>, e.g. actors.gexf"),
        (
            "/export/actors.gexf?from=2024-13-01",
            422,
            "'from' is not a calendar date: '2024-13-01' (month must be in 1..12)",
        ),
        ("/export/actors.graphml?to=yesterday", 422, "'to' must be a date as YYYY-MM-DD, not 'yesterday'"),
        (
            "/export/claims.gexf?from=2024-05-01&to=2024-01-01",
            422,
            "the date range is empty: from 2024-05-01 is after to 2024-01-01",
        ),
    ],
)
def test_bad_requests_get_a_json_error_naming_the_problem(
    client: TestClient, url: str, status: int, detail: str
) -> None:
    response = client.get(url)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"detail": detail}
