"""The server's call path with a recording ``execute``: the argv and environment it gets,
how data and errors come back, and that no answer carries a credential of its environment."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("mcp")

from skillpress.contract import protocol
from skillpress.mcp.server import Product
from skillpress.mcp.skills import Library
from tests.examples import EXAMPLES, ROOT
from tests.mcp.test_tools import contract_of

SECRET = "fc-secret-0123456789"


class Outcome:
    def __init__(self, **fields: Any) -> None:
        self.ok = fields.get("ok", True)
        self.data = fields.get("data")
        self.error = fields.get("error")
        self.exit_code = fields.get("exit_code", 0)
        self.stdout = fields.get("stdout", b"")


def product(answer: Outcome, seen: list[dict[str, Any]]) -> Product:
    def execute(contract: dict[str, Any], argv: list[str], env: dict[str, str], **keywords: Any) -> Outcome:
        seen.append({**keywords, "argv": argv, "env": env, "stdin": keywords["stdin"].read()})
        return answer

    env = {"FIRECRAWL_API_KEY": SECRET, "FIRECRAWL_API_URL": "http://127.0.0.1:9"}
    return Product(contract_of("firecrawl"), Library({}, {}), execute, env=env, execute_keywords={"hooks_dir": "/h"})


def test_a_call_runs_the_mapped_argv_with_the_servers_environment_and_no_stdin() -> None:
    seen: list[dict[str, Any]] = []
    result = product(Outcome(data={"echo": f"key {SECRET}", SECRET: 1}), seen).call("map", {"url": "example.com"})
    assert seen[0]["argv"] == ["map", "--", "example.com"]
    assert seen[0]["env"]["FIRECRAWL_API_KEY"] == SECRET
    assert seen[0]["stdin"] == b"" and seen[0]["stdin_is_tty"] is False and seen[0]["hooks_dir"] == "/h"
    assert result.is_error is False
    assert result.structured_content == {"echo": "key [redacted]", "[redacted]": 1}
    assert SECRET not in result.content[0].text  # type: ignore[union-attr]
    assert json.loads(result.content[0].text) == result.structured_content  # type: ignore[union-attr]


def test_printed_text_when_there_is_no_data() -> None:
    result = product(Outcome(data=None, stdout=f"# page\n{SECRET}\n".encode()), []).call("scrape", {"url": "a.io"})
    assert result.is_error is False and result.structured_content is None
    assert result.content[0].text == "# page\n[redacted]\n"  # type: ignore[union-attr]


def test_an_error_keeps_code_retryable_recovery_and_exit_code() -> None:
    error = {
        "code": "RATE_LIMITED",
        "message": f"slow down {SECRET}",
        "retryable": True,
        "recovery": {"hint": "Wait and retry.", "retry_after": 3, "docs_url": ""},
    }
    result = product(Outcome(ok=False, error=error, exit_code=5), []).call("status", {})
    assert result.is_error is True
    assert result.structured_content == {
        "ok": False,
        "error": {**error, "message": "slow down [redacted]"},
        "exit_code": 5,
    }
    assert result.content[0].text == (  # type: ignore[union-attr]
        "RATE_LIMITED: slow down [redacted]\nRetryable: yes\nRecovery: Wait and retry.\n  retry_after: 3"
    )


def test_unknown_tool_and_bad_input_never_reach_execute() -> None:
    seen: list[dict[str, Any]] = []
    server = product(Outcome(), seen)
    contract = contract_of("firecrawl")
    unknown = server.call("nope", {})
    assert unknown.is_error
    assert unknown.structured_content["error"]["code"] == protocol.situation_code(contract, "unknown_command")
    bad = server.call("map", {"url": "x", "limit": "ten"})
    code, exit_code = protocol.situation_exit(contract, "usage")
    assert bad.is_error and bad.structured_content["error"] == {
        "code": code,
        "message": "limit expects an integer",
        "retryable": False,
    }
    assert bad.structured_content["exit_code"] == exit_code
    assert seen == []


def test_without_the_sdk_skillpress_mcp_says_how_to_get_it(tmp_path: Path) -> None:
    code = (
        "import sys; sys.modules['mcp'] = None\n"
        "from skillpress.cli import main\n"
        f"sys.exit(main(['mcp', {str(EXAMPLES / 'firecrawl' / 'spec.yaml')!r}]))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
        timeout=120,
    )
    assert proc.returncode == 2 and proc.stdout == ""
    assert "pip install 'skillpress[mcp]'" in proc.stderr
