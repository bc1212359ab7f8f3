"""Fixtures for the thin client tests: the spec, a compiled table, mocks, stubs, a runner.

The client always runs as a subprocess (``python -m skillpress.client``) with a clean
environment: HOME and XDG_CONFIG_HOME under tmp_path, the API base pointed at a local
server, and ``SKILLPRESS_CLIENT_TABLE`` at a table compiled from the spec under test.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from skillpress.client_table import compile_table, render_table_json
from skillpress.spec import load_spec
from skillpress.spec.model import Spec
from tests.client.stubs import Stub

ROOT = Path(__file__).resolve().parents[2]
IMAGE_SPEC = ROOT / "examples" / "image-skill" / "spec.yaml"
MINIMAL_SPEC = ROOT / "tests" / "cases" / "minimal" / "spec.yaml"


def load(path: Path) -> Spec:
    result = load_spec(path)
    assert result.spec is not None and result.ok, f"{path} does not validate"
    return result.spec


@pytest.fixture(scope="session")
def spec() -> Spec:
    return load(IMAGE_SPEC)


@pytest.fixture(scope="session")
def table_file(spec: Spec, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("table") / "table.json"
    path.write_text(render_table_json(spec), encoding="utf-8")
    write_skill(spec, path.parent)
    return path


@pytest.fixture(scope="session")
def table(spec: Spec) -> dict[str, Any]:
    return compile_table(spec)


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str
    raw: bytes

    @property
    def json(self) -> dict[str, Any]:
        return json.loads(self.stdout)


class Client:
    """Runs the client against ``base`` with a clean environment rooted in ``home``."""

    def __init__(self, table: Path, home: Path, base: str | None) -> None:
        self.table = table
        self.home = home
        self.base = base
        self.cwd = home / "work"
        self.cwd.mkdir(parents=True, exist_ok=True)

    @property
    def config_path(self) -> Path:
        return self.home / "xdg" / "image-skill" / "config.json"

    def env(self, extra: dict[str, str | None] | None = None) -> dict[str, str]:
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(self.home),
            "XDG_CONFIG_HOME": str(self.home / "xdg"),
            "LANG": "C.UTF-8",
            "SKILLPRESS_CLIENT_TABLE": str(self.table),
        }
        if self.base:
            env["IMAGE_SKILL_API_BASE_URL"] = self.base
        for key, value in (extra or {}).items():
            if value is None:
                env.pop(key, None)
            else:
                env[key] = value
        return env

    def __call__(
        self,
        *args: str,
        env: dict[str, str | None] | None = None,
        stdin: str | None = None,
        cwd: Path | None = None,
        timeout: float = 60,
    ) -> Result:
        proc = subprocess.run(
            [sys.executable, "-m", "skillpress.client", *args],
            input=(stdin if stdin is not None else "").encode(),
            capture_output=True,
            env=self.env(env),
            cwd=cwd or self.cwd,
            timeout=timeout,
        )
        return Result(
            proc.returncode, proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace"), proc.stdout
        )


@pytest.fixture
def mock(spec: Spec) -> Iterator[Any]:
    from skillpress.mock.server import MockServer

    server = MockServer(spec, starting_credits=1000).start()
    yield server
    server.stop()


@pytest.fixture
def stub() -> Iterator[Stub]:
    server = Stub().start()
    yield server
    server.stop()


@pytest.fixture
def client_for(table_file: Path, tmp_path: Path) -> Callable[[str | None], Client]:
    def make(base: str | None) -> Client:
        return Client(table_file, tmp_path, base)

    return make


@pytest.fixture
def client(client_for: Callable[[str | None], Client], mock: Any) -> Client:
    return client_for(mock.url)


def signup_token(client: Client) -> str:
    """Sign up through the client with --show-token and return the token."""
    result = client(
        "signup",
        "--agent",
        "--agent-contact",
        "ops@example.com",
        "--agent-name",
        "tester",
        "--runtime",
        "pytest",
        "--show-token",
        "--json",
    )
    assert result.code == 0, result.stdout
    token = result.json["data"]["token"]
    assert isinstance(token, str) and token
    return token


def write_skill(spec: Spec, folder: Path) -> Path:
    """The canonical SKILL.md beside a table, as a published client bundles them together."""
    from skillpress.render import render_all

    path = folder / "SKILL.md"
    path.write_bytes(render_all(spec).files["site/agent/skill.md"])
    return path


def run_example(spec: Spec, example: Any, mock_url: str, folder: Path) -> Result:
    """Run one documented example through the client against the mock at ``mock_url``.

    The client gets a table compiled from ``spec`` pointed at the mock, the files the
    examples name (``prompt.md``, ``source.png``), and, when the spec has a token
    variable, a fresh token from the mock's signup; an example that pipes the spec's
    token prefix on stdin gets that token instead of its placeholder.
    """
    from skillpress.mock.server import tiny_png

    table = compile_table(spec)
    table["urls"]["api"] = mock_url  # for specs without an api-base-url env var (the minimal one)
    folder.mkdir(parents=True, exist_ok=True)
    table_path = folder / "table.json"
    table_path.write_text(json.dumps(table), encoding="utf-8")
    write_skill(spec, folder)
    client = Client(table_path, folder, mock_url)
    (client.cwd / "prompt.md").write_text("A prompt kept in a file.\n", encoding="utf-8")
    (client.cwd / "source.png").write_bytes(tiny_png("source"))
    env: dict[str, str | None] = {}
    stdin = example.stdin
    if table["env"]["token"]:
        token = _signup_for_examples(client, spec)
        env[table["env"]["token"]] = token
        prefix = spec.client.token_prefix if spec.client else None
        if stdin is not None and prefix and stdin.strip().startswith(prefix):
            stdin = token
    return client(*example.argv, env=env, stdin=stdin)


def _signup_for_examples(client: Client, spec: Spec) -> str:
    signup = next(c for c in spec.commands if c.behavior is not None and c.behavior.value == "signup")
    argv = [*signup.path.split()]
    for flag in signup.flags:
        if flag.required:
            argv += [flag.name] if flag.type.value == "boolean" else [flag.name, "value-for-test"]
    result = client(*argv, "--show-token", "--json")
    assert result.code == 0, result.stdout
    return result.json["data"]["token"]
