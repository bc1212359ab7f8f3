"""Issue 10's promise, end to end: in an empty folder outside this repository,
`skillpress init`, `build`, `check`, `site build` and `publish --out dist/` work with no
further arguments, and the published wheel installs into a fresh virtual environment
and runs the scaffolded product's client against the product's mock."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from skillpress.mock.server import MockServer
from skillpress.spec import load_spec


def _skillpress(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "skillpress", *args], cwd=cwd, capture_output=True, text=True, timeout=600
    )


@pytest.fixture(scope="module")
def released(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = tmp_path_factory.mktemp("outside") / "weather-desk"
    made = _skillpress(["init", str(project)], project.parent)
    assert made.returncode == 0, made.stderr
    for args in (["build"], ["check"], ["site", "build"], ["publish", "--out", "dist/"]):
        proc = _skillpress(args, project)
        assert proc.returncode == 0, (args, proc.stdout, proc.stderr)
    verify = _skillpress(["verify", "dist"], project)
    assert verify.returncode == 0, verify.stdout + verify.stderr
    return project


def test_the_release_holds_the_products_wheel_skills_and_site(released: Path) -> None:
    dist = released / "dist"
    wheels = sorted((dist / "client").glob("*.whl"))
    assert [w.name for w in wheels] == ["weather_desk-0.1.0-py3-none-any.whl"]
    assert (dist / "skills-bundle" / "skills" / "weather-desk" / "SKILL.md").is_file()
    assert (dist / "site" / "index.html").is_file()
    assert json.loads((dist / "release.json").read_text())["version"] == "0.1.0"


def test_the_wheel_installs_alone_and_its_client_talks_to_the_mock(released: Path, tmp_path: Path) -> None:
    venv = tmp_path / "env"
    assert subprocess.run([sys.executable, "-m", "venv", str(venv)], capture_output=True, timeout=300).returncode == 0
    wheel = next((released / "dist" / "client").glob("*.whl"))
    install = subprocess.run(
        [
            str(venv / "bin" / "python"),
            "-m",
            "pip",
            "--isolated",
            "install",
            "--no-index",
            "--no-cache-dir",
            str(wheel),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert install.returncode == 0, install.stdout + install.stderr
    client = venv / "bin" / "weather-desk"
    version = subprocess.run(
        [str(client), "version", "--json"], capture_output=True, text=True, timeout=60, cwd=tmp_path
    )
    assert version.returncode == 0, version.stderr
    assert json.loads(version.stdout)["data"]["version"] == "0.1.0"
    spec = load_spec(released / "spec.yaml").spec
    assert spec is not None
    with MockServer(spec) as mock:
        ping = subprocess.run(
            [str(client), "ping", "--json"],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=tmp_path,
            env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "WEATHER_DESK_API_BASE_URL": mock.url},
        )
    assert ping.returncode == 0, ping.stdout + ping.stderr
    assert json.loads(ping.stdout)["data"] == {"pong": True}
