"""Find the paths a rule file points at: `@imports`, backticked paths and markdown links.

The goal is no false alarms: only text that plainly names a repository path is returned.
Fenced code blocks are skipped (they hold examples and shell sessions), and so are URLs,
globs, placeholders (`<name>`, `$VAR`, `path/to/x`), options, home and absolute paths.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from typing import Literal

from .parse import fenced_lines

RefKind = Literal["import", "code", "link"]

KNOWN_EXTENSIONS = frozenset(
    """py pyi pyx js jsx ts tsx mjs cjs mts cts json jsonc json5 toml yaml yml md mdc mdx txt
    rst adoc sh bash zsh fish ps1 bat cmd go mod rs java kt kts scala groovy rb php c h cc cpp
    cxx hpp hh cs fs fsx swift m mm css scss sass less html htm vue svelte astro sql proto
    graphql gql ini cfg conf lock xml gradle properties dart ex exs erl hrl lua r jl tf tfvars
    hcl dockerfile csv tsv ipynb sbt clj cljs nix zig sol prisma tmpl j2 jinja hbs ejs pug
    mk cmake in svg""".split()
)

# `next.js` and friends are libraries, not files, when written without a directory.
_LIBRARY_JS = re.compile(
    r"^(node|next|vue|nuxt|express|three|d3|chart|react|angular|ember|backbone|socket|moment|"
    r"p5|alpine|solid|preact|deno|nest|meteor|knockout|handlebars|require|pixi|leaflet|video|"
    r"highlight|marked|day|ts-node|zod|htmx|svelte|electron|fastify|koa|hapi|sails|immer)\.js$",
    re.IGNORECASE,
)
_PLACEHOLDER_SEGMENT = re.compile(
    r"^(foo|bar|baz|qux|xxx+|yyy+|path|some|your[-_].*|my[-_].*|name|file|filename|dir|"
    r"directory|example|sample|placeholder|todo|\.\.\.)(\.\w+)?$",
    re.IGNORECASE,
)
_FORBIDDEN = re.compile(r"[*?\[\]{}<>$%|;&=!^\"'`\\,]|://|\.\.\.|^[-~@/#+]|\(|\)")
_SUFFIX = re.compile(r"(::[\w.\[\]-]+|:\d+(?::\d+)?(?:-\d+)?|#L\d+(?:-L?\d+)?)$")
_DOMAIN_LIKE = re.compile(
    r"^[a-z0-9-]+(\.[a-z0-9-]+)*\.(com|org|io|net|dev|ai|co|app|sh|gg)$", re.I
)
_CODE_SPAN = re.compile(r"(`+)(.+?)\1")
_LINK = re.compile(r"!?\[[^\]\n]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_IMPORT = re.compile(r"(?<![\w`@./])@((?:\.{1,2}/|~/|/)?[\w.-][\w./+-]*)")
_COMMENT = re.compile(r"<!--.*?-->")
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Mention:
    """A path-like string in a rule file. `anchored` mentions are only paths if their first
    directory exists (`src/legacy` is a path when `src/` exists; `origin/main` is not)."""

    kind: RefKind
    target: str
    line: int
    col: int
    anchored: bool = False


def find_mentions(text: str, body_start: int = 1, imports: bool = False) -> list[Mention]:
    """Path mentions in `text` outside fenced code and HTML comments, in reading order."""
    lines = text.split("\n")
    in_code = fenced_lines(lines)
    found: list[Mention] = []
    for index in range(body_start - 1, len(lines)):
        if in_code[index]:
            continue
        line = _COMMENT.sub(lambda m: " " * len(m.group(0)), lines[index])
        number = index + 1
        prose = line
        for span in _CODE_SPAN.finditer(line):
            content = span.group(2)
            offset = span.start(2) + (len(content) - len(content.lstrip()))
            for col, target, anchored in _paths_in_code(content.strip()):
                found.append(Mention("code", target, number, offset + col + 1, anchored))
            prose = prose[: span.start()] + " " * (span.end() - span.start()) + prose[span.end() :]
        for link in _LINK.finditer(prose):
            link_target = _link_target(link.group(1))
            if link_target:
                found.append(Mention("link", link_target, number, link.start(1) + 1))
        if imports:
            for match in _IMPORT.finditer(_LINK.sub(lambda m: " " * len(m.group(0)), prose)):
                imported, anchored = _import_target(match.group(1))
                if imported:
                    found.append(Mention("import", imported, number, match.start() + 1, anchored))
    return found


def _paths_in_code(content: str) -> list[tuple[int, str, bool]]:
    if not re.search(r"\s", content):
        path = _as_path(content)
        return [(0, path[0], path[1])] if path else []
    # A command or snippet: only arguments that are unmistakably files are checked.
    results: list[tuple[int, str, bool]] = []
    for match in re.finditer(r"\S+", content):
        token = match.group(0)
        if token.startswith("#"):
            break  # a shell comment
        start = match.start()
        if token.startswith("--") and "=" in token:
            start += token.index("=") + 1
            token = token[token.index("=") + 1 :]
        token = token.strip("\"'(),;")
        path = _as_path(token)
        if not path:
            continue
        explicit = token.startswith(("./", "../"))
        if explicit or ("/" in path[0] and _has_known_extension(path[0])):
            results.append((start, path[0], False))
    return results


def _as_path(token: str) -> tuple[str, bool] | None:
    """(path, anchored) if `token` reads as a repository path, else None."""
    if "..." in token:
        return None  # `fix/...`, `src/.../x.py`: an elision, not a path
    token = _SUFFIX.sub("", token.rstrip(".:"))
    if not token or _FORBIDDEN.search(token.lstrip("./") if token.startswith("./") else token):
        return None
    if token in (".", "..", "./", "../"):
        return None
    clean = token[2:] if token.startswith("./") else token
    segments = [segment for segment in clean.split("/") if segment]
    if not segments or any(_PLACEHOLDER_SEGMENT.match(segment) for segment in segments):
        return None
    if "path/to" in clean.lower():
        return None
    if "/" in clean.rstrip("/") and "." in segments[0] and not segments[0].startswith("."):
        return None  # github.com/owner/repo, ghcr.io/image
    name = segments[-1]
    if name.lower().startswith(".env"):
        return None  # local environment files are never committed
    if "/" not in clean.rstrip("/"):
        if clean.endswith("/"):
            return (token, False)
        if (
            _has_known_extension(name)
            and not _LIBRARY_JS.match(name)
            and not _DOMAIN_LIKE.match(name)
        ):
            return (token, False)
        return None
    if clean.endswith("/") or token.startswith(("./", "../")) or _has_known_extension(name):
        return (token, False)
    return (token, True)


def _has_known_extension(name: str) -> bool:
    stem, dot, extension = name.rpartition(".")
    if name.lower() in ("dockerfile", "makefile", "justfile", "procfile", "gemfile", "rakefile"):
        return True
    return bool(dot and stem and extension.lower() in KNOWN_EXTENSIONS)


def _link_target(raw: str) -> str | None:
    if raw.startswith(("#", "//")) or _SCHEME.match(raw) or raw.startswith("www."):
        return None
    target = raw.split("#", 1)[0].split("?", 1)[0].replace("%20", " ")
    if not target or target.startswith(("/", "~")) or _FORBIDDEN.search(target.lstrip("./")):
        return None
    return target


def _import_target(raw: str) -> tuple[str | None, bool]:
    target = raw.rstrip(".,;:)!?")
    if target.startswith(("~", "/")):
        return None, False  # outside the repository: the user's own files
    name = target.rsplit("/", 1)[-1]
    if target.startswith(("./", "../")) or ("." in name.strip(".") and _ext_like(name)):
        return target, False
    if "/" in target:
        return target, True
    return None, False  # `@username`


def _ext_like(name: str) -> bool:
    extension = name.rpartition(".")[2]
    return 1 <= len(extension) <= 8 and extension.isalnum()


def resolve(base_dir: str, target: str) -> str | None:
    """Join `target` to the repo-relative `base_dir`; None if it leaves the repository."""
    joined = posixpath.normpath(posixpath.join(base_dir, target.rstrip("/") or "."))
    if joined == ".":
        return ""
    if joined.startswith("../") or joined == ".." or joined.startswith("/"):
        return None
    return joined
