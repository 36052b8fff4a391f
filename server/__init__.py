"""`ctxtrim serve`: the ctxtrim language server (pygls 2), installed as `ctxtrim.server`.

Custom request `ctxtrim/pack` (and command `ctxtrim.pack`) returns a context pack of the open
workspace, packing the editor's unsaved buffers; rule files get diagnostics, token-count code
lenses and hovers. See docs/editors.md.
"""

from __future__ import annotations

import argparse
import ipaddress
import logging
import multiprocessing
import os
import sys

from .app import CtxtrimServer
from .logs import configure

__all__ = ["CtxtrimServer", "build_server", "main"]


def build_server() -> CtxtrimServer:
    """A server with every handler registered, ready for `start_io` or `start_tcp`."""
    from .handlers import register

    server = CtxtrimServer()
    register(server)
    return server


def _parse_tcp(value: str, allow_remote: bool = False) -> tuple[str, int]:
    host, sep, port = value.rpartition(":")
    if not sep or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"--tcp expects HOST:PORT, e.g. 127.0.0.1:2087, not {value!r}")
    host = host.strip("[]") or "127.0.0.1"
    if not allow_remote and not _is_loopback(host):
        # The client names the folders to pack: a remote client could read this user's files.
        raise ValueError(
            f"--tcp {value}: {host} is not a loopback address; anyone who can connect could "
            "pack this user's files (pass --allow-remote to listen there anyway)"
        )
    return host, int(port)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # a host name: it may resolve to anything
        return False


def main(args: argparse.Namespace | None = None) -> int:
    """Run the server until the client says exit (or the connection closes); the exit code
    follows LSP: 0 after a shutdown request, 1 otherwise."""
    tcp = getattr(args, "tcp", None)
    if tcp:
        try:
            host, port = _parse_tcp(tcp, getattr(args, "allow_remote", False))
        except ValueError as exc:
            print(f"ctxtrim: {exc}", file=sys.stderr)
            return 2
    configure("ctxtrim-server")
    # The index builds large repositories in a process pool. Forking a process that already
    # runs threads (the reader, the workers) can leave a child stuck on a lock some thread
    # held at the fork; start children fresh instead. This process is ours alone to configure.
    multiprocessing.set_start_method("spawn", force=True)
    server = build_server()
    code = 0
    try:
        if tcp:
            server.start_tcp(host, port)
        else:
            server.start_io()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 0
    except KeyboardInterrupt:
        code = 130
    finally:
        server.close()
    if not server.protocol._shutdown and code == 0:
        code = 1  # exit without shutdown, or the client went away
    if not tcp:
        # The stdin reader thread may still sit in a blocking read that nothing can interrupt;
        # flush and leave without joining it.
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):  # exit closes stdout
                pass
        logging.shutdown()
        os._exit(code)
    return code
