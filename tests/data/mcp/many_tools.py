"""A stdio MCP server with 40 generated tools, listed 15 to a page (tests of ctxtrim tools).

Usage: python many_tools.py [--marker FILE]  (with --marker, touch FILE on start: tests use it
to prove that a command did or did not run).
"""

import sys
from pathlib import Path

from mcp.server import MCPServer
from mcp.types import ListToolsResult

PAGE = 15
AREAS = [
    ("invoice", "Create, send and void customer invoices in the billing ledger"),
    ("ticket", "Open, assign and close support tickets in the help desk"),
    ("deploy", "Roll out, pause and roll back service deployments on the cluster"),
    ("metric", "Query dashboards and time series of application metrics"),
    ("calendar", "Book, move and cancel meetings on team calendars"),
    ("inventory", "Count, reserve and restock warehouse items"),
    ("email", "Draft, send and search messages in the shared mailbox"),
    ("backup", "Snapshot, verify and restore database backups"),
]
VERBS = ["create", "list", "update", "delete", "search"]


class PagedServer(MCPServer):
    """MCPServer lists every tool at once; this one pages, to exercise nextCursor."""

    async def _handle_list_tools(self, ctx, params):
        tools = await self.list_tools()
        start = int(params.cursor) if params is not None and params.cursor else 0
        end = start + PAGE
        return ListToolsResult(
            tools=tools[start:end], next_cursor=str(end) if end < len(tools) else None
        )


server = PagedServer("many-tools")


def make_tool(area: str, blurb: str, verb: str) -> None:
    def tool(name: str, limit: int = 10, dry_run: bool = False) -> str:
        return f"{verb} {area} {name}"

    tool.__name__ = f"{verb}_{area}"
    server.tool(
        name=f"{verb}_{area}",
        description=f"{verb.capitalize()} a {area}. {blurb}. Returns a short status line.",
    )(tool)


for area, blurb in AREAS:
    for verb in VERBS:
        make_tool(area, blurb, verb)

if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--marker":
        Path(sys.argv[2]).write_text("started")
    server.run()
