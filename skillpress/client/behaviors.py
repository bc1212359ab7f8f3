"""Local behaviours named by ``Command.behavior`` in the spec, and the generic hosted call.

Each handler takes the :class:`~skillpress.client.main.Run` and returns
``(envelope, exit_code)`` or raises :class:`CliError`. A flag is read here only if the
spec gives it to the command (``argv.parse`` refused anything else), and every flag a
handler reads by name is listed in :data:`LOCAL_FLAGS`, which a test compares with the
spec so that a documented local flag always does something.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

from .envelope import CliError, local_envelope
from .table import CommandRec, Table, bundle_dir

# Flags the client itself reads (never sent to the API), by behaviour ("*" = any command).
LOCAL_FLAGS: dict[str, tuple[str, ...]] = {
    "*": ("--json", "--api-base-url", "--token-stdin"),
    "help": ("--skill",),
    "signup": ("--agent", "--save", "--show-token"),
    "assets-get": ("--output", "--overwrite"),
    "jobs-wait": ("--timeout-ms", "--poll-interval-ms"),
    "create": ("--prompt-file", "--reference-image", "--element-frontal", "--element-reference"),
    "edit": ("--prompt-file", "--reference-image", "--element-frontal", "--element-reference"),
    "upload": ("--input",),
    # A required choice flag: argv.parse accepts only the documented value (``stripe``).
    "checkout": ("--provider",),
}

TERMINAL_JOB_STATUSES = ("completed", "failed", "canceled", "cancelled")
REFERENCE_ROLES = {
    "--reference-image": "reference_image",
    "--element-frontal": "element_frontal",
    "--element-reference": "element_reference",
}

Envelope = tuple[dict[str, Any], int]


# --------------------------------------------------------------------------- help / version


def _visible(table: Table) -> list[CommandRec]:
    return [c for c in table.commands if not c.hidden]


def _raw(text: str | bytes) -> Envelope:
    return {"_raw_output": text.encode("utf-8") if isinstance(text, str) else text}, 0


def help_(ctx: Any) -> Envelope:
    table: Table = ctx.table
    if ctx.values.get("--skill"):
        try:
            with open(os.path.join(bundle_dir(), "SKILL.md"), "rb") as handle:
                return _raw(handle.read())
        except OSError:
            raise ctx.fail("PUBLIC_CLI_FAILED", "this build bundles no SKILL.md") from None
    words = [str(v) for v in ctx.args.values() if isinstance(v, str)] or list(ctx.inv.positionals)
    if words:
        target, _used = table.resolve(words[0].split() + words[1:])
        if target is None:
            raise ctx.fail("PUBLIC_CLI_COMMAND_NOT_AVAILABLE", f"'{' '.join(words)}' is not a command")
        return command_help(table, target, ctx.as_json), 0
    docs = table.urls.get("cli")
    commands = _visible(table)
    if ctx.as_json:
        data = {
            "usage": f"{table.cli_name} <command> [flags]",
            "version": table.version,
            "commands": [
                {"path": c.path, "aliases": c.aliases, "summary": c.summary, "auth": c.auth} for c in commands
            ],
            "global_flags": [{"name": f.name, "summary": f.summary} for f in table.global_flags],
            "docs_url": docs,
        }
        return local_envelope(ctx.label, data=data), 0
    name = table.product.get("name") or table.cli_name
    lines = [f"{name} {table.version}", f"Usage: {table.cli_name} <command> [flags]", "", "Commands:"]
    rows = []
    for command in commands:
        head = command.path + (f" (also: {', '.join(command.aliases)})" if command.aliases else "")
        rows.append((head, command.summary))
    width = min(40, max((len(h) for h, _ in rows), default=0))
    for head, summary in rows:
        pad = " " * max(1, width - len(head) + 2)
        lines.append(f"  {head}{pad}{summary}")
    if table.global_flags:
        lines += ["", "Global flags:"]
        heads = [f.name + ("" if f.type == "boolean" else f" {f.value_name or 'VALUE'}") for f in table.global_flags]
        flag_width = max(len(h) for h in heads)
        for head, flag in zip(heads, table.global_flags, strict=False):
            lines.append(f"  {head}{' ' * (flag_width - len(head) + 2)}{flag.summary}")
    lines += ["", f"Run '{table.cli_name} <command> --help' for a command's flags."]
    if docs:
        lines.append(f"Docs: {docs}")
    return _raw("\n".join(lines) + "\n")


def _usage(table: Table, command: CommandRec) -> str:
    parts = [table.cli_name, command.path]
    for argument in command.arguments:
        parts.append(argument.name if argument.required else f"[{argument.name}]")
    in_group = {n for g in command.one_of for n in g}
    for group in command.one_of:
        parts.append("(" + " | ".join(group) + ")")
    for flag in command.flags:
        if flag.required and flag.name not in in_group:
            parts.append(flag.name + ("" if flag.type == "boolean" else f" {flag.value_name or 'VALUE'}"))
    parts.append("[flags]")
    return " ".join(parts)


def command_help(table: Table, command: CommandRec, as_json: bool) -> dict[str, Any]:
    label = f"{table.cli_name} {command.path}"
    flags = command.flags + table.global_flags
    if as_json:
        data = {
            "path": command.path,
            "summary": command.summary,
            "usage": _usage(table, command),
            "aliases": command.aliases,
            "auth": command.auth,
            "arguments": [{"name": a.name, "required": a.required, "summary": a.summary} for a in command.arguments],
            "flags": [
                {
                    "name": f.name,
                    "aliases": f.all_names[1:],
                    "type": f.type,
                    "required": f.required,
                    "default": f.default,
                    "choices": f.choices,
                    "repeatable": f.repeatable,
                    "summary": f.summary,
                }
                for f in flags
            ],
            "one_of": command.one_of,
            "docs_url": table.docs_anchor(command),
        }
        return local_envelope(label, data=data)
    lines = [command.summary, "", f"Usage: {_usage(table, command)}"]
    if command.aliases:
        lines.append(f"Also: {', '.join(table.cli_name + ' ' + a for a in command.aliases)}")
    if command.arguments:
        lines += ["", "Arguments:"]
        lines += [f"  {a.name}{'' if a.required else ' (optional)'}  {a.summary}" for a in command.arguments]
    if flags:
        lines += ["", "Flags:"]
        for flag in flags:
            head = ", ".join(flag.all_names) + ("" if flag.type == "boolean" else f" {flag.value_name or 'VALUE'}")
            notes = []
            if flag.required:
                notes.append("required")
            if flag.default is not None:
                notes.append(f"default {flag.default}")
            if flag.choices:
                notes.append("one of " + ", ".join(flag.choices))
            if flag.repeatable:
                notes.append("repeatable")
            lines.append(f"  {head}  {flag.summary}" + (f" [{'; '.join(notes)}]" if notes else ""))
    for group in command.one_of:
        lines.append(f"Give exactly one of {', '.join(group)}.")
    anchor = table.docs_anchor(command)
    if anchor:
        lines += ["", f"Docs: {anchor}"]
    return {"_raw_output": ("\n".join(lines) + "\n").encode("utf-8")}


def version(ctx: Any) -> Envelope:
    from .main import version as run_version

    return run_version(ctx)


# --------------------------------------------------------------------------- generic hosted


def hosted_generic(ctx: Any) -> Envelope:
    return ctx.call()


# --------------------------------------------------------------------------- doctor / auth


def doctor(ctx: Any) -> Envelope:
    table: Table = ctx.table
    session = ctx.session
    base: str | None = None
    hosted: dict[str, Any] = {"reachable": False, "ok": False, "error": None, "data": None}
    try:
        base = session.base_url()
    except CliError as exc:
        hosted["error"] = exc.message
    config = session.read_config() or {}
    saved = isinstance(config.get("token"), str) and bool(config.get("token", "").strip())
    usable = False
    if saved and base is not None:
        usable = session.saved_token()[0] is not None
    if base is not None and ctx.command.endpoint is not None:
        try:
            envelope, _ = ctx.call(fields={}, token=None)
            hosted["reachable"] = True
            hosted["ok"] = bool(envelope.get("ok"))
            hosted["data"] = envelope.get("data")
            if not envelope.get("ok"):
                hosted["error"] = (envelope.get("error") or {}).get("code")
        except CliError as exc:
            hosted["reachable"] = exc.code == "HOSTED_API_NON_JSON_RESPONSE"
            hosted["error"] = f"{exc.code}: {exc.message}"
    data = {
        "cli_version": table.version,
        "package": table.client.get("package"),
        "api_base_url": base,
        "hosted_api": hosted,
        "auth": {
            "config_path": session.config_path(),
            "saved_token": saved,
            "saved_token_api_base_url": config.get("api_base_url") if saved else None,
            "saved_token_usable_here": usable,
            "env_token": session.has_env_token(),
        },
        "docs": {k: table.urls[k] for k in ("skill", "llms", "cli") if k in table.urls},
    }
    return local_envelope(ctx.label, data=data), 0


def signup(ctx: Any) -> Envelope:
    session = ctx.session
    save = bool(ctx.values.get("--save"))
    show = bool(ctx.values.get("--show-token"))
    if save:
        session.probe_config_writable()  # before a token is minted
    fields = ctx.fields()
    contact = ctx.command.flag("--agent-contact")
    if contact is not None and isinstance(fields.get(contact.field or ""), str):
        fields[contact.field] = fields[contact.field].strip().lower()  # documented: lower-cased and trimmed
    endpoint = ctx.command.endpoint or {}
    body_names = {b["name"] for b in endpoint.get("body") or ()}
    filled = {f.field for f in ctx.command.flags if f.field}
    if "return_token" in body_names and "return_token" not in filled:
        fields["return_token"] = save or show
    envelope, code = ctx.call(fields, token=None)
    if not envelope.get("ok"):
        return envelope, code
    data = envelope.get("data")
    token = data.get("token") if isinstance(data, dict) else None
    if isinstance(token, str) and token.strip():
        ctx.redactor.add(token.strip())
    path = None
    if save:
        if not isinstance(token, str) or not token.strip():
            raise ctx.fail(
                "SIGNUP_TOKEN_NOT_RETURNED", "the signup succeeded but returned no token to save", retryable=True
            )
        actor = envelope.get("actor") or (data.get("actor") if isinstance(data, dict) else None)
        path = session.write_config(token.strip(), actor)
        envelope["warnings"].append(f"saved the token to {path} (file mode 0600)")
    if show:
        ctx.redactor.reveal = True
        return envelope, 0
    if isinstance(data, dict):
        data["token"] = None
        data["token_presented"] = False
        storage = dict(data["storage"]) if isinstance(data.get("storage"), dict) else {}
        storage["saved"] = save
        storage["config_path"] = path
        storage["reason"] = (
            f"token saved in the client config (0600); it is only sent to {session.base_url()}"
            if save
            else "token withheld from output; sign up again with --save or --show-token to keep one"
        )
        data["storage"] = storage
    return envelope, 0


def auth_status(ctx: Any) -> Envelope:
    session = ctx.session
    try:
        token, source, refusal = session.resolve_token()
    except CliError as exc:
        if exc.code != "AUTH_REQUIRED":  # e.g. --token-stdin from a terminal
            raise
        token, source, refusal = None, None, None  # empty stdin: simply not authenticated
    if refusal:
        raise ctx.fail("API_BASE_URL_REFUSED", refusal)
    if not token or ctx.command.endpoint is None:
        data = {
            "authenticated": False,
            "auth_source": None,
            "api_base_url": session.base_url(),
            "config_path": session.config_path(),
        }
        return local_envelope(ctx.label, data=data), 0
    ctx.redactor.add(token)
    envelope, code = ctx.call(token=token)
    if envelope.get("ok") and isinstance(envelope.get("data"), dict):
        envelope["data"]["auth_source"] = source
    return envelope, code


def auth_save(ctx: Any) -> Envelope:
    from .session import is_secure_base

    session = ctx.session
    token, source = session.explicit_token()
    if not token:
        names = [n for n in [ctx.table.env.get("token"), *(ctx.table.env.get("token_fallback") or ())] if n]
        where = " or ".join(["--token-stdin", *names])
        raise CliError("AUTH_REQUIRED", f"no token to save; give one with {where}", recovery=session.auth_recovery())
    ctx.redactor.add(token)
    base = session.base_url()
    if not is_secure_base(base):
        raise ctx.fail(
            "INVALID_ARGUMENTS",
            f"refusing to save a token for {base}: saved tokens are only sent over https or to loopback",
        )
    path = session.write_config(token, None)
    data = {"saved": True, "config_path": path, "token_source": source, "api_base_url": base}
    return local_envelope(ctx.label, data=data), 0


def auth_logout(ctx: Any) -> Envelope:
    removed = ctx.session.remove_config()
    data = {"saved": False, "removed": removed, "config_path": ctx.session.config_path()}
    return local_envelope(ctx.label, data=data), 0


# --------------------------------------------------------------------------- uploads, create, edit


def _upload_endpoint(ctx: Any) -> tuple[CommandRec, dict[str, Any]]:
    command = ctx.table.by_behavior("upload")
    if command is None or command.endpoint is None:
        raise ctx.fail("PUBLIC_CLI_COMMAND_NOT_AVAILABLE", "this build has no upload endpoint for local images")
    return command, command.endpoint


def _uploader(ctx: Any) -> Callable[[str], Envelope]:
    from . import media

    _command, endpoint = _upload_endpoint(ctx)

    def run_upload(reference: str) -> Envelope:
        fields = media.upload_fields(ctx, reference)
        return ctx.call(fields, endpoint=endpoint)

    return run_upload


def upload(ctx: Any) -> Envelope:
    from . import media

    reference = next((v for v in ctx.args.values() if isinstance(v, str)), None) or ctx.values.get("--input")
    if not reference:
        raise ctx.fail("INVALID_ARGUMENTS", "give a local image path or an http(s) image URL")
    fields = ctx.fields()
    fields.update(media.upload_fields(ctx, reference))
    return ctx.call(fields)


def _reference_plan(ctx: Any) -> list[dict[str, Any]] | None:
    """``IMG[@I[:task]]`` / ``IMG[@E]`` / ``IMG[@E[:R]]`` values → reference objects."""
    import re

    given = [(name, v) for name in REFERENCE_ROLES for v in _as_list(ctx.values.get(name))]
    if not given:
        return None
    patterns = {
        "--reference-image": re.compile(r"^(\d)(?::(ip|id|style))?$"),
        "--element-frontal": re.compile(r"^(\d)$"),
        "--element-reference": re.compile(r"^(\d)(?::(\d))?$"),
    }
    plan: list[dict[str, Any]] = []
    counters: dict[str, int] = {}
    for name, raw in given:
        image, suffix, extra = raw, None, None
        if "@" in raw:
            head, _, tail = raw.rpartition("@")
            match = patterns[name].match(tail)
            if match and head:
                image, suffix, extra = head, int(match.group(1)), match.group(2) if match.lastindex == 2 else None
        role = REFERENCE_ROLES[name]
        index = suffix if suffix is not None else counters.get(name, 0)
        counters[name] = index + 1 if name != "--element-reference" else counters.get(name, 0)
        item: dict[str, Any] = {"asset_id": image, "role": role, "index": index}
        if name == "--reference-image" and extra:
            item["reference_task"] = extra
        if name == "--element-reference" and extra is not None:
            item["reference_index"] = int(extra)
        plan.append(item)
    _check_plan(ctx, plan)
    return plan


def _check_plan(ctx: Any, plan: list[dict[str, Any]]) -> None:
    images = sorted(p["index"] for p in plan if p["role"] == "reference_image")
    if images != list(range(len(images))):
        raise ctx.fail(
            "INVALID_ARGUMENTS", "--reference-image indexes must be unique and start at 0 (IMG@0, IMG@1, ...)"
        )
    frontals = sorted(p["index"] for p in plan if p["role"] == "element_frontal")
    if frontals != list(range(len(frontals))):
        raise ctx.fail("INVALID_ARGUMENTS", "--element-frontal element indexes must be unique and start at 0")
    per_element: dict[int, int] = {}
    for item in plan:
        if item["role"] != "element_reference":
            continue
        if item["index"] not in frontals:
            raise ctx.fail("INVALID_ARGUMENTS", f"element {item['index']} has a reference but no --element-frontal")
        per_element[item["index"]] = per_element.get(item["index"], 0) + 1
        if per_element[item["index"]] > 3 or item.get("reference_index", 0) > 2:
            raise ctx.fail("INVALID_ARGUMENTS", "at most 3 references (index 0-2) per element")


def _dict(value: Any, fallback: dict[str, Any]) -> dict[str, Any]:
    return value if isinstance(value, dict) else fallback


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _generate(ctx: Any) -> Envelope:
    """``create`` and ``edit``: implicit uploads, reference plan, then the hosted call."""
    from . import media

    fields = ctx.fields()
    prompt = ctx.command.flag("--prompt")
    if ctx.command.behavior == "edit" and prompt is not None and isinstance(fields.get(prompt.field or ""), str):
        fields[prompt.field] = fields[prompt.field].strip()  # documented for edit: sent trimmed
        if not fields[prompt.field]:
            del fields[prompt.field]
    uploader: Callable[[str], Envelope] | None = None

    def resolve(reference: str) -> str:
        nonlocal uploader
        if uploader is None:
            uploader = _uploader(ctx)
        return media.resolve_image(ctx, reference, uploader)

    try:
        # Flags and arguments that fill an ``*asset_id`` field accept a path or URL too.
        sources = [(f.field, ctx.values.get(f.name)) for f in ctx.command.flags if f.field and not f.local]
        sources += [(a.field, ctx.args.get(a.name)) for a in ctx.command.arguments if a.field]
        for field, value in sources:
            if field and field.endswith("asset_id") and isinstance(value, str) and value:
                fields[field] = resolve(value)
        plan = _reference_plan(ctx)
        if plan is not None:
            for item in plan:
                item["asset_id"] = resolve(item["asset_id"])
            target = next((f.field for f in ctx.command.flags if f.name in REFERENCE_ROLES and f.field), "references")
            fields[target] = plan
    except media.Abort as aborted:
        return aborted.envelope, aborted.code
    return ctx.call(fields)


create = _generate
edit = _generate


# --------------------------------------------------------------------------- assets get


def assets_get(ctx: Any) -> Envelope:
    from . import media

    reference = next((v for v in ctx.args.values() if isinstance(v, str)), None)
    if not reference:
        raise ctx.fail("INVALID_ARGUMENTS", "give an asset id or an owned asset URL")
    endpoint = ctx.command.endpoint or {}
    fields = ctx.fields()  # an owned URL is reduced to its asset id here; others are refused
    asset_id = next((fields[a.field] for a in ctx.command.arguments if a.field in fields), None)
    for name in endpoint.get("path_params") or ():
        fields.setdefault(name, asset_id)
    output = ctx.values.get("--output")
    overwrite = bool(ctx.values.get("--overwrite"))
    if isinstance(output, str) and os.path.lexists(output) and not overwrite:
        raise ctx.fail("OUTPUT_EXISTS", f"{output} already exists; pass --overwrite to replace it")
    envelope, code = ctx.call(fields)
    if not envelope.get("ok"):
        return envelope, code
    data = _dict(envelope.get("data"), {})
    asset = _dict(data.get("asset"), data)
    url = asset.get("url") or asset.get("download_url")
    if not isinstance(url, str) or not url:
        raise ctx.fail("ASSET_DOWNLOAD_FAILED", f"the metadata of {asset_id} has no download URL", retryable=False)
    if not isinstance(output, str) or not output:
        # Never a server-chosen name: the asset id, sanitized, plus the MIME type's extension.
        output = media.safe_basename(str(asset_id), asset.get("mime_type"))
    sha = asset.get("sha256") if isinstance(asset.get("sha256"), str) else None
    size = asset.get("content_length")
    download = media.download(
        ctx,
        url,
        output,
        overwrite=overwrite,
        sha256=sha,
        expected_bytes=size if isinstance(size, int) and not isinstance(size, bool) else None,
    )
    data = dict(data)
    data["request"] = {"reference": reference, "reference_type": "url" if media.is_remote(reference) else "asset_id"}
    data["download"] = download
    envelope["data"] = data
    envelope["command"] = ctx.label
    return envelope, 0


# --------------------------------------------------------------------------- jobs wait


def jobs_wait(ctx: Any) -> Envelope:
    timeout_ms = ctx.values.get("--timeout-ms")
    poll_ms = ctx.values.get("--poll-interval-ms")
    timeout_ms = int(timeout_ms if isinstance(timeout_ms, (int, float)) else _default(ctx, "--timeout-ms", 30000))
    poll_ms = int(poll_ms if isinstance(poll_ms, (int, float)) else _default(ctx, "--poll-interval-ms", 1000))
    if timeout_ms < 0 or poll_ms <= 0:
        raise ctx.fail("INVALID_ARGUMENTS", "--timeout-ms must be >= 0 and --poll-interval-ms > 0")
    token = ctx.token()
    fields = ctx.fields()
    started = time.monotonic()
    deadline = started + timeout_ms / 1000
    polls = 0
    job_ref = next((v for v in ctx.args.values() if isinstance(v, str)), "the job")
    while True:
        envelope, code = ctx.call(fields, token=token if token else False)
        polls += 1
        if not envelope.get("ok"):
            return envelope, code
        data = _dict(envelope.get("data"), {})
        job = _dict(data.get("job"), data)
        status = job.get("status") if isinstance(job, dict) else None
        if status in TERMINAL_JOB_STATUSES:
            request = dict(_dict(data.get("request"), {}))
            request.update({"timeout_ms": timeout_ms, "poll_interval_ms": poll_ms, "polls": polls})
            data["request"] = request
            if status != "completed":
                envelope["warnings"].append(f"the job ended with status {status}")
            return envelope, 0
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        time.sleep(min(poll_ms / 1000, remaining))
    retry_after = max(1, -(-poll_ms // 1000))
    raise ctx.fail(
        "TIMEOUT",
        f"{job_ref} did not reach a final status within {timeout_ms} ms ({polls} polls)",
        retryable=True,
        recovery={"retry_after_seconds": retry_after, "suggested_command": f"{ctx.label} {job_ref} --json"},
    )


def _default(ctx: Any, name: str, fallback: int) -> int:
    flag = ctx.command.flag(name)
    if flag is not None and isinstance(flag.default, (int, float)) and not isinstance(flag.default, bool):
        return int(flag.default)
    return fallback


# --------------------------------------------------------------------------- credits


def _fill_compact(node: Any) -> None:
    if not isinstance(node, dict):
        return
    if not isinstance(node.get("checkout_compact_url"), str):
        raw = node.get("checkout_url")
        if not isinstance(raw, str) or not raw:
            raw = node.get("fallback_checkout_url")
        if isinstance(raw, str) and raw:
            node["checkout_compact_url"] = raw  # as is: the #fragment is part of the URL


def checkout(ctx: Any) -> Envelope:
    """Pass checkout URLs through untouched; only fill a missing compact URL (with its fragment)."""
    envelope, code = ctx.call()
    data = envelope.get("data")
    if envelope.get("ok") and isinstance(data, dict):
        for node in (data, data.get("next"), data.get("payment_attempt")):
            _fill_compact(node)
        nxt = data.get("next")
        if isinstance(nxt, dict) and not isinstance(nxt.get("checkout_compact_url"), str):
            for source in (data, data.get("payment_attempt")):
                if isinstance(source, dict) and isinstance(source.get("checkout_compact_url"), str):
                    nxt["checkout_compact_url"] = source["checkout_compact_url"]
                    break
    return envelope, code


def quote(ctx: Any) -> Envelope:
    flag = ctx.command.flag("--idempotency-key")
    if flag is not None and flag.name not in ctx.values:
        key = f"quote-{int(time.time() * 1000)}-{os.urandom(4).hex()}"
        ctx.values[flag.name] = key
        ctx.warnings.append(
            f"generated idempotency key {key}; pass --idempotency-key KEY so that a retry "
            "returns the same quote instead of a new one"
        )
    return ctx.call()


HANDLERS: dict[str, Callable[[Any], Envelope]] = {
    "help": help_,
    "version": version,
    "doctor": doctor,
    "signup": signup,
    "auth-status": auth_status,
    "auth-save": auth_save,
    "auth-logout": auth_logout,
    "upload": upload,
    "create": create,
    "edit": edit,
    "assets-get": assets_get,
    "jobs-wait": jobs_wait,
    "checkout": checkout,
    "quote": quote,
}
