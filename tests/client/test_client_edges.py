"""What the client prints and sends at the edges the mutation run found untested (issue 16).

Each test runs the real client on a compiled example contract against the scripted stub
server and checks bytes printed, requests sent or files written.
"""

from __future__ import annotations

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


def test_an_alias_of_the_json_switch_switches_json_on(image: Client, stub: Stub) -> None:
    switch = next(f for f in image.contract["global_flags"] if f["name"] == "--json")
    switch["aliases"] = ["--as-json"]
    stub.route("GET", "/v1/quota", Reply(200, envelope({"left": 3})))
    result = image("usage", "quota", "--as-json", env=AUTH)
    assert result.code == 0, result.stderr
    assert result.json["data"] == {"left": 3}
