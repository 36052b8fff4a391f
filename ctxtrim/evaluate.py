"""`ctxtrim eval`: how well packs cover what a repository's own recent commits changed.

For each of the last N non-merge commits that modify source files, the parent commit is
materialised with `git archive` into a temporary directory (the user's working tree, index and
worktree list are never touched), the commit message is the task, and a pack is made at each
budget. A pack covers a changed line if the line (its pre-image: a removed line, or the line
before an insertion) is inside a range the pack claims verbatim.

`--baseline bm25` scores, on the same commits and budgets, what a plain retriever would show:
source files (tests included, as the commits' changed lines include tests) ranked by
whole-file BM25 of the commit message, packed whole in rank order while they fit, so the
table can say what ctxtrim is worth on this repository.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .config import Config
from .errors import CtxtrimError
from .lang.detect import SOURCE_EXTENSIONS
from .pack import Pack
from .task import Task, extract

if TYPE_CHECKING:
    from .workspace import Workspace

BASELINES = ("none", "bm25")
# The baseline weighs this many of its best-ranked files at most: enough to fill any budget
# with whole files, without counting the tokens of a whole large repository.
BASELINE_DEPTH = 300
_HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+\d+(?:,\d+)? @@")


@dataclass
class Commit:
    sha: str
    message: str
    targets: dict[str, set[int]] = field(default_factory=dict)  # path -> pre-image lines


@dataclass
class Score:
    files: int = 0
    files_seen: int = 0
    files_full: int = 0
    lines: int = 0
    lines_covered: int = 0
    all_covered: bool = False
    tokens: int = 0
    within_budget: bool = True


def _git(root: Path, *args: str, binary: bool = False) -> bytes | str:
    try:
        done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, timeout=120)
    except (OSError, subprocess.SubprocessError) as exc:
        raise CtxtrimError(f"git failed: {exc}") from None
    if done.returncode != 0:
        first = done.stderr.decode("utf-8", "replace").strip().splitlines()[:1]
        raise CtxtrimError(f"{root}: git {args[0]} failed: {first[0] if first else 'error'}")
    return done.stdout if binary else done.stdout.decode("utf-8", "replace")


def is_source(path: str) -> bool:
    return Path(path).suffix.lower() in SOURCE_EXTENSIONS


def changed_lines(diff: str) -> dict[str, set[int]]:
    """Pre-image target lines per modified file of a `git diff -U0` (added files left out)."""
    out: dict[str, set[int]] = {}
    path: str | None = None
    for line in diff.split("\n"):
        if line.startswith("--- "):
            src = line[4:].split("\t")[0]
            path = src[2:] if src.startswith("a/") else None
        elif path and (m := _HUNK.match(line)):
            start, count = int(m.group(1)), int(m.group(2) or 1)
            if count:
                out.setdefault(path, set()).update(range(start, start + count))
            else:  # pure insertion after line `start` (0: at the top)
                out.setdefault(path, set()).add(max(start, 1))
    return {p: t for p, t in out.items() if is_source(p)}


def commits(root: Path, count: int, since: str | None) -> list[Commit]:
    args = ["log", "--no-merges", "--format=%x1e%H%x1f%B", f"-n{max(count * 4, 20)}"]
    if since:
        args.append(f"--since={since}")
    found: list[Commit] = []
    for record in str(_git(root, *args)).split("\x1e"):
        if "\x1f" not in record:
            continue
        sha, message = record.split("\x1f", 1)
        sha = sha.strip()
        try:
            diff = str(_git(root, "diff", "-U0", "--no-color", "--no-renames", f"{sha}^", sha))
        except CtxtrimError:
            continue  # the root commit has no parent
        targets = changed_lines(diff)
        if targets and message.strip():
            found.append(Commit(sha, message.strip(), targets))
        if len(found) >= count:
            break
    return found


def materialise(root: Path, sha: str, dest: Path) -> None:
    """Write the tree of `sha` into `dest` without touching the user's checkout."""
    data = _git(root, "archive", "--format=tar", sha, binary=True)
    with tempfile.TemporaryFile() as f:
        f.write(data)  # type: ignore[arg-type]
        f.seek(0)
        with tarfile.open(fileobj=f) as tar:
            _extract(tar, dest)


def _extract(tar: tarfile.TarFile, dest: Path) -> None:
    """Extract `tar` into `dest` and nowhere else."""
    if hasattr(tarfile, "data_filter"):  # Python 3.10.12+, 3.11.4+, 3.12+
        tar.extractall(dest, filter="data")
        return
    # Older: plain files and directories only, none naming a place outside `dest`.
    safe = [
        m
        for m in tar.getmembers()
        if (m.isfile() or m.isdir())
        and not m.name.startswith("/")
        and ".." not in m.name.split("/")
    ]
    tar.extractall(dest, members=safe)


def score(pack: Pack, commit: Commit) -> Score:
    s = Score(tokens=pack.tokens, within_budget=pack.tokens <= pack.budget)
    shown = {i.path: i for i in pack.items if i.kind == "file"}
    for path, targets in commit.targets.items():
        s.files += 1
        s.lines += len(targets)
        item = shown.get(path)
        if item is None or item.mode == "listed":
            continue
        s.files_seen += 1
        if item.mode == "full":
            s.files_full += 1
            s.lines_covered += len(targets)
            continue
        s.lines_covered += sum(1 for t in targets if any(a <= t <= b for a, b in item.lines))
    s.all_covered = s.lines > 0 and s.lines_covered == s.lines
    return s


def bm25_ranking(ws: Workspace, message: str) -> list[tuple[str, int]]:
    """The baseline's ranking: source files by whole-file BM25 of the message's words
    (ctxtrim's own index), each with its token count."""
    scores = ws.index.bm25(extract(message).query)
    ranked = sorted((-s, ws.index.path_of(d)) for d, s in scores.items() if s > 0)
    out: list[tuple[str, int]] = []
    for _, path in ranked:
        if is_source(path):
            # count_many: a file's whole text is counted once, not remembered in the cache.
            text = ws.index.text(path, keep=False) or ""
            out.append((path, ws.tokenizer.count_many([text])[0]))
            if len(out) >= BASELINE_DEPTH:
                break
    return out


def baseline_score(ranked: list[tuple[str, int]], budget: int, commit: Commit) -> Score:
    """Whole files in rank order, each added if it still fits: the lines of those it shows."""
    shown: set[str] = set()
    used = 0
    for path, tokens in ranked:
        if used + tokens <= budget:
            shown.add(path)
            used += tokens
    s = Score(tokens=used, within_budget=used <= budget)
    for path, targets in commit.targets.items():
        s.files += 1
        s.lines += len(targets)
        if path in shown:
            s.files_seen += 1
            s.files_full += 1
            s.lines_covered += len(targets)
    s.all_covered = s.lines > 0 and s.lines_covered == s.lines
    return s


def run(
    root: Path,
    n: int,
    budgets: list[int],
    since: str | None,
    progress: bool,
    baseline: str = "none",
) -> dict[str, Any]:
    from .workspace import Workspace

    root = root.resolve()
    top = Path(str(_git(root, "rev-parse", "--show-toplevel")).strip()).resolve()
    if top != root:
        raise CtxtrimError(f"{root}: not the top of a git repository (that is {top})")
    picked = commits(root, n, since)
    if not picked:
        raise CtxtrimError(f"{root}: no non-merge commits that modify source files")
    rows: list[dict[str, Any]] = []
    for k, commit in enumerate(picked, 1):
        if progress:
            sys.stderr.write(f"\r\x1b[2Kctxtrim eval: {k}/{len(picked)} {commit.sha[:10]}")
            sys.stderr.flush()
        with tempfile.TemporaryDirectory(prefix="ctxtrim-eval-") as tmp:
            tree = Path(tmp)
            materialise(root, f"{commit.sha}^", tree)
            ws = Workspace.open(tree, Config.load(tree).with_(cache_dir=""))
            ranked = bm25_ranking(ws, commit.message) if baseline == "bm25" else None
            for budget in budgets:
                pack = ws.pack(Task(commit.message), budget, "json")
                row = {"commit": commit.sha, "budget": budget, **score(pack, commit).__dict__}
                if ranked is not None:
                    row["baseline"] = baseline_score(ranked, budget, commit).__dict__
                rows.append(row)
    if progress:
        sys.stderr.write("\r\x1b[2K")
    return {
        "root": str(root),
        "commits": len(picked),
        "budgets": budgets,
        "baseline": baseline,
        "rows": rows,
        "summary": summarise(rows, budgets),
    }


def summarise(rows: list[dict[str, Any]], budgets: list[int]) -> list[dict[str, Any]]:
    out = []
    for budget in budgets:
        rs = [r for r in rows if r["budget"] == budget]
        files = sum(r["files"] for r in rs) or 1
        lines = sum(r["lines"] for r in rs) or 1
        out.append(
            {
                "budget": budget,
                "commits": len(rs),
                "files_seen": round(sum(r["files_seen"] for r in rs) / files, 4),
                "files_full": round(sum(r["files_full"] for r in rs) / files, 4),
                "lines_covered": round(sum(r["lines_covered"] for r in rs) / lines, 4),
                "all_lines": round(sum(r["all_covered"] for r in rs) / max(len(rs), 1), 4),
                "within_budget": all(r["within_budget"] for r in rs),
            }
        )
        if rs and all("baseline" in r for r in rs):
            base = [r["baseline"] for r in rs]
            mine, theirs = out[-1]["all_lines"], sum(b["all_covered"] for b in base) / len(rs)
            out[-1]["baseline"] = {
                "files_seen": round(sum(b["files_seen"] for b in base) / files, 4),
                "lines_covered": round(sum(b["lines_covered"] for b in base) / lines, 4),
                "all_lines": round(theirs, 4),
            }
            # How many times the baseline's share of fully covered commits ctxtrim reaches.
            out[-1]["lift"] = round(mine / theirs, 2) if theirs else None
    return out


def table(result: dict[str, Any]) -> str:
    lines = [
        f"ctxtrim eval · {result['root']} · {result['commits']} commits",
        "",
        "| budget | commits | files seen | files whole | changed lines covered | commits fully covered |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for s in result["summary"]:
        lines.append(
            f"| {s['budget']:,} | {s['commits']} | {100 * s['files_seen']:.1f}% | {100 * s['files_full']:.1f}% "
            f"| {100 * s['lines_covered']:.1f}% | {100 * s['all_lines']:.1f}% |"
        )
    if any("baseline" in s for s in result["summary"]):
        lines += [
            "",
            "Baseline: source files by whole-file BM25 of the commit message, whole, in rank order.",
            "",
            "| budget | ctxtrim commits fully covered | BM25 commits fully covered | lift |",
            "|---:|---:|---:|---:|",
        ]
        for s in result["summary"]:
            lift = "n/a (BM25 covers none)" if s["lift"] is None else f"{s['lift']:.2f}×"
            lines.append(
                f"| {s['budget']:,} | {100 * s['all_lines']:.1f}% "
                f"| {100 * s['baseline']['all_lines']:.1f}% | {lift} |"
            )
    return "\n".join(lines)


def cmd_eval(args: argparse.Namespace) -> int:
    try:
        budgets = [int(b) for b in args.budgets.split(",") if b.strip()]
    except ValueError:
        raise CtxtrimError(
            f"--budgets: expected numbers like 8000,16000, got '{args.budgets}'"
        ) from None
    if not budgets:
        raise CtxtrimError("--budgets: no budget given")
    if args.commits < 1:
        raise CtxtrimError("--commits must be at least 1")
    root = Path(args.path)
    if not root.is_dir():
        raise CtxtrimError(f"{args.path}: no such directory")
    result = run(root, args.commits, budgets, args.since, sys.stderr.isatty(), args.baseline)
    print(json.dumps(result, indent=1) if args.format == "json" else table(result))
    return 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("eval", help="measure pack quality on this repository's own recent commits")
    p.add_argument("path", nargs="?", default=".")
    p.add_argument("--commits", type=int, default=20, help="how many recent commits (default 20)")
    p.add_argument("--budgets", default="8000,16000,32000")
    p.add_argument("--since", help="only commits after this date (git syntax, e.g. 2024-01-01)")
    p.add_argument("--format", default="table", choices=("table", "json"))
    p.add_argument(
        "--baseline",
        default="none",
        choices=BASELINES,
        help="also score whole source files ranked by BM25 and print ctxtrim's lift over it",
    )
    p.set_defaults(func=cmd_eval)
