"""The cost of a call, from the compiled ``pricing`` key (skillpress.contract.pricing).

Both example products are priced here through the public functions the mock and the
docs use, then properties over random prices and request fields: a cost is never
negative, adding a term adds its price, counting more units never costs less, a free
flag makes any call free, and every function is total on hostile field values.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skillpress.contract import pricing
from skillpress.contract.compile import compile_contract
from skillpress.spec import load_spec

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _contract(name: str) -> dict[str, Any]:
    result = load_spec(ROOT / "examples" / name / "spec.yaml")
    assert result.spec is not None and result.ok
    return json.loads(json.dumps(compile_contract(result.spec)))


IMAGE = _contract("image-skill")
FIRECRAWL = _contract("firecrawl")


# --------------------------------------------------------------------------- image-skill


def test_image_skill_unit_and_shortfall() -> None:
    assert pricing.unit(IMAGE) == {
        "name": "credit",
        "plural": "credits",
        "kind": "credit",
        "money": {"currency": "USD", "cents": 1},
    }
    assert pricing.shortfall_code(IMAGE) == "QUOTA_EXCEEDED"
    assert IMAGE["pricing"]["shortfall"] == {"code": "QUOTA_EXCEEDED", "http_status": 402}


def test_image_skill_create_is_priced_per_model_and_per_image() -> None:
    assert pricing.call_cost(IMAGE, "create", "create", {}) == 9
    assert pricing.call_cost(IMAGE, None, "create", {"model": "xai.grok-imagine-image", "output_count": 3}) == 27
    # a model with no declared price is priced by the API at run time: unknown here
    assert pricing.call_cost(IMAGE, None, "create", {"model": "fal.dreamo"}) is None
    # a dry run is free
    assert pricing.call_cost(IMAGE, None, "create", {"dry_run": True, "output_count": 4}) == 0


def test_image_skill_free_calls() -> None:
    assert pricing.call_cost(IMAGE, "whoami", "whoami", {}) is None
    assert pricing.call_cost(IMAGE, None, "upload", {"filename": "a.png"}) is None


# --------------------------------------------------------------------------- firecrawl


def test_firecrawl_unit_shortfall_and_starting_balance() -> None:
    unit = pricing.unit(FIRECRAWL)
    assert unit is not None and unit["name"] == "credit" and unit["money"] is None
    assert pricing.shortfall_code(FIRECRAWL) == "INSUFFICIENT_CREDITS"
    assert pricing.starting_balance(FIRECRAWL) == 500


def test_firecrawl_costs() -> None:
    assert pricing.call_cost(FIRECRAWL, "scrape", "scrape", {"url": "https://example.com"}) == 1
    assert pricing.call_cost(FIRECRAWL, None, "map", {"url": "https://example.com"}) == 1
    # search: 2 credits per 10 results, counted from the reply once it is known
    reply = {"success": True, "data": {"web": [{"url": f"https://e.com/{i}"} for i in range(11)]}}
    assert pricing.call_cost(FIRECRAWL, None, "search", {"query": "q"}, reply) == 4
    assert pricing.call_cost(FIRECRAWL, None, "search", {"query": "q", "limit": 5}) == 2
    # with --scrape, each fetched result page costs a scrape too
    scraped = {"query": "q", "scrapeOptions": {"formats": ["markdown"]}}
    assert pricing.call_cost(FIRECRAWL, "search", "search", scraped, reply) == 4 + 11
    # crawl: per page, bounded by the request's limit
    assert pricing.call_cost(FIRECRAWL, "crawl", "crawl-start", {"url": "u", "limit": 25}) == 25
    # reading or cancelling a job is free
    assert pricing.call_cost(FIRECRAWL, "crawl", "crawl-status", {}) is None
    assert pricing.call_cost(FIRECRAWL, None, "crawl-cancel", {}) is None


# --------------------------------------------------------------------------- words


def test_sentences_of_both_examples() -> None:
    assert pricing.command_cost_sentence(IMAGE, "create") == (
        "Costs per image by `--model`: `xai.grok-imagine-image` 9 credits, 9 credits when not given, "
        "other values priced by the API when the call runs (counted from `--output-count`, 1 when not given). "
        "Free when `--dry-run` is given. A dry run reports the price in `cost.credit_pricing.credits_required`."
    )
    assert pricing.command_cost_sentence(IMAGE, "whoami") == "Free: it spends no credits."
    assert pricing.command_cost_sentence(IMAGE, "help") is None  # calls nothing
    assert pricing.command_cost_sentence(FIRECRAWL, "scrape").startswith("Costs 1 credit per page")  # type: ignore[union-attr]
    crawl = pricing.command_cost_sentence(FIRECRAWL, "crawl")
    assert crawl is not None and "when it calls `POST /v2/crawl`" in crawl and "its other calls are free" in crawl
    assert "(counted from `--limit`, 10,000 when not given)" in crawl
    assert pricing.command_cost_sentence(FIRECRAWL, "map") == "Costs 1 credit per call."


@pytest.mark.parametrize(
    ("cents", "currency", "text"),
    [
        (0, "USD", "$0"),
        (1, "USD", "$0.01"),
        (500, "USD", "$5"),
        (1650, "USD", "$16.50"),
        (0.2, "USD", "$0.002"),
        (123456789, "USD", "$1,234,567.89"),
        (1900, "EUR", "€19"),
        (1900, "CHF", "19 CHF"),
    ],
)
def test_format_money(cents: float, currency: str, text: str) -> None:
    assert pricing.format_money(cents, currency) == text


def test_format_number() -> None:
    assert [pricing.format_number(v) for v in (0, 1, 1500, 0.5, 2500000, 0.1 + 0.2)] == [
        "0",
        "1",
        "1,500",
        "0.5",
        "2,500,000",
        "0.30000000000000004",
    ]


def test_without_pricing_everything_is_free() -> None:
    bare = {k: v for k, v in IMAGE.items() if k != "pricing"}
    assert pricing.unit(bare) is None
    assert pricing.call_cost(bare, "create", "create", {"output_count": 2}) is None
    assert pricing.shortfall_code(bare) is None
    assert pricing.starting_balance(bare) == 0
    assert pricing.command_cost_sentence({**bare, "pricing": None}, "create") is None


# --------------------------------------------------------------------------- properties

AMOUNTS = st.one_of(st.integers(0, 10_000), st.floats(0, 1000, allow_nan=False).map(lambda x: round(x, 3)))
HOSTILE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
    st.lists(st.text(max_size=4), max_size=12),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=3),
)


def _synthetic(terms: list[dict[str, Any]], free_field: str | None = None) -> dict[str, Any]:
    contract = copy.deepcopy(IMAGE)
    contract["pricing"]["costs"] = [
        {
            "command": None,
            "command_id": None,
            "endpoints": ["create"],
            "at_most": False,
            "free_when": {"flag": None, "field": free_field} if free_field else None,
            "note": None,
            "terms": terms,
        }
    ]
    return contract


def _term(amount: float, field: str | None = None, every: int = 1, default: float = 1) -> dict[str, Any]:
    per = None
    if field:
        per = {
            "noun": "unit",
            "nouns": "units",
            "flag": None,
            "request": field,
            "reply": [],
            "default": default,
            "every": every,
        }
    return {"amount": amount, "table": None, "per": per}


@SETTINGS
@given(amounts=st.lists(AMOUNTS, min_size=1, max_size=5), fields=st.dictionaries(st.sampled_from(["n", "m"]), HOSTILE))
def test_fixed_terms_add_up(amounts: list[float], fields: dict[str, Any]) -> None:
    contract = _synthetic([_term(a) for a in amounts])
    cost = pricing.call_cost(contract, None, "create", fields)
    assert cost is not None and cost >= 0
    assert cost == pytest.approx(sum(amounts))


@SETTINGS
@given(amount=AMOUNTS, every=st.integers(1, 50), n=st.integers(0, 10_000), more=st.integers(0, 10_000))
def test_more_units_never_cost_less(amount: float, every: int, n: int, more: int) -> None:
    contract = _synthetic([_term(amount, "n", every)])
    low = pricing.call_cost(contract, None, "create", {"n": n})
    high = pricing.call_cost(contract, None, "create", {"n": n + more})
    assert low is not None and high is not None
    assert 0 <= low <= high
    # whole groups of `every`, rounded up
    assert low == pytest.approx(amount * -(-n // every))


@SETTINGS
@given(value=HOSTILE, amount=AMOUNTS, default=st.integers(0, 5))
def test_hostile_values_never_raise_and_never_go_negative(value: Any, amount: float, default: int) -> None:
    contract = _synthetic([_term(amount, "n", 1, default)])
    cost = pricing.call_cost(contract, None, "create", {"n": value})
    assert cost is not None and cost >= 0
    reply_contract = copy.deepcopy(contract)
    reply_contract["pricing"]["costs"][0]["terms"][0]["per"].update(request=None, reply=["items"])
    assert (pricing.call_cost(reply_contract, None, "create", {}, {"items": value}) or 0) >= 0


@SETTINGS
@given(amounts=st.lists(AMOUNTS, min_size=1, max_size=3), n=st.integers(0, 100), flag=st.sampled_from([True, "yes", 1]))
def test_free_when_makes_any_call_free(amounts: list[float], n: int, flag: Any) -> None:
    contract = _synthetic([_term(a, "n") for a in amounts], free_field="dry_run")
    assert pricing.call_cost(contract, None, "create", {"n": n, "dry_run": flag}) == 0
    assert pricing.call_cost(contract, None, "create", {"n": n, "dry_run": False}) == pytest.approx(sum(amounts) * n)


@SETTINGS
@given(
    prices=st.dictionaries(st.text("abcdef", min_size=1, max_size=4), AMOUNTS, min_size=1, max_size=5),
    default=st.one_of(st.none(), AMOUNTS),
    picks=st.lists(st.text("abcdefg", min_size=1, max_size=4), max_size=4),
)
def test_table_prices_of_a_list_add_up(prices: dict[str, float], default: float | None, picks: list[str]) -> None:
    table = {"flag": None, "field": "kind", "prices": prices, "default": default, "unset": default}
    contract = _synthetic([{"amount": None, "table": table, "per": None}])
    cost = pricing.call_cost(contract, None, "create", {"kind": picks})
    expected = [prices.get(p, default) for p in picks]
    if any(e is None for e in expected):
        assert cost is None
    else:
        assert cost == pytest.approx(sum(e for e in expected if e is not None))


@SETTINGS
@given(cents=st.one_of(st.integers(0, 10**9), st.floats(0, 10**6, allow_nan=False)))
def test_money_is_always_printable(cents: float) -> None:
    text = pricing.format_money(cents, "USD")
    assert text.startswith("$") and "e" not in text.lower() and "nan" not in text


def test_a_money_unit_prices_calls_in_cents() -> None:
    """A product that charges money directly: amounts are cents, shown as money."""
    from tests.test_rules import set_pricing, validate

    def money(d: dict[str, Any]) -> None:
        set_pricing(d)
        d["credits"].pop("credit_value_cents")
        d["credits"]["unit"] = {"money": True}
        d["credits"]["costs"][0]["terms"] = [{"amount": 0.2, "per": {"noun": "word", "request": "text"}}]
        d["credits"]["packs"] = []

    result = validate(money)
    assert result.spec is not None and result.ok, [x.format_text() for x in result.diagnostics]
    contract = json.loads(json.dumps(compile_contract(result.spec)))
    assert pricing.unit(contract) == {
        "name": "cent",
        "plural": "cents",
        "kind": "money",
        "money": {"currency": "USD", "cents": 1},
    }
    assert pricing.call_cost(contract, "echo", "echo", {"text": 3}) == pytest.approx(0.6)
    assert pricing.command_cost_sentence(contract, "echo") == (
        "Costs $0.002 per word (counted from `--text`, 1 when not given)."
    )
