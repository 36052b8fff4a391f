"""Rule files in the editor: diagnostics, section token counts, and what each tool loads."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .app import CtxtrimServer


def register(server: CtxtrimServer) -> None:
    """Attach the rule-file features (diagnostics, code lens, hover)."""


def on_change(ls: CtxtrimServer, uri: str, immediate: bool = False) -> None:
    """A rule file's buffer changed: re-check it (debounced unless `immediate`)."""


def on_close(ls: CtxtrimServer, uri: str) -> None:
    """A rule file was closed: clear its diagnostics."""
