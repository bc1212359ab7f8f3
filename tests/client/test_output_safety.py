"""What the user's terminal receives: whole values, and no raw control characters.

The client runs as a subprocess against a stub server; the assertions are about the bytes
it writes on stdout, with and without ``--json``.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.client.stubs import Reply, Stub, envelope

AUTH = {"IMAGE_SKILL_TOKEN": "isk_r_" + "T" * 24}
BUY_PATH = "/v1/credit-purchases/stripe-checkout-sessions"
STATUS_PATH = "/v1/credit-purchases/status"


def _stripe_url() -> str:
    """A live Stripe checkout URL of the length Stripe really sends (361 characters),
    whose ``#fragment`` carries the session state the page needs."""
    head = "https://checkout.stripe.com/c/pay/cs_live_b1" + "Qx7Rk2Lm9Np4Ts6Vw8Yz0Ac3Ef5Gh7Jk9Lm1Np3Qr5St7Uv9Wx"
    fragment = "#fidkdWxOYHwnPyd1blpxYHZxWjA0T" + "%2Bd2FuYGNgaw%2FbWx0" * 10 + "UDxSfVNRZ3ZpNkJHdGk9YWxsb3dlZA"
    return head + fragment + "A%3D%3D"


STRIPE = _stripe_url()
assert len(STRIPE) == 361 and STRIPE.startswith("https://checkout.stripe.com/c/pay/cs_live_") and "#fid" in STRIPE


def _buy_reply() -> Reply:
    return Reply(
        200,
        envelope(
            {
                "state": "action_required",
                "quote_id": "quote_1",
                "payment_attempt_id": "payatt_1",
                "provider": "stripe",
                "checkout_session_id": "cs_live_b1",
                "checkout_url": STRIPE,
                "next": {"human_action": "open_checkout_url", "fallback_checkout_url": STRIPE},
            }
        ),
    )


def _status_reply() -> Reply:
    # the shape the real service sends: the URL is the fifth field of a nested object
    return Reply(
        200,
        envelope(
            {
                "state": "action_required",
                "payment_attempt": {
                    "payment_attempt_id": "payatt_1",
                    "checkout_session_id": "cs_live_b1",
                    "checkout_handoff_url": "https://image-skill.example/pay/payatt_1",
                    "attempt_status": "requires_action",
                    "checkout_url": STRIPE,
                },
                "next": {"retry_after_seconds": 10},
            }
        ),
    )


BUY = ("credits", "buy", "--provider", "stripe", "--quote-id", "quote_1", "--idempotency-key", "k")
STATUS = ("credits", "status", "--payment-attempt-id", "payatt_1")


@pytest.mark.parametrize("as_json", [False, True], ids=["readable", "json"])
@pytest.mark.parametrize("argv", [BUY, STATUS], ids=["buy", "status"])
def test_a_real_length_checkout_url_is_printed_whole(
    client_for: Any, stub: Stub, argv: tuple[str, ...], as_json: bool
) -> None:
    stub.route("POST", BUY_PATH, _buy_reply())
    stub.route("GET", STATUS_PATH, _status_reply())
    result = client_for(stub.url)(*argv, *(["--json"] if as_json else []), env=AUTH)
    assert result.code == 0, result.stdout
    assert STRIPE.encode() in result.raw  # every byte, the #fragment included
    assert b"..." not in result.raw.replace(b"... ", b"")  # nothing shortened in place
    if as_json:
        assert STRIPE in json.dumps(result.json)
    else:
        assert result.raw.startswith(b"ok: ")
        assert f": {STRIPE}\n".encode() in result.raw  # on a line of its own, nothing after it


def test_a_long_id_is_printed_whole_and_omitted_fields_are_announced(client_for: Any, stub: Stub) -> None:
    long_id = "payatt_" + "x" * 400
    data: dict[str, Any] = {f"field_{i:02d}": f"value {i}" for i in range(40)}
    data["payment_attempt_id"] = long_id
    stub.route("GET", STATUS_PATH, Reply(200, envelope({"payment_attempt_id": long_id, **data})))
    result = client_for(stub.url)(*STATUS, env=AUTH)
    assert result.code == 0, result.stdout
    assert f"  payment_attempt_id: {long_id}\n" in result.stdout
    last = result.stdout.splitlines()[-1]
    assert last.startswith("  ... ") and last.endswith(" more fields (use --json)")
    shown = [line for line in result.stdout.splitlines()[1:-1] if line.startswith("  field_")]
    assert int(last.split()[1]) == 40 - len(shown)
    for line in shown:
        key, _, value = line.strip().partition(": ")
        assert data[key] == value


# Characters a server must not be able to send to the terminal: ESC sequences (colour, a
# window title, clear screen), NUL, BEL, DEL, C1 controls (U+0085, CSI U+009B), bidi
# overrides and isolates, line/paragraph separators, and a lone surrogate.
HOSTILE = "a\x1b[31mred\x1b[0m \x1b]0;owned\x07 \x00 \x7f \x85 \x9b2J \u202eevil\u202c \u2066x\u2069 \u2028 \ud800 z"
RAW_BYTES = [b"\x1b", b"\x00", b"\x07", b"\x7f", "\x85".encode(), "\x9b".encode()] + [
    chr(c).encode() for c in (0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069, 0x2028, 0x2029)
]
HOSTILE_DATA: dict[str, Any] = {
    "state": HOSTILE,
    "key\x1b[2J\x85\u202e\x00": "value in a hostile key",
    "payment_attempt": {"note\x00": HOSTILE, "checkout_url": STRIPE},
    "list": [HOSTILE, {"deep\x1b": HOSTILE}],
}


def _assert_no_raw_controls(raw: bytes) -> None:
    for needle in RAW_BYTES:
        assert needle not in raw, needle
    assert b"\xed\xa0\x80" not in raw  # the surrogate is not written raw (it is not even UTF-8)
    raw.decode("utf-8")  # what reaches the terminal is valid UTF-8


def test_hostile_values_and_keys_are_escaped_in_readable_output(client_for: Any, stub: Stub) -> None:
    stub.route("GET", STATUS_PATH, Reply(200, envelope(HOSTILE_DATA, warnings=[HOSTILE])))
    result = client_for(stub.url)(*STATUS, env=AUTH)
    assert result.code == 0, result.stderr
    _assert_no_raw_controls(result.raw)
    text = result.raw.decode()
    # escaped visibly, and the printable text around each one is kept
    assert "a\\x1b[31mred\\x1b[0m \\x1b]0;owned\\x07 \\x00 \\x7f \\x85 \\x9b2J \\u202eevil\\u202c" in text
    assert "\\u2066x\\u2069 \\u2028 \\ud800 z" in text
    assert "key\\x1b[2J\\x85\\u202e\\x00: value in a hostile key" in text
    assert f"warning: {text.split('  state: ')[1].splitlines()[0]}" in text
    assert f": {STRIPE}\n" in text
    assert len(text.splitlines()) == text.count("\n")  # no value added a line of its own


def test_hostile_values_and_keys_are_escaped_in_json_output_which_still_decodes_to_them(
    client_for: Any, stub: Stub
) -> None:
    stub.route("GET", STATUS_PATH, Reply(200, envelope(HOSTILE_DATA, warnings=[HOSTILE])))
    result = client_for(stub.url)(*STATUS, "--json", env=AUTH)
    assert result.code == 0, result.stderr
    _assert_no_raw_controls(result.raw)
    decoded = json.loads(result.raw)
    data = decoded["data"]
    assert data["state"] == HOSTILE
    assert data["key\x1b[2J\x85\u202e\x00"] == "value in a hostile key"
    assert data["payment_attempt"]["note\x00"] == HOSTILE
    assert data["list"] == HOSTILE_DATA["list"]
    assert decoded["warnings"] == [HOSTILE]
    assert STRIPE in result.raw.decode()


@pytest.mark.parametrize("as_json", [False, True], ids=["readable", "json"])
def test_a_hostile_error_reply_is_escaped(client_for: Any, stub: Stub, as_json: bool) -> None:
    error = {
        "code": "BAD\x1b[0m",
        "message": HOSTILE,
        "retryable": False,
        "recovery": {"hint\u202e": HOSTILE, "next": {"command": HOSTILE}},
    }
    stub.route("GET", STATUS_PATH, Reply(400, envelope(ok=False, error=error)))
    result = client_for(stub.url)(*STATUS, *(["--json"] if as_json else []), env=AUTH)
    assert result.code != 0
    _assert_no_raw_controls(result.raw)
    if as_json:
        assert result.json["error"]["message"] == HOSTILE
        assert result.json["error"]["recovery"]["next"]["command"] == HOSTILE
    else:
        assert result.stdout.startswith("error BAD\\x1b[0m: a\\x1b[31mred")


@pytest.mark.parametrize("as_json", [False, True], ids=["readable", "json"])
def test_a_terminal_that_cannot_encode_a_value_gets_it_escaped_not_a_traceback(
    client_for: Any, stub: Stub, as_json: bool
) -> None:
    value = "café ✓ " + STRIPE
    stub.route("GET", STATUS_PATH, Reply(200, envelope({"state": value})))
    env = {**AUTH, "PYTHONIOENCODING": "ascii"}
    result = client_for(stub.url)(*STATUS, *(["--json"] if as_json else []), env=env)
    assert result.code == 0, result.stderr
    assert result.stderr == ""
    result.raw.decode("ascii")
    if as_json:
        assert result.json["data"]["state"] == value
    else:
        assert f"  state: caf\\xe9 \\u2713 {STRIPE}\n" in result.stdout
