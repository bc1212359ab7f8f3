"""``skillpress site build|serve``: a Typer sub-app over ``skillpress.site.build``.

Imports stay light here (no mkdocs) so that ``skillpress site build`` on an unchanged
site answers from the stamp in well under half a second.
"""

from __future__ import annotations

from pathlib import Path

import typer

site_app = typer.Typer(
    help="Build or preview the generated homepage and docs site (site/ -> _site/).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

RootOpt = typer.Option(Path("."), "--root", help="Project root holding site/.")


@site_app.command("build")
def build(
    root: Path = RootOpt,
    out: Path | None = typer.Option(None, "--out", help="Output folder (default: ROOT/_site)."),
    force: bool = typer.Option(False, "--force", help="Build even when nothing changed since the last build."),
) -> None:
    """Strict mkdocs build of site/mkdocs.yml into _site/; skipped when nothing changed.
    Exit 0 built or up to date, 1 mkdocs refused the site, 2 could not run."""
    from skillpress.cli import _guard
    from skillpress.site.build import build_command

    raise typer.Exit(_guard(lambda: build_command(root, site_dir=out, force=force)))


@site_app.command("serve")
def serve(
    root: Path = RootOpt,
    port: int = typer.Option(8000, "--port", help="Port on 127.0.0.1."),
) -> None:
    """Live preview of the site on http://127.0.0.1:PORT/ (rebuilds on every change; Ctrl-C stops)."""
    from skillpress.cli import _guard
    from skillpress.site.build import serve as serve_site

    raise typer.Exit(_guard(lambda: serve_site(root, port=port)))
