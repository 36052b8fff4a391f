"""Show tree-sitter the Rust items written inside a macro invocation.

Rust code often wraps whole items in a macro: a feature gate (`cfg_rt! { pub fn spawn() {} }`,
`cfg_if!`-style helpers of a crate's own), a generator that takes an item as written
(`pin_project! { pub struct Sleep { ... } }`, `thread_local! { static X: ... }`). The grammar
reads a macro's body as a flat token tree, so those functions, impl blocks and structs were
no definitions at all: never named by the task, no slice unit of their own, no `impl` line
with a method. Where an item-level invocation's braced body parses cleanly as items on its
own, its `name! {` and closing `}` are replaced with spaces (same length, so every offset and
line stays where it was) and the items parse where they stand. A body that is not items
(`impl_num! { u8, u16 }`, `bitflags!`, `quote!`) is left as it is.
"""

from __future__ import annotations

import re

from tree_sitter import Node, Parser, Tree

# A line starting an invocation with a braced body (`cfg_rt! {`, `tokio::cfg_rt! {`): files
# without one are not parsed here at all.
_BRACED_INVOCATION = re.compile(rb"(?m)^[ \t]*(?:[A-Za-z_]\w*::)*[A-Za-z_]\w*![ \t]*\{")
# Where an invocation stands as an item: at the top of a file, in a module, impl or trait.
_ITEM_PARENTS = frozenset({"source_file", "declaration_list"})
# What a body may hold to count as items (anything else, say an expression, and it is data).
_ITEMS = frozenset(
    {
        "function_item",
        "function_signature_item",
        "impl_item",
        "trait_item",
        "struct_item",
        "enum_item",
        "union_item",
        "type_item",
        "mod_item",
        "const_item",
        "static_item",
        "macro_definition",
        "use_declaration",
        "extern_crate_declaration",
        "associated_type",
        "foreign_mod_item",
    }
)
# Beside items, a body may hold comments, attributes and macro invocations (`cfg_b! {...}`
# nested in `cfg_a! {...}`, unwrapped on the next round).
_COMMENTS = frozenset({"line_comment", "block_comment"})
_DECORATION = _COMMENTS | {"attribute_item", "inner_attribute_item", "macro_invocation"}
MAX_NESTING = 3  # `cfg_io! { pin_project! { struct ... } }`: a few levels at most


def parse_unwrapped(data: bytes, parser: Parser) -> tuple[bytes, Tree]:
    """Parse `data` (Rust source) with each item-level macro invocation whose body is items
    turned into those items, by blanking the macro's name and braces (nested ones too, a few
    deep); return the source parsed and its tree. Without such an invocation, `data` parsed."""
    tree = parser.parse(data)
    if not _BRACED_INVOCATION.search(data):
        return data, tree
    for _ in range(MAX_NESTING):
        spans = [
            span
            for node in _item_invocations(tree.root_node)
            if (span := _wrapper_spans(node, data, parser)) is not None
        ]
        if not spans:
            break
        out = bytearray(data)
        for start, end in (s for pair in spans for s in pair):
            out[start:end] = b" " * (end - start)
        data = bytes(out)
        tree = parser.parse(data)
    return data, tree


def _item_invocations(root: Node) -> list[Node]:
    """Macro invocations standing as items: the file's, and those in module, impl and trait
    bodies (walked by an explicit stack, through items only)."""
    found: list[Node] = []
    stack = [root]
    while stack:
        node = stack.pop()
        for child in node.named_children:
            if child.type == "macro_invocation" and node.type in _ITEM_PARENTS:
                found.append(child)
            elif child.type in ("mod_item", "impl_item", "trait_item", "declaration_list"):
                stack.append(child)
    return found


def _wrapper_spans(
    node: Node, data: bytes, parser: Parser
) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """The byte spans of `name! {` and of the closing `}` of invocation `node`, if its body is
    braced and parses, alone, as items (and comments, attributes, invocations) only."""
    body = node.named_children[-1] if node.named_child_count else None
    if body is None or body.type != "token_tree":
        return None
    start, end = body.start_byte, body.end_byte
    if data[start : start + 1] != b"{" or data[end - 1 : end] != b"}":
        return None
    inner = parser.parse(data[start + 1 : end - 1]).root_node
    if inner.has_error:
        return None
    kinds = [c.type for c in inner.named_children]
    if not all(k in _ITEMS or k in _DECORATION for k in kinds) or all(
        k in _COMMENTS for k in kinds
    ):
        return None
    return (node.start_byte, start + 1), (end - 1, end)
