"""Fixtures for the site tests: sites rendered from the test specs and built with mkdocs.

Each case's spec is rendered into a temporary project root, then built (strict) with
``skillpress.site.build.mkdocs_build`` into ``<root>/_site``. Builds are cached per test
session; ``served`` serves one built site on 127.0.0.1 with the standard library.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from skillpress.render import Rendered, render_all
from skillpress.site.build import mkdocs_build
from skillpress.site.serve import SiteHandler
from skillpress.spec import load_spec
from skillpress.spec.model import Spec

ROOT = Path(__file__).resolve().parents[2]
CASES = {
    "minimal": ROOT / "tests/cases/minimal/spec.yaml",
    "edge": ROOT / "tests/cases/edge/spec.yaml",
    "image-skill": ROOT / "examples/image-skill/spec.yaml",
    "firecrawl": ROOT / "examples/firecrawl/spec.yaml",
}


@dataclass
class BuiltSite:
    case: str
    spec: Spec
    rendered: Rendered
    root: Path
    warnings: list[str]

    @property
    def out(self) -> Path:
        return self.root / "_site"

    def html_pages(self) -> list[Path]:
        return sorted(self.out.rglob("*.html"))


def render_into(spec_path: Path, root: Path) -> tuple[Spec, Rendered]:
    result = load_spec(spec_path)
    assert result.ok and result.spec is not None, [d.format_text() for d in result.diagnostics]
    rendered = render_all(result.spec)
    for rel, data in rendered.files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return result.spec, rendered


@functools.cache
def _build(case: str, base: Path) -> BuiltSite:
    root = base / case
    spec, rendered = render_into(CASES[case], root)
    warnings = mkdocs_build(root / "site" / "mkdocs.yml", root / "_site")
    return BuiltSite(case, spec, rendered, root, warnings)


@pytest.fixture(scope="session")
def site_base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("sites")


@pytest.fixture(scope="session", params=sorted(CASES))
def built(request: pytest.FixtureRequest, site_base: Path) -> BuiltSite:
    """Every case's site, built strict (parametrized over the cases)."""
    return _build(request.param, site_base)


@pytest.fixture(scope="session")
def image_site(site_base: Path) -> BuiltSite:
    """The example product's site."""
    return _build("image-skill", site_base)


class _QuietHandler(SiteHandler):
    """skillpress's own site handler (markdown for ``Accept: text/markdown``), as ``site serve`` runs it."""


@dataclass
class Server:
    url: str
    site: BuiltSite


@contextlib.contextmanager
def serve(directory: Path, handler: type[http.server.SimpleHTTPRequestHandler] = _QuietHandler) -> Iterator[str]:
    """Serve ``directory`` on 127.0.0.1 (a free port) in a thread; yield the base URL."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(directory)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="session")
def served(image_site: BuiltSite) -> Iterator[Server]:
    """The example product's built site, served over HTTP on 127.0.0.1."""
    with serve(image_site.out) as url:
        yield Server(url, image_site)
