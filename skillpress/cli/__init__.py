"""The `skillpress` command line: a thin Typer layer over functions tests call directly.

Each verb group lives in its own module and imports the work it delegates to only when
it runs; :mod:`skillpress.cli.common` maps errors to exit codes in one place.
"""

from __future__ import annotations

import typer

from skillpress import __version__
from skillpress.cli import generate, init, release, serve
from skillpress.cli.site import site_app

app = typer.Typer(
    name="skillpress",
    help="Turn one YAML spec of a hosted agent product into every agent-facing file.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"skillpress {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version."),
) -> None:
    """skillpress: one spec, every agent-facing file."""


for module in (init, generate, release, serve):
    module.register(app)
app.add_typer(site_app, name="site")


def main() -> None:
    app()


__all__ = ["app", "main"]
