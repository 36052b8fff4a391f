"""Frontmatter, sections and path mentions."""

from __future__ import annotations

from ctxtrim.rules.frontmatter import as_globs, read_frontmatter
from ctxtrim.rules.parse import split_sections
from ctxtrim.rules.references import find_mentions
from ctxtrim.tokens import Tokenizer


def test_lenient_frontmatter_reads_what_cursor_writes() -> None:
    front = read_frontmatter(
        "---\ndescription: TS rules\nglobs: **/*.ts\nalwaysApply: false\n---\n# Body\n"
    )
    assert front.error is None
    assert front.data == {"description": "TS rules", "globs": "**/*.ts", "alwaysApply": False}
    assert front.body_start == 6
    assert as_globs(front.data["globs"]) == ("**/*.ts",)


def test_comma_separated_list_and_brace_globs() -> None:
    front = read_frontmatter("---\nglobs: *.tsx, src/**, web/*.{ts,tsx}\n---\n")
    assert as_globs(front.data["globs"]) == ("*.tsx", "src/**", "web/*.{ts,tsx}")


def test_yaml_lists_quotes_and_block_text() -> None:
    text = '---\npaths:\n  - "src/api/**"\n  - lib/**\ndescription: >\n  When editing\n  the API\nflow: ["a/**", \'b\']\n---\n'
    front = read_frontmatter(text)
    assert as_globs(front.data["paths"]) == ("src/api/**", "lib/**")
    assert front.data["description"] == "When editing the API"
    assert front.data["flow"] == ["a/**", "b"]


def test_broken_frontmatter_is_reported_with_its_line() -> None:
    front = read_frontmatter("---\ndescription: x\nglobs **/*.py\n---\n")
    assert front.error is not None and "line 3" in front.error
    assert front.error_line == 3
    unclosed = read_frontmatter("---\ndescription: x\n")
    assert unclosed.error and "never closed" in unclosed.error


def test_no_frontmatter() -> None:
    front = read_frontmatter("# Title\n")
    assert not front.present and front.body_start == 1 and front.data == {}


SAMPLE = """---
globs: x
---
Project one-liner.

# Title
intro
```bash
# a comment, not a heading
```
## Sub A

text <!-- ctxtrim:keep -->

### Deep
d
## Sub B ##
b
"""


def test_sections_line_ranges_headings_and_keep() -> None:
    sections = split_sections("R.md", SAMPLE, 4, Tokenizer())
    got = [(s.heading_path, s.start, s.end, s.keep) for s in sections]
    assert got == [
        ((), 4, 4, False),
        (("Title",), 6, 10, False),
        (("Title", "Sub A"), 11, 13, True),
        (("Title", "Sub A", "Deep"), 15, 16, False),
        (("Title", "Sub B"), 17, 18, False),
    ]
    lines = SAMPLE.split("\n")
    for section in sections:
        assert section.text == "\n".join(lines[section.start - 1 : section.end])
        assert section.tokens == Tokenizer().count(section.text)


def test_blank_preamble_is_no_section() -> None:
    sections = split_sections("R.md", "\n\n# A\nx\n", 1, Tokenizer())
    assert [(s.title, s.start, s.end) for s in sections] == [("A", 3, 4)]


def test_mentions_only_plain_repo_paths() -> None:
    text = (
        "See `src/app.py`, `docs/` and [guide](docs/guide.md#setup), [site](https://x.dev/a).\n"
        "Run `./scripts/dev.sh --fast`, `python tools/gen.py`, `npm run test`, `git push origin feat/x`.\n"
        "Not: `**/*.ts`, `<name>.py`, `$HOME/x`, `path/to/file.py`, `next.js`, `e.g.`, `fix/...`, `~/.config/x.json`.\n"
        "`tests/test_a.py::test_b` and `src/app.py:42` and `.env` and `application/json`.\n"
        "```\ncat src/in_fence.py\n```\n<!-- `src/commented.py` -->\n"
    )
    found = [(m.kind, m.target, m.line, m.anchored) for m in find_mentions(text)]
    assert found == [
        ("code", "src/app.py", 1, False),
        ("code", "docs/", 1, False),
        ("link", "docs/guide.md", 1, False),
        ("code", "./scripts/dev.sh", 2, False),
        ("code", "tools/gen.py", 2, False),
        ("code", "tests/test_a.py", 4, False),
        ("code", "src/app.py", 4, False),
        ("code", "application/json", 4, True),
    ]
    assert find_mentions("See `src/app.py`.")[0].col == 6


def test_import_mentions() -> None:
    text = "@AGENTS.md\nsee @docs/style.md, mail a@b.com, ping @octocat, `@not/this.md`, @~/.claude/x.md\n"
    found = [
        (m.target, m.line, m.col) for m in find_mentions(text, imports=True) if m.kind == "import"
    ]
    assert found == [("AGENTS.md", 1, 1), ("docs/style.md", 2, 5)]
