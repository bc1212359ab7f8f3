"""What `python build.py` runs: the maintainer's one command for this repository.

    python build.py            regenerate every example product (examples/*/) and build its site
    python build.py --check    fail (exit 1) if any example's generated file is stale, like CI
    python build.py --no-site  regenerate, but skip building the HTML sites
    python build.py DIR        only the example in DIR (a folder with skillpress.toml)

For each example it is `skillpress build` (or `skillpress check`) followed by
`skillpress site build`, run in that example's folder.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from skillpress import pipeline
from skillpress.cli.common import guard, project_for
from skillpress.project import Project

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def example_projects() -> list[Path]:
    """Every example project of this repository (a folder of examples/ with skillpress.toml)."""
    return sorted(p.parent for p in EXAMPLES.glob("*/skillpress.toml"))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python build.py", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("folders", nargs="*", type=Path, help="example folders (default: every example)")
    parser.add_argument("--check", action="store_true", help="compare instead of writing (exit 1 on drift)")
    parser.add_argument("--dry-run", action="store_true", help="print what would change, write nothing")
    parser.add_argument("-v", "--verbose", action="store_true", help="list unchanged files / token estimates")
    parser.add_argument("--no-site", action="store_true", help="skip the strict mkdocs build of each site")
    args = parser.parse_args(argv)
    worst = 0
    for folder in [f.resolve() for f in args.folders] or example_projects():
        sys.stderr.write(f"== {folder.relative_to(ROOT) if folder.is_relative_to(ROOT) else folder}\n")

        def project(folder: Path = folder) -> Project:
            return project_for(None, root=folder)

        if args.check:
            code = guard(lambda: pipeline.check(project(), verbose=args.verbose))
        else:
            code = guard(lambda: pipeline.build(project(), dry_run=args.dry_run, verbose=args.verbose))
            if code == 0 and not (args.dry_run or args.no_site):
                from skillpress.site.build import build_command

                code = guard(lambda: build_command(project()))
        worst = max(worst, code)
    return worst
