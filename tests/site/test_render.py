"""The site's sources as rendered in memory: mkdocs.yml, pages, well-known skill indexes."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile

import pytest
import yaml

from skillpress.render import render_all
from skillpress.render import views as render_views
from skillpress.render.escape import html_text, md_text
from skillpress.site import views as site_views
from skillpress.site.finish import twin_text
from skillpress.site.render import mkdocs_config
from skillpress.site.wellknown import DISCOVERY_SCHEMA, archive
from skillpress.spec import load_spec
from tests.site.conftest import CASES


@pytest.fixture(scope="module", params=sorted(CASES))
def case(request: pytest.FixtureRequest):
    spec = load_spec(CASES[request.param]).spec
    assert spec is not None
    return spec, render_all(spec).files


def front_matter(text: str) -> dict[str, object]:
    assert text.startswith("---\n"), text[:80]
    head, _ = text[4:].split("\n---\n", 1)
    return yaml.safe_load(head)


def test_mkdocs_yml_is_the_serialised_config(case) -> None:
    spec, files = case
    config = yaml.safe_load(files["site/mkdocs.yml"])
    assert config == mkdocs_config(spec)
    assert config["site_url"] == spec.product.urls.homepage.rstrip("/") + "/"
    # mkdocs-material prints the site name as HTML: it gets HTML-escaped text, and the
    # theme override reads the raw name as data
    assert config["site_name"] == html_text(spec.product.name)
    # the finishing step (skillpress.site.finish) reads its settings from extra.skillpress:
    # both builders carry extra through without acting on it, and no plugin of ours is needed
    assert config["extra"]["skillpress"] == {
        "product_name": spec.product.name,
        "llms_url": spec.product.urls.llms,
        "agent_dir": "agent",
        "copies": site_views.extra_copies(spec),
    }
    assert config["docs_dir"] == "docs" and config["site_dir"] == "../_site"
    theme = config["theme"]
    assert theme["name"] == "material" and theme["custom_dir"] == "overrides"
    assert {p["scheme"] for p in theme["palette"]} == {"default", "slate"}
    assert {"content.code.copy", "navigation.sections", "navigation.top"} <= set(theme["features"])
    plugins = [p if isinstance(p, str) else next(iter(p)) for p in config["plugins"]]
    assert plugins == ["search"]
    extensions = [e if isinstance(e, str) else next(iter(e)) for e in config["markdown_extensions"]]
    for name in (
        "admonition",
        "tables",
        "toc",
        "attr_list",
        "md_in_html",
        "pymdownx.superfences",
        "pymdownx.highlight",
    ):
        assert name in extensions
    assert "toc" in config["markdown_extensions"]  # ids, no "¶" permalinks (the twins have none)


def test_pages_are_the_homepage_and_the_pages_the_spec_has_content_for(case) -> None:
    spec, files = case
    docs = sorted(path for path in files if path.startswith("site/docs/") and path.endswith(".md"))
    expected = ["index"] + [p.slug for p in render_views.site_pages(spec)]
    assert docs == sorted(f"site/docs/{slug}.md" for slug in expected)
    nav_sources = json.dumps(mkdocs_config(spec)["nav"])
    for slug in expected:
        assert f'"{slug}.md"' in nav_sources


def test_each_page_has_title_and_description_front_matter(case) -> None:
    spec, files = case
    for page in site_views.site_pages(spec):
        text = files[f"site/docs/{page.source}"].decode()
        meta = front_matter(text)
        root = spec.product.urls.homepage.rstrip("/")
        expected = {
            "title": html_text(page.title),
            "description": html_text(page.description),
            "markdown_url": f"{root}/{page.source}",  # the twin, absolute: <link rel="alternate">
        }
        if page.slug == "index":  # the homepage's <title> is the product name alone, not "name - name"
            expected["html_title"] = spec.product.name
        assert meta == expected
        assert f"\n# {md_text(page.title)}\n" in text


def test_homepage_has_install_first_run_and_selection(case) -> None:
    spec, files = case
    text = files["site/docs/index.md"].decode()
    for snippet in spec.install:
        assert snippet.command.strip() in text
    for step in site_views.first_run_steps(spec):
        first_line = step.command.split("\n")[0]
        assert f"    {first_line}" in text
    for item in spec.selection.choose_when + spec.selection.choose_other_when:
        assert item in text


def test_agent_links_point_inside_the_site_when_the_site_serves_them(case) -> None:
    spec, _ = case
    for link in site_views.agent_links(spec):
        assert link.href.startswith("/") or link.href.startswith("https://"), link


def test_site_path_and_extra_copies() -> None:
    spec = load_spec(CASES["edge"]).spec
    assert site_views.site_path(spec, "https://edge.example.com/docs/cli.md") == "docs/cli.md"
    assert site_views.site_path(spec, "https://elsewhere.example.com/cli.md") is None
    assert site_views.href(spec, "https://edge.example.com/llms.txt") == "/llms.txt"
    assert site_views.extra_copies(spec) == {"docs/cli.md": "cli.md"}
    image = load_spec(CASES["image-skill"]).spec
    assert site_views.extra_copies(image) == {}


def test_twin_puts_an_llms_pointer_under_the_title() -> None:
    assert twin_text("\n# Title\n\nBody.\n", "https://x.example/llms.txt") == (
        "# Title\n\n> Agents: [llms.txt](https://x.example/llms.txt) lists every agent file of this product.\n\nBody.\n"
    )


# --------------------------------------------------------------------------- well-known skill discovery


def test_agent_skills_index_is_discovery_v2_with_archive_digests(case) -> None:
    spec, files = case
    index = json.loads(files["site/agent/.well-known/agent-skills/index.json"])
    assert index["$schema"] == DISCOVERY_SCHEMA
    assert [e["name"] for e in index["skills"]] == [s.name for s in spec.skills]
    for entry, skill in zip(index["skills"], spec.skills, strict=True):
        assert set(entry) == {"name", "description", "type", "url", "digest"}
        assert entry["type"] == "archive" and entry["description"] == skill.description
        data = files[f"site/agent/.well-known/agent-skills/{entry['url']}"]
        assert entry["digest"] == "sha256:" + hashlib.sha256(data).hexdigest()
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            members = zf.infolist()
            names = [m.filename for m in members]
            assert names == sorted(names) and "SKILL.md" in names
            for member in members:
                assert not member.is_dir() and member.compress_type == zipfile.ZIP_STORED
                assert member.date_time == (1980, 1, 1, 0, 0, 0)
                assert (member.external_attr >> 16) & 0o777 == 0o644
                assert zf.read(member) == files[f"skills/{skill.name}/{member.filename}"]
        prefix = f"skills/{skill.name}/"
        assert sorted(names) == sorted(p[len(prefix) :] for p in files if p.startswith(prefix))


def test_archives_are_reproducible_and_independent_of_zlib(case) -> None:
    spec, files = case
    name = spec.skills[0].name
    data = files[f"site/agent/.well-known/agent-skills/{name}.zip"]
    assert render_all(spec).files[f"site/agent/.well-known/agent-skills/{name}.zip"] == data
    members = {"b.txt": b"b", "SKILL.md": b"---\nname: x\n---\n"}
    assert archive(members) == archive(dict(reversed(members.items())))
    # stored entries: the member bytes appear verbatim, so no compressor can change the archive
    assert b"---\nname: x\n---\n" in archive(members)


def test_legacy_skills_index_lists_files_with_sha256(case) -> None:
    spec, files = case
    index = json.loads(files["site/agent/.well-known/skills/index.json"])
    assert "$schema" not in index
    for entry, skill in zip(index["skills"], spec.skills, strict=True):
        assert entry["name"] == skill.name and entry["description"] == skill.description
        assert entry["files"][0] == "SKILL.md"
        assert sorted(entry["files"]) == sorted(entry["sha256"])
        for rel in entry["files"]:
            served = files[f"site/agent/.well-known/skills/{skill.name}/{rel}"]
            assert served == files[f"skills/{skill.name}/{rel}"]
            assert entry["sha256"][rel] == hashlib.sha256(served).hexdigest()
