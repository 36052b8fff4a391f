"""The scanner's verdicts: built-in defaults, every ignore source, links, and git agreement."""

from __future__ import annotations

import os
import random
import subprocess
from pathlib import Path

import pytest

from ctxtrim.config import Config
from ctxtrim.errors import CtxtrimError
from ctxtrim.scan import IgnoreRules, decode, read_regular, scan, why

from ..support.repos import git, init_repo


def write(root: Path, rel: str, text: str = "x\n") -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def paths(root: Path, config: Config | None = None) -> set[str]:
    return {f.path for f in scan(root, config).files}


def test_defaults_leave_out_vcs_dependencies_builds_locks_binaries(tmp_path: Path) -> None:
    for rel in [
        "src/app.py",
        ".git/config",
        "node_modules/x/index.js",
        ".venv/lib/site.py",
        "build/out.js",
        "dist/app.min.js",
        "package-lock.json",
        "poetry.lock",
        "img/logo.png",
        "src/__pycache__/app.cpython-311.pyc",
        "static/app.min.js",
        "proto/api_pb2.py",
        "locale/fr/LC_MESSAGES/django.mo",
    ]:
        write(tmp_path, rel)
    assert paths(tmp_path) == {"src/app.py"}


def test_secret_files_are_excluded_but_examples_kept(tmp_path: Path) -> None:
    for rel in [
        ".env",
        ".env.production",
        "deploy/id_rsa",
        "certs/server.pem",
        ".env.example",
        "app.py",
    ]:
        write(tmp_path, rel)
    kept = paths(tmp_path)
    assert ".env" not in kept and ".env.production" not in kept
    assert "deploy/id_rsa" not in kept and "certs/server.pem" not in kept
    assert {"app.py", ".env.example"} <= kept


def test_gitignore_chain_negation_anchoring_and_directories(tmp_path: Path) -> None:
    write(tmp_path, ".gitignore", "*.log\n!keep.log\n/top.txt\nout/\n")
    write(tmp_path, "sub/.gitignore", "!debug.log\nlocal.txt\n")
    for rel in [
        "a.log",
        "keep.log",
        "top.txt",
        "sub/top.txt",
        "out/x.py",
        "sub/out/y.py",
        "sub/debug.log",
        "sub/other.log",
        "sub/local.txt",
        "local.txt",
        "main.py",
    ]:
        write(tmp_path, rel)
    assert paths(tmp_path) == {
        ".gitignore",
        "sub/.gitignore",
        "keep.log",
        "sub/top.txt",
        "sub/debug.log",
        "local.txt",
        "main.py",
    }


def test_a_name_judged_before_is_judged_again_where_a_path_pattern_applies(
    tmp_path: Path,
) -> None:
    # Verdicts are remembered by file name, except where a pattern naming a path matches:
    # `docs/x.log` is re-included, its namesakes before and after it in the walk are not.
    write(tmp_path, ".gitignore", "*.log\n!docs/x.log\nkeep/vendor/\n")
    for rel in ["a/x.log", "docs/x.log", "docs/sub/x.log", "z/x.log", "keep/vendor/v.py"]:
        write(tmp_path, rel)
    write(tmp_path, "keep/b/vendor/v.py")  # `vendor/` is a default at any depth
    write(tmp_path, "lib/vendorx/v.py")
    rules = IgnoreRules(tmp_path, Config())
    rules.load_dir("")
    verdicts = [rules.check(rel)[0] for rel in ["a/x.log", "docs/x.log", "z/x.log", "docs/x.log"]]
    assert verdicts == [True, False, True, False]
    assert paths(tmp_path) == {".gitignore", "docs/x.log", "lib/vendorx/v.py"}


def test_info_exclude_ctxtrimignore_and_config(tmp_path: Path) -> None:
    write(tmp_path, ".git/info/exclude", "secret_notes.md\n")
    write(tmp_path, ".ctxtrimignore", "docs/\n")
    for rel in ["secret_notes.md", "docs/a.md", "src/a.py", "src/gen.py", "README.md"]:
        write(tmp_path, rel)
    config = Config(exclude=("src/gen.py",))
    assert paths(tmp_path, config) == {".ctxtrimignore", "src/a.py", "README.md"}
    assert paths(tmp_path, Config(include=("src/**",))) == {"src/a.py", "src/gen.py"}


def test_ctxtrimignore_can_reinclude_a_default(tmp_path: Path) -> None:
    write(tmp_path, ".ctxtrimignore", "!build/\n")
    write(tmp_path, "build/gen.py")
    assert "build/gen.py" in paths(tmp_path)


def test_not_a_git_repository_still_works(tmp_path: Path) -> None:
    write(tmp_path, ".gitignore", "*.tmp\n")
    write(tmp_path, "a.tmp")
    write(tmp_path, "a.py")
    assert paths(tmp_path) == {".gitignore", "a.py"}


def test_symlinks_never_leave_the_root_and_loops_are_safe(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    write(outside, "secret.py", "TOKEN = 1\n")
    root = tmp_path / "root"
    write(root, "a.py")
    os.symlink(outside / "secret.py", root / "linked.py")
    os.symlink(outside, root / "linkdir")
    os.symlink(root, root / "loop")
    os.symlink(root / "a.py", root / "alias.py")
    os.symlink(root / "missing.py", root / "broken.py")
    result = scan(root)
    assert {f.path for f in result.files} == {"a.py", "alias.py"}
    reasons = {e.path: e.rule for e in result.excluded}
    assert reasons["linked.py"] == "symlink out of the root"
    assert reasons["linkdir"] == "symlink out of the root"
    assert "not followed" in reasons["loop"]
    assert reasons["broken.py"] == "broken symlink"


def test_huge_files_and_special_files(tmp_path: Path) -> None:
    write(tmp_path, "big.txt", "x" * 2000)
    os.mkfifo(tmp_path / "fifo")
    result = scan(tmp_path, Config(max_file_bytes=1000))
    assert result.files == []
    reasons = {e.path: e.rule for e in result.excluded}
    assert reasons["big.txt"].startswith("huge")
    assert reasons["fifo"] == "not a regular file"


def test_a_file_is_read_whole_up_to_the_limit_in_any_number_of_reads(tmp_path: Path) -> None:
    data = bytes(range(256)) * 9000  # 2.3 MB: more than one read
    (tmp_path / "blob").write_bytes(data)
    (tmp_path / "empty").write_bytes(b"")
    assert read_regular(str(tmp_path / "blob"), 3_000_000) == data
    assert read_regular(str(tmp_path / "blob"), 2_000_000) == data[:2_000_001]
    assert read_regular(str(tmp_path / "blob"), len(data)) == data
    assert read_regular(str(tmp_path / "empty"), 100) == b""


def test_decode_refuses_binary_and_foreign_bytes_but_tolerates_a_stray_byte() -> None:
    assert decode(b"\x00\x01\x02abc").problem == "binary (NUL bytes)"
    assert decode(bytes(range(128, 256)) * 10).problem == "not UTF-8 text"
    assert decode("héllo\n".encode("utf-16")).text == "héllo\n"
    stray = decode(b"caf\xe9 is fine\n" + b"plain ascii text\n" * 20)
    assert stray.text is not None and "\ufffd" in stray.text


def test_decode_drops_a_utf8_byte_order_mark_so_line_one_is_shown_as_it_reads() -> None:
    assert decode(b"\xef\xbb\xbf$x = 1\nok\n").text == "$x = 1\nok\n"
    latin1 = decode(b"\xef\xbb\xbfcaf\xe9 is fine\n" + b"plain ascii text\n" * 20).text
    assert latin1 is not None and latin1.startswith("caf")


def test_decoded_text_offers_its_bytes_only_when_they_are_utf8() -> None:
    # Indexing reads terms from these bytes: UTF-16 bytes would yield other words.
    utf8 = "héllo wörld\n".encode()
    assert decode(utf8).utf8 == utf8
    assert decode(b"\xef\xbb\xbfx = 1\n").utf8 == b"\xef\xbb\xbfx = 1\n"
    assert decode("héllo\n".encode("utf-16")).utf8 is None
    assert decode(b"\x00\x01\x02abc").utf8 is None


def test_missing_root_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CtxtrimError, match="no such file or directory"):
        scan(tmp_path / "nope")


def test_why_names_the_rule(tmp_path: Path) -> None:
    write(tmp_path, ".gitignore", "# comment\n\n*.log\n")
    write(tmp_path, "x.log")
    write(tmp_path, "node_modules/pkg/a.js")
    write(tmp_path, "a.py")
    assert why(tmp_path, "x.log") == "x.log: excluded by .gitignore:3: *.log"
    assert "node_modules/" in why(tmp_path, "node_modules/pkg/a.js")
    assert why(tmp_path, "a.py") == "a.py: included"
    with pytest.raises(CtxtrimError):
        why(tmp_path, "missing.py")


# ---------------------------------------------------------------- agreement with git

NAMES = ["a", "b", "c", "doc", "lib", "src"]
EXTS = [".py", ".txt", ".md", ".c", ".cfg"]


def _random_pattern(rng: random.Random) -> str:
    name = rng.choice(NAMES)
    ext = rng.choice(EXTS)
    pattern = rng.choice(
        [
            f"*{ext}",
            f"{name}{ext}",
            f"{name}/",
            f"/{name}",
            f"{name}*",
            f"**/{name}/*{ext}",
            f"{name}/**",
            f"{name}/{rng.choice(NAMES)}{ext}",
            f"[ab]{ext}",
            f"?{ext}",
            f"{name}/*",
        ]
    )
    return ("!" if rng.random() < 0.3 else "") + pattern


def _random_tree(root: Path, rng: random.Random) -> None:
    dirs = [""]
    for _ in range(8):
        parent = rng.choice(dirs)
        child = f"{parent}/{rng.choice(NAMES)}" if parent else rng.choice(NAMES)
        if child not in dirs:
            dirs.append(child)
    for _ in range(40):
        d = rng.choice(dirs)
        name = rng.choice(NAMES) + rng.choice(EXTS)
        write(root, f"{d}/{name}" if d else name)
    for d in rng.sample(dirs, k=min(3, len(dirs))):
        lines = [_random_pattern(rng) for _ in range(rng.randint(1, 5))]
        write(root, f"{d}/.gitignore" if d else ".gitignore", "\n".join(lines) + "\n")


@pytest.mark.parametrize("seed", range(25))
def test_verdicts_agree_with_git(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    _random_tree(tmp_path, rng)
    init_repo(tmp_path)
    listed = git(tmp_path, "ls-files", "--others", "--exclude-standard", "-z")
    expected = {p for p in listed.split("\0") if p}
    assert paths(tmp_path) == expected, (
        tmp_path,
        subprocess.run(
            ["find", str(tmp_path), "-name", ".gitignore"], capture_output=True, text=True
        ).stdout,
    )


def test_files_handed_over_during_the_walk_come_in_path_order(tmp_path: Path) -> None:
    # Names that sort differently as names and as directories: `a` sorts as `a/`, after
    # `a-b` and `a.py` ('-' and '.' come before '/') but before `a_b` and `ab`.
    for rel in [
        "a.py",
        "a-b/x.py",
        "a/z.py",
        "a/b.py",
        "a/a-c/y.py",
        "a/a/deep.py",
        "a_b.py",
        "ab/c.py",
        "Z.py",
        "é/u.py",
        "node_modules/skip.js",
    ]:
        write(tmp_path, rel)
    runs: list[list[str]] = []
    result = scan(tmp_path, found=lambda files: runs.append([f.path for f in files]))
    handed = [path for run in runs for path in run]
    assert handed == [f.path for f in result.files] == sorted(handed)
    assert handed == [
        "Z.py",
        "a-b/x.py",
        "a.py",
        "a/a-c/y.py",
        "a/a/deep.py",
        "a/b.py",
        "a/z.py",
        "a_b.py",
        "ab/c.py",
        "é/u.py",
    ]
    assert all(runs)  # no empty run is handed over
