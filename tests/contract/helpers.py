"""Shared bits of the contract tests: the specs, their compiled contracts, fixed effects."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from skillpress.contract.compile import compile_contract
from skillpress.contract.requests import Effects
from skillpress.spec import load_spec
from skillpress.spec.model import Spec

ROOT = Path(__file__).resolve().parents[2]
SPECS_DIR = Path(__file__).resolve().parent / "specs"
CRAWLER = SPECS_DIR / "crawler.yaml"
KEYED = SPECS_DIR / "keyed.yaml"
IMAGE_SKILL = ROOT / "examples" / "image-skill" / "spec.yaml"
FIRECRAWL = ROOT / "examples" / "firecrawl" / "spec.yaml"
# A case whose spec.yaml links one of the fixtures below pins that fixture's rendered
# tree; the spec itself is listed once, as a fixture (the legacy-parity tests take cases).
CASE_SPECS = sorted(p for p in (ROOT / "tests" / "cases").glob("*/spec.yaml") if not p.is_symlink())
EXAMPLE_SPECS = sorted((ROOT / "examples").glob("*/spec.yaml"))
FIXTURE_SPECS = sorted(SPECS_DIR.glob("*.yaml"))
ALL_SPECS = CASE_SPECS + EXAMPLE_SPECS + FIXTURE_SPECS

NOW = 1_700_000_000.25  # 2023-11-14T22:13:20.25Z


@cache
def spec_of(path: Path) -> Spec:
    result = load_spec(path)
    assert result.spec is not None and result.ok, [d.format_text() for d in result.diagnostics]
    return result.spec


@cache
def _contract(path: Path) -> Any:
    return compile_contract(spec_of(path))


def contract_of(path: Path) -> dict[str, Any]:
    """A fresh deep copy, so a test may change it freely."""
    import copy

    return copy.deepcopy(_contract(path))


def effects(files: Mapping[str, bytes] | None = None, stdin: bytes = b"", base_url: str | None = None) -> Effects:
    """Fixed clock and randomness; reads from ``files`` (a missing path raises OSError)."""
    files = dict(files or {})

    def read_file(path: str, limit: int) -> bytes:
        if path not in files:
            raise FileNotFoundError(2, "No such file or directory")
        return files[path][: limit + 1]

    return Effects(
        now=lambda: NOW,
        random_bytes=lambda n: bytes((i * 7 + 3) % 256 for i in range(n)),
        read_file=read_file,
        read_stdin=lambda limit: stdin[: limit + 1],
        base_url=base_url,
    )
