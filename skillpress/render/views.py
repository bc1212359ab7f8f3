"""Derived facts the templates show, computed once from the typed spec.

Templates only format. Anything that needs a decision (usage lines, the hosted-API
equivalent of an example, which errors a command can return, link targets) is computed
here, in Python, where it can be tested.
"""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from skillpress.client import argv as argv_parser
from skillpress.render.split import estimate_tokens
from skillpress.spec.model import Auth, Command, Endpoint, ErrorCode, Example, Flag, Guidance, Skill, Spec

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
        if part.startswith("--") and "=" not in part and i + 1 < len(words) and not words[i + 1].startswith("--"):
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
class ApiCall:
    method: str
    url: str
    auth: bool
    body: dict[str, Any] | None
    curl: str


def _placeholder(name: str) -> str:
    return name.upper()


def api_call(spec: Spec, command: Command, example: Example | None) -> ApiCall | None:
    """The hosted-API equivalent of ``example`` (or of the command with placeholders)."""
    endpoint = spec.endpoints_by_id.get(command.endpoint or "")
    if endpoint is None:
        return None
    values: dict[str, Any] = {}
    if example is not None:
        _, used = spec.resolve_command(example.argv)
        try:
            parsed = argv_parser.parse(command, example.argv[used:], spec.global_flags)
        except argv_parser.UsageProblem:
            parsed = None
        if parsed is not None:
            for flag in command.flags:
                if flag.field and flag.name in parsed.values:
                    values[flag.field] = parsed.values[flag.name]
            positionals = list(parsed.positionals)
            for argument in command.arguments:
                if argument.flag and argument.flag in parsed.values and argument.field:
                    values[argument.field] = parsed.values[argument.flag]
                elif positionals and argument.field:
                    values[argument.field] = positionals.pop(0)
    path = endpoint.path
    for param in endpoint.template_params:
        path = path.replace("{" + param + "}", quote(str(values.pop(param, _placeholder(param))), safe=""))
    query_names = {q.name for q in endpoint.query}
    query = [(k, v) for k, v in values.items() if k in query_names]
    body_names = {b.name for b in endpoint.body}
    body = {k: v for k, v in values.items() if k in body_names} if endpoint.body else None
    url = spec.product.urls.api.rstrip("/") + path
    if query:
        url += "?" + "&".join(f"{k}={quote(str(v), safe='')}" for k, v in query)
    auth = endpoint.auth is Auth.required or (endpoint.auth is Auth.optional and command.auth is not Auth.none)
    token_var = next((v.name for v in spec.environment if v.role.value == "token"), "TOKEN")
    lines = [
        f"curl -sS {shlex.quote(url)}"
        if endpoint.method in ("GET",)
        else f"curl -sS -X {endpoint.method} {shlex.quote(url)}"
    ]
    if auth:
        lines.append(f'-H "authorization: Bearer ${token_var}"')
    if body is not None:
        lines.append('-H "content-type: application/json"')
        lines.append("-d " + shlex.quote(json.dumps(body, ensure_ascii=False, separators=(",", ":"))))
    curl = " \\\n  ".join(lines)
    return ApiCall(endpoint.method, url, auth, body, curl)


@dataclass
class CommandView:
    command: Command
    anchor: str
    usage: str
    endpoint: Endpoint | None
    api: ApiCall | None
    examples: list[tuple[Example, str]]
    errors: list[ErrorCode]
    exit_codes: list[tuple[int, str]]
    rules: list[Guidance]
    response_json: str | None
    facts: str
    flag_types: list[str]
    aliases: list[str] = field(default_factory=list)


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


def command_view(spec: Spec, command: Command) -> CommandView:
    endpoint = spec.endpoints_by_id.get(command.endpoint or "")
    first = command.examples[0] if command.examples else None
    response = None
    if endpoint is not None and endpoint.response.example is not None:
        response = json.dumps(endpoint.response.example, ensure_ascii=False)
    rule_ids = list(command.rules) + [g.id for g in spec.guidance_by_command.get(command.path, ())]
    rules = [spec.guidance_by_id[r] for r in dict.fromkeys(rule_ids) if r in spec.guidance_by_id]
    return CommandView(
        command=command,
        anchor=command.id,
        usage=usage(spec, command),
        endpoint=endpoint,
        api=api_call(spec, command, first),
        examples=[(e, shell_line(spec.product.cli_name, e.argv)) for e in command.examples],
        errors=[spec.error_codes_by_code[c] for c in command.errors if c in spec.error_codes_by_code],
        exit_codes=[
            (c, spec.exit_codes_by_code[c].meaning) for c in command.exit_codes if c in spec.exit_codes_by_code
        ],
        rules=rules,
        response_json=response,
        facts=command_facts(command),
        flag_types=[flag_type(f) for f in command.flags],
        aliases=[f"{spec.product.cli_name} {a}" for a in command.aliases],
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


def skill_sections(spec: Spec, skill: Skill, known: dict[int, CommandView] | None = None) -> list[SectionView]:
    """The skill's sections with their commands' views (taken from ``known``, keyed by
    ``id(command)``, when the caller already built them)."""
    known = known or {}
    out = []
    for section in skill.sections:
        commands = [
            known.get(id(command)) or command_view(spec, command)
            for command in (spec.commands_by_path.get(p) for p in section.commands)
            if command is not None
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
    Page("credits", "Credits and pricing", "credit value, packs, payment methods and buying rules"),
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
