"""Skills as resources: the front matter read without PyYAML equals PyYAML's reading, for
every skill of both examples (the published client has no YAML library)."""

from __future__ import annotations

import yaml

from skillpress.mcp import skills
from tests.examples import EXAMPLES
from tests.mcp.test_tools import PRODUCTS


def test_front_matter_without_yaml_matches_yaml() -> None:
    checked = 0
    for product in PRODUCTS:
        for path in sorted((EXAMPLES / product / "skills").glob("*/SKILL.md")):
            text = path.read_text(encoding="utf-8")
            lines = skills._front_lines(text)
            assert lines is not None, path
            assert skills._simple_frontmatter(lines) == yaml.safe_load("\n".join(lines)), path
            assert skills.frontmatter(text)["name"] == path.parent.name
            checked += 1
    assert checked >= 5


def test_front_matter_scalars() -> None:
    lines = ["a: 1", "b: true", "c: 'it''s'", 'd: "x: y"', "e:", "  f: 0.5", "  g: ~", "h: plain text"]
    assert skills._simple_frontmatter(lines) == yaml.safe_load("\n".join(lines))
    assert skills.frontmatter("no front matter\n") == {}
    assert skills.frontmatter("---\nname: x\n") == {}  # never closed


def test_library_from_package_reads_what_from_files_reads(tmp_path) -> None:  # type: ignore[no-untyped-def]
    files = {
        "skills/demo/SKILL.md": '---\nname: demo\ndescription: "Demo."\n---\n# Demo\n',
        "skills/demo/references/cli.md": "# cli\n",
        "site/agent/llms.txt": "# llms\n",
        "site/agent/.well-known/skills/index.json": "{}",
    }
    from_files = skills.from_files(files, "site/agent")
    for path, text in files.items():
        target = tmp_path / path.replace("site/agent", "agent")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    from_package = skills.from_package(str(tmp_path))
    assert from_files.skills == from_package.skills
    assert from_files.agent_files == {"llms.txt": b"# llms\n"} == from_package.agent_files
    [entry] = from_package.skills_list_entries()
    assert entry["uri"] == "skill://demo/SKILL.md"
    assert entry["frontmatter"] == {"name": "demo", "description": "Demo."}
    assert [r["uri"] for r in entry["resources"]] == ["skill://demo/SKILL.md", "skill://demo/references/cli.md"]
    assert entry["resources"][0]["digest"] == "sha256:" + skills.sha256(files["skills/demo/SKILL.md"].encode())
