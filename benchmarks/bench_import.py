#!/usr/bin/env python3
"""How long `skillpress import` takes, as a user runs it (interpreter start included).

    .venv/bin/python benchmarks/bench_import.py [--runs N]

Imports each input of tests/importers (the image-skill 0.1.9 package without running an
executable, and the three OpenAPI documents) as a fresh subprocess N times (default 5), and
as the peer measured in the same run, `skillpress validate` of the draft it wrote: an
import validates its draft at least once, so it cannot be faster than that. Prints the
median and minimum wall time in milliseconds and the ratio to the peer. This is a
measuring script, not a test: timings depend on the machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INPUTS = [("package", ROOT / "tests" / "importers" / "image-skill-0.1.9")] + [
    ("openapi", path) for path in sorted((ROOT / "tests" / "importers" / "openapi").glob("*.yaml"))
]


def skillpress_exe() -> list[str]:
    # this checkout's skillpress (PYTHONPATH below), not whichever one is installed
    return [sys.executable, "-m", "skillpress"]


def timed(argv: list[str], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        done = subprocess.run(argv, capture_output=True, check=False, env=env)
        times.append((time.perf_counter() - start) * 1000)
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(argv)} exited {done.returncode}: {done.stderr.decode()[-500:]}")
    return times


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    exe = skillpress_exe()
    with tempfile.TemporaryDirectory() as tmp:
        for kind, source in INPUTS:
            out = Path(tmp) / f"{source.stem}.yaml"
            extra = ["--no-help"] if kind == "package" else []
            imports = timed([*exe, "import", kind, str(source), "--out", str(out), "--force", *extra], args.runs)
            validates = timed([*exe, "validate", str(out)], args.runs)
            median, peer = statistics.median(imports), statistics.median(validates)
            print(
                f"import {kind} {source.name}: median {median:.0f} ms (min {min(imports):.0f}); "
                f"validate of its draft {peer:.0f} ms; ratio {median / peer:.1f}x"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
