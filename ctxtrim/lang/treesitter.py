"""Outlines from tree-sitter parse trees.

Everything that touches every node runs inside tree-sitter (queries); Python only visits the
matched definitions and imports, and never recurses, so deeply nested input is safe.
"""

from __future__ import annotations

import importlib
import re
import threading
from dataclasses import dataclass

from tree_sitter import Language, Node, Parser, Query, QueryCursor, QueryError

from ..outline import FIELD_KIND, Outline, Symbol
from .item_macros import parse_unwrapped
from .specs import CLASS_LIKE, KINDS, SPECS, Spec
from .text import attached_above, comment_doc, docstring_doc

# Parents that only count as part of the definition when it is their single child:
# `const a = 1, b = () => {}` must not give `b` the start line of the whole statement.
_SINGLE_CHILD_WRAPPERS = frozenset(
    {
        "lexical_declaration",
        "variable_declaration",
        "expression_statement",
        "type_declaration",
        "var_declaration",
        "const_declaration",
    }
)
# JS/TS declarator values that make a constant, not a function.
_JS_DATA_VALUES = frozenset({"object", "array"})
# JS/TS values that make an object-literal property a method, not data.
_JS_FUNCTION_VALUES = frozenset(
    {"arrow_function", "function_expression", "function", "generator_function"}
)
_COMMENT_TYPES = frozenset({"comment", "line_comment", "block_comment"})
_NOT_WRAPPED = _COMMENT_TYPES | {"decorator"}
# C/C++ declarator nodes that hold the defined name itself.
_C_NAME_TYPES = frozenset(
    {
        "identifier",
        "field_identifier",
        "qualified_identifier",
        "destructor_name",
        "operator_name",
        "type_identifier",
        "template_function",
        "operator_cast",
    }
)
_GO_RECEIVER = re.compile(r"([A-Za-z_]\w*)\s*(?:\[[^\]]*\])?\s*\)\s*$")
_ALTERNATION = re.compile(r"\[((?:\s*\(\w+\))+)\s*\]")
_BARE_NODE = re.compile(r"\((\w+)\)")
_QUOTES = "\"'`<>"
# Rust type forms whose inner type names what an `impl` is for.
_RUST_TYPE_WRAPPERS = {
    "generic_type": "type",
    "reference_type": "type",
    "pointer_type": "type",
    "scoped_type_identifier": "name",
    "dynamic_type": "trait",  # `impl ToValue for dyn fmt::Debug` is for Debug
}
_IGNORED_REFS = frozenset({"self", "cls", "this", "super"})


class GrammarError(Exception):
    """The grammar for a language cannot be loaded or its queries do not compile."""


@dataclass(frozen=True)
class _Loaded:
    language: Language
    query: Query


_loaded: dict[str, _Loaded | GrammarError] = {}
_load_lock = threading.Lock()
_local = threading.local()  # Parser and QueryCursor are not safe to share between threads


def _load(name: str) -> _Loaded:
    """Import the grammar and compile its query on first use; remember failures too."""
    cached = _loaded.get(name)
    if cached is None:
        with _load_lock:
            cached = _loaded.get(name)
            if cached is None:
                try:
                    cached = _compile(SPECS[name])
                except GrammarError as exc:
                    cached = exc
                _loaded[name] = cached
    if isinstance(cached, GrammarError):
        raise cached
    return cached


def _compile(spec: Spec) -> _Loaded:
    try:
        module = importlib.import_module(spec.module)
        language = Language(getattr(module, spec.function)())
    except Exception as exc:  # ImportError, ABI version mismatch, missing function
        raise GrammarError(f"grammar {spec.module} unavailable: {type(exc).__name__}") from exc
    refs = [t for t in spec.refs if language.id_for_node_kind(t, True) is not None]
    patterns = [*spec.defs, *spec.imports, *spec.wrappers]
    if refs:
        patterns.append("[" + " ".join(f"({t})" for t in refs) + "] @ref")
    # Grammar versions differ in node names (`function` vs `function_expression`): drop the
    # unknown alternatives, then any pattern still rejected, rather than the whole language.
    pruned = (_prune_alternatives(language, p) for p in patterns)
    valid = [p for p in pruned if p is not None and _compiles(language, p)]
    if not valid:
        raise GrammarError(f"no query compiles for {spec.module}")
    return _Loaded(language, Query(language, "\n".join(valid)))


def _prune_alternatives(language: Language, pattern: str) -> str | None:
    """Remove `(type)` alternatives of `[...]` that the grammar does not define."""

    def prune(alternation: re.Match[str]) -> str:
        kept = [
            t
            for t in _BARE_NODE.findall(alternation.group(1))
            if language.id_for_node_kind(t, True) is not None
        ]
        return "[" + " ".join(f"({t})" for t in kept) + "]" if kept else "[]"

    pruned = _ALTERNATION.sub(prune, pattern)
    return None if "[]" in pruned else pruned


def _compiles(language: Language, pattern: str) -> bool:
    try:
        Query(language, pattern)
    except QueryError:
        return False
    return True


def _tools(name: str) -> tuple[Parser, QueryCursor]:
    """Return this thread's parser and query cursor for `name`."""
    tools: dict[str, tuple[Parser, QueryCursor]] = _local.__dict__.setdefault("tools", {})
    pair = tools.get(name)
    if pair is None:
        loaded = _load(name)
        pair = (Parser(loaded.language), QueryCursor(loaded.query))
        tools[name] = pair
    return pair


def parse_outline(text: str, language: str) -> tuple[Outline, bool]:
    """Outline `text` with the tree-sitter grammar for `language`; also say if it had errors.

    Raises GrammarError if the grammar is unavailable; other failures propagate to the caller,
    which falls back to the line-based outliner.
    """
    parser, cursor = _tools(language)
    data = _encode(text)
    if language == "rust":  # items inside `cfg_x! { ... }` are parsed where they stand
        data, tree = parse_unwrapped(data, parser)
    else:
        tree = parser.parse(data)
    captures = cursor.captures(tree.root_node)
    walker = _Extractor(data, text, language)
    symbols = walker.symbols(captures.get("def", []), captures.get("wrap", []))
    imports = walker.imports(captures.get("import", []))
    # A table's keys stay references: they are the names other code uses (`block.list`).
    defined = {s.name for s in symbols if s.kind != FIELD_KIND}
    refs = walker.refs(captures.get("ref", []), defined)
    return Outline(language, symbols, imports, refs), tree.root_node.has_error


def _encode(text: str) -> bytes:
    try:
        # Text decoded with surrogateescape gets its original bytes back.
        return text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace")


@dataclass
class _Candidate:
    node: Node  # the definition node itself
    anchor: Node  # the node including wrappers (decorators, export, template)
    name: str
    kind: str
    parent: str | None  # an explicit parent (Go receiver, C++ `A::f`), else found by nesting
    trait: str | None = None  # the trait of a Rust `impl Trait for Type`


class _Extractor:
    """Turns captured nodes of one parse into symbols, imports and refs."""

    def __init__(self, data: bytes, text: str, language: str) -> None:
        self.data = data
        self.text = text
        self.language = language
        self.spec = SPECS[language]
        self._lines: list[str] | None = None
        self.wrapper_of: dict[int, Node] = {}

    @property
    def lines(self) -> list[str]:
        if self._lines is None:
            self._lines = self.text.split("\n")  # never splitlines(): rows count '\n' only
        return self._lines

    def slice(self, node: Node) -> str:
        return self.data[node.start_byte : node.end_byte].decode("utf-8", "replace")

    # ---- symbols ------------------------------------------------------------------------

    def symbols(self, nodes: list[Node], wrappers: list[Node]) -> list[Symbol]:
        self.wrapper_of = _wrapped_children(wrappers)
        seen: set[int] = set()
        candidates: list[_Candidate] = []
        for node in nodes:
            if node.id in seen:
                continue
            seen.add(node.id)
            named = self._name(node)
            if named is None:
                continue
            name, parent = named
            kind = self._kind(node)
            trait = self._rust_impl_trait(node) if node.type == "impl_item" else None
            candidates.append(_Candidate(node, self._anchor(node), name, kind, parent, trait))
        candidates.sort(key=lambda c: (c.anchor.start_byte, -c.anchor.end_byte))
        return self._nest(candidates)

    def _nest(self, candidates: list[_Candidate]) -> list[Symbol]:
        """Assign parents by containment with a stack: no walk up the tree per symbol."""
        # (end_byte, name, kind, trait) of open definitions; the trait of an impl holds for
        # the functions inside it, however deep.
        stack: list[tuple[int, str, str, str | None]] = []
        symbols: list[Symbol] = []
        for c in candidates:
            while stack and stack[-1][0] < c.anchor.end_byte:
                stack.pop()
            parent, kind, trait = c.parent, c.kind, c.trait
            if parent is None and stack:
                parent = stack[-1][1]
                if kind == "function" and stack[-1][2] in CLASS_LIKE:
                    kind = "method"
            elif c.parent is not None and kind == "function":
                kind = "method"  # C++ `A::f` defined outside its class
            if trait is None and stack and kind in ("function", "method"):
                trait = stack[-1][3]
            symbols.append(self._symbol(c, kind, parent, trait))
            stack.append((c.anchor.end_byte, c.name, kind, trait))
        symbols.sort(key=lambda s: (s.start, -s.end))
        return symbols

    def _symbol(self, c: _Candidate, kind: str, parent: str | None, trait: str | None) -> Symbol:
        anchor = c.anchor
        first_row = anchor.start_point.row
        start_row, comments = attached_above(self.lines, first_row, self.language)
        end_row = anchor.end_point.row
        if anchor.end_point.column == 0 and end_row > first_row:
            end_row -= 1  # the node ends with its newline
        sig_row = min(self._signature_row(c.node), end_row)
        doc = self._docstring(c.node) if self.language == "python" else None
        if doc is None:
            doc = comment_doc(comments)
        return Symbol(
            name=c.name,
            kind=kind,
            start=start_row + 1,
            end=end_row + 1,
            signature_end=sig_row + 1,
            parent=parent,
            doc=doc,
            trait=trait,
        )

    def _anchor(self, node: Node) -> Node:
        anchor = node
        for _ in range(4):  # wrappers nest at most a few deep (export > declare > template)
            up = self.wrapper_of.get(anchor.id)
            if up is None:
                break
            anchor = up
        return anchor

    def _kind(self, node: Node) -> str:
        kind = KINDS.get(node.type, "function")
        if node.type == "array":  # a row of a module-level table
            return FIELD_KIND
        if node.type == "pair":
            value = node.child_by_field_name("value")
            if value is not None and value.type not in _JS_FUNCTION_VALUES:
                return FIELD_KIND
        if node.type == "variable_declarator":
            value = node.child_by_field_name("value")
            if value is not None and value.type in _JS_DATA_VALUES:
                return "constant"
        if node.type == "type_spec":
            value = node.child_by_field_name("type")
            if value is not None and value.type == "struct_type":
                return "struct"
            if value is not None and value.type == "interface_type":
                return "interface"
        return kind

    def _body(self, node: Node) -> Node | None:
        body = node.child_by_field_name("body")
        if body is not None:
            return body
        t = node.type
        if t in ("variable_declarator", "field_definition", "public_field_definition", "pair"):
            value = node.child_by_field_name("value")
            if value is not None and value.type in _JS_DATA_VALUES:
                return value  # a constant's header is its first line
            return value.child_by_field_name("body") if value is not None else None
        if t in ("const_item", "static_item", "const_spec", "var_spec"):
            return node.child_by_field_name("value")
        if t == "assignment_expression":
            right = node.child_by_field_name("right")
            return right.child_by_field_name("body") if right is not None else None
        if t == "type_spec":
            value = node.child_by_field_name("type")
            if value is not None and value.type in ("struct_type", "interface_type"):
                return value
        if t == "property_declaration":
            return node.child_by_field_name("accessors") or node.child_by_field_name("value")
        return None

    def _signature_row(self, node: Node) -> int:
        body = self._body(node)
        if node.type in ("macro_definition", "preproc_function_def"):  # rules/value, no body
            return node.start_point.row
        if not self.spec.colon_headers:
            return body.start_point.row if body is not None else node.end_point.row
        # Python/Ruby: the header is everything before the body (up to Python's ':').
        row = node.start_point.row
        for child in node.children:
            if child == body or child.type == "end":
                break
            if child.type not in _COMMENT_TYPES:
                row = child.end_point.row
        return row

    def _docstring(self, node: Node) -> str | None:
        body = node.child_by_field_name("body")
        if body is None or body.named_child_count == 0:
            return None
        first = body.named_children[0]
        if first.type != "expression_statement" or first.named_child_count != 1:
            return None
        literal = first.named_children[0]
        if literal.type != "string":
            return None
        return docstring_doc(self.slice(literal))

    # ---- names --------------------------------------------------------------------------

    def _name(self, node: Node) -> tuple[str, str | None] | None:
        """Return (name, explicit parent) for a definition node, or None to skip it."""
        t = node.type
        if t in ("function_definition", "declaration", "field_declaration") and self.language in (
            "c",
            "cpp",
        ):
            return self._c_declarator_name(node)
        if t in ("struct_specifier", "union_specifier", "enum_specifier", "class_specifier"):
            return self._c_type_name(node)
        if t == "impl_item":
            return self._rust_impl_name(node)
        if t == "method_declaration" and self.language == "go":
            return self._go_method_name(node)
        if t in ("field_definition",):
            target = node.child_by_field_name("property")
        elif t == "pair":
            target = node.child_by_field_name("key")
        elif t == "array":  # a table row is named by its leading string
            target = node.named_children[0] if node.named_child_count else None
        elif t == "assignment_expression":
            target = node.child_by_field_name("left")
            if target is not None and target.type == "member_expression":
                target = target.child_by_field_name("property")
        else:
            target = node.child_by_field_name("name")
        if target is None:
            return None
        if target.type == "scope_resolution":  # Ruby `class Foo::Bar`
            target = target.child_by_field_name("name") or target
        name = self.slice(target).strip(_QUOTES)
        return (name, None) if name else None

    def _c_declarator_name(self, node: Node) -> tuple[str, str | None] | None:
        d = node.child_by_field_name("declarator")
        for _ in range(64):  # declarators nest only a few deep in real code
            if d is None or d.type in _C_NAME_TYPES:
                break
            inner = d.child_by_field_name("declarator")
            if inner is None:  # reference_declarator has no field: take its named child
                inner = d.named_children[-1] if d.named_child_count else None
            d = inner
        if d is None or d.type not in _C_NAME_TYPES:
            return None
        parent: str | None = None
        for _ in range(64):
            if d.type != "qualified_identifier":
                break
            scope = d.child_by_field_name("scope")
            if scope is not None:
                if scope.type == "template_type":
                    scope = scope.child_by_field_name("name") or scope
                parent = self.slice(scope)
            nxt = d.child_by_field_name("name")
            if nxt is None:
                break
            d = nxt
        if d.type == "template_function":
            d = d.child_by_field_name("name") or d
        name = self.slice(d)
        return (name, parent) if name else None

    def _c_type_name(self, node: Node) -> tuple[str, str | None] | None:
        name = node.child_by_field_name("name")
        if name is not None:
            return self.slice(name), None
        up = node.parent  # `typedef struct { ... } point;` names the struct `point`
        if up is not None and up.type == "type_definition":
            declarator = up.child_by_field_name("declarator")
            if declarator is not None and declarator.type == "type_identifier":
                return self.slice(declarator), None
        return None

    def _rust_impl_name(self, node: Node) -> tuple[str, str | None] | None:
        target = node.child_by_field_name("type")
        # The type's own name: `&'a mut Deserializer<R>`, `*const T`, `io::Error`, `Box<[T]>`
        # and `dyn Error + 'static` are impls for Deserializer, T, Error, Box and Error.
        for _ in range(8):  # wrappers nest only a few deep
            if target is not None and target.type == "bounded_type" and target.named_child_count:
                target = target.named_children[0]
            if target is None or target.type not in _RUST_TYPE_WRAPPERS:
                break
            target = target.child_by_field_name(_RUST_TYPE_WRAPPERS[target.type])
        if target is None:
            return None
        return self.slice(target), None

    def _rust_impl_trait(self, node: Node) -> str | None:
        """The trait's own name in `impl<T> de::Visitor<'de> for X` (`Visitor`), `impl !Send
        for X` (`Send`); None for an inherent impl, or a trait a macro fills in (`$trait`)."""
        target = node.child_by_field_name("trait")
        for _ in range(8):  # `a::b::Trait<T>`: a generic type around a path, a few deep
            if target is None or target.type not in ("generic_type", "scoped_type_identifier"):
                break
            target = target.child_by_field_name("type" if target.type == "generic_type" else "name")
        if target is None:
            return None
        name = self.slice(target)
        return name if name.isidentifier() else None

    def _go_method_name(self, node: Node) -> tuple[str, str | None] | None:
        name = node.child_by_field_name("name")
        receiver = node.child_by_field_name("receiver")
        if name is None:
            return None
        parent = None
        if receiver is not None:
            match = _GO_RECEIVER.search(self.slice(receiver))
            parent = match.group(1) if match else None
        return self.slice(name), parent

    # ---- imports and refs -----------------------------------------------------------------

    def imports(self, nodes: list[Node]) -> list[str]:
        found: list[str] = []
        # Captures come grouped by pattern; sort to report imports in source order.
        for node in sorted(nodes, key=lambda n: n.start_byte):
            found.extend(self._import_names(node))
        return [m for m in dict.fromkeys(found) if m]

    def _import_names(self, node: Node) -> list[str]:
        t = node.type
        if t == "import_statement" and self.language == "python":
            names = []
            for child in node.children_by_field_name("name"):
                if child.type == "aliased_import":
                    child = child.child_by_field_name("name") or child
                names.append(self.slice(child))
            return names
        if t == "import_from_statement":
            module = node.child_by_field_name("module_name")
            return [self.slice(module)] if module is not None else []
        if node.parent is not None and node.parent.type == "use_declaration":
            return [self._rust_use_path(node)]
        if t == "import_declaration":  # Java
            text = self.slice(node).removeprefix("import").strip().rstrip(";").strip()
            return [_squash(text.removeprefix("static").strip())]
        if t == "using_directive":
            return [_csharp_using(self.slice(node))]
        if t == "namespace_use_declaration":
            return self._php_uses(node)
        if t.startswith(("require", "include")):
            match = re.search(r"['\"]([^'\"]+)['\"]", self.slice(node))
            return [match.group(1)] if match else []
        return [self.slice(node).strip(_QUOTES)]

    def _rust_use_path(self, node: Node) -> str:
        # `use a::b::{c, d}` -> "a::b"; `use a::b as c` -> "a::b"; `use a::*` -> "a".
        for _ in range(8):
            if node.type in ("scoped_use_list", "use_as_clause", "use_wildcard"):
                inner = node.child_by_field_name("path")
                if inner is None and node.named_child_count:
                    inner = node.named_children[0]
                if inner is None:
                    break
                node = inner
            else:
                break
        return _squash(self.slice(node))

    def _php_uses(self, node: Node) -> list[str]:
        prefix = ""
        for child in node.named_children:
            if child.type == "namespace_name":
                prefix = self.slice(child) + "\\"
        names = []
        stack = list(node.named_children)
        while stack:  # iterative: group clauses sit one level down
            child = stack.pop(0)
            if child.type == "namespace_use_group":
                stack.extend(child.named_children)
            elif child.type == "namespace_use_clause":
                target = child.named_children[0] if child.named_child_count else child
                names.append(prefix + self.slice(target).lstrip("\\"))
        return names

    def refs(self, nodes: list[Node], defined: set[str]) -> list[str]:
        data = self.data
        # Slice bytes and decode once per distinct name: most identifiers repeat.
        raw = {data[n.start_byte : n.end_byte] for n in nodes}
        names = {r.decode("utf-8", "replace") for r in raw}
        names -= defined
        names -= _IGNORED_REFS
        return sorted(n for n in names if n and not n.startswith("$"))


def _wrapped_children(wrappers: list[Node]) -> dict[int, Node]:
    """Map the id of each node a wrapper wraps to the wrapper."""
    wrapper_of: dict[int, Node] = {}
    for wrapper in wrappers:
        children = [c for c in wrapper.named_children if c.type not in _NOT_WRAPPED]
        if wrapper.type in _SINGLE_CHILD_WRAPPERS and len(children) != 1:
            continue
        for child in children:
            wrapper_of[child.id] = wrapper
    return wrapper_of


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _csharp_using(text: str) -> str:
    text = text.strip().rstrip(";")
    for word in ("global ", "using ", "static "):
        text = text.strip().removeprefix(word)
    if "=" in text:  # `using Json = Newtonsoft.Json;` imports the right-hand side
        text = text.split("=", 1)[1]
    return _squash(text)
