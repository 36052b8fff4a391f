"""Line-based outlines for languages without a grammar, and when tree-sitter cannot be used.

Markdown and reStructuredText give headings; code-like text gives definitions found by regex
with block ends found by indentation. All passes are linear in the number of lines.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from ..outline import Outline, Symbol
from .detect import PROSE
from .text import attached_above, clip, comment_doc, last_line

_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_RST_ADORNMENT = re.compile(r"^([!-/:-@\[-`{-~])\1{2,}\s*$")

_MODIFIERS = (
    r"export|default|public|private|protected|internal|static|async|override|open|final|"
    r"abstract|sealed|data|inline|suspend|pub(?:\([^)]*\))?|unsafe|extern|local|virtual|"
    r"partial|case|inner|lazy|implicit|operator|infix|tailrec|actual|expect|value|annotation"
)
_DEF = re.compile(
    rf"^(?:(?:{_MODIFIERS})\s+)*"
    r"(?P<kw>def|function|fun|func|fn|class|interface|object|struct|enum|trait|protocol|"
    r"extension|module|sub|proc|impl|macro|defmodule|defp?)\s+(?P<name>[A-Za-z_$][\w$]*)"
)
_SHELL_FUNC = re.compile(r"^(?:function\s+)?(?P<name>[A-Za-z_][\w:.-]*)\s*\(\)\s*\{?\s*$")
_SHELL_FUNC_KW = re.compile(r"^function\s+(?P<name>[A-Za-z_][\w:.-]*)")
_SQL_DEF = re.compile(
    r"^create\s+(?:or\s+replace\s+)?(?:temp(?:orary)?\s+)?"
    r"(?P<kw>table|view|function|procedure|trigger|index|type|schema)\s+"
    r"(?:if\s+not\s+exists\s+)?(?P<name>[\w.\"`\[\]]+)",
    re.IGNORECASE,
)
_MAKE_TARGET = re.compile(r"^(?P<name>[A-Za-z0-9_][\w./-]*)\s*::?(?!=)")
_KW_KINDS = {
    "class": "class",
    "object": "class",
    "interface": "interface",
    "protocol": "interface",
    "struct": "struct",
    "enum": "enum",
    "trait": "trait",
    "impl": "impl",
    "extension": "impl",
    "module": "module",
    "defmodule": "module",
    "macro": "macro",
    "table": "table",
    "view": "view",
    "index": "index",
    "type": "type",
    "schema": "namespace",
    "trigger": "function",
}
_CLASS_LIKE = frozenset({"class", "interface", "struct", "trait", "impl", "module"})
_CLOSERS = ("}", "end", "fi", "esac", "done", "END")
# A line starting with these continues a header (`):` after a multi-line parameter list).
_CONTINUATIONS = (")", "]")
_IMPORTS = (
    re.compile(r"^[ \t]*import[ \t]+(?:static[ \t]+)?([\w.]+)", re.MULTILINE),
    re.compile(r"^[ \t]*from[ \t]+(\.*[\w.]*)[ \t]+import\b", re.MULTILINE),
    re.compile(r"\bfrom[ \t]+['\"]([^'\"\n]+)['\"]"),
    re.compile(r"\b(?:require|require_relative)[ \t]*\(?[ \t]*['\"]([^'\"\n]+)['\"]"),
    re.compile(r"^[ \t]*#[ \t]*include[ \t]*[<\"]([^>\"\n]+)[>\"]", re.MULTILINE),
    re.compile(r"^[ \t]*use[ \t]+([\w:\\]+)", re.MULTILINE),
)
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]+")
_KEYWORDS = frozenset(
    "and as assert async await break case catch class const continue def default defer del do "
    "elif else end enum except export extends false final finally fn for from fun func function "
    "if impl import in interface is let match mod module new nil none not null object or override "
    "package pass private protected pub public raise return self static struct super switch then "
    "this throw throws trait true try type use val var void when where while with yield".split()
)


def fallback_outline(text: str, language: str | None, error: str | None = None) -> Outline:
    """Outline `text` without tree-sitter; `error` records why tree-sitter was not used."""
    name = language or "text"
    if language == "markdown":
        return Outline(name, symbols=markdown_headings(text), error=error)
    if language == "rst":
        return Outline(name, symbols=rst_headings(text), error=error)
    if language in PROSE:
        return Outline(name, error=error)
    symbols = code_symbols(text, language)
    defined = {s.name for s in symbols}
    return Outline(
        name, symbols=symbols, imports=_imports(text), refs=_refs(text, defined), error=error
    )


# ---- headings -------------------------------------------------------------------------------


@dataclass
class _Heading:
    name: str
    level: int
    start: int  # 0-based row of the title
    signature_end: int  # 0-based row of the last heading line (a setext/RST underline)


def markdown_headings(text: str) -> list[Symbol]:
    """Return ATX and setext headings, skipping front matter and fenced code."""
    lines = text.split("\n")
    headings: list[_Heading] = []
    fence: str | None = None
    row = _front_matter_end(lines)
    while row < len(lines):
        line = lines[row]
        opened = _FENCE.match(line)
        if fence is not None:
            if opened and opened.group(1)[0] == fence[0] and len(opened.group(1)) >= len(fence):
                fence = None
        elif opened:
            fence = opened.group(1)
        elif (atx := _ATX.match(line)) and atx.group(2):
            headings.append(_Heading(atx.group(2).strip(), len(atx.group(1)), row, row))
        elif (
            row > 0
            and (under := _SETEXT.match(line))
            and _setext_title(lines[row - 1])
            and not (headings and headings[-1].signature_end == row - 1)
        ):
            level = 1 if under.group(1)[0] == "=" else 2
            headings.append(_Heading(lines[row - 1].strip(), level, row - 1, row))
        row += 1
    return _heading_symbols(headings, lines, text)


def _front_matter_end(lines: list[str]) -> int:
    if not lines or lines[0].strip() != "---":
        return 0
    for row in range(1, min(len(lines), 200)):
        if lines[row].strip() in ("---", "..."):
            return row + 1
    return 0


def _setext_title(line: str) -> bool:
    stripped = line.strip()
    return (
        bool(stripped)
        and not line.startswith("    ")
        and not _FENCE.match(line)
        and (not stripped.startswith(("#", ">", "- ", "* ", "|")))
    )


def rst_headings(text: str) -> list[Symbol]:
    """Return reStructuredText section titles; levels follow the order adornments appear."""
    lines = text.split("\n")
    styles: dict[tuple[str, bool], int] = {}
    headings: list[_Heading] = []
    row = 1
    while row < len(lines):
        under = _RST_ADORNMENT.match(lines[row])
        title = lines[row - 1].strip()
        if under and title and not _RST_ADORNMENT.match(lines[row - 1]):
            over = row >= 2 and lines[row - 2].strip() == lines[row].strip()
            style = (under.group(1), over)
            level = styles.setdefault(style, len(styles) + 1)
            start = row - 2 if over else row - 1
            headings.append(_Heading(title, level, start, row))
            row += 2
            continue
        row += 1
    return _heading_symbols(headings, lines, text)


def _heading_symbols(headings: list[_Heading], lines: list[str], text: str) -> list[Symbol]:
    """Give each heading its section's end, its parent heading and its first paragraph."""
    last = last_line(text) - 1
    symbols: list[Symbol] = []
    open_stack: list[_Heading] = []  # headings whose section has not closed yet
    ends: dict[int, int] = {}
    parents: dict[int, str | None] = {}
    for index, h in enumerate(headings):
        while open_stack and open_stack[-1].level >= h.level:
            ends[id(open_stack.pop())] = h.start - 1
        parents[index] = open_stack[-1].name if open_stack else None
        open_stack.append(h)
    for index, h in enumerate(headings):
        end = max(ends.get(id(h), last), h.signature_end)
        # The doc is the text before any sub-heading, not the sub-heading's title.
        text_end = headings[index + 1].start - 1 if index + 1 < len(headings) else end
        symbols.append(
            Symbol(
                name=h.name,
                kind="heading",
                start=h.start + 1,
                end=end + 1,
                signature_end=h.signature_end + 1,
                parent=parents[index],
                doc=_first_paragraph(lines, h.signature_end + 1, text_end),
            )
        )
    return symbols


def _first_paragraph(lines: list[str], first: int, last: int) -> str | None:
    paragraph: list[str] = []
    for row in range(first, min(last + 1, len(lines), first + 50)):
        stripped = lines[row].strip()
        if not stripped:
            if paragraph:
                break
            continue
        if _FENCE.match(lines[row]) or stripped.startswith(("#", "<!--")):
            break
        paragraph.append(stripped)
    return clip(" ".join(paragraph)) if paragraph else None


# ---- code -----------------------------------------------------------------------------------


@dataclass
class _Open:
    name: str
    kind: str
    indent: int
    row: int
    parent: str | None


def code_symbols(text: str, language: str | None) -> list[Symbol]:
    """Find definitions line by line; a block ends before the next line indented as little."""
    lines = text.split("\n")
    match_def = _matcher(language)
    found: list[tuple[_Open, int]] = []  # (definition, 0-based end row)
    stack: list[_Open] = []
    last_code = 0
    for row, line in enumerate(lines):
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith(_CONTINUATIONS):
            last_code = row
            continue
        indent = len(line) - len(line.lstrip())
        closer = stripped.startswith(_CLOSERS)
        while stack and stack[-1].indent >= indent:
            top = stack.pop()
            # A closing brace/`end` at the definition's own indent still belongs to it.
            end = row if closer and top.indent == indent else last_code
            found.append((top, max(end, top.row)))
            if closer and top.indent == indent:
                closer = False
        hit = match_def(stripped)
        if hit is not None:
            name, kind = hit
            parent = stack[-1] if stack else None
            if parent is not None and kind == "function" and parent.kind in _CLASS_LIKE:
                kind = "method"
            stack.append(_Open(name, kind, indent, row, parent.name if parent else None))
        last_code = row
    found.extend((top, max(last_code, top.row)) for top in stack)
    return _code_symbols(found, lines, language or "text")


def _matcher(language: str | None) -> Callable[[str], tuple[str, str] | None]:
    """Return a function mapping a stripped line to (name, kind) or None for `language`."""
    if language == "shell":

        def shell(stripped: str) -> tuple[str, str] | None:
            m = _SHELL_FUNC.match(stripped) or _SHELL_FUNC_KW.match(stripped)
            return (m.group("name"), "function") if m else None

        return shell
    if language == "sql":

        def sql(stripped: str) -> tuple[str, str] | None:
            m = _SQL_DEF.match(stripped)
            if not m:
                return None
            return m.group("name").strip('"`[]'), _KW_KINDS.get(m.group("kw").lower(), "function")

        return sql
    if language == "makefile":

        def make(stripped: str) -> tuple[str, str] | None:
            m = _MAKE_TARGET.match(stripped)
            return (m.group("name"), "target") if m and not stripped.startswith("\t") else None

        return make

    def code(stripped: str) -> tuple[str, str] | None:
        m = _DEF.match(stripped)
        return (m.group("name"), _KW_KINDS.get(m.group("kw"), "function")) if m else None

    return code


def _code_symbols(found: list[tuple[_Open, int]], lines: list[str], language: str) -> list[Symbol]:
    symbols = []
    for o, end in found:
        start, comments = attached_above(lines, o.row, language)
        symbols.append(
            Symbol(
                name=o.name,
                kind=o.kind,
                start=start + 1,
                end=end + 1,
                signature_end=_header_end(lines, o.row, end) + 1,
                parent=o.parent,
                doc=comment_doc(comments),
            )
        )
    symbols.sort(key=lambda s: (s.start, -s.end))
    return symbols


def _header_end(lines: list[str], row: int, end: int) -> int:
    """Return the row holding the block opener (`{`, trailing `:` or `=`), else `row`."""
    for r in range(row, min(end, row + 20) + 1):
        code = lines[r].split("#", 1)[0].split("//", 1)[0].rstrip()
        if code.endswith((":", "{", "=", "=>", "->", " do", " then")) or "{" in code:
            return r
    return row


def _imports(text: str) -> list[str]:
    found: list[tuple[int, str]] = []
    for pattern in _IMPORTS:
        found.extend((m.start(), m.group(1)) for m in pattern.finditer(text))
    found.sort()
    return list(dict.fromkeys(name for _, name in found if name))


def _refs(text: str, defined: set[str]) -> list[str]:
    words = set(_WORD.findall(text))
    return sorted(words - defined - _KEYWORDS)
