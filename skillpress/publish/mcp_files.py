"""What the published client carries for ``<cli> mcp``: the server's modules, the skills it
serves and the optional extra that brings the MCP SDK.

Kept out of :mod:`skillpress.publish.wheel` (which writes any distribution) so the client's
layout and the MCP server's can change apart; ``release.client_distribution`` adds
:func:`package_files` to the package and :data:`MCP_EXTRA` to its metadata.
"""

from __future__ import annotations

import ast
from pathlib import Path

from skillpress.diagnostics import SkillpressError

MCP_DIR = Path(__file__).resolve().parent.parent / "mcp"

#: The published client's optional extra for ``<cli> mcp`` (the MCP SDK); the base install
#: needs nothing but the standard library.
MCP_EXTRA = {"mcp": ["mcp>=2.3,<3"]}


def mcp_modules(mcp_dir: Path) -> dict[str, bytes]:
    """The MCP server's modules (``skillpress/mcp/*.py``, shipped as ``<package>/mcp/``),
    refusing any that import ``skillpress`` absolutely, as :func:`client_modules` does."""
    modules: dict[str, bytes] = {}
    for path in sorted(mcp_dir.glob("*.py")):
        data = path.read_bytes()
        for node in ast.walk(ast.parse(data, filename=str(path))):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            if any(name.split(".")[0] == "skillpress" for name in names):
                raise SkillpressError(
                    f"line {getattr(node, 'lineno', 0)}: the MCP server must import the client's modules "
                    "relatively, or it cannot ship inside the client's package",
                    file=str(path),
                )
        modules[path.name] = data
    if "entry.py" not in modules or "__init__.py" not in modules:
        raise SkillpressError("the MCP server package is incomplete (no entry.py or __init__.py)", file=str(mcp_dir))
    return modules


def package_files(release_files: dict[str, bytes], mcp_dir: Path = MCP_DIR) -> dict[str, bytes]:
    """``{path inside the package: bytes}``: ``mcp/*.py`` and every ``skills/<name>/...`` file."""
    files = {f"mcp/{name}": data for name, data in mcp_modules(mcp_dir).items()}
    files.update({path: data for path, data in release_files.items() if path.startswith("skills/")})
    return dict(sorted(files.items()))


__all__ = ["MCP_DIR", "MCP_EXTRA", "mcp_modules", "package_files"]
