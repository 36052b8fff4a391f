"""The shapes `ctxtrim tools` works with: a server as one client's config file defines it, a
tool definition as the server lists it, and a problem found while reading a config."""

from __future__ import annotations

from dataclasses import dataclass, field

# Client ids and the names people know them by.
CLIENTS: dict[str, str] = {
    "claude-code": "Claude Code",
    "cursor": "Cursor",
    "vscode": "VS Code",
    "codex": "Codex",
    "gemini": "Gemini CLI",
    "windsurf": "Windsurf",
}

STDIO, HTTP, SSE = "stdio", "http", "sse"
DEFAULT_TIMEOUT = 10.0  # seconds per server with --connect: start, initialize, every page


@dataclass(frozen=True)
class ServerConfig:
    """One server entry of one config file, its `${VAR}` references not yet expanded."""

    name: str
    client: str  # a key of CLIENTS
    source: str  # the file, repository-relative (project) or `~/...` (user)
    line: int  # where the entry starts in that file (1-based)
    transport: str  # STDIO, HTTP or SSE
    command: str = ""
    args: tuple[str, ...] = ()
    env: tuple[tuple[str, str], ...] = ()
    cwd: str = ""
    url: str = ""
    headers: tuple[tuple[str, str], ...] = ()  # HTTP headers of a remote server
    forward_env: tuple[str, ...] = ()  # Codex `env_vars`: names passed through from the shell
    include_tools: tuple[str, ...] | None = None  # a per-tool allow list (Codex, Gemini)
    exclude_tools: tuple[str, ...] = ()
    project: bool = True  # in the repository (committed) rather than in the user's home

    @property
    def remote(self) -> bool:
        return self.transport != STDIO

    def launch(self) -> str:
        """How the entry starts its server, for messages: `cmd arg...` or the URL."""
        if self.remote:
            return self.url
        return " ".join((self.command, *self.args))


@dataclass(frozen=True)
class Problem:
    """A config file that cannot be read as its client reads it."""

    source: str
    line: int
    message: str
    project: bool = True


@dataclass(frozen=True)
class ToolDef:
    """One tool as tools/list returned it, and what its definition costs per request."""

    name: str
    description: str
    schema: dict  # the JSON input schema, as sent
    tokens: int


@dataclass
class Discovery:
    """Every server entry found for a repository, and the files that could not be read."""

    servers: list[ServerConfig] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files: list[str] = field(default_factory=list)  # config files read, in order
