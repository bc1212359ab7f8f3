"""`skillpress validate | build | check | schema`: the spec and the files generated from it."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from skillpress.cli.common import OutputFormat, guard, project_for

SpecArg = typer.Argument(None, help="Spec file (default: `spec` from skillpress.toml or [tool.skillpress]).")
TemplatesOpt = typer.Option(None, "--templates", help="Folder of templates that override the packaged ones.")
BundleOpt = typer.Option(None, "--client-bundle", help="Also generate the thin client's bundle in this folder.")


def validate_spec(spec: Path | None, output_format: OutputFormat = OutputFormat.text) -> int:
    """Validate ``spec`` (or the configured one); print diagnostics on stdout; return the exit code."""
    from skillpress.diagnostics import format_json, format_text
    from skillpress.project import display_path
    from skillpress.spec import load_spec

    project = project_for(spec)
    result = load_spec(project.spec_path, display_path(project.spec_path) if spec is None else str(spec))
    if result.ok and result.spec is not None:
        from skillpress.render import budget_check

        # what build would refuse: a size budget the spec cannot meet, even split
        result.diagnostics += budget_check(result.spec, result.document, project.templates)
    if output_format is OutputFormat.json:
        sys.stdout.write(format_json(result.diagnostics, file=result.file))
    else:
        sys.stdout.write(format_text(result.diagnostics))
    return 0 if result.ok else 1


def register(app: typer.Typer) -> None:
    @app.command()
    def validate(
        spec: Path | None = SpecArg,
        output_format: OutputFormat = typer.Option(OutputFormat.text, "--format", help="Output format."),
    ) -> None:
        """Check a spec: schema, then every semantic rule. Exit 0 valid, 1 invalid, 2 could not run."""
        raise typer.Exit(guard(lambda: validate_spec(spec, output_format)))

    @app.command()
    def build(
        spec: Path | None = SpecArg,
        out: Path | None = typer.Option(None, "--out", help="Project root to write into (default: the project's)."),
        dry_run: bool = typer.Option(False, "--dry-run", help="Print what would change; write nothing."),
        verbose: bool = typer.Option(False, "-v", "--verbose", help="Also list files that are already up to date."),
        templates: Path | None = TemplatesOpt,
        client_bundle: str | None = BundleOpt,
    ) -> None:
        """Regenerate every agent-facing file from the spec (only changed files are written, atomically)."""

        def run() -> int:
            from skillpress import pipeline

            project = project_for(spec, out=out, templates=templates, client_bundle=client_bundle)
            return pipeline.build(project, dry_run=dry_run, verbose=verbose)

        raise typer.Exit(guard(run))

    @app.command()
    def check(
        spec: Path | None = SpecArg,
        root: Path | None = typer.Option(None, "--root", help="Project root holding the generated files."),
        output_format: OutputFormat = typer.Option(OutputFormat.text, "--format", help="Output format."),
        quiet: bool = typer.Option(False, "-q", "--quiet", help="Print nothing; only the exit code tells."),
        verbose: bool = typer.Option(False, "-v", "--verbose", help="Print estimated tokens per generated file."),
        templates: Path | None = TemplatesOpt,
        client_bundle: str | None = BundleOpt,
    ) -> None:
        """Fail when a generated file differs from the spec. Exit 0 clean, 1 drift, 2 could not run."""

        def run() -> int:
            from skillpress import pipeline

            project = project_for(spec, root=root, templates=templates, client_bundle=client_bundle)
            return pipeline.check(project, output_format=output_format.value, quiet=quiet, verbose=verbose)

        raise typer.Exit(guard(run))

    @app.command()
    def schema(
        out: Path | None = typer.Option(None, "--out", help="Write here instead of stdout."),
    ) -> None:
        """Print (or write) the JSON Schema of the spec format."""
        from skillpress.output.write import write_atomic
        from skillpress.spec.schema import render_json_schema

        text = render_json_schema()
        if out is None:
            sys.stdout.write(text)
        else:
            write_atomic(out, text.encode())
        raise typer.Exit(0)
