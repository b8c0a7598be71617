"""rdflib-endpoint over an N-Quads file, for the service benchmark's side-by-side comparison.

``python -m bench.rdflib_endpoint_server DUMP.nq PORT``: loads the dump into an rdflib Dataset whose
default graph is the union of the named graphs (as the project's queries expect) and serves it
with rdflib-endpoint's FastAPI app on 127.0.0.1:PORT.
"""

from __future__ import annotations

import sys

import rdflib
import uvicorn
from rdflib_endpoint import SparqlEndpoint


def main(argv: list[str]) -> None:
    dump, port = argv[0], int(argv[1])
    dataset = rdflib.Dataset(default_union=True)
    dataset.parse(dump, format="nquads")
    app = SparqlEndpoint(graph=dataset, public_url=f"http://127.0.0.1:{port}/", cors_enabled=False)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


if __name__ == "__main__":
    main(sys.argv[1:])
