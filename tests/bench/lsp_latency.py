"""Latency of `ctxtrim serve` on a real repository, seen from a client.

    python tests/bench/lsp_latency.py /path/to/repo [--packs 30] [--budget 16000]

Starts the server over stdio (a minimal JSON-RPC client on pipes), waits for indexing, sends
warm-up packs, then N packs with varied tasks, and prints median and p95 latency: the server's
cache warmer (`ctxtrim cache warm`, a low-priority child) is still at work then, so most files
a pack shows are prepared by the pack itself. Then it waits for the warmer to finish and times
N packs with other tasks again. Then it edits one file (didOpen + didChange, unsaved) and
times the first pack after the edit; finally the server's peak RSS (VmHWM) and current RSS
from /proc. Targets: median < 150 ms, p95 < 400 ms, first pack after an edit < 300 ms.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import queue
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tests.bench.common import percentile, proc_status  # noqa: E402
from tests.lsp.support import server_command, server_env  # noqa: E402


class Client:
    """Just enough JSON-RPC over a subprocess's pipes."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        self.proc = subprocess.Popen(
            argv, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=sys.stderr
        )
        self.ids = itertools.count(1)
        self.replies: dict[int, queue.Queue[dict[str, Any]]] = {}
        self.lock = threading.Lock()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        out = self.proc.stdout
        assert out is not None
        while True:
            length = 0
            while True:
                line = out.readline()
                if not line:
                    return
                if line.strip() == b"":
                    break
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            msg = json.loads(out.read(length))
            if "method" in msg and "id" in msg:  # a request from the server: accept it
                self._send({"jsonrpc": "2.0", "id": msg["id"], "result": None})
            elif "id" in msg:
                with self.lock:
                    box = self.replies.get(msg["id"])
                if box is not None:
                    box.put(msg)

    def _send(self, msg: dict[str, Any]) -> None:
        body = json.dumps(msg).encode()
        assert self.proc.stdin is not None
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def notify(self, method: str, params: Any) -> None:
        self._send({"jsonrpc": "2.0", "method": method, "params": params})

    def request(self, method: str, params: Any, timeout: float = 300) -> Any:
        msg_id = next(self.ids)
        box: queue.Queue[dict[str, Any]] = queue.Queue()
        with self.lock:
            self.replies[msg_id] = box
        self._send({"jsonrpc": "2.0", "id": msg_id, "method": method, "params": params})
        reply = box.get(timeout=timeout)
        if "error" in reply:
            raise RuntimeError(f"{method}: {reply['error']}")
        return reply["result"]


def tasks_for(root: Path, files: list[str], n: int) -> list[str]:
    """Varied, deterministic tasks: generic ones, and ones naming files and words of the repo."""
    rng = random.Random(7)
    generic = [
        "fix the failing test",
        "add logging to the error handling",
        "why is the config not loaded",
        "refactor the command line parsing",
        "document the public API",
        "handle a timeout when the connection drops",
    ]
    out = []
    for i in range(n):
        if i % 3 == 0:
            out.append(generic[i // 3 % len(generic)])
        else:
            rel = rng.choice(files)
            stem = Path(rel).stem.replace("_", " ")
            out.append(f"change how {stem} works in {rel}" if i % 3 == 1 else f"the bug in {stem}")
    return out


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("repo", type=Path)
    ap.add_argument("--packs", type=int, default=30)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--budget", type=int, default=16000)
    ap.add_argument(
        "--cache-dir", type=Path, help="index cache (default: a fresh temporary one: a cold start)"
    )
    args = ap.parse_args()
    root = args.repo.resolve()
    cache = args.cache_dir or Path(tempfile.mkdtemp(prefix="ctxtrim-bench-cache-"))

    started = time.perf_counter()
    client = Client(server_command(), server_env(cache))
    client.request(
        "initialize", {"processId": os.getpid(), "rootUri": root.as_uri(), "capabilities": {}}
    )
    client.notify("initialized", {})
    while True:
        status = client.request("ctxtrim/status", {})
        folder = status["folders"][0]
        if folder["state"] != "indexing":
            break
        time.sleep(0.1)
    if folder["state"] != "ready":
        print(f"indexing failed: {folder}", file=sys.stderr)
        return 1
    index_s = time.perf_counter() - started
    files_n = folder["files"]
    print(f"repository      {root} ({files_n:,} files indexed)")
    print(
        f"startup+index   {index_s:.2f} s (server-side index {folder['seconds']:.2f} s; cache {cache})"
    )

    sample = sorted(
        p.relative_to(root).as_posix() for p in root.rglob("*.py") if ".git" not in p.parts
    )[:5000]
    sample = (
        sample
        or sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())[:5000]
    )
    tasks = tasks_for(root, sample, args.warmup + 2 * args.packs)

    def timed_pack(task: str) -> tuple[float, dict[str, Any]]:
        t0 = time.perf_counter()
        result = client.request("ctxtrim/pack", {"task": task, "budget": args.budget})
        return (time.perf_counter() - t0) * 1000, result

    first_ms, _ = timed_pack(tasks[0])
    for task in tasks[1 : args.warmup]:
        timed_pack(task)

    def timed_packs(label: str, batch: list[str]) -> list[float]:
        latencies = []
        for task in batch:
            ms, result = timed_pack(task)
            assert result["tokens"] <= args.budget, result["tokens"]
            latencies.append(ms)
        print(
            f"{label:15s} n={len(latencies)} budget={args.budget}: median "
            f"{statistics.median(latencies):.0f} ms, p95 {percentile(latencies, 95):.0f} ms, "
            f"max {max(latencies):.0f} ms"
        )
        return latencies

    print(f"first pack      {first_ms:.0f} ms")
    cut = args.warmup + args.packs
    latencies = timed_packs("packs", tasks[args.warmup : cut])
    waited = time.perf_counter()
    while (state := client.request("ctxtrim/status", {})["folders"][0]["warming"]) == "running":
        time.sleep(0.5)
    print(f"cache warmer    {state} (waited {time.perf_counter() - waited:.1f} s more)")
    warmed = timed_packs("packs, warmed", tasks[cut:]) if state == "done" else latencies

    # An unsaved edit to one file, then the first pack after it.
    target = next(
        (root / rel for rel in sample[len(sample) // 2 :] if (root / rel).stat().st_size > 2000),
        root / sample[0],
    )
    uri = target.as_uri()
    text = target.read_text(encoding="utf-8", errors="replace")
    client.notify(
        "textDocument/didOpen",
        {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": text}},
    )
    edited = text + "\n\ndef bench_unsaved_marker_fn():\n    return 1\n"
    t0 = time.perf_counter()
    client.notify(
        "textDocument/didChange",
        {"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": edited}]},
    )
    result = client.request(
        "ctxtrim/pack", {"task": "bench_unsaved_marker_fn is broken", "budget": args.budget}
    )
    edit_ms = (time.perf_counter() - t0) * 1000
    rel = target.relative_to(root).as_posix()
    shown = any(
        i["path"] == rel and "bench_unsaved_marker_fn" in i["text"] for i in result["items"]
    )
    print(f"pack after edit {edit_ms:.0f} ms (edited {rel}; edit shown: {shown})")

    status = proc_status(client.proc.pid)
    print(
        f"server RSS      peak (VmHWM) {status.get('VmHWM', '?').strip()}, now (VmRSS) {status.get('VmRSS', '?').strip()}"
    )

    client.request("shutdown", None)
    client.notify("exit", None)
    try:
        client.proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        client.proc.kill()
    ok = (
        max(statistics.median(latencies), statistics.median(warmed)) < 150
        and max(percentile(latencies, 95), percentile(warmed, 95)) < 400
        and edit_ms < 300
    )
    print(
        "targets         "
        + ("met" if ok else "NOT met")
        + " (median < 150 ms, p95 < 400 ms, after edit < 300 ms)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
