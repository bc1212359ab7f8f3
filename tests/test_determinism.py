"""The same spec gives byte-identical files across runs and PYTHONHASHSEED values."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from skillpress.render import is_text, render_all
from skillpress.spec import load_spec

ROOT = Path(__file__).resolve().parent.parent
SPECS = [*sorted((ROOT / "examples").glob("*/spec.yaml")), ROOT / "tests/cases/edge/spec.yaml"]

DIGEST = """
import hashlib, sys
from skillpress.render import render_all
from skillpress.spec import load_spec
files = render_all(load_spec(sys.argv[1]).spec).files
h = hashlib.sha256()
for path, data in files.items():
    h.update(path.encode() + b"\\0" + data + b"\\0")
print(h.hexdigest())
"""


def _digest(files: dict[str, bytes]) -> str:
    h = hashlib.sha256()
    for path, data in files.items():
        h.update(path.encode() + b"\0" + data + b"\0")
    return h.hexdigest()


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.parent.name if p.name == "spec.yaml" else p.stem)
def test_render_is_deterministic_across_runs_and_hash_seeds(spec: Path) -> None:
    first = render_all(load_spec(spec).spec).files
    second = render_all(load_spec(spec).spec).files
    assert first == second
    expected = _digest(first)
    for seed in ("0", "1", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT)}
        out = subprocess.run(
            [sys.executable, "-c", DIGEST, str(spec)], capture_output=True, text=True, env=env, check=True, timeout=120
        )
        assert out.stdout.strip() == expected, f"PYTHONHASHSEED={seed} changed the output"


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.parent.name if p.name == "spec.yaml" else p.stem)
def test_text_files_use_lf_and_one_final_newline(spec: Path) -> None:
    for path, data in render_all(load_spec(spec).spec).files.items():
        if not is_text(path):
            continue  # binary skill archives under .well-known/
        assert b"\r" not in data, path
        assert data.endswith(b"\n") and not data.endswith(b"\n\n"), path
        text = data.decode("utf-8")
        assert all(line == line.rstrip() for line in text.split("\n")), f"trailing spaces in {path}"
