"""Golden tests over tests/invalid/: every broken spec gives exactly its expected report.

Each ``NAME.yaml`` is the minimal spec with one small breakage; ``NAME.expected`` is
the stdout of ``skillpress validate tests/invalid/NAME.yaml`` run from the repository
root. Rewrite the expected files after an intended message change with

    .venv/bin/python -m pytest tests/test_invalid_corpus.py --update-goldens

and read the diff before committing it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.cli import invoke

REPO_ROOT = Path(__file__).resolve().parent.parent
CORPUS = REPO_ROOT / "tests" / "invalid"
CASES = sorted(p.stem for p in CORPUS.glob("*.yaml"))
LOCATION = re.compile(r"^(?P<file>[^\s:]+):(?P<line>\d+):(?P<col>\d+): (?P<sev>error|warning)\[(?P<code>[a-z0-9-]+)\]")


def run_validate(monkeypatch: pytest.MonkeyPatch, name: str) -> tuple[int, str, str, BaseException | None]:
    monkeypatch.chdir(REPO_ROOT)
    result = invoke(["validate", f"tests/invalid/{name}.yaml"])
    exc = result.exception if not isinstance(result.exception, SystemExit) else None
    return result.exit_code, result.stdout, result.stderr, exc


def test_corpus_is_complete(update_goldens: bool) -> None:
    assert len(CASES) >= 32
    expected = sorted(p.stem for p in CORPUS.glob("*.expected"))
    if update_goldens:
        # drop goldens of removed cases; the parametrized test writes the new ones
        for stale in set(expected) - set(CASES):
            (CORPUS / f"{stale}.expected").unlink()
        return
    assert expected == CASES, "every NAME.yaml needs a NAME.expected and the other way round"


@pytest.mark.parametrize("name", CASES)
def test_invalid_spec(name: str, monkeypatch: pytest.MonkeyPatch, golden) -> None:  # type: ignore[no-untyped-def]
    code, stdout, stderr, exc = run_validate(monkeypatch, name)
    assert exc is None, f"validate raised {exc!r}"
    assert "Traceback" not in stdout + stderr
    assert code == 1, f"expected exit 1 (invalid), got {code}; stderr: {stderr}"
    golden(CORPUS / f"{name}.expected", stdout)


@pytest.mark.parametrize("name", CASES)
def test_locations_point_into_the_file(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every reported line:col exists in the broken file (1-based, within the line)."""
    _, stdout, _, _ = run_validate(monkeypatch, name)
    raw = (CORPUS / f"{name}.yaml").read_bytes()
    lines = raw.decode("utf-8", errors="replace").split("\n") or [""]
    found = 0
    for line in stdout.splitlines():
        match = LOCATION.match(line)
        if not match:
            continue
        found += 1
        assert match["file"] == f"tests/invalid/{name}.yaml"
        row, col = int(match["line"]), int(match["col"])
        assert row >= 1 and col >= 1
        if raw.strip():
            assert row <= len(lines), line
            assert col <= len(lines[row - 1]) + 1, line
    assert found >= 1
    assert re.search(r"^Found [1-9]\d* errors? and \d+ warnings?$", stdout, re.M)
