"""The generated files committed in this repository match each example's spec."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from skillpress import pipeline
from skillpress.build_entry import example_projects
from skillpress.cli.common import project_for

ROOT = Path(__file__).resolve().parent.parent


def test_there_are_examples() -> None:
    assert [p.name for p in example_projects()]


@pytest.mark.parametrize("folder", example_projects(), ids=lambda p: p.name)
def test_committed_generated_files_are_up_to_date(folder: Path) -> None:
    out = io.StringIO()
    # The example's own skillpress.toml: the same project `skillpress check` checks there.
    code = pipeline.check(project_for(None, root=folder), stdout=out, stderr=io.StringIO())
    assert code == 0, "generated files are stale; run `python build.py` and commit:\n" + out.getvalue()[:4000]


def test_no_root_skill_file_that_would_hide_the_skills_folder() -> None:
    for folder in [ROOT, *example_projects()]:
        names = {p.name.lower() for p in folder.iterdir()}
        assert "skill.md" not in names, f"a root SKILL.md/skill.md in {folder} makes installers ignore skills/*"


def test_installing_skillpress_puts_only_skillpress_on_the_path() -> None:
    import tomllib

    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    assert list(scripts) == ["skillpress"]
