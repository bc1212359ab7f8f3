"""Entry point of the bundled thin client (``image-skill`` for the example spec).

Standard library only. Startup cost matters (agents run the client many times), so this
module imports little: the table loader, the envelope helpers and the argv parser. HTTP,
hashing and file handling are imported only by the commands that need them.

Flow: load the bundled table → resolve the command (longest path or alias prefix) →
parse argv with the shared parser (the one the validator uses on documented examples)
→ run the command's local behaviour or the generic hosted call → print one envelope →
exit with the code the spec assigns.
"""

from __future__ import annotations

import sys

from . import argv as argv_parser
from .envelope import (
    CliError,
    Redactor,
    emit,
    error_block,
    exit_code_for,
    local_envelope,
)
from .table import CommandRec, Table, load

TYPE_CHECKING = False  # ``typing`` is not imported at run time: it is slow to import
if TYPE_CHECKING:
    from typing import Any

TERMINATOR = "--"


class Run:
    """Everything one invocation needs: the table, the command, parsed values, output mode."""

    def __init__(self, table: Table, command: CommandRec, inv: argv_parser.Invocation, as_json: bool) -> None:
        self.table = table
        self.command = command
        self.inv = inv
        self.values: dict[str, Any] = inv.values
        self.args = bind_arguments(command, inv)
        self.as_json = as_json
        self.label = f"{table.cli_name} {command.path}"
        self._session: Any = None
        self.redactor = Redactor(table.client.get("token_prefix"))
        self.warnings: list[str] = []
        self.token_source: str | None = None

    @property
    def session(self) -> Any:
        """Base URL, config and token resolution (imported only by commands that need them)."""
        if self._session is None:
            from .session import Session

            self._session = Session(self.table, self.values)
            self._session.label = self.label
        return self._session

    @property
    def auth_mode(self) -> str:
        modes = [self.command.auth, (self.command.endpoint or {}).get("auth", "none")]
        if "required" in modes and self.command.auth != "none":
            return "required"
        if self.command.auth == "none":
            return "none"
        return "optional"

    def token(self, mode: str | None = None) -> str | None:
        mode = mode or self.auth_mode
        if mode == "none":
            return None
        token, source, refusal = self.session.resolve_token()
        if token:
            self.redactor.add(token)
            self.token_source = source
            return token
        if refusal:
            raise self.fail("API_BASE_URL_REFUSED", refusal)
        if mode == "required":
            raise CliError(
                "AUTH_REQUIRED",
                f"'{self.command.path}' needs a token and none was found",
                recovery=self.session.auth_recovery(),
            )
        return None

    def fields(self) -> dict[str, Any]:
        """Request fields from flags, arguments and defaults, with two client-side rules:

        * a ``--X-file`` flag (type path) is read and its text fills its field (or
          ``--X``'s field);
        * a URL given for an ``*asset_id`` field whose file name is an asset id, on the
          product's media or API host, is reduced to that asset id.
        """
        from .hosted import collect_fields

        fields = collect_fields(self.command, self.values, self.args)
        for flag in self.command.flags:
            if not flag.name.endswith("-file") or flag.type != "path" or flag.name not in self.values:
                continue
            base = self.command.flag(flag.name[: -len("-file")])
            field = flag.field or (base.field if base is not None else None)
            if not field:
                continue
            text = self.read_text(str(self.values[flag.name]), flag.name)
            if base is not None and (base.repeatable or base.type == "csv"):
                fields[field] = [line.strip() for line in text.splitlines() if line.strip()]
            else:
                fields[field] = text
        for field, value in list(fields.items()):
            if field.endswith("asset_id") and isinstance(value, str) and "://" in value:
                fields[field] = self.owned_asset_id(value, strict=field == "asset_id")
        return fields

    def owned_asset_id(self, reference: str, *, strict: bool) -> str:
        """The asset id of an owned URL; with ``strict`` anything else is refused."""
        from urllib.parse import urlsplit

        from .media import asset_id_of

        asset_id = asset_id_of(reference)
        host = (urlsplit(reference).hostname or "").lower()
        allowed = {(urlsplit(u).hostname or "").lower() for k, u in self.table.urls.items() if k in ("media", "api")}
        try:
            allowed.add((urlsplit(self.session.base_url()).hostname or "").lower())
        except CliError:
            pass
        if asset_id is not None and host in allowed:
            return asset_id
        if strict:
            raise self.fail(
                "INVALID_ARGUMENTS",
                f"{reference!r} is not an owned asset URL (hosts: {', '.join(sorted(h for h in allowed if h))}); "
                "give the asset id instead",
            )
        return reference

    def read_text(self, path: str, what: str, limit: int = 1024 * 1024) -> str:
        try:
            with open(path, "rb") as handle:
                raw = handle.read(limit + 1)
        except OSError as exc:
            raise self.fail(
                "LOCAL_FILE_FAILED", f"{what}: could not read {path}: {exc.strerror or type(exc).__name__}"
            ) from None
        if len(raw) > limit:
            raise self.fail("INVALID_ARGUMENTS", f"{what}: {path} is larger than {limit} bytes")
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            raise self.fail("INVALID_ARGUMENTS", f"{what}: {path} is not UTF-8 text") from None

    def call(
        self,
        fields: dict[str, Any] | None = None,
        *,
        endpoint: dict[str, Any] | None = None,
        token: str | bool | None = True,
    ) -> tuple[dict[str, Any], int]:
        """Call the command's endpoint; ``token=True`` resolves one per the command's auth."""
        from . import hosted

        endpoint = endpoint or self.command.endpoint
        if endpoint is None:
            raise CliError("PUBLIC_CLI_COMMAND_NOT_AVAILABLE", f"'{self.command.path}' has no hosted endpoint")
        bearer = self.token() if token is True else (token or None)
        request = hosted.build_request(endpoint, self.fields() if fields is None else fields)
        return hosted.send(self, request, token=bearer, enveloped=endpoint.get("enveloped", True))

    def fail(self, code: str, message: str, **extra: Any) -> CliError:
        recovery = extra.pop("recovery", None) or {}
        anchor = self.table.docs_anchor(self.command)
        if anchor and "docs_url" not in recovery:
            recovery["docs_url"] = anchor
        return CliError(code, message, recovery=recovery, **extra)


def bind_arguments(command: CommandRec, inv: argv_parser.Invocation) -> dict[str, Any]:
    """Positional arguments by name, in the same order ``argv.parse`` checked them."""
    bound: dict[str, Any] = {}
    positionals = list(inv.positionals)
    for argument in command.arguments:
        via = command.flag(argument.flag) if argument.flag else None
        if via is not None and via.name in inv.values:
            bound[argument.name] = inv.values[via.name]
        elif positionals:
            bound[argument.name] = argv_parser.convert(argument.type, positionals.pop(0), argument.name)
    return bound


def _json_names(table: Table) -> list[str]:
    flag = table.global_flag("--json")
    return flag.all_names if flag is not None else []


def wants_json(table: Table, tokens: list[str]) -> bool:
    """JSON unless the spec asks for a readable form (``client.readable_output``) and
    ``--json`` is absent; a spec without a ``--json`` flag only has JSON."""
    names = _json_names(table)
    if not names or not table.client.get("readable_output", False):
        return True
    chosen = False
    for token in tokens:
        if token == TERMINATOR:
            break
        name, has_value, value = token.partition("=")
        if name in names:
            chosen = (value.lower() != "false") if has_value else True
    return chosen


def _synthetic(behavior: str) -> CommandRec:
    summaries = {"help": "List the commands.", "version": "Print the version."}
    return CommandRec(
        {
            "id": behavior,
            "path": behavior,
            "summary": summaries[behavior],
            "surface": "local",
            "behavior": behavior,
            "hidden": True,
        }
    )


def _pick(table: Table, argv: list[str]) -> tuple[CommandRec | None, list[str]]:
    if not argv or argv[0] in ("--help", "-h"):
        return table.by_behavior("help") or _synthetic("help"), argv[1:]
    if argv[0] in ("--version", "-v"):
        return table.by_behavior("version") or _synthetic("version"), argv[1:]
    command, used = table.resolve(argv)
    return command, argv[used:]


def _wants_help(command: CommandRec, table: Table, rest: list[str]) -> bool:
    if command.behavior == "help" or command.flag("--help") or table.global_flag("--help"):
        return False
    for token in rest:
        if token == TERMINATOR:
            return False
        if token in ("--help", "-h"):
            return True
    return False


def run(argv: list[str], table: Table) -> tuple[dict[str, Any], int, bool, Redactor | None]:
    as_json = wants_json(table, argv)
    command, rest = _pick(table, argv)
    if command is None:
        words = [t for t in argv[:3] if not t.startswith("-")][:2]
        label = " ".join([table.cli_name, *words])
        recovery: dict[str, Any] = {"suggested_command": f"{table.cli_name} --help"}
        if table.docs_anchor(None):
            recovery["docs_url"] = table.docs_anchor(None)
        error = CliError(
            "PUBLIC_CLI_COMMAND_NOT_AVAILABLE",
            f"'{' '.join(words) or (argv[0] if argv else '')}' is not a command of {table.cli_name}",
            recovery=recovery,
        )
        return (
            local_envelope(label, error=error_block(error, table.error_codes)),
            exit_code_for(error, table.error_codes),
            as_json,
            None,
        )
    label = f"{table.cli_name} {command.path}"
    if _wants_help(command, table, rest):
        from .behaviors import command_help

        return command_help(table, command, as_json), 0, as_json, None
    try:
        inv = argv_parser.parse(command, rest, table.global_flags)
    except argv_parser.UsageProblem as problem:
        recovery = {"suggested_command": f"{table.cli_name} {command.path} --help"}
        anchor = table.docs_anchor(command)
        if anchor:
            recovery["docs_url"] = anchor
        if problem.flag:
            recovery["flag"] = problem.flag
        message = problem.message + (f" ({problem.hint})" if problem.hint else "")
        error = CliError("INVALID_ARGUMENTS", message, recovery=recovery)
        return (
            local_envelope(label, error=error_block(error, table.error_codes)),
            exit_code_for(error, table.error_codes),
            as_json,
            None,
        )
    ctx = Run(table, command, inv, as_json)
    try:
        envelope, code = dispatch(ctx)
    except CliError as error:
        error.message = ctx.redactor.text(error.message)
        envelope = local_envelope(label, data=error.data, error=error_block(error, table.error_codes))
        code = exit_code_for(error, table.error_codes)
    except KeyboardInterrupt:
        raise
    except Exception as exc:
        bug = CliError("PUBLIC_CLI_FAILED", f"internal error: {type(exc).__name__}: {exc}", retryable=False)
        bug.message = ctx.redactor.text(bug.message)
        envelope = local_envelope(label, error=error_block(bug, table.error_codes))
        code = exit_code_for(bug, table.error_codes)
    if ctx.warnings:
        envelope["warnings"] = list(envelope.get("warnings") or []) + ctx.warnings
    return envelope, code, as_json, ctx.redactor


def version(ctx: Run) -> tuple[dict[str, Any], int]:
    """Kept here, not in behaviors, so that ``--version`` imports nothing more."""
    table = ctx.table
    if not ctx.as_json:
        return {"_raw_output": f"{table.cli_name} {table.version}\n".encode()}, 0
    data = {
        "version": table.version,
        "cli_name": table.cli_name,
        "package": table.client.get("package"),
        "product": table.product.get("id"),
    }
    return local_envelope(ctx.label, data=data), 0


def dispatch(ctx: Run) -> tuple[dict[str, Any], int]:
    behavior = ctx.command.behavior
    if behavior == "version":
        return version(ctx)
    from . import behaviors

    handler = behaviors.HANDLERS.get(behavior or "")
    if handler is not None:
        return handler(ctx)
    if ctx.command.endpoint is not None:
        return behaviors.hosted_generic(ctx)
    raise ctx.fail(
        "PUBLIC_CLI_COMMAND_NOT_AVAILABLE", f"'{ctx.command.path}' has no local behaviour and no endpoint in this build"
    )


def main(argv: list[str] | None = None) -> int:
    tokens = list(sys.argv[1:] if argv is None else argv)
    try:
        table = load()
    except (OSError, ValueError, KeyError) as exc:
        sys.stderr.write(f"error: the bundled command table could not be read: {exc}\n")
        return 1
    try:
        envelope, code, as_json, redactor = run(tokens, table)
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        return 130
    if envelope.get("_raw_output") is not None:
        raw = envelope["_raw_output"]
        try:
            sys.stdout.buffer.write(raw)
            sys.stdout.flush()
        except BrokenPipeError:
            pass
        return code
    if redactor is not None and not getattr(redactor, "reveal", False):
        envelope = redactor.deep(envelope)
    elif redactor is not None:
        envelope = _redact_except_token(redactor, envelope)
    emit(envelope, as_json=as_json)
    return code


def _redact_except_token(redactor: Redactor, envelope: dict[str, Any]) -> dict[str, Any]:
    data = envelope.get("data")
    token = data.get("token") if isinstance(data, dict) else None
    cleaned = redactor.deep(envelope)
    if isinstance(token, str) and isinstance(cleaned.get("data"), dict):
        cleaned["data"]["token"] = token
    return cleaned


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
