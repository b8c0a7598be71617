"""HTTP layer over ``kg``: routing and serialisation only, no logic of its own.

``create_app`` is loaded on first use, so that the ``kg`` command (``api.cli``) starts without
FastAPI unless it serves.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from api.app import create_app

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from api.app import create_app

        return create_app
    raise AttributeError(f"module 'api' has no attribute {name!r}")
