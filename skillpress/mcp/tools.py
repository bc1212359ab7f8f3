"""A product's commands as MCP tools, read from the compiled contract (standard library only).

One tool per visible command that calls the API (``call`` in the contract, not
``hidden``). Local-only commands (help, version, saving or forgetting a credential) are
left out: an MCP host has its own help, and a tool must never take or print a
credential.

* **Name**: the command path with every run of characters other than letters and digits
  turned into ``_`` (``team members list`` -> ``team_members_list``, ``sync-all`` -> ``sync_all``).
  Two paths that would give the same name keep their hyphens instead (``a-b`` and
  ``a b`` give ``a-b`` and ``a_b``); a name still taken refuses the contract.
* **Properties**: one per argument (its name lower-cased, ``ITEM_ID`` -> ``item_id``) and one
  per flag of the command (``--page-size`` -> ``page_size``). An argument that may
  also be given by a flag (``flag:`` in the spec) is one property, named after the
  argument. Secret flags and the global flags (base URL, credential, output switches)
  are not properties: the server takes those from its own environment.
* **Types**: string, path and url -> string; integer; number; boolean; csv -> array of
  strings; json -> object; a repeatable flag or a variadic argument -> array of its type.
  ``choices`` -> ``enum`` (of the items, for arrays); ``default`` (typed as the parser
  types it); ``required`` flags and arguments; an ``one_of`` group becomes ``oneOf`` of
  single-property ``required`` schemas (exactly one), an ``at_most_one_of`` group a
  ``not``/``anyOf`` over every pair. Descriptions say the same in words, for hosts that
  drop the combinators.
* **Annotations**: ``readOnlyHint`` when every endpoint the command can reach is a
  ``GET``/``HEAD`` and the contract prices none of its calls (``pricing.cost_for``);
  ``destructiveHint`` when it can reach a ``DELETE``; ``idempotentHint`` when every method
  it can reach is idempotent in HTTP's sense and it spends nothing; ``openWorldHint``
  always (it talks to the product's API). The docs' cost sentence (``Free: ...`` or what a
  call costs, its flags named as the tool's inputs) ends the description.

:func:`to_argv` turns a tool call's arguments into the argv the client parses: the command
words, then ``--flag=value`` per flag in the command's flag order, then ``--`` and the
positionals. ``--name=value`` and the ``--`` keep a value that starts with ``-`` a value,
so ``contract.invocation.parse_argv`` gives back exactly the values given (the tests check
both directions).
"""

from __future__ import annotations

import json
import math
import re

from ..contract import invocation as grammar
from ..contract import pricing

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})


class ToolInputError(grammar.UsageProblem):
    """A tool call's arguments do not fit the tool's schema (the product's ``usage`` code)."""


# --------------------------------------------------------------------------- which commands


def tool_commands(contract: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The commands served as tools, in contract order."""
    return [c for c in contract["commands"] if c.get("call") and not c.get("hidden")]


def _slug(text: str, keep_hyphens: bool = False) -> str:
    pattern = r"[^A-Za-z0-9-]+" if keep_hyphens else r"[^A-Za-z0-9]+"
    return re.sub(pattern, "_", text).strip("_") or "command"


def tool_names(contract: Mapping[str, Any]) -> dict[str, str]:
    """``{tool name: command id}`` in contract order (see the module docstring for the rule)."""
    commands = tool_commands(contract)
    plain: dict[str, list[str]] = {}
    for command in commands:
        plain.setdefault(_slug(command["path"]), []).append(command["id"])
    names: dict[str, str] = {}
    for command in commands:
        name = _slug(command["path"])
        if len(plain[name]) > 1:
            name = _slug(command["path"], keep_hyphens=True)
        if name in names:
            raise ValueError(f"commands {names[name]!r} and {command['id']!r} give the same tool name {name!r}")
        names[name] = command["id"]
    return names


def command_for_tool(contract: Mapping[str, Any], name: str) -> dict[str, Any] | None:
    command_id = tool_names(contract).get(name)
    for command in contract["commands"]:
        if command["id"] == command_id:
            return dict(command)
    return None


# --------------------------------------------------------------------------- parameters


class Param:
    """One property of a tool's input: a flag, an argument, or an argument a flag may give."""

    __slots__ = ("argument", "flag", "key")

    def __init__(self, key: str, flag: dict[str, Any] | None, argument: dict[str, Any] | None) -> None:
        self.key = key
        self.flag = flag
        self.argument = argument

    @property
    def kind(self) -> str:
        source = self.argument or self.flag or {}
        return str(source.get("type") or "string")

    @property
    def many(self) -> bool:
        """Takes a list: a variadic argument or a repeatable flag (a csv is a list by itself)."""
        if self.argument is not None:
            return bool(self.argument.get("variadic"))
        return bool(self.flag and self.flag.get("repeatable"))

    @property
    def required(self) -> bool:
        if self.argument is not None:
            return bool(self.argument.get("required", True))
        return bool(self.flag and self.flag.get("required"))


def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.lstrip("-").lower()).strip("_")


def _hidden_flags(contract: Mapping[str, Any]) -> set[str]:
    """Flags a tool never takes: secrets and the flags that carry a credential."""
    settings = (contract.get("protocol") or {}).get("credential") or {}
    names = {s["name"] for s in settings.get("sources") or () if s.get("kind") in ("flag", "stdin")}
    for command in contract["commands"]:
        names |= {f["name"] for f in command.get("flags") or () if f.get("secret")}
    return names


def params(contract: Mapping[str, Any], command: Mapping[str, Any]) -> list[Param]:
    """The command's tool properties: arguments first (in order), then the other flags."""
    hidden = _hidden_flags(contract)
    flags = {f["name"]: f for f in command.get("flags") or ()}
    by_alias = {name: f for f in flags.values() for name in grammar._long_names(f)}
    result: list[Param] = []
    taken: set[str] = set()
    for argument in command.get("arguments") or ():
        flag = by_alias.get(argument["flag"]) if argument.get("flag") else None
        if flag is not None:
            taken.add(flag["name"])
        result.append(Param(_key(argument["name"]), flag, argument))
    for flag in flags.values():
        if flag["name"] in taken or flag["name"] in hidden:
            continue
        result.append(Param(_key(flag["name"]), flag, None))
    seen: dict[str, Param] = {}
    for param in result:
        if param.key in seen:  # an argument named like an unrelated flag: the flag keeps the dashes' name
            param.key = param.key + "_flag" if param.argument is None else param.key + "_arg"
        if param.key in seen:
            raise ValueError(f"command {command['id']!r}: two inputs are both named {param.key!r}")
        seen[param.key] = param
    return result


def _item_schema(kind: str, choices: list[str]) -> dict[str, Any]:
    if kind == "integer":
        schema: dict[str, Any] = {"type": "integer"}
    elif kind == "number":
        schema = {"type": "number"}
    elif kind == "boolean":
        schema = {"type": "boolean"}
    elif kind == "json":
        schema = {"type": "object"}
    elif kind == "csv":
        items: dict[str, Any] = {"type": "string"}
        if choices:
            items["enum"] = list(choices)
        return {"type": "array", "items": items}
    else:
        schema = {"type": "string"}
    if choices and kind != "boolean":
        schema["enum"] = list(choices)
    return schema


def _param_schema(param: Param) -> dict[str, Any]:
    source = param.argument or param.flag or {}
    choices = list(source.get("choices") or ())
    schema = _item_schema(param.kind, choices)
    if param.many:
        schema = {"type": "array", "items": schema}
        if param.required:
            schema["minItems"] = 1
    words = [str(source.get("summary") or "").strip()]
    if param.kind == "path":
        words.append("A local file path.")
    if param.kind == "url":
        words.append("A URL.")
    description = " ".join(w for w in words if w)
    if description:
        schema["description"] = description
    flag = param.flag
    if flag is not None and param.argument is None:
        default = grammar.typed_default(flag)
        if default is not None:
            schema["default"] = [default] if param.many and not isinstance(default, list) else default
    return schema


def _group_keys(group: list[str], by_flag: dict[str, str]) -> list[str]:
    return [by_flag[name] for name in group if name in by_flag]


def input_schema(contract: Mapping[str, Any], command: Mapping[str, Any]) -> dict[str, Any]:
    """The tool's input JSON Schema (draft 2020-12 keywords only)."""
    found = params(contract, command)
    by_flag: dict[str, str] = {}
    for param in found:
        if param.flag is not None:
            for name in grammar._long_names(param.flag):
                by_flag[name] = param.key
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {p.key: _param_schema(p) for p in found},
        "additionalProperties": False,
    }
    required = [p.key for p in found if p.required]
    if required:
        schema["required"] = required
    combinators: list[dict[str, Any]] = []
    for group in command.get("one_of") or ():
        keys = _group_keys(list(group), by_flag)
        if len(keys) > 1:
            combinators.append({"oneOf": [{"required": [k]} for k in keys]})
    for group in command.get("at_most_one_of") or ():
        keys = _group_keys(list(group), by_flag)
        pairs = [[a, b] for i, a in enumerate(keys) for b in keys[i + 1 :]]
        if pairs:
            combinators.append({"not": {"anyOf": [{"required": pair} for pair in pairs]}})
    if len(combinators) == 1:
        schema.update(combinators[0])
    elif combinators:
        schema["allOf"] = combinators
    return schema


# --------------------------------------------------------------------------- annotations


def reachable_endpoints(contract: Mapping[str, Any], command: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every endpoint the command's routes and steps can call, in first-seen order."""
    ids: list[str] = [r["endpoint"] for r in command.get("routes") or ()]
    ids += [s["endpoint"] for s in command.get("steps") or () if isinstance(s.get("endpoint"), str)]
    endpoints = contract.get("endpoints") or {}
    seen: list[str] = []
    for endpoint_id in ids:
        if endpoint_id not in seen and endpoint_id in endpoints:
            seen.append(endpoint_id)
    return [endpoints[e] for e in seen]


def spends(contract: Mapping[str, Any], command: Mapping[str, Any]) -> bool:
    """Whether the contract prices a call of the command to any endpoint it can reach."""
    return any(
        pricing.cost_for(contract, endpoint["id"], command["id"]) is not None
        for endpoint in reachable_endpoints(contract, command)
    )


def cost_sentence(contract: Mapping[str, Any], command: Mapping[str, Any]) -> str | None:
    """What a call costs, in the docs' words with flags named as the tool's inputs
    (``None`` when the contract has no prices)."""
    sentence = pricing.command_cost_sentence(contract, command["id"])
    if not sentence:
        return None
    keys = {
        name: p.key for p in params(contract, command) if p.flag is not None for name in grammar._long_names(p.flag)
    }
    return re.sub(r"`(--[A-Za-z0-9][A-Za-z0-9-]*)`", lambda m: f"`{keys.get(m.group(1), m.group(1))}`", sentence)


def tool_annotations(contract: Mapping[str, Any], command: Mapping[str, Any]) -> dict[str, Any]:
    methods = {str(e.get("method") or "GET").upper() for e in reachable_endpoints(contract, command)}
    spending = spends(contract, command)
    read_only = bool(methods) and methods <= READ_METHODS and not spending
    result: dict[str, Any] = {"title": command["path"], "readOnlyHint": read_only}
    if not read_only:
        result["destructiveHint"] = "DELETE" in methods
        result["idempotentHint"] = bool(methods) and methods <= IDEMPOTENT_METHODS and not spending
    result["openWorldHint"] = True
    return result


def _group_words(command: Mapping[str, Any], by_flag: dict[str, str]) -> list[str]:
    words = []
    for group in command.get("one_of") or ():
        keys = _group_keys(list(group), by_flag)
        if len(keys) > 1:
            words.append("Give exactly one of " + ", ".join(f"`{k}`" for k in keys) + ".")
    for group in command.get("at_most_one_of") or ():
        keys = _group_keys(list(group), by_flag)
        if len(keys) > 1:
            words.append("Give at most one of " + ", ".join(f"`{k}`" for k in keys) + ".")
    return words


def description(contract: Mapping[str, Any], command: Mapping[str, Any]) -> str:
    by_flag = {
        name: p.key for p in params(contract, command) if p.flag is not None for name in grammar._long_names(p.flag)
    }
    cli = contract["product"]["cli_name"]
    parts = [str(command.get("summary") or "").strip(), f"Runs `{cli} {command['path']}`."]
    parts += _group_words(command, by_flag)
    cost = cost_sentence(contract, command)
    if cost:
        parts.append(cost)
    return " ".join(p for p in parts if p)


def tools(contract: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every tool as the plain dict ``tools/list`` sends (name, title, description,
    inputSchema, annotations), in contract order."""
    by_id = {c["id"]: c for c in contract["commands"]}
    result = []
    for name, command_id in tool_names(contract).items():
        command = by_id[command_id]
        result.append(
            {
                "name": name,
                "title": command["path"],
                "description": description(contract, command),
                "inputSchema": input_schema(contract, command),
                "annotations": tool_annotations(contract, command),
            }
        )
    return result


# --------------------------------------------------------------------------- arguments -> argv


def _text(param: Param, value: Any) -> str:
    """One scalar value as the text the parser converts back to the same value."""
    kind = param.kind
    what = param.key
    if kind == "boolean":
        if not isinstance(value, bool):
            raise ToolInputError(f"{what} expects true or false", flag=what)
        return "true" if value else "false"
    if kind == "integer":
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise ToolInputError(f"{what} expects an integer", flag=what)
        return str(value)
    if kind == "number":
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise ToolInputError(f"{what} expects a finite number", flag=what)
        return repr(float(value))
    if kind == "json":
        if not isinstance(value, dict):
            raise ToolInputError(f"{what} expects a JSON object", flag=what)
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    if kind == "csv":
        items = value if isinstance(value, list) else [value]
        texts = []
        for item in items:
            if not isinstance(item, str) or "," in item or item != item.strip() or not item:
                raise ToolInputError(f"{what} expects a list of non-empty texts without commas", flag=what)
            texts.append(item)
        if not texts:
            raise ToolInputError(f"{what} expects at least one item", flag=what)
        return ",".join(texts)
    if not isinstance(value, str):
        raise ToolInputError(f"{what} expects a string", flag=what)
    return value


def to_argv(contract: Mapping[str, Any], command: Mapping[str, Any], arguments: Mapping[str, Any] | None) -> list[str]:
    """The argv (command words included) that runs ``command`` with a tool call's ``arguments``.

    Raises :class:`ToolInputError` for an unknown property or a value of the wrong type;
    the rest (required inputs, groups, choices) is left to the client's own parser, so a
    tool call is refused exactly where the same command line would be.
    """
    arguments = dict(arguments or {})
    found = params(contract, command)
    known = {p.key for p in found}
    unknown = sorted(k for k in arguments if k not in known)
    if unknown:
        raise ToolInputError(f"unknown input {unknown[0]!r} for tool of '{command['path']}'", flag=unknown[0])
    flags: list[str] = []
    positionals: list[str] = []
    for param in found:
        if param.key not in arguments or arguments[param.key] is None:
            continue
        value = arguments[param.key]
        values = value if param.many else [value]
        if param.many and not isinstance(value, list):
            raise ToolInputError(f"{param.key} expects a list", flag=param.key)
        if param.argument is not None:
            positionals += [_text(param, v) for v in values]
            continue
        flag = param.flag or {}
        for item in values:
            if param.kind == "boolean":
                if not isinstance(item, bool):
                    raise ToolInputError(f"{param.key} expects true or false", flag=param.key)
                if item:
                    flags.append(flag["name"])
                elif flag.get("negatable"):
                    flags.append("--no-" + flag["name"][2:])
                elif flag.get("default") is True:
                    flags.append(flag["name"] + "=false")
                # false for a switch that is off by default: the same as not giving it
                continue
            flags.append(f"{flag['name']}={_text(param, item)}")
    argv = str(command["path"]).split() + flags
    if positionals:
        argv += ["--", *positionals]
    return argv


def from_invocation(contract: Mapping[str, Any], parsed: grammar.Invocation) -> dict[str, Any]:
    """The tool arguments a parsed command line stands for (the inverse of :func:`to_argv`,
    for the tests): given values only, a switch given as false left out unless it is
    negatable or on by default."""
    result: dict[str, Any] = {}
    for param in params(contract, parsed.command):
        if param.argument is not None and param.argument["name"] in parsed.arguments:
            result[param.key] = parsed.arguments[param.argument["name"]]
        elif param.flag is not None and param.flag["name"] in parsed.values:
            value = parsed.values[param.flag["name"]]
            if value is False and not param.flag.get("negatable") and param.flag.get("default") is not True:
                continue
            result[param.key] = value
    return result


__all__ = [
    "Param",
    "ToolInputError",
    "command_for_tool",
    "from_invocation",
    "input_schema",
    "params",
    "to_argv",
    "tool_annotations",
    "tool_commands",
    "tool_names",
    "tools",
]
