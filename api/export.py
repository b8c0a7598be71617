"""Gephi exports over HTTP: ``GET /export/{view}.gexf`` and ``GET /export/{view}.graphml``.

Only HTTP here: the path and query are parsed by ``kg.gephi`` (which names what is wrong), the
graph is laid out before the response starts (so a bad request gets a 4xx with a JSON body,
never half a file), then streamed in chunks.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse, StreamingResponse

from api.deps import StoreDep, problem
from kg import gephi
from kg.errors import InvalidParameter

router = APIRouter(prefix="/export", tags=["export"])

_MEDIA = ", ".join(f"{f}: {m}" for f, m in gephi.GRAPH_FORMATS.items())


@router.get(
    "/{target}",
    summary="A Gephi graph of the actors or the claims (GEXF 1.3 or GraphML)",
    description=(
        "`target` is `actors.gexf`, `actors.graphml`, `claims.gexf` or `claims.graphml`. "
        "GEXF is dynamic: statement dates are node and edge start times for Gephi's timeline. "
        f"Media types: {_MEDIA}."
    ),
    response_class=StreamingResponse,
    response_model=None,
    responses={
        200: {"content": {m: {} for m in gephi.GRAPH_FORMATS.values()}},
        404: {"description": "unknown view or format"},
        422: {"description": "a date that is not YYYY-MM-DD, or from after to"},
    },
)
def export_graph(
    target: str,
    store: StoreDep,
    date_from: Annotated[
        str | None, Query(alias="from", description="claims stated on or after YYYY-MM-DD")
    ] = None,
    date_to: Annotated[
        str | None, Query(alias="to", description="claims stated on or before YYYY-MM-DD")
    ] = None,
) -> StreamingResponse | JSONResponse:
    view, dot, fmt = target.rpartition(".")
    if not dot:
        return problem(404, f"no export {target!r}; ask for <view>.<format>, e.g. actors.gexf")
    try:
        gephi.check_target(view, fmt)
    except InvalidParameter as e:
        return problem(404, str(e))
    try:
        graph = gephi.build(store, view, date_from, date_to)
    except InvalidParameter as e:
        return problem(422, str(e))
    return StreamingResponse(
        gephi.iter_bytes(graph, fmt),
        media_type=gephi.GRAPH_FORMATS[fmt],
        headers={"Content-Disposition": f'attachment; filename="{view}.{fmt}"'},
    )
