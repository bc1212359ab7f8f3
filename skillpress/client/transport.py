"""HTTP for the thin client: every exchange has an overall deadline; redirects are ours.

``http.client`` is used directly (what ``urllib.request`` runs on): cheaper to import,
it never follows redirects behind our back and lets bodies be streamed and counted.

* **Deadline.** A socket timeout bounds one read, so a server that trickles its status
  line or headers a byte at a time would never trip it. Every socket operation here is
  armed with what is left of one overall deadline (the connection, sending, the status
  line, the headers and the body alike), so no server can hold a request longer.
* **Redirects** (GET only, at most 5): the credential headers are dropped as soon as the
  target's origin differs from the one they were meant for.
* **Size**: a body larger than ``max_bytes`` stops the transfer.

Retries are the caller's (``protocol.retry_delay`` decides them).
"""

from __future__ import annotations

import http.client
import io
import socket
import time
from urllib.parse import urljoin, urlsplit

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from typing import Any

MAX_REDIRECTS = 5
CHUNK = 64 * 1024


class TransportError(Exception):
    """``kind``: ``timeout``, ``network``, ``too_large`` or ``short`` (body cut before its length)."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


class Response:
    __slots__ = ("body", "headers", "status", "url")

    def __init__(self, status: int, headers: list[tuple[str, str]], body: bytes, url: str) -> None:
        self.status = status
        self.headers = headers
        self.body = body
        self.url = url

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None


def origin(url: str) -> str:
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = None
    port = port or (443 if parts.scheme.lower() == "https" else 80)
    return f"{parts.scheme.lower()}://{(parts.hostname or '').lower()}:{port}"


class _Deadline:
    """A socket whose every operation gets at most what is left of the deadline."""

    def __init__(self, sock: Any, deadline: float) -> None:
        self._sock = sock
        self._deadline = deadline

    def _arm(self) -> None:
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("deadline passed")
        self._sock.settimeout(left)

    def sendall(self, data: Any) -> None:
        self._arm()
        self._sock.sendall(data)

    def recv_into(self, buffer: Any, size: int = 0) -> int:
        self._arm()
        return int(self._sock.recv_into(buffer, size))

    def makefile(self, mode: str = "rb", *args: Any, **kwargs: Any) -> Any:
        return io.BufferedReader(_Raw(self))

    def close(self) -> None:
        self._sock.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)


class _Raw(io.RawIOBase):
    def __init__(self, sock: _Deadline) -> None:
        self._sock = sock

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        return self._sock.recv_into(buffer)


def _connection(url: str, deadline: float) -> tuple[http.client.HTTPConnection, str]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        raise TransportError("network", "the URL has a bad port") from None
    if scheme not in ("http", "https") or not parts.hostname:
        raise TransportError("network", "not an http(s) URL")
    left = max(0.001, deadline - time.monotonic())
    conn: http.client.HTTPConnection
    if scheme == "https":
        import ssl

        conn = http.client.HTTPSConnection(parts.hostname, port, timeout=left, context=ssl.create_default_context())
    else:
        conn = http.client.HTTPConnection(parts.hostname, port, timeout=left)
    conn.connect()
    conn.sock = _Deadline(conn.sock, deadline)
    target = (parts.path or "/") + ("?" + parts.query if parts.query else "")
    return conn, target


def _classify(exc: BaseException) -> TransportError:
    if isinstance(exc, TransportError):
        return exc
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return TransportError("timeout", "no complete answer in time")
    if isinstance(exc, http.client.IncompleteRead):
        return TransportError("short", "the reply ended before its declared length")
    if isinstance(exc, socket.gaierror):
        return TransportError("network", "the host name could not be resolved")
    if isinstance(exc, ConnectionRefusedError):
        return TransportError("network", "connection refused")
    if isinstance(exc, http.client.HTTPException):
        return TransportError("network", f"bad HTTP reply ({type(exc).__name__})")
    if isinstance(exc, OSError):
        return TransportError("network", f"network error: {exc.strerror or type(exc).__name__}")
    return TransportError("network", f"network error: {type(exc).__name__}")


def _once(
    method: str,
    url: str,
    headers: list[tuple[str, str]],
    body: bytes | None,
    deadline: float,
    max_bytes: int,
    sink: Callable[[bytes], None] | None,
    redirecting: bool,
) -> Response:
    conn: http.client.HTTPConnection | None = None
    try:
        conn, target = _connection(url, deadline)
        conn.putrequest(method, target, skip_accept_encoding=True)
        for name, value in headers:
            conn.putheader(name, value)
        if body is not None:
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        reply = conn.getresponse()
        reply_headers = [(k, v) for k, v in reply.getheaders()]
        if redirecting and reply.status in (301, 302, 303, 307, 308) and reply.getheader("location"):
            return Response(reply.status, reply_headers, b"", url)
        parts: list[bytes] = []
        total = 0
        while True:
            chunk = reply.read1(CHUNK)
            if not chunk:
                break
            total += len(chunk)
            if total > max_bytes:
                raise TransportError("too_large", f"the reply is larger than {max_bytes} bytes")
            if sink is not None and 200 <= reply.status < 300:
                sink(chunk)
            else:
                parts.append(chunk)
        if reply.length not in (None, 0):
            raise TransportError("short", "the reply ended before its declared length")
        return Response(reply.status, reply_headers, b"".join(parts), url)
    except KeyboardInterrupt:
        raise
    except BaseException as exc:
        raise _classify(exc) from None
    finally:
        if conn is not None:
            conn.close()


def send(
    method: str,
    url: str,
    headers: Iterable[tuple[str, str]],
    body: bytes | None = None,
    *,
    seconds: float,
    max_bytes: int = 64 * 1024 * 1024,
    sink: Callable[[bytes], None] | None = None,
    secret_headers: Iterable[str] = ("authorization",),
) -> Response:
    """One exchange (redirects of a GET followed) within ``seconds`` in all.

    ``sink`` receives a 2xx body chunk by chunk instead of keeping it (downloads).
    Headers named in ``secret_headers`` are dropped when a redirect leaves the origin.
    """
    deadline = time.monotonic() + seconds
    current = url
    sent = list(headers)
    secret = {name.lower() for name in secret_headers}
    start = origin(url)
    for _ in range(MAX_REDIRECTS + 1):
        reply = _once(method, current, sent, body, deadline, max_bytes, sink, method == "GET")
        location = reply.header("location")
        if method != "GET" or reply.status not in (301, 302, 303, 307, 308) or not location:
            return reply
        following = urljoin(current, location)
        if urlsplit(following).scheme.lower() not in ("http", "https"):
            raise TransportError("network", "redirected to a URL that is not http(s)")
        if origin(following) != start:
            sent = [(k, v) for k, v in sent if k.lower() not in secret]
        current = following
    raise TransportError("network", "too many redirects")
