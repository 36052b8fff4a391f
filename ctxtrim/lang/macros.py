"""Hide C and C++ macros that tree-sitter cannot expand, so the definitions around them parse.

Libraries wrap declarations in macros of their own: `FMT_CONSTEXPR auto f()`, `FMT_EXPORT
template <...> struct S`, `SIMDJSON_INLINE bool g()`, `template <typename T,
FMT_ENABLE_IF(cond)>`. The grammar sees an unknown identifier where a type or keyword should
be and recovers by breaking the definition apart: whole headers come out as a handful of
bogus functions named after template parameters. Replacing such macros with spaces (same
length, so every byte offset and line stays where it was) leaves declarations the grammar
reads. Only macro spellings are touched (upper case with an underscore), never a
preprocessor line, and only where a macro cannot be an expression: before another word
(`FMT_CONSTEXPR auto`, `class LIB_API writer`), or as the last template parameter.
"""

from __future__ import annotations

import re

# `FMT_CONSTEXPR auto`, `FMT_EXPORT\ntemplate`, `FMT_BEGIN_NAMESPACE\n...`: a macro spelled in
# capitals, followed by a word on the same or the next line, at the start of a declaration.
_SPECIFIER = re.compile(r"(?m)^([ \t]*)((?:[A-Z][A-Z0-9]*_[A-Z0-9_]*\b[ \t]*)+)(?=\s*[A-Za-z_~])")
_INLINE_SPECIFIER = re.compile(
    r"(?<=[\s(;{}])([A-Z][A-Z0-9]*_[A-Z0-9_]*)(?=[ \t]+(?:auto|void|bool|char|int|unsigned|"
    r"const|constexpr|inline|static|explicit|virtual|friend|typename|template|struct|class)\b)"
)
# `class LIB_API writer`: an export macro between the keyword and the type's name.
_TYPE_ATTRIBUTE = re.compile(
    r"\b(?:class|struct|union)\s+([A-Z][A-Z0-9]*_[A-Z0-9_]*)\s+(?=[A-Za-z_])"
)
# `, FMT_ENABLE_IF(cond)>`: a function-like macro as the last template parameter.
_LAST_PARAMETER = re.compile(r",\s*[A-Z][A-Z0-9]*_[A-Z0-9_]*\s*\(")
_MAX_PARAMETER = 400  # characters: a longer "argument" is not a template parameter


def mask_macros(text: str) -> str:
    """`text` with declaration macros replaced by spaces; offsets and lines unchanged."""
    chars = list(text)
    for m in _SPECIFIER.finditer(text):
        if not _preprocessor_line(text, m.start()):
            _blank(chars, m.start(2), m.end(2))
    for pattern in (_INLINE_SPECIFIER, _TYPE_ATTRIBUTE):
        for m in pattern.finditer(text):
            if not _preprocessor_line(text, m.start()):
                _blank(chars, m.start(1), m.end(1))
    for m in _LAST_PARAMETER.finditer(text):
        end = _closing_paren(text, m.end() - 1)
        if end is not None and text[end + 1 + _trailing_space(text, end + 1) :][:1] == ">":
            _blank(chars, m.start(), end + 1)
    return "".join(chars)


def _blank(chars: list[str], start: int, end: int) -> None:
    for i in range(start, end):
        if chars[i] != "\n":
            chars[i] = " "


def _preprocessor_line(text: str, at: int) -> bool:
    line_start = text.rfind("\n", 0, at) + 1
    return text[line_start:at].lstrip().startswith("#")


def _closing_paren(text: str, opening: int) -> int | None:
    depth = 0
    for i in range(opening, min(len(text), opening + _MAX_PARAMETER)):
        c = text[i]
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return i
        elif c in ";{}":
            return None
    return None


def _trailing_space(text: str, start: int) -> int:
    n = 0
    while start + n < len(text) and text[start + n] in " \t\n":
        n += 1
    return n
