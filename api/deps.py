"""What every router shares: the store as a dependency, and the one shape of an error answer.

The app factory puts the store and the settings on ``app.state``; routes take them through these
dependencies rather than reaching into the request, so each router stays a thin layer over kg/.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import JSONResponse

from kg.store import GraphStore


def get_store(request: Request) -> GraphStore:
    store: GraphStore = request.app.state.store
    return store


StoreDep = Annotated[GraphStore, Depends(get_store)]


def problem(status: int, message: str, **extra: Any) -> JSONResponse:
    """An error answer: ``{"detail": message}`` plus any extra fields (suggestions, a report)."""
    return JSONResponse(status_code=status, content={"detail": message, **extra})
