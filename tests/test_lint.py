"""The code is lint-clean, formatted and type-checked: the README's test line runs these.

Ruff and mypy are test dependencies (pinned in pyproject.toml), so they are always
present where the tests run; their configuration lives in ``[tool.ruff]`` and
``[tool.mypy]``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGETS = ["skillpress", "tests", "build.py", "benchmarks", "scripts"]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=600)


def test_ruff_lint_is_clean() -> None:
    proc = _run("ruff", "check", "--output-format", "concise", *TARGETS)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_ruff_format_is_clean() -> None:
    proc = _run("ruff", "format", "--check", *TARGETS)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_mypy_is_clean() -> None:
    proc = _run("mypy")
    assert proc.returncode == 0, proc.stdout + proc.stderr
