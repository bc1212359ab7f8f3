"""The wire protocol of a product's client, read from the compiled contract.

Standard library only, shipped in every client wheel, and pure: the environment, the
saved config, stdin and the HTTP reply are passed in, so tests need no network, no
files and no patched globals.

* **Situations -> error codes -> exit codes.** Every exit the client makes is the exit
  code of an error code, or 0. :func:`situation_code` names the code the spec gives a
  client-side situation (``usage``, ``network``, ...); :func:`exit_code` looks up a code's
  exit code. A code the spec does not define (possible only for specs without a
  ``protocol:`` section, which ``validate`` does not hold to the rule) exits with
  :func:`fallback_exit`: 1 when the spec defines 1, else its smallest non-zero exit code.
* **Base URL**: the base flag, then the variables in order (empty = unset), then the
  default. Only scheme, host and port count. ``http://`` is accepted per the ``http``
  policy (``none``, ``loopback`` or ``any``). A refused base is the ``base_refused``
  situation when the spec defines a code for it, else ``usage``.
* **Credential**: the sources in order (stdin switch, secret flag, variables, saved
  config key); the first that gives a non-empty value wins. Where it may be sent: with
  ``send_to: declared`` a stdin/flag/env credential goes only to the default base or a
  loopback one; a saved credential goes only to the base recorded with it (or the
  default base when none is recorded), whatever ``send_to`` says. Placement: bearer
  header, a named header, or a query parameter.
* **Replies**: ``envelope`` (the reply's ``ok`` decides) or ``plain`` (the HTTP status
  decides), with declared dotted paths for data, error code, message, retryable,
  recovery and trace id. A failure without a code takes the code of its HTTP status
  (exact, then class such as ``5xx``), else the ``internal`` situation's. A body that is
  not JSON, or nests deeper than ``MAX_DEPTH``, is a ``bad_reply`` unless the status is
  an error the spec maps. The exit code is the exit-code header's (when the spec
  declares that header and defines that exit code), else the error code's; a code the
  spec does not define (a server's own) keeps its name but exits, and is retryable, like
  the code of its HTTP status, else like ``internal``. Retryable: the reply's own flag,
  else the code's, else a status in ``retries.statuses`` (or any 5xx without a readable
  body).
* **Retries** and **redaction** helpers.
"""

from __future__ import annotations

import json

from .invocation import Problem

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping
    from typing import Any

    from .requests import Request

MAX_DEPTH = 128


class ProtocolProblem(Problem):
    """A problem found by the protocol layer; ``situation`` is set per instance."""

    def __init__(self, situation: str, message: str, *, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.situation = situation


# --------------------------------------------------------------------------- codes


def fallback_exit(contract: dict[str, Any]) -> int:
    codes = [c for c in contract.get("exit_codes") or () if c != 0]
    if not codes or 1 in codes:
        return 1
    return min(codes)


def situation_code(contract: dict[str, Any], situation: str) -> str:
    """The error code the spec gives ``situation`` (its upper-cased name when it gives none)."""
    code = ((contract.get("protocol") or {}).get("errors") or {}).get(situation)
    return code or situation.upper()


def exit_code(contract: dict[str, Any], code: str | None) -> int:
    """Exit code of error ``code``; :func:`fallback_exit` for a code the spec does not define."""
    entry = (contract.get("error_codes") or {}).get(code or "")
    if entry is not None:
        return int(entry["exit_code"])
    return fallback_exit(contract)


def situation_exit(contract: dict[str, Any], situation: str) -> tuple[str, int]:
    """``(error code, exit code)`` of a client-side situation."""
    code = situation_code(contract, situation)
    return code, exit_code(contract, code)


def status_code(contract: dict[str, Any], status: int) -> str | None:
    """The error code the spec gives an HTTP status (exact, then its class such as ``5xx``)."""
    statuses = contract["protocol"]["replies"].get("statuses") or {}
    return statuses.get(str(status)) or statuses.get(f"{status // 100}xx")


# --------------------------------------------------------------------------- base URL


def is_loopback(host: str | None) -> bool:
    if not host:
        return False
    host = host.lower().strip("[]")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    import ipaddress

    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def normalize_base(url: str) -> str | None:
    """``scheme://host[:port]`` (lower case, default port dropped), or ``None`` if unusable."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if scheme not in ("http", "https") or not host or parts.username is not None or parts.password is not None:
        return None
    if ":" in host:
        host = f"[{host}]"
    default = 443 if scheme == "https" else 80
    return f"{scheme}://{host}" if port in (None, default) else f"{scheme}://{host}:{port}"


class Base:
    """The API base in use: ``url`` (normalised), ``source`` (a flag, a variable or ``default``)."""

    __slots__ = ("source", "url")

    def __init__(self, url: str, source: str) -> None:
        self.url = url
        self.source = source

    def __repr__(self) -> str:
        return f"Base({self.url!r}, from {self.source})"


def _refused(contract: dict[str, Any], message: str) -> ProtocolProblem:
    situation = "base_refused" if (contract["protocol"].get("errors") or {}).get("base_refused") else "usage"
    return ProtocolProblem(situation, message)


def resolve_base(contract: dict[str, Any], values: Mapping[str, Any], env: Mapping[str, str]) -> Base:
    """Where requests go: the base flag, then the variables, then the default."""
    settings = contract["protocol"]["base_url"]
    raw, source = "", "default"
    flag = settings.get("flag")
    if flag and isinstance(values.get(flag), str) and values[flag].strip():
        raw, source = values[flag].strip(), flag
    else:
        for var in settings.get("env") or ():
            value = (env.get(var) or "").strip()
            if value:
                raw, source = value, var
                break
    if not raw:
        raw = str(settings.get("default") or "")
    url = normalize_base(raw)
    if url is None:
        raise _refused(contract, f"the API base URL from {source} is not a usable http(s) URL: {raw!r}")
    if url.startswith("http://"):
        policy = settings.get("http", "loopback")
        if policy == "none" or (policy == "loopback" and not is_loopback(_hostname(url))):
            raise _refused(contract, f"the API base URL from {source} uses plain http: {url}")
    return Base(url, source)


def _hostname(url: str | None) -> str | None:
    from urllib.parse import urlsplit

    try:
        return urlsplit(url or "").hostname
    except ValueError:
        return None


def default_base(contract: dict[str, Any]) -> str | None:
    return normalize_base(str(contract["protocol"]["base_url"].get("default") or ""))


def is_custom_base(contract: dict[str, Any], base: str) -> bool:
    """True when ``base`` is not the spec's default base (a self-hosted server, a mock)."""
    return normalize_base(base) != default_base(contract)


# --------------------------------------------------------------------------- config


def config_path(contract: dict[str, Any], env: Mapping[str, str], home: str | None = None) -> str | None:
    """The saved config file: the override variable, else ``$XDG_CONFIG_HOME/<folder>/<file>``.

    A relative ``XDG_CONFIG_HOME`` is ignored (as the XDG spec says). ``None`` when the
    contract declares no config file.
    """
    import os.path

    settings = contract["protocol"].get("config")
    if not settings:
        return None
    override = (env.get(settings["env"]) or "").strip() if settings.get("env") else ""
    if override:
        return os.path.abspath(os.path.expanduser(override))
    xdg = (env.get("XDG_CONFIG_HOME") or "").strip()
    if not xdg or not os.path.isabs(xdg):
        xdg = os.path.join(home or os.path.expanduser("~"), ".config")
    return os.path.join(xdg, settings["folder"], settings["file"])


# --------------------------------------------------------------------------- credential


class Credential:
    """A resolved credential: ``secret``, the source ``kind`` (stdin, flag, env, config) and ``name``."""

    __slots__ = ("kind", "name", "secret")

    def __init__(self, secret: str, kind: str, name: str) -> None:
        self.secret = secret
        self.kind = kind
        self.name = name

    def __repr__(self) -> str:  # never the secret
        return f"Credential(from {self.kind} {self.name})"


def resolve_credential(
    contract: dict[str, Any],
    values: Mapping[str, Any],
    env: Mapping[str, str],
    *,
    config: Mapping[str, Any] | None = None,
    read_stdin: Callable[[], str] | None = None,
    stdin_is_tty: bool = False,
) -> Credential | None:
    """The first credential the sources give, or ``None``.

    A stdin switch that is given reads stdin (``read_stdin``), refused from a terminal
    (``usage``); an empty read counts as no credential from that source. A credential
    that does not match the declared ``shape`` is refused (``usage``).
    """
    settings = contract["protocol"].get("credential")
    if not settings:
        return None
    found: Credential | None = None
    for source in settings["sources"]:
        kind, name = source["kind"], source["name"]
        secret = ""
        if kind == "stdin":
            if values.get(name) is not True:
                continue
            if stdin_is_tty:
                raise ProtocolProblem("usage", f"{name} reads the credential from stdin, which is a terminal")
            secret = (read_stdin() if read_stdin is not None else "").strip()
        elif kind == "flag":
            value = values.get(name)
            secret = value.strip() if isinstance(value, str) else ""
        elif kind == "env":
            secret = (env.get(name) or "").strip()
        elif kind == "config":
            value = (config or {}).get(name)
            secret = value.strip() if isinstance(value, str) else ""
        if secret:
            found = Credential(secret, kind, name)
            break
    if found is None:
        return None
    shape = settings.get("shape")
    if shape:
        import re

        if re.search(shape, found.secret) is None:
            raise ProtocolProblem("usage", f"the credential from {found.name} does not look like one")
    return found


def credential_refusal(
    contract: dict[str, Any], credential: Credential, base: str, config: Mapping[str, Any] | None = None
) -> str | None:
    """Why ``credential`` may not be sent to ``base`` (``None``: it may)."""
    settings = contract["protocol"].get("credential") or {}
    target = normalize_base(base)
    declared = default_base(contract)
    loopback = is_loopback(_hostname(target))
    if credential.kind == "config":
        key = (contract["protocol"].get("config") or {}).get("base_key")
        saved = (config or {}).get(key) if key else None
        bound = normalize_base(saved) if isinstance(saved, str) else declared
        if bound != target:
            return f"the saved credential belongs to {bound or 'another base'}, not {target}"
        return None
    if settings.get("send_to", "declared") == "declared" and target != declared and not loopback:
        return f"a credential from {credential.name} is sent only to {declared} or a loopback address, not {target}"
    return None


def needs_credential(contract: dict[str, Any], command: dict[str, Any], endpoint_id: str | None, base: str) -> str:
    """``required``, ``optional`` or ``none`` for calling ``endpoint_id`` from ``command``."""
    settings = contract["protocol"].get("credential")
    if not settings or command.get("auth") == "none":
        return "none"
    endpoint = (contract.get("endpoints") or {}).get(endpoint_id or "") or {}
    mode = "required" if "required" in (command.get("auth"), endpoint.get("auth")) else "optional"
    if mode == "required" and settings.get("optional_for_custom_base") and is_custom_base(contract, base):
        return "optional"
    return mode


def apply_credential(contract: dict[str, Any], request: Request, secret: str) -> None:
    """Add the credential to ``request`` where the scheme puts it."""
    settings = contract["protocol"]["credential"]
    if settings["scheme"] == "query":
        request.query.append((settings["name"], secret))
    else:
        request.headers.append((settings["name"] or "Authorization", (settings.get("prefix") or "") + secret))


def credential_source_flags(contract: dict[str, Any]) -> list[str]:
    """The flags that carry or read a credential (never echoed, never logged)."""
    settings = contract["protocol"].get("credential") or {}
    return [s["name"] for s in settings.get("sources") or () if s["kind"] in ("flag", "stdin")]


# --------------------------------------------------------------------------- replies


_MISSING = object()


def get_path(value: Any, path: str | None) -> Any:
    """The value at dotted ``path`` ("" = ``value``); a digits-only part indexes a list.

    Returns a private marker when the path is absent; callers outside this module use
    :func:`lookup`, which turns it into a default.
    """
    if path is None:
        return _MISSING
    if path == "":
        return value
    node = value
    for part in path.split("."):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return _MISSING
    return node


def lookup(value: Any, path: str | None, default: Any = None) -> Any:
    found = get_path(value, path)
    return default if found is _MISSING else found


def too_deep(value: Any, limit: int = MAX_DEPTH) -> bool:
    """True if ``value`` nests lists/objects deeper than ``limit`` (checked without recursion)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children: Iterable[Any] = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


class Reply:
    """An interpreted HTTP reply.

    ``ok``; ``status``; ``data`` (at the data path); ``body`` (the parsed JSON, ``None`` if
    none); on failure ``error_code``, ``message``, ``retryable``, ``recovery`` (whatever the
    reply holds there, or ``None``), ``exit_code``; ``trace_id`` either way.
    """

    __slots__ = (
        "body",
        "data",
        "error_code",
        "exit_code",
        "message",
        "ok",
        "recovery",
        "retryable",
        "status",
        "trace_id",
    )

    def __init__(self, ok: bool, status: int, body: Any = None) -> None:
        self.ok = ok
        self.status = status
        self.body = body
        self.data: Any = None
        self.error_code: str | None = None
        self.message: str | None = None
        self.retryable = False
        self.recovery: Any = None
        self.trace_id: str | None = None
        self.exit_code = 0

    def __repr__(self) -> str:
        if self.ok:
            return f"Reply(ok, status={self.status})"
        return f"Reply(failed, status={self.status}, code={self.error_code!r}, exit={self.exit_code})"


def _header(headers: Mapping[str, str] | Iterable[tuple[str, str]], name: str) -> str | None:
    items = headers.items() if hasattr(headers, "items") else headers
    for key, value in items:
        if key.lower() == name.lower():
            return value
    return None


def _decode(body: bytes | None) -> tuple[bool, Any]:
    if not body:
        return False, None
    try:
        parsed = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return False, None
    if too_deep(parsed):
        return False, None
    return True, parsed


def interpret(
    contract: dict[str, Any],
    endpoint_id: str | None,
    status: int,
    headers: Mapping[str, str] | Iterable[tuple[str, str]],
    body: bytes | None,
) -> Reply:
    """Read an HTTP reply the way the spec declares (see the module docstring)."""
    replies = contract["protocol"]["replies"]
    endpoint = (contract.get("endpoints") or {}).get(endpoint_id or "") or {}
    style = endpoint.get("reply") or replies["style"]
    parsed_ok, parsed = _decode(body)
    success_status = 200 <= status < 300
    if parsed_ok and style == "envelope" and isinstance(parsed, dict):
        ok_value = get_path(parsed, replies.get("ok") or "ok")
        if ok_value is _MISSING:
            return _failed(contract, status, headers, parsed, known=False)
        if ok_value is True:
            return _succeeded(replies, status, parsed, replies.get("data"))
        return _failed(contract, status, headers, parsed, known=True)
    if parsed_ok and style == "plain":
        if success_status:
            return _succeeded(replies, status, parsed, replies.get("data") if replies["style"] == "plain" else "")
        return _failed(contract, status, headers, parsed, known=True)
    if parsed_ok and style == "envelope":  # JSON, but not an object
        return _failed(contract, status, headers, parsed, known=False)
    return _failed(contract, status, headers, None, known=False)


def _succeeded(replies: dict[str, Any], status: int, parsed: Any, data_path: str | None) -> Reply:
    reply = Reply(True, status, parsed)
    reply.data = lookup(parsed, "" if data_path is None else data_path)
    trace = lookup(parsed, replies.get("trace_id"))
    reply.trace_id = trace if isinstance(trace, str) else None
    return reply


def _failed(
    contract: dict[str, Any],
    status: int,
    headers: Mapping[str, str] | Iterable[tuple[str, str]],
    parsed: Any,
    *,
    known: bool,
) -> Reply:
    """``known``: the body is a reply of the declared shape (else it is a bad reply)."""
    replies = contract["protocol"]["replies"]
    reply = Reply(False, status, parsed)
    mapped = status_code(contract, status) if status >= 400 else None
    if known:
        code = lookup(parsed, replies.get("error_code"))
        message = lookup(parsed, replies.get("error_message"))
        reply.error_code = code if isinstance(code, str) and code else (mapped or situation_code(contract, "internal"))
        reply.message = message if isinstance(message, str) and message else None
        retryable = lookup(parsed, replies.get("retryable"))
        reply.recovery = lookup(parsed, replies.get("recovery"))
        trace = lookup(parsed, replies.get("trace_id"))
        reply.trace_id = trace if isinstance(trace, str) else None
    elif mapped:
        reply.error_code = mapped
        retryable = None
    else:
        reply.error_code = situation_code(contract, "bad_reply")
        retryable = None
    if reply.message is None:
        what = "a reply it could not read" if not known else "an error"
        reply.message = f"the API answered HTTP {status} with {what}"
    # a code the spec does not define takes its status's code for exit code and retryability
    codes = contract.get("error_codes") or {}
    entry = codes.get(reply.error_code) or (codes.get(mapped) if mapped else None) or {}
    if isinstance(retryable, bool):
        reply.retryable = retryable
    else:
        retries = contract["protocol"].get("retries") or {}
        reply.retryable = (
            bool(entry.get("retryable")) or status in (retries.get("statuses") or ()) or (not known and status >= 500)
        )
    if entry:
        reply.exit_code = int(entry["exit_code"])
    else:
        reply.exit_code = exit_code(contract, situation_code(contract, "internal"))
    header = replies.get("exit_code_header")
    if header:
        raw = (_header(headers, header) or "").strip()
        if raw.isdigit() and len(raw) <= 3:
            value = int(raw)
            if value != 0 and value in (contract.get("exit_codes") or ()):
                reply.exit_code = value
    return reply


# --------------------------------------------------------------------------- retries


def retry_delay(
    contract: dict[str, Any], method: str, status: int, attempt: int, retry_after: str | None = None
) -> float | None:
    """Seconds to wait before attempt ``attempt + 1`` (``attempt`` counts from 1), or ``None``: do not retry.

    Only the declared methods and statuses are retried, up to ``attempts`` in all. A
    ``Retry-After`` in seconds is honoured up to ``retry_after_max_seconds`` (a longer one
    means: do not retry); otherwise ``backoff_seconds`` doubles each time.
    """
    retries = contract["protocol"].get("retries") or {}
    if method.upper() not in (retries.get("methods") or ()) or status not in (retries.get("statuses") or ()):
        return None
    if attempt >= int(retries.get("attempts") or 1):
        return None
    ceiling = float(retries.get("retry_after_max_seconds") or 0)
    if retry_after is not None and retry_after.strip().isdigit():
        wait = float(retry_after.strip())
        return wait if wait <= ceiling else None
    return min(float(retries.get("backoff_seconds") or 0) * (2 ** (attempt - 1)), ceiling or float("inf"))


# --------------------------------------------------------------------------- redaction


def redact(value: Any, secrets: Iterable[str], mask: str = "[redacted]") -> Any:
    """A copy of ``value`` with every secret replaced in strings and in object keys.

    Iterative (a reply nested thousands deep cannot exhaust the stack). Secrets shorter
    than 4 characters are ignored (they would mangle ordinary text).
    """
    needles = sorted({s for s in secrets if s and len(s) >= 4}, key=len, reverse=True)
    if not needles:
        return value

    def clean(text: str) -> str:
        for needle in needles:
            if needle in text:
                text = text.replace(needle, mask)
        return text

    if isinstance(value, str):
        return clean(value)
    root: list[Any] = [None]
    stack: list[tuple[Any, Any, Any]] = [(value, root, 0)]
    while stack:
        node, parent, key = stack.pop()
        if isinstance(node, dict):
            copy: Any = {}
            for k, v in node.items():
                new_key = clean(k) if isinstance(k, str) else k
                copy[new_key] = None
                stack.append((v, copy, new_key))
        elif isinstance(node, list):
            copy = [None] * len(node)
            for i, v in enumerate(node):
                stack.append((v, copy, i))
        elif isinstance(node, str):
            copy = clean(node)
        else:
            copy = node
        parent[key] = copy
    return root[0]
