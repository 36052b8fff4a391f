"""Logging of the servers (`serve`, `mcp`): to stderr, since stdout carries the protocol, at
the level `CTXTRIM_LOG_LEVEL` names (WARNING by default)."""

from __future__ import annotations

import logging
import os
import sys

from ctxtrim.errors import CtxtrimError

LEVEL_VARIABLE = "CTXTRIM_LOG_LEVEL"
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
# Protocol libraries that log every message they send or handle at INFO (pygls a whole pack
# each): heard only at DEBUG, so that INFO is the server's own account of its work.
CHATTY = ("pygls", "mcp")


def configure(name: str) -> None:
    """Log as `name` at the level asked for; a level that does not exist is an error."""
    asked = os.environ.get(LEVEL_VARIABLE, "").strip()
    level = asked.upper() or "WARNING"
    if level not in LEVELS:
        raise CtxtrimError(
            f"{LEVEL_VARIABLE}={asked!r} is not a log level "
            f"(choose from {', '.join(lv.lower() for lv in LEVELS)})"
        )
    logging.basicConfig(
        level=level, stream=sys.stderr, format=f"{name} %(levelname)s %(name)s: %(message)s"
    )
    if level != "DEBUG":
        for library in CHATTY:
            logging.getLogger(library).setLevel(logging.WARNING)
