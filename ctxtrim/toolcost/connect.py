"""Start stdio MCP servers as their clients would and list their tools (--connect only).

Uses the official SDK's stdio client: the server gets the SDK's safe default environment plus
the entry's own `env` (references expanded), in its `cwd` (default: the repository root).
Every page of tools/list is read (nextCursor). Each server has its own timeout; one that
cannot start, crashes or stalls is reported with its error and the others go on. Servers run
a few at a time.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from ..redact import redact
from ..tokens import Tokenizer
from .cost import tool_def
from .expand import Launch
from .model import DEFAULT_TIMEOUT, ToolDef

MAX_PAGES = 100  # a server whose cursors never end is broken, not large
PARALLEL = 4  # servers started at once
_STDERR_TAIL = 300  # characters of a failed server's stderr quoted in its error


@dataclass
class Outcome:
    """What connecting to one server gave: its tools, or why there are none."""

    tools: list[ToolDef] = field(default_factory=list)
    error: str | None = None


def measure_all(
    launches: list[Launch], tokenizer: Tokenizer, timeout: float = DEFAULT_TIMEOUT
) -> list[Outcome]:
    """Connect to every launch (in parallel, bounded) and return one Outcome per launch."""
    import anyio

    outcomes = [Outcome() for _ in launches]

    async def main() -> None:
        limiter = anyio.CapacityLimiter(PARALLEL)

        async def one(index: int) -> None:
            async with limiter:
                outcomes[index] = await _measure(launches[index], tokenizer, timeout)

        async with anyio.create_task_group() as group:
            for index in range(len(launches)):
                group.start_soon(one, index)

    if launches:
        anyio.run(main)
    return outcomes


async def _measure(launch: Launch, tokenizer: Tokenizer, timeout: float) -> Outcome:
    import anyio

    with tempfile.TemporaryFile("w+", encoding="utf-8", errors="replace") as errlog:
        try:
            with anyio.fail_after(timeout):
                listed = await _list_tools(launch, errlog)
        except TimeoutError:
            return Outcome(error=_with_stderr(f"no answer within {timeout:g} s", errlog))
        except Exception as exc:  # noqa: BLE001 - any failure of one server is its status
            return Outcome(error=_with_stderr(_describe(exc, launch), errlog))
    return Outcome(tools=[tool_def(tokenizer, *item) for item in listed])


async def _list_tools(launch: Launch, errlog: TextIO) -> list[tuple[str, str, dict[str, Any]]]:
    from mcp import ClientSession, StdioServerParameters, stdio_client
    from mcp.types import PaginatedRequestParams

    params = StdioServerParameters(
        command=_command(launch), args=launch.args, env=launch.env, cwd=launch.cwd
    )
    listed: list[tuple[str, str, dict[str, Any]]] = []
    async with stdio_client(params, errlog=errlog) as (read, write):
        async with ClientSession(read, write) as session:
            await session.initialize()
            cursor: str | None = None
            for _ in range(MAX_PAGES):
                page = await session.list_tools(
                    params=PaginatedRequestParams(cursor=cursor) if cursor else None
                )
                for tool in page.tools:
                    listed.append((tool.name, tool.description or "", dict(tool.input_schema)))
                cursor = page.next_cursor
                if not cursor:
                    return listed
    raise RuntimeError(f"tools/list still had more pages after {MAX_PAGES}")


def _command(launch: Launch) -> str:
    """The command; a bare name that is not on PATH is also looked for beside the Python
    running ctxtrim, so a server installed in the same virtual environment is found even
    when that environment is not activated."""
    command = launch.command
    if os.sep in command or (os.altsep and os.altsep in command):
        return command
    path = launch.env.get("PATH", os.environ.get("PATH", ""))
    if shutil.which(command, path=path) is not None:
        return command
    beside = shutil.which(command, path=str(Path(sys.executable).parent))
    return beside or command


def _describe(exc: BaseException, launch: Launch) -> str:
    """One line for a failure, from the innermost exception (task groups wrap them)."""
    while getattr(exc, "exceptions", None):  # an ExceptionGroup (BaseExceptionGroup on 3.11+)
        exc = exc.exceptions[0]  # type: ignore[attr-defined]
    if isinstance(exc, FileNotFoundError):
        return f"cannot start `{launch.command}`: command not found"
    if isinstance(exc, PermissionError):
        return f"cannot start `{launch.command}`: permission denied"
    if isinstance(exc, OSError):
        return f"cannot start `{launch.command}`: {exc.strerror or exc}"
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    name = type(exc).__name__
    if "closed" in text.lower() or name in ("ClosedResourceError", "EndOfStream"):
        return "the server closed the connection before listing its tools"
    return f"{name}: {text}" if text else name


def _with_stderr(message: str, errlog: TextIO) -> str:
    """The message, plus the end of what the server wrote to stderr (secrets redacted)."""
    tail = _tail(errlog)
    return f"{message} (stderr: {tail})" if tail else message


def _tail(errlog: TextIO) -> str:
    try:
        errlog.flush()
        errlog.seek(0)
        text = errlog.read()
    except (OSError, ValueError):
        return ""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        return ""
    tail = redact(lines[-1]).text
    return tail if len(tail) <= _STDERR_TAIL else tail[: _STDERR_TAIL - 1] + "…"
