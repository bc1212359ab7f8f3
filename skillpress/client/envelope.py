"""Envelopes, client errors, secret redaction and printing.

Every run prints exactly one envelope on stdout: the JSON form with ``--json``, a few
readable lines otherwise. Client-side failures are :class:`CliError` values; their exit
code comes from the spec's error code table, so the docs and the client agree.
"""

from __future__ import annotations

import json
import os
import re
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


# Code points a server could use to take over or mislead a terminal: C0 controls (ESC
# starts colour, cursor and title sequences), DEL, C1 controls (U+0085 is a line break to
# some terminals, U+009B a one-byte CSI), the bidi marks, embeddings, overrides and
# isolates that reorder what is shown, the Unicode line and paragraph separators, and
# lone surrogates (not encodable as UTF-8 at all). ``json.dumps`` escapes only C0.
_UNSAFE_BEYOND_C0 = r"\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff"
# Patterns as strings: ``re`` compiles them on first use (about 1.5 ms) and caches them, so
# a run that prints nothing through them (``--version``) does not pay for it.
_UNSAFE_TEXT = r"[\x00-\x1f" + _UNSAFE_BEYOND_C0 + "]"
_UNSAFE_IN_JSON = "[" + _UNSAFE_BEYOND_C0 + "]"  # C0 never appears raw in json.dumps text

# Readable lines: at most this many fields, then a line saying how many were left out.
READABLE_FIELDS = 24


def _escape_char(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str) -> str:
    """``text`` with every unsafe code point written as a visible ``\\xNN``/``\\uNNNN``
    escape; any other text, backslashes included, is left exactly as it is."""
    return re.sub(_UNSAFE_TEXT, _escape_char, text)


def dumps(envelope: dict[str, Any], *, ascii_only: bool = False) -> str:
    """The JSON form. Unsafe code points inside strings are written as ``\\uNNNN``
    escapes, so the text decodes to the same values but shows none of them raw
    (``ascii_only``: every non-ASCII character is escaped so)."""
    text = json.dumps(envelope, indent=2, ensure_ascii=ascii_only)
    return re.sub(_UNSAFE_IN_JSON, lambda m: f"\\u{ord(m.group()):04x}", text) + "\n"


def _scalar(value: Any) -> str:
    """A scalar, whole: readable output leaves values out but never shortens one."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    return visible(str(value))


def _summary(value: Any) -> str:
    if isinstance(value, list):
        return f"{len(value)} item(s)"
    if isinstance(value, dict):
        return f"{len(value)} field(s)"
    return _scalar(value)


def _fields(data: dict[str, Any]) -> list[str]:
    """One line per field: scalars whole; an object's own fields one level down, as
    ``key.field``; deeper objects and lists by their size only (never cut)."""
    lines: list[str] = []
    for key, value in data.items():
        name = visible(str(key))
        if isinstance(value, dict) and value:
            for inner, item in value.items():
                lines.append(f"  {name}.{visible(str(inner))}: {_summary(item)}")
        else:
            lines.append(f"  {name}: {_summary(value)}")
    return lines


def readable(envelope: dict[str, Any]) -> str:
    """A short human form: status line, data fields, warnings, error and recovery.

    Fields may be left out (the last line then says how many, and that ``--json`` shows
    them), but every value shown is printed whole: a URL keeps its ``#fragment``, an id
    every character. Unsafe code points are shown as visible escapes (see :func:`visible`).
    """
    lines: list[str] = []
    label = visible(str(envelope.get("command") or ""))
    if envelope.get("ok"):
        lines.append(f"ok: {label}".rstrip())
        data = envelope.get("data")
        if isinstance(data, dict):
            fields = _fields(data)
            lines += fields[:READABLE_FIELDS]
            if len(fields) > READABLE_FIELDS:
                lines.append(f"  ... {len(fields) - READABLE_FIELDS} more fields (use --json)")
        elif isinstance(data, list):
            lines.append(f"  {len(data)} item(s) (use --json)")
        elif data is not None:
            lines.append(f"  {_scalar(data)}")
    else:
        error = envelope.get("error") or {}
        if not isinstance(error, dict):
            error = {"message": error}
        code = _scalar(error.get("code", "UNKNOWN"))
        lines.append(f"error {code}: {_scalar(error.get('message', ''))}")
        recovery = error.get("recovery")
        if isinstance(recovery, dict):
            lines += _fields(recovery)
        if error.get("retryable"):
            lines.append("  retryable: true")
    for warning in envelope.get("warnings") or ():
        lines.append(f"warning: {_scalar(warning)}")
    return "\n".join(lines) + "\n"


def emit(envelope: dict[str, Any], *, as_json: bool) -> None:
    text = dumps(envelope) if as_json else readable(envelope)
    stream = sys.stdout
    try:
        try:
            stream.write(text)  # encodes the whole text before writing any of it
        except UnicodeEncodeError:
            # A terminal whose encoding cannot show every character (PYTHONIOENCODING=ascii,
            # a legacy code page): escape what it cannot show rather than fail.
            if as_json:
                text = dumps(envelope, ascii_only=True)
            else:
                encoding = stream.encoding or "ascii"
                text = text.encode(encoding, "backslashreplace").decode(encoding)
            stream.write(text)
        stream.flush()
    except BrokenPipeError:  # the reader went away; nothing useful left to do
        try:
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - silence the exit-time flush
        except OSError:
            pass
