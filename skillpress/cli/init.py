"""`skillpress init`: start a new project."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from skillpress.cli.common import Subparsers, command


def _init(args: argparse.Namespace) -> int:
    from skillpress.project import display_path
    from skillpress.scaffold import init_project

    done = init_project(args.folder, product=args.product)
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


def register(subparsers: Subparsers) -> None:
    p = command(
        subparsers,
        "init",
        "scaffold a new project",
        _init,
        "Scaffold a project: a small commented spec, skillpress.toml, .gitignore entries and a\n"
        "pre-commit hook. Never overwrites a spec or a config. Exit 0 written, 2 could not run.",
    )
    p.add_argument(
        "folder", nargs="?", type=Path, default=Path("."), help="folder of the new project (made if missing)"
    )
    p.add_argument("--id", dest="product", default=None, help="product id (default: from the folder name)")
