"""HTTP for the thin client: every request has a timeout; only idempotent GETs retry.

``http.client`` is used directly (it is what ``urllib.request`` runs on) because it is
cheaper to import, never follows redirects behind our back, and lets downloads be
streamed and length-checked. URLs are handled with ``urllib.parse``.

* Timeout: per socket operation *and* an overall deadline per attempt.
* Retries: ``GET`` only, on connection failures and on HTTP 429/5xx, at most
  ``get_retries`` times, with exponential backoff (honouring a short ``Retry-After``).
  A timed-out request is not retried: the wall time stays bounded by the timeout.
* Redirects: up to 3, GET only. ``Authorization`` is dropped when the origin changes.
"""

from __future__ import annotations

import http.client
import os
import socket
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urljoin, urlsplit

MAX_REDIRECTS = 3
BACKOFF_BASE = 0.25
BACKOFF_CAP = 4.0
RETRY_AFTER_CAP = 10.0
CHUNK = 64 * 1024


class TransportError(Exception):
    """``kind``: ``timeout``, ``network``, ``short`` (body shorter than declared), ``too-large``, ``bad-url``."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


class Response:
    __slots__ = ("body", "headers", "status", "url")

    def __init__(self, status: int, headers: dict[str, str], body: bytes, url: str) -> None:
        self.status = status
        self.headers = headers
        self.body = body
        self.url = url


def origin(url: str) -> str:
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return f"{parts.scheme.lower()}://{(parts.hostname or '').lower()}:{port}"


def _connection(url: str, timeout: float) -> tuple[http.client.HTTPConnection, str]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise TransportError("bad-url", f"not an http(s) URL: {url!r}")
    try:
        port = parts.port
    except ValueError:
        raise TransportError("bad-url", f"bad port in URL {url!r}") from None
    host = parts.hostname
    if scheme == "https":
        import ssl

        conn: http.client.HTTPConnection = http.client.HTTPSConnection(
            host, port, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        conn = http.client.HTTPConnection(host, port, timeout=timeout)
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    return conn, target


def _classify(exc: BaseException) -> TransportError:
    if isinstance(exc, TransportError):
        return exc
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return TransportError("timeout", "the request timed out")
    if isinstance(exc, ConnectionRefusedError):
        return TransportError("network", "connection refused")
    if isinstance(exc, socket.gaierror):
        return TransportError("network", "the host name could not be resolved")
    if isinstance(exc, http.client.HTTPException):
        return TransportError("network", f"bad HTTP response ({type(exc).__name__})")
    if isinstance(exc, OSError):
        reason = exc.strerror or type(exc).__name__
        return TransportError("network", f"network error: {reason}")
    return TransportError("network", f"network error: {type(exc).__name__}")


def _read_body(
    resp: http.client.HTTPResponse, deadline: float, max_bytes: int, sink: Callable[[bytes], None] | None = None
) -> bytes:
    parts: list[bytes] = []
    total = 0
    while True:
        if time.monotonic() > deadline:
            raise TransportError("timeout", "the response body did not arrive in time")
        chunk = resp.read1(CHUNK) if hasattr(resp, "read1") else resp.read(CHUNK)
        if not chunk:
            break
        total += len(chunk)
        if total > max_bytes:
            raise TransportError("too-large", f"the response is larger than {max_bytes} bytes")
        if sink is not None:
            sink(chunk)
        else:
            parts.append(chunk)
    return b"".join(parts)


def _once(
    method: str,
    url: str,
    headers: dict[str, str],
    body: bytes | None,
    timeout: float,
    max_bytes: int,
    sink: Callable[[bytes], None] | None,
    total: float | None = None,
) -> Response:
    deadline = time.monotonic() + (total or timeout)
    conn, target = _connection(url, timeout)
    try:
        send_headers = dict(headers)
        if body is not None:
            send_headers["Content-Length"] = str(len(body))
        conn.request(method, target, body=body, headers=send_headers)
        resp = conn.getresponse()
        resp_headers = {k.lower(): v for k, v in resp.getheaders()}
        is_redirect = resp.status in (301, 302, 303, 307, 308) and "location" in resp_headers
        data = b"" if is_redirect else _read_body(resp, deadline, max_bytes, sink)
        if not is_redirect and resp.length not in (None, 0):
            raise TransportError("short", "the response ended before its declared length")
        return Response(resp.status, resp_headers, data, url)
    except http.client.IncompleteRead:
        raise TransportError("short", "the response ended before its declared length") from None
    except BaseException as exc:
        if isinstance(exc, KeyboardInterrupt):
            raise
        raise _classify(exc) from None
    finally:
        conn.close()


def _retry_delay(attempt: int, response: Response | None) -> float:
    delay = min(BACKOFF_CAP, BACKOFF_BASE * (2**attempt))
    if response is not None:
        raw = response.headers.get("retry-after", "")
        if raw.strip().isdigit():
            delay = min(RETRY_AFTER_CAP, max(delay, float(raw.strip())))
    jitter = int.from_bytes(os.urandom(1), "big") / 255 * 0.1
    return delay + jitter


def request(
    method: str,
    url: str,
    *,
    headers: dict[str, str],
    body: bytes | None = None,
    timeout: float,
    retries: int = 0,
    max_bytes: int = 64 * 1024 * 1024,
    sink: Callable[[bytes], None] | None = None,
    follow: bool = True,
    total_timeout: float | None = None,
) -> Response:
    """Send one request (with GET retries); raise :class:`TransportError` on transport failure.

    ``timeout`` bounds every socket operation and, unless ``total_timeout`` is given, the
    whole attempt; downloads pass a longer ``total_timeout`` for large bodies.
    """
    attempts = 1 + (retries if method == "GET" and sink is None else 0)
    last_error: TransportError | None = None
    last_response: Response | None = None  # the 429/5xx reply that caused a retry, for Retry-After
    for attempt in range(attempts):
        if attempt:
            time.sleep(_retry_delay(attempt - 1, last_response))
        last_response = None
        try:
            response = _follow(method, url, headers, body, timeout, max_bytes, sink, follow, total_timeout)
        except TransportError as exc:
            if exc.kind != "network":
                raise
            last_error = exc
            continue
        if response.status == 429 or response.status >= 500:
            last_response = response
            if attempt + 1 < attempts:
                continue
        return response
    assert last_error is not None
    raise last_error


def _follow(
    method: str,
    url: str,
    headers: dict[str, str],
    body: bytes | None,
    timeout: float,
    max_bytes: int,
    sink: Callable[[bytes], None] | None,
    follow: bool,
    total: float | None = None,
) -> Response:
    current = url
    current_headers = dict(headers)
    for _ in range(MAX_REDIRECTS + 1):
        response = _once(method, current, current_headers, body, timeout, max_bytes, sink, total)
        location = response.headers.get("location")
        if not (follow and method == "GET" and location and response.status in (301, 302, 303, 307, 308)):
            return response
        nxt = urljoin(current, location)
        if urlsplit(nxt).scheme.lower() not in ("http", "https"):
            raise TransportError("bad-url", "redirected to a non-http(s) URL")
        if origin(nxt) != origin(current):
            current_headers = {k: v for k, v in current_headers.items() if k.lower() != "authorization"}
        current = nxt
    raise TransportError("network", "too many redirects")


def describe(headers: dict[str, Any]) -> str:  # pragma: no cover - debugging aid
    return ", ".join(f"{k}: {'<redacted>' if k.lower() == 'authorization' else v}" for k, v in headers.items())
