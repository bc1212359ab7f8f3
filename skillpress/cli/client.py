"""`skillpress client run`: a product's thin client, run from its own spec (development).

The published client carries its compiled contract inside its wheel. While a spec is
being written there is no wheel: this compiles the contract (``contract.compile``) and
the canonical SKILL.md that ``help``'s skill switch prints into the project's working
folder, keyed by the spec's bytes, and runs the same client code on it, in this
process, with the product's hooks package read from the spec's folder.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

from skillpress import __version__
from skillpress.cli.common import EXIT_CANNOT_RUN, Subparsers, command, project_for


def compiled_client(spec_path: Path, cache_dir: Path) -> Path | None:
    """The folder holding ``contract.json`` and ``SKILL.md`` for this spec (compiled on first use);
    ``None`` (with the diagnostics printed) when the spec is invalid."""
    from skillpress.output.write import write_atomic

    digest = hashlib.sha256(spec_path.read_bytes() + f"\0skillpress {__version__}".encode()).hexdigest()[:16]
    folder = cache_dir / "client" / digest
    if (folder / "contract.json").is_file() and (folder / "SKILL.md").is_file():
        return folder
    from skillpress.contract.compile import render_contract_json
    from skillpress.diagnostics import format_text
    from skillpress.project import display_path
    from skillpress.render import render_all
    from skillpress.spec import load_spec

    result = load_spec(spec_path, display_path(spec_path))
    if result.spec is None or not result.ok:
        sys.stderr.write(format_text(result.diagnostics))
        return None
    rendered = render_all(result.spec)
    write_atomic(folder / "SKILL.md", rendered.files["site/agent/skill.md"])
    write_atomic(folder / "contract.json", render_contract_json(result.spec).encode("utf-8"))
    return folder


def _run(args: argparse.Namespace) -> int:
    import json

    from skillpress.client import main as client_main
    from skillpress.spec import load_spec

    project = project_for(args.spec, root=args.root)
    folder = compiled_client(project.spec_path, project.cache_dir)
    if folder is None:
        sys.stderr.write("skillpress: the spec is not valid; fix it before running its client\n")
        return EXIT_CANNOT_RUN
    argv = list(args.argv)
    if argv[:1] == ["--"]:
        argv = argv[1:]
    contract = json.loads((folder / "contract.json").read_text(encoding="utf-8"))
    hooks_dir = None
    if contract["protocol"].get("hooks"):
        spec = load_spec(project.spec_path).spec
        if spec is not None and spec.protocol is not None and spec.protocol.hooks:
            hooks_dir = str((project.spec_path.parent / spec.protocol.hooks).resolve())
    return client_main.main(argv, contract=contract, bundle_dir=str(folder), hooks_dir=hooks_dir)


def register(subparsers: Subparsers) -> None:
    group = subparsers.add_parser(
        "client", help="run the product's thin client from its spec", description="The product's thin client."
    )
    group.set_defaults(run=None, help_parser=group)
    verbs = group.add_subparsers(dest="client_command", metavar="COMMAND")
    p = command(
        verbs,
        "run",
        "run the thin client from the spec (development)",
        _run,
        "Run the product's thin client straight from its spec, as `<cli> ARGS` would run once\n"
        "published: `skillpress client run -- credits quote --pack starter-500 --json`.\n"
        "Exits with the client's own exit code (2 if the spec is not valid).",
    )
    p.add_argument("--spec", type=Path, default=None, help="spec file (default: the configured one)")
    p.add_argument("--root", type=Path, default=None, metavar="DIR", help="project root (default: the configured one)")
    p.add_argument("argv", nargs=argparse.REMAINDER, metavar="-- ARGS", help="the client's own arguments")
