"""`skillpress validate | build | check | schema`: the spec and the files generated from it."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from skillpress.cli.common import Subparsers, add_format, add_spec, add_templates, command, project_for


def validate_spec(spec: Path | None, output_format: str = "text") -> int:
    """Validate ``spec`` (``-`` = stdin, None = the configured one); print diagnostics; return the exit code."""
    from skillpress.diagnostics import format_json, format_text
    from skillpress.project import display_path
    from skillpress.spec import load_spec

    if spec is not None and str(spec) == "-":
        from skillpress.spec import load_spec_stream

        # ``-`` reads the spec from stdin, with the same size cap as a file.
        result = load_spec_stream(sys.stdin.buffer)
        templates = None
    else:
        project = project_for(spec)
        result = load_spec(project.spec_path, display_path(project.spec_path) if spec is None else str(spec))
        templates = project.templates
    if result.ok and result.spec is not None:
        from skillpress.render import budget_check

        # what build would refuse: a size budget the spec cannot meet, even split
        result.diagnostics += budget_check(result.spec, result.document, templates)
    if output_format == "json":
        sys.stdout.write(format_json(result.diagnostics, file=result.file))
    else:
        sys.stdout.write(format_text(result.diagnostics))
    return 0 if result.ok else 1


def _validate(args: argparse.Namespace) -> int:
    return validate_spec(args.spec, args.output_format)


def _build(args: argparse.Namespace) -> int:
    from skillpress import pipeline

    project = project_for(args.spec, out=args.out, templates=args.templates)
    return pipeline.build(project, dry_run=args.dry_run, verbose=args.verbose)


def _check(args: argparse.Namespace) -> int:
    from skillpress import pipeline

    project = project_for(args.spec, root=args.root, templates=args.templates)
    return pipeline.check(project, output_format=args.output_format, quiet=args.quiet, verbose=args.verbose)


def _schema(args: argparse.Namespace) -> int:
    from skillpress.output.write import write_atomic
    from skillpress.spec.schema import render_json_schema

    text = render_json_schema()
    if args.out is None:
        sys.stdout.write(text)
    else:
        write_atomic(args.out, text.encode())
    return 0


def register(subparsers: Subparsers) -> None:
    p = command(
        subparsers,
        "validate",
        "check a spec: schema, then every semantic rule",
        _validate,
        "Check a spec: schema, then every semantic rule. Exit 0 valid, 1 invalid, 2 could not run.",
    )
    add_spec(p, ", or - to read it from stdin")
    add_format(p)

    p = command(
        subparsers,
        "build",
        "regenerate every agent-facing file from the spec",
        _build,
        "Regenerate every agent-facing file from the spec: only changed files are written, atomically.\n"
        "Exit 0 done, 1 invalid spec, 2 could not run.",
    )
    add_spec(p)
    p.add_argument("--out", type=Path, default=None, metavar="DIR", help="project root to write into")
    p.add_argument("--dry-run", action="store_true", help="print what would change; write nothing")
    p.add_argument("-v", "--verbose", action="store_true", help="also list files that are already up to date")
    add_templates(p)

    p = command(
        subparsers,
        "check",
        "fail when a generated file differs from the spec",
        _check,
        "Compare the generated files with the spec: a unified diff plus MISSING/EXTRA lines.\n"
        "Exit 0 clean, 1 drift, 2 could not run.",
    )
    add_spec(p)
    p.add_argument("--root", type=Path, default=None, metavar="DIR", help="project root holding the generated files")
    add_format(p)
    p.add_argument("-q", "--quiet", action="store_true", help="print nothing; only the exit code tells")
    p.add_argument("-v", "--verbose", action="store_true", help="print estimated tokens per generated file")
    add_templates(p)

    p = command(subparsers, "schema", "print (or write) the JSON Schema of the spec format", _schema)
    p.add_argument("--out", type=Path, default=None, metavar="FILE", help="write here instead of stdout")
