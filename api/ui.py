"""The browser query page: YASGUI, vendored, over this server's own ``/sparql``.

Users run the service on closed networks, so the page loads nothing from another host: the
editor's files are served from ``api/static`` by the routes below, and a Content-Security-Policy
header makes the browser refuse anything else (a query typed against a remote endpoint included).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict
from html import escape
from pathlib import Path
from typing import Final

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse, HTMLResponse

from kg import examples as examples_mod
from kg.namespaces import PREFIXES
from kg.queries import NamedQuery

STATIC_DIR: Final = Path(__file__).resolve().parent / "static"
YASGUI_PACKAGE: Final = "@zazuko/yasgui"
YASGUI_VERSION: Final = "4.6.2"

# What /static serves: an allow-list rather than a directory, so refresh.sh and the README beside
# the vendored files are never served, and no request path reaches the file system unchecked.
STATIC_FILES: Final[Mapping[str, str]] = {
    "ui.js": "text/javascript; charset=utf-8",
    "ui.css": "text/css; charset=utf-8",
    "yasgui/yasgui.min.js": "text/javascript; charset=utf-8",
    "yasgui/yasgui.min.css": "text/css; charset=utf-8",
    "yasgui/LICENSE": "text/plain; charset=utf-8",
    "yasgui/THIRD-PARTY-NOTICES.txt": "text/plain; charset=utf-8",
}

# 'unsafe-inline' styles: YASGUI and DataTables write style attributes into the markup they build.
CONTENT_SECURITY_POLICY: Final = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)

SPARQL_ENDPOINT: Final = "/sparql"


def _script_json(value: object) -> str:
    """JSON that cannot end its <script> element early: every '<', '>' and '&' becomes an escape."""
    text = json.dumps(value, ensure_ascii=False, indent=1)
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(char, escaped)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def page_config(items: list[examples_mod.Example]) -> dict[str, object]:
    """What ui.js needs: where to send queries, the examples, and the prefixes that shorten IRIs."""
    return {
        "endpoint": SPARQL_ENDPOINT,
        "catalogue": examples_mod.digest(items),
        # longest namespace first: the table shortens with the first match, and actor: beats id:
        "prefixes": dict(sorted(PREFIXES.items(), key=lambda kv: -len(kv[1]))),
        "examples": [asdict(e) for e in items],
    }


def render_page(catalogue: Mapping[str, NamedQuery]) -> str:
    items = examples_mod.examples(catalogue.values())
    config = page_config(items)
    buttons = "\n".join(
        f'      <li><button type="button" data-example="{escape(e.name)}">{escape(e.name)}</button>'
        f' <span class="summary">{escape(e.summary)}</span></li>'
        for e in items
    )
    return f"""<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Back-channel claims knowledge graph · SPARQL query</title>
  <link rel="icon" href="data:,">
  <link rel="stylesheet" href="/static/yasgui/yasgui.min.css">
  <link rel="stylesheet" href="/static/ui.css">
</head>
<body>
  <header>
    <h1>Back-channel claims knowledge graph</h1>
    <p>Ask the graph in SPARQL. Every statement in it is a claim: who made it, in which document and
    words, when, whether it affirms or denies, and which claims say the opposite. Queries run
    read-only against <code>{SPARQL_ENDPOINT}</code> on this server, over the union of all
    document graphs.</p>
    <p>The examples below are the service's named queries, also served as REST routes under
    <a href="/queries">/queries</a>; the whole HTTP interface is described at <a href="/docs">/docs</a>.</p>
  </header>
  <section id="examples" aria-labelledby="examples-title">
    <h2 id="examples-title">Example queries</h2>
    <ul>
{buttons}
    </ul>
  </section>
  <main id="yasgui"></main>
  <footer>Query editor: YASGUI ({YASGUI_PACKAGE} {YASGUI_VERSION}, MIT;
    <a href="/static/yasgui/LICENSE">licence</a>,
    <a href="/static/yasgui/THIRD-PARTY-NOTICES.txt">third-party notices</a>),
    served from this server.</footer>
  <script type="application/json" id="kg-config">{_script_json(config)}</script>
  <script src="/static/yasgui/yasgui.min.js"></script>
  <script src="/static/ui.js"></script>
</body>
</html>
"""


def make_router(catalogue: Mapping[str, NamedQuery]) -> APIRouter:
    """The page (rendered once: it depends on the catalogue only) and its static files."""
    router = APIRouter(tags=["browser"])
    html = render_page(catalogue)

    @router.get(
        "/", response_class=HTMLResponse, summary="The SPARQL query page (YASGUI) with example queries"
    )
    def page() -> HTMLResponse:
        return HTMLResponse(
            html,
            headers={"Content-Security-Policy": CONTENT_SECURITY_POLICY, "X-Content-Type-Options": "nosniff"},
        )

    @router.get("/static/{path:path}", include_in_schema=False)
    def static(path: str) -> FileResponse:
        media_type = STATIC_FILES.get(path)
        if media_type is None:
            raise HTTPException(status_code=404, detail=f"no static file {path!r}")
        return FileResponse(
            STATIC_DIR / path,
            media_type=media_type,
            headers={"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"},
        )

    return router
