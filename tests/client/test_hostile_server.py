"""Hardening: what a hostile (or broken) server or command line must not achieve.

Each test runs the real client on a compiled example contract against a server on
127.0.0.1 that this file controls byte by byte.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator

import pytest

from tests.client.conftest import Client
from tests.client.stubs import Reply, Stub

KEY = "fc-0123456789abcdef"
TOKEN = "isk_r_0123456789abcdefghij"


class Trickle:
    """A raw server: each connection gets ``handler(conn)``; runs until stopped."""

    def __init__(self, handler: Callable[[socket.socket], None]) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.stop = threading.Event()
        self.handler = handler
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        self.sock.settimeout(0.2)
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            threading.Thread(target=self._one, args=(conn,), daemon=True).start()

    def _one(self, conn: socket.socket) -> None:
        try:
            conn.recv(65536)
            self.handler(conn)
        except OSError:
            pass
        finally:
            conn.close()

    def close(self) -> None:
        self.stop.set()
        self.sock.close()


def drip(data: bytes, stop: threading.Event, pause: float = 0.1) -> Callable[[socket.socket], None]:
    def handler(conn: socket.socket) -> None:
        for i in range(len(data)):
            if stop.is_set():
                return
            conn.sendall(data[i : i + 1])
            time.sleep(pause)

    return handler


@pytest.fixture
def trickle() -> Iterator[Callable[[bytes], Trickle]]:
    servers: list[Trickle] = []
    stop = threading.Event()

    def make(data: bytes) -> Trickle:
        server = Trickle(drip(data, stop))
        servers.append(server)
        return server

    yield make
    stop.set()
    for server in servers:
        server.close()


def _with_deadline(client: Client, seconds: float) -> Client:
    client.contract["protocol"]["timeouts"]["request_seconds"] = seconds
    client.contract["protocol"]["timeouts"]["download_seconds"] = seconds
    client.contract["protocol"]["retries"]["attempts"] = 1
    return client


def test_a_trickled_status_line_cannot_defeat_the_deadline(
    firecrawl: Client, trickle: Callable[[bytes], Trickle]
) -> None:
    server = trickle(b"HTTP/1.1 200 OK" + b" " * 400 + b"\r\n\r\n")
    started = time.monotonic()
    result = _with_deadline(firecrawl, 0.5)("credit-usage", "--api-url", server.url, "--json")
    assert result.code == 1 and result.json["error"]["code"] == "TIMED_OUT"
    assert time.monotonic() - started < 20  # a per-read timeout alone would wait out all 400 bytes


def test_trickled_headers_cannot_defeat_the_deadline(firecrawl: Client, trickle: Callable[[bytes], Trickle]) -> None:
    server = trickle(b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 400 + b"\r\n\r\n")
    result = _with_deadline(firecrawl, 0.5)("credit-usage", "--api-url", server.url, "--json")
    assert result.json["error"]["code"] == "TIMED_OUT"


def test_a_trickled_download_stops_at_its_deadline_and_leaves_no_file(
    image: Client, stub: Stub, trickle: Callable[[bytes], Trickle]
) -> None:
    body = b"x" * 300
    media = trickle(b"HTTP/1.1 200 OK\r\nContent-Length: 300\r\nContent-Type: image/png\r\n\r\n" + body)
    asset = {"asset_id": "image_t1", "url": f"{media.url}/t1.png", "mime_type": "image/png"}
    stub.route("GET", "/v1/assets/image_t1", Reply(200, {"ok": True, "data": {"asset": asset}}))
    result = _with_deadline(image, 0.5)("assets", "get", "image_t1", "--json", env={"IMAGE_SKILL_TOKEN": TOKEN})
    assert result.code == 8 and result.json["error"]["code"] == "TIMEOUT"
    assert list(image.cwd.iterdir()) == []


def test_env_and_stdin_credentials_go_only_to_the_declared_base(image: Client, stub: Stub) -> None:
    for extra, stdin in (({"IMAGE_SKILL_TOKEN": TOKEN}, None), ({}, TOKEN)):
        args = ["whoami", "--json", "--api-base-url", "https://api.elsewhere.example.net"]
        result = image(*args, *(["--token-stdin"] if stdin else []), env=extra, stdin=stdin)
        assert result.code == 2 and result.json["error"]["code"] == "API_BASE_URL_REFUSED"
        assert TOKEN not in result.stdout
    assert stub.requests == []


def test_a_credential_echoed_as_a_key_or_value_is_redacted(firecrawl: Client, stub: Stub) -> None:
    echo = {"success": True, "data": {KEY: {"seen": f"Bearer {KEY}"}, "list": [KEY]}, "remainingCredits": 1}
    stub.route("GET", "/v2/team/credit-usage", Reply(200, echo))
    result = firecrawl("credit-usage", "--json", env={"FIRECRAWL_API_KEY": KEY})
    assert result.code == 0
    assert KEY not in result.stdout + result.stderr
    assert "[redacted]" in result.stdout


def test_a_reply_nested_600_deep_is_a_bad_reply(firecrawl: Client, stub: Stub) -> None:
    deep = b'{"success": true, "data": ' + b"[" * 600 + b"]" * 600 + b"}"
    stub.route("GET", "/v2/team/credit-usage", Reply(200, raw=deep))
    result = firecrawl("credit-usage", "--json", env={"FIRECRAWL_API_KEY": KEY})
    assert result.code == 1 and result.json["error"]["code"] == "BAD_RESPONSE"


def test_server_control_characters_never_reach_the_terminal_raw(firecrawl: Client, stub: Stub) -> None:
    page = "# Title\n\x1b]0;pwned\x07\x1b[31mred\u202etxt.exe\tend"
    stub.route("POST", "/v2/scrape", Reply(200, {"success": True, "data": {"markdown": page}}))
    printed = firecrawl("scrape", "https://example.com", env={"FIRECRAWL_API_KEY": KEY})
    as_json = firecrawl("scrape", "https://example.com", "--json", env={"FIRECRAWL_API_KEY": KEY})
    for result in (printed, as_json):
        assert result.code == 0
        for raw in (b"\x1b", b"\x07", "\u202e".encode()):
            assert raw not in result.raw
    assert "\\x1b]0;pwned\\x07" in printed.stdout and "\tend" in printed.stdout
    assert json.loads(as_json.stdout)["data"]["markdown"] == page


def test_non_utf8_argv_never_breaks_the_output(firecrawl: Client) -> None:
    result = firecrawl.subprocess("scrape", b"--\xff\xfe-flag", "--json")
    assert result.code == 1
    error = json.loads(result.raw)["error"]
    assert error["code"] == "INVALID_ARGUMENTS" and "\udcff" in error["message"]
    assert b"\\udcff" in result.raw  # escaped in the JSON text, so it decodes to what was given
    assert b"\\udcff" in firecrawl.subprocess("scrape", b"--\xff").stderr.encode()
    result.raw.decode("utf-8")  # valid UTF-8 throughout


def test_authorization_is_dropped_on_a_redirect_to_another_origin(firecrawl: Client) -> None:
    first, second = Stub().start(), Stub().start()
    try:
        first.route("GET", "/v2/team/credit-usage", Reply(302, raw=b"", headers={"Location": f"{second.url}/moved"}))
        second.route("GET", "/moved", Reply(200, {"success": True, "data": {"remainingCredits": 3}}))
        result = firecrawl("credit-usage", "--api-url", first.url, env={"FIRECRAWL_API_KEY": KEY})
        assert result.code == 0, result.stderr
        assert first.requests[-1]["headers"]["authorization"] == f"Bearer {KEY}"
        assert "authorization" not in second.requests[-1]["headers"]
    finally:
        first.stop()
        second.stop()


def test_a_fraction_for_an_integer_flag_is_refused(firecrawl: Client, stub: Stub) -> None:
    result = firecrawl("crawl", "https://example.com", "--limit", "1.9", "--json", env={"FIRECRAWL_API_KEY": KEY})
    assert result.json["error"]["code"] == "INVALID_ARGUMENTS"
    assert stub.requests == []


def test_a_repeated_flag_that_is_not_repeatable_is_refused(firecrawl: Client, stub: Stub) -> None:
    result = firecrawl("map", "https://a.example", "--limit", "1", "--limit", "2", "--json")
    assert result.json["error"]["code"] == "INVALID_ARGUMENTS"
    assert "more than once" in result.json["error"]["message"]
    assert stub.requests == []


def test_an_existing_output_is_not_overwritten_without_the_declared_flag(image: Client, stub: Stub) -> None:
    (image.cwd / "keep.png").write_bytes(b"mine")
    asset = {"asset_id": "image_k", "url": f"{stub.url}/m/k.png"}
    stub.route("GET", "/v1/assets/image_k", Reply(200, {"ok": True, "data": {"asset": asset}}))
    stub.route("GET", "/m/k.png", Reply(200, raw=b"theirs", headers={"Content-Type": "image/png"}))
    result = image("assets", "get", "image_k", "--output", "keep.png", "--json", env={"IMAGE_SKILL_TOKEN": TOKEN})
    assert result.json["error"]["code"] == "OUTPUT_EXISTS"
    assert (image.cwd / "keep.png").read_bytes() == b"mine"
    assert stub.hits("GET", "/m/k.png") == 0
