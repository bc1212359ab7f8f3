"""commands.json: the machine-readable command manifest (serialised, never templated)."""

from __future__ import annotations

import json
from typing import Any

from skillpress.spec.model import Command, Flag, Spec

_FLAG_DEFAULTS: dict[str, Any] = {
    "value_name": None,
    "required": False,
    "default": None,
    "choices": [],
    "repeatable": False,
    "aliases": [],
    "compatibility_aliases": [],
    "field": None,
    "local": False,
}


def _flag(flag: Flag) -> dict[str, Any]:
    """A flag with its name, type and summary, plus only the properties that differ from
    the defaults listed in ``flag_defaults`` at the top of the manifest."""
    data: dict[str, Any] = {"name": flag.name, "type": flag.type.value, "summary": flag.summary}
    values = {
        "value_name": flag.value_name,
        "required": flag.required,
        "default": flag.default,
        "choices": list(flag.choices),
        "repeatable": flag.repeatable,
        "aliases": list(flag.aliases),
        "compatibility_aliases": list(flag.compatibility_aliases),
        "field": flag.field,
        "local": flag.local,
    }
    data.update({k: v for k, v in values.items() if v != _FLAG_DEFAULTS[k]})
    return data


def _command(spec: Spec, command: Command) -> dict[str, Any]:
    endpoint = spec.endpoints_by_id.get(command.endpoint or "")
    return {
        "id": command.id,
        "path": command.path,
        "aliases": list(command.aliases),
        "summary": command.summary,
        "docs_anchor": f"{spec.product.urls.cli}#{command.id}",
        "surface": command.surface,
        "hidden": command.hidden,
        "auth": command.auth.value,
        "mutates": command.mutates,
        "spends": command.spends,
        "idempotency": command.idempotency,
        "endpoint": None if endpoint is None else {"id": endpoint.id, "method": endpoint.method, "path": endpoint.path},
        "arguments": [
            {"name": a.name, "type": a.type.value, "required": a.required, "field": a.field, "flag": a.flag}
            for a in command.arguments
        ],
        "flags": [_flag(f) for f in command.flags],
        "one_of": [list(g) for g in command.one_of],
        "exit_codes": list(command.exit_codes),
        "errors": list(command.errors),
    }


def manifest(spec: Spec) -> dict[str, Any]:
    return {
        "manifest_version": 1,
        "product": spec.product.id,
        "version": spec.product.version,
        "cli": spec.product.cli_name,
        "docs": spec.product.urls.cli,
        "flag_defaults": _FLAG_DEFAULTS,
        "global_flags": [_flag(f) for f in spec.global_flags],
        "commands": [_command(spec, c) for c in spec.commands],
        "exit_codes": [{"code": e.code, "name": e.name, "meaning": e.meaning} for e in spec.exit_codes],
        "error_codes": [
            {"code": e.code, "exit_code": e.exit_code, "retryable": e.retryable, "http_status": e.http_status}
            for e in spec.error_codes
        ],
        "event_types": list(spec.event_types),
    }


def render_manifest(spec: Spec) -> str:
    return json.dumps(manifest(spec), indent=1, ensure_ascii=False) + "\n"
