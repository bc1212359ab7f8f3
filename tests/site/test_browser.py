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
from tests.site.conftest import ROOT, Server

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


@pytest.mark.parametrize("width_name", sorted(VIEWPORTS))
def test_homepage_shows_title_install_and_first_run(browser_context, served: Server, width_name: str) -> None:
    spec = served.site.spec
    width, height = VIEWPORTS[width_name]
    page = browser_context.new_page()
    try:
        page.set_viewport_size({"width": width, "height": height})
        response = page.goto(served.url + "/", wait_until="load")
        assert response is not None and response.ok
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"homepage-{width_name}.png"))
        page.screenshot(path=str(ARTIFACTS / f"homepage-{width_name}-full.png"), full_page=True)

        assert page.title().startswith(spec.product.name)
        heading = page.locator("article h1").first
        assert heading.is_visible() and heading.inner_text().rstrip("¶ \n") == spec.product.name

        install = site_views.install_groups(spec)[0].snippets[0].command.strip()
        code = page.locator("article pre code", has_text=install).first
        code.scroll_into_view_if_needed()
        assert code.is_visible(), f"install command {install!r} is not visible"

        steps = page.locator("article ol > li")
        expected = site_views.first_run_steps(spec)
        assert steps.count() == len(expected)
        for item, step in zip(steps.all(), expected, strict=True):
            item.scroll_into_view_if_needed()
            assert item.is_visible()
            # the step's command as a browser shows it (wrapped lines joined by the shell's backslashes)
            assert step.command.split("\n")[0].rstrip(" \\") in item.inner_text()

        note = page.locator(".skillpress-agent-note")
        assert note.is_visible() and "/llms.txt" in note.inner_text()
    finally:
        page.close()


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
