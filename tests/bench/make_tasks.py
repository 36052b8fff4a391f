"""Build eval tasks from git history: a fix commit's message is the task, its diff the gold patch.

    python tests/bench/make_tasks.py --language go --per-repo 8 \
        --out tests/bench/data/gitlog_go.jsonl /work/.mirror/spf13+cobra/repo ...

Commits are found exactly as `ctxtrim eval` finds them (ctxtrim.evaluate.commits: non-merge
commits that modify source files, their pre-image lines per file). Kept: commits whose message
describes a problem (fix / bug / crash / wrong ... and not dependency bumps, releases, docs or
formatting), that modify 1-3 non-test source files of the language and nothing else in code,
with at most MAX_TARGETS changed lines. Each becomes one line in the shared splits' format
(instance_id, repo, base_commit = the parent, problem_statement = the message, patch = the
diff of the gold files, gold_files, language), newest commits first. The mirror folder's name
gives the repository (owner+name/repo).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from ctxtrim.evaluate import _git, commits  # noqa: E402

EXTENSIONS = {
    "go": (".go",),
    "rs": (".rs",),
    "ts": (".ts", ".tsx", ".mts", ".cts"),
    "js": (".js", ".jsx", ".mjs", ".cjs"),
}
TEST_FILE = re.compile(
    r"(_test\.go|\.(test|spec|bench)\.[cm]?[jt]sx?|\.d\.ts|(^|/)tests?\.[cm]?[jt]sx?)$|(^|/)(tests?|__tests__|testdata|"
    r"fixtures?|examples?|benchmarks?|docs?|scripts?)/"
)
FIX = re.compile(
    r"\b(fix(es|ed)?|bug|issue|error|crash|panic|wrong|incorrect|broken|fail(s|ed|ing)?|"
    r"regression|should|not work|doesn'?t|does not|missing|leak|race|nil|undefined|unexpected)\b",
    re.I,
)
NOT_A_PROBLEM = re.compile(
    r"\b(bump|deps?|dependabot|dependencies|release|changelog|readme|typos?|lint|format(ting)?|"
    r"docs?|ci|chore|refactor|revert|merge|version|lint(er|ing)?|spelling|comments?|godoc|"
    r"deprecate|feat|update|simplify|cleanup|tests?|document(ation)?|potential fix)\b",
    re.I,
)
MAX_TARGETS = 200
MIN_WORDS = 4


def problem_like(message: str, min_words: int = MIN_WORDS) -> bool:
    subject = message.split("\n", 1)[0]
    return (
        bool(FIX.search(subject))
        and not NOT_A_PROBLEM.search(subject)
        and len(message.split()) >= min_words
    )


def tasks(
    mirror: Path, language: str, per_repo: int, min_words: int = MIN_WORDS, scan: int = 0
) -> list[dict]:
    repo = mirror.parent.name.replace("+", "/", 1)
    out = []
    for c in commits(mirror, scan or per_repo * 40, None):
        gold = [p for p in c.targets if p.endswith(EXTENSIONS[language])]
        if not (1 <= len(gold) <= 3) or any(TEST_FILE.search(p) for p in gold):
            continue
        if set(c.targets) - set(gold) - {p for p in c.targets if TEST_FILE.search(p)}:
            continue  # other code changed too: the task would not be this language's alone
        if sum(len(c.targets[p]) for p in gold) > MAX_TARGETS or not problem_like(
            c.message, min_words
        ):
            continue
        parent = str(_git(mirror, "rev-parse", f"{c.sha}^")).strip()
        patch = str(_git(mirror, "diff", "--no-color", "--no-renames", parent, c.sha, "--", *gold))
        out.append(
            {
                "instance_id": f"{repo.replace('/', '__')}-{c.sha[:10]}",
                "repo": repo,
                "base_commit": parent,
                "problem_statement": c.message,
                "patch": patch,
                "gold_files": gold,
                "language": language,
            }
        )
        if len(out) >= per_repo:
            break
    return out


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("mirrors", nargs="+", type=Path, help="bare mirrors: .../owner+name/repo")
    p.add_argument("--language", required=True, choices=sorted(EXTENSIONS))
    p.add_argument("--per-repo", type=int, default=10)
    p.add_argument("--out", required=True, type=Path)
    p.add_argument(
        "--min-words",
        type=int,
        default=MIN_WORDS,
        help="shortest commit message kept, in words: 60 or more keeps squash-merged pull "
        "requests whose body describes the problem, closer to an issue than a subject line",
    )
    p.add_argument(
        "--scan",
        type=int,
        default=0,
        help="commits read per repository (default: 40 per task wanted)",
    )
    a = p.parse_args()
    rows = [t for m in a.mirrors for t in tasks(m, a.language, a.per_repo, a.min_words, a.scan)]
    write_tasks(a.out, rows)
    return 0


def write_tasks(out: Path, rows: list[dict]) -> None:
    """`rows` as a JSONL split file at `out`."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("".join(json.dumps(r) + "\n" for r in rows))
    print(f"{len(rows)} tasks -> {out}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
