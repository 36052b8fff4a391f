"""Packs beyond Python: for an issue naming a method of a large class, `impl` or receiver type,
the pack shows the method verbatim with the line of the type it belongs to, while the file
itself is too large for the budget (so a slice, not the whole file, has to carry the context).

Fixture repositories: tests/data/langrepos/{rust,go,ts,java}, each with a seeded bug."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ctxtrim.config import Config
from ctxtrim.lang import outline
from ctxtrim.pack import Item
from ctxtrim.rank import prior
from ctxtrim.task import Task, extract
from ctxtrim.views import contexts
from ctxtrim.workspace import Workspace

from ..support import ROOT

REPOS = ROOT / "tests" / "data" / "langrepos"
BUDGET = 400

CASES = {
    "rust": (
        "src/cache.rs",
        "LruCache evicts the newest entry instead of the oldest one: after put(a), put(b), "
        "put(c) on a cache of capacity 2, `b` is gone but `a` is still there. evict_oldest "
        "looks wrong.",
        "    fn evict_oldest(&mut self) {",
        "impl<K: Hash + Eq + Clone, V> LruCache<K, V> {",
    ),
    "go": (
        "limiter/limiter.go",
        "After a long idle period Allow lets far more requests through in a row than the "
        "burst size: refill adds earned tokens without any cap.",
        "func (l *Limiter) refill(now time.Time) {",
        "type Limiter struct {",
    ),
    "ts": (
        "src/queue.ts",
        "JobQueue.handleFailure retries jobs that already used up their retries, and gives up "
        "on jobs that still have retries left.",
        "  handleFailure = (job: Job, error: Error): void => {",
        "export class JobQueue {",
    ),
    "java": (
        "src/main/java/org/shop/Cart.java",
        "Cart.applyDiscount returns a negative price when the coupon's percent is above 100.",
        "    public BigDecimal applyDiscount(BigDecimal subtotal) {",
        "public class Cart {",
    ),
}


def _block(lines: list[str], first: str) -> tuple[int, int]:
    """1-based lines of the definition starting with `first`: up to the first line after it
    that closes at its indentation."""
    start = lines.index(first)
    indent = first[: len(first) - len(first.lstrip())]
    end = next(i for i in range(start + 1, len(lines)) if lines[i] in (indent + "}", indent + "};"))
    return start + 1, end + 1


def _pack_item(tmp_path: Path, language: str) -> tuple[Item, list[str]]:
    path, task, _, _ = CASES[language]
    root = tmp_path / language
    shutil.copytree(REPOS / language, root)
    ws = Workspace.open(root, Config.load(root))
    pack = ws.pack(Task(task), BUDGET, "json")
    assert pack.tokens <= BUDGET
    assert pack.items[0].path == path  # the file the issue is about ranks first
    return pack.items[0], (root / path).read_text().split("\n")


@pytest.mark.parametrize("language", sorted(CASES))
def test_named_method_is_shown_verbatim_inside_its_type(tmp_path: Path, language: str) -> None:
    _, _, first, header = CASES[language]
    item, lines = _pack_item(tmp_path, language)
    assert item.mode == "slice"  # the whole file would not fit: the slice carries the context
    start, end = _block(lines, first)
    method = "\n".join(lines[start - 1 : end])
    assert method in item.text
    assert any(s <= start and end <= e for s, e in item.lines)  # and the pack says so
    assert header in lines
    # The type's header line is shown too, above the method, as a whole line.
    assert f"\n{header}\n" in f"\n{item.text}\n"
    assert item.text.index(header) < item.text.index(method)


@pytest.mark.parametrize("language", sorted(CASES))
def test_every_claimed_range_is_verbatim(tmp_path: Path, language: str) -> None:
    item, lines = _pack_item(tmp_path, language)
    for s, e in item.lines:
        block = "\n".join(lines[s - 1 : e])
        assert f"\n{block}\n" in f"\n{item.text}\n", (s, e)


def test_a_go_method_far_from_its_type_gets_the_type_header() -> None:
    text = (REPOS / "go" / "limiter" / "limiter.go").read_text()
    lines = text.split("\n")
    result = outline(text, "go")
    resets = [s for s in result.symbols if s.qualname == "Limiter.ResetDrops"]
    (context,) = contexts(result.symbols, lines, resets)
    # The method itself with the blank line after it (where a new method would go), then
    # the struct's doc comment and `type Limiter struct {` line only.
    method = (resets[0].start, resets[0].end + 1)
    assert lines[resets[0].end] == ""
    struct = next(s for s in result.symbols if s.name == "Limiter" and s.kind == "struct")
    assert context == [method, (struct.start, struct.signature_end)]
    assert lines[struct.signature_end - 1] == "type Limiter struct {"


def test_a_nested_method_does_not_repeat_its_type_header() -> None:
    text = (REPOS / "rust" / "src" / "cache.rs").read_text()
    result = outline(text, "rust")
    evict = [s for s in result.symbols if s.qualname == "LruCache.evict_oldest"]
    lines = text.split("\n")
    (context,) = contexts(result.symbols, lines, evict)
    impl = next(
        s for s in result.symbols if s.kind == "impl" and s.start <= evict[0].start <= s.end
    )
    # The method with the blank line after it, then only the `impl` line above it.
    assert lines[evict[0].end] == ""
    assert context == [(evict[0].start, evict[0].end + 1), (impl.start, impl.signature_end)]


def test_jvm_frames_point_at_the_package_path_and_skip_the_runtime() -> None:
    text = (
        "java.lang.IllegalStateException: boom\n"
        "\tat org.shop.Cart.applyDiscount(Cart.java:27)\n"
        "\tat org.shop.Cart$Line.<init>(Cart.java:90)\n"
        "\tat java.lang.reflect.Method.invoke(Method.java:498)\n"
        "\tat org.junit.runners.ParentRunner.run(ParentRunner.java:363)\n"
        "and in app/main.py:12\n"
    )
    signals = extract(text)
    assert signals.frames == [
        ("org/shop/Cart.java", 27, "applyDiscount"),
        ("org/shop/Cart.java", 90, "<init>"),
        ("app/main.py", 12, None),
    ]
    # A bare file name inside a JVM frame is no path mention (the JDK's Method.java is not
    # the project's own Method.java).
    assert not {"Method.java", "Cart.java", "ParentRunner.java"} & set(signals.paths)


def test_a_jvm_stack_trace_ranks_the_frame_file_first(tmp_path: Path) -> None:
    root = tmp_path / "java"
    shutil.copytree(REPOS / "java", root)
    # A project file with the JDK frame's name must not be pulled in by it.
    (root / "src/main/java/org/shop/Method.java").write_text(
        "package org.shop;\n\n/** How an order is paid. */\npublic enum Method { CARD, CASH }\n"
    )
    task = (
        "Checkout fails with an exception:\n"
        "java.lang.ArithmeticException: Non-terminating decimal expansion\n"
        "\tat java.math.BigDecimal.divide(BigDecimal.java:1693)\n"
        "\tat org.shop.Cart.applyDiscount(Cart.java:28)\n"
        "\tat java.lang.reflect.Method.invoke(Method.java:498)\n"
    )
    ws = Workspace.open(root, Config.load(root))
    pack = ws.pack(Task(task), BUDGET, "json")
    first = pack.items[0]
    assert first.path == "src/main/java/org/shop/Cart.java"
    assert "in a traceback: line 28 in `applyDiscount`" in first.reasons
    evidence = {i.path: " ".join(i.reasons) for i in pack.items}
    assert "traceback" not in evidence.get("src/main/java/org/shop/Method.java", "")
    assert "named in the task" not in evidence.get("src/main/java/org/shop/Method.java", "")


@pytest.mark.parametrize(
    ("path", "weight"),
    [
        ("limiter/limiter.go", 1.0),
        ("limiter/limiter_test.go", 0.3),
        ("limiter/testdata/golden.go", 0.3),
        ("src/__mocks__/api.ts", 0.3),
        ("src/__snapshots__/queue.test.ts.snap", 0.3),
        ("clap_mangen/tests/snapshots/group.roff", 0.3),
        ("e2e/login.spec.ts", 0.3),
        ("src/test/java/org/shop/CartTest.java", 0.3),
        ("_examples/rest/main.go", 0.6),
        ("benches/bytes_mut.rs", 0.6),
        (".github/workflows/ci.yml", 0.5),
        ("ci/test-stable.sh", 0.5),
        ("src/locale/de/_lib/formatDistance/index.ts", 0.6),
        ("packages/zod/src/v4/locales/fr.ts", 0.6),
        ("src/locales/fr.json", 0.15),
        ("vendor/github.com/pkg/errors/errors.go", 0.15),
    ],
)
def test_priors_for_each_language_layout(path: str, weight: float) -> None:
    assert prior(path)[0] == weight


def test_links_lend_the_task_no_words_but_a_linked_file_path() -> None:
    text = (
        "Bad output ![image](https://user-images.githubusercontent.com/97/1651-ceb7.png)\n"
        "as in https://github.com/golang/go/blob/485ed2f/src/net/http/server.go#L1216 and\n"
        "<https://example.com/docs/guide.html?tab=remote>\n"
    )
    query = extract(text).query
    assert {"bad", "output", "server", "http", "net"} <= set(query)
    assert not {"image", "user", "images", "githubusercontent", "png", "ceb7"} & set(query)
    assert not {"example", "docs", "guide", "html", "tab", "remote", "golang"} & set(query)


def test_a_module_constant_with_methods_is_shown_whole_in_a_slice(tmp_path: Path) -> None:
    """`const defaults = {...}` holds data lines and methods: the slice shows the data too."""
    helpers = "".join(
        f"\nexport function format{i}(value) {{\n  return String(value).padStart({i}, '0');\n}}\n"
        for i in range(60)
    )
    defaults = (
        "export const defaults = {\n"
        "  timeout: 0,\n"
        "  maxRedirects: 21,\n"
        "  validateStatus(status) {\n"
        "    return status >= 200 && status < 300;\n"
        "  },\n"
        "};\n"
    )
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "config.js").write_text(helpers + "\n" + defaults)
    ws = Workspace.open(tmp_path, Config.load(tmp_path))
    task = "The defaults allow 21 redirects (maxRedirects); browsers stop at 20."
    pack = ws.pack(Task(task), 300, "json")
    item = pack.items[0]
    assert (item.path, item.mode) == ("lib/config.js", "slice")
    assert defaults.rstrip("\n") in item.text


def test_a_rust_path_names_the_member_of_its_type() -> None:
    signals = extract(
        "Calling `LruCache::touch` panics; so does clap_complete::CompleteEnv::with_factory, "
        "unlike std::io::stdout or Self::Value."
    )
    assert ("LruCache", "touch") in signals.qualified
    assert ("CompleteEnv", "with_factory") in signals.qualified
    assert "touch" in signals.symbols and "LruCache" in signals.symbols
    # A crate or module (`std::io`) is no type, and `Self` is whatever type the code is in.
    assert not any(owner in ("io", "Self") for owner, _ in signals.qualified)


def test_a_method_named_by_its_rust_path_is_shown_in_a_slice(tmp_path: Path) -> None:
    root = tmp_path / "rust"
    shutil.copytree(REPOS / "rust", root)
    # The task's words match the counters' methods; only the path names the method to show.
    task = Task(
        "LruCache::touch does not move the entry: the hits count, misses count and inserts "
        "count reset to zero after reset_hits, reset_misses and reset_inserts."
    )
    pack = Workspace.open(root, Config.load(root)).pack(task, 250, "json")
    item = next(i for i in pack.items if i.path == "src/cache.rs")
    lines = (root / "src/cache.rs").read_text().split("\n")
    start, end = _block(lines, "    fn touch(&mut self, key: &K) {")
    assert "\n".join(lines[start - 1 : end]) in item.text
    assert "impl<K: Hash + Eq + Clone, V> LruCache<K, V> {" in item.text


def test_a_value_named_for_its_type_qualifies_the_types_member() -> None:
    signals = extract("The error of config.get is wrong, as is file_config.load_all; not self.get.")
    assert ("Config", "get") in signals.qualified
    assert ("FileConfig", "load_all") in signals.qualified
    assert not any(owner == "Self" for owner, _ in signals.qualified)


def test_a_method_named_through_a_value_of_its_type_is_shown_in_a_slice(tmp_path: Path) -> None:
    """`config.get`: `get` is too common a word to be evidence, yet the value names its type;
    the other methods hold more of the task's words."""
    steps = "".join(
        f"\n    pub fn error_message_{i}(&self) -> String {{\n"
        f'        format!("deserialization error {i}: {{}}", self.name)\n    }}\n'
        for i in range(40)
    )
    get = (
        "    pub fn get(&self, key: &str) -> Option<String> {\n"
        "        self.table.get(key).cloned()\n    }\n"
    )
    text = f"pub struct Config {{\n    name: String,\n}}\n\nimpl Config {{\n{get}{steps}}}\n"
    task = "Fix the error message of config.get for a deserialization error"
    item = _member_pack(tmp_path, "src/config.rs", text, task, 300)
    _shown_in_order(item, "impl Config {", get.rstrip("\n"))


# A long module of helpers, so that no file fits whole and the slice must find the member.
_JS_HELPERS = "".join(
    f"\nexport function format{i}(value) {{\n  return String(value).padStart({i}, '0');\n}}\n"
    for i in range(60)
)


def _member_pack(tmp_path: Path, path: str, text: str, task: str, budget: int) -> Item:
    (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / path).write_text(text)
    ws = Workspace.open(tmp_path, Config.load(tmp_path))
    pack = ws.pack(Task(task), budget, "json")
    assert pack.tokens <= budget
    item = pack.items[0]
    assert (item.path, item.mode) == (path, "slice")
    return item


def _shown_in_order(item: Item, *lines: str) -> None:
    """Each of `lines` is shown as a whole line, in this order."""
    text = f"\n{item.text}\n"
    at = [text.index(f"\n{line}\n") for line in lines]
    assert at == sorted(at), at


def test_one_property_of_a_large_module_object_is_shown_with_its_const_line(
    tmp_path: Path,
) -> None:
    """`em: /.../` inside `const inline = {...}`: the property is a slice unit of its own,
    shown with the `const inline = {` line, where the whole table would not fit."""
    rules = "".join(f"  rule{i}: /^(?:token{i}[a-z]+|{i}\\d+)\\s*/,\n" for i in range(80))
    em = "  em: /^_([^\\s_])_(?!_)|^\\*([^\\s*<\\[])\\*(?!\\*)/,"
    text = _JS_HELPERS + "\nconst inline = {\n" + rules + em + "\n" + rules + "};\n"
    task = "Intra-word emphasis: `em` matches the wrong asterisks in levio*SAH*."
    item = _member_pack(tmp_path, "src/rules.js", text, task, 400)
    _shown_in_order(item, "const inline = {", em)
    assert "rule79" not in item.text  # a slice of the member, not the whole table


def _amid(opening: str, siblings: str, member: str, closing: str) -> str:
    """A container whose one `member` line(s) stand between two runs of `siblings`."""
    return opening + siblings + member + "\n" + siblings + closing


def test_one_row_of_a_module_level_table_is_shown_with_its_declaration(tmp_path: Path) -> None:
    """`var _rules = [['name', fn, [...]], ...]`: a row led by its name is a slice unit."""
    rows = "".join(
        f"  [ 'rule{i}', require('./rules/rule{i}'), [ 'paragraph', 'list' ] ],\n"
        for i in range(80)
    )
    html = "  [ 'html_block', require('./rules/html_block'), [ 'paragraph', 'reference' ] ],"
    text = _JS_HELPERS + _amid("\nvar _rules = [\n", rows, html, "];\n")
    task = "An html_block interrupts a paragraph where it must not: html_block is wrong."
    item = _member_pack(tmp_path, "lib/parser_block.js", text, task, 400)
    _shown_in_order(item, "var _rules = [", html)
    assert "rule79" not in item.text


def test_an_interface_field_is_shown_with_its_interface_line(tmp_path: Path) -> None:
    """A TypeScript interface's field (`retryDelay: ...`) is a slice unit like its methods."""
    fields = "".join(f"  option{i}?: Record<string, number | string>\n" for i in range(80))
    retry = "  retryDelay: (attempt: number, error: Error) => number"
    helpers = _JS_HELPERS.replace("(value)", "(value: unknown): string")
    text = helpers + _amid("\nexport interface ClientOptions {\n", fields, retry, "}\n")
    task = "ClientOptions.retryDelay is typed to return a number, but a Promise is allowed too."
    item = _member_pack(tmp_path, "src/options.ts", text, task, 400)
    _shown_in_order(item, "export interface ClientOptions {", retry)
    assert "option79" not in item.text


def test_a_function_assigned_inside_a_long_closure_is_shown_with_the_closure_line(
    tmp_path: Path,
) -> None:
    """`self.command = function (...)` members of `function Yargs () {...}`."""
    members = "".join(
        f"  self.option{i} = function (key) {{\n    options.push(['{i}', key])\n"
        f"    return self\n  }}\n\n"
        for i in range(80)
    )
    command = (
        "  self.command = function (cmd, description, builder) {\n"
        "    commands.addHandler(cmd, description, builder)\n"
        "    return self\n"
        "  }"
    )
    opening = "export function Yargs (processArgs) {\n  const self = {}\n  const options = []\n\n"
    text = _amid(opening, members, command + "\n", "  return self\n}\n")
    task = "yargs.command(module) is missing: self.command drops the module's builder."
    item = _member_pack(tmp_path, "lib/yargs.js", text, task, 300)
    _shown_in_order(item, "export function Yargs (processArgs) {", *command.split("\n"))
    assert "option79" not in item.text


def test_a_method_inside_a_feature_gate_macro_is_shown_with_its_impl_line(
    tmp_path: Path,
) -> None:
    """`cfg_net! { impl Socket { ... } }`: the methods of an impl written inside a macro are
    slice units with their `impl` line, as they would be outside it."""
    methods = "".join(
        f"        pub fn option{i}(&self) -> u32 {{\n            self.flags >> {i}\n        }}\n\n"
        for i in range(60)
    )
    connect = (
        "        pub fn connect(&self, addr: Addr) -> Result<()> {\n"
        "            self.inner.connect(addr)\n"
        "        }"
    )
    text = _amid("cfg_net! {\n    impl Socket {\n", methods, connect + "\n", "    }\n}\n")
    task = "Socket::connect ignores the address family of addr and connects over IPv4."
    item = _member_pack(tmp_path, "src/socket.rs", text, task, 300)
    _shown_in_order(item, "    impl Socket {", *connect.split("\n"))
    assert "option59" not in item.text


def test_a_piece_of_a_long_rust_function_is_shown_with_its_signature(tmp_path: Path) -> None:
    """A 300-line builder of flags: the piece holding the flag the task is about is shown,
    with the `fn` line, where the whole function would not fit."""
    flags = [f"        .arg(Arg::new(OPTION_{i}).long(OPTION_{i}))\n" for i in range(300)]
    flags[150] = "        .arg(Arg::new(HIDDEN).long(HIDDEN).help(SEARCH_HIDDEN_FILES))\n"
    text = "pub fn build_app() -> Command {\n    Command::new(NAME)\n" + "".join(flags) + "}\n"
    task = "The --hidden flag's help text says files, but it also searches hidden directories."
    item = _member_pack(tmp_path, "src/app.rs", text, task, 1500)
    _shown_in_order(item, "pub fn build_app() -> Command {", flags[150].rstrip("\n"))
    assert "OPTION_0)" not in item.text and "OPTION_299" not in item.text


def test_a_piece_of_a_long_go_struct_is_shown_with_its_type_line(tmp_path: Path) -> None:
    """A `type Server struct` of 200 documented fields: the piece holding the field the
    task is about is shown, with the `type` line, where the whole struct would not fit."""
    fields = [f"\t// Option{i} sets option {i}.\n\tOption{i} int\n" for i in range(200)]
    fields[100] = "\t// StrictHost rejects an empty Host header.\n\tStrictHost bool\n"
    text = "package srv\n\ntype Server struct {\n" + "".join(fields) + "}\n"
    task = "StrictHost does not reject a request with an empty Host header."
    item = _member_pack(tmp_path, "srv/server.go", text, task, 1000)
    _shown_in_order(item, "type Server struct {", *fields[100].rstrip("\n").split("\n"))
    assert "Option199 int" not in item.text  # a piece, not the whole struct


def test_a_piece_of_a_long_go_function_is_shown_with_its_signature(tmp_path: Path) -> None:
    """The same in Go: a 300-line `switch` of cases, one of them the task's."""
    cases = [f"\tcase OPTION_{i}:\n\t\treturn apply(OPTION_{i})\n" for i in range(300)]
    cases[150] = "\tcase HIDDEN:\n\t\treturn searchHiddenFiles(HIDDEN)\n"
    text = "package app\n\nfunc dispatch(opt int) error {\n\tswitch opt {\n"
    text += "".join(cases) + "\t}\n\treturn nil\n}\n"
    task = "The hidden option's search skips hidden directories: searchHiddenFiles is wrong."
    item = _member_pack(tmp_path, "app/dispatch.go", text, task, 1500)
    _shown_in_order(item, "func dispatch(opt int) error {", *cases[150].rstrip("\n").split("\n"))
    assert "OPTION_299" not in item.text  # a piece, not the whole function


def test_a_piece_of_a_long_function_starts_at_the_paragraph_its_cut_falls_in(
    tmp_path: Path,
) -> None:
    """Pieces are cut at the blank line before a paragraph of code, not inside it: the
    paragraph holding the task's call (lines 59-67 here, across the 60-line mark at 63) is
    shown from its blank line and opening comment on."""
    lines = ["\tsetup()\n"] * 5  # lines 4-8, so paragraphs start at 9, 19, ... 59
    for i in range(30):
        lines.append(f"\t// step {i}\n")
        body = [f"\tdo{i}x{k}(conn)\n" for k in range(8)]
        if i == 5:
            body[5] = "\tretryTLSHandshake(conn, deadline)\n"
        lines += body + ["\n"]
    text = "package net\n\nfunc serve(conn Conn) {\n" + "".join(lines) + "}\n"
    task = "retryTLSHandshake gives up before the deadline on a slow connection."
    item = _member_pack(tmp_path, "net/serve.go", text, task, 1200)
    assert text.split("\n")[57:59] == ["", "\t// step 5"]  # lines 58 and 59
    _shown_in_order(item, "func serve(conn Conn) {", "\t// step 5", "\tdo5x4(conn)")
    assert "\n\n\t// step 5\n\tdo5x0(conn)\n" in item.text  # from the blank line on
    _shown_in_order(item, "\tretryTLSHandshake(conn, deadline)")
    assert "\t// step 4" not in item.text  # a piece, not the whole function


def _two_closers() -> str:
    """A Go file where two types have a `Close`; `ServerConn`'s matches more of the words of
    the panic below ("closed channel"), `Server`'s is the one its trace names."""
    parts = ['package srv\n\nimport "sync"\n']
    for typ in ("ServerConn", "Server"):
        parts.append(
            f"type {typ} struct {{\n\tmu   sync.Mutex\n\tdone chan struct{{}}\n\tn int\n}}\n"
        )
        steps = "".join(f"\tx.n -= {i} // drain step {i}\n" for i in range(8))
        note = " // the closed channel panics" if typ == "ServerConn" else ""
        parts.append(
            f"func (x *{typ}) Close() error {{\n\tx.mu.Lock()\n\tdefer x.mu.Unlock()\n{steps}"
            f"\tclose(x.done){note}\n\treturn nil\n}}\n"
        )
        for i in range(12):
            parts.append(f"func (x *{typ}) Stat{i}() int {{\n\treturn x.n + {i}\n}}\n")
    return "\n".join(parts)


GO_PANIC = (
    "panic: close of closed channel\n\ngoroutine 9 [running]:\n"
    "example.com/srv.(*Server).Close(0xc000010000)\n"
    "\t/home/me/go/pkg/mod/example.com/srv@v0.3.0/pool.go:999 +0x45\n"
)


def test_a_go_trace_names_a_method_by_its_receiver_type() -> None:
    assert ("Server", "Close") in extract(GO_PANIC).qualified
    assert ("ServerConn", "Close") not in extract(GO_PANIC).qualified


def test_the_method_a_go_trace_names_is_shown_though_its_line_is_another_version_s(
    tmp_path: Path,
) -> None:
    # The trace's line (999) is past the end of this version of the file: its names still hold.
    root = tmp_path / "srv"
    root.mkdir()
    (root / "go.mod").write_text("module example.com/srv\n\ngo 1.21\n")
    (root / "pool.go").write_text(_two_closers())
    lines = _two_closers().split("\n")
    ws = Workspace.open(root, Config.load(root))
    pack = ws.pack(Task(GO_PANIC), 250, "json")
    assert pack.tokens <= 250
    item = pack.items[0]
    assert item.path == "pool.go"
    server_close = lines.index("func (x *Server) Close() error {") + 1
    conn_close = lines.index("func (x *ServerConn) Close() error {") + 1
    assert any(s <= server_close <= e for s, e in item.lines)
    assert not any(s <= conn_close <= e for s, e in item.lines)
