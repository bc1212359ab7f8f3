"""The generated files committed in this repository match source/image-skill.yaml."""

from __future__ import annotations

import io
from pathlib import Path

from skillpress import pipeline
from skillpress.cli.common import project_for

ROOT = Path(__file__).resolve().parent.parent


def test_committed_generated_files_are_up_to_date() -> None:
    out = io.StringIO()
    # The repository's own [tool.skillpress] config: the same project `skillpress check` checks.
    code = pipeline.check(project_for(None, root=ROOT), stdout=out, stderr=io.StringIO())
    assert code == 0, "generated files are stale; run `python build.py` and commit:\n" + out.getvalue()[:4000]


def test_no_root_skill_file_that_would_hide_the_skills_folder() -> None:
    names = {p.name.lower() for p in ROOT.iterdir()}
    assert "skill.md" not in names, "a root SKILL.md/skill.md makes installers ignore skills/*"
