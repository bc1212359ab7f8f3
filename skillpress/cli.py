"""The `skillpress` command line: a thin Typer layer over functions tests call directly.

Exit codes (every command): 0 success, 1 the input is invalid or the output differs,
2 the command could not run (usage error, unreadable file, internal error).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from enum import Enum
from pathlib import Path

import typer

from skillpress import __version__
from skillpress.diagnostics import SkillpressError, format_json, format_text

DEFAULT_SPEC = Path("source/image-skill.yaml")

app = typer.Typer(
    name="skillpress",
    help="Turn one YAML spec of a hosted agent product into every agent-facing file.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


from skillpress.site.cli import site_app  # noqa: E402  (the `skillpress site build|serve` sub-app)

app.add_typer(site_app, name="site")


class OutputFormat(str, Enum):
    text = "text"
    json = "json"


def _version(value: bool) -> None:
    if value:
        typer.echo(f"skillpress {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version."),
) -> None:
    """skillpress: one spec, every agent-facing file."""


SpecArg = typer.Argument(DEFAULT_SPEC, help="Spec file.", show_default=True)
ValidateSpecArg = typer.Argument(DEFAULT_SPEC, help="Spec file, or - to read it from stdin.", show_default=True)


def validate_spec(spec: Path, output_format: OutputFormat = OutputFormat.text) -> int:
    """Validate ``spec``; print diagnostics on stdout; return the exit code."""
    from skillpress.spec import load_spec, load_spec_stream

    # ``-`` reads the spec from stdin, with the same 5 MiB cap as a file.
    result = load_spec_stream(sys.stdin.buffer) if str(spec) == "-" else load_spec(spec)
    if output_format is OutputFormat.json:
        sys.stdout.write(format_json(result.diagnostics, file=result.file))
    else:
        sys.stdout.write(format_text(result.diagnostics))
    return 0 if result.ok else 1


@app.command()
def validate(
    spec: Path = ValidateSpecArg,
    output_format: OutputFormat = typer.Option(OutputFormat.text, "--format", help="Output format."),
) -> None:
    """Check a spec: schema, then every semantic rule. Exit 0 valid, 1 invalid, 2 could not run."""
    raise typer.Exit(_guard(lambda: validate_spec(spec, output_format)))


TemplatesOpt = typer.Option(None, "--templates", help="Folder of templates that override the packaged ones.")
BundleOpt = typer.Option(None, "--client-bundle", help="Also generate the thin client's bundle in this folder.")


@app.command()
def build(
    spec: Path = SpecArg,
    out: Path = typer.Option(Path("."), "--out", help="Project root to write into."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Print what would change; write nothing."),
    verbose: bool = typer.Option(False, "-v", "--verbose", help="Also list files that are already up to date."),
    templates: Path | None = TemplatesOpt,
    client_bundle: str | None = BundleOpt,
) -> None:
    """Regenerate every agent-facing file from the spec (only changed files are written, atomically)."""
    from skillpress import pipeline

    raise typer.Exit(
        _guard(
            lambda: pipeline.build(
                spec, out, dry_run=dry_run, verbose=verbose, templates=templates, client_bundle=client_bundle
            )
        )
    )


@app.command()
def check(
    spec: Path = SpecArg,
    root: Path = typer.Option(Path("."), "--root", help="Project root holding the generated files."),
    output_format: OutputFormat = typer.Option(OutputFormat.text, "--format", help="Output format."),
    quiet: bool = typer.Option(False, "-q", "--quiet", help="Print nothing; only the exit code tells."),
    verbose: bool = typer.Option(False, "-v", "--verbose", help="Print estimated tokens per generated file."),
    templates: Path | None = TemplatesOpt,
    client_bundle: str | None = BundleOpt,
) -> None:
    """Fail when a generated file differs from the spec. Exit 0 clean, 1 drift, 2 could not run."""
    from skillpress import pipeline

    raise typer.Exit(
        _guard(
            lambda: pipeline.check(
                spec,
                root,
                output_format=output_format.value,
                quiet=quiet,
                verbose=verbose,
                templates=templates,
                client_bundle=client_bundle,
            )
        )
    )


@app.command()
def publish(
    spec: Path = SpecArg,
    out: Path = typer.Option(Path("dist"), "--out", help="Release folder (replaced as a whole)."),
    root: Path = typer.Option(Path("."), "--root", help="Project root holding the generated files."),
) -> None:
    """Write one versioned release: client wheel and sdist, skills bundle, site, release.json.

    Refuses (exit 1, nothing written) when the spec is invalid or a generated file is stale,
    printing what `skillpress check` prints. Exit 0 published, 2 could not run."""
    from skillpress.publish import publish as run_publish

    raise typer.Exit(_guard(lambda: run_publish(spec, out, root=root)))


@app.command()
def verify(
    release: Path = typer.Argument(Path("dist"), help="Release folder written by `skillpress publish`."),
) -> None:
    """Re-check a release against its release.json. Exit 0 intact, 1 missing/extra/changed files, 2 could not run."""
    from skillpress.publish import verify as run_verify

    raise typer.Exit(_guard(lambda: run_verify(release)))


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


@app.command()
def mock(
    spec: Path = SpecArg,
    port: int = typer.Option(8765, "--port", help="Port on 127.0.0.1 (0 picks a free one)."),
    db: Path | None = typer.Option(None, "--db", help="SQLite file for the mock's state (default: in memory)."),
    starting_credits: int = typer.Option(20, "--starting-credits", help="Credits each new signup starts with."),
) -> None:
    """Serve a local mock of the spec's hosted API on 127.0.0.1 until interrupted."""
    from skillpress.spec import load_spec

    def run() -> int:
        result = load_spec(spec)
        if result.spec is None or not result.ok:
            sys.stdout.write(format_text(result.diagnostics))
            return 1
        from skillpress.mock.server import serve

        serve(result.spec, port, str(db) if db else None, starting_credits=starting_credits)
        return 0

    raise typer.Exit(_guard(run))


def _guard(run: Callable[[], int]) -> int:
    """Turn user-facing errors into a message and exit 2; never a traceback for bad input."""
    try:
        return run()
    except SkillpressError as exc:
        sys.stderr.write(f"skillpress: error: {exc}\n")
        return 2
    except KeyboardInterrupt:
        sys.stderr.write("skillpress: interrupted\n")
        return 2


def main() -> None:
    app()


if __name__ == "__main__":
    main()
