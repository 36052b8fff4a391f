"""`ctxtrim eval` on a small repository with a known history."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ctxtrim.cli import main
from ctxtrim.config import Config
from ctxtrim.evaluate import bm25_ranking, changed_lines
from ctxtrim.workspace import Workspace

from ..support.repos import git, init_repo

DIFF = """diff --git a/app/cart.py b/app/cart.py
--- a/app/cart.py
+++ b/app/cart.py
@@ -10,2 +10,3 @@ class Cart:
-    old = 1
-    older = 2
+    new = 1
+    newer = 2
+    newest = 3
@@ -30,0 +32,2 @@ def total():
+    added()
+    again()
diff --git a/docs/x.md b/docs/x.md
--- a/docs/x.md
+++ b/docs/x.md
@@ -1 +1 @@
-a
+b
diff --git a/new.py b/new.py
--- /dev/null
+++ b/new.py
@@ -0,0 +1 @@
+x = 1
"""


def test_changed_lines_are_the_pre_image_of_source_files() -> None:
    assert changed_lines(DIFF) == {"app/cart.py": {10, 11, 30}}


def _history(root: Path) -> None:
    init_repo(root)
    pkg = root / "shop"
    pkg.mkdir()
    for i in range(12):
        (pkg / f"mod{i}.py").write_text(
            "".join(f"def helper_{i}_{j}(x):\n    return x + {j}\n\n\n" for j in range(30))
        )
    (pkg / "pricing.py").write_text(
        "def apply_discount(price, percent):\n    return price - price * percent / 100\n\n\n"
        "def round_price(price):\n    return round(price, 2)\n"
    )
    git(root, "add", "-A")
    git(root, "commit", "-qm", "initial")
    pricing = pkg / "pricing.py"
    pricing.write_text(
        pricing.read_text().replace("price * percent / 100", "price * min(percent, 100) / 100")
    )
    git(root, "commit", "-qam", "apply_discount: cap the percent at 100")
    pricing.write_text(pricing.read_text().replace("round(price, 2)", "round(price + 0.0, 2)"))
    git(root, "commit", "-qam", "round_price: normalise negative zero")


def test_eval_reports_coverage_on_real_history(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _history(tmp_path)
    head = git(tmp_path, "rev-parse", "HEAD")
    assert (
        main(["eval", str(tmp_path), "--commits", "5", "--budgets", "400,2000", "--format", "json"])
        == 0
    )
    result = json.loads(capsys.readouterr().out)
    assert result["commits"] == 2  # the initial commit has no parent and is skipped
    by_budget = {s["budget"]: s for s in result["summary"]}
    assert by_budget[2000]["lines_covered"] == 1.0 and by_budget[2000]["all_lines"] == 1.0
    assert all(s["within_budget"] for s in result["summary"])
    # The user's checkout is untouched.
    assert git(tmp_path, "rev-parse", "HEAD") == head
    assert git(tmp_path, "status", "--porcelain") == ""


def test_eval_table_and_bad_input(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    _history(tmp_path)
    assert main(["eval", str(tmp_path), "--commits", "1", "--budgets", "1000"]) == 0
    out = capsys.readouterr().out
    assert "| 1,000 | 1 |" in out and "changed lines covered" in out
    assert main(["eval", str(tmp_path), "--budgets", "lots"]) == 2
    capsys.readouterr()
    (tmp_path / "shop" / "sub").mkdir()
    assert main(["eval", str(tmp_path / "shop")]) == 2
    assert "not the top of a git repository" in capsys.readouterr().err
    plain = tmp_path_factory.mktemp("plain")
    assert main(["eval", str(plain)]) == 2
    assert "not a git repository" in capsys.readouterr().err


def _one_big_file_history(root: Path) -> None:
    """A fix inside a file too large for a small budget, which names the task's words most."""
    init_repo(root)
    helpers = "".join(
        f"def discount_helper_{j}(price, percent):\n    return price * percent + {j}\n\n\n"
        for j in range(120)
    )
    (root / "pricing.py").write_text(
        helpers + "def apply_discount(price, percent):\n    return price - price * percent / 100\n"
    )
    (root / "tests").mkdir()
    (root / "tests" / "test_pricing.py").write_text(
        "from pricing import apply_discount\n\n\ndef test_apply_discount_percent():\n"
        "    assert apply_discount(100, 200) == 0  # apply_discount percent cap\n"
    )
    git(root, "add", "-A")
    git(root, "commit", "-qm", "initial")
    pricing = root / "pricing.py"
    pricing.write_text(
        pricing.read_text().replace("price * percent / 100", "price * min(percent, 100) / 100")
    )
    git(root, "commit", "-qam", "apply_discount: cap the discount percent at 100")


def test_eval_baseline_bm25_reports_the_lift_over_whole_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _one_big_file_history(tmp_path)
    argv = ["eval", str(tmp_path), "--commits", "1", "--budgets", "1500,8000"]
    assert main([*argv, "--baseline", "bm25", "--format", "json"]) == 0
    result = json.loads(capsys.readouterr().out)
    small, large = result["summary"]
    # pricing.py does not fit 1,500 tokens whole: BM25 shows nothing of it, ctxtrim the function.
    assert small["all_lines"] == 1.0 and small["baseline"]["all_lines"] == 0.0
    assert small["lift"] is None
    assert large["baseline"]["all_lines"] == 1.0 and large["lift"] == 1.0
    assert main([*argv, "--baseline", "bm25"]) == 0
    table = capsys.readouterr().out
    assert "| 1,500 | 100.0% | 0.0% | n/a (BM25 covers none) |" in table
    assert "| 8,000 | 100.0% | 100.0% | 1.00× |" in table
    # Without --baseline the table and JSON carry no baseline.
    assert main([*argv, "--format", "json"]) == 0
    assert "lift" not in json.loads(capsys.readouterr().out)["summary"][0]


def test_bm25_baseline_ranks_source_files_by_the_message(tmp_path: Path) -> None:
    _one_big_file_history(tmp_path)
    (tmp_path / "NOTES.md").write_text("apply_discount: cap the discount percent at 100\n" * 3)
    ws = Workspace.open(tmp_path, Config.load(tmp_path).with_(cache_dir=""))
    ranked = bm25_ranking(ws, "apply_discount: cap the discount percent at 100")
    # Source files only (commits change tests too, so tests count); the notes are no source.
    assert [path for path, _ in ranked] == ["tests/test_pricing.py", "pricing.py"]
    assert ranked[1][1] == ws.tokenizer.count((tmp_path / "pricing.py").read_text())


def test_eval_baseline_names_its_choices(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["eval", ".", "--baseline", "grep"])
    assert exc.value.code == 2
    assert "invalid choice: 'grep' (choose from 'none', 'bm25')" in capsys.readouterr().err
