"""Secret-file patterns, secret detection and redaction (ctxtrim.secrets)."""

from __future__ import annotations

import importlib.util
import json
import random
from pathlib import Path

import pathspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ctxtrim.redact import redact
from ctxtrim.secrets import (
    KINDS,
    SECRET_FILE_ALLOW,
    SECRET_FILE_PATTERNS,
    Finding,
    find_secrets,
    has_secret_prefilter,
)

DATA = Path(__file__).parent / "data" / "secrets"


def _load_generator():
    spec = importlib.util.spec_from_file_location("make_corpus", DATA / "make_corpus.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GEN = _load_generator()
CORPUS = [json.loads(line) for line in (DATA / "corpus.jsonl").read_text("utf-8").splitlines()]
POSITIVES = [r for r in CORPUS if r["kind"] is not None]
NEGATIVES = [r for r in CORPUS if r["kind"] is None]


def _detected(record: dict) -> bool:
    at = record["text"].index(record["secret"])
    return any(
        f.kind == record["kind"] and f.start <= at < f.end for f in find_secrets(record["text"])
    )


# ---- corpus ----------------------------------------------------------------------------------


def test_corpus_size() -> None:
    assert len(POSITIVES) >= 150
    assert len(NEGATIVES) >= 300


def test_recall_on_positives() -> None:
    missed = [r["text"][:80] for r in POSITIVES if not _detected(r)]
    recall = 1 - len(missed) / len(POSITIVES)
    assert recall >= 0.95, missed


def test_false_positive_rate_on_negatives() -> None:
    flagged = [r["text"][:80] for r in NEGATIVES if find_secrets(r["text"])]
    assert len(flagged) / len(NEGATIVES) <= 0.01, flagged


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_detected(kind: str) -> None:
    records = [r for r in POSITIVES if r["kind"] == kind]
    assert records, f"no corpus positives for {kind}"
    assert sum(map(_detected, records)) / len(records) >= 0.9


def test_redaction_removes_every_corpus_secret() -> None:
    for record in POSITIVES:
        assert record["secret"] not in redact(record["text"]).text, record["text"][:80]


def test_negatives_unchanged_by_redaction() -> None:
    for record in NEGATIVES[:100]:
        result = redact(record["text"])
        assert result.text == record["text"]
        assert result.counts == {} and result.lines == frozenset()


# ---- findings and redaction -----------------------------------------------------------------


def test_finding_offsets_and_lines() -> None:
    key = GEN.gen_github_token(random.Random(1))
    text = f"a = 1\nb = 2\ntoken = '{key}'\n"
    (finding,) = find_secrets(text)
    assert finding == Finding(text.index(key), text.index(key) + len(key), "github-token", 3)


def test_findings_sorted_and_non_overlapping() -> None:
    rng = random.Random(7)
    text = "\n".join(GEN.positives(rng)[i]["text"] for i in range(0, 240, 3))
    findings = find_secrets(text)
    assert len(findings) > 50
    for a, b in zip(findings, findings[1:], strict=False):
        assert a.end <= b.start


def test_redact_preserves_other_text() -> None:
    key = GEN.gen_aws_access_key(random.Random(2))
    text = f"# config\nregion = 'eu-west-1'\naccess_key_id = '{key}'\nretries = 3\n"
    result = redact(text)
    assert result.text == (
        "# config\nregion = 'eu-west-1'\naccess_key_id = '[REDACTED:aws-access-key]'\nretries = 3\n"
    )
    assert result.counts == {"aws-access-key": 1}
    assert result.lines == frozenset({3})


def test_redact_counts_and_lines_for_several_kinds() -> None:
    rng = random.Random(3)
    text = "\n".join(
        [
            "x = 1",
            f"OPENAI_API_KEY={GEN.gen_openai_key(rng)}",
            "y = 2",
            f"DATABASE_URL=postgres://app:{GEN.gen_password(rng)}@db/app",
            f"a = '{GEN.gen_npm_token(rng)}'; b = '{GEN.gen_npm_token(rng)}'",
        ]
    )
    result = redact(text)
    assert result.counts == {"openai-key": 1, "connection-string": 1, "npm-token": 2}
    assert result.lines == frozenset({2, 4, 5})
    assert "postgres://app:[REDACTED:connection-string]@db/app" in result.text
    assert result.text.count("\n") == text.count("\n")


def test_private_key_block_is_one_marker() -> None:
    rng = random.Random(4)
    body = GEN.pem_body(rng, 5)
    text = "\n".join(
        [
            "before",
            "-----BEGIN RSA PRIVATE KEY-----",
            *body,
            "-----END RSA PRIVATE KEY-----",
            "after",
        ]
    )
    result = redact(text)
    assert result.text.count("[REDACTED:private-key]") == 1
    assert result.counts == {"private-key": 1}
    assert result.lines == frozenset(range(2, 9))  # BEGIN, 5 body lines, END
    assert all(line not in result.text for line in body)
    assert "BEGIN" not in result.text and "END" not in result.text
    # Newlines are kept after the marker, so "after" stays on line 9.
    assert result.text.split("\n")[8] == "after"
    assert result.text.startswith("before\n[REDACTED:private-key]\n")


def test_service_account_json_private_key() -> None:
    record = next(r for r in POSITIVES if "service_account" in r["text"])
    result = redact(record["text"])
    assert '"private_key": "[REDACTED:private-key]\\n",' in result.text
    assert '"client_email"' in result.text


@pytest.mark.parametrize(
    "text",
    [
        "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "AKIAIOSFODNN7EXAMPLE",
        "password_field = forms.CharField(widget=forms.PasswordInput)",
        "token = get_token()",
        'key = "id"',
        'password = os.environ["DB_PASSWORD"]',
        "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7 user@host",
        "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\n-----END PUBLIC KEY-----",
        "da39a3ee5e6b4b0d3255bfef95601890afd80709",
        "123e4567-e89b-12d3-a456-426614174000",
        "https://example.com/a/b?c=d",
    ],
)
def test_look_alikes_not_flagged(text: str) -> None:
    assert find_secrets(text) == []


def test_prefilter() -> None:
    assert not has_secret_prefilter("def add(a, b):\n    return a + b\n")
    assert has_secret_prefilter("password = 'x'")
    assert find_secrets("def add(a, b):\n    return a + b\n") == []


def test_unicode_text_keeps_offsets() -> None:
    # U+0130 lower-cases to two characters; offsets must still point into the original text.
    key = GEN.gen_generic_secret(random.Random(5))
    text = f"İİİ name = 'İstanbul'\nPASSWORD = '{key}'\n"
    result = redact(text)
    assert key not in result.text and "İİİ name = 'İstanbul'" in result.text


# ---- secret files ----------------------------------------------------------------------------

SPEC = pathspec.GitIgnoreSpec.from_lines(SECRET_FILE_PATTERNS)


@pytest.mark.parametrize(
    "path",
    [
        ".env",
        "app/.env",
        ".env.local",
        ".env.production",
        "server.pem",
        "certs/tls.key",
        "store.p12",
        "cert.pfx",
        "release.jks",
        "android/app/upload.keystore",
        "id_rsa",
        ".ssh/id_ed25519",
        "home/.ssh/id_ecdsa",
        "id_dsa",
        ".npmrc",
        ".pypirc",
        ".netrc",
        "credentials.json",
        "gcp-credentials-prod.json",
        "service-account.json",
        "kubeconfig",
        ".kube/config",
        ".aws/credentials",
        ".docker/config.json",
        "prod.tfvars",
        "infra/terraform.tfstate",
        "terraform.tfstate.backup",
        "config/secrets.yml",
        "secrets.yaml",
        ".htpasswd",
        "private.gpg",
        "private-key.asc",
    ],
)
def test_secret_files_excluded(path: str) -> None:
    assert SPEC.match_file(path), path


@pytest.mark.parametrize(
    "path",
    [
        ".env.example",
        "app/.env.sample",
        ".env.template",
        ".env.dist",
        "id_rsa.pub",
        ".ssh/id_ed25519.pub",
        "src/environment.py",
        "key.py",
        "keys/README.md",
        "docs/credentials.md",
        "settings.json",
        "main.tf",
        "variables.tf",
        "config.yml",
        "src/secrets.py",
        "package.json",
    ],
)
def test_ordinary_files_kept(path: str) -> None:
    assert not SPEC.match_file(path), path


def test_allow_list_is_negated_in_patterns() -> None:
    assert all(f"!{p}" in SECRET_FILE_PATTERNS for p in SECRET_FILE_ALLOW)


# ---- property ------------------------------------------------------------------------------

FILLER = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=200
).map(lambda s: s.replace("\r", ""))
SEPARATORS = st.sampled_from([" ", "\n", " = ", ": ", "='", '"', "\t", "(", "\n    "])


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(
    kind=st.sampled_from(sorted(GEN.GENERATORS)),
    seed=st.integers(0, 2**32),
    before=FILLER,
    after=FILLER,
    left=SEPARATORS,
    right=SEPARATORS,
)
def test_embedded_secret_never_survives(
    kind: str, seed: int, before: str, after: str, left: str, right: str
) -> None:
    # A seeded stdlib RNG, not st.randoms(): Hypothesis shrinks its randoms towards constant
    # output ("sk_live_aaaa..."), which is a placeholder by design, not a secret.
    secret = GEN.GENERATORS[kind](random.Random(seed))
    if kind == "aws-secret-key":  # a bare 40-char base64 value is only a secret by its name
        left = f"\naws_secret_access_key{left if left in (' = ', ': ') else '='}"
    text = f"{before}{left}{secret}{right}{after}"
    assert secret not in redact(text).text


@settings(max_examples=100)
@given(seed=st.integers(0, 2**32), before=FILLER, after=FILLER)
def test_embedded_private_key_never_survives(seed: int, before: str, after: str) -> None:
    rng = random.Random(seed)
    body = GEN.pem_body(rng, rng.randint(2, 10))
    block = "\n".join(["-----BEGIN EC PRIVATE KEY-----", *body, "-----END EC PRIVATE KEY-----"])
    text = f"{before}\n{block}\n{after}"
    redacted = redact(text).text
    assert all(line not in redacted for line in body)


@settings(max_examples=200)
@given(text=FILLER)
def test_redaction_is_idempotent_and_lines_consistent(text: str) -> None:
    result = redact(text)
    assert redact(result.text).text == result.text
    original = text.split("\n")
    changed = {i + 1 for i, line in enumerate(original) if i >= len(result.text.split("\n"))} | {
        i + 1 for i, (a, b) in enumerate(zip(original, result.text.split("\n"))) if a != b
    }
    assert changed <= result.lines
