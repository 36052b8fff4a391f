"""Discovery of every convention, activation, @imports, nested scopes."""

from __future__ import annotations

from pathlib import Path

from ctxtrim.rules import applies_to, discover
from ctxtrim.rules.workspace import list_files

from ..support.repos import write
from ..support.rules import sample


def _by_path(root: Path, files: list[str] | None = None) -> dict:
    return {r.path: r for r in discover(root, list_files(root) if files is None else files)}


def test_every_convention_is_found_with_its_activation(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "CLAUDE.md": "# Project\n",
            "pkg/CLAUDE.md": "# Pkg\n",
            ".claude/rules/api.md": "---\npaths:\n  - src/api/**\n---\n# API\n",
            "AGENTS.md": "# Agents\n",
            ".cursorrules": "Use tabs.\n",
            ".cursor/rules/ts.mdc": "---\nglobs: **/*.ts\nalwaysApply: false\n---\n# TS\n",
            ".cursor/rules/always.mdc": "---\nalwaysApply: true\n---\n# Always\n",
            ".cursor/rules/db.mdc": "---\ndescription: database migrations\n---\n# DB\n",
            ".cursor/rules/manual.mdc": "# Manual\n",
            ".github/copilot-instructions.md": "# Copilot\n",
            ".github/instructions/py.instructions.md": '---\napplyTo: "**/*.py"\n---\n# Py\n',
            ".github/instructions/all.instructions.md": '---\napplyTo: "**"\n---\n# All\n',
            ".windsurfrules": "Be brief.\n",
            ".windsurf/rules/glob.md": "---\ntrigger: glob\nglobs: *.go\n---\n# Go\n",
            ".windsurf/rules/model.md": "---\ntrigger: model_decision\ndescription: deploys\n---\n# D\n",
            ".clinerules/style.md": "# Cline\n",
            "GEMINI.md": "# Gemini\n",
            "CONVENTIONS.md": "# Aider\n",
            ".continue/rules/c.md": "---\nglobs: src/**\n---\n# C\n",
            ".roo/rules/r.md": "# Roo\n",
            ".roo/rules-architect/a.md": "# Architect\n",
            ".junie/guidelines.md": "# Junie\n",
            ".rules": "# Zed\n",
            "src/api/x.py": "",
            "src/a.ts": "",
        },
    )
    rules = _by_path(root)
    expect = {
        "CLAUDE.md": ("always", "", ("claude",)),
        "pkg/CLAUDE.md": ("always", "pkg", ("claude",)),
        ".claude/rules/api.md": ("glob", "", ("claude",)),
        "AGENTS.md": ("always", "", ("codex", "cursor", "copilot")),
        ".cursorrules": ("always", "", ("cursor",)),
        ".cursor/rules/ts.mdc": ("glob", "", ("cursor",)),
        ".cursor/rules/always.mdc": ("always", "", ("cursor",)),
        ".cursor/rules/db.mdc": ("request", "", ("cursor",)),
        ".cursor/rules/manual.mdc": ("manual", "", ("cursor",)),
        ".github/copilot-instructions.md": ("always", "", ("copilot",)),
        ".github/instructions/py.instructions.md": ("glob", "", ("copilot",)),
        ".github/instructions/all.instructions.md": ("always", "", ("copilot",)),
        ".windsurfrules": ("always", "", ("windsurf",)),
        ".windsurf/rules/glob.md": ("glob", "", ("windsurf",)),
        ".windsurf/rules/model.md": ("request", "", ("windsurf",)),
        ".clinerules/style.md": ("always", "", ("cline",)),
        "GEMINI.md": ("always", "", ("gemini",)),
        "CONVENTIONS.md": ("always", "", ("aider",)),
        ".continue/rules/c.md": ("glob", "", ("continue",)),
        ".roo/rules/r.md": ("always", "", ("roo",)),
        ".roo/rules-architect/a.md": ("request", "", ("roo",)),
        ".junie/guidelines.md": ("always", "", ("junie",)),
        ".rules": ("always", "", ("zed",)),
    }
    assert {p: (r.activation, r.scope, r.tools) for p, r in rules.items()} == expect
    assert rules[".cursor/rules/ts.mdc"].globs == ("**/*.ts",)
    assert rules[".cursor/rules/db.mdc"].description == "database migrations"


def test_zed_reads_only_the_first_file_of_its_list(tmp_path: Path) -> None:
    rules = _by_path(write(tmp_path, {"AGENTS.md": "# A\n", "CLAUDE.md": "# C\n"}))
    assert "zed" in rules["AGENTS.md"].tools and "zed" not in rules["CLAUDE.md"].tools


def test_gitignored_rule_files_are_found_on_disk(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "CLAUDE.md": "# A\n",
            "CLAUDE.local.md": "# Mine\n",
            "pkg/CLAUDE.local.md": "# P\n",
            "pkg/x.py": "",
        },
    )
    (root / "lib" / "CLAUDE.local.md").mkdir(parents=True)  # a folder of that name is no rule
    files = ["CLAUDE.md", "pkg/x.py", "lib/y.py"]
    rules = _by_path(root, files=files)  # as if .gitignore hid the local files
    assert {"CLAUDE.local.md", "pkg/CLAUDE.local.md"} <= set(rules)
    assert "lib/CLAUDE.local.md" not in rules
    assert rules["pkg/CLAUDE.local.md"].scope == "pkg"


def test_imports_resolve_relative_to_the_file_and_survive_cycles(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "CLAUDE.md": "# Root\n@docs/a.md\n@AGENTS.md\n@docs/missing.md\n",
            "AGENTS.md": "# Agents\n",
            "docs/a.md": "# A\nsee @b.md\n",
            "docs/b.md": "# B\nback to @../CLAUDE.md and @a.md\n",
        },
    )
    rules = _by_path(root)
    assert rules["docs/a.md"].imported_by == "CLAUDE.md"
    assert rules["docs/b.md"].imported_by == "docs/a.md"
    assert rules["docs/b.md"].activation == "always" and "claude" in rules["docs/b.md"].tools
    assert "claude" in rules["AGENTS.md"].tools  # imported, not duplicated
    refs = {(r.target, r.line, r.resolved) for r in rules["CLAUDE.md"].imports}
    assert refs == {
        ("docs/a.md", 2, "docs/a.md"),
        ("AGENTS.md", 3, "AGENTS.md"),
        ("docs/missing.md", 4, None),
    }


def test_import_depth_is_limited_to_five_hops(tmp_path: Path) -> None:
    files = {"CLAUDE.md": "@d1.md\n"}
    for n in range(1, 9):
        files[f"d{n}.md"] = f"# {n}\n@d{n + 1}.md\n"
    rules = _by_path(write(tmp_path, files))
    assert {f"d{n}.md" for n in range(1, 6)} <= set(rules)
    assert "d6.md" not in rules


def test_nearest_agents_md_wins(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "AGENTS.md": "# Root\n",
            "web/AGENTS.md": "# Web\n",
            "web/src/a.ts": "",
            "api/b.py": "",
            "webby/c.py": "",
        },
    )
    rules = _by_path(root)
    top, web = rules["AGENTS.md"], rules["web/AGENTS.md"]
    assert top.shadowed_by == ("web",)
    assert applies_to(web, "web/src/a.ts") and not applies_to(top, "web/src/a.ts")
    assert applies_to(top, "api/b.py") and not applies_to(web, "api/b.py")
    assert applies_to(top, "webby/c.py") and not applies_to(web, "webby/c.py")


def test_glob_activation(tmp_path: Path) -> None:
    rules = _by_path(sample("healthy", tmp_path))
    ts = rules[".cursor/rules/typescript.mdc"]
    assert ts.globs == ("web/**/*.ts", "web/**/*.tsx")
    assert applies_to(ts, "web/src/App.tsx") and not applies_to(ts, "src/ledgerly/api/auth.py")
    assert not applies_to(rules[".cursor/rules/migrations.mdc"], "src/ledgerly/db/models.py")


def test_symlinked_claude_md_is_recognised(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "AGENTS.md": "# Shared\n\n## Testing\n\nRun the whole suite before every push, always, with coverage on.\n"
        },
    )
    (root / "CLAUDE.md").symlink_to("AGENTS.md")
    rules = _by_path(root)
    assert rules["CLAUDE.md"].symlink_of == "AGENTS.md"
