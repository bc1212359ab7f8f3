"""A tiny scripted HTTP server for client tests: exact replies, delays, short bodies."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class Reply:
    def __init__(
        self,
        status: int = 200,
        body: Any = None,
        *,
        headers: dict[str, str] | None = None,
        raw: bytes | None = None,
        delay: float = 0.0,
        declared_length: int | None = None,
    ) -> None:
        self.status = status
        self.body = raw if raw is not None else (json.dumps(body).encode() if body is not None else b"")
        self.headers = headers or {}
        self.delay = delay
        self.declared_length = declared_length


def envelope(
    data: Any = None, *, ok: bool = True, error: dict[str, Any] | None = None, warnings: Any = ()
) -> dict[str, Any]:
    out: dict[str, Any] = {"ok": ok, "command": "stub", "trace_id": "trace_stub", "actor": None, "data": data}
    if warnings is not None:
        out["warnings"] = list(warnings)
    out["error"] = error
    return out


class Stub:
    """Routes ``(METHOD, path-without-query)`` to a :class:`Reply`; records every request."""

    def __init__(self) -> None:
        self.routes: dict[tuple[str, str], Any] = {}
        self.requests: list[dict[str, Any]] = []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                path = self.path.split("?", 1)[0]
                stub.requests.append(
                    {
                        "method": self.command,
                        "path": self.path,
                        "headers": {k.lower(): v for k, v in self.headers.items()},
                        "body": body,
                    }
                )
                reply = stub.routes.get((self.command, path))
                if callable(reply):
                    reply = reply()
                if reply is None:
                    reply = Reply(404, {"ok": False, "error": {"code": "NOT_FOUND", "message": "stub"}})
                if reply.delay:
                    time.sleep(reply.delay)
                try:
                    self.send_response(reply.status)
                    length = reply.declared_length if reply.declared_length is not None else len(reply.body)
                    self.send_header("Content-Length", str(length))
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    if "content-type" not in {k.lower() for k in reply.headers}:
                        self.send_header("Content-Type", "application/json")
                    self.end_headers()
                    self.wfile.write(reply.body)
                    if reply.declared_length is not None:
                        self.close_connection = True
                except (BrokenPipeError, ConnectionResetError):
                    pass

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def route(self, method: str, path: str, reply: Any) -> None:
        self.routes[(method, path)] = reply

    def start(self) -> Stub:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def hits(self, method: str, path: str) -> int:
        return sum(1 for r in self.requests if r["method"] == method and r["path"].split("?")[0] == path)
