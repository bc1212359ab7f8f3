"""Cold-start and concurrency figures for the bundled thin client.

    .venv/bin/python benchmarks/bench_client.py [--runs 30]

Prints, for each way of starting the client, the median wall time (after warm-ups) of

* ``--version``                (target: <= 20 ms), and
* ``models list --json``       (target: <= 80 ms) against an in-process mock on 127.0.0.1,

then a bounded burst of 200 concurrent GET requests through the client's own HTTP layer
against the mock (every request has the client's timeout; failures must be 0).

Ways of starting: the ``image-skill`` console script, ``python -m skillpress.client``,
``python -S -m skillpress.client`` and the console script's body under ``python -S``. In this
repository's venv ``site`` alone costs about 12 ms, most of it the editable-install finder
(a .pth file that imports pathlib and friends), so the bare interpreter baselines are printed
too: the client's own share is the difference. Figures are reported as measured, met or not.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGETS = {"--version": 20.0, "models list --json": 80.0}


def _median_ms(argv: list[str], env: dict[str, str], runs: int, warmup: int = 3) -> tuple[float, float, float]:
    times = []
    for i in range(warmup + runs):
        start = time.perf_counter()
        proc = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=env["HOME"])
        elapsed = (time.perf_counter() - start) * 1000
        if proc.returncode != 0:
            raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode}): {proc.stderr.decode()[:400]}")
        if i >= warmup:
            times.append(elapsed)
    return statistics.median(times), min(times), max(times)


def _burst(url: str, total: int = 200, timeout: float = 10.0) -> dict[str, float]:
    from skillpress.client import transport

    barrier = threading.Barrier(total)
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()

    def one() -> None:
        barrier.wait()
        start = time.perf_counter()
        try:
            response = transport.request(
                "GET", url + "/v1/models", headers={"Accept": "application/json"}, timeout=timeout, retries=0
            )
            ok = response.status == 200 and b'"ok": true' in response.body
            problem = None if ok else f"HTTP {response.status}"
        except transport.TransportError as exc:
            problem = f"{exc.kind}: {exc.message}"
        with lock:
            latencies.append((time.perf_counter() - start) * 1000)
            if problem:
                failures.append(problem)

    threads = [threading.Thread(target=one) for _ in range(total)]
    wall = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout + 5)
    wall_ms = (time.perf_counter() - wall) * 1000
    latencies.sort()
    return {
        "requests": total,
        "failures": len(failures),
        "wall_ms": wall_ms,
        "p50_ms": latencies[len(latencies) // 2],
        "p95_ms": latencies[int(len(latencies) * 0.95) - 1],
        "max_ms": latencies[-1],
        "first_failure": failures[0] if failures else None,
    }  # type: ignore[dict-item]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=30, help="measured runs per figure (>= 20)")
    args = parser.parse_args()
    runs = max(20, args.runs)

    from skillpress.mock.server import MockServer
    from skillpress.spec import load_spec

    spec = load_spec(ROOT / "source" / "image-skill.yaml").spec
    assert spec is not None
    python = sys.executable
    script = str(Path(python).parent / "image-skill")
    with tempfile.TemporaryDirectory() as home, MockServer(spec) as mock:
        env = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": home,
            "XDG_CONFIG_HOME": home + "/xdg",
            "IMAGE_SKILL_API_BASE_URL": mock.url,
            "LANG": "C.UTF-8",
        }
        env_nosite = {**env, "PYTHONPATH": str(ROOT)}
        launchers = [
            ("image-skill (console script)", [script], env),
            ("python -m skillpress.client", [python, "-m", "skillpress.client"], env),
            ("python -S -m skillpress.client", [python, "-S", "-m", "skillpress.client"], env_nosite),
            (
                "python -S -c (script body, no site)",
                [python, "-S", "-c", "import sys; from skillpress.client.main import main; sys.exit(main())"],
                env_nosite,
            ),
            ("baseline: python -c pass", [python, "-c", "pass"], env),
            ("baseline: python -S -c pass", [python, "-S", "-c", "pass"], env_nosite),
        ]
        print(f"cold start, median of {runs} runs after 3 warm-ups (min-max), {os.cpu_count()} CPUs")
        for command in TARGETS:
            print(f"\n{command!r} (target <= {TARGETS[command]:.0f} ms)")
            for name, argv, launch_env in launchers:
                if not Path(argv[0]).exists():
                    print(f"  {name:34} missing (pip install -e . creates it)")
                    continue
                full = argv if name.startswith("baseline") else [*argv, *command.split()]
                if name.startswith("baseline") and command != "--version":
                    continue
                median, low, high = _median_ms(full, launch_env, runs)
                verdict = "" if name.startswith("baseline") else ("  met" if median <= TARGETS[command] else "  MISSED")
                print(f"  {name:34} {median:6.1f} ms  ({low:.1f}-{high:.1f}){verdict}")
        result = _burst(mock.url)
        print("\n200 concurrent GET /v1/models through the client's transport (timeout 10 s each):")
        print(
            f"  failures={result['failures']}  wall={result['wall_ms']:.0f} ms  p50={result['p50_ms']:.1f} ms  "
            f"p95={result['p95_ms']:.1f} ms  max={result['max_ms']:.1f} ms"
        )
        if result["failures"]:
            print(f"  first failure: {result['first_failure']}")
            return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
