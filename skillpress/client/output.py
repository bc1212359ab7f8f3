"""What the client prints: JSON text, the readable form and verbatim fields, all terminal-safe.

Standard library only. Three rules hold for every byte the client writes:

* **Nothing is shortened.** The readable form may leave fields out (its last line then
  says how many and that the JSON switch shows them) but prints every value it shows
  whole: a URL keeps its ``#fragment``, an id every character.
* **No raw control characters.** C0 and C1 controls (ESC sequences included), DEL, the
  bidi marks, overrides and isolates, the Unicode line separators and lone surrogates
  from a server are written as visible escapes (``\\x1b``, ``\\u202e``) in text and as
  ``\\uNNNN`` escapes in JSON text, which still decodes to the values the server sent.
  A verbatim field keeps its line feeds and tabs (it is a document: markdown, a list).
* **Credentials are redacted** before any of this (see ``protocol.redact``), in values
  and in object keys.
"""

from __future__ import annotations

import json
import re

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

_UNSAFE_BEYOND_C0 = r"\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff"
_UNSAFE_TEXT = r"[\x00-\x1f" + _UNSAFE_BEYOND_C0 + "]"
_UNSAFE_DOCUMENT = r"[\x00-\x08\x0b-\x1f" + _UNSAFE_BEYOND_C0 + "]"  # keeps \t and \n
_UNSAFE_IN_JSON = "[" + _UNSAFE_BEYOND_C0 + "]"  # json.dumps already escapes C0

#: Readable form: at most this many field lines, then one saying how many were left out.
READABLE_FIELDS = 40


def _escape_char(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str) -> str:
    """``text`` with every unsafe code point written as a visible escape."""
    return re.sub(_UNSAFE_TEXT, _escape_char, text)


def document(text: str) -> str:
    """Like :func:`visible`, but line feeds and tabs stay (a verbatim field)."""
    return re.sub(_UNSAFE_DOCUMENT, _escape_char, text.replace("\r\n", "\n"))


def dumps(value: Any, *, pretty: bool = False, ascii_only: bool = False) -> str:
    """JSON text of ``value``; unsafe code points inside strings become ``\\uNNNN`` escapes."""
    if pretty:
        text = json.dumps(value, indent=2, ensure_ascii=ascii_only)
    else:
        text = json.dumps(value, ensure_ascii=ascii_only, separators=(",", ":"))
    return re.sub(_UNSAFE_IN_JSON, lambda m: f"\\u{ord(m.group()):04x}", text) + "\n"


def scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, str):
        return visible(value)
    return visible(json.dumps(value, ensure_ascii=False))


def _summary(value: Any) -> str:
    if isinstance(value, list):
        return f"{len(value)} item(s)"
    if isinstance(value, dict):
        return f"{len(value)} field(s)"
    return scalar(value)


def _fields(data: dict[str, Any]) -> list[str]:
    """One line per field: scalars whole; an object's own fields one level down as
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


def readable(label: str, ok: bool, data: Any, error: dict[str, Any] | None, warnings: list[str], json_flag: str) -> str:
    """A short human form: status line, data fields, warnings, error and recovery."""
    more = f" (use {json_flag})" if json_flag else ""
    lines: list[str] = []
    if ok:
        lines.append(f"ok: {visible(label)}".rstrip())
        if isinstance(data, dict):
            fields = _fields(data)
            lines += fields[:READABLE_FIELDS]
            if len(fields) > READABLE_FIELDS:
                lines.append(f"  ... {len(fields) - READABLE_FIELDS} more fields{more}")
        elif isinstance(data, list):
            lines.append(f"  {len(data)} item(s){more}")
        elif data is not None:
            lines.append(f"  {scalar(data)}")
    else:
        error = error or {}
        lines.append(f"error {scalar(error.get('code'))}: {scalar(error.get('message', ''))}")
        recovery = error.get("recovery")
        if isinstance(recovery, dict):
            lines += _fields(recovery)
        elif recovery is not None:
            lines.append(f"  recovery: {_summary(recovery)}")
        if error.get("retryable"):
            lines.append("  retryable: true")
    for warning in warnings:
        lines.append(f"warning: {scalar(warning)}")
    return "\n".join(lines) + "\n"


def verbatim(value: Any) -> str:
    """A reply field printed as it is: text whole, a list one item a line, else JSON."""
    if isinstance(value, str):
        text = document(value)
        return text if text.endswith("\n") else text + "\n"
    if isinstance(value, list) and all(not isinstance(v, (dict, list)) for v in value):
        return "".join((document(v) if isinstance(v, str) else scalar(v)) + "\n" for v in value)
    if isinstance(value, (dict, list)):
        return dumps(value, pretty=True)
    return scalar(value) + "\n"
