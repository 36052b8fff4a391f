"""Walk a tree once and decide, through one gitignore engine, which files may enter a pack.

Precedence, first verdict wins: `--exclude`/config excludes, `.ctxtrimignore` files (deepest
first), `.gitignore` files (deepest first), `.git/info/exclude`, then ctxtrim's built-in
defaults. Inside one file the last matching line wins, as in git. An excluded directory is
pruned: nothing below it is read, as git does. Symbolic links to directories are never
followed (git does not follow them either), so link loops cannot happen; a link to a file is
kept only when its target lies inside the root.
"""

from __future__ import annotations

import errno
import hashlib
import operator
import os
import posixpath
import re
import stat
import warnings
from bisect import bisect_left
from collections.abc import Callable, Container, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

from .config import Config
from .errors import CtxtrimError
from .listings import Listing, Listings
from .progress import Progress
from .secret_files import SECRET_FILE_PATTERNS

if TYPE_CHECKING:
    import pathspec

# Built-in excludes, grouped so `stats --why` can say which group matched.
DEFAULT_EXCLUDES: dict[str, tuple[str, ...]] = {
    "vcs": (".git", ".hg/", ".svn/", ".bzr/", "_darcs/", ".jj/"),
    "dependencies": (
        "node_modules/",
        "bower_components/",
        "jspm_packages/",
        "vendor/bundle/",
        "vendor/",
        ".venv/",
        "venv/",
        ".tox/",
        ".nox/",
        ".eggs/",
        "*.egg-info/",
        "site-packages/",
        ".yarn/",
        ".pnpm-store/",
    ),
    "build output": (
        "__pycache__/",
        "*.py[cod]",
        ".mypy_cache/",
        ".pytest_cache/",
        ".ruff_cache/",
        ".hypothesis/",
        "build/",
        "dist/",
        "target/",
        ".next/",
        ".nuxt/",
        ".svelte-kit/",
        ".gradle/",
        ".idea/",
        ".vs/",
        "coverage/",
        "htmlcov/",
        ".coverage",
        ".cache/",
        ".parcel-cache/",
        ".turbo/",
        "*.o",
        "*.obj",
        "*.a",
        "*.lib",
        "*.class",
    ),
    "lock file": (
        "package-lock.json",
        "yarn.lock",
        "pnpm-lock.yaml",
        "bun.lockb",
        "poetry.lock",
        "Pipfile.lock",
        "uv.lock",
        "pdm.lock",
        "Cargo.lock",
        "Gemfile.lock",
        "composer.lock",
        "go.sum",
        "mix.lock",
        "pubspec.lock",
        "packages.lock.json",
        "flake.lock",
    ),
    "minified or generated": (
        "*.min.js",
        "*.min.css",
        "*.min.mjs",
        "*.map",
        "*.bundle.js",
        "*_pb2.py",
        "*_pb2_grpc.py",
        "*.pb.go",
        "*.pb.cc",
        "*.pb.h",
        "*.generated.*",
        "*.g.dart",
    ),
    "binary": (
        "*.png",
        "*.jpg",
        "*.jpeg",
        "*.gif",
        "*.bmp",
        "*.ico",
        "*.icns",
        "*.webp",
        "*.tif",
        "*.tiff",
        "*.psd",
        "*.svgz",
        "*.pdf",
        "*.woff",
        "*.woff2",
        "*.ttf",
        "*.otf",
        "*.eot",
        "*.zip",
        "*.gz",
        "*.tgz",
        "*.bz2",
        "*.xz",
        "*.7z",
        "*.rar",
        "*.tar",
        "*.jar",
        "*.war",
        "*.whl",
        "*.egg",
        "*.so",
        "*.so.*",
        "*.dylib",
        "*.dll",
        "*.exe",
        "*.bin",
        "*.dat",
        "*.db",
        "*.sqlite",
        "*.sqlite3",
        "*.pkl",
        "*.pickle",
        "*.npy",
        "*.npz",
        "*.h5",
        "*.hdf5",
        "*.parquet",
        "*.feather",
        "*.onnx",
        "*.pt",
        "*.pth",
        "*.ckpt",
        "*.safetensors",
        "*.mp3",
        "*.mp4",
        "*.wav",
        "*.ogg",
        "*.flac",
        "*.avi",
        "*.mov",
        "*.mkv",
        "*.webm",
        "*.fits",
        "*.fits.gz",
        "*.wasm",
        "*.pyd",
        "*.mo",
        "*.mmdb",
        "*.xls",
        "*.xlsx",
        "*.docx",
        "*.pptx",
        "*.odt",
        "*.dmg",
        "*.iso",
        "*.DS_Store",
    ),
}

# Ignore files a directory may hold, the first winning over the second; and git's own list.
CTXTRIM_IGNORE = ".ctxtrimignore"
GITIGNORE = ".gitignore"
IGNORE_FILES = (CTXTRIM_IGNORE, GITIGNORE)
GIT_INFO_EXCLUDE = ".git/info/exclude"

# Bytes read to sniff binary content.
_SNIFF = 8192


@dataclass(frozen=True, slots=True)
class FileEntry:
    """A file that may enter a pack. `path` is relative to the root, with '/' separators."""

    path: str
    size: int
    mtime_ns: int


@dataclass(frozen=True, slots=True)
class Excluded:
    """A file or directory left out, and why (`rule` names the source and the pattern)."""

    path: str
    rule: str
    is_dir: bool = False


@dataclass
class ScanResult:
    root: Path
    files: list[FileEntry] = field(default_factory=list)
    excluded: list[Excluded] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Layer:
    """One ignore source: patterns compiled once, evaluated relative to `base`."""

    base: str  # directory of the source file, relative to the root ('' for the root)
    spec: pathspec.GitIgnoreSpec
    lines: tuple[str, ...]
    source: str  # shown by --why, e.g. ".gitignore" or "sub/.gitignore"
    # Most paths match none of a layer's patterns; the prefilter says so at C speed where a
    # Python loop over each pattern's regex costs ~30x more.
    prefilter: _Prefilter | None = None
    by_name: _Verdicts = field(default_factory=dict)  # see `_Prefilter.name_decides`

    def verdict(self, rel: str) -> tuple[bool, str] | None:
        """(ignored?, rule text) for `rel` (root-relative; directories end in '/'), or None."""
        if self.base:
            if not rel.startswith(self.base + "/"):
                return None
            rel = rel[len(self.base) + 1 :]
        prefilter = self.prefilter
        if prefilter is None:
            return self.exact(rel)
        if not prefilter.name_decides(rel):
            return self.exact(rel) if prefilter.may_match(rel) else None
        return _by_name(self.by_name, rel, self._checked)

    def _checked(self, rel: str) -> tuple[bool, str] | None:
        return self.exact(rel) if self.prefilter is None or self.prefilter.may_match(rel) else None

    def exact(self, rel: str) -> tuple[bool, str] | None:
        """`verdict` of a path relative to `base`, pattern by pattern."""
        for index in range(len(self.spec.patterns) - 1, -1, -1):
            pattern = self.spec.patterns[index]
            regex: re.Pattern[str] | None = getattr(pattern, "regex", None)  # RegexPattern's
            if pattern.include is None or regex is None:
                continue
            m = regex.match(rel)
            if m and _whole(regex, m.end(), rel):
                return pattern.include, f"{self.source}:{index + 1}: {self.lines[index]}"
        return None


# Verdicts by a path's last component (with its '/' for a directory); see `_by_name`.
_Verdicts: TypeAlias = "dict[str, tuple[bool, str] | None]"
_BY_NAME_MAX = 100_000  # names remembered per ignore source: a huge tree must not grow it forever


def _by_name(
    memo: _Verdicts, rel: str, decide: Callable[[str], tuple[bool, str] | None]
) -> tuple[bool, str] | None:
    """`decide(rel)`, remembered by `rel`'s last component: for a path whose verdict that
    component alone decides (`_Prefilter.name_decides`). Most names recur across a tree
    (`__init__.py`, a `.mo` per locale), and its files are most of the walk's ignore checks."""
    name = rel[rel.rfind("/", 0, len(rel) - 1) + 1 :]
    try:
        return memo[name]
    except KeyError:
        pass
    if len(memo) >= _BY_NAME_MAX:
        memo.clear()
    got = memo[name] = decide(rel)
    return got


def _whole(regex: re.Pattern[str], end: int, rel: str) -> bool:
    """Does a pattern's match name `rel` itself, as git matches it?

    pathspec lets a pattern that names a directory match everything below it; the walk
    prunes excluded directories itself, so such a match must cover the whole path. A
    contents pattern (`src/**`) matches what is below `src/`, never `src/` itself."""
    if "ps_d" in regex.groupindex:
        return end == len(rel)
    if regex.pattern.endswith("/"):
        return end < len(rel)
    return True


def _layer(base: str, lines: list[str], source: str) -> _Layer:
    import pathspec  # here: a scan that reuses every directory's listing never needs it

    # Blank lines become comments so a pattern's index is its line number.
    cleaned = tuple(line if line.strip() else "#" for line in lines)
    # A line like `[[:alpha:]` makes `re` warn ("possible nested set"): noise the user
    # cannot act on, printed to stderr. Git treats such lines literally; so does the regex.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            spec = pathspec.GitIgnoreSpec.from_lines(cleaned)
        except Exception:  # noqa: BLE001 - a malformed line must not break the scan
            spec = pathspec.GitIgnoreSpec.from_lines(_valid_lines(cleaned))
            cleaned = tuple(_valid_lines(cleaned))
        return _Layer(base, spec, cleaned, source, _prefilter(spec.patterns))


_LIT = r"((?:\\.|[A-Za-z0-9_])+)"  # a literal as pathspec escapes it
_ANY_DIR = re.escape("^(?:.+/)?")
_SHAPES = (  # (regex shape, prefix glob?, directories only?)
    (re.compile(_ANY_DIR + _LIT + re.escape("(?:(?P<ps_d>/)|$)") + "$"), False, False),
    (re.compile(_ANY_DIR + _LIT + re.escape("(?P<ps_d>/)") + "$"), False, True),
    (
        re.compile(_ANY_DIR + re.escape("[^/]*") + _LIT + re.escape("(?:(?P<ps_d>/)|$)") + "$"),
        True,
        False,
    ),
    (re.compile(_ANY_DIR + re.escape("[^/]*") + _LIT + re.escape("(?P<ps_d>/)") + "$"), True, True),
)


class _Prefilter:
    """Says cheaply whether any of a layer's patterns may match a path, so the exact
    pattern-by-pattern verdict runs only for the few paths that need it.

    The common pattern shapes (`name`, `name/`, `*.ext`, `*.ext/`, at any depth) are checked
    on the path's last component with set lookups and one `endswith`; the rest are joined
    into one regex. It may say yes wrongly, never no wrongly: a match of a pattern on a path
    *below* what it names does not count (`_whole`), and such a match always ends at a '/'
    inside the path, so the last component decides for the simple shapes."""

    __slots__ = ("names", "dir_names", "suffixes", "dir_suffixes", "globs", "dir_globs", "rest")

    def __init__(self, patterns: Iterable[pathspec.Pattern]) -> None:
        self.names: set[str] = set()
        self.dir_names: set[str] = set()
        suffixes: list[str] = []
        dir_suffixes: list[str] = []
        rest: list[str] = []
        globs: list[str] = []
        dir_globs: list[str] = []
        for pattern in patterns:
            regex: re.Pattern[str] | None = getattr(pattern, "regex", None)  # RegexPattern's
            if pattern.include is None or regex is None:
                continue
            text = regex.pattern
            for shape, glob, dirs in _SHAPES:
                m = shape.match(text)
                if m:
                    lit = re.sub(r"\\(.)", r"\1", m.group(1))
                    target = (dir_suffixes if dirs else suffixes) if glob else None
                    if target is not None:
                        target.append(lit)
                    else:
                        (self.dir_names if dirs else self.names).add(lit)
                    break
            else:
                segment = _segment_glob(text)
                if segment is not None:  # `id_rsa*`, `*.py[cod]`: a glob on the last component
                    (dir_globs if segment[1] else globs).append(segment[0])
                else:
                    rest.append(text.replace("(?P<ps_d>", "(?:"))
        self.suffixes = tuple(suffixes)
        self.dir_suffixes = tuple(dir_suffixes)
        self.rest = re.compile("|".join(f"(?:{r})" for r in rest)) if rest else None
        self.globs = re.compile("|".join(f"(?:{g})" for g in globs)) if globs else None
        self.dir_globs = re.compile("|".join(f"(?:{g})" for g in dir_globs)) if dir_globs else None

    def name_decides(self, rel: str) -> bool:
        """Whether the patterns' verdict on `rel` rests on its last component alone: so it
        does when none of the other patterns (`rest`) matches, for the simple shapes and the
        component globs match at any depth and, as `_whole` wants, only on the last one."""
        return self.rest is None or self.rest.match(rel) is None

    def may_match(self, rel: str) -> bool:
        is_dir = rel.endswith("/")
        name = rel[:-1] if is_dir else rel
        name = name[name.rfind("/") + 1 :]
        if name in self.names or (self.suffixes and name.endswith(self.suffixes)):
            return True
        if is_dir and (
            name in self.dir_names or (self.dir_suffixes and name.endswith(self.dir_suffixes))
        ):
            return True
        if self.globs is not None and self.globs.fullmatch(name):
            return True
        if is_dir and self.dir_globs is not None and self.dir_globs.fullmatch(name):
            return True
        return self.rest is not None and self.rest.match(rel) is not None


_ANY_DEPTH = "^(?:.+/)?"
_END_ANY = "(?:(?P<ps_d>/)|$)"
_END_DIR = "(?P<ps_d>/)"


def _segment_glob(text: str) -> tuple[str, bool] | None:
    """(regex of the last path component, directories only?) for a pattern that matches at
    any depth and whose glob cannot cross a '/'; None for any other pattern."""
    if not text.startswith(_ANY_DEPTH):
        return None
    for end, dirs in ((_END_ANY, False), (_END_DIR, True)):
        if text.endswith(end):
            middle = text[len(_ANY_DEPTH) : -len(end)]
            if middle and "/" not in middle.replace("[^/]", "") and "(" not in middle:
                return middle, dirs
    return None


def _prefilter(patterns: Iterable[pathspec.Pattern]) -> _Prefilter | None:
    try:
        return _Prefilter(patterns)
    except re.error:  # patterns that cannot be joined: check each one, as before
        return None


def _valid_lines(lines: tuple[str, ...]) -> list[str]:
    """Drop the lines pathspec cannot compile (git ignores them too), keeping line positions."""
    import pathspec

    kept = []
    for line in lines:
        try:
            pathspec.GitIgnoreSpec.from_lines([line])
        except Exception:  # noqa: BLE001
            line = "#"
        kept.append(line)
    return kept


_READ_FLAGS = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0)


def read_regular(path: str, limit: int, root: str | None = None) -> bytes | str:
    """Up to `limit` + 1 bytes of a regular file, or why not. Never blocks on a FIFO or a
    device (opened non-blocking, then checked), and with `root`, never follows a link that
    leads out of it: the tree may change between the scan and the read."""
    if root is not None:
        try:
            target = os.path.realpath(path)
        except (OSError, ValueError):
            return "unreadable"
        if target != root and not target.startswith(root.rstrip("/") + "/"):
            return "symlink out of the root"
    try:
        fd = os.open(path, _READ_FLAGS)
    except (OSError, ValueError) as exc:
        return f"unreadable ({getattr(exc, 'strerror', None) or exc})"
    return _read_fd(fd, limit)


def _read_fd(fd: int, limit: int) -> bytes | str:
    """Read from an open descriptor (and close it): a regular file's first `limit` + 1 bytes."""
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            return "not a regular file"
        chunks = []
        left = limit + 1
        while left > 0:
            want = min(left, 1 << 20)
            chunk = os.read(fd, want)
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
            # The whole file as it was when stat: no further read to see its end (a cold
            # start reads every file of the tree; that read was a fifth of its syscalls).
            if len(chunk) < want and left == limit + 1 - st.st_size:
                break
        return b"".join(chunks)
    except OSError as exc:
        return f"unreadable ({exc.strerror or exc})"
    finally:
        os.close(fd)


class TreeReader:
    """Reads many files of one tree, in path order, as safely as `read_text` but cheaper.

    Each directory is opened relative to its parent's descriptor without following links
    (O_NOFOLLOW), and kept open while the files below it are read, so no file outside the
    root can be reached even if the tree changes meanwhile, and no path is resolved twice
    (`os.path.realpath` per file was a tenth of a cold start). A file that is itself a link
    (the scan keeps those that stay inside the root) goes the checked way of `read_text`."""

    _NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
    _DIRECTORY = getattr(os, "O_DIRECTORY", 0)

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)
        self._stack: list[tuple[str, int]] = []  # open directories: the current path's chain
        self._root_fd = -1
        if self._NOFOLLOW and self._DIRECTORY and os.open in os.supports_dir_fd:
            try:
                self._root_fd = os.open(self.root, os.O_RDONLY | self._DIRECTORY)
            except OSError:
                pass  # every read then goes the checked way, and says why it failed
        self._usable = self._root_fd >= 0

    def __enter__(self) -> TreeReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        for _, fd in self._stack:
            os.close(fd)
        self._stack.clear()
        if self._root_fd >= 0:
            os.close(self._root_fd)
            self._root_fd = -1

    def text(self, rel: str, max_bytes: int) -> Text:
        """The decoded text of `rel` (relative, '/'-separated), or why it has none."""
        if not self._usable:
            return read_text(self.root, rel, max_bytes)
        *dirs, name = rel.split("/")
        parent = self._enter(dirs)
        if parent is None:
            return Text(None, "unreadable (a directory on its path is a link or gone)")
        try:
            fd = os.open(name, _READ_FLAGS | self._NOFOLLOW, dir_fd=parent)
        except OSError as exc:
            if exc.errno == errno.ELOOP:  # a file link: check where it leads
                return read_text(self.root, rel, max_bytes)
            return Text(None, f"unreadable ({exc.strerror or exc})")
        return _as_text(_read_fd(fd, max_bytes), max_bytes)

    def _enter(self, dirs: list[str]) -> int | None:
        """The descriptor of directory `dirs`, reusing the open chain's common prefix."""
        stack = self._stack
        keep = 0
        while keep < len(stack) and keep < len(dirs) and stack[keep][0] == dirs[keep]:
            keep += 1
        for _, fd in stack[keep:]:
            os.close(fd)
        del stack[keep:]
        for part in dirs[keep:]:
            parent = stack[-1][1] if stack else self._root_fd
            try:
                fd = os.open(part, os.O_RDONLY | self._DIRECTORY | self._NOFOLLOW, dir_fd=parent)
            except OSError:
                return None
            stack.append((part, fd))
        return stack[-1][1] if stack else self._root_fd


_IGNORE_FILE_LIMIT = 1_000_000  # bytes of one ignore file that are read


def _read_ignore_file(path: Path, root: Path) -> list[str] | None:
    data = read_regular(str(path), _IGNORE_FILE_LIMIT, str(root))
    if isinstance(data, str):
        return None
    return data[:_IGNORE_FILE_LIMIT].decode("utf-8", "replace").split("\n")


_NOT_IGNORED: tuple[bool, str | None] = (False, None)


class IgnoreRules:
    """The ignore verdict for any root-relative path, with the rule that decided it."""

    def __init__(self, root: Path, config: Config) -> None:
        self.root = root
        self.config = config
        self._front: list[_Layer] = []  # config/flag excludes
        self._nested: dict[
            str, list[_Layer]
        ] = {}  # dir -> [.ctxtrimignore, .gitignore] layers there
        self._back: list[_Layer] = []  # info/exclude, then defaults
        self._include = _layer("", list(config.include), "include").spec if config.include else None
        if config.exclude:
            self._front.append(_layer("", list(config.exclude), "exclude setting"))
        if config.use_gitignore:
            info = _read_ignore_file(root / GIT_INFO_EXCLUDE, root)
            if info:
                self._back.append(_layer("", info, GIT_INFO_EXCLUDE))
        self._back.append(_layer("", list(SECRET_FILE_PATTERNS), "default (secret file)"))
        for group, patterns in DEFAULT_EXCLUDES.items():
            self._back.append(_layer("", list(patterns), f"default ({group})"))
        # One prefilter for all the root-level layers at the back: most paths pass them all.
        self._back_filter = _prefilter(p for layer in self._back for p in layer.spec.patterns)
        self._back_by_name: _Verdicts = {}

    def load_dir(self, rel_dir: str, present: Container[str] | None = None) -> None:
        """Read the ignore files of a directory the walk has just entered. `present`, when
        the caller has listed the directory, names its entries (saves failed opens)."""
        layers = []
        names = [n for n in IGNORE_FILES if n != GITIGNORE or self.config.use_gitignore]
        for name in names:
            if present is not None and name not in present:
                continue
            lines = _read_ignore_file(self.root / rel_dir / name, self.root)
            if lines:
                source = f"{rel_dir}/{name}" if rel_dir else name
                layers.append(_layer(rel_dir, lines, source))
        if layers:
            self._nested[rel_dir] = layers

    def check(self, rel: str, is_dir: bool = False) -> tuple[bool, str | None]:
        """(ignored?, deciding rule). Directories are checked as 'dir/'."""
        probe = rel + "/" if is_dir else rel
        for layer in self._front:
            verdict = layer.verdict(probe)
            if verdict:
                return verdict
        # Deeper ignore files take precedence over shallower ones, as in git.
        nested = self._nested
        if nested:
            parts = rel.split("/")
            for depth in range(len(parts) - 1, -1, -1):
                for layer in nested.get("/".join(parts[:depth]), ()):
                    verdict = layer.verdict(probe)
                    if verdict:
                        return verdict
        back = self._back_filter
        if back is not None and back.name_decides(probe):
            return _by_name(self._back_by_name, probe, self._back_verdict) or _NOT_IGNORED
        return self._back_verdict(probe) or _NOT_IGNORED

    def _back_verdict(self, probe: str) -> tuple[bool, str] | None:
        if self._back_filter is not None and not self._back_filter.may_match(probe):
            return None
        for layer in self._back:
            verdict = layer.verdict(probe)
            if verdict:
                return verdict
        return None

    def wanted(self, rel: str) -> bool:
        """False if `include` patterns are set and `rel` matches none of them."""
        return self._include is None or self._include.match_file(rel)


def directory(path: Path | str) -> Path:
    """`path` resolved, if it is a directory; else a CtxtrimError naming it. Also for names
    the OS refuses (too long, NUL bytes), which make pathlib raise instead of answer."""
    path = Path(path)
    try:
        if not path.exists():
            raise CtxtrimError(f"{path}: no such file or directory")
        if not path.is_dir():
            raise CtxtrimError(f"{path}: not a directory")
        return path.resolve()
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise CtxtrimError(
            f"{str(path)[:80]}{'…' if len(str(path)) > 80 else ''}: {reason}"
        ) from None


def scan(
    root: Path | str,
    config: Config | None = None,
    progress: Progress | None = None,
    listings_dir: Path | None = None,
    found: Callable[[list[FileEntry]], object] | None = None,
) -> ScanResult:
    """Walk `root` and return the files that may enter a pack and those left out (with why).
    With `listings_dir`, each directory's verdicts are kept there, and the next scan
    re-decides only the directories that changed (see `listings.py`). With `found`, the
    kept files are also handed to it as the walk finds them, in runs that follow each other
    in path order (a cold build analyses them while the walk goes on)."""
    root = Path(root)
    config = config or Config()
    root = directory(root)
    root = root.resolve()
    listings = Listings.load(listings_dir, root, _listings_key(config)) if listings_dir else None
    rules = _LazyRules(root, config)
    result = ScanResult(root=root)
    count = 0
    for files, excluded in _walk(root, rules, config, listings, ordered=found is not None):
        if found is not None and files:
            found(files)
        result.files += files
        result.excluded += excluded
        if progress and (count + len(files) + len(excluded)) // 2000 > count // 2000:
            progress("scan", count + len(files) + len(excluded), 0)
        count += len(files) + len(excluded)
    by_path = operator.attrgetter("path")
    result.files.sort(key=by_path)
    result.excluded.sort(key=by_path)
    if listings is not None:
        listings.save(root)
    return result


def _listings_key(config: Config) -> str:
    """What decides a directory's verdicts besides its listing and its ignore files."""
    defaults = hashlib.blake2b(
        repr((DEFAULT_EXCLUDES, SECRET_FILE_PATTERNS)).encode(), digest_size=8
    ).hexdigest()
    return repr((config.exclude, config.include, config.use_gitignore, defaults))


class _LazyRules:
    """The ignore rules, built only when some directory must be decided anew (a scan that
    reuses every listing compiles no pattern), with the ignore files of every directory
    above it read first."""

    def __init__(self, root: Path, config: Config) -> None:
        self.root = root
        self.config = config
        self._rules: IgnoreRules | None = None
        self._loaded: set[str] = set()

    def at(self, rel_dir: str, present: Container[str]) -> IgnoreRules:
        if self._rules is None:
            self._rules = IgnoreRules(self.root, self.config)
        # The walk enters a directory's parent first: its ignore files and those above it
        # are read then (the loop below is for a first directory deep in the tree).
        if rel_dir and rel_dir.rpartition("/")[0] not in self._loaded:
            parts = rel_dir.split("/")
            for depth in range(len(parts)):
                above = "/".join(parts[:depth])
                if above not in self._loaded:
                    self._rules.load_dir(above)
                    self._loaded.add(above)
        if rel_dir not in self._loaded:
            if present:  # most directories have no ignore file: nothing to read
                self._rules.load_dir(rel_dir, present)
            self._loaded.add(rel_dir)
        return self._rules


_INFO_EXCLUDE = "\0info/exclude"  # the root listing's stamp of .git/info/exclude
_DIR_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NOFOLLOW", 0)


# What one step of the walk yields: files that may enter a pack, and what it leaves out.
Outcomes = tuple[list[FileEntry], list[Excluded]]
# The walk's to-do list: a directory to visit (and may its old listing be trusted?), or, in
# an ordered walk, a run of files handed out when the directories sorting before it are.
_Pending: TypeAlias = "tuple[str, bool] | list[FileEntry]"
_BY_PATH = operator.attrgetter("path")


def _walk(
    root: Path, rules: _LazyRules, config: Config, listings: Listings | None, ordered: bool
) -> Iterator[Outcomes]:
    """The outcomes of every directory below `root`. With `ordered`, the kept files come
    out in path order across the whole walk, not only within a directory."""
    root_str = str(root)
    base = os.path.join(root_str, "")  # the root with its separator: `base + rel_dir`
    stack: list[_Pending] = [("", True)]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            yield item, []
            continue
        rel_dir, trust = item
        full = base + rel_dir if rel_dir else root_str
        reused = _reuse(root_str, full, rel_dir, listings, config) if trust and listings else None
        if reused is not None:
            listing, (found, gone) = reused
            if ordered:
                yield [], gone
                _push_in_order(stack, rel_dir, found, listing.subdirs, True)
            else:
                yield found, gone
                stack.extend((rel, True) for rel in _children(rel_dir, listing.subdirs))
            listings.keep(rel_dir, listing, fresh=False)  # type: ignore[union-attr]
            continue
        try:
            mtime_ns = os.stat(full).st_mtime_ns  # before listing: a change during it shows
            with os.scandir(full) as it:
                entries = list(it)  # unsorted: scan() sorts what it returns
        except OSError as exc:
            yield [], [Excluded(rel_dir or ".", f"unreadable directory ({exc.strerror})", True)]
            continue
        present = {e.name for e in entries if e.name in IGNORE_FILES}
        dir_rules = rules.at(rel_dir, present)
        subdirs: list[str] = []
        files: list[str] = []
        excluded: list[tuple[str, str, bool]] = []
        lasting = True  # may this listing be kept for the next scan?
        kept: list[FileEntry] = []
        left_out: list[Excluded] = []
        prefix = f"{rel_dir}/" if rel_dir else ""
        for entry in entries:
            outcome = _classify(root_str, prefix + entry.name, entry, dir_rules, config)
            if outcome is None:
                subdirs.append(entry.name)
                continue
            if isinstance(outcome, FileEntry):
                kept.append(outcome)
                if _is_link(entry):
                    lasting = False  # a link's target may change, its directory stays
                else:
                    files.append(entry.name)
                continue
            left_out.append(outcome)
            if _is_link(entry) or outcome.rule in ("unreadable", "not a regular file"):
                lasting = False
            elif outcome.rule.startswith("huge"):
                files.append(entry.name)  # its size decides again next time
            else:
                excluded.append((entry.name, outcome.rule, outcome.is_dir))
        trust_below = False
        if listings is not None:
            listing = Listing(
                mtime_ns,
                tuple(subdirs),
                tuple(files),
                tuple(excluded),
                _ignore_stamps(root_str, full, sorted(present), config, not rel_dir),
            )
            old = listings.old.get(rel_dir)
            # Below a directory whose ignore files changed (or are unknown), nothing is trusted.
            trust_below = trust and old is not None and old.ignore == listing.ignore
            if lasting:
                listings.keep(rel_dir, listing, fresh=True)
        if ordered:
            yield [], left_out
            _push_in_order(stack, rel_dir, kept, subdirs, trust_below)
        else:
            yield kept, left_out
            stack.extend((rel, trust_below) for rel in _children(rel_dir, subdirs))


def _children(rel_dir: str, names: Sequence[str]) -> list[str]:
    prefix = f"{rel_dir}/" if rel_dir else ""
    return [prefix + name for name in reversed(names)]


def _push_in_order(
    stack: list[_Pending],
    rel_dir: str,
    files: list[FileEntry],
    subdirs: Iterable[str],
    trust: bool,
) -> None:
    """Queue a directory's files and subdirectories so that, popped, every file comes in
    path order: a subdirectory `b` sorts as `b/`, so its files come between `b.py` (`.`
    sorts before `/`) and `b_c.py`."""
    files.sort(key=_BY_PATH)
    if not subdirs:  # most directories
        if files:
            stack.append(files)
        return
    prefix = f"{rel_dir}/" if rel_dir else ""
    todo: list[_Pending] = []
    start = 0
    for key in sorted(prefix + name + "/" for name in subdirs):
        cut = bisect_left(files, key, start, key=_BY_PATH)
        if cut > start:
            todo.append(files[start:cut])
        todo.append((key[:-1], trust))
        start = cut
    if start < len(files):
        todo.append(files[start:])
    stack.extend(reversed(todo))


def _is_link(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_symlink()
    except OSError:
        return True


def _ignore_stamps(
    root: str, full: str, names: list[str], config: Config, is_root: bool
) -> tuple[tuple[str, int, int], ...]:
    """(name, size, mtime_ns) of a directory's ignore files (and, at the root, of
    .git/info/exclude): a change to any of them changes what is ignored below."""
    paths = [(name, os.path.join(full, name)) for name in names]
    if is_root and config.use_gitignore:
        paths.append((_INFO_EXCLUDE, os.path.join(root, ".git", "info", "exclude")))
    stamps = []
    for name, path in paths:
        try:
            st = os.stat(path)
            stamps.append((name, st.st_size, st.st_mtime_ns))
        except OSError:
            stamps.append((name, -1, -1))
    return tuple(stamps)


def _reuse(
    root: str, full: str, rel_dir: str, listings: Listings, config: Config
) -> tuple[Listing, Outcomes] | None:
    """The outcomes of a directory from its old listing, if its mtime and its ignore files
    are unchanged and its kept files are still regular files; else None (list it anew).
    Runs for every directory of a warm start: its loop is kept lean."""
    try:
        fd = os.open(full, _DIR_FLAGS)
    except OSError:
        return None
    try:
        listing = listings.old.get(rel_dir)
        if listing is None or listing.mtime_ns != os.fstat(fd).st_mtime_ns:
            return None
        # Stamps are taken only where there are ignore files (and .git/info/exclude at the
        # root): elsewhere they are () on both sides.
        if listing.ignore or not rel_dir:
            names = [name for name, _, _ in listing.ignore if name != _INFO_EXCLUDE]
            if _ignore_stamps(root, full, names, config, not rel_dir) != listing.ignore:
                return None
        prefix = f"{rel_dir}/" if rel_dir else ""
        files: list[FileEntry] = []
        limit = config.max_file_bytes
        stat_at, is_regular, entry = os.stat, stat.S_ISREG, FileEntry
        huge = []
        for name in listing.files:
            st = stat_at(name, dir_fd=fd, follow_symlinks=False)
            if not is_regular(st.st_mode):
                return None
            if st.st_size > limit:
                huge.append(_huge(prefix + name, st.st_size, config))
            else:
                files.append(entry(prefix + name, st.st_size, st.st_mtime_ns))
        excluded = [
            Excluded(prefix + name, rule, is_dir) for name, rule, is_dir in listing.excluded
        ]
        return listing, (files, huge + excluded)
    except OSError:
        return None
    finally:
        os.close(fd)


def _huge(rel: str, size: int, config: Config) -> Excluded:
    return Excluded(rel, f"huge ({size:,} bytes > max_file_bytes {config.max_file_bytes:,})")


def _classify(
    root: str, rel: str, entry: os.DirEntry[str], rules: IgnoreRules, config: Config
) -> FileEntry | Excluded | None:
    """None for a directory to enter, a FileEntry to keep, or an Excluded to report."""
    try:
        is_link = entry.is_symlink()
        is_dir = entry.is_dir(follow_symlinks=False)
    except OSError:
        return Excluded(rel, "unreadable")
    if is_dir:
        ignored, rule = rules.check(rel, is_dir=True)
        if ignored:
            return Excluded(rel, rule or "ignored", True)
        return None
    ignored, rule = rules.check(rel)
    if ignored:
        return Excluded(rel, rule or "ignored")
    if not rules.wanted(rel):
        return Excluded(rel, "not matched by include")
    try:
        if is_link:
            target = os.path.realpath(os.path.join(root, rel))
            if os.path.commonpath([root, target]) != root:
                return Excluded(rel, "symlink out of the root")
            st = os.stat(target)
            if stat.S_ISDIR(st.st_mode):
                return Excluded(rel, "symlink to a directory (not followed)")
        else:
            st = entry.stat(follow_symlinks=False)
    except (OSError, ValueError):
        return Excluded(rel, "broken symlink" if is_link else "unreadable")
    if not stat.S_ISREG(st.st_mode):
        return Excluded(rel, "not a regular file")
    if st.st_size > config.max_file_bytes:
        return _huge(rel, st.st_size, config)
    return FileEntry(rel, st.st_size, st.st_mtime_ns)


UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


@dataclass(frozen=True, slots=True)
class Text:
    """A file's decoded text, or why it has none."""

    text: str | None
    problem: str | None = None
    data: bytes = b""

    @property
    def utf8(self) -> bytes | None:
        """The file's bytes if `text` is them decoded as UTF-8 (a BOM aside), else None."""
        return self.data if self.text is not None and self.data[:2] not in UTF16_BOMS else None


def read_text(root: Path, rel: str, max_bytes: int) -> Text:
    """Read and decode a file as UTF-8 (or UTF-16 with a BOM). Binary content is refused."""
    return _as_text(read_regular(os.path.join(root, rel), max_bytes, str(root)), max_bytes)


def _as_text(data: bytes | str, max_bytes: int) -> Text:
    if isinstance(data, str):
        return Text(None, data)
    if len(data) > max_bytes:
        return Text(None, f"huge (> max_file_bytes {max_bytes:,})")
    return decode(data)


def decode(data: bytes) -> Text:
    """Decode bytes as text the way the pack will show them; say why not if it is binary."""
    if data[:2] in UTF16_BOMS:
        try:
            return Text(data.decode("utf-16"), data=data)
        except UnicodeDecodeError:
            return Text(None, "invalid UTF-16")
    if b"\x00" in data[:_SNIFF]:
        return Text(None, "binary (NUL bytes)")
    # utf-8-sig: a UTF-8 byte-order mark is not text; kept, it would glue onto line 1.
    try:
        return Text(data.decode("utf-8-sig"), data=data)
    except UnicodeDecodeError:
        pass
    text = data.decode("utf-8-sig", "replace")
    # A stray legacy byte or two is tolerated (shown as U+FFFD); mostly-foreign bytes are not text.
    if text.count("\ufffd") > max(4, len(text) // 200):
        return Text(None, "not UTF-8 text")
    return Text(text, data=data)


def why(root: Path | str, rel: str, config: Config | None = None) -> str:
    """Say whether `rel` would be packed and, if not, which rule excludes it."""
    root = Path(root).resolve()
    config = config or Config()
    rel = posixpath.normpath(rel.replace(os.sep, "/")).strip("/")
    if rel == ".." or rel.startswith("../") or Path(rel).is_absolute():
        raise CtxtrimError(f"{rel}: outside the root {root}")
    full = root / rel
    try:
        present = full.exists() or full.is_symlink()
    except (OSError, ValueError):
        present = False
    if not present:
        raise CtxtrimError(f"{rel}: no such file under {root}")
    parts = rel.split("/")
    for depth in range(1, len(parts)):
        parent = "/".join(parts[:depth])
        if (root / parent).is_symlink():
            return f"{rel}: excluded, its directory {parent}/ is a symbolic link (never followed)"
    rules = IgnoreRules(root, config)
    for depth in range(len(parts)):
        rules.load_dir("/".join(parts[:depth]))
    for depth in range(1, len(parts)):
        parent = "/".join(parts[:depth])
        ignored, rule = rules.check(parent, is_dir=True)
        if ignored:
            return f"{rel}: excluded, its directory {parent}/ matches {rule}"
    is_dir = full.is_dir() and not full.is_symlink()
    ignored, rule = rules.check(rel, is_dir=is_dir)
    if ignored:
        return f"{rel}: excluded by {rule}"
    if not rules.wanted(rel):
        return f"{rel}: excluded, not matched by include patterns"
    included = f"included (re-included by {rule})" if rule else "included"
    if is_dir:
        return f"{rel}/: {included}"
    try:
        entry = next(e for e in os.scandir(full.parent) if e.name == full.name)
    except (OSError, StopIteration):
        return f"{rel}: excluded (unreadable)"
    outcome = _classify(str(root), rel, entry, rules, config)
    if isinstance(outcome, Excluded):
        return f"{rel}: excluded ({outcome.rule})"
    text = read_text(root, rel, config.max_file_bytes)
    if text.problem:
        return f"{rel}: excluded ({text.problem})"
    return f"{rel}: {included}"
