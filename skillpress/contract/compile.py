"""Compile a spec into the product contract: the JSON document every runtime reads.

The client (``contract.invocation``, ``contract.requests``, ``contract.protocol`` and
the client runtime), the docs (the exact request of each example) and the mock tests
all read this one document, so they cannot disagree about which flag fills which field.
It holds what a runtime needs and nothing else: no prose beyond the one-line summaries
that ``help`` prints and the one-line notes of costs and plans, no docs-only fields.

The output is deterministic (fixed construction, ``sort_keys`` when serialised), so the
same spec gives byte-identical JSON on any machine and any ``PYTHONHASHSEED``.

Format version 1 (``CONTRACT_FORMAT``); every key below is always present::

    format          1
    product         {id, name, version, cli_name}
    urls            {name: url}                      product.urls entries that are set
    protocol        see _declared_protocol(); a spec without `protocol:` gets the section's
                    defaults (base `urls.api`, no credential, envelope replies, no switches)
    global_flags    [flag]
    commands        [command]
    endpoints       {id: endpoint}                   only the endpoints commands use
    error_codes     {CODE: {exit_code, retryable, http_status, meaning, recovery}}
    exit_codes      [int]                            every exit code the spec defines
    pricing         the credit rules (see ``skillpress.contract.pricing``), null without `credits:`

    flag      {name, short, aliases, compatibility_aliases, type, value_name, summary,
               required, default, choices, repeatable, local, secret, field, env,
               negatable, sets, scale, transform, generate: {pattern, warn} | null,
               read, max_bytes, accepts_url: {hosts, id} | null}
    argument  {name, type, summary, required, variadic, choices, flag, field, transform,
               accepts_url}
    command   {id, path, summary, aliases, hidden, auth, flags, arguments, one_of,
               at_most_one_of, routes, steps, call}
      Every flag a route, a step or the protocol names is written as the flag's canonical
      name (`name`), even where the spec used an alias, so a runtime can look it up in
      ``Invocation.values`` directly.
      routes  [{when: {flag, argument, equals, matches} | null, endpoint, fields}]
              (`endpoint: X` compiles to one route without `when`; none for a command
              that calls nothing)
      steps   [{kind, phase, ...parameters as written in the spec}]; phase is `before`
              (upload, hook), `after` (poll, download, save_credential, copy, print,
              write_output) or `local` (credential, status, help, version)
      call    true when the client calls the chosen route's endpoint: the command has a
              route and no `local` step
    endpoint  {id, method, path, auth, reply: envelope | plain, path_params: [name],
               query: [name], body: [{name, type, required, nullable}],
               headers: [{name, required}]}
"""

from __future__ import annotations

import json
from typing import Any

from skillpress.spec.model import (
    SITUATIONS,
    STEP_FLAG_KEYS,
    STEP_INPUT_LISTS,
    Argument,
    Command,
    Cost,
    CostCount,
    CostTable,
    Credits,
    Endpoint,
    Flag,
    Protocol,
    Route,
    Spec,
    Step,
)

CONTRACT_FORMAT = 1

PHASES = {
    "upload": "before",
    "hook": "before",
    "poll": "after",
    "download": "after",
    "save_credential": "after",
    "copy": "after",
    "print": "after",
    "write_output": "after",
    "credential": "local",
    "status": "local",
    "help": "local",
    "version": "local",
}

# Envelope-style reply paths when the spec leaves them out.
ENVELOPE_PATHS = {
    "ok": "ok",
    "data": "data",
    "error_code": "error.code",
    "error_message": "error.message",
    "retryable": "error.retryable",
    "recovery": "error.recovery",
    "trace_id": "trace_id",
}
# Plain style: the whole body is the data; failures name nothing unless declared.
PLAIN_PATHS: dict[str, str | None] = {
    "ok": None,
    "data": "",
    "error_code": None,
    "error_message": None,
    "retryable": None,
    "recovery": None,
    "trace_id": None,
}


def _value(obj: Any) -> Any:
    return getattr(obj, "value", obj)


def _number(value: float | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


def _flag(flag: Flag) -> dict[str, Any]:
    return {
        "name": flag.name,
        "short": flag.short,
        "aliases": list(flag.aliases),
        "compatibility_aliases": list(flag.compatibility_aliases),
        "type": _value(flag.type),
        "value_name": flag.value_name,
        "summary": flag.summary,
        "required": flag.required,
        "default": flag.default,
        "choices": list(flag.choices),
        "repeatable": flag.repeatable,
        "local": flag.local,
        "secret": flag.secret,
        "field": flag.field,
        "env": flag.env,
        "negatable": flag.negatable,
        "sets": dict(flag.sets),
        "scale": _number(flag.scale),
        "transform": list(flag.transform),
        "generate": {"pattern": flag.generate.pattern, "warn": flag.generate.warn} if flag.generate else None,
        "read": flag.read,
        "max_bytes": flag.max_bytes,
        "accepts_url": _accepts(flag.accepts_url),
    }


def _accepts(accepts: Any) -> dict[str, Any] | None:
    if accepts is None:
        return None
    return {"hosts": list(accepts.hosts), "id": accepts.id}


def _argument(argument: Argument) -> dict[str, Any]:
    return {
        "name": argument.name,
        "type": _value(argument.type),
        "summary": argument.summary,
        "required": argument.required,
        "variadic": argument.variadic,
        "choices": list(argument.choices),
        "flag": argument.flag,
        "field": argument.field,
        "transform": list(argument.transform),
        "accepts_url": _accepts(argument.accepts_url),
    }


def _canonical_names(flags: list[Flag]) -> dict[str, str]:
    """Every spelling of a flag (aliases included) -> its canonical name."""
    return {name: flag.name for flag in flags for name in flag.all_names}


def _canon(names: dict[str, str], name: Any) -> Any:
    return names.get(name, name) if isinstance(name, str) else name


def _route(route: Route, names: dict[str, str]) -> dict[str, Any]:
    when = route.when
    return {
        "when": None
        if when is None
        else {
            "flag": _canon(names, when.flag),
            "argument": when.argument,
            "equals": when.equals,
            "matches": when.matches,
        },
        "endpoint": route.endpoint,
        "fields": {_canon(names, key): value for key, value in route.fields.items()},
    }


def routes_of(command: Command, names: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """The command's routes; ``endpoint: X`` is the one-route short form."""
    if command.routes:
        return [_route(r, names or {}) for r in command.routes]
    if command.endpoint:
        return [{"when": None, "endpoint": command.endpoint, "fields": {}}]
    return []


def _step(step: Step, names: dict[str, str]) -> dict[str, Any]:
    kind = step.kind
    params = step.params.model_dump(mode="json", by_alias=True)
    for key in STEP_FLAG_KEYS.get(kind, ()):
        params[key] = _canon(names, params[key])
    for key in ("interval", "timeout"):
        if kind == "poll" and params.get(key):
            params[key]["flag"] = _canon(names, params[key]["flag"])
    if kind in STEP_INPUT_LISTS:
        key = STEP_INPUT_LISTS[kind]
        params[key] = [_canon(names, name) for name in params[key]]
    return {"kind": kind, "phase": PHASES[kind], **params}


def _command(command: Command, global_names: dict[str, str]) -> dict[str, Any]:
    names = {**global_names, **_canonical_names(command.flags)}
    routes = routes_of(command, names)
    steps = [_step(s, names) for s in command.steps]
    return {
        "id": command.id,
        "path": command.path,
        "summary": command.summary,
        "aliases": list(command.aliases),
        "hidden": command.hidden,
        "auth": _value(command.auth),
        "flags": [_flag(f) for f in command.flags],
        "arguments": [_argument(a) for a in command.arguments],
        "one_of": [list(g) for g in command.one_of],
        "at_most_one_of": [list(g) for g in command.at_most_one_of],
        "routes": routes,
        "steps": steps,
        "call": bool(routes) and not any(s["phase"] == "local" for s in steps),
    }


def _endpoint(endpoint: Endpoint, style: str) -> dict[str, Any]:
    return {
        "id": endpoint.id,
        "method": endpoint.method,
        "path": endpoint.path,
        "auth": _value(endpoint.auth),
        "reply": style if endpoint.enveloped else "plain",
        "path_params": [p.name for p in endpoint.path_params] or [p for p in endpoint.template_params],
        "query": [q.name for q in endpoint.query],
        "body": [
            {"name": b.name, "type": b.type, "required": b.required, "nullable": b.nullable} for b in endpoint.body
        ],
        "headers": [{"name": h.name, "required": h.required} for h in endpoint.headers],
    }


def used_endpoints(spec: Spec) -> list[str]:
    """Ids of the endpoints a command calls (routes, steps), in spec order of the endpoints."""
    used: set[str] = set()
    for command in spec.commands:
        used |= {r["endpoint"] for r in routes_of(command)}
        for step in command.steps:
            endpoint = getattr(step.params, "endpoint", None)
            if endpoint:
                used.add(endpoint)
    return [e.id for e in spec.endpoints if e.id in used]


# --------------------------------------------------------------------------- protocol


def _protocol(spec: Spec) -> dict[str, Any]:
    return _declared_protocol(spec, spec.protocol if spec.protocol is not None else Protocol())


def _declared_protocol(spec: Spec, p: Protocol) -> dict[str, Any]:
    replies = p.replies
    defaults = ENVELOPE_PATHS if replies.style == "envelope" else PLAIN_PATHS
    paths = {key: getattr(replies, key) if getattr(replies, key) is not None else defaults[key] for key in defaults}
    credential = p.credential
    names = _canonical_names(spec.global_flags)
    return {
        "base_url": {
            "default": p.base_url.default or spec.product.urls.api,
            "env": list(p.base_url.env),
            "flag": _canon(names, p.base_url.flag),
            "http": p.base_url.http,
        },
        "credential": None
        if credential is None
        else {
            "scheme": credential.scheme,
            "name": credential.name or ("Authorization" if credential.scheme == "bearer" else None),
            "prefix": credential.prefix
            if credential.prefix is not None
            else ("Bearer " if credential.scheme == "bearer" else ""),
            "shape": credential.shape,
            "sources": [
                {"kind": s.kind, "name": _canon(names, s.name) if s.kind in ("stdin", "flag") else s.name}
                for s in credential.sources
            ],
            "send_to": credential.send_to,
            "optional_for_custom_base": credential.optional_for_custom_base,
        },
        "config": None
        if p.config is None
        else {"folder": p.config.folder, "file": p.config.file, "env": p.config.env, "base_key": p.config.base_key},
        "replies": {
            "style": replies.style,
            **paths,
            "statuses": dict(replies.statuses),
            "exit_code_header": replies.exit_code_header,
        },
        "retries": {
            "statuses": list(p.retries.statuses),
            "methods": list(p.retries.methods),
            "attempts": p.retries.attempts,
            "retry_after_max_seconds": _number(p.retries.retry_after_max_seconds),
            "backoff_seconds": _number(p.retries.backoff_seconds),
        },
        "timeouts": {
            "request_seconds": _number(p.timeouts.request_seconds),
            "download_seconds": _number(p.timeouts.download_seconds),
        },
        "errors": {situation: getattr(p.errors, situation) for situation in SITUATIONS},
        "output": {
            "style": p.output.style,
            "json_flag": _canon(names, p.output.json_flag),
            "pretty_flag": _canon(names, p.output.pretty_flag),
            "readable": p.output.readable,
        },
        "default_command": None
        if p.default_command is None
        else {"command": p.default_command.command, "when": p.default_command.when},
        "hooks": p.hooks is not None,
    }


# --------------------------------------------------------------------------- pricing


def _field_of(command: Command | None, flag_name: str | None) -> str | None:
    """The request field a flag of the command fills (a switch: the first field it sets)."""
    if command is None or flag_name is None:
        return None
    flag = command.flag(flag_name)
    if flag is None:
        return None
    return flag.field or next(iter(flag.sets), None)


def _given(command: Command | None, name: str | None) -> dict[str, Any] | None:
    """`--flag` or a request field, as {flag, field}."""
    if name is None:
        return None
    if name.startswith("--"):
        return {"flag": name, "field": _field_of(command, name)}
    return {"flag": None, "field": name}


def cost_endpoints(spec: Spec, cost: Cost) -> list[str]:
    """The endpoints a cost prices: its endpoint, or every endpoint its command routes to."""
    if cost.endpoint is not None:
        return [cost.endpoint]
    command = spec.commands_by_path.get(cost.command or "")
    if command is None:
        return []
    return list(dict.fromkeys(route["endpoint"] for route in routes_of(command)))


def _table(table: CostTable, command: Command | None) -> dict[str, Any]:
    return {
        "flag": table.flag,
        "field": table.field or _field_of(command, table.flag),
        "prices": {key: _number(value) for key, value in table.prices.items()},
        "default": _number(table.default),
        "unset": _number(table.unset if table.unset is not None else table.default),
    }


def _per(per: CostCount, command: Command | None) -> dict[str, Any]:
    return {
        "noun": per.noun,
        "nouns": per.plural,
        "flag": per.flag,
        "request": per.request or _field_of(command, per.flag),
        "reply": list(per.reply),
        "default": _number(per.default),
        "every": per.every,
    }


def _cost(spec: Spec, cost: Cost) -> dict[str, Any]:
    command = spec.commands_by_path.get(cost.command) if cost.command else None
    return {
        "command": command.path if command else cost.command,
        "command_id": command.id if command else None,
        "endpoints": cost_endpoints(spec, cost),
        "at_most": cost.at_most,
        "free_when": _given(command, cost.free_when),
        "note": cost.note,
        "terms": [
            {
                "amount": _number(term.amount),
                "table": _table(term.table, command) if term.table else None,
                "per": _per(term.per, command) if term.per else None,
                "when": _given(command, term.when),
            }
            for term in cost.terms
        ],
    }


def starting_plan(credits: Credits) -> Any:
    """The plan a new account starts on: the one marked `starting`, else the first free one."""
    marked = [p for p in credits.plans if p.starting]
    if marked:
        return marked[0]
    return next((p for p in credits.plans if p.price_cents == 0 and p.allotment), None)


def compile_pricing(spec: Spec) -> dict[str, Any] | None:
    credits = spec.credits
    if credits is None:
        return None
    unit = credits.unit
    is_money = unit.money
    value = 1 if is_money else credits.credit_value_cents
    shortfall = spec.error_codes_by_code.get(credits.shortfall) if credits.shortfall else None
    start = starting_plan(credits)
    named_default = unit.name == "credit" and unit.plural == "credits"
    return {
        "unit": {
            "name": "cent" if is_money and named_default else unit.name,
            "plural": "cents" if is_money and named_default else unit.plural,
            "kind": "money" if is_money else "credit",
            "money": None if value is None else {"currency": credits.currency, "cents": _number(value)},
        },
        "currency": credits.currency,
        "shortfall": None
        if credits.shortfall is None
        else {"code": credits.shortfall, "http_status": shortfall.http_status if shortfall else None},
        "costs": [_cost(spec, cost) for cost in credits.costs],
        "plans": [
            {
                "id": plan.id,
                "name": plan.name,
                "price_cents": _number(plan.price_cents),
                "period": plan.period,
                "allotment": _number(plan.allotment),
                "limits": {
                    "concurrency": plan.limits.concurrency,
                    "rate": [
                        {"requests": r.requests, "per": r.per, "endpoints": list(r.endpoints)} for r in plan.limits.rate
                    ],
                },
                "contact": plan.contact,
                "starting": plan is start,
                "note": plan.note,
            }
            for plan in credits.plans
        ],
        "packs": [
            {"id": p.id, "name": p.name, "credits": p.credits, "price_cents": _number(p.price_cents)}
            for p in credits.packs
        ],
        "custom_quotes": None
        if credits.custom_quotes is None
        else {"min_credits": credits.custom_quotes.min_credits, "max_credits": credits.custom_quotes.max_credits},
        "starting_balance": _number(start.allotment) if start is not None and start.allotment else 0,
    }


# --------------------------------------------------------------------------- the contract


def compile_contract(spec: Spec) -> dict[str, Any]:
    """The contract of ``spec`` as a JSON-able dict (see the module docstring for the format).

    Never raises on a schema-valid spec, even one that breaks semantic rules (a route
    naming an undefined endpoint is kept as written; the validator reports it).
    """
    product = spec.product
    urls = product.urls
    protocol = _protocol(spec)
    style = protocol["replies"]["style"]
    used = set(used_endpoints(spec))
    return {
        "format": CONTRACT_FORMAT,
        "product": {
            "id": product.id,
            "name": product.name,
            "version": product.version,
            "cli_name": product.cli_name,
        },
        "urls": {name: getattr(urls, name) for name in type(urls).model_fields if getattr(urls, name) is not None},
        "protocol": protocol,
        "global_flags": [_flag(f) for f in spec.global_flags],
        "commands": [_command(c, _canonical_names(spec.global_flags)) for c in spec.commands],
        "endpoints": {e.id: _endpoint(e, style) for e in spec.endpoints if e.id in used},
        "error_codes": {
            e.code: {
                "exit_code": e.exit_code,
                "retryable": e.retryable,
                "http_status": e.http_status,
                "meaning": e.meaning,
                "recovery": e.recovery,
            }
            for e in spec.error_codes
        },
        "exit_codes": sorted(e.code for e in spec.exit_codes),
        "pricing": compile_pricing(spec),
    }


def render_contract_json(spec: Spec) -> str:
    """The contract as the text a client bundles (``bundle/contract.json``)."""
    return json.dumps(compile_contract(spec), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


__all__ = [
    "CONTRACT_FORMAT",
    "PHASES",
    "compile_contract",
    "compile_pricing",
    "cost_endpoints",
    "render_contract_json",
    "routes_of",
    "starting_plan",
    "used_endpoints",
]


def _main(argv: list[str]) -> int:
    """``python -m skillpress.contract.compile SPEC``: print the contract of a valid spec."""
    import sys

    from skillpress.diagnostics import SkillpressError
    from skillpress.spec import load_spec

    if len(argv) != 1:
        sys.stderr.write("usage: python -m skillpress.contract.compile SPEC\n")
        return 2
    try:
        result = load_spec(argv[0])
    except SkillpressError as exc:
        sys.stderr.write(f"{exc}\n")
        return 2
    if result.spec is None or not result.ok:
        sys.stderr.write(f"{argv[0]}: not a valid spec (run `skillpress validate {argv[0]}`)\n")
        return 1
    sys.stdout.write(render_contract_json(result.spec))
    return 0


if __name__ == "__main__":
    import sys

    raise SystemExit(_main(sys.argv[1:]))
