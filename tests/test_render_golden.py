"""Golden end-to-end cases: a spec renders to exactly its committed tree.

The cases are ``tests/cases/<case>/spec.yaml`` (tree in ``expected/``) and every example
product, ``examples/<name>/`` (its committed tree is its golden: the files a user sees).
After an intended change, regenerate with
``.venv/bin/python -m pytest tests/test_render_golden.py --update-goldens`` (or
``python build.py`` for the examples) and review the diff.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from skillpress.project import OWNED_DIRS
from skillpress.render import render_all
from skillpress.spec import load_spec
from tests.examples import EXAMPLES

CASES = Path(__file__).parent / "cases"
CASE_NAMES = sorted(p.name for p in CASES.iterdir() if (p / "spec.yaml").exists())
EXAMPLE_NAMES = sorted(p.parent.name for p in EXAMPLES.glob("*/skillpress.toml"))
GOLDENS = [(CASES / c / "spec.yaml", CASES / c / "expected") for c in CASE_NAMES] + [
    (EXAMPLES / e / "spec.yaml", EXAMPLES / e) for e in EXAMPLE_NAMES
]


def test_the_documented_cases_and_examples_exist() -> None:
    assert {"minimal", "edge"} <= set(CASE_NAMES)
    assert {"image-skill", "firecrawl"} <= set(EXAMPLE_NAMES)


@pytest.mark.parametrize(("spec_path", "expected_root"), GOLDENS, ids=[p.parent.name for p, _ in GOLDENS])
def test_spec_renders_to_its_golden_tree(spec_path: Path, expected_root: Path, golden, update_goldens: bool) -> None:
    result = load_spec(spec_path)
    assert result.ok, [d.format_text() for d in result.diagnostics]
    rendered = render_all(result.spec)
    assert not rendered.diagnostics, [d.format_text() for d in rendered.diagnostics]
    for rel, data in rendered.files.items():
        golden(expected_root / rel, data)
    # every file under the generated folders (and, for a test case, anywhere) is one the spec renders
    scope = [expected_root] if expected_root.name == "expected" else [expected_root / d for d in OWNED_DIRS]
    on_disk = {p.relative_to(expected_root).as_posix() for base in scope for p in base.rglob("*") if p.is_file()}
    stale = sorted(on_disk - set(rendered.files))
    if update_goldens:
        for rel in stale:
            (expected_root / rel).unlink()
    else:
        assert not stale, f"golden files no longer generated: {stale}"
