"""The mock's HTTP server (stdlib ``http.server``), the in-process :class:`MockServer` and ``serve``.

* Binds 127.0.0.1 only.
* HTTP/1.1 with keep-alive: every reply carries ``Content-Length`` and a ``Connection``
  header that says what happens next (``keep-alive`` unless the client asked to close or
  spoke HTTP/1.0 without asking to keep it). An idle connection is closed after
  ``IDLE_SECONDS``.
* Threads are daemons and not tracked, so neither memory nor shutdown grows with the
  number of connections served; the request log is a ring buffer (see ``app``).
* A body over the limit, or a request the handler cannot read, gets the spec's error
  shape, never a traceback.
* ``serve`` stops cleanly on Ctrl-C and SIGTERM.
"""

from __future__ import annotations

import logging
import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from skillpress.spec.model import Spec

from .app import MAX_BODY_BYTES, MockApp
from .replies import ApiError, MockReply
from .values import tiny_png

log = logging.getLogger("skillpress.mock")

IDLE_SECONDS = 30
HOST = "127.0.0.1"

__all__ = ["MockApp", "MockServer", "serve", "tiny_png"]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "skillpress-mock"
    sys_version = ""
    timeout = IDLE_SECONDS
    disable_nagle_algorithm = True
    server: _Server

    def _serve(self) -> None:
        app = self.server.app
        method = self.command
        length_text = self.headers.get("Content-Length")
        body = b""
        reply: MockReply | None = None
        try:
            length = int(length_text) if length_text else 0
            if length < 0:
                raise ValueError
        except ValueError:
            length = -1
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked" or length < 0:
            reply = app.replies.error(ApiError("invalid", app.replies.code_for("invalid"), "send a Content-Length"))
            self.close_connection = True
        elif length > MAX_BODY_BYTES:
            reply = app.replies.error(ApiError("too_large", app.replies.code_for("too_large"), "the body is too large"))
            self.close_connection = True
        else:
            body = self.rfile.read(length) if length else b""
        if reply is None:
            reply = app.handle(method if method != "HEAD" else "GET", self.path, dict(self.headers.items()), body)
        self._send(reply, head=method == "HEAD")

    def _send(self, reply: MockReply, *, head: bool = False) -> None:
        wants = (self.headers.get("Connection") or "").lower()
        if "close" in wants or (self.request_version == "HTTP/1.0" and "keep-alive" not in wants):
            self.close_connection = True
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.send_header("Connection", "close" if self.close_connection else "keep-alive")
        # head and body in one write: a second small write would wait for the peer's delayed ACK
        self._headers_buffer.append(b"\r\n")
        if not head:
            self._headers_buffer.append(reply.body)
        self.flush_headers()

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _serve

    def __getattr__(self, name: str) -> Any:
        # any other method (OPTIONS, TRACE, made-up ones) is answered like the rest: 405 or 404
        if name.startswith("do_"):
            return self._serve
        raise AttributeError(name)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """A request line or header block the server cannot read: the spec's error shape, then close."""
        app = self.server.app
        situation = {404: "not_found", 405: "method", 413: "too_large"}.get(code, "invalid")
        reply = app.replies.error(ApiError(situation, app.replies.code_for(situation), message or "bad request"))
        reply.status = code if 400 <= code < 600 else reply.status
        self.close_connection = True
        if not hasattr(self, "request_version"):
            self.request_version = "HTTP/1.0"
        try:
            self._send(reply, head=getattr(self, "command", "") == "HEAD")
        except OSError:
            pass

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the app logs each request once, redacted


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # do not keep a list of every thread ever started
    allow_reuse_address = True
    request_queue_size = 256  # many agents connecting at once must not be refused

    def __init__(self, port: int, app: MockApp) -> None:
        self.app = app
        super().__init__((HOST, port), _Handler)


class MockServer:
    """An in-process mock on 127.0.0.1 (``port=0`` picks a free port); a context manager.

    ``starting_credits`` is the balance of each account the mock creates (default: the
    spec's starting balance, 0 without pricing); ``db`` (or ``db_path``) a SQLite file
    shared with other mocks, memory by default.
    """

    def __init__(
        self,
        spec: Spec,
        port: int = 0,
        db_path: str | None = None,
        *,
        starting_credits: float | None = None,
        db: str | None = None,
        contract: dict[str, Any] | None = None,
    ) -> None:
        path = db or db_path or ":memory:"
        self.app = MockApp(spec, str(path), starting_credits=starting_credits, contract=contract)
        self.httpd = _Server(port, self.app)
        self.port = self.httpd.server_address[1]
        self.url = f"http://{HOST}:{self.port}"
        self.app.base_url = self.url
        self._thread: threading.Thread | None = None

    def start(self) -> MockServer:
        self._thread = threading.Thread(target=self.httpd.serve_forever, name="skillpress-mock", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        if self._thread is not None:
            self._thread.join(5)
        self.app.wait_for_webhooks(2)
        self.app.store.close()

    def __enter__(self) -> MockServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def requests(self) -> list[dict[str, Any]]:
        """The last requests (oldest first): method, path, query, headers and JSON body, credential redacted."""
        return list(self.app.log)

    def issue_credential(self, balance: float | None = None) -> str:
        """A valid credential of the spec's declared shape, for a new account."""
        return self.app.issue_credential(balance)


def serve(
    spec: Spec,
    port: int = 8765,
    db_path: str | None = None,
    *,
    starting_credits: float | None = None,
    out: Any = None,
    show_credential: bool = False,
) -> None:
    """Serve until Ctrl-C or SIGTERM; print the URL (and, when asked, a credential it accepts)."""
    out = out or sys.stdout
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    server = MockServer(spec, port, db_path, starting_credits=starting_credits)
    stop = threading.Event()

    def _stop(*_: object) -> None:
        stop.set()

    # both signals only set the event, so a stop that lands at any moment is handled the same way
    previous = {sig: signal.signal(sig, _stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    server.start()
    out.write(f"mock of {spec.product.name} serving on {server.url}\n")
    if server.app.plan.credential and show_credential:
        out.write(f"a credential to use: {server.issue_credential()}\n")
    elif server.app.plan.credential:
        out.write("--show-credential prints a credential it accepts\n")
    out.flush()
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        out.write("mock stopped\n")
        out.flush()
