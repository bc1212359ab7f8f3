"""THE mapping from a parsed invocation to the HTTP request it sends.

Standard library only, shipped in every client wheel. The client sends what
:func:`build` returns, the docs print it for every example, and the mock tests compare
what the mock received with it: one mapping, written once.

Steps of :func:`build`:

1. **Route**: the first route of the command whose ``when`` holds (a flag given, or
   equal to / matching a value; an argument present, or matching a pattern), else
   ``None`` for a command that calls nothing.
2. **Fields**: every non-local flag (global flags first, then the command's) and every
   argument gives its request field, named by the route's ``fields`` override or by its
   own ``field``. Precedence, lowest first: defaults and generated values of absent
   flags; then given values (argv or env) and the constant ``sets`` of given switches, in
   declaration order; then ``extra_fields`` (what a hook returned). Each value passes,
   in order, ``read`` (a file's content; ``-`` is stdin), ``accepts_url`` (a product URL
   becomes the id it names), ``scale`` (``value x scale``, an integer when whole) and
   ``omit-empty``. Fields the chosen endpoint does not have are not sent (a flag may
   serve one route and not another).
3. **Placement**: path parameters (percent-encoded, ``.`` and ``..`` too), query items
   (a list repeats the key; ``true``/``false``; objects as compact JSON), headers, and
   the JSON body (dotted names nest objects; ``None`` is left out unless the field is
   required and nullable). POST, PUT and PATCH always carry a body, ``{}`` at least.

The credential is not part of this mapping: ``protocol.apply_credential`` adds it.

Side effects (the clock, randomness, file and stdin reads, the API base for
``accepts_url: base``) come from an :class:`Effects` object so that tests and the docs
get the same request every time.

Errors: :class:`~.invocation.UsageProblem` for bad input (a path parameter without a
value, a URL that is not the product's, a file too large or not UTF-8) and
:class:`~.invocation.LocalFileProblem` for a file that cannot be read. Nothing else.
"""

from __future__ import annotations

import json
import math
import re
from urllib.parse import quote, unquote, urlencode, urlsplit

from .invocation import LocalFileProblem, UsageProblem, find_flag, flags_of, typed_default

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from typing import Any

    from .invocation import Invocation

DEFAULT_READ_MAX = 1024 * 1024
GENERATE_PLACEHOLDERS = ("millis", "seconds", "date", "hex8", "hex16", "hex32", "uuid")
PLACEHOLDER = re.compile(r"\{([A-Za-z0-9_]*)\}")

_OMIT = object()


# --------------------------------------------------------------------------- effects


def _now() -> float:
    import time

    return time.time()


def _random_bytes(count: int) -> bytes:
    import os

    return os.urandom(count)


def _read_file(path: str, limit: int) -> bytes:
    with open(path, "rb") as handle:
        return handle.read(limit + 1)


def _read_stdin(limit: int) -> bytes:
    import sys

    return sys.stdin.buffer.read(limit + 1)


class Effects:
    """What the mapping may observe besides the invocation.

    * ``now()`` -> seconds since the epoch; ``random_bytes(n)`` -> ``n`` bytes;
    * ``read_file(path, limit)`` and ``read_stdin(limit)`` -> at most ``limit + 1``
      bytes (one more than allowed tells "too large"); they raise ``OSError``;
    * ``base_url``: the API base in use, for ``accepts_url`` hosts named ``base``.

    The defaults are the real clock, ``os.urandom``, the file system and stdin.
    """

    __slots__ = ("base_url", "now", "random_bytes", "read_file", "read_stdin")

    def __init__(
        self,
        *,
        now: Callable[[], float] | None = None,
        random_bytes: Callable[[int], bytes] | None = None,
        read_file: Callable[[str, int], bytes] | None = None,
        read_stdin: Callable[[int], bytes] | None = None,
        base_url: str | None = None,
    ) -> None:
        self.now = now or _now
        self.random_bytes = random_bytes or _random_bytes
        self.read_file = read_file or _read_file
        self.read_stdin = read_stdin or _read_stdin
        self.base_url = base_url


# --------------------------------------------------------------------------- the request


class Request:
    """One HTTP request, before the credential and the transport headers are added.

    ``query`` and ``headers`` are lists of ``(name, text)`` pairs in a fixed order;
    ``body`` is the JSON body (``None`` for none).
    """

    __slots__ = ("body", "endpoint", "headers", "method", "path", "query")

    def __init__(
        self,
        endpoint: str,
        method: str,
        path: str,
        query: list[tuple[str, str]],
        headers: list[tuple[str, str]],
        body: dict[str, Any] | None,
    ) -> None:
        self.endpoint = endpoint
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body

    def target(self) -> str:
        """Path and query string, as sent on the request line."""
        return self.path + ("?" + urlencode(self.query, quote_via=quote) if self.query else "")

    def body_bytes(self) -> bytes | None:
        """The body as sent: compact UTF-8 JSON."""
        if self.body is None:
            return None
        return json.dumps(self.body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    def to_dict(self) -> dict[str, Any]:
        return {
            "endpoint": self.endpoint,
            "method": self.method,
            "path": self.path,
            "query": [list(pair) for pair in self.query],
            "headers": [list(pair) for pair in self.headers],
            "body": self.body,
        }

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Request):
            return NotImplemented
        return self.to_dict() == other.to_dict()

    def __repr__(self) -> str:
        return f"Request({self.method} {self.target()} headers={self.headers!r} body={self.body!r})"


class Built:
    """What :func:`build` returns: the request, the route chosen, the fields sent, warnings."""

    __slots__ = ("fields", "request", "route", "warnings")

    def __init__(self, request: Request, route: dict[str, Any], fields: dict[str, Any], warnings: list[str]) -> None:
        self.request = request
        self.route = route
        self.fields = fields
        self.warnings = warnings


# --------------------------------------------------------------------------- routes


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _holds(contract: dict[str, Any], invocation: Invocation, when: dict[str, Any]) -> bool:
    if when.get("flag"):
        flag = find_flag(contract, invocation.command, when["flag"])
        value = invocation.value(flag) if flag is not None else None
        if value is None or value is False or value == []:
            return when.get("equals") == "false" and value is False
    else:
        value = invocation.arguments.get(when.get("argument") or "")
        if value is None or value == []:
            return False
    items = value if isinstance(value, list) else [value]
    if when.get("equals") is not None:
        return all(_text(item) == when["equals"] for item in items)
    if when.get("matches") is not None:
        pattern = re.compile(when["matches"])
        return all(pattern.search(_text(item)) is not None for item in items)
    return True


def choose_route(contract: dict[str, Any], invocation: Invocation) -> dict[str, Any] | None:
    """The first route of the invocation's command whose condition holds (``None``: no call)."""
    for route in invocation.command.get("routes") or ():
        when = route.get("when")
        if when is None or _holds(contract, invocation, when):
            return dict(route)
    return None


# --------------------------------------------------------------------------- values


def generate(pattern: str, effects: Effects | None = None) -> str:
    """Fill the placeholders of a ``generate`` pattern (unknown ones are left as written)."""
    effects = effects or Effects()
    now = effects.now()

    def fill(match: re.Match[str]) -> str:
        key = match.group(1)
        if key == "millis":
            return str(int(now * 1000))
        if key == "seconds":
            return str(int(now))
        if key == "date":
            import time

            return time.strftime("%Y%m%d", time.gmtime(now))
        if key in ("hex8", "hex16", "hex32"):
            return effects.random_bytes(int(key[3:]) // 2).hex()
        if key == "uuid":
            raw = bytearray(effects.random_bytes(16).ljust(16, b"\0")[:16])
            raw[6] = (raw[6] & 0x0F) | 0x40
            raw[8] = (raw[8] & 0x3F) | 0x80
            hexed = raw.hex()
            return f"{hexed[:8]}-{hexed[8:12]}-{hexed[12:16]}-{hexed[16:20]}-{hexed[20:]}"
        return match.group(0)

    return PLACEHOLDER.sub(fill, pattern)


def _read(source: dict[str, Any], path: Any, effects: Effects) -> Any:
    what = source["name"]
    limit = int(source.get("max_bytes") or DEFAULT_READ_MAX)
    name = str(path)
    try:
        raw = effects.read_stdin(limit) if name == "-" else effects.read_file(name, limit)
    except OSError as exc:
        where = "stdin" if name == "-" else name
        raise LocalFileProblem(
            f"{what}: could not read {where}: {exc.strerror or type(exc).__name__}", flag=what
        ) from None
    if len(raw) > limit:
        raise UsageProblem(f"{what}: {'stdin' if name == '-' else name} is larger than {limit} bytes", flag=what)
    kind = source["read"]
    if kind == "base64":
        import base64

        return base64.b64encode(raw).decode("ascii")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise UsageProblem(f"{what}: {name} is not UTF-8 text", flag=what) from None
    if kind == "json":
        try:
            return json.loads(text)
        except (ValueError, RecursionError):
            raise UsageProblem(f"{what}: {name} does not hold valid JSON", flag=what) from None
    if kind == "lines":
        return [line.strip() for line in text.splitlines() if line.strip()]
    return text


def _host(url: str | None) -> str:
    if not url:
        return ""
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def _reduce_url(contract: dict[str, Any], source: dict[str, Any], value: str, effects: Effects) -> str:
    accepts = source["accepts_url"]
    if "://" not in value:
        return value
    urls = contract.get("urls") or {}
    allowed = {_host(effects.base_url) if name == "base" else _host(urls.get(name)) for name in accepts["hosts"]}
    allowed.discard("")
    try:
        parts = urlsplit(value)
        host = (parts.hostname or "").lower()
        scheme = parts.scheme.lower()
    except ValueError:
        host, scheme, parts = "", "", None
    if parts is not None and scheme in ("http", "https") and host in allowed:
        segment = unquote(parts.path.rstrip("/").rpartition("/")[2])
        stem = segment.rpartition(".")[0] if "." in segment else segment
        for candidate in (stem, segment):
            if candidate and re.search(accepts["id"], candidate):
                return candidate
    listing = ", ".join(sorted(allowed)) or "no host"
    raise UsageProblem(
        f"{source['name']} takes an id or a URL on {listing} that names one; got {value!r}",
        flag=source["name"],
        hint="give the id instead",
    )


def _shape(contract: dict[str, Any], source: dict[str, Any], value: Any, effects: Effects) -> Any:
    """One flag's or argument's value on its way to the request (read, URL, scale, omit)."""
    items = value if isinstance(value, list) else None
    if source.get("read"):
        value = [_read(source, v, effects) for v in items] if items is not None else _read(source, value, effects)
        items = None
    if source.get("accepts_url"):
        if isinstance(value, list):
            value = [_reduce_url(contract, source, v, effects) if isinstance(v, str) else v for v in value]
        elif isinstance(value, str):
            value = _reduce_url(contract, source, value, effects)
    scale = source.get("scale")
    if scale:
        value = [_scaled(source, v, scale) for v in value] if isinstance(value, list) else _scaled(source, value, scale)
    if "omit-empty" in (source.get("transform") or ()) and value in ("", [], {}):
        return _OMIT
    return value


def _scaled(source: dict[str, Any], value: Any, scale: float) -> Any:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return value
    result = value * scale
    if isinstance(result, float):
        if not math.isfinite(result):
            raise UsageProblem(f"{source['name']} is too large", flag=source["name"])
        if result.is_integer():
            return int(result)
    return result


def _is_true(value: Any) -> bool:
    if isinstance(value, list):
        return any(v is True for v in value)
    return value is True


# --------------------------------------------------------------------------- fields and placement


def placement(endpoint: dict[str, Any]) -> dict[str, str]:
    """Field name -> ``path``, ``query``, ``header`` or ``body`` (first wins, in that order)."""
    where: dict[str, str] = {}
    for name in endpoint.get("path_params") or ():
        where.setdefault(name, "path")
    for name in endpoint.get("query") or ():
        where.setdefault(name, "query")
    for header in endpoint.get("headers") or ():
        where.setdefault(header["name"], "header")
    for field in endpoint.get("body") or ():
        where.setdefault(field["name"], "body")
    return where


def request_fields(
    contract: dict[str, Any],
    invocation: Invocation,
    route: dict[str, Any],
    *,
    effects: Effects | None = None,
    replaced: Mapping[str, Any] | None = None,
    extra_fields: Mapping[str, Any] | None = None,
) -> tuple[dict[str, Any], list[str]]:
    """The request fields (only those the route's endpoint has) and the warnings to show.

    ``replaced`` maps a flag or argument name to the value that stands for what was
    given (an upload step's new id); ``extra_fields`` are set last (a hook's result).
    """
    effects = effects or Effects()
    replaced = replaced or {}
    endpoint = contract["endpoints"].get(route["endpoint"])
    if endpoint is None:
        return {}, []
    where = placement(endpoint)
    overrides = route.get("fields") or {}
    command = invocation.command
    low: dict[str, Any] = {}
    high: dict[str, Any] = {}
    warnings: list[str] = []
    for flag in flags_of(contract, command):
        if flag.get("local"):
            continue
        name = flag["name"]
        field = overrides.get(name, flag.get("field"))
        sets = flag.get("sets") or {}
        if name in replaced or name in invocation.values:
            value = replaced[name] if name in replaced else invocation.values[name]
            if sets and _is_true(value):
                high.update(json.loads(json.dumps(sets)))
            if field:
                high[field] = _shape(contract, flag, value, effects)
            continue
        generator = flag.get("generate")
        if generator:
            value = generate(generator["pattern"], effects)
            if generator.get("warn"):
                warnings.append(f"{name} was not given, so the client made one: {value}")
        else:
            value = typed_default(flag)
            if value is None:
                continue
            if sets and _is_true(value):
                low.update(json.loads(json.dumps(sets)))
        if field:
            low[field] = _shape(contract, flag, value, effects)
    for argument in command.get("arguments") or ():
        name = argument["name"]
        value = replaced[name] if name in replaced else invocation.arguments.get(name)
        field = overrides.get(name, argument.get("field"))
        if value is None or not field:
            continue
        high[field] = _shape(contract, argument, value, effects)
    merged = {**low, **high, **dict(extra_fields or {})}
    fields = {name: value for name, value in merged.items() if value is not _OMIT and name in where}
    return fields, warnings


def set_dotted(body: dict[str, Any], name: str, value: Any) -> None:
    """Set the dotted ``name`` in ``body``, making objects on the way (a non-object in the
    way is replaced). The request body's nesting; the mock nests its replies with it too."""
    parts = name.split(".")
    node = body
    for part in parts[:-1]:
        child = node.get(part)
        if not isinstance(child, dict):
            child = {}
            node[part] = child
        node = child
    node[parts[-1]] = value


def _segment(value: Any, name: str) -> str:
    if value is None or value == "" or value == []:
        raise UsageProblem(f"missing value for the path parameter {name}", flag=name)
    if isinstance(value, (list, dict)):
        raise UsageProblem(f"the path parameter {name} takes one value", flag=name)
    text = quote(_text(value), safe="")
    # "." and ".." would be read as path steps by servers and proxies
    return text.replace(".", "%2E") if text in (".", "..") else text


def build_request(contract: dict[str, Any], endpoint_id: str, fields: Mapping[str, Any]) -> Request:
    """Place ``fields`` into the request of endpoint ``endpoint_id`` (``None`` = leave out)."""
    endpoint = contract["endpoints"][endpoint_id]
    path = endpoint["path"]
    for name in endpoint.get("path_params") or ():
        path = path.replace("{" + name + "}", _segment(fields.get(name), name))
    query: list[tuple[str, str]] = []
    for name in endpoint.get("query") or ():
        value = fields.get(name)
        if value is None:
            continue
        for item in value if isinstance(value, list) else [value]:
            query.append((name, _text(item)))
    headers: list[tuple[str, str]] = []
    for header in endpoint.get("headers") or ():
        value = fields.get(header["name"])
        if value is None:
            continue
        text = _text(value)
        if any(ch in text for ch in "\r\n\0"):
            raise UsageProblem(f"the value for the header {header['name']} holds a line break", flag=header["name"])
        headers.append((header["name"], text))
    body: dict[str, Any] | None = None
    body_fields = endpoint.get("body") or ()
    method = endpoint["method"]
    if method != "GET" and (body_fields or method in ("POST", "PUT", "PATCH")):
        body = {}
        for spec_field in body_fields:
            name = spec_field["name"]
            if name not in fields:
                continue
            if fields[name] is not None or (spec_field.get("required") and spec_field.get("nullable")):
                set_dotted(body, name, fields[name])
    return Request(endpoint_id, method, path, query, headers, body)


def build(
    contract: dict[str, Any],
    invocation: Invocation,
    *,
    effects: Effects | None = None,
    replaced: Mapping[str, Any] | None = None,
    extra_fields: Mapping[str, Any] | None = None,
) -> Built | None:
    """The request ``invocation`` sends, or ``None`` when its command calls no endpoint."""
    route = choose_route(contract, invocation)
    if route is None or route["endpoint"] not in contract["endpoints"]:
        return None
    fields, warnings = request_fields(
        contract, invocation, route, effects=effects, replaced=replaced, extra_fields=extra_fields
    )
    return Built(build_request(contract, route["endpoint"], fields), route, fields, warnings)
