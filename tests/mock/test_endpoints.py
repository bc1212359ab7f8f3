"""Every endpoint of both example products answers its declared success shape for a valid
request and its declared errors for bad ones, read through the declared reply style.

Valid requests come from the spec's own command examples through THE request mapping
(``contract.requests.build``); an endpoint no example calls gets its required fields.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from skillpress.contract.compile import compile_contract
from skillpress.contract.invocation import Problem, parse_argv
from skillpress.contract.protocol import interpret
from skillpress.contract.requests import Effects, build
from skillpress.mock.server import MockServer
from skillpress.spec.model import Endpoint, Spec
from tests.mock.conftest import EXAMPLES, Api, make_api

SAMPLES: dict[str, Any] = {"string": "value", "integer": 1, "number": 0.5, "boolean": False, "object": {}, "array": []}
WRONG: dict[str, Any] = {"string": 5, "integer": "x", "number": "x", "boolean": "x", "object": [], "array": {}}


def _effects(url: str) -> Effects:
    return Effects(
        now=lambda: 0.0,
        random_bytes=lambda n: b"\x01" * n,
        read_file=lambda path, limit: b"{}",
        read_stdin=lambda limit: b"",
        base_url=url,
    )


def example_requests(spec: Spec, contract: dict[str, Any], url: str) -> dict[str, list[Any]]:
    """Endpoint id -> the requests the spec's successful examples send (THE mapping)."""
    found: dict[str, list[Any]] = {}
    for command in spec.commands:
        if any(s.kind in ("upload", "hook") for s in command.steps):
            continue  # the client adds to these requests (file facts, a hook's fields)
        for example in command.examples:
            if example.exit_code != 0:
                continue
            try:
                invocation = parse_argv(contract, example.argv, {})
                built = build(contract, invocation, effects=_effects(url))
            except Problem:
                continue
            if built is not None:
                found.setdefault(built.request.endpoint, []).append(built.request)
    return found


def _set(body: dict[str, Any], name: str, value: Any) -> None:
    parts = name.split(".")
    for part in parts[:-1]:
        body = body.setdefault(part, {})
    body[parts[-1]] = value


def _upload_facts(spec: Spec, endpoint: Endpoint) -> dict[str, Any]:
    """Body fields an upload step fills for ``endpoint``, with the facts of a real file."""
    import base64
    import hashlib

    for command in spec.commands:
        for step in command.steps:
            params = step.params
            if step.kind != "upload" or getattr(params, "endpoint", None) != endpoint.id:
                continue
            ext, mime = next(iter(params.types.items()))
            data = b"skillpress upload test bytes"
            facts = {
                "kind": (params.kinds or {}).get("file", "file") if hasattr(params, "kinds") else "file",
                "name": f"sample.{ext}",
                "mime": mime,
                "size": len(data),
                "sha256": hashlib.sha256(data).hexdigest(),
                "base64": base64.b64encode(data).decode(),
                "origin": None,
            }
            return {name: facts[fact] for name, fact in params.body.items()}
    return {}


def minimal_body(endpoint: Endpoint, spec: Spec | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {}
    uploaded = _upload_facts(spec, endpoint) if spec is not None else {}
    for field in endpoint.body:
        if field.name in uploaded:
            _set(body, field.name, uploaded[field.name])
        elif field.required:
            _set(body, field.name, field.choices[0] if field.choices else SAMPLES[field.type])
    return body


def _target(api: Api, mock: MockServer, endpoint: Endpoint) -> str:
    """A path for ``endpoint``: parameters from a record a linked endpoint made, else from the examples."""
    path = endpoint.path
    plan = mock.app.plan.by_id[endpoint.id]
    for name in endpoint.template_params:
        value = None
        for creator in sorted(plan.links):
            made = mock.app.plan.by_id[creator].endpoint
            status, _, reply = api(made.method, made.path, minimal_body(made))
            data = interpret(api.contract, creator, status, {}, json.dumps(reply).encode()).data
            value = _find_id(data, set(mock.app.plan.by_id[creator].id_keys))
            if value:
                break
        if not value:  # an id the spec's examples name, which the mock knows from the start
            value = _find_id(plan.example, {name}) or min(
                s for s in mock.app.plan.example_strings if s.isidentifier() and len(s) > 3
            )
        path = path.replace("{" + name + "}", value)
    return path


def _find_id(data: Any, keys: set[str]) -> str | None:
    stack = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if key in keys and isinstance(value, str):
                    return value
                stack.append(value)
        elif isinstance(node, list):
            stack.extend(node)
    return None


def _check_shape(endpoint: Endpoint, data: Any) -> None:
    example = endpoint.response.example or {}
    assert isinstance(data, dict), (endpoint.id, data)
    assert set(data) >= set(example), (endpoint.id, sorted(set(example) - set(data)))
    for field in endpoint.response.fields:
        if field.required:
            assert field.name.split(".")[0].split("[")[0] in data, (endpoint.id, field.name)


@pytest.mark.parametrize("name", EXAMPLES)
def test_every_endpoint_answers_its_declared_success_shape(name: str, specs: dict[str, Spec]) -> None:
    spec = specs[name]
    contract = compile_contract(spec)
    with MockServer(spec, starting_credits=10_000) as mock:
        api = make_api(mock, spec)
        requests = example_requests(spec, contract, mock.url)
        answered: set[str] = set()
        for endpoint in spec.endpoints:
            sent = requests.get(endpoint.id) or []
            if not sent:
                body = minimal_body(endpoint, spec) if endpoint.method != "GET" else None
                status, headers, reply = api(endpoint.method, _target(api, mock, endpoint), body)
                calls = [(status, headers, reply)]
            else:
                calls = []
                for request in sent:
                    body = request.body if request.method != "GET" else None
                    calls.append(api(request.method, request.target(), body))
            for status, headers, reply in calls:
                read = interpret(contract, endpoint.id, status, headers, json.dumps(reply).encode())
                assert read.ok and status == endpoint.response.status, (endpoint.id, status, read.message, reply)
                _check_shape(endpoint, read.data)
                answered.add(endpoint.id)
        assert answered == {e.id for e in spec.endpoints}
        logged = {entry["endpoint"] for entry in mock.requests()}
        assert logged >= answered


def _expect_error(contract: dict[str, Any], reply: tuple[int, dict[str, str], Any], status: int, code: str) -> None:
    got_status, headers, body = reply
    read = interpret(contract, None, got_status, headers, json.dumps(body).encode())
    assert (got_status, read.ok, read.error_code) == (status, False, code), (read.message, body)
    header = contract["protocol"]["replies"].get("exit_code_header")
    if header:
        assert headers[header.lower()] == str(contract["error_codes"][code]["exit_code"])


def _code_with(contract: dict[str, Any], status: int, declared: list[str]) -> str:
    statuses = contract["protocol"]["replies"]["statuses"]
    if str(status) in statuses:
        return str(statuses[str(status)])
    codes = [c for c in declared if contract["error_codes"][c]["http_status"] == status]
    return codes[0]


@pytest.mark.parametrize("name", EXAMPLES)
def test_every_endpoint_answers_its_declared_errors(name: str, specs: dict[str, Spec]) -> None:
    spec = specs[name]
    contract = compile_contract(spec)
    with MockServer(spec, starting_credits=10_000) as mock:
        api = make_api(mock, spec)
        shape = contract["protocol"]["credential"]["shape"] or ""
        forged = mock.issue_credential()
        mock.app.db.execute("DELETE FROM credentials")  # well formed, but no longer known
        api.token = mock.issue_credential()
        for endpoint in spec.endpoints:
            body = minimal_body(endpoint) if endpoint.method != "GET" else None
            path = _target(api, mock, endpoint)
            if endpoint.auth.value == "required":
                code = _code_with(contract, 401, list(endpoint.errors))
                _expect_error(contract, api(endpoint.method, path, body, token=None), 401, code)
                _expect_error(contract, api(endpoint.method, path, body, token=forged), 401, code)
                assert forged.startswith(shape.lstrip("^")[:2])
            invalid = mock.app.replies.code_for("invalid", list(endpoint.errors))
            bad_status = contract["error_codes"].get(invalid, {}).get("http_status") or 400
            if endpoint.method != "GET":
                _expect_error(
                    contract, api(endpoint.method, path, {**(body or {}), "zz_unknown": 1}), bad_status, invalid
                )
                _expect_error(contract, api(endpoint.method, path, raw=b"{not json"), bad_status, invalid)
                for field in endpoint.body:
                    if "." in field.name:
                        continue
                    wrong = dict(body or {})
                    wrong[field.name] = WRONG[field.type]
                    _expect_error(contract, api(endpoint.method, path, wrong), bad_status, invalid)
                    if field.required:
                        missing = {k: v for k, v in (body or {}).items() if k != field.name}
                        _expect_error(contract, api(endpoint.method, path, missing), bad_status, invalid)
                    if field.choices and field.type == "string":
                        _expect_error(
                            contract,
                            api(endpoint.method, path, {**(body or {}), field.name: "zz"}),
                            bad_status,
                            invalid,
                        )
            sep = "&" if "?" in path else "?"
            _expect_error(contract, api(endpoint.method, path + sep + "zz_unknown=1", body), bad_status, invalid)
        not_found = _code_with(
            contract, 404, [c for c, e in contract["error_codes"].items() if e["http_status"] == 404]
        )
        status, headers, reply = api("GET", "/zz/nothing/here")
        assert status == 404
        assert interpret(contract, None, status, headers, json.dumps(reply).encode()).error_code in {
            c for c, e in contract["error_codes"].items() if e["http_status"] == 404
        } | {not_found}
        first = spec.endpoints[0]
        other = "PATCH" if first.method != "PATCH" else "PUT"
        assert api(other, first.path.replace("{", "").replace("}", ""))[0] in (404, 405)
