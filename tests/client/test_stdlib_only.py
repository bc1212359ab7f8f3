"""The bundled client imports only the standard library, its own package and the contract modules it ships with."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import skillpress.client

CLIENT_DIR = Path(skillpress.client.__file__).resolve().parent


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                found.append((node.lineno, "." * node.level + (node.module or "")))
            else:
                found.append((node.lineno, node.module or ""))
    return found


def test_every_client_module_imports_only_stdlib_and_itself() -> None:
    modules = sorted(CLIENT_DIR.rglob("*.py"))
    assert len(modules) >= 7
    bad = []
    for path in modules:
        for line, name in _imports(path):
            top = name.split(".")[0]
            if name.startswith("skillpress.client") or top == "__future__":
                continue
            if name.startswith(".") and not name.startswith(".."):
                continue  # a sibling module of the client package (relative, so it can ship renamed)
            if name in ("..contract", "..contract.invocation", "..contract.protocol", "..contract.requests"):
                continue  # the standard-library contract modules, shipped next to the client
            if top in sys.stdlib_module_names and not name.startswith("."):
                continue
            bad.append(f"{path.relative_to(CLIENT_DIR)}:{line}: {name}")
    assert bad == [], "the thin client may import only the standard library:\n" + "\n".join(bad)


def test_version_loads_no_third_party_module(tmp_path: Path) -> None:
    """At runtime too: nothing outside the stdlib gets imported, even indirectly."""
    code = (
        "import sys, runpy\n"
        "sys.argv = ['client', '--version']\n"
        "try:\n"
        "    runpy.run_module('skillpress.client', run_name='__main__')\n"
        "except SystemExit:\n"
        "    pass\n"
        "extra = sorted(m for m in sys.modules if m.split('.')[0] not in sys.stdlib_module_names\n"
        "               and not m.startswith('skillpress') and not m.startswith('_'))\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('http', 'ssl', 'email', 'yaml', 'pydantic'))\n"
        "print('EXTRA', extra, 'HEAVY', heavy)\n"
    )
    import os

    from skillpress.contract.compile import render_contract_json
    from tests.client.conftest import FIRECRAWL_SPEC, load

    contract = tmp_path / "contract.json"
    contract.write_text(render_contract_json(load(FIRECRAWL_SPEC)), encoding="utf-8")
    env = {**os.environ, "SKILLPRESS_CLIENT_CONTRACT": str(contract), "PYTHONPATH": str(CLIENT_DIR.parent.parent)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, env=env).stdout
    assert out.startswith("firecrawl "), out
    line = out.strip().splitlines()[-1]
    assert "EXTRA []" in line, line
    assert "HEAVY []" in line, f"--version should not import HTTP/ssl/email: {line}"
    skillpress_modules = {"skillpress", "skillpress.client", "skillpress.client.main"}
    assert skillpress_modules  # documented: the cold path stays tiny
