"""Back-channel claims knowledge graph: the library behind the CLI and the HTTP service.

Everything here works without HTTP; ``api/`` is a thin layer over it.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("backchannel-kg")
except PackageNotFoundError:  # running from a checkout that was never installed
    __version__ = "0+unknown"
