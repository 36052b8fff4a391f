"""Map a file path to a language name by its extension or file name."""

from __future__ import annotations

import posixpath
import re

# Languages that have a tree-sitter grammar; everything else uses the line-based fallback.
TREE_SITTER_LANGUAGES: frozenset[str] = frozenset(
    {
        "python",
        "javascript",
        "typescript",
        "tsx",
        "go",
        "rust",
        "java",
        "c",
        "cpp",
        "csharp",
        "ruby",
        "php",
    }
)

# Languages whose text is prose or data: no definitions, imports or references to look for.
PROSE = frozenset(
    {"text", "json", "yaml", "toml", "ini", "html", "xml", "css", "csv", "markdown", "rst"}
)

# Extensions of program source, in any language (grammar or not): what a fix edits, as
# opposed to docs, data and configuration.
SOURCE_EXTENSIONS: frozenset[str] = frozenset(
    {
        ".c",
        ".cc",
        ".cjs",
        ".clj",
        ".cpp",
        ".cs",
        ".cxx",
        ".dart",
        ".erl",
        ".ex",
        ".exs",
        ".go",
        ".h",
        ".hh",
        ".hpp",
        ".hs",
        ".java",
        ".js",
        ".jsx",
        ".kt",
        ".lua",
        ".m",
        ".mjs",
        ".ml",
        ".php",
        ".py",
        ".pyi",
        ".pyx",
        ".rb",
        ".rs",
        ".scala",
        ".sh",
        ".swift",
        ".ts",
        ".tsx",
        ".vue",
    }
)

_EXTENSIONS: dict[str, str] = {
    # tree-sitter languages
    ".py": "python",
    ".pyi": "python",
    ".pyw": "python",
    ".js": "javascript",
    ".mjs": "javascript",
    ".cjs": "javascript",
    ".jsx": "javascript",
    ".ts": "typescript",
    ".mts": "typescript",
    ".cts": "typescript",
    ".tsx": "tsx",
    ".go": "go",
    ".rs": "rust",
    ".java": "java",
    ".c": "c",
    ".h": "c",  # ambiguous: `parse_language` reads a C++ header as C++
    ".cc": "cpp",
    ".cpp": "cpp",
    ".cxx": "cpp",
    ".c++": "cpp",
    ".hpp": "cpp",
    ".hh": "cpp",
    ".hxx": "cpp",
    ".h++": "cpp",
    ".ipp": "cpp",
    ".cs": "csharp",
    ".rb": "ruby",
    ".rake": "ruby",
    ".gemspec": "ruby",
    ".ru": "ruby",
    ".php": "php",
    ".phtml": "php",
    # plain-text languages (line-based fallback)
    ".md": "markdown",
    ".mdx": "markdown",
    ".markdown": "markdown",
    ".mdc": "markdown",
    ".rst": "rst",
    ".yaml": "yaml",
    ".yml": "yaml",
    ".toml": "toml",
    ".json": "json",
    ".jsonc": "json",
    ".json5": "json",
    ".sh": "shell",
    ".bash": "shell",
    ".zsh": "shell",
    ".fish": "shell",
    ".html": "html",
    ".htm": "html",
    ".xml": "xml",
    ".css": "css",
    ".scss": "css",
    ".sass": "css",
    ".less": "css",
    ".sql": "sql",
    ".kt": "kotlin",
    ".kts": "kotlin",
    ".swift": "swift",
    ".scala": "scala",
    ".sc": "scala",
    ".lua": "lua",
    ".pl": "perl",
    ".pm": "perl",
    ".r": "r",
    ".dart": "dart",
    ".ex": "elixir",
    ".exs": "elixir",
    ".erl": "erlang",
    ".hs": "haskell",
    ".ml": "ocaml",
    ".clj": "clojure",
    ".vue": "vue",
    ".svelte": "svelte",
    ".proto": "protobuf",
    ".graphql": "graphql",
    ".tf": "terraform",
    ".txt": "text",
    ".text": "text",
    ".ini": "ini",
    ".cfg": "ini",
    ".conf": "ini",
    ".properties": "ini",
    ".dockerfile": "dockerfile",
    ".mk": "makefile",
    ".cmake": "cmake",
}

_FILE_NAMES: dict[str, str] = {
    "rakefile": "ruby",
    "gemfile": "ruby",
    "guardfile": "ruby",
    "podfile": "ruby",
    "vagrantfile": "ruby",
    "dockerfile": "dockerfile",
    "containerfile": "dockerfile",
    "makefile": "makefile",
    "gnumakefile": "makefile",
    "cmakelists.txt": "cmake",
    "readme": "text",
    "license": "text",
    "licence": "text",
    "copying": "text",
    "authors": "text",
    "changelog": "text",
    "notice": "text",
    ".bashrc": "shell",
    ".zshrc": "shell",
    ".profile": "shell",
    ".editorconfig": "ini",
    ".gitignore": "text",
    ".windsurfrules": "markdown",
    ".clinerules": "markdown",
    ".cursorrules": "markdown",
}


def detect_language(path: str) -> str | None:
    """Return the language name for `path` (posix, relative), or None if unknown."""
    name = posixpath.basename(path).lower()
    if name in _FILE_NAMES:
        return _FILE_NAMES[name]
    if name.startswith("dockerfile.") or name.startswith("containerfile."):
        return "dockerfile"
    stem, ext = posixpath.splitext(name)
    if ext in _EXTENSIONS:
        return _EXTENSIONS[ext]
    if not ext and stem in {"readme", "license", "changelog"}:
        return "text"
    return None


# Syntax C does not have, at the start of a line: a `.h` file with any of it is C++.
_CPP_ONLY = re.compile(
    r"^[ \t]*(?:template[ \t]*<|namespace[ \t]+[\w:]*[ \t]*\{|class[ \t]+\w+[^;(]*\{"
    r"|(?:public|private|protected)[ \t]*:|using[ \t]+namespace\b|#include[ \t]*<(?:string|vector"
    r"|memory|iostream|type_traits|utility|map|functional)>)",
    re.M,
)


def parse_language(language: str, text: str) -> str:
    """The grammar to parse `text` with: `language`, except that a `.h` header (detected as
    C) written in C++ is C++. Parsing fmt's or simdjson's headers as C turns every template
    into a parse error and every definition into noise."""
    if language == "c" and _CPP_ONLY.search(text):
        return "cpp"
    return language
