"""Every rule checks every item, not only the first one.

The cases in ``test_rules`` break the minimal spec's first command, endpoint or skill. A
rule that stopped after the first item (a ``break`` for a ``continue``, a loop over
``[:1]``) or looked only at the last one would still pass them. Here each failing case
runs again with a clean command, endpoint, error code and skill placed first, then
last: the rule must still find the problem.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml

from skillpress.spec import load_spec_text
from tests.test_rules import BASE, CASES, FAILING, SPEC_DIR, Mutation


def _noise(d: dict[str, Any], at: int) -> None:
    """A clean command, endpoint, error code and skill at position ``at`` (0: first, -1: last)."""

    def put(items: list[Any], item: Any) -> None:
        items.insert(len(items) if at == -1 else at, item)

    put(d["commands"], {"path": "noise", "summary": "A local command that calls nothing.", "surface": "local"})
    put(d["endpoints"], {"id": "noise", "method": "GET", "path": "/v1/noise", "summary": "Unused.", "api_only": True})
    if d.get("error_codes"):
        put(d["error_codes"], {"code": "NOISE", "exit_code": 2, "meaning": "A code nothing uses."})
    put(d["skills"], {"name": "noise-skill", "description": "Another skill. Use it when a second skill is needed."})


def _validate(mutate: Mutation | None, at: int) -> list[tuple[str, str]]:
    data = copy.deepcopy(BASE)
    if mutate is not None:
        mutate(data)
    _noise(data, at)
    result = load_spec_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), "spec.yaml", SPEC_DIR)
    return [(d.code, d.format_text()) for d in result.diagnostics]


@pytest.mark.parametrize("at", [0, -1], ids=["first", "last"])
def test_the_added_items_are_clean(at: int) -> None:
    assert _validate(None, at) == []


@pytest.mark.parametrize("at", [0, -1], ids=["first", "last"])
@pytest.mark.parametrize(("code", "index"), FAILING, ids=[f"{c}-{i}" for c, i in FAILING])
def test_a_rule_finds_its_problem_beside_a_clean_item(code: str, index: int, at: int) -> None:
    found = _validate(CASES[code].failing[index], at)
    assert code in {c for c, _ in found}, f"no {code} diagnostic with a clean item added; got {found}"


def test_a_price_table_is_checked_behind_a_term_without_one() -> None:
    """pricing-table skips terms without a table: it must go on to the next term, not stop."""
    from tests.test_rules import pricing_cost, set_pricing

    def table_second(d: dict[str, Any]) -> None:
        set_pricing(d)
        terms = pricing_cost(d)["terms"]
        terms.insert(0, {"amount": 1})
        next(t for t in terms if "table" in t)["table"]["prices"].update(turbo=5)

    assert "pricing-table" in {c for c, _ in _validate(table_second, -1)}


# --------------------------------------------------------------------------- what the findings say


def _findings(mutate: Mutation, code: str) -> list[tuple[str, str | None]]:
    from tests.test_rules import validate

    return [(d.message, d.hint) for d in validate(mutate).diagnostics if d.code == code]


def test_a_stray_brace_in_an_endpoint_path_is_named_at_its_one_based_character() -> None:
    found = _findings(lambda d: d["endpoints"][0].update(path="/v1/echo/{}"), "endpoint-path-params")
    assert [m for m, _ in found] == ["'{}' at character 10 of /v1/echo/{} is not a path parameter"]


def test_an_unknown_documented_field_gets_a_suggestion_or_says_where_to_declare_it() -> None:
    from tests.test_rules import echo

    far = _findings(lambda d: echo(d).update(description="Prints `data.zzzqqq`."), "documented-fields")
    assert [h for _, h in far] == ["declare it in the endpoint's response fields or the envelope's fields"]
    near = _findings(lambda d: echo(d).update(description="Prints `data.txt`."), "documented-fields")
    assert len(near) == 1 and near[0][1] is not None and "data.text" in near[0][1]
