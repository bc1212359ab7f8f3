"""What the docs say about prices: one view, made once, from the compiled ``pricing``.

cli.md and SKILL.md print each command's cost sentence (``CommandView.cost``), and
llms-full.txt, the site's pricing page and its homepage print this view. Every sentence
and every amount of money is made here (``skillpress.contract.pricing`` words them);
the templates only place them. Product strings inside the sentences are escaped for
markdown here (``escape.code`` for names, ``escape.md_text`` for plain text), so a
template prints a sentence as it is and escapes only the raw names it is given
(plan and pack names, with its ``text``/``md_cell`` filters).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from skillpress.contract import pricing
from skillpress.render import escape

if TYPE_CHECKING:
    from skillpress.render.views import CommandView
    from skillpress.spec.model import Spec


def cost_sentence(contract: dict[str, Any], command_id: str) -> str | None:
    """The markdown sentence saying what a command costs (``None``: no pricing, or it calls nothing)."""
    return pricing.command_cost_sentence(contract, command_id, code=escape.code, text=escape.md_text)


def cost_data(contract: dict[str, Any], command_id: str) -> dict[str, Any] | None:
    """What commands.json says a command costs: the sentence (names in backticks, product
    strings unescaped, as JSON holds them) and the priced calls, as data."""
    priced = pricing.command_costs(contract, command_id)
    if priced is None:
        return None
    return {
        # JSON holds the product's strings exactly: names in backticks, nothing escaped
        "text": pricing.command_cost_sentence(contract, command_id),
        "calls": [{"endpoint": endpoint, **_cost_fields(cost)} for endpoint, cost in priced if cost is not None],
    }


def _cost_fields(cost: dict[str, Any]) -> dict[str, Any]:
    return {key: cost[key] for key in ("at_most", "free_when", "terms", "note")}


def endpoint_extension(contract: dict[str, Any], endpoint_id: str) -> dict[str, Any] | None:
    """The ``x-credit-cost`` of an OpenAPI operation (``None`` when the endpoint is free or
    the spec has no pricing): the unit, the sentence and the compiled terms."""
    found = pricing.pricing_of(contract)
    cost = pricing.cost_for(contract, endpoint_id)
    if found is None or cost is None:
        return None
    words = pricing.cost_words(cost, found)
    return {"unit": found["unit"]["plural"], "text": words[0].upper() + words[1:], **_cost_fields(cost)}


@dataclass(frozen=True)
class PlanRow:
    id: str
    name: str
    """Plain text: the template escapes it."""
    price: str
    allotment: str
    limits: str
    """Markdown (endpoint ids as code spans)."""
    note: str | None
    """Inline markdown from the spec."""
    contact: str | None

    @property
    def gives(self) -> str:
        """Markdown: the allotment, or the plan's note when it has none."""
        return self.allotment or self.note or ""


@dataclass(frozen=True)
class PackRow:
    id: str
    name: str
    """Plain text: the template escapes it."""
    credits: str
    price: str


@dataclass(frozen=True)
class CostRow:
    command: CommandView
    sentence: str
    """Markdown."""


@dataclass(frozen=True)
class PricingView:
    """Every sentence and figure of the pricing page, the homepage block and llms-full.txt."""

    summary: list[str]
    """Markdown sentences: what a credit is worth, what a new account gets, what a short balance gets."""
    plans: list[PlanRow]
    packs: list[PackRow]
    custom: str | None
    """Markdown: the range a custom quote may name."""
    costs: list[CostRow]
    """What each visible command that calls the API costs, in spec order."""
    typical: str | None
    """Markdown: one real example and what it costs."""
    unit_plural: str

    @property
    def intro(self) -> str:
        """The typical call and the summary, as one paragraph."""
        return " ".join([*([self.typical] if self.typical else []), *self.summary]) or (
            f"Calls are priced in {escape.md_text(self.unit_plural)}."
        )


def _typical(spec: Spec, contract: dict[str, Any], commands: list[CommandView]) -> str | None:
    """The first priced example of a spending command: its command line and its cost."""
    for view in commands:
        if view.command.hidden or not view.command.spends:
            continue
        for example, request in view.requests:
            cost = pricing.call_cost(
                contract, view.command.id, request.endpoint, request.fields, _reply_example(spec, request.endpoint)
            )
            if not cost:
                continue
            line = dict((id(e), text) for e, text in view.examples).get(id(example), "")
            found = pricing.pricing_of(contract) or {}
            amount = pricing.amount_words(cost, found, escape.md_text)
            return f"A typical call, {escape.code(line)}, costs {amount}."
    return None


def _reply_example(spec: Spec, endpoint_id: str) -> Any:
    endpoint = spec.endpoints_by_id.get(endpoint_id)
    if endpoint is None or endpoint.response.example is None:
        return None
    return json.loads(json.dumps(endpoint.response.example))


def pricing_view(spec: Spec, contract: dict[str, Any], commands: list[CommandView]) -> PricingView | None:
    found = pricing.pricing_of(contract)
    credits = spec.credits
    if found is None or credits is None:
        return None
    unit = found["unit"]
    currency = found["currency"]
    summary: list[str] = []
    money = unit.get("money")
    if unit["kind"] == "money":
        summary.append(f"Prices are in {escape.md_text(currency)}.")
    elif money:
        one = pricing.format_money(money["cents"], money["currency"])
        summary.append(f"One {escape.md_text(unit['name'])} is worth {one}.")
    start = next((p for p in found["plans"] if p["starting"]), None)
    if start is not None and found["starting_balance"]:
        amount = pricing.amount_words(found["starting_balance"], found, escape.md_text)
        summary.append(f"A new account starts on the {escape.md_text(start['name'])} plan with {amount}.")
    shortfall = found.get("shortfall")
    if shortfall:
        status = f" (HTTP {shortfall['http_status']})" if shortfall.get("http_status") else ""
        summary.append(f"A call the balance does not cover fails with {escape.code(shortfall['code'])}{status}.")
    plans = [
        PlanRow(
            id=plan["id"],
            name=plan["name"],
            price=pricing.plan_price_words(plan, currency),
            allotment=pricing.allotment_words(plan, found, escape.md_text),
            limits=pricing.limits_words(plan, escape.code),
            note=plan["note"],
            contact=plan["contact"],
        )
        for plan in found["plans"]
    ]
    packs = [
        PackRow(
            p["id"], p["name"], pricing.format_number(p["credits"]), pricing.format_money(p["price_cents"], currency)
        )
        for p in found["packs"]
    ]
    custom = None
    if found["custom_quotes"]:
        low = pricing.format_number(found["custom_quotes"]["min_credits"])
        high = pricing.format_number(found["custom_quotes"]["max_credits"])
        custom = f"{low} to {high} {escape.md_text(unit['plural'])}"
    costs = []
    for view in commands:
        if view.command.hidden or view.cost is None:
            continue
        costs.append(CostRow(view, view.cost))
    return PricingView(
        summary=summary,
        plans=plans,
        packs=packs,
        custom=custom,
        costs=costs,
        typical=_typical(spec, contract, commands),
        unit_plural=unit["plural"],
    )


__all__ = ["PricingView", "cost_data", "cost_sentence", "endpoint_extension", "pricing_view"]
