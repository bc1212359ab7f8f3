"""assets get writes only verified files at the chosen path; jobs wait polls with a deadline."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

import pytest

from tests.client.conftest import Client, signup_token
from tests.client.stubs import Reply, Stub, envelope

TOKEN = "isk_r_" + "T" * 24
AUTH = {"IMAGE_SKILL_TOKEN": TOKEN}
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(64))


def _asset(
    stub: Stub,
    asset_id: str,
    *,
    url_path: str = "/files/evil.png",
    sha: str | None = None,
    length: int | None = None,
    url: str | None = None,
) -> None:
    meta: dict[str, Any] = {"asset_id": asset_id, "url": url or stub.url + url_path, "mime_type": "image/png"}
    if sha is not None:
        meta["sha256"] = sha
    if length is not None:
        meta["content_length"] = length
    stub.route("GET", f"/v1/assets/{asset_id}", Reply(200, envelope({"asset": meta})))


@pytest.fixture
def cli(client_for: Any, stub: Stub) -> Client:
    return client_for(stub.url)


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_download_to_output_and_never_overwrite_without_the_flag(cli: Client, stub: Stub) -> None:
    _asset(stub, "image_ok", sha=hashlib.sha256(PNG).hexdigest(), length=len(PNG))
    stub.route("GET", "/files/evil.png", Reply(200, raw=PNG, headers={"Content-Type": "image/png"}))
    out = cli.cwd / "sub" / "result.png"
    result = cli("assets", "get", "image_ok", "--output", str(out), "--json", env=AUTH)
    assert result.code == 0, result.stdout
    assert out.read_bytes() == PNG
    download = result.json["data"]["download"]
    assert download["bytes"] == len(PNG) and download["sha256_verified"] is True
    assert result.json["data"]["asset"]["asset_id"] == "image_ok"
    assert "authorization" not in stub.requests[-1]["headers"]  # the token never goes to the file host
    out.write_bytes(b"precious")
    again = cli("assets", "get", "image_ok", "--output", str(out), "--json", env=AUTH)
    assert again.code == 9 and again.json["error"]["code"] == "OUTPUT_EXISTS"
    assert out.read_bytes() == b"precious"
    forced = cli("assets", "get", "image_ok", "--output", str(out), "--overwrite", "--json", env=AUTH)
    assert forced.code == 0 and out.read_bytes() == PNG
    assert forced.json["data"]["download"]["overwritten"] is True
    assert _leftovers(out.parent) == ["result.png"]


def test_default_name_comes_from_the_asset_id_not_the_server(cli: Client, stub: Stub) -> None:
    _asset(stub, "image_abc.1", url_path="/files/..%2F..%2Fescape")
    stub.route("GET", "/files/..%2F..%2Fescape", Reply(200, raw=PNG, headers={"Content-Type": "image/png"}))
    result = cli("assets", "get", "image_abc.1", "--json", env=AUTH)
    assert result.code == 0, result.stdout
    assert _leftovers(cli.cwd) == ["image_abc.1.png"]


def test_a_short_body_leaves_no_file(cli: Client, stub: Stub) -> None:
    _asset(stub, "image_short")
    stub.route(
        "GET",
        "/files/evil.png",
        Reply(200, raw=PNG[:20], declared_length=len(PNG), headers={"Content-Type": "image/png"}),
    )
    out = cli.cwd / "short.png"
    result = cli("assets", "get", "image_short", "--output", str(out), "--json", env=AUTH)
    assert result.code == 9, result.stdout
    assert result.json["error"]["code"] == "ASSET_INTEGRITY_MISMATCH"
    assert _leftovers(cli.cwd) == []


def test_a_sha256_mismatch_leaves_no_file(cli: Client, stub: Stub) -> None:
    _asset(stub, "image_bad", sha="0" * 64)
    stub.route("GET", "/files/evil.png", Reply(200, raw=PNG, headers={"Content-Type": "image/png"}))
    result = cli("assets", "get", "image_bad", "--output", "x.png", "--json", env=AUTH)
    assert result.code == 9 and result.json["error"]["code"] == "ASSET_INTEGRITY_MISMATCH"
    assert _leftovers(cli.cwd) == []


def test_a_length_mismatch_with_the_metadata_leaves_no_file(cli: Client, stub: Stub) -> None:
    _asset(stub, "image_len", length=len(PNG) + 1)
    stub.route("GET", "/files/evil.png", Reply(200, raw=PNG, headers={"Content-Type": "image/png"}))
    result = cli("assets", "get", "image_len", "--output", "x.png", "--json", env=AUTH)
    assert result.code == 9 and result.json["error"]["code"] == "ASSET_INTEGRITY_MISMATCH"
    assert _leftovers(cli.cwd) == []


@pytest.mark.parametrize("url", ["file:///etc/hostname", "data:image/png;base64,iVBORw0KGgo=", "ftp://h/x.png"])
def test_only_http_asset_urls_are_fetched(cli: Client, stub: Stub, url: str) -> None:
    _asset(stub, "image_odd", url=url)
    result = cli("assets", "get", "image_odd", "--output", "x.png", "--json", env=AUTH)
    assert result.code == 7 and result.json["error"]["code"] == "ASSET_DOWNLOAD_FAILED"
    assert _leftovers(cli.cwd) == []


def test_a_download_error_status_leaves_no_file(cli: Client, stub: Stub) -> None:
    _asset(stub, "image_gone")
    stub.route("GET", "/files/evil.png", Reply(404, raw=b"gone", headers={"Content-Type": "text/plain"}))
    result = cli("assets", "get", "image_gone", "--output", "x.png", "--json", env=AUTH)
    assert result.code == 7 and result.json["error"]["code"] == "ASSET_DOWNLOAD_FAILED"
    assert _leftovers(cli.cwd) == []


def test_foreign_asset_urls_are_refused(cli: Client, stub: Stub) -> None:
    result = cli("assets", "get", "https://evil.example/x/image_abc123.png", "--json", env=AUTH)
    assert result.code == 2 and result.json["error"]["code"] == "INVALID_ARGUMENTS"
    result = cli("assets", "show", "https://evil.example/x/image_abc123.png", "--json", env=AUTH)
    assert result.code == 2
    assert stub.requests == []


def test_owned_urls_resolve_to_the_asset_id(client: Client, mock: Any) -> None:
    token = signup_token(client)
    result = client(
        "assets",
        "show",
        "https://media.image-skill.com/a/image_example1.png",
        "--json",
        env={"IMAGE_SKILL_TOKEN": token},
    )
    assert result.code == 0, result.stdout
    assert result.json["data"]["asset"]["asset_id"] == "image_example1"


def test_jobs_wait_polls_until_a_terminal_status(cli: Client, stub: Stub) -> None:
    replies = iter(
        [Reply(200, envelope({"job": {"job_id": "job_1", "status": s}})) for s in ("queued", "running", "completed")]
    )
    stub.route("GET", "/v1/jobs/job_1", lambda: next(replies))
    result = cli("jobs", "wait", "job_1", "--poll-interval-ms", "50", "--json", env=AUTH)
    assert result.code == 0, result.stdout
    assert result.json["data"]["job"]["status"] == "completed"
    assert result.json["data"]["request"]["polls"] == 3


def test_jobs_wait_times_out_with_exit_8(cli: Client, stub: Stub) -> None:
    stub.route("GET", "/v1/jobs/job_slow", Reply(200, envelope({"job": {"job_id": "job_slow", "status": "running"}})))
    result = cli("jobs", "wait", "job_slow", "--timeout-ms", "300", "--poll-interval-ms", "100", "--json", env=AUTH)
    assert result.code == 8, result.stdout
    error = result.json["error"]
    assert error["code"] == "TIMEOUT" and error["retryable"] is True
    assert error["recovery"]["retry_after_seconds"] >= 1
    assert 2 <= stub.hits("GET", "/v1/jobs/job_slow") <= 6


def test_jobs_wait_returns_an_error_envelope_at_once(cli: Client, stub: Stub) -> None:
    stub.route(
        "GET",
        "/v1/jobs/job_x",
        Reply(
            429,
            envelope(ok=False, error={"code": "RATE", "message": "slow down", "retryable": True}),
            headers={"Retry-After": "0"},
        ),
    )
    result = cli("jobs", "wait", "job_x", "--timeout-ms", "5000", "--json", env=AUTH)
    assert result.code == 5


def test_canceled_spellings_are_terminal(cli: Client, stub: Stub) -> None:
    for status in ("canceled", "cancelled", "failed"):
        stub.route("GET", "/v1/jobs/job_c", Reply(200, envelope({"job": {"job_id": "job_c", "status": status}})))
        result = cli("jobs", "wait", "job_c", "--timeout-ms", "2000", "--json", env=AUTH)
        assert result.code == 0 and result.json["warnings"], status
    assert not os.listdir(cli.cwd)
