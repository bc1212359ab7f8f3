"""Semantic rules over a schema-valid spec.

Each rule is one function registered under a stable code. A rule yields
:class:`Finding` values (it never raises); the runner turns them into located
diagnostics. The README lists every code.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from skillpress.contract import invocation as grammar
from skillpress.diagnostics import Severity
from skillpress.spec.loader import PathKey
from skillpress.spec.model import STEP_FLAG_KEYS, Argument, Command, Flag, Spec, TextKind, ValueType
from skillpress.spec.text import SpecString, bad_character, iter_strings, unsafe_markdown


@dataclass(frozen=True)
class Finding:
    path: PathKey
    message: str
    hint: str | None = None
    severity: Severity = Severity.ERROR
    on_key: bool = False


Rule = Callable[[Spec], Iterable[Finding]]
RULES: dict[str, Rule] = {}


def rule(code: str) -> Callable[[Rule], Rule]:
    def register(fn: Rule) -> Rule:
        RULES[code] = fn
        fn.code = code  # type: ignore[attr-defined]
        return fn

    return register


SEMVER = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*)(?:\.(?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*))*))?"
    r"(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$"
)
# Characters a canonical URL may not hold as they are: they end a markdown link, an
# autolink or an HTML attribute the URL is written into. Percent-encode them instead.
URL_UNSAFE = re.compile(r"[\"'<>()\\^`{|}]|%(?![0-9A-Fa-f]{2})")
SKILL_NAME = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def semver_key(version: str) -> tuple[int, int, int, int, str]:
    match = SEMVER.match(version)
    if not match:
        return (-1, -1, -1, -1, version)
    major, minor, patch, pre, _ = match.groups()
    # a release sorts after its pre-releases
    return (int(major), int(minor), int(patch), 0 if pre else 1, pre or "")


def _duplicates(items: Iterable[tuple[str, PathKey]], what: str) -> Iterator[Finding]:
    first: dict[str, PathKey] = {}
    for value, path in items:
        if value in first:
            yield Finding(path, f"duplicate {what} {value!r} (already used at {_dotted(first[value])})")
        else:
            first[value] = path


def _dotted(path: PathKey) -> str:
    from skillpress.spec.loader import format_path

    return format_path(path)


# --------------------------------------------------------------------------- uniqueness


@rule("unique-ids")
def unique_ids(spec: Spec) -> Iterator[Finding]:
    groups: list[tuple[str, list[tuple[str, PathKey]]]] = [
        ("endpoint id", [(e.id, ("endpoints", i, "id")) for i, e in enumerate(spec.endpoints)]),
        ("endpoint route", [(f"{e.method} {e.path}", ("endpoints", i, "path")) for i, e in enumerate(spec.endpoints)]),
        ("error code", [(e.code, ("error_codes", i, "code")) for i, e in enumerate(spec.error_codes)]),
        ("event type", [(e.type, ("events", i, "type")) for i, e in enumerate(spec.events)]),
        ("guidance id", [(g.id, ("guidance", i, "id")) for i, g in enumerate(spec.guidance)]),
        ("skill name", [(s.name, ("skills", i, "name")) for i, s in enumerate(spec.skills)]),
        ("environment variable", [(v.name, ("environment", i, "name")) for i, v in enumerate(spec.environment)]),
        ("actor id", [(a.id, ("actors", i, "id")) for i, a in enumerate(spec.actors)]),
        ("claim state", [(c.id, ("claim_states", i, "id")) for i, c in enumerate(spec.claim_states)]),
        ("install snippet id", [(s.id, ("install", i, "id")) for i, s in enumerate(spec.install)]),
        ("changelog version", [(c.version, ("changelog", i, "version")) for i, c in enumerate(spec.changelog)]),
    ]
    if spec.credits:
        groups += [
            ("pack id", [(p.id, ("credits", "packs", i, "id")) for i, p in enumerate(spec.credits.packs)]),
            (
                "payment method",
                [(m.id, ("credits", "payment_methods", i, "id")) for i, m in enumerate(spec.credits.payment_methods)],
            ),
            (
                "buyer mode",
                [(b.id, ("credits", "buyer_modes", i, "id")) for i, b in enumerate(spec.credits.buyer_modes)],
            ),
        ]
    for what, items in groups:
        yield from _duplicates(items, what)


@rule("unique-command-paths")
def unique_command_paths(spec: Spec) -> Iterator[Finding]:
    items: list[tuple[str, PathKey]] = []
    for i, command in enumerate(spec.commands):
        items.append((command.path, ("commands", i, "path")))
        items += [(alias, ("commands", i, "aliases", j)) for j, alias in enumerate(command.aliases)]
    yield from _duplicates(items, "command path or alias")


@rule("unique-flags")
def unique_flags(spec: Spec) -> Iterator[Finding]:
    global_names = {n: i for i, f in enumerate(spec.global_flags) for n in f.all_names}
    yield from _duplicates(
        [(n, ("global_flags", i, "name")) for i, f in enumerate(spec.global_flags) for n in f.all_names],
        "global flag",
    )
    for ci, command in enumerate(spec.commands):
        items = []
        for fi, flag in enumerate(command.flags):
            base: PathKey = ("commands", ci, "flags", fi)
            names = [(flag.name, base + ("name",))]
            names += [(a, base + ("aliases", j)) for j, a in enumerate(flag.aliases)]
            names += [(a, base + ("compatibility_aliases", j)) for j, a in enumerate(flag.compatibility_aliases)]
            for name, path in names:
                if name in global_names:
                    yield Finding(path, f"flag {name} is already a global flag", "remove it from the command")
            items += names
        yield from _duplicates(items, "flag name")  # the path names the command


# --------------------------------------------------------------------------- references


@rule("command-endpoint")
def command_endpoint(spec: Spec) -> Iterator[Finding]:
    for i, command in enumerate(spec.commands):
        path: PathKey = ("commands", i, "endpoint")
        if command.endpoint is None:
            if command.surface == "hosted" and not command.routes:
                yield Finding(
                    ("commands", i, "surface"),
                    f"hosted command '{command.path}' names no endpoint",
                    "set `endpoint:` to the id of the endpoint it calls, or `surface: local`",
                )
            continue
        if command.endpoint not in spec.endpoints_by_id:
            yield Finding(
                path, f"endpoint {command.endpoint!r} is not defined", _suggest(command.endpoint, spec.endpoints_by_id)
            )


@rule("endpoint-used")
def endpoint_used(spec: Spec) -> Iterator[Finding]:
    used = {c.endpoint for c in spec.commands if c.endpoint}
    used |= {e for c in spec.commands for e in _step_and_route_endpoints(c)}
    if spec.credits:
        used |= {m.endpoint for m in spec.credits.payment_methods if m.endpoint}
    for i, endpoint in enumerate(spec.endpoints):
        if endpoint.id not in used and not endpoint.api_only:
            yield Finding(
                ("endpoints", i, "id"),
                f"endpoint {endpoint.id!r} is not called by any command",
                "point a command at it, or mark it `api_only: true`",
            )


@rule("endpoint-path-params")
def endpoint_path_params(spec: Spec) -> Iterator[Finding]:
    for i, endpoint in enumerate(spec.endpoints):
        declared = [p.name for p in endpoint.path_params]
        in_path = endpoint.template_params
        yield from _path_template_problems(("endpoints", i, "path"), endpoint.path)
        for name in in_path:
            if name not in declared:
                yield Finding(("endpoints", i, "path"), f"path parameter {{{name}}} is not declared in path_params")
        for j, name in enumerate(declared):
            if name not in in_path:
                yield Finding(
                    ("endpoints", i, "path_params", j, "name"),
                    f"path parameter {name!r} does not appear in {endpoint.path}",
                )


def _path_template_problems(path: PathKey, template: str) -> Iterator[Finding]:
    """Braces in an endpoint path form ``{name}`` parameters, each used once.

    A parameter named twice has no single value to fill it (the mock's route regex and
    OpenAPI's parameter list both need distinct names), and a stray or empty brace is
    taken literally by some tools and as a parameter by others.
    """
    seen: set[str] = set()
    for piece in re.finditer(r"{([^{}]*)}|[{}]", template):
        name = piece.group(1)
        if name is None or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            yield Finding(
                path,
                f"{piece.group(0)!r} at character {piece.start() + 1} of {template} is not a path parameter",
                "write each parameter as {name} (letters, digits and underscores), or remove the brace",
            )
        elif name in seen:
            yield Finding(
                path,
                f"path parameter {{{name}}} appears more than once in {template}",
                "give each parameter its own name and declare it in path_params",
            )
        else:
            seen.add(name)


@rule("flag-field")
def flag_field(spec: Spec) -> Iterator[Finding]:
    """A flag or argument that fills a request field must name a field of its endpoint."""
    for ci, command in enumerate(spec.commands):
        endpoint = spec.endpoints_by_id.get(command.endpoint or "")
        if endpoint is None:
            continue
        fields = {f.name for f in endpoint.body + endpoint.query + endpoint.path_params}
        fields |= {h.name for h in endpoint.headers}
        items = [(f.field, ("commands", ci, "flags", fi, "field")) for fi, f in enumerate(command.flags)]
        items += [(a.field, ("commands", ci, "arguments", ai, "field")) for ai, a in enumerate(command.arguments)]
        for name, path in items:
            if name and name not in fields:
                yield Finding(
                    path,
                    f"field {name!r} is not a body, query, path or header field of endpoint {endpoint.id!r}",
                    _suggest(name, fields),
                )


@rule("one-of-flags")
def one_of_flags(spec: Spec) -> Iterator[Finding]:
    for ci, command in enumerate(spec.commands):
        names = {n for f in command.flags for n in f.all_names}
        for gi, group in enumerate(command.one_of):
            if len(group) < 2:
                yield Finding(("commands", ci, "one_of", gi), "a one_of group needs at least two flags")
            for fi, name in enumerate(group):
                if name not in names:
                    yield Finding(("commands", ci, "one_of", gi, fi), f"flag {name} is not a flag of '{command.path}'")


@rule("flag-default")
def flag_default(spec: Spec) -> Iterator[Finding]:
    for base, flag in _all_flags(spec):
        if flag.default is None:
            continue
        try:
            grammar.convert(flag.type.value, _raw(flag.default), flag.name, tuple(flag.choices), flag.transform)
        except grammar.UsageProblem as problem:
            yield Finding(base + ("default",), f"default does not fit the flag: {problem.message}")
        if flag.required:
            yield Finding(
                base + ("default",), f"{flag.name} is required, so a default is never used", severity=Severity.WARNING
            )


def _raw(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _all_flags(spec: Spec) -> Iterator[tuple[PathKey, Flag]]:
    for fi, flag in enumerate(spec.global_flags):
        yield ("global_flags", fi), flag
    for ci, command in enumerate(spec.commands):
        for fi, flag in enumerate(command.flags):
            yield ("commands", ci, "flags", fi), flag


@rule("command-codes")
def command_codes(spec: Spec) -> Iterator[Finding]:
    """Exit codes, error codes, events and rules named by commands exist and agree."""
    for ci, command in enumerate(spec.commands):
        base: PathKey = ("commands", ci)
        for j, code in enumerate(command.exit_codes):
            if code not in spec.exit_codes_by_code:
                yield Finding(base + ("exit_codes", j), f"exit code {code} is not defined in exit_codes")
        for j, name in enumerate(command.errors):
            error = spec.error_codes_by_code.get(name)
            if error is None:
                yield Finding(
                    base + ("errors", j),
                    f"error code {name!r} is not defined in error_codes",
                    _suggest(name, spec.error_codes_by_code),
                )
            elif command.exit_codes and error.exit_code not in command.exit_codes:
                yield Finding(
                    base + ("errors", j),
                    f"error {name} exits with {error.exit_code}, which '{command.path}' does not list in exit_codes",
                )
        for j, event in enumerate(command.events):
            if event not in spec.event_type_set:
                yield Finding(
                    base + ("events", j),
                    f"event type {event!r} is not defined in events",
                    _suggest(event, spec.event_types) or "add it to the top-level `events:` list",
                )
        for j, rule_id in enumerate(command.rules):
            if rule_id not in spec.guidance_by_id:
                yield Finding(
                    base + ("rules", j),
                    f"guidance rule {rule_id!r} is not defined",
                    _suggest(rule_id, spec.guidance_by_id),
                )


@rule("endpoint-errors")
def endpoint_errors(spec: Spec) -> Iterator[Finding]:
    for i, endpoint in enumerate(spec.endpoints):
        for j, name in enumerate(endpoint.errors):
            if name not in spec.error_codes_by_code:
                yield Finding(
                    ("endpoints", i, "errors", j),
                    f"error code {name!r} is not defined in error_codes",
                    _suggest(name, spec.error_codes_by_code),
                )


@rule("response-example")
def response_example(spec: Spec) -> Iterator[Finding]:
    """An endpoint's example response holds every required response field."""
    for i, endpoint in enumerate(spec.endpoints):
        example = endpoint.response.example
        if example is None:
            continue
        for field in endpoint.response.fields:
            top = field.name.split(".")[0].split("[")[0]
            if field.required and top not in example:
                yield Finding(
                    ("endpoints", i, "response", "example"),
                    f"example response lacks required field {field.name!r}",
                    f"add {top!r} to the example or mark the field optional",
                )


@rule("error-exit-code")
def error_exit_code(spec: Spec) -> Iterator[Finding]:
    for i, error in enumerate(spec.error_codes):
        if error.exit_code not in spec.exit_codes_by_code:
            yield Finding(
                ("error_codes", i, "exit_code"),
                f"{error.code} maps to exit code {error.exit_code}, which is not defined in exit_codes",
            )
    if spec.client:
        for status, code in spec.client.http_exit_codes.items():
            if code not in spec.exit_codes_by_code:
                yield Finding(
                    ("client", "http_exit_codes", status),
                    f"HTTP {status} maps to exit code {code}, which is not defined",
                )
            if not re.fullmatch(r"[1-5](?:\d\d|xx)", status):
                yield Finding(
                    ("client", "http_exit_codes", status),
                    f"{status!r} is not an HTTP status such as 401 or a class such as 5xx",
                    on_key=True,
                )


@rule("exit-code-unique")
def exit_code_unique(spec: Spec) -> Iterator[Finding]:
    """Each exit code is defined once, with one name and one meaning."""
    yield from _duplicates(
        [(str(e.code), ("exit_codes", i, "code")) for i, e in enumerate(spec.exit_codes)], "exit code"
    )
    yield from _duplicates(
        [(e.name, ("exit_codes", i, "name")) for i, e in enumerate(spec.exit_codes)], "exit code name"
    )
    yield from _duplicates(
        [(e.meaning.strip().lower(), ("exit_codes", i, "meaning")) for i, e in enumerate(spec.exit_codes)],
        "exit code meaning",
    )
    if 0 not in spec.exit_codes_by_code:
        yield Finding(("exit_codes",), "exit code 0 (success) is not defined")


@rule("event-refs")
def event_refs(spec: Spec) -> Iterator[Finding]:
    for i, event in enumerate(spec.events):
        if not event.links:
            yield Finding(
                ("events", i, "links"), f"event {event.type} names no stable links", severity=Severity.WARNING
            )


@rule("credits")
def credits_rules(spec: Spec) -> Iterator[Finding]:
    credits = spec.credits
    if credits is None:
        return
    base: PathKey = ("credits",)
    for i, pack in enumerate(credits.packs):
        if credits.credit_value_cents is None:
            break
        expected = pack.credits * credits.credit_value_cents
        if pack.price_cents != expected:
            yield Finding(
                base + ("packs", i, "price_cents"),
                f"pack {pack.id}: {pack.credits} credits at {credits.credit_value_cents} cent(s) each "
                f"cost {expected} cents, not {pack.price_cents}",
                f"set price_cents: {expected}",
            )
    modes = {b.id for b in credits.buyer_modes}
    packs = {p.id for p in credits.packs}
    methods = {m.id for m in credits.payment_methods}
    for i, method in enumerate(credits.payment_methods):
        for j, mode in enumerate(method.buyer_modes):
            if modes and mode not in modes:
                yield Finding(
                    base + ("payment_methods", i, "buyer_modes", j),
                    f"buyer mode {mode!r} is not defined in credits.buyer_modes",
                    _suggest(mode, modes),
                )
        if method.default_pack and method.default_pack not in packs:
            yield Finding(
                base + ("payment_methods", i, "default_pack"),
                f"pack {method.default_pack!r} is not defined",
                _suggest(method.default_pack, packs),
            )
        if method.endpoint and method.endpoint not in spec.endpoints_by_id:
            yield Finding(
                base + ("payment_methods", i, "endpoint"),
                f"endpoint {method.endpoint!r} is not defined",
                _suggest(method.endpoint, spec.endpoints_by_id),
            )
    if credits.default_payment_method and credits.default_payment_method not in methods:
        yield Finding(
            base + ("default_payment_method",),
            f"payment method {credits.default_payment_method!r} is not defined",
            _suggest(credits.default_payment_method, methods),
        )
    quotes = credits.quote_range
    if quotes and quotes.min > quotes.max:
        yield Finding(base + ("quote_range",), "min is larger than max")


# --------------------------------------------------------------------------- pricing


def _cost_endpoints(spec: Spec, cost: Any) -> list[str]:
    from skillpress.contract.compile import cost_endpoints

    return [e for e in cost_endpoints(spec, cost) if e in spec.endpoints_by_id]


def _response_names(spec: Spec, endpoint_id: str) -> set[str]:
    endpoint = spec.endpoints_by_id.get(endpoint_id)
    if endpoint is None:
        return set()
    names = set()
    for field in endpoint.response.fields:
        name = field.name.replace("[]", "")
        parts = name.split(".")
        names |= {".".join(parts[: i + 1]) for i in range(len(parts))}
    return names


def _field_choices(spec: Spec, endpoint_ids: list[str], field: str) -> list[str]:
    for endpoint_id in endpoint_ids:
        endpoint = spec.endpoints_by_id[endpoint_id]
        for spec_field in endpoint.body + endpoint.query + endpoint.path_params:
            if spec_field.name == field and spec_field.choices:
                return list(spec_field.choices)
    return []


def _input_problem(
    spec: Spec, command: Command | None, endpoints: list[str], name: str, *, need_field: bool = True
) -> tuple[str, str | None] | None:
    """Why ``name`` (a ``--flag`` of the command or a request field) cannot be read, if it cannot."""
    if name.startswith("--"):
        if command is None:
            return f"{name} is a flag, but this cost names no command", "price the command, or name a request field"
        flag = _flag_named(spec, command, name)
        if flag is None:
            return f"flag {name} is not a flag of '{command.path}'", _suggest(name, [f.name for f in command.flags])
        if need_field and flag.local:
            return f"flag {name} is read by the client only and never sent, so no call can be priced by it", None
        if need_field and not (flag.field or flag.sets):
            return f"flag {name} fills no request field, so no call can be priced by it", None
        return None
    fields = set().union(*(_fields_of(e, spec) for e in endpoints)) if endpoints else set()
    if endpoints and name not in fields:
        where = ", ".join(repr(e) for e in endpoints)
        return f"field {name!r} is not a request field of endpoint {where}", _suggest(name, fields)
    return None


@rule("pricing-refs")
def pricing_refs(spec: Spec) -> Iterator[Finding]:
    """Every cost names a real command or endpoint, and the flags, fields and reply fields it reads."""
    credits = spec.credits
    if credits is None:
        return
    for i, cost in enumerate(credits.costs):
        base: PathKey = ("credits", "costs", i)
        command = spec.commands_by_path.get(cost.command) if cost.command else None
        if cost.command is not None and command is None:
            yield Finding(
                base + ("command",),
                f"command '{cost.command}' is not defined",
                _suggest(cost.command, spec.commands_by_path),
            )
            continue
        if cost.endpoint is not None and cost.endpoint not in spec.endpoints_by_id:
            yield Finding(
                base + ("endpoint",),
                f"endpoint {cost.endpoint!r} is not defined",
                _suggest(cost.endpoint, spec.endpoints_by_id),
            )
            continue
        endpoints = _cost_endpoints(spec, cost)
        if command is not None and not endpoints:
            yield Finding(
                base + ("command",), f"command '{command.path}' calls no endpoint, so it has nothing to price"
            )
            continue
        checks: list[tuple[PathKey, str, bool]] = []
        if cost.free_when:
            checks.append((base + ("free_when",), cost.free_when, True))
        for ti, term in enumerate(cost.terms):
            tbase = base + ("terms", ti)
            if term.when:
                checks.append((tbase + ("when",), term.when, True))
            if term.table is not None:
                key = term.table.flag or term.table.field or ""
                checks.append((tbase + ("table", "flag" if term.table.flag else "field"), key, True))
            per = term.per
            if per is None:
                continue
            if per.flag:
                checks.append((tbase + ("per", "flag"), per.flag, True))
            if per.request:
                checks.append((tbase + ("per", "request"), per.request, True))
            known = set().union(*(_response_names(spec, e) for e in endpoints))
            for pi, path in enumerate(per.reply):
                if path and known and path not in known:
                    yield Finding(
                        tbase + ("per", "reply", pi),
                        f"{path!r} is not a declared reply field of endpoint " + ", ".join(repr(e) for e in endpoints),
                        _suggest(path, known),
                    )
        for where, name, need_field in checks:
            problem = _input_problem(spec, command, endpoints, name, need_field=need_field)
            if problem is not None:
                yield Finding(where, problem[0], problem[1])
    for pi, plan in enumerate(credits.plans):
        contact = plan.contact
        if contact is not None and (
            not re.match(r"^https://[A-Za-z0-9.-]+(?::\d+)?(?:/\S*)?$", contact) or URL_UNSAFE.search(contact)
        ):
            yield Finding(
                ("credits", "plans", pi, "contact"),
                f"contact URL {contact!r} is not an absolute https URL safe to link",
                "write https://... and percent-encode quotes, brackets and spaces",
            )
        for ri, rate in enumerate(plan.limits.rate):
            for ei, endpoint in enumerate(rate.endpoints):
                if endpoint not in spec.endpoints_by_id:
                    yield Finding(
                        ("credits", "plans", pi, "limits", "rate", ri, "endpoints", ei),
                        f"endpoint {endpoint!r} is not defined",
                        _suggest(endpoint, spec.endpoints_by_id),
                    )


@rule("pricing-table")
def pricing_table(spec: Spec) -> Iterator[Finding]:
    """A price table's keys are values the flag or field accepts, and every accepted value has a price."""
    credits = spec.credits
    if credits is None:
        return
    for i, cost in enumerate(credits.costs):
        command = spec.commands_by_path.get(cost.command) if cost.command else None
        endpoints = _cost_endpoints(spec, cost)
        for ti, term in enumerate(cost.terms):
            table = term.table
            if table is None:
                continue
            base: PathKey = ("credits", "costs", i, "terms", ti, "table")
            choices: list[str] = []
            if table.flag and command is not None:
                flag = _flag_named(spec, command, table.flag)
                choices = list(flag.choices) if flag is not None else []
            elif table.field:
                choices = _field_choices(spec, endpoints, table.field)
            if not choices:
                continue
            for key in table.prices:
                if key not in choices:
                    yield Finding(
                        base + ("prices", key),
                        f"{key!r} is not a value {table.flag or table.field} accepts ({', '.join(choices)})",
                        _suggest(key, choices),
                        on_key=True,
                    )
            missing = [c for c in choices if c not in table.prices]
            if missing and table.default is None:
                yield Finding(
                    base + ("prices",),
                    f"no price for {', '.join(missing)}: price every value {table.flag or table.field} accepts "
                    "or give a `default`",
                )


@rule("pricing-sums")
def pricing_sums(spec: Spec) -> Iterator[Finding]:
    """Prices add up: allotments are positive, bigger plans and packs give more for their price."""
    credits = spec.credits
    if credits is None:
        return
    base: PathKey = ("credits",)
    if credits.unit.money and credits.credit_value_cents is not None:
        yield Finding(
            base + ("credit_value_cents",),
            "a money unit is one cent already; leave credit_value_cents out",
        )
    previous: dict[str, Any] = {}
    for i, plan in enumerate(credits.plans):
        where = base + ("plans", i)
        if plan.allotment is not None and plan.allotment <= 0:
            yield Finding(where + ("allotment",), f"plan {plan.id}: an allotment must be positive")
        if plan.price_cents is None and plan.contact is None:
            yield Finding(where, f"plan {plan.id} has no price", "give price_cents, or `contact` for a custom quote")
        if plan.price_cents is None or plan.allotment is None or plan.price_cents == 0:
            continue
        other = previous.get(plan.period)
        if other is not None and (plan.price_cents <= other.price_cents or plan.allotment <= other.allotment):
            yield Finding(
                where,
                f"plan {plan.id} ({plan.allotment} credits for {plan.price_cents} cents, per {plan.period}) "
                f"does not give more for more than plan {other.id} listed before it ({other.allotment} "
                f"credits for {other.price_cents} cents)",
                "list plans of one period smallest first, each costing and giving more",
            )
        previous[plan.period] = plan
    last = None
    for i, pack in enumerate(credits.packs):
        if last is not None:
            if pack.credits <= last.credits:
                yield Finding(
                    base + ("packs", i, "credits"),
                    f"pack {pack.id} has no more credits than pack {last.id} before it",
                    "list packs smallest first",
                )
            elif pack.price_cents * last.credits > last.price_cents * pack.credits:
                yield Finding(
                    base + ("packs", i, "price_cents"),
                    f"pack {pack.id} costs more per credit than the smaller pack {last.id}",
                )
        last = pack
    starting = [i for i, plan in enumerate(credits.plans) if plan.starting]
    for i in starting[1:]:
        yield Finding(base + ("plans", i, "starting"), "only one plan can be the one new accounts start on")


@rule("pricing-shortfall")
def pricing_shortfall(spec: Spec) -> Iterator[Finding]:
    """The error a short balance gets is declared, and a product with costs declares one."""
    credits = spec.credits
    if credits is None:
        return
    if credits.shortfall is None:
        if credits.costs:
            yield Finding(
                ("credits", "costs"),
                "calls cost credits but `credits.shortfall` names no error for a short balance",
                "set credits.shortfall to the error code the API answers (often an HTTP 402)",
                on_key=True,
            )
        return
    if credits.shortfall not in spec.error_codes_by_code:
        yield Finding(
            ("credits", "shortfall"),
            f"error code {credits.shortfall} is not defined in error_codes",
            _suggest(credits.shortfall, spec.error_codes_by_code),
        )


@rule("pricing-unique")
def pricing_unique(spec: Spec) -> Iterator[Finding]:
    """No plan id twice, no endpoint priced twice, no command priced twice."""
    credits = spec.credits
    if credits is None:
        return
    yield from _duplicates([(p.id, ("credits", "plans", i, "id")) for i, p in enumerate(credits.plans)], "plan id")
    seen: dict[str, int] = {}
    for i, cost in enumerate(credits.costs):
        for endpoint in _cost_endpoints(spec, cost):
            if endpoint in seen:
                yield Finding(
                    ("credits", "costs", i),
                    f"endpoint {endpoint!r} is already priced by credits.costs[{seen[endpoint]}]",
                    "price each endpoint once",
                )
            else:
                seen[endpoint] = i


@rule("pricing-spends")
def pricing_spends(spec: Spec) -> Iterator[Finding]:
    """A command marked `spends` has a cost, and a priced command is marked `spends`."""
    credits = spec.credits
    if credits is None or not credits.costs:
        return
    priced: set[str] = set()
    for cost in credits.costs:
        priced |= set(_cost_endpoints(spec, cost))
    for ci, command in enumerate(spec.commands):
        calls = {r.endpoint for r in command.routes} | ({command.endpoint} if command.endpoint else set())
        if command.spends and not calls & priced:
            yield Finding(
                ("commands", ci, "spends"),
                f"'{command.path}' spends credits but no cost in credits.costs prices it",
                "add a cost for it",
                severity=Severity.WARNING,
            )
        elif calls & priced and not command.spends and command.path in {c.command for c in credits.costs}:
            yield Finding(
                ("commands", ci),
                f"'{command.path}' has a cost but is not marked `spends: true`",
                severity=Severity.WARNING,
            )


# --------------------------------------------------------------------------- versions


@rule("version")
def version(spec: Spec) -> Iterator[Finding]:
    product_version = spec.product.version
    if not SEMVER.match(product_version):
        yield Finding(
            ("product", "version"), f"version {product_version!r} is not a semantic version (MAJOR.MINOR.PATCH)"
        )
    for i, entry in enumerate(spec.changelog):
        if not SEMVER.match(entry.version):
            yield Finding(("changelog", i, "version"), f"changelog version {entry.version!r} is not a semantic version")
    newest = max(spec.changelog, key=lambda e: semver_key(e.version))
    if newest.version != product_version:
        yield Finding(
            ("product", "version"),
            f"version {product_version} differs from the newest changelog entry {newest.version}",
            "add a changelog entry for this version, or set the version to the newest entry",
        )
    ordered = sorted(spec.changelog, key=lambda e: semver_key(e.version), reverse=True)
    if list(spec.changelog) != ordered:
        yield Finding(("changelog",), "changelog entries are not ordered newest first", severity=Severity.WARNING)


# --------------------------------------------------------------------------- skills and URLs


@rule("skill-name")
def skill_name(spec: Spec) -> Iterator[Finding]:
    for i, skill in enumerate(spec.skills):
        name = skill.name
        if not 1 <= len(name) <= 64 or not SKILL_NAME.match(name):
            yield Finding(
                ("skills", i, "name"),
                f"skill name {name!r} is not a valid Agent Skills name",
                "use 1-64 lowercase letters, digits and single hyphens, not starting or ending with a hyphen",
            )


@rule("skill-description")
def skill_description(spec: Spec) -> Iterator[Finding]:
    for i, skill in enumerate(spec.skills):
        # The frontmatter carries the description as written, surrounding whitespace
        # included, and Agent Skills readers count all of it.
        length = len(skill.description)
        if not skill.description.strip():
            yield Finding(
                ("skills", i, "description"),
                "skill description is empty; Agent Skills need 1-1024 characters",
                "say what the skill does and when an agent should use it",
            )
        elif length > 1024:
            trimmed = len(skill.description.strip())
            yield Finding(
                ("skills", i, "description"),
                f"skill description is {length} characters; Agent Skills allow 1-1024",
                "move detail into the skill's sections"
                if trimmed > 1024
                else f"it is {trimmed} without its leading and trailing whitespace, which the frontmatter keeps; "
                "write it as a plain or `>-` scalar (a `|` block ends with a newline)",
            )


#: How many characters of a skill description the busiest agent lists show (Claude Code's
#: skill listing cuts each description there; README, "Skill descriptions").
DESCRIPTION_FRONT = 250

#: A trigger: "use it when ...", "use this skill whenever ...", "invoke before ...", or a
#: clause that starts "when the user/agent/task ...".
_TRIGGER = re.compile(
    r"\b(?:use|invoke|trigger)(?:s|d)?\b(?:\s+[^\s.;:]+){0,3}?\s+"
    r"(?:when|whenever|if|before|after|for|on)\b"
    r"|\bwhen(?:ever)?\s+(?:a|an|the|you|your|users?|agents?|tasks?|people|someone)\b",
    re.IGNORECASE,
)


@rule("description-front")
def description_front(spec: Spec) -> Iterator[Finding]:
    """The trigger ("use it when ...") sits in the part of the description agent lists show."""
    for i, skill in enumerate(spec.skills):
        text = " ".join(skill.description.split())
        if not text:
            continue  # skill-description reports an empty one
        found = _TRIGGER.search(text)
        if found is not None and found.end() <= DESCRIPTION_FRONT:
            continue
        where = "says nowhere" if found is None else f"says only at character {found.start() + 1}"
        yield Finding(
            ("skills", i, "description"),
            f"skill {skill.name!r} {where} when to use it; agent skill lists show about the first "
            f"{DESCRIPTION_FRONT} characters of a description",
            'put the trigger ("Use it when ...") in the first sentence or two, and the detail after it',
            severity=Severity.WARNING,
        )


# What the Agent Skills reference validator (skills-ref) cannot read back from the
# SKILL.md frontmatter: it cuts the file at the first "---" anywhere (not only on a line
# of its own); its YAML reader refuses DEL, the C1 controls and U+FFFE/U+FFFF, and reads
# U+0085, U+2028 and U+2029 as line breaks (folded to a space, or eating the spaces
# before them).
_FRONTMATTER_BREAK = re.compile("---|[\x7f-\x9f\u2028\u2029\ufffe\uffff]")


@rule("skill-frontmatter")
def skill_frontmatter(spec: Spec) -> Iterator[Finding]:
    """Every value written into a SKILL.md frontmatter survives skills-ref's reading of it."""
    product = spec.product
    values: list[tuple[PathKey, str | None]] = [
        (("product", "version"), product.version),
        (("product", "cli_name"), product.cli_name),
        (("product", "license"), product.license),
        (("product", "urls", "homepage"), product.urls.homepage),
        (("product", "urls", "llms"), product.urls.llms),
        (("product", "urls", "skill"), product.urls.skill),
    ]
    for i, skill in enumerate(spec.skills):
        values += [
            (("skills", i, "description"), skill.description),
            (("skills", i, "license"), skill.license),
            (("skills", i, "compatibility"), skill.compatibility),
        ]
    for path, value in values:
        found = _FRONTMATTER_BREAK.search(value or "")
        if found is None:
            continue
        if found.group() == "---":
            yield Finding(
                path,
                f"'---' (at character {found.start() + 1}) would end the SKILL.md frontmatter early: "
                "skills-ref and other readers cut it at the first '---'",
                "write an em dash (\u2014) or two hyphens instead",
            )
        else:
            yield Finding(
                path,
                f"character U+{ord(found.group()):04X} (at character {found.start() + 1}) cannot be carried "
                "in SKILL.md frontmatter: skills-ref refuses or rewrites it",
                "remove it",
            )


@rule("skill-canonical")
def skill_canonical(spec: Spec) -> Iterator[Finding]:
    canonical = [i for i, s in enumerate(spec.skills) if s.canonical]
    if not canonical:
        yield Finding(
            ("skills",),
            "exactly one skill must be `canonical: true` (found 0)",
            "mark the skill that skill.md is built from with `canonical: true`",
        )
    # Point at each extra canonical skill, not at the list as a whole.
    for i in canonical[1:]:
        yield Finding(
            ("skills", i, "canonical"),
            f"skill {spec.skills[i].name!r} is also marked canonical; only one skill may be "
            f"(the first is {spec.skills[canonical[0]].name!r})",
            "remove `canonical: true` from all but one skill",
        )


@rule("skill-refs")
def skill_refs(spec: Spec) -> Iterator[Finding]:
    for si, skill in enumerate(spec.skills):
        for ti, section in enumerate(skill.sections):
            base: PathKey = ("skills", si, "sections", ti)
            for j, path in enumerate(section.commands):
                if path not in spec.commands_by_path:
                    yield Finding(
                        base + ("commands", j),
                        f"command '{path}' is not defined",
                        _suggest(path, spec.commands_by_path),
                    )
            for j, rule_id in enumerate(section.rules):
                if rule_id not in spec.guidance_by_id:
                    yield Finding(
                        base + ("rules", j),
                        f"guidance rule {rule_id!r} is not defined",
                        _suggest(rule_id, spec.guidance_by_id),
                    )
    for gi, guidance in enumerate(spec.guidance):
        for j, path in enumerate(guidance.commands):
            if path not in spec.commands_by_path:
                yield Finding(
                    ("guidance", gi, "commands", j),
                    f"command '{path}' is not defined",
                    _suggest(path, spec.commands_by_path),
                )


@rule("https-urls")
def https_urls(spec: Spec) -> Iterator[Finding]:
    urls = spec.product.urls
    for name in type(urls).model_fields:
        value = getattr(urls, name)
        if value is None:
            continue
        if not re.match(r"^https://[A-Za-z0-9.-]+(?::\d+)?(?:/\S*)?$", value):
            yield Finding(("product", "urls", name), f"{name} URL {value!r} is not an absolute https URL")
        elif {".", ".."} & set(urlsplit(value).path.split("/")):
            # browsers drop these segments, and a site path built from the URL would
            # point outside the site
            yield Finding(
                ("product", "urls", name),
                f"{name} URL has a '.' or '..' path segment",
                "write the path without them; the site serves files at the paths these URLs name",
            )
        elif bad := URL_UNSAFE.search(value):
            yield Finding(
                ("product", "urls", name),
                f"{name} URL has {bad.group()!r} at character {bad.start() + 1}, which breaks the links and "
                "attributes the URL is written into",
                "percent-encode it (for example %22 for a double quote, %3C for '<')",
            )


@rule("env-roles")
def env_roles(spec: Spec) -> Iterator[Finding]:
    seen: dict[str, int] = {}
    for i, var in enumerate(spec.environment):
        role = var.role.value
        if role in ("token", "api-base-url", "config-path"):
            if role in seen:
                yield Finding(("environment", i, "role"), f"only one variable may have role {role!r}")
            seen[role] = i
        if role in ("token", "token-fallback") and not var.secret:
            yield Finding(("environment", i, "secret"), f"{var.name} holds a token and must be `secret: true`")


# --------------------------------------------------------------------------- invocations


def _check_invocation(spec: Spec, argv: list[str], path: PathKey) -> Iterator[Finding]:
    """Parse ``argv`` with the client's own grammar (``contract.invocation``), no environment."""
    if any(bad_character(word, TextKind.token) for word in argv):
        return  # `text-chars` reports the character; parsing the words would only say it again
    contract = _contract(spec)
    try:
        grammar.parse_argv(contract, argv, env={})
    except grammar.UnknownCommand:
        words = " ".join(t for t in argv[:2] if not t.startswith("-"))
        yield Finding(path, f"'{words}' is not a command of this spec", _suggest(words, spec.commands_by_path))
    except grammar.UsageProblem as problem:
        command, _ = grammar.resolve(contract, argv)
        name = command["path"] if command is not None else _default_command_path(spec)
        yield Finding(path, f"not a valid '{name}' invocation: {problem.message}", problem.hint)


def _default_command_path(spec: Spec) -> str:
    default = spec.protocol.default_command if spec.protocol else None
    return default.command if default else "?"


@rule("example-valid")
def example_valid(spec: Spec) -> Iterator[Finding]:
    for ci, command in enumerate(spec.commands):
        for ei, example in enumerate(command.examples):
            base: PathKey = ("commands", ci, "examples", ei)
            resolved = _runs(spec, example.argv)
            if resolved is not None and resolved != command.path:
                yield Finding(base + ("argv",), f"example runs '{resolved}', not '{command.path}'")
                continue
            yield from _check_invocation(spec, example.argv, base + ("argv",))
            if example.exit_code not in spec.exit_codes_by_code:
                yield Finding(base + ("exit_code",), f"exit code {example.exit_code} is not defined")


def _runs(spec: Spec, argv: list[str]) -> str | None:
    """Path of the command ``argv`` runs (the default command included), or ``None``."""
    contract = _contract(spec)
    command, _ = grammar.resolve(contract, argv)
    if command is None and spec.protocol and spec.protocol.default_command and argv:
        default = spec.protocol.default_command
        if not argv[0].startswith("-") and (default.when == "any" or grammar.looks_like_url(argv[0])):
            return default.command
    return command["path"] if command is not None else None


@rule("first-run-valid")
def first_run_valid(spec: Spec) -> Iterator[Finding]:
    for i, step in enumerate(spec.first_run):
        yield from _check_invocation(spec, step.argv, ("first_run", i, "argv"))
    if spec.showcase is not None:
        yield from _check_invocation(spec, spec.showcase.argv, ("showcase", "argv"))


# --------------------------------------------------------------------------- every string of the spec


class SpecStrings:
    """Every string of a spec (values and mapping keys) with its path, in one text.

    Rules that search all of the spec's text (for secrets, for field paths) run one
    regex over the joined text instead of one per string, and map hits back to the
    string that holds them. Built once per spec.
    """

    _last: SpecStrings | None = None

    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        self.items: list[tuple[PathKey, bool, str]] = []
        # defaults are skillpress's own values, never text a spec author wrote
        self._walk(spec.model_dump(mode="python", exclude_defaults=True), [])
        self.starts: list[int] = []
        offset = 0
        for _, _, text in self.items:
            self.starts.append(offset)
            offset += len(text) + 1
        self.text = "\0".join(text for _, _, text in self.items)

    @classmethod
    def of(cls, spec: Spec) -> SpecStrings:
        if cls._last is None or cls._last.spec is not spec:
            cls._last = cls(spec)
        return cls._last

    def _walk(self, value: object, path: list[str | int]) -> None:
        if isinstance(value, str):
            self.items.append((tuple(path), False, value))
        elif isinstance(value, dict):
            for key, item in value.items():
                path.append(key)
                if isinstance(key, str):
                    self.items.append((tuple(path), True, key))
                self._walk(item, path)
                path.pop()
        elif isinstance(value, (list, tuple)):
            for i, item in enumerate(value):
                path.append(i)
                self._walk(item, path)
                path.pop()

    def matching(self, pattern: re.Pattern[str]) -> Iterator[tuple[PathKey, bool, str]]:
        """The strings in which ``pattern`` finds something, in spec order, each once."""
        import bisect

        last = -1
        for match in pattern.finditer(self.text):
            index = bisect.bisect_right(self.starts, match.start()) - 1
            if index != last:
                last = index
                yield self.items[index]


# --------------------------------------------------------------------------- docs against data


def _example_request(spec: Spec, command: Command, argv: list[str]) -> dict[str, object]:
    """The request fields the thin client sends for a documented example.

    The same parser and field mapping as the client (flags, positional arguments and
    flag defaults); a value the client rewrites before sending (a file's text for a
    path flag, a product URL reduced to the id it names) is left out.
    """
    from skillpress.contract import requests

    contract = _contract(spec)

    def no_files(path: str, limit: int) -> bytes:
        raise OSError("documented examples are not run against the file system")

    try:
        invocation = grammar.parse_argv(contract, argv, env={})
        if invocation.path != command.path:
            return {}
        built = requests.build(
            contract, invocation, effects=requests.Effects(now=lambda: 0.0, random_bytes=bytes, read_file=no_files)
        )
    except grammar.Problem:
        return {}  # example-valid reports it (or the example reads a file, which fills its field at run time)
    fields = built.fields if built is not None else {}
    inputs: list[Flag | Argument] = [*command.flags, *command.arguments]
    rewritten = {
        i.field for i in inputs if i.field and (i.accepts_url is not None or getattr(i, "type", None) is ValueType.path)
    }
    return {name: value for name, value in fields.items() if name not in rewritten}


def _same_value(shown: object, sent: object) -> bool:
    if isinstance(shown, bool) or isinstance(sent, bool):
        return shown is sent
    return shown == sent


def _holds_secret(value: object, shapes: list[tuple[str, re.Pattern[str]]]) -> bool:
    return isinstance(value, str) and find_secret(value, shapes) is not None


def _json(value: object) -> str:
    import json

    return json.dumps(value, ensure_ascii=False)


def _scalar(value: object) -> bool:
    return isinstance(value, (str, int, float, bool))


@rule("example-response-echo")
def example_response_echo(spec: Spec) -> Iterator[Finding]:
    """An endpoint's example response does not contradict the examples that call it.

    Conservative on purpose: only a top-level response field with the same name as a
    request field is compared (a pack id, a credit amount, a quote id the server echoes),
    and it is a finding only when no successful example of any command calling the
    endpoint sends that value.
    """
    _, shapes = _secret_shapes(spec)
    for ei, endpoint in enumerate(spec.endpoints):
        shown_data = endpoint.response.example
        if not shown_data:
            continue
        sent: dict[str, list[tuple[object, Command, list[str]]]] = {}
        for command in spec.commands_by_endpoint.get(endpoint.id, ()):
            if command.endpoint != endpoint.id:
                continue
            for example in command.examples:
                # an example holding a secret is no-secrets' finding; quoting it here would print it
                if example.exit_code != 0 or any(_holds_secret(token, shapes) for token in example.argv):
                    continue
                for name, value in _example_request(spec, command, example.argv).items():
                    if name in shown_data and _scalar(value):
                        sent.setdefault(name, []).append((value, command, example.argv))
        for name, uses in sent.items():
            shown = shown_data[name]  # null counts: the request sent a value for it
            if not (shown is None or _scalar(shown)) or _holds_secret(shown, shapes):
                continue
            if any(_same_value(shown, value) for value, _, _ in uses):
                continue
            value, command, argv = uses[0]
            yield Finding(
                ("endpoints", ei, "response", "example", name),
                f"the example response has {name}: {_json(shown)}, but the documented "
                f"`{spec.product.cli_name} {' '.join(argv)}` sends {name}: {_json(value)}",
                f"show the response to that request ({name}: {_json(value)}), or document a request that fits",
            )


def _example_fields(spec: Spec, command: Command, argv: list[str]) -> set[str] | None:
    """Names of the request fields a documented example sends (with a value, placed in the
    request), or ``None`` when the example does not parse. A file the example reads counts
    as read (its field is sent; its text is not known here)."""
    from skillpress.contract import requests

    contract = _contract(spec)

    def placeholder(path: str, limit: int) -> bytes:
        return b"{}"

    try:
        invocation = grammar.parse_argv(contract, argv, env={})
        if invocation.path != command.path:
            return None
        built = requests.build(
            contract, invocation, effects=requests.Effects(now=lambda: 0.0, random_bytes=bytes, read_file=placeholder)
        )
    except grammar.Problem:
        return None
    if built is None:
        return set()
    placed = requests.placement(contract["endpoints"][built.request.endpoint])
    return {name for name, value in built.fields.items() if value is not None and name in placed}


def _example_targets(spec: Spec, command: Command, argv: list[str]) -> set[str] | None:
    """The files a documented example names for its `write_output` and `download` steps
    (normalised), or ``None`` when they cannot be told: a download named by the reply, or
    an example that does not parse."""
    targets: set[str] = set()
    flags: list[str] = []
    for step in command.steps:
        if step.write_output is not None:
            flags.append(step.write_output.flag)
        elif step.download is not None:
            if step.download.to is None:
                return None
            flags.append(step.download.to)
    try:
        invocation = grammar.parse_argv(_contract(spec), argv, env={})
    except grammar.Problem:
        return None
    for flag in flags:
        value = invocation.values.get(flag)
        if isinstance(value, str) and value != "-":
            targets.add(posixpath.normpath(value))
    return targets


def _priced_commands(spec: Spec) -> set[str]:
    credits = spec.credits
    if credits is None:
        return set()
    priced: set[str] = set()
    for cost in credits.costs:
        priced |= set(_cost_endpoints(spec, cost))
    return {
        command.path
        for command in spec.commands
        if ({r.endpoint for r in command.routes} | ({command.endpoint} if command.endpoint else set())) & priced
    }


@rule("example-promises")
def example_promises(spec: Spec) -> Iterator[Finding]:
    """What an example's `expect:` promises is something the command can do: the fields it
    names are in the example's request, it spends credits only where a price is declared,
    and it writes files only through a `write_output` or `download` step."""
    priced = _priced_commands(spec)
    for ci, command in enumerate(spec.commands):
        writes = any(step.kind in ("write_output", "download") for step in command.steps)
        for ei, example in enumerate(command.examples):
            expect = example.expect
            if expect is None:
                continue
            base: PathKey = ("commands", ci, "examples", ei, "expect")
            if expect.sends:
                fields = _example_fields(spec, command, example.argv)
                for i, name in enumerate(expect.sends):
                    if fields is not None and name not in fields:
                        shown = ", ".join(sorted(fields)) or "no fields"
                        yield Finding(
                            base + ("sends", i),
                            f"the example's request has no field {name!r} (it sends {shown})",
                            "name a field a flag or argument of this example fills",
                        )
            if expect.spends and command.path not in priced:
                yield Finding(
                    base + ("spends",),
                    f"'{command.path}' has no price in credits.costs, so the example cannot spend {expect.spends}",
                    "write `spends: 0`, or price the command",
                )
            targets = _example_targets(spec, command, example.argv) if writes else None
            for i, path in enumerate(expect.files):
                if not writes:
                    yield Finding(
                        base + ("files", i),
                        f"'{command.path}' writes no file (it has no `write_output` or `download` step)",
                    )
                elif path.startswith(("/", "\\", "~")) or ".." in re.split(r"[/\\]", path):
                    yield Finding(
                        base + ("files", i),
                        f"{path!r} is not inside the working folder",
                        "give the path relative to the folder the example runs in",
                    )
                elif targets is not None and posixpath.normpath(path) not in targets:
                    named = ", ".join(sorted(targets)) or "none"
                    yield Finding(
                        base + ("files", i),
                        f"the example does not name {path!r} as a file to write (it names {named})",
                        "promise the file its output flag names",
                    )


# Keys the bundled thin client itself writes into ``error.recovery`` (kept equal to
# what skillpress/client emits by tests/test_documented_fields.py).
CLIENT_RECOVERY_KEYS = frozenset({"docs_url", "flag", "hint", "retry_after_seconds", "suggested_command"})
_CLIENT_ERROR_KEYS = frozenset({"code", "message", "retryable", "recovery"})
_IDENT = r"[A-Za-z_][A-Za-z0-9_]*"
_FIELD_PATH = re.compile(rf"(?:error|data|recovery)(?:\.{_IDENT}(?:\[\])?)+")
_CODE_SPAN = re.compile(r"(`+)(.+?)\1(?P<children>\s*\((?:\s*`[A-Za-z_][A-Za-z0-9_]*`\s*(?:,|\bor\b|\band\b)?)+\))?")
# A bare (unquoted) path: not part of a URL, a host name, a file name or a longer word.
_BARE_PATH = re.compile(rf"(?<![\w./@:-])(?:error|data|recovery)(?:\.{_IDENT})+(?![\w/-]|\.\w)")


def _data_paths(value: object, prefix: str, into: set[str]) -> None:
    """Every dotted path in an example value (list items under the list's name)."""
    if isinstance(value, dict):
        for key, item in value.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            into.add(path)
            _data_paths(item, path, into)
    elif isinstance(value, list):
        for item in value:
            _data_paths(item, prefix, into)


def _emitted_paths(spec: Spec) -> tuple[set[str], set[str]]:
    """(paths anything emits, paths the client's own errors carry), ``a.b`` without ``[]``."""
    known: set[str] = set()
    for envelope in (spec.envelopes.success, spec.envelopes.error):
        known |= {f.name.replace("[]", "") for f in envelope.fields}
        _data_paths(envelope.example, "", known)
    # An envelope reply holds an endpoint's response under `data`; a plain reply is the
    # response itself (or sits at the declared `replies.data` path).
    prefix = "data"
    if spec.protocol is not None and spec.protocol.replies.style == "plain":
        prefix = spec.protocol.replies.data or ""
    lead = prefix + "." if prefix else ""
    for endpoint in spec.endpoints:
        known |= {lead + f.name.replace("[]", "") for f in endpoint.response.fields}
        if endpoint.response.example:
            _data_paths(endpoint.response.example, prefix, known)
    client = (
        {"error"} | {f"error.{k}" for k in _CLIENT_ERROR_KEYS} | {f"error.recovery.{k}" for k in CLIENT_RECOVERY_KEYS}
    )
    known |= client
    # a known path makes its parents known too (``data.page`` for ``data.page.cursor``)
    for path in list(known):
        parts = path.split(".")
        known |= {".".join(parts[:n]) for n in range(1, len(parts))}
    return known, client


def _mentioned_paths(text: str, known: set[str]) -> Iterator[str]:
    """Field paths that ``text`` names: code spans (with a ``(`a`, `b`)`` list of their
    children) and bare paths whose first two parts name a known field."""
    masked = list(text)
    for span in _CODE_SPAN.finditer(text):
        masked[span.start() : span.end()] = " " * (span.end() - span.start())
        content = span.group(2).strip()
        if not _FIELD_PATH.fullmatch(content):
            continue
        path = content.replace("[]", "")
        yield path
        if span.group("children"):
            yield from (
                f"{path}.{child}" for child in re.findall(r"`([A-Za-z_][A-Za-z0-9_]*)`", span.group("children"))
            )
    for bare in _BARE_PATH.finditer("".join(masked)):
        path = _absolute(bare.group())
        if ".".join(path.split(".")[:2]) in known:
            yield bare.group()


def _absolute(path: str) -> str:
    return "error." + path if path.startswith("recovery.") else path


_DATA_KEYS = frozenset({"example", "argv", "stdin"})  # examples hold data, not prose
_MENTION = re.compile(r"error|data|recovery")


@rule("documented-fields")
def documented_fields(spec: Spec) -> Iterator[Finding]:
    """A response or error field the prose tells agents to read is one something emits.

    Paths rooted at ``error.``, ``data.`` or ``recovery.`` (short for
    ``error.recovery.``) count when written as code (`` `error.recovery.flag` ``, and
    `` `error.recovery` (`flag`, `docs_url`) `` names two children) or bare when their
    first two parts name a known field. They must resolve in the envelopes' fields or
    examples, an endpoint's response fields or example, or what the client itself
    writes; in the text of an error the client raises (``source: client``), an
    ``error.recovery`` key must be one the client writes.
    """
    known, client = _emitted_paths(spec)
    client_errors = {i for i, e in enumerate(spec.error_codes) if e.source == "client"}
    # A command with no endpoint prints data its client behaviour builds, and the spec
    # has no field list for that: its `data.` paths cannot be checked.
    local = {i for i, c in enumerate(spec.commands) if c.endpoint is None}
    for where, is_key, text in SpecStrings.of(spec).matching(_MENTION):
        if is_key or _DATA_KEYS.intersection(k for k in where if isinstance(k, str)):
            continue
        by_client = len(where) > 1 and where[0] == "error_codes" and where[1] in client_errors
        in_local = len(where) > 1 and where[0] == "commands" and where[1] in local
        for mentioned in dict.fromkeys(_mentioned_paths(text, known)):
            path = _absolute(mentioned.replace("[]", ""))
            if in_local and path.startswith("data."):
                continue
            if by_client and path.startswith("error.recovery.") and path not in client:
                yield Finding(
                    where,
                    f"{mentioned} is not written by the client, which raises this error; "
                    f"its recovery keys are {', '.join(sorted(CLIENT_RECOVERY_KEYS))}",
                    _suggest(path.rsplit(".", 1)[-1], CLIENT_RECOVERY_KEYS),
                )
            elif path not in known:
                yield Finding(
                    where,
                    f"{mentioned} is not a field of any envelope, endpoint response or client error",
                    _suggest(path, known) or "declare it in the endpoint's response fields or the envelope's fields",
                )


# --------------------------------------------------------------------------- secrets

# Well-known credential shapes: (what it is, pattern). ``head`` is the recognisable
# prefix (shown in the finding), ``body`` the key material (never shown beyond a few
# characters). A shape must not start inside a longer word.
_START = r"(?<![A-Za-z0-9])"
SECRET_SHAPES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern))
    for name, pattern in (
        ("Stripe secret key", _START + r"(?P<head>[sr]k_(?:live|test)_)(?P<body>[A-Za-z0-9]{16,})"),
        ("Stripe webhook signing secret", _START + r"(?P<head>whsec_)(?P<body>[A-Za-z0-9+/=]{16,})"),
        ("Anthropic API key", _START + r"(?P<head>sk-ant-)(?P<body>[A-Za-z0-9_-]{20,})"),
        ("OpenAI API key", _START + r"(?P<head>sk-(?:proj|svcacct|admin)-)(?P<body>[A-Za-z0-9_-]{20,})"),
        ("OpenAI API key", _START + r"(?P<head>sk-)(?P<body>[A-Za-z0-9]{32,})"),
        ("Google API key", _START + r"(?P<head>AIza)(?P<body>[0-9A-Za-z_-]{35})(?![0-9A-Za-z_-])"),
        ("GitHub token", _START + r"(?P<head>github_pat_)(?P<body>[A-Za-z0-9_]{22,})"),
        ("GitHub token", _START + r"(?P<head>gh[opsu]_|ghr_)(?P<body>[A-Za-z0-9]{30,})"),
        ("Slack token", _START + r"(?P<head>xox[abprs]-)(?P<body>[A-Za-z0-9-]{10,})"),
        ("AWS access key id", _START + r"(?P<head>AKIA|ASIA)(?P<body>[A-Z0-9]{16})(?![A-Za-z0-9])"),
        ("private key", r"(?P<head>-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----)(?P<body>[A-Za-z0-9+/=\s]{40,})"),
        (
            "JSON Web Token",
            _START + r"(?P<head>eyJ)(?P<body>[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,})",
        ),
    )
)
# Material that says it is not real. Words are matched case-insensitively but are five
# letters or more (a real key holds a given one by chance with odds below one in a
# million); YOUR and FAKE count only in capitals.
_PLACEHOLDER_WORDS = re.compile(r"(?i:example|placeholder|redacted|dummy|sample|changeme|x{8,})|YOUR|FAKE")


def _placeholder(body: str) -> bool:
    """Obviously not a real secret: a placeholder word, or a few characters repeated."""
    material = re.sub(r"[^A-Za-z0-9]", "", body)
    return bool(_PLACEHOLDER_WORDS.search(body)) or len(set(material.lower())) <= 4


# Any of the shapes' prefixes: one search rules out almost every string at once.
_SECRET_HEADS = r"(?<![A-Za-z0-9])(?:[sr]k_|whsec_|sk-|AIza|github_pat_|gh[opsur]_|xox|AKIA|ASIA|eyJ)|-----BEGIN "


def _secret_shapes(spec: Spec) -> tuple[re.Pattern[str], list[tuple[str, re.Pattern[str]]]]:
    shapes = list(SECRET_SHAPES)
    heads = _SECRET_HEADS
    prefix = spec.client.token_prefix if spec.client else None
    if prefix:
        token = r"(?<![A-Za-z0-9])(?P<head>" + re.escape(prefix) + r")(?P<body>[A-Za-z0-9_-]{16,})"
        shapes.append((f"{spec.product.name} token", re.compile(token)))
        heads += "|" + re.escape(prefix)
    return re.compile(heads), shapes


def find_secret(
    text: str, shapes: list[tuple[str, re.Pattern[str]]], heads: re.Pattern[str] | None = None
) -> tuple[str, re.Match[str]] | None:
    """The first real-looking secret in ``text`` (leftmost), as (what it is, match)."""
    if heads is not None and heads.search(text) is None:
        return None
    best: tuple[str, re.Match[str]] | None = None
    for name, pattern in shapes:
        for match in pattern.finditer(text):
            body = match.group("body")
            if name == "private key" and len(re.sub(r"\s", "", body)) < 40:
                continue
            if _placeholder(body):
                continue
            if best is None or match.start() < best[1].start():
                best = (name, match)
            break
    return best


def _masked(name: str, match: re.Match[str]) -> str:
    """Enough to find the value, never enough to use it."""
    if name == "private key":
        return match.group("head")
    body = match.group("body")
    return f"{match.group('head')}{body[:4]}... ({len(match.group(0))} characters)"


@rule("no-secrets")
def no_secrets(spec: Spec) -> Iterator[Finding]:
    """No string anywhere in the spec holds a real-looking secret.

    Every value is published somewhere (examples, response and envelope examples,
    install snippets, first-run steps, flag defaults, prose), so the whole spec is
    walked rather than a list of places that new fields would slip past.
    """
    heads, shapes = _secret_shapes(spec)
    for path, is_key, text in SpecStrings.of(spec).matching(heads):
        found = find_secret(text, shapes) if path != ("client", "token_prefix") else None
        if found is None:
            continue
        name, match = found
        where = f" at character {match.start() + 1}" if match.start() else ""
        yield Finding(
            path,
            f"this looks like a real {name}{where}: {_masked(name, match)}",
            f"replace it with a placeholder such as {match.group('head')}... or "
            f"{match.group('head')}EXAMPLE; if it was ever real, revoke it",
            on_key=is_key,
        )


# --------------------------------------------------------------------------- text


_LAST_WALK: list[tuple[Spec, list[SpecString]]] = []


def _strings(spec: Spec) -> list[SpecString]:
    """Every string of ``spec``; both text rules read the same walk (kept for the last spec)."""
    if not (_LAST_WALK and _LAST_WALK[0][0] is spec):
        _LAST_WALK[:] = [(spec, list(iter_strings(spec)))]
    return _LAST_WALK[0][1]


@rule("text-chars")
def text_chars(spec: Spec) -> Iterator[Finding]:
    """No spec string holds control or bidirectional override characters.

    The YAML reader already refuses most control characters written as they are; these
    arrive through escapes (``"\\e"``, ``"\\u202e"``) or are characters YAML allows (U+0085,
    the bidi controls). Line feeds and tabs are fine in markdown, code and example data.
    """
    for path, value, kind, key in _strings(spec):
        found = bad_character(value, kind)
        if found is None:
            continue
        index, what = found
        where = "this key" if key else "this value"
        yield Finding(
            path,
            f"{what} at character {index + 1} of {where}",
            "bidirectional controls make text read differently from what it is; remove them"
            if "bidirectional" in what
            else "write one line here; use a markdown field for longer text"
            if what.startswith(("line break", "tab"))
            else "remove it; control characters reach terminals and pages as they are",
            on_key=key,
        )


@rule("markdown-safe")
def markdown_safe(spec: Spec) -> Iterator[Finding]:
    """Markdown fields hold no script: no <script>-like elements, event handlers or
    javascript:/vbscript:/data: link targets."""
    for path, value, kind, _ in _strings(spec):
        if kind not in (TextKind.markdown, TextKind.inline):
            continue
        found = unsafe_markdown(value)
        if found is not None:
            index, problem, hint = found
            yield Finding(path, f"{problem} at character {index + 1}", hint)


TODO_MARK = re.compile(r"\bTODO\b")


@rule("todo")
def todo_markers(spec: Spec) -> Iterator[Finding]:
    """A value still marked ``TODO`` is a warning: something a person has to write.

    ``skillpress import`` leaves these where a fact could not be inferred; the spec is
    valid with them, but the documents built from it would show the marker.
    """
    for path, value, _, key in _strings(spec):
        if key:
            continue
        found = TODO_MARK.search(value)
        if found is None:
            continue
        text = " ".join((value if len(value) <= 160 else value[found.start() :]).split())
        yield Finding(
            path,
            f"left for a person: {text[:160]}{'...' if len(text) > 160 else ''}",
            "write the real value, then remove the TODO marker",
            severity=Severity.WARNING,
        )


# --------------------------------------------------------------------------- the contract as data
#
# Rules over `protocol:`, routes, steps and the flag attributes the client acts on.
# Paths name the keys an author writes (`print`, `from`), not the model's attribute names.

_BASE_DIR: ContextVar[Path | None] = ContextVar("skillpress_spec_base_dir", default=None)
_CONTRACT_CACHE: dict[int, tuple[Spec, dict[str, Any]]] = {}

REPLY_PATH = re.compile(r"^[A-Za-z0-9_$-]+(?:\.[A-Za-z0-9_$-]+)*$")
STATUS_KEY = re.compile(r"^[1-5](?:\d\d|xx)$")


def _contract(spec: Spec) -> dict[str, Any]:
    """The compiled contract of ``spec`` (compiled once per spec object)."""
    cached = _CONTRACT_CACHE.get(id(spec))
    if cached is not None and cached[0] is spec:
        return cached[1]
    from skillpress.contract.compile import compile_contract

    contract = compile_contract(spec)
    _CONTRACT_CACHE.clear()
    _CONTRACT_CACHE[id(spec)] = (spec, contract)
    return contract


def _step_and_route_endpoints(command: Command) -> list[str]:
    found = [r.endpoint for r in command.routes]
    for step in command.steps:
        endpoint = getattr(step.params, "endpoint", None)
        if endpoint:
            found.append(endpoint)
    return found


def _compile_error(pattern: str) -> str | None:
    try:
        re.compile(pattern)
    except re.error as exc:
        return str(exc)
    except (RecursionError, OverflowError):
        return "too complex"
    return None


def _flag_named(spec: Spec, command: Command, name: str) -> Flag | None:
    found = command.flag(name)
    if found is not None:
        return found
    for flag in spec.global_flags:
        if name in flag.all_names:
            return flag
    return None


def _argument_named(command: Command, name: str) -> Argument | None:
    for argument in command.arguments:
        if argument.name == name:
            return argument
    return None


def _route_endpoint_fields(spec: Spec, command: Command) -> dict[str, set[str]]:
    """Endpoint id -> its request field names, for every endpoint the command may call."""
    out: dict[str, set[str]] = {}
    ids = [r.endpoint for r in command.routes] or ([command.endpoint] if command.endpoint else [])
    for endpoint_id in ids:
        endpoint = spec.endpoints_by_id.get(endpoint_id)
        if endpoint is not None:
            out[endpoint_id] = _fields_of(endpoint_id, spec)
    return out


def _fields_of(endpoint_id: str, spec: Spec) -> set[str]:
    endpoint = spec.endpoints_by_id.get(endpoint_id)
    if endpoint is None:
        return set()
    return (
        {f.name for f in endpoint.body + endpoint.query + endpoint.path_params}
        | set(endpoint.template_params)
        | {h.name for h in endpoint.headers}
    )


def _step_key(step: Any) -> str:
    """The key the author wrote for a step (its kind)."""
    return str(step.kind)


SWITCH_PARAMS = {
    ("poll", "when"),
    ("download", "overwrite"),
    ("save_credential", "when"),
    ("save_credential", "reveal"),
    ("print", "when"),
    ("print", "unless"),
    ("write_output", "overwrite"),
    ("help", "skill_flag"),
}


def _step_flags(step: Any) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """(path below the step, flag name) for every flag a step names."""
    kind = step.kind
    params = step.params
    for key in STEP_FLAG_KEYS.get(kind, ()):
        value = getattr(params, key)
        if value:
            yield (kind, key), value
    if kind == "poll":
        for key in ("interval", "timeout"):
            duration = getattr(params, key)
            if duration is not None and duration.flag:
                yield (kind, key, "flag"), duration.flag


def _step_inputs(step: Any) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """(path below the step, flag or argument name) for the inputs a step reads by name."""
    kind = step.kind
    if kind == "upload":
        for i, name in enumerate(step.params.values):
            yield (kind, "values", i), name
    elif kind == "hook":
        for i, name in enumerate(step.params.reads):
            yield (kind, "reads", i), name


@rule("route-refs")
def route_refs(spec: Spec) -> Iterator[Finding]:
    """Routes name real endpoints, flags, arguments and fields, and every invocation has one."""
    for ci, command in enumerate(spec.commands):
        if not command.routes:
            continue
        base: PathKey = ("commands", ci)
        if command.endpoint:
            yield Finding(base + ("endpoint",), "give `endpoint` or `routes`, not both", "move it into a last route")
        last = len(command.routes) - 1
        for ri, route in enumerate(command.routes):
            rbase = base + ("routes", ri)
            if route.endpoint not in spec.endpoints_by_id:
                yield Finding(
                    rbase + ("endpoint",),
                    f"endpoint {route.endpoint!r} is not defined",
                    _suggest(route.endpoint, spec.endpoints_by_id),
                )
            when = route.when
            if when is None and ri != last:
                yield Finding(rbase, "only the last route may leave out `when`: the routes after it are never chosen")
            if when is not None and ri == last:
                yield Finding(
                    rbase + ("when",),
                    "the last route must have no `when`, so that every invocation has an endpoint",
                    "add a last route without `when`",
                )
            if when is not None:
                if when.flag and _flag_named(spec, command, when.flag) is None:
                    yield Finding(rbase + ("when", "flag"), f"flag {when.flag} is not a flag of '{command.path}'")
                if when.argument and _argument_named(command, when.argument) is None:
                    yield Finding(
                        rbase + ("when", "argument"),
                        f"argument {when.argument} is not an argument of '{command.path}'",
                        _suggest(when.argument, [a.name for a in command.arguments]),
                    )
                if when.matches is not None and (problem := _compile_error(when.matches)):
                    yield Finding(rbase + ("when", "matches"), f"not a valid regular expression: {problem}")
            fields = _fields_of(route.endpoint, spec)
            for name, field in route.fields.items():
                known = _flag_named(spec, command, name) if name.startswith("--") else _argument_named(command, name)
                if known is None:
                    yield Finding(
                        rbase + ("fields", name), f"{name} is not a flag or argument of '{command.path}'", on_key=True
                    )
                if route.endpoint in spec.endpoints_by_id and field not in fields:
                    yield Finding(
                        rbase + ("fields", name),
                        f"field {field!r} is not a request field of endpoint {route.endpoint!r}",
                        _suggest(field, fields),
                    )
        # each input's own `field` must belong to at least one route's endpoint
        all_fields = set().union(*_route_endpoint_fields(spec, command).values()) if command.routes else set()
        inputs = [(f.field, base + ("flags", fi, "field")) for fi, f in enumerate(command.flags) if not f.local]
        inputs += [(a.field, base + ("arguments", ai, "field")) for ai, a in enumerate(command.arguments)]
        for input_field, path in inputs:
            if input_field and all_fields and input_field not in all_fields:
                yield Finding(
                    path,
                    f"field {input_field!r} is not a request field of any endpoint '{command.path}' routes to",
                    _suggest(input_field, all_fields),
                )


@rule("step-refs")
def step_refs(spec: Spec) -> Iterator[Finding]:
    """Steps name real endpoints, flags, arguments and fields, and fit the command."""
    for ci, command in enumerate(spec.commands):
        if not command.steps:
            continue
        base: PathKey = ("commands", ci)
        calls = bool(command.routes or command.endpoint)
        route_fields = set().union(*_route_endpoint_fields(spec, command).values()) if calls else set()
        route_ids = {r.endpoint for r in command.routes} | ({command.endpoint} if command.endpoint else set())
        local = [i for i, step in enumerate(command.steps) if step.kind in ("credential", "status", "help", "version")]
        for i in local[1:]:
            yield Finding(
                base + ("steps", i), "a command has at most one local step (credential, status, help, version)"
            )
        seen: dict[str, int] = {}
        for si, step in enumerate(command.steps):
            sbase = base + ("steps", si)
            kind = step.kind
            params: Any = step.params
            if kind in ("print", "write_output", "download", "save_credential") and kind in seen:
                yield Finding(sbase, f"'{command.path}' already has a {kind} step (steps[{seen[kind]}])")
            seen.setdefault(kind, si)
            endpoint = getattr(params, "endpoint", None)
            if endpoint and endpoint not in spec.endpoints_by_id:
                yield Finding(
                    sbase + (kind, "endpoint"),
                    f"endpoint {endpoint!r} is not defined",
                    _suggest(endpoint, spec.endpoints_by_id),
                )
            if kind in ("poll", "download", "save_credential", "copy", "print", "write_output") and not calls:
                yield Finding(sbase, f"a {kind} step reads the reply, but '{command.path}' calls no endpoint")
            for path, name in _step_flags(step):
                flag = _flag_named(spec, command, name)
                if flag is None:
                    yield Finding(sbase + path, f"flag {name} is not a flag of '{command.path}'")
                elif (kind, path[1]) in SWITCH_PARAMS and flag.type is not ValueType.boolean:
                    yield Finding(sbase + path, f"{name} must be a switch (type boolean) to be used here")
                elif path[1] in ("interval", "timeout") and flag.type not in (ValueType.integer, ValueType.number):
                    yield Finding(sbase + path, f"{name} gives a duration, so it must be an integer or number flag")
                elif (kind, path[1]) in (("download", "to"), ("write_output", "flag")) and flag.type not in (
                    ValueType.path,
                    ValueType.string,
                ):
                    yield Finding(sbase + path, f"{name} names a file, so it must be a path flag")
            for path, name in _step_inputs(step):
                known = _flag_named(spec, command, name) if name.startswith("--") else _argument_named(command, name)
                if known is None:
                    yield Finding(sbase + path, f"{name} is not a flag or argument of '{command.path}'")
            if kind == "upload":
                if params.skip_if and (problem := _compile_error(params.skip_if)):
                    yield Finding(sbase + (kind, "skip_if"), f"not a valid regular expression: {problem}")
                if params.endpoint in spec.endpoints_by_id:
                    fields = _fields_of(params.endpoint, spec)
                    for name in params.body:
                        if name not in fields:
                            yield Finding(
                                sbase + (kind, "body", name),
                                f"field {name!r} is not a request field of endpoint {params.endpoint!r}",
                                on_key=True,
                            )
            if kind == "poll" and params.endpoint not in route_ids:
                if params.id is None:
                    yield Finding(
                        sbase + (kind,),
                        f"polling {params.endpoint!r}, which '{command.path}' does not call, needs `id`: "
                        "the path of the job id in the first reply",
                    )
                endpoint_model = spec.endpoints_by_id.get(params.endpoint)
                if endpoint_model is not None and len(endpoint_model.template_params) != 1:
                    yield Finding(
                        sbase + (kind, "endpoint"),
                        f"endpoint {params.endpoint!r} needs exactly one path parameter to take the job id",
                    )
            if kind == "write_output" and params.replace and params.overwrite:
                yield Finding(
                    sbase + (kind, "overwrite"),
                    "`replace: true` already replaces an existing file, so the overwrite flag would do nothing",
                    "give `replace` or `overwrite`, not both",
                )
            if kind == "print" and params.when and params.unless and params.when == params.unless:
                yield Finding(
                    sbase + (kind, "unless"),
                    f"`when` and `unless` both name {params.when}, so the field is never printed",
                )
            if kind == "save_credential" and params.request_field and params.request_field not in route_fields:
                yield Finding(
                    sbase + (kind, "request_field"),
                    f"field {params.request_field!r} is not a request field of the command's endpoint",
                )
            if kind == "hook":
                for wi, name in enumerate(params.writes):
                    if route_fields and name not in route_fields:
                        yield Finding(
                            sbase + (kind, "writes", wi),
                            f"field {name!r} is not a request field of the command's endpoint",
                            _suggest(name, route_fields),
                        )


def _reply_paths(spec: Spec) -> Iterator[tuple[PathKey, str, bool]]:
    """(where, path, may be empty) for every reply path of the spec."""
    if spec.protocol is not None:
        replies = spec.protocol.replies
        for key in ("ok", "data", "error_code", "error_message", "retryable", "recovery", "trace_id"):
            value = getattr(replies, key)
            if value is not None:
                yield ("protocol", "replies", key), value, key == "data"
    for ci, command in enumerate(spec.commands):
        for si, step in enumerate(command.steps):
            base: PathKey = ("commands", ci, "steps", si, step.kind)
            params: Any = step.params
            kind = step.kind
            if kind == "upload":
                yield base + ("id",), params.id, False
            elif kind == "poll":
                if params.id is not None:
                    yield base + ("id",), params.id, False
                yield base + ("status",), params.status, False
            elif kind == "download":
                for key in ("url", "name", "type", "size", "sha256"):
                    if getattr(params, key) is not None:
                        yield base + (key,), getattr(params, key), False
            elif kind == "save_credential":
                yield base + ("from",), params.from_, False
                if params.report is not None:
                    yield base + ("report",), params.report, True
            elif kind == "copy":
                for i, path in enumerate(params.from_):
                    yield base + ("from", i), path, False
                for i, path in enumerate(params.in_):
                    yield base + ("in", i), path, True
            elif kind == "print":
                yield base + ("field",), params.field, True


@rule("reply-paths")
def reply_paths(spec: Spec) -> Iterator[Finding]:
    """Reply paths are dotted names (``error.code``, ``items.0.url``)."""
    for where, path, may_be_empty in _reply_paths(spec):
        if path == "" and may_be_empty:
            continue
        if not REPLY_PATH.match(path):
            yield Finding(
                where,
                f"{path!r} is not a reply path",
                "write dotted names such as error.code; a part made of digits indexes a list"
                + ("" if not may_be_empty else '; "" means the whole value'),
            )


@rule("protocol-refs")
def protocol_refs(spec: Spec) -> Iterator[Finding]:
    """The protocol names real global flags, error codes and commands, and is complete."""
    protocol = spec.protocol
    if protocol is None:
        return
    base: PathKey = ("protocol",)
    globals_ = {name: flag for flag in spec.global_flags for name in flag.all_names}

    def global_flag(path: PathKey, name: str, want: str) -> Iterator[Finding]:
        flag = globals_.get(name)
        if flag is None:
            yield Finding(
                path, f"{name} is not a global flag", "declare it under global_flags: every command accepts it"
            )
        elif want == "switch" and flag.type is not ValueType.boolean:
            yield Finding(path, f"{name} must be a switch (type boolean)")
        elif want == "value" and flag.type is ValueType.boolean:
            yield Finding(path, f"{name} must take a value")
        elif want == "secret" and (flag.type is ValueType.boolean or not flag.secret):
            yield Finding(path, f"{name} carries a credential: it must take a value and be `secret: true`")

    if protocol.base_url.flag:
        yield from global_flag(base + ("base_url", "flag"), protocol.base_url.flag, "value")
    if protocol.output.json_flag:
        yield from global_flag(base + ("output", "json_flag"), protocol.output.json_flag, "switch")
    if protocol.output.pretty_flag:
        yield from global_flag(base + ("output", "pretty_flag"), protocol.output.pretty_flag, "switch")
    default = protocol.base_url.default
    if default is not None and not re.match(r"^https?://[A-Za-z0-9.\[\]:-]+(?::\d+)?/?$", default):
        yield Finding(base + ("base_url", "default"), f"{default!r} is not a base URL such as https://api.example.com")
    credential = protocol.credential
    if credential is not None:
        cbase = base + ("credential",)
        if credential.scheme in ("header", "query") and not credential.name:
            yield Finding(cbase + ("scheme",), f"a {credential.scheme} credential needs `name`")
        if credential.shape and (problem := _compile_error(credential.shape)):
            yield Finding(cbase + ("shape",), f"not a valid regular expression: {problem}")
        for i, source in enumerate(credential.sources):
            where = cbase + ("sources", i, source.kind)
            if source.kind == "stdin":
                yield from global_flag(where, source.name, "switch")
            elif source.kind == "flag":
                yield from global_flag(where, source.name, "secret")
            elif source.kind == "config" and protocol.config is None:
                yield Finding(where, "a config source needs a `protocol.config` file")
    for ci, command in enumerate(spec.commands):
        if command.auth.value != "none" and credential is None:
            yield Finding(
                ("commands", ci, "auth"),
                f"'{command.path}' uses a credential, but `protocol.credential` declares none",
            )
    for status, code in protocol.replies.statuses.items():
        where = base + ("replies", "statuses", status)
        if not STATUS_KEY.match(status):
            yield Finding(where, f"{status!r} is not an HTTP status such as 401 or a class such as 5xx", on_key=True)
        if code not in spec.error_codes_by_code:
            yield Finding(where, f"error code {code!r} is not defined", _suggest(code, spec.error_codes_by_code))
    for situation, code in protocol.errors.model_dump().items():
        if code is not None and code not in spec.error_codes_by_code:
            yield Finding(
                base + ("errors", situation),
                f"error code {code!r} is not defined in error_codes",
                _suggest(code, spec.error_codes_by_code),
            )
    if protocol.default_command and protocol.default_command.command not in spec.commands_by_path:
        yield Finding(
            base + ("default_command", "command"),
            f"command '{protocol.default_command.command}' is not defined",
            _suggest(protocol.default_command.command, spec.commands_by_path),
        )
    if protocol.hooks is not None:
        parts = protocol.hooks.replace("\\", "/").split("/")
        if ".." in parts:
            yield Finding(base + ("hooks",), "the hooks folder must lie inside the spec's folder (no '..')")


def needed_situations(spec: Spec) -> dict[str, str]:
    """Situation -> why the client of ``spec`` can meet it."""
    needed = {
        "usage": "any invocation can be wrong",
        "unknown_command": "any first word can be unknown",
        "network": "any request can fail to connect",
        "timeout": "any request can time out",
        "bad_reply": "any reply can be unreadable",
        "internal": "the client needs a code for failures nothing else names",
    }
    protocol = spec.protocol
    credential = protocol.credential if protocol else None
    if credential is not None and any(c.auth.value == "required" for c in spec.commands):
        needed["credential_missing"] = "a command requires a credential"
    if credential is not None:
        if any(s.kind == "config" for s in credential.sources):
            needed["base_refused"] = "a saved credential is bound to its base"
        elif credential.send_to == "declared":
            needed["base_refused"] = "credentials go only to the declared base"
    kinds = {step.kind: step for command in spec.commands for step in command.steps}
    actions = {
        getattr(step.params, "action", None) for c in spec.commands for step in c.steps if step.kind == "credential"
    }
    reads = any(f.read for _, f in _all_flags(spec))
    if reads or "upload" in kinds or "write_output" in kinds:
        needed["local_file"] = "a flag reads a file or a step reads or writes one"
    if "download" in kinds:
        needed["output_exists"] = "a download step refuses to replace a file"
        needed["download_failed"] = "a download step can fail"
        needed["integrity"] = "a download step checks size and digest"
    elif any(
        step.kind == "write_output" and not getattr(step.params, "replace", False)
        for command in spec.commands
        for step in command.steps
    ):
        needed["output_exists"] = "a write_output step refuses to replace a file"
    if "save_credential" in kinds or actions & {"save", "forget"}:
        needed["config_write"] = "a step writes the config file"
    return needed


@rule("protocol-errors")
def protocol_errors(spec: Spec) -> Iterator[Finding]:
    """Every situation the client can meet maps to a defined error code (so to an exit code)."""
    protocol = spec.protocol
    if protocol is None:
        return
    for situation, why in needed_situations(spec).items():
        if getattr(protocol.errors, situation) is None:
            yield Finding(
                ("protocol", "errors"),
                f"the client needs an error code for `{situation}` ({why})",
                f"set protocol.errors.{situation} to one of the error_codes",
            )


def _consumers(spec: Spec, command: Command) -> set[str]:
    """Names (flags, arguments) something acts on, for one command.

    Faithful to the client runtime (``contract.requests``): a field is sent only when an
    endpoint the command calls has it, a local flag never fills one, and a switch's
    ``sets`` sends only the fields the endpoint has.
    """
    used: set[str] = set()
    calls = bool(command.routes or command.endpoint)
    sent = set().union(*_route_endpoint_fields(spec, command).values()) if calls else set()
    for flag in command.flags:
        if (flag.field and not flag.local and flag.field in sent) or any(k in sent for k in flag.sets):
            used.add(flag.name)
    for argument in command.arguments:
        if argument.field and argument.field in sent:
            used.add(argument.name)
    for route in command.routes:
        route_fields = _fields_of(route.endpoint, spec)
        used |= {name for name, field in route.fields.items() if field in route_fields}
        if route.when is not None:
            used |= {n for n in (route.when.flag, route.when.argument) if n}
    for step in command.steps:
        used |= {name for _, name in _step_flags(step)}
        used |= {name for _, name in _step_inputs(step)}
    # a flag that stands for an argument is used when the argument is
    for argument in command.arguments:
        if argument.flag and argument.name in used:
            used.add(argument.flag)
    canonical = set()
    for name in used:
        named = _flag_named(spec, command, name)
        canonical.add(named.name if named is not None else name)
    return canonical


def _protocol_flags(spec: Spec) -> set[str]:
    protocol = spec.protocol
    if protocol is None:
        return set()
    names = {protocol.base_url.flag, protocol.output.json_flag, protocol.output.pretty_flag}
    if protocol.credential is not None:
        names |= {s.name for s in protocol.credential.sources if s.kind in ("stdin", "flag")}
    canonical = {name: flag.name for flag in spec.global_flags for name in flag.all_names}
    return {canonical.get(n, n) for n in names if n}


@rule("flag-consumed")
def flag_consumed(spec: Spec) -> Iterator[Finding]:
    """Every flag and argument is acted on: a request field, a step, a route, a protocol role or a hook."""
    checked = [(ci, c) for ci, c in enumerate(spec.commands) if spec.protocol is not None or c.steps or c.routes]
    protocol_flags = _protocol_flags(spec)
    used_anywhere: set[str] = set(protocol_flags)
    for command in spec.commands:
        used_anywhere |= _consumers(spec, command)
    hint = "send it (`field`, `sets`), name it in a step, a route or a hook's `reads`, or remove it"
    for ci, command in checked:
        used = _consumers(spec, command) | protocol_flags
        for fi, flag in enumerate(command.flags):
            if flag.name not in used:
                yield Finding(
                    ("commands", ci, "flags", fi, "name"), f"nothing in '{command.path}' acts on {flag.name}", hint
                )
        for ai, argument in enumerate(command.arguments):
            if argument.name not in used:
                yield Finding(
                    ("commands", ci, "arguments", ai, "name"),
                    f"nothing in '{command.path}' acts on {argument.name}",
                    hint,
                )
    if spec.protocol is not None:
        endpoint_fields = {
            f.name for endpoint in spec.endpoints for f in (*endpoint.path_params, *endpoint.query, *endpoint.body)
        }
        endpoint_fields |= {h.name for endpoint in spec.endpoints for h in endpoint.headers}
        endpoint_fields |= {p for endpoint in spec.endpoints for p in endpoint.template_params}
        for fi, flag in enumerate(spec.global_flags):
            # a global flag that fills a field is sent wherever an endpoint has that field
            sends = [flag.field] if flag.field and not flag.local else list(flag.sets)
            if any(name.split(".")[0] in endpoint_fields or name in endpoint_fields for name in sends):
                continue
            if flag.name not in used_anywhere:
                yield Finding(
                    ("global_flags", fi, "name"),
                    f"nothing acts on the global flag {flag.name}",
                    "give it a protocol role (base_url.flag, output.json_flag, output.pretty_flag, a credential "
                    "source) or use it in a step",
                )


def _hook_file(root: Path, module: str) -> Path | None:
    base = root.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


@rule("hook-resolves")
def hook_resolves(spec: Spec) -> Iterator[Finding]:
    """A hook's module exists in the hooks folder and defines the function (parsed, never imported)."""
    import ast

    base_dir = _BASE_DIR.get()
    folder = spec.protocol.hooks if spec.protocol else None
    for ci, command in enumerate(spec.commands):
        for si, step in enumerate(command.steps):
            if step.kind != "hook":
                continue
            where: PathKey = ("commands", ci, "steps", si, "hook", "call")
            params: Any = step.params
            module, _, function = params.call.partition(":")
            if folder is None:
                yield Finding(where, "a hook step needs `protocol.hooks`: the folder of the product's hooks package")
                continue
            if base_dir is None:
                yield Finding(where, "the hook cannot be checked: the spec was not read from a file")
                continue
            root = (base_dir / folder).resolve()
            if not root.is_dir():
                yield Finding(("protocol", "hooks"), f"hooks folder {folder!r} does not exist next to the spec")
                continue
            path = _hook_file(root, module)
            if path is None:
                yield Finding(
                    where,
                    f"module {module!r} is not in the hooks folder",
                    f"create {folder}/{module.replace('.', '/')}.py",
                )
                continue
            try:
                tree = ast.parse(path.read_bytes(), filename=str(path))
            except (SyntaxError, ValueError, OSError, RecursionError, MemoryError) as exc:
                reason = getattr(exc, "msg", None) or type(exc).__name__
                yield Finding(where, f"module {module!r} could not be parsed: {reason}")
                continue
            functions = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
            if function not in functions:
                yield Finding(
                    where,
                    f"module {module!r} defines no function {function!r} at its top level",
                    _suggest(function, functions),
                )


@rule("short-flags")
def short_flags(spec: Spec) -> Iterator[Finding]:
    """Each one-letter flag names one flag of a command (its own flags and the global ones)."""
    global_shorts = {f.short: fi for fi, f in enumerate(spec.global_flags) if f.short}
    yield from _duplicates(
        [(f.short, ("global_flags", fi, "short")) for fi, f in enumerate(spec.global_flags) if f.short],
        "short flag",
    )
    for ci, command in enumerate(spec.commands):
        items = []
        for fi, flag in enumerate(command.flags):
            if not flag.short:
                continue
            path: PathKey = ("commands", ci, "flags", fi, "short")
            if flag.short in global_shorts:
                yield Finding(path, f"{flag.short} is already the short form of a global flag")
            items.append((flag.short, path))
        yield from _duplicates(items, "short flag")


@rule("variadic-last")
def variadic_last(spec: Spec) -> Iterator[Finding]:
    """A variadic argument is the last argument of its command (so at most one per command)."""
    for ci, command in enumerate(spec.commands):
        last = len(command.arguments) - 1
        for ai, argument in enumerate(command.arguments):
            if argument.variadic and ai != last:
                yield Finding(
                    ("commands", ci, "arguments", ai, "variadic"),
                    f"{argument.name} takes every remaining positional, so it must be the last argument",
                )


@rule("generate-pattern")
def generate_pattern(spec: Spec) -> Iterator[Finding]:
    """A generated value's pattern uses known placeholders only, and at least one."""
    from skillpress.contract.requests import GENERATE_PLACEHOLDERS, PLACEHOLDER

    known = ", ".join("{" + p + "}" for p in GENERATE_PLACEHOLDERS)
    for base, flag in _all_flags(spec):
        if flag.generate is None:
            continue
        where = base + ("generate", "pattern")
        found = PLACEHOLDER.findall(flag.generate.pattern)
        for name in found:
            if name not in GENERATE_PLACEHOLDERS:
                yield Finding(where, f"unknown placeholder {{{name}}}", f"use {known}")
        if not found:
            yield Finding(where, "the pattern has no placeholder, so every value would be the same", f"use {known}")


def _input_attributes(
    spec: Spec, base: PathKey, what: str, kind: ValueType, accepts: Any, transform: list[str]
) -> Iterator[Finding]:
    if accepts is not None:
        if problem := _compile_error(accepts.id):
            yield Finding(base + ("accepts_url", "id"), f"not a valid regular expression: {problem}")
        urls = {name for name in type(spec.product.urls).model_fields if getattr(spec.product.urls, name)}
        for i, host in enumerate(accepts.hosts):
            if host != "base" and host not in urls:
                yield Finding(
                    base + ("accepts_url", "hosts", i),
                    f"{host!r} is not a product URL that is set",
                    _suggest(host, urls | {"base"}),
                )
        if kind not in (ValueType.string, ValueType.url, ValueType.path):
            yield Finding(base + ("accepts_url",), f"{what} must take text to accept a URL")
    if transform and kind is ValueType.boolean:
        yield Finding(base + ("transform",), f"{what} is a switch; a transform does nothing")


@rule("flag-attributes")
def flag_attributes(spec: Spec) -> Iterator[Finding]:
    """Flag and argument attributes fit the flag's type and each other."""
    names_by_command: dict[int, set[str]] = {}
    global_names = {n for f in spec.global_flags for n in f.all_names}
    for ci, command in enumerate(spec.commands):
        names_by_command[ci] = global_names | {n for f in command.flags for n in f.all_names}
    for base, flag in _all_flags(spec):
        kind = flag.type
        index = base[1]
        names = names_by_command[index] if base[0] == "commands" and isinstance(index, int) else global_names
        if flag.negatable:
            if kind is not ValueType.boolean:
                yield Finding(base + ("negatable",), f"only a switch can be negatable; {flag.name} takes a value")
            for name in flag.all_names:
                negated = "--no-" + name[2:]
                if negated in names:
                    yield Finding(base + ("negatable",), f"{negated} is already the name of another flag")
        if flag.sets and kind is not ValueType.boolean:
            yield Finding(base + ("sets",), f"only a switch can set constant fields; {flag.name} takes a value")
        if flag.scale is not None and kind not in (ValueType.integer, ValueType.number):
            yield Finding(
                base + ("scale",), f"only an integer or number flag can be scaled; {flag.name} is {kind.value}"
            )
        if flag.read is not None and kind is not ValueType.path:
            yield Finding(base + ("read",), f"only a path flag can be read; {flag.name} is {kind.value}")
        if flag.max_bytes is not None and flag.read is None:
            yield Finding(base + ("max_bytes",), "max_bytes limits `read`, which this flag does not set")
        if flag.generate is not None:
            if flag.default is not None:
                yield Finding(base + ("generate",), f"{flag.name} has a default, so a generated value is never used")
            if flag.required:
                yield Finding(base + ("generate",), f"{flag.name} is required, so a generated value is never used")
            if kind is not ValueType.string:
                yield Finding(base + ("generate",), f"a generated value is text; {flag.name} is {kind.value}")
        if (
            flag.env is not None
            and flag.secret is False
            and any(word in flag.env for word in ("TOKEN", "SECRET", "PASSWORD", "API_KEY"))
        ):
            pass  # naming is the author's business; secrets are marked by `secret`
        yield from _input_attributes(spec, base, flag.name, kind, flag.accepts_url, list(flag.transform))
    for ci, command in enumerate(spec.commands):
        for ai, argument in enumerate(command.arguments):
            yield from _input_attributes(
                spec,
                ("commands", ci, "arguments", ai),
                argument.name,
                argument.type,
                argument.accepts_url,
                list(argument.transform),
            )


@rule("at-most-one-of-flags")
def at_most_one_of_flags(spec: Spec) -> Iterator[Finding]:
    for ci, command in enumerate(spec.commands):
        names = {n for f in command.flags for n in f.all_names}
        for gi, group in enumerate(command.at_most_one_of):
            if len(group) < 2:
                yield Finding(
                    ("commands", ci, "at_most_one_of", gi), "an at_most_one_of group needs at least two flags"
                )
            for fi, name in enumerate(group):
                if name not in names:
                    yield Finding(
                        ("commands", ci, "at_most_one_of", gi, fi), f"flag {name} is not a flag of '{command.path}'"
                    )


def _suggest(name: str, known: Iterable[str]) -> str | None:
    import difflib

    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}?" if close else None


def run(spec: Spec, *, base_dir: Path | None = None) -> Iterator[tuple[str, Finding]]:
    """Every rule's findings. ``base_dir`` is the spec's folder (hooks are found from it)."""
    token = _BASE_DIR.set(base_dir)
    try:
        found = [(code, finding) for code, fn in RULES.items() for finding in fn(spec)]
    finally:
        _BASE_DIR.reset(token)
    return iter(found)


__all__ = ["RULES", "Command", "Finding", "ValueType", "run", "semver_key"]
