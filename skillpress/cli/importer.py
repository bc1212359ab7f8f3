"""`skillpress import openapi | package`: a draft spec from what a product already has.

Exit codes: 0 the draft was written, 1 the input could not be imported (located problems
printed), 2 the command could not run (unreadable input, the output exists without
``--force``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from skillpress.cli.common import EXIT_FAILED, EXIT_OK, Subparsers, command


def run_import(kind: str, source: str, out: Path, *, force: bool = False, run_help: bool = True) -> int:
    """Import ``source`` into ``out`` (``-`` prints it); print the summary on stderr."""
    from skillpress.diagnostics import SkillpressError, format_text
    from skillpress.importers import draft as drafts

    to_stdout = str(out) == "-"
    if not to_stdout and out.exists() and not force:
        raise SkillpressError(f"{out} exists; pass --force to replace it")
    try:
        if kind == "openapi":
            from skillpress.importers.openapi import import_openapi

            made = import_openapi(source)
        else:
            from skillpress.importers.package import import_package

            made = import_package(Path(source), run_help=run_help)
        display = "<stdout>" if to_stdout else str(out)
        finished = drafts.finish(made, display, None if to_stdout else out.resolve().parent)
    except drafts.ImportFailed as exc:
        sys.stderr.write(f"skillpress: error: {exc.message}\n")
        sys.stderr.write(format_text(exc.diagnostics))
        return EXIT_FAILED
    except SkillpressError:
        raise
    except (RecursionError, MemoryError):
        raise SkillpressError(f"{source}: the input nests too deeply or is too large to import") from None
    except Exception as exc:  # an importer bug on odd input: a message, never a traceback
        raise SkillpressError(
            f"{source}: the importer failed on this input ({type(exc).__name__}); please report it with the input"
        ) from None
    if to_stdout:
        sys.stdout.write(finished.text)
    else:
        drafts.write_new(out, finished.text, force=force)
    sys.stderr.write(drafts.summary(made, finished, display))
    return EXIT_OK


def _openapi(args: argparse.Namespace) -> int:
    return run_import("openapi", args.source, args.out, force=args.force)


def _package(args: argparse.Namespace) -> int:
    return run_import("package", args.source, args.out, force=args.force, run_help=not args.no_help)


def register(subparsers: Subparsers) -> None:
    group = subparsers.add_parser(
        "import",
        help="start a spec from an OpenAPI document or a hand-kept agent package",
        description="Write a draft spec from what a product already has. The draft validates; values\n"
        "starting with TODO need a person, and `# review:` marks the product's own wording.\n"
        "Exit 0 written, 1 the input could not be imported, 2 could not run.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    group.set_defaults(help_parser=group)
    verbs = group.add_subparsers(dest="import_kind", metavar="KIND")

    p = command(
        verbs,
        "openapi",
        "a draft spec from an OpenAPI 3.0/3.1 document",
        _openapi,
        "A draft spec from an OpenAPI 3.0 or 3.1 document (YAML or JSON, a path or a file:// URL):\n"
        "one command per operation, grouped by tag; flags from parameters and JSON bodies;\n"
        "the credential scheme from securitySchemes. References to other files are refused.",
    )
    p.add_argument("source", metavar="FILE", help="the OpenAPI document")
    _output(p)

    p = command(
        verbs,
        "package",
        "a draft spec from a hand-kept agent package (skill.md, cli.md, llms.txt, ...)",
        _package,
        "A draft spec from a folder holding a hand-kept agent package: skill.md or SKILL.md,\n"
        "cli.md, llms.txt, package.json or pyproject.toml, CHANGELOG.md and, where the package\n"
        "ships an executable, each command's --help (run with a timeout, without network).",
    )
    p.add_argument("source", metavar="DIR", help="the package folder")
    p.add_argument("--no-help", action="store_true", help="do not run the package's executable")
    _output(p)


def _output(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--out",
        type=Path,
        default=Path("spec.yaml"),
        metavar="SPEC",
        help="where to write (default spec.yaml; - prints)",
    )
    p.add_argument("--force", action="store_true", help="replace SPEC if it exists")
