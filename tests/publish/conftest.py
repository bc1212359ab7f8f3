"""Fixtures for the release tests: one `skillpress publish` of this repository per session.

The repository's generated files must be fresh (``python build.py --check``); when they
are not, publishing refuses, and so does the fixture, with check's findings.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from skillpress.project import Project
from skillpress.publish import publish
from skillpress.spec import load_spec
from skillpress.spec.model import Spec

ROOT = Path(__file__).resolve().parents[2]
#: The example product: a project with its own skillpress.toml.
PROJECT = ROOT / "examples" / "image-skill"
SPEC = PROJECT / "spec.yaml"

#: What a project needs besides its spec for `publish` to pass its check: every generated file.
GENERATED = ("skills", "site", "CHANGELOG.md", ".skillpress-manifest.json")


@dataclass
class Published:
    out: Path
    spec: Spec
    code: int
    stdout: str
    stderr: str

    @property
    def manifest(self) -> dict:
        return json.loads((self.out / "release.json").read_text(encoding="utf-8"))

    def one(self, pattern: str) -> Path:
        found = sorted(self.out.glob(pattern))
        assert len(found) == 1, f"{pattern}: {found}"
        return found[0]

    @property
    def wheel(self) -> Path:
        return self.one("client/*.whl")

    @property
    def sdist(self) -> Path:
        return self.one("client/*.tar.gz")

    @property
    def bundle(self) -> Path:
        return self.out / "skills-bundle"


def run_publish(spec: Path, out: Path, root: Path) -> tuple[int, str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    code = publish(Project(root, spec), out.absolute(), stdout=stdout, stderr=stderr)
    return code, stdout.getvalue(), stderr.getvalue()


@pytest.fixture(scope="session")
def published(tmp_path_factory: pytest.TempPathFactory) -> Published:
    result = load_spec(SPEC)
    assert result.spec is not None and result.ok, "the image-skill example does not validate"
    out = tmp_path_factory.mktemp("release") / "dist"
    code, stdout, stderr = run_publish(SPEC, out, PROJECT)
    if code != 0:
        pytest.fail(
            f"publish refused the repository (exit {code}); run `python build.py --no-site`:\n"
            f"{stdout[-3000:]}\n{stderr[-1000:]}"
        )
    return Published(out, result.spec, code, stdout, stderr)


def copy_project(dest: Path) -> Path:
    """A project holding this repository's spec and generated files; returns its spec path."""
    (dest / "source").mkdir(parents=True)
    shutil.copy2(SPEC, dest / "source" / SPEC.name)
    hooks = SPEC.parent / "hooks"  # the product's hooks package, next to its spec
    if hooks.is_dir():
        shutil.copytree(hooks, dest / "source" / "hooks", ignore=shutil.ignore_patterns("__pycache__"))
    for rel in GENERATED:
        source = PROJECT / rel
        if source.is_dir():
            shutil.copytree(source, dest / rel, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, dest / rel)
    return dest / "source" / SPEC.name


@pytest.fixture(scope="session")
def fresh_venv(published: Published, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new virtual environment with only the published wheel installed (offline, no deps)."""
    venv = tmp_path_factory.mktemp("venv") / "env"
    proc = subprocess.run([sys.executable, "-m", "venv", str(venv)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    python = venv / "bin" / "python"
    # --isolated: no pip configuration (find-links and all), so nothing but the wheel is available
    proc = subprocess.run(
        [
            str(python),
            "-m",
            "pip",
            "--isolated",
            "install",
            "--no-index",
            "--no-cache-dir",
            "--disable-pip-version-check",
            str(published.wheel),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return venv
