"""What a call costs, read from the compiled contract's ``pricing`` key (stdlib only).

The docs, the mock and the client all price a call here, from the same compiled rules,
so the sentence in cli.md, the ``x-credit-cost`` of the OpenAPI export and the mock's
debit cannot disagree. ``skillpress.contract.compile`` writes the ``pricing`` key
(``None`` when the spec has no ``credits:`` section)::

    unit        {name, plural, kind: credit | money, money: {currency, cents} | null}
                money: what one unit is worth, when the spec says (a money unit is one cent)
    shortfall   {code, http_status} | null        the error a short balance gets
    costs       [cost]                             at most one cost per endpoint
    plans       [{id, name, price_cents, period, allotment, limits: {concurrency, rate:
                 [{requests, per, endpoints}]}, contact, starting, note}]
    packs       [{id, name, credits, price_cents}]
    custom_quotes {min_credits, max_credits} | null
    currency    "USD"
    starting_balance  number                       what a new account gets

    cost  {command: path | null, command_id, endpoints: [id], at_most, free_when: {flag, field} | null, note,
           terms: [{amount | null, table: {flag, field, prices, default, unset} | null,
                    per: {noun, nouns, flag, request, reply: [path], default, every} | null,
                    when: {flag, field} | null}]}

A call's cost is the sum of its terms; a term is its amount (or the table's price for
the field's value; the prices of a list's items add up) times the count of its ``per``
(a request field, or reply fields once the reply is known, else ``default``), counted
in whole groups of ``every``.

This module is shipped inside every generated client wheel, so it imports nothing
outside the standard library.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    Number = int | float

PERIODS = {"once": "once", "month": "a month", "year": "a year"}
RATE_PER = {"second": "a second", "minute": "a minute", "hour": "an hour", "day": "a day"}
CURRENCY_SIGNS = {"USD": "$", "EUR": "€", "GBP": "£"}


def pricing_of(contract: Mapping[str, Any]) -> dict[str, Any] | None:
    value = contract.get("pricing")
    return value if isinstance(value, dict) else None


def unit(contract: Mapping[str, Any]) -> dict[str, Any] | None:
    """``{"name", "plural", "kind", "money"}`` of the contract's unit, or ``None`` without pricing."""
    pricing = pricing_of(contract)
    return None if pricing is None else dict(pricing["unit"])


def shortfall_code(contract: Mapping[str, Any]) -> str | None:
    """The product's declared error code for a balance that does not cover a call."""
    pricing = pricing_of(contract)
    if pricing is None or not pricing.get("shortfall"):
        return None
    code = pricing["shortfall"].get("code")
    return code if isinstance(code, str) else None


def starting_balance(contract: Mapping[str, Any]) -> Number:
    """What a new account gets: its starting plan's allotment (0 when there is none)."""
    pricing = pricing_of(contract)
    if pricing is None:
        return 0
    value = pricing.get("starting_balance") or 0
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else 0


def cost_for(contract: Mapping[str, Any], endpoint_id: str, command_id: str | None = None) -> dict[str, Any] | None:
    """The declared cost of calls to ``endpoint_id`` (``None``: free or not priced)."""
    pricing = pricing_of(contract)
    if pricing is None:
        return None
    for cost in pricing.get("costs") or ():
        if endpoint_id in cost["endpoints"] and (command_id is None or cost.get("command_id") in (None, command_id)):
            return dict(cost)
    return None


def lookup(fields: Mapping[str, Any] | None, name: str) -> Any:
    """A field by its name: flat (``a.b`` as one key) or nested (``{"a": {"b": ...}}``)."""
    if not isinstance(fields, Mapping):
        return None
    if name in fields:
        return fields[name]
    value: Any = fields
    for part in name.split("."):
        if part == "":
            continue
        if isinstance(value, Mapping) and part in value:
            value = value[part]
        else:
            return None
    return value


def _count_of(value: Any) -> Number | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return 1 if value else 0
    if isinstance(value, (int, float)):
        return value if math.isfinite(value) and value >= 0 else None
    if isinstance(value, (list, tuple, dict)):
        return len(value)
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return 1
        return _whole(number) if math.isfinite(number) and number >= 0 else None
    return None


def _whole(value: float) -> Number:
    return int(value) if float(value).is_integer() else value


def _count(per: Mapping[str, Any], fields: Mapping[str, Any], reply_data: Any) -> Number:
    total: Number | None = None
    if per.get("reply"):
        if reply_data is not None:
            found = [_count_of(lookup(reply_data, path) if path else reply_data) for path in per["reply"]]
            numbers = [n for n in found if n is not None]
            total = sum(numbers) if numbers else None
    elif per.get("request"):
        total = _count_of(lookup(fields, per["request"]))
    if total is None:
        total = per.get("default", 1)
    every = per.get("every") or 1
    return math.ceil(total / every) if every > 1 else total


def _key(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _table_price(table: Mapping[str, Any], fields: Mapping[str, Any]) -> Number | None:
    prices: Mapping[str, Number] = table.get("prices") or {}
    default = table.get("default")
    value = lookup(fields, table["field"]) if table.get("field") else None
    if value is None:
        return table.get("unset", default)
    items = value if isinstance(value, (list, tuple)) else [value]
    total: Number = 0
    for item in items:
        price = prices.get(_key(item), default)
        if price is None:
            return None
        total += price
    return total


def _truthy(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, str):
        return value.strip().lower() not in ("", "0", "false", "no", "off")
    return bool(value)


def term_cost(term: Mapping[str, Any], fields: Mapping[str, Any], reply_data: Any = None) -> Number | None:
    """One term's amount for these request fields (``None``: the value has no price)."""
    when = term.get("when") or {}
    if when and not (when.get("field") and _truthy(lookup(fields, when["field"]))):
        return 0
    amount = _table_price(term["table"], fields) if term.get("table") else term.get("amount")
    if amount is None:
        return None
    if term.get("per"):
        return _tidy(amount * _count(term["per"], fields, reply_data))
    return _tidy(amount)


def _tidy(value: Number) -> Number:
    # sums of decimal prices (0.1 + 0.2) are rounded to 9 places so that they compare as written
    if isinstance(value, float):
        value = round(value, 9)
        return _whole(value)
    return value


def call_cost(
    contract: Mapping[str, Any],
    command_id: str | None,
    endpoint_id: str,
    fields: Mapping[str, Any],
    reply_data: Any = None,
) -> Number | None:
    """Cost of one call in the contract's unit; ``None`` when the call is free or not priced.

    ``fields`` are the request fields (flat dotted names or a nested body); per-unit-of-
    reply terms count ``reply_data`` when given, else their declared ``default``. A table
    value with no price and no default prices the call at ``None`` (unknown).
    """
    cost = cost_for(contract, endpoint_id, command_id)
    if cost is None:
        return None
    free_when = cost.get("free_when") or {}
    if free_when.get("field") and _truthy(lookup(fields, free_when["field"])):
        return 0
    total: Number = 0
    for term in cost["terms"]:
        part = term_cost(term, fields or {}, reply_data)
        if part is None:
            return None
        total += part
    return _tidy(total)


# --------------------------------------------------------------------------- words (docs)
#
# The sentences the docs print are made here, once, from the compiled rules: cli.md,
# SKILL.md, the pricing page, commands.json and openapi.json all show the same words.
# ``code`` turns a name (a flag, a field, a table key) into an inline code span and
# ``text`` escapes plain text (unit names, nouns) for the place the sentence lands; the
# defaults make plain markdown, and the renderers pass ``skillpress.render.escape``'s.


def _backticks(value: str) -> str:
    return f"`{value}`"


def _same(value: str) -> str:
    return value


def format_number(value: Number) -> str:
    """``1500`` -> ``1,500``; ``0.5`` -> ``0.5`` (no float noise)."""
    from decimal import Decimal

    if isinstance(value, float) and not value.is_integer():
        text = format(Decimal(repr(value)).normalize(), "f")
        whole, _, fraction = text.partition(".")
        return f"{int(whole):,}.{fraction}"
    return f"{int(value):,}"


def format_money(cents: Number, currency: str) -> str:
    """``1600, "USD"`` -> ``$16``; ``1650`` -> ``$16.50``; ``0.2`` -> ``$0.002``; other currencies by code."""
    from decimal import Decimal

    amount = Decimal(repr(cents)) / 100 if isinstance(cents, float) else Decimal(cents) / 100
    amount = amount.normalize()
    if amount == amount.to_integral_value():
        text = f"{int(amount):,}"
    else:
        places = max(2, -amount.as_tuple().exponent)  # type: ignore[operator]
        whole, _, fraction = f"{amount:.{places}f}".partition(".")
        text = f"{int(whole):,}.{fraction}"
    sign = CURRENCY_SIGNS.get(currency)
    return f"{sign}{text}" if sign else f"{text} {currency}"


def amount_words(amount: Number, pricing: Mapping[str, Any], text: Callable[[str], str] = _same) -> str:
    """``9`` -> ``9 credits``; in a money unit -> ``$0.09``."""
    unit_ = pricing["unit"]
    money = unit_.get("money")
    if unit_.get("kind") == "money" and money:
        return format_money(amount * money["cents"], money["currency"])
    name = unit_["name"] if amount == 1 else unit_["plural"]
    return f"{format_number(amount)} {text(name)}"


def _per_words(per: Mapping[str, Any], text: Callable[[str], str]) -> str:
    every = per.get("every") or 1
    if every > 1:
        return f"per {format_number(every)} {text(per['nouns'])}"
    return f"per {text(per['noun'])}"


def _name(value: Mapping[str, Any] | None, flags: Mapping[str, str]) -> str | None:
    """The flag (or, failing one, the request field) a ``{flag, field}`` pair is shown as."""
    if not value:
        return None
    found = value.get("flag") or flags.get(value.get("field") or value.get("request") or "")
    return found or value.get("field") or value.get("request")


def _source_words(per: Mapping[str, Any], flags: Mapping[str, str], code: Callable[[str], str]) -> str:
    source = None if per.get("reply") else _name(per, flags)
    if not source:
        return ""
    default = per.get("default")
    tail = f", {format_number(default)} when not given" if default is not None else ""
    return f" (counted from {code(source)}{tail})"


def _table_words(
    table: Mapping[str, Any],
    pricing: Mapping[str, Any],
    per: str,
    flags: Mapping[str, str],
    code: Callable[[str], str],
    text: Callable[[str], str],
) -> str:
    key = _name(table, flags) or ""
    prices = [f"{code(value)} {amount_words(amount, pricing, text)}" for value, amount in table["prices"].items()]
    unset, default = table.get("unset"), table.get("default")
    if unset is not None and unset != default:
        prices.append(f"{amount_words(unset, pricing, text)} when not given")
    if default is not None:
        prices.append(f"{amount_words(default, pricing, text)} otherwise")
    else:
        prices.append("other values priced by the API when the call runs")
    return f"{(per + ' ') if per else ''}by {code(key)}: " + ", ".join(prices)


def term_words(
    term: Mapping[str, Any],
    pricing: Mapping[str, Any],
    flags: Mapping[str, str] | None = None,
    *,
    code: Callable[[str], str] = _backticks,
    text: Callable[[str], str] = _same,
) -> str:
    """``9 credits per item (counted from `--count`, 1 when not given)``.

    ``flags`` maps a request field to the command flag that fills it, so that a cost
    declared on an endpoint names the flag the reader types."""
    flags = flags or {}
    per = term.get("per")
    condition = _name(term.get("when"), flags)
    tail = f" when {code(condition)} is given" if condition else ""
    source = _name(per, flags) if per and not per.get("reply") else None
    if (
        per
        and source
        and term.get("amount") == 1
        and (per.get("every") or 1) == 1
        and per["noun"] == pricing["unit"]["name"]
    ):
        # "1 credit per credit allowed" reads badly: "as many credits as the flag allows"
        default = per.get("default")
        given = f" ({format_number(default)} when not given)" if default is not None else ""
        return f"as many {text(pricing['unit']['plural'])} as {code(source)} allows{given}{tail}"
    per_text = _per_words(per, text) if per else ""
    if term.get("table"):
        words = _table_words(term["table"], pricing, per_text, flags, code, text)
    else:
        words = amount_words(term["amount"], pricing, text) + f" {per_text or 'per call'}"
    return words + (_source_words(per, flags, code) if per else "") + tail


def cost_words(
    cost: Mapping[str, Any],
    pricing: Mapping[str, Any],
    flags: Mapping[str, str] | None = None,
    *,
    code: Callable[[str], str] = _backticks,
    text: Callable[[str], str] = _same,
) -> str:
    """``9 credits per image``, ``at most 1 credit per page; plus 5 credits per call``."""
    terms = [term_words(term, pricing, flags, code=code, text=text) for term in cost["terms"]]
    return ("at most " if cost.get("at_most") else "") + "; plus ".join(terms)


def command_flags(command: Mapping[str, Any]) -> dict[str, str]:
    """Request field -> the flag of the command that fills it (a switch: the fields it sets)."""
    flags: dict[str, str] = {}
    for flag in command.get("flags") or ():
        for field in [flag.get("field"), *(flag.get("sets") or {})]:
            if field:
                flags.setdefault(field, flag["name"])
    return flags


def command_costs(contract: Mapping[str, Any], command_id: str) -> list[tuple[str, dict[str, Any] | None]] | None:
    """``(endpoint id, cost or None)`` for every endpoint the command's routes call, in order;
    ``None`` without pricing or for a command that calls nothing."""
    if pricing_of(contract) is None:
        return None
    command = next((c for c in contract.get("commands") or () if c["id"] == command_id), None)
    if command is None or not command.get("call"):
        return None
    endpoints = list(dict.fromkeys(route["endpoint"] for route in command.get("routes") or ()))
    return [(e, cost_for(contract, e, command_id)) for e in endpoints]


def command_cost_sentence(
    contract: Mapping[str, Any],
    command_id: str,
    *,
    code: Callable[[str], str] = _backticks,
    text: Callable[[str], str] = _same,
) -> str | None:
    """The one sentence the docs print about what a command costs (``None`` without pricing
    or for a command that calls nothing). A command whose routes reach priced and free
    endpoints says which call costs what. The notes of the costs are inline markdown."""
    priced = command_costs(contract, command_id)
    pricing = pricing_of(contract)
    if priced is None or pricing is None:
        return None
    costs = [(e, c) for e, c in priced if c is not None]
    if not costs:
        return f"Free: it spends no {text(pricing['unit']['plural'])}."
    command = next(c for c in contract["commands"] if c["id"] == command_id)
    flags = command_flags(command)
    notes: list[str] = []
    for _, cost in costs:
        free = _name(cost.get("free_when"), flags)
        if free:
            notes.append(f"Free when {code(free)} is given.")
        if cost.get("note"):
            notes.append(str(cost["note"]))
    notes = list(dict.fromkeys(notes))
    if len(costs) == len(priced) and len({repr(c["terms"]) + repr(c.get("at_most")) for _, c in costs}) == 1:
        sentence = "Costs " + cost_words(costs[0][1], pricing, flags, code=code, text=text) + "."
    else:
        endpoints = contract.get("endpoints") or {}
        parts = []
        for endpoint_id, cost in costs:
            endpoint = endpoints.get(endpoint_id)
            call = code(f"{endpoint['method']} {endpoint['path']}" if endpoint else endpoint_id)
            parts.append(f"{cost_words(cost, pricing, flags, code=code, text=text)} when it calls {call}")
        sentence = "Costs " + "; ".join(parts) + "; its other calls are free."
    return " ".join([sentence, *notes])


def plan_price_words(plan: Mapping[str, Any], currency: str) -> str:
    """``$19 a month``, ``Free``, ``Contact sales``."""
    price = plan.get("price_cents")
    if price is None:
        return "Contact sales" if plan.get("contact") else "Not listed"
    if price == 0:
        return "Free"
    period = plan.get("period") or "month"
    money = format_money(price, currency)
    return money if period == "once" else f"{money} {PERIODS[period]}"


def allotment_words(plan: Mapping[str, Any], pricing: Mapping[str, Any], text: Callable[[str], str] = _same) -> str:
    """``3,000 credits a month``, ``500 credits once``, ``Custom``."""
    allotment = plan.get("allotment")
    if allotment is None:
        return "Custom" if plan.get("contact") else ""
    words = amount_words(allotment, pricing, text)
    period = plan.get("period") or "month"
    return f"{words} {PERIODS[period]}"


def limits_words(plan: Mapping[str, Any], code: Callable[[str], str] = _backticks) -> str:
    """``5 at once; 100 requests a minute (`scrape`)``."""
    limits = plan.get("limits") or {}
    parts = []
    if limits.get("concurrency"):
        parts.append(f"{format_number(limits['concurrency'])} at once")
    for rate in limits.get("rate") or ():
        scope = f" ({', '.join(code(e) for e in rate['endpoints'])})" if rate.get("endpoints") else ""
        requests = "request" if rate["requests"] == 1 else "requests"
        parts.append(f"{format_number(rate['requests'])} {requests} {RATE_PER[rate['per']]}{scope}")
    return "; ".join(parts)


__all__ = [
    "allotment_words",
    "amount_words",
    "call_cost",
    "command_cost_sentence",
    "command_costs",
    "command_flags",
    "cost_for",
    "cost_words",
    "format_money",
    "format_number",
    "limits_words",
    "lookup",
    "plan_price_words",
    "pricing_of",
    "shortfall_code",
    "starting_balance",
    "term_cost",
    "term_words",
    "unit",
]
