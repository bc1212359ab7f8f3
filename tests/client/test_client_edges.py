"""What the client prints and sends at the edges the mutation run found untested (issue 16).

Each test runs the real client on a compiled example contract against the scripted stub
server and checks bytes printed, requests sent or files written.
"""

from __future__ import annotations

import itertools
import json

import pytest

from tests.client.conftest import Client
from tests.client.stubs import Reply, Stub, envelope

TOKEN = "isk_r_0123456789abcdefghij"
AUTH: dict[str, str | None] = {"IMAGE_SKILL_TOKEN": TOKEN}


def test_a_usage_error_suggests_the_commands_own_help_and_an_unknown_command_the_top_help(image: Client) -> None:
    known = image("credits", "quote", "--bogus", "--json")
    assert known.code == 2
    assert known.json["error"]["recovery"]["suggested_command"] == "image-skill credits quote --help"
    unknown = image("imagez", "--json")
    assert unknown.json["error"]["recovery"]["suggested_command"] == "image-skill --help"


def test_the_servers_retryable_wins_over_the_catalogue(image: Client, stub: Stub) -> None:
    # TIMEOUT is retryable in the spec's catalogue; this server says this one is not.
    error = {"code": "TIMEOUT", "message": "gave up", "retryable": False}
    stub.route("GET", "/v1/quota", Reply(409, envelope(ok=False, error=error)))
    result = image("usage", "quota", "--json", env=AUTH)
    assert result.json["error"]["code"] == "TIMEOUT"
    assert result.json["error"]["retryable"] is False
    # INVALID_ARGUMENTS is not retryable in the catalogue; the server says this one is.
    error = {"code": "INVALID_ARGUMENTS", "message": "try again", "retryable": True}
    stub.route("GET", "/v1/quota", Reply(409, envelope(ok=False, error=error)))
    assert image("usage", "quota", "--json", env=AUTH).json["error"]["retryable"] is True


def test_an_envelope_replys_warnings_are_printed_in_both_forms(image: Client, stub: Stub) -> None:
    stub.route("GET", "/v1/quota", Reply(200, envelope({"left": 3}, warnings=["server says hi"])))
    result = image("usage", "quota", "--json", env=AUTH)
    assert result.code == 0
    assert result.json["warnings"] == ["server says hi"]
    text = image("usage", "quota", env=AUTH)
    assert text.stdout == "ok: image-skill usage quota\n  left: 3\nwarning: server says hi\n"


def test_a_plain_replys_warnings_field_is_data_not_a_warning(firecrawl: Client, stub: Stub) -> None:
    # Firecrawl's replies are not envelopes: a top-level "warnings" is the server's field.
    body = {"success": True, "warnings": ["not ours"], "data": {"remainingCredits": 7}}
    stub.route("GET", "/v2/team/credit-usage", Reply(200, body))
    result = firecrawl("credit-usage", env={"FIRECRAWL_API_KEY": "fc-0123456789abcdef"})
    assert result.code == 0, result.stderr
    assert result.stdout == "7\n"
    assert "not ours" not in result.stderr


def test_an_alias_or_compatibility_alias_of_the_json_switch_switches_json_on(image: Client, stub: Stub) -> None:
    switch = next(f for f in image.contract["global_flags"] if f["name"] == "--json")
    switch["aliases"] = ["--as-json"]
    stub.route("GET", "/v1/quota", Reply(200, envelope({"left": 3})))
    result = image("usage", "quota", "--as-json", env=AUTH)
    assert result.code == 0, result.stderr
    assert result.json["data"] == {"left": 3}
    switch["compatibility_aliases"] = ["--old-json"]
    result = image("usage", "quota", "--old-json", env=AUTH)
    assert result.code == 0, result.stderr
    assert result.json["data"] == {"left": 3}


def test_help_marks_a_variadic_argument_and_an_optional_one(firecrawl: Client) -> None:
    result = firecrawl("scrape", "--help")
    assert result.code == 0
    assert result.stdout.startswith("usage: firecrawl scrape URL [FORMATS...] [FLAGS]\n")


def test_a_copy_step_skips_an_empty_first_source_for_the_next(image: Client, stub: Stub) -> None:
    data = {
        "checkout_url": "",
        "fallback_checkout_url": "https://pay.example/b#frag",
        "next": {"checkout_url": None, "fallback_checkout_url": "https://pay.example/c#f"},
    }
    stub.route("POST", "/v1/credit-purchases/stripe-checkout-sessions", Reply(200, envelope(data)))
    args = ["credits", "buy", "--provider", "stripe", "--quote-id", "q", "--idempotency-key", "k"]
    out = image(*args, "--json", env=AUTH).json["data"]
    assert out["checkout_compact_url"] == "https://pay.example/b#frag"
    assert out["next"]["checkout_compact_url"] == "https://pay.example/c#f"


def test_a_config_that_cannot_be_written_is_a_located_error_and_nothing_is_written(image: Client) -> None:
    (image.home / "xdg").write_text("a file where the config folder should be")
    result = image("auth", "save", "--token-stdin", "--json", stdin=TOKEN + "\n")
    assert result.code == 9
    error = result.json["error"]
    assert error["code"] == "PUBLIC_CLI_CONFIG_WRITE_FAILED"
    assert error["message"].startswith(f"could not write {image.config_path()}: ")
    assert TOKEN not in result.stdout + result.stderr
    assert (image.home / "xdg").read_text() == "a file where the config folder should be"


def test_a_downloads_name_from_the_server_is_made_safe_and_kept_to_120_characters(image: Client, stub: Stub) -> None:
    asset_id = "../." + "a" * 130 + " b"
    asset = {"asset_id": asset_id, "url": f"{stub.url}/media/x", "mime_type": "image/png"}
    stub.route("GET", "/v1/assets/image_a9", Reply(200, envelope({"asset": asset})))
    stub.route("GET", "/media/x", Reply(200, raw=b"png bytes", headers={"Content-Type": "image/png"}))
    result = image("assets", "get", "image_a9", "--json", env=AUTH)
    assert result.code == 0, result.stdout
    written = [p.name for p in image.cwd.iterdir()]
    assert written == ["a" * 120 + ".png"]
    assert result.json["data"]["download"]["path"] == str(image.cwd / written[0])


def test_auth_status_with_a_credential_asks_the_server_who_it_is(image: Client, stub: Stub) -> None:
    stub.route("GET", "/v1/whoami", Reply(200, envelope({"actor_id": "agt_1"})))
    result = image("auth", "status", "--json", env=AUTH)
    assert result.code == 0, result.stdout
    data = result.json["data"]
    assert data["authenticated"] is True
    assert data["reply"] == {"actor_id": "agt_1"}
    assert [(r["method"], r["path"]) for r in stub.requests] == [("GET", "/v1/whoami")]
    # with a second route declared, the status still asks the first
    status = next(c for c in image.contract["commands"] if c["path"] == "auth status")
    status["routes"].append({"when": None, "endpoint": "quota", "fields": {}})
    stub.requests.clear()
    assert image("auth", "status", "--json", env=AUTH).json["data"]["reply"] == {"actor_id": "agt_1"}
    assert [(r["method"], r["path"]) for r in stub.requests] == [("GET", "/v1/whoami")]


def test_a_post_answered_with_a_redirect_is_not_followed_and_its_error_is_shown(image: Client, stub: Stub) -> None:
    moved = envelope(ok=False, error={"code": "X_MOVED", "message": "the quote moved"})
    stub.route("POST", "/v1/credit-quotes", Reply(302, moved, headers={"Location": "/elsewhere"}))
    result = image("credits", "quote", "--pack", "starter-500", "--json", env=AUTH)
    assert result.code == 1
    assert result.json["error"]["code"] == "X_MOVED"
    assert result.json["error"]["message"] == "the quote moved"
    assert stub.hits("POST", "/elsewhere") == stub.hits("GET", "/elsewhere") == 0


def _chain(stub: Stub, redirects: int) -> None:
    hops = ["/v1/quota"] + [f"/hop{i}" for i in range(1, redirects + 1)]
    for here, there in itertools.pairwise(hops):
        stub.route("GET", here, Reply(302, raw=b"", headers={"Location": there}))
    stub.route("GET", hops[-1], Reply(200, envelope({"left": 1})))


def test_five_redirects_are_followed(image: Client, stub: Stub) -> None:
    _chain(stub, 5)
    result = image("usage", "quota", "--json", env=AUTH)
    assert result.code == 0, result.stdout
    assert result.json["data"] == {"left": 1}
    assert len(stub.requests) == 6


def test_a_sixth_redirect_is_refused(image: Client, stub: Stub) -> None:
    _chain(stub, 6)
    result = image("usage", "quota", "--json", env=AUTH)
    assert result.code == 7
    assert result.json["error"]["message"].endswith(": too many redirects")
    assert stub.hits("GET", "/hop6") == 0


KEY: dict[str, str | None] = {"FIRECRAWL_API_KEY": "fc-0123456789abcdef"}


def test_a_printed_field_that_is_a_list_prints_one_item_a_line(firecrawl: Client, stub: Stub) -> None:
    lines = ["# One", "two\x1b[31m", 3, None, True]
    stub.route("POST", "/v2/scrape", Reply(200, {"success": True, "data": {"markdown": lines}}))
    result = firecrawl("scrape", "https://example.com", env=KEY)
    assert result.code == 0, result.stderr
    assert result.stdout == "# One\ntwo\\x1b[31m\n3\nnull\ntrue\n"


def test_a_printed_field_that_is_a_list_of_objects_prints_as_json(firecrawl: Client, stub: Stub) -> None:
    items = [{"a": 1}, "b"]
    stub.route("POST", "/v2/scrape", Reply(200, {"success": True, "data": {"markdown": items}}))
    result = firecrawl("scrape", "https://example.com", env=KEY)
    assert result.code == 0, result.stderr
    assert result.stdout == '[\n  {\n    "a": 1\n  },\n  "b"\n]\n'


def test_the_readable_form_shows_forty_fields_then_says_how_many_more(image: Client, stub: Stub) -> None:
    stub.route("GET", "/v1/quota", Reply(200, envelope({f"f{i:02}": i for i in range(43)})))
    lines = image("usage", "quota", env=AUTH).stdout.splitlines()
    assert lines[1:41] == [f"  f{i:02}: {i}" for i in range(40)]
    assert lines[41:] == ["  ... 3 more fields (use --json)"]
    stub.route("GET", "/v1/quota", Reply(200, envelope({f"f{i:02}": i for i in range(40)})))
    lines = image("usage", "quota", env=AUTH).stdout.splitlines()
    assert lines[1:] == [f"  f{i:02}: {i}" for i in range(40)]


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_each_redirect_status_of_a_read_is_followed(image: Client, stub: Stub, status: int) -> None:
    stub.route("GET", "/v1/quota", Reply(status, raw=b"moved", headers={"Location": "/v2/quota"}))
    stub.route("GET", "/v2/quota", Reply(200, envelope({"left": 2})))
    result = image("usage", "quota", "--json", env=AUTH)
    assert result.code == 0, result.stdout
    assert result.json["data"] == {"left": 2}


def test_compact_json_keeps_non_ascii_text_as_utf8(firecrawl: Client, stub: Stub) -> None:
    stub.route("POST", "/v2/map", Reply(200, {"success": True, "links": ["https://a.example/café"]}))
    for extra in ((), ("--json",)):
        result = firecrawl("map", "https://example.com", *extra, env=KEY)
        assert result.code == 0, result.stderr
        assert result.raw == '{"success":true,"links":["https://a.example/café"]}\n'.encode()


def test_a_readable_error_lists_its_recovery_fields_or_its_plain_recovery(image: Client, stub: Stub) -> None:
    result = image("credits", "quote", "--bogus")
    assert result.code == 2
    assert result.stdout == (
        "error INVALID_ARGUMENTS: unknown flag --bogus for 'credits quote'\n"
        "  flag: --bogus\n"
        "  suggested_command: image-skill credits quote --help\n"
        "  hint: Fix the flag named in error.recovery.flag.\n"
    )
    error = {"code": "QUOTA_EXCEEDED", "message": "none left", "recovery": "buy more"}
    stub.route("GET", "/v1/quota", Reply(402, envelope(ok=False, error=error)))
    assert image("usage", "quota", env=AUTH).stdout == "error QUOTA_EXCEEDED: none left\n  recovery: buy more\n"


def test_a_credential_on_stdin_of_1_mib_is_read_whole_and_one_byte_more_is_refused(image: Client) -> None:
    token = "isk_r_" + "a" * (1024 * 1024 - 6)
    saved = image("auth", "save", "--token-stdin", "--json", stdin=token)
    assert saved.code == 0, saved.stdout[:500]
    assert json.loads(image.config_path().read_text())["token"] == token
    image.config_path().unlink()
    refused = image("auth", "save", "--token-stdin", "--json", stdin=token + "a")
    assert refused.code == 2
    assert refused.json["error"]["code"] == "INVALID_ARGUMENTS"
    assert refused.json["error"]["message"] == "standard input holds more than 1048576 bytes; nothing was read"
    assert not image.config_path().exists()


def test_a_copy_step_fills_each_item_of_a_list_and_keeps_values_already_there(image: Client, stub: Stub) -> None:
    data = {
        "checkout_url": "https://pay.example/a#1",
        "next": [{"checkout_compact_url": "kept", "checkout_url": "x"}, {"checkout_url": "https://pay.example/b#2"}],
    }
    stub.route("POST", "/v1/credit-purchases/stripe-checkout-sessions", Reply(200, envelope(data)))
    args = ["credits", "buy", "--provider", "stripe", "--quote-id", "q", "--idempotency-key", "k"]
    out = image(*args, "--json", env=AUTH).json["data"]
    assert [item["checkout_compact_url"] for item in out["next"]] == ["kept", "https://pay.example/b#2"]


def test_a_300_reply_to_a_read_is_not_a_redirect_and_its_body_is_read(image: Client, stub: Stub) -> None:
    error = {"code": "X_CHOICES", "message": "pick one"}
    stub.route("GET", "/v1/quota", Reply(300, envelope(ok=False, error=error), headers={"Location": "/v2/quota"}))
    result = image("usage", "quota", "--json", env=AUTH)
    assert result.json["error"]["code"] == "X_CHOICES"
    assert result.json["error"]["message"] == "pick one"
    assert stub.hits("GET", "/v2/quota") == 0
