"""Hosted commands: build the request from the endpoint, send it, map the reply.

The request is built only from the table: path parameters (percent-encoded), query and
JSON body fields come from the flags and arguments whose ``field`` names them, plus the
flags' defaults. Local flags are never sent.

Reply → exit code:
* an envelope with ``ok: true`` → 0;
* ``ok: false`` → the server's exit-code header if it is an integer the spec defines
  (and not 0), else ``client.http_exit_codes`` for the HTTP status (exact, then ``5xx``
  class), else 1;
* transport failure → ``HOSTED_API_REQUEST_FAILED`` (7); timeout → ``TIMEOUT`` (8);
* a reply that is not a JSON envelope → ``HOSTED_API_NON_JSON_RESPONSE``.
"""

from __future__ import annotations

import json
import os
from typing import Any
from urllib.parse import quote, urlencode

from . import transport
from .envelope import CliError

TIMEOUT_ENV = "SKILLPRESS_CLIENT_TIMEOUT_SECONDS"


def timeout_seconds(table: Any) -> float:
    raw = os.environ.get(TIMEOUT_ENV, "").strip()
    if raw:
        try:
            value = float(raw)
            if 0 < value < 3600:
                return value
        except ValueError:
            pass
    return float(table.client.get("timeout_seconds") or 30.0)


def _set_dotted(body: dict[str, Any], name: str, value: Any) -> None:
    parts = name.split(".")
    node = body
    for part in parts[:-1]:
        child = node.get(part)
        if not isinstance(child, dict):
            child = {}
            node[part] = child
        node = child
    node[parts[-1]] = value


def _query_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return str(value)


class Request:
    __slots__ = ("body", "method", "path", "query")

    def __init__(self, method: str, path: str, query: list[tuple[str, str]], body: dict[str, Any] | None) -> None:
        self.method = method
        self.path = path
        self.query = query
        self.body = body

    def target(self) -> str:
        return self.path + ("?" + urlencode(self.query) if self.query else "")


def build_request(endpoint: dict[str, Any], fields: dict[str, Any]) -> Request:
    """``fields`` maps request field names to values (``None`` = leave out)."""
    path = endpoint["path"]
    for name in endpoint.get("path_params") or ():
        value = fields.get(name)
        if value is None or value == "":
            raise CliError("INVALID_ARGUMENTS", f"missing value for the path parameter {name}")
        path = path.replace("{" + name + "}", quote(str(value), safe=""))
    query: list[tuple[str, str]] = []
    for name in endpoint.get("query") or ():
        value = fields.get(name)
        if value is None:
            continue
        for item in value if isinstance(value, list) else [value]:
            query.append((name, _query_text(item)))
    body: dict[str, Any] | None = None
    body_fields = endpoint.get("body") or ()
    if endpoint["method"] != "GET" and (body_fields or endpoint["method"] in ("POST", "PUT", "PATCH")):
        body = {}
        for spec_field in body_fields:
            name = spec_field["name"]
            if name not in fields:
                continue
            # ``None`` means "leave out", except for a required nullable field, which is sent as null.
            if fields[name] is not None or (spec_field.get("required") and spec_field.get("nullable")):
                _set_dotted(body, name, fields[name])
    return Request(endpoint["method"], path, query, body)


def collect_fields(command: Any, values: dict[str, Any], arguments: dict[str, Any]) -> dict[str, Any]:
    """Request field → value from given flags, bound arguments and flag defaults."""
    fields: dict[str, Any] = {}
    for flag in command.flags:
        if flag.local or not flag.field:
            continue
        value = values.get(flag.name, flag.default)
        if value is not None and flag.name not in values and flag.default is not None:
            value = _typed_default(flag.type, flag.default)
        if value is not None:
            fields[flag.field] = value
    for argument in command.arguments:
        if argument.field and arguments.get(argument.name) is not None:
            fields[argument.field] = arguments[argument.name]
    return fields


def _typed_default(kind: str, default: Any) -> Any:
    if kind == "csv" and isinstance(default, str):
        return [p.strip() for p in default.split(",") if p.strip()]
    if kind == "json" and isinstance(default, str):
        try:
            return json.loads(default)
        except ValueError:
            return default
    return default


def status_exit(table: Any, status: int) -> int | None:
    mapping = table.client.get("http_exit_codes") or {}
    code = mapping.get(str(status))
    if code is None:
        code = mapping.get(f"{status // 100}xx")
    return int(code) if code is not None else None


def header_exit(table: Any, headers: dict[str, str]) -> int | None:
    name = table.client.get("exit_code_header")
    if not name:
        return None
    raw = headers.get(name.lower())
    if raw is None:
        return None
    raw = raw.strip()
    if not raw.isdigit() or len(raw) > 3:
        return None
    value = int(raw)
    return value if value in table.exit_codes and value != 0 else None


def envelope_from_response(
    table: Any, label: str, response: transport.Response, enveloped: bool = True
) -> tuple[dict[str, Any], int]:
    try:
        parsed = json.loads(response.body.decode("utf-8")) if response.body else None
    except (UnicodeDecodeError, ValueError):
        parsed = None
    if isinstance(parsed, dict) and "ok" in parsed:
        envelope = dict(parsed)
        warnings = envelope.get("warnings")
        if not isinstance(warnings, list):
            envelope["warnings"] = [] if warnings is None else [str(warnings)]
        if envelope.get("ok") is True:
            return envelope, 0
        code = header_exit(table, response.headers)
        if code is None:
            code = status_exit(table, response.status)
        return envelope, code if code is not None else 1
    if not enveloped and parsed is not None and 200 <= response.status < 300:
        from .envelope import local_envelope

        return local_envelope(label, data=parsed), 0
    # As the spec documents: a 5xx answer exits like any 5xx (7) and is retryable; below 500 it exits 1.
    exit_code = status_exit(table, response.status) if response.status >= 500 else 1
    raise CliError(
        "HOSTED_API_NON_JSON_RESPONSE",
        f"the hosted API answered HTTP {response.status} without a JSON envelope",
        retryable=response.status >= 500,
        exit_code=exit_code,
    )


def transport_failure(table: Any, exc: transport.TransportError, *, what: str = "the hosted API") -> CliError:
    doctor = table.by_behavior("doctor")
    recovery: dict[str, Any] = {}
    if doctor is not None:
        recovery["suggested_command"] = f"{table.cli_name} {doctor.path} --json"
    anchor = table.docs_anchor(None)
    if anchor:
        recovery["docs_url"] = anchor
    if exc.kind == "timeout":
        recovery["retry_after_seconds"] = 5
        return CliError(
            "TIMEOUT", f"{what} did not answer within {timeout_seconds(table):g}s", recovery=recovery, retryable=True
        )
    if exc.kind == "bad-url":
        return CliError("INVALID_ARGUMENTS", exc.message, recovery=recovery)
    recovery["retry_after_seconds"] = 30
    return CliError(
        "HOSTED_API_REQUEST_FAILED", f"could not reach {what}: {exc.message}", recovery=recovery, retryable=True
    )


def send(
    run: Any, req: Request, *, token: str | None, enveloped: bool = True, max_bytes: int = 64 * 1024 * 1024
) -> tuple[dict[str, Any], int]:
    table = run.table
    url = run.session.base_url() + req.target()
    headers = {
        "Accept": "application/json",
        "User-Agent": f"{table.cli_name}/{table.version} (skillpress)",
    }
    body_bytes = None
    if req.body is not None:
        headers["Content-Type"] = "application/json"
        body_bytes = json.dumps(req.body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    if token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        response = transport.request(
            req.method,
            url,
            headers=headers,
            body=body_bytes,
            timeout=timeout_seconds(table),
            retries=int(table.client.get("get_retries") or 0),
            max_bytes=max_bytes,
        )
    except transport.TransportError as exc:
        raise transport_failure(table, exc) from None
    return envelope_from_response(table, run.label, response, enveloped)
