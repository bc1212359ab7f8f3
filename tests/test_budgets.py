"""Size budgets are reported where the spec can fix them, for every copy of a file.

A command whose own section is too long for any file is the one thing a split cannot fix:
build, check and validate each report it once, at the command in the spec, naming the
generated file and how many copies of it (``skills/*/references/``) would be as big.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import yaml

from skillpress import pipeline
from skillpress.project import Project
from skillpress.render import TEXT_MAX_CHARS
from tests.cli import invoke

MINIMAL = Path(__file__).resolve().parent / "cases" / "minimal" / "spec.yaml"


@pytest.fixture(scope="module")
def long_command(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = yaml.safe_load(MINIMAL.read_text(encoding="utf-8"))
    data["commands"][0]["description"] = " ".join(f"Word{i} explains the echo." for i in range(2500))
    spec = tmp_path_factory.mktemp("budget") / "long.yaml"
    spec.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return spec


def _expected(spec: Path) -> list[str]:
    line = spec.read_text(encoding="utf-8").splitlines().index("commands:") + 2
    return [
        f"{spec.name}:{line}:3: error[size-budget] commands[0]: site/agent/cli/echo.md (and 2 copies) would be ",
        f"{spec.name}:{line}:3: error[size-budget] commands[0]: site/docs/commands/echo.md would be ",
    ]


def _budget_lines(text: str, spec: Path) -> list[str]:
    return [
        line.split(" would be ")[0].replace(str(spec), spec.name) + " would be "
        for line in text.splitlines()
        if "error[size-budget]" in line
    ]


def test_build_refuses_and_names_the_command_and_every_copy(long_command: Path, tmp_path: Path) -> None:
    stdout = io.StringIO()
    code = pipeline.build(Project(tmp_path / "out", long_command), stdout=stdout, stderr=io.StringIO())
    assert code == 1
    assert _budget_lines(stdout.getvalue(), long_command) == _expected(long_command)
    assert f"generated text files must stay under {TEXT_MAX_CHARS}" in stdout.getvalue()
    assert "one command's section is never split" in stdout.getvalue()
    assert not (tmp_path / "out" / "site").exists()


def test_check_reports_the_same_budgets(long_command: Path, tmp_path: Path) -> None:
    stdout = io.StringIO()
    code = pipeline.check(Project(tmp_path, long_command), stdout=stdout, stderr=io.StringIO())
    assert code == 1
    assert _budget_lines(stdout.getvalue(), long_command) == _expected(long_command)


def test_validate_reports_the_budgets_the_spec_cannot_meet(long_command: Path) -> None:
    result = invoke(["validate", str(long_command)])
    assert result.exit_code == 1, result.output
    # validate renders only what budgets need (no .well-known mirror), so it counts one copy fewer
    expected = [line.replace("(and 2 copies)", "(and 1 copy)") for line in _expected(long_command)]
    assert _budget_lines(result.stdout, long_command) == expected


# --------------------------------------------------------------------------- the limits, at their edges


def _skill(lines: int, width: int = 1) -> bytes:
    return ("x" * (width - 1) + "\n").encode() * lines


def _reported(files: dict[str, bytes]) -> list[str]:
    from skillpress.render import budget_diagnostics

    return [d.message for d in budget_diagnostics(files)]


def test_a_skill_file_may_have_exactly_the_documented_number_of_lines() -> None:
    from skillpress.render.split import SKILL_MAX_LINES, fits_skill

    assert SKILL_MAX_LINES == 500  # the number the README and the Agent Skills guidance give
    assert fits_skill(_skill(500).decode()) and not fits_skill(_skill(501).decode())
    assert _reported({"skills/a/SKILL.md": _skill(500)}) == []
    assert _reported({"skills/a/SKILL.md": _skill(501)}) == [
        "skills/a/SKILL.md would be 501 lines; a skill file may have at most 500"
    ]


def test_a_skill_file_may_have_exactly_the_documented_number_of_tokens() -> None:
    from skillpress.render.split import SKILL_MAX_TOKENS, estimate_tokens, fits_skill

    assert SKILL_MAX_TOKENS == 5000
    assert [estimate_tokens("x" * n) for n in (0, 1, 4, 5, 8)] == [0, 1, 1, 2, 2]  # four characters a token, rounded up
    at_limit = "x" * (4 * 5000 - 1) + "\n"  # one line, 20,000 characters: 5,000 tokens
    assert fits_skill(at_limit) and not fits_skill("x" + at_limit)
    assert _reported({"skills/a/SKILL.md": at_limit.encode()}) == []
    assert _reported({"skills/a/SKILL.md": ("x" + at_limit).encode()}) == [
        "skills/a/SKILL.md would be about 5001 tokens; a skill file may have at most 5000"
    ]


def test_a_text_file_must_stay_under_the_character_limit() -> None:
    from skillpress.render.split import fits_text

    assert TEXT_MAX_CHARS == 50_000
    assert fits_text("x" * 49_999) and not fits_text("x" * 50_000)
    assert _reported({"site/agent/llms.txt": b"x" * 49_999}) == []
    assert _reported({"site/agent/llms.txt": b"x" * 50_000}) == [
        "site/agent/llms.txt would be 50000 characters; generated text files must stay under 50000"
    ]


def test_a_skill_section_too_long_to_list_links_each_group_with_its_command_count() -> None:
    """300 commands in one section cannot be listed within the skill budget: the skill links
    the command groups instead, each with how many of the section's commands it holds."""
    import re

    from benchmarks.synthetic import synthetic_spec, to_yaml
    from skillpress.render import render_all
    from skillpress.render.split import fits_skill
    from skillpress.spec import load_spec_text

    data = synthetic_spec(300)
    data["skills"][0]["sections"][1]["commands"] = [c["path"] for c in data["commands"]]
    result = load_spec_text(to_yaml(data), "synthetic.yaml")
    assert result.spec is not None
    files = render_all(result.spec).files
    skill = files[f"skills/{data['skills'][0]['name']}/SKILL.md"].decode()
    assert fits_skill(skill)
    (line,) = [line for line in skill.splitlines() if "each described in the command reference" in line]
    assert line.startswith("300 commands, ")
    groups = re.findall(r"\[`[^`]+`\]\((references/cli/[^)]+\.md)\) \((\d+)\)", line)
    assert len(groups) > 1
    for path, count in groups:
        part = files[f"skills/{data['skills'][0]['name']}/{path}"].decode()
        assert int(count) == len(re.findall(r'^<a id="(?!rule-)', part, flags=re.M)), path
    assert sum(int(count) for _, count in groups) == 300
