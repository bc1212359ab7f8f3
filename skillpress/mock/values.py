"""Values the mock makes up: ids shaped like the spec's examples, credentials of the
declared shape, and deterministic bytes for downloadable bodies.

Nothing here knows a product: an id is made "like" an example id (a UUID stays a UUID,
``word_hex`` keeps its word), a credential is made from the literal head of the declared
shape pattern, and bytes depend only on a key and a MIME type.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import uuid
import zlib
from collections.abc import Callable, Iterator
from typing import Any

from skillpress.contract.requests import set_dotted

UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_WORD_ID = re.compile(r"^([A-Za-z][A-Za-z0-9]*(?:[_-][A-Za-z][A-Za-z]*)*[_-])[A-Za-z0-9]+$")
_META = set(".^$*+?{}[]\\|()")
_ESCAPED_LITERAL = set("-_/.:@")


def new_id_like(example: Any, seed: str | None = None) -> str:
    """A fresh id that looks like ``example`` (same UUID form, same word prefix).

    With ``seed`` the id is derived from it, so the same seed always gives the same id.
    """
    text = str(example) if example is not None else ""

    def noise(count: int) -> bytes:
        if seed is None:
            return os.urandom(count)
        return hashlib.sha256(seed.encode()).digest()[:count]

    if UUID_RE.match(text):
        raw = bytearray(noise(16))
        version = text[14]
        raw[6] = (raw[6] & 0x0F) | (int(version, 16) << 4 if version in "1234578" else 0x40)
        raw[8] = (raw[8] & 0x3F) | 0x80
        return str(uuid.UUID(bytes=bytes(raw)))
    match = _WORD_ID.match(text)
    if match:
        return match.group(1) + noise(6).hex()
    return noise(8).hex()


def looks_like_id(text: str) -> bool:
    """A UUID or ``word_hexish``: a value the mock makes fresh rather than echoes."""
    return bool(UUID_RE.match(text) or _WORD_ID.match(text))


def literal_head(pattern: str) -> str:
    """The literal text a regular expression starts with (after ``^``), e.g. ``ab-`` for ``^ab-[0-9]+``."""
    head = []
    i = 1 if pattern.startswith("^") else 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern) and pattern[i + 1] in _ESCAPED_LITERAL:
            head.append(pattern[i + 1])
            i += 2
            continue
        if ch in _META:
            # a quantifier applies to the previous character, which is then not certain
            if ch in "*?{" and head:
                head.pop()
            break
        head.append(ch)
        i += 1
    return "".join(head)


def credential_like(shape: str | None) -> str:
    """A fresh secret that matches ``shape`` (a regular expression), or a plain random one."""
    body = os.urandom(20).hex()
    if not shape:
        return body
    head = literal_head(shape)
    for candidate in (head + body, head + body[:16], head + body.upper(), body):
        if re.search(shape, candidate):
            return candidate
    return head + body


def is_issued_shape(value: Any, shape: str | None) -> bool:
    """Does an example value stand for a credential (matches the shape, longer than its head)?"""
    if not shape or not isinstance(value, str) or re.search(shape, value) is None:
        return False
    return len(value) >= len(literal_head(shape)) + 4


# --------------------------------------------------------------------------- bytes


def _png(seed: bytes) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return len(data).to_bytes(4, "big") + kind + data + zlib.crc32(kind + data).to_bytes(4, "big")

    header = (1).to_bytes(4, "big") + (1).to_bytes(4, "big") + bytes([8, 2, 0, 0, 0])
    raw = b"\x00" + seed[:3]
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def tiny_png(seed: str = "") -> bytes:
    """A valid 1x1 PNG whose pixel depends on ``seed``."""
    return _png(hashlib.sha256(seed.encode()).digest())


def blob_bytes(key: str, mime: str | None) -> bytes:
    """Deterministic bytes of type ``mime`` for ``key`` (same key and type, same bytes)."""
    seed = hashlib.sha256(f"{key}\0{mime or ''}".encode()).digest()
    kind = (mime or "").split(";")[0].strip().lower()
    if kind == "image/png":
        return _png(seed)
    if kind in ("application/json",) or kind.endswith("+json"):
        return (json.dumps({"key": key, "digest": seed.hex()}, sort_keys=True) + "\n").encode()
    if kind.startswith("text/"):
        return f"mock content {seed.hex()}\n".encode()
    out = b""
    block = seed
    while len(out) < 256:
        block = hashlib.sha256(block).digest()
        out += block
    return out


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --------------------------------------------------------------------------- JSON trees


def walk_objects(node: Any) -> Iterator[dict[str, Any]]:
    """Every object in ``node`` (depth first, without recursion)."""
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            yield item
            stack.extend(reversed(list(item.values())))
        elif isinstance(item, list):
            stack.extend(reversed(item))


def map_strings(node: Any, change: Callable[[str], str]) -> Any:
    """A copy of ``node`` with ``change`` applied to every string value."""
    if isinstance(node, str):
        return change(node)
    if isinstance(node, dict):
        return {k: map_strings(v, change) for k, v in node.items()}
    if isinstance(node, list):
        return [map_strings(v, change) for v in node]
    return node


def same_kind(example: Any, value: Any) -> bool:
    """May ``value`` stand where the example has ``example``?"""
    if example is None:
        return True
    if isinstance(example, bool) or isinstance(value, bool):
        return isinstance(example, bool) and isinstance(value, bool)
    if isinstance(example, (int, float)):
        return isinstance(value, (int, float))
    return isinstance(value, type(example))


#: Set a dotted path in an object, making objects on the way: the request mapping's own.
set_path = set_dotted


def remove_path(node: dict[str, Any], path: str) -> None:
    """Delete dotted ``path`` from ``node`` if it is there."""
    parts = path.split(".")
    for part in parts[:-1]:
        child = node.get(part)
        if not isinstance(child, dict):
            return
        node = child
    node.pop(parts[-1], None)


def deep(value: Any) -> Any:
    """A copy of a JSON value (a JSON round trip: several times faster than ``copy.deepcopy``)."""
    if isinstance(value, (dict, list)):
        return json.loads(json.dumps(value))
    return value


def flatten(obj: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """``{"a": {"b": 1}}`` -> ``{"a": {...}, "a.b": 1}`` (every level kept)."""
    out: dict[str, Any] = {}
    for key, value in obj.items():
        name = f"{prefix}{key}"
        out[name] = value
        if isinstance(value, dict):
            out.update(flatten(value, name + "."))
    return out
