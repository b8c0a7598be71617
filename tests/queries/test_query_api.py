"""The named queries over HTTP (the router ``create_app`` mounts), through real requests on a real store."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api import create_app
from api.queries import negotiate
from kg.build import build
from kg.namespaces import BC, ID
from tests.conftest import settings_for


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    path = tmp_path_factory.mktemp("api-queries") / "store"
    _, store = build(settings_for(path))
    store.close()
    with TestClient(create_app(settings_for(path))) as c:
        yield c


def test_the_catalogue(client: TestClient) -> None:
    response = client.get("/queries")
    assert response.status_code == 200
    body = response.json()
    names = [q["name"] for q in body]
    assert names == sorted(names) and len(names) >= 7 and "messages_between" in names
    timeline = next(q for q in body if q["name"] == "timeline")
    assert timeline["url"] == "/queries/timeline"
    assert timeline["summary"].startswith("A timeline of claims")
    assert [(p["name"], p["type"], p["required"]) for p in timeline["parameters"]] == [
        ("from", "date", False),
        ("to", "date", False),
        ("document", "document", False),
    ]
    assert timeline["columns"][0] == {
        "name": "stated",
        "description": "When the claim was made (the best date, else the latest, else the earliest it can "
        "have been made).",
    }
    assert "SELECT ?stated" in timeline["sparql"]
    for q in body:
        assert (
            client.get(q["url"], params={p["name"]: p["example"] for p in q["parameters"]}).json()["count"]
            > 0
        )


def test_an_answer_as_json(client: TestClient) -> None:
    response = client.get("/queries/messages_between")
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["query"] == "messages_between" and body["count"] == 21 == len(body["rows"])
    assert body["columns"][:3] == ["actor", "other", "claim"]
    swiss = [r for r in body["rows"] if r["channel"] == f"{ID}channel/swiss-interests-section"]
    assert swiss == [
        {
            "actor": f"{ID}actor/iran",
            "other": f"{ID}actor/us",
            "claim": f"{ID}claim/e0e1bd622dfe11ac/fm-messages-via-swiss-interests-section",
            "claimant": f"{ID}actor/amir-abdollahian",
            "claimant_label": "Hossein Amir-Abdollahian",
            "stance": f"{BC}Affirms",
            "kind": f"{BC}MessageExchange",
            "sender": None,
            "recipient": None,
            "channel": f"{ID}channel/swiss-interests-section",
            "channel_label": "Swiss protecting-power channel",
            "intermediary": f"{ID}actor/us-interests-section-tehran",
            "direct": False,
            "stated": "2023-11-16",
            "document": f"{ID}doc/e0e1bd622dfe11ac",
            "title": "Iran told US it did not want Israel-Hamas war to escalate",
            "quote": "Over the past 40 days, messages have been exchanged between Iran and the US, via the US "
            "interests section at the Swiss embassy in Tehran",
        }
    ]
    counts = client.get("/queries/actors_in_documents", params={"actor": "khamenei"}).json()["rows"]
    assert [(r["claims"], r["claims_made"]) for r in counts] == [(6, 6)]


def test_parameters_in_the_query_string(client: TestClient) -> None:
    body = client.get("/queries/claims_of_actor", params={"name": "Khamenei", "stance": "denies"}).json()
    assert body["count"] == 4 and {r["stance"] for r in body["rows"]} == {f"{BC}Denies"}
    body = client.get(
        "/queries/timeline", params={"from": "2024-01-01", "document": "000_9ccd7f39ddaf9104"}
    ).json()
    assert body["count"] == 10 and {r["from"] for r in body["rows"]} == {"2024-01-01"}


@pytest.mark.parametrize(
    ("url", "params", "detail"),
    [
        ("/queries/timeline", {"from": "2024-13-01"}, "parameter 'from': '2024-13-01' is not a calendar date"),
        ("/queries/claims_of_actor", {}, "parameter 'name' is required for query 'claims_of_actor'"),
        ("/queries/timeline", {"year": "2024"}, "unknown parameter 'year' for query 'timeline'; it takes: from, to, document"),
        ("/queries/messages_between", {"actor": "irn"}, "parameter 'actor': no actor actor:irn in the store"),
        ("/queries/messages_between", {"actor": "Iran's FM"}, "parameter 'actor': \"Iran's FM\" is neither an id nor an IRI"),
        ("/queries/contradictions", {"point": "tone"}, "parameter 'point': 'tone' is not one of the choices"),
    ],
)  # fmt: skip
def test_a_bad_parameter_is_a_422_naming_it(
    client: TestClient, url: str, params: dict[str, str], detail: str
) -> None:
    response = client.get(url, params=params)
    assert response.status_code == 422
    assert detail in response.json()["detail"]


def test_a_repeated_parameter_is_refused(client: TestClient) -> None:
    response = client.get("/queries/contradictions?point=occurrence&point=directness")
    assert response.status_code == 422
    assert response.json() == {"detail": "parameter 'point' is given more than once"}


def test_an_unknown_query_is_a_404_listing_the_queries(client: TestClient) -> None:
    response = client.get("/queries/who_said_what")
    assert response.status_code == 404
    detail = response.json()["detail"]
    assert detail.startswith("no named query 'who_said_what'; the queries are: actors_by_name, ")
    assert "timeline" in detail and "messages_between" in detail


def test_csv_on_request(client: TestClient) -> None:
    response = client.get(
        "/queries/contradictions", params={"point": "directness"}, headers={"Accept": "text/csv"}
    )
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    table = list(csv.reader(io.StringIO(response.text)))
    assert table[0][:3] == ["contradiction", "point", "first_claim"] and len(table) == 7
    assert {row[1] for row in table[1:]} == {f"{BC}DirectnessPoint"}
    refused = client.get("/queries/contradictions", headers={"Accept": "application/xml"})
    assert refused.status_code == 406 and "application/json or text/csv" in refused.json()["detail"]


def test_negotiation() -> None:
    assert negotiate(None) == negotiate("*/*") == negotiate("application/*") == "application/json"
    assert negotiate("text/csv") == negotiate("text/*, application/json;q=0.5") == "text/csv"
    assert negotiate("text/csv;q=0.5, application/json") == "application/json"
    assert negotiate("text/html, */*;q=0.1") == "application/json"
    assert negotiate("text/csv;q=0, application/xml") is None


def test_openapi_documents_each_query(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    timeline = spec["paths"]["/queries/timeline"]["get"]
    assert timeline["summary"].startswith("A timeline of claims")
    assert timeline["operationId"] == "query_timeline"
    params = {p["name"]: p for p in timeline["parameters"]}
    assert set(params) == {"from", "to", "document"}
    assert (
        params["from"]["schema"] == {"type": "string", "format": "date"} and params["from"]["in"] == "query"
    )
    assert params["from"]["example"] == "2024-01-01" and params["from"]["required"] is False
    claims = {p["name"]: p for p in spec["paths"]["/queries/claims_of_actor"]["get"]["parameters"]}
    assert claims["name"]["required"] is True
    assert claims["stance"]["schema"] == {"type": "string", "enum": ["affirms", "denies"]}
    between = {p["name"]: p for p in spec["paths"]["/queries/messages_between"]["get"]["parameters"]}
    assert between["actor"]["schema"] == {"type": "string", "default": "iran"}
    answer = timeline["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    row = spec["components"]["schemas"][answer]["properties"]["rows"]["items"]["$ref"].rsplit("/", 1)[-1]
    assert list(spec["components"]["schemas"][row]["properties"])[:3] == ["stated", "date_status", "claim"]
    assert "text/csv" in timeline["responses"]["200"]["content"]
    assert "/queries/{name}" not in spec["paths"]
