"""The argv grammar of a product's client, read from the compiled contract.

Standard library only, and shipped in every client wheel: ``skillpress validate`` checks
each documented example with this module, and the client parses its real argv with it,
so an example that validates is an invocation the client accepts.

Command resolution: the longest run of leading words that is a command path or alias
wins. When no command matches and the contract declares a default command, a first word
that looks like a URL (or any word, with ``when: any``) runs that command with the whole
argv as its tokens.

Grammar of the tokens after the command words:

* ``--name=value`` always gives ``value`` to ``--name``; ``--name value``: a flag that
  takes a value consumes the next token, whatever it is;
* ``-x VALUE`` and ``-x=VALUE`` for a flag's one-letter ``short`` form (never ``-xVALUE``,
  never bundled letters);
* a switch (boolean) takes no separate value: ``--name``, ``--name=true|false``, and
  ``--no-name`` when it is ``negatable``;
* ``--`` ends flag parsing; ``-`` and negative numbers (``-5``, ``-0.5``) are positionals;
* a flag given neither way takes its ``env`` variable's value when that is set and not
  empty (flag > env > default), unless another flag of one of its groups was given;
* positionals fill the arguments in order; a ``variadic`` argument (the last) takes all
  the rest; an argument with a ``flag`` may be given by that flag instead;
* ``required`` flags, ``one_of`` groups (exactly one) and ``at_most_one_of`` groups are
  checked last.

Transforms ``trim``, ``lower`` and ``upper`` apply to the text before it is converted and
checked against ``choices``; ``omit-empty`` belongs to the request mapping.

This module never reads ``os.environ`` itself: callers pass the environment (the
validator passes none, so examples must be complete on their own).
"""

from __future__ import annotations

import math

# The client starts on every agent call: no ``typing`` or ``dataclasses`` at run time.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence
    from typing import Any


class Problem(Exception):
    """Something the client detects itself; ``situation`` names the error it becomes.

    The runtime maps ``situation`` to an error code through ``protocol.situation_code``.
    """

    situation = "internal"

    def __init__(self, message: str, *, flag: str | None = None, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.flag = flag
        self.hint = hint


class UsageProblem(Problem):
    """A bad invocation (or bad input named by one): the ``usage`` situation."""

    situation = "usage"


class UnknownCommand(UsageProblem):
    """No command matches the leading words: the ``unknown_command`` situation."""

    situation = "unknown_command"


class LocalFileProblem(Problem):
    """A file named by a flag could not be read: the ``local_file`` situation."""

    situation = "local_file"


class Invocation:
    """A parsed command line.

    * ``command``: the contract's command dict; ``words``: the argv words that named it
      (empty when the default command ran, then ``default_command`` is true);
    * ``values``: flag values by canonical name (``--name``), from argv or env only;
      defaults are not filled in here (see :meth:`value`);
    * ``given_as``: canonical name -> spelling used (``--out``, ``-o``, ``--no-x``) or the
      environment variable's name; ``sources``: canonical name -> ``argv`` or ``env``;
    * ``positionals``: the raw positional tokens; ``arguments``: argument name -> value
      (a list for a variadic one), including arguments given through their flag.
    """

    __slots__ = ("arguments", "command", "default_command", "given_as", "positionals", "sources", "values", "words")

    def __init__(self, command: dict[str, Any]) -> None:
        self.command = command
        self.words: list[str] = []
        self.default_command = False
        self.values: dict[str, Any] = {}
        self.given_as: dict[str, str] = {}
        self.sources: dict[str, str] = {}
        self.positionals: list[str] = []
        self.arguments: dict[str, Any] = {}

    @property
    def path(self) -> str:
        return str(self.command["path"])

    def given(self, name: str) -> bool:
        return name in self.values

    def value(self, flag: dict[str, Any]) -> Any:
        """The flag's value from argv or env, else its typed default (``None`` if none)."""
        if flag["name"] in self.values:
            return self.values[flag["name"]]
        return typed_default(flag)

    def __repr__(self) -> str:
        return (
            f"Invocation(path={self.path!r}, values={self.values!r}, given_as={self.given_as!r}, "
            f"arguments={self.arguments!r})"
        )


# --------------------------------------------------------------------------- values


def _transform(raw: str, transform: Sequence[str]) -> str:
    for step in transform:
        if step == "trim":
            raw = raw.strip()
        elif step == "lower":
            raw = raw.lower()
        elif step == "upper":
            raw = raw.upper()
    return raw


def convert(kind: str, raw: str, what: str, choices: Sequence[str] = (), transform: Sequence[str] = ()) -> Any:
    """Convert ``raw`` to the spec type ``kind``; raise :class:`UsageProblem` if it does not fit.

    ``what`` names the input in messages (a flag, an argument or a variable).
    """
    if transform and kind != "csv":
        raw = _transform(raw, transform)
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
        except (ValueError, RecursionError) as exc:
            detail = (
                f"{exc.msg} at position {exc.pos}" if isinstance(exc, json.JSONDecodeError) else "too deeply nested"
            )
            raise UsageProblem(f"{what} expects JSON: {detail}", flag=what) from None
        if not isinstance(value, dict):
            raise UsageProblem(f"{what} expects a JSON object", flag=what)
    elif kind == "csv":
        value = [_transform(part.strip(), transform) for part in raw.split(",") if part.strip()]
        if choices:
            for item in value:
                if item not in choices:
                    raise UsageProblem(f"{what} must list only {', '.join(choices)}; got {item!r}", flag=what)
        return value
    if choices and raw not in choices:
        raise UsageProblem(f"{what} must be one of {', '.join(choices)}; got {raw!r}", flag=what)
    return value


_ENV_SWITCH = {"true": True, "1": True, "yes": True, "on": True, "false": False, "0": False, "no": False, "off": False}


def typed_default(flag: dict[str, Any]) -> Any:
    """A flag's declared default in the flag's type (a csv text becomes a list)."""
    default = flag.get("default")
    if default is None:
        return None
    kind = flag.get("type", "string")
    if isinstance(default, str) and kind in ("csv", "json", "integer", "number"):
        try:
            return convert(kind, default, flag["name"], (), flag.get("transform") or ())
        except UsageProblem:
            return default
    if kind == "number" and isinstance(default, int) and not isinstance(default, bool):
        return float(default)
    return default


def looks_like_url(text: str) -> bool:
    """``http(s)://...`` or a bare host name with a dot and a top-level domain (``example.com/a``)."""
    if not text or any(ch.isspace() for ch in text):
        return False
    lowered = text.lower()
    if lowered.startswith(("http://", "https://")):
        return len(text) > lowered.index("//") + 2
    host, _, _ = text.partition("/")
    host, _, port = host.partition(":")
    if port and not port.isdigit():
        return False
    labels = host.split(".")
    if len(labels) < 2:
        return False
    for label in labels:
        if not label or len(label) > 63 or label[0] == "-" or label[-1] == "-":
            return False
        if not all(ch.isascii() and (ch.isalnum() or ch == "-") for ch in label):
            return False
    tld = labels[-1]
    return len(tld) >= 2 and tld.isalpha()


# --------------------------------------------------------------------------- commands


# The last few contracts' path tables, keyed by identity; each entry keeps its contract
# alive, so an id is never reused while it is cached. ``validate`` resolves every example
# of a spec against one contract: without this, that is commands x examples.
_TABLES: list[tuple[dict[str, Any], int, dict[str, dict[str, Any]]]] = []


def _path_table(contract: dict[str, Any]) -> dict[str, dict[str, Any]]:
    commands = contract["commands"]
    for owner, count, table in _TABLES:
        if owner is contract and count == len(commands):
            return table
    table = {}
    for command in commands:
        table.setdefault(command["path"], command)
        for alias in command.get("aliases") or ():
            table.setdefault(alias, command)
    _TABLES.insert(0, (contract, len(commands), table))
    del _TABLES[4:]
    return table


def resolve(contract: dict[str, Any], argv: Sequence[str]) -> tuple[dict[str, Any] | None, int]:
    """Longest command path (or alias) that prefixes ``argv``; the command and its word count."""
    table = _path_table(contract)
    words: list[str] = []
    best: tuple[dict[str, Any] | None, int] = (None, 0)
    for token in argv:
        if token.startswith("-"):
            break
        words.append(token)
        found = table.get(" ".join(words))
        if found is not None:
            best = (found, len(words))
    return best


def command_by_path(contract: dict[str, Any], path: str) -> dict[str, Any] | None:
    return _path_table(contract).get(path)


def parse_argv(contract: dict[str, Any], argv: Sequence[str], env: Mapping[str, str] | None = None) -> Invocation:
    """Resolve the command (or the default command) and parse the rest of ``argv``."""
    command, used = resolve(contract, argv)
    prepended = False
    if command is None:
        default = (contract.get("protocol") or {}).get("default_command")
        first = argv[0] if argv else ""
        if default and first and not first.startswith("-") and (default["when"] == "any" or looks_like_url(first)):
            command = command_by_path(contract, default["command"])
            prepended = command is not None
    if command is None:
        known = sorted(
            {c["path"] for c in contract["commands"]}
            | {a for c in contract["commands"] for a in c.get("aliases") or ()}
        )
        words = _unknown_words(argv, known)
        if not words:
            raise UnknownCommand("no command given", hint="run the help command to list the commands")
        close = _closest(words, known)
        raise UnknownCommand(f"'{words}' is not a command", hint=f"did you mean '{close}'?" if close else None)
    invocation = parse(contract, command, list(argv)[used:], env)
    invocation.words = list(argv)[:used]
    invocation.default_command = prepended
    return invocation


def _unknown_words(argv: Sequence[str], known: list[str]) -> str:
    """The leading words that begin some command path, plus the first that does not."""
    words: list[str] = []
    for token in argv:
        if token.startswith("-"):
            break
        words.append(token)
        prefix = " ".join(words) + " "
        if not any(path.startswith(prefix) for path in known):
            break
    return " ".join(words)


def flags_of(contract: dict[str, Any], command: dict[str, Any]) -> list[dict[str, Any]]:
    """The flags a command accepts: the global flags, then its own."""
    return [*contract.get("global_flags", ()), *command.get("flags", ())]


def find_flag(contract: dict[str, Any], command: dict[str, Any], name: str) -> dict[str, Any] | None:
    """The flag that ``name`` spells (long name, alias or short form), or ``None``."""
    for flag in flags_of(contract, command):
        if name == flag["name"] or name == flag.get("short") or name in _long_names(flag):
            return flag
    return None


def _long_names(flag: dict[str, Any]) -> list[str]:
    return [flag["name"], *(flag.get("aliases") or ()), *(flag.get("compatibility_aliases") or ())]


def _is_number(token: str) -> bool:
    try:
        float(token)
    except ValueError:
        return False
    return True


def parse(
    contract: dict[str, Any],
    command: dict[str, Any],
    tokens: Sequence[str],
    env: Mapping[str, str] | None = None,
) -> Invocation:
    """Parse the tokens that follow the command words of ``command``."""
    flags = flags_of(contract, command)
    longs: dict[str, dict[str, Any]] = {}
    shorts: dict[str, dict[str, Any]] = {}
    negated: dict[str, dict[str, Any]] = {}
    for each in flags:
        for name in _long_names(each):
            longs[name] = each
            if each.get("negatable"):
                negated["--no-" + name[2:]] = each
        if each.get("short"):
            shorts[each["short"]] = each
    result = Invocation(command)
    path = command["path"]
    i = 0
    only_positionals = False
    while i < len(tokens):
        token = tokens[i]
        i += 1
        if only_positionals or not token.startswith("-") or token == "-":
            result.positionals.append(token)
            continue
        if token == "--":
            only_positionals = True
            continue
        name, has_inline, inline = token.partition("=")
        flag: dict[str, Any] | None = longs.get(name) if token.startswith("--") else shorts.get(name)
        negative = False
        if flag is None and name in negated:
            flag, negative = negated[name], True
        if flag is None:
            if not token.startswith("--") and _is_number(token):
                result.positionals.append(token)
                continue
            raise _unknown_flag(name, path, longs, shorts)
        kind = flag.get("type", "string")
        if negative:
            if has_inline:
                raise UsageProblem(f"{name} takes no value", flag=name)
            value: Any = False
        else:
            if kind == "boolean":
                raw = inline if has_inline else "true"
            elif has_inline:
                raw = inline
            elif i < len(tokens):
                raw = tokens[i]
                i += 1
            else:
                raise UsageProblem(f"{name} needs a value", flag=name)
            value = convert(kind, raw, name, tuple(flag.get("choices") or ()), flag.get("transform") or ())
        _store(result, flag, name, value, "argv")
    _fill_from_env(result, flags, command, env or {})
    _bind_arguments(result, command)
    _check_flags(result, command, longs)
    return result


def _unknown_flag(
    name: str, path: str, longs: dict[str, dict[str, Any]], shorts: dict[str, dict[str, Any]]
) -> UsageProblem:
    hint = None
    if not name.startswith("--") and name[:2] in shorts:
        hint = f"write {name[:2]} VALUE or {name[:2]}=VALUE"
    else:
        close = _closest(name, sorted(longs))
        if close:
            hint = f"did you mean {close}?"
    return UsageProblem(f"unknown flag {name} for '{path}'", flag=name, hint=hint)


def _store(result: Invocation, flag: dict[str, Any], spelling: str, value: Any, source: str) -> None:
    canonical = flag["name"]
    if flag.get("repeatable"):
        result.values.setdefault(canonical, []).append(value)
    else:
        if canonical in result.values and result.given_as.get(canonical) != spelling:
            raise UsageProblem(
                f"{spelling} and {result.given_as[canonical]} name the same flag; give it once", flag=spelling
            )
        if canonical in result.values:
            raise UsageProblem(f"{spelling} was given more than once", flag=spelling)
        result.values[canonical] = value
    result.given_as[canonical] = spelling
    result.sources[canonical] = source


def _groups_of(command: dict[str, Any]) -> list[list[str]]:
    return [list(g) for g in command.get("one_of") or ()] + [list(g) for g in command.get("at_most_one_of") or ()]


def _fill_from_env(
    result: Invocation, flags: Iterable[dict[str, Any]], command: dict[str, Any], env: Mapping[str, str]
) -> None:
    if not env:
        return
    groups = _groups_of(command)
    for flag in flags:
        var = flag.get("env")
        canonical = flag["name"]
        if not var or canonical in result.values:
            continue
        raw = env.get(var)
        if raw is None or not raw.strip():
            continue  # an empty variable counts as unset
        names = set(_long_names(flag))
        if any(names & set(group) and any(_given_on_argv(result, n, flags) for n in group) for group in groups):
            continue  # another flag of its group was given: the variable does not join in
        kind = flag.get("type", "string")
        what = f"{var} (for {canonical})"
        if kind == "boolean":
            switch = _ENV_SWITCH.get(raw.strip().lower())
            if switch is None:
                raise UsageProblem(f"{what} must be true or false, got {raw!r}", flag=canonical)
            value: Any = switch
        else:
            value = convert(kind, raw, what, tuple(flag.get("choices") or ()), flag.get("transform") or ())
        if flag.get("repeatable"):
            result.values[canonical] = [value]
        else:
            result.values[canonical] = value
        result.given_as[canonical] = var
        result.sources[canonical] = "env"


def _given_on_argv(result: Invocation, name: str, flags: Iterable[dict[str, Any]]) -> bool:
    for flag in flags:
        if name in _long_names(flag):
            return result.sources.get(flag["name"]) == "argv"
    return False


def _bind_arguments(result: Invocation, command: dict[str, Any]) -> None:
    positionals = list(result.positionals)
    path = command["path"]
    for argument in command.get("arguments") or ():
        name = argument["name"]
        via = argument.get("flag")
        if via:
            flag = _flag_named(result, via)
            if flag is not None and flag["name"] in result.values:
                result.arguments[name] = result.values[flag["name"]]
                continue
        kind = argument.get("type", "string")
        transform = argument.get("transform") or ()
        choices = tuple(argument.get("choices") or ())
        if argument.get("variadic"):
            taken = [convert(kind, raw, name, choices, transform) for raw in positionals]
            positionals = []
            if taken:
                result.arguments[name] = taken
            elif argument.get("required", True):
                raise UsageProblem(f"'{path}' needs {name}", flag=name)
        elif positionals:
            result.arguments[name] = convert(kind, positionals.pop(0), name, choices, transform)
        elif argument.get("required", True):
            raise UsageProblem(f"'{path}' needs {name}", flag=name)
    if positionals:
        raise UsageProblem(
            f"unexpected argument {positionals[0]!r} for '{path}'",
            hint="quote values that contain spaces; flags start with --",
        )


def _flag_named(result: Invocation, name: str) -> dict[str, Any] | None:
    for flag in result.command.get("flags") or ():
        if name in _long_names(flag):
            return flag
    return None


def _check_flags(result: Invocation, command: dict[str, Any], longs: dict[str, dict[str, Any]]) -> None:
    path = command["path"]
    for flag in command.get("flags") or ():
        if flag.get("required") and flag["name"] not in result.values:
            raise UsageProblem(f"'{path}' requires {flag['name']}", flag=flag["name"])

    def given(group: list[str]) -> list[str]:
        return [name for name in group if name in longs and longs[name]["name"] in result.values]

    for group in command.get("one_of") or ():
        found = given(group)
        if len(found) != 1:
            listing = ", ".join(group)
            if found:
                raise UsageProblem(f"give only one of {listing} (got {', '.join(found)})", flag=found[1])
            raise UsageProblem(f"'{path}' needs exactly one of {listing}", flag=group[0])
    for group in command.get("at_most_one_of") or ():
        found = given(group)
        if len(found) > 1:
            raise UsageProblem(f"give at most one of {', '.join(group)} (got {', '.join(found)})", flag=found[1])


def _closest(name: str, candidates: list[str]) -> str | None:
    import difflib

    found = difflib.get_close_matches(name, candidates, n=1, cutoff=0.6)
    return found[0] if found else None
