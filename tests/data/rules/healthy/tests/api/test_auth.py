from ledgerly.api.auth import login_redirect


def test_redirect_rejects_absolute() -> None:
    assert login_redirect("https://evil.example") == "/"
