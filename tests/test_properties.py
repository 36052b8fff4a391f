"""Properties of packs on generated repositories (hypothesis, derandomized by conftest's profile).

For random small repositories (Python, JavaScript, markdown, a CLAUDE.md; some files carrying
generated secrets), random tasks, budgets and formats:

* the rendered pack never exceeds the budget (recounted with the same tokenizer; for json the
  contract counts the markdown rendering);
* every `lines` claim is verbatim (a `full` item: the whole file);
* the output is deterministic (same workspace twice, and a fresh workspace);
* no detected secret survives rendering, in any format, in code or in rule sections;
* ignore verdicts equal git's on random `.gitignore` chains.
"""

from __future__ import annotations

import json
import random
import string
import subprocess
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ctxtrim import Task, Workspace, render
from ctxtrim.errors import CtxtrimError
from ctxtrim.redact import redact
from ctxtrim.render import FORMATS
from ctxtrim.scan import scan
from ctxtrim.secrets import find_secrets
from ctxtrim.tokens import Tokenizer
from ctxtrim.views import split_lines

from .conftest import git, init_repo
from .test_pack import verbatim
from .test_secrets import GEN

TOK = Tokenizer()
WORDS = ["login", "redirect", "cart", "total", "user", "parse", "render", "cache", "token", "item"]
SECRET_KINDS = sorted(GEN.GENERATORS)


# ---- regression examples for the secrets detector --------------------------------------------


def test_aws_secret_starting_with_slash_before_colon() -> None:
    # Found by test_embedded_secret_never_survives with a random seed: an unquoted value runs on
    # to the next space, so the 40 characters were followed by ':' and the value began with '/'
    # (taken for a path).
    secret = "/xrFm/vP+E/u96KngzsyBbJlnzqkN/15vHM/gPUZ"
    text = f"\naws_secret_access_key={secret}: "
    (finding,) = find_secrets(text)
    assert finding.kind == "aws-secret-key" and text[finding.start : finding.end] == secret
    assert secret not in redact(text).text


def test_random_keys_with_placeholder_lookalike_letters_are_redacted() -> None:
    # Mixed-case `xXxX`, `yOuR`, `TeSt` inside random bodies were taken for placeholders.
    for text in (
        "sk_live_bvE8NgE0Hhyx7MGS6RdTyOuR",
        "SG.QarKZ1Bb9w8AALSaT1fXI4.c1TX4k3xXxXAn8LcHZy1ngBZPfdIguUrj8EwSpP2j4s",
        "aws_secret_access_key=AuUVQZrxxXxxKwQ1PJhZvxZrZJEcevy8YTmPFmAS",
        "DB_PASSWORD: HHEPEKKwvinweX5Tkb2SVMMHHHO",
        "x-api-key = 3K9TBxao~UlQ",
        "<password>d^lWBkXjwad0CrV+</password>",
        "const token = `VE13y9h~ufyLUB48DH3zX`;",
        "npm_ezDb5PEvboCdqsCBq3DwCilbmzOSWzj7EJnX_",
    ):
        assert find_secrets(text), text


def test_expressions_and_placeholders_still_not_flagged() -> None:
    for text in (
        "client_private_key = self._public_id_to_private_key(client_id)",
        "token = access_token",
        "api_key = settings.API_KEY",
        'password = "ChangeMe"',
        "SECRET_KEY: '${SECRET_KEY}'",
        "token_file = --token-file",
        'secret = "/etc/app/secret.key"',
    ):
        assert find_secrets(text) == [], text


# ---- generated repositories -------------------------------------------------------------------

IDENT = st.text(alphabet=string.ascii_lowercase + "_", min_size=3, max_size=12).filter(
    lambda s: s.strip("_") and not s.startswith("__")
)


@st.composite
def repositories(draw: st.DrawFn) -> dict[str, str]:
    """A small repository as {path: text}; some files embed generated secrets."""
    files: dict[str, str] = {}
    names = draw(st.lists(IDENT, min_size=2, max_size=8, unique=True))
    rng = random.Random(draw(st.integers(0, 2**32)))
    for i, name in enumerate(names):
        kind = ("py", "js", "md")[i % 3]
        secret_kind = draw(st.sampled_from([None, None, *SECRET_KINDS]))
        secret_line = ""
        if secret_kind is not None:
            secret = GEN.GENERATORS[secret_kind](rng)
            prefix = "aws_secret_access_key = " if secret_kind == "aws-secret-key" else "KEY = "
            secret_line = f'{prefix}"{secret}"\n' if kind != "md" else f"Use `{secret}` here.\n"
        words = draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=4))
        if kind == "py":
            body = "".join(
                f'def {name}_{w}(x):\n    """{w.title()} the {name}."""\n    return x + {j}\n\n\n'
                for j, w in enumerate(words)
            )
            files[f"pkg/{name}.py"] = secret_line + body
        elif kind == "js":
            body = "".join(
                f"export function {name}{w.title()}(x) {{\n  return x * {j};\n}}\n\n"
                for j, w in enumerate(words)
            )
            files[f"web/{name}.js"] = secret_line + body
        else:
            files[f"docs/{name}.md"] = f"# {name}\n\n{' '.join(words)}\n\n" + secret_line
    # A bare 40-character AWS secret is only a secret by its variable name: not used in prose.
    prose_kinds = [k for k in SECRET_KINDS if k != "aws-secret-key"]
    rule_secret = GEN.GENERATORS[draw(st.sampled_from(prose_kinds))](rng)
    files["CLAUDE.md"] = (
        "# Project rules\n\nRun the tests before committing.\n\n"
        f"## Deploy\n\nThe deploy key is {rule_secret} (do not share).\n\n"
        f"## Style\n\nPrefer small functions like {names[0]}.\n"
    )
    return files


def _write_repo(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")


def _secrets_of(files: dict[str, str]) -> set[str]:
    """Every secret the detector finds in the repository's files: none may be rendered."""
    found = set()
    for text in files.values():
        found |= {text[f.start : f.end] for f in find_secrets(text)}
    return found


def _check_claims(root: Path, data: dict) -> None:
    for item in data["items"]:
        lines = split_lines((root / item["path"]).read_text("utf-8"))
        if item["kind"] == "file" and item["mode"] == "full":
            ranges = [[1, len(lines)]]
        else:
            ranges = item.get("lines") or []
        for start, end in ranges:
            assert verbatim(lines, start, end, item["text"]), (item["path"], start, end)


TASKS = st.one_of(
    st.lists(st.sampled_from(WORDS), min_size=0, max_size=5).map(" ".join),
    st.text(max_size=60).map(lambda s: s.replace("\x00", "")),
)


@settings(max_examples=40, suppress_health_check=[HealthCheck.too_slow])
@given(
    files=repositories(),
    task=TASKS,
    budget=st.integers(64, 20_000),
    fmt=st.sampled_from(FORMATS),
)
def test_pack_invariants(files: dict[str, str], task: str, budget: int, fmt: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "repo"
        _write_repo(root, files)
        ws = Workspace.open(root)
        try:
            pack = ws.pack(Task(task), budget, fmt)
        except CtxtrimError as exc:
            # The one refusal allowed: a budget smaller than the header and task alone.
            assert "too small" in str(exc) and budget < 400, exc
            return
        out = render(pack, fmt)
        measured = render(pack, "markdown") if fmt == "json" else out
        assert TOK.count(measured) == pack.tokens <= budget  # the header tells the truth
        data = json.loads(render(pack, "json"))
        assert data["tokens"] == pack.tokens
        _check_claims(root, data)
        # Deterministic: the same workspace again, and a fresh one, give the same bytes.
        assert render(ws.pack(Task(task), budget, fmt), fmt) == out
        assert render(Workspace.open(root).pack(Task(task), budget, fmt), fmt) == out
        # No secret survives in any format.
        secrets = _secrets_of(files)
        for other in FORMATS:
            rendered = render(pack, other)
            leaked = [s for s in secrets if s in rendered]
            assert not leaked, (other, leaked)


@settings(max_examples=15, suppress_health_check=[HealthCheck.too_slow])
@given(files=repositories(), fmt=st.sampled_from(FORMATS))
def test_rule_sections_are_redacted(files: dict[str, str], fmt: str) -> None:
    """The CLAUDE.md deploy section is packed when the task is about deploying: redacted."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "repo"
        _write_repo(root, files)
        pack = Workspace.open(root).pack(Task("deploy key: how do we deploy"), 8000, fmt)
        rules = [i for i in pack.items if i.kind == "rule"]
        assert any("Deploy" in (i.section or "") for i in rules), [i.section for i in rules]
        out = render(pack, fmt)
        assert "[REDACTED:" in out
        rule_secrets = {
            files["CLAUDE.md"][f.start : f.end] for f in find_secrets(files["CLAUDE.md"])
        }
        assert rule_secrets and not any(s in out for s in rule_secrets)
        _check_claims(root, json.loads(render(pack, "json")))


# ---- ignore verdicts equal git's --------------------------------------------------------------

NAMES = ["a", "b", "c", "doc", "lib", "src"]
EXTS = [".py", ".txt", ".md", ".c", ".cfg"]
PATTERN_FORMS = [
    "*{ext}",
    "{name}{ext}",
    "{name}/",
    "/{name}",
    "{name}*",
    "**/{name}/*{ext}",
    "{name}/**",
    "{name}/{other}{ext}",
    "[ab]{ext}",
    "?{ext}",
    "{name}/*",
    "\\#{name}",
    "{name}{ext} ",
    "**/{name}",
    "{name}/**/{other}{ext}",
    "!/{name}/",
]


@st.composite
def gitignore_trees(draw: st.DrawFn) -> tuple[list[str], dict[str, list[str]]]:
    dirs = [""]
    for _ in range(draw(st.integers(1, 8))):
        parent = draw(st.sampled_from(dirs))
        name = draw(st.sampled_from(NAMES))
        child = f"{parent}/{name}" if parent else name
        if child not in dirs:
            dirs.append(child)
    files = sorted(
        {
            (f"{d}/" if d else "") + draw(st.sampled_from(NAMES)) + draw(st.sampled_from(EXTS))
            for d in draw(st.lists(st.sampled_from(dirs), min_size=1, max_size=30))
        }
    )
    ignores: dict[str, list[str]] = {}
    for d in draw(st.lists(st.sampled_from(dirs), min_size=1, max_size=3, unique=True)):
        lines = []
        for _ in range(draw(st.integers(1, 5))):
            form = draw(st.sampled_from(PATTERN_FORMS))
            line = form.format(
                name=draw(st.sampled_from(NAMES)),
                other=draw(st.sampled_from(NAMES)),
                ext=draw(st.sampled_from(EXTS)),
            )
            lines.append(("!" if draw(st.booleans()) and not line.startswith("!") else "") + line)
        ignores[d] = lines
    return files, ignores


@settings(max_examples=40, suppress_health_check=[HealthCheck.too_slow])
@given(tree=gitignore_trees())
def test_ignore_verdicts_equal_git(tree: tuple[list[str], dict[str, list[str]]]) -> None:
    files, ignores = tree
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for rel in files:
            path = root / rel
            if path.parent.exists() and not path.parent.is_dir():
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            if not path.is_dir():
                path.write_text("x\n")
        for d, lines in ignores.items():
            (root / d).mkdir(parents=True, exist_ok=True)
            (root / d / ".gitignore").write_text("\n".join(lines) + "\n")
        init_repo(root)
        listed = git(root, "ls-files", "--others", "--exclude-standard", "-z")
        expected = {p for p in listed.split("\0") if p}
        got = {f.path for f in scan(root).files}
        assert got == expected, (ignores, sorted(got ^ expected))


def test_git_is_available() -> None:
    # The verdict property is meaningless without git: make its absence loud, not silent.
    assert subprocess.run(["git", "--version"], capture_output=True).returncode == 0
