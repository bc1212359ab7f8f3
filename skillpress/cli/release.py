"""`skillpress publish | verify`: one versioned release, and whether a release is intact."""

from __future__ import annotations

import argparse
from pathlib import Path

from skillpress.cli.common import Subparsers, add_spec, command, project_for


def _publish(args: argparse.Namespace) -> int:
    from skillpress.project import absolute
    from skillpress.publish import publish as run_publish

    project = project_for(args.spec, root=args.root)
    return run_publish(project, absolute(args.out) if args.out is not None else project.publish_out)


def _verify(args: argparse.Namespace) -> int:
    from skillpress.publish import verify as run_verify

    return run_verify(args.release, expect_manifest=args.expect_manifest)


def register(subparsers: Subparsers) -> None:
    p = command(
        subparsers,
        "publish",
        "write one versioned release",
        _publish,
        "Write one versioned release: client wheel and sdist, skills bundle, site, release.json.\n"
        "Refuses (exit 1, nothing written) when the spec is invalid or a generated file is stale,\n"
        "printing what `skillpress check` prints. Exit 0 published, 2 could not run.",
    )
    add_spec(p)
    p.add_argument(
        "--out",
        type=Path,
        default=None,
        metavar="DIR",
        help="release folder, replaced as a whole (default: publish-out from the config, else dist/)",
    )
    p.add_argument("--root", type=Path, default=None, metavar="DIR", help="project root holding the generated files")

    p = command(
        subparsers,
        "verify",
        "re-check a release against its release.json",
        _verify,
        "Re-check a release against its release.json and read its version from the files.\n"
        "Exit 0 intact, 1 missing/extra/changed files, a link or special file, another version\n"
        "or another release.json than --expect-manifest, 2 could not run.",
    )
    p.add_argument("release", nargs="?", type=Path, default=Path("dist"), help="release folder written by publish")
    p.add_argument(
        "--expect-manifest",
        default=None,
        metavar="SHA256",
        help="refuse the release unless release.json has this sha256 (as publish printed it; sha256: optional)",
    )
