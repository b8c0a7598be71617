"""The FastAPI application factory.

Built by ``create_app(settings)`` rather than at import time, so tests and deployments make apps
with their own settings. The store is opened once per app and handed to routes as a dependency.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from pydantic import BaseModel

from api import documents, queries, rest, sparql, ui
from api.deps import StoreDep
from api.export import router as export_router
from kg import __version__
from kg import stats as stats_mod
from kg.config import Settings
from kg.queries import load_catalogue
from kg.store import GraphStore, open_store


class Health(BaseModel):
    status: str
    version: str
    quads: int
    documents: int


class StatsOut(BaseModel):
    quads: int
    graphs: int
    classes: dict[str, int]
    documents: list[stats_mod.DocumentStats]
    contradictions: dict[str, int]


def create_app(settings: Settings | None = None, store: GraphStore | None = None) -> FastAPI:
    """The app over ``store`` if given (``kg serve`` opens or builds it first), else the configured one.

    The app owns the store either way and closes it on shutdown.
    """
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.store = store if store is not None else open_store(settings)
        app.state.settings = settings
        try:
            yield
        finally:
            app.state.store.close()

    app = FastAPI(
        title="Back-channel claims knowledge graph",
        version=__version__,
        summary=(
            "Who says what about diplomatic back channels, where, in which words, and who says the opposite."
        ),
        lifespan=lifespan,
    )

    @app.get("/healthz", response_model=Health, summary="Liveness and what the store holds")
    def healthz(store: StoreDep) -> Health:
        docs = store.select("SELECT (COUNT(?d) AS ?n) WHERE { ?d a bc:Document }")
        return Health(status="ok", version=__version__, quads=len(store), documents=int(docs[0]["n"].value))

    @app.get(
        "/stats",
        response_model=StatsOut,
        summary="Counts per class, per document and per point of disagreement",
    )
    def stats(store: StoreDep) -> StatsOut:
        s = stats_mod.compute(store)
        return StatsOut(
            quads=s.quads,
            graphs=s.graphs,
            classes=dict(s.classes),
            documents=s.documents,
            contradictions=dict(s.contradictions),
        )

    catalogue = load_catalogue(settings.queries_dir)
    app.include_router(ui.make_router(catalogue))
    app.include_router(queries.make_router(catalogue))
    app.include_router(rest.router)
    app.include_router(export_router)
    if settings.api_key:  # no key configured: the write routes do not exist at all
        app.include_router(documents.make_router(settings))
    sparql.mount(app)
    return app
