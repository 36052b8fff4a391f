"""render: one Pack in each format, built by hand (no workspace)."""

from __future__ import annotations

import json

import pytest

from ctxtrim.errors import CtxtrimError
from ctxtrim.pack import SCHEMA, Item, Omitted, Pack
from ctxtrim.render import FORMATS, render


def _pack(**kw: object) -> Pack:
    pack = Pack(
        root="/repo", task="Fix the cart total\nmore detail", budget=4000, encoding="cl100k_base"
    )
    pack.items = [
        Item(
            "rule",
            "CLAUDE.md",
            "full",
            "## Tests\nRun pytest.",
            1.0,
            ["about tests"],
            [(3, 4)],
            7,
            section="Tests",
        ),
        Item(
            "file",
            "shop/cart.py",
            "slice",
            "⋮\ndef total():\n    return 1\n⋮",
            1.0,
            ["defines `total`"],
            [(10, 11)],
            12,
            language="python",
        ),
        Item(
            "file", "shop/util.py", "full", "X = 1 < 2 & 3", 0.5, [], [(1, 1)], 6, language="python"
        ),
        Item("file", "docs/cart.md", "listed", "", 0.1, [], [], 3),
    ]
    pack.tokens = 321
    pack.files_total = 40
    for k, v in kw.items():
        setattr(pack, k, v)
    return pack


def test_markdown_has_header_task_rules_files_then_the_listed_ones() -> None:
    text = render(_pack(), "markdown")
    assert text.startswith(
        "<!-- ctxtrim pack · 321 of 4,000 tokens (cl100k_base) · 2 of 40 files shown"
    )
    assert "# Task\n\nFix the cart total …" in text  # first line only, marked as cut
    order = [
        text.index(s)
        for s in (
            "# Rules",
            "# Files",
            "## shop/cart.py (slice, lines 10-11)",
            "## shop/util.py (full)",
            "# Also relevant (not shown)\n\n- docs/cart.md",
        )
    ]
    assert order == sorted(order)
    assert "```python\n⋮\ndef total():" in text


def test_order_last_puts_the_listed_files_before_the_shown_ones() -> None:
    text = render(_pack(order="last"), "markdown")
    assert text.index("# Also relevant (not shown)") < text.index("# Files")


def test_with_task_repeats_the_whole_task() -> None:
    assert "Fix the cart total\nmore detail" in render(_pack(with_task=True), "markdown")


def test_xml_escapes_text_and_attributes() -> None:
    text = render(_pack(), "xml")
    assert (
        '<file path="shop/util.py" mode="full" lines="1-1">\nX = 1 &lt; 2 &amp; 3\n</file>' in text
    )
    assert '<file path="docs/cart.md" mode="listed"/>' in text
    assert '<rule path="CLAUDE.md" section="Tests">' in text
    assert text.rstrip().endswith("</context>")


def test_plain_marks_each_item_with_its_title() -> None:
    text = render(_pack(), "plain")
    assert "=== shop/cart.py (slice, lines 10-11)\n⋮\ndef total():" in text
    assert "=== docs/cart.md (listed)" in text


def test_json_follows_the_contract_field_by_field() -> None:
    data = json.loads(render(_pack(redactions={"secret": 2}), "json"))
    assert data["schema"] == SCHEMA == "ctxtrim.pack/1"
    assert (data["root"], data["budget"], data["encoding"], data["tokens"]) == (
        "/repo",
        4000,
        "cl100k_base",
        321,
    )
    assert data["redactions"] == {"secret": 2}
    rule, cart = data["items"][0], data["items"][1]
    assert rule == {
        "kind": "rule",
        "path": "CLAUDE.md",
        "mode": "full",
        "tokens": 7,
        "score": 1.0,
        "reasons": ["about tests"],
        "section": "Tests",
        "text": "## Tests\nRun pytest.",
    }
    assert cart["lines"] == [[10, 11]] and cart["language"] == "python" and "section" not in cart
    assert "explain" not in data


def test_json_explains_what_was_left_out_when_asked() -> None:
    pack = _pack(
        explain=True,
        best_omitted=[Omitted("shop/tax.py", 0.3, ["matches"], "did not fit the budget")],
    )
    data = json.loads(render(pack, "json"))
    assert data["explain"]["best_omitted"] == [
        {
            "path": "shop/tax.py",
            "score": 0.3,
            "reasons": ["matches"],
            "why": "did not fit the budget",
        }
    ]
    assert data["explain"]["dropped_rules"] == []


def test_rendering_is_deterministic_in_every_format() -> None:
    for fmt in FORMATS:
        assert render(_pack(), fmt) == render(_pack(), fmt)


def test_an_unknown_format_is_refused() -> None:
    with pytest.raises(
        CtxtrimError, match=r"^unknown format 'html' \(choose from markdown, xml, json, plain\)$"
    ):
        render(_pack(), "html")
