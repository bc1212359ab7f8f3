"""Real third-party tools accept what skillpress generates.

- `skills-ref` (the Agent Skills reference validator, PyPI) validates every skills/*/;
- `llms_txt.parse_llms_file` (PyPI `llms-txt`) finds the title, summary and sections;
- the `skills` npm installer (`npx skills add`) lists exactly each example's skills from its
  folder (the root of that product's repository) and installs each, references included,
  for claude-code and codex.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from skillpress.spec import load_spec
from tests.examples import EXAMPLES
from tests.tools import run_skills

# Every example product: its folder and its parsed spec.
PRODUCTS = {p.parent.name: load_spec(p.parent / "spec.yaml").spec for p in sorted(EXAMPLES.glob("*/skillpress.toml"))}
# (example, skill name) for every skill of every example.
SKILLS = [(example, s.name) for example, spec in PRODUCTS.items() for s in spec.skills]  # type: ignore[union-attr]
SKILL_NAMES = sorted(name for _, name in SKILLS)
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def test_every_example_is_covered_and_skill_names_do_not_collide() -> None:
    assert {"image-skill", "firecrawl"} <= set(PRODUCTS)
    # the site serves every example's skills side by side; a name twice would shadow one
    assert len(SKILL_NAMES) == len(set(SKILL_NAMES))


@pytest.mark.parametrize("example", sorted(PRODUCTS))
def test_skill_folders_are_exactly_the_spec_skills(example: str) -> None:
    folders = sorted(p.name for p in (EXAMPLES / example / "skills").iterdir() if p.is_dir())
    assert folders == sorted(name for owner, name in SKILLS if owner == example)


@pytest.mark.tool
@pytest.mark.parametrize(("example", "name"), SKILLS, ids=[f"{e}/{n}" for e, n in SKILLS])
def test_skills_ref_validates_each_skill(example: str, name: str) -> None:
    skills_ref = pytest.importorskip("skills_ref", reason="skills-ref is part of the test extras")
    problems = skills_ref.validate(EXAMPLES / example / "skills" / name)
    assert problems == []
    props = skills_ref.read_properties(EXAMPLES / example / "skills" / name)
    assert props.name == name


@pytest.mark.tool
@pytest.mark.parametrize("example", sorted(PRODUCTS))
def test_llms_txt_reference_parser_finds_title_summary_and_sections(example: str) -> None:
    llms_txt = pytest.importorskip("llms_txt", reason="llms-txt is part of the test extras")
    spec = PRODUCTS[example]
    assert spec is not None
    parsed = llms_txt.parse_llms_file((EXAMPLES / example / "site/agent/llms.txt").read_text(encoding="utf-8"))
    assert parsed["title"] == spec.product.name
    assert parsed["summary"] == spec.product.summary
    sections = parsed["sections"]
    assert len(sections) >= 3
    assert "Optional" in sections
    for title, links in sections.items():
        assert links, f"section {title!r} has no links the parser understood"
        for link in links:
            assert link["url"].startswith("https://"), link


# Each example folder is the root of its product's repository, so the installer runs there:
# it finds `skills/*` first and stops. From this repository's root it would walk every
# folder in readdir order and could take `site/agent/skill.md` (the same skill name,
# with site links) for the skill.
@pytest.mark.tool
@pytest.mark.parametrize("example", sorted(PRODUCTS))
def test_skills_installer_lists_exactly_the_spec_skills(example: str, tmp_path: Path) -> None:
    names = sorted(name for owner, name in SKILLS if owner == example)
    proc = run_skills(["add", str(EXAMPLES / example), "--list"], home=tmp_path, cwd=tmp_path)
    output = ANSI.sub("", proc.stdout + proc.stderr)
    assert proc.returncode == 0, output
    found = re.search(r"Found (\d+) skills?", output)
    assert found, output
    assert int(found.group(1)) == len(names), output
    listed = {line.strip() for line in output.splitlines()}
    for name in names:
        assert f"│    {name}" in output or name in listed, f"{name} not listed:\n{output}"


@pytest.mark.tool
@pytest.mark.parametrize("example", sorted(PRODUCTS))
def test_skills_installer_installs_each_skill_with_references(example: str, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    proc = run_skills(
        ["add", str(EXAMPLES / example), "--skill", "*", "-a", "claude-code", "-a", "codex", "-g", "-y"],
        home=home,
        cwd=tmp_path,
    )
    output = ANSI.sub("", proc.stdout + proc.stderr)
    assert proc.returncode == 0, output
    for owner, name in SKILLS:
        if owner != example:
            continue
        installed = home / ".agents" / "skills" / name
        source = EXAMPLES / example / "skills" / name
        for rel in sorted(p.relative_to(source) for p in source.rglob("*") if p.is_file()):
            target = installed / rel
            assert target.is_file(), f"{target} missing after install:\n{output}"
            assert target.read_bytes() == (source / rel).read_bytes()
        claude = home / ".claude" / "skills" / name / "SKILL.md"
        assert claude.is_file(), f"claude-code copy of {name} missing:\n{output}"
