#!/usr/bin/env python3
"""Print build and check timings for the example spec and a synthetic 1,000-command spec.

Each figure is the wall time of a fresh `skillpress` process (interpreter start
included), median over several runs. Targets: example `check` <= 250 ms; 1,000
commands <= 2,000 ms. Run: .venv/bin/python benchmarks/bench_build.py
"""

from __future__ import annotations

import copy
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "source" / "image-skill.yaml"
MINIMAL = ROOT / "tests" / "cases" / "minimal" / "spec.yaml"
SKILLPRESS = [str(Path(sys.executable).with_name("skillpress"))]
RUNS = 11


def synthetic_spec(count: int) -> str:
    base = yaml.safe_load(MINIMAL.read_text())
    base["changelog"][0]["date"] = base["changelog"][0]["date"].isoformat()
    command = base["commands"][0]
    endpoint = base["endpoints"][0]
    base["commands"], base["endpoints"] = [], []
    for i in range(count):
        c = copy.deepcopy(command)
        c["path"] = f"group{i // 10} action{i}"
        c["endpoint"] = f"ep{i}"
        c["flags"] += [
            {"name": "--limit", "type": "integer", "summary": "How many.", "field": "limit", "default": 20},
            {"name": "--mode", "summary": "Which mode.", "choices": ["a", "b"], "field": "mode"},
        ]
        c["examples"] = [
            {
                "argv": [f"group{i // 10}", f"action{i}", "--text", "hi", "--limit", "5", "--json"],
                "shows": "A call.",
            }
        ]
        base["commands"].append(c)
        e = copy.deepcopy(endpoint)
        e["id"] = f"ep{i}"
        e["path"] = f"/v1/things{i}"
        e["query"] = [{"name": "limit", "type": "integer"}, {"name": "mode", "type": "string"}]
        base["endpoints"].append(e)
    base["skills"][0]["sections"] = [{"title": "Some commands", "commands": [f"group0 action{i}" for i in range(5)]}]
    return yaml.safe_dump(base, sort_keys=False)


def timed(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[float, int]:
    start = time.perf_counter()
    proc = subprocess.run(args, cwd=cwd, capture_output=True, env=env)
    return (time.perf_counter() - start) * 1000, proc.returncode


def median_ms(
    args: list[str], cwd: Path, runs: int = RUNS, env: dict[str, str] | None = None
) -> tuple[float, float, set[int]]:
    times, codes = [], set()
    for _ in range(runs):
        ms, code = timed(args, cwd, env)
        times.append(ms)
        codes.add(code)
    return statistics.median(times), min(times), codes


def main() -> int:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "example"
        out.mkdir()
        subprocess.run([*SKILLPRESS, "build", str(EXAMPLE), "--out", str(out)], check=True, capture_output=True)
        rows.append(
            (
                "example build (no changes)",
                *median_ms([*SKILLPRESS, "build", str(EXAMPLE), "--out", str(out)], ROOT),
                250,
            )
        )
        rows.append(
            ("example check", *median_ms([*SKILLPRESS, "check", str(EXAMPLE), "--root", str(out), "-q"], ROOT), 250)
        )
        no_cache = {**os.environ, "SKILLPRESS_NO_CACHE": "1"}
        rows.append(
            (
                "example check, result cache off",
                *median_ms([*SKILLPRESS, "check", str(EXAMPLE), "--root", str(out), "-q"], ROOT, env=no_cache),
                250,
            )
        )
        subprocess.run([*SKILLPRESS, "site", "build", "--root", str(out)], check=True, capture_output=True)
        rows.append(
            (
                "example site build (unchanged)",
                *median_ms([*SKILLPRESS, "site", "build", "--root", str(out)], ROOT),
                300,
            )
        )
        rows.append(("floor: python -c pass", *median_ms([sys.executable, "-c", "pass"], ROOT), 0))
        big = Path(tmp) / "big.yaml"
        big.write_text(synthetic_spec(1000))
        big_out = Path(tmp) / "big"
        big_out.mkdir()
        rows.append(
            (
                "1,000 commands: first build",
                *median_ms([*SKILLPRESS, "build", str(big), "--out", str(big_out)], ROOT, runs=1),
                2000,
            )
        )
        rows.append(
            (
                "1,000 commands: check",
                *median_ms([*SKILLPRESS, "check", str(big), "--root", str(big_out), "-q"], ROOT, runs=5),
                2000,
            )
        )
    print("The 1,000-command spec's references are split by command group; bench_scale.py measures growth.")
    print(f"{'case':34} {'median ms':>10} {'min ms':>8} {'target':>8}  result  exit codes")
    for name, med, low, codes, target in rows:
        verdict = "-" if not target else "PASS" if med <= target else "MISS"
        print(f"{name:34} {med:10.1f} {low:8.1f} {target:8d}  {verdict:6}  {sorted(codes)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
