"""A CI run fails when fewer tool tests ran than SKILLPRESS_MIN_TOOL_TESTS asks, and says which skipped."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

FIXTURE = """
import pytest

@pytest.mark.tool
def test_tool_that_runs():
    assert True

@pytest.mark.tool
def test_tool_that_is_missing():
    pytest.skip("frobnicator is not installed")

@pytest.mark.tool
@pytest.mark.skipif(True, reason="no browser here")
def test_tool_skipped_at_setup():
    pass

def test_plain():
    pytest.skip("not a tool test")
"""


def run(tmp_path: Path, minimum: str | None) -> subprocess.CompletedProcess[str]:
    (tmp_path / "test_fixture.py").write_text(FIXTURE, encoding="utf-8")
    (tmp_path / "pytest.ini").write_text("[pytest]\nmarkers =\n    tool: needs a tool\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "SKILLPRESS_MIN_TOOL_TESTS"}
    env["PYTHONPATH"] = str(ROOT)
    if minimum is not None:
        env["SKILLPRESS_MIN_TOOL_TESTS"] = minimum
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "tests.tool_tally", "-p", "no:cacheprovider", "-q", str(tmp_path)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_without_a_minimum_skipped_tool_tests_pass(tmp_path: Path) -> None:
    proc = run(tmp_path, None)
    assert proc.returncode == 0, proc.stdout
    assert "tool test(s) ran" not in proc.stdout


def test_a_minimum_that_just_holds_passes(tmp_path: Path) -> None:
    proc = run(tmp_path, "1")
    assert proc.returncode == 0, proc.stdout
    assert "tool test(s) ran" not in proc.stdout


def test_one_more_than_ran_fails_and_prints_each_skip_reason(tmp_path: Path) -> None:
    proc = run(tmp_path, "2")
    assert proc.returncode == 1, proc.stdout
    assert "only 1 tool test(s) ran, SKILLPRESS_MIN_TOOL_TESTS asks for at least 2; skipped:" in proc.stdout
    assert "test_fixture.py::test_tool_that_is_missing: frobnicator is not installed" in proc.stdout
    assert "test_fixture.py::test_tool_skipped_at_setup: no browser here" in proc.stdout
    assert "not a tool test" not in proc.stdout.split("tool tests")[-1]


def test_a_minimum_that_is_not_a_number_is_a_usage_error(tmp_path: Path) -> None:
    proc = run(tmp_path, "many")
    assert proc.returncode == 4, proc.stdout + proc.stderr
    assert "SKILLPRESS_MIN_TOOL_TESTS='many' is not a whole number" in proc.stderr
