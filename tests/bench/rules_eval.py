"""How well `ctxtrim rules` keeps the rule sections a task needs and drops the rest.

Reads hand-labelled (task, rule file) pairs from `rules_eval/pairs.jsonl`: for each, the
repository and commit, the rule file (plus files with the same text, `aliases`), its kind
(`always-on` or `path-scoped`), the sections a developer clearly needs (`must`) and those
clearly not needed (`irrelevant`), each named by its heading path (`Title > Sub`, as
`ctxtrim rules --format json` reports it). Labels were written before ctxtrim ran on them.

Each repository is extracted once at its commit (`git archive` from a bare mirror) into a
temporary folder; then, per pair, the real CLI runs on the whole tree:

    ctxtrim rules TREE TASK --format json --budget 2000

and the script prints must-kept and irrelevant-kept rates, overall, per kind, and per half
(`dev`: the pairs looked at while developing; `held`: the held-back half).

    python tests/bench/rules_eval.py --mirrors /work/.mirror [--half held] [--show-misses]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PAIRS = HERE / "rules_eval" / "pairs.jsonl"
BUDGET = 2000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mirrors", default="/work/.mirror", help="OWNER+NAME/repo bare mirrors")
    parser.add_argument("--pairs", default=str(PAIRS))
    parser.add_argument("--half", choices=("dev", "held"), help="only this half")
    parser.add_argument("--show-misses", action="store_true", help="list each miss")
    parser.add_argument("--json", metavar="FILE", help="also write per-pair results here")
    parser.add_argument(
        "--work",
        metavar="DIR",
        help="keep extracted trees and ctxtrim's cache here between runs (default: a "
        "temporary folder, removed at the end)",
    )
    args = parser.parse_args()

    pairs = [json.loads(line) for line in Path(args.pairs).read_text().splitlines() if line]
    if args.half:
        pairs = [p for p in pairs if p["half"] == args.half]
    by_tree: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for pair in pairs:
        by_tree[(pair["repo"], pair["commit"])].append(pair)

    results = []
    with tempfile.TemporaryDirectory(prefix="rules-eval-") as temporary:
        scratch = Path(args.work or temporary)
        env = dict(os.environ, CTXTRIM_CACHE_DIR=str(scratch / "cache"))
        for (repo, commit), group in sorted(by_tree.items()):
            tree = scratch / f"{repo.replace('/', '+')}@{commit[:12]}"
            if not tree.exists():
                _extract(Path(args.mirrors), repo, commit, tree)
            for pair in group:
                kept, seen = _run(tree, pair["task"], env)
                results.append(_score(pair, kept, seen, tree))
    _report(results, args.show_misses)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))
    return 0


def _extract(mirrors: Path, repo: str, commit: str, tree: Path) -> None:
    """The tree at `commit`, file by file: a mirror may lack its largest blobs (then
    `git archive` fails), and a missing blob is skipped, not fatal."""
    git = ["git", f"--git-dir={mirrors / repo.replace('/', '+') / 'repo'}"]
    listing = subprocess.run(
        [*git, "ls-tree", "-r", "-z", commit], capture_output=True, check=True
    ).stdout.decode("utf-8", "surrogateescape")
    entries = []
    for line in filter(None, listing.split("\0")):
        meta, path = line.split("\t", 1)
        mode, kind, sha = meta.split()
        if kind == "blob":
            entries.append((mode, sha, path))
    batch = subprocess.run(
        [*git, "cat-file", "--batch"],
        input="".join(f"{sha}\n" for _, sha, _ in entries).encode(),
        capture_output=True,
        check=True,
    ).stdout
    at = 0
    for mode, _, path in entries:
        end = batch.index(b"\n", at)
        header = batch[at:end].split()
        at = end + 1
        if header[-1] == b"missing":
            continue
        size = int(header[2])
        data = batch[at : at + size]
        at += size + 1
        target = tree / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if mode == "120000":
            os.symlink(data.decode("utf-8", "surrogateescape"), target)
        else:
            target.write_bytes(data)
            if mode == "100755":
                target.chmod(0o755)


def _run(tree: Path, task: str, env: dict[str, str]) -> tuple[set[tuple[str, str]], set]:
    """(file, section) pairs kept, and all (file, section) pairs the selection saw."""
    out = subprocess.run(
        [sys.executable, "-m", "ctxtrim", "rules", str(tree), task, "--format", "json"]
        + ["--budget", str(BUDGET), "--verbose"],
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
    )
    if out.returncode == 2 and "--verbose" in out.stderr:  # a version from before --verbose
        out = subprocess.run(out.args[:-1], capture_output=True, text=True, env=env, timeout=900)
    if out.returncode != 0:
        raise SystemExit(f"ctxtrim rules failed on {tree}: {out.stderr.strip()}")
    selection = json.loads(out.stdout)["selection"]
    kept = {(_real(tree, s["path"]), s["section"]) for s in selection["kept"]}
    seen = kept | {(_real(tree, s["path"]), s["section"]) for s in selection.get("dropped", [])}
    return kept, seen


def _real(tree: Path, path: str) -> str:
    """A rule file's path with links resolved: `.claude/rules -> ../.cursor/rules` makes two
    paths for one file, and ctxtrim keeps its text once, under either."""
    return os.path.relpath(os.path.realpath(tree / path), os.path.realpath(tree))


def _matches(label: str, files: list[str], found: set[tuple[str, str]]) -> bool:
    """A label names a section by heading path; a small edit above it (a renamed title)
    still matches by its last heading, if that is unique in the file."""
    if any((f, label) in found for f in files):
        return True
    last = label.split(" > ")[-1]
    hits = [s for f, s in found if f in files and s.split(" > ")[-1] == last]
    return len(hits) == 1 and len(label.split(" > ")) == len(hits[0].split(" > "))


def _score(pair: dict[str, Any], kept: set, seen: set, tree: Path) -> dict[str, Any]:
    files = [_real(tree, f) for f in [pair["file"], *pair.get("aliases", [])]]
    unknown = [s for s in pair["must"] + pair["irrelevant"] if not _matches(s, files, seen)]
    return {
        "id": pair["id"],
        "half": pair["half"],
        "kind": pair["kind"],
        "must": len(pair["must"]),
        "must_kept": [s for s in pair["must"] if _matches(s, files, kept)],
        "irrelevant": len(pair["irrelevant"]),
        "irrelevant_kept": [s for s in pair["irrelevant"] if _matches(s, files, kept)],
        "must_missed": [s for s in pair["must"] if not _matches(s, files, kept)],
        "unknown": unknown,  # labels that name no section ctxtrim reported (typo or edit)
    }


def _report(results: list[dict[str, Any]], show_misses: bool) -> None:
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in results:
        for key in ("all", r["half"], r["kind"], f"{r['half']}/{r['kind']}"):
            groups[key].append(r)
    print(f"{'group':<22} {'pairs':>5} {'must kept':>16} {'irrelevant kept':>18}")
    for key in (
        "all",
        "always-on",
        "path-scoped",
        "dev",
        "held",
        *sorted(k for k in groups if "/" in k),
    ):
        rows = groups.get(key, [])
        if not rows:
            continue
        must = sum(r["must"] for r in rows)
        must_kept = sum(len(r["must_kept"]) for r in rows)
        irr = sum(r["irrelevant"] for r in rows)
        irr_kept = sum(len(r["irrelevant_kept"]) for r in rows)
        print(f"{key:<22} {len(rows):>5} {_rate(must_kept, must):>16} {_rate(irr_kept, irr):>18}")
    for r in results:
        if r["unknown"]:
            print(f"warning: {r['id']}: labels not found: {r['unknown']}", file=sys.stderr)
        if show_misses and (r["must_missed"] or r["irrelevant_kept"]):
            print(f"  {r['id']}: missed {r['must_missed']}; kept irrelevant {r['irrelevant_kept']}")


def _rate(part: int, whole: int) -> str:
    return f"{part}/{whole} = {100 * part / whole:.0f} %" if whole else "-"


if __name__ == "__main__":
    raise SystemExit(main())
