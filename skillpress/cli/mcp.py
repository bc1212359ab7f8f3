"""`skillpress mcp [SPEC]`: the product's MCP server, run from its spec (development).

The published client serves the same thing as ``<cli> mcp`` (with ``pip install
'<package>[mcp]'``); here the contract is compiled and the skills rendered from the spec
in memory, and tool calls run through this checkout's client runtime. It speaks MCP on
stdin/stdout, so everything it has to say before serving goes to stderr.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from skillpress.cli.common import EXIT_CANNOT_RUN, EXIT_FAILED, Subparsers, add_spec, command, project_for


def load_product(spec_path: Path, templates: Path | None = None) -> object | None:
    """The :class:`skillpress.mcp.server.Product` of a valid spec (``None``, diagnostics on
    stderr, otherwise)."""
    from skillpress.client.runtime import execute
    from skillpress.contract.compile import compile_contract
    from skillpress.diagnostics import format_text
    from skillpress.mcp.server import Product
    from skillpress.mcp.skills import from_files
    from skillpress.project import AGENT_DIR, display_path
    from skillpress.render import render_all
    from skillpress.spec import load_spec

    result = load_spec(spec_path, display_path(spec_path))
    if result.spec is None or not result.ok:
        sys.stderr.write(format_text(result.diagnostics))
        return None
    spec = result.spec
    library = from_files(render_all(spec, templates).files, AGENT_DIR)  # the skills as `build` writes them
    package = spec.client.package if spec.client else None
    keywords = {}
    hooks = getattr(spec.protocol, "hooks", None) if spec.protocol is not None else None
    if hooks:  # the product's hooks package, next to its spec (as `skillpress client run` finds it)
        keywords["hooks_dir"] = str((spec_path.parent / hooks).resolve())
    return Product(compile_contract(spec), library, execute, package=package, execute_keywords=keywords)


def _mcp(args: argparse.Namespace) -> int:
    try:
        import mcp  # noqa: F401
    except ImportError:
        sys.stderr.write("skillpress: the MCP server needs the `mcp` package: pip install 'skillpress[mcp]'\n")
        return EXIT_CANNOT_RUN
    project = project_for(args.spec, root=args.root)
    product = load_product(project.spec_path, project.templates)
    if product is None:
        sys.stderr.write("skillpress: the spec is not valid; fix it before serving it over MCP\n")
        return EXIT_FAILED
    from skillpress.mcp.server import Product, run

    assert isinstance(product, Product)
    if args.list_tools:
        import json

        sys.stdout.write(json.dumps(product.tools, indent=2, ensure_ascii=False) + "\n")
        return 0
    return run(product)


def register(subparsers: Subparsers) -> None:
    p = command(
        subparsers,
        "mcp",
        "serve the product's commands and skills over MCP (stdio)",
        _mcp,
        "Serve the product's commands as MCP tools and its skills as skill:// resources on\n"
        "stdin/stdout, straight from the spec (the published client does the same as `<cli> mcp`).\n"
        "Add it to an MCP host as the command `skillpress mcp path/to/spec.yaml`.\n"
        "Needs the optional `mcp` package: pip install 'skillpress[mcp]'.",
    )
    add_spec(p)
    p.add_argument("--root", type=Path, default=None, metavar="DIR", help="project root (default: the configured one)")
    p.add_argument("--list-tools", action="store_true", help="print the tools as JSON and exit instead of serving")
