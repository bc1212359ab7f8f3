"""What `python build.py` runs: the maintainer's one command for this repository.

    python build.py            validate source/image-skill.yaml and regenerate every file
    python build.py --check    fail (exit 1) if any generated file is stale, like CI
    python build.py --no-site  regenerate, but skip building the HTML site into _site/
    python build.py SPEC       use another spec

Besides `skills/`, `site/` and `CHANGELOG.md`, it regenerates the bundle the thin client
runs from (`skillpress/client/bundle/`).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from skillpress import pipeline
from skillpress.cli import DEFAULT_SPEC, _guard

ROOT = Path(__file__).resolve().parent.parent
CLIENT_BUNDLE = "skillpress/client/bundle"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python build.py", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("spec", nargs="?", type=Path, default=ROOT / DEFAULT_SPEC)
    parser.add_argument("--check", action="store_true", help="compare instead of writing (exit 1 on drift)")
    parser.add_argument("--dry-run", action="store_true", help="print what would change, write nothing")
    parser.add_argument("-v", "--verbose", action="store_true", help="list unchanged files / token estimates")
    parser.add_argument(
        "--no-site",
        action="store_true",
        help="skip the strict mkdocs build of site/ into _site/ (skillpress site build)",
    )
    args = parser.parse_args(argv)
    if args.check:
        return _guard(lambda: pipeline.check(args.spec, ROOT, verbose=args.verbose, client_bundle=CLIENT_BUNDLE))
    code = _guard(
        lambda: pipeline.build(args.spec, ROOT, dry_run=args.dry_run, verbose=args.verbose, client_bundle=CLIENT_BUNDLE)
    )
    if code != 0 or args.dry_run or args.no_site:
        return code
    from skillpress.site.build import build_command

    return _guard(lambda: build_command(ROOT))
