"""One error hierarchy for the whole library.

Each error carries what a person or a client can act on (the file, the entry, the problem); the
CLI prints it and exits non-zero, the HTTP layer maps it to a status code. Nothing here knows
about HTTP.
"""

from __future__ import annotations

from dataclasses import dataclass


class KGError(Exception):
    """Base of every error the library raises on purpose."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one input: where it is and what is wrong."""

    file: str
    entry: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}: {self.entry}" if self.entry else self.file
        return f"{where}: {self.message}"


class CorpusRejected(KGError):
    """The corpus (or one document of it) cannot be compiled; nothing was written."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{len(problems)} problem(s) in the corpus; the store was not changed:\n{lines}")


class NotFound(KGError):
    """A document, claim or actor that is not in the store."""


class InvalidParameter(KGError):
    """A value given by the user that cannot be used (bad format name, bad path, bad date)."""


class StoreError(KGError):
    """The store cannot be opened or written (locked, corrupt, unwritable path)."""


class ExportFailed(KGError):
    """Writing an export failed after it started (the process writing its edges did not finish)."""


class IngestRejected(KGError):
    """A new document failed a check (metadata, extraction, shapes); nothing was stored.

    ``report`` is the ingest report as JSON-ready data (claims, actors, validation results), so
    a client can see what would have been added and what is wrong with it.
    """

    def __init__(self, problems: list[Problem], report: dict[str, object] | None = None) -> None:
        self.problems = problems
        self.report = report
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(
            f"the document was rejected ({len(problems)} problem(s)); nothing was stored:\n{lines}"
        )


class InvalidSparql(InvalidParameter):
    """A SPARQL request that cannot be run: malformed, missing, doubled, an update, or SERVICE."""


class UnsupportedMediaType(InvalidParameter):
    """A request body in a media type (or charset) the operation does not read."""


class NotAcceptable(KGError):
    """None of the formats the client accepts can carry this answer; ``available`` lists those that can."""

    def __init__(self, message: str, available: list[str]) -> None:
        self.available = available
        super().__init__(message)


class QueryTimeout(KGError):
    """A query ran (or waited) longer than its time limit; no partial answer was sent."""


class ResultTooLarge(KGError):
    """An answer would carry more rows or triples than the limit; no partial answer was sent."""
