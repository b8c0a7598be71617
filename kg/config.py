"""Configuration, read once from ``KG_*`` environment variables and passed around explicitly."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Where the sources and the store live.

    Relative paths are taken from ``home`` (default: the current directory, i.e. the checkout),
    so the same settings work for the CLI, the tests and a service started elsewhere.
    """

    model_config = SettingsConfigDict(env_prefix="KG_", extra="ignore")

    home: Path = Field(default_factory=Path.cwd, description="project root holding ontology/ and corpus/")
    store: str = Field(
        default="data/store",
        description="path of the embedded Oxigraph store, or 'memory' for an in-memory store",
    )
    corpus: Path = Field(default=Path("corpus"), description="corpus directory")
    ontology: Path = Field(default=Path("ontology"), description="ontology directory")
    shapes: Path = Field(default=Path("shapes"), description="SHACL shapes directory")
    queries: Path = Field(default=Path("queries"), description="named SPARQL queries directory (*.rq)")
    max_document_bytes: int = Field(default=2_000_000, gt=0, description="largest accepted text")
    sparql_query_url: str | None = Field(
        default=None,
        description="query URL of a remote SPARQL 1.1 engine; when set, it is the store (not 'store')",
    )
    sparql_update_url: str | None = Field(
        default=None, description="update URL of the remote engine (default: the query URL)"
    )
    remote_timeout: float = Field(default=60.0, gt=0, description="seconds to wait for the remote engine")
    query_timeout: float = Field(
        default=30.0, gt=0, description="time limit in seconds for one query sent to /sparql"
    )
    query_max_results: int = Field(
        default=100_000, gt=0, description="most rows (or triples) one /sparql answer may carry"
    )
    query_workers: int = Field(
        default=4, gt=0, description="queries /sparql evaluates at once; others wait within their time limit"
    )
    access_log: bool = Field(default=True, description="whether 'kg serve' logs every request")
    host: str = Field(default="127.0.0.1", description="address 'kg serve' binds")
    port: int = Field(default=8000, gt=0, lt=65536, description="port 'kg serve' listens on")
    api_key: str | None = Field(
        default=None, description="key for the write routes; when unset they are not mounted"
    )

    @property
    def backend(self) -> str:
        """'remote', 'memory' or 'embedded', as the other settings imply."""
        if self.sparql_query_url:
            return "remote"
        return "memory" if self.store == "memory" else "embedded"

    def resolve(self, path: Path) -> Path:
        return path if path.is_absolute() else self.home / path

    @property
    def corpus_dir(self) -> Path:
        return self.resolve(self.corpus)

    @property
    def ontology_dir(self) -> Path:
        return self.resolve(self.ontology)

    @property
    def shapes_dir(self) -> Path:
        return self.resolve(self.shapes)

    @property
    def queries_dir(self) -> Path:
        return self.resolve(self.queries)

    @property
    def store_path(self) -> Path | None:
        """The on-disk store directory, or None for an in-memory store."""
        if self.store == "memory":
            return None
        return self.resolve(Path(self.store))
