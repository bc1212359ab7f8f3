"""What the client package says about itself, and the LICENSE a release ships."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from skillpress.diagnostics import SkillpressError
from skillpress.publish.bundle import license_text
from skillpress.publish.release import Release, client_distribution
from skillpress.spec import load_spec
from skillpress.spec.model import PublishSettings, Spec
from tests.publish.conftest import SPEC


@pytest.fixture(scope="module")
def spec() -> Spec:
    result = load_spec(SPEC)
    assert result.spec is not None
    return result.spec


def _without_repository(spec: Spec) -> Spec:
    urls = spec.product.urls.model_copy(update={"repository": None})
    return spec.model_copy(update={"product": spec.product.model_copy(update={"urls": urls})})


def test_the_package_links_its_homepage_docs_and_repository_only_when_there_is_one(spec: Spec) -> None:
    files = {"site/agent/skill.md": b"# skill\n"}
    dist = client_distribution(Release(spec, SPEC, files))
    assert dist.urls == {
        "Homepage": spec.product.urls.homepage,
        "Documentation": spec.product.urls.cli,
        "Repository": spec.product.urls.repository,
    }
    bare = client_distribution(Release(_without_repository(spec), SPEC, files))
    assert list(bare.urls) == ["Homepage", "Documentation"]


def test_a_license_file_named_in_the_spec_is_shipped_as_it_is(spec: Spec, tmp_path: Path) -> None:
    (tmp_path / "legal").mkdir()
    (tmp_path / "legal" / "LICENSE.txt").write_bytes(b"Custom terms\r\n")
    custom = spec.model_copy(update={"publish": PublishSettings(license_file="legal/LICENSE.txt")})
    assert license_text(custom, tmp_path / "spec.yaml") == b"Custom terms\r\n"
    with pytest.raises(SkillpressError, match=r"publish\.license_file cannot be read"):
        license_text(custom, tmp_path / "elsewhere" / "spec.yaml")


def test_without_a_license_file_the_notice_names_the_license_and_holder(spec: Spec) -> None:
    text = license_text(spec.model_copy(update={"publish": None}), SPEC).decode()
    assert spec.product.license and spec.product.license in text
    assert (spec.product.author or "") in text


def test_the_bundle_readme_puts_each_install_snippet_under_its_own_heading(spec: Spec) -> None:
    from skillpress.publish.bundle import bundle_readme

    text = bundle_readme(spec, wheel="w.whl", sdist="s.tar.gz", plugin=False).decode()
    skills_part, client_part = text.split("## Install the `", 1)
    for snippet in spec.install:
        command = snippet.command.rstrip("\n")
        if snippet.kind not in ("skill", "client"):  # other kinds are the site's business
            assert command not in text
            continue
        assert text.count(command) == 1, command
        assert command in (skills_part if snippet.kind == "skill" else client_part), (snippet.kind, command)
    assert {s.kind for s in spec.install} >= {"skill", "client"}  # the example has both kinds


def _sdist_pyproject(dist) -> dict:  # type: ignore[no-untyped-def]
    import io
    import tarfile
    import tomllib

    from skillpress.publish.wheel import build_sdist

    with tarfile.open(fileobj=io.BytesIO(build_sdist(dist))) as tar:
        member = next(m for m in tar.getmembers() if m.name.endswith("/pyproject.toml"))
        handle = tar.extractfile(member)
        assert handle is not None
        return tomllib.loads(handle.read().decode())["project"]


@pytest.mark.parametrize("full", [True, False])
def test_the_sdist_and_wheel_state_license_author_and_keywords_only_when_given(full: bool) -> None:
    from skillpress.publish.wheel import Distribution, metadata

    extra = {"license": "MIT", "author": "Ann Example", "keywords": ["images", "agents"]} if full else {}
    dist = Distribution(
        name="demo-tool",
        version="1.2.3",
        import_name="demo_tool",
        summary="A demo.",
        cli_name="demo",
        description="# Demo\n",
        files={"__init__.py": b""},
        **extra,  # type: ignore[arg-type]
    )
    project = _sdist_pyproject(dist)
    head = metadata(dist).decode().split("\n\n", 1)[0].splitlines()
    if full:
        assert project["license"] == {"text": "MIT"}
        assert project["authors"] == [{"name": "Ann Example"}]
        assert project["keywords"] == ["images", "agents"]
        assert {"License: MIT", "Author: Ann Example", "Keywords: images,agents"} <= set(head)
    else:
        assert not {"license", "authors", "keywords"} & set(project)
        assert not [line for line in head if line.startswith(("License:", "Author:", "Keywords:"))]


def test_plugin_manifests_are_two_space_indented_json(spec: Spec) -> None:
    import json

    from skillpress.publish.bundle import marketplace_json, plugin_json

    for data in (plugin_json(spec), marketplace_json(spec)):
        text = data.decode()
        assert text == json.dumps(json.loads(text), indent=2, ensure_ascii=False) + "\n"


def _demo(files: dict[str, bytes]):  # type: ignore[no-untyped-def]
    from skillpress.publish.wheel import Distribution

    return Distribution(
        name="demo-tool", version="1.2.3", import_name="demo_tool", summary="A demo.", cli_name="demo",
        description="# Demo\n", files=files,
    )  # fmt: skip


@pytest.mark.parametrize("name", ["a,b.py", 'quote".py'])
def test_a_packaged_path_that_cannot_go_into_record_is_refused(name: str) -> None:
    from skillpress.publish.wheel import build_wheel

    build_wheel(_demo({"__init__.py": b"", "sub/ok.py": b""}))  # ordinary paths are fine
    with pytest.raises(SkillpressError, match="cannot go into RECORD"):
        build_wheel(_demo({"__init__.py": b"", name: b""}))


def test_the_sdist_lists_every_folder_before_its_files() -> None:
    import io
    import tarfile

    from skillpress.publish.wheel import build_sdist

    with tarfile.open(fileobj=io.BytesIO(build_sdist(_demo({"__init__.py": b"", "a/b/c.py": b"x"})))) as tar:
        members = [(m.name, m.isdir()) for m in tar.getmembers()]
    folders = [name for name, is_dir in members if is_dir]
    root = "demo_tool-1.2.3"
    assert {root, f"{root}/demo_tool", f"{root}/demo_tool/a", f"{root}/demo_tool/a/b"} <= set(folders)
    names = [name for name, _ in members]
    for name in names:
        if "/" in name:
            assert names.index(name.rsplit("/", 1)[0]) < names.index(name), name


def test_a_client_module_importing_skillpress_absolutely_is_refused(tmp_path: Path) -> None:
    from skillpress.publish.wheel import client_modules

    (tmp_path / "__init__.py").write_text("")
    (tmp_path / "main.py").write_text("from . import other\nimport json\n")
    (tmp_path / "other.py").write_text("")
    assert {"main.py", "other.py"} <= set(client_modules(tmp_path))
    (tmp_path / "bad.py").write_text("import json, skillpress.client.table\n")
    with pytest.raises(SkillpressError, match=r"line 1: .*found `skillpress\.client\.table`"):
        client_modules(tmp_path)


def test_verify_opens_no_link_even_when_asked_for_one_directly(tmp_path: Path) -> None:
    """Besides refusing links found by its walk, verify's open never follows one (a file swapped for a link)."""
    from skillpress.publish.verify import _open_regular

    (tmp_path / "real.txt").write_text("data\n")
    (tmp_path / "link.txt").symlink_to(tmp_path / "real.txt")
    with pytest.raises(OSError):
        _open_regular(tmp_path / "link.txt")


def test_verify_open_never_waits_on_a_fifo(tmp_path: Path) -> None:
    """A FIFO swapped in after the walk is refused at once; opening it must not block on a writer."""
    import os
    import signal

    from skillpress.publish.verify import _open_regular

    class Blocked(Exception):
        pass

    def interrupt(*_: object) -> None:
        raise Blocked

    fifo = tmp_path / "release.json"
    os.mkfifo(fifo)
    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.alarm(10)
    try:
        with pytest.raises(OSError, match="changed while it was being verified"):
            _open_regular(fifo)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("name", ["image-skill", "firecrawl"])
def test_the_readmes_name_only_commands_the_product_has(name: str) -> None:
    """The first commands a README suggests come from the spec's own version, help and
    status steps; every one of them parses as a command of that product."""
    from skillpress.contract import invocation
    from skillpress.contract.compile import compile_contract
    from skillpress.publish.bundle import bundle_readme, client_readme, client_usage

    product = load_spec(ROOT / "examples" / name / "spec.yaml").spec
    assert product is not None
    contract = compile_contract(product)
    usage = client_usage(product)
    assert usage and all(line.startswith(product.product.cli_name + " ") for line, _ in usage)
    for line, _ in usage:
        argv = line.split()[1:]
        parsed = invocation.parse_argv(contract, argv)
        assert parsed.command["path"] == " ".join(parsed.words)
    readmes = [
        bundle_readme(product, wheel="w.whl", sdist="s.tar.gz", plugin=False).decode(),
        client_readme(product, "p"),
    ]
    for text in readmes:
        for line, _ in usage:
            assert line in text
    other = "firecrawl" if name == "image-skill" else "image-skill"
    other_spec = load_spec(ROOT / "examples" / other / "spec.yaml").spec
    assert other_spec is not None
    foreign = {c.path for c in other_spec.commands} - {c.path for c in product.commands}
    for text in readmes:
        shown = re.findall(
            rf"^{re.escape(product.product.cli_name)} ([a-z][a-z -]*?)(?:\s{{2,}}|\s--|\s#|$)", text, re.M
        )
        assert shown and not (set(s.strip() for s in shown) & foreign), shown


def test_the_readmes_escape_a_hostile_product_name(spec: Spec) -> None:
    from markdown_it import MarkdownIt

    from skillpress.publish.bundle import bundle_readme, client_readme

    product = spec.product.model_copy(update={"name": "<script>alert(1)</script> [x](javascript:y)"})
    hostile = spec.model_copy(update={"product": product})
    for text in (
        bundle_readme(hostile, wheel="w.whl", sdist="s.tar.gz", plugin=False).decode(),
        client_readme(hostile, "p"),
    ):
        html = MarkdownIt("commonmark").render(text)  # what a package index shows
        assert "<script>" not in html and 'href="javascript:' not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
