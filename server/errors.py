"""The JSON-RPC errors the server answers with; messages are shown to the user as they are."""

from __future__ import annotations

from pygls.exceptions import JsonRpcException, JsonRpcInvalidParams

# LSP's RequestFailed: the request was well formed but could not be served (yet).
REQUEST_FAILED = -32803


def invalid(message: str) -> JsonRpcInvalidParams:
    """InvalidParams (-32602) with a message naming the bad input."""
    return JsonRpcInvalidParams(message=message)


def failed(message: str) -> JsonRpcException:
    """RequestFailed (-32803): e.g. indexing is still running, or the folder failed to open."""
    return JsonRpcException(message=message, code=REQUEST_FAILED)
