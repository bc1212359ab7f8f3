"""What `python build.py` runs: validate the spec (rendering joins in later)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from skillpress.cli import DEFAULT_SPEC, OutputFormat, _guard, validate_spec


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python build.py", description=__doc__)
    parser.add_argument("spec", nargs="?", type=Path, default=DEFAULT_SPEC)
    args = parser.parse_args(argv)
    code = _guard(lambda: validate_spec(args.spec, OutputFormat.text))
    if code == 0:
        sys.stderr.write(f"build: {args.spec} is valid\n")
    return code
