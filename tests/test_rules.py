"""Every semantic rule, with a spec that passes it and specs that break it.

Each case mutates the parsed minimal spec (a plain dict), dumps it back to YAML and
validates it. A passing mutation must give no diagnostic at all (so it really
exercises the feature the rule checks); a failing one must give the rule's code. A
rule registered without a case here fails ``test_every_rule_has_a_case``.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from skillpress.diagnostics import Severity
from skillpress.spec import LoadResult, load_spec_text
from skillpress.spec.rules import RULES

MINIMAL_SPEC = Path(__file__).resolve().parent / "cases" / "minimal" / "spec.yaml"
# The folder the mutated specs are "read from": it holds hooks/refs.py for `hook-resolves`.
SPEC_DIR = Path(__file__).resolve().parent / "contract" / "fixtures"
Mutation = Callable[[dict[str, Any]], None]
BASE: dict[str, Any] = yaml.safe_load(MINIMAL_SPEC.read_text(encoding="utf-8"))
# The cases add protocol rules themselves (``set_protocol``): start from the spec without one.
BASE.pop("protocol", None)
BASE.pop("error_codes", None)


def validate(mutate: Mutation | None = None) -> LoadResult:
    data = copy.deepcopy(BASE)
    if mutate is not None:
        mutate(data)
    return load_spec_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), "spec.yaml", SPEC_DIR)


# --------------------------------------------------------------------------- building blocks


def echo(d: dict[str, Any]) -> dict[str, Any]:
    return d["commands"][0]


def add_command(d: dict[str, Any], **extra: Any) -> None:
    d["commands"].append({"path": "ping", "summary": "Check that the service answers.", "surface": "local", **extra})


def add_flag(d: dict[str, Any], **flag: Any) -> None:
    echo(d)["flags"].append({"summary": "A test flag.", **flag})


def set_example(d: dict[str, Any], *argv: str) -> None:
    echo(d)["examples"][0]["argv"] = list(argv)


def add_error_code(d: dict[str, Any], code: str = "BAD_TEXT", exit_code: int = 2) -> None:
    d.setdefault("error_codes", []).append({"code": code, "exit_code": exit_code, "meaning": "The text was refused."})


def add_endpoint(d: dict[str, Any], **extra: Any) -> None:
    d["endpoints"].append({"id": "status", "method": "GET", "path": "/v1/status", "summary": "Health.", **extra})


def add_event(d: dict[str, Any], **extra: Any) -> None:
    event = {
        "type": "echo.sent",
        "subject": "echo",
        "operation": "send",
        "emitted_when": "Text was echoed.",
        "links": ["request_id"],
    }
    event.update(extra)
    d.setdefault("events", []).append(event)


def set_credits(d: dict[str, Any], price_cents: int) -> None:
    d["credits"] = {
        "credit_value_cents": 10,
        "currency": "USD",
        "packs": [{"id": "starter", "name": "Starter pack", "credits": 100, "price_cents": price_cents}],
    }


def set_pricing(d: dict[str, Any], **extra: Any) -> None:
    """A priced echo: a per-mode price per word of `--text`, plans, packs and a shortfall error."""
    echo(d)["spends"] = True
    add_flag(d, name="--mode", value_name="MODE", choices=["fast", "slow"], field="mode")
    d["endpoints"][0]["body"].append({"name": "mode", "choices": ["fast", "slow"]})
    add_error_code(d, "NO_CREDITS", 2)
    d["error_codes"][-1]["http_status"] = 402
    d["credits"] = {
        "credit_value_cents": 1,
        "shortfall": "NO_CREDITS",
        "costs": [
            {
                "command": "echo",
                "terms": [
                    {"table": {"flag": "--mode", "prices": {"fast": 2, "slow": 1}}, "per": {"noun": "word"}},
                    {"amount": 1, "per": {"noun": "echo", "reply": ["text"], "every": 10}},
                ],
            }
        ],
        "plans": [
            {"id": "free", "name": "Free", "price_cents": 0, "period": "once", "allotment": 100},
            {
                "id": "pro",
                "name": "Pro",
                "price_cents": 1000,
                "allotment": 5000,
                "limits": {"concurrency": 2, "rate": [{"requests": 60, "per": "minute", "endpoints": ["echo"]}]},
            },
            {"id": "team", "name": "Team", "price_cents": 5000, "allotment": 50000},
            {"id": "custom", "name": "Custom", "contact": "https://echo.example.com/sales"},
        ],
        "packs": [
            {"id": "small", "name": "Small", "credits": 100, "price_cents": 100},
            {"id": "large", "name": "Large", "credits": 1000, "price_cents": 1000},
        ],
        **extra,
    }


def pricing_cost(d: dict[str, Any]) -> dict[str, Any]:
    return d["credits"]["costs"][0]


def set_client(d: dict[str, Any], **extra: Any) -> None:
    d["client"] = {"package": "echo-skill", "config_dir": "echo-skill", **extra}


def chain(*steps: Mutation) -> Mutation:
    def run(d: dict[str, Any]) -> None:
        for step in steps:
            step(d)

    return run


SECRET = "isk_r_" + "A1b2C3d4E5f6G7h8J9k0L1m2"


# The error codes a spec with a `protocol:` section needs for the situations every client meets.
SITUATION_CODES = {
    "usage": ("INVALID_ARGUMENTS", 2),
    "unknown_command": ("UNKNOWN_COMMAND", 2),
    "network": ("NETWORK_FAILED", 7),
    "timeout": ("TIMED_OUT", 7),
    "bad_reply": ("BAD_REPLY", 7),
    "internal": ("CLIENT_FAILED", 7),
}


def set_protocol(
    d: dict[str, Any], *, extra_situations: dict[str, tuple[str, int]] | None = None, **extra: Any
) -> None:
    situations = {**SITUATION_CODES, **(extra_situations or {})}
    names = {code for code, _ in situations.values()}
    codes = d["error_codes"] = [c for c in d.get("error_codes", []) if c["code"] not in names]
    for code, exit_code in situations.values():
        if not any(c["code"] == code for c in codes):
            codes.append({"code": code, "exit_code": exit_code, "meaning": f"The {code.lower()} case."})
    d["protocol"] = {
        "output": {"json_flag": "--json"},
        "errors": {situation: code for situation, (code, _) in situations.items()},
        **extra,
    }


def set_steps(d: dict[str, Any], *steps: dict[str, Any]) -> None:
    echo(d)["steps"] = list(steps)


def add_status_route(d: dict[str, Any], **route_extra: Any) -> None:
    """`echo --id X` reads a stored echo; otherwise it sends text."""
    add_endpoint(d, id="echo-status", path="/v1/echo/{id}", path_params=[{"name": "id"}])
    add_flag(d, name="--id", value_name="ID")
    echo(d).pop("endpoint")
    echo(d)["routes"] = [
        {"when": {"flag": "--id"}, "endpoint": "echo-status", "fields": {"--id": "id"}, **route_extra},
        {"endpoint": "echo"},
    ]


def routes(d: dict[str, Any]) -> list[dict[str, Any]]:
    return echo(d)["routes"]


POLL = {"poll": {"endpoint": "echo", "status": "state", "done": ["done"], "when": "--wait"}}
HOOK = {"hook": {"call": "refs:parse_refs", "reads": ["--text"], "writes": ["text"]}}


@dataclass
class Case:
    passing: Mutation | None
    failing: list[Mutation] = field(default_factory=list)


def set_in(*path: Any, value: Any) -> Mutation:
    def run(d: dict[str, Any]) -> None:
        node: Any = d
        for part in path[:-1]:
            node = node[part]
        node[path[-1]] = value

    return run


# --------------------------------------------------------------------------- the cases

CASES: dict[str, Case] = {
    "unique-ids": Case(
        passing=chain(lambda d: add_error_code(d, "BAD_TEXT"), lambda d: add_error_code(d, "TOO_LONG")),
        failing=[
            chain(lambda d: add_error_code(d, "BAD_TEXT"), lambda d: add_error_code(d, "BAD_TEXT")),
            lambda d: d["skills"].append({"name": "echo-skill", "description": "Another echo skill."}),
        ],
    ),
    "unique-command-paths": Case(
        passing=lambda d: add_command(d, aliases=["pong"]),
        failing=[lambda d: add_command(d, aliases=["echo"]), lambda d: add_command(d, path="echo")],
    ),
    "unique-flags": Case(
        passing=lambda d: add_flag(d, name="--count", type="integer"),
        failing=[
            lambda d: add_flag(d, name="--text"),
            lambda d: add_flag(d, name="--json", type="boolean"),
            lambda d: add_flag(d, name="--words", aliases=["--text"]),
        ],
    ),
    "command-endpoint": Case(
        passing=None,
        failing=[
            lambda d: echo(d).update(endpoint="echoo"),
            lambda d: add_command(d, surface="hosted"),
        ],
    ),
    "endpoint-used": Case(
        passing=lambda d: add_endpoint(d, api_only=True),
        failing=[lambda d: add_endpoint(d)],
    ),
    "endpoint-path-params": Case(
        passing=lambda d: d["endpoints"][0].update(path="/v1/echo/{channel}", path_params=[{"name": "channel"}]),
        failing=[
            lambda d: d["endpoints"][0].update(path="/v1/echo/{channel}"),
            lambda d: d["endpoints"][0].update(path_params=[{"name": "channel"}]),
            # one parameter twice: `skillpress mock` could not build a route for it
            lambda d: d["endpoints"][0].update(path="/v1/echo/{channel}/{channel}", path_params=[{"name": "channel"}]),
            lambda d: d["endpoints"][0].update(path="/v1/echo/{}"),
            lambda d: d["endpoints"][0].update(path="/v1/echo/{channel", path_params=[{"name": "channel"}]),
        ],
    ),
    "flag-field": Case(
        passing=None,
        failing=[lambda d: echo(d)["flags"][0].update(field="txt")],
    ),
    "one-of-flags": Case(
        passing=chain(
            lambda d: add_flag(d, name="--upper", type="boolean"),
            lambda d: add_flag(d, name="--lower", type="boolean"),
            lambda d: echo(d).update(one_of=[["--upper", "--lower"]]),
            lambda d: set_example(d, "echo", "--text", "hello", "--upper"),
        ),
        failing=[
            chain(
                lambda d: add_flag(d, name="--upper", type="boolean"),
                lambda d: echo(d).update(one_of=[["--upper", "--lower"]]),
            ),
            chain(
                lambda d: add_flag(d, name="--upper", type="boolean"), lambda d: echo(d).update(one_of=[["--upper"]])
            ),
        ],
    ),
    "flag-default": Case(
        passing=lambda d: add_flag(d, name="--count", type="integer", default=3),
        failing=[
            lambda d: add_flag(d, name="--count", type="integer", default="many"),
            lambda d: add_flag(d, name="--case", choices=["upper", "lower"], default="title"),
            lambda d: echo(d)["flags"][0].update(default="hi"),  # a required flag's default is never used
        ],
    ),
    "command-codes": Case(
        passing=chain(
            lambda d: add_error_code(d, "BAD_TEXT", 2),
            lambda d: add_event(d),
            lambda d: d.setdefault("guidance", []).append(
                {"id": "short-text", "title": "Keep it short", "text": "Send one line.", "show_in": ["skill"]}
            ),
            lambda d: echo(d).update(errors=["BAD_TEXT"], events=["echo.sent"], rules=["short-text"]),
        ),
        failing=[
            lambda d: echo(d).update(exit_codes=[0, 2, 7, 9]),
            lambda d: echo(d).update(errors=["BAD_TEXT"]),
            chain(
                lambda d: add_error_code(d, "BAD_TEXT", 7),
                lambda d: echo(d).update(exit_codes=[0, 2]),
                lambda d: echo(d).update(errors=["BAD_TEXT"]),
            ),
            lambda d: echo(d).update(events=["echo.sent"]),
            lambda d: echo(d).update(rules=["short-text"]),
        ],
    ),
    "endpoint-errors": Case(
        passing=chain(lambda d: add_error_code(d), lambda d: d["endpoints"][0].update(errors=["BAD_TEXT"])),
        failing=[lambda d: d["endpoints"][0].update(errors=["BAD_TEXT"])],
    ),
    "response-example": Case(
        passing=None,
        failing=[lambda d: d["endpoints"][0]["response"].update(example={"reply": "hello"})],
    ),
    "error-exit-code": Case(
        passing=chain(lambda d: add_error_code(d, exit_code=2), lambda d: set_client(d, http_exit_codes={"5xx": 7})),
        failing=[
            lambda d: add_error_code(d, exit_code=9),
            lambda d: set_client(d, http_exit_codes={"401": 9}),
            lambda d: set_client(d, http_exit_codes={"4x1": 2}),
        ],
    ),
    "exit-code-unique": Case(
        passing=None,
        failing=[
            lambda d: d["exit_codes"].append({"code": 2, "name": "bad-input", "meaning": "The input was unreadable."}),
            lambda d: d["exit_codes"].append({"code": 3, "name": "usage", "meaning": "Something else."}),
            lambda d: d["exit_codes"].append({"code": 3, "name": "other", "meaning": "The arguments were not valid."}),
            set_in("exit_codes", 0, "code", value=1),
        ],
    ),
    "event-refs": Case(
        passing=lambda d: add_event(d),
        failing=[lambda d: add_event(d, links=[])],
    ),
    "pricing-refs": Case(
        passing=set_pricing,
        failing=[
            chain(set_pricing, lambda d: pricing_cost(d).update(command="eko")),
            chain(set_pricing, lambda d: pricing_cost(d).update(command=None, endpoint="ekho")),
            chain(set_pricing, lambda d: pricing_cost(d)["terms"][0]["table"].update(flag="--speed")),
            chain(set_pricing, lambda d: pricing_cost(d)["terms"][1]["per"].update(reply=["txt"])),
            chain(set_pricing, lambda d: pricing_cost(d)["terms"][1]["per"].update(reply=[], request="size")),
            chain(set_pricing, lambda d: pricing_cost(d).update(free_when="--json")),
            chain(set_pricing, lambda d: pricing_cost(d).update(command=None, endpoint="echo", free_when="--mode")),
            chain(set_pricing, lambda d: d["credits"]["plans"][1]["limits"]["rate"][0].update(endpoints=["ech"])),
            chain(set_pricing, lambda d: d["credits"]["plans"][3].update(contact="javascript:alert(1)")),
        ],
    ),
    "pricing-table": Case(
        passing=lambda d: set_pricing(d),
        failing=[
            chain(set_pricing, lambda d: pricing_cost(d)["terms"][0]["table"]["prices"].update(turbo=5)),
            chain(set_pricing, lambda d: pricing_cost(d)["terms"][0]["table"]["prices"].pop("slow")),
        ],
    ),
    "pricing-sums": Case(
        passing=chain(set_pricing, lambda d: pricing_cost(d)["terms"][0]["table"].update(default=3)),
        failing=[
            chain(set_pricing, lambda d: d["credits"]["plans"][2].update(allotment=4000)),
            chain(set_pricing, lambda d: d["credits"]["plans"][2].update(price_cents=900)),
            chain(set_pricing, lambda d: d["credits"]["plans"][0].update(allotment=0)),
            chain(set_pricing, lambda d: d["credits"]["plans"][3].pop("contact")),
            chain(set_pricing, lambda d: d["credits"]["packs"][1].update(credits=100, price_cents=100)),
            chain(
                set_pricing,
                lambda d: d["credits"].update(credit_value_cents=None),
                lambda d: d["credits"]["packs"][1].update(price_cents=1200),
            ),
            chain(set_pricing, lambda d: d["credits"].update(unit={"money": True})),
            chain(set_pricing, lambda d: [p.update(starting=True) for p in d["credits"]["plans"][:2]]),
        ],
    ),
    "pricing-shortfall": Case(
        passing=set_pricing,
        failing=[
            chain(set_pricing, lambda d: d["credits"].pop("shortfall")),
            chain(set_pricing, lambda d: d["credits"].update(shortfall="NO_CREDIT")),
        ],
    ),
    "pricing-unique": Case(
        passing=set_pricing,
        failing=[
            chain(set_pricing, lambda d: d["credits"]["plans"][1].update(id="free")),
            chain(
                set_pricing,
                lambda d: d["credits"]["costs"].append({"endpoint": "echo", "terms": [{"amount": 1}]}),
            ),
        ],
    ),
    "pricing-spends": Case(
        passing=set_pricing,
        failing=[
            chain(set_pricing, lambda d: echo(d).update(spends=False)),
            chain(
                set_pricing, add_endpoint, lambda d: add_command(d, spends=True, endpoint="status", surface="hosted")
            ),
        ],
    ),
    "credits": Case(
        passing=lambda d: set_credits(d, 1000),
        failing=[
            lambda d: set_credits(d, 900),
            chain(lambda d: set_credits(d, 1000), lambda d: d["credits"].update(default_payment_method="card")),
            chain(
                lambda d: set_credits(d, 1000),
                lambda d: d["credits"].update(quote_range={"min": 500, "max": 100}),
            ),
            chain(
                lambda d: set_credits(d, 1000),
                lambda d: d["credits"].update(
                    payment_methods=[
                        {
                            "id": "card",
                            "name": "Card",
                            "live_money": True,
                            "buyer_modes": ["agent"],
                            "default_pack": "huge",
                        }
                    ]
                ),
            ),
        ],
    ),
    "version": Case(
        passing=chain(
            set_in("product", "version", value="1.1.0"),
            lambda d: d["changelog"].insert(0, {"version": "1.1.0", "date": "2026-02-01", "items": ["More."]}),
        ),
        failing=[
            set_in("product", "version", value="1.1.0"),
            chain(set_in("product", "version", value="v1.0.0"), set_in("changelog", 0, "version", value="v1.0.0")),
            lambda d: d["changelog"].append({"version": "1.1.0", "date": "2026-02-01", "items": ["More."]}),
        ],
    ),
    "skill-name": Case(
        passing=set_in("skills", 0, "name", value="echo-skill-2"),
        failing=[
            set_in("skills", 0, "name", value="Echo_Skill"),
            set_in("skills", 0, "name", value="../x"),
            set_in("skills", 0, "name", value="echo--skill"),
            set_in("skills", 0, "name", value="-echo"),
            set_in("skills", 0, "name", value="a" * 65),
            set_in("skills", 0, "name", value=""),
        ],
    ),
    "skill-description": Case(
        passing=set_in("skills", 0, "description", value="Use it when testing. " + "x" * 1003),
        failing=[
            set_in("skills", 0, "description", value="x" * 1025),
            set_in("skills", 0, "description", value="   "),
            # the frontmatter keeps the final newline of a `|` block: 1025 characters there
            set_in("skills", 0, "description", value="x" * 1024 + "\n"),
        ],
    ),
    "description-front": Case(
        # "Use it when" ends exactly at character 250: still inside what agent lists show
        passing=set_in("skills", 0, "description", value="x" * 238 + " Use it when asked." + " More." * 100),
        failing=[
            set_in("skills", 0, "description", value="x" * 239 + " Use it when asked."),
            set_in("skills", 0, "description", value="Check a hosted round trip with Echo Skill."),
            set_in("skills", 0, "description", value="A" * 300 + ". Invoke it whenever a test is due."),
        ],
    ),
    "skill-frontmatter": Case(
        # two hyphens, an em dash and a lone hyphen are fine; so is '---' in a field the
        # frontmatter does not carry
        passing=chain(
            set_in(
                "skills",
                0,
                "description",
                value="Check a round trip -- quickly \u2014 with Echo Skill - use it when in doubt.",
            ),
            set_in("product", "descriptions", "long", value="Echo Skill --- a test service."),
        ),
        failing=[
            set_in("skills", 0, "description", value="Check a round trip---quickly."),
            set_in("skills", 0, "description", value="Check a round trip\x9bquickly."),
            set_in("skills", 0, "compatibility", value="Needs network access --- any OS."),
            set_in("product", "license", value="MIT---see LICENSE"),
            set_in("product", "version", value="1.0.0---rc"),
        ],
    ),
    "skill-canonical": Case(
        passing=lambda d: d["skills"].append(
            {"name": "echo-lite", "description": "A shorter echo skill; use it when time is short."}
        ),
        failing=[
            set_in("skills", 0, "canonical", value=False),
            lambda d: d["skills"].append({"name": "echo-lite", "canonical": True, "description": "Shorter."}),
        ],
    ),
    "skill-refs": Case(
        passing=set_in("skills", 0, "sections", value=[{"title": "Usage", "commands": ["echo"]}]),
        failing=[
            set_in("skills", 0, "sections", value=[{"title": "Usage", "commands": ["ech"]}]),
            set_in("skills", 0, "sections", value=[{"title": "Usage", "rules": ["nope"]}]),
            lambda d: d.setdefault("guidance", []).append(
                {"id": "g", "title": "G", "text": "Text.", "show_in": ["skill"], "commands": ["pong"]}
            ),
        ],
    ),
    "https-urls": Case(
        passing=chain(
            set_in("product", "urls", "repository", value="https://example.com/echo:443/src"),
            set_in("product", "urls", "media", value="https://media.example.com/a%20b/..x/.well-known?x=1&y=[2]#top"),
        ),
        failing=[
            set_in("product", "urls", "skill", value="http://echo.example.com/skill.md"),
            set_in("product", "urls", "homepage", value="echo.example.com"),
            set_in("product", "urls", "api", value="https://api.echo.example.com/with space"),
            set_in("product", "urls", "repository", value='https://example.com/"><script>alert(1)</script>'),
            set_in("product", "urls", "repository", value="https://example.com/a)b"),
            set_in("product", "urls", "repository", value="https://example.com/100%"),
            set_in("product", "urls", "skill", value="https://echo.example.com/docs/../../evil.md"),
            set_in("product", "urls", "cli", value="https://echo.example.com/./cli.md"),
        ],
    ),
    "text-chars": Case(
        # line feeds and tabs in markdown and example data; non-ASCII letters, marks and
        # the left-to-right mark (not an override) anywhere
        passing=chain(
            lambda d: echo(d).update(description="Line one\n\tindented line two, ümlaut and \u200e."),
            lambda d: d["endpoints"][0]["response"]["example"].update(note="two\nlines\tand a tab"),
            set_in("product", "name", value="Échô Skill"),
        ),
        failing=[
            lambda d: echo(d).update(summary="Send text \x1b[31mred\x1b[0m."),
            lambda d: echo(d).update(summary="Send \u202etxet\u202c back."),
            lambda d: echo(d).update(summary="Send\ttext."),
            lambda d: echo(d).update(description="A C1 control \x9b here."),
            lambda d: echo(d).update(description="An isolate \u2067here\u2069."),
            lambda d: set_example(d, "echo", "--text", "del\x7f"),
            lambda d: d["endpoints"][0]["response"]["example"].update({"k\u202ey": "v"}),
            set_in("product", "name", value="Echo\rSkill"),
        ],
    ),
    "markdown-safe": Case(
        # links, autolinks, harmless tags, tags in code and prose that only names a scheme
        passing=lambda d: echo(d).update(
            summary="Prints `<asset id>.<extension>`; see [the docs](https://echo.example.com/docs).",
            description="Read <https://echo.example.com>, then `{param}` and data: the field.<br>\n"
            "A javascript: URL is refused. ![logo](https://echo.example.com/logo.png){: .small }",
        ),
        failing=[
            lambda d: echo(d).update(description="Hi <script>alert(1)</script>"),
            lambda d: echo(d).update(description="<img src=x onerror=alert(1)>"),
            lambda d: echo(d).update(summary="[x](javascript:alert(1))"),
            lambda d: echo(d).update(summary="[x]( JaVa&#115;cript:alert(1))"),
            lambda d: echo(d).update(description="[x][y]\n\n[y]: vbscript:msgbox(1)"),
            lambda d: echo(d).update(description='A paragraph.\n{: onclick="alert(1)" }'),
            lambda d: echo(d).update(description='<a href="data:text/html,x">x</a>'),
            lambda d: echo(d).update(description="<svg/onload=alert(1)>"),
            lambda d: d.setdefault("global_rules", []).append("<iframe src=https://evil.example.com>"),
        ],
    ),
    "env-roles": Case(
        passing=set_in(
            "environment", value=[{"name": "ECHO_TOKEN", "purpose": "API token.", "secret": True, "role": "token"}]
        ),
        failing=[
            set_in("environment", value=[{"name": "ECHO_TOKEN", "purpose": "API token.", "role": "token"}]),
            set_in(
                "environment",
                value=[
                    {"name": "ECHO_TOKEN", "purpose": "API token.", "secret": True, "role": "token"},
                    {"name": "ECHO_KEY", "purpose": "Also a token.", "secret": True, "role": "token"},
                ],
            ),
        ],
    ),
    "example-valid": Case(
        passing=lambda d: set_example(d, "echo", "--text=hello", "--json=false"),
        failing=[
            lambda d: set_example(d, "echo", "--txt", "hello"),
            lambda d: set_example(d, "echo", "--json"),
            lambda d: set_example(d, "echo", "--text"),
            lambda d: set_example(d, "echo", "--text", "hello", "extra"),
            lambda d: set_example(d, "eco", "--text", "hello"),
            chain(lambda d: add_command(d), lambda d: set_example(d, "ping")),
            chain(
                lambda d: add_flag(d, name="--count", type="integer"),
                lambda d: set_example(d, "echo", "--text", "hi", "--count", "two"),
            ),
            lambda d: echo(d)["examples"][0].update(exit_code=9),
        ],
    ),
    "first-run-valid": Case(
        # the homepage's showcase is an invocation too
        passing=chain(
            set_in("first_run", value=[{"argv": ["echo", "--text", "hi"], "why": "Check it works."}]),
            set_in("showcase", value={"argv": ["echo", "--text", "hi"], "shows": "Echo.", "output": '{"ok": true}'}),
        ),
        failing=[
            set_in("showcase", value={"argv": ["echo", "--txt", "hi"], "shows": "Echo.", "output": "hi"}),
            set_in("first_run", value=[{"argv": ["eco", "--text", "hi"], "why": "Check it works."}]),
            set_in("first_run", value=[{"argv": ["echo", "--text", "hi", "--verbose"], "why": "Check."}]),
            set_in("first_run", value=[{"argv": ["echo"], "why": "Check it works."}]),
        ],
    ),
    "example-promises": Case(
        # a priced echo that writes its answer to --out: every kind of promise, each one it can keep
        passing=chain(
            set_pricing,
            lambda d: add_flag(d, name="--out", type="path", value_name="FILE"),
            lambda d: set_steps(d, {"write_output": {"flag": "--out"}}),
            lambda d: set_protocol(
                d, extra_situations={"local_file": ("LOCAL_FILE", 7), "output_exists": ("OUTPUT_EXISTS", 2)}
            ),
            lambda d: set_example(d, "echo", "--text", "hello", "--mode", "fast", "--out", "out/echo.json"),
            lambda d: echo(d)["examples"][0].update(
                expect={
                    "reply": {"ok": True, "data.text": "hello"},
                    "spends": 2,
                    "files": ["./out/echo.json"],
                    "sends": ["text", "mode"],
                }
            ),
        ),
        failing=[
            # a field the example's request does not carry (no --mode given)
            chain(set_pricing, lambda d: echo(d)["examples"][0].update(expect={"sends": ["text", "mode"]})),
            # credits spent by a command without a price (0 is always a fair promise)
            lambda d: echo(d)["examples"][0].update(expect={"spends": 1}),
            # a file written by a command that writes none
            lambda d: echo(d)["examples"][0].update(expect={"files": ["echo.json"]}),
            # a file other than the one the example's output flag names
            chain(
                lambda d: add_flag(d, name="--out", type="path", value_name="FILE"),
                lambda d: set_steps(d, {"write_output": {"flag": "--out"}}),
                lambda d: set_example(d, "echo", "--text", "hello", "--out", "echo.json"),
                lambda d: echo(d)["examples"][0].update(expect={"files": ["echo.txt"]}),
            ),
            # a file outside the working folder
            chain(
                lambda d: add_flag(d, name="--out", type="path", value_name="FILE"),
                lambda d: set_steps(d, {"write_output": {"flag": "--out"}}),
                lambda d: echo(d)["examples"][0].update(expect={"files": ["../echo.json"]}),
            ),
        ],
    ),
    "example-response-echo": Case(
        # the response matches one of the successful examples; a failing example and a
        # flag default that agree are fine too
        passing=chain(
            lambda d: echo(d)["examples"].append({"argv": ["echo", "--text", "hi"], "shows": "Another word."}),
            lambda d: echo(d)["examples"].append(
                {"argv": ["echo", "--text", "down"], "shows": "A failure.", "exit_code": 7}
            ),
            lambda d: add_flag(d, name="--count", type="integer", field="count"),
            lambda d: add_flag(d, name="--mode", field="mode", default="plain"),
            lambda d: d["endpoints"][0]["body"].extend([{"name": "count", "type": "integer"}, {"name": "mode"}]),
            lambda d: set_example(d, "echo", "--text", "hello", "--count", "3"),
            lambda d: d["endpoints"][0]["response"]["example"].update(count=3, mode="plain"),
        ),
        failing=[
            set_in("endpoints", 0, "response", "example", "text", value="goodbye"),
            set_in("endpoints", 0, "response", "example", "text", value=None),
            chain(
                lambda d: add_flag(d, name="--count", type="integer", field="count"),
                lambda d: d["endpoints"][0]["body"].append({"name": "count", "type": "integer"}),
                lambda d: set_example(d, "echo", "--text", "hello", "--count", "3"),
                lambda d: d["endpoints"][0]["response"]["example"].update(count=4),
            ),
            chain(  # the client sends the default, so a response echoing another value contradicts it
                lambda d: add_flag(d, name="--mode", field="mode", default="plain"),
                lambda d: d["endpoints"][0]["body"].append({"name": "mode"}),
                lambda d: d["endpoints"][0]["response"]["example"].update(mode="loud"),
            ),
        ],
    ),
    "documented-fields": Case(
        passing=chain(
            lambda d: echo(d).update(
                description="Prints `data.text`; on failure read error.code and `error.recovery` "
                "(`suggested_command`, `docs_url` or `flag`). Logs go to error.log, docs to "
                "https://data.example.com/error.html, and error.example.com is a host."
            ),
            lambda d: d.setdefault("error_codes", []).append(
                {
                    "code": "BAD_TEXT",
                    "exit_code": 2,
                    "source": "client",
                    "meaning": "The text was refused.",
                    "recovery": "Fix the flag in error.recovery.flag.",
                }
            ),
            # a local command's data comes from the client, which the spec lists no fields for
            lambda d: add_command(d, description="Prints `data.latency_ms`."),
        ),
        failing=[
            lambda d: echo(d).update(description="Prints `data.txt`."),
            lambda d: echo(d).update(description="Read `error.recovery` (`required_flag`) first."),
            lambda d: echo(d).update(description="Read error.code.value first."),
            lambda d: echo(d).update(description="Wait `recovery.retry_after` seconds."),
            chain(  # declared for the API's errors, but the client raises this one
                lambda d: d["envelopes"]["error"]["fields"].append({"name": "error.recovery.required_flag"}),
                lambda d: d.setdefault("error_codes", []).append(
                    {
                        "code": "BAD_TEXT",
                        "exit_code": 2,
                        "source": "client",
                        "meaning": "The text was refused.",
                        "recovery": "Fix it (see error.recovery.required_flag).",
                    }
                ),
            ),
        ],
    ),
    "no-secrets": Case(
        # placeholders pass wherever they are (tests/test_secrets.py covers every shape)
        passing=chain(
            lambda d: set_client(d, token_prefix="isk_r_"),
            lambda d: set_example(d, "echo", "--text", "isk_r_..."),
            lambda d: d["endpoints"][0]["response"]["example"].update(
                text="isk_r_...", token="isk_r_EXAMPLE", key="<token>"
            ),
            lambda d: echo(d)["examples"][0].update(stdin="sk_live_..."),
        ),
        failing=[
            chain(lambda d: set_client(d, token_prefix="isk_r_"), lambda d: set_example(d, "echo", "--text", SECRET)),
            lambda d: set_example(d, "echo", "--text", "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"),
            lambda d: echo(d)["examples"][0].update(stdin="sk_live_" + "Z9y8X7w6V5u4T3s2"),
            set_in("install", value=[{"id": "i", "title": "Install", "command": "export T=AKIA" + "Q7RT2XW9BZ4KD8NM"}]),
            # a token in an endpoint's response example is published into every document
            chain(
                lambda d: set_client(d, token_prefix="isk_r_"),
                lambda d: d["endpoints"][0]["response"]["example"].update(token=SECRET),
            ),
        ],
    ),
    "route-refs": Case(
        passing=add_status_route,
        failing=[
            chain(add_status_route, lambda d: routes(d)[0].update(endpoint="echo-stat")),
            chain(add_status_route, lambda d: routes(d)[1].update(when={"flag": "--id"})),
            chain(add_status_route, lambda d: routes(d)[0].pop("when")),
            chain(add_status_route, lambda d: routes(d)[0].update(when={"flag": "--ident"})),
            chain(add_status_route, lambda d: routes(d)[0].update(when={"argument": "ID"})),
            chain(add_status_route, lambda d: routes(d)[0].update(when={"flag": "--id", "matches": "(unclosed"})),
            chain(add_status_route, lambda d: routes(d)[0].update(fields={"--ident": "id"})),
            chain(add_status_route, lambda d: routes(d)[0].update(fields={"--id": "key"})),
            chain(add_status_route, lambda d: echo(d).update(endpoint="echo")),
            chain(add_status_route, lambda d: echo(d)["flags"][0].update(field="txt")),
        ],
    ),
    "step-refs": Case(
        passing=chain(
            lambda d: add_flag(d, name="--wait", type="boolean"),
            lambda d: add_flag(d, name="--out", type="path"),
            lambda d: set_steps(
                d,
                POLL,
                {"print": {"field": "text", "unless": "--wait"}},
                {"write_output": {"flag": "--out", "replace": True}},
            ),
        ),
        failing=[
            chain(
                lambda d: add_flag(d, name="--wait", type="boolean"),
                lambda d: set_steps(d, {"poll": {**POLL["poll"], "endpoint": "echoo"}}),
            ),
            lambda d: set_steps(d, POLL),  # --wait is not a flag
            lambda d: set_steps(d, {"poll": {**POLL["poll"], "when": "--text"}}),  # not a switch
            lambda d: add_command(d, steps=[{"print": {"field": "text"}}]),  # calls nothing
            lambda d: add_command(d, steps=[{"version": None}, {"help": None}]),
            chain(
                lambda d: add_flag(d, name="--file", type="path"),
                lambda d: set_steps(
                    d,
                    {
                        "upload": {
                            "values": ["--file"],
                            "endpoint": "echo",
                            "body": {"name": "name"},
                            "types": {"txt": "text/plain"},
                            "id": "id",
                        }
                    },
                ),
            ),
            lambda d: set_steps(d, {"hook": {**HOOK["hook"], "reads": ["--txt"]}}),
            chain(
                lambda d: add_endpoint(d),
                lambda d: set_steps(d, {"poll": {**POLL["poll"], "endpoint": "status", "when": None}}),
            ),
            lambda d: set_steps(d, {"print": {"field": "text", "unless": "--text"}}),  # not a switch
            lambda d: set_steps(d, {"print": {"field": "text", "when": "--json", "unless": "--json"}}),
            chain(
                lambda d: add_flag(d, name="--out", type="path"),
                lambda d: add_flag(d, name="--force", type="boolean"),
                lambda d: set_steps(d, {"write_output": {"flag": "--out", "overwrite": "--force", "replace": True}}),
            ),
        ],
    ),
    "reply-paths": Case(
        passing=chain(
            lambda d: set_steps(
                d, {"print": {"field": "items.0.url"}}, {"copy": {"from": ["a.b"], "to": "c", "in": [""]}}
            ),
            lambda d: set_protocol(d, replies={"style": "plain", "error_code": "code", "data": ""}),
        ),
        failing=[
            lambda d: set_steps(d, {"print": {"field": "items..url"}}),
            lambda d: set_protocol(d, replies={"error_code": " code"}),
            lambda d: set_steps(d, {"copy": {"from": [""], "to": "c"}}),
        ],
    ),
    "protocol-refs": Case(
        passing=chain(
            lambda d: d["global_flags"].append(
                {"name": "--api-key", "summary": "Key.", "secret": True, "value_name": "KEY"}
            ),
            lambda d: set_protocol(
                d,
                extra_situations={"base_refused": ("BASE_REFUSED", 2)},
                credential={
                    "scheme": "header",
                    "name": "x-api-key",
                    "sources": [{"flag": "--api-key"}, {"env": "ECHO_KEY"}],
                },
                replies={"statuses": {"401": "BASE_REFUSED", "5xx": "NETWORK_FAILED"}},
                default_command={"command": "echo", "when": "any"},
                output={"json_flag": "--json", "pretty_flag": "--pretty"},
            ),
            lambda d: d["global_flags"].append({"name": "--pretty", "type": "boolean", "summary": "Indent JSON."}),
        ),
        failing=[
            lambda d: set_protocol(d, output={"json_flag": "--jsn"}),
            lambda d: set_protocol(d, output={"json_flag": "--json", "pretty_flag": "--pretty"}),
            chain(
                lambda d: d["global_flags"].append({"name": "--indent", "summary": "I.", "value_name": "N"}),
                lambda d: set_protocol(d, output={"pretty_flag": "--indent"}),
            ),
            lambda d: set_protocol(d, base_url={"flag": "--api-url"}),
            lambda d: set_protocol(d, credential={"scheme": "header", "sources": [{"env": "ECHO_KEY"}]}),
            lambda d: set_protocol(d, credential={"scheme": "bearer", "sources": [{"stdin": "--json"}], "shape": "("}),
            lambda d: set_protocol(d, credential={"scheme": "bearer", "sources": [{"config": "token"}]}),
            lambda d: set_protocol(d, replies={"statuses": {"4x1": "BAD_REPLY"}}),
            lambda d: set_protocol(d, replies={"statuses": {"401": "AUTH_INVALID"}}),
            chain(lambda d: set_protocol(d), lambda d: d["protocol"]["errors"].update(usage="BAD_ARGS")),
            lambda d: set_protocol(d, default_command={"command": "scrape"}),
            lambda d: set_protocol(d, hooks="hooks/../../elsewhere"),
            chain(lambda d: set_protocol(d), lambda d: echo(d).update(auth="required")),
            lambda d: set_protocol(d, base_url={"default": "ftp://api.echo.example.com"}),
        ],
    ),
    "protocol-errors": Case(
        passing=chain(
            lambda d: add_flag(d, name="--out", type="path"),
            lambda d: set_steps(d, {"write_output": {"flag": "--out"}}),
            lambda d: set_protocol(
                d, extra_situations={"local_file": ("LOCAL_FILE", 7), "output_exists": ("OUTPUT_EXISTS", 2)}
            ),
        ),
        failing=[
            chain(lambda d: set_protocol(d), lambda d: d["protocol"]["errors"].pop("usage")),
            chain(
                lambda d: add_flag(d, name="--out", type="path"),
                lambda d: set_steps(d, {"write_output": {"flag": "--out"}}),
                lambda d: set_protocol(d),
            ),
            lambda d: set_protocol(d, credential={"scheme": "bearer", "sources": [{"env": "ECHO_TOKEN"}]}),
        ],
    ),
    "flag-consumed": Case(
        passing=chain(
            lambda d: add_flag(d, name="--wait", type="boolean"),
            lambda d: set_steps(d, POLL),
            # a global flag that fills a field some endpoint has is sent there
            lambda d: d["global_flags"].append({"name": "--say", "summary": "S.", "value_name": "S", "field": "text"}),
            # a switch whose constant field the endpoint has is sent
            lambda d: add_flag(d, name="--shout", type="boolean", sets={"text": "HI"}),
            set_protocol,
        ),
        failing=[
            chain(
                lambda d: d["global_flags"].append(
                    {"name": "--say", "summary": "S.", "value_name": "S", "field": "nowhere"}
                ),
                set_protocol,
            ),
            chain(lambda d: add_flag(d, name="--verbose", type="boolean", local=True), set_protocol),
            # the client sends only fields the endpoint has: this switch would send nothing
            chain(lambda d: add_flag(d, name="--loud", type="boolean", sets={"volume": 11}), set_protocol),
            # a local flag is never sent, whatever its field
            chain(lambda d: add_flag(d, name="--copy", value_name="T", local=True, field="text"), set_protocol),
            chain(
                lambda d: add_flag(d, name="--wait", type="boolean"),
                lambda d: add_flag(d, name="--quiet", type="boolean", local=True),
                lambda d: set_steps(d, POLL),
            ),
            chain(
                lambda d: d["global_flags"].append({"name": "--quiet", "type": "boolean", "summary": "Q."}),
                set_protocol,
            ),
            chain(
                lambda d: (
                    echo(d).setdefault("arguments", []).append({"name": "NOTE", "summary": "N.", "required": False})
                ),
                set_protocol,
            ),
        ],
    ),
    "hook-resolves": Case(
        passing=chain(lambda d: set_steps(d, HOOK), lambda d: set_protocol(d, hooks="hooks")),
        failing=[
            chain(lambda d: set_steps(d, HOOK), lambda d: set_protocol(d)),
            chain(lambda d: set_steps(d, HOOK), lambda d: set_protocol(d, hooks="no-such-folder")),
            chain(
                lambda d: set_steps(d, {"hook": {**HOOK["hook"], "call": "missing:parse_refs"}}),
                lambda d: set_protocol(d, hooks="hooks"),
            ),
            chain(
                lambda d: set_steps(d, {"hook": {**HOOK["hook"], "call": "refs:NotAFunction"}}),
                lambda d: set_protocol(d, hooks="hooks"),
            ),
        ],
    ),
    "short-flags": Case(
        passing=chain(
            lambda d: add_flag(d, name="--count", type="integer", short="-c"),
            lambda d: d["global_flags"][0].update(short="-j"),
        ),
        failing=[
            chain(
                lambda d: add_flag(d, name="--count", type="integer", short="-c"),
                lambda d: add_flag(d, name="--colour", short="-c"),
            ),
            chain(
                lambda d: add_flag(d, name="--count", type="integer", short="-j"),
                lambda d: d["global_flags"][0].update(short="-j"),
            ),
        ],
    ),
    "variadic-last": Case(
        passing=lambda d: echo(d).update(
            arguments=[{"name": "WORDS", "summary": "Words.", "variadic": True, "required": False, "field": "text"}]
        ),
        failing=[
            lambda d: echo(d).update(
                arguments=[
                    {"name": "WORDS", "summary": "Words.", "variadic": True, "required": False},
                    {"name": "LAST", "summary": "Last.", "required": False},
                ]
            )
        ],
    ),
    "generate-pattern": Case(
        passing=lambda d: add_flag(d, name="--request-id", generate={"pattern": "echo-{millis}-{hex8}", "warn": True}),
        failing=[
            lambda d: add_flag(d, name="--request-id", generate={"pattern": "echo-{nonce}"}),
            lambda d: add_flag(d, name="--request-id", generate={"pattern": "always-the-same"}),
        ],
    ),
    "flag-attributes": Case(
        passing=chain(
            lambda d: add_flag(d, name="--fast", type="boolean", negatable=True, default=True),
            lambda d: add_flag(d, name="--wait-seconds", type="number", scale=1000),
            lambda d: add_flag(d, name="--text-file", type="path", read="text", max_bytes=4096),
            lambda d: add_flag(d, name="--ref", accepts_url={"hosts": ["api", "base"], "id": "^ref_[a-z0-9]+$"}),
            lambda d: add_flag(d, name="--loud", type="boolean", sets={"volume": 11}),
        ),
        failing=[
            lambda d: add_flag(d, name="--fast", negatable=True),
            lambda d: add_flag(d, name="--loud", sets={"volume": 11}),
            lambda d: add_flag(d, name="--wait-seconds", scale=1000),
            lambda d: add_flag(d, name="--text-file", read="text"),
            lambda d: add_flag(d, name="--text-file", type="path", max_bytes=10),
            lambda d: add_flag(d, name="--key", default="k", generate={"pattern": "k-{hex8}"}),
            lambda d: add_flag(d, name="--ref", accepts_url={"hosts": ["cdn"], "id": "^ref_"}),
            lambda d: add_flag(d, name="--ref", accepts_url={"hosts": ["api"], "id": "(ref"}),
            chain(
                lambda d: add_flag(d, name="--fast", type="boolean", negatable=True),
                lambda d: add_flag(d, name="--no-fast", type="boolean"),
            ),
        ],
    ),
    "todo": Case(
        passing=lambda d: echo(d).update(summary="Echo the text back (todos are done)."),
        failing=[
            lambda d: echo(d).update(summary="TODO: say what echo does."),
            lambda d: d["product"]["urls"].update(homepage="https://TODO.invalid"),
        ],
    ),
    "at-most-one-of-flags": Case(
        passing=chain(
            lambda d: add_flag(d, name="--upper", type="boolean"),
            lambda d: add_flag(d, name="--lower", type="boolean"),
            lambda d: echo(d).update(at_most_one_of=[["--upper", "--lower"]]),
        ),
        failing=[
            chain(
                lambda d: add_flag(d, name="--upper", type="boolean"),
                lambda d: echo(d).update(at_most_one_of=[["--upper"]]),
            ),
            chain(
                lambda d: add_flag(d, name="--upper", type="boolean"),
                lambda d: echo(d).update(at_most_one_of=[["--upper", "--lower"]]),
            ),
        ],
    ),
}


# --------------------------------------------------------------------------- tests


def test_every_rule_has_a_case() -> None:
    missing = sorted(set(RULES) - set(CASES))
    assert not missing, f"add a passing and a failing case to tests/test_rules.py for: {', '.join(missing)}"
    stale = sorted(set(CASES) - set(RULES))
    assert not stale, f"cases for rules that no longer exist: {', '.join(stale)}"


def test_minimal_spec_is_clean() -> None:
    result = validate()
    assert result.ok
    assert result.diagnostics == []


@pytest.mark.parametrize("code", sorted(CASES))
def test_rule_passes(code: str) -> None:
    result = validate(CASES[code].passing)
    assert result.spec is not None, [d.format_text() for d in result.diagnostics]
    assert [d.format_text() for d in result.diagnostics] == []


FAILING = [(code, i) for code in sorted(CASES) for i in range(len(CASES[code].failing))]


@pytest.mark.parametrize(("code", "index"), FAILING, ids=[f"{c}-{i}" for c, i in FAILING])
def test_rule_fails(code: str, index: int) -> None:
    result = validate(CASES[code].failing[index])
    # the mutation must be schema-valid, so that the semantic rules actually ran
    assert result.spec is not None, [d.format_text() for d in result.diagnostics]
    found = [d for d in result.diagnostics if d.code == code]
    assert found, f"no {code} diagnostic; got {[d.format_text() for d in result.diagnostics]}"
    for diag in found:
        assert diag.line >= 1 and diag.col >= 1
        assert diag.message
        assert diag.path, "a rule diagnostic names the place in the spec"


def test_every_rule_has_a_failing_case() -> None:
    assert all(case.failing for case in CASES.values())


def test_warnings_do_not_make_a_spec_invalid() -> None:
    result = validate(lambda d: add_event(d, links=[]))
    assert [d.severity for d in result.diagnostics] == [Severity.WARNING]
    assert result.ok


@pytest.mark.parametrize(
    ("mutate", "where", "text_there"),
    [
        (lambda d: echo(d).update(endpoint="echoo"), "commands[0].endpoint", "echoo"),
        (set_in("skills", 0, "name", value="../x"), "skills[0].name", "../x"),
        (lambda d: set_credits(d, 900), "credits.packs[0].price_cents", "900"),
        (lambda d: set_client(d, http_exit_codes={"4x1": 2}), "client.http_exit_codes.4x1", "4x1:"),
        (lambda d: echo(d).update(summary="Send \u202e it."), "commands[0].summary", '"Send'),
        (lambda d: set_example(d, "echo", "--text", "a\x1bb"), "commands[0].examples[0].argv[2]", '"a\\eb"'),
        (lambda d: echo(d).update(description="<img src=x onerror=alert(1)>"), "commands[0].description", "<img"),
    ],
)
def test_rule_locations(mutate: Mutation, where: str, text_there: str) -> None:
    """A finding's line:col is where the offending value (or key) starts in the file."""
    data = copy.deepcopy(BASE)
    mutate(data)
    text = yaml.safe_dump(data, sort_keys=False)
    result = load_spec_text(text, "spec.yaml")
    diag = next(d for d in result.diagnostics if d.path == where)
    line = text.splitlines()[diag.line - 1]
    assert line[diag.col - 1 :].startswith(text_there), (diag.format_text(), line)


def _echo_findings(mutate: Mutation) -> list[str]:
    return [d.message for d in validate(mutate).diagnostics if d.code == "example-response-echo"]


def _ref_echo(accepts_url: dict[str, Any] | None) -> Mutation:
    flag: dict[str, Any] = {"name": "--ref", "field": "ref"}
    if accepts_url is not None:
        flag["accepts_url"] = accepts_url
    return chain(
        lambda d: add_flag(d, **flag),
        lambda d: d["endpoints"][0]["body"].append({"name": "ref"}),
        lambda d: set_example(d, "echo", "--text", "hello", "--ref", "https://api.echo.example.com/v1/refs/ref_abc1"),
        lambda d: d["endpoints"][0]["response"]["example"].update(ref="ref_abc1"),
    )


def test_response_echo_compares_what_the_client_sends_not_the_url_it_reduces() -> None:
    # With `accepts_url` the client sends the id the URL names, so a response echoing the
    # id does not contradict the example; without it the URL itself is sent, and it does.
    assert _echo_findings(_ref_echo({"hosts": ["api"], "id": "^ref_[a-z0-9]+$"})) == []
    found = _echo_findings(_ref_echo(None))
    assert len(found) == 1 and "ref" in found[0] and "https://api.echo.example.com/v1/refs/ref_abc1" in found[0]
