"""HTTP layer over ``kg``: routing and serialisation only, no logic of its own."""

from __future__ import annotations

from api.app import create_app

__all__ = ["create_app"]
