"""Argument parsing shared by the spec validator and the thin client.

Standard library only: the thin client bundles this module. It works on any objects
that look like the spec model (duck typing), so the validator passes
``skillpress.spec.model.Command`` objects and the client passes the light records it
builds from its bundled command table.

Grammar (after the command path words):

* ``--name=value`` always gives ``value`` to ``--name``;
* ``--name value``: a flag that takes a value consumes the next token, whatever it is;
* a boolean flag takes no separate value (``--name=true|false`` is accepted);
* ``--`` ends flag parsing; every later token is a positional;
* any other token is a positional.

Unlike the 0.1.9 Node client, a boolean flag never swallows a following positional,
and an unknown flag is an error, never silently ignored.
"""

from __future__ import annotations

import math

# The client starts on every agent call, so this module avoids ``typing`` and
# ``dataclasses`` at runtime (together they cost more than the rest of a cold start).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from typing import Any, Protocol

    class FlagLike(Protocol):
        name: str
        required: bool
        repeatable: bool

        @property
        def all_names(self) -> list[str]: ...


class UsageProblem(Exception):
    """A bad invocation: exit code 2 in the client, a diagnostic in the validator."""

    def __init__(self, message: str, *, flag: str | None = None, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.flag = flag
        self.hint = hint


class Invocation:
    """The parsed tokens: flag values by canonical name, the spelling used, positionals."""

    __slots__ = ("given_as", "positionals", "values")

    def __init__(
        self,
        values: dict[str, Any] | None = None,
        given_as: dict[str, str] | None = None,
        positionals: list[str] | None = None,
    ) -> None:
        self.values: dict[str, Any] = {} if values is None else values  # canonical flag name -> value(s)
        self.given_as: dict[str, str] = {} if given_as is None else given_as  # canonical name -> spelling used
        self.positionals: list[str] = [] if positionals is None else positionals

    def __repr__(self) -> str:
        return f"Invocation(values={self.values!r}, given_as={self.given_as!r}, positionals={self.positionals!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Invocation):
            return NotImplemented
        return (self.values, self.given_as, self.positionals) == (other.values, other.given_as, other.positionals)


def _type_name(flag: Any) -> str:
    kind = getattr(flag, "type", "string")
    return str(getattr(kind, "value", kind))


def convert(kind: str, raw: str, what: str, choices: Sequence[str] = ()) -> Any:
    """Convert ``raw`` to the spec type ``kind``; raise :class:`UsageProblem` if it does not fit."""
    value: Any = raw
    if kind == "integer":
        try:
            value = int(raw, 10)
        except ValueError:
            raise UsageProblem(f"{what} expects an integer, got {raw!r}", flag=what) from None
    elif kind == "number":
        try:
            value = float(raw)
        except ValueError:
            raise UsageProblem(f"{what} expects a number, got {raw!r}", flag=what) from None
        if not math.isfinite(value):
            raise UsageProblem(f"{what} expects a finite number, got {raw!r}", flag=what)
    elif kind == "boolean":
        lowered = raw.lower()
        if lowered not in ("true", "false"):
            raise UsageProblem(f"{what} is a switch; only =true or =false may follow it, got {raw!r}", flag=what)
        value = lowered == "true"
    elif kind == "json":
        import json

        try:
            value = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise UsageProblem(f"{what} expects JSON: {exc.msg} at position {exc.pos}", flag=what) from None
        if not isinstance(value, dict):
            raise UsageProblem(f"{what} expects a JSON object", flag=what)
    elif kind == "csv":
        value = [part.strip() for part in raw.split(",") if part.strip()]
    if choices and raw not in choices:
        raise UsageProblem(
            f"{what} must be one of {', '.join(choices)}; got {raw!r}",
            flag=what,
        )
    return value


def _flag_table(flags: Iterable[Any]) -> dict[str, Any]:
    table: dict[str, Any] = {}
    for flag in flags:
        for name in flag.all_names:
            table[name] = flag
    return table


def parse(command: Any, tokens: Sequence[str], global_flags: Iterable[Any] = ()) -> Invocation:
    """Parse the tokens that follow the command path of ``command``."""
    table = _flag_table(list(global_flags))
    table.update(_flag_table(command.flags))
    result = Invocation()
    i = 0
    only_positionals = False
    while i < len(tokens):
        token = tokens[i]
        i += 1
        if only_positionals or not token.startswith("--") or token == "-":
            result.positionals.append(token)
            continue
        if token == "--":
            only_positionals = True
            continue
        name, has_inline, inline = token.partition("=")
        flag = table.get(name)
        if flag is None:
            known = sorted(n for n in table if n.startswith("--"))
            close = _closest(name, known)
            raise UsageProblem(
                f"unknown flag {name} for '{command.path}'",
                flag=name,
                hint=f"did you mean {close}?" if close else None,
            )
        kind = _type_name(flag)
        if kind == "boolean":
            raw = inline if has_inline else "true"
        elif has_inline:
            raw = inline
        elif i < len(tokens):
            raw = tokens[i]
            i += 1
        else:
            raise UsageProblem(f"{name} needs a value", flag=name)
        value = convert(kind, raw, name, tuple(getattr(flag, "choices", ()) or ()))
        canonical = flag.name
        if flag.repeatable:
            result.values.setdefault(canonical, []).append(value)
        else:
            if canonical in result.values and result.given_as.get(canonical) != name:
                raise UsageProblem(
                    f"{name} and {result.given_as[canonical]} name the same flag; give it once",
                    flag=name,
                )
            if canonical in result.values:
                raise UsageProblem(f"{name} was given more than once", flag=name)
            result.values[canonical] = value
        result.given_as[canonical] = name
    _check_shape(command, result)
    return result


def _check_shape(command: Any, result: Invocation) -> None:
    arguments = list(getattr(command, "arguments", ()))
    # A positional argument may also be given through its flag (``--job-id``).
    filled: list[str] = []
    positionals = list(result.positionals)
    for argument in arguments:
        via_flag = getattr(argument, "flag", None)
        if via_flag and via_flag in result.values:
            filled.append(argument.name)
            continue
        if positionals:
            value = positionals.pop(0)
            convert(_type_name(argument), value, argument.name)
            filled.append(argument.name)
        elif argument.required:
            raise UsageProblem(f"'{command.path}' needs {argument.name}", flag=argument.name)
    if positionals:
        raise UsageProblem(
            f"unexpected argument {positionals[0]!r} for '{command.path}'",
            hint="quote values that contain spaces; flags start with --",
        )
    for flag in command.flags:
        if flag.required and flag.name not in result.values:
            raise UsageProblem(f"'{command.path}' requires {flag.name}", flag=flag.name)
    for group in getattr(command, "one_of", ()):
        given = [name for name in group if name in result.values]
        if len(given) != 1:
            listing = ", ".join(group)
            if given:
                raise UsageProblem(f"give only one of {listing} (got {', '.join(given)})", flag=given[1])
            raise UsageProblem(f"'{command.path}' needs exactly one of {listing}", flag=group[0])


def _closest(name: str, candidates: list[str]) -> str | None:
    import difflib

    found = difflib.get_close_matches(name, candidates, n=1, cutoff=0.6)
    return found[0] if found else None
