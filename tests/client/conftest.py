"""Fixtures for the client tests: compiled contracts of both examples, a stub server, a runner.

The runner calls the client's real entry (``skillpress.client.main.main``) in this
process with a clean environment (HOME and XDG_CONFIG_HOME under tmp_path), binary
stdout/stderr captured, and a fake clock so polls and retry pauses take no time.
``Client.subprocess`` runs ``python -m skillpress.client`` instead, for what only a real
process shows (argv bytes, the console entry).
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from skillpress.contract.compile import compile_contract
from skillpress.spec import load_spec
from skillpress.spec.model import Spec
from tests.client.stubs import Stub

ROOT = Path(__file__).resolve().parents[2]
IMAGE_SPEC = ROOT / "examples" / "image-skill" / "spec.yaml"
FIRECRAWL_SPEC = ROOT / "examples" / "firecrawl" / "spec.yaml"


def load(path: Path) -> Spec:
    result = load_spec(path)
    assert result.spec is not None and result.ok, f"{path} does not validate: {result.diagnostics}"
    return result.spec


@pytest.fixture(scope="session")
def image_spec() -> Spec:
    return load(IMAGE_SPEC)


@pytest.fixture(scope="session")
def firecrawl_spec() -> Spec:
    return load(FIRECRAWL_SPEC)


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str
    raw: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.stdout)


class FakeClock:
    """``sleep`` advances ``now``; nothing waits for real."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds

    def __call__(self) -> float:
        return self.now


class Client:
    """Runs the client of ``spec`` against ``base`` with a clean environment rooted in ``home``."""

    def __init__(self, spec_path: Path, home: Path, base: str | None, base_env: str | None) -> None:
        self.spec_path = spec_path
        self.home = home
        self.base = base
        self.base_env = base_env
        self.cwd = home / "work"
        self.cwd.mkdir(parents=True, exist_ok=True)
        self.bundle = home / "bundle"
        self.bundle.mkdir(parents=True, exist_ok=True)
        spec = load(spec_path)
        self.contract = compile_contract(spec)
        (self.bundle / "contract.json").write_text(json.dumps(self.contract), encoding="utf-8")
        (self.bundle / "SKILL.md").write_text(f"# skill of {spec.product.id}\n", encoding="utf-8")
        hooks = spec.protocol.hooks if spec.protocol else None
        self.hooks = str((spec_path.parent / hooks).resolve()) if hooks else None
        self.clock = FakeClock()
        self.extra_env: dict[str, str] = {}

    def config_path(self) -> Path:
        config = self.contract["protocol"]["config"]
        return self.home / "xdg" / config["folder"] / config["file"]

    def env(self, extra: dict[str, str | None] | None = None) -> dict[str, str]:
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(self.home),
            "XDG_CONFIG_HOME": str(self.home / "xdg"),
            "LANG": "C.UTF-8",
        }
        if self.base and self.base_env:
            env[self.base_env] = self.base
        env.update(self.extra_env)
        for key, value in (extra or {}).items():
            if value is None:
                env.pop(key, None)
            else:
                env[key] = value
        return env

    def __call__(
        self, *args: str, env: dict[str, str | None] | None = None, stdin: str | bytes | None = None
    ) -> Result:
        from skillpress.client import runtime
        from skillpress.client.main import main

        out, err = io.BytesIO(), io.BytesIO()
        raw_in = stdin.encode() if isinstance(stdin, str) else (stdin or b"")
        original = runtime._sleep, runtime._monotonic
        runtime._sleep, runtime._monotonic = self.clock.sleep, self.clock
        cwd = os.getcwd()
        os.chdir(self.cwd)
        try:
            code = main(
                list(args),
                env=self.env(env),
                stdin=io.BytesIO(raw_in),
                stdout=out,
                stderr=err,
                contract=self.contract,
                hooks_dir=self.hooks,
                bundle_dir=str(self.bundle),
            )
        finally:
            os.chdir(cwd)
            runtime._sleep, runtime._monotonic = original
        raw = out.getvalue()
        return Result(code, raw.decode("utf-8", "replace"), err.getvalue().decode("utf-8", "replace"), raw)

    def subprocess(self, *args: str | bytes, env: dict[str, str | None] | None = None, stdin: bytes = b"") -> Result:
        full = self.env(env)
        full["SKILLPRESS_CLIENT_CONTRACT"] = str(self.bundle / "contract.json")
        full["PYTHONPATH"] = str(ROOT)
        proc = subprocess.run(
            [sys.executable, "-m", "skillpress.client", *args],
            input=stdin,
            capture_output=True,
            env=full,
            cwd=self.cwd,
            timeout=60,
        )
        return Result(
            proc.returncode, proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace"), proc.stdout
        )


def base_env_of(spec_path: Path) -> str | None:
    contract = compile_contract(load(spec_path))
    names = contract["protocol"]["base_url"]["env"]
    return names[0] if names else None


@pytest.fixture
def stub() -> Iterator[Stub]:
    server = Stub().start()
    yield server
    server.stop()


@pytest.fixture
def firecrawl(tmp_path: Path, stub: Stub) -> Client:
    return Client(FIRECRAWL_SPEC, tmp_path, stub.url, "FIRECRAWL_API_URL")


@pytest.fixture
def image(tmp_path: Path, stub: Stub) -> Client:
    return Client(IMAGE_SPEC, tmp_path, stub.url, base_env_of(IMAGE_SPEC))
