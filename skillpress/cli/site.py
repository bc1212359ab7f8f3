"""`skillpress site build|serve`: the generated homepage and docs site (site/ -> _site/).

Imports stay light here (no mkdocs), so that `skillpress site build` on an unchanged
site answers from its stamp without loading mkdocs.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from skillpress.cli.common import Subparsers, command, project_for


def _build(args: argparse.Namespace) -> int:
    from skillpress.site.build import build_command

    return build_command(
        project_for(None, root=args.root, need_spec=False), site_dir=args.out, force=args.force, builder=args.builder
    )


def _serve(args: argparse.Namespace) -> int:
    from skillpress.site.build import serve as serve_site

    return serve_site(project_for(None, root=args.root, need_spec=False), port=args.port, builder=args.builder)


def register(subparsers: Subparsers) -> None:
    site = subparsers.add_parser(
        "site", help="build or preview the homepage and docs site", description="Build or preview the generated site."
    )
    site.set_defaults(run=None, help_parser=site)
    verbs = site.add_subparsers(dest="site_command", metavar="COMMAND")
    p = command(
        verbs,
        "build",
        "build site/ into _site/ (mkdocs --strict, or Zensical)",
        _build,
        "Build site/mkdocs.yml into _site/ (mkdocs --strict by default, or --builder zensical), then add\n"
        "the agent files and markdown twins; skipped when nothing changed.\n"
        "Exit 0 built or up to date, 1 the builder refused the site, 2 could not run.",
    )
    p.add_argument("--root", type=Path, default=None, metavar="DIR", help="project root holding site/")
    p.add_argument("--out", type=Path, default=None, metavar="DIR", help="output folder (default: ROOT/_site)")
    p.add_argument("--force", action="store_true", help="build even when nothing changed since the last build")
    p.add_argument("--builder", choices=["mkdocs", "zensical"], default="mkdocs", help="HTML builder (default mkdocs)")
    p = command(
        verbs,
        "serve",
        "preview on 127.0.0.1 (markdown for Accept: text/markdown)",
        _serve,
        "Build the site and serve it on http://127.0.0.1:PORT/; a page requested again after site/ changed\n"
        "is rebuilt first. A request with Accept: text/markdown gets the page's markdown twin. Ctrl-C stops.",
    )
    p.add_argument("--root", type=Path, default=None, metavar="DIR", help="project root holding site/")
    p.add_argument("--port", type=int, default=8000, help="port on 127.0.0.1 (default 8000)")
    p.add_argument("--builder", choices=["mkdocs", "zensical"], default="mkdocs", help="HTML builder (default mkdocs)")
