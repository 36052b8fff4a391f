"""`ctxtrim check`: every check fires on the bad sample and none on the healthy one."""

from __future__ import annotations

from pathlib import Path

import pytest

from ..support.repos import write
from ..support.rules import line_of, run, run_json, sample


def _codes(report: dict) -> list[tuple[str, int, str]]:
    return [(d["path"], d["line"], d["code"]) for r in report["results"] for d in r["diagnostics"]]


def test_healthy_repository_is_clean(tmp_path: Path, capsys) -> None:
    root = sample("healthy", tmp_path)
    code, out, _ = run(["check", str(root)], capsys)
    assert code == 0, out
    assert "0 errors, 0 warnings in 9 rule files" in out
    assert (root / "CLAUDE.md").read_text().count("\n") >= 150


def test_every_check_fires_on_the_bad_sample(tmp_path: Path, capsys) -> None:
    root = sample("bad", tmp_path)
    (root / ".cursor/rules/secrets.mdc").write_text(
        "---\ndescription: deploy keys\n---\n# Keys\n\nAWS key: "
        + "AKIA"
        + "Q3EGRHJKLM2N4P5T"
        + "\n"
    )
    code, report = run_json(["check", str(root)], capsys)
    assert code == 1
    found = set(_codes(report))
    claude = root / "CLAUDE.md"
    expected = {
        ("CLAUDE.md", line_of(claude, "src/legacy/old_api.py"), "CTX101"),
        ("CLAUDE.md", line_of(claude, "./scripts/deploy.sh"), "CTX101"),
        ("CLAUDE.md", line_of(claude, "CONTRIBUTING.md"), "CTX101"),
        ("CLAUDE.md", line_of(claude, "@docs/missing-guide.md"), "CTX102"),
        ("CLAUDE.md", line_of(claude, "## Testing"), "CTX401"),
        ("CLAUDE.md", line_of(claude, "## Everything about telemetry"), "CTX203"),
        ("CLAUDE.md", 1, "CTX201"),
        (".cursor/rules/broken.mdc", 4, "CTX001"),
        (".cursor/rules/malformed.mdc", 3, "CTX001"),
        (".cursor/rules/vue.mdc", 3, "CTX103"),
        (".cursor/rules/partial.mdc", 3, "CTX103"),
        (".cursor/rules/everything.mdc", 3, "CTX104"),
        (".cursor/rules/nodesc.mdc", 1, "CTX002"),
        (".windsurf/rules/deploy.md", 1, "CTX002"),
        (".windsurfrules", 1, "CTX202"),
        (
            ".github/copilot-instructions.md",
            line_of(root / ".github/copilot-instructions.md", "Review point 50:"),
            "CTX304",
        ),
        (".cursor/rules/secrets.mdc", 6, "CTX501"),
    }
    assert expected <= found, expected - found
    windsurf = [d for r in report["results"] for d in r["diagnostics"] if d["code"] == "CTX301"]
    assert windsurf and windsurf[0]["severity"] == "error"
    severities = {
        (d["path"], d["code"]): d["severity"] for r in report["results"] for d in r["diagnostics"]
    }
    assert severities[(".cursor/rules/vue.mdc", "CTX103")] == "error"  # can never activate
    assert severities[(".cursor/rules/partial.mdc", "CTX103")] == "warning"  # other glob matches
    # No false alarms: not paths, suppressed, or existing.
    messages = " ".join(d["message"] for r in report["results"] for d in r["diagnostics"])
    for ok in (
        "origin/main",
        "application/json",
        "reports/latest.html",
        "src/orbit/cli.py",
        "npm run",
        "$HOME",
    ):
        assert ok not in messages
    assert "AKIA" not in messages  # the secret itself is never echoed


def test_text_output_is_gcc_style_with_hint_and_summary(tmp_path: Path, capsys) -> None:
    root = sample("bad", tmp_path)
    code, out, _ = run(["check", str(root)], capsys)
    assert code == 1
    line = line_of(root / "CLAUDE.md", "src/legacy/old_api.py")
    prefix = f"{root.name}/CLAUDE.md:{line}:27: error: CTX101 dead-path: `src/legacy/old_api.py` does not exist (hint: "
    assert any(text.endswith(")") and prefix in text for text in out.splitlines()), out
    assert out.splitlines()[-1].startswith("ctxtrim check: ")
    assert "errors" in out.splitlines()[-1]


def test_json_shape(tmp_path: Path, capsys) -> None:
    root = sample("healthy", tmp_path)
    code, report = run_json(["check", str(root)], capsys)
    assert code == 0
    assert (
        report["schema"] == "ctxtrim.check/1" and report["errors"] == 0 and report["warnings"] == 0
    )
    (result,) = report["results"]
    assert result["root"] == str(root) and result["diagnostics"] == []
    assert result["always_on_tokens"]["claude"] > 1000
    first = result["rule_files"][0]
    assert set(first) == {
        "path",
        "tools",
        "activation",
        "scope",
        "globs",
        "description",
        "tokens",
        "chars",
        "sections",
        "imported_by",
    }
    bad = run_json(["check", str(sample("bad", tmp_path))], capsys)[1]
    diagnostic = bad["results"][0]["diagnostics"][0]
    assert set(diagnostic) == {"path", "line", "col", "severity", "code", "name", "message", "hint"}


def test_missing_path_is_a_usage_error(tmp_path: Path, capsys) -> None:
    code, _, err = run(["check", str(tmp_path / "nope")], capsys)
    assert code == 2 and "no such file or directory" in err and "nope" in err


def test_bad_settings_are_a_usage_error(tmp_path: Path, capsys) -> None:
    root = write(
        tmp_path, {"CLAUDE.md": "# A\n", ".ctxtrim.toml": "[rules]\nfile_token_warning = 3\n"}
    )
    code, _, err = run(["check", str(root)], capsys)
    assert code == 2 and "file_token_warning" in err


def test_thresholds_from_pyproject(tmp_path: Path, capsys) -> None:
    root = write(tmp_path, {"CLAUDE.md": "# A\n\n" + "Keep it short and clear. " * 40 + "\n"})
    assert run(["check", str(root)], capsys)[0] == 0
    (root / "pyproject.toml").write_text(
        "[tool.ctxtrim.rules]\nfile_tokens_warning = 50\nfile_tokens_error = 100\n"
    )
    code, report = run_json(["check", str(root)], capsys)
    assert code == 1 and ("CLAUDE.md", 1, "CTX201") in _codes(report)
    (root / "pyproject.toml").write_text(
        '[tool.ctxtrim.rules]\nfile_tokens_warning = 50\ndisable = ["file-tokens"]\n'
    )
    assert run(["check", str(root)], capsys)[0] == 0


def test_inline_suppression(tmp_path: Path, capsys) -> None:
    text = (
        "# A\n\n"
        "Gone: `src/one.py` <!-- ctxtrim: disable=CTX101 -->\n"
        "<!-- ctxtrim: disable=dead-path -->\n"
        "Gone: `src/two.py`\n"
        "Gone: `src/three.py`\n\n"
        "<!-- ctxtrim: disable=dead-path -->\n"
        "## Old\n\n"
        "Gone: `src/four.py` and `src/five.py`\n\n"
        "## New\n\nGone: `src/six.py`\n"
    )
    root = write(tmp_path, {"CLAUDE.md": text, "src/x.py": ""})
    report = run_json(["check", str(root)], capsys)[1]
    lines = [line for _, line, code in _codes(report) if code == "CTX101"]
    assert lines == [6, 15]  # three.py and six.py
    (root / "CLAUDE.md").write_text("<!-- ctxtrim: disable-file=dead-path -->\n" + text)
    assert run(["check", str(root)], capsys)[0] == 0


def test_vendor_limits(tmp_path: Path, capsys) -> None:
    paragraph = "Every handler validates input, logs with a request id, and returns typed errors.\n"
    files = {
        "CLAUDE.md": "# Big\n\n" + paragraph * 520,  # > 40,000 characters
        "AGENTS.md": "# Root\n\n" + paragraph * 300,
        "svc/AGENTS.md": "# Service\n\n" + paragraph * 150,  # root + svc > 32 KiB
        ".cursor/rules/long.mdc": "---\nalwaysApply: true\n---\n" + "- a rule line\n" * 520,
        ".windsurf/rules/big.md": "# Big\n\n" + paragraph * 160,  # > 12,000 characters
        "svc/main.py": "",
        ".ctxtrim.toml": "[rules]\nfile_tokens_warning = 100000\nfile_tokens_error = 100000\n"
        "tool_tokens_warning = 100000\ntool_tokens_error = 100000\nsection_tokens_warning = 100000\n"
        'disable = ["duplicate-section"]\n',
    }
    root = write(tmp_path, files)
    code, report = run_json(["check", str(root)], capsys)
    by_code = {d["code"]: d for r in report["results"] for d in r["diagnostics"]}
    assert set(by_code) == {"CTX301", "CTX302", "CTX303", "CTX305"}
    assert code == 1
    codex = by_code["CTX302"]
    assert codex["path"] == "svc/AGENTS.md" and codex["severity"] == "error"
    consumed = len((root / "AGENTS.md").read_bytes())
    head = (root / "svc/AGENTS.md").read_bytes()[: 32 * 1024 - consumed].decode()
    assert codex["line"] == head.count("\n") + 1
    assert by_code["CTX305"]["line"] == 501 and by_code["CTX305"]["severity"] == "warning"
    assert by_code["CTX303"]["severity"] == "warning"


def test_given_file_names_lint_them_and_run_repo_wide_checks(
    tmp_path: Path, capsys, monkeypatch
) -> None:
    root = write(
        tmp_path,
        {
            "CLAUDE.md": "# A\n\nUse `src/app.py`.\n",
            "AGENTS.md": "# B\n\n" + "Keep it short. " * 200 + "\n",
            ".ctxtrim.toml": "[rules]\nfile_tokens_warning = 100\n",
            "src/other.py": "",
        },
    )
    (root / ".git").mkdir()
    monkeypatch.chdir(root / "src")
    code, report = run_json(["check", "other.py"], capsys)  # a commit that touched no rule file
    assert code == 1
    codes = _codes(report)
    assert ("CLAUDE.md", 3, "CTX101") in codes  # repo-wide: the referenced file was renamed
    assert not [c for c in codes if c[2] == "CTX201"]  # per-file checks only for given rule files
    code, report = run_json(["check", "../AGENTS.md"], capsys)
    assert ("AGENTS.md", 1, "CTX201") in _codes(report)


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_no_rule_files(tmp_path: Path, capsys, fmt: str) -> None:
    root = write(tmp_path, {"README.md": "# x\n"})
    code, out, _ = run(["check", str(root), "--format", fmt], capsys)
    assert code == 0 and ("no rule files" in out or '"rule_files": []' in out)


def test_core_cli_routes_to_the_rule_commands(tmp_path: Path, capsys) -> None:
    cli = pytest.importorskip("ctxtrim.cli")
    root = sample("bad", tmp_path)
    assert cli.main(["check", str(root)]) == 1
    assert "CTX101 dead-path" in capsys.readouterr().out
    assert cli.main(["check", str(root / "missing")]) == 2


def test_files_to_create_and_suffixes_are_not_dead_paths(tmp_path: Path, capsys) -> None:
    root = write(
        tmp_path,
        {
            "src/app.py": "",
            "AGENTS.md": (
                "# Tests\n\n"
                "- New checkers: create `new_checker_message.py` in `src/`.\n"
                "- Config tests: add `.result.json` files next to each case.\n"
                "- The entry point is `src/main.py`.\n"
            ),
        },
    )
    code, report = run_json(["check", str(root)], capsys)
    dead = [m for m in _codes(report) if m[2] == "CTX101"]
    assert code == 1 and dead == [("AGENTS.md", 5, "CTX101")]  # only src/main.py is dead
