"""The client runtime: one invocation, from argv to an :class:`Outcome`, read from the contract.

Standard library only. :func:`execute` is the seam every front end uses (the console
script, ``skillpress client run``, tests, a later MCP server): it takes the compiled
contract, the argv words and the environment, and returns what the run printed and
its exit code, without touching ``sys.stdout``.

One run:

1. **Output mode**: the protocol's JSON switch (and pretty switch) are looked for
   first, so even a bad invocation answers in the asked form.
2. **Command**: a first word ``--version`` or ``--help``/``-h`` (or nothing) runs the
   command that has a ``version`` or ``help`` step; otherwise ``invocation.parse_argv``
   (the grammar the validator checks examples with) resolves and parses. ``--help``
   after a command's words, when the command declares no such flag, prints its usage.
3. **Local step** (``credential``, ``status``, ``help``, ``version``): run it, done.
4. **Call**: the ``before`` steps (``upload``, ``hook``) give replaced values and extra
   fields; ``requests.build`` makes THE request; the base URL and the credential come
   from ``protocol``; the request is sent (retries as the protocol says, one overall
   deadline per exchange), and the reply read by ``protocol.interpret``.
5. **After steps** in order (``poll``, ``download``, ``save_credential``, ``copy``,
   ``print``, ``write_output``) on the reply's data.
6. **Output**: see ``_render``. Every exit code is the exit code of an error code: a
   situation the client detects (``usage``, ``network``, ...) names its error code in
   ``protocol.errors``, a reply names its own or gets its HTTP status's.

Nothing a run prints holds a credential: the credential in use, a credential a reply
issued (unless the step's reveal switch is given) and every secret flag's value are
redacted from values and object keys alike.
"""

from __future__ import annotations

import os
import sys

from ..contract import invocation as grammar
from ..contract import protocol
from ..contract.invocation import Problem
from . import output

TYPE_CHECKING = False
STDIN_LIMIT = 1024 * 1024  # a credential read from standard input is far shorter
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from typing import Any

    from ..contract.requests import Request


class Failure(Exception):
    """The run stops with error ``code`` (its exit code from the spec unless given)."""

    def __init__(
        self,
        code: str,
        message: str,
        *,
        exit_code: int | None = None,
        retryable: bool | None = None,
        recovery: Any = None,
        trace_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.exit_code = exit_code
        self.retryable = retryable
        self.recovery = recovery
        self.trace_id = trace_id


class Outcome:
    """What one run did: ``exit_code``, ``ok``, ``data`` or ``error`` (a dict with
    ``code``, ``message``, ``retryable`` and maybe ``recovery``), ``warnings``, and the
    bytes it printed on ``stdout`` and ``stderr``."""

    __slots__ = ("data", "error", "exit_code", "ok", "stderr", "stdout", "warnings")

    def __init__(self) -> None:
        self.exit_code = 0
        self.ok = True
        self.data: Any = None
        self.error: dict[str, Any] | None = None
        self.warnings: list[str] = []
        self.stdout = b""
        self.stderr = b""

    def __repr__(self) -> str:
        return f"Outcome(exit={self.exit_code}, ok={self.ok}, error={self.error!r})"


def _monotonic() -> float:
    import time

    return time.monotonic()


def _sleep(seconds: float) -> None:
    import time

    time.sleep(seconds)


class Run:
    """Everything one invocation needs; the steps read and write it."""

    def __init__(
        self,
        contract: dict[str, Any],
        env: Mapping[str, str],
        *,
        stdin: Any,
        stdin_is_tty: bool,
        bundle_dir: str | None,
        hooks_dir: str | None,
        sleep: Callable[[float], None],
        clock: Callable[[], float],
        home: str | None,
    ) -> None:
        self.contract = contract
        self.env = env
        self.stdin = stdin
        self.stdin_is_tty = stdin_is_tty
        self.bundle_dir = bundle_dir
        self.hooks_dir = hooks_dir
        self.sleep = sleep
        self.clock = clock
        self.home = home
        self.command: dict[str, Any] = {}
        self.invocation: grammar.Invocation | None = None
        self.json_mode = False
        self.pretty = False
        self.secrets: list[str] = []
        self.warnings: list[str] = []
        self.text: str | None = None  # what to print instead of the data (print step, local steps)
        self.note: str | None = None  # what to print after write_output wrote the text
        self.write_to: tuple[str, dict[str, Any]] | None = None
        self.trace_id: str | None = None
        self.envelope_extra: dict[str, Any] = {}
        self._base: protocol.Base | None = None
        self._config: dict[str, Any] | None = None
        self._credential: protocol.Credential | bool | None = False
        self._stdin_text: str | None = None

    # ------------------------------------------------------------------ lookups

    @property
    def p(self) -> dict[str, Any]:
        return dict(self.contract["protocol"])

    @property
    def inv(self) -> grammar.Invocation:
        assert self.invocation is not None
        return self.invocation

    @property
    def label(self) -> str:
        cli = self.contract["product"]["cli_name"]
        return f"{cli} {self.command['path']}" if self.command else cli

    def flag(self, name: str | None) -> dict[str, Any] | None:
        if not name or not self.command:
            return None
        return grammar.find_flag(self.contract, self.command, name)

    def given(self, name: str | None) -> bool:
        """A switch or flag named in a step was given (a switch given as false counts as absent)."""
        if not name or self.invocation is None:
            return False
        value = self.inv.values.get(name)
        if value is None:
            value = self.inv.arguments.get(name)
        return value is not None and value is not False and value != []

    def value(self, name: str | None) -> Any:
        if not name or self.invocation is None:
            return None
        if name in self.inv.arguments:
            return self.inv.arguments[name]
        flag = self.flag(name)
        return self.inv.value(flag) if flag is not None else None

    def fail(self, situation: str, message: str, **extra: Any) -> Failure:
        code, _ = protocol.situation_exit(self.contract, situation)
        return Failure(code, message, **extra)

    def fail_or(self, situation: str, fallback: str, message: str, **extra: Any) -> Failure:
        """``fail`` with ``situation`` when the spec names a code for it, else with ``fallback``."""
        declared = (self.p.get("errors") or {}).get(situation)
        return self.fail(situation if declared else fallback, message, **extra)

    # ------------------------------------------------------------------ base, config, credential

    def base(self) -> protocol.Base:
        if self._base is None:
            values = self.inv.values if self.invocation is not None else {}
            self._base = protocol.resolve_base(self.contract, values, self.env)
        return self._base

    def config_path(self) -> str | None:
        return protocol.config_path(self.contract, self.env, self.home)

    def config(self) -> dict[str, Any]:
        if self._config is None:
            from .files import read_config

            self._config = read_config(self.config_path())
        return self._config

    def read_stdin_text(self) -> str:
        """Standard input as text (a credential): more than ``STDIN_LIMIT`` bytes is refused, never cut."""
        if self._stdin_text is None:
            raw = self.stdin.read(STDIN_LIMIT + 1) if self.stdin is not None else b""
            if len(raw) > STDIN_LIMIT:
                raise self.fail("usage", f"standard input holds more than {STDIN_LIMIT} bytes; nothing was read")
            self._stdin_text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw or "")
        return self._stdin_text

    def credential(self) -> protocol.Credential | None:
        if self._credential is False:
            settings = self.p.get("credential") or {}
            config = self.config() if any(s["kind"] == "config" for s in settings.get("sources") or ()) else {}
            found = protocol.resolve_credential(
                self.contract,
                self.inv.values,
                self.env,
                config=config,
                read_stdin=self.read_stdin_text,
                stdin_is_tty=self.stdin_is_tty,
            )
            if found is not None:
                self.secrets.append(found.secret)
            self._credential = found
        cached = self._credential
        return cached if isinstance(cached, protocol.Credential) else None

    def credential_for(self, endpoint_id: str | None) -> str | None:
        """The credential to send with a call of ``endpoint_id`` (``None``: none is sent)."""
        mode = protocol.needs_credential(self.contract, self.command, endpoint_id, self.base().url)
        if mode == "none":
            return None
        found = self.credential()
        if found is None:
            if mode == "required":
                raise self.fail("credential_missing", f"'{self.command['path']}' needs a credential and none was found")
            return None
        refusal = protocol.credential_refusal(self.contract, found, self.base().url, self.config())
        if refusal:
            raise self.fail("base_refused", refusal)
        return found.secret

    # ------------------------------------------------------------------ calls

    def send(self, request: Request, secret: str | None) -> protocol.Reply:
        """Send ``request`` to the base (retrying as the protocol says) and read the reply."""
        from ..contract.requests import Request as _Request  # noqa: F401 - typing only
        from . import transport

        if secret is not None:
            protocol.apply_credential(self.contract, request, secret)
        url = self.base().url + request.target()
        product = self.contract["product"]
        headers = [("Accept", "application/json"), ("User-Agent", f"{product['cli_name']}/{product['version']}")]
        body = request.body_bytes()
        if body is not None:
            headers.append(("Content-Type", "application/json"))
        headers += request.headers
        settings = self.p.get("credential") or {}
        secret_headers = [settings.get("name") or "Authorization", "Authorization"]
        seconds = float(self.p["timeouts"]["request_seconds"])
        attempt = 0
        while True:
            attempt += 1
            try:
                response = transport.send(
                    request.method, url, headers, body, seconds=seconds, secret_headers=secret_headers
                )
            except transport.TransportError as exc:
                if exc.kind == "timeout":
                    raise self.fail(
                        "timeout", f"the API gave no complete answer within {_num(seconds)} seconds"
                    ) from None
                if exc.kind in ("too_large", "short"):
                    raise self.fail("bad_reply", f"the API's reply could not be read: {exc.message}") from None
                wait = protocol.retry_delay(self.contract, request.method, 503, attempt)
                if wait is not None:
                    self.sleep(wait)
                    continue
                raise self.fail(
                    "network",
                    f"could not reach the API at {self.base().url}: {exc.message}",
                    retryable=True,
                    recovery={"retry_after_seconds": 5},
                ) from None
            wait = protocol.retry_delay(
                self.contract, request.method, response.status, attempt, response.header("retry-after")
            )
            if wait is not None:
                self.sleep(wait)
                continue
            return protocol.interpret(self.contract, request.endpoint, response.status, response.headers, response.body)

    def failure_of(self, reply: protocol.Reply) -> Failure:
        recovery = reply.recovery
        return Failure(
            reply.error_code or protocol.situation_code(self.contract, "internal"),
            reply.message or f"the API answered HTTP {reply.status}",
            exit_code=reply.exit_code,
            retryable=reply.retryable,
            recovery=recovery,
            trace_id=reply.trace_id,
        )

    def call(self, request: Request, endpoint_id: str | None = None) -> protocol.Reply:
        """Send with the credential this endpoint takes; a failed reply raises."""
        secret = self.credential_for(endpoint_id or request.endpoint)
        reply = self.send(request, secret)
        if not reply.ok:
            raise self.failure_of(reply)
        if reply.trace_id:
            self.trace_id = reply.trace_id
        return reply


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


# ---------------------------------------------------------------------- the run


def _switch_given(tokens: list[str], flag: dict[str, Any] | None) -> bool:
    """Whether a global switch is on, read from the raw tokens (before parsing)."""
    if not flag:
        return False
    names = [flag["name"], *(flag.get("aliases") or ()), *(flag.get("compatibility_aliases") or ())]
    if flag.get("short"):
        names.append(flag["short"])
    on = False
    for token in tokens:
        if token == "--":
            break
        name, has_value, value = token.partition("=")
        if name in names:
            on = value.strip().lower() != "false" if has_value else True
        elif flag.get("negatable") and name == "--no-" + flag["name"][2:]:
            on = False
    return on


def _global(contract: dict[str, Any], name: str | None) -> dict[str, Any] | None:
    if not name:
        return None
    for flag in contract.get("global_flags") or ():
        if flag["name"] == name:
            return dict(flag)
    return None


def _command_with_step(contract: dict[str, Any], kind: str) -> dict[str, Any]:
    """The command that has a ``kind`` step; a spec without one still gets ``--help`` and
    ``--version`` (a hidden command that is nothing but that step)."""
    for command in contract["commands"]:
        if any(step["kind"] == kind for step in command.get("steps") or ()):
            return dict(command)
    return {
        "id": kind,
        "path": kind,
        "summary": "",
        "aliases": [],
        "hidden": True,
        "auth": "none",
        "flags": [],
        "arguments": [],
        "one_of": [],
        "at_most_one_of": [],
        "routes": [],
        "steps": [{"kind": kind, "phase": "local"}],
        "call": False,
    }


def execute(
    contract: dict[str, Any],
    argv: list[str],
    env: Mapping[str, str] | None = None,
    *,
    stdin: Any = None,
    stdin_is_tty: bool = False,
    bundle_dir: str | None = None,
    hooks_dir: str | None = None,
    sleep: Callable[[float], None] | None = None,
    clock: Callable[[], float] | None = None,
    home: str | None = None,
) -> Outcome:
    """Run one invocation of the product's client and return what it printed and its exit code.

    ``stdin`` is a binary stream (read only by a stdin credential source or a ``-``
    file); ``bundle_dir`` holds ``SKILL.md`` for ``help``'s skill switch;
    ``hooks_dir`` is the product's hooks package; ``sleep`` and ``clock`` drive polls
    and retry pauses (tests pass fakes).
    """
    run = Run(
        contract,
        dict(os.environ if env is None else env),
        stdin=stdin,
        stdin_is_tty=stdin_is_tty,
        bundle_dir=bundle_dir,
        hooks_dir=hooks_dir,
        sleep=sleep or _sleep,
        clock=clock or _monotonic,
        home=home,
    )
    outcome = Outcome()
    tokens = list(argv)
    settings = contract["protocol"]["output"]
    run.json_mode = _switch_given(tokens, _global(contract, settings.get("json_flag")))
    run.pretty = _switch_given(tokens, _global(contract, settings.get("pretty_flag")))
    data: Any = None
    try:
        data = _dispatch(run, tokens)
        outcome.data = data
    except Failure as stop:
        _fail_outcome(run, outcome, stop)
    except Problem as problem:
        _fail_outcome(run, outcome, _from_problem(run, problem))
    except RecursionError:
        _fail_outcome(run, outcome, run.fail("bad_reply", "the reply nests too deeply to read"))
    outcome.warnings = list(run.warnings)
    _render(run, outcome)
    return outcome


def _exit(contract: dict[str, Any], code: str) -> int:
    return protocol.exit_code(contract, code)


def _from_problem(run: Run, problem: Problem) -> Failure:
    situation = getattr(problem, "situation", "internal")
    code, _ = protocol.situation_exit(run.contract, situation)
    recovery: dict[str, Any] = {}
    if problem.flag:
        recovery["flag"] = problem.flag
    if problem.hint:
        recovery["hint"] = problem.hint
    if situation in ("usage", "unknown_command"):
        cli = run.contract["product"]["cli_name"]
        path = run.command.get("path") if run.command else None
        recovery["suggested_command"] = f"{cli} {path} --help" if path else f"{cli} --help"
    return Failure(code, problem.message, recovery=recovery or None)


def _error_block(run: Run, failure: Failure) -> dict[str, Any]:
    entry = (run.contract.get("error_codes") or {}).get(failure.code) or {}
    retryable = failure.retryable if failure.retryable is not None else bool(entry.get("retryable"))
    block: dict[str, Any] = {"code": failure.code, "message": failure.message, "retryable": retryable}
    recovery = failure.recovery
    if isinstance(recovery, dict) or recovery is None:
        recovery = dict(recovery or {})
        if entry.get("recovery") and "hint" not in recovery:
            recovery["hint"] = entry["recovery"]
        docs = (run.contract.get("urls") or {}).get("cli")
        if docs and "docs_url" not in recovery and failure.recovery is None:
            recovery["docs_url"] = docs
    if recovery:
        block["recovery"] = recovery
    return block


def _dispatch(run: Run, tokens: list[str]) -> Any:
    contract = run.contract
    first = tokens[0] if tokens else None
    if first in (None, "--help", "-h") and grammar.resolve(contract, tokens)[0] is None:
        command = _command_with_step(contract, "help")
        run.command = command
        run.invocation = grammar.parse(contract, command, tokens[1:], run.env)
        from . import steps

        return steps.local(run)
    if first in ("--version", "-V") and grammar.resolve(contract, tokens)[0] is None:
        command = _command_with_step(contract, "version")
        run.command = command
        run.invocation = grammar.parse(contract, command, tokens[1:], run.env)
        from . import steps

        return steps.local(run)
    named, used = grammar.resolve(contract, tokens)
    if named is not None:
        run.command = dict(named)
        rest = tokens[used:]
        if _asks_help(contract, named, rest):
            from . import steps

            run.invocation = grammar.Invocation(named)
            return steps.command_help(run, named)
    run.invocation = grammar.parse_argv(contract, tokens, run.env)
    run.command = dict(run.inv.command)
    from . import steps

    if any(step["phase"] == "local" for step in run.command.get("steps") or ()):
        return steps.local(run)
    if not run.command.get("call"):
        raise run.fail("internal", f"'{run.command['path']}' has nothing to do in this client")
    return steps.hosted(run)


def _asks_help(contract: dict[str, Any], command: dict[str, Any], rest: list[str]) -> bool:
    if any(step["kind"] == "help" for step in command.get("steps") or ()):
        return False
    if grammar.find_flag(contract, command, "--help") is not None:
        return False
    for token in rest:
        if token == "--":
            return False
        if token in ("--help", "-h") and grammar.find_flag(contract, command, token) is None:
            return True
    return False


# ---------------------------------------------------------------------- output


def _render(run: Run, outcome: Outcome) -> None:
    """Fill ``outcome.stdout``/``stderr`` (redacted, terminal-safe).

    * ``envelope`` output: one JSON envelope (``ok``, ``command``, ``trace_id``,
      ``data``, ``warnings``, ``error``) with the JSON switch or when the spec asks for
      no readable form; otherwise the readable form. Text a step chose to print (a
      verbatim field, help, the version) is printed as it is without the JSON switch.
    * ``plain`` output: success prints the data as JSON (or the text a step chose);
      a failure prints ``Error: MESSAGE (CODE)`` on stderr and, with the JSON switch,
      ``{"ok": false, "error": {...}}`` on stdout.

    Warnings go to stderr unless they are part of a JSON envelope.
    """
    contract = run.contract
    settings = contract["protocol"]["output"]
    style = settings.get("style") or "envelope"
    secrets = list(run.secrets)
    for flag in grammar.flags_of(contract, run.command) if run.command else contract.get("global_flags") or ():
        if flag.get("secret") and run.invocation is not None:
            value = run.inv.values.get(flag["name"])
            if isinstance(value, str):
                secrets.append(value)
    data = protocol.redact(outcome.data, secrets)
    error = protocol.redact(outcome.error, secrets)
    warnings = [str(w) for w in protocol.redact(outcome.warnings, secrets)]
    outcome.data, outcome.error, outcome.warnings = data, error, warnings
    json_flag = settings.get("json_flag") or ""
    readable = bool(settings.get("readable")) and bool(json_flag)
    text = protocol.redact(run.text, secrets) if run.text is not None else None
    out: str
    err = ""
    if style == "envelope":
        if outcome.ok and text is not None and not run.json_mode and readable:
            out = text
            err = "".join(f"warning: {output.scalar(w)}\n" for w in warnings)
        elif run.json_mode or not readable:
            envelope = {
                **run.envelope_extra,
                "ok": outcome.ok,
                "command": run.label,
                "trace_id": run.trace_id or _local_trace(),
                "data": data if outcome.ok else None,
                "warnings": warnings,
                "error": error,
            }
            out = output.dumps(protocol.redact(envelope, secrets), pretty=True)
        else:
            out = output.readable(run.label, outcome.ok, data, error, warnings, json_flag)
    else:
        err = "".join(f"warning: {output.scalar(w)}\n" for w in warnings)
        if outcome.ok:
            out = text if text is not None else output.dumps(data, pretty=run.pretty)
        else:
            assert error is not None
            err += f"Error: {output.scalar(error.get('message'))} ({output.scalar(error.get('code'))})\n"
            out = output.dumps({"ok": False, "error": error}, pretty=run.pretty) if run.json_mode else ""
    if outcome.ok and run.write_to is not None:
        out = _write_output(run, outcome, out)
        if not outcome.ok:  # the write failed: say so instead
            _render(run, outcome)
            return
    outcome.stdout = out.encode("utf-8", "backslashreplace")
    outcome.stderr = err.encode("utf-8", "backslashreplace")


def _write_output(run: Run, outcome: Outcome, text: str) -> str:
    from .files import Exists, write_whole

    path, step = run.write_to or ("", {})
    run.write_to = None
    replace = bool(step.get("replace")) or run.given(step.get("overwrite"))
    data = text.encode("utf-8", "backslashreplace")
    try:
        size = write_whole(path, lambda handle: handle.write(data), replace=replace)
    except Exists:
        _fail_outcome(run, outcome, run.fail("output_exists", f"{path} exists; nothing was written"))
        return ""
    except OSError as exc:
        _fail_outcome(run, outcome, run.fail("local_file", f"could not write {path}: {exc.strerror or exc}"))
        return ""
    note = {"output": os.path.abspath(path), "bytes": size}
    if run.json_mode:
        return output.dumps(note, pretty=run.pretty)
    return f"wrote {size} bytes to {output.visible(path)}\n"


def _fail_outcome(run: Run, outcome: Outcome, failure: Failure) -> None:
    outcome.ok = False
    outcome.data = None
    run.text = None
    outcome.error = _error_block(run, failure)
    outcome.exit_code = failure.exit_code if failure.exit_code is not None else _exit(run.contract, failure.code)
    if failure.trace_id:
        run.trace_id = failure.trace_id


def _local_trace() -> str:
    return "local_" + os.urandom(8).hex()


def stdin_stream() -> Any:
    return getattr(sys.stdin, "buffer", sys.stdin)
