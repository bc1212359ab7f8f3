"""Credits as the spec declares them: starting balances, per-call costs debited, the declared
shortfall error, top-ups through a test payment method granted once, and two real mock
processes on one database that neither grant twice nor spend below zero."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from skillpress.contract.compile import compile_contract
from skillpress.contract.pricing import call_cost, starting_balance
from skillpress.mock.server import MockServer
from skillpress.spec.model import Spec
from tests.mock.conftest import Api, make_api
from tests.mock.test_mock import data_of, error_of
from tests.mock.test_server import mock_process


def _remaining(api: Api) -> Any:
    return data_of(api, "credit-usage", api("GET", "/v2/team/credit-usage"))["data"]["remainingCredits"]


def test_calls_are_debited_by_their_declared_cost_until_the_balance_is_short(specs: dict[str, Spec]) -> None:
    spec = specs["firecrawl"]
    contract = compile_contract(spec)
    with MockServer(spec) as mock:  # the spec's starting balance
        api = make_api(mock, spec)
        assert _remaining(api) == starting_balance(contract) == 500
        data_of(api, "scrape", api("POST", "/v2/scrape", {"url": "https://example.com"}))
        assert _remaining(api) == 499
        found = data_of(api, "search", api("POST", "/v2/search", {"query": "q"}))
        assert _remaining(api) == 499 - call_cost(contract, None, "search", {"query": "q"}, found) == 497
        job = data_of(api, "crawl-start", api("POST", "/v2/crawl", {"url": "https://example.com", "limit": 7}))["id"]
        assert _remaining(api) == 490
        for _ in range(3):  # reading a job is free
            api("GET", f"/v2/crawl/{job}")
        assert _remaining(api) == 490
        # a crawl is refused up front when the balance does not cover its limit
        assert error_of(api, api("POST", "/v2/crawl", {"url": "https://example.com", "limit": 491})) == (
            402,
            "INSUFFICIENT_CREDITS",
        )
        assert _remaining(api) == 490
    with MockServer(spec, starting_credits=2) as mock:
        api = make_api(mock, spec)
        for _ in range(2):
            data_of(api, "scrape", api("POST", "/v2/scrape", {"url": "https://example.com"}))
        assert error_of(api, api("POST", "/v2/scrape", {"url": "https://example.com"})) == (402, "INSUFFICIENT_CREDITS")
        assert _remaining(api) == 0
        assert api("GET", "/v2/team/queue-status")[0] == 200  # free calls still work


def _quota(api: Api) -> Any:
    return data_of(api, "quota", api("GET", "/v1/quota"))["limits"]["credits_remaining"]


def _quote(api: Api, key: str, method: str = "fake") -> str:
    body = {"pack_id": "starter-500", "payment_method": method, "idempotency_key": key}
    return str(data_of(api, "credit-quotes", api("POST", "/v1/credit-quotes", body))["quote_id"])


def test_a_test_purchase_tops_up_once_and_spending_resumes(spec: Spec) -> None:
    with MockServer(spec) as mock:  # image-skill starts new accounts at 0
        api = make_api(mock, spec)
        assert _quota(api) == 0
        status, headers, _ = api("POST", "/v1/create", {"prompt": "p"})
        assert error_of(api, (status, headers, _)) == (402, "QUOTA_EXCEEDED")
        assert headers["x-image-skill-exit-code"] == "5"
        assert api("POST", "/v1/create", {"prompt": "p", "dry_run": True})[0] == 200  # free when dry
        quote = _quote(api, "q1")
        assert quote != "quote_example1"
        for key in ("p1", "p1", "p2"):  # the same quote never grants twice
            assert api("POST", "/v1/credit-purchases", {"quote_id": quote, "idempotency_key": key})[0] == 200
        assert _quota(api) == 500
        data_of(api, "create", api("POST", "/v1/create", {"prompt": "p", "output_count": 2}))
        assert _quota(api) == 500 - 18
        # a quote for live money is not settled by the test method's endpoint
        live = _quote(api, "q2", "stripe_checkout")
        status, _, _ = api("POST", "/v1/credit-purchases", {"quote_id": live, "idempotency_key": "p3"})
        assert status == 400 and _quota(api) == 482
        # another account cannot settle my quote
        other = make_api(mock, spec)
        assert other("POST", "/v1/credit-purchases", {"quote_id": quote, "idempotency_key": "x"})[0] == 404


def test_two_mocks_on_one_db_never_grant_twice_nor_spend_below_zero(spec: Spec, tmp_path: Path) -> None:
    db = str(tmp_path / "shared.sqlite")
    contract = compile_contract(spec)
    with (
        mock_process("image-skill", "--db", db) as (url_a, token, _),
        mock_process("image-skill", "--db", db) as (
            url_b,
            _,
            _,
        ),
    ):
        apis = []
        for url in (url_a, url_b):
            api = Api(url, contract)
            api.token = token
            apis.append(api)
        quote = _quote(apis[0], "race")
        statuses: list[int] = []
        lock = threading.Lock()

        def call(index: int, body: dict[str, Any], path: str) -> None:
            status = apis[index % 2]("POST", path, body)[0]
            with lock:
                statuses.append(status)

        def run(path: str, bodies: list[dict[str, Any]]) -> list[int]:
            statuses.clear()
            threads = [threading.Thread(target=call, args=(i, b, path)) for i, b in enumerate(bodies)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(60)
            return sorted(statuses)

        grants = run("/v1/credit-purchases", [{"quote_id": quote, "idempotency_key": f"k{i}"} for i in range(20)])
        assert grants == [200] * 20
        assert _quota(apis[0]) == _quota(apis[1]) == 500
        spends = run("/v1/create", [{"prompt": f"p{i}"} for i in range(70)])
        assert spends.count(200) == 500 // 9 and spends.count(402) == 70 - 500 // 9, spends
        assert _quota(apis[1]) == 500 % 9
