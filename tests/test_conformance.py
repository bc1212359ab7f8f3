"""Real third-party tools accept what skillpress generates.

- `skills-ref` (the Agent Skills reference validator, PyPI) validates every skills/*/;
- `llms_txt.parse_llms_file` (PyPI `llms-txt`) finds the title, summary and sections;
- the `skills` npm installer (`npx skills add`) lists exactly the spec's skills from the
  repository root and installs each, references included, for claude-code and codex.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from skillpress.spec import load_spec
from tests.tools import run_skills

ROOT = Path(__file__).resolve().parent.parent
SPEC = load_spec(ROOT / "examples/image-skill/spec.yaml").spec
SKILL_NAMES = sorted(s.name for s in SPEC.skills)
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def test_skill_folders_are_exactly_the_spec_skills() -> None:
    folders = sorted(p.name for p in (ROOT / "examples/image-skill/skills").iterdir() if p.is_dir())
    assert folders == SKILL_NAMES


@pytest.mark.parametrize("name", SKILL_NAMES)
def test_skills_ref_validates_each_skill(name: str) -> None:
    skills_ref = pytest.importorskip("skills_ref", reason="skills-ref is part of the test extras")
    problems = skills_ref.validate(ROOT / "examples/image-skill/skills" / name)
    assert problems == []
    props = skills_ref.read_properties(ROOT / "examples/image-skill/skills" / name)
    assert props.name == name


def test_llms_txt_reference_parser_finds_title_summary_and_sections() -> None:
    llms_txt = pytest.importorskip("llms_txt", reason="llms-txt is part of the test extras")
    parsed = llms_txt.parse_llms_file((ROOT / "examples/image-skill/site/agent/llms.txt").read_text(encoding="utf-8"))
    assert parsed["title"] == SPEC.product.name
    assert parsed["summary"] == SPEC.product.summary
    sections = parsed["sections"]
    assert len(sections) >= 3
    assert "Optional" in sections
    for title, links in sections.items():
        assert links, f"section {title!r} has no links the parser understood"
        for link in links:
            assert link["url"].startswith("https://"), link


def test_skills_installer_lists_exactly_the_spec_skills(tmp_path: Path) -> None:
    proc = run_skills(["add", str(ROOT), "--list"], home=tmp_path, cwd=tmp_path)
    output = ANSI.sub("", proc.stdout + proc.stderr)
    assert proc.returncode == 0, output
    found = re.search(r"Found (\d+) skills?", output)
    assert found, output
    assert int(found.group(1)) == len(SKILL_NAMES), output
    listed = {line.strip() for line in output.splitlines()}
    for name in SKILL_NAMES:
        assert f"│    {name}" in output or name in listed, f"{name} not listed:\n{output}"


def test_skills_installer_installs_each_skill_with_references(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    proc = run_skills(
        ["add", str(ROOT), "--skill", "*", "-a", "claude-code", "-a", "codex", "-g", "-y"], home=home, cwd=tmp_path
    )
    output = ANSI.sub("", proc.stdout + proc.stderr)
    assert proc.returncode == 0, output
    for name in SKILL_NAMES:
        installed = home / ".agents" / "skills" / name
        source = ROOT / "examples/image-skill/skills" / name
        for rel in sorted(p.relative_to(source) for p in source.rglob("*") if p.is_file()):
            target = installed / rel
            assert target.is_file(), f"{target} missing after install:\n{output}"
            assert target.read_bytes() == (source / rel).read_bytes()
        claude = home / ".claude" / "skills" / name / "SKILL.md"
        assert claude.is_file(), f"claude-code copy of {name} missing:\n{output}"
