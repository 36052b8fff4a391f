"""Per-language tables for the tree-sitter outliner: grammars, definition and import patterns.

Patterns are kept as separate strings so that one a grammar version does not know can be
dropped on load instead of disabling the whole language.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Spec:
    """What the outliner needs to know about one tree-sitter language."""

    module: str  # grammar package, imported lazily
    function: str  # its function returning the language pointer
    defs: tuple[str, ...]  # query patterns capturing definitions as @def
    imports: tuple[str, ...]  # query patterns capturing import nodes as @import
    refs: tuple[str, ...]  # identifier-like node types counted as references
    # Query patterns capturing, as @wrap, parents that wrap a definition and belong to it
    # (decorators, `export`, `template<>`). Found by query because Node.parent costs O(depth).
    wrappers: tuple[str, ...] = ()
    # Body-less ("keyword") syntax: the header ends where the body starts, not at a brace.
    colon_headers: bool = False


def _alt(*types: str) -> str:
    return "[" + " ".join(f"({t})" for t in types) + "] @def"


# The declarations a module-level constant is written in, as query prefixes and their closers.
_MODULE_DECLARATIONS = (
    ("(lexical_declaration", ")"),
    ("(variable_declaration", ")"),
    ("(export_statement (lexical_declaration", "))"),
)
_JS_DEFS = (
    _alt("function_declaration", "generator_function_declaration", "class_declaration"),
    _alt("method_definition"),
    "(variable_declarator value: [(arrow_function) (function_expression) (function)"
    " (generator_function)]) @def",
    "(assignment_expression left: [(identifier) (member_expression)]"
    " right: [(arrow_function) (function_expression) (function)]) @def",
    "(field_definition value: [(arrow_function) (function_expression) (function)]) @def",
    # Object-literal methods written as `key: function () {}` or `key: () => {}`.
    "(pair key: [(property_identifier) (string)]"
    " value: [(arrow_function) (function_expression) (function)]) @def",
    # Module-level object and array constants (`const defaults = {...}`): code lives there too.
    "(program (lexical_declaration (variable_declarator value: [(object) (array)]) @def))",
    "(program (variable_declaration (variable_declarator value: [(object) (array)]) @def))",
    "(program (export_statement (lexical_declaration"
    " (variable_declarator value: [(object) (array)]) @def)))",
    # Their members, so a slice can show one entry of a large table with the `const x = {`
    # line: a property (`em: /.../`) or a row led by its name (`['table', require(...)]`).
    *(
        f"(program {decl} (variable_declarator value: (object (pair) @def)){close})"
        for decl, close in _MODULE_DECLARATIONS
    ),
    *(
        f"(program {decl} (variable_declarator value: (array (array . (string)) @def)){close})"
        for decl, close in _MODULE_DECLARATIONS
    ),
)
_TS_DEFS = (
    *_JS_DEFS[:4],
    *_JS_DEFS[5:],
    "(public_field_definition value: [(arrow_function) (function_expression)]) @def",
    _alt(
        "abstract_class_declaration",
        "interface_declaration",
        "enum_declaration",
        "type_alias_declaration",
        "function_signature",
        "method_signature",
        "abstract_method_signature",
        "internal_module",
        "module",
    ),
    # An interface's fields (`coerce: {...}`), beside its methods (`method_signature`).
    "(interface_declaration body: (_ (property_signature) @def))",
)
_JS_IMPORTS = (
    "(import_statement source: (string) @import)",
    "(export_statement source: (string) @import)",
    "(call_expression function: (identifier) @_fn arguments: (arguments . (string) @import)"
    ' (#eq? @_fn "require"))',
    "(call_expression function: (import) arguments: (arguments . (string) @import))",
)
_JS_FUNCTIONS = "[(arrow_function) (function_expression) (function) (generator_function)]"
_JS_VALUES = (
    "[(arrow_function) (function_expression) (function) (generator_function) (object) (array)]"
)
_JS_WRAPPERS = (
    "(export_statement) @wrap",
    f"(lexical_declaration (variable_declarator value: {_JS_VALUES})) @wrap",
    f"(variable_declaration (variable_declarator value: {_JS_VALUES})) @wrap",
    f"(expression_statement (assignment_expression right: {_JS_FUNCTIONS})) @wrap",
)
_TS_WRAPPERS = (*_JS_WRAPPERS, "(ambient_declaration) @wrap")

_C_DEFS = (
    _alt("function_definition"),
    "(preproc_function_def) @def",  # `#define CHECK(x) ...`: macros are the API of many C libraries
    "(struct_specifier body: (_)) @def",
    "(union_specifier body: (_)) @def",
    "(enum_specifier body: (_)) @def",
    "(translation_unit (declaration declarator: (function_declarator)) @def)",
)
_C_IMPORTS = ("(preproc_include path: (_) @import)",)

SPECS: dict[str, Spec] = {
    "python": Spec(
        module="tree_sitter_python",
        function="language",
        defs=(_alt("function_definition", "class_definition"),),
        imports=(_alt("import_statement", "import_from_statement").replace("@def", "@import"),),
        refs=("identifier",),
        wrappers=("(decorated_definition) @wrap",),
        colon_headers=True,
    ),
    "javascript": Spec(
        module="tree_sitter_javascript",
        function="language",
        defs=_JS_DEFS,
        imports=_JS_IMPORTS,
        refs=("identifier", "property_identifier", "shorthand_property_identifier"),
        wrappers=_JS_WRAPPERS,
    ),
    "typescript": Spec(
        module="tree_sitter_typescript",
        function="language_typescript",
        defs=_TS_DEFS,
        imports=_JS_IMPORTS,
        refs=("identifier", "property_identifier", "type_identifier"),
        wrappers=_TS_WRAPPERS,
    ),
    "tsx": Spec(
        module="tree_sitter_typescript",
        function="language_tsx",
        defs=_TS_DEFS,
        imports=_JS_IMPORTS,
        refs=("identifier", "property_identifier", "type_identifier"),
        wrappers=_TS_WRAPPERS,
    ),
    "go": Spec(
        module="tree_sitter_go",
        function="language",
        defs=(
            _alt("function_declaration", "method_declaration", "type_spec", "type_alias"),
            # Package-level variables and constants (tables, defaults, error values).
            "(source_file (var_declaration (var_spec) @def))",
            "(source_file (var_declaration (var_spec_list (var_spec) @def)))",
            "(source_file (const_declaration (const_spec) @def))",
        ),
        imports=("(import_spec path: (_) @import)",),
        refs=("identifier", "type_identifier", "field_identifier", "package_identifier"),
        wrappers=(
            "(type_declaration) @wrap",
            "(var_declaration) @wrap",
            "(const_declaration) @wrap",
        ),
    ),
    "rust": Spec(
        module="tree_sitter_rust",
        function="language",
        defs=(
            _alt(
                "function_item",
                "function_signature_item",
                "struct_item",
                "enum_item",
                "union_item",
                "trait_item",
                "impl_item",
                "type_item",
                "mod_item",
                "macro_definition",
                "const_item",
                "static_item",
            ),
        ),
        imports=(
            "(use_declaration argument: (_) @import)",
            "(mod_item name: (identifier) @import !body)",
            "(extern_crate_declaration name: (identifier) @import)",
        ),
        refs=("identifier", "type_identifier", "field_identifier"),
    ),
    "java": Spec(
        module="tree_sitter_java",
        function="language",
        defs=(
            _alt(
                "class_declaration",
                "interface_declaration",
                "enum_declaration",
                "record_declaration",
                "annotation_type_declaration",
                "method_declaration",
                "constructor_declaration",
                "compact_constructor_declaration",
            ),
        ),
        imports=("(import_declaration) @import",),
        refs=("identifier", "type_identifier"),
    ),
    "c": Spec(
        module="tree_sitter_c",
        function="language",
        defs=_C_DEFS,
        imports=_C_IMPORTS,
        refs=("identifier", "type_identifier", "field_identifier"),
    ),
    "cpp": Spec(
        module="tree_sitter_cpp",
        function="language",
        defs=(
            *_C_DEFS,
            "(class_specifier body: (_)) @def",
            _alt("namespace_definition", "alias_declaration"),
            "(field_declaration declarator: (function_declarator)) @def",
            "(namespace_definition body: (declaration_list"
            " (declaration declarator: (function_declarator)) @def))",
        ),
        imports=_C_IMPORTS,
        refs=("identifier", "type_identifier", "field_identifier", "namespace_identifier"),
        wrappers=("(template_declaration) @wrap",),
    ),
    "csharp": Spec(
        module="tree_sitter_c_sharp",
        function="language",
        defs=(
            _alt(
                "class_declaration",
                "struct_declaration",
                "interface_declaration",
                "enum_declaration",
                "record_declaration",
                "record_struct_declaration",
                "method_declaration",
                "constructor_declaration",
                "destructor_declaration",
                "property_declaration",
                "delegate_declaration",
                "namespace_declaration",
                "file_scoped_namespace_declaration",
                "local_function_statement",
            ),
        ),
        imports=("(using_directive) @import",),
        refs=("identifier",),
    ),
    "ruby": Spec(
        module="tree_sitter_ruby",
        function="language",
        defs=(_alt("class", "module", "method", "singleton_method"),),
        imports=(
            "(call method: (identifier) @_fn arguments: (argument_list . (string) @import)"
            ' (#match? @_fn "^(require|require_relative|load)$"))',
        ),
        refs=("identifier", "constant"),
        colon_headers=True,
    ),
    "php": Spec(
        module="tree_sitter_php",
        function="language_php",
        defs=(
            _alt(
                "class_declaration",
                "interface_declaration",
                "trait_declaration",
                "enum_declaration",
                "function_definition",
                "method_declaration",
                "namespace_definition",
            ),
        ),
        imports=(
            "(namespace_use_declaration) @import",
            _alt(
                "require_expression",
                "require_once_expression",
                "include_expression",
                "include_once_expression",
            ).replace("@def", "@import"),
        ),
        refs=("name",),
    ),
}

# Node type -> symbol kind. Shared across grammars: the same type name means the same thing.
KINDS: dict[str, str] = {
    "class_definition": "class",
    "class_declaration": "class",
    "abstract_class_declaration": "class",
    "class_specifier": "class",
    "class": "class",
    "function_definition": "function",
    "function_declaration": "function",
    "generator_function_declaration": "function",
    "function_item": "function",
    "function_signature_item": "function",
    "function_signature": "function",
    "local_function_statement": "function",
    "method": "function",  # Ruby `def`; becomes a method inside a class or module
    "variable_declarator": "function",
    "assignment_expression": "function",
    "declaration": "function",  # a C/C++ prototype
    "singleton_method": "method",
    "method_definition": "method",
    "method_declaration": "method",
    "method_signature": "method",
    "abstract_method_signature": "method",
    "constructor_declaration": "method",
    "destructor_declaration": "method",
    "compact_constructor_declaration": "method",
    "field_definition": "method",
    "public_field_definition": "method",
    "field_declaration": "method",  # a C++ in-class method prototype
    "interface_declaration": "interface",
    "annotation_type_declaration": "interface",
    "enum_declaration": "enum",
    "enum_specifier": "enum",
    "enum_item": "enum",
    "struct_specifier": "struct",
    "struct_item": "struct",
    "struct_declaration": "struct",
    "record_struct_declaration": "struct",
    "union_specifier": "union",
    "union_item": "union",
    "record_declaration": "record",
    "trait_item": "trait",
    "trait_declaration": "trait",
    "impl_item": "impl",
    "mod_item": "module",
    "module": "module",
    "internal_module": "namespace",
    "namespace_definition": "namespace",
    "namespace_declaration": "namespace",
    "file_scoped_namespace_declaration": "namespace",
    "type_alias_declaration": "type",
    "type_item": "type",
    "type_alias": "type",
    "alias_declaration": "type",
    "type_spec": "type",
    "delegate_declaration": "type",
    "property_declaration": "property",
    "macro_definition": "macro",
    "preproc_function_def": "macro",
    "const_item": "constant",
    "static_item": "constant",
    "const_spec": "constant",
    "var_spec": "variable",
    "pair": "function",  # an object-literal method; a method when its object is class-like
    "property_signature": "field",  # a TypeScript interface's field (see outline.FIELD_KIND)
}

# A function whose nearest enclosing definition has one of these kinds is a method.
CLASS_LIKE: frozenset[str] = frozenset(
    {"class", "struct", "interface", "trait", "impl", "enum", "record", "union", "module"}
)

GRAMMAR_MODULES: frozenset[str] = frozenset(spec.module for spec in SPECS.values())
