"""Derived facts the templates show, computed once from the typed spec.

Templates only format. Anything that needs a decision (usage lines, which errors a
command can return, link targets) is computed here, in Python, where it can be tested.
What the client does is read from the compiled contract, never restated: the request of
each example comes from ``contract.requests`` (``render.example_requests``) and the
sentences about the protocol, routes, steps and flags from ``render.contract_text``.
"""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass, field
from typing import Any

from skillpress.contract import protocol
from skillpress.render import contract_text, escape, pricing_text
from skillpress.render.example_requests import ExampleRequest, command_table, example_request
from skillpress.render.split import estimate_tokens
from skillpress.spec.model import (
    SITUATIONS,
    Argument,
    Command,
    Endpoint,
    ErrorCode,
    Example,
    Flag,
    Guidance,
    Skill,
    Spec,
)
from skillpress.spec.rules import needed_situations

WRAP = 78

__all__ = ["estimate_tokens"]  # re-exported: the size budgets live in skillpress.render.split


def shell_line(cli: str, argv: list[str]) -> str:
    """A copy-pasteable shell command, wrapped with backslashes when long."""
    words = [cli] + [shlex.quote(a) for a in argv]
    one = " ".join(words)
    if len(one) <= WRAP:
        return one
    lines: list[str] = [words[0]]
    i = 1
    # keep the command path words on the first line, then one flag (with its value) per line
    while i < len(words) and not words[i].startswith("-"):
        lines[0] += " " + words[i]
        i += 1
    while i < len(words):
        part = words[i]
        after = words[i + 1] if i + 1 < len(words) else None
        long_pair = after is not None and part.startswith("--") and not after.startswith("--")
        short_pair = after is not None and part[:1] == "-" and part[1:2] != "-" and not after.startswith("-")
        if "=" not in part and (long_pair or short_pair):
            part += " " + words[i + 1]
            i += 1
        lines.append("  " + part)
        i += 1
    return " \\\n".join(lines)


def usage(spec: Spec, command: Command) -> str:
    parts = [spec.product.cli_name, command.path]
    grouped = {name for group in command.one_of for name in group}
    for argument in command.arguments:
        parts.append(argument.name if argument.required else f"[{argument.name}]")
    for group in command.one_of:
        parts.append("(" + " | ".join(_flag_usage(command.flag(n)) for n in group if command.flag(n)) + ")")
    for flag in command.flags:
        if flag.name in grouped:
            continue
        text = _flag_usage(flag)
        if flag.repeatable:
            text += " ..."
        parts.append(text if flag.required else f"[{text}]")
    return " ".join(parts)


def _flag_usage(flag: Flag | None) -> str:
    if flag is None:
        return ""
    if not flag.takes_value:
        return flag.name
    if flag.choices:
        return f"{flag.name} {'|'.join(flag.choices)}"
    return f"{flag.name} {flag.value_name or flag.type.value.upper()}"


def flag_default(flag: Flag) -> str:
    if flag.default is None:
        return ""
    if isinstance(flag.default, bool):
        return "true" if flag.default else "false"
    return str(flag.default)


@dataclass(frozen=True)
class Row:
    """One row of a command's table of arguments and flags, as inline markdown."""

    names: str
    type: str
    meaning: str


@dataclass
class CommandView:
    command: Command
    anchor: str
    usage: str
    endpoint: Endpoint | None
    """The endpoint of ``endpoint:`` (its response example is shown), if any."""
    calls: list[str]
    """``METHOD /path`` of every endpoint the command's routes may call, in order."""
    requests: list[tuple[Example, ExampleRequest]]
    """The request of each example that sends one (``contract.requests``)."""
    requests_text: str
    """Those requests as ``curl`` commands, each under its example's comment line."""
    examples: list[tuple[Example, str]]
    errors: list[ErrorCode]
    exit_codes: list[tuple[int, str]]
    rules: list[Guidance]
    response_json: str | None
    facts: str
    rows: list[Row]
    route: str | None
    """How the endpoint is chosen, when the command has more than one route."""
    steps: list[str]
    """One sentence per step, in order."""
    aliases: list[str] = field(default_factory=list)
    cost: str | None = None
    """What one call costs, one markdown sentence (``None``: no pricing, or it calls nothing)."""


def command_facts(command: Command) -> str:
    """One line of facts: where it runs, auth, and what it changes."""
    parts = ["Runs locally." if command.surface == "local" else "Calls the hosted API."]
    parts.append(
        {"none": "No token needed.", "optional": "Uses a token if one is available.", "required": "Needs a token."}[
            command.auth.value
        ]
    )
    effects = [word for word, on in (("changes state", command.mutates), ("spends credits", command.spends)) if on]
    if effects:
        parts.append(" and ".join(effects).capitalize() + ".")
    if command.idempotency != "none":
        parts.append(f"Idempotency key {command.idempotency}.")
    return " ".join(parts)


def flag_type(flag: Flag) -> str:
    parts = [flag.type.value]
    if flag.required:
        parts.append("required")
    if flag.repeatable:
        parts.append("repeatable")
    if flag.default is not None:
        parts.append(f"default {flag_default(flag)}")
    return ", ".join(parts)


def requests_text(requests: list[tuple[Example, ExampleRequest]]) -> str:
    """The requests as ``curl`` commands; with more than one, each under its example's comment."""
    if len(requests) == 1:
        return requests[0][1].curl
    return "\n\n".join(f"# {example_comment(e)}\n{r.curl}" for e, r in requests)


def example_comment(example: Example) -> str:
    """What an example shows, and its exit code when it is not 0."""
    return example.shows + (f" (exits {example.exit_code})" if example.exit_code else "")


def _sentences(*parts: str) -> str:
    return " ".join(p for p in parts if p)


def flag_row(contract: dict[str, Any], flag: Flag, compiled: dict[str, Any]) -> Row:
    names = [flag.name, *([flag.short] if flag.short else []), *flag.aliases]
    if flag.negatable:
        names.append("--no-" + flag.name[2:])
    choices = ""
    if flag.choices:
        choices = "One of " + ", ".join(escape.code(c) for c in flag.choices) + "."
    older = ""
    if flag.compatibility_aliases:
        plural = "s" if len(flag.compatibility_aliases) > 1 else ""
        older = f"Older name{plural} still accepted: " + ", ".join(escape.code(a) for a in flag.compatibility_aliases)
        older += "."
    return Row(
        ", ".join(escape.code(n) for n in names),
        flag_type(flag),
        _sentences(flag.summary, choices, older, contract_text.flag_notes(contract, compiled)),
    )


def argument_row(contract: dict[str, Any], argument: Argument, compiled: dict[str, Any]) -> Row:
    kind = (
        argument.type.value + (", required" if argument.required else "") + (", variadic" if argument.variadic else "")
    )
    via = f"Or give {escape.code(argument.flag)}." if argument.flag else ""
    return Row(
        escape.code(argument.name),
        kind,
        _sentences(argument.summary, via, contract_text.argument_notes(contract, compiled)),
    )


def _calls(contract: dict[str, Any], compiled: dict[str, Any]) -> list[str]:
    endpoints = contract.get("endpoints") or {}
    out: list[str] = []
    for route in compiled.get("routes") or ():
        endpoint = endpoints.get(route["endpoint"])
        if endpoint is not None:
            call = f"{endpoint['method']} {endpoint['path']}"
            if call not in out:
                out.append(call)
    return out


def command_view(
    spec: Spec,
    command: Command,
    contract: dict[str, Any],
    compiled: dict[str, Any],
    table: dict[str, dict[str, Any]] | None = None,
) -> CommandView:
    """The view of ``command``; ``compiled`` is its entry in ``contract["commands"]`` and
    ``table`` the contract's command table (``example_requests.command_table``)."""
    endpoint = spec.endpoints_by_id.get(command.endpoint or "")
    response = None
    if endpoint is not None and endpoint.response.example is not None:
        response = json.dumps(endpoint.response.example, ensure_ascii=False)
    rule_ids = list(command.rules) + [g.id for g in spec.guidance_by_command.get(command.path, ())]
    rules = [spec.guidance_by_id[r] for r in dict.fromkeys(rule_ids) if r in spec.guidance_by_id]
    sent = [(e, example_request(contract, e.argv, table)) for e in command.examples]
    requests = [(e, r) for e, r in sent if r is not None]
    compiled_flags = {f["name"]: f for f in compiled.get("flags") or ()}
    compiled_arguments = {a["name"]: a for a in compiled.get("arguments") or ()}
    return CommandView(
        command=command,
        anchor=command.id,
        usage=usage(spec, command),
        endpoint=endpoint,
        calls=_calls(contract, compiled),
        requests=requests,
        requests_text=requests_text(requests),
        examples=[(e, shell_line(spec.product.cli_name, e.argv)) for e in command.examples],
        errors=[spec.error_codes_by_code[c] for c in command.errors if c in spec.error_codes_by_code],
        exit_codes=[
            (c, spec.exit_codes_by_code[c].meaning) for c in command.exit_codes if c in spec.exit_codes_by_code
        ],
        rules=rules,
        response_json=response,
        facts=command_facts(command),
        rows=[argument_row(contract, a, compiled_arguments.get(a.name, {})) for a in command.arguments]
        + [flag_row(contract, f, compiled_flags.get(f.name, {})) for f in command.flags],
        route=contract_text.route_sentence(contract, compiled),
        steps=contract_text.step_sentences(contract, compiled),
        aliases=[f"{spec.product.cli_name} {a}" for a in command.aliases],
        cost=pricing_text.cost_sentence(contract, compiled["id"]),
    )


def command_views(spec: Spec, contract: dict[str, Any]) -> list[CommandView]:
    """Every command's view, in spec order (the contract lists the commands in the same order)."""
    table = command_table(contract)
    return [
        command_view(spec, c, contract, compiled, table)
        for c, compiled in zip(spec.commands, contract["commands"], strict=True)
    ]


@dataclass(frozen=True)
class ProtocolView:
    """The "How the client talks to the API" section, from the compiled contract."""

    base: str
    """The default API base, as the client uses it (scheme, host and port)."""
    envelope: bool
    """Replies are envelopes (else the HTTP status decides)."""
    items: list[tuple[str, str]]
    """``(title, sentence)`` pairs: base URL, credential, replies, retries, ..."""
    short: list[str]
    """The same in two sentences, for the skill file."""
    exits: list[contract_text.ExitRow]
    """Every exit code the client can produce."""
    never_text: str
    """The exit codes the spec defines that the client never produces, in a sentence."""
    global_flags: list[Row]


def protocol_view(spec: Spec, contract: dict[str, Any]) -> ProtocolView:
    exit_codes = [(e.code, e.name, e.meaning) for e in spec.exit_codes]
    needed = needed_situations(spec)
    declared = contract["protocol"].get("errors") or {}
    situations = [s for s in SITUATIONS if s in needed or declared.get(s)]
    rows, never = contract_text.exit_rows(contract, exit_codes, situations)
    compiled = {f["name"]: f for f in contract.get("global_flags") or ()}
    return ProtocolView(
        base=protocol.default_base(contract) or spec.product.urls.api,
        envelope=contract["protocol"]["replies"]["style"] == "envelope",
        items=contract_text.protocol_items(contract),
        short=contract_text.protocol_short(contract),
        exits=rows,
        never_text=contract_text.never_sentence(never),
        global_flags=[flag_row(contract, f, compiled.get(f.name, {})) for f in spec.global_flags],
    )


@dataclass(frozen=True)
class Links:
    """Where each agent file lives, seen from the document being rendered."""

    skill: str
    llms: str
    llms_full: str
    cli: str
    commands_json: str
    homepage: str


def site_links(spec: Spec) -> Links:
    urls = spec.product.urls
    return Links(
        skill=urls.skill,
        llms=urls.llms,
        llms_full=llms_full_url(spec),
        cli=urls.cli,
        commands_json=sibling_url(urls.llms, "commands.json"),
        homepage=urls.homepage,
    )


def folder_links(spec: Spec) -> Links:
    return Links(
        skill="SKILL.md",
        llms=spec.product.urls.llms,
        llms_full="references/llms-full.txt",
        cli="references/cli.md",
        commands_json="references/commands.json",
        homepage=spec.product.urls.homepage,
    )


def sibling_url(url: str, name: str) -> str:
    return url.rsplit("/", 1)[0] + "/" + name


def llms_full_url(spec: Spec) -> str:
    return spec.product.urls.llms_full or sibling_url(spec.product.urls.llms, "llms-full.txt")


def page_url(spec: Spec, page: str) -> str:
    """URL of a site page's markdown twin, e.g. ``https://host/commands.md``."""
    return spec.product.urls.homepage.rstrip("/") + f"/{page}.md"


@dataclass
class SectionView:
    title: str
    body: str | None
    commands: list[CommandView]
    rules: list[Guidance]
    first_run: bool


def skill_sections(spec: Spec, skill: Skill, known: dict[int, CommandView]) -> list[SectionView]:
    """The skill's sections with their commands' views (``known``, keyed by ``id(command)``)."""
    out = []
    for section in skill.sections:
        commands = [
            known[id(command)]
            for command in (spec.commands_by_path.get(p) for p in section.commands)
            if command is not None and id(command) in known
        ]
        rules = [spec.guidance_by_id[r] for r in section.rules if r in spec.guidance_by_id]
        out.append(SectionView(section.title, section.body, commands, rules, section.first_run))
    return out


def first_run_lines(spec: Spec) -> list[tuple[str, str, bool]]:
    return [(shell_line(spec.product.cli_name, s.argv), s.why, s.optional) for s in spec.first_run]


def visible_commands(spec: Spec) -> list[Command]:
    return [c for c in spec.commands if not c.hidden]


def canonical_skill(spec: Spec) -> Skill:
    return next(s for s in spec.skills if s.canonical)


@dataclass(frozen=True)
class Page:
    slug: str
    title: str
    note: str


#: Reference pages of the generated site; llms.txt links their markdown twins.
SITE_PAGES = (
    Page("commands", "Commands", "every command with its flags, examples and hosted-API equivalent"),
    Page("api", "HTTP API", "endpoints, request fields, responses and the JSON envelopes"),
    Page("events", "Activity events", "the registry of activity event types"),
    Page("credits", "Pricing", "what each command costs, plans, packs, limits and buying rules"),
    Page("errors", "Exit and error codes", "what each exit code and error code means and how to recover"),
    Page("changelog", "Changelog", "what changed in each version"),
)


def site_pages(spec: Spec) -> list[Page]:
    """The reference pages this spec has content for."""
    skip = set()
    if not spec.events:
        skip.add("events")
    if spec.credits is None:
        skip.add("credits")
    if not spec.endpoints:
        skip.add("api")
    return [p for p in SITE_PAGES if p.slug not in skip]


def skill_rules(spec: Spec, skill: Skill, document: str) -> list[Guidance]:
    """Rules a skill file lists: all of the document's rules for the canonical skill;
    for an intent skill, those not tied to commands or tied to one of its commands."""
    rules = spec.rules_for(document)
    if skill.canonical:
        return rules
    mine = {path for section in skill.sections for path in section.commands}
    return [g for g in rules if not g.commands or mine.intersection(g.commands)]
