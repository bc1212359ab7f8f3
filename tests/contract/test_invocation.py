"""The argv grammar of the contract: what the client accepts is what `validate` accepts."""

from __future__ import annotations

from typing import Any

import pytest

from skillpress.contract import invocation as grammar
from skillpress.contract.invocation import UnknownCommand, UsageProblem, parse_argv
from tests.contract.helpers import CRAWLER, KEYED, contract_of

CRAWL_ID = "0190c8a2-7b1e-7cc0-9e1f-2b3c4d5e6f70"


def parse(argv: list[str], env: dict[str, str] | None = None, path: Any = CRAWLER) -> grammar.Invocation:
    return parse_argv(contract_of(path), argv, env)


def problem(argv: list[str], env: dict[str, str] | None = None, path: Any = CRAWLER) -> UsageProblem:
    with pytest.raises(UsageProblem) as caught:
        parse(argv, env, path)
    return caught.value


# --------------------------------------------------------------------------- commands


def test_longest_path_and_aliases_resolve() -> None:
    assert parse(["credits"]).path == "credit-usage"
    assert parse(["credit-usage", "--json"]).values == {"--json": True}
    keyed = contract_of(KEYED)
    assert grammar.resolve(keyed, ["files", "get", "x"])[1] == 2


def test_default_command_runs_for_a_url_only() -> None:
    invocation = parse(["example.com/docs", "--json"])
    assert invocation.path == "scrape" and invocation.default_command and invocation.words == []
    assert invocation.arguments == {"URL": "example.com/docs"}
    with pytest.raises(UnknownCommand) as caught:
        parse(["scrap", "https://example.com"])
    assert caught.value.situation == "unknown_command"
    assert caught.value.hint == "did you mean 'scrape'?"
    with pytest.raises(UnknownCommand):
        parse([])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("https://example.com", True),
        ("http://localhost:3002/x", True),
        ("example.com", True),
        ("docs.example.co.uk/a/b?c=d", True),
        ("example.com:8080/x", True),
        ("scrape", False),
        ("https://", False),
        ("a.b c", False),
        ("1.5", False),
        ("file.txt.", False),
        ("-x.com", False),
        ("ex_ample.com", False),
    ],
)
def test_looks_like_url(text: str, expected: bool) -> None:
    assert grammar.looks_like_url(text) is expected


# --------------------------------------------------------------------------- flags


def test_short_flags_take_a_separate_or_equals_value() -> None:
    assert parse(["scrape", "https://a.example", "-o", "page.md"]).values["--output"] == "page.md"
    assert parse(["scrape", "https://a.example", "-o=page.md"]).given_as["--output"] == "-o"
    refused = problem(["scrape", "https://a.example", "-opage.md"])
    assert refused.message == "unknown flag -opage.md for 'scrape'"
    assert refused.hint == "write -o VALUE or -o=VALUE"
    assert parse(["scrape", "-u", "https://a.example", "-H"]).values["--html"] is True


def test_negatable_switch_has_a_no_form() -> None:
    assert parse(["scrape", "https://a.example", "--no-only-main-content"]).values["--only-main-content"] is False
    assert problem(["scrape", "https://a.example", "--no-only-main-content=true"]).message == (
        "--no-only-main-content takes no value"
    )
    repeated = problem(["scrape", "https://a.example", "--only-main-content", "--no-only-main-content"])
    assert "name the same flag" in repeated.message
    # a flag that is not negatable has no --no- form
    assert "unknown flag --no-html" in problem(["scrape", "https://a.example", "--no-html"]).message


def test_env_fills_an_absent_flag_flag_wins_and_empty_is_unset() -> None:
    env = {"CRAWLER_COUNTRY": " fr "}
    from_env = parse(["scrape", "https://a.example"], env)
    assert from_env.values["--country"] == "FR"  # trim + upper apply to env values too
    assert from_env.sources["--country"] == "env" and from_env.given_as["--country"] == "CRAWLER_COUNTRY"
    assert parse(["scrape", "https://a.example", "--country", "de"], env).values["--country"] == "DE"
    assert "--country" not in parse(["scrape", "https://a.example"], {"CRAWLER_COUNTRY": "  "}).values
    assert "--country" not in parse(["scrape", "https://a.example"]).values  # no env given: none read


def test_env_does_not_join_a_group_another_flag_of_which_was_given() -> None:
    contract = contract_of(CRAWLER)
    scrape = next(c for c in contract["commands"] if c["path"] == "scrape")
    next(f for f in scrape["flags"] if f["name"] == "--format")["env"] = "CRAWLER_FORMAT"
    env = {"CRAWLER_FORMAT": "links"}
    assert parse_argv(contract, ["scrape", "https://a.example"], env).values["--format"] == ["links"]
    invocation = parse_argv(contract, ["scrape", "https://a.example", "--html"], env)
    assert "--format" not in invocation.values


def test_env_switch_words_and_bad_env_values() -> None:
    contract = contract_of(CRAWLER)
    crawl = next(c for c in contract["commands"] if c["path"] == "crawl")
    for flag in crawl["flags"]:
        if flag["name"] == "--wait":
            flag["env"] = "CRAWLER_WAIT"
        if flag["name"] == "--limit":
            flag["env"] = "CRAWLER_LIMIT"
    for word, value in (("1", True), ("yes", True), ("OFF", False), ("false", False)):
        assert parse_argv(contract, ["crawl", "https://a.example"], {"CRAWLER_WAIT": word}).values["--wait"] is value
    with pytest.raises(UsageProblem) as caught:
        parse_argv(contract, ["crawl", "https://a.example"], {"CRAWLER_WAIT": "maybe"})
    assert caught.value.message == "CRAWLER_WAIT (for --wait) must be true or false, got 'maybe'"
    with pytest.raises(UsageProblem) as caught:
        parse_argv(contract, ["crawl", "https://a.example"], {"CRAWLER_LIMIT": "ten"})
    assert caught.value.message == "CRAWLER_LIMIT (for --limit) expects an integer, got 'ten'"


def test_at_most_one_of() -> None:
    assert problem(["scrape", "https://a.example", "--html", "-f", "links"]).message == (
        "give at most one of --html, --format (got --html, --format)"
    )
    assert problem(["crawl", CRAWL_ID, "--status", "--cancel"]).message.startswith("give at most one of")
    parse(["scrape", "https://a.example"])  # none is fine


def test_csv_choices_are_checked_per_item_after_transform() -> None:
    assert parse(["search", "q", "--sources", "WEB, news"]).values["--sources"] == ["web", "news"]
    assert problem(["search", "q", "--sources", "web,maps"]).message == (
        "--sources must list only web, images, news; got 'maps'"
    )


# --------------------------------------------------------------------------- positionals


def test_variadic_argument_takes_every_remaining_positional() -> None:
    invocation = parse(["batch", "https://a.example/1", "--format", "markdown", "https://a.example/2"])
    assert invocation.arguments["URLS"] == ["https://a.example/1", "https://a.example/2"]
    assert problem(["batch"]).message == "'batch' needs URLS"


def test_argument_choices_are_checked_for_each_value() -> None:
    contract = contract_of(CRAWLER)
    batch = grammar.command_by_path(contract, "batch")
    search = grammar.command_by_path(contract, "search")
    assert batch is not None and search is not None
    batch["arguments"][0]["choices"] = ["markdown", "links"]
    search["arguments"][0]["choices"] = ["docs"]
    assert parse_argv(contract, ["batch", "links", "markdown"]).arguments["URLS"] == ["links", "markdown"]
    assert parse_argv(contract, ["search", "docs"]).arguments["QUERY"] == "docs"
    with pytest.raises(UsageProblem) as caught:
        parse_argv(contract, ["batch", "links", "html"])
    assert caught.value.message == "URLS must be one of markdown, links; got 'html'"
    with pytest.raises(UsageProblem) as caught:
        parse_argv(contract, ["search", "blog"])
    assert caught.value.message == "QUERY must be one of docs; got 'blog'"


def test_argument_given_by_its_flag() -> None:
    assert parse(["crawl", "--url", "https://a.example"]).arguments == {"URL_OR_JOB_ID": "https://a.example"}
    assert parse(["crawl", "-u", "https://a.example"]).arguments == {"URL_OR_JOB_ID": "https://a.example"}
    assert problem(["crawl"]).message == "'crawl' needs URL_OR_JOB_ID"


def test_negative_numbers_dash_and_terminator_are_positionals() -> None:
    assert parse(["search", "-5"]).arguments == {"QUERY": "-5"}
    assert parse(["search", "-"]).arguments == {"QUERY": "-"}
    assert parse(["search", "--", "--limit"]).arguments == {"QUERY": "--limit"}
    assert problem(["search", "q", "extra"]).message == "unexpected argument 'extra' for 'search'"


def test_value_flag_consumes_the_next_token_whatever_it_is() -> None:
    assert parse(["search", "q", "--sources", "web", "-k", "--json"]).values["--api-key"] == "--json"
    assert problem(["search", "q", "--limit"]).message == "--limit needs a value"


def test_transform_on_a_flag_value() -> None:
    invocation = parse(["signup", "--email", "  Ops@Example.COM "], path=KEYED)
    assert invocation.values["--email"] == "ops@example.com"


def test_convert_messages_match_the_validator() -> None:
    with pytest.raises(UsageProblem, match="expects a finite number"):
        grammar.convert("number", "inf", "--x")
    with pytest.raises(UsageProblem, match="expects JSON: too deeply nested"):
        grammar.convert("json", "[" * 100_000, "--x")
    assert grammar.convert("json", '{"a": 1}', "--x") == {"a": 1}


def test_typed_default() -> None:
    crawl = next(c for c in contract_of(CRAWLER)["commands"] if c["path"] == "scrape")
    flags = {f["name"]: f for f in crawl["flags"]}
    assert grammar.typed_default(flags["--format"]) == ["markdown"]
    assert grammar.typed_default(flags["--only-main-content"]) is True
    assert grammar.typed_default(flags["--output"]) is None
