"""The mock as a server: HTTP/1.1 keep-alive, the `skillpress mock` command for both
examples (clean stop on SIGTERM), and two real mock processes sharing one database."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from skillpress.contract.compile import compile_contract
from skillpress.mock.server import MockServer
from skillpress.spec.model import Spec
from tests.mock.conftest import EXAMPLES, ROOT, Api, make_api


def test_keep_alive_clients_reuse_one_connection(spec: Spec) -> None:
    with MockServer(spec, starting_credits=1000) as mock:
        token = mock.issue_credential()
        conn = http.client.HTTPConnection("127.0.0.1", mock.port, timeout=10)
        first_socket = None
        for index in range(30):
            if index % 2:
                conn.request("GET", "/v1/whoami", headers={"Authorization": f"Bearer {token}"})
            else:
                body = json.dumps({"prompt": "p"})
                conn.request(
                    "POST",
                    "/v1/create",
                    body=body,
                    headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
                )
            reply = conn.getresponse()
            payload = reply.read()
            assert reply.status == 200 and reply.version == 11
            assert reply.getheader("Connection") == "keep-alive"
            assert reply.getheader("Content-Length") == str(len(payload))
            first_socket = first_socket or conn.sock
            assert conn.sock is first_socket  # the same connection every time
        # an error reply keeps the connection too
        conn.request("GET", "/nothing")
        reply = conn.getresponse()
        reply.read()
        assert reply.status == 404 and conn.sock is first_socket
        conn.request("GET", "/healthz", headers={"Connection": "close"})
        reply = conn.getresponse()
        reply.read()
        assert reply.getheader("Connection") == "close"
        conn.close()


def test_http_1_0_clients_get_one_reply_then_the_connection_closes(spec: Spec) -> None:
    with MockServer(spec) as mock, socket.create_connection(("127.0.0.1", mock.port), timeout=10) as sock:
        sock.sendall(b"GET /healthz HTTP/1.0\r\nHost: x\r\n\r\n")
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
        head, _, body = received.partition(b"\r\n\r\n")
        assert b" 200 " in head.split(b"\r\n")[0] and b"Connection: close" in head
        assert f"Content-Length: {len(body)}".encode() in head


def test_a_malformed_request_gets_the_declared_error_shape(spec: Spec) -> None:
    with MockServer(spec) as mock, socket.create_connection(("127.0.0.1", mock.port), timeout=10) as sock:
        sock.sendall(b"POST /v1/create HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n")
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
        head, _, body = received.partition(b"\r\n\r\n")
        assert b" 400 " in head.split(b"\r\n")[0]
        assert json.loads(body)["error"]["code"] == "INVALID_ARGUMENTS"


# --------------------------------------------------------------------------- real processes


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}


@contextmanager
def mock_process(example: str, *extra: str, show: bool = True) -> Iterator[tuple[str, str, subprocess.Popen[str]]]:
    """`skillpress mock` in a child process: (url, credential or the line in its place, process)."""
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "skillpress",
            "mock",
            str(ROOT / "examples" / example / "spec.yaml"),
            "--port",
            "0",
            *(["--show-credential"] if show else []),
            *extra,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(),
        cwd=ROOT,
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip().rsplit(" ", 1)[-1]
        credential = proc.stdout.readline().strip().rsplit(" ", 1)[-1]
        assert url.startswith("http://127.0.0.1:"), url
        yield url, credential, proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            proc.wait(20)


@pytest.mark.parametrize("example", EXAMPLES)
def test_the_mock_command_serves_each_example_and_stops_on_sigterm(example: str, specs: dict[str, Spec]) -> None:
    spec = specs[example]
    with mock_process(example) as (url, credential, proc):
        api = Api(url, compile_contract(spec))
        api.token = credential
        read = next(e for e in spec.endpoints if e.method == "GET" and not e.template_params and e.auth.value != "none")
        status, _, _ = api("GET", read.path)
        assert status == 200
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert "mock stopped" in out and "Traceback" not in err
    assert credential not in err  # the log names requests, never the credential


def test_the_mock_command_stops_cleanly_on_ctrl_c_and_prints_a_credential_only_when_asked() -> None:
    with mock_process("firecrawl", show=False) as (_url, line, proc):
        assert "fc-" not in line
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert "mock stopped" in out and "Traceback" not in err and "fc-" not in out + err


def test_the_mock_command_stops_cleanly_on_ctrl_c() -> None:
    with mock_process("firecrawl") as (_url, _credential, proc):
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert "mock stopped" in out and "Traceback" not in err


def test_two_mocks_on_one_db_never_answer_a_key_twice_nor_fail(spec: Spec, tmp_path: Path) -> None:
    db = str(tmp_path / "shared.sqlite")
    contract = compile_contract(spec)
    with (
        mock_process("image-skill", "--db", db) as (url_a, token, _a),
        mock_process("image-skill", "--db", db) as (
            url_b,
            _,
            _b,
        ),
    ):
        body = {"pack_id": "starter-500", "payment_method": "stripe_checkout", "idempotency_key": "race"}
        results: list[tuple[int, Any]] = []
        signups: list[tuple[int, Any]] = []
        lock = threading.Lock()

        def worker(index: int) -> None:
            api = Api(url_a if index % 2 else url_b, contract)
            api.token = token
            status, _, reply = api("POST", "/v1/credit-quotes", body)
            signup = api(
                "POST",
                "/v1/agent-signups",
                {"human_email": "a@example.com", "agent_name": "n", "runtime": "r", "return_token": True},
                token=None,
            )
            with lock:
                results.append((status, reply["data"] if status == 200 else reply))
                signups.append((signup[0], signup[2]["data"]["token"] if signup[0] == 201 else signup[2]))

        threads = [threading.Thread(target=worker, args=(i,)) for i in range(24)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert {status for status, _ in results} == {200}, results
        assert len({json.dumps(data, sort_keys=True) for _, data in results}) == 1  # one answer for one key
        assert {status for status, _ in signups} == {201}
        tokens = [token for _, token in signups]
        assert len(set(tokens)) == len(tokens)
        # a credential one mock issued works on the other
        other = Api(url_a, contract)
        other.token = tokens[0]
        assert other("GET", "/v1/whoami")[0] == 200
    import sqlite3

    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT COUNT(*) FROM replies").fetchone()[0] == 1
        assert conn.execute("SELECT COUNT(*) FROM accounts").fetchone()[0] == 2 + 24 + 0


def test_in_process_api_helper_matches_the_declared_placement(specs: dict[str, Spec]) -> None:
    spec = specs["firecrawl"]
    with MockServer(spec) as mock:
        api = make_api(mock, spec)
        api("GET", "/v2/team/queue-status")
        headers = mock.requests()[-1]["headers"]
        assert headers["authorization"] == "<redacted>"
