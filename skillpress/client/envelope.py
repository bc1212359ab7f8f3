"""Envelopes, client errors, secret redaction and printing.

Every run prints exactly one envelope on stdout: the JSON form with ``--json``, a few
readable lines otherwise. Client-side failures are :class:`CliError` values; their exit
code comes from the spec's error code table, so the docs and the client agree.
"""

from __future__ import annotations

import json
import os
import sys

TYPE_CHECKING = False  # ``typing`` is not imported at run time: it is slow to import
if TYPE_CHECKING:
    from typing import Any

# Exit codes used only if a spec does not define an error code the client emits (the
# drift test in tests/client keeps every emitted code in the example spec).
_FALLBACK_EXIT = {
    "INVALID_ARGUMENTS": 2,
    "PUBLIC_CLI_COMMAND_NOT_AVAILABLE": 2,
    "UPLOAD_MIME_TYPE_UNKNOWN": 2,
    "AUTH_REQUIRED": 3,
    "SIGNUP_TOKEN_NOT_RETURNED": 3,
    "HOSTED_API_REQUEST_FAILED": 7,
    "REMOTE_UPLOAD_FETCH_FAILED": 7,
    "ASSET_DOWNLOAD_FAILED": 7,
    "TIMEOUT": 8,
    "PUBLIC_CLI_CONFIG_WRITE_FAILED": 9,
    "OUTPUT_EXISTS": 9,
    "UPLOAD_ASSET_ID_MISSING": 9,
    "ASSET_INTEGRITY_MISMATCH": 9,
    "LOCAL_FILE_FAILED": 9,
    "API_BASE_URL_REFUSED": 2,
    "PUBLIC_CLI_FAILED": 1,
}

REDACTED = "<redacted>"


class CliError(Exception):
    """A failure the client reports as an error envelope."""

    def __init__(
        self,
        code: str,
        message: str,
        *,
        recovery: dict[str, Any] | None = None,
        exit_code: int | None = None,
        retryable: bool | None = None,
        data: Any = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.recovery = recovery
        self.exit_code = exit_code
        self.retryable = retryable
        self.data = data


def new_trace_id() -> str:
    return "trace_" + os.urandom(8).hex()


class Redactor:
    """Replaces known tokens and anything shaped like ``<prefix><8+ alphanumerics>``."""

    def __init__(self, prefix: str | None) -> None:
        self.prefix = prefix or None
        self.secrets: set[str] = set()
        self.reveal = False  # set only by `signup --show-token`: data.token may be printed

    def add(self, secret: str | None) -> None:
        if secret and len(secret) >= 4:
            self.secrets.add(secret)

    def text(self, value: str) -> str:
        for secret in sorted(self.secrets, key=len, reverse=True):
            if secret in value:
                value = value.replace(secret, REDACTED)
        prefix = self.prefix
        if prefix and prefix in value:
            out: list[str] = []
            i = 0
            while True:
                j = value.find(prefix, i)
                if j < 0:
                    out.append(value[i:])
                    break
                k = j + len(prefix)
                end = k
                while end < len(value) and value[end].isascii() and value[end].isalnum():
                    end += 1
                out.append(value[i:j])
                out.append(REDACTED if end - k >= 8 else value[j:end])
                i = end
            value = "".join(out)
        return value

    def deep(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {k: self.deep(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.deep(v) for v in value]
        return value


def local_envelope(
    label: str,
    *,
    data: Any = None,
    warnings: list[str] | None = None,
    error: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return {
        "ok": error is None,
        "command": label,
        "trace_id": new_trace_id(),
        "actor": None,
        "data": data,
        "warnings": list(warnings or ()),
        "error": error,
    }


def error_block(error: CliError, error_codes: dict[str, dict[str, Any]]) -> dict[str, Any]:
    spec = error_codes.get(error.code) or {}
    retryable = error.retryable if error.retryable is not None else bool(spec.get("retryable", False))
    block: dict[str, Any] = {"code": error.code, "message": error.message, "retryable": retryable}
    recovery = dict(error.recovery or {})
    if spec.get("recovery") and "hint" not in recovery:
        recovery["hint"] = spec["recovery"]
    if recovery:
        block["recovery"] = recovery
    return block


def exit_code_for(error: CliError, error_codes: dict[str, dict[str, Any]]) -> int:
    if error.exit_code is not None:
        return error.exit_code
    spec = error_codes.get(error.code)
    if spec is not None:
        return int(spec["exit_code"])
    return _FALLBACK_EXIT.get(error.code, 1)


def dumps(envelope: dict[str, Any]) -> str:
    return json.dumps(envelope, indent=2, ensure_ascii=False) + "\n"


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, (dict, list)):
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        return text if len(text) <= 100 else text[:97] + "..."
    text = str(value)
    return text if len(text) <= 200 else text[:197] + "..."


def readable(envelope: dict[str, Any]) -> str:
    """A short human form: status line, key data fields, warnings, error and recovery."""
    lines: list[str] = []
    label = envelope.get("command") or ""
    if envelope.get("ok"):
        lines.append(f"ok: {label}".rstrip())
        data = envelope.get("data")
        if isinstance(data, dict):
            for shown, (key, value) in enumerate(data.items()):
                if shown == 12:
                    lines.append(f"  ... {len(data) - 12} more fields (use --json)")
                    break
                if isinstance(value, list):
                    lines.append(f"  {key}: {len(value)} item(s)")
                elif isinstance(value, dict):
                    inner = ", ".join(
                        f"{k}={_scalar(v)}" for k, v in list(value.items())[:4] if not isinstance(v, (dict, list))
                    )
                    lines.append(f"  {key}: {inner or '{...}'}")
                else:
                    lines.append(f"  {key}: {_scalar(value)}")
        elif data is not None:
            lines.append(f"  {_scalar(data)}")
    else:
        error = envelope.get("error") or {}
        lines.append(f"error {error.get('code', 'UNKNOWN')}: {error.get('message', '')}")
        recovery = error.get("recovery")
        if isinstance(recovery, dict):
            for key, value in recovery.items():
                lines.append(f"  {key}: {_scalar(value)}")
        if error.get("retryable"):
            lines.append("  retryable: true")
    for warning in envelope.get("warnings") or ():
        lines.append(f"warning: {warning}")
    return "\n".join(lines) + "\n"


def emit(envelope: dict[str, Any], *, as_json: bool) -> None:
    text = dumps(envelope) if as_json else readable(envelope)
    stream = sys.stdout
    try:
        stream.write(text)
        stream.flush()
    except BrokenPipeError:  # the reader went away; nothing useful left to do
        try:
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - silence the exit-time flush
        except OSError:
            pass
