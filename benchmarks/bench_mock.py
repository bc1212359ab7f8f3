"""Memory and throughput of `skillpress mock`, next to a bare `python -m http.server`.

    .venv/bin/python benchmarks/bench_mock.py [--spec examples/firecrawl/spec.yaml]
        [--requests 200000] [--clients 1,8,64] [--seconds 3]

1. **Memory**: the mock runs as a child process (`skillpress mock --port 0`); keep-alive
   clients send ``--requests`` GETs and the child's resident set size (VmRSS) is printed
   after a warm-up of 2,000 requests and then every tenth of the run. The issue's bar:
   the end within 10% of the warm-up figure.
2. **Throughput**: requests per second for ``--seconds`` at each client count, for
   - the peer: ``python -m http.server`` serving a 64-byte file (GET),
   - the mock: an authenticated GET of a read endpoint,
   - the mock with ``--db FILE``: a POST to the first endpoint that creates something.
   Ratios to the peer are printed; the figures are what was measured, met or not.

Every client keeps its connection open (HTTP/1.1), as agents' HTTP libraries do.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status", encoding="ascii") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def _start_mock(spec: Path, *extra: str) -> tuple[subprocess.Popen[str], int, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "skillpress", "mock", str(spec), "--port", "0", "--show-credential", *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    assert proc.stdout is not None
    url = proc.stdout.readline().strip().rsplit(" ", 1)[-1]
    credential = proc.stdout.readline().strip().rsplit(" ", 1)[-1]
    return proc, int(url.rsplit(":", 1)[1]), credential


def _stop(proc: subprocess.Popen[str]) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        proc.kill()


class Target:
    def __init__(self, port: int, method: str, path: str, headers: dict[str, str], body: bytes | None) -> None:
        self.port = port
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body


def _client(target: Target, stop_at: float, count: list[int], errors: list[int], limit: int | None = None) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", target.port, timeout=30)
    done = 0
    while time.perf_counter() < stop_at and (limit is None or done < limit):
        try:
            conn.request(target.method, target.path, body=target.body, headers=target.headers)
            reply = conn.getresponse()
            reply.read()
            if reply.status >= 300:
                errors[0] += 1
            if reply.getheader("Connection") == "close":
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", target.port, timeout=30)
        except (OSError, http.client.HTTPException):
            errors[0] += 1
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", target.port, timeout=30)
        done += 1
    count[0] += done
    conn.close()


def _rate(target: Target, clients: int, seconds: float) -> tuple[float, int]:
    stop_at = time.perf_counter() + seconds
    counts = [[0] for _ in range(clients)]
    errors = [0]
    threads = [threading.Thread(target=_client, args=(target, stop_at, counts[i], errors)) for i in range(clients)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    return sum(c[0] for c in counts) / elapsed, errors[0]


def _burst(target: Target, total: int, clients: int = 8) -> None:
    per = max(1, total // clients)
    counts = [[0] for _ in range(clients)]
    errors = [0]
    far = time.perf_counter() + 3600
    threads = [threading.Thread(target=_client, args=(target, far, counts[i], errors, per)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def _pick(spec_path: Path, credential: str) -> tuple[dict[str, str], str, tuple[str, str, bytes] | None]:
    from skillpress.contract.compile import compile_contract
    from skillpress.spec import load_spec

    result = load_spec(spec_path)
    assert result.spec is not None
    spec = result.spec
    contract = compile_contract(spec)
    settings = contract["protocol"]["credential"] or {}
    headers = {"Content-Type": "application/json"}
    if settings and settings.get("scheme") != "query":
        headers[settings.get("name") or "Authorization"] = (settings.get("prefix") or "") + credential
    read = next(e for e in spec.endpoints if e.method == "GET" and not e.template_params)
    post = None
    for endpoint in spec.endpoints:
        if endpoint.method == "POST" and endpoint.auth.value == "required":
            body: dict[str, Any] = {}
            for field in endpoint.body:
                if field.required and "." not in field.name:
                    samples = {"string": "x", "integer": 1, "number": 1, "boolean": False, "object": {}, "array": []}
                    body[field.name] = field.choices[0] if field.choices else samples[field.type]
            post = ("POST", endpoint.path, json.dumps(body).encode())
            break
    return headers, read.path, post


_PEER = """
import http.server, sys
class H(http.server.SimpleHTTPRequestHandler):
    disable_nagle_algorithm = True
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
print(f"Serving HTTP on 127.0.0.1 port {s.server_address[1]} (fair peer)", flush=True)
s.serve_forever()
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--spec", type=Path, default=ROOT / "examples" / "firecrawl" / "spec.yaml")
    parser.add_argument("--requests", type=int, default=200_000)
    parser.add_argument("--clients", default="1,8,64")
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument(
        "--fair-peer",
        action="store_true",
        help="give the peer TCP_NODELAY too (bare http.server writes head and body apart, so each reply "
        "waits for a delayed ACK)",
    )
    args = parser.parse_args(argv)
    levels = [int(x) for x in args.clients.split(",") if x]

    # ---- memory
    proc, port, credential = _start_mock(args.spec)
    headers, read_path, post = _pick(args.spec, credential)
    target = Target(port, "GET", read_path, headers, None)
    try:
        _burst(target, 2000)
        warm = _rss_kib(proc.pid)
        print(f"memory ({args.spec.parent.name}, GET {read_path}, keep-alive, 8 clients)")
        print(f"  after warm-up (2,000 requests): {warm / 1024:.1f} MiB")
        step = max(1, args.requests // 10)
        for done in range(step, args.requests + 1, step):
            _burst(target, step)
            rss = _rss_kib(proc.pid)
            print(f"  after {done:>9,} requests: {rss / 1024:.1f} MiB ({(rss - warm) / warm * 100:+.1f}%)")
    finally:
        _stop(proc)

    # ---- throughput
    folder = Path(tempfile.mkdtemp(prefix="bench-mock-"))
    (folder / "small.txt").write_bytes(b"x" * 64)
    peer = subprocess.Popen(
        [sys.executable, "-c", _PEER, "--protocol", "HTTP/1.1"]
        if args.fair_peer
        else [sys.executable, "-m", "http.server", "0", "--bind", "127.0.0.1", "--protocol", "HTTP/1.1"],
        cwd=folder,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert peer.stdout is not None
    peer_port = int(peer.stdout.readline().split(" port ")[1].split()[0])
    mock, mock_port, credential = _start_mock(args.spec)
    # a balance that the run cannot spend, so every POST is a spending one (not a refusal)
    dbmock, db_port, db_credential = _start_mock(
        args.spec, "--db", str(folder / "mock.sqlite"), "--starting-credits", "1000000000"
    )
    try:
        headers, read_path, post = _pick(args.spec, credential)
        db_headers, _, _ = _pick(args.spec, db_credential)
        print(f"\nthroughput, requests per second over {args.seconds:g} s (errors in brackets)")
        print(f"  {'clients':>7}  {'http.server GET':>16}  {'mock GET':>16}  {'mock POST --db':>16}")
        for clients in levels:
            base, base_err = _rate(Target(peer_port, "GET", "/small.txt", {}, None), clients, args.seconds)
            got, got_err = _rate(Target(mock_port, "GET", read_path, headers, None), clients, args.seconds)
            cell = "n/a"
            if post:
                spent, spent_err = _rate(Target(db_port, post[0], post[1], db_headers, post[2]), clients, args.seconds)
                cell = f"{spent:,.0f} ({spent / base:.2f}x) [{spent_err}]"
            print(f"  {clients:>7}  {base:>10,.0f} [{base_err}]  {got:>8,.0f} ({got / base:.2f}x) [{got_err}]  {cell}")
    finally:
        for child in (peer, mock, dbmock):
            _stop(child)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
