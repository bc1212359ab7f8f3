"""The Firecrawl example sends the requests its docs describe, and speaks its protocol.

The second example product is modelled from Firecrawl's public contract. These tests pin
what a user of its client relies on: which endpoint each invocation reaches (a UUID reads
a job, `--cancel` deletes it, a bare URL scrapes), the request fields and defaults sent,
the positional formats and their choices, and the wire protocol (bearer key, plain
replies, every failure exiting 1).
"""

from __future__ import annotations

from typing import Any

import pytest

from skillpress.contract import requests
from skillpress.contract.invocation import UsageProblem, parse_argv
from tests.contract.helpers import FIRECRAWL, contract_of, effects

JOB = "019c5a1e-3f2b-7c41-9a8e-5d6f7a8b9c0d"


def request_of(argv: list[str]) -> dict[str, Any]:
    contract = contract_of(FIRECRAWL)
    built = requests.build(contract, parse_argv(contract, argv, {}), effects=effects())
    assert built is not None
    request = built.request.to_dict()
    return {"call": f"{request['method']} {request['path']}", "query": request["query"], "body": request["body"]}


def test_a_bare_url_scrapes_with_the_words_after_it_as_formats() -> None:
    assert request_of(["https://example.com/blog", "markdown", "links"]) == {
        "call": "POST /v2/scrape",
        "query": [],
        "body": {"url": "https://example.com/blog", "formats": ["markdown", "links"], "onlyMainContent": True},
    }


def test_scrape_format_precedence_and_the_no_form() -> None:
    body = request_of(["scrape", "https://example.com", "-f", "links", "-S", "-H", "--no-only-main-content"])["body"]
    assert body["formats"] == ["html"] and body["onlyMainContent"] is False
    assert request_of(["scrape", "-u", "https://example.com", "summary", "-H"])["body"]["formats"] == ["summary"]
    body = request_of(["scrape", "https://example.com", "--country", "DE", "--languages", "de-DE,en"])["body"]
    assert body["location"] == {"country": "DE", "languages": ["de-DE", "en"]}


def test_a_positional_format_outside_the_choices_is_a_usage_error() -> None:
    with pytest.raises(UsageProblem) as caught:
        request_of(["https://example.com", "markdown", "pdf"])
    assert caught.value.message.startswith("FORMATS must be one of markdown, html, rawHtml")


@pytest.mark.parametrize(
    ("argv", "call"),
    [
        (["crawl", "https://example.com"], "POST /v2/crawl"),
        (["crawl", JOB], f"GET /v2/crawl/{JOB}"),
        (["crawl", JOB.upper()], f"GET /v2/crawl/{JOB.upper()}"),
        (["crawl", "--status", "job-1"], "GET /v2/crawl/job-1"),
        (["crawl", JOB, "--cancel"], f"DELETE /v2/crawl/{JOB}"),
        (["agent", "Who founded it?"], "POST /v2/agent"),
        (["agent", JOB], f"GET /v2/agent/{JOB}"),
        (["agent", JOB, "--cancel"], f"DELETE /v2/agent/{JOB}"),
        (["credits"], "GET /v2/team/credit-usage"),
        (["status"], "GET /v2/team/queue-status"),
    ],
)
def test_the_argument_shape_and_flags_choose_the_endpoint(argv: list[str], call: str) -> None:
    assert request_of(argv)["call"] == call


def test_job_reads_send_no_start_fields() -> None:
    assert request_of(["crawl", JOB, "--limit", "5", "--wait"]) == {
        "call": f"GET /v2/crawl/{JOB}",
        "query": [],
        "body": None,
    }


def test_crawl_start_nests_the_webhook_and_keeps_the_api_names() -> None:
    body = request_of(
        ["crawl", "https://example.com", "--limit", "10", "--max-depth", "2", "--webhook", "https://h.example/x"]
    )["body"]
    assert body == {
        "url": "https://example.com",
        "limit": 10,
        "maxDiscoveryDepth": 2,
        "sitemap": "include",
        "webhook": {"url": "https://h.example/x"},
    }


def test_map_timeout_is_sent_in_milliseconds_and_search_lowercases_sources() -> None:
    assert request_of(["map", "https://example.com", "--timeout", "2.5"])["body"]["timeout"] == 2500
    body = request_of(["search", "q", "--sources", "WEB,News", "--scrape"])["body"]
    assert body == {"query": "q", "sources": ["web", "news"], "scrapeOptions": {"formats": ["markdown"]}}


def test_the_protocol_is_firecrawls() -> None:
    contract = contract_of(FIRECRAWL)
    protocol = contract["protocol"]
    assert protocol["base_url"]["default"] == "https://api.firecrawl.dev"
    assert protocol["base_url"]["env"] == ["FIRECRAWL_API_URL"] and protocol["base_url"]["flag"] == "--api-url"
    credential = protocol["credential"]
    assert (credential["scheme"], credential["name"], credential["prefix"]) == ("bearer", "Authorization", "Bearer ")
    assert [(s["kind"], s["name"]) for s in credential["sources"]] == [
        ("flag", "--api-key"),
        ("env", "FIRECRAWL_API_KEY"),
        ("config", "apiKey"),
    ]
    assert credential["optional_for_custom_base"] is True
    assert protocol["config"] == {
        "folder": "firecrawl-cli",
        "file": "credentials.json",
        "env": None,
        "base_key": "apiUrl",
    }
    replies = protocol["replies"]
    assert (replies["style"], replies["data"], replies["error_code"], replies["error_message"]) == (
        "plain",
        "",
        "code",
        "error",
    )
    assert protocol["default_command"] == {"command": "scrape", "when": "url"}
    assert protocol["output"]["json_flag"] == "--json" and protocol["output"]["pretty_flag"] == "--pretty"


def test_every_failure_exits_1_and_the_retryable_ones_are_the_documented_ones() -> None:
    contract = contract_of(FIRECRAWL)
    assert contract["exit_codes"] == [0, 1]
    assert {code["exit_code"] for code in contract["error_codes"].values()} == {1}
    statuses = contract["protocol"]["replies"]["statuses"]
    retryable = {status for status, code in statuses.items() if contract["error_codes"][code]["retryable"]}
    assert retryable == {"408", "429", "5xx"}
    assert set(contract["protocol"]["errors"].values()) - {None} <= set(contract["error_codes"])
