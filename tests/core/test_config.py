"""Settings from pyproject.toml: read when it names ctxtrim, left alone when it does not."""

from __future__ import annotations

from pathlib import Path

import pytest

from ctxtrim.config import Config
from ctxtrim.errors import CtxtrimError


def test_a_pyproject_that_never_names_ctxtrim_is_not_parsed(tmp_path: Path) -> None:
    # Broken TOML, but not ctxtrim's business: packing must not fail over another tool's file.
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x\n')
    assert Config.load(tmp_path) == Config()


def test_a_pyproject_with_a_ctxtrim_table_is_read(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.ctxtrim]\nexclude = ["docs/"]\nmax-file-bytes = 5000\n'
    )
    config = Config.load(tmp_path)
    assert config.exclude == ("docs/",) and config.max_file_bytes == 5000


def test_a_broken_pyproject_that_names_ctxtrim_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text("[tool.ctxtrim]\nexclude = [\n")
    with pytest.raises(CtxtrimError) as err:
        Config.load(tmp_path)
    assert str(err.value).startswith(f"{path}: cannot read settings: ")
