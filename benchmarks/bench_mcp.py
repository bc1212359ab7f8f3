"""The MCP server against the command line it wraps, both example products, in one run.

    .venv/bin/python benchmarks/bench_mcp.py [--runs 5] [--calls 20]

For each product it prints medians (min-max) of

* **start**: ``skillpress mcp SPEC`` started by the SDK's stdio client until the first
  ``tools/list`` answer, against the peer ``skillpress client run --spec SPEC -- help``
  (the command line listing its commands, also from the spec, in a new process);
* **call**: one read-only tool call against an in-process mock inside a running session,
  against the same command as a new ``skillpress client run`` process, and the runtime's
  ``execute`` in this process (the floor both share: request mapping, HTTP, reply).

``skillpress mcp`` compiles the contract and renders the skills from the spec when it
starts; the published client's ``<cli> mcp`` reads them from its package instead. Figures
are reported as measured, with no target.
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
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# Per product: a read-only tool, its arguments and the same command's argv.
CALLS = {
    "firecrawl": ("credit_usage", {}, ["credit-usage", "--json"]),
    "image-skill": ("whoami", {}, ["whoami", "--json"]),
}


def _stats(times: list[float]) -> str:
    return f"{statistics.median(times):8.1f} ms  ({min(times):.1f}-{max(times):.1f})"


def _env(extra: dict[str, str] | None = None) -> dict[str, str]:
    home = tempfile.mkdtemp(prefix="bench-mcp-")
    return {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT), "HOME": home, **(extra or {})}


def _cli_ms(argv: list[str], env: dict[str, str], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.run(argv, env=env, cwd=ROOT, capture_output=True)
        times.append((time.perf_counter() - start) * 1000)
        if proc.returncode != 0:
            raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode}): {proc.stderr.decode()[:400]}")
    return times


def _mcp_start_ms(spec: Path, env: dict[str, str], runs: int) -> list[float]:
    import anyio
    from mcp import Client, StdioServerParameters

    params = StdioServerParameters(command=sys.executable, args=["-m", "skillpress", "mcp", str(spec)], env=env)
    times: list[float] = []

    async def once() -> None:
        start = time.perf_counter()
        async with Client(params, read_timeout_seconds=120) as client:
            await client.list_tools()
            times.append((time.perf_counter() - start) * 1000)

    for _ in range(runs):
        anyio.run(once)
    return times


def _mcp_call_ms(spec: Path, env: dict[str, str], tool: str, arguments: dict[str, Any], calls: int) -> list[float]:
    import anyio
    from mcp import Client, StdioServerParameters

    params = StdioServerParameters(command=sys.executable, args=["-m", "skillpress", "mcp", str(spec)], env=env)
    times: list[float] = []

    async def session() -> None:
        async with Client(params, read_timeout_seconds=120) as client:
            await client.list_tools()
            for _ in range(calls + 2):
                start = time.perf_counter()
                result = await client.call_tool(tool, arguments)
                times.append((time.perf_counter() - start) * 1000)
                if result.is_error:
                    raise SystemExit(f"{tool} failed: {result.content[0].text[:400]}")  # type: ignore[union-attr]

    anyio.run(session)
    return times[2:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="server starts and CLI processes per figure")
    parser.add_argument("--calls", type=int, default=20, help="tool calls in one session")
    args = parser.parse_args()

    from skillpress.contract.compile import compile_contract
    from skillpress.spec import load_spec

    try:
        from skillpress.client.runtime import execute

        from skillpress.mock.server import MockServer

        calls_ready = hasattr(MockServer, "issue_credential")
    except ImportError:
        calls_ready = False
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cpus; medians (min-max)")
    for product, (tool, arguments, argv) in CALLS.items():
        spec_path = ROOT / "examples" / product / "spec.yaml"
        print(f"\n== {product}")
        env = _env()
        start = _mcp_start_ms(spec_path, env, args.runs)
        peer = _cli_ms(
            [sys.executable, "-m", "skillpress", "client", "run", "--spec", str(spec_path), "--", "help"],
            env,
            args.runs,
        )
        print(f"start to first tools/list (skillpress mcp)     {_stats(start)}")
        print(f"peer: skillpress client run -- help           {_stats(peer)}")
        if not calls_ready:
            print("call: skipped (needs the contract-driven client runtime and mock)")
            continue
        spec = load_spec(spec_path).spec
        assert spec is not None
        contract = compile_contract(spec)
        protocol = contract["protocol"]
        with MockServer(spec, starting_credits=10_000) as mock:
            secret = mock.issue_credential()
            variable = next(s["name"] for s in protocol["credential"]["sources"] if s["kind"] == "env")
            env = _env({protocol["base_url"]["env"][0]: mock.url, variable: secret})
            in_session = _mcp_call_ms(spec_path, env, tool, arguments, args.calls)
            cli = _cli_ms(
                [sys.executable, "-m", "skillpress", "client", "run", "--spec", str(spec_path), "--", *argv],
                env,
                args.runs,
            )
            floor = []
            for _ in range(args.calls):
                begin = time.perf_counter()
                outcome = execute(contract, argv, env)
                floor.append((time.perf_counter() - begin) * 1000)
                assert outcome.exit_code == 0, outcome.error
        print(f"call {tool} in a running MCP session         {_stats(in_session)}")
        print(f"peer: skillpress client run -- {' '.join(argv):<15}{_stats(cli)}")
        print(f"floor: execute() in this process             {_stats(floor)}")


if __name__ == "__main__":
    main()
