"""skillpress's own finishing step (agent files, twins) writes only inside the built site."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from skillpress.diagnostics import SkillpressError
from skillpress.site.build import mkdocs_build
from skillpress.site.finish import absolute_links
from tests.site.conftest import CASES, render_into


def _set_copies(config_file: Path, copies: dict[str, str]) -> None:
    header, body = config_file.read_text(encoding="utf-8").split("\n", 1)
    config = yaml.safe_load(body)
    config["extra"]["skillpress"]["copies"] = copies
    config_file.write_text(header + "\n" + yaml.safe_dump(config, sort_keys=False), encoding="utf-8")


def test_a_copy_outside_the_site_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "project"
    render_into(CASES["minimal"], root)
    config_file = root / "site" / "mkdocs.yml"
    _set_copies(config_file, {"docs/../../../escaped.md": "skill.md"})
    with pytest.raises(SkillpressError, match="outside the site folder"):
        mkdocs_build(config_file, root / "_site")
    assert not list(tmp_path.rglob("escaped.md"))


def test_a_copy_inside_the_site_is_written(tmp_path: Path) -> None:
    root = tmp_path / "project"
    render_into(CASES["minimal"], root)
    config_file = root / "site" / "mkdocs.yml"
    _set_copies(config_file, {"docs/skill.md": "skill.md"})
    mkdocs_build(config_file, root / "_site")
    assert (root / "_site/docs/skill.md").read_bytes() == (root / "site/agent/skill.md").read_bytes()


def test_absolute_links_leave_code_and_absolute_targets_alone() -> None:
    text = "\n".join(
        [
            "See [a](commands.md#x), [`b c`](../api.md), [d](/llms.txt), [e](https://x.org/y) and `[f](g.md)`.",
            "```",
            "[h](i.md)",
            "```",
            "    ```bash",
            "    [j](k.md)",
            "    ```",
            "[l](#here)",
        ]
    )
    out = absolute_links(text, "https://ex.com/docs/commands/part.md", "https://ex.com/docs/")
    assert out.split("\n") == [
        (
            "See [a](https://ex.com/docs/commands/commands.md#x), [`b c`](https://ex.com/docs/api.md), "
            "[d](https://ex.com/llms.txt), [e](https://x.org/y) and `[f](g.md)`."
        ),
        "```",
        "[h](i.md)",
        "```",
        "    ```bash",
        "    [j](k.md)",
        "    ```",
        "[l](https://ex.com/docs/commands/part.md#here)",
    ]
