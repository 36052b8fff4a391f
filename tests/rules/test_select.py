"""Section selection for packs, and the `ctxtrim rules` command."""

from __future__ import annotations

from pathlib import Path

from ctxtrim.rules import Reach, applies_to, discover, select_sections
from ctxtrim.rules.select import header_text
from ctxtrim.rules.workspace import list_files
from ctxtrim.task import Task
from ctxtrim.tokens import Tokenizer
from ctxtrim.workspace import Workspace

from ..support.repos import write
from ..support.rules import run, run_json, sample

TOKENIZER = Tokenizer()


def _select(root: Path, task: str, paths: list[str], budget: int = 2000):
    """Selection for a task about `paths` (they are its focus files)."""
    rules = discover(root, list_files(root))
    return select_sections(rules, task, paths, budget, TOKENIZER, focus=paths)


def _titles(scored: list) -> list[str]:
    return [f"{s.section.file}:{s.section.title}" for s in scored]


def _scores(selection) -> dict[str, float]:
    return {f"{s.section.file}:{s.section.title}": s.score for s in selection.kept}


class _CountedFiles(list):
    """A file list that counts how often it is read through."""

    passes = 0

    def __iter__(self):
        self.passes += 1
        return super().__iter__()


def test_a_reach_computes_each_rules_share_of_the_files_once(tmp_path: Path) -> None:
    root = sample("healthy", tmp_path)
    paths = list_files(root)
    rules = discover(root, paths)
    files = _CountedFiles(paths)
    reach = Reach(files)
    typescript = next(r for r in rules if r.path == ".cursor/rules/typescript.mdc")
    share = sum(applies_to(typescript, p) for p in paths) / len(paths)
    assert 0 < share < 1
    assert reach(typescript) == share and files.passes == 1
    assert reach(typescript) == share and files.passes == 1  # asked again: not recomputed
    # A selection over the files and one over their reach are the same selection.
    task, focus = "show the invoice table empty state", ["web/src/components/InvoiceTable.tsx"]
    by_files = select_sections(rules, task, focus, 2000, TOKENIZER, focus, paths)
    by_reach = select_sections(rules, task, focus, 2000, TOKENIZER, focus, reach)
    assert _scores(by_reach) == _scores(by_files)
    assert ".cursor/rules/typescript.mdc:TypeScript in the dashboard" in _scores(by_files)


def test_a_workspace_recomputes_the_rules_reach_after_an_edit(tmp_path: Path) -> None:
    root = sample("healthy", tmp_path)
    task = Task("show the invoice table empty state", ("web/src/components/InvoiceTable.tsx",))
    title = ".cursor/rules/typescript.mdc:TypeScript in the dashboard"
    ws = Workspace.open(root)
    before = _scores(ws.rule_selection(task, 2000))[title]
    assert ws.reach() is ws.reach()  # kept while the index is unchanged
    # More of the repository becomes TypeScript: the glob rule says less about this task.
    for n in range(12):
        write(root, {f"web/src/widgets/w{n}.tsx": f"export const W{n} = () => null;\n"})
        assert ws.update_file(f"web/src/widgets/w{n}.tsx")
    after = _scores(ws.rule_selection(task, 2000))[title]
    assert after < before
    assert after == _scores(Workspace.open(root).rule_selection(task, 2000))[title]


def test_keeps_the_relevant_section_and_drops_unrelated_ones(tmp_path: Path) -> None:
    root = sample("healthy", tmp_path)
    selection = _select(root, "fix the login redirect", ["src/ledgerly/api/auth.py"], budget=600)
    kept = _titles(selection.kept)
    assert kept[0] == "CLAUDE.md:Ledgerly › Authentication"
    assert ".claude/rules/api.md:API routes" in kept  # glob matches the selected file
    dropped = {f"{s.section.file}:{s.section.title}": s.reasons[-1] for s in selection.dropped}
    assert dropped["CLAUDE.md:Ledgerly › Billing rules"] == "not relevant to the task"
    assert (
        dropped[".cursor/rules/typescript.mdc:TypeScript in the dashboard"]
        == "glob matches no file in play"
    )
    assert dropped["web/AGENTS.md:Dashboard (web/)"].startswith("applies to web/ only")
    assert (
        dropped[".cursor/rules/migrations.mdc:Database migrations"]
        == "description does not match the task"
    )
    assert selection.tokens <= 600
    cost = sum(
        TOKENIZER.count(s.section.text) + TOKENIZER.count(header_text(s.section))
        for s in selection.kept
    )
    assert cost == selection.tokens
    # "fix" says what to do, not what about: it keeps no section by itself
    assert "CLAUDE.md:Ledgerly › Working with this assistant" not in kept


def test_order_is_deterministic(tmp_path: Path) -> None:
    root = sample("healthy", tmp_path)
    first = _select(root, "add a migration for invoice tax regions", ["src/ledgerly/db/models.py"])
    second = _select(root, "add a migration for invoice tax regions", ["src/ledgerly/db/models.py"])
    assert _titles(first.kept) == _titles(second.kept) and _titles(first.dropped) == _titles(
        second.dropped
    )
    keys = [(-s.score, s.section.file, s.section.start) for s in first.kept]
    assert keys == sorted(keys)
    assert ".cursor/rules/migrations.mdc:Database migrations" in _titles(
        first.kept
    )  # on request, by description


def test_nested_and_glob_rules_join_for_their_files(tmp_path: Path) -> None:
    root = sample("healthy", tmp_path)
    selection = _select(
        root, "show the invoice table empty state", ["web/src/components/InvoiceTable.tsx"]
    )
    kept = _titles(selection.kept)
    assert "web/AGENTS.md:Dashboard (web/) › Conventions" in kept
    assert ".cursor/rules/typescript.mdc:TypeScript in the dashboard" in kept
    nested = next(s for s in selection.kept if s.section.file == "web/AGENTS.md")
    assert any("nested rule for web/" in r for r in nested.reasons)


def test_keep_marker_and_manual_rules(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "CLAUDE.md": "# P\n\n## Safety\n\n<!-- ctxtrim:keep -->\nNever force-push.\n\n## Cooking\n\nSoup recipes.\n",
            ".cursor/rules/release.mdc": "# Release\n\nTag from main.\n",
            "src/a.py": "",
        },
    )
    selection = _select(root, "rename a variable", ["src/a.py"])
    assert _titles(selection.kept) == ["CLAUDE.md:P › Safety"]
    assert selection.kept[0].reasons[0] == "marked ctxtrim:keep"
    assert [s.reasons[-1] for s in selection.dropped if "release" in s.section.file] == [
        "manual rule not named in the task"
    ]
    named = _select(root, "cut the release", ["src/a.py"])
    assert ".cursor/rules/release.mdc:Release" in _titles(named.kept)


def test_identical_text_is_kept_once(tmp_path: Path) -> None:
    body = "# Shared\n\n## Testing\n\nRun pytest on every change to src/app.py.\n"
    root = write(tmp_path, {"AGENTS.md": body, "src/app.py": ""})
    (root / "CLAUDE.md").symlink_to("AGENTS.md")
    selection = _select(root, "testing", ["src/app.py"])
    assert [s.section.title for s in selection.kept].count("Shared › Testing") == 1
    assert any(r.startswith("same text as") for s in selection.dropped for r in s.reasons)


def test_rules_command_text_and_json(tmp_path: Path, capsys) -> None:
    root = sample("healthy", tmp_path)
    code, out, _ = run(["rules", str(root)], capsys)
    assert code == 0
    assert "Claude Code: 1," in out and "docs/architecture.md (imported by CLAUDE.md)" in out
    assert "No rule files for: Windsurf, Cline" in out
    code, report = run_json(
        [
            "rules",
            str(root),
            "fix the login redirect in src/ledgerly/api/auth.py",
            "--budget",
            "500",
        ],
        capsys,
    )
    assert code == 0 and report["schema"] == "ctxtrim.rules/1"
    tools = {t["id"]: t for t in report["tools"]}
    assert list(tools) == [
        "claude",
        "codex",
        "cursor",
        "copilot",
        "windsurf",
        "cline",
        "gemini",
        "aider",
        "continue",
        "roo",
        "junie",
        "zed",
    ]
    assert tools["claude"]["always_on_tokens"] == sum(
        f["tokens"]
        for f in tools["claude"]["files"]
        if f["activation"] == "always" and not f["scope"]
    )
    chosen = report["selection"]
    # the file the task names first, then the files a pack for the task shows
    assert chosen["paths"][0] == "src/ledgerly/api/auth.py" and chosen["tokens"] <= 500
    assert chosen["kept"][0] == {
        "path": "CLAUDE.md",
        "section": "Ledgerly > Authentication",
        "lines": [69, 74],
        "tokens": chosen["kept"][0]["tokens"],
        "score": chosen["kept"][0]["score"],
        "reasons": chosen["kept"][0]["reasons"],
    }


def test_rules_command_takes_a_lone_task(tmp_path: Path, capsys, monkeypatch) -> None:
    root = sample("healthy", tmp_path)
    monkeypatch.chdir(root)
    code, out, _ = run(["rules", "fix the login redirect"], capsys)
    assert code == 0 and 'For "fix the login redirect"' in out
