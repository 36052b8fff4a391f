"""Packs on the demo repository: the JSON contract, the budget, verbatim claims, determinism."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ctxtrim import Task, Workspace, render
from ctxtrim.errors import CtxtrimError
from ctxtrim.render import as_dict
from ctxtrim.tokens import Tokenizer

from ..support import DEMO
from ..support.packs import assert_truthful

TOK = Tokenizer()


@pytest.fixture(scope="module")
def ws() -> Workspace:
    return Workspace.open(DEMO)


@pytest.mark.parametrize("budget", [300, 800, 2000, 8000])
@pytest.mark.parametrize("fmt", ["markdown", "xml", "plain", "json"])
def test_every_pack_fits_its_budget_and_tells_the_truth(
    ws: Workspace, budget: int, fmt: str
) -> None:
    pack = ws.pack(Task("the login redirect goes to another host"), budget, fmt)
    text = render(pack, fmt)
    measured = render(pack, "markdown") if fmt == "json" else text
    assert TOK.count(measured) == pack.tokens <= budget
    assert_truthful(DEMO, as_dict(pack))


def test_contract_fields(ws: Workspace) -> None:
    data = json.loads(render(ws.pack(Task("login redirect"), 4000, "json"), "json"))
    assert data["schema"] == "ctxtrim.pack/1"
    assert data["root"] == str(DEMO.resolve())
    assert data["encoding"] == "cl100k_base" and data["budget"] == 4000
    assert 0 < data["tokens"] <= 4000
    assert set(data["omitted"]) == {"files", "tokens"}
    modes = {"full", "slice", "summary", "outline", "listed"}
    for item in data["items"]:
        assert item["kind"] in {"file", "rule"}
        assert item["mode"] in modes
        assert not item["path"].startswith("/") and "\\" not in item["path"]
        assert isinstance(item["reasons"], list) and item["reasons"]
        assert item["tokens"] >= 0 and 0 <= item["score"] <= 1


def test_the_right_code_comes_first(ws: Workspace) -> None:
    pack = ws.pack(Task("safe_next_url lets the login redirect go to another host"), 2000, "json")
    files = [i for i in pack.items if i.kind == "file"]
    assert files[0].path == "app/auth.py"
    assert "def safe_next_url(next_url: str | None, host: str) -> str:" in files[0].text
    assert any("safe_next_url" in r for r in files[0].reasons)


def test_a_named_file_is_in_the_pack(ws: Workspace) -> None:
    pack = ws.pack(Task("Something is off in services/payments/main.go"), 1500, "json")
    assert "services/payments/main.go" in {i.path for i in pack.items if i.mode != "listed"}


def test_traceback_frames_pull_in_the_failing_function(ws: Workspace) -> None:
    trace = (
        'Traceback (most recent call last):\n  File "app/cart.py", line 23, in add\n'
        "ValueError: quantity must be between 1 and 99\n"
    )
    pack = ws.pack(Task(trace), 600, "json")
    cart = next(i for i in pack.items if i.path == "app/cart.py")
    assert any(s <= 23 <= e for s, e in cart.lines)


def test_focus_file_and_line(ws: Workspace) -> None:
    pack = ws.pack(Task("tidy this up", focus=("native/price.rs:14",)), 1000, "json")
    item = next(i for i in pack.items if i.path == "native/price.rs")
    assert item.reasons[0].startswith("focus file")
    assert item.mode != "listed"


def test_same_input_same_bytes(ws: Workspace) -> None:
    a = render(ws.pack(Task("cart checkout total"), 3000, "json"), "json")
    b = render(Workspace.open(DEMO).pack(Task("cart checkout total"), 3000, "json"), "json")
    assert a == b


def test_small_budget_prefers_slices_over_whole_files(ws: Workspace) -> None:
    pack = ws.pack(Task("Cart.checkout fails on an empty cart"), 400, "json")
    cart = next(i for i in pack.items if i.path == "app/cart.py")
    assert cart.mode == "slice"
    assert "def checkout(self) -> Order:" in cart.text
    assert "⋮" in cart.text


def test_no_task_gives_an_overview(ws: Workspace) -> None:
    pack = ws.pack(Task(""), 2000, "json")
    assert pack.items and pack.tokens <= 2000


def test_budget_out_of_range_and_unknown_format(ws: Workspace) -> None:
    with pytest.raises(CtxtrimError, match="budget 10 is out of range"):
        ws.pack(Task("x"), 10)
    with pytest.raises(CtxtrimError, match="unknown format 'yaml'"):
        ws.pack(Task("x"), 1000, "yaml")


def test_budget_smaller_than_the_header_is_a_clear_error(ws: Workspace) -> None:
    with pytest.raises(CtxtrimError, match="too small"):
        ws.pack(Task("word " * 200), 100, with_task=True)


def test_a_long_task_is_echoed_by_its_first_line_only(ws: Workspace) -> None:
    task = "Fix the cart total\n\n" + "details " * 500
    pack = ws.pack(Task(task), 2000)
    text = render(pack, "markdown")
    assert "Fix the cart total …" in text and "details details" not in text
    assert "details details" in render(ws.pack(Task(task), 8000, with_task=True), "markdown")


def test_unsaved_buffer_text_is_what_gets_packed(demo: Path) -> None:
    ws = Workspace.open(demo)
    ws.update_file("app/cart.py", "def apply_coupon(code):\n    return code.upper()\n")
    pack = ws.pack(Task("apply_coupon uppercases the code"), 1000, "json")
    item = next(i for i in pack.items if i.path == "app/cart.py")
    assert "def apply_coupon(code):" in item.text
    ws.update_file("app/cart.py")  # back to the disk version
    pack = ws.pack(Task("apply_coupon uppercases the code"), 1000, "json")
    assert all("apply_coupon" not in i.text for i in pack.items)


def test_focus_outside_the_workspace_is_refused(ws: Workspace) -> None:
    with pytest.raises(CtxtrimError, match="outside the workspace"):
        ws.pack(Task("x", focus=("../../etc/passwd",)), 1000)


def test_secrets_are_redacted_and_not_claimed(demo: Path) -> None:
    key = "AKIA" + "Q3EGRTYUIOPLKJHG"
    (demo / "app" / "settings.py").write_text(
        f'"""Settings for the login service."""\n\nAWS_ACCESS_KEY_ID = "{key}"\nREGION = "eu-west-1"\n'
    )
    pack = Workspace.open(demo).pack(Task("login service settings AWS region"), 3000, "json")
    out = render(pack, "json")
    assert key not in out and "[REDACTED:" in out
    item = next(i for i in pack.items if i.path == "app/settings.py")
    assert item.mode != "full" and all(not (s <= 3 <= e) for s, e in item.lines)
    assert pack.redactions


def test_rule_sections_follow_the_task(ws: Workspace) -> None:
    pack = ws.pack(Task("the login redirect goes to another host"), 3000, "json", explain=True)
    sections = {(i.path, i.section) for i in pack.items if i.kind == "rule"}
    assert ("CLAUDE.md", "shopdemo > Login and redirects") in sections
    assert ("CLAUDE.md", "shopdemo > Payments service") not in sections
    assert any(o.path.startswith("CLAUDE.md:") for o in pack.dropped_rules)
    # Rule files are packed as rule sections, never again as files.
    assert not any(i.kind == "file" and i.path == "CLAUDE.md" for i in pack.items)


def test_a_glob_rule_stays_out_when_no_matching_file_is_packed(ws: Workspace) -> None:
    pack = ws.pack(
        Task("Charge.Capture must reject zero amounts in the payments service"), 3000, "json"
    )
    sections = {(i.path, i.section) for i in pack.items if i.kind == "rule"}
    shown = {i.path for i in pack.items if i.kind == "file" and i.mode != "listed"}
    assert ("CLAUDE.md", "shopdemo > Payments service") in sections
    assert ("CLAUDE.md", "shopdemo > Login and redirects") not in sections
    front_end_shown = any(p.startswith("web/") for p in shown)
    assert ((".cursor/rules/frontend.mdc", "Front end") in sections) == front_end_shown


def test_a_glob_rule_applies_when_a_matching_file_is_packed(ws: Workspace) -> None:
    pack = ws.pack(
        Task("submitLogin should use api.post", focus=("web/src/login.ts",)), 3000, "json"
    )
    sections = {(i.path, i.section) for i in pack.items if i.kind == "rule"}
    assert (".cursor/rules/frontend.mdc", "Front end") in sections
