"""``skillpress site serve``'s server: pages for browsers, markdown twins for agents that ask."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from skillpress.site.serve import twin_of, wants_markdown
from tests.site.conftest import CASES, ROOT, Server


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
    assert body == (out / "commands.md").read_bytes() and headers["vary"] == "Accept, User-Agent"
    status, headers, body = fetch(f"{served.url}/", "text/markdown")
    assert body == (out / "index.md").read_bytes()
    status, headers, body = fetch(f"{served.url}/commands/", "text/html,*/*;q=0.8")
    assert headers["content-type"].startswith("text/html") and body == (out / "commands/index.html").read_bytes()
    assert headers["vary"] == "Accept, User-Agent"


@pytest.mark.parametrize("agent", ["ClaudeBot/1.0", "Mozilla/5.0 (compatible; GPTBot/1.2; +https://openai.com/gptbot)"])
def test_an_agent_user_agent_gets_the_twin(served: Server, agent: str) -> None:
    request = urllib.request.Request(f"{served.url}/errors/", headers={"User-Agent": agent})
    with urllib.request.urlopen(request, timeout=30) as reply:
        assert reply.headers["Content-Type"] == "text/markdown; charset=utf-8"
        assert reply.read() == (served.site.out / "errors.md").read_bytes()


def test_a_browser_user_agent_gets_html(served: Server) -> None:
    request = urllib.request.Request(f"{served.url}/errors/", headers={"User-Agent": "Mozilla/5.0 Firefox/140.0"})
    with urllib.request.urlopen(request, timeout=30) as reply:
        assert reply.headers["Content-Type"].startswith("text/html")


def test_a_missing_page_is_a_404_in_markdown_for_agents_and_in_html_for_browsers(served: Server) -> None:
    with pytest.raises(urllib.error.HTTPError) as agent:
        fetch(f"{served.url}/no-such-page/", "text/markdown")
    assert agent.value.code == 404 and agent.value.headers["Content-Type"] == "text/markdown; charset=utf-8"
    assert agent.value.read().decode().startswith("# Not found\n")
    with pytest.raises(urllib.error.HTTPError) as browser:
        fetch(f"{served.url}/no-such-page/", "text/html")
    assert browser.value.code == 404 and browser.value.headers["Content-Type"].startswith("text/html")


def test_agent_files_have_their_media_types(served: Server) -> None:
    assert fetch(f"{served.url}/llms.txt")[1]["content-type"] == "text/plain; charset=utf-8"
    assert fetch(f"{served.url}/skill.md")[1]["content-type"] == "text/markdown; charset=utf-8"
    headers = fetch(f"{served.url}/.well-known/api-catalog")[1]
    assert headers["content-type"] == 'application/linkset+json; profile="https://www.rfc-editor.org/info/rfc9727"'


def test_folders_are_not_listed(served: Server) -> None:
    with pytest.raises(urllib.error.HTTPError) as refused:
        fetch(f"{served.url}/.well-known/")
    assert refused.value.code == 404


def test_skillpress_site_serve_builds_and_negotiates(tmp_path: Path) -> None:
    """The command itself: builds the site, serves it on 127.0.0.1, markdown for agents."""
    project = tmp_path / "product"
    project.mkdir()
    shutil.copy(CASES["minimal"], project / "spec.yaml")
    (project / "skillpress.toml").write_text('spec = "spec.yaml"\n', encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    built = subprocess.run(
        [sys.executable, "-m", "skillpress", "build"], cwd=project, env=env, capture_output=True, text=True, timeout=300
    )
    assert built.returncode == 0, built.stderr
    with socket.socket() as probe:  # a free port, released before the server binds it
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "skillpress", "site", "serve", "--port", str(port)],
        cwd=project,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = server.stderr.readline() if server.stderr else ""
        while line and "serving" not in line:
            line = server.stderr.readline() if server.stderr else ""
        assert f"http://127.0.0.1:{port}/" in line, line
        status, headers, body = fetch(f"http://127.0.0.1:{port}/", "text/markdown")
        assert status == 200 and headers["content-type"] == "text/markdown; charset=utf-8"
        assert body == (project / "_site" / "index.md").read_bytes()
        status, headers, _ = fetch(f"http://127.0.0.1:{port}/")
        assert headers["content-type"].startswith("text/html")
    finally:
        server.terminate()
        server.wait(timeout=30)
