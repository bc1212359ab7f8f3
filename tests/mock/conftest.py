"""Fixtures for the mock tests: both example specs, their contracts, in-process mocks, an HTTP helper."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from skillpress.contract.compile import compile_contract
from skillpress.mock.server import MockServer
from skillpress.spec import load_spec
from skillpress.spec.model import Spec

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ("image-skill", "firecrawl")


def load(name: str) -> Spec:
    result = load_spec(ROOT / "examples" / name / "spec.yaml")
    assert result.spec is not None and result.ok
    return result.spec


@pytest.fixture(scope="session")
def specs() -> dict[str, Spec]:
    return {name: load(name) for name in EXAMPLES}


@pytest.fixture(scope="session")
def spec(specs: dict[str, Spec]) -> Spec:
    return specs["image-skill"]


class Api:
    """Calls a mock the way the spec's protocol says: the credential in its declared place."""

    def __init__(self, url: str, contract: dict[str, Any]) -> None:
        self.url = url
        self.contract = contract
        self.token: str | None = None

    def __call__(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        token: str | bool | None = True,
        raw: bytes | None = None,
    ) -> tuple[int, dict[str, str], Any]:
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        secret = self.token if token is True else (token or None)
        settings = self.contract["protocol"]["credential"] or {}
        if secret and settings.get("scheme") == "query":
            path += ("&" if "?" in path else "?") + f"{settings['name']}={secret}"
        request = urllib.request.Request(self.url + path, data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        if secret and settings.get("scheme") != "query":
            request.add_header(settings.get("name") or "Authorization", (settings.get("prefix") or "") + secret)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                status, headers, payload = response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as exc:
            status, headers, payload = exc.code, dict(exc.headers), exc.read()
        try:
            return status, {k.lower(): v for k, v in headers.items()}, json.loads(payload)
        except ValueError:
            return status, {k.lower(): v for k, v in headers.items()}, payload


def make_api(mock: MockServer, spec: Spec) -> Api:
    api = Api(mock.url, compile_contract(spec))
    api.token = mock.issue_credential()
    return api


@pytest.fixture
def mock(spec: Spec) -> Iterator[MockServer]:
    with MockServer(spec, starting_credits=50) as server:
        yield server


@pytest.fixture
def api(mock: MockServer, spec: Spec) -> Api:
    return make_api(mock, spec)
