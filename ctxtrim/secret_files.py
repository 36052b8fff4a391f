"""Files that typically hold credentials (`.env`, private keys, cloud credential files, ...),
as gitignore-style patterns the scan excludes by default.

Kept apart from `secrets.py` (which finds secrets inside text): the scan needs only these
patterns, and a warm pack, whose secret spans come from the cache, then never compiles the
text detectors.
"""

from __future__ import annotations

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
