#!/usr/bin/env python3
"""How long `skillpress validate` takes, as a user runs it (interpreter start included).

    .venv/bin/python benchmarks/bench_validate.py [--runs N]

Two cases, each run as a fresh subprocess N times (default 15):

* the example spec, source/image-skill.yaml (target: median <= 250 ms);
* a generated spec with 1,000 commands (3 flags and an example each) and 1,000
  endpoints, built from tests/cases/minimal/spec.yaml (target: median <= 2,000 ms).

Prints median and minimum wall time in milliseconds and PASS/MISS per target. This is
a measuring script, not a test: timings depend on the machine.
"""

from __future__ import annotations

import argparse
import copy
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
MINIMAL = ROOT / "tests" / "cases" / "minimal" / "spec.yaml"
EXAMPLE = ROOT / "source" / "image-skill.yaml"


def skillpress_exe() -> list[str]:
    exe = Path(sys.executable).with_name("skillpress")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "skillpress"]


def big_spec(commands: int = 1000) -> str:
    """The minimal spec grown to ``commands`` hosted commands, each with its own endpoint."""
    data = yaml.safe_load(MINIMAL.read_text(encoding="utf-8"))
    template = data["commands"][0]
    endpoint_template = data["endpoints"][0]
    data["commands"], data["endpoints"] = [], []
    for i in range(commands):
        name = f"echo-{i:04d}"
        command = copy.deepcopy(template)
        command.update(path=f"echo {name}" if i % 2 else name, endpoint=name, summary=f"Echo variant {i}.")
        command["flags"] = [
            {"name": "--text", "summary": "Text to send.", "value_name": "TEXT", "required": True, "field": "text"},
            {"name": "--count", "type": "integer", "summary": "Repeat count.", "default": 1, "field": "count"},
            {"name": "--case", "summary": "Letter case.", "choices": ["upper", "lower"], "field": "case"},
        ]
        command["examples"] = [
            {
                "argv": command["path"].split() + ["--text", "hi", "--count", "2", "--case", "upper"],
                "shows": f"Variant {i} with every flag.",
            }
        ]
        data["commands"].append(command)
        endpoint = copy.deepcopy(endpoint_template)
        endpoint.update(id=name, path=f"/v1/echo/{i}")
        endpoint["body"] = [
            {"name": "text", "type": "string", "required": True},
            {"name": "count", "type": "integer"},
            {"name": "case", "type": "string", "choices": ["upper", "lower"]},
        ]
        data["endpoints"].append(endpoint)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def time_runs(spec: Path, runs: int) -> tuple[float, float]:
    command = [*skillpress_exe(), "validate", str(spec)]
    first = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    if first.returncode != 0:
        sys.stderr.write(f"validate {spec} exited {first.returncode}:\n{first.stdout[-2000:]}{first.stderr[-2000:]}")
        raise SystemExit(2)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, capture_output=True, cwd=ROOT, check=True)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), min(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        big = Path(tmp) / "thousand-commands.yaml"
        big.write_text(big_spec(), encoding="utf-8")
        cases = [("source/image-skill.yaml", EXAMPLE, 250.0), ("1,000 commands (generated)", big, 2000.0)]
        for label, path, target in cases:
            if not path.exists():
                rows.append((label, None, None, target, "SKIP (missing)"))
                continue
            median, fastest = time_runs(path, args.runs)
            rows.append((label, median, fastest, target, "PASS" if median <= target else "MISS"))
    print(f"skillpress validate, {args.runs} runs each, wall time including interpreter start")
    print(f"{'case':<28} {'median ms':>10} {'min ms':>8} {'target ms':>10}  result")
    for label, median, fastest, target, verdict in rows:
        med = f"{median:.0f}" if median is not None else "-"
        low = f"{fastest:.0f}" if fastest is not None else "-"
        print(f"{label:<28} {med:>10} {low:>8} {f'<= {target:.0f}':>10}  {verdict}")
    return 0 if all(r[4] != "MISS" for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
