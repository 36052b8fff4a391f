"""The task, and the evidence pulled out of its text: paths, frames, symbols, words."""

from __future__ import annotations

import math
import re
import sys
from collections import Counter
from dataclasses import dataclass, field

from .lang.detect import detect_language
from .terms import IDENT as IDENT_WORDS
from .terms import STOPWORDS, split_identifier, text_terms


@dataclass(frozen=True)
class Task:
    """What the assistant is asked to do. `focus` entries are `path` or `path:line`."""

    text: str = ""
    focus: tuple[str, ...] = ()

    def focus_points(self) -> list[tuple[str, int | None]]:
        points: list[tuple[str, int | None]] = []
        for item in self.focus:
            path, _, line = item.rpartition(":")
            if path and line.isdigit():
                points.append((path, int(line)))
            else:
                points.append((item, None))
        return points


# `path/to/file.py`, `file.py`, `pkg/module` with a slash, dotfiles (`.pre-commit-config.yaml`,
# `.github/workflows/ci.yml`); extensions of 1-10 characters, whole (`JSON.parseObject` is no
# file `JSON.parseObjec`; a CJK character may follow, as in `JSON.java中`).
_PATH = re.compile(
    r"(?<![\w/.-])((?:[\w.-]+/)*\.?[\w-][\w.-]*\.[A-Za-z][A-Za-z0-9_]{0,9}(?![A-Za-z0-9_])"
    r"|(?:[\w.-]+/)+[\w.-]+)"
)
# A link to a file of the repository on a code host: `https://github.com/o/r/blob/main/src/a.py#L12`.
_BLOB = re.compile(
    r"https?://[^\s/]+/[^\s/]+/[^\s/]+/(?:-/)?(?:blob|tree|raw)/[^\s/]+/"
    r"([^\s#?)\]>'\"`]+)(?:#L(\d+))?"
)
# Python and many other tracebacks: File "x.py", line 12, in f  |  x.py:12  |  at f (x.js:12:3)
# A `file.ext:line` starts where a run of path characters does: tried from inside the run too,
# a long run with no `:line` (a hex blob, a minified name) would cost time quadratic in it.
_FRAME = re.compile(
    r"""File "([^"]+)", line (\d+)(?:, in ([\w<>.]+))?"""
    r"""|(?<![\w./\\-])([\w./\\-]+\.\w{1,6}):(\d+)(?::\d+)?"""
)
# JVM stack frames, `at org.pkg.Outer$Inner.method(Outer.java:12)`: the package names the
# file's directories, so a frame of the JDK's `Method.java` never points at a project's own.
_JVM_FRAME = re.compile(
    r"\bat\s+((?:[A-Za-z_$][\w$]*\.)+)[\w$]+\.([\w$<>]+)"
    r"\(([\w$]+\.(?:java|kt|scala|groovy)):(\d+)\)"
)
# Packages of the runtime and build tools: their frames say nothing about the project's code.
_JVM_RUNTIME = (
    "java.",
    "javax.",
    "jdk.",
    "sun.",
    "com.sun.",
    "kotlin.",
    "scala.",
    "groovy.",
    "org.junit.",
    "org.gradle.",
    "org.apache.maven.",
)
# Identifiers that look like code: snake_case, camelCase, dotted names, calls, backticked.
# Code names are ASCII (re.ASCII): in "使用JSON.parseObject方法" they end where the prose
# around them starts, as a space would end them.
_DOTTED = re.compile(r"\b[A-Za-z_][\w]*(?:\.[A-Za-z_][\w]*)+\b", re.ASCII)
# A path in Rust or C++ (`Shell::from_shell_path`, `clap_complete::CompleteEnv::with_factory`).
_SCOPED = re.compile(r"\b[A-Za-z_]\w*(?:::[A-Za-z_]\w*)+\b", re.ASCII)
# A Go method as a goroutine trace (or a reporter) writes it, by its receiver's type:
# `google.golang.org/grpc.(*ClientConn).Close(0xc0001)`, `(*Server).Stop()`.
_GO_METHOD = re.compile(r"\(\*(\w+)\)\.(\w+)\b", re.ASCII)
_BACKTICK = re.compile(r"`([^`\n]{1,200})`")
_CALL = re.compile(r"\b([A-Za-z_]\w*)\s*\(", re.ASCII)
# A lower-case name joined by hyphens (`min-similarity-lines`, `--import-mode`, `serde-json`):
# an option, a message id or a package, spelled `min_similarity_lines` where code holds it.
_KEBAB = re.compile(r"(?<![\w-])-{0,2}([a-z][a-z0-9]*(?:-[a-z0-9]+)+)(?![\w-])")
_IDENT = re.compile(r"\b[A-Za-z_][A-Za-z0-9_]*\b", re.ASCII)
# Not from inside a run of backticks: each start would scan its line again (quadratic).
_FENCE = re.compile(r"(?<!`)```[^\n]*\n(.*?)(?:```|$)", re.S)
# Strings that code spells exactly: command-line flags, quoted strings, exception messages.
_FLAG = re.compile(r"(?<![\w-])(--[a-z][a-z0-9]*(?:[-_][a-z0-9]+)+|--[a-z]{4,})\b")
_QUOTED = re.compile(r"""(?<![\w])(["'])([^"'\n]{6,80})\1""")
_MESSAGE = re.compile(r"^\s*(?:[\w.]+\.)?\w*(?:Error|Exception|Warning): (.{8,200})$", re.M)
# Links: their words (`user-images`, `githubusercontent`, `png`, hashes) describe where a
# screenshot or a page lives, not the code. A link to a file in a repository keeps its path.
_URL = re.compile(r"\b(?:https?|ftp)://[^\s)\]>\"']+")
_FILE_LINK = re.compile(r"/(?:blob|tree|raw)/[^/]+/([^?#]+)")
_IMAGE_ALT = re.compile(r"!\[[^\]\n]*\]")  # `![image](...)`: the alt text is a default
# Latin abbreviations that look like a file or a dotted name: "e.g.", "i.e.".
_ABBREVIATIONS = frozenset({"e.g", "i.e", "a.k.a"})


# Calling a builtin on an object runs its special method: `str(e)` is about `__str__`.
_DUNDER_CALLS = {
    "str": "__str__",
    "repr": "__repr__",
    "len": "__len__",
    "iter": "__iter__",
    "next": "__next__",
    "hash": "__hash__",
    "bool": "__bool__",
    "int": "__int__",
    "float": "__float__",
    "format": "__format__",
    "dir": "__dir__",
    "getattr": "__getattr__",
    "setattr": "__setattr__",
    "delattr": "__delattr__",
    "copy": "__copy__",
    "deepcopy": "__deepcopy__",
    "reversed": "__reversed__",
    "abs": "__abs__",
    "round": "__round__",
}


@dataclass
class Signals:
    """Evidence from the task text, used by the ranker."""

    query: dict[str, float] = field(default_factory=dict)  # weighted terms for BM25
    paths: list[str] = field(default_factory=list)  # path-like strings, as written
    frames: list[tuple[str, int, str | None]] = field(
        default_factory=list
    )  # (path, line, function)
    symbols: dict[str, float] = field(default_factory=dict)  # code-like identifiers -> weight
    # `Class.method` as written: (owner, member) pairs, the most specific name a task can give.
    qualified: set[tuple[str, str]] = field(default_factory=set)
    modules: list[str] = field(default_factory=list)  # dotted names that may be modules
    literals: list[str] = field(default_factory=list)  # exact strings likely found in the code
    # Lines of the task's code blocks that may be the project's own code, pasted.
    code_lines: list[str] = field(default_factory=list)
    # The packages a title is prefixed with, as Go, Rust and many other projects write their
    # commits and issues: "net/http: fix ...", "xds, balancer: ...", "fix(mangen): ...".
    scopes: list[str] = field(default_factory=list)


# A first line this short is a title (an issue's, a commit's subject): its words weigh more.
TITLE_MAX_CHARS = 200
TITLE_BONUS = 0.5  # added to each of its words' query weight
# A title's scope prefix: names (`net/http`, `xds, balancer`) or a conventional commit's
# `type(scope)`, then a colon and a space.
_SCOPE_PREFIX = re.compile(r"([\w./-]+(?:, ?[\w./-]+)*)(?:\(([\w./-]+)\))?: ")


# How a file name or a host name ends (`index.rst`, `docs.python.org`): a dotted name that
# ends so names no member of any code.
_ENDINGS = frozenset(
    "com org net io dev edu gov html htm rst md txt png jpg jpeg gif svg pdf zip gz tar ipynb"
    " json yaml yml toml cfg ini csv xml log".split()
)
_ENDING = re.compile(r"\.(?:" + "|".join(sorted(_ENDINGS)) + r")\b")
_FILE_NAME = re.compile(r"\s*[\w./-]+\.\w+\s*")


def _not_code(dotted: str) -> bool:
    """Whether a dotted name is a file's or a host's name, not code's."""
    dotted = dotted.strip()
    return dotted.rsplit(".", 1)[-1].lower() in _ENDINGS or detect_language(dotted) is not None


def _type_name(value: str) -> str:
    """The type a value is named for: `config` -> `Config`, `file_config` -> `FileConfig`."""
    return "".join(part[:1].upper() + part[1:] for part in value.split("_"))


def _standard(dotted: str) -> bool:
    """Whether a dotted name is in Python's standard library (`os.path.abspath`)."""
    return dotted.split(".", 1)[0] in sys.stdlib_module_names


def _looks_like_code(ident: str) -> bool:
    if len(ident) < 3 or ident.lower() in STOPWORDS:
        return False
    return (
        _is_dunder(ident)
        or "_" in ident.strip("_")
        or (ident[0].islower() and any(c.isupper() for c in ident))
        or (
            ident[0].isupper()
            and any(c.isupper() for c in ident[1:])
            and any(c.islower() for c in ident)
        )
    )


def _is_dunder(ident: str) -> bool:
    # Not a rule of underscores (`_____`, a heading or separator in pasted test output).
    return (
        len(ident) > 4
        and ident.startswith("__")
        and ident.endswith("__")
        and ident.strip("_") != ""
    )


def _path_mention(raw: str) -> str:
    """A path as the task wrote it, without sentence punctuation or a leading `./` or `/`:
    a dotfile keeps its dot."""
    p = raw.rstrip(".,;:")
    while p.startswith(("./", "/")):
        p = p[2:] if p.startswith("./") else p[1:]
    return p


# `require("js-yaml")`, `import x from "markdown-it"`, Go's `import "github.com/…"`: a package
# name, found in every file that loads it (the README, the bundle config), not a message.
_MODULE_SPECIFIER = re.compile(r"(?:\brequire\s*\(|\bfrom\s|\bimport\s*\(?)\s*$")
# JavaScript's built-in objects and their own members: `JSON.parse` in a task is the runtime's,
# not a project's `parse`. Only those members: `JSON.parseObject` is a Java class's (fastjson's
# `JSON`), `Object.equals` a project's or the JDK's, and the task names it as such.
_JS_GLOBALS: dict[str, frozenset[str]] = {
    name: frozenset(members.split())
    for name, members in {
        "JSON": "parse stringify",
        "Object": """assign create defineProperties defineProperty entries freeze fromEntries
            getOwnPropertyDescriptor getOwnPropertyDescriptors getOwnPropertyNames
            getOwnPropertySymbols getPrototypeOf groupBy hasOwn is isExtensible isFrozen
            isSealed keys preventExtensions prototype seal setPrototypeOf values""",
        "Array": "from fromAsync isArray of prototype",
        "Math": """abs acos acosh asin asinh atan atan2 atanh cbrt ceil clz32 cos cosh exp expm1
            floor fround hypot imul log log10 log1p log2 max min pow random round sign sin sinh
            sqrt tan tanh trunc E LN10 LN2 LOG10E LOG2E PI SQRT1_2 SQRT2""",
        "Promise": "all allSettled any race reject resolve try withResolvers prototype",
        "Reflect": """apply construct defineProperty deleteProperty get getOwnPropertyDescriptor
            getPrototypeOf has isExtensible ownKeys preventExtensions set setPrototypeOf""",
        "Number": """isFinite isInteger isNaN isSafeInteger parseFloat parseInt EPSILON MAX_SAFE_INTEGER
            MAX_VALUE MIN_SAFE_INTEGER MIN_VALUE NaN NEGATIVE_INFINITY POSITIVE_INFINITY prototype""",
        "String": "fromCharCode fromCodePoint raw prototype",
        "console": """assert clear count countReset debug dir dirxml error group groupCollapsed
            groupEnd info log table time timeEnd timeLog trace warn""",
    }.items()
}
# A call's receiver just before it (`JSON.` of `JSON.parse(`): up to the longest global's name.
_JS_RECEIVER = re.compile(r"\b(" + "|".join(sorted(_JS_GLOBALS)) + r")\.$", re.ASCII)
_JS_RECEIVER_CHARS = 1 + max(len(name) for name in _JS_GLOBALS) + 1


def _js_built_in(owner: str, member: str) -> bool:
    """Whether `owner.member` is JavaScript's runtime's own (`JSON.parse`, `Object.keys`)."""
    return member in _JS_GLOBALS.get(owner, ())


def literals(text: str) -> list[str]:
    """Exact strings worth searching the code for, most specific first, unique."""
    found: list[str] = []
    found += _FLAG.findall(text)
    for m in _MESSAGE.finditer(text):
        # Up to the first value a format string would fill in.
        msg = re.split(r"['\"`{(<\[]|\d", m.group(1).strip(), maxsplit=1)[0].strip()
        if len(msg) >= 12:
            found.append(msg)
    for m in _QUOTED.finditer(text):
        quoted = m.group(2)
        if _MODULE_SPECIFIER.search(text, max(0, m.start() - 12), m.start()):
            continue
        if len(quoted.split()) <= 8 and not quoted.isspace():
            found.append(quoted)
    for m in _BACKTICK.finditer(text):
        span = m.group(1).strip()
        if len(span) >= 6 and not _IDENT.fullmatch(span) and "\n" not in span:
            found.append(span)
    seen: set[str] = set()
    out = []
    for lit in found:
        if lit not in seen and lit.lower() not in STOPWORDS:
            seen.add(lit)
            out.append(lit)
    return out[:30]


# A line of a code block that may be quoted from the project: long enough, with several names,
# and neither a prompt's input nor a comment. A traceback's source lines repeat its frames.
MIN_CODE_LINE_CHARS = 20
MIN_CODE_LINE_NAMES = 3
MAX_CODE_LINES = 20
_FRAME_LINE = 'File "'
_NOT_QUOTED = re.compile(r"^(?:>>>|\.\.\.|\$|#|//|In \[|Out\[|File \")")


def code_lines(text: str) -> list[str]:
    """Lines of the task's code blocks that the project may hold verbatim (the code a task
    quotes to say what is wrong), stripped of their indentation, unique, first ones first."""
    found: list[str] = []
    for block in _FENCE.findall(text):
        previous = ""
        for raw in block.split("\n"):
            line = raw.strip()
            after_frame = previous.startswith(_FRAME_LINE)
            previous = line
            if after_frame or len(line) < MIN_CODE_LINE_CHARS or _NOT_QUOTED.match(line):
                continue
            if len(_IDENT.findall(line)) >= MIN_CODE_LINE_NAMES:
                found.append(line)
    return list(dict.fromkeys(found))[:MAX_CODE_LINES]


def _link_words(m: re.Match[str]) -> str:
    """What of a link counts as the task's words: the path of a linked repository file."""
    linked = _FILE_LINK.search(m.group(0))
    return f" {linked.group(1)} " if linked else " "


def _inside(at: int, spans: list[tuple[int, int]]) -> bool:
    return any(s <= at < e for s, e in spans)


# An environment report pasted into an issue (`xr.show_versions()`, `pip list`, "OS: Linux"):
# one `name: version` a line. Its words (python, numpy, machine, commit) name the reporter's
# setup, not the code to change, and pull in version-printing helpers and packaging files.
_VERSION_LINE = re.compile(
    r"^[ \t>*-]*([A-Za-z][\w.\- ]{0,40}?)[ \t]*(?::|==|>=|[ \t]{2,})[ \t]*"
    r"(?:None|[vV]?\d+(?:\.[\w+-]+)*|\d+[ \t]*bits?|x86_64|amd64|arm64|aarch64|Linux|Darwin"
    r"|Windows|[\w.-]*UTF-8)\b[^\n]*$"
)
MIN_REPORT_LINES = 4  # a shorter run of `name: value` lines may be the task's own data
MAX_REPORT_GAP = 2  # other lines inside a report: "[Clang 10.0.0 ]", "INSTALLED VERSIONS"


def _without_reports(text: str) -> str:
    """`text` without its environment reports: MIN_REPORT_LINES or more version lines with
    distinct names, with at most MAX_REPORT_GAP other lines between two of them, and the
    heading that names the report."""
    lines = text.split("\n")
    drop: set[int] = set()
    run: list[int] = []
    names: set[str] = set()
    gap = 0
    for i, line in enumerate([*lines, *["."] * (MAX_REPORT_GAP + 1)]):
        got = _VERSION_LINE.match(line) if i < len(lines) else None
        if got is not None:
            run.append(i)
            names.add(got.group(1).strip().lower())
            gap = 0
        elif run and line.strip():
            gap += 1
            if gap > MAX_REPORT_GAP:
                if len(names) >= MIN_REPORT_LINES:
                    drop.update(range(run[0], run[-1] + 1))
                    drop.update(_report_heading(lines, run[0]))
                run, names, gap = [], set(), 0
    if not drop:
        return text
    return "\n".join(line for i, line in enumerate(lines) if i not in drop)


# What opens a report: a fence, a collapsed block, a line without a lower-case letter
# ("INSTALLED VERSIONS", "------"). A heading or a block's summary names it ("#### Output of
# ``xr.show_versions()``"), in words of the template, not of the task.
_REPORT_OPENER = re.compile(r"^(?:\s*(?i:```\w*|~~~\w*|<details>|</?pre>)\s*|[^a-z]*)$")
_REPORT_HEADING = re.compile(r"^\s*(?:#{1,6}\s|\*\*[^*]+\*\*\s*:?\s*$|.*<summary>)", re.I)


def _report_heading(lines: list[str], start: int) -> list[int]:
    """The lines above a report at `start` that open or name it: blank lines, fences and a
    collapsed block's markup, up to its heading or summary, if it has one."""
    above: list[int] = []
    for i in range(start - 1, -1, -1):
        line = lines[i]
        if not line.strip() or _REPORT_OPENER.match(line):
            above.append(i)
            continue
        return [*above, i] if _REPORT_HEADING.match(line) else above
    return above


# An issue form's environment fields, one heading each ("### Python version" over "3.9.10",
# "### Sphinx extensions" over a list of modules): the reporter's setup in the form's own
# words. A field is a heading and a short answer; a version field's answer is one version.
_HEADING = re.compile(r"^#{1,6}[ \t]+(.+?)[ \t#]*$")
_VERSION = r"[`'\"]?(?:[<>=~^!]=?\s*)?[vV]?\d+(?:\.[\w+-]+)*[`'\"]?"
_VERSION_ANSWER = re.compile(rf"^{_VERSION}(?:\s*[,/]\s*{_VERSION})*$")  # "3.7, 3.8, 3.9" too
MIN_VERSION_FIELDS = 2  # one version heading may be a task's own subject ("Python version")
MAX_FIELD_LINES = 16  # a field's answer: a value, a list of extensions; longer is the task's
NO_RESPONSE = "_No response_"  # a code host's answer to a form's optional field left empty
# Words of a field's heading that say what kind of field it is, not what it is about.
_FIELD_WORDS = frozenset({"version", "versions"})


def _without_form_fields(text: str) -> str:
    """`text` without an issue form's unanswered fields and its environment fields: where
    MIN_VERSION_FIELDS or more headings outside code are each answered by one version, those
    fields go, and with them the fields next to them whose heading names what a version
    heading names ("### Sphinx extensions" beside "### Sphinx version")."""
    lines = text.split("\n")
    code = [m.span() for m in _FENCE.finditer(text)]
    starts: list[int] = []  # the line of each heading outside code
    offset = 0
    for i, line in enumerate(lines):
        if _HEADING.match(line) and not _inside(offset, code):
            starts.append(i)
        offset += len(line) + 1
    # Each heading's field: its line, its answer up to the next heading, the answer's lines.
    fields = []
    for k, start in enumerate(starts):
        end = starts[k + 1] if k + 1 < len(starts) else len(lines)
        answer = [ln.strip() for ln in lines[start + 1 : end] if ln.strip()]
        heading = _HEADING.match(lines[start])
        words = {w.lower() for w in IDENT_WORDS.findall(heading.group(1))} if heading else set()
        fields.append((start, end, words, answer))
    versions = [
        k
        for k, (_, _, _, answer) in enumerate(fields)
        if len(answer) == 1 and _VERSION_ANSWER.match(answer[0])
    ]
    # A field left unanswered is all the form's words ("### Additional context" over
    # "_No response_"), none of the task's.
    drop = {k for k, (_, _, _, answer) in enumerate(fields) if answer == [NO_RESPONSE]}
    if len(versions) >= MIN_VERSION_FIELDS:
        named = set().union(*(fields[k][2] for k in versions)) - _FIELD_WORDS
        drop.update(versions)
        for k in versions:  # the short fields next to a version field that share its subject
            for step in (-1, 1):
                j = k + step
                while 0 <= j < len(fields) and j not in drop and fields[j][2] & named:
                    if len(fields[j][3]) > MAX_FIELD_LINES:
                        break
                    drop.add(j)
                    j += step
    if not drop:
        return text
    gone = {i for k in drop for i in range(fields[k][0], fields[k][1])}
    return "\n".join(line for i, line in enumerate(lines) if i not in gone)


# An HTML comment: an issue template's instructions ("<!-- Please include a minimal
# example -->"), hidden from the issue's readers and written by none of them.
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)


def _without_comments(text: str) -> str:
    """`text` without HTML comments outside code (`<!--` in a code span or a fence is the
    code the task is about)."""
    # Only up to the last `-->`: a `<!--` after it never closes, and looking for its end
    # from each of many would cost time quadratic in the text.
    end = text.rfind("-->")
    if end < 0:
        return text
    end += len("-->")
    code = [m.span() for m in _FENCE.finditer(text)] + [m.span() for m in _BACKTICK.finditer(text)]
    head = _HTML_COMMENT.sub(lambda m: m.group(0) if _inside(m.start(), code) else " ", text[:end])
    return head + text[end:]


# What a task's example code defines is the reporter's own code: its classes and functions
# (`class Square`, `def test_foo`, `fn main`) and the attributes of its classes (`width: int`
# in a class body, `self.width = width`). A project file defining a name they share (a LaTeX
# writer's `width`, a test suite's `test_basic`) is not what the task is about. Not plain
# assignments: `autodoc_typehints = "description"` in a pasted conf.py names a project option.
_DEFINES = re.compile(
    r"^(\s*)(?:(?:async|export|pub|public|private|static)\s+)*"
    r"(class|def|function|fn|func|struct|enum|trait|interface)\s+([A-Za-z_]\w*)"
)
_CLASS_ATTRIBUTE = re.compile(
    r"^(\s*)([A-Za-z_]\w*)\s*(?::\s*[^=\n]+)?=(?!=)|^(\s*)([A-Za-z_]\w*)\s*:\s*\S"
)
_SELF_ATTRIBUTE = re.compile(r"\bself\.([A-Za-z_]\w*)\s*(?::\s*[^=\n]+)?=(?!=)")
_PROMPT = re.compile(r"^(?:>>> |\.\.\. |In \[\d+\]: )")


def _named_in_prose(name: str, prose: str) -> bool:
    """Whether the text outside code blocks names `name` as code: backticked, or written
    whole where it looks like code (a plain word such as `width` in prose is English)."""
    word = re.compile(rf"\b{re.escape(name)}\b")
    if any(word.search(span) for span in _BACKTICK.findall(prose)):
        return True
    return _looks_like_code(name) and word.search(prose) is not None


def _own_names(blocks: list[str]) -> set[str]:
    """The names the task's code blocks define (see `_DEFINES`)."""
    own: set[str] = set()
    for block in blocks:
        body: int | None = None  # indentation of the class being read, if any
        for raw in block.split("\n"):
            line = _PROMPT.sub("", raw).rstrip()
            if not line.strip():
                continue
            indent = len(line) - len(line.lstrip())
            if body is not None and indent <= body:
                body = None
            got = _DEFINES.match(line)
            if got is not None:
                own.add(got.group(3))
                if got.group(2) in ("class", "struct") and body is None:
                    body = indent
                continue
            if body is None:
                continue
            own.update(_SELF_ATTRIBUTE.findall(line))
            attr = _CLASS_ATTRIBUTE.match(line)
            if attr is not None:
                own.add(attr.group(2) or attr.group(4))
    return {name for name in own if not _is_dunder(name)}


def _scopes(title: str) -> list[str]:
    """The names a title's scope prefix gives, as written (`a/b` stays a path)."""
    m = _SCOPE_PREFIX.match(title)
    if m is None:
        return []
    # In `fix(mangen):` the scope is in the brackets; `fix` is the kind of change.
    names = [m.group(2)] if m.group(2) else [n.strip() for n in m.group(1).split(",")]
    return [n.strip("./") for n in names if n.strip("./")]


def extract(text: str) -> Signals:
    """Pull paths, traceback frames, symbols and weighted search terms out of a task text."""
    text = _without_form_fields(_without_reports(_without_comments(text)))
    sig = Signals()
    jvm: list[tuple[int, int]] = []  # spans of JVM frames, read by their own pattern
    for m in _JVM_FRAME.finditer(text):
        jvm.append(m.span())
        if not m.group(1).startswith(_JVM_RUNTIME):
            path = m.group(1).replace(".", "/") + m.group(3)
            sig.frames.append((path, int(m.group(4)), m.group(2)))
    for m in _FRAME.finditer(text):
        if _inside(m.start(), jvm):
            continue
        if m.group(1):
            sig.frames.append((m.group(1), int(m.group(2)), m.group(3)))
        else:
            sig.frames.append((m.group(4), int(m.group(5)), None))
    seen_paths: set[str] = set()
    for m in _BLOB.finditer(text):
        linked = _path_mention(m.group(1))
        if linked and linked not in seen_paths:
            seen_paths.add(linked)
            sig.paths.append(linked)
        if linked and m.group(2):
            sig.frames.append((linked, int(m.group(2)), None))
    for m in _PATH.finditer(text):
        p = _path_mention(m.group(1))
        if "://" in text[max(0, m.start() - 8) : m.start() + 3] or p in seen_paths:
            continue
        if _inside(m.start(), jvm):
            continue  # a JVM frame's bare file name: its frame holds the qualified path
        if ("/" in p or "." in p) and p.lower() not in _ABBREVIATIONS:
            seen_paths.add(p)
            sig.paths.append(p)

    symbols: Counter[str] = Counter()
    code_text = " ".join(_FENCE.findall(text))
    for m in _BACKTICK.finditer(text):
        # A span of several words is a command line or a snippet (`cargo run -- --help`,
        # `fmt::print("{}", x)`): its plain lower-case words are a program and its
        # arguments, keywords and local names, too common to point at a definition.
        span = m.group(1)
        if _FILE_NAME.fullmatch(span) and _not_code(span):
            continue  # `index.rst`, `docs.python.org`: the reporter's file, a host
        if _DOTTED.fullmatch(span.strip()) and _standard(span.strip()):
            continue  # `sys.path.insert`: as unquoted below, the standard library's names
        span = _ENDING.sub(" ", span)
        several = len(span.split()) > 1
        for kebab in _KEBAB.findall(span):
            symbols[kebab.replace("-", "_")] += 2
        for ident in _IDENT.findall(_KEBAB.sub(" ", span)):
            if len(ident) >= 3 and ident.lower() not in STOPWORDS:
                if several and ident.islower() and "_" not in ident.strip("_"):
                    continue
                symbols[ident] += 2
    for call in _CALL.finditer(text):
        name = call.group(1)
        receiver = _JS_RECEIVER.search(
            text, max(0, call.start() - _JS_RECEIVER_CHARS), call.start()
        )
        if receiver is not None and _js_built_in(receiver.group(1), name):
            continue
        if name in _DUNDER_CALLS:
            symbols[_DUNDER_CALLS[name]] += 1
        # A member called as such is a name even when prose uses the word: `xr.where(`.
        member = (
            text[call.start() - 1 : call.start()] == "."
            and call.end() - call.start() == len(name) + 1
        )
        if len(name) >= 3 and (member or name.lower() not in STOPWORDS):
            symbols[name] += 1
    for dotted in _DOTTED.findall(text):
        parts = dotted.split(".")
        if _js_built_in(parts[0], parts[1]) or dotted.lower() in _ABBREVIATIONS:
            continue
        if len(parts) >= 2 and not dotted[-1].isdigit():
            sig.modules.append(dotted)
            if _not_code(dotted) or _standard(dotted):
                # A file or host name (`CONTRIBUTING.md`, a path found above) has no
                # members; `os.path.abspath`, `sys.stdout` are the standard library's, not
                # the project's (its own module of that name is still found as a module).
                continue
            owner, member = parts[-2], parts[-1]
            if owner[:1].isupper() or _is_dunder(member):
                sig.qualified.add((owner, member))
                symbols[owner] += 1
            elif owner.islower() and owner.lower() not in STOPWORDS:
                # `config.get`: a value named for its type, so `Config`'s `get` (pairs only
                # match a type's own members; a module's function is found by its name).
                sig.qualified.add((_type_name(owner), member))
            for part in parts[1:]:
                if len(part) >= 3 and part.lower() not in STOPWORDS:
                    symbols[part] += 1
    for owner, member in _GO_METHOD.findall(text):
        # The method of that type, as `Type.method` names it: a trace's line numbers are
        # the reporter's version's, its names hold across versions.
        sig.qualified.add((owner, member))
    for scoped in _SCOPED.findall(text):
        owner, member = scoped.split("::")[-2:]
        # `Type::method` names a member as `Type.method` does; a plain lower-case owner is
        # a crate, module or namespace (`std::io`, `fmt::format`), too broad to point at one.
        if owner != "Self" and (owner[:1].isupper() or "_" in owner.strip("_")):
            sig.qualified.add((owner, member))
            if len(owner) >= 3:
                symbols[owner] += 1
            if len(member) >= 3 and member.lower() not in STOPWORDS:
                symbols[member] += 1
    for ident in _IDENT.findall(text):
        if _looks_like_code(ident):
            symbols[ident] += 1
    for _, _, func in sig.frames:
        if func and func.isidentifier():
            symbols[func] += 2
    # The example's own names, unless the prose names them too (a project function quoted
    # to show a fix is usually named in the text around it).
    prose = _FENCE.sub(" ", text)
    for name in _own_names(_FENCE.findall(text)):
        if name in symbols and not _named_in_prose(name, prose):
            del symbols[name]
    # A name in the title is what the task is about, as a title's words are.
    head = text.lstrip().split("\n", 1)[0]
    in_title = set(_IDENT.findall(head)) if len(head) <= TITLE_MAX_CHARS else set()
    sig.symbols = {
        s: 1.0 + math.log(n) + (TITLE_BONUS if s in in_title else 0.0) for s, n in symbols.items()
    }
    sig.literals = literals(text)
    sig.code_lines = code_lines(text)

    # Query terms: prose and code alike, with sublinear tf; code identifiers count extra.
    counts = text_terms(_URL.sub(_link_words, _IMAGE_ALT.sub(" ", text)))
    extra = text_terms(code_text)
    query: dict[str, float] = {}
    for term, n in counts.items():
        query[term] = 1.0 + math.log(n) - 0.5 * math.log(1 + extra.get(term, 0)) / 2
    # An issue's or a commit's first line says in a few words what the rest is about.
    title = text.lstrip().split("\n", 1)[0]
    sig.scopes = _scopes(title)
    if len(title) <= TITLE_MAX_CHARS:
        for term in text_terms(title):
            if term in query:
                query[term] += TITLE_BONUS
    for ident, w in sig.symbols.items():
        whole = ident.lower()
        # A stopword is a symbol only where the task writes it as code (`xr.where(`): then
        # it names a definition, whose name the word should meet like any other.
        if whole in query or len(split_identifier(ident)) > 1 or whole in STOPWORDS:
            query[whole] = query.get(whole, 1.0) + 0.5 * w
    sig.query = query
    return sig
