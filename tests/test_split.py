"""Split, never refuse, on size: big specs build with every file within its budget.

Synthetic specs (``benchmarks/synthetic.py``) stand in for a big product: 1,000 commands
give a cli.md of about 1.4 million characters, which becomes an index and one part per
command group, and the same for llms-full.txt, commands.json and the site's pages. The
skills, the ``.well-known`` indexes and the installers must agree with the split tree;
a spec that just fits gives no split at all; a budget the spec cannot meet even split is
a located diagnostic of ``validate``.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.synthetic import synthetic_spec, to_yaml
from skillpress.render import BUDGET_CODE, TEXT_MAX_CHARS, UNBUDGETED, Rendered, budget_check, is_text, render_all
from skillpress.render.split import SKILL_MAX_LINES, SKILL_MAX_TOKENS, estimate_tokens
from skillpress.spec import LoadResult, load_spec_text
from tests.site.conftest import serve
from tests.tools import run_skills

ROOT = Path(__file__).resolve().parent.parent
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def load(spec: dict) -> LoadResult:
    result = load_spec_text(to_yaml(spec), "synthetic.yaml")
    assert result.ok and result.spec is not None, [d.format_text() for d in result.diagnostics[:5]]
    return result


@functools.cache
def big() -> tuple[LoadResult, Rendered]:
    result = load(synthetic_spec(1000))
    assert result.spec is not None
    return result, render_all(result.spec, document=result.document)


def write_tree(rendered: Rendered, root: Path) -> Path:
    for rel, data in rendered.files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return root


@pytest.fixture(scope="module")
def big_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_tree(big()[1], tmp_path_factory.mktemp("split"))


def text(rendered: Rendered, path: str) -> str:
    return rendered.text(path)


# --------------------------------------------------------------------------- 1,000 commands


def test_thousand_commands_build_with_every_file_within_budget() -> None:
    _, rendered = big()
    assert rendered.diagnostics == []
    for path, data in rendered.files.items():
        if not is_text(path) or path in UNBUDGETED:
            continue
        assert len(data.decode("utf-8")) < TEXT_MAX_CHARS, path
        if path.endswith(("/SKILL.md", "/skill.md")):
            body = data.decode("utf-8")
            assert body.count("\n") <= SKILL_MAX_LINES and estimate_tokens(body) <= SKILL_MAX_TOKENS, path


def test_every_command_is_in_exactly_one_part_of_each_split_document() -> None:
    result, rendered = big()
    assert result.spec is not None
    paths = [c.path for c in result.spec.commands]
    cli_parts = sorted(p for p in rendered.files if p.startswith("site/agent/cli/"))
    assert len(cli_parts) == 50  # one per group of 20 commands
    sections = [heading for p in cli_parts for heading in re.findall(r"^### `bench (.+)`$", text(rendered, p), re.M)]
    assert sorted(sections) == sorted(paths)
    index = text(rendered, "site/agent/cli.md")
    assert "### `bench" not in index
    for part in cli_parts:  # the index links every part, relatively
        assert f"]({part.removeprefix('site/agent/')})" in index

    manifest = json.loads(text(rendered, "site/agent/commands.json"))
    assert "commands" not in manifest
    listed = []
    for entry in manifest["command_parts"]:
        part = json.loads(text(rendered, f"site/agent/{entry['file']}"))
        assert part["prefix"] == entry["prefix"] and part["index"] == "../commands.json"
        assert len(part["commands"]) == entry["commands"]
        for command in part["commands"]:
            assert command["path"].split()[: len(entry["prefix"].split())] == entry["prefix"].split()
            group = command["path"].split()[0]
            assert command["docs_anchor"] == f"https://bench.example.com/cli/{group}.md#{command['id']}"
        listed += [c["path"] for c in part["commands"]]
    assert listed == paths

    full = text(rendered, "site/agent/llms-full.txt")
    full_parts = sorted(p for p in rendered.files if p.startswith("site/agent/llms-full/"))
    assert len(full_parts) == 50 and all(f"]({p.removeprefix('site/agent/')})" in full for p in full_parts)
    endpoints = [e for p in full_parts for e in re.findall(r"^### (?:GET|POST) (\S+)$", text(rendered, p), re.M)]
    assert sorted(endpoints) == sorted(e.path for e in result.spec.endpoints)


def test_skill_folders_carry_the_split_references_and_well_known_lists_them() -> None:
    result, rendered = big()
    assert result.spec is not None
    agent = {p.removeprefix("site/agent/"): d for p, d in rendered.files.items() if p.startswith("site/agent/")}
    index = json.loads(text(rendered, "site/agent/.well-known/skills/index.json"))
    archives = json.loads(text(rendered, "site/agent/.well-known/agent-skills/index.json"))
    for skill in result.spec.skills:
        prefix = f"skills/{skill.name}/"
        files = {p.removeprefix(prefix): d for p, d in rendered.files.items() if p.startswith(prefix)}
        references = {p.removeprefix("references/"): d for p, d in files.items() if p.startswith("references/")}
        expected = {
            name: data
            for name, data in agent.items()
            if name.split("/")[0] in ("cli", "commands", "llms-full")
            or name in ("cli.md", "llms-full.txt", "commands.json")
        }
        assert references == expected
        entry = next(e for e in index["skills"] if e["name"] == skill.name)
        assert sorted(entry["files"]) == sorted(files)
        for name, data in files.items():
            assert entry["sha256"][name] == hashlib.sha256(data).hexdigest()
            assert rendered.files[f"site/agent/.well-known/skills/{skill.name}/{name}"] == data
        packed = rendered.files[f"site/agent/.well-known/agent-skills/{skill.name}.zip"]
        digest = next(e["digest"] for e in archives["skills"] if e["name"] == skill.name)
        assert digest == f"sha256:{hashlib.sha256(packed).hexdigest()}"


def test_skill_files_link_long_command_lists_instead_of_repeating_them() -> None:
    _, rendered = big()
    first = text(rendered, "skills/bench-product-first/SKILL.md")  # 80 commands in one section
    assert "### `bench" not in first
    links = re.findall(r"\]\((references/cli/[a-z0-9-]+\.md)#([a-z0-9-]+)\)", first)
    assert len(links) == 80
    for target, anchor in links:
        part = text(rendered, f"skills/bench-product-first/{target}")
        assert f'<a id="{anchor}"></a>' in part
    canonical = text(rendered, "site/agent/skill.md")
    assert "](https://bench.example.com/cli/area0000.md#area0000-action00000)" in canonical


def test_split_site_pages_link_their_parts() -> None:
    _, rendered = big()
    commands = text(rendered, "site/docs/commands.md")
    pages = sorted(p for p in rendered.files if p.startswith("site/docs/commands/"))
    assert len(pages) == 50 and all(f"]({p.removeprefix('site/docs/')})" in commands for p in pages)
    api = text(rendered, "site/docs/api.md")
    assert all(f"]({p.removeprefix('site/docs/')})" in api for p in rendered.files if p.startswith("site/docs/api/"))
    part = text(rendered, "site/docs/api/area0003.md")
    assert "(../commands/area0003.md#area0003-action00060)" in part
    config = text(rendered, "site/mkdocs.yml")
    assert "not_in_nav" in config and "/commands/" in config and "/api/" in config


@pytest.mark.tool
def test_llms_txt_reference_parser_reads_the_split_llms_txt() -> None:
    llms_txt = pytest.importorskip("llms_txt", reason="llms-txt is part of the test extras")
    _, rendered = big()
    parsed = llms_txt.parse_llms_file(text(rendered, "site/agent/llms.txt"))
    assert parsed["title"] == "Bench Product"
    assert parsed["sections"] and all(links for links in parsed["sections"].values())


@pytest.mark.tool
def test_skills_ref_validates_the_split_skills(big_tree: Path) -> None:
    skills_ref = pytest.importorskip("skills_ref", reason="skills-ref is part of the test extras")
    for folder in sorted((big_tree / "skills").iterdir()):
        assert skills_ref.validate(folder) == [], folder.name


def assert_installed(home: Path, tree: Path, names: list[str], output: str) -> None:
    for name in names:
        source = tree / "skills" / name
        installed = home / ".agents" / "skills" / name
        for rel in sorted(p.relative_to(source) for p in source.rglob("*") if p.is_file()):
            assert (installed / rel).is_file(), f"{rel} of {name} missing after install:\n{output}"
            assert (installed / rel).read_bytes() == (source / rel).read_bytes()


@pytest.mark.tool
def test_skills_installer_installs_the_split_tree_from_the_repository(big_tree: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    proc = run_skills(["add", str(big_tree), "--skill", "*", "-a", "codex", "-g", "-y"], home=home, cwd=tmp_path)
    output = ANSI.sub("", proc.stdout + proc.stderr)
    assert proc.returncode == 0, output
    assert_installed(home, big_tree, sorted(p.name for p in (big_tree / "skills").iterdir()), output)


@pytest.mark.tool
def test_skills_installer_installs_the_split_tree_from_the_well_known_index(big_tree: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    # the site serves site/agent/ at its root (the mkdocs plugin copies it there)
    with serve(big_tree / "site" / "agent") as url:
        proc = run_skills(["add", url, "--skill", "*", "-a", "codex", "-g", "-y"], home=home, cwd=tmp_path)
    output = ANSI.sub("", proc.stdout + proc.stderr)
    assert proc.returncode == 0, output
    assert_installed(home, big_tree, sorted(p.name for p in (big_tree / "skills").iterdir()), output)


@pytest.mark.tool
def test_a_split_site_builds_strict(tmp_path: Path) -> None:
    """mkdocs --strict fails on a broken link or anchor: the split pages link correctly."""
    pytest.importorskip("mkdocs")
    from skillpress.site.build import mkdocs_build

    result = load(synthetic_spec(120))
    assert result.spec is not None
    rendered = render_all(result.spec)
    assert any(p.startswith("site/docs/commands/") for p in rendered.files)
    assert any(p.startswith("site/docs/api/") for p in rendered.files)
    root = write_tree(rendered, tmp_path)
    assert mkdocs_build(root / "site" / "mkdocs.yml", root / "_site") == []
    assert (root / "_site" / "cli" / "area0000.md").is_file()
    assert (root / "_site" / "commands" / "area0000" / "index.html").is_file()
    assert (root / "_site" / "commands" / "area0000.md").is_file()  # its markdown twin


# --------------------------------------------------------------------------- at the edge


def cli_md_length(spec: dict) -> tuple[int, Rendered]:
    result = load(spec)
    assert result.spec is not None
    rendered = render_all(result.spec)
    return len(text(rendered, "site/agent/cli.md")), rendered


def spec_with_cli_length(target: int) -> dict:
    """A synthetic spec whose unsplit cli.md is exactly ``target`` characters."""
    spec = synthetic_spec(30)
    spec["commands"][0]["description"] += " Padding:"
    length, _ = cli_md_length(spec)
    assert length < target
    spec["commands"][0]["description"] += " " + "p" * (target - length - 1)
    return spec


def test_a_spec_that_just_fits_gives_no_split() -> None:
    length, rendered = cli_md_length(spec_with_cli_length(TEXT_MAX_CHARS - 1))
    assert length == TEXT_MAX_CHARS - 1
    assert not any("/cli/" in p for p in rendered.files)
    assert "### `bench area0000 action00000`" in text(rendered, "site/agent/cli.md")
    assert rendered.diagnostics == []


def test_one_character_more_splits_cli_md() -> None:
    spec = spec_with_cli_length(TEXT_MAX_CHARS - 1)
    spec["commands"][0]["description"] += "p"
    result = load(spec)
    assert result.spec is not None
    rendered = render_all(result.spec)
    assert "site/agent/cli/area0000.md" in rendered.files
    assert "skills/bench-product/references/cli/area0001.md" in rendered.files
    assert len(text(rendered, "site/agent/cli.md")) < TEXT_MAX_CHARS
    assert rendered.diagnostics == []


def test_a_group_too_big_for_one_file_is_split_by_its_next_word() -> None:
    spec = synthetic_spec(60, group_size=60)  # one group, about 80,000 characters
    for i, command in enumerate(spec["commands"]):
        words = command["path"].split()
        command["path"] = f"{words[0]} sub{i % 3} {words[1]}"
        command["examples"][0]["argv"][:2] = command["path"].split()
    spec["first_run"][0]["argv"][:2] = spec["commands"][0]["path"].split()
    for skill in spec["skills"]:
        for section in skill["sections"]:
            if "commands" in section:
                section["commands"] = [c["path"] for c in spec["commands"][:10]]
    result = load(spec)
    assert result.spec is not None
    rendered = render_all(result.spec)
    assert sorted(p for p in rendered.files if p.startswith("site/agent/cli/")) == [
        "site/agent/cli/area0000-sub0.md",
        "site/agent/cli/area0000-sub1.md",
        "site/agent/cli/area0000-sub2.md",
    ]
    assert rendered.diagnostics == []


def test_a_command_too_big_for_a_file_of_its_own_is_a_located_validate_error() -> None:
    spec = synthetic_spec(5)
    spec["commands"][2]["description"] = " ".join(["A long sentence that says very little at all."] * 1300)
    result = load(spec)  # the rules accept it
    assert result.spec is not None
    found = budget_check(result.spec, result.document)
    assert found and {d.code for d in found} == {BUDGET_CODE}
    assert {d.path for d in found} == {"commands[2]"}
    mark = result.document.mark_for(("commands", 2)) if result.document else None
    assert mark is not None and all((d.file, d.line, d.col) == ("synthetic.yaml", mark.line, mark.col) for d in found)
    assert any("'area0000 action00002' alone" in d.message for d in found)


def test_validate_command_reports_what_build_would_refuse(tmp_path: Path) -> None:
    spec = synthetic_spec(5)
    spec["skills"][0]["sections"].append(
        {"title": "Too long", "body": "\n".join(f"Line {i} of a long body." for i in range(600))}
    )
    path = tmp_path / "long.yaml"
    path.write_text(to_yaml(spec), encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "skillpress", "validate", str(path)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert f"error[{BUDGET_CODE}] skills[0]:" in proc.stdout
    assert "Traceback" not in proc.stderr
