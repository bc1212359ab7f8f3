"""The mock's behaviour seen from a client: credentials, state, jobs, paging, downloads,
webhooks, idempotency, the bounded log, persistence, and that it names no product."""

from __future__ import annotations

import ast
import hashlib
import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest

from skillpress.contract.compile import compile_contract
from skillpress.contract.protocol import interpret
from skillpress.mock.server import MockServer
from skillpress.spec.model import Spec
from tests.mock.conftest import ROOT, Api, make_api

SIGNUP = {"human_email": "ops@example.com", "agent_name": "t", "runtime": "pytest", "return_token": True}


def data_of(api: Api, endpoint: str, reply: tuple[int, dict[str, str], Any]) -> Any:
    status, headers, body = reply
    read = interpret(api.contract, endpoint, status, headers, json.dumps(body).encode())
    assert read.ok, (status, body)
    return read.data


def error_of(api: Api, reply: tuple[int, dict[str, str], Any]) -> tuple[int, str | None]:
    status, headers, body = reply
    read = interpret(api.contract, None, status, headers, json.dumps(body).encode())
    assert not read.ok
    return status, read.error_code


# --------------------------------------------------------------------------- credentials


def test_a_signup_issues_a_credential_that_works(spec: Spec, mock: MockServer) -> None:
    api = Api(mock.url, compile_contract(spec))
    assert error_of(api, api("GET", "/v1/whoami", token=None)) == (401, "AUTH_REQUIRED")
    assert error_of(api, api("GET", "/v1/whoami", token="isk_r_" + "f" * 40)) == (401, "AUTH_REQUIRED")
    data = data_of(api, "agent-signups", api("POST", "/v1/agent-signups", SIGNUP, token=None))
    token = data["token"]
    assert token.startswith("isk_r_") and token != "isk_r_EXAMPLE"
    api.token = token
    assert api("GET", "/v1/whoami")[0] == 200
    again = data_of(api, "agent-signups", api("POST", "/v1/agent-signups", SIGNUP, token=None))["token"]
    assert again != token
    # the log keeps the request but never the credential
    logged = json.dumps(mock.requests())
    assert "/v1/whoami" in logged and token not in logged and "<redacted>" in logged


def test_seeded_credentials_work_and_unknown_ones_do_not(specs: dict[str, Spec]) -> None:
    spec = specs["firecrawl"]
    with MockServer(spec) as mock:
        api = make_api(mock, spec)
        assert api.token is not None and api.token.startswith("fc-")
        assert api("GET", "/v2/team/queue-status")[0] == 200
        assert error_of(api, api("GET", "/v2/team/queue-status", token="fc-" + "a" * 32)) == (401, "UNAUTHORIZED")
        assert error_of(api, api("GET", "/v2/team/queue-status", token=None)) == (401, "UNAUTHORIZED")


def test_the_log_never_holds_a_credential(api: Api, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="skillpress.mock"):
        api("GET", "/v1/whoami")
        api("GET", f"/v1/activity/{api.token}")
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "GET /v1/whoami -> 200" in text
    assert api.token and api.token not in text and "<redacted>" in text


def test_the_request_log_is_bounded(spec: Spec) -> None:
    with MockServer(spec) as mock:
        mock.app.log = type(mock.app.log)(maxlen=5)
        api = make_api(mock, spec)
        for index in range(12):
            api("GET", f"/v1/models?n={index}")
        logged = mock.requests()
        assert len(logged) == 5 and [list(pair) for pair in logged[-1]["query"]] == [["n", "11"]]
        assert logged[-1]["status"] == 400  # `n` is not a declared query parameter


# --------------------------------------------------------------------------- state


def test_created_resources_are_read_back_by_their_owner_only(spec: Spec, api: Api, mock: MockServer) -> None:
    created = data_of(api, "create", api("POST", "/v1/create", {"prompt": "a red fox"}))
    job_id, asset = created["job_id"], created["assets"][0]
    assert job_id != "job_example1" and asset["asset_id"] != "image_example1"
    job = data_of(api, "jobs-show", api("GET", f"/v1/jobs/{job_id}"))
    assert job["job"]["job_id"] == job_id
    shown = data_of(api, "assets-show", api("GET", f"/v1/assets/{asset['asset_id']}"))
    assert shown["asset"]["asset_id"] == asset["asset_id"] and shown["asset"]["url"] == asset["url"]
    other = make_api(mock, spec)
    assert error_of(other, other("GET", f"/v1/jobs/{job_id}")) == (404, "NOT_FOUND")
    assert error_of(api, api("GET", "/v1/jobs/job_nothing")) == (404, "NOT_FOUND")
    # ids the spec's examples name exist from the start
    assert api("GET", "/v1/jobs/job_example1")[0] == 200


def test_declared_events_are_recorded_and_listed_for_their_owner(spec: Spec, api: Api, mock: MockServer) -> None:
    created = data_of(api, "create", api("POST", "/v1/create", {"prompt": "p"}))
    job = created["job_id"]
    listed = data_of(api, "activity-list", api("GET", "/v1/activity"))["events"]
    declared = next(c for c in spec.commands if c.id == "create").events
    assert [e["type"] for e in reversed(listed)] == declared
    assert {e["subject"]["id"] for e in listed} == {job}
    assert listed == data_of(api, "activity-list", api("GET", "/v1/activity"))["events"]  # ids are stable
    assert data_of(api, "activity-list", api("GET", f"/v1/activity?subject={job}"))["events"] == listed
    assert data_of(api, "activity-show", api("GET", f"/v1/activity/{job}"))["events"] == listed
    assert data_of(api, "activity-list", api("GET", "/v1/activity?subject=job_other"))["events"] == []
    other = make_api(mock, spec)
    assert data_of(other, "activity-list", other("GET", "/v1/activity"))["events"] == []


def test_product_urls_point_at_the_mock_and_serve_bytes(api: Api) -> None:
    created = data_of(api, "create", api("POST", "/v1/create", {"prompt": "p"}))
    url = created["assets"][0]["url"]
    assert url.startswith(api.url + "/") and url.endswith(".png")
    first = api("GET", url[len(api.url) :], token=None)
    second = api("GET", url[len(api.url) :], token=None)
    assert first[0] == 200 and first[1]["content-type"] == "image/png"
    assert first[2] == second[2] and first[2].startswith(b"\x89PNG\r\n\x1a\n")


def test_download_steps_get_bytes_that_match_their_declared_size_and_digest(spec: Spec) -> None:
    contract = compile_contract(spec)
    command = next(c for c in contract["commands"] if c["routes"] and c["routes"][0]["endpoint"] == "assets-show")
    command["steps"].append(
        {
            "kind": "download",
            "phase": "after",
            "url": "asset.url",
            "type": "asset.mime_type",
            "size": "asset.content_length",
            "sha256": "asset.sha256",
        }
    )
    with MockServer(spec, contract=contract, starting_credits=100) as mock:
        api = make_api(mock, spec)
        created = data_of(api, "create", api("POST", "/v1/create", {"prompt": "p"}))
        asset = data_of(api, "assets-show", api("GET", f"/v1/assets/{created['assets'][0]['asset_id']}"))["asset"]
        status, headers, body = api("GET", asset["url"][len(api.url) :], token=None)
        assert status == 200 and headers["content-length"] == str(len(body))
        assert asset["content_length"] == len(body) and asset["sha256"] == hashlib.sha256(body).hexdigest()


def test_upload_steps_have_their_declared_facts_checked(spec: Spec) -> None:
    import base64

    from skillpress.mock.values import tiny_png

    contract = compile_contract(spec)
    command = next(c for c in contract["commands"] if c["routes"] and c["routes"][0]["endpoint"] == "upload")
    facts = {"source_kind": "kind", "filename": "name", "remote_origin": "origin", "mime_type": "mime"}
    facts |= {"content_length": "size", "sha256": "sha256", "bytes_base64": "base64"}
    command["steps"].append(
        {"kind": "upload", "phase": "before", "values": [], "endpoint": "upload", "body": facts}
        | {"types": {"png": "image/png"}, "max_bytes": 1000, "id": "asset.asset_id"}
    )
    png = tiny_png("x")
    good = {"source_kind": "local_path", "filename": "a.png", "remote_origin": None, "mime_type": "image/png"}
    good |= {"content_length": len(png), "sha256": hashlib.sha256(png).hexdigest()}
    good |= {"bytes_base64": base64.b64encode(png).decode()}
    with MockServer(spec, contract=contract) as mock:
        api = make_api(mock, spec)
        assert data_of(api, "upload", api("POST", "/v1/upload", good))["asset"]["asset_id"] != "image_upload1"
        for bad in (
            {"sha256": "0" * 64},
            {"content_length": len(png) + 1},
            {"mime_type": "text/html"},
            {"bytes_base64": "%%%"},
            {"bytes_base64": base64.b64encode(b"x" * 1001).decode(), "content_length": 1001},
        ):
            assert error_of(api, api("POST", "/v1/upload", {**good, **bad})) == (400, "INVALID_ARGUMENTS"), bad


def test_idempotency_keys_are_honoured(spec: Spec, api: Api, mock: MockServer) -> None:
    body = {"pack_id": "starter-500", "payment_method": "stripe_checkout", "idempotency_key": "k1"}
    first = api("POST", "/v1/credit-quotes", body)
    again = api("POST", "/v1/credit-quotes", body)
    assert first[0] == 200 and first[2] == again[2]
    assert error_of(api, api("POST", "/v1/credit-quotes", {**body, "pack_id": "builder-2000"})) == (
        409,
        "CREDIT_QUOTE_CONFLICT",
    )
    other = make_api(mock, spec)  # keys belong to one account
    assert other("POST", "/v1/credit-quotes", body)[0] == 200


def test_state_persists_in_a_db_file(spec: Spec, tmp_path: Path) -> None:
    db = tmp_path / "mock.sqlite"
    with MockServer(spec, db=str(db), starting_credits=100) as first:
        api = make_api(first, spec)
        created = data_of(api, "create", api("POST", "/v1/create", {"prompt": "p"}))
    with MockServer(spec, db=str(db)) as second:
        again = Api(second.url, api.contract)
        again.token = api.token
        assert again("GET", f"/v1/jobs/{created['job_id']}")[0] == 200


# --------------------------------------------------------------------------- jobs, paging, webhooks


class _Receiver(BaseHTTPRequestHandler):
    got: ClassVar[list[dict[str, Any]]] = []

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        _Receiver.got.append(json.loads(self.rfile.read(length)))
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


def test_a_job_progresses_pages_and_posts_its_webhook_events(specs: dict[str, Spec]) -> None:
    spec = specs["firecrawl"]
    receiver = HTTPServer(("127.0.0.1", 0), _Receiver)
    _Receiver.got = []
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    hook = f"http://127.0.0.1:{receiver.server_address[1]}/hook"
    try:
        with MockServer(spec, starting_credits=100_000) as mock:
            api = make_api(mock, spec)
            started = data_of(
                api, "crawl-start", api("POST", "/v2/crawl", {"url": "https://example.com", "webhook": {"url": hook}})
            )
            job = started["id"]
            assert job != "019c5a1e-3f2b-7c41-9a8e-5d6f7a8b9c0d"
            statuses, pages, target = [], 0, f"/v2/crawl/{job}"
            first = data_of(api, "crawl-status", api("GET", target))
            statuses.append(first["status"])
            while target:
                part = data_of(api, "crawl-status", api("GET", target))
                statuses.append(part["status"])
                pages += len(part["data"])
                target = part["next"][len(api.url) :] if part["next"] else ""
            assert statuses[0] == "scraping" and set(statuses[1:]) == {"completed"}
            assert pages == 21  # two full pages of ten and a last one
            mock.app.wait_for_webhooks()
            assert [e["type"] for e in _Receiver.got] == ["crawl.started", "crawl.page", "crawl.completed"]
            assert all(e["id"] == job for e in _Receiver.got)
            recorded = [row["type"] for row in mock.app.store.events()]
            assert recorded == ["crawl.started", "crawl.page", "crawl.completed"]
            # a job ended early stays ended
            other = data_of(api, "agent-start", api("POST", "/v2/agent", {"prompt": "who?"}))["id"]
            assert data_of(api, "agent-cancel", api("DELETE", f"/v2/agent/{other}")) == {"success": True}
            assert data_of(api, "agent-status", api("GET", f"/v2/agent/{other}"))["status"] == "cancelled"
            # a crawl id is not an agent id
            assert error_of(api, api("GET", f"/v2/agent/{job}")) == (404, "NOT_FOUND")
    finally:
        receiver.shutdown()
        receiver.server_close()


def test_webhooks_go_to_loopback_addresses_only(specs: dict[str, Spec]) -> None:
    spec = specs["firecrawl"]
    with MockServer(spec, starting_credits=100_000) as mock:
        api = make_api(mock, spec)
        body = {"url": "https://example.com", "webhook": {"url": "https://hooks.example.com/x"}}
        job = data_of(api, "crawl-start", api("POST", "/v2/crawl", body))["id"]
        api("GET", f"/v2/crawl/{job}")
        api("GET", f"/v2/crawl/{job}")
        rows = mock.app.store.events()
        assert [r["type"] for r in rows] == ["crawl.started", "crawl.page", "crawl.completed"]
        assert {r["target"] for r in rows} == {None} and {r["delivered"] for r in rows} == {None}


# --------------------------------------------------------------------------- no product in the mock


def _spec_names(spec: Spec) -> set[str]:
    names: set[str] = set()
    for command in spec.commands:
        names.add(command.path)
        names.update(command.words)
        names.update(f.name for f in command.flags)
    for endpoint in spec.endpoints:
        names.update({endpoint.id, endpoint.path})
        names.update(
            f.name for f in [*endpoint.body, *endpoint.query, *endpoint.path_params, *endpoint.response.fields]
        )
        for segment in endpoint.path.split("/"):
            names.add(segment)
    names.update(e.code for e in spec.error_codes)
    names.update(e.type for e in spec.events)
    names.update(str(u) for u in spec.product.urls.model_dump().values() if u)
    names.update({spec.product.id, spec.product.name, spec.product.cli_name})
    for field in ("success", "error"):
        envelope = getattr(spec.envelopes, field, None) if spec.envelopes else None
        names.update(f.name for f in envelope.fields) if envelope else None
    return {n for n in names if n and not n.startswith("{")}


PRODUCT_KEYED = {"sets", "fields", "endpoints", "error_codes", "urls", "statuses"}


def _vocabulary(node: Any, out: set[str]) -> set[str]:
    """Keys of skillpress's own formats (the compiled contract, the spec schema): not product names."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in PRODUCT_KEYED and isinstance(value, dict):
                out.add(key)
                for child in value.values():
                    _vocabulary(child, out)
                continue
            out.add(key)
            _vocabulary(value, out)
    elif isinstance(node, list):
        for item in node:
            _vocabulary(item, out)
    return out


def _schema_words() -> set[str]:
    from pydantic import BaseModel

    import skillpress.spec.model as model

    words: set[str] = set()
    for value in vars(model).values():
        if isinstance(value, type) and issubclass(value, BaseModel):
            for name, field in value.model_fields.items():
                words.update({name, field.alias or name})
    return words | set(model.SITUATIONS) | set(model.STEP_KINDS)


def test_the_mock_names_no_product(specs: dict[str, Spec]) -> None:
    """No string in the mock's code is a command, endpoint, field, code, event or URL of an example
    (words of skillpress's own formats, which a product may happen to use as well, excepted)."""
    names = set().union(*(_spec_names(s) for s in specs.values()))
    own = _schema_words()
    for spec in specs.values():
        own |= _vocabulary(compile_contract(spec), set())
    names -= own
    found: dict[str, set[str]] = {}
    for path in sorted((ROOT / "skillpress" / "mock").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in names:
                found.setdefault(path.name, set()).add(node.value)
        text = path.read_text(encoding="utf-8").lower()
        for spec in specs.values():
            for word in (spec.product.id, spec.product.name.lower(), spec.product.cli_name):
                if word in text:
                    found.setdefault(path.name, set()).add(word)
    assert found == {}


def test_skillpress_mock_command_is_registered() -> None:
    from tests.cli import invoke

    result = invoke(["mock", "--help"])
    assert result.exit_code == 0
    assert "--port" in result.output and "--db" in result.output
