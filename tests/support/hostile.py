"""Generators of hostile repositories, and a minimal JSON-RPC client for `ctxtrim serve`.

Every tree is built under a test's tmp directory. Each builder returns nothing and may be
combined with the others in one root. A *canary* is a file OUTSIDE the root with a unique token;
the builders link and reference it in every way a repository can (symbolic links to the file
and to its directory, `@imports` in rule files, absolute paths, rule folders that are links), so
a test only has to check that the token never appears in any output.

What is emulated and how, honestly:

* Unreadable files: the tests run as root, which reads `chmod 0` files anyway, so a file whose
  read fails or blocks is emulated with a FIFO (open blocks without a writer), a UNIX socket
  (open fails with ENXIO), a character device when `mknod` is permitted, and a directory whose
  name looks like a source file. `chmod 0` files are also created; as root they are readable.
* Deleted-mid-scan files are made by the tests themselves (they wrap `os.scandir`).
"""

from __future__ import annotations

import json
import os
import queue
import socket
import stat
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CANARY = "CANARY-7f3a9c21-outside-the-root"


@dataclass(frozen=True)
class Canary:
    """The file outside the root, the directory it lives in, and the token it holds."""

    file: Path
    directory: Path
    token: str = CANARY


def make_canary(base: Path) -> Canary:
    """`base/outside/secret.txt` (+ a markdown and a python twin) holding the canary token."""
    outside = base / "outside"
    outside.mkdir(parents=True, exist_ok=True)
    for name in ("secret.txt", "secret.md", "secret.py", "CLAUDE.md"):
        (outside / name).write_text(f"{CANARY}\n# {CANARY}\nTOKEN = '{CANARY}'\n", "utf-8")
    return Canary(outside / "secret.txt", outside)


def _write(path: Path, data: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        path.write_text(data, "utf-8")
    else:
        path.write_bytes(data)


def ordinary(root: Path) -> None:
    """A few normal files, so every command has something to work on."""
    _write(
        root / "app" / "auth.py",
        '"""Login."""\n\n\ndef login(user, password):\n    """Check and redirect."""\n'
        "    return redirect_home(user)\n\n\ndef redirect_home(user):\n"
        '    return f"/home/{user}"\n',
    )
    _write(root / "web" / "cart.js", "export function cartTotal(c) {\n  return c.sum;\n}\n")
    _write(root / "README.md", "# Demo\n\nThe login flow lives in app/auth.py.\n")


def links(root: Path, canary: Canary) -> None:
    """Symbolic link loops, dangling links, and every way of linking to the canary."""
    out_rel = os.path.relpath(canary.directory, root)
    (root / "loop").mkdir(parents=True, exist_ok=True)
    os.symlink(".", root / "loop" / "self")  # a directory that contains itself
    os.symlink("..", root / "loop" / "parent")
    os.symlink("b", root / "a.py")  # a.py -> b -> a.py: a file-link cycle
    os.symlink("a.py", root / "b")
    os.symlink("nowhere/at/all.py", root / "dangling.py")
    os.symlink(str(canary.file), root / "leak_abs.py")  # absolute link out
    os.symlink(os.path.join(out_rel, "secret.py"), root / "leak_rel.py")  # relative link out
    os.symlink(str(canary.directory), root / "outdir")  # a directory link out
    os.symlink("/", root / "fsroot")
    os.symlink("/etc/passwd", root / "passwd.txt")
    # Rule files that are links out of the root, or live in a linked folder.
    os.symlink(str(canary.directory / "CLAUDE.md"), root / "CLAUDE.md")
    os.symlink(str(canary.directory / "secret.md"), root / "AGENTS.md")
    os.symlink(str(canary.directory / "secret.md"), root / "CLAUDE.local.md")
    (root / ".cursor").mkdir(exist_ok=True)
    os.symlink(str(canary.directory), root / ".cursor" / "rules")
    (root / ".claude" / "rules").mkdir(parents=True, exist_ok=True)
    os.symlink(str(canary.directory / "secret.md"), root / ".claude" / "rules" / "leak.md")
    os.symlink("../../missing.md", root / ".claude" / "rules" / "broken.md")
    # A nested rule file whose @imports point outside in every spelling.
    _write(
        root / "docs" / "CLAUDE.md",
        "# Docs rules\n\n"
        f"Read @../{out_rel}/secret.md and @{canary.directory}/secret.md and "
        f"@~/../{out_rel}/secret.md and @../outdir/secret.md and @../leak_rel.py "
        "and @../loop/self/self/self/README.md.\n",
    )
    _write(root / ".github" / "copilot-instructions.md", f"Follow @../{out_rel}/secret.md\n")
    # A .gitignore that tries to re-include what links out.
    _write(root / ".gitignore", "!outdir/\n!leak_abs.py\n!/fsroot/\n!**/secret*\n")


def special_files(root: Path) -> list[str]:
    """FIFOs, a socket, a device, a directory named like a file, chmod-0 files. Returns notes
    on what could not be made (e.g. mknod refused), which the tests report."""
    notes: list[str] = []
    (root / "special").mkdir(parents=True, exist_ok=True)
    os.mkfifo(root / "special" / "fifo.py")
    os.mkfifo(root / "special" / "CLAUDE.md")  # a rule file that would block a plain open()
    sub = root / "special" / "ignored_here"
    sub.mkdir()
    os.mkfifo(sub / ".gitignore")  # an ignore file that would block the walk
    os.mkfifo(sub / ".ctxtrimignore")
    _write(sub / "kept.py", "def kept():\n    return 1\n")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.bind(str(root / "special" / "server.sock.py"))
    finally:
        sock.close()  # the socket file stays; connecting or opening it fails
    try:
        os.mknod(root / "special" / "null.py", 0o600 | stat.S_IFCHR, os.makedev(1, 3))
        os.mknod(root / "special" / "zero.js", 0o600 | stat.S_IFCHR, os.makedev(1, 5))
    except (OSError, AttributeError) as exc:
        notes.append(f"mknod refused ({exc}); FIFOs stand in for devices")
        os.mkfifo(root / "special" / "null.py")
        os.mkfifo(root / "special" / "zero.js")
    (root / "special" / "dir_named.py").mkdir()
    _write(root / "special" / "locked.py", "def locked():\n    return 'chmod 0'\n")
    os.chmod(root / "special" / "locked.py", 0)
    return notes


def big_files(root: Path) -> None:
    """A 100 MB sparse file, a 5 MB one-line script, deep nesting, NUL bytes, bad encodings."""
    big = root / "big"
    big.mkdir(parents=True, exist_ok=True)
    with open(big / "huge.py", "wb") as f:
        f.truncate(100 * 1024 * 1024)  # sparse: costs no disk
    with open(big / "huge_text.md", "w", encoding="utf-8") as f:
        f.truncate(100 * 1024 * 1024 - 10)
        f.write("\n# end\n")
    line = "var a0=function(b){return b+1};" * (5 * 1024 * 1024 // 32)
    _write(big / "bundle.js", line)  # 5 MB, one line, not named *.min.js
    _write(big / "parens.py", "x = " + "(" * 10_000 + "1" + ")" * 10_000 + "\n")
    _write(big / "brackets.js", "const x = " + "[" * 10_000 + "1" + "]" * 10_000 + ";\n")
    _write(big / "braces.c", "int f(void) " + "{" * 10_000 + "}" * 10_000 + "\n")
    _write(
        big / "blocks.py",
        "def f():\n"
        + "".join("    " * (i + 1) + f"if x{i}:\n" for i in range(3_000))
        + "    " * 3_001
        + "pass\n",
    )
    _write(
        big / "blocks.js",
        "function f() {\n" + "if (x) {\n" * 3_000 + "return 1;\n" + "}\n" * 3_000 + "}\n",
    )
    _write(big / "lambdas.py", "f = " + "lambda: " * 5_000 + "0\n")
    _write(big / "nul.py", b"def a():\n    return 1\n\x00\x00\x00def b(): pass\n")
    _write(big / "late_nul.py", b"def a():\n    return 1\n" * 5000 + b"\x00tail\n")
    _write(big / "latin1.py", "# caf\xe9 na\xefve\n".encode("latin-1") * 200)
    _write(big / "bad_utf8.py", b"def f():\n    return '\xff\xfe\xc3\x28 \xa0\xa1'\n")
    _write(big / "utf16.py", "def utf16():\n    return 'ok'\n".encode("utf-16"))
    _write(big / "bad_utf16.py", b"\xff\xfe" + b"\x00\xd8" * 3 + b"a\x00")  # lone surrogates
    _write(big / "crlf.py", b"def f():\r\n    return 1\r\n\r")
    _write(big / "bom.py", b"\xef\xbb\xbfdef f():\n    return 1\n")
    _write(big / "control.py", "def f():\n    return '\x1b[31m\x07\x08\u2028\u2029\ufeff'\n")


def long_paths(root: Path) -> None:
    """Names of 255 bytes, and a chain of directories close to PATH_MAX (4096)."""
    base = root / "long"
    base.mkdir(parents=True, exist_ok=True)
    _write(base / ("n" * 252 + ".py"), "def long_name():\n    return 1\n")
    _write(base / ("é" * 125 + ".py"), "def accented():\n    return 1\n")  # 250 bytes
    # Directories of 200 bytes until the path is about 3,900 bytes long (below PATH_MAX).
    fd = os.open(base, os.O_RDONLY)
    depth_path = base
    try:
        while len(str(depth_path).encode()) < 3_700:
            name = "d" * 200
            os.mkdir(name, dir_fd=fd)
            new_fd = os.open(name, os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = new_fd
            depth_path = depth_path / name
        out = os.open("deep.py", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd)
        os.write(out, b"def deep():\n    return 'deep'\n")
        os.close(out)
    finally:
        os.close(fd)
    # A deep chain of short directories as well (1,000 levels).
    cur = base / "chain"
    cur.mkdir()
    fd = os.open(cur, os.O_RDONLY)
    try:
        for _ in range(1_000):
            os.mkdir("c", dir_fd=fd)
            new_fd = os.open("c", os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = new_fd
        out = os.open("bottom.py", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd)
        os.write(out, b"def bottom():\n    return 0\n")
        os.close(out)
    finally:
        os.close(fd)


def many_files(root: Path, count: int = 100_000) -> None:
    """`count` small files in one directory, written with raw os calls (about a second)."""
    flat = root / "flat"
    flat.mkdir(parents=True, exist_ok=True)
    fd = os.open(flat, os.O_RDONLY)
    try:
        for i in range(count):
            out = os.open(f"f{i}.txt", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd)
            os.write(out, b"x%d\n" % i)
            os.close(out)
    finally:
        os.close(fd)


MALFORMED_GITIGNORE = (
    "\\\n"
    "[\n"
    "[z-a]\n"
    "**/**/***\n"
    "***\n"
    "!\n"
    "/\n"
    "\\!\\#\\ \n"
    "a\x00b\n"
    "crlf_pattern\r\n"
    "[[:alpha:]\n"
    "**\\\n" + "x" * 200_000 + "\n" + "a/" * 5_000 + "\n" + "*" * 5_000 + "\n" + "{a,b}/**/[!c]?\n"
)


def malformed_config(root: Path) -> None:
    """Broken .gitignore lines (at the root and nested), broken frontmatter, a bad config."""
    _write(root / ".gitignore", MALFORMED_GITIGNORE.encode("utf-8") + b"\xff\xfe\n")
    _write(root / "nested" / ".gitignore", "\x00\x00\n[\n\\")
    _write(root / "nested" / "code.py", "def nested():\n    return 2\n")
    _write(root / ".ctxtrimignore", "[\n\\\n!\n")
    rules = root / ".cursor" / "rules"
    _write(rules / "unclosed.mdc", "---\nglobs: [src/**\ndescription: 'x\n")
    _write(rules / "binary.mdc", b"---\n\x00\x01\x02: \xff\n---\nbody\n")
    _write(rules / "tabs.mdc", "---\n\tglobs:\n\t\t- **\nalwaysApply: maybe\n---\n# T\n")
    _write(rules / "deep.mdc", "---\n" + "a:\n  " * 2_000 + "b: 1\n---\n")
    _write(rules / "anchors.mdc", "---\na: &a [*a]\nglobs: *a\n---\nx\n")
    _write(rules / "bomb.mdc", "---\n" + _yaml_bomb() + "---\nbody\n")
    _write(rules / "notyaml.mdc", "---\n: : :\n- [\n{{{{\n---\n")
    _write(rules / "types.mdc", "---\nglobs: 12\nalwaysApply: [1]\ndescription: {a: b}\n---\n")
    _write(root / ".github" / "instructions" / "x.instructions.md", "---\napplyTo: [[[\n---\n")
    _write(root / ".windsurf" / "rules" / "w.md", "---\ntrigger: {}\nglobs: !!python/none\n---\n")
    _write(root / "CLAUDE.md", "# Rules\n\n@" + "a/" * 3_000 + "b.md\n" + "#" * 10_000 + "\n")
    _write(root / ".ctxtrim.toml", "exclude = [\n")  # a broken config file


def _yaml_bomb() -> str:
    """A 'billion laughs' document: loading it naively builds 9^9 list elements."""
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i, name in enumerate("bcdefghi"):
        prev = "abcdefghi"[i]
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------------
# A minimal JSON-RPC (LSP base protocol) client over a subprocess's stdio
# --------------------------------------------------------------------------------------------


class RpcClient:
    """Frames, sends and reads LSP messages; a reader thread keeps reads bounded by timeouts.

    `send_raw` writes arbitrary bytes (malformed headers, bodies), for fuzzing. Every message the
    server writes is parsed; bytes on stdout that are not a valid frame are recorded in
    `garbage` (a stack trace printed to stdout would land there and corrupt the protocol).
    """

    def __init__(self, argv: list[str], env: dict[str, str], cwd: Path) -> None:
        self.proc = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            cwd=cwd,
        )
        self.messages: queue.Queue[dict[str, Any]] = queue.Queue()
        self.garbage: list[bytes] = []
        self.stderr = bytearray()
        self._next_id = 1000
        threading.Thread(target=self._read_stdout, daemon=True).start()
        threading.Thread(target=self._read_stderr, daemon=True).start()

    def _read_stdout(self) -> None:
        stream = self.proc.stdout
        assert stream is not None
        while True:
            length = None
            while True:
                line = stream.readline()
                if not line:
                    return
                if line in (b"\r\n", b"\n"):
                    break
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    try:
                        length = int(value.strip())
                    except ValueError:
                        self.garbage.append(line)
                elif name.strip().lower() != b"content-type":
                    self.garbage.append(line)
            if length is None:
                continue
            body = stream.read(length)
            try:
                self.messages.put(json.loads(body))
            except ValueError:
                self.garbage.append(body)

    def _read_stderr(self) -> None:
        stream = self.proc.stderr
        assert stream is not None
        for chunk in iter(lambda: stream.read1(65536), b""):  # type: ignore[attr-defined]
            self.stderr += chunk

    def send_raw(self, data: bytes) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def send(self, message: dict[str, Any]) -> None:
        body = json.dumps(message).encode("utf-8")
        self.send_raw(b"Content-Length: %d\r\n\r\n" % len(body) + body)

    def request(self, method: str, params: Any = None, timeout: float = 60.0) -> dict[str, Any]:
        """Send a request and wait for its response (server requests are answered with null)."""
        self._next_id += 1
        msg_id = self._next_id
        message: dict[str, Any] = {"jsonrpc": "2.0", "id": msg_id, "method": method}
        if params is not None:
            message["params"] = params
        self.send(message)
        return self.wait_for(msg_id, timeout)

    def notify(self, method: str, params: Any = None) -> None:
        message: dict[str, Any] = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            message["params"] = params
        self.send(message)

    def wait_for(self, msg_id: Any, timeout: float = 60.0) -> dict[str, Any]:
        import time

        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no response to request {msg_id!r} in {timeout} s")
            try:
                message = self.messages.get(timeout=left)
            except queue.Empty:
                continue
            if "method" in message and "id" in message:  # a request from the server
                self.send({"jsonrpc": "2.0", "id": message["id"], "result": None})
                continue
            if message.get("id") == msg_id and "method" not in message:
                return message

    def drain(self) -> Iterator[dict[str, Any]]:
        while True:
            try:
                yield self.messages.get_nowait()
            except queue.Empty:
                return

    def initialize(self, root: Path) -> dict[str, Any]:
        reply = self.request(
            "initialize",
            {
                "processId": None,
                "capabilities": {},
                "rootUri": root.as_uri(),
                "workspaceFolders": [{"uri": root.as_uri(), "name": root.name}],
            },
        )
        self.notify("initialized", {})
        return reply

    def pack(self, params: Any, timeout: float = 60.0) -> dict[str, Any]:
        """`ctxtrim/pack`, retried while the server says it is still indexing."""
        import time

        deadline = time.monotonic() + timeout
        while True:
            reply = self.request(
                "ctxtrim/pack", params, timeout=max(deadline - time.monotonic(), 1)
            )
            error = reply.get("error") or {}
            if "indexing" in str(error.get("message", "")) and time.monotonic() < deadline:
                time.sleep(0.2)
                continue
            return reply

    def close(self) -> int | None:
        """Shut down politely, then kill if needed; returns the exit code."""
        try:
            if self.proc.poll() is None:
                self.request("shutdown", timeout=10)
                self.notify("exit")
                return self.proc.wait(timeout=10)
        except (OSError, TimeoutError, subprocess.TimeoutExpired):
            pass
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode


def remove_tree(top: Path) -> None:
    """Delete a tree of any depth. `shutil.rmtree` (and pytest's tmp cleanup) recurse once per
    level and overflow on the 1,000-deep chain of :func:`long_paths`; this uses a stack."""
    order: list[str] = []
    stack = [str(top)]
    while stack:
        directory = stack.pop()
        order.append(directory)
        try:
            with os.scandir(directory) as entries:
                listed = list(entries)
        except OSError:
            continue
        for entry in listed:
            if entry.is_dir(follow_symlinks=False):
                stack.append(entry.path)
            else:
                os.unlink(entry.path)
    for directory in reversed(order):
        os.rmdir(directory)
