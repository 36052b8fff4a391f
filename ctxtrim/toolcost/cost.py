"""What one tool definition costs: the cl100k tokens of its name, description and JSON input
schema, serialized as clients send them to the model (compact JSON, `input_schema`)."""

from __future__ import annotations

import json
from typing import Any

from ..tokens import Tokenizer
from .model import ToolDef


def definition_text(name: str, description: str, schema: dict[str, Any]) -> str:
    """The definition as one JSON object, the way a client puts it into a request."""
    return json.dumps(
        {"name": name, "description": description, "input_schema": schema},
        ensure_ascii=False,
        separators=(",", ":"),
    )


def tool_def(tokenizer: Tokenizer, name: str, description: str, schema: dict[str, Any]) -> ToolDef:
    text = definition_text(name, description, schema)
    return ToolDef(name, description, schema, tokenizer.count(text))
