"""A local, spec-driven mock of the hosted API (stdlib ``http.server`` + ``sqlite3``).

Every endpoint of the spec is served on 127.0.0.1 and answers its example response
inside the success envelope. Requests are checked against the spec first:

* unknown path → 404, known path with another method → 405;
* ``auth: required`` endpoints need ``Authorization: Bearer <token>`` where the token
  was issued by *this mock's* signup endpoint (tokens are stored hashed); an
  ``auth: optional`` endpoint refuses a token it did not issue. Otherwise 401;
* the JSON body and the query must hold every required field with the declared type
  and choices, and nothing undeclared → 400 ``INVALID_ARGUMENTS``.

State lives in SQLite (in memory unless a file is given): signups issue tokens and a
starting balance; credit quotes honour idempotency (same key and same terms → the same
quote; same key, other terms → 409 ``CREDIT_QUOTE_CONFLICT``); fake purchases grant
credits exactly once per quote; create and edit debit credits and record jobs, assets
and activity events (only event types the spec defines); quota shows the balance; jobs,
assets and activity are read from the tables. Ids that appear in the spec's examples
(``jobs show job_...`` and the like) are seeded so that every documented example runs.
Asset bytes are served by the mock itself under ``/media/``.

Requests are logged (method, path, status) without the Authorization header, and any
token-looking text in the path is redacted. Checkout URLs keep their ``#...`` fragment.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import logging
import os
import re
import sqlite3
import threading
import time
import zlib
from collections.abc import Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlsplit

from skillpress.spec.model import Endpoint, FieldSpec, Spec

log = logging.getLogger("skillpress.mock")

DEFAULT_STARTING_CREDITS = 20
MAX_BODY_BYTES = 40 * 1024 * 1024
TERMINAL = ("completed", "failed", "canceled", "cancelled")

SCHEMA = """
CREATE TABLE IF NOT EXISTS agents (
  id TEXT PRIMARY KEY, org_id TEXT, name TEXT, contact TEXT, runtime TEXT,
  claim_state TEXT, credits INTEGER NOT NULL DEFAULT 0, created_at REAL);
CREATE TABLE IF NOT EXISTS tokens (token_hash TEXT PRIMARY KEY, agent_id TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS quotes (
  id TEXT PRIMARY KEY, agent_id TEXT, idem_key TEXT, terms TEXT, credits INTEGER,
  price_cents INTEGER, currency TEXT, payment_method TEXT, pack_id TEXT, created_at REAL);
CREATE UNIQUE INDEX IF NOT EXISTS quotes_idem ON quotes (agent_id, idem_key);
CREATE TABLE IF NOT EXISTS purchases (
  id TEXT PRIMARY KEY, quote_id TEXT UNIQUE, agent_id TEXT, idem_key TEXT, credits INTEGER,
  balance_after INTEGER, created_at REAL);
CREATE TABLE IF NOT EXISTS attempts (
  id TEXT PRIMARY KEY, quote_id TEXT, agent_id TEXT, idem_key TEXT, session_id TEXT,
  checkout_url TEXT, state TEXT, created_at REAL);
CREATE TABLE IF NOT EXISTS jobs (
  id TEXT PRIMARY KEY, agent_id TEXT, kind TEXT, status TEXT, credits INTEGER,
  request TEXT, created_at REAL);
CREATE TABLE IF NOT EXISTS assets (
  id TEXT PRIMARY KEY, agent_id TEXT, job_id TEXT, mime TEXT, bytes BLOB, sha256 TEXT,
  created_at REAL);
CREATE TABLE IF NOT EXISTS events (
  id TEXT PRIMARY KEY, agent_id TEXT, type TEXT, subject_id TEXT, data TEXT, created_at REAL);
"""


# --------------------------------------------------------------------------- helpers


def tiny_png(seed: str = "") -> bytes:
    """A valid 1x1 PNG whose pixel depends on ``seed`` (so assets differ)."""
    digest = hashlib.sha256(seed.encode()).digest()

    def chunk(kind: bytes, data: bytes) -> bytes:
        return len(data).to_bytes(4, "big") + kind + data + zlib.crc32(kind + data).to_bytes(4, "big")

    header = (1).to_bytes(4, "big") + (1).to_bytes(4, "big") + bytes([8, 2, 0, 0, 0])
    raw = b"\x00" + digest[:3]
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def _new_id(prefix: str) -> str:
    return f"{prefix}_{os.urandom(6).hex()}"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _prefix_of(example_value: Any, fallback: str) -> str:
    if isinstance(example_value, str) and "_" in example_value:
        return example_value.split("_", 1)[0]
    return fallback


def find_key(node: Any, key: str) -> Any:
    """First value of ``key`` anywhere in ``node`` (depth first), or None."""
    if isinstance(node, dict):
        if key in node:
            return node[key]
        for value in node.values():
            found = find_key(value, key)
            if found is not None:
                return found
    elif isinstance(node, list):
        for value in node:
            found = find_key(value, key)
            if found is not None:
                return found
    return None


def fill(node: Any, values: dict[str, Any]) -> Any:
    """Deep copy of ``node`` with every key named in ``values`` set to its value."""
    if isinstance(node, dict):
        return {k: (copy.deepcopy(values[k]) if k in values else fill(v, values)) for k, v in node.items()}
    if isinstance(node, list):
        return [fill(v, values) for v in node]
    return copy.deepcopy(node)


def _type_ok(spec_field: FieldSpec, value: Any) -> bool:
    if value is None:
        return spec_field.nullable or spec_field.type == "null"
    kind = spec_field.type
    if kind == "string":
        return isinstance(value, str)
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "object":
        return isinstance(value, dict)
    if kind == "array":
        return isinstance(value, list)
    return False


_TOKENISH = re.compile(r"[A-Za-z]+_[A-Za-z0-9_]{24,}")


class Route:
    def __init__(self, endpoint: Endpoint, roles: set[str], label: str) -> None:
        self.endpoint = endpoint
        self.roles = roles
        self.label = label
        pattern = re.escape(endpoint.path)
        for name in endpoint.template_params:
            pattern = pattern.replace(re.escape("{" + name + "}"), f"(?P<{name}>[^/]+)")
        self.regex = re.compile("^" + pattern + "$")


class Reply:
    def __init__(
        self, status: int, body: bytes, content_type: str = "application/json", headers: dict[str, str] | None = None
    ) -> None:
        self.status = status
        self.body = body
        self.content_type = content_type
        self.headers = headers or {}


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, recovery: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.recovery = recovery


# --------------------------------------------------------------------------- the app


class MockApp:
    """The request handling logic, independent of the HTTP server (tests may call it)."""

    def __init__(
        self, spec: Spec, db_path: str = ":memory:", *, starting_credits: int = DEFAULT_STARTING_CREDITS
    ) -> None:
        self.spec = spec
        self.base_url = "http://127.0.0.1"
        self.starting_credits = starting_credits
        self.lock = threading.RLock()
        self.db = sqlite3.connect(db_path, check_same_thread=False, isolation_level=None)
        self.db.row_factory = sqlite3.Row
        self.db.executescript(SCHEMA)
        self.token_prefix = (spec.client.token_prefix if spec.client else None) or "tok_"
        self.routes = self._routes()
        self.requests: list[tuple[str, str, int]] = []
        self._seed()

    # ------------------------------------------------------------------ routing

    def _routes(self) -> list[Route]:
        roles: dict[str, set[str]] = {e.id: set() for e in self.spec.endpoints}
        labels: dict[str, str] = {}
        cli = self.spec.product.cli_name
        for command in self.spec.commands:
            if command.endpoint in roles:
                roles[command.endpoint].add(command.path)
                for alias in command.aliases:
                    roles[command.endpoint].add(alias)
                if command.behavior is not None:
                    roles[command.endpoint].add("behavior:" + command.behavior.value)
                if command.behavior is None or command.endpoint not in labels:
                    if command.behavior is None and labels.get("plain:" + command.endpoint):
                        continue
                    labels[command.endpoint] = f"{cli} {command.path}"
                    if command.behavior is None:
                        labels["plain:" + command.endpoint] = "1"
        if self.spec.credits:
            for method in self.spec.credits.payment_methods:
                if method.endpoint in roles:
                    roles[method.endpoint].add("settle:" + ("fake" if not method.live_money else "live"))
        return [Route(e, roles[e.id], labels.get(e.id, f"{e.method} {e.path}")) for e in self.spec.endpoints]

    def match(self, method: str, path: str) -> tuple[Route | None, dict[str, str], bool]:
        path_known = False
        for route in self.routes:
            found = route.regex.match(path)
            if found is None:
                continue
            path_known = True
            if route.endpoint.method == method:
                return route, {k: unquote(v) for k, v in found.groupdict().items()}, True
        return None, {}, path_known

    # ------------------------------------------------------------------ envelopes

    # Codes the mock answers with even when a spec does not define them (a small spec may
    # not; the image-skill spec documents all four): NOT_FOUND (unknown route or id),
    # METHOD_NOT_ALLOWED, QUOTA_EXCEEDED (402) and INTERNAL_ERROR.
    MOCK_ONLY_CODES = ("NOT_FOUND", "METHOD_NOT_ALLOWED", "QUOTA_EXCEEDED", "INTERNAL_ERROR")

    def envelope(
        self,
        label: str,
        *,
        data: Any = None,
        actor: Any = None,
        error: dict[str, Any] | None = None,
        warnings: list[str] | None = None,
    ) -> dict[str, Any]:
        return {
            "ok": error is None,
            "command": label,
            "trace_id": "trace_mock_" + os.urandom(6).hex(),
            "actor": actor,
            "data": data,
            "warnings": list(warnings or ()),
            "error": error,
        }

    def error_reply(self, label: str, exc: ApiError, actor: Any = None) -> Reply:
        code = exc.code
        spec_code = self.spec.error_codes_by_code.get(code)
        error: dict[str, Any] = {
            "code": code,
            "message": exc.message,
            "retryable": bool(spec_code.retryable) if spec_code else exc.status >= 500,
        }
        recovery = dict(exc.recovery or {})
        if spec_code is not None and spec_code.recovery and "hint" not in recovery:
            recovery["hint"] = spec_code.recovery
        if recovery:
            error["recovery"] = recovery
        headers = {}
        header = self.spec.client.exit_code_header if self.spec.client else None
        if header and spec_code is not None and spec_code.exit_code != self._status_exit(exc.status):
            headers[header] = str(spec_code.exit_code)  # e.g. INPUT_POLICY_DENIED → 6, INVALID_ARGUMENTS → 2
        return self.json_reply(exc.status, self.envelope(label, actor=actor, error=error), headers)

    def _status_exit(self, status: int) -> int:
        mapping = self.spec.client.http_exit_codes if self.spec.client else {}
        code = mapping.get(str(status), mapping.get(f"{status // 100}xx"))
        return int(code) if code is not None else 1

    @staticmethod
    def json_reply(status: int, payload: Any, headers: dict[str, str] | None = None) -> Reply:
        body = (json.dumps(payload, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
        return Reply(status, body, headers=headers)

    # ------------------------------------------------------------------ entry

    def handle(self, method: str, target: str, headers: dict[str, str], body: bytes) -> Reply:
        parts = urlsplit(target)
        path = parts.path
        if method == "GET" and path.startswith("/media/"):
            return self.media(path[len("/media/") :])
        route, params, path_known = self.match(method, path)
        if route is None:
            status = 405 if path_known else 404
            code = "METHOD_NOT_ALLOWED" if path_known else "NOT_FOUND"
            message = f"{method} is not allowed on {path}" if path_known else f"no endpoint {method} {path}"
            reply = self.error_reply(f"mock {method} {path}", ApiError(status, code, message))
            if path_known:
                allowed = sorted({r.endpoint.method for r in self.routes if r.regex.match(path)})
                reply.headers["Allow"] = ", ".join(allowed)
            return reply
        actor_row = None
        try:
            with self.lock:
                actor_row = self.authenticate(route, headers)
                query = self.check_query(route.endpoint, parts.query)
                payload = self.check_body(route.endpoint, body, method)
                data, extra_status = self.dispatch(route, params, query, payload, actor_row)
                actor = self.actor(actor_row) if actor_row is not None else None
                if isinstance(data, Reply):
                    return data
                if isinstance(data, dict) and "__actor__" in data:
                    actor = data.pop("__actor__")
        except ApiError as exc:
            return self.error_reply(route.label, exc, self.actor(actor_row) if actor_row is not None else None)
        status = extra_status or route.endpoint.response.status
        if not route.endpoint.enveloped:
            return self.json_reply(status, data)
        return self.json_reply(status, self.envelope(route.label, data=data, actor=actor))

    # ------------------------------------------------------------------ checks

    def authenticate(self, route: Route, headers: dict[str, str]) -> sqlite3.Row | None:
        auth = route.endpoint.auth.value
        raw = headers.get("authorization", "")
        token = raw[7:].strip() if raw[:7].lower() == "bearer " else ""
        if auth == "none":
            return None
        row = None
        if token:
            row = self.db.execute(
                "SELECT agents.* FROM tokens JOIN agents ON agents.id = tokens.agent_id WHERE token_hash = ?",
                (_hash(token),),
            ).fetchone()
        if row is None and (auth == "required" or token):
            signup = next(
                (c for c in self.spec.commands if c.behavior is not None and c.behavior.value == "signup"), None
            )
            recovery = {"suggested_command": f"{self.spec.product.cli_name} {signup.path} --help"} if signup else None
            message = "a bearer token issued by signup is required" if not token else "the bearer token is not valid"
            raise ApiError(401, "AUTH_REQUIRED", message, recovery)
        return row

    def check_query(self, endpoint: Endpoint, raw: str) -> dict[str, Any]:
        declared = {q.name: q for q in endpoint.query}
        values: dict[str, Any] = {}
        for name, value in parse_qsl(raw, keep_blank_values=True):
            if name not in declared:
                raise ApiError(400, "INVALID_ARGUMENTS", f"unknown query parameter {name!r}")
            values[name] = value
        for name, spec_field in declared.items():
            if spec_field.required and name not in values:
                raise ApiError(400, "INVALID_ARGUMENTS", f"missing query parameter {name!r}")
            if name in values and spec_field.type in ("integer", "number"):
                try:
                    values[name] = int(values[name]) if spec_field.type == "integer" else float(values[name])
                except ValueError:
                    raise ApiError(
                        400, "INVALID_ARGUMENTS", f"query parameter {name} must be a {spec_field.type}"
                    ) from None
            if name in values and spec_field.choices and str(values[name]) not in spec_field.choices:
                raise ApiError(400, "INVALID_ARGUMENTS", f"{name} must be one of {', '.join(spec_field.choices)}")
        return values

    def check_body(self, endpoint: Endpoint, body: bytes, method: str) -> dict[str, Any]:
        if not body.strip():
            payload: Any = {}
        else:
            try:
                payload = json.loads(body.decode("utf-8"))
            except (UnicodeDecodeError, ValueError):
                raise ApiError(400, "INVALID_ARGUMENTS", "the request body is not JSON") from None
        if not isinstance(payload, dict):
            raise ApiError(400, "INVALID_ARGUMENTS", "the request body must be a JSON object")
        if method == "GET" and payload:
            raise ApiError(400, "INVALID_ARGUMENTS", "a GET request takes no body")
        declared = {f.name.split(".")[0].split("[")[0]: f for f in endpoint.body}
        for name in payload:
            if name not in declared:
                raise ApiError(400, "INVALID_ARGUMENTS", f"unknown body field {name!r}")
        for spec_field in endpoint.body:
            if "." in spec_field.name or "[" in spec_field.name:
                continue
            present = spec_field.name in payload
            if spec_field.required and (not present or (payload[spec_field.name] is None and not spec_field.nullable)):
                raise ApiError(400, "INVALID_ARGUMENTS", f"missing required body field {spec_field.name!r}")
            if present and not _type_ok(spec_field, payload[spec_field.name]):
                raise ApiError(400, "INVALID_ARGUMENTS", f"body field {spec_field.name!r} must be {spec_field.type}")
            if (
                present
                and spec_field.choices
                and payload[spec_field.name] is not None
                and str(payload[spec_field.name]) not in spec_field.choices
            ):
                raise ApiError(
                    400, "INVALID_ARGUMENTS", f"{spec_field.name} must be one of {', '.join(spec_field.choices)}"
                )
        return payload

    # ------------------------------------------------------------------ state helpers

    def actor(self, row: sqlite3.Row) -> dict[str, Any]:
        return {
            "actor_type": "agent",
            "actor_id": row["id"],
            "organization_id": row["org_id"],
            "claim_state": row["claim_state"],
        }

    def example(self, route: Route) -> Any:
        return copy.deepcopy(route.endpoint.response.example) if route.endpoint.response.example is not None else {}

    def event(self, agent_id: str | None, wanted: Iterable[str], subject_id: str, data: Any = None) -> str | None:
        """Record the first event type in ``wanted`` that the spec defines (none if the spec has none)."""
        types = set(self.spec.event_types)
        for kind in wanted:
            if kind in types:
                event_id = _new_id("evt")
                self.db.execute(
                    "INSERT INTO events VALUES (?,?,?,?,?,?)",
                    (event_id, agent_id, kind, subject_id, json.dumps(data or {}), time.time()),
                )
                return event_id
        return None

    def events_for(self, subject: str, operation: str) -> list[str]:
        return [e.type for e in self.spec.events if e.subject == subject and e.operation == operation]

    def visible(self, table: str, row_id: str, agent: sqlite3.Row | None) -> sqlite3.Row | None:
        row = self.db.execute(f"SELECT * FROM {table} WHERE id = ?", (row_id,)).fetchone()  # noqa: S608
        if row is None:
            return None
        if row["agent_id"] is not None and (agent is None or row["agent_id"] != agent["id"]):
            return None
        return row

    # ------------------------------------------------------------------ dispatch

    def dispatch(
        self,
        route: Route,
        params: dict[str, str],
        query: dict[str, Any],
        body: dict[str, Any],
        agent: sqlite3.Row | None,
    ) -> tuple[Any, int | None]:
        roles = route.roles
        if "behavior:signup" in roles:
            return self.signup(route, body)
        if "behavior:quote" in roles:
            return self.quote(route, body, agent)
        if "settle:fake" in roles or any(r.endswith("fake-purchase") for r in roles):
            return self.fake_purchase(route, body, agent)
        if "behavior:checkout" in roles and route.endpoint.method != "GET":
            return self.checkout_create(route, body, agent)
        if "behavior:checkout" in roles:
            return self.checkout_status(route, query, agent)
        if "behavior:upload" in roles:
            return self.upload(route, body, agent)
        if "behavior:create" in roles or "behavior:edit" in roles:
            return self.generate(route, body, agent, "edit" if "behavior:edit" in roles else "create")
        if "behavior:jobs-wait" in roles or "jobs show" in roles:
            return self.job(route, params, agent)
        if "behavior:assets-get" in roles or "assets show" in roles:
            return self.asset(route, params, agent)
        if "activity list" in roles:
            return self.activity_list(route, query, agent)
        if "activity show" in roles:
            return self.activity_show(route, params, agent)
        if "feedback create" in roles:
            return self.feedback(route, body, agent)
        if roles & {"usage quota", "quota"}:
            return self.quota(route, agent)
        if roles & {"whoami", "behavior:auth-status"}:
            return self.whoami(route, agent)
        if roles & {"models show", "capabilities show"}:
            return self.catalog_item(route, params)
        return self.example(route), None

    # ------------------------------------------------------------------ identity

    def signup(self, route: Route, body: dict[str, Any]) -> tuple[Any, int | None]:
        example = self.example(route)
        agent_id = _new_id(_prefix_of(find_key(example, "agent_id"), "agt"))
        org_id = _new_id(_prefix_of(find_key(example, "organization_id"), "org"))
        token = self.token_prefix + os.urandom(20).hex()
        claim = find_key(example, "claim_state") or "unclaimed"
        self.db.execute(
            "INSERT INTO agents VALUES (?,?,?,?,?,?,?,?)",
            (
                agent_id,
                org_id,
                body.get("agent_name"),
                body.get("human_email"),
                body.get("runtime"),
                claim,
                self.starting_credits,
                time.time(),
            ),
        )
        self.db.execute("INSERT INTO tokens VALUES (?,?)", (_hash(token), agent_id))
        row = self.db.execute("SELECT * FROM agents WHERE id = ?", (agent_id,)).fetchone()
        data: dict[str, Any] = example if isinstance(example, dict) else {}
        data.update(
            {
                "token": token if body.get("return_token") else None,
                "agent_id": agent_id,
                "organization_id": org_id,
                "claim_state": claim,
                "token_class": self.token_prefix,
            }
        )
        # token_presented and storage are the client's annotations, not the server's.
        data.pop("token_presented", None)
        data["storage"] = {"server_hint": "keep the token in a secret store; it is shown only once"}
        data["__actor__"] = self.actor(row)
        return data, None

    def whoami(self, route: Route, agent: sqlite3.Row | None) -> tuple[Any, int | None]:
        data = self.example(route)
        if agent is not None and isinstance(data, dict):
            data.update(
                {"actor_id": agent["id"], "organization_id": agent["org_id"], "claim_state": agent["claim_state"]}
            )
        return data, None

    def _balance(self, agent: sqlite3.Row | None) -> int:
        if agent is None:
            return 0
        row = self.db.execute("SELECT credits FROM agents WHERE id = ?", (agent["id"],)).fetchone()
        return int(row["credits"]) if row else 0

    def quota(self, route: Route, agent: sqlite3.Row | None) -> tuple[Any, int | None]:
        data = self.example(route)
        balance = self._balance(agent)
        limits = data.setdefault("limits", {}) if isinstance(data, dict) else {}
        if isinstance(limits, dict):
            limits["credits_remaining"] = balance
            if agent is not None and "jobs_used_today" in limits:
                day = time.time() - 86400
                limits["jobs_used_today"] = self.db.execute(
                    "SELECT COUNT(*) FROM jobs WHERE agent_id = ? AND created_at > ?", (agent["id"], day)
                ).fetchone()[0]
        return data, None

    # ------------------------------------------------------------------ credits

    def _terms(self, body: dict[str, Any]) -> tuple[int, int, str | None]:
        credits_cfg = self.spec.credits
        pack_id = body.get("pack_id")
        if pack_id and body.get("credits") is not None:
            raise ApiError(400, "INVALID_ARGUMENTS", "give pack_id or credits, not both")
        if pack_id:
            pack = next((p for p in (credits_cfg.packs if credits_cfg else []) if p.id == pack_id), None)
            if pack is None:
                raise ApiError(400, "INVALID_ARGUMENTS", f"no credit pack {pack_id!r}")
            return pack.credits, round(pack.price_cents), pack.id
        credits = body.get("credits")
        if not isinstance(credits, int) or isinstance(credits, bool) or credits <= 0:
            raise ApiError(400, "INVALID_ARGUMENTS", "give pack_id or a positive whole number of credits")
        if credits_cfg and credits_cfg.custom_quotes:
            low, high = credits_cfg.custom_quotes.min_credits, credits_cfg.custom_quotes.max_credits
            if not low <= credits <= high:
                raise ApiError(400, "INVALID_ARGUMENTS", f"credits must be between {low} and {high}")
        value = (credits_cfg.credit_value_cents if credits_cfg else None) or 1
        return credits, round(credits * value), None

    def _live(self, method: str) -> bool:
        methods = self.spec.credits.payment_methods if self.spec.credits else []
        found = next((m for m in methods if m.id == method), None)
        return bool(found and found.live_money)

    def _quote_json(self, row: sqlite3.Row) -> dict[str, Any]:
        pack = None
        if row["pack_id"] and self.spec.credits:
            found = next((p for p in self.spec.credits.packs if p.id == row["pack_id"]), None)
            if found is not None:
                pack = {
                    "pack_id": found.id,
                    "name": found.name,
                    "credits": found.credits,
                    "amount_cents": found.price_cents,
                    "currency": row["currency"],
                }
        return {
            "quote_id": row["id"],
            "credits": row["credits"],
            "price_amount_cents": row["price_cents"],
            "currency": row["currency"],
            "accepted_payment_method": row["payment_method"],
            "pack_id": row["pack_id"],
            "pack": pack,
            "live_money": self._live(row["payment_method"]),
        }

    def quote(self, route: Route, body: dict[str, Any], agent: sqlite3.Row | None) -> tuple[Any, int | None]:
        assert agent is not None
        credits, price, pack_id = self._terms(body)
        method = (
            body.get("payment_method")
            or (self.spec.credits.default_payment_method if self.spec.credits else None)
            or "fake"
        )
        key = body.get("idempotency_key") or _new_id("auto")
        terms = json.dumps({"credits": credits, "pack_id": pack_id, "payment_method": method}, sort_keys=True)
        row = self.db.execute("SELECT * FROM quotes WHERE agent_id = ? AND idem_key = ?", (agent["id"], key)).fetchone()
        if row is not None and row["terms"] != terms:
            cli = self.spec.product.cli_name
            command = next(
                (c.path for c in self.spec.commands if c.behavior and c.behavior.value == "quote"), "credits quote"
            )
            fresh = f"{key}-{os.urandom(3).hex()}"
            terms_argv = f"--pack {pack_id}" if pack_id else f"--credits {credits}"
            raise ApiError(
                409,
                "CREDIT_QUOTE_CONFLICT",
                f"idempotency key {key!r} was already used for a quote with other terms",
                {
                    "suggested_command": f"{cli} {command} {terms_argv} --payment-method {method} "
                    f"--idempotency-key {fresh} --json",
                    "existing_quote_id": row["id"],
                },
            )
        if row is None:
            quote_id = _new_id(_prefix_of(find_key(self.example(route), "quote_id"), "quote"))
            currency = self.spec.credits.currency if self.spec.credits else "USD"
            self.db.execute(
                "INSERT INTO quotes VALUES (?,?,?,?,?,?,?,?,?,?)",
                (quote_id, agent["id"], key, terms, credits, price, currency, method, pack_id, time.time()),
            )
            row = self.db.execute("SELECT * FROM quotes WHERE id = ?", (quote_id,)).fetchone()
        data = self.example(route)
        data.update(self._quote_json(row))
        data.update(
            {
                "state": "created",
                "idempotency_key": key,
                "expires_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(row["created_at"] + 3600)),
            }
        )
        return data, None

    def _quote_for(self, body: dict[str, Any], agent: sqlite3.Row | None) -> sqlite3.Row:
        quote_id = body.get("quote_id")
        row = self.visible("quotes", str(quote_id), agent) if quote_id else None
        if row is None:
            raise ApiError(400, "INVALID_ARGUMENTS", f"no credit quote {quote_id!r} for this agent")
        return row

    def fake_purchase(self, route: Route, body: dict[str, Any], agent: sqlite3.Row | None) -> tuple[Any, int | None]:
        assert agent is not None
        quote = self._quote_for(body, agent)
        if self._live(quote["payment_method"]):
            raise ApiError(400, "INVALID_ARGUMENTS", "this quote is priced for a live-money rail; use its checkout")
        done = self.db.execute("SELECT * FROM purchases WHERE quote_id = ?", (quote["id"],)).fetchone()
        if done is None:  # credits are granted exactly once per quote
            self.db.execute("UPDATE agents SET credits = credits + ? WHERE id = ?", (quote["credits"], agent["id"]))
            receipt = _new_id(_prefix_of(find_key(self.example(route), "receipt_id"), "receipt"))
            self.db.execute(
                "INSERT INTO purchases VALUES (?,?,?,?,?,?,?)",
                (
                    receipt,
                    quote["id"],
                    agent["id"],
                    body.get("idempotency_key"),
                    quote["credits"],
                    self._balance(agent),
                    time.time(),
                ),
            )
            self.event(
                agent["id"],
                ["credits.payment_backed_granted"],
                quote["id"],
                {"quote_id": quote["id"], "receipt_id": receipt, "credit_event_id": "credit_event_" + receipt},
            )
            done = self.db.execute("SELECT * FROM purchases WHERE quote_id = ?", (quote["id"],)).fetchone()
        data = self.example(route)
        data.update(
            {
                "state": "succeeded",
                "quote_id": quote["id"],
                "receipt_id": done["id"],
                "credit_event_id": "credit_event_" + done["id"],
                "credits_granted": done["credits"],
                "amount_cents": quote["price_cents"],
                "currency": quote["currency"],
                "accepted_payment_method": "fake",
                "idempotency_key": done["idem_key"],
                "balance_after": done["balance_after"],
                "live_money": False,
            }
        )
        return data, None

    def checkout_create(self, route: Route, body: dict[str, Any], agent: sqlite3.Row | None) -> tuple[Any, int | None]:
        assert agent is not None
        quote = self._quote_for(body, agent)
        key = body.get("idempotency_key")
        row = self.db.execute(
            "SELECT * FROM attempts WHERE agent_id = ? AND idem_key = ?", (agent["id"], key)
        ).fetchone()
        if row is None:
            attempt_id = _new_id(_prefix_of(find_key(self.example(route), "payment_attempt_id"), "payatt"))
            session_id = "cs_test_" + os.urandom(8).hex()
            # A real Stripe URL carries a long #fragment the browser needs; keep one here.
            url = f"https://checkout.stripe.com/c/pay/{session_id}#fid{os.urandom(9).hex()}%2Bmock%2Fpay"
            self.db.execute(
                "INSERT INTO attempts VALUES (?,?,?,?,?,?,?,?)",
                (attempt_id, quote["id"], agent["id"], key, session_id, url, "action_required", time.time()),
            )
            self.event(
                agent["id"],
                ["payment.checkout_session.created"],
                attempt_id,
                {"quote_id": quote["id"], "payment_attempt_id": attempt_id, "checkout_session_id": session_id},
            )
            row = self.db.execute("SELECT * FROM attempts WHERE id = ?", (attempt_id,)).fetchone()
        data = self.example(route)
        handoff = f"{self.base_url}/pay/{row['id']}"
        data.update(
            {
                "state": "action_required",
                "quote_id": quote["id"],
                "payment_attempt_id": row["id"],
                "checkout_session_id": row["session_id"],
                "checkout_handoff_url": handoff,
                "checkout_compact_url": row["checkout_url"],
                "checkout_url": row["checkout_url"],
                "credits": quote["credits"],
                "amount_cents": quote["price_cents"],
                "currency": quote["currency"],
                "live_money": True,
            }
        )
        nxt = data.get("next") if isinstance(data.get("next"), dict) else {}
        nxt.update(
            {
                "human_action": "open_checkout_url",
                "checkout_handoff_url": handoff,
                "checkout_compact_url": row["checkout_url"],
                "fallback_checkout_url": row["checkout_url"],
            }
        )
        data["next"] = nxt
        return data, None

    def checkout_status(self, route: Route, query: dict[str, Any], agent: sqlite3.Row | None) -> tuple[Any, int | None]:
        given = [k for k in ("quote_id", "payment_attempt_id", "checkout_session_id", "receipt_id") if query.get(k)]
        if len(given) != 1:
            raise ApiError(
                400,
                "INVALID_ARGUMENTS",
                "give exactly one of quote_id, payment_attempt_id, checkout_session_id or receipt_id",
            )
        name, value = given[0], query[given[0]]
        quote = attempt = purchase = None
        if name == "receipt_id":
            purchase = self.visible("purchases", value, agent)
            quote = self.visible("quotes", purchase["quote_id"], agent) if purchase else None
        elif name == "quote_id":
            quote = self.visible("quotes", value, agent)
        else:
            column = "id" if name == "payment_attempt_id" else "session_id"
            attempt = self.db.execute(f"SELECT * FROM attempts WHERE {column} = ?", (value,)).fetchone()  # noqa: S608
            if attempt is not None and attempt["agent_id"] not in (None, agent["id"] if agent else None):
                attempt = None
            quote = self.visible("quotes", attempt["quote_id"], agent) if attempt is not None else None
        if quote is not None and attempt is None:
            attempt = self.db.execute(
                "SELECT * FROM attempts WHERE quote_id = ? ORDER BY created_at DESC LIMIT 1", (quote["id"],)
            ).fetchone()
        if quote is not None and purchase is None:
            purchase = self.db.execute("SELECT * FROM purchases WHERE quote_id = ?", (quote["id"],)).fetchone()
        if quote is None and attempt is None and purchase is None:
            raise ApiError(404, "NOT_FOUND", f"nothing found for {name}={value}")
        data = self.example(route)
        data["quote"] = self._quote_json(quote) if quote is not None else None
        if attempt is not None:
            url = attempt["checkout_url"] or find_key(self.example(route), "checkout_url")
            handoff = f"{self.base_url}/pay/{attempt['id']}"
            data["payment_attempt"] = {
                "payment_attempt_id": attempt["id"],
                "checkout_session_id": attempt["session_id"],
                "checkout_handoff_url": handoff,
                "checkout_compact_url": url,
                "checkout_url": url,
                "attempt_status": "requires_action",
            }
        else:
            data["payment_attempt"] = None
        if purchase is not None:
            data["state"] = "succeeded"
            data["receipt"] = {"receipt_id": purchase["id"], "credits_granted": purchase["credits"]}
            data["credit_event"] = {"credit_event_id": "credit_event_" + purchase["id"]}
            data["limits"] = {"credits_remaining": self._balance(agent)}
            data["next"] = {"human_action": "none"}
        else:
            data["state"] = "action_required"
            data["receipt"] = None
            data["credit_event"] = None
            nxt = data.get("next") if isinstance(data.get("next"), dict) else {}
            if isinstance(data.get("payment_attempt"), dict):
                nxt["checkout_handoff_url"] = data["payment_attempt"]["checkout_handoff_url"]
                nxt["checkout_compact_url"] = data["payment_attempt"]["checkout_compact_url"]
            data["next"] = nxt
        return data, None

    # ------------------------------------------------------------------ media

    def upload(self, route: Route, body: dict[str, Any], agent: sqlite3.Row | None) -> tuple[Any, int | None]:
        assert agent is not None
        try:
            data_bytes = base64.b64decode(str(body.get("bytes_base64", "")), validate=True)
        except ValueError:
            raise ApiError(400, "INVALID_ARGUMENTS", "bytes_base64 is not valid base64") from None
        if body.get("content_length") != len(data_bytes):
            raise ApiError(400, "INVALID_ARGUMENTS", "content_length does not match the decoded bytes")
        digest = hashlib.sha256(data_bytes).hexdigest()
        if body.get("sha256") != digest:
            raise ApiError(400, "INVALID_ARGUMENTS", "sha256 does not match the decoded bytes")
        mime = str(body.get("mime_type"))
        if mime not in ("image/png", "image/jpeg", "image/webp", "image/gif", "image/avif"):
            raise ApiError(400, "INPUT_POLICY_DENIED", f"{mime} is not an accepted image type")
        if "/" in str(body.get("filename")) or "\\" in str(body.get("filename")):
            raise ApiError(400, "INVALID_ARGUMENTS", "filename must be a base name, not a path")
        asset_id = _new_id(_prefix_of(find_key(self.example(route), "asset_id"), "image"))
        self.db.execute(
            "INSERT INTO assets VALUES (?,?,?,?,?,?,?)",
            (asset_id, agent["id"], None, mime, data_bytes, digest, time.time()),
        )
        self.event(agent["id"], ["asset.uploaded"], asset_id, {"asset_ids": [asset_id]})
        data = self.example(route)
        data["request"] = {
            "source_kind": body.get("source_kind"),
            "filename": body.get("filename"),
            "remote_origin": body.get("remote_origin"),
        }
        data["asset"] = self._asset_json(asset_id, None, mime, data_bytes, digest, kind="uploaded")
        data["upload"] = {
            "bytes": len(data_bytes),
            "mime_type": mime,
            "sha256": digest,
            "policy": {"status": "allowed"},
        }
        return data, None

    def _asset_url(self, asset_id: str, mime: str) -> str:
        extension = {
            "image/png": "png",
            "image/jpeg": "jpg",
            "image/webp": "webp",
            "image/gif": "gif",
            "image/avif": "avif",
        }.get(mime, "bin")
        return f"{self.base_url}/media/{quote(asset_id, safe='')}.{extension}"

    def _asset_json(
        self, asset_id: str, job_id: str | None, mime: str, data: bytes, digest: str, kind: str = "generated"
    ) -> dict[str, Any]:
        found = {
            "asset_id": asset_id,
            "job_id": job_id,
            "kind": kind,
            "url": self._asset_url(asset_id, mime),
            "mime_type": mime,
            "content_length": len(data),
            "width": 1,
            "height": 1,
            "sha256": digest,
            "source": "hosted_metadata",
        }
        if job_id is None:  # the spec's `asset.job_id` is a string when present, never null
            del found["job_id"]
        return found

    def _model_exists(self, model: Any) -> bool:
        return model is None or (isinstance(model, str) and "." in model and not model.startswith("missing"))

    def generate(
        self, route: Route, body: dict[str, Any], agent: sqlite3.Row | None, kind: str
    ) -> tuple[Any, int | None]:
        assert agent is not None
        example = self.example(route)
        if not self._model_exists(body.get("model")):
            raise ApiError(404, "MODEL_NOT_FOUND", f"no public model {body.get('model')!r}")
        for field in ("input_asset_id", "mask_asset_id"):
            if body.get(field) and self.visible("assets", str(body[field]), agent) is None:
                raise ApiError(400, "INVALID_ARGUMENTS", f"{field} {body[field]!r} is not an asset of this agent")
        for item in body.get("references") or []:
            if not isinstance(item, dict) or not isinstance(item.get("asset_id"), str) or "://" in item["asset_id"]:
                raise ApiError(400, "INVALID_ARGUMENTS", "references[] items need an owned asset_id (never a URL)")
        count = body.get("output_count")
        outputs: int = count if isinstance(count, int) else 1
        if not 1 <= outputs <= 4:
            raise ApiError(400, "INVALID_ARGUMENTS", "output_count must be between 1 and 4")
        pricing = find_key(example, "credits_required")
        cost = (int(pricing) if isinstance(pricing, int) and pricing > 0 else 1) * outputs
        dry = bool(body.get("dry_run"))
        balance = self._balance(agent)
        if not dry and balance < cost:
            raise ApiError(
                402,
                "QUOTA_EXCEEDED",
                f"this {kind} needs {cost} credits and the balance is {balance}",
                {
                    "suggested_command": f"{self.spec.product.cli_name} credits quote --pack "
                    f"{self._default_pack()} --json"
                },
            )
        job_id = _new_id(_prefix_of(find_key(example, "job_id"), "job"))
        template = (example.get("assets") or [{}])[0] if isinstance(example.get("assets"), list) else {}
        assets = []
        if not dry:
            self.db.execute("UPDATE agents SET credits = credits - ? WHERE id = ?", (cost, agent["id"]))
            self.db.execute(
                "INSERT INTO jobs VALUES (?,?,?,?,?,?,?)",
                (job_id, agent["id"], kind, "completed", cost, json.dumps(body)[:4000], time.time()),
            )
            for _ in range(outputs):
                asset_id = _new_id(_prefix_of(find_key(example, "asset_id"), "image"))
                png = tiny_png(asset_id)
                digest = hashlib.sha256(png).hexdigest()
                self.db.execute(
                    "INSERT INTO assets VALUES (?,?,?,?,?,?,?)",
                    (asset_id, agent["id"], job_id, "image/png", png, digest, time.time()),
                )
                item = dict(template) if isinstance(template, dict) else {}
                item.update(
                    {
                        k: v
                        for k, v in self._asset_json(asset_id, job_id, "image/png", png, digest).items()
                        if k in ("asset_id", "url", "mime_type", "content_length", "width", "height")
                    }
                )
                if "path" in item:
                    item["path"] = item["url"]
                assets.append(item)
            links = {"job_id": job_id, "asset_ids": [a["asset_id"] for a in assets]}
            for item in assets:
                self.event(agent["id"], ["asset.created"], item["asset_id"], links)
            self.event(agent["id"], ["usage.credit_consumed"], job_id, {**links, "credits": cost})
            self.event(agent["id"], ["job.completed"], job_id, links)
        example["job_id"] = job_id  # required by the spec, dry run or not; a dry run records no job
        example["assets"] = assets
        cost_found = example.get("cost")
        cost_block: dict[str, Any] = cost_found if isinstance(cost_found, dict) else {}
        pricing_found = cost_block.get("credit_pricing")
        pricing_block: dict[str, Any] = pricing_found if isinstance(pricing_found, dict) else {}
        pricing_block["credits_required"] = cost
        cost_block["credit_pricing"] = pricing_block
        example["cost"] = cost_block
        example["quota"] = {"consumed_credits": 0 if dry else cost, "credits_remaining": self._balance(agent)}
        if isinstance(example.get("input"), dict):
            example["input"]["asset_id"] = body.get("input_asset_id")
        if dry:
            example["dry_run"] = True
        return example, None

    def _default_pack(self) -> str:
        if self.spec.credits and self.spec.credits.packs:
            return self.spec.credits.packs[0].id
        return "PACK_ID"

    def job(self, route: Route, params: dict[str, str], agent: sqlite3.Row | None) -> tuple[Any, int | None]:
        job_id = next(iter(params.values()), "")
        row = self.visible("jobs", job_id, agent)
        if row is None:
            raise ApiError(404, "NOT_FOUND", f"no job {job_id!r} for this agent")
        data = self.example(route)
        job = data.get("job") if isinstance(data.get("job"), dict) else {}
        job.update({"job_id": row["id"], "status": row["status"]})
        rows = self.db.execute("SELECT * FROM assets WHERE job_id = ? ORDER BY created_at", (row["id"],)).fetchall()
        job["assets"] = [{"asset_id": a["id"], "url": self._asset_url(a["id"], a["mime"])} for a in rows]
        data["job"] = job
        data["request"] = {}
        return data, None

    def asset(self, route: Route, params: dict[str, str], agent: sqlite3.Row | None) -> tuple[Any, int | None]:
        asset_id = next(iter(params.values()), "")
        row = self.visible("assets", asset_id, agent)
        if row is None:
            raise ApiError(404, "NOT_FOUND", f"no asset {asset_id!r} for this agent")
        data = self.example(route)
        data["request"] = {"reference": asset_id, "reference_type": "asset_id"}
        data["asset"] = self._asset_json(row["id"], row["job_id"], row["mime"], bytes(row["bytes"]), row["sha256"])
        return data, None

    # ------------------------------------------------------------------ activity and feedback

    def _event_json(self, row: sqlite3.Row, template: Any) -> dict[str, Any]:
        spec_event = next((e for e in self.spec.events if e.type == row["type"]), None)
        item = dict(template) if isinstance(template, dict) else {}
        links = json.loads(row["data"] or "{}")
        item.update(
            {
                "event_id": row["id"],
                "type": row["type"],
                "occurred_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(row["created_at"])),
                "summary": spec_event.emitted_when if spec_event else row["type"],
                "operation": spec_event.operation if spec_event else None,
                "subject": {"type": spec_event.subject if spec_event else None, "id": row["subject_id"]},
                "links": links,
            }
        )
        for key in ("status", "cost"):
            item.pop(key, None)
        return item

    def _events(self, where: str, args: list[Any], agent: sqlite3.Row | None, limit: int) -> list[sqlite3.Row]:
        # ``where`` is one of the fixed clauses built by the callers; values go in as parameters.
        sql = f"SELECT * FROM events WHERE (agent_id IS NULL OR agent_id = ?) {where} ORDER BY created_at DESC LIMIT ?"  # noqa: S608
        return self.db.execute(sql, (agent["id"] if agent is not None else None, *args, limit)).fetchall()

    def activity_list(self, route: Route, query: dict[str, Any], agent: sqlite3.Row | None) -> tuple[Any, int | None]:
        data = self.example(route)
        asked = query.get("limit")
        limit: int = asked if isinstance(asked, int) else 20
        where, args = "", []
        if query.get("subject"):
            where, args = "AND (subject_id = ? OR data LIKE ?)", [query["subject"], f'%"{query["subject"]}"%']
        rows = self._events(where, args, agent, max(1, min(limit, 200)))
        template = (data.get("events") or [{}])[0]
        data["events"] = [self._event_json(r, template) for r in rows]
        return data, None

    def activity_show(self, route: Route, params: dict[str, str], agent: sqlite3.Row | None) -> tuple[Any, int | None]:
        ref = next(iter(params.values()), "")
        rows = self._events("AND (id = ? OR subject_id = ? OR data LIKE ?)", [ref, ref, f'%"{ref}"%'], agent, 50)
        if not rows:
            raise ApiError(404, "NOT_FOUND", f"no activity about {ref!r} for this agent")
        data = self.example(route)
        template = (data.get("events") or [{}])[0]
        data["events"] = [self._event_json(r, template) for r in rows]
        return data, None

    def feedback(self, route: Route, body: dict[str, Any], agent: sqlite3.Row | None) -> tuple[Any, int | None]:
        assert agent is not None
        if not body.get("title") and not body.get("body"):
            raise ApiError(400, "INVALID_ARGUMENTS", "give a title or a body")
        data = self.example(route)
        feedback_id = _new_id(_prefix_of(find_key(data, "feedback_id"), "feedback"))
        self.event(agent["id"], ["feedback.created"], feedback_id, {"feedback_id": feedback_id})
        data["feedback_id"] = feedback_id
        return data, None

    def catalog_item(self, route: Route, params: dict[str, str]) -> tuple[Any, int | None]:
        wanted = next(iter(params.values()), "")
        data = self.example(route)
        if "models show" in route.roles:
            if not self._model_exists(wanted):
                raise ApiError(404, "MODEL_NOT_FOUND", f"no public model {wanted!r}")
            data["model_id"] = wanted
        elif isinstance(data.get("capability"), dict):
            data["capability"]["id"] = wanted
        return data, None

    def media(self, name: str) -> Reply:
        asset_id = unquote(name).rsplit(".", 1)[0]
        with self.lock:
            row = self.db.execute("SELECT * FROM assets WHERE id = ?", (asset_id,)).fetchone()
        if row is None:
            return Reply(404, b"not found\n", "text/plain")
        return Reply(200, bytes(row["bytes"]), row["mime"])

    # ------------------------------------------------------------------ seeding

    def _seed(self) -> None:
        """Make ids used by the spec's examples exist, owned by nobody and visible to every agent."""
        jobs: set[str] = set()
        assets: set[str] = set()
        quotes: set[str] = set()
        attempts: set[str] = set()
        for endpoint in self.spec.endpoints:
            example = endpoint.response.example
            for key, bucket in (
                ("job_id", jobs),
                ("asset_id", assets),
                ("quote_id", quotes),
                ("payment_attempt_id", attempts),
            ):
                for value in _all_values(example, key):
                    if isinstance(value, str):
                        bucket.add(value)
        for command in self.spec.commands:
            used = self.spec.endpoints_by_id.get(command.endpoint or "")
            for shown in command.examples:
                fields = _example_fields(command, shown.argv)
                for key, value in fields.items():
                    if key.endswith("asset_id"):
                        assets.add(value.rsplit("/", 1)[-1].split(".")[0] if "://" in value else value)
                    elif key == "job_id":
                        jobs.add(value)
                    elif key == "quote_id":
                        quotes.add(value)
                    elif key == "payment_attempt_id":
                        attempts.add(value)
                    elif used is not None and key in used.template_params and "jobs" in command.words:
                        jobs.add(value)
                for token in shown.argv:
                    head = token.split("@", 1)[0]
                    if re.match(r"^(?:image|mask|asset)_[A-Za-z0-9._-]+$", head):
                        assets.add(head)
        now = time.time()
        for job_id in jobs:
            self.db.execute(
                "INSERT OR IGNORE INTO jobs VALUES (?,?,?,?,?,?,?)", (job_id, None, "create", "completed", 0, "{}", now)
            )
        for asset_id in assets:
            png = tiny_png(asset_id)
            self.db.execute(
                "INSERT OR IGNORE INTO assets VALUES (?,?,?,?,?,?,?)",
                (asset_id, None, None, "image/png", png, hashlib.sha256(png).hexdigest(), now),
            )
        packs = self.spec.credits.packs if self.spec.credits else []
        for quote_id in quotes:
            credits = packs[0].credits if packs else 100
            self.db.execute(
                "INSERT OR IGNORE INTO quotes VALUES (?,?,?,?,?,?,?,?,?,?)",
                (
                    quote_id,
                    None,
                    "seed-" + quote_id,
                    "{}",
                    credits,
                    credits,
                    "USD",
                    "fake",
                    packs[0].id if packs else None,
                    now,
                ),
            )
        example_url = None
        for endpoint in self.spec.endpoints:
            found = find_key(endpoint.response.example, "checkout_url")
            if isinstance(found, str):
                example_url = found
        first_quote = sorted(quotes)[0] if quotes else None
        for attempt_id in attempts:
            self.db.execute(
                "INSERT OR IGNORE INTO attempts VALUES (?,?,?,?,?,?,?,?)",
                (
                    attempt_id,
                    first_quote,
                    None,
                    "seed-" + attempt_id,
                    "cs_example",
                    example_url,
                    "action_required",
                    now,
                ),
            )
        # Ledger events shown in the examples, with their subjects and links.
        for endpoint in self.spec.endpoints:
            for item in _all_values(endpoint.response.example, "events"):
                for event in item if isinstance(item, list) else []:
                    if not isinstance(event, dict) or event.get("type") not in self.spec.event_types:
                        continue
                    found = event.get("subject")
                    subject: dict[str, Any] = found if isinstance(found, dict) else {}
                    self.db.execute(
                        "INSERT OR IGNORE INTO events VALUES (?,?,?,?,?,?)",
                        (
                            event.get("event_id") or _new_id("evt"),
                            None,
                            event["type"],
                            subject.get("id") or "",
                            json.dumps(event.get("links") or {}),
                            now - 60,
                        ),
                    )


def _all_values(node: Any, key: str) -> list[Any]:
    found: list[Any] = []
    if isinstance(node, dict):
        for k, v in node.items():
            if k == key:
                found.append(v)
            found.extend(_all_values(v, key))
    elif isinstance(node, list):
        for v in node:
            found.extend(_all_values(v, key))
    return found


def _example_fields(command: Any, argv: list[str]) -> dict[str, str]:
    """Request field → string value for the flags and arguments an example gives."""
    from skillpress.client import argv as argv_parser

    words = len(command.path.split())
    for alias in command.aliases:
        if argv[: len(alias.split())] == alias.split():
            words = len(alias.split())
    try:
        inv = argv_parser.parse(command, [t for t in argv[words:] if t != "--json"], [])
    except argv_parser.UsageProblem:
        return {}
    fields: dict[str, str] = {}
    for flag in command.flags:
        if flag.field and isinstance(inv.values.get(flag.name), str):
            fields[flag.field] = inv.values[flag.name]
    positionals = list(inv.positionals)
    for argument in command.arguments:
        if argument.flag and argument.flag in inv.values:
            continue
        if positionals:
            value = positionals.pop(0)
            if argument.field:
                fields[argument.field] = value
    return fields


# --------------------------------------------------------------------------- HTTP server


def _redact_path(path: str) -> str:
    return _TOKENISH.sub("<redacted>", path)


class _Handler(BaseHTTPRequestHandler):
    server_version = "skillpress-mock"
    sys_version = ""
    protocol_version = "HTTP/1.1"
    app: MockApp

    def _serve(self) -> None:
        length = self.headers.get("Content-Length")
        try:
            size = int(length) if length else 0
        except ValueError:
            size = -1
        if size < 0 or size > MAX_BODY_BYTES:
            reply = self.app.error_reply(
                "mock",
                ApiError(413 if size > 0 else 400, "INVALID_ARGUMENTS", "request body too large or badly framed"),
            )
            body = b""
        else:
            body = self.rfile.read(size) if size else b""
            headers = {k.lower(): v for k, v in self.headers.items()}
            try:
                reply = self.app.handle(self.command, self.path, headers, body)
            except Exception as exc:
                log.exception("mock: internal error")
                reply = self.app.error_reply(
                    "mock", ApiError(500, "INTERNAL_ERROR", f"mock error: {type(exc).__name__}")
                )
        self.app.requests.append((self.command, _redact_path(self.path), reply.status))
        log.info("%s %s -> %d", self.command, _redact_path(self.path), reply.status)
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(reply.body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

    def __getattr__(self, name: str) -> Any:
        # Any other method (HEAD, OPTIONS, TRACE, QUERY, ...) gets an envelope too: 405 with
        # Allow on a known path, 404 elsewhere; never http.server's HTML 501 page.
        if name.startswith("do_"):
            return self._serve
        raise AttributeError(name)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # requests are logged (redacted) in _serve


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256  # the stdlib default (5) drops bursts of concurrent connections


class MockServer:
    """Start the mock on 127.0.0.1 in a background thread; ``url`` is its base URL.

    >>> with MockServer(spec) as mock:   # doctest: +SKIP
    ...     requests.get(mock.url + "/healthz")
    """

    def __init__(
        self, spec: Spec, port: int = 0, db_path: str = ":memory:", *, starting_credits: int = DEFAULT_STARTING_CREDITS
    ) -> None:
        self.app = MockApp(spec, db_path, starting_credits=starting_credits)
        handler = type("Handler", (_Handler,), {"app": self.app})
        self.httpd = _Server(("127.0.0.1", port), handler)
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.app.base_url = self.url
        self._thread: threading.Thread | None = None

    def start(self) -> MockServer:
        self._thread = threading.Thread(target=self.httpd.serve_forever, name="skillpress-mock", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> MockServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def serve(
    spec: Spec, port: int = 8765, db_path: str | None = None, *, starting_credits: int = DEFAULT_STARTING_CREDITS
) -> None:
    """Run the mock in the foreground until interrupted (``skillpress mock``)."""
    import sys

    if not log.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("mock: %(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
    server = MockServer(spec, port, db_path or ":memory:", starting_credits=starting_credits)
    sys.stderr.write(
        f"mock: serving {spec.product.name} {spec.product.version} at {server.url} "
        f"(state: {db_path or 'in memory'}); Ctrl-C stops\n"
    )
    try:
        server.httpd.serve_forever()
    except KeyboardInterrupt:
        sys.stderr.write("mock: stopped\n")
    finally:
        server.httpd.server_close()


__all__ = ["DEFAULT_STARTING_CREDITS", "MockApp", "MockServer", "serve", "tiny_png"]
