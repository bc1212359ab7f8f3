#!/usr/bin/env python3
"""Maintainer entry point: validate the spec and regenerate everything from it.

python build.py                 # source/image-skill.yaml
python build.py path/to/spec.yaml
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from skillpress.build_entry import main

if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
