"""Checkout URLs pass through whole (the 0.1.8 regression), quotes, uploads, create and edit."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from skillpress.mock.server import tiny_png
from tests.client.conftest import Client, signup_token
from tests.client.stubs import Reply, Stub, envelope

TOKEN = "isk_r_" + "T" * 24
AUTH = {"IMAGE_SKILL_TOKEN": TOKEN}
STRIPE = "https://checkout.stripe.com/c/pay/cs_test_a1B2#fidkZ2BwaGx%2Bd2FuYGNgaw%2Fabc=="


def test_checkout_urls_survive_buy_and_status_byte_for_byte(client: Client, mock: Any) -> None:
    env = {"IMAGE_SKILL_TOKEN": signup_token(client)}
    quote = client(
        "credits",
        "quote",
        "--pack",
        "starter-500",
        "--payment-method",
        "stripe_checkout",
        "--idempotency-key",
        "q-1",
        "--json",
        env=env,
    )
    assert quote.code == 0, quote.stdout
    quote_id = quote.json["data"]["quote_id"]
    buy = client(
        "credits", "buy", "--provider", "stripe", "--quote-id", quote_id, "--idempotency-key", "b-1", "--json", env=env
    )
    assert buy.code == 0, buy.stdout
    data = buy.json["data"]
    # the mock answers the spec's example checkout URL with its own session id in it
    stored = data["checkout_url"]
    assert "#fid" in stored
    assert data["checkout_url"] == stored
    assert data["checkout_compact_url"] == stored
    assert stored in buy.stdout  # byte for byte in the printed text, fragment included
    status = client("credits", "status", "--payment-attempt-id", data["payment_attempt_id"], "--json", env=env)
    assert status.code == 0, status.stdout
    attempt = status.json["data"]["payment_attempt"]
    assert attempt["checkout_url"] == stored and attempt["checkout_compact_url"] == stored
    # replaying the same key gives the same attempt
    again = client(
        "credits", "buy", "--provider", "stripe", "--quote-id", quote_id, "--idempotency-key", "b-1", "--json", env=env
    )
    assert again.json["data"]["payment_attempt_id"] == data["payment_attempt_id"]


def test_a_missing_compact_url_is_filled_with_the_fragment(client_for: Any, stub: Stub) -> None:
    padded = "  " + STRIPE + " "
    stub.route(
        "POST",
        "/v1/credit-purchases/stripe-checkout-sessions",
        Reply(
            200,
            envelope(
                {"state": "action_required", "checkout_url": STRIPE, "next": {"human_action": "open_checkout_url"}}
            ),
        ),
    )
    stub.route(
        "GET",
        "/v1/credit-purchases/status",
        Reply(
            200,
            envelope(
                {
                    "state": "action_required",
                    "payment_attempt": {"checkout_url": padded},
                    "next": {"human_action": "open_checkout_url"},
                }
            ),
        ),
    )
    cli = client_for(stub.url)
    buy = cli("credits", "buy", "--provider", "stripe", "--quote-id", "q", "--idempotency-key", "k", "--json", env=AUTH)
    data = buy.json["data"]
    assert data["checkout_url"] == STRIPE and data["checkout_compact_url"] == STRIPE
    assert data["next"]["checkout_compact_url"] == STRIPE
    status = cli("credits", "status", "--quote-id", "q", "--json", env=AUTH)
    attempt = status.json["data"]["payment_attempt"]
    assert attempt["checkout_url"] == padded and attempt["checkout_compact_url"] == padded  # untouched, as is
    assert stub.requests[-1]["path"] == "/v1/credit-purchases/status?quote_id=q"


def test_a_server_compact_url_is_never_rewritten(client_for: Any, stub: Stub) -> None:
    stub.route(
        "POST",
        "/v1/credit-purchases/stripe-checkout-sessions",
        Reply(200, envelope({"checkout_url": STRIPE, "checkout_compact_url": STRIPE + "&x=1"})),
    )
    cli = client_for(stub.url)
    buy = cli("credits", "buy", "--provider", "stripe", "--quote-id", "q", "--idempotency-key", "k", "--json", env=AUTH)
    assert buy.json["data"]["checkout_compact_url"] == STRIPE + "&x=1"


def test_quote_idempotency_and_generated_keys(client: Client, mock: Any) -> None:
    env = {"IMAGE_SKILL_TOKEN": signup_token(client)}
    first = client("credits", "quote", "--credits", "10", "--idempotency-key", "k", "--json", env=env)
    same = client("credits", "quote", "--credits", "10", "--idempotency-key", "k", "--json", env=env)
    assert first.json["data"]["quote_id"] == same.json["data"]["quote_id"]
    other = client("credits", "quote", "--credits", "11", "--idempotency-key", "k", "--json", env=env)
    assert other.code == 1 and other.json["error"]["code"] == "CREDIT_QUOTE_CONFLICT"
    generated = client("credits", "quote", "--credits", "10", "--json", env=env)
    assert generated.code == 0
    key = generated.json["data"]["idempotency_key"]
    assert key.startswith("quote-") and any(key in w and "--idempotency-key" in w for w in generated.json["warnings"])


def test_fake_purchase_grants_once_and_quota_shows_it(client: Client, mock: Any) -> None:
    env = {"IMAGE_SKILL_TOKEN": signup_token(client)}
    before = client("usage", "quota", "--json", env=env).json["data"]["limits"]["credits_remaining"]
    quote_id = client("credits", "quote", "--credits", "25", "--idempotency-key", "q", "--json", env=env).json["data"][
        "quote_id"
    ]
    for _ in range(2):
        bought = client("credits", "fake-purchase", "--quote-id", quote_id, "--idempotency-key", "p", "--json", env=env)
        assert bought.code == 0 and bought.json["data"]["live_money"] is False
    after = client("quota", "--json", env=env).json["data"]["limits"]["credits_remaining"]
    assert after == before + 25


def test_local_upload_sends_hash_length_and_basename_only(client_for: Any, stub: Stub) -> None:
    png = tiny_png("x")
    stub.route("POST", "/v1/upload", Reply(200, envelope({"asset": {"asset_id": "image_up"}})))
    cli = client_for(stub.url)
    (cli.cwd / "deep").mkdir()
    (cli.cwd / "deep" / "Photo.PNG").write_bytes(png)
    result = cli("upload", "deep/Photo.PNG", "--json", env=AUTH)
    assert result.code == 0, result.stdout
    body = json.loads(stub.requests[-1]["body"])
    assert body == {
        "source_kind": "local_path",
        "filename": "Photo.PNG",
        "remote_origin": None,
        "mime_type": "image/png",
        "content_length": len(png),
        "sha256": hashlib.sha256(png).hexdigest(),
        "bytes_base64": base64.b64encode(png).decode(),
    }
    assert str(cli.cwd) not in stub.requests[-1]["body"].decode()


def test_unknown_types_are_refused_before_any_request(client_for: Any, stub: Stub) -> None:
    cli = client_for(stub.url)
    (cli.cwd / "notes.txt").write_text("hello")
    result = cli("upload", "notes.txt", "--json", env=AUTH)
    assert result.code == 2 and result.json["error"]["code"] == "UPLOAD_MIME_TYPE_UNKNOWN"
    stub.route("GET", "/page.html", Reply(200, raw=b"<html></html>", headers={"Content-Type": "text/html"}))
    result = cli("upload", stub.url + "/page.html", "--json", env=AUTH)
    assert result.code == 2 and result.json["error"]["code"] == "UPLOAD_MIME_TYPE_UNKNOWN"
    assert stub.hits("POST", "/v1/upload") == 0
    missing = cli("upload", "nope.png", "--json", env=AUTH)
    assert missing.code == 9 and missing.json["error"]["code"] == "LOCAL_FILE_FAILED"


def test_remote_upload_is_fetched_without_the_token(client_for: Any, stub: Stub) -> None:
    png = tiny_png("remote")
    stub.route("GET", "/img/src", Reply(200, raw=png, headers={"Content-Type": "image/png; charset=binary"}))
    stub.route("POST", "/v1/upload", Reply(200, envelope({"asset": {"asset_id": "image_r"}})))
    stub.route("GET", "/img/missing.png", Reply(404, raw=b"no"))
    cli = client_for(stub.url)
    result = cli("upload", stub.url + "/img/src", "--json", env=AUTH)
    assert result.code == 0, result.stdout
    fetch = next(r for r in stub.requests if r["path"] == "/img/src")
    assert "authorization" not in fetch["headers"]
    body = json.loads(stub.requests[-1]["body"])
    assert body["source_kind"] == "remote_url" and body["remote_origin"] == stub.url
    assert body["filename"] == "src" and body["mime_type"] == "image/png"
    failed = cli("upload", stub.url + "/img/missing.png", "--json", env=AUTH)
    assert failed.code == 7 and failed.json["error"]["code"] == "REMOTE_UPLOAD_FETCH_FAILED"


def _sent(mock: Any, path: str) -> Any:
    """The JSON body of the last request the mock logged for ``path``."""
    return [r["json"] for r in mock.requests() if r["path"] == path][-1]


def test_create_and_edit_upload_local_inputs_first(client: Client, mock: Any) -> None:
    env = {"IMAGE_SKILL_TOKEN": signup_token(client)}
    (client.cwd / "in.png").write_bytes(tiny_png("in"))
    (client.cwd / "mask.png").write_bytes(tiny_png("mask"))
    (client.cwd / "prompt.md").write_text("a prompt from a file\n")
    created = client(
        "create",
        "--prompt-file",
        "prompt.md",
        "--reference-image",
        "in.png@0:style",
        "--reference-image",
        "image_example1@1",
        "--json",
        env=env,
    )
    assert created.code == 0, created.stdout
    sent = _sent(mock, "/v1/create")
    assert sent["prompt"] == "a prompt from a file\n"  # create sends the file unchanged
    assert [r["role"] for r in sent["references"]] == ["reference_image", "reference_image"]
    assert sent["references"][0]["reference_task"] == "style"
    assert (
        sent["references"][0]["asset_id"].startswith("image_") and sent["references"][1]["asset_id"] == "image_example1"
    )
    edited = client("edit", "in.png", "--mask", "mask.png", "--prompt", "  bluer  ", "--json", env=env)
    assert edited.code == 0, edited.stdout
    sent = _sent(mock, "/v1/edit")
    assert sent["prompt"] == "bluer" and sent["aspect_ratio"] == "auto"
    assert sent["input_asset_id"] != sent["mask_asset_id"]
    uploads = [r for r in mock.requests() if r["path"] == "/v1/upload" and r["status"] == 200]
    assert len(uploads) == 3  # in.png twice (create reference, edit input) and the mask
    bad = client("create", "--prompt", "p", "--reference-image", "image_a@1", "--json", env=env)
    assert bad.code == 2  # indexes must start at 0
