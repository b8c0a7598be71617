"""The query page and its static files, through real HTTP requests (TestClient) over a real store."""

from __future__ import annotations

import json
from collections.abc import Iterator
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient

from api import create_app
from api.ui import STATIC_DIR, render_page
from kg.build import build
from kg.examples import examples
from kg.namespaces import PREFIXES
from kg.queries import Column, NamedQuery, load_catalogue
from tests.conftest import ROOT, settings_for


class Page(HTMLParser):
    """The parts of the page a browser acts on: what it loads, and the JSON configuration."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.assets: list[str] = []
        self.links: list[str] = []
        self.buttons: list[str] = []
        self.config_text = ""
        self._in_config = False
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "script" and a.get("src"):
            self.assets.append(str(a["src"]))
        if tag == "link" and a.get("href"):
            self.assets.append(str(a["href"]))
        if tag == "a" and a.get("href"):
            self.links.append(str(a["href"]))
        if tag == "button" and a.get("data-example"):
            self.buttons.append(str(a["data-example"]))
        self._in_config = tag == "script" and a.get("id") == "kg-config"

    def handle_endtag(self, tag: str) -> None:
        self._in_config = False

    def handle_data(self, data: str) -> None:
        if self._in_config:
            self.config_text += data

    @property
    def config(self) -> dict[str, object]:
        value: dict[str, object] = json.loads(self.config_text)
        return value


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    settings = settings_for(tmp_path_factory.mktemp("ui") / "store")
    _, store = build(settings)
    store.close()
    with TestClient(create_app(settings)) as c:
        yield c


def test_the_page_offers_every_named_query_and_points_yasgui_at_this_servers_endpoint(
    client: TestClient,
) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    csp = response.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "connect-src 'self'" in csp and "script-src 'self'" in csp
    page = Page(response.text)
    assert "<title>Back-channel claims knowledge graph · SPARQL query</title>" in response.text
    assert {"/docs", "/queries"} <= set(page.links)

    catalogue = load_catalogue(ROOT / "queries")
    assert {"actors_by_name", "claims_of_actor", "contradictions", "messages_between"} <= set(catalogue)
    assert page.buttons == sorted(catalogue)
    config = page.config
    assert config["endpoint"] == "/sparql"
    assert config["prefixes"] == PREFIXES
    assert config["examples"] == [
        {"name": e.name, "summary": e.summary, "query": e.query} for e in examples(catalogue.values())
    ]
    assert isinstance(config["examples"], list)
    shown = {e["name"]: e for e in config["examples"]}
    assert shown["claims_of_actor"]["summary"] == catalogue["claims_of_actor"].summary
    assert 'VALUES (?name) { ("ayatollahkhamenei") }' in shown["claims_of_actor"]["query"]


def test_every_asset_the_page_loads_is_served_here(client: TestClient) -> None:
    page = Page(client.get("/").text)
    assert page.assets == [
        "data:,",
        "/static/yasgui/yasgui.min.css",
        "/static/ui.css",
        "/static/yasgui/yasgui.min.js",
        "/static/ui.js",
    ]
    types = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}
    for asset in page.assets[1:]:
        response = client.get(asset)
        assert response.status_code == 200, asset
        assert response.headers["content-type"] == types[asset[asset.rindex(".") :]]
        assert response.content == (STATIC_DIR / asset.removeprefix("/static/")).read_bytes()
    for notice in ("/static/yasgui/LICENSE", "/static/yasgui/THIRD-PARTY-NOTICES.txt"):
        assert notice in page.links
        assert client.get(notice).status_code == 200
    assert "MIT License" in client.get("/static/yasgui/LICENSE").text


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("/static/yasgui/refresh.sh", "yasgui/refresh.sh"),
        ("/static/yasgui/README.md", "yasgui/README.md"),
        ("/static/nope.js", "nope.js"),
        ("/static/%2e%2e/ui.py", "../ui.py"),
        ("/static/yasgui/%2E%2E/%2E%2E/ui.py", "yasgui/../../ui.py"),
    ],
)
def test_only_the_listed_static_files_are_served(client: TestClient, url: str, path: str) -> None:
    response = client.get(url)
    assert response.status_code == 404
    assert response.json() == {"detail": f"no static file {path!r}"}


def test_query_text_cannot_break_out_of_the_page() -> None:
    text = 'SELECT ?s WHERE { ?s ?p "</script><script>alert(1)</script><!--" } ORDER BY ?s'
    hostile = NamedQuery(
        name="x",
        summary="<b>bold</b> & </script>",
        description="d",
        parameters=(),
        columns=(Column(name="s", description="s"),),
        text=text,
    )
    html = render_page({"x": hostile})
    assert "<script>alert" not in html and "<b>bold" not in html
    page = Page(html)
    assert page.buttons == ["x"]
    assert page.config["examples"] == [
        {"name": "x", "summary": "<b>bold</b> & </script>", "query": f"# <b>bold</b> & </script>\n{text}\n"}
    ]
