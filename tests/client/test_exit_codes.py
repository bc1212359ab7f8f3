"""HTTP replies → exit codes, the exit-code header, retries, timeouts and request shape."""

from __future__ import annotations

import json
import socket
from typing import Any

import pytest

from tests.client.conftest import Client
from tests.client.stubs import Reply, Stub, envelope

TOKEN = "isk_r_" + "T" * 24
AUTH = {"IMAGE_SKILL_TOKEN": TOKEN}


def _error(code: str = "X") -> dict[str, Any]:
    return envelope(ok=False, error={"code": code, "message": "refused", "retryable": False})


@pytest.fixture
def cli(client_for: Any, stub: Stub) -> Client:
    return client_for(stub.url)


@pytest.mark.parametrize(
    "status, expected",
    [(401, 3), (403, 3), (402, 5), (429, 5), (500, 7), (503, 7), (404, 1), (409, 1), (422, 1), (200, 1)],
)
def test_failed_envelopes_map_http_status_to_exit_code(cli: Client, stub: Stub, status: int, expected: int) -> None:
    stub.route("GET", "/v1/jobs/job_1", Reply(status, _error(f"E{status}"), headers={"Retry-After": "0"}))
    result = cli("jobs", "show", "job_1", "--json", env=AUTH)
    assert result.code == expected, result.stdout
    assert result.json["error"]["code"] == f"E{status}"  # the server's envelope passes through


def test_get_retries_are_bounded_and_post_is_never_retried(cli: Client, stub: Stub, table: dict[str, Any]) -> None:
    stub.route("GET", "/v1/jobs/job_1", Reply(500, _error(), headers={"Retry-After": "0"}))
    assert cli("jobs", "show", "job_1", "--json", env=AUTH).code == 7
    assert stub.hits("GET", "/v1/jobs/job_1") == 1 + table["client"]["get_retries"]
    stub.route("POST", "/v1/feedback", Reply(503, _error()))
    assert cli("feedback", "create", "--title", "t", "--json", env=AUTH).code == 7
    assert stub.hits("POST", "/v1/feedback") == 1


def test_a_retry_that_succeeds_exits_0(cli: Client, stub: Stub) -> None:
    replies = iter([Reply(503, _error()), Reply(200, envelope({"models": []}))])
    stub.route("GET", "/v1/models", lambda: next(replies))
    result = cli("models", "list", "--json")
    assert result.code == 0 and stub.hits("GET", "/v1/models") == 2


def test_ok_true_exits_0_whatever_the_status_or_header(cli: Client, stub: Stub) -> None:
    stub.route("GET", "/v1/models", Reply(500, envelope({"models": []}), headers={"x-image-skill-exit-code": "4"}))
    assert cli("models", "list", "--json").code == 0


def test_the_exit_code_header_is_honoured(cli: Client, stub: Stub) -> None:
    stub.route(
        "GET", "/v1/jobs/job_1", Reply(400, _error("INPUT_POLICY_DENIED"), headers={"x-image-skill-exit-code": "6"})
    )
    assert cli("jobs", "show", "job_1", "--json", env=AUTH).code == 6


@pytest.mark.parametrize("junk", ["abc", "6.5", "-1", "42", "", " ", "1e3", "0"])
def test_a_junk_exit_code_header_is_ignored(cli: Client, stub: Stub, junk: str) -> None:
    stub.route("GET", "/v1/jobs/job_1", Reply(400, _error(), headers={"x-image-skill-exit-code": junk}))
    result = cli("jobs", "show", "job_1", "--json", env=AUTH)
    assert result.code == 1, (junk, result.stdout, result.stderr)
    assert result.stderr == ""


def test_non_json_replies(cli: Client, stub: Stub) -> None:
    stub.route(
        "GET", "/v1/jobs/job_html", Reply(502, raw=b"<html>bad gateway</html>", headers={"Content-Type": "text/html"})
    )
    stub.route("GET", "/v1/jobs/job_plain", Reply(200, {"job": {"status": "completed"}}))
    html = cli("jobs", "show", "job_html", "--json", env=AUTH)
    assert html.code == 7
    assert html.json["error"]["code"] == "HOSTED_API_NON_JSON_RESPONSE" and html.json["error"]["retryable"] is True
    plain = cli("jobs", "show", "job_plain", "--json", env=AUTH)
    assert plain.code == 1
    assert plain.json["error"]["code"] == "HOSTED_API_NON_JSON_RESPONSE" and plain.json["error"]["retryable"] is False


def test_missing_warnings_become_a_list(cli: Client, stub: Stub) -> None:
    stub.route("GET", "/v1/models", Reply(200, envelope({"models": []}, warnings=None)))
    result = cli("models", "list", "--json")
    assert result.code == 0 and result.json["warnings"] == []


def test_connection_refused_exits_7(client_for: Any) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = client_for(f"http://127.0.0.1:{port}")("models", "list", "--json")
    assert result.code == 7
    assert result.json["error"]["code"] == "HOSTED_API_REQUEST_FAILED"
    assert result.json["error"]["retryable"] is True


def test_a_slow_server_times_out_with_exit_8(cli: Client, stub: Stub) -> None:
    stub.route("GET", "/v1/models", Reply(200, envelope({"models": []}), delay=3))
    result = cli("models", "list", "--json", env={"SKILLPRESS_CLIENT_TIMEOUT_SECONDS": "0.4"}, timeout=20)
    assert result.code == 8, result.stdout
    assert result.json["error"]["code"] == "TIMEOUT"
    assert stub.hits("GET", "/v1/models") == 1  # a timed-out request is not retried


def test_request_shape(cli: Client, stub: Stub, spec: Any) -> None:
    stub.route("GET", "/v1/models/a%2Fb%20c%3Fd", Reply(200, envelope({"model_id": "a/b c?d"})))
    assert cli("models", "show", "a/b c?d", "--json").code == 0
    request = stub.requests[-1]
    assert request["headers"]["accept"] == "application/json"
    assert request["headers"]["user-agent"] == f"image-skill/{spec.product.version} (skillpress)"
    assert "authorization" not in request["headers"]  # auth: none → no token, even if one exists
    stub.route("GET", "/v1/activity", Reply(200, envelope({"events": []})))
    assert cli("activity", "list", "--limit", "5", "--subject", "job_1", "--json", env=AUTH).code == 0
    assert stub.requests[-1]["path"] == "/v1/activity?limit=5&subject=job_1"
    assert stub.requests[-1]["headers"]["authorization"] == f"Bearer {TOKEN}"


def test_body_from_flag_fields_and_defaults(cli: Client, stub: Stub) -> None:
    stub.route("POST", "/v1/feedback", Reply(201, envelope({"feedback_id": "feedback_1"})))
    result = cli(
        "feedback", "create", "--title", "T", "--surface", "cli, docs", "--evidence", "trace:t1", "--json", env=AUTH
    )
    assert result.code == 0
    body = json.loads(stub.requests[-1]["body"])
    assert body == {
        "type": "user_feedback",
        "title": "T",
        "surface": ["cli", "docs"],
        "evidence": ["trace:t1"],
        "severity": "medium",
        "confidence": "medium",
        "next_state": "watch",
    }
