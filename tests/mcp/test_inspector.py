"""The official MCP Inspector (npm ``@modelcontextprotocol/inspector``, CLI mode) against
``skillpress mcp`` for both example products: it lists exactly the visible commands as
tools with no schema portability problem (``--strict``), and its SEP-2640 check of the
skills (``skills/list --verify --require-digests``) hashes every served file to the digest
the listing advertises. Skipped, with the reason, when npm cannot install it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from skillpress.mcp import tools
from tests.examples import EXAMPLES, ROOT
from tests.mcp.test_tools import PRODUCTS, contract_of
from tests.tools import mcp_inspector

pytest.importorskip("mcp")


def inspect(product: str, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    node, launcher = mcp_inspector()
    command = [str(node), str(launcher), "--cli", "--protocol-era", "modern", "-e", f"PYTHONPATH={ROOT}", *args]
    command += [sys.executable, "-m", "skillpress", "mcp", str(EXAMPLES / product / "spec.yaml")]
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(home), "NO_COLOR": "1", "CI": "1"}
    return subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)


@pytest.mark.tool
@pytest.mark.parametrize("product", PRODUCTS)
def test_inspector_lists_the_tools_and_verifies_the_skills(product: str, tmp_path: Path) -> None:
    listed = inspect(product, tmp_path, "--strict", "--method", "tools/list")
    assert listed.returncode == 0, listed.stderr
    names = [tool["name"] for tool in json.loads(listed.stdout)["tools"]]
    assert names == list(tools.tool_names(contract_of(product)))

    verified = inspect(product, tmp_path, "--verify", "--require-digests", "--method", "skills/list")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    reports = [json.loads(line) for line in verified.stdout.splitlines() if line.strip()]
    well_known = json.loads((EXAMPLES / product / "site/agent/.well-known/skills/index.json").read_text())
    assert [r["name"] for r in reports] == sorted(s["name"] for s in well_known["skills"])
    digests = {
        f"skill://{s['name']}/{path}": f"sha256:{d}" for s in well_known["skills"] for path, d in s["sha256"].items()
    }
    for report in reports:
        assert report["ok"] is True and report["conformance"] == [] and report["frontmatter"] == []
        for file in report["files"]:
            assert file["status"] == "verified"
            assert file["actualDigest"] == digests[file["uri"]]
