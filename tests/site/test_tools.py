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
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.site.conftest import Server, _build, _QuietHandler, serve
from tests.tools import run_afdocs, run_agent_readability, run_skills

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


@pytest.mark.tool
@pytest.mark.parametrize("case", ["image-skill", "firecrawl"])
def test_skills_installer_installs_from_the_site(case: str, site_base: Path, tmp_path: Path) -> None:
    site = _build(case, site_base)
    home = tmp_path / "home"
    home.mkdir()
    with serve(site.out) as url:
        proc = run_skills(["add", url, "--skill", "*", "-a", "codex", "-g", "-y"], home=home, cwd=tmp_path)
    output = ANSI.sub("", proc.stdout + proc.stderr)
    assert proc.returncode == 0, output
    assert_installed(home, Server(url, site), output)


class _NoV2Handler(_QuietHandler):
    """Serves the site as if it had only the legacy /.well-known/skills/ index."""

    def send_head(self):  # type: ignore[no-untyped-def]
        if urlsplit(self.path).path.startswith("/.well-known/agent-skills/"):
            self.send_error(404)
            return None
        return super().send_head()


@pytest.mark.tool
def test_skills_installer_falls_back_to_the_legacy_index(served: Server, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    with serve(served.site.out, _NoV2Handler) as url:
        proc = run_skills(["add", url, "--skill", "*", "-a", "codex", "-g", "-y"], home=home, cwd=tmp_path)
    output = ANSI.sub("", proc.stdout + proc.stderr)
    assert proc.returncode == 0, output
    assert_installed(home, served, output)


# --------------------------------------------------------------------------- afdocs


EXAMPLES = ["image-skill", "firecrawl"]


@pytest.fixture(scope="module", params=EXAMPLES)
def afdocs_run(
    request: pytest.FixtureRequest, site_base: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Server, dict]]:
    """afdocs (every check, with its score) on one example's built site served by skillpress's own server."""
    site = _build(request.param, site_base)
    cwd = tmp_path_factory.mktemp(f"afdocs-{request.param}")
    homepage = site.spec.product.urls.homepage.rstrip("/")
    with serve(site.out) as url:
        proc = run_afdocs(
            ["check", url, "--canonical-origin", homepage, "--format", "json", "--score", "--quiet"], cwd=cwd
        )
        try:
            report = json.loads(proc.stdout)
        except ValueError:
            pytest.fail(f"afdocs printed no JSON report (exit {proc.returncode}):\n{proc.stderr[-2000:]}")
        (cwd / "report.json").write_text(proc.stdout)
        print(
            f"afdocs {request.param}: {json.dumps(report.get('summary'))} score {(report.get('scoring') or {}).get('overall')}"
        )
        yield Server(url, site), report


def off_site_only(served: Server, result: dict) -> bool:
    """llms-txt-links-resolve may warn for links off the site (the source repository, a docs host):
    they cannot be fetched without a network. Every link into the site itself must resolve."""
    details = result.get("details") or {}
    same = details.get("sameOrigin") or {}
    cross = details.get("crossOrigin") or {}
    return same.get("broken") == [] and all(b.get("status") == 0 for b in cross.get("broken", []))


@pytest.mark.tool
def test_afdocs_every_check_passes(afdocs_run: tuple[Server, dict]) -> None:
    served, report = afdocs_run
    problems = []
    for result in report["results"]:
        status, check = result["status"], result["id"]
        if status == "pass":
            continue
        if check == "auth-alternative-access" and status == "skip":
            continue  # nothing is behind a login, so there is nothing to offer instead
        if check == "llms-txt-links-resolve" and status == "warn" and off_site_only(served, result):
            print(f"afdocs: {check} warns for off-site links only (no network here): {result['message']}")
            continue
        problems.append(f"{check}: {status}: {result['message']}")
    assert problems == [], "\n".join(problems)


@pytest.mark.tool
def test_afdocs_score_is_100(afdocs_run: tuple[Server, dict]) -> None:
    _, report = afdocs_run
    scoring = report.get("scoring") or {}
    assert scoring.get("overall") == 100, json.dumps(scoring, indent=2)[:2000]


@pytest.mark.tool
def test_afdocs_finds_the_directive_on_every_html_page(afdocs_run: tuple[Server, dict]) -> None:
    """Whatever llms.txt links, every HTML page of the site carries the llms.txt directive."""
    served, report = afdocs_run
    result = next(r for r in report["results"] if r["id"] == "llms-txt-directive-html")
    pages = result["details"]["pageResults"]
    html_pages = [p for p in pages if not re.search(r"\.[a-z0-9]+$", urlsplit(p["url"]).path)]
    assert len(html_pages) >= len(served.site.html_pages()) - 1
    assert all(p["found"] for p in html_pages), pages


# --------------------------------------------------------------------------- Vercel agent-readability


#: Checks the audit cannot see pass here, and why (printed when they fail).
READABILITY_EXPLAINED = {
    "Missing page \u2192 markdown": "a missing page stays a 404 (with a markdown body for agents); the audit "
    "wants a 200, which would hide broken links from every other checker",
    "llms.txt links resolve": "llms.txt links a canonical URL on another host of the product (a docs site), "
    "unreachable without a network",
}


@pytest.fixture(scope="module", params=EXAMPLES)
def readability(request: pytest.FixtureRequest, site_base: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    site = _build(request.param, site_base)
    cwd = tmp_path_factory.mktemp(f"readability-{request.param}")
    homepage = site.spec.product.urls.homepage.rstrip("/")
    with serve(site.out) as url:
        proc = run_agent_readability(homepage, {homepage: url}, cwd=cwd)
    try:
        report = json.loads(proc.stdout)
    except ValueError:
        pytest.fail(f"the audit printed no JSON (exit {proc.returncode}):\n{proc.stdout[-1000:]}{proc.stderr[-1000:]}")
    (cwd / "report.json").write_text(proc.stdout)
    failed = [
        (check["name"], check.get("detail"))
        for category in report["categories"].values()
        for check in category["checks"]
        if not check["passed"] and not check.get("skipped")
    ]
    print(f"agent-readability {request.param}: {report['score']}/100 ({report['rating']}); failed: {failed}")
    report["failed"] = failed
    report["case"] = request.param
    return report


@pytest.mark.tool
def test_vercel_agent_readability_score_is_at_least_90(readability: dict) -> None:
    assert readability["score"] >= 90, readability["failed"]


@pytest.mark.tool
def test_vercel_agent_readability_failures_are_explained(readability: dict) -> None:
    unexplained = [name for name, _ in readability["failed"] if name not in READABILITY_EXPLAINED]
    assert unexplained == [], readability["failed"]
    for name, detail in readability["failed"]:
        print(f"{readability['case']}: {name} ({detail}): {READABILITY_EXPLAINED[name]}")
