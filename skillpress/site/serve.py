"""A static server for a built site that speaks to agents as well as to browsers.

- ``Accept: text/markdown`` (preferred over HTML by its q-value) on a page's URL answers
  with the page's markdown twin: ``/commands/`` gives ``/commands.md``, ``/`` gives
  ``/index.md``. Every page answer says ``Vary: Accept``.
- ``.md`` files are ``text/markdown; charset=utf-8``, ``.txt`` ``text/plain; charset=utf-8``,
  and ``/.well-known/api-catalog`` the RFC 9727 linkset type.

Standard library only; it binds to 127.0.0.1 unless told otherwise, and never lists
folders. ``skillpress site serve`` uses it, and so do the tests that run third-party
checkers against a built site.
"""

from __future__ import annotations

import http.server
import io
import os
import threading
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import BinaryIO
from urllib.parse import unquote, urlsplit

from skillpress.site.discovery import API_CATALOG_TYPE

TYPES = {
    ".md": "text/markdown; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".json": "application/json",
    ".xml": "application/xml",
    ".html": "text/html; charset=utf-8",
}


def wants_markdown(accept: str) -> bool:
    """True when ``accept`` ranks text/markdown above text/html (ties go to markdown when
    markdown is named first: ``Accept: text/markdown, text/html``)."""
    ranks: dict[str, tuple[float, int]] = {}
    for i, item in enumerate(accept.split(",")):
        kind, _, params = item.strip().partition(";")
        q = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        ranks.setdefault(kind.strip().lower(), (q, -i))
    markdown = max(ranks.get("text/markdown", (0.0, 0)), ranks.get("text/x-markdown", (0.0, 0)))
    if markdown[0] <= 0:
        return False
    html = max(ranks.get("text/html", (0.0, -99)), ranks.get("*/*", (0.0, -99)))
    return markdown > html


def twin_of(path: str) -> str:
    """The twin of a page URL path: ``/commands/`` -> ``/commands.md``, ``/`` -> ``/index.md``."""
    if path.endswith("/index.html"):
        path = path[: -len("index.html")]
    if path.endswith("/"):
        return "/index.md" if path == "/" else path.rstrip("/") + ".md"
    return path.removesuffix(".html") + ".md"


class SiteHandler(http.server.SimpleHTTPRequestHandler):
    """Serves ``directory`` with content negotiation for markdown twins."""

    rebuild: Callable[[], Path] | None = None
    lock = threading.Lock()

    def log_message(self, format: str, *args: object) -> None:
        pass

    def guess_type(self, path: str | Path) -> str:  # type: ignore[override]
        name = str(path)
        if name.endswith("/.well-known/api-catalog"):
            return API_CATALOG_TYPE
        for suffix, kind in TYPES.items():
            if name.endswith(suffix):
                return kind
        return super().guess_type(path)

    def list_directory(self, path: str | os.PathLike[str]) -> io.BytesIO | None:
        self.send_error(404, "No index here")
        return None

    def end_headers(self) -> None:
        path = urlsplit(self.path).path
        if path.endswith(("/", ".html", ".md")):
            self.send_header("Vary", "Accept")
        super().end_headers()

    def send_head(self) -> io.BytesIO | BinaryIO | None:
        path = unquote(urlsplit(self.path).path)
        page = path.endswith(("/", ".html"))
        if page and self.rebuild is not None:
            with self.lock:
                self.directory = str(self.rebuild())
        if page and wants_markdown(self.headers.get("Accept", "")):
            twin = twin_of(path)
            target = Path(self.directory) / twin.lstrip("/")
            if target.is_file():
                self.path = twin
        return super().send_head()


def make_server(
    directory: Path, *, host: str = "127.0.0.1", port: int = 0, rebuild: Callable[[], Path] | None = None
) -> http.server.ThreadingHTTPServer:
    handler = type("BoundSiteHandler", (SiteHandler,), {"rebuild": staticmethod(rebuild) if rebuild else None})
    return http.server.ThreadingHTTPServer((host, port), partial(handler, directory=str(directory)))


def serve_forever(
    directory: Path, *, host: str = "127.0.0.1", port: int = 8000, rebuild: Callable[[], Path] | None = None
) -> None:
    server = make_server(directory, host=host, port=port, rebuild=rebuild)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
