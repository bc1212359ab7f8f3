"""``<cli> mcp`` from the published client, both example products.

The client wheel is built as ``publish`` builds it and installed with pip into a folder
(``--target``, no dependencies): its metadata declares the ``mcp`` extra; under an
interpreter without the SDK, ``<cli> mcp`` says how to install the extra and exits 2 with
nothing on stdout; under one with the SDK, the SDK's client starts the installed console
script, lists the tools and the skills from the package and calls a tool against the mock.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("mcp")

from skillpress.mcp import tools
from skillpress.publish import release
from skillpress.publish.wheel import build_wheel
from skillpress.render import render_all
from skillpress.spec import load_spec
from tests.examples import EXAMPLES
from tests.mcp.test_calls import CALLS, _host_env
from tests.mcp.test_stdio import PRODUCTS


def _bare_python() -> str | None:
    """An interpreter without the MCP SDK (the base install of a client)."""
    for candidate in ("/usr/bin/python3", shutil.which("python3")):
        if not candidate or not Path(candidate).is_file():
            continue
        probe = subprocess.run([candidate, "-c", "import mcp"], capture_output=True, env={"PATH": ""})
        version = subprocess.run(
            [candidate, "-c", "import sys; print(sys.version_info >= (3, 11))"], capture_output=True, text=True
        )
        if probe.returncode != 0 and version.stdout.strip() == "True":
            return candidate
    return None


@pytest.mark.parametrize("product", PRODUCTS)
def test_installed_client_serves_mcp(product: str, tmp_path: Path) -> None:
    from skillpress.mock.server import MockServer

    path = EXAMPLES / product / "spec.yaml"
    spec = load_spec(path).spec
    assert spec is not None
    files = {k: v.encode() if isinstance(v, str) else v for k, v in render_all(spec).files.items()}
    dist = release.client_distribution(release.Release(spec, path, files))
    wheel = tmp_path / dist.wheel_name
    wheel.write_bytes(build_wheel(dist))
    with zipfile.ZipFile(wheel) as zf:
        headers = zf.read(f"{dist.dist_info}/METADATA").decode().partition("\n\n")[0].splitlines()
        names = zf.namelist()
    assert "Provides-Extra: mcp" in headers
    assert [h for h in headers if h.startswith("Requires-Dist:")] == ['Requires-Dist: mcp>=2.3,<3 ; extra == "mcp"']
    assert f"{dist.import_name}/mcp/server.py" in names
    assert f"{dist.import_name}/skills/{spec.skills[0].name}/SKILL.md" in names

    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-index", "--target", str(target), str(wheel)],
        check=True,
        capture_output=True,
    )
    script = target / "bin" / dist.cli_name
    assert script.is_file()

    bare = _bare_python()
    if bare is not None:
        code = (
            f"import sys; sys.argv = ['{dist.cli_name}', 'mcp']; from {dist.import_name}.client.main import run; run()"
        )
        proc = subprocess.run(
            [bare, "-c", code],
            env={"PYTHONPATH": str(target), "HOME": str(tmp_path)},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert proc.returncode == 2 and proc.stdout == ""
        assert f"`{dist.cli_name} mcp` needs the MCP extra: pip install '" in proc.stderr
        assert "[mcp]'" in proc.stderr

    contract = json.loads((target / dist.import_name / "client" / "contract.json").read_text())
    name, arguments, _ = CALLS[product]["read"]
    with MockServer(spec, starting_credits=10_000) as mock:
        secret = mock.issue_credential()
        env = {"PYTHONPATH": str(target), "PATH": os.environ.get("PATH", "")}
        env.update(_host_env(contract, mock.url, secret, tmp_path))

        import anyio
        from mcp import Client, StdioServerParameters

        params = StdioServerParameters(command=sys.executable, args=[str(script), "mcp"], env=env, cwd=str(tmp_path))

        async def main() -> dict[str, Any]:
            async with Client(params, read_timeout_seconds=60) as client:
                listed = await client.list_tools()
                resources = await client.list_resources()
                skill = await client.read_resource(f"skill://{spec.skills[0].name}/SKILL.md")
                call = await client.call_tool(name, arguments)
                return {"tools": listed.tools, "resources": resources.resources, "skill": skill, "call": call}

        got = anyio.run(main)
    assert [t.name for t in got["tools"]] == list(tools.tool_names(contract))
    assert files[f"skills/{spec.skills[0].name}/SKILL.md"].decode() == got["skill"].contents[0].text
    assert any(r.uri == "skill://_agent/llms.txt" for r in got["resources"])
    assert got["call"].is_error is False, got["call"].content[0].text
