#!/usr/bin/env python3
"""Maintainer entry point: regenerate every example product of this repository.

python build.py                 # every examples/*/ project: build, then site build
python build.py --check         # fail if a generated file is stale (what CI runs)
python build.py examples/NAME   # one example
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from skillpress.build_entry import main

if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
