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
