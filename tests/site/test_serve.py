"""``skillpress site serve``'s server: pages for browsers, markdown twins for agents that ask."""

from __future__ import annotations

import urllib.request

import pytest

from skillpress.site.serve import twin_of, wants_markdown
from tests.site.conftest import Server


@pytest.mark.parametrize(
    ("accept", "markdown"),
    [
        ("text/markdown", True),
        ("text/markdown, text/html;q=0.9", True),
        ("text/html, text/markdown", False),  # html named first and equal: the page
        ("text/markdown, text/html", True),
        ("text/html;q=0.5, text/markdown;q=0.6", True),
        ("text/html;q=0.6, text/markdown;q=0.5", False),
        ("text/markdown;q=0", False),
        ("text/html,application/xhtml+xml,*/*;q=0.8", False),  # a browser
        ("*/*", False),
        ("", False),
    ],
)
def test_wants_markdown(accept: str, markdown: bool) -> None:
    assert wants_markdown(accept) is markdown


def test_twin_of_page_urls() -> None:
    assert twin_of("/") == "/index.md"
    assert twin_of("/commands/") == "/commands.md"
    assert twin_of("/commands/images/") == "/commands/images.md"
    assert twin_of("/commands/index.html") == "/commands.md"


def fetch(url: str, accept: str | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers={"Accept": accept} if accept else {})
    with urllib.request.urlopen(request, timeout=30) as reply:
        return reply.status, {k.lower(): v for k, v in reply.headers.items()}, reply.read()


def test_accept_markdown_gets_the_twin_and_a_browser_the_page(served: Server) -> None:
    out = served.site.out
    status, headers, body = fetch(f"{served.url}/commands/", "text/markdown")
    assert status == 200 and headers["content-type"] == "text/markdown; charset=utf-8"
    assert body == (out / "commands.md").read_bytes() and headers["vary"] == "Accept"
    status, headers, body = fetch(f"{served.url}/", "text/markdown")
    assert body == (out / "index.md").read_bytes()
    status, headers, body = fetch(f"{served.url}/commands/", "text/html,*/*;q=0.8")
    assert headers["content-type"].startswith("text/html") and body == (out / "commands/index.html").read_bytes()
    assert headers["vary"] == "Accept"


def test_agent_files_have_their_media_types(served: Server) -> None:
    assert fetch(f"{served.url}/llms.txt")[1]["content-type"] == "text/plain; charset=utf-8"
    assert fetch(f"{served.url}/skill.md")[1]["content-type"] == "text/markdown; charset=utf-8"
    headers = fetch(f"{served.url}/.well-known/api-catalog")[1]
    assert headers["content-type"] == 'application/linkset+json; profile="https://www.rfc-editor.org/info/rfc9727"'


def test_folders_are_not_listed(served: Server) -> None:
    with pytest.raises(urllib.error.HTTPError) as refused:
        fetch(f"{served.url}/.well-known/")
    assert refused.value.code == 404
