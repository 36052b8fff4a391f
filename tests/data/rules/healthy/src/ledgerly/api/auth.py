ALLOWED_REDIRECTS = ("/", "/invoices")


def login_redirect(target: str) -> str:
    """Only relative, allow-listed redirect targets."""
    return target if target in ALLOWED_REDIRECTS else "/"


def refresh_token(token: str) -> str:
    return token[::-1]
