"""The request each documented example sends, as the docs print it.

The docs do not map flags to fields themselves: every example is parsed with the
client's grammar (``contract.invocation``) and turned into its request by the client's
own mapping (``contract.requests.build``), defaults, generated values, unit scaling and
constant fields included. What only the run could know is fixed here, and shown as such:

* the clock is :data:`NOW` and random bytes are :func:`random_bytes`, so a generated
  value (an idempotency key) is the same on every build;
* a file a flag reads (``read``) is not opened: its content is the visible placeholder
  :func:`file_placeholder` (parsed JSON for ``read: json``, one line for ``read: lines``,
  and for ``read: base64`` the placeholder text :func:`base64_placeholder` in place of
  the encoding);
* a value an ``upload`` step replaces by the id of the upload is :func:`upload_placeholder`;
  a field a ``hook`` step may set is :func:`hook_placeholder`; a ``save_credential``
  step's ``request_field`` is sent as true when its flag is given (what the client does);
* the credential is shown where the protocol puts it, as a shell variable named after
  the first environment variable among the credential's sources (``$IMAGE_SKILL_TOKEN``),
  else as a placeholder naming the first source; it is attached when the command may
  send one (``protocol.needs_credential`` says required or optional);
* the base is the contract's default base, reduced to scheme, host and port as the
  client reduces it.

The printed form is a ``curl`` command: method, URL with the query, each header, the
JSON body exactly as the client encodes it. Parsing it back (``shlex``) gives the same
request; ``tests/test_example_requests.py`` does that for every example of every spec.
(The step inputs above restate what the client runtime does for these steps; when
``contract/steps.py`` describes them, this module should read it instead.)
"""

from __future__ import annotations

import base64
import json
import re
import shlex
from dataclasses import dataclass, field
from typing import Any

from skillpress.contract import protocol, requests
from skillpress.contract.invocation import Invocation, Problem, flags_of, parse, parse_argv

#: The clock of every documented request: 2026-01-01T00:00:00Z.
NOW = 1_767_225_600.0

_SAFE_SHELL = re.compile(r"^[A-Za-z0-9 _.,:/=+@%-]*$")


def random_bytes(count: int) -> bytes:
    """The random bytes of every documented request: 00 11 22 ... (visibly not random)."""
    return bytes((i * 0x11) % 256 for i in range(count))


def file_placeholder(path: str) -> str:
    return "<stdin>" if path == "-" else f"<contents of {path}>"


def base64_placeholder(path: str) -> str:
    return "<stdin as base64>" if path == "-" else f"<contents of {path} as base64>"


def upload_placeholder(value: str) -> str:
    return f"<id of the upload of {value}>"


def hook_placeholder(call: str) -> str:
    return f"<set by the hook {call}>"


def _file_bytes(path: str, kind: str) -> bytes:
    text = file_placeholder(path)
    return (json.dumps(text, ensure_ascii=False) if kind == "json" else text).encode("utf-8")


def _reads(contract: dict[str, Any], invocation: Invocation) -> dict[str, str]:
    """Path (``-`` for stdin) -> how it is read, for every file the invocation reads."""
    reads: dict[str, str] = {}
    for flag in flags_of(contract, invocation.command):
        if not flag.get("read") or flag.get("local"):
            continue
        value = invocation.value(flag)
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str):
                reads.setdefault(item, flag["read"])
    return reads


def effects(contract: dict[str, Any], invocation: Invocation) -> requests.Effects:
    """The fixed effects of a documented request (see the module docstring)."""
    reads = _reads(contract, invocation)

    def read_file(path: str, limit: int) -> bytes:
        return _file_bytes(path, reads.get(path, "text"))[: limit + 1]

    def read_stdin(limit: int) -> bytes:
        return _file_bytes("-", reads.get("-", "text"))[: limit + 1]

    return requests.Effects(
        now=lambda: NOW,
        random_bytes=random_bytes,
        read_file=read_file,
        read_stdin=read_stdin,
        base_url=protocol.default_base(contract),
    )


def _given(invocation: Invocation, name: str) -> Any:
    if name in invocation.arguments:
        return invocation.arguments[name]
    return invocation.values.get(name)


def _asked(invocation: Invocation, step: dict[str, Any]) -> bool:
    """A save_credential step's `when` or `reveal` flag was given."""
    return any(step.get(key) and invocation.given(step[key]) for key in ("when", "reveal"))


def step_inputs(contract: dict[str, Any], invocation: Invocation) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(replaced, extra_fields)`` for ``requests.build``: what the command's steps put
    into its request (see the module docstring)."""
    replaced: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for step in invocation.command.get("steps") or ():
        kind = step["kind"]
        if kind == "upload":
            skip = re.compile(step["skip_if"]) if step.get("skip_if") else None
            for name in step.get("values") or ():
                value = _given(invocation, name)
                if value is None:
                    continue

                def swap(item: Any, skip: re.Pattern[str] | None = skip) -> Any:
                    if not isinstance(item, str) or (skip is not None and skip.search(item)):
                        return item
                    return upload_placeholder(item)

                replaced[name] = [swap(v) for v in value] if isinstance(value, list) else swap(value)
        elif kind == "hook":
            for field in step.get("writes") or ():
                extra[field] = hook_placeholder(step["call"])
        elif kind == "save_credential" and step.get("request_field") and _asked(invocation, step):
            extra[step["request_field"]] = True
    return replaced, extra


def _visible(value: Any, swaps: dict[str, str]) -> Any:
    if isinstance(value, str):
        return swaps.get(value, value)
    if isinstance(value, list):
        return [_visible(v, swaps) for v in value]
    if isinstance(value, dict):
        return {k: _visible(v, swaps) for k, v in value.items()}
    return value


def _show_base64(contract: dict[str, Any], invocation: Invocation, request: requests.Request) -> None:
    """Put :func:`base64_placeholder` where a ``read: base64`` file's encoding would be."""
    swaps = {
        base64.b64encode(_file_bytes(path, kind)).decode("ascii"): base64_placeholder(path)
        for path, kind in _reads(contract, invocation).items()
        if kind == "base64"
    }
    if not swaps:
        return
    request.query[:] = [(k, swaps.get(v, v)) for k, v in request.query]
    request.headers[:] = [(k, swaps.get(v, v)) for k, v in request.headers]
    request.body = _visible(request.body, swaps)


# --------------------------------------------------------------------------- the credential


@dataclass(frozen=True)
class CredentialSlot:
    """Where the credential goes: ``header`` or ``query`` ``name``, as ``prefix`` + ``placeholder``.

    ``variable`` is true when the placeholder is a shell variable (``$NAME``).
    """

    place: str
    name: str
    prefix: str
    placeholder: str
    variable: bool


def credential_slot(contract: dict[str, Any]) -> CredentialSlot | None:
    settings = contract["protocol"].get("credential")
    if not settings:
        return None
    sources = settings.get("sources") or []
    env = next((s["name"] for s in sources if s["kind"] == "env"), None)
    if env:
        placeholder, variable = f"${env}", True
    else:
        first = sources[0] if sources else {"kind": "", "name": ""}
        placeholder = {
            "stdin": "<credential read from stdin>",
            "flag": f"<value of {first['name']}>",
            "config": f"<saved {first['name']}>",
        }.get(first["kind"], "<credential>")
        variable = False
    if settings["scheme"] == "query":
        return CredentialSlot("query", settings["name"], "", placeholder, variable)
    return CredentialSlot(
        "header", settings["name"] or "Authorization", settings.get("prefix") or "", placeholder, variable
    )


# --------------------------------------------------------------------------- one example


@dataclass(frozen=True)
class ExampleRequest:
    """The request of one example: structured (for tests and JSON) and as ``curl``."""

    method: str
    url: str
    headers: list[tuple[str, str]]
    """Headers the mapping sets, then ``Content-Type`` when there is a body."""
    credential: CredentialSlot | None
    body: str | None
    """The JSON body exactly as the client encodes it."""
    warnings: list[str]
    endpoint: str = ""
    """Id of the endpoint the chosen route calls."""
    fields: dict[str, Any] = field(default_factory=dict)
    """The request fields sent (what a cost is computed from)."""

    @property
    def curl(self) -> str:
        return curl(self)


def command_table(contract: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Command path or alias -> command, for :func:`example_request` (``resolve`` builds it per call)."""
    table: dict[str, dict[str, Any]] = {}
    for command in contract["commands"]:
        table.setdefault(command["path"], command)
        for alias in command.get("aliases") or ():
            table.setdefault(alias, command)
    return table


def _parse(contract: dict[str, Any], argv: list[str], table: dict[str, dict[str, Any]] | None) -> Invocation:
    """``parse_argv`` with no environment; with ``table``, the command is looked up in it
    (the same longest-prefix rule) instead of in a table built for each example."""
    if table is None:
        return parse_argv(contract, argv, env={})
    words: list[str] = []
    found: tuple[dict[str, Any] | None, int] = (None, 0)
    for token in argv:
        if token.startswith("-"):
            break
        words.append(token)
        command = table.get(" ".join(words))
        if command is not None:
            found = (command, len(words))
    command, used = found
    if command is None:  # the default command, or an unknown one: the full rules
        return parse_argv(contract, argv, env={})
    invocation = parse(contract, command, argv[used:], env={})
    invocation.words = list(argv[:used])
    return invocation


def example_request(
    contract: dict[str, Any], argv: list[str], table: dict[str, dict[str, Any]] | None = None
) -> ExampleRequest | None:
    """The request ``argv`` sends, or ``None`` when it sends none (a local command, or an
    invocation the client refuses before sending). ``table`` is :func:`command_table` of
    the contract, when the caller resolves many examples."""
    try:
        invocation = _parse(contract, argv, table)
    except Problem:
        return None
    command = invocation.command
    if not command.get("call"):
        return None
    replaced, extra = step_inputs(contract, invocation)
    try:
        built = requests.build(
            contract, invocation, effects=effects(contract, invocation), replaced=replaced, extra_fields=extra
        )
    except Problem:
        return None
    if built is None:
        return None
    request = built.request
    _show_base64(contract, invocation, request)
    base = protocol.default_base(contract) or ""
    mode = protocol.needs_credential(contract, command, request.endpoint, base)
    slot = credential_slot(contract) if mode != "none" else None
    headers = list(request.headers)
    body = request.body_bytes()
    if body is not None:
        headers.append(("Content-Type", "application/json"))
    return ExampleRequest(
        method=request.method,
        url=base + request.target(),
        headers=headers,
        credential=slot,
        body=None if body is None else body.decode("utf-8"),
        warnings=list(built.warnings),
        endpoint=str(built.route["endpoint"]),
        fields=dict(built.fields),
    )


def _credential_word(prefix: str, slot: CredentialSlot) -> str:
    """``prefix`` then the placeholder, as one shell word that expands a variable."""
    if not slot.variable:
        return shlex.quote(prefix + slot.placeholder)
    if _SAFE_SHELL.match(prefix):
        return f'"{prefix}{slot.placeholder}"'
    return (shlex.quote(prefix) if prefix else "") + f'"{slot.placeholder}"'


def curl(request: ExampleRequest) -> str:
    """The request as a ``curl`` command, one option a line."""
    slot = request.credential
    url = shlex.quote(request.url)
    if slot is not None and slot.place == "query":
        joiner = "&" if "?" in request.url else "?"
        url = _credential_word(request.url + joiner + slot.name + "=", slot)
    first = "curl -sS" + ("" if request.method == "GET" else f" -X {request.method}") + " " + url
    lines = [first]
    if slot is not None and slot.place == "header":
        lines.append("-H " + _credential_word(f"{slot.name}: {slot.prefix}", slot))
    lines += ["-H " + shlex.quote(f"{name}: {value}") for name, value in request.headers]
    if request.body is not None:
        lines.append("-d " + shlex.quote(request.body))
    return " \\\n  ".join(lines)


__all__ = [
    "NOW",
    "CredentialSlot",
    "ExampleRequest",
    "base64_placeholder",
    "command_table",
    "credential_slot",
    "curl",
    "effects",
    "example_request",
    "file_placeholder",
    "hook_placeholder",
    "random_bytes",
    "step_inputs",
    "upload_placeholder",
]
