"""Fixtures for the mock tests: the spec, an in-process mock on port 0, a tiny HTTP helper."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from skillpress.mock.server import MockServer
from skillpress.spec import load_spec
from skillpress.spec.model import Spec

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def spec() -> Spec:
    result = load_spec(ROOT / "examples" / "image-skill" / "spec.yaml")
    assert result.spec is not None and result.ok
    return result.spec


class Api:
    def __init__(self, url: str) -> None:
        self.url = url
        self.token: str | None = None

    def __call__(
        self, method: str, path: str, body: Any = None, *, token: str | bool | None = True, raw: bytes | None = None
    ) -> tuple[int, dict[str, str], Any]:
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        request = urllib.request.Request(self.url + path, data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        bearer = self.token if token is True else (token or None)
        if bearer:
            request.add_header("Authorization", f"Bearer {bearer}")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                status, headers, payload = response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as exc:
            status, headers, payload = exc.code, dict(exc.headers), exc.read()
        try:
            return status, {k.lower(): v for k, v in headers.items()}, json.loads(payload)
        except ValueError:
            return status, {k.lower(): v for k, v in headers.items()}, payload

    def signup(self) -> str:
        status, _, envelope = self(
            "POST",
            "/v1/agent-signups",
            {"human_email": "ops@example.com", "agent_name": "t", "runtime": "pytest", "return_token": True},
            token=None,
        )
        assert status == 201, envelope
        self.token = envelope["data"]["token"]
        return self.token


@pytest.fixture
def mock(spec: Spec) -> Iterator[MockServer]:
    with MockServer(spec, starting_credits=50) as server:
        yield server


@pytest.fixture
def api(mock: MockServer) -> Api:
    return Api(mock.url)
