"""site/agent/openapi.json: the spec's endpoints as OpenAPI 3.1, checked three ways.

1. It is a valid OpenAPI 3.1 document (openapi-spec-validator) that says what the spec
   says: paths, methods, parameters, bodies, security, envelopes, errors, examples.
2. Every documented command example, run through the client against the mock, gets
   responses that the document describes (status listed, body valid against its schema).
3. A bounded schemathesis run against the mock finds no server error and no response
   that breaks the document.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jsonschema
import pytest

from skillpress.contract.compile import compile_contract
from skillpress.mock.server import MockServer
from skillpress.render import render_all
from skillpress.render.openapi import object_schema, openapi_document, openapi_url, render_openapi
from skillpress.spec import load_spec
from skillpress.spec.model import FieldSpec, Spec

ROOT = Path(__file__).resolve().parents[2]
CASES = ROOT / "tests" / "cases"
IMAGE_SPEC = ROOT / "examples" / "image-skill" / "spec.yaml"
FIRECRAWL_SPEC = ROOT / "examples" / "firecrawl" / "spec.yaml"
EXAMPLE_SPECS = sorted((ROOT / "examples").glob("*/spec.yaml"))
SPECS = [*EXAMPLE_SPECS, *sorted(p / "spec.yaml" for p in CASES.iterdir() if (p / "spec.yaml").is_file())]


def load(path: Path) -> Spec:
    result = load_spec(path)
    assert result.spec is not None and result.ok, path
    return result.spec


@pytest.fixture(scope="module")
def spec() -> Spec:
    return load(IMAGE_SPEC)


@pytest.fixture(scope="module")
def doc(spec: Spec) -> dict[str, Any]:
    return json.loads(render_all(spec).files["site/agent/openapi.json"])


# --------------------------------------------------------------------------- helpers


def operation_for(doc: dict[str, Any], method: str, path: str) -> dict[str, Any] | None:
    for template, item in doc["paths"].items():
        pattern = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$"
        if re.match(pattern, path) and method.lower() in item:
            return item[method.lower()]
    return None


def response_schema(doc: dict[str, Any], op: dict[str, Any], status: int) -> dict[str, Any] | None:
    response = op["responses"].get(str(status)) or op["responses"].get("default")
    if response is None:
        return None
    if "$ref" in response:
        response = doc["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
    return response["content"]["application/json"]["schema"]


def problems(doc: dict[str, Any], schema: dict[str, Any], value: Any) -> list[str]:
    """Validate ``value``; ``#/components/...`` references resolve inside ``doc``."""
    validator = jsonschema.Draft202012Validator({**schema, "components": doc["components"]})
    return [f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}" for e in validator.iter_errors(value)]


# --------------------------------------------------------------------------- the document


@pytest.mark.parametrize("path", SPECS, ids=lambda p: f"{'example' if p in EXAMPLE_SPECS else 'case'}-{p.parent.name}")
def test_rendered_document_is_valid_openapi_3_1(path: Path) -> None:
    from openapi_spec_validator import OpenAPIV31SpecValidator, validate

    spec = load(path)
    text = render_all(spec).files["site/agent/openapi.json"].decode("utf-8")
    document = json.loads(text)
    assert document["openapi"] == "3.1.0"
    validate(document, cls=OpenAPIV31SpecValidator)
    assert text == render_openapi(spec) and json.loads(render_openapi(spec)) == openapi_document(spec)
    assert document["info"]["version"] == spec.product.version
    assert document["servers"] == [{"url": spec.product.urls.api.rstrip("/")}]


def test_document_lines_name_the_endpoint_that_changed(doc: dict[str, Any], spec: Spec) -> None:
    lines = render_openapi(spec).splitlines()
    for endpoint in spec.endpoints:
        assert sum(line.startswith(json.dumps(endpoint.path) + ":") for line in lines) == 1


def test_every_endpoint_is_an_operation(doc: dict[str, Any], spec: Spec) -> None:
    ops = {(path, method.upper()): op for path, item in doc["paths"].items() for method, op in item.items()}
    assert set(ops) == {(e.path, e.method) for e in spec.endpoints}
    for endpoint in spec.endpoints:
        op = ops[(endpoint.path, endpoint.method)]
        assert op["operationId"] == endpoint.id and op["summary"] == endpoint.summary
        assert (
            op["security"]
            == {"none": [], "optional": [{"bearerToken": []}, {}], "required": [{"bearerToken": []}]}[
                endpoint.auth.value
            ]
        )
        params = {(p["in"], p["name"]): p for p in op.get("parameters", [])}
        assert {n for w, n in params if w == "path"} == set(endpoint.template_params)
        assert all(p["required"] for (w, _), p in params.items() if w == "path")
        assert {n for w, n in params if w == "query"} == {q.name for q in endpoint.query}
        for field in endpoint.query:
            assert params[("query", field.name)]["required"] is field.required
        if endpoint.body:
            body = op["requestBody"]["content"]["application/json"]["schema"]
            top = {f.name.split(".")[0].split("[")[0] for f in endpoint.body}
            assert set(body["properties"]) == top and body["additionalProperties"] is False
            assert set(body.get("required", [])) == {f.name for f in endpoint.body if f.required and "." not in f.name}
        else:
            assert "requestBody" not in op
        assert str(endpoint.response.status) in op["responses"] and "default" in op["responses"]
        for code in endpoint.errors:
            known = spec.error_codes_by_code[code]
            if known.http_status is not None and known.source == "server":
                assert f"`{code}`" in op["responses"][str(known.http_status)]["description"]
        # the commands that call it: directly, through a route, or in a step (an upload)
        commands = [
            f"image-skill {c.path}"
            for c in spec.commands
            if not c.hidden
            and endpoint.id
            in {c.endpoint, *(r.endpoint for r in c.routes), *(getattr(st.params, "endpoint", None) for st in c.steps)}
        ]
        assert op.get("x-commands", []) == commands


def test_token_endpoints_use_a_bearer_scheme(doc: dict[str, Any]) -> None:
    scheme = doc["components"]["securitySchemes"]["bearerToken"]
    assert scheme["type"] == "http" and scheme["scheme"] == "bearer"
    assert "IMAGE_SKILL_TOKEN" in scheme["description"]


def test_success_responses_wrap_data_in_the_envelope(doc: dict[str, Any], spec: Spec) -> None:
    for endpoint in spec.endpoints:
        op = operation_for(doc, endpoint.method, endpoint.path.replace("{", "").replace("}", ""))
        assert op is not None
        schema = response_schema(doc, op, endpoint.response.status)
        assert schema["allOf"][0] == {"$ref": "#/components/schemas/SuccessEnvelope"}
        data = schema["allOf"][1]["properties"]["data"]
        assert data == object_schema(endpoint.response.fields)
        example = op["responses"][str(endpoint.response.status)]["content"]["application/json"]["example"]
        assert problems(doc, schema, example) == [], endpoint.id
        if endpoint.response.example is not None:
            assert example["data"] == endpoint.response.example
    error = doc["components"]["responses"]["ErrorEnvelope"]["content"]["application/json"]
    assert problems(doc, error["schema"], error["example"]) == []
    assert error["example"] == spec.envelopes.error.example


def test_dotted_field_names_become_nested_schemas() -> None:
    fields = [
        FieldSpec(name="methods", type="array", required=True),
        FieldSpec(name="methods[].method_id", required=True, choices=["fake", "stripe_checkout"]),
        FieldSpec(name="next.human_action"),
        FieldSpec(name="quote", type="object", nullable=True),
        FieldSpec(name="state", required=True, nullable=True, choices=["a"]),
    ]
    schema = object_schema(fields)
    assert schema["required"] == ["methods", "state"]
    items = schema["properties"]["methods"]["items"]
    assert items["required"] == ["method_id"] and items["properties"]["method_id"]["enum"] == [
        "fake",
        "stripe_checkout",
    ]
    assert schema["properties"]["next"] == {"type": "object", "properties": {"human_action": {"type": "string"}}}
    assert schema["properties"]["quote"]["type"] == ["object", "null"]
    assert schema["properties"]["state"]["enum"] == ["a", None]
    jsonschema.Draft202012Validator.check_schema(schema)


def test_llms_txt_and_the_api_page_point_at_the_document(spec: Spec) -> None:
    files = render_all(spec).files
    url = openapi_url(spec)
    assert url == "https://image-skill.com/openapi.json"
    llms = files["site/agent/llms.txt"].decode()
    paragraph = next(p for p in llms.split("\n\n") if "commands.json" in p)
    assert url in paragraph and f"]({url})" not in llms, "a bare URL in the prose, not a markdown link"
    assert "(/openapi.json)" in files["site/docs/api.md"].decode()


def test_a_spec_without_endpoints_has_no_document(tmp_path: Path) -> None:
    text = (CASES / "minimal" / "spec.yaml").read_text(encoding="utf-8")
    spec = load(CASES / "minimal" / "spec.yaml")
    data = spec.model_dump(mode="json", exclude_none=True)
    data["endpoints"] = []
    for command in data["commands"]:
        command.pop("endpoint", None)
    bare = Spec.model_validate(data)
    files = render_all(bare).files
    assert "site/agent/openapi.json" not in files
    assert "openapi" not in files["site/agent/llms.txt"].decode().lower()
    assert text  # the case itself keeps its endpoint


# --------------------------------------------------------------------------- the mock agrees


@pytest.mark.parametrize(
    "path",
    [IMAGE_SPEC, FIRECRAWL_SPEC, CASES / "minimal" / "spec.yaml"],
    ids=["image-skill", "firecrawl", "minimal"],
)
def test_documented_examples_get_responses_the_document_describes(path: Path, tmp_path: Path) -> None:
    """Each command example runs through the client against a fresh mock; every reply conforms."""
    from tests.client.test_executable_docs import run_documented

    spec = load(path)
    document = openapi_document(spec)
    checked: list[tuple[str, str, int]] = []
    broken: list[str] = []
    for command in spec.commands:
        for index, example in enumerate(command.examples):
            home = tmp_path / f"{command.id}-{index}"
            contract = compile_contract(spec)
            with MockServer(spec, contract=contract, starting_credits=1_000_000) as mock:
                original = mock.app.handle
                seen: list[tuple[str, str, Any]] = []

                def handle(
                    method: str,
                    target: str,
                    headers: dict[str, str],
                    body: bytes,
                    *,
                    _original: Any = original,
                    _seen: list = seen,
                ) -> Any:
                    reply = _original(method, target, headers, body)
                    _seen.append((method, urlsplit(target).path, reply))
                    return reply

                mock.app.handle = handle  # type: ignore[method-assign]
                run_documented(path, spec, example, mock, contract, home)
            for method, target, reply in seen:
                if not reply.content_type.startswith("application/json"):
                    continue  # downloadable bytes the mock serves itself, not part of the API
                label = f"{' '.join(example.argv)}: {method} {target} -> {reply.status}"
                op = operation_for(document, method, target)
                if op is None:
                    broken.append(f"{label}: no such operation")
                    continue
                schema = response_schema(document, op, reply.status)
                if schema is None:
                    broken.append(f"{label}: status not documented")
                    continue
                found = problems(document, schema, json.loads(reply.body))
                broken += [f"{label}: {p}" for p in found]
                checked.append((method, target, reply.status))
    assert checked, "no request reached the mock"
    assert broken == [], "\n".join(broken)


def test_schemathesis_finds_no_server_error_or_schema_violation(spec: Spec, tmp_path: Path) -> None:
    pytest.importorskip("schemathesis", reason="schemathesis is part of the test extras")
    cli = Path(sys.executable).with_name("schemathesis")
    if not cli.is_file():
        pytest.skip(f"no schemathesis command next to {sys.executable}")
    document = tmp_path / "openapi.json"
    document.write_bytes(render_all(spec).files["site/agent/openapi.json"])
    with MockServer(spec, starting_credits=100_000) as mock:
        import urllib.request

        request = urllib.request.Request(
            mock.url + "/v1/agent-signups",
            method="POST",
            headers={"Content-Type": "application/json"},
            data=json.dumps(
                {
                    "human_email": "ops@example.com",
                    "agent_name": "schemathesis",
                    "runtime": "pytest",
                    "return_token": True,
                }
            ).encode(),
        )
        with urllib.request.urlopen(request, timeout=30) as reply:
            token = json.load(reply)["data"]["token"]
        proc = subprocess.run(
            [
                str(cli),
                "run",
                str(document),
                "--url",
                mock.url,
                "-H",
                f"Authorization: Bearer {token}",
                "--checks",
                "not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance",
                "--phases",
                "examples,coverage,fuzzing",
                "--mode",
                "all",
                "--max-examples",
                "15",
                "--seed",
                "1",
                "--workers",
                "1",
                "--generation-database",
                "none",
                "--no-color",
                "--continue-on-failure",
            ],
            capture_output=True,
            text=True,
            timeout=900,
            cwd=tmp_path,
        )
        served = len(mock.app.requests)
    assert proc.returncode == 0, proc.stdout[-8000:] + proc.stderr[-2000:]
    assert served > 100, f"schemathesis sent only {served} requests"
    assert re.search(r"\d+ generated, \d+ passed", proc.stdout), proc.stdout[-2000:]
