"""The MCP server against the command line it wraps, both example products, in one run.

    .venv/bin/python benchmarks/bench_mcp.py [--runs 5] [--calls 20]

For each product it prints medians (min-max) of

* **start**: ``skillpress mcp SPEC`` started by the SDK's stdio client until the first
  ``tools/list`` answer, against the peer ``skillpress client run --spec SPEC -- help``
  (the command line listing its commands, also from the spec, in a new process);
* **call**: one read-only tool call against an in-process mock inside a running session,
  against the same command as a new ``skillpress client run`` process, and the runtime's
  ``execute`` in this process (the floor both share: request mapping, HTTP, reply);
* the same two for the **installed client** (its wheel built as ``publish`` builds it and
  installed with pip into a temporary folder): ``<cli> mcp`` against ``<cli> help``, and
  a call in a session against the same command as a new ``<cli>`` process.

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
    return _mcp_start_ms_command([sys.executable, "-m", "skillpress", "mcp", str(spec)], env, runs)


def _mcp_start_ms_command(command: list[str], env: dict[str, str], runs: int) -> list[float]:
    import anyio
    from mcp import Client, StdioServerParameters

    params = StdioServerParameters(command=command[0], args=command[1:], env=env)
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
    command = [sys.executable, "-m", "skillpress", "mcp", str(spec)]
    return _mcp_call_ms_command(command, env, tool, arguments, calls)


def _mcp_call_ms_command(
    command: list[str], env: dict[str, str], tool: str, arguments: dict[str, Any], calls: int
) -> list[float]:
    import anyio
    from mcp import Client, StdioServerParameters

    params = StdioServerParameters(command=command[0], args=command[1:], env=env)
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


def _install_client(product: str, into: Path) -> tuple[Path, str] | None:
    """The product's client wheel, built as ``publish`` builds it and installed with pip into
    ``into``; (console script, import name), or ``None`` when it does not carry ``mcp/``."""
    from skillpress.publish import release
    from skillpress.publish.wheel import build_wheel
    from skillpress.render import render_all
    from skillpress.spec import load_spec

    path = ROOT / "examples" / product / "spec.yaml"
    spec = load_spec(path).spec
    assert spec is not None
    files = {k: v.encode() if isinstance(v, str) else v for k, v in render_all(spec).files.items()}
    dist = release.client_distribution(release.Release(spec, path, files))
    if "mcp/entry.py" not in dist.files:
        return None
    wheel = into / dist.wheel_name
    wheel.write_bytes(build_wheel(dist))
    target = into / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-index", "--target", str(target), str(wheel)],
        check=True,
    )
    return target / "bin" / dist.cli_name, str(target)


def _installed(product: str, runs: int, calls: int) -> None:
    """The same comparison for the published client: ``<cli> mcp`` against ``<cli> help``,
    and a call in a session against the same command as a new ``<cli>`` process."""
    from skillpress.contract.compile import compile_contract
    from skillpress.mock.server import MockServer
    from skillpress.spec import load_spec

    installed = _install_client(product, Path(tempfile.mkdtemp(prefix="bench-mcp-wheel-")))
    if installed is None:
        print("installed client: skipped (its wheel does not carry mcp/ yet)")
        return
    script, site = installed
    tool, arguments, argv = CALLS[product]
    spec = load_spec(ROOT / "examples" / product / "spec.yaml").spec
    assert spec is not None
    protocol = compile_contract(spec)["protocol"]
    with MockServer(spec, starting_credits=10_000) as mock:
        secret = mock.issue_credential()
        variable = next(s["name"] for s in protocol["credential"]["sources"] if s["kind"] == "env")
        env = _env({protocol["base_url"]["env"][0]: mock.url, variable: secret})
        env["PYTHONPATH"] = site
        start = _mcp_start_ms_command([sys.executable, str(script), "mcp"], env, runs)
        peer = _cli_ms([sys.executable, str(script), "help"], env, runs)
        in_session = _mcp_call_ms_command([sys.executable, str(script), "mcp"], env, tool, arguments, calls)
        cli = _cli_ms([sys.executable, str(script), *argv], env, runs)
    name = script.name
    print(f"installed: start to first tools/list ({name} mcp)   {_stats(start)}")
    print(f"installed peer: {name} help                  {_stats(peer)}")
    print(f"installed: call {tool} in a running session      {_stats(in_session)}")
    print(f"installed peer: {name} {' '.join(argv):<24}{_stats(cli)}")


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
        _installed(product, args.runs, args.calls)


if __name__ == "__main__":
    main()
