"""The MCP server over stdio, driven by the official SDK's own client (both example products).

Each test starts ``skillpress mcp SPEC`` as a subprocess, as an MCP host would, and talks
MCP to it: the tool list is exactly the visible hosted commands, a skill resource's
bytes hash to the digest of the site's ``.well-known`` index, and a bad tool call comes
back as a tool error carrying the product's usage code.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path
from typing import Any

import anyio
import pytest

pytest.importorskip("mcp")

from mcp import Client, StdioServerParameters

from skillpress.contract import protocol
from skillpress.mcp import tools
from tests.examples import EXAMPLES, ROOT
from tests.mcp.test_tools import PRODUCTS, contract_of


def server_params(product: str, env: dict[str, str] | None = None) -> StdioServerParameters:
    base = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT), "HOME": os.environ.get("HOME", "/tmp")}
    if os.environ.get("XDG_CACHE_HOME"):
        base["XDG_CACHE_HOME"] = os.environ["XDG_CACHE_HOME"]
    return StdioServerParameters(
        command=sys.executable,
        args=["-m", "skillpress", "mcp", str(EXAMPLES / product / "spec.yaml")],
        env={**base, **(env or {})},
        cwd=str(ROOT),
    )


def session(product: str, steps: Any, env: dict[str, str] | None = None) -> Any:
    """Run ``await steps(client)`` against a fresh server; return what it returns."""

    async def main() -> Any:
        async with Client(server_params(product, env), read_timeout_seconds=60) as client:
            return await steps(client)

    return anyio.run(main)


@pytest.mark.parametrize("product", PRODUCTS)
def test_sdk_client_lists_exactly_the_visible_commands_and_reads_a_skill(product: str) -> None:
    contract = contract_of(product)
    well_known = json.loads((EXAMPLES / product / "site/agent/.well-known/skills/index.json").read_text())
    first = well_known["skills"][0]

    async def steps(client: Client) -> dict[str, Any]:
        listed = await client.list_tools()
        resources = await client.list_resources()
        read = await client.read_resource(f"skill://{first['name']}/SKILL.md")
        reference = first["files"][-1]
        read_ref = await client.read_resource(f"skill://{first['name']}/{reference}")
        manifest = await client.read_resource(f"skill://{first['name']}/_manifest")
        card = await client.read_resource("mcp://server-card.json")
        bad = await client.call_tool(next(iter(tools.tool_names(contract))), {"no_such_input": 1})
        return {
            "tools": listed.tools,
            "resources": resources.resources,
            "skill": read.contents[0],
            "reference": (reference, read_ref.contents[0]),
            "manifest": json.loads(manifest.contents[0].text),  # type: ignore[union-attr]
            "card": json.loads(card.contents[0].text),  # type: ignore[union-attr]
            "bad": bad,
            "info": client.server_info,
        }

    got = session(product, steps)
    expected = [c for c in contract["commands"] if c["call"] and not c["hidden"]]
    names = [t.name for t in got["tools"]]
    assert names == list(tools.tool_names(contract))
    assert [tools.command_for_tool(contract, n)["id"] for n in names] == [c["id"] for c in expected]  # type: ignore[index]
    listed = {t.name: t for t in got["tools"]}
    for tool in tools.tools(contract):  # what went over the wire is what the contract gives
        wire = listed[tool["name"]]
        assert wire.input_schema == tool["inputSchema"]
        assert wire.description == tool["description"]
        assert wire.annotations is not None
        assert wire.annotations.read_only_hint == tool["annotations"]["readOnlyHint"]

    skill_md = got["skill"].text.encode("utf-8")
    assert hashlib.sha256(skill_md).hexdigest() == first["sha256"]["SKILL.md"]
    assert got["skill"].meta == {"sha256": first["sha256"]["SKILL.md"]}
    path, contents = got["reference"]
    assert hashlib.sha256(contents.text.encode("utf-8")).hexdigest() == first["sha256"][path]
    assert {f["path"]: f["sha256"] for f in got["manifest"]["files"]} == first["sha256"]

    uris = {r.uri: r for r in got["resources"]}
    for skill in well_known["skills"]:
        for file, digest in skill["sha256"].items():
            assert uris[f"skill://{skill['name']}/{file}"].meta == {"sha256": digest}
    assert "skill://_agent/llms.txt" in uris

    card = got["card"]
    assert card["transport"] == {"type": "stdio", "command": contract["product"]["cli_name"], "args": ["mcp"]}
    assert [t["name"] for t in card["tools"]] == names
    assert got["info"].name == contract["product"]["id"]

    bad = got["bad"]
    assert bad.is_error is True
    usage_code = protocol.situation_code(contract, "usage")
    assert bad.structured_content["error"]["code"] == usage_code
    assert bad.structured_content["exit_code"] == protocol.exit_code(contract, usage_code)
    assert bad.content[0].text.startswith(f"{usage_code}: unknown input 'no_such_input'")


def test_an_invalid_spec_is_refused_before_serving(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text("product: {id: x}\n")
    import subprocess

    proc = subprocess.run(
        [sys.executable, "-m", "skillpress", "mcp", str(spec)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdin=subprocess.DEVNULL,
        timeout=120,
    )
    assert proc.returncode == 1
    assert proc.stdout == ""  # stdout is the MCP channel: nothing but MCP ever goes there
    assert "spec.yaml" in proc.stderr and "not valid" in proc.stderr
