"""Golden end-to-end cases: tests/cases/<case>/spec.yaml renders to tests/cases/<case>/expected/.

Each case shows the whole generated tree. After an intended change, regenerate with
``.venv/bin/python -m pytest tests/test_render_golden.py --update-goldens`` and review
the diff.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from skillpress.render import render_all
from skillpress.spec import load_spec

CASES = Path(__file__).parent / "cases"
CASE_NAMES = sorted(p.name for p in CASES.iterdir() if (p / "spec.yaml").exists())


def test_the_three_documented_cases_exist() -> None:
    assert {"minimal", "edge", "image-skill"} <= set(CASE_NAMES)


@pytest.mark.parametrize("case", CASE_NAMES)
def test_case_renders_to_its_golden_tree(case: str, golden, update_goldens: bool) -> None:
    spec_path = CASES / case / "spec.yaml"
    result = load_spec(spec_path)
    assert result.ok, [d.format_text() for d in result.diagnostics]
    rendered = render_all(result.spec)
    assert not rendered.diagnostics, [d.format_text() for d in rendered.diagnostics]
    expected_root = CASES / case / "expected"
    for rel, data in rendered.files.items():
        golden(expected_root / rel, data)
    on_disk = {p.relative_to(expected_root).as_posix() for p in expected_root.rglob("*") if p.is_file()}
    stale = sorted(on_disk - set(rendered.files))
    if update_goldens:
        for rel in stale:
            (expected_root / rel).unlink()
    else:
        assert not stale, f"golden files no longer generated: {stale}"
