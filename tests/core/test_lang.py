"""Tests for ctxtrim.lang: language detection, tree-sitter outlines and the line fallback."""

from __future__ import annotations

import subprocess
import sys
import threading
import time

import pytest

from ctxtrim.lang import TREE_SITTER_LANGUAGES, detect_language, outline
from ctxtrim.lang import treesitter as ts_outliner
from ctxtrim.lang.macros import mask_macros
from ctxtrim.lang.specs import SPECS, Spec
from ctxtrim.outline import Outline, Symbol

from ..support import DATA as TESTS_DATA
from ..support import ROOT

DATA = TESTS_DATA / "lang"


def load(name: str) -> Outline:
    """Outline a fixture file, asserting tree-sitter (not the fallback) produced it."""
    path = DATA / name
    language = detect_language(name)
    assert language in TREE_SITTER_LANGUAGES
    result = outline(path.read_text(encoding="utf-8"), language)
    assert result.error is None
    return result


def find(result: Outline, qualname: str, kind: str | None = None) -> Symbol:
    """Return the one symbol with `qualname` (and `kind`, if given)."""
    hits = [s for s in result.symbols if s.qualname == qualname and kind in (None, s.kind)]
    assert len(hits) == 1, (qualname, hits)
    return hits[0]


def lines(s: Symbol) -> tuple[int, int, int]:
    return s.start, s.signature_end, s.end


def assert_sorted(result: Outline) -> None:
    keys = [(s.start, -s.end) for s in result.symbols]
    assert keys == sorted(keys)


# ---- detection ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "language"),
    [
        ("src/app.py", "python"),
        ("web/x.mjs", "javascript"),
        ("web/App.jsx", "javascript"),
        ("web/a.cts", "typescript"),
        ("web/App.tsx", "tsx"),
        ("inc/list.h", "c"),
        ("inc/list.hpp", "cpp"),
        ("lib/a.cc", "cpp"),
        ("A.cs", "csharp"),
        ("Rakefile", "ruby"),
        ("sub/Gemfile", "ruby"),
        ("index.php", "php"),
        ("docs/guide.mdx", "markdown"),
        (".cursor/rules/style.mdc", "markdown"),
        ("docs/index.rst", "rst"),
        ("README", "text"),
        ("Dockerfile", "dockerfile"),
        ("Makefile", "makefile"),
        ("setup.cfg", "ini"),
        ("Main.KT", "kotlin"),
        ("image.png", None),
        ("noext", None),
    ],
)
def test_detect_language(path: str, language: str | None) -> None:
    assert detect_language(path) == language


def test_tree_sitter_languages_have_specs() -> None:
    assert set(SPECS) == TREE_SITTER_LANGUAGES
    assert len(TREE_SITTER_LANGUAGES) == 12


# ---- per-language outlines ----------------------------------------------------------------


def test_python() -> None:
    result = load("sample.py")
    assert_sorted(result)
    session = find(result, "Session")
    assert (session.kind, lines(session)) == ("class", (15, 15, 41))
    assert session.doc == "A logged-in session."
    # Decorators are part of the method; the signature ends on the `def` line.
    assert lines(find(result, "Session.name")) == (26, 28, 29)
    login = find(result, "Session.login")
    assert (login.kind, lines(login)) == ("method", (31, 35, 41))
    assert login.doc == "Check the password and open the session."
    nested = find(result, "login._hash")
    assert (nested.kind, lines(nested)) == ("function", (38, 38, 39))
    # A leading comment block is attached and becomes the doc when there is no docstring.
    redirect = find(result, "login_redirect")
    assert (redirect.kind, lines(redirect)) == ("function", (44, 46, 47))
    assert redirect.doc == "Build a redirect URL for the given user."
    assert result.imports == ["os.path", "json", ".models", "."]
    assert {"User", "digest", "join"} <= set(result.refs)
    assert not {"Session", "login", "_hash"} & set(result.refs)  # defined here
    assert result.refs == sorted(set(result.refs))


def test_javascript() -> None:
    result = load("sample.js")
    assert_sorted(result)
    parse = find(result, "parseConfig")
    assert lines(parse) == (6, 10, 12)
    assert parse.doc == "Parse a configuration file. Returns an object."
    greet = find(result, "greet")  # `export const greet = (name) => {`
    assert (greet.kind, lines(greet), greet.doc) == ("function", (14, 15, 17), "Greets a user.")
    assert lines(find(result, "double")) == (19, 19, 19)
    handler = find(result, "Widget.handleClick")  # class field holding an arrow function
    assert (handler.kind, lines(handler), handler.doc) == ("method", (24, 25, 27), "Click handler.")
    assert find(result, "Widget.render").kind == "method"
    assert find(result, "build").kind == "function"  # module.exports.build = function
    assert "count" not in {s.name for s in result.symbols}  # a plain field is no symbol
    assert result.imports == ["react", "node:path", "fs", "./helper.js"]


def test_typescript() -> None:
    result = load("sample.ts")
    assert_sorted(result)
    assert (find(result, "UserId").kind, find(result, "UserId").doc) == ("type", "A user id.")
    assert find(result, "Repository").kind == "interface"
    assert lines(find(result, "Repository.find")) == (8, 8, 8)  # signature only: no body
    assert find(result, "Color").kind == "enum"
    # The decorator above `export class` belongs to the class.
    assert lines(find(result, "UserService")) == (17, 18, 31)
    find_method = find(result, "UserService.find")
    assert (lines(find_method), find_method.doc) == ((23, 26, 28), "Look a user up.")
    assert find(result, "Utils", "namespace").end == 37
    assert find(result, "Utils.clamp").kind == "function"
    assert find(result, "toId").kind == "function"
    assert result.imports == ["@angular/core", "./models"]


def test_tsx() -> None:
    result = load("sample.tsx")
    assert [(s.name, s.kind) for s in result.symbols] == [
        ("Props", "interface"),
        ("title", "field"),  # an interface's field is a slice unit too
        ("Header", "function"),
        ("Footer", "function"),
    ]
    assert lines(find(result, "Header")) == (7, 8, 10)
    assert result.imports == ["react"]


def test_go() -> None:
    result = load("sample.go")
    store = find(result, "Store")
    assert (store.kind, lines(store), store.doc) == (
        "struct",
        (14, 16, 18),
        "Store keeps items in memory.",
    )
    assert find(result, "Getter").kind == "interface"
    assert find(result, "ID").kind == "type"
    get = find(result, "Store.Get")  # parent is the receiver type, `*` stripped
    assert (get.kind, lines(get), get.doc) == (
        "method",
        (31, 32, 38),
        "Get returns the value for key.",
    )
    assert find(result, "List.Len").kind == "method"  # generic receiver `List[T]`
    assert result.imports == ["context", "fmt", "example.com/project/internal/db", "errors"]


def test_rust() -> None:
    result = load("sample.rs")
    cache = find(result, "Cache", "struct")
    # `///` doc and `#[derive]` attribute are included in start.
    assert (lines(cache), cache.doc) == ((8, 10, 12), "A key-value cache.")
    impls = [s for s in result.symbols if s.kind == "impl"]
    assert [(s.name, s.start, s.end) for s in impls] == [("Cache", 23, 32), ("Cache", 34, 38)]
    new = find(result, "Cache.new")
    assert (new.kind, lines(new), new.doc) == ("method", (24, 25, 27), "Creates an empty cache.")
    assert find(result, "Store", "trait").end == 21
    assert lines(find(result, "Store.get")) == (20, 20, 20)
    assert lines(find(result, "square")) == (46, 46, 50)
    assert find(result, "helper").kind == "function"
    assert result.imports == [
        "std::collections::HashMap",
        "crate::config",
        "serde::Serialize",
        "parser",
    ]


def test_java() -> None:
    result = load("Sample.java")
    cls = find(result, "AccountService", "class")
    # The javadoc and the @Service annotation are both part of the class.
    assert (lines(cls), cls.doc) == ((7, 11, 32), "Handles user accounts.")
    ctor = find(result, "AccountService.AccountService")
    assert (ctor.kind, lines(ctor), ctor.doc) == ("method", (14, 15, 17), "Creates the service.")
    assert lines(find(result, "AccountService.count")) == (19, 21, 23)
    assert find(result, "AccountService.Listener").kind == "interface"
    assert lines(find(result, "Listener.onChange")) == (26, 26, 26)
    assert find(result, "AccountService.State").kind == "enum"
    assert find(result, "AccountService.Pair").kind == "record"
    assert result.imports == ["java.util.List", "java.util.*", "java.lang.Math.max"]


def test_c() -> None:
    result = load("sample.c")
    node = find(result, "node")
    assert (node.kind, lines(node), node.doc) == ("struct", (4, 5, 8), "A node in a list.")
    assert find(result, "point").kind == "struct"  # anonymous struct named by its typedef
    assert find(result, "color").kind == "enum"
    prototype, definition = (s for s in result.symbols if s.name == "list_length")
    assert lines(prototype) == (16, 16, 16)
    assert (lines(definition), definition.doc) == ((18, 20, 25), "Counts the nodes.")
    # `static char *\ndup_name(...) {`: the name sits under a pointer declarator.
    assert lines(find(result, "dup_name")) == (27, 28, 30)
    assert result.imports == ["stdio.h", "list.h"]


def test_cpp() -> None:
    result = load("sample.cpp")
    assert find(result, "geo").kind == "namespace"
    shape = find(result, "geo.Shape")
    assert (shape.kind, lines(shape), shape.doc) == ("class", (6, 7, 14), "A 2D shape.")
    assert find(result, "Shape.~Shape").kind == "method"
    assert find(result, "Shape.sides").kind == "method"
    assert find(result, "geo.Point").kind == "struct"
    assert lines(find(result, "geo.clamp")) == (20, 21, 23)  # template<> line included
    area = find(result, "Circle.area")  # `double Circle::area() const {`
    assert (area.kind, lines(area), area.doc) == ("method", (25, 26, 28), "Area of a circle.")
    assert result.imports == ["vector", "shape.hpp"]


CPP_HEADER = """#pragma once
#include <string>
#define LIB_API __attribute__((visibility("default")))
#define LIB_ENABLE_IF(...) typename std::enable_if<(__VA_ARGS__), int>::type = 0

LIB_BEGIN_NAMESPACE
namespace detail {

LIB_EXPORT
template <typename T> struct is_char : std::false_type {};

template <typename Char, LIB_ENABLE_IF(is_char<Char>::value)>
LIB_CONSTEXPR LIB_INLINE auto to_view(const Char* s) -> const Char* {
  LIB_ASSERT(s != nullptr, "null string");
  return s;
}

class LIB_API writer {
 public:
  LIB_CONSTEXPR void write(const char* s);
};

}  // namespace detail
LIB_END_NAMESPACE
"""


def test_a_cpp_header_named_dot_h_is_parsed_as_cpp_with_its_macros_hidden() -> None:
    assert detect_language("include/lib/core.h") == "c"
    result = outline(CPP_HEADER, "c")
    assert result.language == "cpp"
    spans = {s.qualname: (s.kind, s.start, s.end) for s in result.symbols}
    assert spans["detail.is_char"] == ("struct", 10, 10)
    assert spans["detail.to_view"] == ("function", 12, 16)
    assert spans["detail.writer"] == ("class", 18, 21)
    assert spans["writer.write"][0] == "method"
    assert spans["LIB_ENABLE_IF"] == ("macro", 4, 4)  # a function-like macro is a definition
    assert "LIB_API" not in spans  # an object-like one is a constant of the build, not API
    # A plain C header stays C.
    assert outline("struct point { int x; };\nint area(struct point p);\n", "c").language == "c"


def test_macro_masking_keeps_offsets_and_leaves_expressions_alone() -> None:
    masked = mask_macros(CPP_HEADER)
    assert len(masked) == len(CPP_HEADER)
    assert masked.splitlines()[:4] == CPP_HEADER.splitlines()[:4]  # preprocessor lines
    assert "LIB_ASSERT(s != nullptr" in masked  # a call statement, not a declaration macro
    for gone in ("LIB_EXPORT", "LIB_CONSTEXPR", "LIB_INLINE", "LIB_ENABLE_IF(is_char"):
        assert gone not in masked.split("#define LIB_ENABLE_IF", 1)[1], gone
    assert "template <typename Char" in masked and masked.count("\n") == CPP_HEADER.count("\n")


def test_csharp() -> None:
    result = load("Sample.cs")
    assert find(result, "Example.Billing").kind == "namespace"
    service = find(result, "Example.Billing.InvoiceService", "class")
    assert (lines(service), service.doc) == ((7, 11, 24), "Computes invoices.")
    assert find(result, "InvoiceService.Rate").kind == "property"
    assert find(result, "InvoiceService.InvoiceService").kind == "method"  # constructor
    assert lines(find(result, "InvoiceService.Total")) == (19, 21, 23)  # [Obsolete] included
    assert lines(find(result, "IInvoiceService.Total")) == (28, 28, 28)
    assert find(result, "Example.Billing.Money").kind == "struct"
    assert find(result, "Example.Billing.Currency").kind == "enum"
    assert result.imports == ["System", "System.Collections.Generic", "Newtonsoft.Json"]


def test_ruby() -> None:
    result = load("sample.rb")
    assert find(result, "Billing").kind == "module"
    invoice = find(result, "Billing.Invoice")
    assert (invoice.kind, lines(invoice), invoice.doc) == (
        "class",
        (5, 7, 22),
        "An invoice. Holds line items.",
    )
    total = find(result, "Invoice.total")
    assert (total.kind, lines(total), total.doc) == ("method", (14, 15, 17), "Total amount.")
    assert lines(find(result, "Invoice.build")) == (19, 19, 21)  # def self.build
    assert find(result, "top_level_helper").kind == "function"
    assert result.imports == ["json", "lib/helper"]


def test_php() -> None:
    result = load("sample.php")
    controller = find(result, "UserController")
    assert (controller.kind, lines(controller), controller.doc) == (
        "class",
        (11, 15, 27),
        "Handles users.",
    )
    show = find(result, "UserController.show")
    assert (show.kind, lines(show), show.doc) == ("method", (22, 24, 26), "Show one user.")
    assert find(result, "Repository").kind == "interface"
    assert find(result, "Repository.find").kind == "method"
    assert find(result, "Loggable").kind == "trait"
    assert find(result, "helper").kind == "function"
    assert result.imports == [
        "App\\Models\\User",
        "Illuminate\\Support\\Str",
        "Illuminate\\Support\\Arr",
        "/helpers.php",
        "config.php",
    ]


def test_python_multiline_signature_and_docstring_paragraph() -> None:
    text = (
        "class A:\n"
        "    def f(\n"
        "        self,\n"
        "        b,\n"
        "    ) -> int:  # trailing comment\n"
        '        """First line\n'
        "        continues here.\n"
        "\n"
        '        Second paragraph."""\n'
        "        return b\n"
    )
    f = find(outline(text, "python"), "A.f")
    assert lines(f) == (2, 5, 10)
    assert f.doc == "First line continues here."


def test_comment_separated_by_blank_line_is_not_attached() -> None:
    text = "// License header.\n\n// Adds one.\nfunction inc(x) {\n  return x + 1;\n}\n"
    inc = find(outline(text, "javascript"), "inc")
    assert (inc.start, inc.doc) == (3, "Adds one.")


def test_trailing_comment_of_previous_line_is_not_attached() -> None:
    text = "x = 1  # not a doc\ndef f():\n    pass\n"
    f = find(outline(text, "python"), "f")
    assert (f.start, f.doc) == (2, None)


def test_long_doc_is_clipped() -> None:
    text = '"""m"""\ndef f():\n    """' + "word " * 200 + '"""\n'
    doc = find(outline(text, "python"), "f").doc
    assert doc is not None and len(doc) <= 300 and doc.endswith("…")


def test_lines_count_newlines_only() -> None:
    # \r, form feed and U+2028 are line breaks for str.splitlines() but not for ctxtrim.
    text = "x = 1\r# a\x0c b\u2028 c\n\n\ndef f():\n    return '\u2029'\n"
    assert lines(find(outline(text, "python"), "f")) == (4, 4, 5)


def test_crlf_line_endings() -> None:
    text = "// Doc.\r\nfunction f() {\r\n  return 1;\r\n}\r\n"
    f = find(outline(text, "javascript"), "f")
    assert (lines(f), f.doc) == ((1, 2, 4), "Doc.")


# ---- markdown, rst and the line fallback --------------------------------------------------


def test_markdown_headings() -> None:
    text = (
        "---\n"
        "description: rules\n"
        "---\n"
        "# Title\n"
        "\n"
        "Intro text.\n"
        "\n"
        "## Setup ##\n"
        "```sh\n"
        "# not a heading\n"
        "```\n"
        "Testing\n"
        "-------\n"
        "run it\n"
        "### Deep\n"
        "# Other\n"
    )
    result = outline(text, "markdown")
    got = [(s.name, s.parent, s.start, s.signature_end, s.end) for s in result.symbols]
    assert got == [
        ("Title", None, 4, 4, 15),
        ("Setup", "Title", 8, 8, 11),
        ("Testing", "Title", 12, 13, 15),  # setext: the underline ends the heading
        ("Deep", "Testing", 15, 15, 15),
        ("Other", None, 16, 16, 16),
    ]
    assert {s.kind for s in result.symbols} == {"heading"}
    assert find(result, "Title").doc == "Intro text."
    assert result.error is None


def test_rst_headings() -> None:
    text = "=====\nGuide\n=====\n\nInstall\n-------\n\nSteps.\n\nLinux\n~~~~~\n\nUsage\n-----\n"
    got = [(s.qualname, s.start, s.signature_end, s.end) for s in outline(text, "rst").symbols]
    assert got == [
        ("Guide", 1, 3, 14),
        ("Guide.Install", 5, 6, 12),
        ("Install.Linux", 10, 11, 12),
        ("Guide.Usage", 13, 14, 14),
    ]


def test_fallback_heuristic_for_language_without_grammar() -> None:
    text = (
        "package app\n"
        "import kotlinx.coroutines.launch\n"
        "\n"
        "// Adds numbers.\n"
        "fun add(a: Int, b: Int): Int {\n"
        "    return a + b\n"
        "}\n"
        "\n"
        "data class Point(val x: Int) {\n"
        "    fun norm() = x\n"
        "}\n"
    )
    result = outline(text, "kotlin")
    got = [(s.qualname, s.kind, s.start, s.signature_end, s.end) for s in result.symbols]
    assert got == [
        ("add", "function", 4, 5, 7),
        ("Point", "class", 9, 9, 11),
        ("Point.norm", "method", 10, 10, 10),
    ]
    assert find(result, "add").doc == "Adds numbers."
    assert result.imports == ["kotlinx.coroutines.launch"]
    assert result.error is None


@pytest.mark.parametrize("language", ["yaml", "json", "text", "toml"])
def test_data_and_prose_have_no_symbols(language: str) -> None:
    result = outline("class: def foo\nfunction x() {}\n", language)
    assert (result.language, result.symbols, result.imports, result.error) == (
        language,
        [],
        [],
        None,
    )


def test_unknown_language_uses_heuristic() -> None:
    result = outline("def foo():\n    pass\n", None)
    assert result.language == "text"
    assert [s.name for s in result.symbols] == ["foo"]


def test_parse_failure_falls_back() -> None:
    # Kotlin in a .js file: the tree is all errors, the heuristic still finds `main`.
    result = outline("fun main() {\n    println(1)\n}\n", "javascript")
    assert result.error == "parse error"
    assert [(s.name, s.start, s.end) for s in result.symbols] == [("main", 1, 3)]


def test_local_syntax_errors_keep_tree_sitter_outline() -> None:
    result = outline("def ok():\n    pass\n\ndef broken(:\n    pass\n", "python")
    assert result.error is None
    assert "ok" in {s.name for s in result.symbols}


def test_missing_grammar_falls_back(monkeypatch: pytest.MonkeyPatch) -> None:
    broken = Spec("no_such_grammar_package", "language", (), (), ())
    monkeypatch.setitem(SPECS, "ruby", broken)
    monkeypatch.setattr(ts_outliner, "_loaded", {})
    monkeypatch.setattr(ts_outliner, "_local", threading.local())
    result = outline("class Foo\n  def bar\n  end\nend\n", "ruby")
    assert result.error is not None and "unavailable" in result.error
    assert [s.qualname for s in result.symbols] == ["Foo", "Foo.bar"]


def test_grammars_load_lazily() -> None:
    code = (
        "import sys\n"
        "import ctxtrim.lang as lang\n"
        "assert 'tree_sitter_python' not in sys.modules\n"
        "lang.outline('def f():\\n    pass\\n', 'python')\n"
        "assert 'tree_sitter_python' in sys.modules\n"
        "assert 'tree_sitter_ruby' not in sys.modules\n"
    )
    root = ROOT
    subprocess.run([sys.executable, "-c", code], check=True, cwd=root, timeout=60)


# ---- robustness ---------------------------------------------------------------------------


def timed(text: str, language: str | None) -> tuple[Outline, float]:
    started = time.perf_counter()
    result = outline(text, language)
    return result, time.perf_counter() - started


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("python", "x = " + "[" * 5000 + "]" * 5000 + "\n"),
        ("python", "(" * 20000),
        ("javascript", "function f() {\n" * 5000 + "}\n" * 5000),
        ("c", "int f() {" + "{" * 5000 + "}" * 5000 + "}\n"),
        ("ruby", "module A\n" * 5000 + "end\n" * 5000),
        ("typescript", "export const f = () => {\n" * 3000 + "}\n" * 3000),
        ("kotlin", "fun f() {\n" * 5000 + "}\n" * 5000),
    ],
)
def test_deep_nesting_is_fast_and_safe(language: str, text: str) -> None:
    result, seconds = timed(text, language)
    assert seconds < 3
    assert result.error is None
    assert_sorted(result)


def test_deep_nesting_parents() -> None:
    result = outline("function f() {\n" * 2000 + "}\n" * 2000, "javascript")
    assert len(result.symbols) == 2000
    assert (result.symbols[0].parent, result.symbols[-1].parent) == (None, "f")
    assert (result.symbols[-1].start, result.symbols[-1].end) == (2000, 2001)


def test_huge_minified_line_returns_quickly() -> None:
    text = "var a=function(){return require('x')};" * 140_000  # ~5 MB on one line
    result, seconds = timed(text, "javascript")
    assert seconds < 0.5
    assert (result.error, result.symbols) == ("minified", [])


def test_too_large_file_uses_fallback() -> None:
    text = "def f():\n    return 1\n" * 50_000  # > 1 MB of ordinary lines
    result, seconds = timed(text, "python")
    assert result.error == "too large"
    assert len(result.symbols) == 50_000
    assert seconds < 5


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\n\n",
        "\x00\x00def f():\x00\n    pass\n",
        "def f():\n    return '\udcff\ud800'\n",  # surrogateescape and lone surrogates
        "\ufffd\ufffd class \ufffd",
    ],
)
@pytest.mark.parametrize("language", sorted(TREE_SITTER_LANGUAGES) + ["markdown", None])
def test_odd_input_never_raises(text: str, language: str | None) -> None:
    result = outline(text, language)
    assert isinstance(result, Outline)
    assert all(1 <= s.start <= s.signature_end <= s.end for s in result.symbols)


def test_nul_bytes_do_not_hide_definitions() -> None:
    result = outline("\x00def f():\x00\n    pass\n", "python")
    assert [s.name for s in result.symbols] == ["f"]


def test_outline_is_thread_safe() -> None:
    text = (DATA / "sample.py").read_text(encoding="utf-8")
    expected = outline(text, "python")
    results: list[Outline] = []

    def work() -> None:
        results.extend(outline(text, "python") for _ in range(20))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 80
    assert all(r == expected for r in results)


def test_js_object_constants_and_object_literal_methods() -> None:
    text = (
        "const defaults = {\n"  # 1
        "  adapter: ['xhr', 'http'],\n"
        "  validate: (status) => status < 300,\n"  # 3
        "  parse(y) { return y; },\n"  # 4
        "};\n"
        "export const levels = ['debug', 'info'];\n"  # 6
        "module.exports = { build: function () { return 1; } };\n"  # 7
        "const a = 1, b = { x: 1 };\n"  # 8
    )
    for language in ("javascript", "typescript"):
        got = [
            (s.qualname, s.kind, s.start, s.end, s.signature_end)
            for s in outline(text, language).symbols
        ]
        assert got == [
            ("defaults", "constant", 1, 5, 1),
            ("defaults.adapter", "field", 2, 2, 2),  # its data members are units too
            ("defaults.validate", "function", 3, 3, 3),
            ("defaults.parse", "method", 4, 4, 4),
            ("levels", "constant", 6, 6, 6),
            ("build", "function", 7, 7, 7),
            ("b", "constant", 8, 8, 8),
            ("b.x", "field", 8, 8, 8),
        ], language


def test_js_table_rows_and_interface_fields_are_fields() -> None:
    js = (
        "var _rules = [\n"  # 1
        "  [ 'table', require('./table'), [ 'paragraph' ] ],\n"  # 2
        "  [ require('./code') ],\n"  # 3: no leading name, no unit
        "];\n"
        "const inline = {\n"  # 5
        "  em: { start: /a/, middle: /b/ },\n"  # 6: nested keys are not units
        "};\n"
        "use(inline.em, _rules);\n"
    )
    got = [(s.qualname, s.kind, s.start, s.end) for s in outline(js, "javascript").symbols]
    assert got == [
        ("_rules", "constant", 1, 4),
        ("_rules.table", "field", 2, 2),
        ("inline", "constant", 5, 7),
        ("inline.em", "field", 6, 6),
    ]
    # A table's keys are still names this file refers to.
    assert {"em", "start"} <= set(outline(js, "javascript").refs)
    ts = "interface Options {\n  retries: number\n  onRetry(n: number): void\n}\n"
    members = [(s.qualname, s.kind, s.start) for s in outline(ts, "typescript").symbols]
    assert members == [
        ("Options", "interface", 1),
        ("Options.retries", "field", 2),
        ("Options.onRetry", "method", 3),
    ]


def test_go_package_level_variables_and_constants() -> None:
    text = (
        "package x\n\n"
        "var (\n"  # 3
        '\tErrClosed = errors.New("closed")\n'  # 4
        '\tErrFull   = errors.New("full")\n'
        ")\n\n"
        "const MaxRetries = 3\n\n"  # 8
        "var statusText = map[int]string{\n"  # 10
        '\t200: "OK",\n'
        "}\n"
    )
    got = [(s.name, s.kind, s.start, s.end, s.signature_end) for s in outline(text, "go").symbols]
    assert got == [
        ("ErrClosed", "variable", 4, 4, 4),
        ("ErrFull", "variable", 5, 5, 5),
        ("MaxRetries", "constant", 8, 8, 8),
        ("statusText", "variable", 10, 12, 10),  # the `var` line is its header
    ]


def test_rust_items_inside_item_macros_are_definitions() -> None:
    text = (
        "cfg_rt! {\n"  # 1
        "    /// Spawns a task.\n"
        "    pub fn spawn(t: Task) {}\n"
        "    impl Handle {\n"
        "        fn enter(&self) {}\n"  # 5
        "    }\n"
        "}\n"
        "impl Runtime {\n"
        "    cfg_io! {\n"
        "        pub fn block_on(&self) {}\n"  # 10
        "    }\n"
        "}\n"
        "cfg_a! {\n"
        "    cfg_b! {\n"
        "        struct Deep;\n"  # 15
        "    }\n"
        "}\n"
        "impl_num! { u8, u16 }\n"
        "fn local() {\n"
        "    m! { fn hidden() {} }\n"  # 20
        "}\n"
    )
    got = [
        (s.qualname, s.kind, s.start, s.end, s.signature_end) for s in outline(text, "rust").symbols
    ]
    assert got == [
        ("spawn", "function", 2, 3, 3),  # its doc comment inside the macro is its own
        ("Handle", "impl", 4, 6, 4),
        ("Handle.enter", "method", 5, 5, 5),
        ("Runtime", "impl", 8, 12, 8),
        ("Runtime.block_on", "method", 10, 10, 10),  # a member of the impl around the macro
        ("Deep", "struct", 15, 15, 15),  # nested invocations, unwrapped in turn
        # `impl_num!`'s body is data, not items; a macro in a function body is code.
        ("local", "function", 19, 21, 19),
    ]


def test_a_rust_impl_is_named_for_its_type_through_references_paths_and_dyn() -> None:
    text = (
        "impl<'a, R> de::Deserializer<'a> for &'a mut Deserializer<R> {\n"
        "    fn deserialize_any(&self) {}\n"
        "}\n"
        "impl fmt::Display for io::Error {}\n"
        "impl<T> From<T> for Box<[T]> {}\n"
        "impl<T> Send for *const T {}\n"
        "impl ToValue for dyn fmt::Debug {}\n"
        "impl ToValue for dyn std::error::Error + 'static {}\n"
    )
    symbols = outline(text, "rust").symbols
    assert [(s.name, s.kind) for s in symbols if s.kind == "impl"] == [
        ("Deserializer", "impl"),
        ("Error", "impl"),
        ("Box", "impl"),
        ("T", "impl"),
        ("Debug", "impl"),
        ("Error", "impl"),
    ]
    # So `Deserializer::deserialize_any` in a task names the method.
    assert [s.qualname for s in symbols if s.kind == "method"] == ["Deserializer.deserialize_any"]


def test_a_rust_impl_records_its_trait_and_so_do_the_functions_inside_it() -> None:
    text = (
        "impl<'de, T> de::Deserialize<'de> for Vec<T> {\n"
        "    fn deserialize(d: D) -> Self {\n"
        "        struct Seen;\n"
        "        impl<'de> Visitor<'de> for Seen {\n"
        "            fn visit_seq(self) {}\n"
        "        }\n"
        "        todo!()\n"
        "    }\n"
        "    fn deserialize_in_place(d: D) {}\n"  # past the impl nested above: still Deserialize
        "}\n"
        "impl !Send for Seen {}\n"
        "impl Seen {\n    fn new() {}\n}\n"
        "trait Walk {\n    fn walk(&self) {}\n}\n"
    )
    symbols = outline(text, "rust").symbols
    assert [(s.name, s.kind, s.trait) for s in symbols] == [
        ("Vec", "impl", "Deserialize"),
        ("deserialize", "method", "Deserialize"),
        ("Seen", "struct", None),
        ("Seen", "impl", "Visitor"),
        ("visit_seq", "method", "Visitor"),
        ("deserialize_in_place", "method", "Deserialize"),
        ("Seen", "impl", "Send"),
        ("Seen", "impl", None),
        ("new", "method", None),
        ("Walk", "trait", None),
        ("walk", "method", None),
    ]


def test_rust_statics_and_consts() -> None:
    text = (
        "static SHARED_VTABLE: Vtable = Vtable {\n"
        "    clone: shared_clone,\n"
        "};\n"
        "const MAX: usize = 3;\n"
        "impl Buf {\n"
        "    const LIMIT: u8 = 1;\n"
        "    fn f(&self) {}\n"
        "}\n"
    )
    got = [
        (s.qualname, s.kind, s.start, s.end, s.signature_end) for s in outline(text, "rust").symbols
    ]
    assert got == [
        ("SHARED_VTABLE", "constant", 1, 3, 1),
        ("MAX", "constant", 4, 4, 4),
        ("Buf", "impl", 5, 8, 5),
        ("Buf.LIMIT", "constant", 6, 6, 6),
        ("Buf.f", "method", 7, 7, 7),
    ]
