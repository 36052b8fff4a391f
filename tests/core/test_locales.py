"""locales: a human language the task names points at that locale's files."""

from __future__ import annotations

from pathlib import Path

import pytest

from ctxtrim.locales import named_codes, path_code
from ctxtrim.rank import rank
from ctxtrim.task import Task, extract

from ..support.index import build
from ..support.repos import write

WEEKS = "export function formatDistance(weeks: number) {\n  return `${weeks} weeks`\n}\n"
FILES = {
    "src/formatDistance/index.ts": "export function formatDistance(count: number) {}\n",
    "src/locale/de/_lib/formatDistance/index.ts": WEEKS,
    "src/locale/sv/_lib/formatDistance/index.ts": WEEKS,
    "src/locale/pt-BR/_lib/formatDistance/index.ts": WEEKS,
    "src/locale/nb/_lib/formatDistance/index.ts": WEEKS,
}


def test_a_language_name_or_adjective_gives_its_code_and_norwegian_its_aliases() -> None:
    assert named_codes("Fix the plural of weeks in Swedish") == {"sv": "Swedish"}
    assert named_codes("GERMAN grammar") == {"de": "German"}
    assert named_codes("Norwegian dates") == {
        "nb": "Norwegian",
        "no": "Norwegian",
        "nn": "Norwegian",
    }


def test_english_lower_case_words_and_longer_words_are_not_languages() -> None:
    assert named_codes("Fix the English docs") == {}
    assert named_codes("polish the german-style parser") == {}
    assert named_codes("Polishing the Germanium parser") == {}
    assert named_codes("Polish plural forms") == {"pl": "Polish"}


@pytest.mark.parametrize(
    ("path", "below", "code"),
    [
        ("src/locale/be-tarask/_lib/formatDistance/index.ts", 11, "be"),
        ("src/locale/de.js", 11, "de"),
        ("locale/pt_BR/LC_MESSAGES/app.po", 7, "pt"),
        ("i18n/sr-Latn.json", 5, "sr"),
        ("locale/_lib/buildLocalizeFn/index.ts", 7, None),
        ("locales/index.ts", 8, None),
    ],
)
def test_path_code_reads_the_first_segment_inside_the_locale_folder(
    path: str, below: int, code: str | None
) -> None:
    assert path_code(path, below) == code


def test_the_named_locale_ranks_first_without_the_locale_prior(tmp_path: Path) -> None:
    index = build(write(tmp_path / "repo", FILES), tmp_path / "cache")
    task = Task("Fix the plural of weeks in Swedish formatDistance")
    ranked = rank(index, task, extract(task.text))
    first = ranked[0]
    assert first.path == "src/locale/sv/_lib/formatDistance/index.ts"
    assert "a file of the Swedish locale, which the task names" in first.reasons
    assert not any("locale-specific code" in r for r in first.reasons)
    other = next(c for c in ranked if c.path == "src/locale/de/_lib/formatDistance/index.ts")
    assert any("locale-specific code" in r for r in other.reasons)
    assert other.score < first.score / 2


def test_without_a_language_name_every_locale_keeps_its_prior(tmp_path: Path) -> None:
    index = build(write(tmp_path / "repo", FILES), tmp_path / "cache")
    task = Task("Fix the plural of weeks in formatDistance")
    ranked = rank(index, task, extract(task.text))
    assert ranked[0].path == "src/formatDistance/index.ts"
    assert all(not any("locale, which" in r for r in c.reasons) for c in ranked)
