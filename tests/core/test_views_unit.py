"""views: the ways of showing part of a file, on small inputs (no index, no tokenizer)."""

from __future__ import annotations

from ctxtrim.lang import outline
from ctxtrim.outline import Symbol
from ctxtrim.views import (
    BODY_KIND,
    ELISION,
    body_units,
    contexts,
    full,
    head_range,
    merge,
    outline_view,
    signature,
    slice_view,
    split_lines,
    summary,
)

PY = '''"""Carts."""
import decimal


class Cart:
    """A shopping cart."""

    TAX = 0.2

    def add(self, item):
        self.items.append(item)

    def total(self):
        return sum(i.price for i in self.items)


def helper():
    return 1
'''


def _parsed(text: str = PY, language: str = "python") -> tuple[list[str], list[Symbol]]:
    return split_lines(text), outline(text, language).symbols


def test_split_lines_keeps_no_trailing_empty_line() -> None:
    assert split_lines("a\nb\n") == ["a", "b"]
    assert split_lines("a\n\nb") == ["a", "", "b"]
    assert split_lines("") == [""]  # an empty file is one empty line


def test_merge_joins_overlapping_and_touching_ranges_only() -> None:
    assert merge([(5, 7), (1, 2), (3, 3), (12, 13), (6, 8), (9, 10)]) == [(1, 3), (5, 10), (12, 13)]


def test_slice_view_elides_each_gap_once_and_claims_exactly_what_it_shows() -> None:
    lines = [f"line {n}" for n in range(1, 11)]
    view = slice_view(lines, [(2, 3), (7, 7)])
    assert view.mode == "slice"
    assert view.lines == ((2, 3), (7, 7))
    assert view.text.split("\n") == [ELISION, "line 2", "line 3", ELISION, "line 7", ELISION]


def test_slice_view_shows_a_one_line_gap_instead_of_marking_it() -> None:
    lines = [f"l{n}" for n in range(1, 7)]
    view = slice_view(lines, [(1, 2), (4, 6)])
    assert view.lines == ((1, 6),)
    assert ELISION not in view.text


def test_slice_view_clips_ranges_to_the_file() -> None:
    view = slice_view(["a", "b"], [(0, 1), (2, 9), (5, 6)])
    assert view.lines == ((1, 2),)
    assert view.text == "a\nb"


def test_full_claims_every_line_and_drops_the_final_newline() -> None:
    view = full(["x", "y"], "x\ny\n")
    assert (view.mode, view.text, view.lines) == ("full", "x\ny", ((1, 2),))
    assert full([], "").lines == ()


def test_head_range_stops_before_the_first_definition() -> None:
    lines, symbols = _parsed()
    cart = next(s for s in symbols if s.name == "Cart")
    assert cart.start == 5
    assert head_range(outline(PY, "python"), lines) == (1, 4)


def test_contexts_give_a_method_its_class_header_and_the_blank_line_after_it() -> None:
    lines, symbols = _parsed()
    add = next(s for s in symbols if s.qualname == "Cart.add")
    (ranges,) = contexts(symbols, lines, [add])
    assert ranges[0] == (add.start, add.end + 1)
    assert lines[add.end] == ""
    cart = next(s for s in symbols if s.name == "Cart")
    assert ranges[1][0] == cart.start
    assert lines[ranges[1][0] - 1] == "class Cart:"


def test_contexts_add_no_line_when_the_next_one_is_code() -> None:
    text = "def a():\n    return 1\ndef b():\n    return 2\n"
    lines, symbols = _parsed(text)
    a = next(s for s in symbols if s.name == "a")
    assert contexts(symbols, lines, [a]) == [[(1, 2)]]


def test_contexts_give_a_go_method_its_receiver_type_header() -> None:
    text = (
        "package shop\n\n// Cart holds items.\ntype Cart struct {\n\titems []int\n}\n\n"
        "func other() {}\n\nfunc (c *Cart) Add(n int) {\n\tc.items = append(c.items, n)\n}\n"
    )
    lines, symbols = _parsed(text, "go")
    add = next(s for s in symbols if s.name == "Add")
    (ranges,) = contexts(symbols, lines, [add])
    assert ranges[0] == (10, 12)
    assert (3, 4) in ranges  # the doc comment and `type Cart struct {`


def test_rust_method_keeps_its_impl_line() -> None:
    text = (
        "struct Cache;\n\nimpl Cache {\n    fn new() -> Self {\n        Cache\n    }\n\n"
        "    fn evict(&mut self) {\n        todo!()\n    }\n}\n"
    )
    lines, symbols = _parsed(text, "rust")
    evict = next(s for s in symbols if s.name == "evict")
    view = slice_view(lines, contexts(symbols, lines, [evict])[0])
    assert view.text.split("\n") == [
        ELISION,
        "impl Cache {",
        ELISION,
        "    fn evict(&mut self) {",
        "        todo!()",
        "    }",
        ELISION,
    ]


def test_a_rust_test_module_member_keeps_the_module_line_and_its_imports() -> None:
    text = (
        "fn shown() {}\n\n#[cfg(test)]\nmod tests {\n    use super::*;\n    use std::io;\n\n"
        "    const N: u8 = 1;\n\n    #[test]\n    fn works() {\n        shown();\n    }\n}\n"
    )
    lines, symbols = _parsed(text, "rust")
    works = next(s for s in symbols if s.name == "works")
    view = slice_view(lines, contexts(symbols, lines, [works])[0])
    assert view.text.split("\n") == [
        ELISION,
        "#[cfg(test)]",
        "mod tests {",
        "    use super::*;",  # where a new import of the tests goes
        "    use std::io;",
        ELISION,
        "    #[test]",
        "    fn works() {",
        "        shown();",
        "    }",
        ELISION,
    ]


def test_a_rust_impl_member_gets_no_lines_under_the_impl_line() -> None:
    text = "struct A;\n\nimpl A {\n    const K: u8 = 1;\n\n    fn f() {}\n}\n"
    lines, symbols = _parsed(text, "rust")
    f = next(s for s in symbols if s.name == "f")
    assert sorted(contexts(symbols, lines, [f])[0]) == [(3, 3), (6, 6)]


def test_summary_lists_signatures_with_one_line_docs() -> None:
    lines, _ = _parsed()
    view = summary(outline(PY, "python"), lines)
    assert view.mode == "summary"
    assert "class Cart:" in view.text
    assert '    """A shopping cart."""' in view.text
    assert "    def add(self, item):" in view.text
    assert "self.items.append(item)" not in view.text


def test_outline_view_names_top_level_definitions_with_their_members() -> None:
    view = outline_view(outline(PY, "python"))
    assert view.lines == ()
    assert view.text.split("\n") == ["class Cart  (L5-14): add, total", "function helper  (L17-18)"]


def test_body_units_offer_class_statements_and_module_code_between_definitions() -> None:
    text = "import x\n\nclass Errors:\n    MESSAGES = {'a': 1}\n\n    def f(self):\n        pass\n\nSETTING = 3\n"
    lines, symbols = _parsed(text)
    units = body_units(symbols, lines, after=1)
    found = [(u.name, u.kind, u.start, u.end, u.parent) for u, _ in units]
    assert ("Errors", BODY_KIND, 4, 4, "Errors") in found
    assert ("<module>", BODY_KIND, 9, 9, None) in found
    errors_unit = next(r for u, r in units if u.name == "Errors")
    # Its line, the blank line after it (where a new attribute goes) and the class header.
    assert errors_unit == [(4, 5), (3, 3)]
    module_unit = next(r for u, r in units if u.name == "<module>")
    assert module_unit == [(9, 9)]  # the file's last line: no blank line after it


_DOCUMENTED_RS = (
    "/// A buffer.\n"  # 1
    + "".join(f"/// Paragraph {i} about buffers.\n" for i in range(8))  # 2-9
    + "pub trait Buf {\n"  # 10
    "    /// Returns the length.\n"
    + "".join(f"    /// More {i}.\n" for i in range(6))  # 12-17
    + "    #[inline]\n"  # 18
    "    fn len(&self) -> usize {\n"  # 19
    "        0\n"
    "    }\n"
    "}\n"
)


def test_a_header_under_a_long_doc_comment_shows_the_line_that_defines_it() -> None:
    lines, symbols = _parsed(_DOCUMENTED_RS, "rust")
    by_name = {s.name: s for s in symbols}
    assert by_name["Buf"].start == 1  # the doc comment is the definition's
    assert signature(by_name["Buf"], lines) == (10, 10)
    assert signature(by_name["len"], lines) == (18, 19)  # the attribute stays: it fits
    # A short doc above a short signature is still shown with it.
    short = "/// Adds.\nfn add(a: u8) -> u8 {\n    a\n}\n"
    lines, symbols = _parsed(short, "rust")
    assert signature(symbols[0], lines) == (1, 2)


def test_summary_of_documented_rust_shows_signatures_and_first_doc_lines() -> None:
    lines, symbols = _parsed(_DOCUMENTED_RS, "rust")
    view = summary(outline(_DOCUMENTED_RS, "rust"), lines)
    assert view.text.split("\n") == [
        "/// A buffer.",
        ELISION,
        "pub trait Buf {",
        "    /// Returns the length.",
        ELISION,
        "    #[inline]",
        "    fn len(&self) -> usize {",
        ELISION,
    ]


def test_a_member_of_a_documented_trait_is_shown_with_the_trait_line() -> None:
    lines, symbols = _parsed(_DOCUMENTED_RS, "rust")
    method = next(s for s in symbols if s.name == "len")
    (ranges,) = contexts(symbols, lines, [method])
    assert ranges == [(11, 21), (10, 10)]  # not the first lines of its doc comment


def test_statements_of_a_nested_module_come_with_its_last_line_where_a_new_one_goes() -> None:
    text = (
        "mod lib {\n"  # 1
        "    mod core {\n"  # 2
        "        pub use std::*;\n"
        "    }\n"  # 4
        + "".join(f"    pub use self::core::m{i}::T{i};\n" for i in range(70))  # 5-74
        + "    pub use std::sync::Arc;\n"  # 75
        "\n"
        "}\n"  # 77
    )
    lines, symbols = _parsed(text, "rust")
    units = [(u.start, u.end, r) for u, r in body_units(symbols, lines, after=0) if u.parent]
    # The first 60 re-exports with the module's header and its last re-export and closing line.
    assert units[0] == (5, 64, [(5, 64), (1, 1), (75, 77)])
    assert units[1] == (65, 77, [(65, 77), (1, 1), (75, 77)])
