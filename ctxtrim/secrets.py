"""Secret-bearing file patterns, and detection of secrets inside text.

A context pack is sent to a third-party model, so ctxtrim must never be how a credential leaks.
Two layers do that:

* :data:`SECRET_FILE_PATTERNS` excludes whole files that typically hold credentials (``.env``,
  private keys, cloud credential files, ...). Documented templates such as ``.env.example`` are
  re-included by negations at the end of the same tuple (gitignore "last match wins"), so a single
  ``pathspec.GitIgnoreSpec.from_lines(SECRET_FILE_PATTERNS)`` answers the question;
  :data:`SECRET_FILE_ALLOW` lists the same templates for callers that want them separately.
* :func:`find_secrets` finds secrets inside any text that does enter a pack;
  ``ctxtrim.redact`` replaces them with ``[REDACTED:<kind>]``.

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

# The secret-bearing file patterns live apart (the scan needs only them); re-exported here.
from .secret_files import SECRET_FILE_ALLOW, SECRET_FILE_PATTERNS

__all__ = [
    "SECRET_FILE_PATTERNS",
    "SECRET_FILE_ALLOW",
    "KINDS",
    "Finding",
    "find_secrets",
    "has_secret_prefilter",
]

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
#
# Word markers only count when written in one case (`xxxx`, `XXXX`, `your`, `YOUR`, `Your`): a
# random 40-character body contains a mixed-case `xXxX` or `yOuR` about once in 20,000 keys, and
# such a key must not survive as a "placeholder".
_FAKE_MARKER = re.compile(
    r"example|x{6}|(.)\1{7}|0123456789|abcdefghij|your[_-]|^your", re.IGNORECASE
)

# Placeholders for assigned values (generic secrets, connection-string passwords). Substrings.
_PLACEHOLDER = re.compile(
    r"example|dummy|placeholder|chang(?:e|ing)[_-]?me|fake|sample|redacted|x{4}|(?<![a-z0-9])xxx|xxx(?![a-z0-9])|\*\*\*|\.\.\."
    r"|[<>]|\$\{|\{\{|\}\}|%\(|(?-i:%s)(?![A-Za-z0-9])|^\$|^\{|test|todo|fixme|replace|insert|your|my[_-]?(?:secret|pass|key|token)"
    r"|not[_-]?(?:a|so)[_-]?secret|secret[_-]?here|^none$|^null$|^nil$|^true$|^false$|^undefined$"
    r"|(.)\1{5}|^(?:pass(?:word|wd)?|secret|admin|root|qwerty|letmein)[\W_]*\d{0,6}$",
    re.IGNORECASE,
)


def _one_case(marker: str) -> bool:
    """True if the letters of a matched marker are written in one case (`test`, `TEST`, `Test`).

    Only short markers need it: random bodies contain a mixed-case `xXx` or `tEsT` now and then,
    while a five-letter word (`ChangeMe`, `dUmmY`) in a random body is a one in 10^8 event.
    """
    letters = "".join(c for c in marker if c.isalpha())
    return (
        not letters
        or len(letters) > 4
        or letters.islower()
        or letters.isupper()
        or (letters[0].isupper() and letters[1:].islower())
    )


def _has_marker(pattern: re.Pattern[str], value: str) -> bool:
    """True if `pattern` (case-insensitive) matches somewhere in `value` in one consistent case."""
    return any(_one_case(m.group()) for m in pattern.finditer(value))


def _looks_fake(body: str) -> bool:
    """True for documentation examples and placeholder tokens of otherwise valid format."""
    return _has_marker(_FAKE_MARKER, body)


def _mixed_token(body: str) -> bool:
    """True if a vendor-token body looks random (not a word or kebab-case identifier)."""
    return not _looks_fake(body) and _char_classes(body) >= 2 and _entropy(body) >= 3.0


_DOTTED_NAME = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+")
_IDENTIFIER = re.compile(r"[A-Za-z_]\w*")
_CONSTANT_NAME = re.compile(r"[A-Z]+(?:_[A-Z]+)+|[a-z]+(?:[_.-][a-z]+)+")


_HEX = re.compile(r"[0-9a-fA-F]+")

# The pieces of an identifier: `getAPIKey2` -> get, API, Key, 2.
_NAME_PIECE = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")


def _name_like(part: str) -> bool:
    """True for identifiers written by people: `access_token`, `apiKeyV2`, `DEFAULT_KEY`.

    Words of people-made names are a few letters long; a random mix of cases and digits breaks
    into many one- and two-character pieces (`TORkJvypKUGR3opo` -> TO, Rk, Jvyp, KUGR, 3, opo).
    """
    chunks = [c for c in part.split("_") if c]
    if len(chunks) >= 2 and all(c.islower() or c.isupper() or c.isdigit() for c in chunks):
        return True  # snake_case and CONSTANT_CASE (`_public_id_to_private_key`)
    if sum(c.isdigit() for c in part) >= 3:
        return False
    pieces = _NAME_PIECE.findall(part)
    if not pieces:
        return True
    letters = [p for p in pieces if not p.isdigit()]
    # Odd pieces: one or two letters, or a lower-case piece with no vowel (`wdjb`). Upper-case
    # runs without vowels are acronyms (`SQL`, `JWT`) and are fine.
    odd = sum(
        len(p) <= 2 or (not p.isupper() and not any(c in "aeiouyAEIOUY" for c in p))
        for p in letters
    )
    return odd <= max(1, len(letters) // 3)


# A path: optional `~`/`.` start, then segments of word characters, dots, `@` and dashes.
_PATH = re.compile(r"[~.]{0,2}/?[\w.@-]+(?:/[\w.@-]*)*")
# Lower-case kebab flags only: a random value may start with `-` (base64url) and have capitals.
_FLAG_OR_DECORATOR = re.compile(
    r"--?[a-z][a-z0-9]*(?:-[a-z0-9]+)*(?:=\S*)?|--[\w-]+(?:=\S*)?|@[A-Za-z_][\w.]*(?:\(.*)?"
)


def _looks_like_path(value: str) -> bool:
    """True for `/etc/app/key.pem`, `~/.ssh/id_rsa`, `./certs/dev.key`.

    A value that merely starts with `/` is not a path if it has characters paths rarely have
    (`+`, `=`: base64) or a long segment with lower, upper case and digits (a random key that
    happens to begin with `/`, as 1 in 32 base64 secrets do).
    """
    if value[0] not in "/~.":
        return False
    if not _PATH.fullmatch(value):
        return False
    return not any(
        len(segment) >= 10 and _char_classes(segment.replace("_", "").replace("-", "")) >= 3
        for segment in value.split("/")
    )


def _random_value(value: str, quoted: bool) -> bool:
    """True if a value assigned to a secret-looking name looks like a real credential."""
    if len(value) < 8 or _has_marker(_PLACEHOLDER, value):
        return False
    if "://" in value or _looks_like_path(value):
        return False  # URLs, paths
    if _FLAG_OR_DECORATOR.fullmatch(value):
        return False  # CLI flags (`--token-file`), decorators and annotations (`@Value`)
    if value.isdigit() or len(set(value)) <= 4:
        return False
    if _CONSTANT_NAME.fullmatch(value):
        return False  # `password = "DB_PASSWORD"`, `token: "access_token"`: names, not values
    if not quoted and (_DOTTED_NAME.fullmatch(value) or _IDENTIFIER.fullmatch(value)):
        # Unquoted values in code are usually expressions: `self.password`, `settings.KEY`,
        # `token = access_token`. In YAML and .env files they are literals, so a name made of
        # random letters (`TORkJvypKUGR3opoAhTWO8`) is still a secret.
        parts = value.split(".")
        if parts[0] in ("self", "this", "cls") or all(_name_like(part) for part in parts):
            return False
    entropy = _entropy(value)
    classes = _char_classes(value)
    if classes >= 2 and entropy >= 3.0:
        return True
    if len(value) >= 16 and classes == 2 and _HEX.fullmatch(value) and entropy >= 2.5:
        return True  # short hex keys: 16 random hex digits often have less than 3 bits a char
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
    # ASCII letters and digits only: a token glued to `_` (`KEY_ghp_...`) or to a non-ASCII letter
    # is still a token; a token inside a longer ASCII word (`TASKIA...`) is not.
    return char.isascii() and char.isalnum()


def _not_fake(value: str) -> bool:
    return not _looks_fake(value)


def _sendgrid_ok(value: str) -> bool:
    return _mixed_token(value[3:])


_RULES: tuple[_Rule, ...] = (
    # Long-term (AKIA) and temporary (ASIA) access key ids. Other IAM prefixes (AIDA, AROA...) are
    # user and role ids, which are not credentials.
    _Rule("aws-access-key", re.compile(r"AKIA[A-Z0-9]{16}(?![A-Za-z0-9])"), 0, _not_fake),
    _Rule("aws-access-key", re.compile(r"ASIA[A-Z0-9]{16}(?![A-Za-z0-9])"), 0, _not_fake),
    _Rule(
        "github-token", re.compile(r"gh[pousr]_[A-Za-z0-9]{36,255}(?![A-Za-z0-9])"), 0, _mixed_token
    ),
    _Rule(
        "github-token",
        re.compile(r"github_pat_[A-Za-z0-9_]{50,255}(?![A-Za-z0-9_])"),
        0,
        _mixed_token,
    ),
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
        re.compile(
            r"sk-(?:(?:proj|svcacct|admin)-[A-Za-z0-9_-]{40,}|[A-Za-z0-9]{40,60}(?![A-Za-z0-9]))"
        ),
        0,
        _mixed_token,
    ),
    _Rule("google-api-key", re.compile(r"AIza[0-9A-Za-z_-]{35}(?![A-Za-z0-9])"), 0, _not_fake),
    _Rule("npm-token", re.compile(r"npm_[A-Za-z0-9]{36}(?![A-Za-z0-9])"), 0, _mixed_token),
    _Rule("pypi-token", re.compile(r"pypi-AgE[A-Za-z0-9_-]{50,}"), 0, _not_fake),
    _Rule("twilio-key", re.compile(r"SK[0-9a-f]{32}(?![A-Za-z0-9])"), 0, _not_fake),
    _Rule(
        "sendgrid-key",
        re.compile(r"SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}(?![A-Za-z0-9])"),
        0,
        _sendgrid_ok,
    ),
    _Rule("heroku-key", re.compile(r"HRKU-[A-Za-z0-9_-]{20,}"), 0, _mixed_token),
    _Rule(
        "digitalocean-token", re.compile(r"do[opr]_v1_[a-f0-9]{64}(?![A-Za-z0-9])"), 0, _not_fake
    ),
    _Rule(
        "huggingface-token", re.compile(r"hf_[A-Za-z0-9]{30,40}(?![A-Za-z0-9])"), 0, _mixed_token
    ),
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
    r"(?:[bru]?\"([^\"\s\\]{1,300})\"|[bru]?'([^'\s\\]{1,300})'|`([^`\s\\]{1,300})`"
    r"|([^\s\"'`,;&()\[\]{}<>|\\]{1,300}))"
)
# The full name must contain one of these (a bare `key` or `pass` is too common to mean secret).
_SECRET_NAME = re.compile(
    r"passw(?:or)?d|passphrase|pwd|secret|token(?!iz)|api[_-]?key|access[_-]?key|private[_-]?key"
    r"|signing[_-]?key|encryption[_-]?key|master[_-]?key|account[_-]?key|credential"
    r"|auth(?!or|ent|ori[tz])|heroku",
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
# Forty base64 characters, then anything that is not base64: an unquoted value runs on to the next
# space, so `key=<40 chars>: ` or `key=<40 chars>,` must still be recognised by its first 40.
_AWS_SECRET_VALUE = re.compile(r"[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+])")
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def _assigned_name(text: str, keyword_start: int, operator_end: int) -> str:
    """The full name around a keyword match: `DB_PASSWORD` for the keyword `password`."""
    head = _NAME_TAIL.search(text, max(0, keyword_start - 60), keyword_start)
    name_start = head.start() if head is not None else keyword_start
    name = text[name_start:operator_end]
    return name.split("=")[0].split(":")[0].strip("\"'] \t")


def _generic_kind(name: str, value: str) -> tuple[str, int] | None:
    """(kind, length of the secret) of a value assigned to a secret-looking name, or None.

    The length is shorter than the value when the secret is a recognisable prefix of it (an AWS
    secret followed by punctuation that an unquoted value swallowed).
    """
    if _NAME_DENY.search(name.replace("-", "_")):
        return None
    if "heroku" in name.lower() and _UUID.fullmatch(value):
        return "heroku-key", len(value)  # Heroku API keys are UUIDs: only the name tells
    if _AWS_SECRET_NAME.search(name):
        aws = _AWS_SECRET_VALUE.match(value)
        if aws is not None and (aws.end() == len(value) or not value[aws.end()].isalnum()):
            secret = aws.group()
            if _looks_fake(secret):
                return None  # the AWS documentation's wJalr...EXAMPLEKEY
            if _entropy(secret) >= 3.5:
                return "aws-secret-key", aws.end()
            # Lower entropy (40 hex digits): judged like any value assigned to a secret name.
    return "generic-secret", len(value)


def _generic_secrets(text: str, low: str) -> Iterator[_Candidate]:
    """High-entropy values assigned to secret-looking names (``password = "..."`` and kin)."""
    seen: set[int] = set()  # `secret_token = ...` is reached from two keywords
    for keyword_re in _GENERIC_KEYWORD_RES:
        for keyword in keyword_re.finditer(low):
            match = _ASSIGNMENT.match(low, keyword.end())
            if match is None:
                continue
            group = next(g for g in (1, 2, 3, 4) if match.group(g) is not None)
            start, end = match.span(group)
            if start in seen:
                continue
            seen.add(start)
            name = _assigned_name(text, keyword.start(), start)
            if not _SECRET_NAME.search(name):
                continue
            value = text[start:end]
            found = _generic_kind(name, value)
            if found is None:
                continue
            kind, length = found
            if kind != "generic-secret":
                yield start, start + length, kind
            elif _random_value(value, quoted=group != 4):
                yield start, end, kind


# `<password>s3cr3t</password>`, `<add key="ApiKey" value="..."/>` is covered by the generic
# detector (`value="..."` follows a secret-looking name). Element names are matched on the folded
# text; the value is taken from the original.
_XML_ELEMENT = re.compile(r"<([\w:.-]{1,60})(?:[ \t][^<>]{0,200})?>([^<>\s]{1,300})</\1>")


def _xml_elements(text: str, low: str) -> Iterator[_Candidate]:
    """Values of XML elements with secret-looking names (Maven, Tomcat, .NET configs)."""
    if "</" not in text:
        return
    for match in _XML_ELEMENT.finditer(low):
        name = match.group(1)
        if not _SECRET_NAME.search(name):
            continue
        start, end = match.span(2)
        value = text[start:end]
        found = _generic_kind(name, value)
        if found is None:
            continue
        kind, length = found
        if kind != "generic-secret":
            yield start, start + length, kind
        elif _random_value(value, quoted=True):
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
    _xml_elements,
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
