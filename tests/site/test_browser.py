"""The homepage in a real browser: headless Chromium, desktop and mobile widths.

Uses Debian's chromium (``scripts/install-chromium.sh`` installs it when missing) driven
by Playwright, with no browser download. Screenshots go to ``tests/artifacts/``
(git-ignored) for a person to look at.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from skillpress.site import views as site_views
from tests.site.conftest import ROOT, Server, _build, serve

ARTIFACTS = ROOT / "tests" / "artifacts"
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORTS = {"desktop": (1280, 900), "mobile": (390, 844)}


def chromium_binary() -> str:
    found = shutil.which("chromium") or (Path("/usr/bin/chromium").is_file() and "/usr/bin/chromium") or None
    if found:
        return found
    script = ROOT / "scripts" / "install-chromium.sh"
    proc = subprocess.run(["bash", str(script)], capture_output=True, text=True, timeout=900)
    found = shutil.which("chromium")
    if proc.returncode != 0 or not found:
        pytest.skip(
            f"chromium is missing and {script.name} could not install it: {(proc.stderr or proc.stdout).strip()[-400:]}"
        )
    return found


@pytest.fixture(scope="module")
def browser_context(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    sync_api = pytest.importorskip("playwright.sync_api", reason="install the test extras: pip install -e '.[test]'")
    binary = chromium_binary()
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_api.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=binary,
            headless=True,
            args=LAUNCH_ARGS,
            viewport={"width": 1280, "height": 900},
        )
        try:
            yield context
        finally:
            context.close()


EXAMPLES = ["image-skill", "firecrawl"]


@pytest.fixture(scope="module", params=EXAMPLES)
def example_served(request: pytest.FixtureRequest, site_base: Path) -> Iterator[Server]:
    site = _build(request.param, site_base)
    with serve(site.out) as url:
        yield Server(url, site)


def _inside_viewport(page, locator) -> bool:  # type: ignore[no-untyped-def]
    """True when the element is on screen as the page first shows it (no scrolling)."""
    page.evaluate("window.scrollTo(0, 0)")
    box = locator.bounding_box()
    viewport = page.viewport_size
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"]


@pytest.mark.tool
@pytest.mark.parametrize("width_name", sorted(VIEWPORTS))
def test_homepage_sells_at_desktop_and_phone_widths(browser_context, example_served: Server, width_name: str) -> None:
    """What it does, how to install it, an example, what it costs: seen in a real browser."""
    served = example_served
    spec = served.site.spec
    width, height = VIEWPORTS[width_name]
    page = browser_context.new_page()
    try:
        page.set_viewport_size({"width": width, "height": height})
        response = page.goto(served.url + "/", wait_until="load")
        assert response is not None and response.ok
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        shot = ARTIFACTS / f"homepage-{served.site.case}-{width_name}"
        page.screenshot(path=f"{shot}.png")
        page.screenshot(path=f"{shot}-full.png", full_page=True)

        # the page never scrolls sideways, at 390 px least of all
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"the page is {overflow}px wider than the {width}px viewport"

        assert page.title() == spec.product.name  # not "Name - Name"
        heading = page.locator("article h1").first
        assert heading.is_visible() and heading.inner_text().strip() == spec.product.name
        # the hero says what the product does; the license waits for the version line at the end
        lead = page.locator("article h1 + p").first
        assert lead.inner_text().strip() == " ".join(spec.product.descriptions.short.split())
        assert "license" not in lead.inner_text().lower()
        assert _inside_viewport(page, lead)

        install = site_views.install_groups(spec)[0].snippets[0].command.strip()
        code = page.locator("article pre code", has_text=install).first
        if width_name == "desktop":
            assert _inside_viewport(page, code), f"install command {install!r} needs scrolling on a desktop"
        code.scroll_into_view_if_needed()
        assert code.is_visible(), f"install command {install!r} is not visible"

        showcase = spec.showcase
        assert showcase is not None
        example = page.locator("article pre code", has_text=showcase.output.splitlines()[0]).first
        example.scroll_into_view_if_needed()
        assert example.is_visible()
        box = example.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width + 1

        cost = page.locator("article h2", has_text="What a call costs")
        source = served.site.rendered.text("site/docs/index.md")
        assert cost.count() == source.count("\n## What a call costs\n")
        if spec.credits is not None:  # both examples price their calls
            cost.first.scroll_into_view_if_needed()
            assert cost.first.is_visible()
            block = source.split("\n## What a call costs\n", 1)[1].split("\n## ", 1)[0]
            for pack in site_views.credits_view(spec, []).packs:  # type: ignore[union-attr]
                assert pack.price in block
                assert page.locator("article td", has_text=pack.price).first.is_visible()

        note = page.locator(".skillpress-agent-note")
        assert note.is_visible() and "llms.txt" in note.inner_text()
    finally:
        page.close()


@pytest.mark.tool
def test_every_page_loads_without_console_errors(browser_context, served: Server) -> None:
    page = browser_context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        for item in site_views.site_pages(served.site.spec):
            path = "/" if item.slug == "index" else f"/{item.slug}/"
            response = page.goto(served.url + path, wait_until="load")
            assert response is not None and response.ok, path
            assert page.locator("article h1").first.inner_text().rstrip("¶ \n") == item.title
    finally:
        page.close()
    assert not errors, errors
