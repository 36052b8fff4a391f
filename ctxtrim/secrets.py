"""Secret-bearing file patterns, and detection and redaction of secrets inside text.

A context pack is sent to a third-party model, so ctxtrim must never be how a credential leaks.
Two layers do that:

* :data:`SECRET_FILE_PATTERNS` excludes whole files that typically hold credentials (``.env``,
  private keys, cloud credential files, ...). Documented templates such as ``.env.example`` are
  re-included by negations at the end of the same tuple (gitignore "last match wins"), so a single
  ``pathspec.GitIgnoreSpec.from_lines(SECRET_FILE_PATTERNS)`` answers the question;
  :data:`SECRET_FILE_ALLOW` lists the same templates for callers that want them separately.
* :func:`redact` replaces secrets found inside any text that does enter a pack with
  ``[REDACTED:<kind>]``.

Detection is regex based: vendor tokens with a recognisable prefix are matched by format, and
values assigned to secret-looking names are flagged when they look random enough (Shannon entropy,
length, character classes) and are not an obvious placeholder. False negatives are worse than false
positives here (a leak vs. a slightly less useful pack), but a detector that fires on every git
SHA or UUID would make packs useless, so look-alikes are filtered explicitly.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass

__all__ = [
    "SECRET_FILE_PATTERNS",
    "SECRET_FILE_ALLOW",
    "KINDS",
    "Finding",
    "Redaction",
    "find_secrets",
    "redact",
    "has_secret_prefilter",
]

# --------------------------------------------------------------------------------------------
# Secret-bearing files
# --------------------------------------------------------------------------------------------

#: Templates that document the variables a project needs, without values. They are re-included
#: by the trailing negations of :data:`SECRET_FILE_PATTERNS`; their *contents* are still redacted.
SECRET_FILE_ALLOW: tuple[str, ...] = (
    ".env.example",
    ".env.sample",
    ".env.template",
    ".env.dist",
    ".env.defaults",
    "*.env.example",
    "*.env.sample",
    "*.env.template",
)

#: Gitignore-style patterns (pathspec GitWildMatch syntax) for files excluded from packs by default.
#: Order matters: the negations at the end re-include templates (last match wins).
SECRET_FILE_PATTERNS: tuple[str, ...] = (
    # dotenv files, anywhere, including .env.local, .env.production, prod.env
    ".env",
    ".env.*",
    "*.env",
    ".envrc",
    # private keys, keystores and certificate bundles that carry a private key
    "*.pem",
    "*.key",
    "*.p12",
    "*.pfx",
    "*.jks",
    "*.keystore",
    "*.p8",
    "*.ppk",
    "id_rsa*",
    "id_dsa*",
    "id_ecdsa*",
    "id_ed25519*",
    "!id_rsa*.pub",
    "!id_dsa*.pub",
    "!id_ecdsa*.pub",
    "!id_ed25519*.pub",
    # GPG: exported private keys and encrypted payloads. Armoured public keys (*.asc) are also
    # caught; that is the safe side of the trade-off (they are rarely useful context).
    "*.gpg",
    "*.asc",
    "secring.*",
    ".gnupg/",
    # package-registry and network credentials
    ".npmrc",
    ".yarnrc.yml",
    ".pypirc",
    ".netrc",
    "_netrc",
    ".git-credentials",
    ".pgpass",
    ".my.cnf",
    ".htpasswd",
    # cloud and cluster credentials
    "credentials.json",
    "*credentials*.json",
    "client_secret*.json",
    "service-account*.json",
    "service_account*.json",
    "*-sa-key*.json",
    "gcloud/application_default_credentials.json",
    "kubeconfig",
    "*.kubeconfig",
    ".kube/config",
    ".aws/credentials",
    ".aws/config",
    ".azure/",
    ".docker/config.json",
    ".dockercfg",
    # infrastructure state and variables (state files embed every secret a provider returned)
    "*.tfvars",
    "*.tfvars.json",
    "terraform.tfstate*",
    "*.tfstate",
    "*.tfstate.backup",
    # framework secret stores
    "secrets.yml",
    "secrets.yaml",
    "secrets.json",
    "secrets.toml",
    ".secrets",
    "*.secrets",
    "master.key",
    "credentials.yml.enc",
    "*.keytab",
    # re-include documented templates (must stay last)
    *(f"!{pattern}" for pattern in SECRET_FILE_ALLOW),
)

# --------------------------------------------------------------------------------------------
# Public types
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """One secret in a text: ``text[start:end]`` is the secret, ``line`` its 1-based line."""

    start: int
    end: int
    kind: str
    line: int


@dataclass
class Redaction:
    """Result of :func:`redact`.

    ``text`` is the redacted text, ``counts`` maps kind to number of redactions, and ``lines`` is
    the set of 1-based line numbers (of the original text, split on ``'\\n'``) whose content changed.
    """

    text: str
    counts: dict[str, int]
    lines: frozenset[int]


# --------------------------------------------------------------------------------------------
# Value heuristics
# --------------------------------------------------------------------------------------------


def _entropy(value: str) -> float:
    """Shannon entropy in bits per character."""
    n = len(value)
    if n == 0:
        return 0.0
    return -sum(c / n * math.log2(c / n) for c in Counter(value).values())


def _char_classes(value: str) -> int:
    """Number of classes (lower, upper, digit, other) present in ``value``."""
    return (
        any(c.islower() for c in value)
        + any(c.isupper() for c in value)
        + any(c.isdigit() for c in value)
        + any(not c.isalnum() for c in value)
    )


# Markers of documentation examples and placeholders. Applied to vendor tokens too: the AWS docs
# keys (AKIAIOSFODNN7EXAMPLE, wJalr...EXAMPLEKEY) and Slack's XXXXXXXX webhooks must not fire.
_FAKE_MARKER = re.compile(r"example|xxxx|(.)\1{7}|0123456789|abcdefghij|your[_-]?", re.IGNORECASE)

# Placeholders for assigned values (generic secrets, connection-string passwords). Substrings.
_PLACEHOLDER = re.compile(
    r"example|dummy|placeholder|chang(?:e|ing)[_-]?me|fake|sample|redacted|xxx|\*\*\*|\.\.\."
    r"|[<>]|\$\{|\{\{|\}\}|%\(|%s|^\$|^\{|test|todo|fixme|replace|insert|your|my[_-]?(?:secret|pass|key|token)"
    r"|not[_-]?(?:a|so)[_-]?secret|secret[_-]?here|^none$|^null$|^nil$|^true$|^false$|^undefined$"
    r"|(.)\1{5}|^(?:pass(?:word|wd)?|secret|admin|root|qwerty|letmein)[\W_]*\d{0,6}$",
    re.IGNORECASE,
)


def _looks_fake(body: str) -> bool:
    """True for documentation examples and placeholder tokens of otherwise valid format."""
    return _FAKE_MARKER.search(body) is not None


def _mixed_token(body: str) -> bool:
    """True if a vendor-token body looks random (not a word or kebab-case identifier)."""
    return not _looks_fake(body) and _char_classes(body) >= 2 and _entropy(body) >= 3.0


_DOTTED_NAME = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+")
_IDENTIFIER = re.compile(r"[A-Za-z_]\w*")
_CONSTANT_NAME = re.compile(r"[A-Z]+(?:_[A-Z]+)+|[a-z]+(?:[_.-][a-z]+)+")


def _random_value(value: str, quoted: bool) -> bool:
    """True if a value assigned to a secret-looking name looks like a real credential."""
    if len(value) < 8 or _PLACEHOLDER.search(value):
        return False
    if "://" in value or value[0] in "/~." or value.startswith(("-", "@")):
        return False  # URLs, paths, CLI flags, decorators
    if value.isdigit() or len(set(value)) <= 4:
        return False
    if _CONSTANT_NAME.fullmatch(value):
        return False  # `password = "DB_PASSWORD"`, `token: "access_token"`: names, not values
    if not quoted:
        # Unquoted values in code are usually expressions: `self.password`, `settings.KEY`.
        if _DOTTED_NAME.fullmatch(value):
            return False
        if _IDENTIFIER.fullmatch(value) and sum(c.isdigit() for c in value) < 3:
            return False  # variable names (`token = access_token`, `key = api_key_v2`)
    entropy = _entropy(value)
    classes = _char_classes(value)
    if classes >= 2 and entropy >= 3.0:
        return True
    # Long single-class values (e.g. all-lowercase random strings) need more entropy.
    return len(value) >= 20 and entropy >= 3.6


# --------------------------------------------------------------------------------------------
# Detectors
# --------------------------------------------------------------------------------------------

# A candidate: (start, end, kind). The detectors' order in _DETECTORS is their priority when two
# candidates overlap: specific vendor formats win over the generic name=value heuristic.
_Candidate = tuple[int, int, str]


@dataclass(frozen=True)
class _Rule:
    """A regex whose group ``group`` is the secret, with an optional validator of that value.

    Patterns start with a literal so CPython's regex engine can skip ahead with a fast substring
    search; a leading ``\\b`` would disable that (10-50x slower), so ``word_start`` checks the
    character before the match in Python instead.
    """

    kind: str
    pattern: re.Pattern[str]
    group: int = 0
    validate: Callable[[str], bool] | None = None
    word_start: bool = True

    def __call__(self, text: str, low: str) -> Iterator[_Candidate]:
        for match in self.pattern.finditer(text):
            start = match.start()
            if self.word_start and start > 0 and _is_word_char(text[start - 1]):
                continue
            value = match.group(self.group)
            if self.validate is None or self.validate(value):
                yield match.start(self.group), match.end(self.group), self.kind


def _is_word_char(char: str) -> bool:
    return char.isalnum() or char == "_"


def _not_fake(value: str) -> bool:
    return not _looks_fake(value)


def _sendgrid_ok(value: str) -> bool:
    return _mixed_token(value[3:])


_RULES: tuple[_Rule, ...] = (
    # Long-term (AKIA) and temporary (ASIA) access key ids. Other IAM prefixes (AIDA, AROA...) are
    # user and role ids, which are not credentials.
    _Rule("aws-access-key", re.compile(r"AKIA[A-Z0-9]{16}(?![A-Za-z0-9])"), 0, _not_fake),
    _Rule("aws-access-key", re.compile(r"ASIA[A-Z0-9]{16}(?![A-Za-z0-9])"), 0, _not_fake),
    _Rule("github-token", re.compile(r"gh[pousr]_[A-Za-z0-9]{36,255}\b"), 0, _mixed_token),
    _Rule("github-token", re.compile(r"github_pat_[A-Za-z0-9_]{50,255}\b"), 0, _mixed_token),
    _Rule("gitlab-token", re.compile(r"glpat-[A-Za-z0-9_-]{20,}"), 0, _mixed_token),
    _Rule(
        "slack-webhook",
        re.compile(
            r"https://hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9/_+-]{20,}"
        ),
        0,
        _not_fake,
        word_start=False,
    ),
    _Rule("slack-token", re.compile(r"xox[abposre]-\d+-[A-Za-z0-9-]{10,}"), 0, _not_fake),
    _Rule("slack-token", re.compile(r"xapp-\d-[A-Z0-9]+-\d+-[a-z0-9]+"), 0, _not_fake),
    _Rule("stripe-key", re.compile(r"sk_live_[A-Za-z0-9]{20,}"), 0, _mixed_token),
    _Rule("stripe-key", re.compile(r"rk_live_[A-Za-z0-9]{20,}"), 0, _mixed_token),
    # Anthropic before OpenAI: both start with "sk-" (overlaps go to the earlier rule).
    _Rule("anthropic-key", re.compile(r"sk-ant-[A-Za-z0-9_-]{32,}"), 0, _mixed_token),
    _Rule(
        "openai-key",
        re.compile(r"sk-(?:(?:proj|svcacct|admin)-[A-Za-z0-9_-]{40,}|[A-Za-z0-9]{40,60}\b)"),
        0,
        _mixed_token,
    ),
    _Rule("google-api-key", re.compile(r"AIza[0-9A-Za-z_-]{35}(?![\w-])"), 0, _not_fake),
    _Rule("npm-token", re.compile(r"npm_[A-Za-z0-9]{36}\b"), 0, _mixed_token),
    _Rule("pypi-token", re.compile(r"pypi-AgE[A-Za-z0-9_-]{50,}"), 0, _not_fake),
    _Rule("twilio-key", re.compile(r"SK[0-9a-f]{32}\b"), 0, _not_fake),
    _Rule(
        "sendgrid-key",
        re.compile(r"SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}(?![\w-])"),
        0,
        _sendgrid_ok,
    ),
    _Rule("heroku-key", re.compile(r"HRKU-[A-Za-z0-9_-]{20,}"), 0, _mixed_token),
    _Rule("digitalocean-token", re.compile(r"do[opr]_v1_[a-f0-9]{64}\b"), 0, _not_fake),
    _Rule("huggingface-token", re.compile(r"hf_[A-Za-z0-9]{30,40}\b"), 0, _mixed_token),
    _Rule(
        "azure-storage-key",
        re.compile(r"AccountKey=([A-Za-z0-9+/]{40,}={0,2})"),
        1,
        _not_fake,
        word_start=False,
    ),
    _Rule(
        "azure-storage-key",
        re.compile(r"SharedAccessKey=([A-Za-z0-9+/]{40,}={0,2})"),
        1,
        _not_fake,
        word_start=False,
    ),
    _Rule(
        "jwt",
        re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.ey[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}"),
        0,
        None,
    ),
)

# ---- private key blocks -------------------------------------------------------------------

_PK_BEGIN = re.compile(r"-----BEGIN[A-Z0-9 ]{0,30}PRIVATE KEY(?: BLOCK)?-----")
_PK_END = re.compile(r"-----END[A-Z0-9 ]{0,30}PRIVATE KEY(?: BLOCK)?-----")
# Inside a block: PEM headers (Proc-Type: ..., Comment: ...) are dropped before the base64 check.
_PEM_HEADER_LINE = re.compile(r"^[A-Za-z-]+:[^\n]*$", re.MULTILINE)
# Body noise when a key is embedded in source: quotes, string escapes, concatenation, whitespace.
_PEM_NOISE = re.compile(r"\\[nr]|[\"'\s,;()+]|\b[bru](?=[\"'])")
_BASE64_BODY = re.compile(r"[A-Za-z0-9+/=]{40,}")
# A continuation line of a key with no END footer in sight (truncated file, or code between).
_PEM_LINE = re.compile(
    r"(?:\r?\n|\\n)[ \t]*[bru]?[\"']?(?:[A-Za-z0-9+/=]{16,}|[A-Za-z-]+: [^\n\"']*)(?:\\n)?[\"']?"
    r"[ \t]*[+,)]?[ \t]*"
)
_PK_MAX_BLOCK = 64 * 1024  # an RSA-16384 key is ~13 KB of PEM; anything longer is not one block


def _pem_body_ok(body: str) -> bool:
    body = _PEM_HEADER_LINE.sub("", body.replace("\\n", "\n"))
    return _BASE64_BODY.fullmatch(_PEM_NOISE.sub("", body)) is not None


def _private_keys(text: str, low: str) -> Iterator[_Candidate]:
    """``-----BEGIN ... PRIVATE KEY-----`` blocks, through the END footer when there is one."""
    pos = 0
    while (begin := _PK_BEGIN.search(text, pos)) is not None:
        end_match = _PK_END.search(text, begin.end(), begin.end() + _PK_MAX_BLOCK)
        if end_match is not None and _pem_body_ok(text[begin.end() : end_match.start()]):
            yield begin.start(), end_match.end(), "private-key"
            pos = end_match.end()
            continue
        # No usable footer: take the base64 lines that follow the header.
        end = begin.end()
        while (line := _PEM_LINE.match(text, end)) is not None and line.end() > end:
            end = line.end()
        if _pem_body_ok(text[begin.end() : end]):
            yield begin.start(), end, "private-key"
        pos = max(end, begin.end())


# ---- connection strings -----------------------------------------------------------------

# Anchored on "://" (a literal: fast); the scheme before it does not matter.
_CONN_URL = re.compile(r"://([^\s:/?#@\"'<>`\[\]()]{0,256}):([^\s/@\"'<>`]{1,256})@[\w.\[\]-]+")
_CONN_TEMPLATE = re.compile(r"[{}<>$]|%s|%\(|^:|\*\*\*")


# The password *word* used as a password in docs (`https://user:password@host`).
_CONN_PLACEHOLDER = frozenset(
    {"password", "passwd", "pass", "pw", "pwd", "secret", "mypassword", "yourpassword"}
)


def _connection_password_ok(password: str) -> bool:
    # Template, masked and literal-placeholder passwords are not secrets; everything else is
    # redacted, including weak ones like "hunter2": a weak password is still a password.
    if set(password) <= {"*", "x", "X", "."} or password.lower() in _CONN_PLACEHOLDER:
        return False
    return _CONN_TEMPLATE.search(password) is None


def _connection_strings(text: str, low: str) -> Iterator[_Candidate]:
    """The password part of ``scheme://user:password@host`` URLs (only that part is redacted)."""
    for match in _CONN_URL.finditer(text):
        # Anonymous FTP conventionally sends an e-mail address as the password.
        if match.group(1).lower() != "anonymous" and _connection_password_ok(match.group(2)):
            yield match.start(2), match.end(2), "connection-string"


# ---- generic name = value -----------------------------------------------------------------

# Run on the lower-cased text, one literal keyword at a time: CPython's regex engine finds a
# literal prefix with a fast substring search, while an alternation of keywords, or (?i), is tried
# at every position (15-30x slower). The name around the keyword is recovered afterwards.
_GENERIC_KEYWORDS: tuple[str, ...] = ("pass", "pwd", "secret", "token", "key", "auth", "credential")
_GENERIC_KEYWORD_RES = tuple(re.compile(re.escape(k)) for k in _GENERIC_KEYWORDS)
# From the end of the keyword: rest of the name, optional closing quote/bracket, operator, value.
_ASSIGNMENT = re.compile(
    r"[\w.-]{0,40}[\"']?\]?[ \t]*(?::=|=>|=(?!=)|:(?!:))[ \t]*"
    r"(?:[bru]?\"([^\"\s\\]{1,300})\"|[bru]?'([^'\s\\]{1,300})'|([^\s\"'`,;&()\[\]{}<>|\\]{1,300}))"
)
# The full name must contain one of these (a bare `key` or `pass` is too common to mean secret).
_SECRET_NAME = re.compile(
    r"passw(?:or)?d|passphrase|pwd|secret|token(?!iz)|api_?key|apikey|access_?key|private_?key"
    r"|signing_?key|encryption_?key|master_?key|account_?key|credential|auth(?!or|ent|ori[tz])|heroku"
    r"|auth_?token|authorization_?token",
    re.IGNORECASE,
)
_NAME_TAIL = re.compile(r"[\w.-]{0,60}$")
# Names whose value is metadata about a secret, not the secret.
_NAME_DENY = re.compile(
    r"(?:url|uri|endpoint|path|file|filename|dir|name|type|field|id|ids|header|prefix|suffix|len"
    r"|length|size|count|env|var|regex|pattern|format|class|mode|method|policy|model|timeout|ttl"
    r"|expiry|expires|expires_at|version|label|placeholder|help|text|message|msg|error|hint|title"
    r"|description|required|enabled|min|max|provider|backend|store|storage|cache|manager|handler"
    r"|callback|hash|hasher|hashers|validators|algorithm|alg|scheme|sha|digest|checksum|source)$"
    r"|tokens?_?(?:ize|count|len)|^max_?tokens",
    re.IGNORECASE,
)
_AWS_SECRET_NAME = re.compile(r"aws|secret_?access", re.IGNORECASE)
_AWS_SECRET_VALUE = re.compile(r"[A-Za-z0-9/+]{40}")
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def _assigned_name(text: str, keyword_start: int, operator_end: int) -> str:
    """The full name around a keyword match: `DB_PASSWORD` for the keyword `password`."""
    head = _NAME_TAIL.search(text, max(0, keyword_start - 60), keyword_start)
    name_start = head.start() if head is not None else keyword_start
    name = text[name_start:operator_end]
    return name.split("=")[0].split(":")[0].strip("\"'] \t")


def _generic_kind(name: str, value: str) -> str | None:
    """Kind of a value assigned to a secret-looking name, or None if it is not a secret."""
    if _NAME_DENY.search(name.replace("-", "_")):
        return None
    if "heroku" in name.lower() and _UUID.fullmatch(value):
        return "heroku-key"  # Heroku API keys are plain UUIDs: only the name tells them apart
    if _AWS_SECRET_NAME.search(name) and _AWS_SECRET_VALUE.fullmatch(value):
        return "aws-secret-key" if not _looks_fake(value) and _entropy(value) >= 3.5 else None
    return "generic-secret"


def _generic_secrets(text: str, low: str) -> Iterator[_Candidate]:
    """High-entropy values assigned to secret-looking names (``password = "..."`` and kin)."""
    seen: set[int] = set()  # `secret_token = ...` is reached from two keywords
    for keyword_re in _GENERIC_KEYWORD_RES:
        for keyword in keyword_re.finditer(low):
            match = _ASSIGNMENT.match(low, keyword.end())
            if match is None:
                continue
            group = 1 if match.group(1) is not None else 2 if match.group(2) is not None else 3
            start, end = match.span(group)
            if start in seen:
                continue
            seen.add(start)
            name = _assigned_name(text, keyword.start(), start)
            if not _SECRET_NAME.search(name):
                continue
            value = text[start:end]
            kind = _generic_kind(name, value)
            if kind is None:
                continue
            if kind != "generic-secret" or _random_value(value, quoted=group != 3):
                yield start, end, kind


_BEARER = (
    re.compile(r"bearer[ \t]+([a-z0-9._~+/-]{16,}=*)"),
    re.compile(r"token[ \t]+([a-z0-9._~+/-]{16,}=*)"),
)
_BASIC = re.compile(r"Basic[ \t]+([A-Za-z0-9+/]{8,}={0,2})(?![\w+/=])")


def _auth_headers(text: str, low: str) -> Iterator[_Candidate]:
    """``Authorization: Bearer <token>`` and ``Basic <base64 user:password>`` credentials."""
    for bearer in _BEARER:
        for match in bearer.finditer(low):
            start, end = match.span(1)
            if _random_value(text[start:end], quoted=True):
                yield start, end, "generic-secret"
    for match in _BASIC.finditer(text):
        try:
            decoded = base64.b64decode(match.group(1), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            continue
        _user, sep, password = decoded.partition(":")
        if sep and decoded.isprintable() and _connection_password_ok(password):
            yield match.start(1), match.end(1), "generic-secret"


_DETECTORS: tuple[Callable[[str, str], Iterator[_Candidate]], ...] = (
    _private_keys,
    *_RULES,
    _connection_strings,
    _auth_headers,
    _generic_secrets,
)

#: Every kind :func:`find_secrets` can report.
KINDS: tuple[str, ...] = (
    "private-key",
    "aws-access-key",
    "aws-secret-key",
    "github-token",
    "gitlab-token",
    "slack-token",
    "slack-webhook",
    "stripe-key",
    "openai-key",
    "anthropic-key",
    "google-api-key",
    "npm-token",
    "pypi-token",
    "twilio-key",
    "sendgrid-key",
    "heroku-key",
    "digitalocean-token",
    "huggingface-token",
    "azure-storage-key",
    "jwt",
    "connection-string",
    "generic-secret",
)

# Every detector needs one of these substrings. Plain `in` checks run at memory speed; the
# lower-cased ones cover the name keywords of the generic detector, and go first because they are
# the most likely to hit (and short-circuit) in ordinary code.
_FOLDED_ANCHORS: tuple[str, ...] = (
    "key",
    "pass",
    "token",
    "secret",
    "auth",
    "pwd",
    "credential",
    "bearer",
)
_CASED_ANCHORS: tuple[str, ...] = (
    "://",
    "PRIVATE KEY",
    "AKIA",
    "ASIA",
    "gh",
    "github_pat_",
    "glpat-",
    "xox",
    "xapp-",
    "k_live_",
    "sk-",
    "AIza",
    "npm_",
    "pypi-",
    "SK",
    "SG.",
    "HRKU-",
    "_v1_",
    "hf_",
    "eyJ",
    "Basic",
)


def _prefilter(text: str, low: str) -> bool:
    return any(a in low for a in _FOLDED_ANCHORS) or any(a in text for a in _CASED_ANCHORS)


def has_secret_prefilter(text: str) -> bool:
    """Fast check: False means :func:`find_secrets` would certainly return nothing."""
    return _prefilter(text, _lower_same_length(text))


# --------------------------------------------------------------------------------------------
# Public functions
# --------------------------------------------------------------------------------------------


def _select(candidates: list[tuple[int, int, int, str]]) -> list[tuple[int, int, str]]:
    """Keep non-overlapping candidates, preferring higher-priority detectors, then earlier ones."""
    candidates.sort()
    starts: list[int] = []
    ends: list[int] = []
    kinds: list[str] = []
    for _, start, end, kind in candidates:
        i = bisect_left(starts, start)
        if i > 0 and ends[i - 1] > start:
            continue
        if i < len(starts) and starts[i] < end:
            continue
        starts.insert(i, start)
        ends.insert(i, end)
        kinds.insert(i, kind)
    return list(zip(starts, ends, kinds, strict=True))


def _lower_same_length(text: str) -> str:
    """``text.lower()`` when offsets stay aligned (always for ASCII), else an ASCII-only fold."""
    low = text.lower()
    if len(low) == len(text):
        return low
    # A few characters (e.g. U+0130) lower-case to two; fold ASCII letters only so that offsets
    # into the folded text are offsets into the original.
    return text.translate(_ASCII_LOWER)


_ASCII_LOWER = {c: c + 32 for c in range(ord("A"), ord("Z") + 1)}


def find_secrets(text: str) -> list[Finding]:
    """Find secrets in ``text``: sorted by offset, non-overlapping, with 1-based line numbers."""
    if not text:
        return []
    low = _lower_same_length(text)
    if not _prefilter(text, low):
        return []
    candidates = [
        (priority, start, end, kind)
        for priority, detector in enumerate(_DETECTORS)
        for start, end, kind in detector(text, low)
        if end > start
    ]
    findings: list[Finding] = []
    line, counted_to = 1, 0
    for start, end, kind in _select(candidates):
        line += text.count("\n", counted_to, start)
        counted_to = start
        findings.append(Finding(start, end, kind, line))
    return findings


def redact(text: str) -> Redaction:
    """Replace every secret in ``text`` with ``[REDACTED:<kind>]``.

    A multi-line secret (a private key block) becomes one marker followed by the newlines it
    spanned, so every later line keeps its line number (outlines and citations refer to lines).
    """
    findings = find_secrets(text)
    if not findings:
        return Redaction(text, {}, frozenset())
    parts: list[str] = []
    counts: dict[str, int] = {}
    lines: set[int] = set()
    pos = 0
    for finding in findings:
        secret = text[finding.start : finding.end]
        newlines = secret.count("\n")
        parts.append(text[pos : finding.start])
        parts.append(f"[REDACTED:{finding.kind}]" + "\n" * newlines)
        counts[finding.kind] = counts.get(finding.kind, 0) + 1
        lines.update(range(finding.line, finding.line + newlines + 1))
        pos = finding.end
    parts.append(text[pos:])
    return Redaction("".join(parts), counts, frozenset(lines))
