"""The ``kg`` command as installed: the library's commands plus ``serve``, which starts the web layer.

``kg/`` knows nothing of HTTP, so the one command that runs the service is added here, where both
layers may be imported; the console script points at this module.
"""

from __future__ import annotations

from typing import Annotated

import typer

from kg.cli import CorpusOpt, StoreOpt, _build_with_progress, _errors, _settings, app, main, out
from kg.store import GraphStore, open_store


@app.command()
def serve(
    store: StoreOpt = None,
    corpus: CorpusOpt = None,
    host: Annotated[str, typer.Option(help="address to bind (env KG_HOST)")] = "",
    port: Annotated[int, typer.Option(help="port to listen on (env KG_PORT)")] = 0,
) -> None:
    """Serve the SPARQL endpoint, the REST API and the query UI; build the seed corpus first if empty.

    The store is opened (or built) here, with progress on the terminal, and handed to the app, so
    an in-memory store is the one the app serves.
    """
    import uvicorn  # the web layer, loaded by this command only: the others start faster without it

    from api.app import create_app

    settings = _settings(store, corpus)
    with _errors():
        path = settings.store_path
        graph_store: GraphStore
        if settings.backend == "embedded" and path is not None and not path.exists():
            graph_store = _build_with_progress(settings, quiet=True)
        else:
            graph_store = open_store(settings)
            if graph_store.is_empty():
                graph_store.close()
                graph_store = _build_with_progress(settings, quiet=True)
    bind_host = host or settings.host
    bind_port = port or settings.port
    out.print(f"serving the {settings.backend} store on http://{bind_host}:{bind_port}/ (API docs at /docs)")
    uvicorn.run(
        create_app(settings, store=graph_store),
        host=bind_host,
        port=bind_port,
        log_level="info",
        access_log=settings.access_log,
    )


__all__ = ["app", "main", "serve"]

if __name__ == "__main__":
    main()
