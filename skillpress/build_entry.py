"""What `python build.py` runs: the maintainer's one command for this repository.

    python build.py            validate the configured spec and regenerate every file, then the site
    python build.py --check    fail (exit 1) if any generated file is stale, like CI
    python build.py --no-site  regenerate, but skip building the HTML site into _site/
    python build.py SPEC       use another spec

It is `skillpress build` (or `skillpress check`) followed by `skillpress site build`, on
the project that the repository's own `[tool.skillpress]` table describes.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from skillpress import pipeline
from skillpress.cli.common import guard, project_for
from skillpress.project import Project

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python build.py", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("spec", nargs="?", type=Path, default=None)
    parser.add_argument("--check", action="store_true", help="compare instead of writing (exit 1 on drift)")
    parser.add_argument("--dry-run", action="store_true", help="print what would change, write nothing")
    parser.add_argument("-v", "--verbose", action="store_true", help="list unchanged files / token estimates")
    parser.add_argument(
        "--no-site",
        action="store_true",
        help="skip the strict mkdocs build of site/ into _site/ (skillpress site build)",
    )
    args = parser.parse_args(argv)

    def project() -> Project:
        return project_for(args.spec, root=ROOT)

    if args.check:
        return guard(lambda: pipeline.check(project(), verbose=args.verbose))
    code = guard(lambda: pipeline.build(project(), dry_run=args.dry_run, verbose=args.verbose))
    if code != 0 or args.dry_run or args.no_site:
        return code
    from skillpress.site.build import build_command

    return guard(lambda: build_command(project()))
