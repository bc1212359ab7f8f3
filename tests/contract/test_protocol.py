"""The wire protocol: base URL, credentials, replies, exit codes, retries, redaction."""

from __future__ import annotations

import json
from typing import Any

import pytest

from skillpress.contract import protocol
from skillpress.contract.protocol import ProtocolProblem
from skillpress.contract.requests import Request
from tests.contract.helpers import CRAWLER, KEYED, contract_of

KEY = "cr-" + "A1b2C3d4E5"
KD = "kd_" + "Z9y8X7w6V5"


def reply(
    path: Any, status: int, body: Any, headers: dict[str, str] | None = None, endpoint: str | None = None
) -> protocol.Reply:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return protocol.interpret(contract_of(path), endpoint, status, headers or {}, raw)


# --------------------------------------------------------------------------- codes


def test_situations_map_to_the_spec_codes_and_exit_codes() -> None:
    crawler = contract_of(CRAWLER)
    assert protocol.situation_exit(crawler, "usage") == ("INVALID_ARGUMENTS", 2)
    assert protocol.situation_exit(crawler, "credential_missing") == ("AUTH_REQUIRED", 3)
    assert protocol.situation_exit(crawler, "network") == ("NETWORK_FAILED", 1)


def test_unresolved_situation_falls_back_to_a_defined_exit_code() -> None:
    contract = contract_of(CRAWLER)
    contract["protocol"]["errors"]["usage"] = None
    assert protocol.situation_exit(contract, "usage") == ("USAGE", 1)
    contract["exit_codes"] = [0, 4, 9]
    assert protocol.fallback_exit(contract) == 4


# --------------------------------------------------------------------------- base URL


def test_base_url_flag_then_env_in_order_then_default() -> None:
    contract = contract_of(CRAWLER)
    env = {"CRAWLER_API_URL": "https://self.example:8443/ignored/path"}
    assert protocol.resolve_base(contract, {}, {}).url == "https://api.crawler.example.com"
    base = protocol.resolve_base(contract, {}, env)
    assert (base.url, base.source) == ("https://self.example:8443", "CRAWLER_API_URL")
    flagged = protocol.resolve_base(contract, {"--api-url": "HTTPS://Other.Example:443/"}, env)
    assert (flagged.url, flagged.source) == ("https://other.example", "--api-url")
    assert protocol.resolve_base(contract, {}, {"CRAWLER_API_URL": "  "}).source == "default"


@pytest.mark.parametrize(
    ("policy", "url", "accepted"),
    [
        ("loopback", "http://127.0.0.1:3002", True),
        ("loopback", "http://localhost", True),
        ("loopback", "http://[::1]:8080", True),
        ("loopback", "http://self.example", False),
        ("none", "http://127.0.0.1", False),
        ("any", "http://self.example", True),
    ],
)
def test_http_bases_follow_the_policy(policy: str, url: str, accepted: bool) -> None:
    contract = contract_of(KEYED)
    contract["protocol"]["base_url"]["http"] = policy
    if accepted:
        assert protocol.resolve_base(contract, {"--api-base-url": url}, {}).url.startswith("http://")
    else:
        with pytest.raises(ProtocolProblem) as caught:
            protocol.resolve_base(contract, {"--api-base-url": url}, {})
        assert caught.value.situation == "base_refused"


@pytest.mark.parametrize("url", ["ftp://x.example", "https://user:pw@x.example", "https://x.example:99999", "nonsense"])
def test_unusable_bases_are_refused(url: str) -> None:
    with pytest.raises(ProtocolProblem) as caught:
        protocol.resolve_base(contract_of(KEYED), {"--api-base-url": url}, {})
    assert caught.value.situation == "base_refused"
    # a spec without a base_refused code reports a usage error instead
    with pytest.raises(ProtocolProblem) as usage:
        protocol.resolve_base(contract_of(CRAWLER), {"--api-url": url}, {})
    assert usage.value.situation == "usage"


# --------------------------------------------------------------------------- credentials


def test_credential_sources_in_order() -> None:
    contract = contract_of(CRAWLER)
    env = {"CRAWLER_API_KEY": "cr-FromEnvironment"}
    flagged = protocol.resolve_credential(contract, {"--api-key": KEY}, env)
    assert flagged is not None and (flagged.secret, flagged.kind, flagged.name) == (KEY, "flag", "--api-key")
    from_env = protocol.resolve_credential(contract, {}, env)
    assert from_env is not None and from_env.kind == "env"
    assert protocol.resolve_credential(contract, {}, {"CRAWLER_API_KEY": " "}) is None
    assert KEY not in repr(flagged)


def test_stdin_source_is_read_only_when_its_switch_is_given() -> None:
    contract = contract_of(KEYED)
    calls: list[int] = []

    def read() -> str:
        calls.append(1)
        return KD + "\n"

    found = protocol.resolve_credential(contract, {"--key-stdin": True}, {}, read_stdin=read)
    assert found is not None and (found.secret, found.kind) == (KD, "stdin")
    assert protocol.resolve_credential(contract, {}, {}, read_stdin=read) is None and len(calls) == 1
    with pytest.raises(ProtocolProblem) as tty:
        protocol.resolve_credential(contract, {"--key-stdin": True}, {}, read_stdin=read, stdin_is_tty=True)
    assert tty.value.situation == "usage"
    # empty stdin: the next source answers
    found = protocol.resolve_credential(
        contract, {"--key-stdin": True}, {}, read_stdin=lambda: "", config={"api_key": KD}
    )
    assert found is not None and found.kind == "config"


def test_credential_that_does_not_look_like_one_is_refused() -> None:
    with pytest.raises(ProtocolProblem, match="does not look like one"):
        protocol.resolve_credential(contract_of(CRAWLER), {"--api-key": "hello"}, {})


def test_where_a_credential_may_go() -> None:
    keyed = contract_of(KEYED)
    env_key = protocol.Credential(KD, "env", "KEYED_API_KEY")
    assert protocol.credential_refusal(keyed, env_key, "https://api.keyed.example.com") is None
    assert protocol.credential_refusal(keyed, env_key, "http://127.0.0.1:9") is None
    assert "sent only to https://api.keyed.example.com" in (
        protocol.credential_refusal(keyed, env_key, "https://evil.example") or ""
    )
    saved = protocol.Credential(KD, "config", "api_key")
    config = {"api_key": KD, "api_base_url": "http://127.0.0.1:9"}
    assert protocol.credential_refusal(keyed, saved, "http://127.0.0.1:9", config) is None
    assert protocol.credential_refusal(keyed, saved, "https://api.keyed.example.com", config) is not None
    assert protocol.credential_refusal(keyed, saved, "https://api.keyed.example.com", {"api_key": KD}) is None
    # send_to: any lets a flag key go to a self-hosted base
    crawler = contract_of(CRAWLER)
    assert (
        protocol.credential_refusal(crawler, protocol.Credential(KEY, "flag", "--api-key"), "https://self.example")
        is None
    )


def test_self_hosted_base_needs_no_credential_when_declared() -> None:
    crawler = contract_of(CRAWLER)
    scrape = next(c for c in crawler["commands"] if c["path"] == "scrape")
    assert protocol.needs_credential(crawler, scrape, "scrape", "https://api.crawler.example.com") == "required"
    assert protocol.needs_credential(crawler, scrape, "scrape", "http://localhost:3002") == "optional"
    keyed = contract_of(KEYED)
    signup = next(c for c in keyed["commands"] if c["path"] == "signup")
    assert protocol.needs_credential(keyed, signup, "signup", "https://api.keyed.example.com") == "none"


@pytest.mark.parametrize(
    ("path", "scheme", "name", "prefix", "expected_headers", "expected_query"),
    [
        (CRAWLER, None, None, None, [("Authorization", "Bearer SECRET")], []),
        (KEYED, None, None, None, [("x-api-key", "SECRET")], []),
        (KEYED, "query", "api_key", "", [], [("q", "1"), ("api_key", "SECRET")]),
        (KEYED, "bearer", "Authorization", "Bearer ", [("Authorization", "Bearer SECRET")], []),
    ],
)
def test_credential_placement(
    path: Any, scheme: Any, name: Any, prefix: Any, expected_headers: Any, expected_query: Any
) -> None:
    contract = contract_of(path)
    if scheme:
        contract["protocol"]["credential"].update(scheme=scheme, name=name, prefix=prefix)
    request = Request("e", "GET", "/x", [("q", "1")], [], None)
    protocol.apply_credential(contract, request, "SECRET")
    assert request.headers == expected_headers
    assert request.query == [("q", "1"), *[q for q in expected_query if q[0] != "q"]]


def test_config_path() -> None:
    keyed = contract_of(KEYED)
    assert protocol.config_path(keyed, {"KEYED_CONFIG_PATH": "/tmp/k.json"}) == "/tmp/k.json"
    assert protocol.config_path(keyed, {"XDG_CONFIG_HOME": "/x"}) == "/x/keyed/config.json"
    assert (
        protocol.config_path(keyed, {"XDG_CONFIG_HOME": "rel"}, home="/home/a") == "/home/a/.config/keyed/config.json"
    )
    assert protocol.config_path(contract_of(CRAWLER), {}) is None


# --------------------------------------------------------------------------- replies: plain


def test_plain_success_is_the_whole_body() -> None:
    got = reply(CRAWLER, 200, {"success": True, "data": {"markdown": "# Hi"}})
    assert got.ok and got.data == {"success": True, "data": {"markdown": "# Hi"}} and got.exit_code == 0


def test_plain_failure_keeps_the_servers_message_and_maps_the_status() -> None:
    got = reply(CRAWLER, 402, {"success": False, "error": "Insufficient credits to perform this request."})
    assert (got.ok, got.error_code, got.exit_code) == (False, "INSUFFICIENT_CREDITS", 5)
    assert got.message == "Insufficient credits to perform this request."
    limited = reply(CRAWLER, 429, {"error": "Rate limit exceeded"})
    assert (limited.error_code, limited.retryable, limited.exit_code) == ("RATE_LIMITED", True, 5)


def test_plain_failure_with_a_code_the_spec_does_not_define() -> None:
    got = reply(CRAWLER, 500, {"success": False, "code": "SCRAPE_TIMEOUT", "error": "Scrape timed out"})
    assert got.error_code == "SCRAPE_TIMEOUT"  # the server's own code, for the agent
    assert got.exit_code == 1  # the exit code of 5xx -> SERVER_FAILED
    assert got.retryable is True
    unmapped = reply(CRAWLER, 404, {"success": False, "error": "Job not found"})
    assert (unmapped.error_code, unmapped.exit_code, unmapped.message) == ("CLIENT_FAILED", 1, "Job not found")


def test_unreadable_bodies() -> None:
    html = reply(CRAWLER, 502, b"<html>Bad gateway</html>")
    assert (html.error_code, html.retryable, html.exit_code) == ("SERVER_FAILED", True, 1)
    assert html.message == "the API answered HTTP 502 with a reply it could not read"
    ok_but_html = reply(CRAWLER, 200, b"<html></html>")
    assert (ok_but_html.ok, ok_but_html.error_code) == (False, "BAD_REPLY")
    deep = reply(CRAWLER, 200, b"[" * 600 + b"]" * 600)
    assert deep.error_code == "BAD_REPLY"
    very_deep = reply(CRAWLER, 200, b"[" * 100_000 + b"]" * 100_000)
    assert very_deep.error_code == "BAD_REPLY"
    assert reply(CRAWLER, 204, b"").error_code == "BAD_REPLY"


# --------------------------------------------------------------------------- replies: envelope


def test_envelope_success_and_failure() -> None:
    got = reply(KEYED, 200, {"ok": True, "data": {"id": "file_1"}, "trace_id": "tr_1"})
    assert got.ok and got.data == {"id": "file_1"} and got.trace_id == "tr_1"
    failed = reply(
        KEYED,
        404,
        {"ok": False, "error": {"code": "NOT_FOUND", "message": "no such file", "recovery": {"hint": "list"}}},
    )
    assert (failed.error_code, failed.exit_code, failed.message) == ("NOT_FOUND", 1, "no such file")
    assert failed.recovery == {"hint": "list"} and failed.retryable is False
    says_retry = reply(KEYED, 409, {"ok": False, "error": {"code": "NOT_FOUND", "retryable": True}})
    assert says_retry.retryable is True


def test_envelope_with_an_unknown_code_takes_the_status_exit_code() -> None:
    got = reply(KEYED, 503, {"ok": False, "error": {"code": "SOMETHING_NEW"}})
    assert (got.error_code, got.exit_code) == ("SOMETHING_NEW", 7)
    no_status = reply(KEYED, 418, {"ok": False, "error": {"code": "SOMETHING_NEW"}})
    assert no_status.exit_code == 1  # the internal situation's exit code


def test_exit_code_header_is_honoured_only_for_defined_codes() -> None:
    body = {"ok": False, "error": {"code": "NOT_FOUND"}}
    assert reply(KEYED, 404, body, {"X-Keyed-Exit-Code": "9"}).exit_code == 9
    assert reply(KEYED, 404, body, {"x-keyed-exit-code": "4"}).exit_code == 1  # 4 is not defined
    assert reply(KEYED, 404, body, {"x-keyed-exit-code": "0"}).exit_code == 1
    assert reply(KEYED, 404, body, [("x-keyed-exit-code", " 3 ")]).exit_code == 3
    assert reply(KEYED, 200, {"ok": True, "data": {}}, {"x-keyed-exit-code": "9"}).exit_code == 0


def test_envelope_reply_without_ok_is_a_bad_reply() -> None:
    assert reply(KEYED, 200, {"data": {}}).error_code == "NON_JSON_REPLY"
    assert reply(KEYED, 401, {"message": "no"}).error_code == "KEY_REFUSED"
    assert reply(KEYED, 200, [1, 2]).error_code == "NON_JSON_REPLY"


def test_plain_endpoint_inside_an_envelope_product() -> None:
    contract = contract_of(KEYED)
    contract["endpoints"]["whoami"]["reply"] = "plain"
    got = protocol.interpret(contract, "whoami", 200, {}, b'{"status": "up"}')
    assert got.ok and got.data == {"status": "up"}


# --------------------------------------------------------------------------- retries, paths, redaction


def test_retry_delay() -> None:
    contract = contract_of(CRAWLER)
    assert protocol.retry_delay(contract, "GET", 503, 1) == 0.5
    assert protocol.retry_delay(contract, "GET", 503, 2) == 1.0
    assert protocol.retry_delay(contract, "GET", 503, 3) is None  # three attempts in all
    assert protocol.retry_delay(contract, "POST", 503, 1) is None
    assert protocol.retry_delay(contract, "GET", 500, 1) is None
    assert protocol.retry_delay(contract, "GET", 429, 1, "7") == 7.0
    assert protocol.retry_delay(contract, "GET", 429, 1, "60") is None  # longer than the ceiling


def test_lookup_paths() -> None:
    value = {"a": {"b": [{"c": 1}]}}
    assert protocol.lookup(value, "a.b.0.c") == 1
    assert protocol.lookup(value, "") is value
    assert protocol.lookup(value, "a.x", "none") == "none"
    assert protocol.lookup(value, "a.b.5") is None


def test_redact_values_and_keys_without_recursion() -> None:
    secret = "cr-" + "SecretValue1"
    data = {"token": secret, secret: [f"Bearer {secret}", 3, None], "other": "fine"}
    assert protocol.redact(data, [secret]) == {
        "token": "[redacted]",
        "[redacted]": ["Bearer [redacted]", 3, None],
        "other": "fine",
    }
    deep: Any = secret
    for _ in range(5000):
        deep = [deep]
    cleaned = protocol.redact(deep, [secret])
    for _ in range(5000):
        cleaned = cleaned[0]
    assert cleaned == "[redacted]"
    assert protocol.redact("abc", ["ab"]) == "abc"  # too short to be a secret
