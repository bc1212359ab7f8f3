"""The spec-driven mock: examples inside envelopes, request checks, state, logging."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

import pytest

from skillpress.mock.server import MockApp, MockServer
from skillpress.spec.model import Spec
from tests.mock.conftest import Api

ALLOWED_EXTRA_CODES = set(MockApp.MOCK_ONLY_CODES)


def _sample_path(endpoint: Any) -> str:
    path = endpoint.path
    samples = {
        "job_id": "job_example1",
        "asset_id": "image_example1",
        "model_id": "xai.grok-imagine-image",
        "capability_id": "is.image.generate.preview.v1",
        "reference": "evt_example1",
    }
    for name in endpoint.template_params:
        path = path.replace("{" + name + "}", samples.get(name, "x"))
    return path


def _sample_body(endpoint: Any) -> dict[str, Any]:
    values = {"string": "value", "integer": 1, "number": 0.5, "boolean": False, "object": {}, "array": []}
    body = {f.name: values[f.type] for f in endpoint.body if f.required}
    fixes = {
        "agent-signups": {"return_token": True},
        "credit-quotes": {"credits": 5},
        "credit-purchases": {"quote_id": "quote_example1"},
        "stripe-checkout-sessions": {"quote_id": "quote_example1"},
        "edit": {"input_asset_id": "image_example1"},
        "feedback": {"title": "t"},
    }
    body.update(fixes.get(endpoint.id, {}))
    if endpoint.id == "upload":
        import base64
        import hashlib

        png = b"\x89PNG\r\n\x1a\nxx"
        body.update(
            {
                "source_kind": "local_path",
                "filename": "a.png",
                "remote_origin": None,
                "mime_type": "image/png",
                "content_length": len(png),
                "sha256": hashlib.sha256(png).hexdigest(),
                "bytes_base64": base64.b64encode(png).decode(),
            }
        )
    return body


def test_every_endpoint_answers_its_example_in_an_envelope(spec: Spec, api: Api) -> None:
    api.signup()
    for endpoint in spec.endpoints:
        query = "?payment_attempt_id=payatt_example1" if endpoint.id == "credit-purchase-status" else ""
        body = _sample_body(endpoint) if endpoint.method != "GET" else None
        status, _, envelope = api(endpoint.method, _sample_path(endpoint) + query, body)
        assert status == endpoint.response.status, (endpoint.id, envelope)
        assert envelope["ok"] is True and envelope["error"] is None and envelope["warnings"] == []
        assert set(envelope) >= {"ok", "command", "trace_id", "actor", "data", "warnings", "error"}
        example = endpoint.response.example or {}
        assert set(envelope["data"]) >= set(example) - {"token_presented"}, endpoint.id
        for field in endpoint.response.fields:
            if field.required:
                assert field.name.split(".")[0].split("[")[0] in envelope["data"], (endpoint.id, field.name)


def test_routing_errors(api: Api) -> None:
    status, _, envelope = api("GET", "/v1/nothing-here")
    assert status == 404 and envelope["ok"] is False and envelope["error"]["code"] == "NOT_FOUND"
    status, _, envelope = api("DELETE", "/v1/models")
    assert status == 405


def test_auth_is_checked(api: Api) -> None:
    status, _headers, envelope = api("GET", "/v1/whoami", token=None)
    assert status == 401 and envelope["error"]["code"] == "AUTH_REQUIRED"
    assert "suggested_command" in envelope["error"]["recovery"]
    status, _, envelope = api("GET", "/v1/whoami", token="isk_r_" + "f" * 40)
    assert status == 401  # a well-formed token the mock never issued
    token = api.signup()
    status, _, envelope = api("GET", "/v1/whoami")
    assert status == 200 and envelope["actor"]["actor_id"] == envelope["data"]["actor_id"]
    assert token not in str(envelope)


def test_request_bodies_are_checked(spec: Spec, api: Api) -> None:
    api.signup()
    cases = [
        ({"credits": 5}, "missing required body field 'idempotency_key'"),
        ({"credits": "5", "idempotency_key": "k"}, "must be integer"),
        ({"credits": 5, "idempotency_key": "k", "payment_method": "cash"}, "must be one of"),
        ({"credits": 5, "idempotency_key": "k", "surprise": 1}, "unknown body field"),
    ]
    for body, message in cases:
        status, headers, envelope = api("POST", "/v1/credit-quotes", body)
        assert status == 400 and envelope["error"]["code"] == "INVALID_ARGUMENTS", envelope
        assert message in envelope["error"]["message"]
        # INVALID_ARGUMENTS exits 2 in the spec; a 400 alone would map to 1, so the header says so
        assert headers[spec.client.exit_code_header] == "2"
    status, _, envelope = api("POST", "/v1/credit-quotes", raw=b"{not json")
    assert status == 400
    status, _, envelope = api("GET", "/v1/activity?limit=abc")
    assert status == 400
    status, _, envelope = api("GET", "/v1/activity?bogus=1")
    assert status == 400


def test_quote_idempotency(api: Api) -> None:
    api.signup()
    body = {"pack_id": "starter-500", "payment_method": "stripe_checkout", "idempotency_key": "k1"}
    _, _, first = api("POST", "/v1/credit-quotes", body)
    _, _, again = api("POST", "/v1/credit-quotes", body)
    assert first["data"]["quote_id"] == again["data"]["quote_id"]
    assert first["data"]["credits"] == 500 and first["data"]["price_amount_cents"] == 500
    status, _, conflict = api("POST", "/v1/credit-quotes", {**body, "pack_id": "builder-2000"})
    assert status == 409 and conflict["error"]["code"] == "CREDIT_QUOTE_CONFLICT"
    assert "--idempotency-key" in conflict["error"]["recovery"]["suggested_command"]
    other = Api(api.url)
    other.signup()
    _, _, theirs = other("POST", "/v1/credit-quotes", body)  # keys belong to one agent
    assert theirs["data"]["quote_id"] != first["data"]["quote_id"]


def _balance(api: Api) -> int:
    return api("GET", "/v1/quota")[2]["data"]["limits"]["credits_remaining"]


def test_fake_purchase_grants_exactly_once(api: Api) -> None:
    api.signup()
    start = _balance(api)
    _, _, quote = api("POST", "/v1/credit-quotes", {"credits": 30, "idempotency_key": "q"})
    quote_id = quote["data"]["quote_id"]
    for key in ("p1", "p1", "p2"):
        status, _, bought = api("POST", "/v1/credit-purchases", {"quote_id": quote_id, "idempotency_key": key})
        assert status == 200 and bought["data"]["live_money"] is False
    assert _balance(api) == start + 30
    status, _, stripe_quote = api(
        "POST", "/v1/credit-quotes", {"credits": 5, "payment_method": "stripe_checkout", "idempotency_key": "s"}
    )
    status, _, _refused = api(
        "POST", "/v1/credit-purchases", {"quote_id": stripe_quote["data"]["quote_id"], "idempotency_key": "x"}
    )
    assert status == 400


def test_create_debits_and_records_jobs_assets_and_events(spec: Spec, api: Api, mock: MockServer) -> None:
    api.signup()
    start = _balance(api)
    status, _, dry = api("POST", "/v1/create", {"prompt": "p", "dry_run": True})
    assert status == 200 and dry["data"]["quota"]["consumed_credits"] == 0
    assert _balance(api) == start
    status, _, created = api("POST", "/v1/create", {"prompt": "p", "output_count": 2})
    assert status == 200, created
    cost = created["data"]["cost"]["credit_pricing"]["credits_required"]
    assert _balance(api) == start - cost
    assert len(created["data"]["assets"]) == 2
    job_id = created["data"]["job_id"]
    status, _, job = api("GET", f"/v1/jobs/{job_id}")
    assert job["data"]["job"]["status"] == "completed" and len(job["data"]["job"]["assets"]) == 2
    asset = created["data"]["assets"][0]
    status, _, shown = api("GET", f"/v1/assets/{asset['asset_id']}")
    meta = shown["data"]["asset"]
    status, headers, data = api("GET", meta["url"][len(api.url) :])
    import hashlib

    assert status == 200 and headers["content-type"] == "image/png"
    assert hashlib.sha256(data).hexdigest() == meta["sha256"] and len(data) == meta["content_length"]
    _, _, activity = api("GET", f"/v1/activity?subject={job_id}")
    types = {e["type"] for e in activity["data"]["events"]}
    assert types <= set(spec.event_types)
    assert {"job.completed", "usage.credit_consumed"} <= types
    every = {row[0] for row in mock.app.db.execute("SELECT type FROM events")}
    assert every <= set(spec.event_types)
    _, _, shown = api("GET", f"/v1/activity/{job_id}")
    assert shown["data"]["events"]


def test_spending_beyond_the_balance_is_refused(spec: Spec, mock: MockServer) -> None:
    with MockServer(spec, starting_credits=0) as poor:
        api = Api(poor.url)
        api.signup()
        status, _headers, envelope = api("POST", "/v1/create", {"prompt": "p"})
        assert status == 402 and envelope["error"]["code"] in ALLOWED_EXTRA_CODES | set(spec.error_codes_by_code)


def test_other_agents_cannot_see_my_jobs(api: Api) -> None:
    api.signup()
    _, _, created = api("POST", "/v1/create", {"prompt": "p"})
    other = Api(api.url)
    other.signup()
    status, _, _envelope = other("GET", f"/v1/jobs/{created['data']['job_id']}")
    assert status == 404


def test_checkout_urls_keep_their_fragment(api: Api) -> None:
    api.signup()
    _, _, quote = api(
        "POST",
        "/v1/credit-quotes",
        {"pack_id": "starter-500", "payment_method": "stripe_checkout", "idempotency_key": "k"},
    )
    _, _, buy = api(
        "POST",
        "/v1/credit-purchases/stripe-checkout-sessions",
        {"quote_id": quote["data"]["quote_id"], "idempotency_key": "b"},
    )
    url = buy["data"]["checkout_url"]
    assert re.search(r"#fid\S+", url)
    assert buy["data"]["checkout_compact_url"] == url == buy["data"]["next"]["fallback_checkout_url"]
    _, _, status = api("GET", f"/v1/credit-purchases/status?payment_attempt_id={buy['data']['payment_attempt_id']}")
    assert status["data"]["payment_attempt"]["checkout_url"] == url
    code, _, _ = api("GET", "/v1/credit-purchases/status")
    assert code == 400  # exactly one reference


def test_upload_is_verified(api: Api) -> None:
    api.signup()
    body = _sample_body(type("E", (), {"id": "upload", "body": []})())
    status, _, ok = api("POST", "/v1/upload", body)
    assert status == 200 and ok["data"]["asset"]["asset_id"].startswith("image_")
    status, _, _bad = api("POST", "/v1/upload", {**body, "sha256": "0" * 64})
    assert status == 400
    status, headers, policy = api("POST", "/v1/upload", {**body, "mime_type": "text/html"})
    assert status == 400 and policy["error"]["code"] == "INPUT_POLICY_DENIED"
    assert headers["x-image-skill-exit-code"] == "6"


def test_state_persists_in_a_db_file(spec: Spec, tmp_path: Path) -> None:
    db = tmp_path / "mock.sqlite"
    with MockServer(spec, db_path=str(db)) as first:
        api = Api(first.url)
        token = api.signup()
    with MockServer(spec, db_path=str(db)) as second:
        status, _, _envelope = Api(second.url)("GET", "/v1/whoami", token=token)
        assert status == 200


def test_the_log_never_holds_a_token(api: Api, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="skillpress.mock"):
        token = api.signup()
        api("GET", "/v1/whoami")
        api("GET", f"/v1/activity/{token}")
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "GET /v1/whoami -> 200" in text
    assert token not in text and "<redacted>" in text


def test_skillpress_mock_command_is_registered() -> None:

    from tests.cli import invoke

    result = invoke(["mock", "--help"])
    assert result.exit_code == 0
    assert "--port" in result.output and "--db" in result.output
