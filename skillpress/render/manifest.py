"""commands.json: the machine-readable command manifest (serialised, never templated).

Shape (``manifest_version`` 1): ``product``, ``version``, ``cli``, ``docs``,
``flag_defaults``, ``global_flags``, ``commands``, ``exit_codes``, ``error_codes``,
``event_types``, ``pricing``. Each command's ``docs_anchor`` is the URL of its section in
cli.md (in cli.md's part when cli.md is split), and its ``cost`` says what one call costs:
``{"text", "calls": [{"endpoint", "at_most", "free_when", "terms", "note"}]}`` (the
sentence cli.md prints and the compiled cost of each priced endpoint it calls; see
``skillpress.contract.pricing``), ``null`` without pricing or for a command that calls
nothing. ``pricing`` is ``{"unit", "shortfall", "starting_balance"}`` or ``null``.

A manifest that would pass the 50,000-character budget is split by command group (see
``skillpress.render.split``): ``commands.json`` keeps every key but ``commands``, which is
replaced by ``command_parts``, a list of ``{"prefix", "file", "commands"}``: the
command-path words the part covers, the part's path relative to the index
(``commands/<group>.json``) and how many commands it holds. A command belongs to the part
with the longest ``prefix`` its path starts with. Each part is ``{"manifest_version",
"product", "version", "cli", "index", "prefix", "commands"}``, ``index`` being the path of
the index relative to the part and ``commands`` the full command objects, in spec order.
"""

from __future__ import annotations

import json
from typing import Any

from skillpress.render.pricing_text import cost_data
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


def _pricing(contract: dict[str, Any] | None) -> dict[str, Any] | None:
    found = (contract or {}).get("pricing")
    if not found:
        return None
    shortfall = found.get("shortfall") or {}
    return {"unit": found["unit"], "shortfall": shortfall.get("code"), "starting_balance": found["starting_balance"]}


def _command(
    spec: Spec, command: Command, anchors: dict[int, str] | None = None, contract: dict[str, Any] | None = None
) -> dict[str, Any]:
    endpoint = spec.endpoints_by_id.get(command.endpoint or "")
    anchor = (anchors or {}).get(id(command)) or f"{spec.product.urls.cli}#{command.id}"
    return {
        "id": command.id,
        "path": command.path,
        "aliases": list(command.aliases),
        "summary": command.summary,
        "docs_anchor": anchor,
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
        "cost": cost_data(contract, command.id) if contract else None,
    }


def manifest(
    spec: Spec,
    anchors: dict[int, str] | None = None,
    *,
    commands: bool = True,
    contract: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return {
        "manifest_version": 1,
        "product": spec.product.id,
        "version": spec.product.version,
        "cli": spec.product.cli_name,
        "docs": spec.product.urls.cli,
        "flag_defaults": _FLAG_DEFAULTS,
        "global_flags": [_flag(f) for f in spec.global_flags],
        "commands": [_command(spec, c, anchors, contract) for c in spec.commands] if commands else [],
        "exit_codes": [{"code": e.code, "name": e.name, "meaning": e.meaning} for e in spec.exit_codes],
        "error_codes": [
            {"code": e.code, "exit_code": e.exit_code, "retryable": e.retryable, "http_status": e.http_status}
            for e in spec.error_codes
        ],
        "event_types": list(spec.event_types),
        "pricing": _pricing(contract),
    }


def _dump(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=1, ensure_ascii=False) + "\n"


def render_manifest(spec: Spec, anchors: dict[int, str] | None = None, contract: dict[str, Any] | None = None) -> str:
    return _dump(manifest(spec, anchors, contract=contract))


def render_manifest_index(spec: Spec, parts: list[tuple[str, str, int]], contract: dict[str, Any] | None = None) -> str:
    """The index of a split manifest; ``parts`` holds (prefix, file, number of commands)."""
    data: dict[str, Any] = {}
    for key, value in manifest(spec, commands=False, contract=contract).items():
        if key == "commands":
            data["command_parts"] = [{"prefix": p, "file": f, "commands": n} for p, f, n in parts]
        else:
            data[key] = value
    return _dump(data)


def render_manifest_part(
    spec: Spec,
    prefix: str,
    commands: list[Command],
    anchors: dict[int, str],
    contract: dict[str, Any] | None = None,
) -> str:
    return _dump(
        {
            "manifest_version": 1,
            "product": spec.product.id,
            "version": spec.product.version,
            "cli": spec.product.cli_name,
            "index": "../commands.json",
            "prefix": prefix,
            "commands": [_command(spec, c, anchors, contract) for c in commands],
        }
    )
