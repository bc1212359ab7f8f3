"""The Firecrawl example's client, from its spec alone, against a scripted server.

What issue 11 found broken with the legacy client: error replies lost their message and
code, `--api-key`/`--api-url` were ignored, `-o` wrote nothing, `--wait` did not wait,
`crawl <job-id>` started a new crawl, and exit codes came from code.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.client.conftest import Client
from tests.client.stubs import Reply, Stub

KEY = "fc-0123456789abcdef"
JOB = "019c5a1e-3f2b-7c41-9a8e-5d6f7a8b9c0d"


def test_scrape_prints_markdown_verbatim_and_sends_the_mapped_request(firecrawl: Client, stub: Stub) -> None:
    page = "# Title\n\nA [link](https://example.com/a#frag) " + "x" * 400
    stub.route("POST", "/v2/scrape", Reply(200, {"success": True, "data": {"markdown": page}}))
    result = firecrawl("scrape", "https://example.com", env={"FIRECRAWL_API_KEY": KEY})
    assert result.code == 0, result.stderr
    assert result.stdout == page + "\n"
    sent = stub.requests[-1]
    assert sent["headers"]["authorization"] == f"Bearer {KEY}"
    assert json.loads(sent["body"]) == {
        "url": "https://example.com",
        "formats": ["markdown"],
        "onlyMainContent": True,
    }


def test_json_switch_prints_the_whole_reply_pretty(firecrawl: Client, stub: Stub) -> None:
    body = {"success": True, "data": {"markdown": "# A", "links": ["https://a.example/#x"]}}
    stub.route("POST", "/v2/scrape", Reply(200, body))
    result = firecrawl("https://example.com/blog", "markdown", "links", "--json", "--pretty", "-k", KEY)
    assert result.code == 0, result.stderr
    assert json.loads(result.stdout) == body
    assert result.stdout.startswith("{\n  ")
    assert json.loads(stub.requests[-1]["body"])["formats"] == ["markdown", "links"]


def test_error_reply_keeps_the_servers_code_and_message(firecrawl: Client, stub: Stub) -> None:
    stub.route(
        "POST",
        "/v2/scrape",
        Reply(402, {"success": False, "error": "Insufficient credits to perform this request."}),
    )
    result = firecrawl("scrape", "https://example.com", "--json", env={"FIRECRAWL_API_KEY": KEY})
    assert result.code == 1
    error = result.json["error"]
    assert error["code"] == "INSUFFICIENT_CREDITS"
    assert error["message"] == "Insufficient credits to perform this request."
    assert "Insufficient credits" in result.stderr


def test_429_is_retried_for_reads_only(firecrawl: Client, stub: Stub) -> None:
    calls = iter([Reply(429, {"success": False, "error": "slow down"}, headers={"Retry-After": "2"})])

    def reply() -> Reply:
        return next(calls, Reply(200, {"success": True, "data": {"remainingCredits": 42}}))

    stub.route("GET", "/v2/team/credit-usage", reply)
    result = firecrawl("credit-usage", env={"FIRECRAWL_API_KEY": KEY})
    assert result.code == 0, result.stderr
    assert result.stdout == "42\n"
    assert stub.hits("GET", "/v2/team/credit-usage") == 2
    assert firecrawl.clock.slept == [2.0]
    stub.route("POST", "/v2/scrape", Reply(429, {"success": False, "error": "slow down"}))
    result = firecrawl("scrape", "https://example.com", env={"FIRECRAWL_API_KEY": KEY})
    assert result.code == 1 and stub.hits("POST", "/v2/scrape") == 1
    assert "RATE_LIMITED" in result.stderr


def test_api_url_flag_is_used_and_a_self_hosted_base_needs_no_key(tmp_path: Path, stub: Stub) -> None:
    client = Client(firecrawl_spec_path(), tmp_path, None, None)
    stub.route("POST", "/v2/map", Reply(200, {"success": True, "links": []}))
    result = client("map", "https://example.com", "--api-url", stub.url)
    assert result.code == 0, result.stderr
    assert "authorization" not in stub.requests[-1]["headers"]


def test_env_key_is_not_sent_to_another_base(tmp_path: Path, stub: Stub) -> None:
    client = Client(firecrawl_spec_path(), tmp_path, None, None)
    result = client(
        "map", "https://example.com", "--api-url", "https://evil.example.net", env={"FIRECRAWL_API_KEY": KEY}
    )
    assert result.code == 1
    assert "API_URL_REFUSED" in result.stderr
    assert KEY not in result.stdout + result.stderr


def test_output_file_replaced_atomically(firecrawl: Client, stub: Stub) -> None:
    stub.route("POST", "/v2/scrape", Reply(200, {"success": True, "data": {"markdown": "# Saved"}}))
    target = firecrawl.cwd / "out.md"
    target.write_text("old", encoding="utf-8")
    result = firecrawl("scrape", "https://example.com", "-o", "out.md", env={"FIRECRAWL_API_KEY": KEY})
    assert result.code == 0, result.stderr
    assert target.read_text(encoding="utf-8") == "# Saved\n"
    assert "out.md" in result.stdout
    assert sorted(p.name for p in firecrawl.cwd.iterdir()) == ["out.md"]


def test_crawl_job_id_reads_the_job_and_wait_polls(firecrawl: Client, stub: Stub) -> None:
    states = iter(["scraping", "scraping", "completed"])

    def status() -> Reply:
        return Reply(200, {"success": True, "status": next(states), "completed": 1, "total": 1, "data": []})

    stub.route("GET", f"/v2/crawl/{JOB}", status)
    result = firecrawl("crawl", JOB, "--wait", "--poll-interval", "3", env={"FIRECRAWL_API_KEY": KEY})
    assert result.code == 0, result.stderr
    assert result.json["status"] == "completed"
    assert stub.hits("POST", "/v2/crawl") == 0
    assert stub.hits("GET", f"/v2/crawl/{JOB}") == 3
    assert firecrawl.clock.slept == [3.0, 3.0]


def test_crawl_start_then_wait_uses_the_returned_id_and_times_out(firecrawl: Client, stub: Stub) -> None:
    stub.route("POST", "/v2/crawl", Reply(200, {"success": True, "id": JOB, "url": "https://x"}))
    stub.route("GET", f"/v2/crawl/{JOB}", Reply(200, {"success": True, "status": "scraping", "data": []}))
    result = firecrawl(
        "crawl", "https://example.com", "--wait", "--timeout", "10", "--json", env={"FIRECRAWL_API_KEY": KEY}
    )
    assert result.code == 1
    assert result.json["error"]["code"] == "TIMED_OUT"
    assert sum(firecrawl.clock.slept) == 10


def test_cancel_route(firecrawl: Client, stub: Stub) -> None:
    stub.route("DELETE", f"/v2/crawl/{JOB}", Reply(200, {"success": True, "status": "cancelled"}))
    result = firecrawl("crawl", JOB, "--cancel", env={"FIRECRAWL_API_KEY": KEY})
    assert result.code == 0, result.stderr
    assert stub.requests[-1]["method"] == "DELETE"


def test_login_saves_key_privately_and_logout_forgets(firecrawl: Client) -> None:
    result = firecrawl("login", "--api-key", KEY, "--json")
    assert result.code == 0, result.stderr
    path = firecrawl.config_path()
    assert (path.stat().st_mode & 0o777) == 0o600
    assert (path.parent.stat().st_mode & 0o777) == 0o700
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert saved["apiKey"] == KEY
    assert KEY not in result.stdout
    status = firecrawl("view-config", "--json")
    assert status.json["authenticated"] is True and status.json["credential_source"] == "config"
    assert KEY not in status.stdout
    assert firecrawl("logout").code == 0
    assert not path.exists()


def test_usage_error_exit_code_comes_from_the_spec(firecrawl: Client) -> None:
    result = firecrawl("map", "--limit", "1.9", "https://example.com", "--json")
    assert result.code == 1
    assert result.json["error"]["code"] == "INVALID_ARGUMENTS"
    assert result.json["error"]["recovery"]["flag"] == "--limit"


def firecrawl_spec_path() -> Path:
    from tests.client.conftest import FIRECRAWL_SPEC

    return FIRECRAWL_SPEC
