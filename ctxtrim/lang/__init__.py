"""Per-file outlines: definitions, imports and references, by tree-sitter or a line fallback.

Public API (used by the index): `detect_language`, `TREE_SITTER_LANGUAGES`, `outline`.
"""

from __future__ import annotations

from ..outline import Outline
from .detect import PROSE, TREE_SITTER_LANGUAGES, detect_language, parse_language

__all__ = [
    "PROSE",
    "TREE_SITTER_LANGUAGES",
    "detect_language",
    "outline",
    "MAX_CHARS",
    "MAX_AVG_LINE",
]

# Above these, tree-sitter is skipped: huge files are generated or data, and a parse of a
# minified bundle costs time while its outline tells an assistant nothing.
MAX_CHARS = 1_000_000  # len(text), i.e. characters; ~bytes for code
MAX_AVG_LINE = 500
_MACRO_LANGUAGES = frozenset({"c", "cpp"})  # declaration macros hidden before parsing
_MINIFIED_MIN_SIZE = 20_000  # short one-liners are cheap to parse and may be real code


def outline(text: str, language: str | None) -> Outline:
    """Return the outline of `text`. Never raises; `Outline.error` says why a fallback was used."""
    try:
        return _outline(text, language)
    except Exception as exc:  # a last resort: the index must never fail on one file
        reason = f"outline failed: {type(exc).__name__}"
        try:
            return _fallback(text, language, error=reason)
        except Exception:
            return Outline(language or "text", error=reason)


def _fallback(text: str, language: str | None, error: str | None = None) -> Outline:
    # Imported here: a warm pack takes every outline from the cache and never needs the
    # line heuristics (their patterns take ~3 ms to compile).
    from .fallback import fallback_outline

    return fallback_outline(text, language, error=error)


def _outline(text: str, language: str | None) -> Outline:
    if language in PROSE:
        return _fallback(text, language)
    size = len(text)
    if size > _MINIFIED_MIN_SIZE and size / (text.count("\n") + 1) > MAX_AVG_LINE:
        # Checked first: even the line heuristics are wasted on a bundle or a data blob.
        return Outline(language or "text", error="minified")
    if language not in TREE_SITTER_LANGUAGES:
        return _fallback(text, language)
    if size > MAX_CHARS:
        return _fallback(text, language, error="too large")
    return _tree_sitter(text, language)


def _tree_sitter(text: str, language: str) -> Outline:
    # Imported here so that merely importing ctxtrim.lang does not load tree-sitter.
    from .macros import mask_macros
    from .treesitter import GrammarError, parse_outline

    language = parse_language(language, text)
    source = mask_macros(text) if language in _MACRO_LANGUAGES else text
    try:
        result, broken = parse_outline(source, language)
    except GrammarError as exc:
        return _fallback(text, language, error=str(exc))
    except Exception as exc:
        return _fallback(text, language, error=f"tree-sitter failed: {type(exc).__name__}")
    if broken and not result.symbols:
        # A tree so broken that it yields no definitions: the line heuristic may do better.
        guess = _fallback(text, language, error="parse error")
        if guess.symbols:
            return guess
    # Tree-sitter recovers well from local errors (macros, new syntax): keep its outline.
    return result
