"""Language families of a repository's code, and the ones a task speaks of.

A file in another language than the repository's own code (a Python project's bundled
`jquery.js`, its themes' style sheets, a Go service's shell scripts) shares the task's words
without being where the project's code changes; ranking weighs it down unless the task
names that language or one of its files (`rank.PRIOR["foreign"]`).
"""

from __future__ import annotations

import functools
import posixpath
import re
from collections import Counter
from collections.abc import Iterable

from .lang.detect import SOURCE_EXTENSIONS, detect_language

# Languages one project writes as one: a TypeScript project's JavaScript, a C++ one's C headers.
_FAMILY = {
    "javascript": "js",
    "typescript": "js",
    "tsx": "js",
    "c": "c",
    "cpp": "c",
    "css": "css",
    "shell": "shell",
    "kotlin": "java",
}
# Families that belong to another's code: a web project's style sheets are its own.
_COMPANIONS = {"js": frozenset({"css"})}
# The words a task names a family by (lowercase, as `_WORDS` splits them). Not words that are
# other things too: Go's name, `node` (a syntax tree's, docutils'), `ts` (a timestamp).
_NAMES = {
    "python": ("python", "py", "cython"),
    "js": ("javascript", "typescript", "js", "jsx", "tsx", "jquery", "nodejs", "npm"),
    "c": ("c++", "cpp", "cxx", "clang", "gcc", "msvc"),
    "css": ("css", "scss", "stylesheet", "stylesheets"),
    "shell": ("bash", "shell", "sh", "zsh"),
    "java": ("java", "kotlin", "jvm"),
    "rust": ("rust", "cargo"),
    "go": ("golang",),
    "ruby": ("ruby",),
    "php": ("php",),
    "csharp": ("c#", "csharp"),
}
_WORDS = re.compile(r"[a-z0-9+#]+")
# A family holding this share of a repository's code files is its own; below it, a project of
# several languages has none, and no file is foreign.
MAIN_SHARE = 0.6


# How templates of a file end (`basic.css_t`, `conf.py_t`, `main.go.tmpl`): their text is
# mostly the language of the file they make.
_TEMPLATE_ENDINGS = frozenset({".j2", ".jinja", ".jinja2", ".tmpl", ".tpl", ".template"})
_TEMPLATE_SUFFIX = "_t"


@functools.lru_cache(maxsize=65_536)
def family_of(path: str) -> str | None:
    """The language family of a file of code (or style), or of the file a template of one
    makes; None for docs, data and the unknown."""
    root, ext = posixpath.splitext(path)
    if ext.endswith(_TEMPLATE_SUFFIX):
        path = root + ext[: -len(_TEMPLATE_SUFFIX)]
    elif ext.lower() in _TEMPLATE_ENDINGS:
        path = root
    language = detect_language(path)
    if language is None:
        return None
    if language in _FAMILY:
        return _FAMILY[language]
    if posixpath.splitext(path)[1].lower() in SOURCE_EXTENSIONS:
        return language
    return None


def main_family(paths: Iterable[str]) -> str | None:
    """The family of most of these files' code, if it holds MAIN_SHARE of it."""
    # Counted by extension, each extension's family looked up once: a warm pack on a tree of
    # 100k files does this at every start.
    extensions = Counter(path[path.rfind(".") :] for path in paths if "." in path)
    counts: dict[str, int] = {}
    for extension, n in extensions.items():
        family = family_of("x" + extension) if "/" not in extension else None
        if family is not None and family != "css":
            counts[family] = counts.get(family, 0) + n
    total = sum(counts.values())
    if not total:
        return None
    best = max(sorted(counts), key=counts.__getitem__)
    return best if counts[best] >= MAIN_SHARE * total else None


def own_families(main: str, text: str, paths: Iterable[str]) -> frozenset[str | None]:
    """The families that are not foreign for a task: the repository's own, its companions,
    those the task names by a word or by a file of theirs (and None: docs, data, the
    unknown, which other priors weigh)."""
    words = set(_WORDS.findall(text.lower()))
    named: set[str | None] = {
        family for family, names in _NAMES.items() if words.intersection(names)
    }
    named.update(f for f in (family_of(p) for p in paths) if f is not None)
    return frozenset({None, main, *_COMPANIONS.get(main, ()), *named})
