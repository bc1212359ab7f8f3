"""The image-skill example's client, from its spec and its hooks package, against a scripted server.

Ported from the legacy hand-written client's tests: they assert what a user sees (bytes
printed, files written, requests sent), which the contract-driven runtime must keep.
"""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

from tests.client.conftest import Client
from tests.client.stubs import Reply, Stub, envelope

TOKEN = "isk_r_0123456789abcdefghij"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
CHECKOUT = "https://checkout.stripe.com/c/pay/cs_test_a1" + "b" * 300 + "#fidkdWxOYHwnPyd1blpxYHZxWjA0"


def _auth() -> dict[str, str | None]:
    return {"IMAGE_SKILL_TOKEN": TOKEN}


def test_signup_save_keeps_the_token_private(image: Client, stub: Stub) -> None:
    stub.route("POST", "/v1/agent-signups", Reply(201, envelope({"token": TOKEN, "agent_id": "agt_1"})))
    result = image(
        "signup", "--agent", "--agent-contact", " Ops@Example.COM ", "--agent-name", "a", "--runtime", "r", "--save",
        "--json",
    )  # fmt: skip
    assert result.code == 0, result.stdout
    assert TOKEN not in result.stdout
    data = result.json["data"]
    assert data["token"] is None
    assert data["storage"]["saved"] is True
    sent = json.loads(stub.requests[-1]["body"])
    assert sent == {"human_email": "ops@example.com", "agent_name": "a", "runtime": "r", "return_token": True}
    config = image.config_path()
    assert json.loads(config.read_text())["token"] == TOKEN
    assert config.stat().st_mode & 0o777 == 0o600


def test_signup_show_token_prints_it_once(image: Client, stub: Stub) -> None:
    stub.route("POST", "/v1/agent-signups", Reply(201, envelope({"token": TOKEN})))
    args = ["signup", "--agent", "--agent-contact", "o@example.com", "--agent-name", "a", "--runtime", "r"]
    result = image(*args, "--show-token", "--json")
    assert result.json["data"]["token"] == TOKEN
    assert not image.config_path().exists()


def test_saved_token_is_used_and_bound_to_its_base(image: Client, stub: Stub) -> None:
    image.config_path().parent.mkdir(parents=True)
    image.config_path().write_text(json.dumps({"token": TOKEN, "api_base_url": stub.url}))
    stub.route("GET", "/v1/whoami", Reply(200, envelope({"actor_id": "agt_1"})))
    assert image("whoami", "--json").code == 0
    assert stub.requests[-1]["headers"]["authorization"] == f"Bearer {TOKEN}"
    other = image("whoami", "--json", "--api-base-url", "http://127.0.0.2:9")
    assert other.code == 2 and other.json["error"]["code"] == "API_BASE_URL_REFUSED"


def test_auth_save_from_stdin_and_logout(image: Client) -> None:
    result = image("auth", "save", "--token-stdin", "--json", stdin=TOKEN + "\n")
    assert result.code == 0, result.stdout
    assert TOKEN not in result.stdout
    assert json.loads(image.config_path().read_text())["token"] == TOKEN
    status = image("auth", "status", "--json", "--api-base-url", "http://127.0.0.1:9")
    assert status.code in (2, 7)  # the saved token is bound to its base; never sent elsewhere
    assert image("auth", "logout", "--json").json["data"]["removed"] is True
    assert image("auth", "status", "--json").json["data"]["authenticated"] is False


def test_missing_token_exits_with_the_spec_code(image: Client) -> None:
    result = image("usage", "quota", "--json")
    assert result.code == 3
    assert result.json["error"]["code"] == "AUTH_REQUIRED"


def test_envelope_error_code_and_exit_header(image: Client, stub: Stub) -> None:
    error = {"code": "QUOTA_EXCEEDED", "message": "no credits", "retryable": False}
    stub.route("GET", "/v1/quota", Reply(402, envelope(ok=False, error=error)))
    result = image("quota", "--json", env=_auth())
    assert result.code == 5 and result.json["error"]["message"] == "no credits"
    stub.route(
        "GET",
        "/v1/quota",
        Reply(400, envelope(ok=False, error={"code": "X", "message": "m"}), headers={"x-image-skill-exit-code": "4"}),
    )
    assert image("quota", "--json", env=_auth()).code == 4


def test_non_json_5xx_is_retryable_upstream_failure(image: Client, stub: Stub) -> None:
    stub.route("GET", "/v1/quota", Reply(502, raw=b"<html>bad gateway</html>", headers={"Content-Type": "text/html"}))
    result = image("quota", "--json", env=_auth())
    assert result.code == 7
    assert result.json["error"]["code"] == "INTERNAL_ERROR"
    assert stub.hits("GET", "/v1/quota") == 3


def test_quote_generates_an_idempotency_key_and_warns(image: Client, stub: Stub) -> None:
    stub.route("POST", "/v1/credit-quotes", Reply(200, envelope({"quote_id": "quote_1"})))
    result = image("credits", "quote", "--pack", "starter-500", "--json", env=_auth())
    assert result.code == 0, result.stdout
    key = json.loads(stub.requests[-1]["body"])["idempotency_key"]
    assert key.startswith("quote-")
    assert any(key in w for w in result.json["warnings"])


def test_checkout_url_keeps_its_fragment_in_both_forms(image: Client, stub: Stub) -> None:
    data = {"checkout_url": CHECKOUT, "next": {"fallback_checkout_url": CHECKOUT}}
    stub.route("POST", "/v1/credit-purchases/stripe-checkout-sessions", Reply(200, envelope(data)))
    args = ["credits", "buy", "--provider", "stripe", "--quote-id", "q", "--idempotency-key", "k"]
    result = image(*args, "--json", env=_auth())
    assert result.code == 0, result.stdout
    out = result.json["data"]
    assert out["checkout_compact_url"] == CHECKOUT
    assert out["next"]["checkout_compact_url"] == CHECKOUT
    readable = image(*args, env=_auth())
    assert f"checkout_compact_url: {CHECKOUT}\n" in readable.stdout


def test_upload_command_sends_the_file_facts(image: Client, stub: Stub) -> None:
    (image.cwd / "source.png").write_bytes(PNG)
    stub.route("POST", "/v1/upload", Reply(200, envelope({"asset": {"asset_id": "image_up1"}})))
    result = image("upload", "./source.png", "--json", env=_auth())
    assert result.code == 0, result.stdout
    assert stub.hits("POST", "/v1/upload") == 1
    body = json.loads(stub.requests[-1]["body"])
    assert body == {
        "source_kind": "local_path",
        "filename": "source.png",
        "remote_origin": None,
        "mime_type": "image/png",
        "content_length": len(PNG),
        "sha256": hashlib.sha256(PNG).hexdigest(),
        "bytes_base64": base64.b64encode(PNG).decode(),
    }
    assert result.json["data"]["asset"]["asset_id"] == "image_up1"


def test_upload_refuses_unknown_types(image: Client) -> None:
    (image.cwd / "notes.txt").write_text("x")
    result = image("upload", "notes.txt", "--json", env=_auth())
    assert result.code == 2


def test_edit_uploads_a_local_input_and_reference_through_the_hook(image: Client, stub: Stub) -> None:
    (image.cwd / "in.png").write_bytes(PNG)
    (image.cwd / "ref.png").write_bytes(PNG)
    ids = iter(["image_in", "image_ref"])
    stub.route("POST", "/v1/upload", lambda: Reply(200, envelope({"asset": {"asset_id": next(ids)}})))
    stub.route("POST", "/v1/edit", Reply(200, envelope({"job_id": "job_1", "assets": [], "cost": {}})))
    result = image(
        "edit", "in.png", "--prompt", "  No sky ", "--reference-image", "ref.png@0:id", "--json", env=_auth()
    )
    assert result.code == 0, result.stdout
    body = json.loads(stub.requests[-1]["body"])
    assert body["input_asset_id"] == "image_in"
    assert body["prompt"] == "No sky"
    assert body["references"] == [
        {"asset_id": "image_ref", "role": "reference_image", "index": 0, "reference_task": "id"}
    ]


def test_assets_get_downloads_whole_and_checked(image: Client, stub: Stub) -> None:
    asset = {
        "asset_id": "image_a1",
        "url": f"{stub.url}/media/image_a1.png",
        "mime_type": "image/png",
        "content_length": len(PNG),
        "sha256": hashlib.sha256(PNG).hexdigest(),
    }
    stub.route("GET", "/v1/assets/image_a1", Reply(200, envelope({"asset": asset})))
    stub.route("GET", "/media/image_a1.png", Reply(200, raw=PNG, headers={"Content-Type": "image/png"}))
    result = image("assets", "get", "image_a1", "--json", env=_auth())
    assert result.code == 0, result.stdout
    assert (image.cwd / "image_a1.png").read_bytes() == PNG
    again = image("assets", "get", "image_a1", "--json", env=_auth())
    assert again.code == 9 and again.json["error"]["code"] == "OUTPUT_EXISTS"
    assert image("assets", "get", "image_a1", "--overwrite", "--json", env=_auth()).code == 0


def test_assets_get_integrity_mismatch_leaves_no_file(image: Client, stub: Stub) -> None:
    asset = {"asset_id": "image_a2", "url": f"{stub.url}/media/a2.png", "sha256": "0" * 64}
    stub.route("GET", "/v1/assets/image_a2", Reply(200, envelope({"asset": asset})))
    stub.route("GET", "/media/a2.png", Reply(200, raw=PNG, headers={"Content-Type": "image/png"}))
    result = image("assets", "get", "image_a2", "--output", "x.png", "--json", env=_auth())
    assert result.code == 9 and result.json["error"]["code"] == "ASSET_INTEGRITY_MISMATCH"
    assert list(image.cwd.iterdir()) == []


def test_owned_url_is_reduced_to_its_id(image: Client, stub: Stub) -> None:
    stub.route("GET", "/v1/assets/image_a3", Reply(200, envelope({"asset": {"asset_id": "image_a3"}})))
    result = image("assets", "show", "https://media.image-skill.com/a/image_a3.png", "--json", env=_auth())
    assert result.code == 0, result.stdout
    refused = image("assets", "show", "https://elsewhere.example.com/image_a3.png", "--json", env=_auth())
    assert refused.code == 2


def test_jobs_wait_polls_until_terminal_or_times_out(image: Client, stub: Stub) -> None:
    states = iter(["running", "running", "completed"])
    stub.route(
        "GET", "/v1/jobs/job_1", lambda: Reply(200, envelope({"job": {"job_id": "job_1", "status": next(states)}}))
    )
    result = image("jobs", "wait", "job_1", "--poll-interval-ms", "500", "--json", env=_auth())
    assert result.code == 0, result.stdout
    assert result.json["data"]["job"]["status"] == "completed"
    assert image.clock.slept == [0.5, 0.5]
    stub.route("GET", "/v1/jobs/job_2", Reply(200, envelope({"job": {"job_id": "job_2", "status": "running"}})))
    late = image("jobs", "wait", "job_2", "--timeout-ms", "3000", "--json", env=_auth())
    assert late.code == 8 and late.json["error"]["code"] == "TIMEOUT"


def test_help_skill_and_version(image: Client) -> None:
    assert image("help", "--skill").stdout == "# skill of image-skill\n"
    assert image("--version").stdout.startswith("image-skill ")
    assert image("version", "--json").json["data"]["name"] == "image-skill"


def test_doctor_always_exits_zero(image: Client, stub: Stub) -> None:
    stub.route("GET", "/healthz", Reply(200, {"status": "ok"}))
    result = image("doctor", "--json")
    assert result.code == 0
    assert result.json["data"]["api"]["reachable"] is True
    down = image("doctor", "--json", env={"IMAGE_SKILL_API_BASE_URL": "http://127.0.0.1:9"})
    assert down.code == 0 and down.json["data"]["api"]["reachable"] is False


def test_unknown_command_exit_code(image: Client) -> None:
    result = image("imagez", "--json")
    assert result.code == 2 and result.json["error"]["code"] == "PUBLIC_CLI_COMMAND_NOT_AVAILABLE"


def test_create_prompt_file_is_read(image: Client, stub: Stub, tmp_path: Path) -> None:
    (image.cwd / "prompt.md").write_text("A kite\n")
    stub.route("POST", "/v1/create", Reply(200, envelope({"job_id": "job_1", "assets": [], "cost": {}})))
    result = image("create", "--prompt-file", "prompt.md", "--json", env=_auth())
    assert result.code == 0, result.stdout
    assert json.loads(stub.requests[-1]["body"])["prompt"] == "A kite\n"
