"""Property: whatever text comes in, loading never raises and failures are located."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skillpress.diagnostics import Severity
from skillpress.spec import load_spec_text

MINIMAL = (Path(__file__).resolve().parent / "cases" / "minimal" / "spec.yaml").read_text(encoding="utf-8")
SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Keys and scalars that look like parts of a real spec, mixed with arbitrary ones.
SPEC_WORDS = [
    "spec_version",
    "product",
    "commands",
    "path",
    "flags",
    "name",
    "summary",
    "skills",
    "endpoint",
    "endpoints",
    "exit_codes",
    "changelog",
    "version",
    "argv",
    "examples",
]
keys = st.one_of(st.sampled_from(SPEC_WORDS), st.text(min_size=1, max_size=12))
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(max_size=30),
    st.sampled_from(["1.0.0", "--text", "echo", "https://x.example", "2026-01-01"]),
)
structures = st.recursive(
    scalars,
    lambda children: st.one_of(st.lists(children, max_size=5), st.dictionaries(keys, children, max_size=6)),
    max_leaves=30,
)


def check(text: str) -> None:
    result = load_spec_text(text, "prop.yaml")
    errors = [d for d in result.diagnostics if d.severity is Severity.ERROR]
    assert result.ok or errors, "an invalid result must say why"
    if result.ok:
        assert result.spec is not None
    for diag in result.diagnostics:
        assert diag.line >= 1 and diag.col >= 1, diag
        diag.format_text().encode("utf-8")


@SETTINGS
@given(structures)
def test_dumped_structures_never_raise(data: object) -> None:
    check(yaml.safe_dump(data, allow_unicode=True))


@SETTINGS
@given(st.dictionaries(st.sampled_from(SPEC_WORDS), structures, max_size=8))
def test_spec_shaped_mappings_never_raise(data: dict[str, object]) -> None:
    check(yaml.safe_dump(data, sort_keys=False))


@SETTINGS
@given(st.text())
def test_arbitrary_text_never_raises(text: str) -> None:
    check(text)


LINES = MINIMAL.splitlines(keepends=True)


@SETTINGS
@given(st.integers(min_value=0, max_value=len(LINES) - 1))
def test_deleting_a_line_never_raises(index: int) -> None:
    check("".join(LINES[:index] + LINES[index + 1 :]))


@SETTINGS
@given(
    st.integers(min_value=0, max_value=len(MINIMAL)),
    st.text(
        alphabet=st.sampled_from(list(":-[]{}#&*!|>'\"%@`,? \t\n\\") + ["\u00e9", "\x00", "a", "1"]),
        min_size=1,
        max_size=5,
    ),
)
def test_inserting_characters_never_raises(position: int, inserted: str) -> None:
    check(MINIMAL[:position] + inserted + MINIMAL[position:])


@SETTINGS
@given(st.integers(min_value=0, max_value=len(MINIMAL) - 1), st.integers(min_value=1, max_value=40))
def test_cutting_a_span_never_raises(position: int, length: int) -> None:
    check(MINIMAL[:position] + MINIMAL[position + length :])


@SETTINGS
@given(st.integers(min_value=0, max_value=len(LINES) - 1), st.integers(min_value=0, max_value=len(LINES) - 1))
def test_swapping_lines_never_raises(a: int, b: int) -> None:
    lines = list(LINES)
    lines[a], lines[b] = lines[b], lines[a]
    check("".join(lines))


# --------------------------------------------------------------------------- SKILL.md frontmatter

# Pieces that have broken YAML frontmatter somewhere: separators, quotes, escapes,
# line breaks YAML knows about (NEL, LS, PS), controls, BOM, noncharacters.
FRONTMATTER_PIECES = [
    "-",
    "--",
    "---",
    "----",
    "\n---\n",
    "...",
    ": ",
    " #",
    '"',
    "'",
    "\\",
    "\\u002d",
    "{{ x }}",
    "|",
    ">",
    "\t",
    "\r\n",
    "\x00",
    "\x1b[31m",
    "\x7f",
    "\x85",
    "\x9b",
    "\u2028",
    "\u2029",
    "\ufeff",
    "\ufffe",
    "\U0001f600",
    "\u202e",
    " ",
    "x",
]
descriptions = st.one_of(
    st.text(min_size=1, max_size=60),
    st.lists(st.one_of(st.sampled_from(FRONTMATTER_PIECES), st.text(max_size=4)), min_size=1, max_size=12).map("".join),
    st.integers(min_value=1015, max_value=1030).flatmap(
        lambda n: st.sampled_from(["", " ", "\n", "\n\n"]).map(lambda tail: "x" * (n - len(tail)) + tail)
    ),
)


@pytest.mark.tool
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(descriptions)
def test_a_description_validate_accepts_renders_a_skill_that_skills_ref_accepts(description: str) -> None:
    """skills-ref reads back every SKILL.md rendered from a valid spec, description intact.

    It used to reject the SKILL.md of a description holding '---' (it cuts the
    frontmatter at the first one), C1 controls or U+FFFE, and one whose final newline
    took it past 1,024 characters.
    """
    import tempfile

    skills_ref = pytest.importorskip("skills_ref", reason="skills-ref is part of the test extras")
    from skills_ref.parser import parse_frontmatter

    from skillpress.render import render_all

    data = yaml.safe_load(MINIMAL)
    data["skills"][0]["description"] = description
    result = load_spec_text(yaml.safe_dump(data, sort_keys=False), "prop.yaml")
    if not result.ok:
        return  # refused with a located error, which check() style tests cover
    assert result.spec is not None
    skill = result.spec.skills[0]
    files = render_all(result.spec).files
    rendered = {files[p]: p for p in sorted(files) if p.endswith(("/SKILL.md", "agent/skill.md"))}
    assert len(rendered) >= 2  # the skills/ copy and the site's skill.md
    with tempfile.TemporaryDirectory() as tmp:
        for index, path in enumerate(rendered.values()):
            folder = Path(tmp) / str(index) / skill.name
            folder.mkdir(parents=True)
            (folder / "SKILL.md").write_bytes(files[path])
            assert skills_ref.validate(folder) == [], (path, description)
            metadata, _ = parse_frontmatter(files[path].decode("utf-8"))
            assert metadata["description"] == skill.description, path
