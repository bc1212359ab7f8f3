"""Tool calls through the MCP server, against the mock, for both example products.

The SDK's client starts ``skillpress mcp SPEC`` with the environment an MCP host would
give it (the product's base-URL and credential variables, pointing at the mock), calls a
read-only tool, a spending tool and one that fails with a declared error code, and checks
what the mock logged, what it debited (the spending call's price from ``contract.pricing``,
nothing for the others) and what came back. No answer holds the credential.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("mcp")

from skillpress.contract import pricing
from skillpress.mcp import tools
from skillpress.mock.server import MockServer
from skillpress.spec import load_spec
from tests.examples import EXAMPLES
from tests.mcp.test_stdio import session
from tests.mcp.test_tools import contract_of

# Per product: (read-only call, spending call, call that fails with a declared code).
CALLS: dict[str, dict[str, Any]] = {
    "firecrawl": {
        "read": ("credit_usage", {}, ("GET", "/v2/team/credit-usage")),
        "spend": ("scrape", {"url": "https://example.com"}, ("POST", "/v2/scrape")),
        "fail": ("crawl", {"url_or_job_id": "no-such-job", "status": True}, "NOT_FOUND"),
    },
    "image-skill": {
        "read": ("whoami", {}, ("GET", "/v1/whoami")),
        "spend": ("create", {"prompt": "a lighthouse at dusk"}, ("POST", "/v1/create")),
        "fail": ("jobs_show", {"job_id": "job_missing"}, "NOT_FOUND"),
    },
}


def _host_env(contract: dict[str, Any], base: str, secret: str, home: Path) -> dict[str, str]:
    protocol = contract["protocol"]
    env = {"HOME": str(home), protocol["base_url"]["env"][0]: base}
    variable = next(s["name"] for s in protocol["credential"]["sources"] if s["kind"] == "env")
    env[variable] = secret
    return env


def _balance(mock: Any, secret: str) -> float:
    """The account's balance in the mock's store (the mock's own bookkeeping, not a reply)."""
    store = mock.app.store
    return float(store.balance(store.account_of(secret)))


def _texts(result: Any) -> str:
    return "\n".join(getattr(c, "text", "") for c in result.content) + json.dumps(result.structured_content)


@pytest.mark.parametrize("product", sorted(CALLS))
def test_calls_against_the_mock(product: str, tmp_path: Path) -> None:
    contract = contract_of(product)
    spec = load_spec(EXAMPLES / product / "spec.yaml").spec
    assert spec is not None
    plan = CALLS[product]
    with MockServer(spec, starting_credits=10_000) as mock:
        secret = mock.issue_credential()

        async def steps(client: Any) -> dict[str, Any]:
            listed = {t.name: t for t in (await client.list_tools()).tools}
            results = {}
            for key in ("read", "spend", "fail"):
                name, arguments, _ = plan[key]
                results[key] = await client.call_tool(name, arguments)
            return {"tools": listed, **results}

        before = _balance(mock, secret)
        got = session(product, steps, _host_env(contract, mock.url, secret, tmp_path))
        after = _balance(mock, secret)
        requests = mock.requests()
        logged = [(r["method"], r["path"]) for r in requests]

    read_name, _, read_request = plan["read"]
    assert got["tools"][read_name].annotations.read_only_hint is True
    assert got["read"].is_error is False, _texts(got["read"])
    spend_name, _, spend_request = plan["spend"]
    assert got["tools"][spend_name].annotations.read_only_hint is False
    assert got["spend"].is_error is False, _texts(got["spend"])
    assert logged[:2] == [read_request, spend_request]
    assert isinstance(got["spend"].structured_content, dict)
    assert json.loads(got["spend"].content[0].text) == got["spend"].structured_content

    # The spending call was debited by what the contract prices it at, the read-only one not at all.
    command = tools.command_for_tool(contract, spend_name)
    assert command is not None
    spend_log = requests[1]
    data = got["spend"].structured_content  # the reply's data, as the tool answered it
    cost = pricing.call_cost(contract, command["id"], spend_log["endpoint"], spend_log["json"] or {}, data)
    assert cost, "the spending example must be priced"
    assert before - after == cost

    fail = got["fail"]
    code = plan["fail"][2]
    declared = contract["error_codes"][code]
    assert fail.is_error is True
    error = fail.structured_content["error"]
    assert error["code"] == code
    assert error["retryable"] is declared["retryable"]
    assert error["recovery"]
    assert fail.structured_content["exit_code"] == declared["exit_code"]
    text = fail.content[0].text
    assert text.startswith(f"{code}: ")
    assert "Retryable: no" in text and "Recovery: " in text

    for key in ("read", "spend", "fail"):
        assert secret not in _texts(got[key])
