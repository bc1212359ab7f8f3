#!/usr/bin/env python3
"""How skillpress grows with the size of a spec: a scaling table.

    .venv/bin/python benchmarks/bench_scale.py [--sizes 300,1000,3000,10000] [--runs N]

For each size, a synthetic spec (``benchmarks/synthetic.py``) is written to a temporary
folder, then three fresh ``skillpress`` processes run on it, in this order:

* ``build`` into an empty folder (the first build: everything is written);
* ``check`` of that folder with ``SKILLPRESS_NO_CACHE=1`` (no result cache, no compiled
  templates: a full render and comparison);
* ``validate``.

Each figure is the wall time of the whole process (interpreter start included) and its
peak resident memory (``ru_maxrss`` of the child, from ``wait4``); with ``--runs N`` the
median time and the largest peak over N runs. The table ends with the ratio of the
3,000-command figures to the 1,000-command ones (linear growth is 3.0), then the example
spec's ``check`` with and without the result cache and a floor (``python -c pass``)
measured in the same run.

Targets (issue 10, on the 2-core development machine): 3,000 commands ``check`` <= 4 s and
<= 3.3x the 1,000-command figure; 10,000 commands <= 15 s and <= 1 GiB; the example's
``check`` <= 150 ms cached and <= 350 ms uncached. This is a measuring script, not a test.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: The example spec (its folder may move; the first that exists is used).
EXAMPLE_CANDIDATES = (ROOT / "examples" / "image-skill" / "spec.yaml", *sorted(ROOT.glob("examples/*/spec.yaml")))
SKILLPRESS = Path(sys.executable).with_name("skillpress")
GIB = 1024**3


@dataclass
class Measure:
    seconds: float
    peak_bytes: int
    codes: set[int]

    def cell(self) -> str:
        code = "" if self.codes == {0} else f" exit {','.join(map(str, sorted(self.codes)))}"
        return f"{self.seconds:7.2f} s {self.peak_bytes / 2**20:6.0f} MiB{code}"


def run_once(args: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, int, int]:
    """Wall seconds, peak RSS in bytes and exit code of one child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(args, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return seconds, usage.ru_maxrss * 1024, proc.returncode


def measure(args: list[str], cwd: Path, env: dict[str, str], runs: int, before: list[str] | None = None) -> Measure:
    times, peaks, codes = [], [], set()
    for _ in range(runs):
        if before:
            subprocess.run(before, cwd=cwd, env=env, check=True, capture_output=True)
        seconds, peak, code = run_once(args, cwd, env)
        times.append(seconds)
        peaks.append(peak)
        codes.add(code)
    return Measure(statistics.median(times), max(peaks), codes)


def scale_row(size: int, tmp: Path, env: dict[str, str], runs: int) -> dict[str, Measure]:
    folder = tmp / f"n{size}"
    folder.mkdir()
    spec = folder / "spec.yaml"
    # written by a child process: this one stays small, since a child's peak memory
    # (ru_maxrss) starts from the size of the process that forked it
    code = "import sys; from benchmarks.synthetic import synthetic_yaml; open(sys.argv[1], 'w').write(synthetic_yaml(int(sys.argv[2])))"
    subprocess.run([sys.executable, "-c", code, str(spec), str(size)], cwd=ROOT, check=True)
    out = folder / "out"
    no_cache = {**env, "SKILLPRESS_NO_CACHE": "1"}
    exe = str(SKILLPRESS)
    row = {
        "build": measure(
            [exe, "build", str(spec), "--out", str(out)],
            folder,
            no_cache,
            runs,
            before=["sh", "-c", 'rm -rf "$0" && mkdir "$0"', str(out)],
        ),
        "check": measure([exe, "check", str(spec), "--root", str(out), "-q"], folder, no_cache, runs),
        "validate": measure([exe, "validate", str(spec)], folder, no_cache, runs),
    }
    return row


def example_rows(tmp: Path, env: dict[str, str], runs: int) -> list[tuple[str, float, float]]:
    example = next((p for p in EXAMPLE_CANDIDATES if p.is_file()), None)
    rows: list[tuple[str, float, float]] = []
    if example is not None:
        out = tmp / "example"
        out.mkdir()
        exe = str(SKILLPRESS)
        subprocess.run(
            [exe, "build", str(example), "--out", str(out)], cwd=tmp, env=env, check=True, capture_output=True
        )
        check = [exe, "check", str(example), "--root", str(out), "-q"]
        subprocess.run(check, cwd=tmp, env=env, capture_output=True)  # fills the result cache
        cached = measure(check, tmp, env, runs)
        uncached = measure(check, tmp, {**env, "SKILLPRESS_NO_CACHE": "1"}, runs)
        rows.append(("example check, cached", cached.seconds * 1000, 150))
        rows.append(("example check, no cache", uncached.seconds * 1000, 350))
    floor = measure([sys.executable, "-c", "pass"], tmp, env, runs)
    rows.append(("floor: python -c pass", floor.seconds * 1000, 0))
    return rows


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="300,1000,3000,10000", help="comma-separated command counts")
    parser.add_argument("--runs", type=int, default=1, help="runs per figure at each size (median time, max memory)")
    parser.add_argument("--example-runs", type=int, default=11, help="runs of the example's check and of the floor")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        env = {**os.environ, "XDG_CACHE_HOME": str(tmp / "xdg-cache")}
        table: dict[int, dict[str, Measure]] = {}
        for size in sizes:
            table[size] = scale_row(size, tmp, env, args.runs)
            print(f"measured {size} commands", file=sys.stderr)
        examples = example_rows(tmp, env, args.example_runs)
    steps = ("validate", "check", "build")
    print(f"skillpress at scale: {os.cpu_count()} cores, Python {sys.version.split()[0]}; wall time and peak memory")
    print(
        f"{'commands':>9}  " + "  ".join(f"{step + ' (no cache)' if step == 'check' else step:>26}" for step in steps)
    )
    for size, row in table.items():
        print(f"{size:>9,}  " + "  ".join(f"{row[step].cell():>26}" for step in steps))
    if 1000 in table and 3000 in table:
        ratios = [table[3000][s].seconds / table[1000][s].seconds for s in steps]
        print(f"{'3000/1000':>9}  " + "  ".join(f"{r:>24.2f} x" for r in ratios))
    print()
    print("targets")
    if 3000 in table:
        check = table[3000]["check"].seconds
        print(f"  3,000 commands check <= 4 s: {check:.2f} s {verdict(check <= 4)}")
        if 1000 in table:
            ratio = check / table[1000]["check"].seconds
            print(f"  3,000 / 1,000 check <= 3.3x: {ratio:.2f}x {verdict(ratio <= 3.3)}")
    if 10000 in table:
        for step in steps:
            m = table[10000][step]
            ok = m.seconds <= 15 and m.peak_bytes <= GIB
            print(
                f"  10,000 commands {step} <= 15 s and <= 1 GiB: {m.seconds:.2f} s, {m.peak_bytes / GIB:.2f} GiB {verdict(ok)}"
            )
    for label, ms, target in examples:
        suffix = f" (target <= {target} ms) {verdict(ms <= target)}" if target else ""
        print(f"  {label}: {ms:.0f} ms{suffix}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
