"""Build eval tasks whose problem statement is a real GitHub issue, not the fixing commit's message.

    python tests/bench/issue_tasks.py candidates --language go /work/.mirror/gin-gonic+gin/repo
    python tests/bench/issue_tasks.py build --rows rows.jsonl --out /somewhere/issues_go.jsonl

`candidates` lists commits whose message names an issue (`Fixes #123`, `closes #123`, `(#123)`)
and that pass make_tasks.py's file filter (1-3 non-test source files of the language, nothing
else in code, at most MAX_TARGETS changed lines): one tab-separated line per commit, sha, the
issue numbers, subject. The issue's title and body are then looked up by hand and written to a
rows file, one JSON object a line: {"mirror", "sha", "issue", "text"} (text = title, newline,
body, verbatim). `build` turns the rows into the shared splits' format with make_tasks.py's
code, the issue text as problem_statement and the issue URL in "issue". The rows and the tasks
stay outside this repository: issue texts are their authors' words, not ours to redistribute.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from ctxtrim.evaluate import _git, changed_lines  # noqa: E402
from tests.bench.make_tasks import EXTENSIONS, MAX_TARGETS, TEST_FILE, write_tasks  # noqa: E402

# A closing keyword names an issue; a bare "(#123)" is usually the pull request itself.
ISSUE_REF = re.compile(
    r"\b(?:fix(?:es|ed)?|close[sd]?|resolve[sd]?)\b:?\s+(?:issue\s+)?"
    r"(?:https://github\.com/[\w.-]+/[\w.-]+/issues/|#)(\d+)",
    re.I,
)
MIN_ISSUE_WORDS = 30


def gold_files(mirror: Path, sha: str, language: str) -> list[str] | None:
    """The commit's gold files, or None when make_tasks.py's filter would drop the commit."""
    diff = str(_git(mirror, "diff", "-U0", "--no-color", "--no-renames", f"{sha}^", sha))
    targets = changed_lines(diff)
    gold = [p for p in targets if p.endswith(EXTENSIONS[language])]
    if not (1 <= len(gold) <= 3) or any(TEST_FILE.search(p) for p in gold):
        return None
    if set(targets) - set(gold) - {p for p in targets if TEST_FILE.search(p)}:
        return None
    if sum(len(targets[p]) for p in gold) > MAX_TARGETS:
        return None
    return gold


def candidates(mirror: Path, language: str, scan: int) -> list[tuple[str, list[str], str]]:
    log = str(_git(mirror, "log", "--no-merges", "--format=%x1e%H%x1f%B", f"-n{scan}"))
    out = []
    for record in log.split("\x1e"):
        if "\x1f" not in record:
            continue
        sha, message = (s.strip() for s in record.split("\x1f", 1))
        refs = sorted(set(ISSUE_REF.findall(message)), key=int)
        if not refs:
            continue
        try:
            gold = gold_files(mirror, sha, language)
        except Exception:  # noqa: BLE001 - the root commit has no parent
            continue
        if gold:
            out.append((sha, refs, message.split("\n", 1)[0]))
    return out


def build(row: dict, language: str) -> dict:
    mirror = Path(row["mirror"])
    repo = mirror.parent.name.replace("+", "/", 1)
    sha = str(_git(mirror, "rev-parse", row["sha"])).strip()
    gold = gold_files(mirror, sha, language)
    if not gold:
        raise SystemExit(f"{repo} {sha[:10]}: not a 1-3 source file fix")
    if len(row["text"].split()) < MIN_ISSUE_WORDS:
        raise SystemExit(f"{repo} {sha[:10]}: issue text under {MIN_ISSUE_WORDS} words")
    parent = str(_git(mirror, "rev-parse", f"{sha}^")).strip()
    patch = str(_git(mirror, "diff", "--no-color", "--no-renames", parent, sha, "--", *gold))
    return {
        "instance_id": f"{repo.replace('/', '__')}-{sha[:10]}",
        "repo": repo,
        "base_commit": parent,
        "problem_statement": row["text"],
        "patch": patch,
        "gold_files": gold,
        "language": language,
        "issue": f"https://github.com/{repo}/issues/{row['issue']}",
    }


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="command", required=True)
    c = sub.add_parser("candidates", help="list fix commits that name an issue")
    c.add_argument("mirrors", nargs="+", type=Path, help="bare mirrors: .../owner+name/repo")
    c.add_argument("--language", required=True, choices=sorted(EXTENSIONS))
    c.add_argument("--scan", type=int, default=1500, help="commits read per repository")
    b = sub.add_parser("build", help="rows (mirror, sha, issue, text) -> tasks JSONL")
    b.add_argument("--rows", required=True, type=Path)
    b.add_argument("--language", required=True, choices=sorted(EXTENSIONS))
    b.add_argument("--out", required=True, type=Path)
    a = p.parse_args()
    if a.command == "candidates":
        for mirror in a.mirrors:
            for sha, refs, subject in candidates(mirror, a.language, a.scan):
                print(f"{mirror.parent.name}\t{sha[:12]}\t{','.join(refs)}\t{subject[:90]}")
        return 0
    rows = [json.loads(line) for line in a.rows.read_text().splitlines() if line.strip()]
    write_tasks(a.out, [build(r, a.language) for r in rows])
    return 0


if __name__ == "__main__":
    sys.exit(main())
