"""What every verb of the command line shares: the one place that maps errors to exit
codes, the output-format choice, and turning arguments into a :class:`Project`.

Exit codes (every command): 0 success, 1 the input is invalid or the output differs,
2 the command could not run (usage error, unreadable file, internal error).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from skillpress.diagnostics import SkillpressError
from skillpress.project import Project, resolve

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_CANNOT_RUN = 2

Subparsers = Any  # argparse's private _SubParsersAction


def guard(run: Callable[[], int]) -> int:
    """Run one command; turn user-facing errors into a message and exit 2, never a traceback."""
    try:
        return run()
    except SkillpressError as exc:
        sys.stderr.write(f"skillpress: error: {exc}\n")
        return EXIT_CANNOT_RUN
    except KeyboardInterrupt:
        sys.stderr.write("skillpress: interrupted\n")
        return EXIT_CANNOT_RUN


def command(
    subparsers: Subparsers, name: str, summary: str, run: Callable[[argparse.Namespace], int], description: str = ""
) -> argparse.ArgumentParser:
    """Add one sub-command whose handler is ``run(args) -> exit code``."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        name, help=summary, description=description or summary, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.set_defaults(run=run, help_parser=parser)
    return parser


def add_spec(parser: argparse.ArgumentParser, extra: str = "") -> None:
    parser.add_argument(
        "spec",
        nargs="?",
        type=Path,
        default=None,
        metavar="SPEC",
        help=f"spec file{extra} (default: `spec` from skillpress.toml or [tool.skillpress])",
    )


def add_format(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format", dest="output_format", choices=("text", "json"), default="text", help="output format"
    )


def add_templates(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--templates",
        type=Path,
        default=None,
        metavar="DIR",
        help="folder of templates that override the packaged ones",
    )


def project_for(
    spec: Path | None,
    *,
    root: Path | None = None,
    out: Path | None = None,
    templates: Path | None = None,
    need_spec: bool = True,
) -> Project:
    """The project a command works on. ``root`` names the project (its config is looked up
    from there); ``out`` only redirects where a build writes (the config comes from here)."""
    return resolve(
        spec,
        root=out if out is not None else root,
        templates=templates,
        start=root,
        need_spec=need_spec,
    )
