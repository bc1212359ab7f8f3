"""`skillpress publish | verify`: one versioned release, and whether a release is intact."""

from __future__ import annotations

from pathlib import Path

import typer

from skillpress.cli.common import guard, project_for
from skillpress.cli.generate import SpecArg


def register(app: typer.Typer) -> None:
    @app.command()
    def publish(
        spec: Path | None = SpecArg,
        out: Path | None = typer.Option(
            None,
            "--out",
            help="Release folder, replaced as a whole (default: publish-out from the config, else dist/).",
        ),
        root: Path | None = typer.Option(None, "--root", help="Project root holding the generated files."),
    ) -> None:
        """Write one versioned release: client wheel and sdist, skills bundle, site, release.json.

        Refuses (exit 1, nothing written) when the spec is invalid or a generated file is stale,
        printing what `skillpress check` prints. Exit 0 published, 2 could not run."""

        def run() -> int:
            from skillpress.project import absolute
            from skillpress.publish import publish as run_publish

            project = project_for(spec, root=root)
            return run_publish(project, absolute(out) if out is not None else project.publish_out)

        raise typer.Exit(guard(run))

    @app.command()
    def verify(
        release: Path = typer.Argument(Path("dist"), help="Release folder written by `skillpress publish`."),
        expect_manifest: str | None = typer.Option(
            None,
            "--expect-manifest",
            metavar="SHA256",
            help="Refuse the release unless release.json has this sha256 (as `publish` printed it, sha256: optional).",
        ),
    ) -> None:
        """Re-check a release against its release.json and read its version from the files.

        Exit 0 intact, 1 missing/extra/changed files, a link or special file, another version
        or another release.json than --expect-manifest, 2 could not run."""
        from skillpress.publish import verify as run_verify

        raise typer.Exit(guard(lambda: run_verify(release, expect_manifest=expect_manifest)))
