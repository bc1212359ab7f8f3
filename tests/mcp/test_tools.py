"""Tools from the contract: names, input schemas, annotations, and the one argv mapping.

The mapping is checked both ways: the argv built from a tool call, parsed back with the
client's own grammar (``contract.invocation``), gives exactly the arguments of the call.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skillpress.contract import invocation
from skillpress.contract.compile import compile_contract
from skillpress.mcp import tools
from skillpress.spec import load_spec
from tests.examples import EXAMPLES

PRODUCTS = ("image-skill", "firecrawl")


@cache
def contract_of(product: str) -> dict[str, Any]:
    result = load_spec(EXAMPLES / product / "spec.yaml")
    assert result.spec is not None and result.ok
    return compile_contract(result.spec)


def _command(contract: dict[str, Any], path: str) -> dict[str, Any]:
    return next(c for c in contract["commands"] if c["path"] == path)


# --------------------------------------------------------------------------- which tools


@pytest.mark.parametrize("product", PRODUCTS)
def test_one_tool_per_visible_hosted_command(product: str) -> None:
    contract = contract_of(product)
    names = tools.tool_names(contract)
    expected = [c["id"] for c in contract["commands"] if c["call"] and not c["hidden"]]
    assert list(names.values()) == expected
    local = [c["path"] for c in contract["commands"] if not c["call"]]
    assert local  # both examples have local-only commands, and none of them is a tool
    assert not set(local) & {tools.command_for_tool(contract, n)["path"] for n in names}  # type: ignore[index]


def test_firecrawl_tool_names_pinned() -> None:
    assert list(tools.tool_names(contract_of("firecrawl"))) == [
        "scrape",
        "map",
        "search",
        "crawl",
        "agent",
        "credit_usage",
        "status",
    ]


def test_names_follow_the_command_path_and_keep_hyphens_only_on_a_clash() -> None:
    contract = copy.deepcopy(contract_of("image-skill"))
    assert "credits_fake_purchase" in tools.tool_names(contract)
    assert "jobs_show" in tools.tool_names(contract)
    clash = copy.deepcopy(_command(contract, "credits fake-purchase"))
    clash["id"], clash["path"] = "credits-fake purchase", "credits-fake purchase"
    contract["commands"].append(clash)
    names = tools.tool_names(contract)
    assert "credits_fake-purchase" in names and "credits-fake_purchase" in names
    assert "credits_fake_purchase" not in names


def test_hidden_commands_are_not_tools() -> None:
    contract = copy.deepcopy(contract_of("firecrawl"))
    _command(contract, "map")["hidden"] = True
    assert "map" not in tools.tool_names(contract)
    assert "scrape" in tools.tool_names(contract)


# --------------------------------------------------------------------------- schemas


def _tool(product: str, name: str) -> dict[str, Any]:
    return next(t for t in tools.tools(contract_of(product)) if t["name"] == name)


def test_schema_types_defaults_enums_and_required() -> None:
    crawl = _tool("firecrawl", "crawl")["inputSchema"]
    props = crawl["properties"]
    assert crawl["required"] == ["url_or_job_id"]
    assert props["url_or_job_id"]["type"] == "string"
    assert props["limit"]["type"] == "integer"
    assert props["poll_interval"] == {**props["poll_interval"], "type": "number", "default": 5.0}
    assert props["sitemap"]["enum"] == ["include", "skip", "only"]
    assert props["include_paths"] == {**props["include_paths"], "type": "array", "items": {"type": "string"}}
    assert props["wait"]["type"] == "boolean"
    assert "url" not in props  # --url gives the argument: one property, named after the argument
    scrape = _tool("firecrawl", "scrape")["inputSchema"]["properties"]
    assert scrape["formats"]["type"] == "array"  # a variadic argument
    assert scrape["format"]["default"] == ["markdown"]  # a csv default, typed as the parser types it
    assert scrape["only_main_content"]["default"] is True
    create = _tool("image-skill", "create")["inputSchema"]["properties"]
    assert create["reference_image"] == {**create["reference_image"], "type": "array", "items": {"type": "string"}}
    assert create["model_parameters_json"]["type"] == "object"
    assert create["aspect_ratio"]["default"] == "1:1"


@pytest.mark.parametrize("product", PRODUCTS)
def test_credentials_and_global_flags_are_never_inputs(product: str) -> None:
    contract = contract_of(product)
    for tool in tools.tools(contract):
        props = set(tool["inputSchema"]["properties"])
        assert not props & {"api_key", "token_stdin", "api_url", "api_base_url", "json", "pretty"}, tool["name"]


def test_exactly_one_of_is_one_of() -> None:
    schema = _tool("image-skill", "credits_status")["inputSchema"]
    assert schema["oneOf"] == [
        {"required": ["quote_id"]},
        {"required": ["payment_attempt_id"]},
        {"required": ["checkout_session_id"]},
        {"required": ["receipt_id"]},
    ]
    assert "Give exactly one of `quote_id`" in _tool("image-skill", "credits_status")["description"]


def test_at_most_one_of_groups() -> None:
    agent = _tool("firecrawl", "agent")
    assert agent["inputSchema"]["allOf"] == [
        {"not": {"anyOf": [{"required": ["status", "cancel"]}]}},
        {"not": {"anyOf": [{"required": ["schema", "schema_file"]}]}},
    ]
    crawl = _tool("firecrawl", "crawl")["inputSchema"]
    assert crawl["not"] == {"anyOf": [{"required": ["status", "cancel"]}]}
    assert "Give at most one of `status`, `cancel`." in agent["description"]


def test_schemas_are_valid_json_schema_and_enforce_the_groups() -> None:
    import jsonschema

    for product in PRODUCTS:
        for tool in tools.tools(contract_of(product)):
            jsonschema.Draft202012Validator.check_schema(tool["inputSchema"])
    status = jsonschema.Draft202012Validator(_tool("image-skill", "credits_status")["inputSchema"])
    assert status.is_valid({"quote_id": "q"})
    assert not status.is_valid({})
    assert not status.is_valid({"quote_id": "q", "receipt_id": "r"})
    crawl = jsonschema.Draft202012Validator(_tool("firecrawl", "crawl")["inputSchema"])
    assert crawl.is_valid({"url_or_job_id": "x", "status": True})
    assert not crawl.is_valid({"url_or_job_id": "x", "status": True, "cancel": True})
    assert not crawl.is_valid({"url_or_job_id": "x", "nope": 1})


# --------------------------------------------------------------------------- annotations


def test_annotations_from_methods() -> None:
    show = _tool("image-skill", "jobs_show")["annotations"]
    assert show["readOnlyHint"] is True and "destructiveHint" not in show
    create = _tool("image-skill", "create")["annotations"]
    assert create["readOnlyHint"] is False
    assert create["destructiveHint"] is False and create["idempotentHint"] is False
    crawl = _tool("firecrawl", "crawl")["annotations"]  # may cancel a job: DELETE
    assert crawl["readOnlyHint"] is False and crawl["destructiveHint"] is True
    assert _tool("firecrawl", "credit_usage")["annotations"]["readOnlyHint"] is True


def test_a_get_that_is_priced_is_not_read_only(monkeypatch: pytest.MonkeyPatch) -> None:
    contract = contract_of("firecrawl")
    command = _command(contract, "status")
    assert tools.tool_annotations(contract, command)["readOnlyHint"] is True
    monkeypatch.setattr(tools, "spends", lambda c, cmd: cmd["path"] == "status")
    priced = tools.tool_annotations(contract, command)
    assert priced["readOnlyHint"] is False and priced["idempotentHint"] is False


def test_descriptions_end_with_the_cost_in_the_tools_own_words() -> None:
    scrape = _tool("firecrawl", "scrape")
    assert scrape["description"].endswith(
        "Costs 1 credit per page. JSON extraction, PDF pages and some options cost more per page."
    )
    assert scrape["annotations"]["readOnlyHint"] is False and scrape["annotations"]["idempotentHint"] is False
    assert _tool("firecrawl", "status")["description"].endswith("Free: it spends no credits.")
    create = _tool("image-skill", "create")["description"]
    assert "`model`" in create and "`output_count`" in create and "`dry_run`" in create
    assert "--" not in create


# --------------------------------------------------------------------------- argv mapping


def _roundtrip(contract: dict[str, Any], name: str, arguments: dict[str, Any]) -> list[str]:
    command = tools.command_for_tool(contract, name)
    assert command is not None
    argv = tools.to_argv(contract, command, arguments)
    parsed = invocation.parse_argv(contract, argv, {})
    assert parsed.command["id"] == command["id"]
    assert tools.from_invocation(contract, parsed) == arguments, argv
    return argv


def test_argv_is_deterministic_and_keeps_dash_values() -> None:
    contract = contract_of("firecrawl")
    argv = _roundtrip(
        contract,
        "crawl",
        {
            "url_or_job_id": "-starts-with-dash",
            "limit": 5,
            "include_paths": ["/a", "/b"],
            "wait": True,
            "poll_interval": 0.5,
        },
    )
    assert argv == [
        "crawl",
        "--wait",
        "--poll-interval=0.5",
        "--limit=5",
        "--include-paths=/a,/b",
        "--",
        "-starts-with-dash",
    ]
    assert _roundtrip(contract, "scrape", {"url": "https://example.com", "only_main_content": False}) == [
        "scrape",
        "--no-only-main-content",
        "--",
        "https://example.com",
    ]
    assert _roundtrip(contract, "agent", {"prompt_or_job_id": "q", "schema": {"type": "object", "a": [1, "-"]}})[1] == (
        '--schema={"type":"object","a":[1,"-"]}'
    )
    image = contract_of("image-skill")
    assert _roundtrip(
        image, "create", {"prompt": "a cat", "reference_image": ["a.png", "-b.png"], "output_count": 2}
    ) == [
        "create",
        "--prompt=a cat",
        "--output-count=2",
        "--reference-image=a.png",
        "--reference-image=-b.png",
    ]


def _value_for(param: tools.Param, draw: st.DrawFn) -> Any:
    source = param.argument or param.flag or {}
    choices = list(source.get("choices") or ())
    transform = list(source.get("transform") or ())  # values already in the form the parser gives them
    text = (
        st.text(st.characters(codec="utf-8", exclude_characters="\x00,"), min_size=1)
        .map(lambda s: invocation._transform(s, transform))
        .filter(lambda s: s == s.strip() and s != "" and invocation._transform(s, transform) == s)
    )
    kind = param.kind
    if kind == "boolean":
        one: st.SearchStrategy[Any] = st.just(True)
    elif kind == "integer":
        one = st.integers(-(10**12), 10**12)
    elif kind == "number":
        one = st.floats(allow_nan=False, allow_infinity=False, width=64)
    elif kind == "json":
        one = st.dictionaries(st.text(max_size=5), st.one_of(st.integers(), st.text(max_size=5), st.none()), max_size=3)
    elif kind == "csv":
        one = st.lists(st.sampled_from(choices) if choices else text, min_size=1, max_size=3)
    elif choices:
        one = st.sampled_from(choices)
    else:
        one = text
    if param.many:
        return draw(st.lists(one, min_size=1, max_size=3))
    return draw(one)


@st.composite
def _calls(draw: st.DrawFn) -> tuple[str, str, dict[str, Any]]:
    product = draw(st.sampled_from(PRODUCTS))
    contract = contract_of(product)
    name = draw(st.sampled_from(sorted(tools.tool_names(contract))))
    command = tools.command_for_tool(contract, name)
    assert command is not None
    found = tools.params(contract, command)
    by_flag = {n: p.key for p in found if p.flag is not None for n in invocation._long_names(p.flag)}
    excluded: set[str] = set()
    chosen: set[str] = set()
    for group in command["one_of"]:
        keys = [by_flag[n] for n in group if n in by_flag]
        pick = draw(st.sampled_from(keys))
        chosen.add(pick)
        excluded |= set(keys) - {pick}
    for group in command["at_most_one_of"]:
        keys = [by_flag[n] for n in group if n in by_flag]
        keep = draw(st.sampled_from([None, *keys]))
        excluded |= set(keys) - {keep}
    arguments: dict[str, Any] = {}
    for param in found:
        if param.key in excluded:
            continue
        if param.required or param.key in chosen or draw(st.booleans()):
            arguments[param.key] = _value_for(param, draw)
    return product, name, arguments


@settings(max_examples=300, deadline=None)
@given(_calls())
def test_every_tool_call_parses_back_to_its_arguments(call: tuple[str, str, dict[str, Any]]) -> None:
    product, name, arguments = call
    _roundtrip(contract_of(product), name, arguments)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"url_or_job_id": "x", "nope": 1}, "unknown input 'nope'"),
        ({"url_or_job_id": "x", "limit": "5"}, "limit expects an integer"),
        ({"url_or_job_id": "x", "limit": True}, "limit expects an integer"),
        ({"url_or_job_id": "x", "poll_interval": float("inf")}, "poll_interval expects a finite number"),
        ({"url_or_job_id": "x", "include_paths": ["a,b"]}, "include_paths expects a list of non-empty texts"),
        ({"url_or_job_id": 5}, "url_or_job_id expects a string"),
        ({"url_or_job_id": "x", "wait": "yes"}, "wait expects true or false"),
    ],
)
def test_bad_inputs_are_usage_errors(arguments: dict[str, Any], message: str) -> None:
    contract = contract_of("firecrawl")
    command = tools.command_for_tool(contract, "crawl")
    assert command is not None
    with pytest.raises(tools.ToolInputError) as caught:
        tools.to_argv(contract, command, arguments)
    assert message in caught.value.message
    assert caught.value.situation == "usage"


def test_tools_are_deterministic() -> None:
    for product in PRODUCTS:
        first = json.dumps(tools.tools(contract_of(product)), sort_keys=False)
        assert first == json.dumps(tools.tools(copy.deepcopy(contract_of(product))), sort_keys=False)
