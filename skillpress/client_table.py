"""Compile a spec into the command table the bundled thin client runs from.

The thin client is standard library only and never sees YAML or the pydantic model: at
build time this module flattens everything the client needs (commands, flags, the
endpoint each command calls and which flag fills which request field, error and exit
codes, client settings, env var names by role) into one JSON document. The client and
the documents are both generated from the same spec, so a flag the docs show is a flag
the client parses, and a flag the client parses is a flag the docs show.

The output is deterministic: every dict is built in a fixed order and lists keep the
spec's order, so the JSON text is byte-identical for the same spec.
"""

from __future__ import annotations

import json
from typing import Any

from skillpress.spec.model import Argument, Command, Endpoint, Flag, Spec

TABLE_FORMAT = 1

# Used when a spec has no `client:` block (the minimal test spec, for example).
DEFAULT_HTTP_EXIT_CODES = {"401": 3, "403": 3, "402": 5, "429": 5, "5xx": 7}


def _value(obj: Any) -> Any:
    return getattr(obj, "value", obj)


def _target(endpoint: Endpoint | None, field: str | None) -> str | None:
    """Where a request field lives: ``path``, ``query`` or ``body`` (or ``None``)."""
    if endpoint is None or not field:
        return None
    if field in {p.name for p in endpoint.path_params} or field in endpoint.template_params:
        return "path"
    if field in {q.name for q in endpoint.query}:
        return "query"
    if field in {b.name for b in endpoint.body}:
        return "body"
    return None


def _flag(flag: Flag, endpoint: Endpoint | None) -> dict[str, Any]:
    return {
        "name": flag.name,
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
        "target": _target(endpoint, flag.field),
    }


def _argument(argument: Argument, endpoint: Endpoint | None) -> dict[str, Any]:
    return {
        "name": argument.name,
        "type": _value(argument.type),
        "summary": argument.summary,
        "required": argument.required,
        "flag": argument.flag,
        "field": argument.field,
        "target": _target(endpoint, argument.field),
    }


def _endpoint(endpoint: Endpoint) -> dict[str, Any]:
    return {
        "id": endpoint.id,
        "method": endpoint.method,
        "path": endpoint.path,
        "auth": _value(endpoint.auth),
        "enveloped": endpoint.enveloped,
        "path_params": [p.name for p in endpoint.path_params] or list(endpoint.template_params),
        "query": [q.name for q in endpoint.query],
        "body": [
            {"name": b.name, "type": b.type, "required": b.required, "nullable": b.nullable} for b in endpoint.body
        ],
        "response_status": endpoint.response.status,
        "response_required": [f.name for f in endpoint.response.fields if f.required],
        "errors": list(endpoint.errors),
    }


def _command(command: Command, spec: Spec) -> dict[str, Any]:
    endpoint = spec.endpoints_by_id.get(command.endpoint or "")
    return {
        "id": command.id,
        "path": command.path,
        "summary": command.summary,
        "aliases": list(command.aliases),
        "hidden": command.hidden,
        "surface": command.surface,
        "auth": _value(command.auth),
        "behavior": _value(command.behavior) if command.behavior is not None else None,
        "mutates": command.mutates,
        "spends": command.spends,
        "idempotency": command.idempotency,
        "endpoint": _endpoint(endpoint) if endpoint is not None else None,
        "flags": [_flag(f, endpoint) for f in command.flags],
        "arguments": [_argument(a, endpoint) for a in command.arguments],
        "one_of": [list(group) for group in command.one_of],
        "exit_codes": list(command.exit_codes),
        "errors": list(command.errors),
        "events": list(command.events),
    }


def _env(spec: Spec) -> dict[str, Any]:
    def first(role: str) -> str | None:
        for var in spec.environment:
            if _value(var.role) == role:
                return var.name
        return None

    return {
        "token": first("token"),
        "token_fallback": [v.name for v in spec.environment if _value(v.role) == "token-fallback"],
        "api_base_url": first("api-base-url"),
        "config_path": first("config-path"),
    }


def _client(spec: Spec) -> dict[str, Any]:
    settings = spec.client
    if settings is None:
        return {
            "package": spec.product.cli_name,
            "config_dir": spec.product.id,
            "exit_code_header": None,
            "timeout_seconds": 30.0,
            "get_retries": 2,
            "token_prefix": None,
            "http_exit_codes": {
                status: code for status, code in DEFAULT_HTTP_EXIT_CODES.items() if code in spec.exit_codes_by_code
            },
            "readable_output": False,
        }
    return {
        "package": settings.package,
        "config_dir": settings.config_dir,
        "exit_code_header": settings.exit_code_header,
        "timeout_seconds": float(settings.timeout_seconds),
        "get_retries": settings.get_retries,
        "token_prefix": settings.token_prefix,
        "http_exit_codes": dict(settings.http_exit_codes),
        "readable_output": settings.readable_output,
    }


def compile_table(spec: Spec) -> dict[str, Any]:
    """The JSON-serialisable command table of ``spec`` (fixed key order)."""
    product = spec.product
    urls = product.urls
    url_table = {name: getattr(urls, name) for name in type(urls).model_fields if getattr(urls, name) is not None}
    return {
        "format": TABLE_FORMAT,
        "product": {
            "id": product.id,
            "name": product.name,
            "version": product.version,
            "cli_name": product.cli_name,
            "status": product.status,
        },
        "urls": url_table,
        "env": _env(spec),
        "client": _client(spec),
        "global_flags": [_flag(f, None) for f in spec.global_flags],
        "commands": [_command(c, spec) for c in spec.commands],
        "error_codes": {
            e.code: {
                "exit_code": e.exit_code,
                "retryable": e.retryable,
                "http_status": e.http_status,
                "recovery": e.recovery,
                "source": e.source,
            }
            for e in spec.error_codes
        },
        "exit_codes": [{"code": e.code, "name": e.name, "meaning": e.meaning} for e in spec.exit_codes],
        "events": list(spec.event_types),
    }


def render_table_json(spec: Spec) -> str:
    return json.dumps(compile_table(spec), indent=2, sort_keys=False, ensure_ascii=False) + "\n"


__all__ = ["TABLE_FORMAT", "compile_table", "render_table_json"]
