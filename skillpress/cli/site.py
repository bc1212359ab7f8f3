"""`skillpress site build|serve`: a Typer sub-app over :mod:`skillpress.site.build`.

Imports stay light here (no mkdocs), so that `skillpress site build` on an unchanged
site answers from its stamp without loading mkdocs.
"""

from __future__ import annotations

from pathlib import Path

import typer

from skillpress.cli.common import guard, project_for

site_app = typer.Typer(
    help="Build or preview the generated homepage and docs site (site/ -> _site/).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

RootOpt = typer.Option(None, "--root", help="Project root holding site/ (default: the project's).")


@site_app.command("build")
def build(
    root: Path | None = RootOpt,
    out: Path | None = typer.Option(None, "--out", help="Output folder (default: ROOT/_site, or site-output)."),
    force: bool = typer.Option(False, "--force", help="Build even when nothing changed since the last build."),
) -> None:
    """Strict mkdocs build of site/mkdocs.yml into _site/; skipped when nothing changed.
    Exit 0 built or up to date, 1 mkdocs refused the site, 2 could not run."""

    def run() -> int:
        from skillpress.site.build import build_command

        return build_command(project_for(None, root=root, need_spec=False), site_dir=out, force=force)

    raise typer.Exit(guard(run))


@site_app.command("serve")
def serve(
    root: Path | None = RootOpt,
    port: int = typer.Option(8000, "--port", help="Port on 127.0.0.1."),
) -> None:
    """Live preview of the site on http://127.0.0.1:PORT/ (rebuilds on every change; Ctrl-C stops)."""

    def run() -> int:
        from skillpress.site.build import serve as serve_site

        return serve_site(project_for(None, root=root, need_spec=False), port=port)

    raise typer.Exit(guard(run))
