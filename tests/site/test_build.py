"""The built site: strict mkdocs build, links, reference coverage, agent files, twins, stamp."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest
import yaml

from skillpress.project import Project
from skillpress.site import views as site_views
from skillpress.site.build import SiteBuildError, build_site, input_digest
from skillpress.site.discovery import twin_url
from skillpress.site.finish import twin_text
from tests.site.conftest import CASES, ROOT, BuiltSite, render_into


class _Page(HTMLParser):
    """Collects ids, link targets and <link rel=alternate> elements of one HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.targets: list[str] = []
        self.alternates: list[dict[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if "id" in values:
            self.ids.add(values["id"])
        if tag == "a" and "name" in values:
            self.ids.add(values["name"])
        for attr in ("href", "src"):
            if attr in values:
                self.targets.append(values[attr])
        if tag == "link" and values.get("rel") in ("alternate", "describedby"):
            self.alternates.append(values)


_parsed: dict[Path, _Page] = {}


def parse(path: Path) -> _Page:
    if path not in _parsed:
        page = _Page()
        page.feed(path.read_text(encoding="utf-8"))
        _parsed[path] = page
    return _parsed[path]


def resolve(site: Path, page: Path, target: str) -> tuple[Path, str] | None:
    """The file (and fragment) an internal link of ``page`` points at; None for external links."""
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or target.startswith(("mailto:", "javascript:", "data:")):
        return None
    base = "/" + page.relative_to(site).as_posix()
    path = unquote(urlsplit(urljoin(base, target)).path)
    file = site / path.lstrip("/")
    if path.endswith("/") or file.is_dir():
        file = file / "index.html"
    return file, unquote(parts.fragment)


def page_text(site: BuiltSite, slug: str) -> str:
    path = site.out / ("index.html" if slug == "index" else f"{slug}/index.html")
    return html.unescape(re.sub(r"<[^>]+>", "", path.read_text(encoding="utf-8")))


# --------------------------------------------------------------------------- strict build, links


def test_strict_build_has_no_warnings(built: BuiltSite) -> None:
    assert built.warnings == []
    assert (built.out / "index.html").is_file()


def test_every_internal_link_resolves(built: BuiltSite) -> None:
    broken = []
    for page in built.html_pages():
        for target in parse(page).targets:
            found = resolve(built.out, page, target)
            if found is None:
                continue
            file, fragment = found
            if not file.is_file():
                broken.append(f"{page.relative_to(built.out)}: {target} (no file {file.relative_to(built.out)})")
            elif fragment and file.suffix == ".html" and fragment not in parse(file).ids:
                broken.append(f"{page.relative_to(built.out)}: {target} (no id {fragment!r})")
    assert not broken, "\n".join(broken)


# --------------------------------------------------------------------------- reference pages hold the spec


def test_commands_page_holds_every_visible_command(built: BuiltSite) -> None:
    text = page_text(built, "commands")
    cli = built.spec.product.cli_name
    ids = parse(built.out / "commands/index.html").ids
    for command in built.spec.commands:
        if command.hidden:
            assert f"{cli} {command.path}" not in text
            continue
        assert f"{cli} {command.path}" in text
        assert command.id in ids
        for flag in command.flags:
            assert flag.name in text, (command.path, flag.name)


def test_api_page_holds_every_endpoint(built: BuiltSite) -> None:
    if not built.spec.endpoints:
        pytest.skip("no endpoints")
    text = page_text(built, "api")
    ids = parse(built.out / "api/index.html").ids
    for endpoint in built.spec.endpoints:
        assert f"{endpoint.method} {endpoint.path}" in text
        assert endpoint.id in ids
        for field in endpoint.body + endpoint.query + endpoint.path_params + endpoint.response.fields:
            assert field.name in text, (endpoint.id, field.name)


def test_events_page_holds_every_event_type(built: BuiltSite) -> None:
    if not built.spec.events:
        assert not (built.out / "events").exists()
        return
    text = page_text(built, "events")
    for event in built.spec.events:
        assert event.type in text


def test_credits_and_errors_pages_hold_packs_methods_and_codes(built: BuiltSite) -> None:
    errors = page_text(built, "errors")
    for exit_code in built.spec.exit_codes:
        assert exit_code.name in errors
    for error in built.spec.error_codes:
        assert error.code in errors
    credits = built.spec.credits
    if credits is None:
        assert not (built.out / "credits").exists()
        return
    text = page_text(built, "credits")
    for item in [*credits.packs, *credits.payment_methods, *credits.buyer_modes]:
        assert item.id in text


# --------------------------------------------------------------------------- agent files and twins


def test_agent_files_are_served_byte_identical_at_the_root(built: BuiltSite) -> None:
    agent = {p: d for p, d in built.rendered.files.items() if p.startswith("site/agent/")}
    assert {f"site/agent/{name}" for name in site_views.AGENT_FILES} <= set(agent)
    assert any(p.startswith("site/agent/.well-known/") for p in agent)
    for path, data in agent.items():
        served = built.out / path[len("site/agent/") :]
        assert served.read_bytes() == data, path
        assert served.read_bytes() == (built.root / path).read_bytes()
    for rel, name in site_views.extra_copies(built.spec).items():
        assert (built.out / rel).read_bytes() == agent[f"site/agent/{name}"]


def test_canonical_urls_map_to_served_files(built: BuiltSite) -> None:
    for name, url in site_views.canonical_urls(built.spec).items():
        rel = site_views.site_path(built.spec, url)
        if rel is not None:
            assert (built.out / rel).read_bytes() == built.rendered.files[f"site/agent/{name}"]
    for page in site_views.site_pages(built.spec):
        if page.slug != "index":
            url = site_views.views.page_url(built.spec, page.slug)
            assert (built.out / site_views.site_path(built.spec, url)).is_file(), url


def test_each_page_has_a_markdown_twin_equal_to_its_source(built: BuiltSite) -> None:
    llms = built.spec.product.urls.llms
    root = built.spec.product.urls.homepage.rstrip("/") + "/"
    sources = [p for p in built.rendered.files if p.startswith("site/docs/") and p.endswith(".md")]
    assert len(sources) >= len(site_views.site_pages(built.spec))
    for path in sources:
        source = path.removeprefix("site/docs/")
        body = built.rendered.text(path).split("\n---\n", 1)[1]
        twin = (built.out / source).read_text(encoding="utf-8")
        assert twin == twin_text(body, llms, twin_url(built.spec, source), root)
        assert twin.startswith("# ") and "/llms.txt" in twin.split("\n\n", 2)[1]


MD_LINK = re.compile(r"\]\(([^()\s]+)")


def test_twins_link_only_to_absolute_urls(built: BuiltSite) -> None:
    """Agents fetch a twin on its own: every link in it (outside code) is an absolute URL."""
    docs = built.root / "site" / "docs"
    for source in sorted(docs.rglob("*.md")):
        twin = built.out / source.relative_to(docs)
        prose = re.sub(r"```.*?```|`[^`\n]*`", "", twin.read_text(encoding="utf-8"), flags=re.S)
        relative = [t for t in MD_LINK.findall(prose) if not t.startswith(("https://", "http://", "mailto:"))]
        assert relative == [], (twin, relative[:5])


def test_every_html_page_links_its_markdown_twin_and_llms_txt(built: BuiltSite) -> None:
    pages = [p for p in built.html_pages() if p.name != "404.html"]
    assert len(pages) >= len(site_views.site_pages(built.spec))
    for page in pages:
        links = parse(page).alternates
        markdown = [a for a in links if a.get("rel") == "alternate" and a.get("type") == "text/markdown"]
        assert len(markdown) == 1, page
        href = markdown[0]["href"]
        assert href.startswith("https://"), href  # absolute: llms.txt v2 discovery
        rel = site_views.site_path(built.spec, href)
        assert rel is not None and (built.out / rel).is_file() and rel.endswith(".md"), (page, href)
        html_path = page.relative_to(built.out).as_posix()
        assert rel == ("index.md" if html_path == "index.html" else html_path.removesuffix("/index.html") + ".md")
        described = [a for a in links if a.get("rel") == "describedby"]
        assert [a["href"] for a in described] == [built.spec.product.urls.llms]
        assert 'class="skillpress-agent-note"' in page.read_text(encoding="utf-8")


def test_homepage_title_is_not_doubled(built: BuiltSite) -> None:
    title = re.search(r"<title>([^<]*)</title>", (built.out / "index.html").read_text(encoding="utf-8"))
    assert title is not None and html.unescape(title.group(1)) == built.spec.product.name
    other = re.search(r"<title>([^<]*)</title>", (built.out / "changelog/index.html").read_text(encoding="utf-8"))
    assert other is not None and html.unescape(other.group(1)) == f"Changelog - {built.spec.product.name}"


def test_robots_sitemap_and_api_catalog(built: BuiltSite) -> None:
    spec = built.spec
    root = spec.product.urls.homepage.rstrip("/") + "/"
    robots = (built.out / "robots.txt").read_text(encoding="utf-8")
    assert "User-agent: *\nAllow: /\n" in robots and f"Sitemap: {root}sitemap.xml\n" in robots
    sitemap = (built.out / "sitemap.xml").read_text(encoding="utf-8")
    locs = re.findall(r"<loc>([^<]+)</loc>", sitemap)
    assert locs[0] == root and len(locs) == len([p for p in built.html_pages() if p.name != "404.html"])
    for loc in locs:
        assert (built.out / loc[len(root) :] / "index.html").is_file(), loc
    catalog = built.out / ".well-known" / "api-catalog"
    if not spec.endpoints:
        assert not catalog.exists()
        return
    linkset = json.loads(catalog.read_text(encoding="utf-8"))["linkset"]
    assert linkset[0]["anchor"] == f"{root}.well-known/api-catalog"
    api = linkset[1]
    assert linkset[0]["item"] == [{"href": api["anchor"]}]
    (desc,) = api["service-desc"]
    assert desc["type"].startswith("application/vnd.oai.openapi+json")
    # the canonical URL (next to llms.txt, maybe on a docs host); the site serves the file at its root too
    rel = site_views.site_path(spec, desc["href"]) or desc["href"].rsplit("/", 1)[1]
    assert json.loads((built.out / rel).read_text(encoding="utf-8"))["openapi"].startswith("3.")


def test_a_spec_without_endpoints_builds_without_an_api_page(tmp_path: Path) -> None:
    spec = yaml.safe_load(CASES["minimal"].read_text(encoding="utf-8"))
    del spec["endpoints"]
    for command in spec["commands"]:
        command.pop("endpoint", None)
        command["surface"] = "local"
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    render_into(path, tmp_path)
    assert not (tmp_path / "site/docs/api.md").exists()
    result = build_site(Project(tmp_path))
    assert result.built and result.warnings == []
    assert not (tmp_path / "_site/api").exists()


# --------------------------------------------------------------------------- build_site: stamp, failure, timing


@pytest.fixture
def project(tmp_path: Path) -> Path:
    render_into(CASES["minimal"], tmp_path)
    return tmp_path


def test_build_site_skips_an_unchanged_site_and_rebuilds_a_changed_one(project: Path) -> None:
    first = build_site(Project(project))
    assert first.built and (project / "_site/index.html").is_file()
    second = build_site(Project(project))
    assert not second.built
    page = project / "site/docs/changelog.md"
    page.write_text(page.read_text() + "\nOne more line.\n")
    third = build_site(Project(project))
    assert third.built
    assert "One more line." in (project / "_site/changelog/index.html").read_text()
    assert not build_site(Project(project)).built
    shutil.rmtree(project / "_site")
    assert build_site(Project(project)).built, "a missing output folder forces a build"


def test_stamp_covers_every_file_under_site(project: Path) -> None:
    before = input_digest(project / "site")
    (project / "site/agent/.well-known/skills/index.json").write_text("{}\n")
    assert input_digest(project / "site") != before


def test_failed_strict_build_keeps_the_previous_site_and_no_stamp(project: Path) -> None:
    assert build_site(Project(project)).built
    page = project / "site/docs/changelog.md"
    page.write_text(page.read_text() + "\n[broken](no-such-page.md)\n")
    with pytest.raises(SiteBuildError) as failure:
        build_site(Project(project))
    assert any("no-such-page.md" in w for w in failure.value.warnings)
    assert (project / "_site/index.html").is_file(), "the previous site stays in place"
    assert not (project / ".skillpress-cache/site-build.json").exists()
    assert not list(project.glob("._site.*")), "no half-built folder is left behind"


def test_cli_site_build_unchanged_skips_mkdocs(project: Path) -> None:
    """An unchanged site answers from its stamp: mkdocs is never imported and _site/ is not touched.

    (How fast that is lives in benchmarks/bench_build.py, not in a timed test.)"""
    command = [sys.executable, "-m", "skillpress", "site", "build", "--root", str(project)]
    built = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stderr
    assert "built" in built.stderr
    index = project / "_site/index.html"
    before = index.stat()
    again = subprocess.run(
        [sys.executable, "-X", "importtime", *command[1:]], capture_output=True, text=True, timeout=120
    )
    assert again.returncode == 0 and "up to date" in again.stderr, again.stderr
    imported = {
        line.rsplit("|", 1)[-1].strip() for line in again.stderr.splitlines() if line.startswith("import time:")
    }
    assert "skillpress.site.build" in imported, "the importtime trace was not captured"
    assert not {m for m in imported if m == "mkdocs" or m.startswith("mkdocs.") or m == "material"}
    after = index.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_cli_site_build_reports_mkdocs_refusal(project: Path) -> None:
    (project / "site/docs/index.md").write_text("---\ntitle: x\n---\n\n# X\n\n[broken](nowhere.md)\n")
    proc = subprocess.run(
        [sys.executable, "-m", "skillpress", "site", "build", "--root", str(project)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 1
    assert "nowhere.md" in proc.stderr and "strict" in proc.stderr


def test_cli_site_build_without_a_site_cannot_run(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "skillpress", "site", "build", "--root", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert "skillpress build" in proc.stderr


def test_repository_site_is_ignored_by_git() -> None:
    for path in ("_site/index.html", "tests/artifacts/homepage.png", ".skillpress-cache/site-build.json"):
        assert subprocess.run(["git", "check-ignore", "-q", path], cwd=ROOT).returncode == 0, path


# --------------------------------------------------------------------------- paths: relative roots, killed runs


@pytest.fixture
def configured(tmp_path: Path) -> Path:
    """A project as a user has it: a config file, its spec, and the generated tree."""
    project = tmp_path / "product"
    project.mkdir()
    shutil.copy(CASES["minimal"], project / "spec.yaml")
    (project / "skillpress.toml").write_text('spec = "spec.yaml"\n', encoding="utf-8")
    built = _skillpress(["build"], project)
    assert built.returncode == 0, built.stderr
    return project


def _skillpress(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "skillpress", *args], cwd=cwd, capture_output=True, text=True, timeout=300
    )


def _leftovers(project: Path) -> list[str]:
    """Temp files or folders of a build where a user would trip over them."""
    found = [p for p in project.iterdir() if p.name.startswith((".skillpress-building", "._site", ".skillpress-old"))]
    found += [p for p in (project / "site").rglob("*") if p.name.startswith(".") and p.name != ".well-known"]
    return sorted(str(p.relative_to(project)) for p in found)


@pytest.mark.parametrize(
    "args",
    [["site", "build"], ["site", "build", "--force"], ["site", "build", "--root", "."]],
    ids=["default-root", "force", "relative-root"],
)
def test_site_build_works_twice_from_the_project_root(configured: Path, args: list[str]) -> None:
    for _ in range(2):
        proc = _skillpress(args, configured)
        assert proc.returncode == 0, proc.stderr
        assert "Traceback" not in proc.stderr
        assert (configured / "_site/index.html").is_file()
        assert _leftovers(configured) == []
    assert "up to date" in proc.stderr or "--force" in args
    check = _skillpress(["check"], configured)
    assert check.returncode == 0, check.stdout + check.stderr


def test_site_build_from_a_subfolder_finds_the_project(configured: Path) -> None:
    sub = configured / "site" / "docs"
    proc = _skillpress(["site", "build"], sub)
    assert proc.returncode == 0, proc.stderr
    assert (configured / "_site/index.html").is_file()
    assert not (sub / "_site").exists()


def test_a_killed_site_build_leaves_the_old_site_and_no_temp_folders(configured: Path) -> None:
    import signal

    assert _skillpress(["site", "build"], configured).returncode == 0
    old = (configured / "_site/changelog/index.html").read_text(encoding="utf-8")
    page = configured / "site/docs/changelog.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nA new line.\n", encoding="utf-8")
    for delay in (0.4, 0.8, 1.2):
        proc = subprocess.Popen(
            [sys.executable, "-m", "skillpress", "site", "build"],
            cwd=configured,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        text = (configured / "_site/changelog/index.html").read_text(encoding="utf-8")
        assert text == old or "A new line." in text, "the old site or the new one, never a mix"
        assert _leftovers(configured) == []
    again = _skillpress(["site", "build"], configured)
    assert again.returncode == 0, again.stderr
    assert "A new line." in (configured / "_site/changelog/index.html").read_text(encoding="utf-8")
    staging = configured / ".skillpress-cache/staging"
    assert not [p for p in staging.iterdir() if p.name.startswith(".skillpress-building")]


def test_a_swap_cut_between_its_two_renames_is_undone_by_the_next_run(
    configured: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where the system cannot exchange two folders in one step, the old site is moved aside
    first; a run killed right then is repaired by the next one."""
    from skillpress.output import write

    assert build_site(Project(configured)).built
    monkeypatch.setattr(write, "_exchange", lambda a, b: False)
    real_rename = Path.rename

    def cut(self: Path, target: Path) -> Path:
        if self.name.startswith(".skillpress-building"):
            raise KeyboardInterrupt  # killed after the old site was moved aside
        return real_rename(self, target)

    monkeypatch.setattr(Path, "rename", cut)
    with pytest.raises(KeyboardInterrupt):
        build_site(Project(configured), force=True)
    monkeypatch.setattr(Path, "rename", real_rename)
    assert not (configured / "_site").exists()
    result = build_site(Project(configured))
    assert (configured / "_site/index.html").is_file()
    assert result.built or (configured / "_site/index.html").is_file()
    assert _leftovers(configured) == []
