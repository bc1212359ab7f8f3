"""A static server for a built site that speaks to agents as well as to browsers.

- ``Accept: text/markdown`` (preferred over HTML by its q-value), or a ``User-Agent`` of a
  known AI agent or crawler (ClaudeBot, GPTBot, PerplexityBot ...), on a page's URL answers
  with the page's markdown twin: ``/commands/`` gives ``/commands.md``, ``/`` gives
  ``/index.md``. Every page answer says ``Vary: Accept, User-Agent``.
- A missing page asked for as markdown is still a 404, with a short markdown body that
  points to ``/llms.txt`` and ``/sitemap.md`` instead of the HTML error page.
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
import re
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


#: User-Agent words of AI agents and crawlers that read documentation (matched case-insensitively).
AGENT_USER_AGENTS = re.compile(
    r"ClaudeBot|Claude-User|Claude-SearchBot|anthropic-ai|GPTBot|ChatGPT-User|OAI-SearchBot|"
    r"PerplexityBot|Perplexity-User|Google-Extended|Google-CloudVertexBot|CCBot|cohere-ai|"
    r"Amazonbot|Applebot-Extended|meta-externalagent|DuckAssistBot|MistralAI-User|Bytespider",
    re.IGNORECASE,
)

NOT_FOUND_MARKDOWN = (
    "# Not found\n\n"
    "No page lives at this address. [/llms.txt](/llms.txt) lists every agent file and "
    "[/sitemap.md](/sitemap.md) every page, as markdown.\n"
)


def agent_user_agent(user_agent: str) -> bool:
    return bool(AGENT_USER_AGENTS.search(user_agent))


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
            self.send_header("Vary", "Accept, User-Agent")
        super().end_headers()

    def wants_markdown(self) -> bool:
        return wants_markdown(self.headers.get("Accept", "")) or agent_user_agent(self.headers.get("User-Agent", ""))

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        if code != 404 or not self.wants_markdown():
            super().send_error(code, message, explain)
            return
        body = NOT_FOUND_MARKDOWN.encode("utf-8")
        self.send_response(404, message)
        self.send_header("Content-Type", TYPES[".md"])
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def send_head(self) -> io.BytesIO | BinaryIO | None:
        path = unquote(urlsplit(self.path).path)
        page = path.endswith(("/", ".html"))
        if page and self.rebuild is not None:
            with self.lock:
                self.directory = str(self.rebuild())
        if page and self.wants_markdown():
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
