"""``<cli> mcp``: the MCP server of an installed client (standard library until it serves).

The published client's package holds ``client/`` (the runtime and ``contract.json``),
``contract/``, ``mcp/`` (this package), ``skills/<name>/...`` and ``agent/``. The
client's entry point hands ``mcp`` here; without the optional SDK (``pip install
'<package>[mcp]'``) it says how to get it and exits 2, like any invocation that cannot run.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXIT_CANNOT_RUN = 2


def distribution_name(import_name: str) -> str:
    """The installed distribution that provides ``import_name`` (``acme-cli`` for
    ``acme_cli``); the import name itself when the metadata does not say."""
    try:
        from importlib.metadata import packages_distributions

        names = packages_distributions().get(import_name) or []
    except Exception:  # broken metadata of an unrelated distribution must not hide the hint
        names = []
    return sorted(names)[0] if names else import_name


def serve(
    contract: dict[str, Any],
    *,
    package_dir: str = PACKAGE_DIR,
    bundle_dir: str | None = None,
    hooks_dir: str | None = None,
    env: Mapping[str, str] | None = None,
) -> int:
    """Serve ``contract`` on stdin/stdout until the host closes it; the exit code."""
    package = distribution_name(os.path.basename(package_dir.rstrip(os.sep)))
    try:
        import mcp  # noqa: F401
    except ImportError:
        sys.stderr.write(
            f"error: `{contract['product']['cli_name']} mcp` needs the MCP extra: pip install '{package}[mcp]'\n"
        )
        return EXIT_CANNOT_RUN
    from ..client.runtime import execute  # type: ignore[import-not-found,unused-ignore]
    from .server import Product, run
    from .skills import from_package

    keywords: dict[str, Any] = {}
    if bundle_dir:
        keywords["bundle_dir"] = bundle_dir
    if hooks_dir:
        keywords["hooks_dir"] = hooks_dir
    product = Product(contract, from_package(package_dir), execute, env=env, package=package, execute_keywords=keywords)
    return run(product)


__all__ = ["serve"]
