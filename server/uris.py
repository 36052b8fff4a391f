"""`file:` URIs as filesystem paths."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

from pygls.uris import to_fs_path


def uri_to_path(uri: str) -> Path | None:
    """The filesystem path of a `file:` URI, or None for any other scheme or a malformed URI."""
    if not isinstance(uri, str) or urlparse(uri).scheme != "file":
        return None
    path = to_fs_path(uri)
    return Path(path) if path else None
