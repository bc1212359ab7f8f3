"""The one mapping from an invocation to its HTTP request."""

from __future__ import annotations

from typing import Any

import pytest

from skillpress.contract import requests
from skillpress.contract.invocation import LocalFileProblem, UsageProblem, parse_argv
from tests.contract.helpers import CRAWLER, IMAGE_SKILL, KEYED, contract_of, effects

CRAWL_ID = "0190c8a2-7b1e-7cc0-9e1f-2b3c4d5e6f70"


def sent(argv: list[str], path: Any = CRAWLER, env: dict[str, str] | None = None, **kw: Any) -> requests.Built:
    contract = contract_of(path)
    built = requests.build(contract, parse_argv(contract, argv, env), effects=kw.pop("fx", None) or effects(), **kw)
    assert built is not None
    return built


def request_of(argv: list[str], path: Any = CRAWLER, **kw: Any) -> dict[str, Any]:
    return sent(argv, path, **kw).request.to_dict()


# --------------------------------------------------------------------------- defaults, switches, units


def test_scrape_sends_defaults_the_docs_must_show() -> None:
    assert request_of(["scrape", "https://example.com"]) == {
        "endpoint": "scrape",
        "method": "POST",
        "path": "/v2/scrape",
        "query": [],
        "headers": [],
        "body": {"url": "https://example.com", "formats": ["markdown"], "onlyMainContent": True},
    }


def test_switch_sets_constant_fields_and_no_form_sends_false() -> None:
    body = request_of(["scrape", "-u", "https://example.com", "-H", "--no-only-main-content"])["body"]
    assert body == {"url": "https://example.com", "formats": ["html"], "onlyMainContent": False}


def test_scale_turns_seconds_into_whole_milliseconds() -> None:
    assert request_of(["scrape", "https://e.example", "--timeout", "2.5"])["body"]["timeout"] == 2500
    assert request_of(["scrape", "https://e.example", "--timeout", "0.0015"])["body"]["timeout"] == 1.5
    with pytest.raises(UsageProblem, match="too large"):
        request_of(["scrape", "https://e.example", "--timeout", "1e306"])


def test_dotted_field_nests_and_env_value_is_sent() -> None:
    body = request_of(["scrape", "https://e.example"], env={"CRAWLER_COUNTRY": "de"})["body"]
    assert body["location"] == {"country": "DE"}


def test_default_command_sends_the_url_as_given() -> None:
    assert request_of(["example.com"])["body"]["url"] == "example.com"


# --------------------------------------------------------------------------- routes


def test_route_by_argument_shape_and_by_flag() -> None:
    assert request_of(["crawl", "https://e.example", "--limit", "5"]) == {
        "endpoint": "crawl-start",
        "method": "POST",
        "path": "/v2/crawl",
        "query": [],
        "headers": [],
        "body": {"url": "https://e.example", "limit": 5, "sitemap": "include"},
    }
    status = request_of(["crawl", CRAWL_ID, "--limit", "5"])
    assert (status["method"], status["path"], status["body"]) == ("GET", f"/v2/crawl/{CRAWL_ID}", None)
    cancel = request_of(["crawl", CRAWL_ID, "--cancel"])
    assert (cancel["method"], cancel["path"]) == ("DELETE", f"/v2/crawl/{CRAWL_ID}")
    forced = sent(["crawl", "job 7/8", "--status"])
    assert forced.request.path == "/v2/crawl/job%207%2F8" and forced.route["endpoint"] == "crawl-status"


def test_route_equals_and_matches_on_flags() -> None:
    contract = contract_of(CRAWLER)
    crawl = next(c for c in contract["commands"] if c["path"] == "crawl")
    crawl["routes"][0]["when"] = {"flag": "--sitemap", "argument": None, "equals": "only", "matches": None}
    assert requests.choose_route(contract, parse_argv(contract, ["crawl", "x", "--sitemap", "only"]))["endpoint"] == (
        "crawl-cancel"
    )
    assert requests.choose_route(contract, parse_argv(contract, ["crawl", "x"]))["endpoint"] == "crawl-start"
    crawl["routes"][0]["when"] = {"flag": "--sitemap", "argument": None, "equals": None, "matches": "^(in|sk)"}
    # the default counts: --sitemap defaults to include
    assert requests.choose_route(contract, parse_argv(contract, ["crawl", "x"]))["endpoint"] == "crawl-cancel"


def test_a_command_that_calls_nothing_builds_nothing() -> None:
    contract = contract_of(CRAWLER)
    assert requests.build(contract, parse_argv(contract, ["version"])) is None


# --------------------------------------------------------------------------- variadic, generated, headers


def test_variadic_urls_and_generated_header_with_a_warning() -> None:
    built = sent(["batch", "https://e.example/a", "https://e.example/b"])
    assert built.request.body == {"urls": ["https://e.example/a", "https://e.example/b"]}
    assert built.request.headers == [("x-idempotency-key", "batch-1700000000250-030a1118")]
    assert built.warnings == ["--idempotency-key was not given, so the client made one: batch-1700000000250-030a1118"]
    given = sent(["batch", "https://e.example/a", "--idempotency-key", "b-1"])
    assert given.request.headers == [("x-idempotency-key", "b-1")] and given.warnings == []


def test_header_value_with_a_line_break_is_refused() -> None:
    with pytest.raises(UsageProblem, match="line break"):
        request_of(["batch", "https://e.example/a", "--idempotency-key", "a\r\nx-evil: 1"])


def test_generate_placeholders() -> None:
    fx = effects()
    text = requests.generate("{millis}|{seconds}|{date}|{hex8}|{hex16}|{uuid}|{other}", fx)
    millis, seconds, date, hex8, hex16, uuid, other = text.split("|")
    assert (millis, seconds, date) == ("1700000000250", "1700000000", "20231114")
    assert len(hex8) == 8 and len(hex16) == 16 and other == "{other}"
    assert uuid[14] == "4" and uuid[19] in "89ab" and len(uuid) == 36


# --------------------------------------------------------------------------- files


def test_read_json_file_fills_the_field() -> None:
    body = request_of(["agent", "Find it", "--schema-file", "s.json"], fx=effects({"s.json": b'{"type": "object"}'}))[
        "body"
    ]
    assert body == {"prompt": "Find it", "schema": {"type": "object"}}


def test_read_from_stdin_with_a_dash() -> None:
    body = request_of(["agent", "Find it", "--schema-file", "-"], fx=effects(stdin=b'{"a": 1}'))["body"]
    assert body["schema"] == {"a": 1}


def test_read_problems_are_declared_errors() -> None:
    with pytest.raises(LocalFileProblem) as missing:
        request_of(["agent", "q", "--schema-file", "nope.json"], fx=effects())
    assert missing.value.situation == "local_file"
    assert missing.value.message == "--schema-file: could not read nope.json: No such file or directory"
    with pytest.raises(UsageProblem, match="larger than 65536 bytes"):
        request_of(["agent", "q", "--schema-file", "big"], fx=effects({"big": b" " * 70000}))
    with pytest.raises(UsageProblem, match="does not hold valid JSON"):
        request_of(["agent", "q", "--schema-file", "bad"], fx=effects({"bad": b"{"}))
    with pytest.raises(UsageProblem, match="not UTF-8"):
        request_of(["agent", "q", "--schema-file", "bin"], fx=effects({"bin": b"\xff\xfe"}))


def test_read_kinds() -> None:
    contract = contract_of(CRAWLER)
    agent = next(c for c in contract["commands"] if c["path"] == "agent")
    schema_file = next(f for f in agent["flags"] if f["name"] == "--schema-file")
    for kind, expected in (("text", "a\n b \n"), ("lines", ["a", "b"]), ("base64", "YQogYiAK")):
        schema_file["read"] = kind
        invocation = parse_argv(contract, ["agent", "q", "--schema-file", "f"])
        built = requests.build(contract, invocation, effects=effects({"f": b"a\n b \n"}))
        assert built is not None and built.fields["schema"] == expected


# --------------------------------------------------------------------------- product URLs, placement


def test_accepts_url_reduces_product_urls_and_refuses_others() -> None:
    path = "/v1/files/file_abc123"
    assert request_of(["files", "get", "https://media.keyed.example.com/x/file_abc123.png"], KEYED)["path"] == path
    assert request_of(["files", "get", "file_abc123"], KEYED)["path"] == path
    base = effects(base_url="http://127.0.0.1:8123")
    assert request_of(["files", "get", "http://127.0.0.1:8123/f/file_abc123"], KEYED, fx=base)["path"] == path
    with pytest.raises(UsageProblem) as refused:
        request_of(["files", "get", "https://elsewhere.example/file_abc123.png"], KEYED)
    assert "takes an id or a URL on media.keyed.example.com" in refused.value.message
    with pytest.raises(UsageProblem):
        request_of(["files", "get", "https://media.keyed.example.com/x/not-an-id.png"], KEYED)


def test_query_lists_repeat_and_switches_are_words() -> None:
    request = sent(["files", "list", "--kind", "png", "--kind", "a b", "--shared"], KEYED).request
    assert request.query == [("limit", "20"), ("kind", "png"), ("kind", "a b"), ("shared", "true")]
    assert request.target() == "/v1/files?limit=20&kind=png&kind=a%20b&shared=true"
    assert request.body is None


def test_path_parameters_are_percent_encoded_including_dot_segments() -> None:
    contract = contract_of(KEYED)
    for value, segment in (("..", "%2E%2E"), (".", "%2E"), ("a/../b", "a%2F..%2Fb"), ("é?#", "%C3%A9%3F%23")):
        request = requests.build_request(contract, "files-show", {"file_id": value})
        assert request.path == f"/v1/files/{segment}"
    with pytest.raises(UsageProblem, match="missing value for the path parameter file_id"):
        requests.build_request(contract, "files-show", {"file_id": ""})


def test_body_leaves_out_none_and_post_always_has_a_body() -> None:
    request = sent(["signup", "--email", "A@B.example"], KEYED).request
    assert request.body == {"email": "a@b.example"}
    assert request.body_bytes() == b'{"email":"a@b.example"}'


def test_replaced_values_and_hook_fields() -> None:
    contract = contract_of(KEYED)
    invocation = parse_argv(contract, ["files", "put", "./notes.txt", "--tag", "k=v"])
    built = requests.build(
        contract, invocation, effects=effects(), replaced={"PATH_OR_URL": "file_9"}, extra_fields={"tags": {"k": "v"}}
    )
    assert built is not None and built.request.body == {"file_id": "file_9", "tags": {"k": "v"}}


def test_local_flags_are_never_sent() -> None:
    contract = contract_of(IMAGE_SKILL)
    invocation = parse_argv(contract, ["signup", "--agent", "--agent-contact", "a@b.example", "--agent-name", "x",
                                       "--runtime", "codex", "--save"])  # fmt: skip
    built = requests.build(contract, invocation, effects=effects())
    assert built is not None
    assert built.request.body == {"human_email": "a@b.example", "agent_name": "x", "runtime": "codex"}
