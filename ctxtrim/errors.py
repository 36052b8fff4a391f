"""Errors that reach a user as a one-line message (exit code 2), never as a traceback."""

from __future__ import annotations


class CtxtrimError(Exception):
    """A bad input or an unusable environment; the message names the problem and the fix."""


class EncodingUnavailable(CtxtrimError):
    """The requested tokenizer encoding cannot be loaded without a network."""
