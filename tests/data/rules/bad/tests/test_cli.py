from orbit.cli import main


def test_main() -> None:
    assert main() == 0
