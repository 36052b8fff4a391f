"""Human languages a task names, and the locale files they point at.

"Fix the plural of weeks in Swedish" is about `locale/sv/...` (or `locale/sv.js`, `sv_SE.po`):
a path no word of the task shares. Locale folders are named by ISO 639-1 codes, so the
language's English name (or its adjective) maps to the code. English is left out: a task
that says "English" is nearly always about prose, and `en` is every project's default.
"""

from __future__ import annotations

import re

# English name (lower case) -> ISO 639-1 code.
LANGUAGE_CODES: dict[str, str] = {
    "afrikaans": "af",
    "albanian": "sq",
    "arabic": "ar",
    "armenian": "hy",
    "azerbaijani": "az",
    "basque": "eu",
    "belarusian": "be",
    "bengali": "bn",
    "bosnian": "bs",
    "bulgarian": "bg",
    "catalan": "ca",
    "chinese": "zh",
    "croatian": "hr",
    "czech": "cs",
    "danish": "da",
    "dutch": "nl",
    "esperanto": "eo",
    "estonian": "et",
    "finnish": "fi",
    "french": "fr",
    "galician": "gl",
    "georgian": "ka",
    "german": "de",
    "greek": "el",
    "hebrew": "he",
    "hindi": "hi",
    "hungarian": "hu",
    "icelandic": "is",
    "indonesian": "id",
    "irish": "ga",
    "italian": "it",
    "japanese": "ja",
    "kazakh": "kk",
    "korean": "ko",
    "latvian": "lv",
    "lithuanian": "lt",
    "macedonian": "mk",
    "malay": "ms",
    "mongolian": "mn",
    "norwegian": "nb",
    "persian": "fa",
    "polish": "pl",
    "portuguese": "pt",
    "romanian": "ro",
    "russian": "ru",
    "serbian": "sr",
    "slovak": "sk",
    "slovenian": "sl",
    "spanish": "es",
    "swahili": "sw",
    "swedish": "sv",
    "tamil": "ta",
    "thai": "th",
    "turkish": "tr",
    "ukrainian": "uk",
    "uzbek": "uz",
    "vietnamese": "vi",
    "welsh": "cy",
}
# Other codes a folder may use for the same language (`no` for Norwegian, `iw` for Hebrew).
ALIASES: dict[str, tuple[str, ...]] = {"nb": ("no", "nn"), "he": ("iw",), "id": ("in",)}
# Capitalised, as English writes them: "polish the docs" is not about Polish.
_CAPITALISED = re.compile(r"\b[A-Z][A-Za-z]{3,}\b")
# A locale path segment: `de`, `de-AT`, `pt_BR`, `be-tarask`, `sr-Latn` (a file's extension cut).
_SEGMENT = re.compile(r"^([a-z]{2})(?:[-_][a-z0-9]+)*$")


def named_codes(text: str) -> dict[str, str]:
    """Locale code -> the language's name, for each language `text` names."""
    found: dict[str, str] = {}
    for word in _CAPITALISED.findall(text):
        name = word.lower()
        code = LANGUAGE_CODES.get(name)
        if code is None:
            continue
        found[code] = name.capitalize()
        for alias in ALIASES.get(code, ()):
            found[alias] = name.capitalize()
    return found


def path_code(path: str, below: int) -> str | None:
    """The locale code a path under a locale folder is for (`below`: where the part of the
    path inside that folder starts), from its first segment there: `locale/de/_lib/x.ts`,
    `locales/de-AT.json`, `i18n/pt_BR/LC_MESSAGES/app.po`."""
    first = path[below:].split("/", 1)[0].lower()
    stem = first.rsplit(".", 1)[0] if "." in first else first
    got = _SEGMENT.match(stem)
    return got.group(1) if got else None
