"""`ctxtrim hook claude-code`: a map for a real event; silence (exit 0, one stderr line) for
everything else. Run as Claude Code runs it: a process with the event on stdin."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from ..support.repos import init_repo

WAIT = 60
HOOK_ROOM = 30  # seconds: the --timeout of tests that are not about it


def run_hook(stdin: bytes, *extra: str) -> subprocess.CompletedProcess[str]:
    # The hook's own deadline (a few seconds) is for a live session; a cold start on a loaded
    # CI machine can take longer, so tests not about the deadline give it room.
    if "--timeout" not in extra:
        extra = (*extra, "--timeout", str(HOOK_ROOM))
    done = subprocess.run(
        [sys.executable, "-m", "ctxtrim", "hook", "claude-code", *extra],
        input=stdin,
        capture_output=True,
        timeout=WAIT,
    )
    return subprocess.CompletedProcess(
        done.args, done.returncode, done.stdout.decode(), done.stderr.decode()
    )


def event(cwd: Path | str, prompt: str) -> bytes:
    """The event as Claude Code sends it on UserPromptSubmit."""
    return json.dumps(
        {
            "session_id": "abc123",
            "transcript_path": "/home/user/.claude/projects/x/abc123.jsonl",
            "cwd": str(cwd),
            "permission_mode": "default",
            "hook_event_name": "UserPromptSubmit",
            "prompt": prompt,
        }
    ).encode()


@pytest.fixture
def repo(demo: Path) -> Path:
    init_repo(demo)
    return demo


def test_a_real_event_gets_a_map(repo: Path) -> None:
    prompt = "The login redirect sends users to another host; make it stay on ours."
    done = run_hook(event(repo / "app", prompt))  # a subfolder: the repository is found above
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    out = json.loads(done.stdout)
    assert list(out) == ["hookSpecificOutput"]  # no decision, ever
    assert out["hookSpecificOutput"]["hookEventName"] == "UserPromptSubmit"
    context = out["hookSpecificOutput"]["additionalContext"]
    assert len(context) <= 9000
    assert "1. app/auth.py" in context
    # The definition the pack showed verbatim is starred: the login that redirects, or the
    # check of the redirect's host it calls (the prompt's words name both).
    assert ("★ function safe_next_url  L35-42" in context) != (
        "★ function login  L45-51" in context
    )
    assert "CLAUDE.md:15-18 › shopdemo > Login and redirects" in context


def test_the_character_cap_is_configurable(repo: Path) -> None:
    done = run_hook(event(repo, "the login redirect goes to another host"), "--max-chars", "400")
    context = json.loads(done.stdout)["hookSpecificOutput"]["additionalContext"]
    assert 200 < len(context) <= 400
    assert "app/auth.py" in context


@pytest.mark.parametrize(
    ("stdin", "message"),
    [
        (b"", "stdin is not a JSON event"),
        (b"\xff\xfe not json", "stdin is not a JSON event"),
        (b'["prompt", "cwd"]', "the event is not a JSON object"),
        (b'{"prompt": 42, "cwd": "/"}', "the event has no 'prompt' and 'cwd' strings"),
        (
            b'{"hook_event_name": "Stop", "prompt": "a b c d e", "cwd": "/"}',
            "event 'Stop' is not UserPromptSubmit",
        ),
    ],
)
def test_garbage_is_ignored_quietly(stdin: bytes, message: str) -> None:
    done = run_hook(stdin)
    assert (done.returncode, done.stdout) == (0, "")
    assert done.stderr == f"ctxtrim hook: {message}\n"


def test_unknown_cwd_not_a_repository_and_no_task(repo: Path, tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    cases = [
        (event(tmp_path / "gone", "fix the login redirect please"), "is not a directory"),
        (event(plain, "fix the login redirect please"), f"{plain} is not in a git repository"),
        (event(repo, "/compact keep the login work"), "a slash command is not a task"),
        (event(repo, "thanks, go ahead"), "a prompt of fewer than 4 words is not a task"),
    ]
    for stdin, message in cases:
        done = run_hook(stdin)
        assert (done.returncode, done.stdout) == (0, "")
        assert done.stderr.count("\n") == 1 and message in done.stderr, done.stderr


def test_the_time_limit_never_stalls_a_prompt(repo: Path) -> None:
    done = run_hook(event(repo, "fix the login redirect please"), "--timeout", "0.001")
    assert (done.returncode, done.stdout) == (0, "")
    assert done.stderr.startswith(f"ctxtrim hook: no context: {repo} took longer than 0.001 s")
    assert done.stderr.count("\n") == 1
