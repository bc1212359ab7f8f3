"""Mock replies at the edges the mutation run found untested (issue 16): body size limit,
pages past the end, settling whatever the request's field order, webhook deliveries recorded."""

from __future__ import annotations

import json
import socket
import threading
from http.server import HTTPServer

import pytest

from skillpress.mock.server import MockServer
from skillpress.spec.model import Spec
from tests.mock.conftest import Api, make_api
from tests.mock.test_mock import _Receiver, data_of

LIMIT = 16 * 1024 * 1024


def _padded(size: int) -> bytes:
    start = b'{"url": "https://example.com"}'
    return start + b" " * (size - len(start))


def test_a_body_of_exactly_16_mib_is_read_and_one_byte_more_is_refused(specs: dict[str, Spec]) -> None:
    spec = specs["firecrawl"]
    with MockServer(spec, starting_credits=10) as mock:
        api = make_api(mock, spec)
        status, _, reply = api("POST", "/v2/scrape", raw=_padded(LIMIT))
        assert status == 200, reply
        # one byte more is refused from its Content-Length, before the body is read
        with socket.create_connection(("127.0.0.1", int(mock.url.rsplit(":", 1)[1])), timeout=10) as conn:
            head = f"POST /v2/scrape HTTP/1.1\r\nHost: x\r\nContent-Length: {LIMIT + 1}\r\n"
            conn.sendall(f"{head}Authorization: Bearer {api.token}\r\n\r\n".encode())
            answer = conn.makefile("rb").readline()
        assert answer.startswith(b"HTTP/1.1 413 "), answer


def test_a_page_past_the_end_is_empty_with_no_next_link(specs: dict[str, Spec]) -> None:
    spec = specs["firecrawl"]
    with MockServer(spec, starting_credits=100_000) as mock:
        api = make_api(mock, spec)
        job = data_of(api, "crawl-start", api("POST", "/v2/crawl", {"url": "https://example.com"}))["id"]
        for _ in range(3):
            first = data_of(api, "crawl-status", api("GET", f"/v2/crawl/{job}"))
        assert first["status"] == "completed" and len(first["data"]) == 10
        last = data_of(api, "crawl-status", api("GET", f"/v2/crawl/{job}?skip=20"))
        assert len(last["data"]) == 1 and last["next"] is None
        past = data_of(api, "crawl-status", api("GET", f"/v2/crawl/{job}?skip=500"))
        assert past["data"] == [] and past["next"] is None


def _quota(api: Api) -> object:
    return data_of(api, "quota", api("GET", "/v1/quota"))["limits"]["credits_remaining"]


def test_a_test_purchase_settles_whatever_order_its_fields_come_in(spec: Spec) -> None:
    with MockServer(spec) as mock:
        api = make_api(mock, spec)
        body = {"pack_id": "starter-500", "payment_method": "fake", "idempotency_key": "q1"}
        quote = data_of(api, "credit-quotes", api("POST", "/v1/credit-quotes", body))["quote_id"]
        assert api("POST", "/v1/credit-purchases", {"idempotency_key": "p1", "quote_id": quote})[0] == 200
        assert _quota(api) == 500


def test_each_webhook_delivery_is_recorded_with_the_receivers_status(specs: dict[str, Spec]) -> None:
    spec = specs["firecrawl"]
    receiver = HTTPServer(("127.0.0.1", 0), _Receiver)
    _Receiver.got = []
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    hook = f"http://127.0.0.1:{receiver.server_address[1]}/hook"
    try:
        with MockServer(spec, starting_credits=100_000) as mock:
            api = make_api(mock, spec)
            body = {"url": "https://example.com", "webhook": {"url": hook}}
            job = data_of(api, "crawl-start", api("POST", "/v2/crawl", body))["id"]
            api("GET", f"/v2/crawl/{job}")
            api("GET", f"/v2/crawl/{job}")
            mock.app.wait_for_webhooks()
            rows = mock.app.store.events()
            assert [r["type"] for r in rows] == ["crawl.started", "crawl.page", "crawl.completed"]
            assert [r["delivered"] for r in rows] == [204, 204, 204]  # what the receiver answered
    finally:
        receiver.shutdown()
        receiver.server_close()


def _too_large(mock: MockServer, path: str) -> tuple[bytes, dict[str, object]]:
    with socket.create_connection(("127.0.0.1", int(mock.url.rsplit(":", 1)[1])), timeout=10) as conn:
        conn.sendall(f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Length: {LIMIT + 1}\r\n\r\n".encode())
        answer = conn.makefile("rb").read()
    head, _, body = answer.partition(b"\r\n\r\n")
    return head.split(b"\r\n")[0], json.loads(body)


def test_a_refusal_with_no_code_of_its_own_uses_the_specs_invalid_request_code(specs: dict[str, Spec]) -> None:
    # image-skill declares no code for HTTP 413: the refusal carries its usage code
    with MockServer(specs["image-skill"]) as mock:
        status, body = _too_large(mock, "/v1/create")
    assert status == b"HTTP/1.1 413 Request Entity Too Large"
    assert body["error"] == {"code": "INVALID_ARGUMENTS", "message": "the body is too large", "retryable": False}
    # in the spec's error envelope, every field of its example present
    assert list(body) == ["ok", "command", "trace_id", "actor", "data", "warnings", "error"]
    assert (body["ok"], body["data"], body["warnings"]) == (False, None, [])
    assert body["command"] == "image-skill"  # no command answered, so none is named
    # firecrawl declares one
    with MockServer(specs["firecrawl"]) as mock:
        status, body = _too_large(mock, "/v2/scrape")
    assert status == b"HTTP/1.1 413 Request Entity Too Large"
    assert body == {"success": False, "code": "PAYLOAD_TOO_LARGE", "error": "the body is too large"}


def _echoed_url(api: Api, url: str) -> str:
    reply = data_of(api, "map", api("POST", "/v2/map", {"url": url}))
    return str(reply["links"][0]["url"])


def test_product_urls_up_to_4096_characters_are_pointed_at_the_mock_and_longer_ones_kept(
    specs: dict[str, Spec],
) -> None:
    spec = specs["firecrawl"]
    with MockServer(spec, starting_credits=1000) as mock:
        api = make_api(mock, spec)
        start = "https://api.firecrawl.dev/"
        fits = start + "a" * (4096 - len(start))
        assert _echoed_url(api, fits) == mock.url + "/" + "a" * (4096 - len(start))
        longer = fits + "b"
        assert _echoed_url(api, longer) == longer
        elsewhere = "https://example.com/page"
        assert _echoed_url(api, elsewhere) == elsewhere


def test_a_url_the_mock_cannot_parse_is_echoed_as_it_came(specs: dict[str, Spec]) -> None:
    spec = specs["firecrawl"]
    with MockServer(spec, starting_credits=1000) as mock:
        api = make_api(mock, spec)
        assert _echoed_url(api, "http://[not-an-address") == "http://[not-an-address"


def test_a_failure_inside_the_mock_answers_500_in_the_specs_error_shape(
    specs: dict[str, Spec], monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    for name, path in (("image-skill", "/v1/quota"), ("firecrawl", "/v2/team/credit-usage")):
        spec = specs[name]
        with MockServer(spec, starting_credits=10) as mock:
            api = make_api(mock, spec)

            def broken(*args: object) -> None:
                raise RuntimeError("a bug")

            monkeypatch.setattr(mock.app, "_handle", broken)
            status, _, body = api("GET", path)
            assert status == 500, (name, body)
            assert "the mock failed: RuntimeError" in json.dumps(body)


def test_a_plain_style_error_gets_no_data_field_even_with_a_data_path(specs: dict[str, Spec]) -> None:
    # a plain-style spec may name where success data sits; its error replies still carry none
    with MockServer(specs["firecrawl"]) as mock:
        mock.app.replies.replies["data"] = "data"
        status, body = _too_large(mock, "/v2/scrape")
    assert status == b"HTTP/1.1 413 Request Entity Too Large"
    assert body == {"success": False, "code": "PAYLOAD_TOO_LARGE", "error": "the body is too large"}


def test_a_reused_key_on_an_endpoint_declaring_no_conflict_code_gets_the_specs_409_code(spec: Spec) -> None:
    # credit-purchases lists no conflict code: the one code the spec gives HTTP 409 answers
    with MockServer(spec) as mock:
        api = make_api(mock, spec)
        first = api("POST", "/v1/credit-purchases", {"quote_id": "quote_example1", "idempotency_key": "k"})
        assert first[0] == 200
        again = api("POST", "/v1/credit-purchases", {"quote_id": "quote_other", "idempotency_key": "k"})
        assert again[0] == 409
        assert again[2]["error"]["code"] == "CREDIT_QUOTE_CONFLICT"
