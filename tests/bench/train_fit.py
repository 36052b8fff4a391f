"""Learn fit's view values (ctxtrim/fit_values.json) from the git history of public repos.

    CTXTRIM_CACHE_DIR=/tmp/train-cache python tests/bench/train_fit.py --mirrors /work/.mirror \
        --per-repo 6 --states /tmp/fit-states [--repos owner+name,...] [--write]

Tasks: the commits train_rank.py learns from (its REPOS_BY_LANGUAGE and `tasks`: a commit's
message is the task, its changed non-test source files the files to find, its parent the
tree), each packed at 8k / 16k / 32k by the real pipeline (Workspace.open -> ws.pack). A task
counts when every pre-image line the commit changed in those files is in the pack verbatim
(`edit_all`, as `ctxtrim eval` and the shared harness score it).

State: while each pack is made, what fit hands to `build_choice` (each ranked candidate after
re-ranking, its prepared file, its definitions' scores, its item overhead) and the budget it
hands to `greedy` are recorded, once per fit call. The view values act only from
`build_choice` on, so a configuration is replayed from that state with fit's own
`build_choice`, `greedy` and `to_item` (and the workspace's choice between a fit and its
refit): no tree is ranked, parsed or prepared twice. States are pickled, one file per task,
in --states, and read from there when present.

Search: coordinate ascent on the number of (task, budget) pairs with edit_all, over a few
values of each constant in GRID, from the hand-set defaults; a constant takes its best value
only if that wins MIN_GAIN pairs more than its current one, for ROUNDS rounds. Printed:
edit_all per budget with the defaults and with the learned values, fitted on the training
repositories and scored on the held-out ones (train_rank.HELD_OUT: the last of each language). `--write` stores the
values fitted on all tasks, those in --adopt as "values" (what fit loads), the rest only as
"learned", with these figures.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import pickle
import sys
import tarfile
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from types import ModuleType

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

import ctxtrim.fit as fit_module  # noqa: E402
import ctxtrim.workspace as workspace_module  # noqa: E402
from ctxtrim.errors import CtxtrimError  # noqa: E402
from ctxtrim.evaluate import Commit, commits, materialise  # noqa: E402
from ctxtrim.evaluate import score as eval_score  # noqa: E402
from ctxtrim.fit import Prepared  # noqa: E402
from ctxtrim.fit_values import VALUES_FILE  # noqa: E402
from ctxtrim.outline import Symbol  # noqa: E402
from ctxtrim.pack import Item  # noqa: E402
from ctxtrim.rank import Candidate  # noqa: E402
from ctxtrim.task import Task  # noqa: E402
from ctxtrim.workspace import Workspace  # noqa: E402


def _train_rank() -> ModuleType:
    spec = importlib.util.spec_from_file_location("ctxtrim_train_rank", HERE / "train_rank.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


train_rank = _train_rank()
BUDGETS = (8000, 16000, 32000)
# The hand-set defaults (fit.py's constants), fixed here rather than read from the shipped
# file, so that `--write` gives the same values every time; and the values tried for each.
HAND_SET = {
    "sharpen": 3.0,
    "sym_sharpen": 2.0,
    "sym_floor": 0.15,
    "slice_base": 0.1,
    "slice_max": 0.9,
    "unmatched": 1.0,
    "preamble": 0.5,
    "listed": 0.01,
    "outline": 0.03,
    "summary": 0.06,
}
GRID = {
    "sharpen": (2.0, 2.5, 3.0, 3.5, 4.0, 5.0),
    "sym_sharpen": (1.0, 1.5, 2.0, 3.0),
    "sym_floor": (0.05, 0.1, 0.15, 0.25),
    "slice_base": (0.0, 0.05, 0.1, 0.2, 0.3),
    "slice_max": (0.7, 0.8, 0.85, 0.9, 0.95),
    "unmatched": (0.0, 0.5, 1.0, 1.5),
    "preamble": (0.25, 0.5, 0.75),
    "listed": (0.0, 0.01, 0.03),
    "outline": (0.01, 0.03, 0.06),
    "summary": (0.03, 0.06, 0.12),
}
ROUNDS = 2
# A value is taken only if it wins this many more (task, budget) pairs than the current one:
# one pair of a few hundred is noise, and a move must pay for leaving the hand-set value.
MIN_GAIN = 2
# The values `--write` puts where fit loads them: those that validated. None yet: SHARPEN 4
# and PREAMBLE 0.75, learned on 150 tasks, lost gitlog_ts and issues_rs task-budgets
# (tests/bench/README.md, `train_fit.py`); they are stored as learned only.
ADOPT = ""


@dataclass
class FitCall:
    """What one call of fit weighed: its budget, and per candidate what `build_choice` got."""

    budget: int
    files: list[tuple[Candidate, Prepared, list[tuple[Symbol, float]], int]]


@dataclass
class TaskState:
    repo: str
    sha: str
    targets: dict[str, set[int]]  # path -> pre-image lines that changed
    packs: dict[int, list[FitCall]]  # budget -> the fit calls of its pack (a fit and a refit)
    real: dict[int, bool]  # budget -> edit_all of the real pack


def covered(items: list[Item], targets: dict[str, set[int]]) -> bool:
    """Whether `items` show every target line verbatim (a file shown whole shows them all)."""
    shown = {i.path: i for i in items if i.kind == "file"}
    for path, lines in targets.items():
        item = shown.get(path)
        if item is None:
            return False
        if item.mode != "full" and not all(any(a <= t <= b for a, b in item.lines) for t in lines):
            return False
    return True


def apply(values: dict[str, float]) -> None:
    """Set fit's view values (module constants, as fit_values.json would at import)."""
    fit_module.SHARPEN = values["sharpen"]
    fit_module.SYM_SHARPEN = values["sym_sharpen"]
    fit_module.SYM_FLOOR = values["sym_floor"]
    fit_module.SLICE_BASE = values["slice_base"]
    fit_module.SLICE_MAX = values["slice_max"]
    fit_module.UNMATCHED = values["unmatched"]
    fit_module.PREAMBLE = values["preamble"]
    fit_module.COVERAGE = {k: values[k] for k in ("listed", "outline", "summary")}


def in_force() -> dict[str, float]:
    """Fit's view values as they are now (the shipped file's, or a configuration's)."""
    return {
        "sharpen": fit_module.SHARPEN,
        "sym_sharpen": fit_module.SYM_SHARPEN,
        "sym_floor": fit_module.SYM_FLOOR,
        "slice_base": fit_module.SLICE_BASE,
        "slice_max": fit_module.SLICE_MAX,
        "unmatched": fit_module.UNMATCHED,
        "preamble": fit_module.PREAMBLE,
        **fit_module.COVERAGE,
    }


def replay(call: FitCall) -> list[Item]:
    """The items fit's own steps choose from `call`'s state with the values in force."""
    coverage = fit_module.COVERAGE
    choices = []
    for cand, prep, scored, overhead in call.files:
        # The outline and summary views' worth is fixed when a file is prepared.
        prep.fixed_views = [(v, coverage[v.mode], t) for v, _, t in prep.fixed_views]
        choices.append(fit_module.build_choice(cand, prep, scored, overhead, call.budget))
    fit_module.greedy(choices, call.budget)
    top = max((c.cand.score for c in choices), default=1.0) or 1.0
    return [fit_module.to_item(c, opt, top) for c in choices if (opt := c.chosen) is not None]


def pack_items(calls: list[FitCall]) -> list[Item]:
    """The workspace's pick between a fit and its refit (`Workspace._fit`)."""
    items = replay(calls[0])
    for call in calls[1:]:
        refit = replay(call)
        if len(workspace_module._shown(refit)) >= len(workspace_module._shown(items)):
            items = refit
    return items


def score(states: list[TaskState], values: dict[str, float]) -> dict[int, int]:
    """Per budget, how many tasks have edit_all with `values`."""
    before = in_force()
    apply(values)
    try:
        return {
            b: sum(covered(pack_items(s.packs[b]), s.targets) for s in states if s.packs.get(b))
            for b in BUDGETS
        }
    finally:
        apply(before)


def search(states: list[TaskState], log: bool = True, min_gain: int = MIN_GAIN) -> dict[str, float]:
    """Coordinate ascent on the edit_all count, from the hand-set values: each constant in
    turn takes its best value in GRID if that wins `min_gain` pairs more than its current one
    (the first of equal ones, in GRID's order)."""
    values = dict(HAND_SET)
    best = sum(score(states, values).values())
    for _ in range(ROUNDS):
        moved = False
        for key, tried in GRID.items():
            got = {v: sum(score(states, {**values, key: v}).values()) for v in tried}
            top = max(tried, key=lambda v: got[v])
            if got[top] >= best + min_gain:
                best, values[key], moved = got[top], top, True
                if log:
                    print(f"  {key} = {top}: {got[top]} pairs", file=sys.stderr)
        if not moved:
            break
    return values


@contextlib.contextmanager
def recording() -> Iterator[list[FitCall]]:
    """Record each fit call's state (what `build_choice` and `greedy` get) while packing."""
    calls: list[FitCall] = []
    pending: list[tuple[Candidate, Prepared, list[tuple[Symbol, float]], int]] = []
    lean: dict[int, Prepared] = {}
    build, greedy = fit_module.build_choice, fit_module.greedy

    def build_choice(
        cand: Candidate,
        prep: Prepared,
        scored: list[tuple[Symbol, float]],
        overhead: int,
        budget: int,
    ) -> fit_module.FileChoice:
        if id(prep) not in lean:  # what build_choice and to_item read, not the scoring memos
            lean[id(prep)] = replace(
                prep, leaf_terms=[], terms=frozenset(), _holders={}, _bodies=None
            )
        pending.append((replace(cand, reasons=[]), lean[id(prep)], list(scored), overhead))
        return build(cand, prep, scored, overhead, budget)

    def record_greedy(choices: list[fit_module.FileChoice], budget: int) -> int:
        calls.append(FitCall(budget, list(pending)))
        pending.clear()
        return greedy(choices, budget)

    fit_module.build_choice, fit_module.greedy = build_choice, record_greedy
    try:
        yield calls
    finally:
        fit_module.build_choice, fit_module.greedy = build, greedy


def task_state(repo: str, mirror: Path, commit: Commit) -> TaskState:
    """Pack the task of `commit` (its targets cut to the files to find) at every budget."""
    state = TaskState(repo, commit.sha, commit.targets, {}, {})
    with tempfile.TemporaryDirectory(prefix="ctxtrim-train-fit-") as tmp:
        materialise(mirror, f"{commit.sha}^", Path(tmp))
        ws = Workspace.open(tmp)
        for budget in BUDGETS:
            with recording() as calls:
                pack = ws.pack(Task(commit.message), budget, "json")
            state.packs[budget] = calls
            state.real[budget] = eval_score(pack, commit).all_covered
    return state


def repo_tasks(mirror: Path, per_repo: int) -> list[Commit]:
    """train_rank's tasks for `mirror`, their targets cut to the changed non-test files."""
    out = []
    for c in commits(mirror, per_repo * 10, None):
        files = {p for p in c.targets if not train_rank.TEST_PATH.search(p.lower())}
        if (
            len(c.message.split()) >= train_rank.MIN_WORDS
            and not train_rank.SKIP.match(c.message)
            and 1 <= len(files) <= train_rank.MAX_FILES
        ):
            out.append(replace(c, targets={p: c.targets[p] for p in files}))
        if len(out) >= per_repo:
            break
    return out


def load_states(a: argparse.Namespace) -> list[TaskState]:
    folder = Path(a.states)
    folder.mkdir(parents=True, exist_ok=True)
    states = []
    for repo in a.repos.split(","):
        mirror = Path(a.mirrors) / repo / "repo"
        try:
            found = repo_tasks(mirror, a.per_repo)
        except CtxtrimError as exc:
            print(f"{repo}: {exc}", file=sys.stderr)
            continue
        for commit in found:
            path = folder / f"{repo}-{commit.sha[:12]}.pickle"
            if path.exists():
                states.append(pickle.loads(path.read_bytes()))
                continue
            started = time.time()
            try:
                state = task_state(repo, mirror, commit)
            except (CtxtrimError, tarfile.TarError) as exc:
                print(f"{repo} {commit.sha[:10]}: skipped ({exc})", file=sys.stderr)
                continue
            path.write_bytes(pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL))
            states.append(state)
            print(f"{repo} {commit.sha[:10]}: {time.time() - started:.1f}s", file=sys.stderr)
    return states


def figures(states: list[TaskState], values: dict[str, float]) -> dict[str, object]:
    got = score(states, values)
    n = len(states)
    return {"tasks": n, **{f"{b // 1000}k": round(100 * got[b] / max(n, 1), 1) for b in BUDGETS}}


def main() -> int:
    p = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    p.add_argument("--mirrors", default="/work/.mirror")
    p.add_argument("--repos", default=",".join(train_rank.REPOS))
    p.add_argument("--per-repo", type=int, default=6)
    p.add_argument("--states", required=True, help="folder of the pickled task states")
    p.add_argument("--min-gain", type=int, default=MIN_GAIN, help="pairs a move must win")
    p.add_argument("--adopt", default=ADOPT, help="values --write puts where fit loads them")
    p.add_argument(
        "--write", action="store_true", help=f"store the values in ctxtrim/{VALUES_FILE}"
    )
    a = p.parse_args()
    apply(HAND_SET)
    states = load_states(a)
    agree = sum(
        s.real[b] == covered(pack_items(s.packs[b]), s.targets) for s in states for b in BUDGETS
    )
    print(
        f"{len(states)} tasks; replay agrees with the real pack in {agree}/{3 * len(states)}",
        file=sys.stderr,
    )
    held = [s for s in states if s.repo in train_rank.HELD_OUT]
    train = [s for s in states if s.repo not in train_rank.HELD_OUT]
    learned = search(train, min_gain=a.min_gain)
    report = {
        "train": {"repos": len({s.repo for s in train}), "tasks": len(train)},
        "heldout": {"repos": sorted({s.repo for s in held}), "tasks": len(held)},
        "hand_set": {"train": figures(train, HAND_SET), "heldout": figures(held, HAND_SET)},
        "learned": {"train": figures(train, learned), "heldout": figures(held, learned)},
        "values": {k: v for k, v in learned.items() if v != HAND_SET[k]},
    }
    print(json.dumps(report, indent=1))
    if a.write:
        final = search(states, min_gain=a.min_gain)
        adopt = [k for k in a.adopt.split(",") if k]
        out = {
            "about": "Fit's view values (ctxtrim/fit.py): what a view of a file is worth, how "
            "sharply file and definition scores count. tests/bench/train_fit.py learns them; "
            "a value left out keeps fit.py's hand-set default.",
            "values": {k: final[k] for k in adopt},
            "learned": {k: v for k, v in final.items() if v != HAND_SET[k]},
            "repos": sorted({s.repo for s in states}),
            "tasks": len(states),
            "all": figures(states, final) | {"hand_set": figures(states, HAND_SET)},
            "validation": {k: report[k] for k in ("heldout", "hand_set", "learned")},
        }
        target = HERE.parents[1] / "ctxtrim" / VALUES_FILE
        target.write_text(json.dumps(out, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
