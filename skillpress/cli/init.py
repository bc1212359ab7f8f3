"""`skillpress init`: start a new project."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from skillpress.cli.common import guard


def register(app: typer.Typer) -> None:
    @app.command()
    def init(
        folder: Path = typer.Argument(Path("."), help="Folder of the new project (created if missing)."),
        product: str | None = typer.Option(None, "--id", help="Product id (default: from the folder name)."),
    ) -> None:
        """Scaffold a project: a small commented spec, skillpress.toml, .gitignore entries and a
        pre-commit hook. Never overwrites a spec or a config. Exit 0 written, 2 could not run."""

        def run() -> int:
            from skillpress.project import display_path
            from skillpress.scaffold import init_project

            done = init_project(folder, product=product)
            for path in done.written:
                sys.stderr.write(f"   create  {display_path(path)}\n")
            for path in done.updated:
                sys.stderr.write(f"   update  {display_path(path)}\n")
            where = display_path(done.folder)
            lines = ["Next, edit spec.yaml, then:"]
            if where != ".":
                lines.append(f"  cd {where}")
            lines += [
                "  skillpress build                # generate skill.md, llms.txt, cli.md, skills/ and site/",
                "  skillpress site serve           # preview the homepage and docs on 127.0.0.1:8000",
                "  skillpress publish --out dist/  # a release: client wheel, skills bundle, site",
            ]
            sys.stdout.write("\n".join(lines) + "\n")
            return 0

        raise typer.Exit(guard(run))
