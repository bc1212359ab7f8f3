"""How the MCP server ships: the client's optional ``mcp`` extra and the bundle's ``.mcp.json``."""

from __future__ import annotations

import json
import tomllib

import pytest

from skillpress.publish import bundle, release
from skillpress.publish.wheel import Distribution, metadata, sdist_pyproject
from skillpress.render import render_all
from skillpress.spec import load_spec
from tests.examples import EXAMPLES, ROOT
from tests.mcp.test_tools import PRODUCTS


def _dist(**extra: object) -> Distribution:
    return Distribution(
        name="demo-cli",
        version="1.0.0",
        import_name="demo_cli",
        summary="Demo.",
        cli_name="demo",
        description="# demo\n",
        **extra,  # type: ignore[arg-type]
    )


def test_the_mcp_extra_is_declared_in_wheel_and_sdist_metadata() -> None:
    dist = _dist(extras={"mcp": ["mcp>=2.3,<3"]})
    headers = metadata(dist).decode().partition("\n\n")[0].splitlines()
    assert "Provides-Extra: mcp" in headers
    assert 'Requires-Dist: mcp>=2.3,<3 ; extra == "mcp"' in headers
    project = tomllib.loads(sdist_pyproject(dist).decode())["project"]
    assert project["dependencies"] == []
    assert project["optional-dependencies"] == {"mcp": ["mcp>=2.3,<3"]}
    requirements = pytest.importorskip("packaging.requirements")
    parsed = requirements.Requirement('mcp>=2.3,<3 ; extra == "mcp"')
    assert parsed.name == "mcp" and parsed.marker is not None


def test_without_extras_the_metadata_names_no_dependency() -> None:
    dist = _dist()
    text = metadata(dist).decode()
    assert "Requires-Dist" not in text and "Provides-Extra" not in text
    assert "optional-dependencies" not in sdist_pyproject(dist).decode()


@pytest.mark.parametrize("product", PRODUCTS)
def test_bundle_mcp_json_points_at_the_clients_mcp_command(product: str) -> None:
    path = EXAMPLES / product / "spec.yaml"
    spec = load_spec(path).spec
    assert spec is not None and spec.client is not None
    files = {k: v.encode() if isinstance(v, str) else v for k, v in render_all(spec).files.items()}
    out = release.skills_bundle(release.Release(spec, path, files), _dist())
    config = json.loads(out["mcp.json"])
    server = {"type": "stdio", "command": spec.product.cli_name, "args": ["mcp"]}
    assert config == {"$schema": bundle.MCP_SCHEMA, "mcpServers": {bundle.plugin_name(spec): server}}
    schema = ROOT / "schema/vendor/agent-plugins-1.0.0/mcp.schema.json"
    if schema.is_file():  # vendored with the Agent Plugins plugin.json
        import jsonschema

        jsonschema.validate(config, json.loads(schema.read_text()))
    readme = out["README.md"].decode()
    assert f"pip install '{spec.client.package}[mcp]'" in readme
    assert f"-- {spec.product.cli_name} mcp" in readme


def test_mcp_modules_ship_relatively_importing(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from skillpress.diagnostics import SkillpressError
    from skillpress.publish.mcp_files import mcp_modules

    assert sorted(mcp_modules(ROOT / "skillpress" / "mcp")) == [
        "__init__.py",
        "entry.py",
        "server.py",
        "skills.py",
        "tools.py",
    ]
    (tmp_path / "__init__.py").write_text("")
    (tmp_path / "entry.py").write_text("from skillpress.contract import protocol\n")
    with pytest.raises(SkillpressError, match="relatively"):
        mcp_modules(tmp_path)


def test_package_files_hold_the_server_and_the_skills() -> None:
    from skillpress.publish.mcp_files import package_files

    files = package_files({"skills/a/SKILL.md": b"x", "skills/a/references/cli.md": b"y", "site/agent/llms.txt": b"z"})
    assert [p for p in files if not p.startswith("mcp/")] == ["skills/a/SKILL.md", "skills/a/references/cli.md"]
    assert "mcp/server.py" in files and "mcp/entry.py" in files
