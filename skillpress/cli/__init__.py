"""The `skillpress` command line: a thin argparse layer over functions tests call directly.

Each verb group lives in its own module (``init``, ``generate``, ``release``, ``serve``,
``site``, ``client``, ``importer``) that adds its sub-commands and imports the work it delegates to only
when it runs; :mod:`skillpress.cli.common` maps errors to exit codes in one place.

argparse rather than Typer: the command line starts on every pre-commit run and CI step,
and Typer imports pydantic to coerce arguments (about 55-90 ms before any work); argparse
costs about 3 ms. Exit codes: 0 success, 1 the input is invalid or the output differs,
2 the command could not run (argparse's usage errors included).
"""

from __future__ import annotations

import argparse
import sys

from skillpress import __version__
from skillpress.cli import client, generate, importer, init, release, serve, site
from skillpress.cli.common import EXIT_CANNOT_RUN, guard


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="skillpress",
        description="Turn one YAML spec of a hosted agent product into every agent-facing file, "
        "a thin client, a mock and a release.",
    )
    parser.add_argument("--version", action="version", version=f"skillpress {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in (init, generate, release, serve, site, client, importer):
        module.register(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; return its exit code (the console script exits with it)."""
    parser = build_parser()
    try:
        args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    except SystemExit as stop:  # --help, --version (0) and usage errors (2)
        return int(stop.code or 0) if isinstance(stop.code, int) else EXIT_CANNOT_RUN
    run = getattr(args, "run", None)
    if run is None:
        (getattr(args, "help_parser", None) or parser).print_help(sys.stderr)
        return EXIT_CANNOT_RUN
    return guard(lambda: int(run(args)))


def entry() -> None:
    """Console script ``skillpress``."""
    raise SystemExit(main())


__all__ = ["build_parser", "entry", "main"]
