"""`skillpress mock`: a local mock of the spec's hosted API."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from skillpress.cli.common import guard, project_for
from skillpress.cli.generate import SpecArg


def register(app: typer.Typer) -> None:
    @app.command()
    def mock(
        spec: Path | None = SpecArg,
        port: int = typer.Option(8765, "--port", help="Port on 127.0.0.1 (0 picks a free one)."),
        db: Path | None = typer.Option(None, "--db", help="SQLite file for the mock's state (default: in memory)."),
        starting_credits: int = typer.Option(20, "--starting-credits", help="Credits each new signup starts with."),
    ) -> None:
        """Serve a local mock of the spec's hosted API on 127.0.0.1 until interrupted."""

        def run() -> int:
            from skillpress.diagnostics import format_text
            from skillpress.project import display_path
            from skillpress.spec import load_spec

            project = project_for(spec)
            result = load_spec(project.spec_path, display_path(project.spec_path))
            if result.spec is None or not result.ok:
                sys.stdout.write(format_text(result.diagnostics))
                return 1
            from skillpress.mock.server import serve

            serve(result.spec, port, str(db) if db else None, starting_credits=starting_credits)
            return 0

        raise typer.Exit(guard(run))
