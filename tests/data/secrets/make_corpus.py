"""Generate the labelled secret-detection corpus (``corpus.jsonl``) deterministically.

Every positive is synthetic: real token *formats* with random bodies from a seeded RNG, never a
real credential. Negatives are look-alikes (hashes, UUIDs, base64 data, placeholders, example keys
from vendor docs, public keys, env reads) plus short snippets of real permissively licensed source
(flask BSD-3, requests Apache-2.0, pytest MIT) read from local mirrors when they are present.

Each line: {"text": str, "kind": str | null, "secret": str | null, "note": str}. ``secret`` is a
substring of ``text`` that must not survive redaction.

    python tests/data/secrets/make_corpus.py   # rewrites corpus.jsonl next to this file
"""

from __future__ import annotations

import base64
import json
import random
import string
import subprocess
from collections.abc import Callable
from pathlib import Path

SEED = 20240611
HERE = Path(__file__).resolve().parent
ALNUM = string.ascii_letters + string.digits
UPPER_DIGITS = string.ascii_uppercase + "234567"
HEX = "0123456789abcdef"
B64 = ALNUM + "+/"
B64URL = ALNUM + "-_"


def rand(rng: random.Random, alphabet: str, n: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def uuid(rng: random.Random) -> str:
    h = rand(rng, HEX, 32)
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:]}"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


# --------------------------------------------------------------------------------------------
# Secret generators: kind -> rng -> secret string (the part that must be redacted)
# --------------------------------------------------------------------------------------------


def gen_aws_access_key(rng: random.Random) -> str:
    return rng.choice(["AKIA", "ASIA"]) + rand(rng, UPPER_DIGITS, 16)


def gen_aws_secret_key(rng: random.Random) -> str:
    return rand(rng, B64, 40)


def gen_github_token(rng: random.Random) -> str:
    if rng.random() < 0.25:
        return f"github_pat_{rand(rng, ALNUM, 22)}_{rand(rng, ALNUM, 59)}"
    return f"gh{rng.choice('pousr')}_{rand(rng, ALNUM, 36)}"


def gen_gitlab_token(rng: random.Random) -> str:
    return "glpat-" + rand(rng, ALNUM + "_-", 20)


def gen_slack_token(rng: random.Random) -> str:
    a, b = rand(rng, string.digits, 11), rand(rng, string.digits, 13)
    if rng.random() < 0.5:
        return f"xoxb-{a}-{b}-{rand(rng, ALNUM, 24)}"
    return f"xoxp-{a}-{b}-{rand(rng, string.digits, 13)}-{rand(rng, HEX, 32)}"


def gen_slack_webhook(rng: random.Random) -> str:
    t, b = rand(rng, UPPER_DIGITS, 8), rand(rng, UPPER_DIGITS, 10)
    return f"https://hooks.slack.com/services/T{t}/B{b}/{rand(rng, ALNUM, 24)}"


def gen_stripe_key(rng: random.Random) -> str:
    return f"{rng.choice(['sk', 'rk'])}_live_{rand(rng, ALNUM, rng.choice([24, 34, 99]))}"


def gen_openai_key(rng: random.Random) -> str:
    if rng.random() < 0.5:
        return f"sk-proj-{rand(rng, B64URL, 74)}T3BlbkFJ{rand(rng, B64URL, 74)}"
    return f"sk-{rand(rng, ALNUM, 20)}T3BlbkFJ{rand(rng, ALNUM, 20)}"


def gen_anthropic_key(rng: random.Random) -> str:
    return f"sk-ant-api03-{rand(rng, B64URL, 93)}AA"


def gen_google_api_key(rng: random.Random) -> str:
    return "AIza" + rand(rng, ALNUM, 34) + rng.choice(ALNUM)


def gen_npm_token(rng: random.Random) -> str:
    return "npm_" + rand(rng, ALNUM, 36)


def gen_pypi_token(rng: random.Random) -> str:
    return "pypi-AgEIcHlwaS5vcmc" + rand(rng, B64URL, rng.randint(60, 160))


def gen_twilio_key(rng: random.Random) -> str:
    return "SK" + rand(rng, HEX, 32)


def gen_sendgrid_key(rng: random.Random) -> str:
    return f"SG.{rand(rng, ALNUM, 22)}.{rand(rng, ALNUM, 43)}"


def gen_heroku_key(rng: random.Random) -> str:
    return "HRKU-" + rand(rng, ALNUM, 60)


def gen_digitalocean_token(rng: random.Random) -> str:
    return f"do{rng.choice('opr')}_v1_{rand(rng, HEX, 64)}"


def gen_huggingface_token(rng: random.Random) -> str:
    return "hf_" + rand(rng, string.ascii_letters, 34)


def gen_azure_storage_key(rng: random.Random) -> str:
    return rand(rng, B64, 86) + "=="


def gen_jwt(rng: random.Random) -> str:
    header = b64url(json.dumps({"alg": rng.choice(["HS256", "RS256"]), "typ": "JWT"}).encode())
    claims = {"sub": rand(rng, string.digits, 10), "name": rand(rng, string.ascii_lowercase, 8)}
    claims["iat"] = rng.randint(1_500_000_000, 1_800_000_000)
    return f"{header}.{b64url(json.dumps(claims).encode())}.{rand(rng, B64URL, 43)}"


def gen_password(rng: random.Random) -> str:
    """A random password that needs no URL encoding and no quoting."""
    body = rand(rng, ALNUM, rng.randint(10, 24))
    pos = rng.randrange(len(body))
    return body[:pos] + rng.choice("!-_.~") + body[pos:]


def gen_generic_secret(rng: random.Random) -> str:
    alphabet = rng.choice([ALNUM, ALNUM + "!#%^*-_+", HEX, B64URL])
    return rand(rng, alphabet, rng.randint(16, 48))


def pem_body(rng: random.Random, lines: int = 12) -> list[str]:
    return ["MII" + rand(rng, B64, 61)] + [rand(rng, B64, 64) for _ in range(lines - 1)]


GENERATORS: dict[str, Callable[[random.Random], str]] = {
    "aws-access-key": gen_aws_access_key,
    "aws-secret-key": gen_aws_secret_key,
    "github-token": gen_github_token,
    "gitlab-token": gen_gitlab_token,
    "slack-token": gen_slack_token,
    "slack-webhook": gen_slack_webhook,
    "stripe-key": gen_stripe_key,
    "openai-key": gen_openai_key,
    "anthropic-key": gen_anthropic_key,
    "google-api-key": gen_google_api_key,
    "npm-token": gen_npm_token,
    "pypi-token": gen_pypi_token,
    "twilio-key": gen_twilio_key,
    "sendgrid-key": gen_sendgrid_key,
    "heroku-key": gen_heroku_key,
    "digitalocean-token": gen_digitalocean_token,
    "huggingface-token": gen_huggingface_token,
    "jwt": gen_jwt,
}

# Contexts for prefix-identified tokens: any of these must still be detected.
TOKEN_CONTEXTS = (
    'API_TOKEN = "{s}"',
    "export TOKEN={s}",
    "token: {s}",
    '{{"token": "{s}", "scope": "repo"}}',
    "client = Client(api_key='{s}')",
    "curl -H 'Authorization: {s}' https://api.example.com/v1/me",
    "# rotated on 2024-03-01, old value {s}",
    "const creds = `{s}`;",
    "KEY={s}\nOTHER=1",
    "url = f'https://api.example.com/?k={s}&q=1'",
)

# --------------------------------------------------------------------------------------------
# Positives
# --------------------------------------------------------------------------------------------


def positives(rng: random.Random) -> list[dict]:
    out: list[dict] = []

    def add(text: str, kind: str, secret: str, note: str) -> None:
        assert secret in text, (secret, text)
        out.append({"text": text, "kind": kind, "secret": secret, "note": note})

    for kind, gen in GENERATORS.items():
        for i in range(8):
            secret = gen(rng)
            if kind == "aws-secret-key":
                ctx = rng.choice(
                    [
                        "aws_secret_access_key = {s}",
                        'AWS_SECRET_ACCESS_KEY="{s}"',
                        '"SecretAccessKey": "{s}",',
                        "  aws_secret_key: '{s}'",
                        "secret_access_key={s}",
                    ]
                )
            else:
                ctx = TOKEN_CONTEXTS[i % len(TOKEN_CONTEXTS)]
            add(ctx.format(s=secret), kind, secret, f"{kind} in context")

    for i in range(8):  # Heroku API keys are UUIDs: detected from the variable name
        secret = uuid(rng)
        ctx = ["HEROKU_API_KEY={s}", 'heroku_api_token = "{s}"', "  heroku_key: {s}"][i % 3]
        add(ctx.format(s=secret), "heroku-key", secret, "heroku uuid api key")

    for _ in range(8):
        key = gen_azure_storage_key(rng)
        text = (
            'conn = "DefaultEndpointsProtocol=https;AccountName=prodstore;'
            f'AccountKey={key};EndpointSuffix=core.windows.net"'
        )
        add(text, "azure-storage-key", key, "azure connection string")

    add_private_keys(rng, add)
    add_connection_strings(rng, add)
    add_generic(rng, add)
    return out


def add_private_keys(rng: random.Random, add: Callable[[str, str, str, str], None]) -> None:
    labels = ["RSA ", "EC ", "OPENSSH ", "", "ENCRYPTED ", "DSA ", "PGP "]
    for i in range(16):
        label = labels[i % len(labels)]
        block = "KEY BLOCK" if label == "PGP " else "KEY"
        body = pem_body(rng, rng.randint(4, 25))
        begin, end = (
            f"-----BEGIN {label}PRIVATE {block}-----",
            f"-----END {label}PRIVATE {block}-----",
        )
        secret = body[len(body) // 2]
        style = i % 4
        if style == 0:  # a .pem file
            text = "\n".join([begin, *body, end]) + "\n"
        elif style == 1:  # a GCP service-account JSON key
            escaped = "\\n".join([begin, *body, end]) + "\\n"
            text = (
                '{\n  "type": "service_account",\n  "project_id": "demo-proj",\n'
                f'  "private_key_id": "{rand(rng, HEX, 40)}",\n  "private_key": "{escaped}",\n'
                '  "client_email": "svc@demo-proj.iam.gserviceaccount.com"\n}\n'
            )
        elif style == 2:  # embedded in Python source
            lines = [f'    "{line}\\n"' for line in [begin, *body, end]]
            text = "TEST_KEY = (\n" + "\n".join(lines) + "\n)\nprint(len(TEST_KEY))\n"
        else:  # a YAML block scalar
            lines = [f"    {line}" for line in [begin, *body, end]]
            text = "tls:\n  key: |\n" + "\n".join(lines) + "\n  enabled: true\n"
        add(text, "private-key", secret, f"private key block style {style}")
    # Truncated (no END footer): still redacted.
    body = pem_body(rng, 6)
    text = "-----BEGIN RSA PRIVATE KEY-----\n" + "\n".join(body) + "\n"
    add(text, "private-key", body[3], "truncated key without footer")


def add_connection_strings(rng: random.Random, add: Callable[[str, str, str, str], None]) -> None:
    templates = [
        "DATABASE_URL=postgres://{u}:{p}@db.internal:5432/app",
        'engine = create_engine("postgresql+psycopg2://{u}:{p}@10.0.0.5/prod")',
        "MONGO_URI=mongodb+srv://{u}:{p}@cluster0.ab1cd.mongodb.net/test?retryWrites=true",
        "REDIS_URL: redis://:{p}@cache.internal:6379/0",
        "amqp://{u}:{p}@rabbitmq:5672/vhost",
        'mysql_url = "mysql://{u}:{p}@localhost/shop"',
        "git clone https://{u}:{p}@git.corp.example/team/repo.git",
        "proxy = 'http://{u}:{p}@proxy.corp:3128'",
    ]
    for i in range(24):
        password = gen_password(rng)
        user = rng.choice(["admin", "app", "svc_user", "deploy", "root"])
        text = templates[i % len(templates)].format(u=user, p=password)
        add(text, "connection-string", password, "url with password")


def add_generic(rng: random.Random, add: Callable[[str, str, str, str], None]) -> None:
    names = [
        "password",
        "db_password",
        "DB_PASSWORD",
        "SECRET_KEY",
        "api_key",
        "apiKey",
        "client_secret",
        "auth_token",
        "private_key",
        "credentials",
        "access_token",
        "passphrase",
        "JWT_SECRET",
        "webhookSecret",
        "pwd",
    ]
    formats = [
        '{n} = "{s}"',
        "{n}={s}",
        "{n}: {s}",
        '"{n}": "{s}",',
        "const {n} = '{s}';",
        '{n} := "{s}"',
        "  {n}: '{s}'",
        "settings['{n}'] = '{s}'",
        "'{n}' => '{s}',",
        "{n} = {s}",
    ]
    for i in range(40):
        secret = gen_generic_secret(rng)
        text = formats[i % len(formats)].format(n=names[i % len(names)], s=secret)
        add(text, "generic-secret", secret, "secret-looking name with random value")
    for _ in range(5):
        secret = rand(rng, ALNUM, 32)
        add(
            f'headers = {{"Authorization": "Bearer {secret}"}}',
            "generic-secret",
            secret,
            "bearer header",
        )


# --------------------------------------------------------------------------------------------
# Negatives
# --------------------------------------------------------------------------------------------

FIXED_NEGATIVES = (
    # AWS documentation examples
    "aws_access_key_id = AKIAIOSFODNN7EXAMPLE",
    "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    'AWS_SECRET_ACCESS_KEY="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"',
    '"AccessKeyId": "ASIAIOSFODNN7EXAMPLE"',
    # vendor placeholders
    "GITHUB_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    "SLACK_WEBHOOK=https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX",
    "SLACK_BOT_TOKEN=xoxb-your-bot-token",
    "OPENAI_API_KEY=sk-...",
    'openai.api_key = "sk-your-key-here"',
    "STRIPE_KEY=sk_live_xxxxxxxxxxxxxxxxxxxxxxxx",
    "ANTHROPIC_API_KEY=<your-anthropic-key>",
    # placeholders assigned to secret names
    'password = "changeme"',
    'password = "change_me"',
    'api_key = "<your-api-key>"',
    'token = "${GITHUB_TOKEN}"',
    "SECRET_KEY = 'xxx'",
    'password: "***"',
    'password: "********"',
    'api_key = "your_api_key_here"',
    'password = ""',
    "token = None",
    'password = "dummy-password-123"',
    'secret = "test-secret"',
    "API_KEY=example",
    'db_password = "example-password-please-change"',
    "password: {{ vault_db_password }}",
    'client_secret = "REPLACE_ME"',
    "password = 'password'",
    'token = "TODO"',
    'SECRET_KEY = "insecure-dev-key-for-tests"',
    'password = "aaaaaaaaaaaa"',
    'api_key = "1234567890"',
    # reads from env / config
    'password = os.environ["DB_PASSWORD"]',
    'api_key = os.getenv("API_KEY")',
    "const token = process.env.API_TOKEN;",
    'secret_key = ENV["SECRET_KEY"]',
    "api_key = settings.API_KEY",
    'password = config.get("db", "password")',
    "token: ${{ secrets.GITHUB_TOKEN }}",
    "password=$DB_PASSWORD",
    "PASSWORD=${POSTGRES_PASSWORD:-}",
    "auth_token = self.auth_token",
    "access_token = response.json()['access_token']",
    "password = getpass.getpass('Password: ')",
    'secret = vault.read("secret/data/app")',
    "api_key = api_key or DEFAULT_API_KEY",
    # forms, functions, names
    "password_field = forms.CharField(widget=forms.PasswordInput)",
    "password = forms.CharField(max_length=128)",
    "token = get_token()",
    'key = "id"',
    'password = request.POST["password"]',
    "if password == confirm_password:",
    "password_hash = make_password(password)",
    'token_type = "Bearer"',
    'tokenizer = "bert-base-uncased"',
    "max_tokens = 4096",
    'author = "Jane Doe <jane@example.org>"',
    'authors = ["Guido van Rossum", "Barry Warsaw"]',
    'AUTH_USER_MODEL = "accounts.CustomUser"',
    "PASSWORD_HASHERS = ['django.contrib.auth.hashers.Argon2PasswordHasher']",
    'password_validators = "django.contrib.auth.password_validation"',
    "secret_name = 'prod/db/credentials'",
    'token_url = "https://oauth2.googleapis.com/token"',
    'credentials_path = "~/.config/gcloud/application_default_credentials.json"',
    "PreferredAuthentications=publickey,password",
    'headers = {"Authorization": f"Bearer {token}"}',
    "Authorization: Bearer $TOKEN",
    "Authorization: Bearer <token>",
    "class AbstractSingletonProxyFactoryBeanTokenProvider:",
    "def get_access_token_from_refresh_token_and_client_credentials(self):",
    "TOKEN_EXPIRY_SECONDS = 3600",
    'password_min_length = "12"',
    "api_key_header = 'X-Api-Key'",
    "Basic authentication is supported",
    # versions and plain URLs
    'version = "1.2.3"',
    '__version__ = "2024.01.15"',
    'token_version = "v2"',
    "See https://example.com/path?x=1&y=two#frag",
    "git@github.com:org/repo.git",
    "ssh://git@github.com/org/repo.git",
    "postgres://localhost:5432/db",
    "https://user@host.example/path",
    "DATABASE_URL=postgres://user:password@localhost/app",
    "redis://:${REDIS_PASSWORD}@redis:6379/0",
    "mongodb://{user}:{password}@{host}:27017",
    "amqp://guest:***@localhost:5672/",
    "http://localhost:8080/api/v1/items",
    "(http|https|ftp)://[user[:pass]]@host.domain[:port]/path",
    # PEM markers in code, public material
    'if line.startswith("-----BEGIN RSA PRIVATE KEY-----"):',
    'PEM_HEADER = b"-----BEGIN PRIVATE KEY-----"\nPEM_FOOTER = b"-----END PRIVATE KEY-----"',
    # look-alike identifiers
    "pip install scikit-learn  # a.k.a. sk-learn",
    "from huggingface_hub import hf_hub_download",
    "npm_config_cache=/tmp/npm",
    "gh_pages_branch = 'gh-pages'",
    "task-runner-service-account-deployment-controller",
    "SG.registry.lookup('x')",
)


def negatives(rng: random.Random) -> list[dict]:
    out: list[dict] = []

    def add(text: str, note: str) -> None:
        out.append({"text": text, "kind": None, "secret": None, "note": note})

    for text in FIXED_NEGATIVES:
        add(text, "look-alike")
    for _ in range(8):
        sha = rand(rng, HEX, 40)
        add(f"commit {sha}\nAuthor: Dev <dev@example.org>", "git sha")
        add(f'"resolved": "git+https://github.com/org/pkg.git#{sha}"', "lockfile git sha")
        add(f'rev = "{sha}"  # pinned', "pinned sha")
        add(f"requests==2.31.0 --hash=sha256:{rand(rng, HEX, 64)}", "pip hash")
        add(f'md5 = "{rand(rng, HEX, 32)}"', "md5")
        add(f'ETag: "{rand(rng, HEX, 32)}"', "etag")
        add(f'"checksum": "sha256:{rand(rng, HEX, 64)}"', "checksum")
        add(f'id = "{uuid(rng)}"', "uuid")
        add(f'{{"request_id": "{uuid(rng)}", "status": "ok"}}', "uuid json")
        add(f"app_uuid: {uuid(rng)}", "uuid yaml")
        png = base64.b64encode(rng.randbytes(rng.randint(60, 300))).decode()
        add(f'<img src="data:image/png;base64,{png}">', "data uri")
        add(f'TEST_DATA = b"{png}"', "base64 test data")
        add(f'content = "{png}"', "base64 content")
        integrity = base64.b64encode(rng.randbytes(64)).decode()
        add(f'"integrity": "sha512-{integrity}",', "npm integrity")
        add(f"ssh-rsa AAAAB3NzaC1yc2E{rand(rng, B64, 360)} dev@laptop", "ssh public key")
        public = "\n".join(pem_body(rng, 6))
        add(f"-----BEGIN PUBLIC KEY-----\n{public}\n-----END PUBLIC KEY-----", "public key")
        add(f"-----BEGIN CERTIFICATE-----\n{public}\n-----END CERTIFICATE-----", "certificate")
        add(
            f"-----BEGIN PGP PUBLIC KEY BLOCK-----\n\n{public}\n-----END PGP PUBLIC KEY BLOCK-----",
            "pgp public key",
        )
        ident = "".join(
            rng.choice(["Abstract", "Token", "Manager", "Factory", "Auth", "Key"]) for _ in range(6)
        )
        add(f"class {ident}(Base):\n    pass", "long identifier")
    out.extend(real_snippets(rng, 150))
    return out


MIRRORS = {
    "pallets+flask": "src/flask",
    "psf+requests": "src/requests",
    "pytest-dev+pytest": "src/_pytest",
}


def real_snippets(rng: random.Random, count: int) -> list[dict]:
    """Chunks of real source, from local mirrors (skipped when the mirrors are absent)."""
    files: list[tuple[str, str]] = []
    for mirror, under in MIRRORS.items():
        git_dir = Path("/work/.mirror") / mirror / "repo"
        if not git_dir.exists():
            continue
        listing = subprocess.run(
            ["git", f"--git-dir={git_dir}", "ls-tree", "-r", "--name-only", "HEAD", under],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        files += [(str(git_dir), path) for path in sorted(listing) if path.endswith(".py")]
    out: list[dict] = []
    if not files:
        return out
    while len(out) < count:
        git_dir, path = rng.choice(files)
        text = subprocess.run(
            ["git", f"--git-dir={git_dir}", "show", f"HEAD:{path}"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.splitlines()
        if len(text) < 40:
            continue
        start = rng.randrange(len(text) - 30)
        snippet = "\n".join(text[start : start + 30])
        out.append({"text": snippet, "kind": None, "secret": None, "note": f"{path}"})
    return out


def main() -> None:
    rng = random.Random(SEED)
    records = positives(rng) + negatives(rng)
    with open(HERE / "corpus.jsonl", "w", encoding="utf-8") as fh:
        for record in records:
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    n_pos = sum(r["kind"] is not None for r in records)
    print(f"wrote {len(records)} records: {n_pos} positives, {len(records) - n_pos} negatives")


if __name__ == "__main__":
    main()
