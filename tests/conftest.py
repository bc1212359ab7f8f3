"""Shared pytest options and fixtures.

``--update-goldens`` makes golden-file tests rewrite their expected files from the
current output instead of comparing with them. Any golden test (the invalid-spec
corpus, rendered documents, ...) can take the ``update_goldens`` fixture or use the
``golden`` helper, which does the compare-or-rewrite in one call.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
MINIMAL_SPEC = REPO_ROOT / "tests" / "cases" / "minimal" / "spec.yaml"


def pytest_configure(config: pytest.Config) -> None:
    # Tool tests that ran, and a failing session when fewer than SKILLPRESS_MIN_TOOL_TESTS did.
    if not config.pluginmanager.has_plugin("tests.tool_tally"):
        config.pluginmanager.import_plugin("tests.tool_tally")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-goldens",
        action="store_true",
        default=False,
        help="rewrite golden (expected) files from the current output instead of comparing",
    )


@pytest.fixture(scope="session", autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory):
    """Keep skillpress's caches (compiled templates, check results) inside the test run."""
    previous = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("xdg-cache"))
    yield
    if previous is None:
        os.environ.pop("XDG_CACHE_HOME", None)
    else:
        os.environ["XDG_CACHE_HOME"] = previous


@pytest.fixture(scope="session")
def update_goldens(request: pytest.FixtureRequest) -> bool:
    """True when the run was started with --update-goldens."""
    return bool(request.config.getoption("--update-goldens"))


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def minimal_spec_text() -> str:
    """Text of tests/cases/minimal/spec.yaml, the smallest valid spec."""
    return MINIMAL_SPEC.read_text(encoding="utf-8")


@pytest.fixture
def write_spec(tmp_path: Path) -> Callable[..., Path]:
    """Write a spec (text or raw bytes) under tmp_path and return its path."""

    def write(content: str | bytes, name: str = "spec.yaml") -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    return write


@pytest.fixture
def golden(update_goldens: bool) -> Callable[[Path, str | bytes], None]:
    """Compare ``actual`` with the golden file at ``path``, or rewrite it with --update-goldens.

    A missing golden file fails (it is never created silently) unless the run updates
    goldens.
    """

    def check(path: Path, actual: str | bytes) -> None:
        data = actual.encode("utf-8") if isinstance(actual, str) else actual
        if update_goldens:
            path.parent.mkdir(parents=True, exist_ok=True)
            if not path.exists() or path.read_bytes() != data:
                path.write_bytes(data)
            return
        if not path.exists():
            pytest.fail(f"golden file {path} is missing; run pytest with --update-goldens to create it")
        expected = path.read_bytes()
        if expected != data:
            if isinstance(actual, str):
                # a text comparison gives pytest a readable diff
                assert actual == expected.decode("utf-8", errors="replace"), f"output differs from {path}"
            assert data == expected, f"output differs from {path}"

    return check
