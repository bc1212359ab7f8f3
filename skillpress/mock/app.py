"""Request handling of the mock, independent of the HTTP server: route, check, answer.

:meth:`MockApp.handle` takes a method, a target, headers and a body and returns a
:class:`~.replies.MockReply`. In order:

1. **Route** the path to a spec endpoint (unknown path: the spec's 404 code; known path,
   other method: its 405 code). A path the mock handed out as a download URL serves
   deterministic bytes of its type.
2. **Credential** in the declared place (bearer header, named header or query
   parameter). Accepted: credentials this mock (or another mock on the same database)
   issued or seeded. ``auth: required`` needs one; any endpoint refuses an unknown one.
3. **Check** path parameters, query and JSON body against the endpoint's fields: types,
   choices, required, nothing undeclared (the spec's 400 code); on an upload step's
   endpoint, the declared size, SHA-256 and type agree with the uploaded bytes.
4. **Idempotency**: a repeated key with the same request gets the first reply again,
   with another request the spec's 409 code.
5. **Answer** from the endpoint's example: fields named like request fields echo them,
   ids are made fresh when the endpoint creates something (and kept as records), a read
   serves the record (a job's status moves to a terminal value over successive reads
   when a poll step reads it), a DELETE ends it, paging follows the declared link,
   product URLs point at the mock, download fields describe bytes the mock serves.
6. **Credits** (when the contract has ``pricing``): the call's cost is debited in the
   same transaction, or the spec's shortfall code is answered; the endpoint of a payment
   method without live money grants the named quote once.
7. **Events** the calling command declares are recorded (and sent to a loopback webhook
   URL the request names); a GET whose example lists event items lists them.

Everything from 4 to 6 happens in one ``BEGIN IMMEDIATE`` transaction.
"""

from __future__ import annotations

import importlib
import json
import logging
import mimetypes
import queue
import threading
from collections import deque
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit

from skillpress.contract.compile import compile_contract
from skillpress.contract.protocol import get_path, is_loopback, lookup
from skillpress.spec.model import Endpoint, FieldSpec, Spec

from .plan import EndpointPlan, Plan
from .replies import ApiError, MockReply, Replies
from .store import Store
from .values import (
    blob_bytes,
    credential_like,
    deep,
    flatten,
    looks_like_id,
    new_id_like,
    same_kind,
    set_path,
    sha256_hex,
    walk_objects,
)

_pricing: Any
try:  # credit rules as data arrive with the pricing module; without it every call is free
    _pricing = importlib.import_module("skillpress.contract.pricing")
except ImportError:  # pragma: no cover - depends on the branch
    _pricing = None

log = logging.getLogger("skillpress.mock")

MAX_BODY_BYTES = 16 * 1024 * 1024
LOG_SIZE = 1000
READS_TO_FINISH = 2
PAGES = 2  # a paged list holds this many full pages and one short one


def _type_ok(kind: str, nullable: bool, value: Any) -> bool:
    if value is None:
        return nullable or kind == "null"
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


def _convert(field: FieldSpec, raw: str, where: str) -> Any:
    kind = field.type
    try:
        if kind == "integer":
            return int(raw)
        if kind == "number":
            return float(raw)
    except ValueError:
        raise ValueError(f"{where} {field.name!r} must be {kind}") from None
    if kind == "boolean":
        if raw not in ("true", "false"):
            raise ValueError(f"{where} {field.name!r} must be true or false")
        return raw == "true"
    return raw


def _choices(field: FieldSpec, value: Any, where: str) -> None:
    if not field.choices:
        return
    items = value if isinstance(value, list) else [value]
    bad = [item for item in items if item is not None and str(item) not in field.choices]
    if bad:
        raise ValueError(f"{where} {field.name!r} must be one of {', '.join(field.choices)}")


def _redact(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "<redacted>")
    return text


class Context:
    """One request on its way through the app."""

    __slots__ = ("account", "body", "fields", "plan", "query", "secret", "values")

    def __init__(self, plan: EndpointPlan) -> None:
        self.plan = plan
        self.account: str | None = None
        self.secret: str | None = None
        self.values: dict[str, str] = {}
        self.query: dict[str, Any] = {}
        self.body: dict[str, Any] = {}
        self.fields: dict[str, Any] = {}


class MockApp:
    """The mock's request handling (no sockets): see the module docstring."""

    def __init__(
        self,
        spec: Spec,
        db_path: str = ":memory:",
        *,
        starting_credits: float | None = None,
        contract: dict[str, Any] | None = None,
        log_size: int = LOG_SIZE,
    ) -> None:
        self.spec = spec
        self.contract = contract or compile_contract(spec)
        self.plan = Plan(spec, self.contract)
        self.plan.endpoints.sort(key=lambda p: len(p.params))
        self.replies = Replies(spec, self.contract)
        self.store = Store(db_path)
        self.db = self.store.db
        self.base_url = "http://127.0.0.1"
        self.pricing = self.contract.get("pricing") if _pricing is not None else None
        if starting_credits is None:
            starting_credits = _pricing.starting_balance(self.contract) if self.pricing and _pricing else 0
        self.starting_credits = starting_credits
        # bounded: the last `log_size` requests, for tests and for people watching
        self.log: deque[dict[str, Any]] = deque(maxlen=log_size)
        self.requests: deque[tuple[str, str, int]] = deque(maxlen=log_size)
        self.hosts = self._product_hosts()
        self._outbox: queue.Queue[tuple[int, str, dict[str, Any]]] = queue.Queue()
        self._worker: threading.Thread | None = None

    def _product_hosts(self) -> set[str]:
        hosts: set[str] = set()
        urls = list((self.contract.get("urls") or {}).values())
        urls.append(self.contract["protocol"]["base_url"].get("default") or "")
        for url in urls:
            try:
                host = urlsplit(str(url)).hostname
            except ValueError:
                host = None
            if host:
                hosts.add(host.lower())
        return hosts

    # ---------------------------------------------------------------- credentials

    def issue_credential(self, balance: float | None = None) -> str:
        """A new account and a valid credential for it (of the declared shape)."""
        secret = credential_like(self.plan.shape)
        with self.store.transaction():
            account = self.store.new_account(self.starting_credits if balance is None else balance)
            self.store.add_credential(secret, account)
        return secret

    def _credential(self, headers: dict[str, str], query: list[tuple[str, str]]) -> str | None:
        settings = self.plan.credential
        if not settings:
            return None
        if settings["scheme"] == "query":
            for name, value in query:
                if name == settings["name"]:
                    return value.strip() or None
            return None
        raw = headers.get((settings.get("name") or "Authorization").lower())
        if raw is None:
            return None
        prefix = settings.get("prefix") or ""
        if prefix and not raw.lower().startswith(prefix.lower()):
            return None
        return raw[len(prefix) :].strip() or None

    # ---------------------------------------------------------------- entry point

    def handle(self, method: str, target: str, headers: dict[str, str], body: bytes) -> MockReply:
        """Answer one request (never raises)."""
        headers = {k.lower(): v for k, v in headers.items()}
        parts = urlsplit(target)
        path = parts.path
        query = parse_qsl(parts.query, keep_blank_values=True)
        secret = self._credential(headers, query)
        plan: EndpointPlan | None = None
        try:
            plan, values, known = self.plan.match(method, path)
            if plan is None:
                reply = self._unrouted(method, path, known)
            else:
                reply = self._handle(plan, values, query, headers, body, secret)
        except ApiError as exc:
            reply = self.replies.error(exc, plan.command_id if plan else None)
        except Exception as exc:  # a bug in the mock: answer the spec's 500 shape, never a traceback
            log.exception("mock failure on %s %s", method, path)
            code = self.replies.code_for("internal")
            reply = self.replies.error(ApiError("internal", code, f"the mock failed: {type(exc).__name__}"))
        self._record(method, path, query, headers, body, reply, plan, secret)
        return reply

    def _record(
        self,
        method: str,
        path: str,
        query: list[tuple[str, str]],
        headers: dict[str, str],
        body: bytes,
        reply: MockReply,
        plan: EndpointPlan | None,
        secret: str | None,
    ) -> None:
        secrets = [secret] if secret else []
        settings = self.plan.credential or {}
        credential_header = (
            (settings.get("name") or "authorization").lower() if settings.get("scheme") != "query" else ""
        )
        shown_headers = {
            k: ("<redacted>" if k == credential_header else _redact(v, secrets)) for k, v in headers.items()
        }
        shown_query = [
            (
                k,
                "<redacted>"
                if settings.get("scheme") == "query" and k == settings.get("name")
                else _redact(v, secrets),
            )
            for k, v in query
        ]
        try:
            parsed = json.loads(body) if body else None
        except ValueError:
            parsed = None
        shown_path = _redact(path, secrets)
        self.log.append(
            {
                "method": method,
                "path": shown_path,
                "query": shown_query,
                "headers": shown_headers,
                "json": json.loads(_redact(json.dumps(parsed), secrets)) if parsed is not None else None,
                "status": reply.status,
                "endpoint": plan.id if plan else None,
            }
        )
        self.requests.append((method, shown_path, reply.status))
        log.info("%s %s -> %s", method, shown_path, reply.status)

    def _unrouted(self, method: str, path: str, known: bool) -> MockReply:
        if method in ("GET", "HEAD") and not known:
            row = self.store.blob(path)
            if row is not None:
                mime = row[0] or "application/octet-stream"
                return MockReply(200, blob_bytes(path, mime), mime)
        if known:
            code = self.replies.code_for("method")
            raise ApiError("method", code, f"{method} is not allowed on {path}", status=405)
        code = self.replies.code_for("not_found")
        raise ApiError("not_found", code, f"no endpoint at {method} {path}")

    # ---------------------------------------------------------------- one endpoint

    def _handle(
        self,
        plan: EndpointPlan,
        values: dict[str, str],
        query: list[tuple[str, str]],
        headers: dict[str, str],
        raw: bytes,
        secret: str | None,
    ) -> MockReply:
        endpoint = plan.endpoint
        ctx = Context(plan)
        errors = list(endpoint.errors)
        auth = getattr(endpoint.auth, "value", endpoint.auth)
        if (self.plan.credential and auth != "none") or secret:
            if secret is not None:
                with self.store.lock:
                    ctx.account = self.store.account_of(secret)
            if (secret is not None and ctx.account is None) or (auth == "required" and ctx.account is None):
                code = self.replies.code_for("unauthorized", errors)
                what = "is not valid" if secret else "is missing"
                raise ApiError("unauthorized", code, f"the credential {what}")
        ctx.secret = secret
        try:
            ctx.values = self._check_path(endpoint, values)
            ctx.query = self._check_query(endpoint, query)
            self._check_headers(endpoint, headers)
            ctx.body = self._check_body(endpoint, raw)
            for step in plan.uploads:
                self._check_upload(step, ctx.body)
        except ValueError as exc:
            raise ApiError("invalid", self.replies.code_for("invalid", errors), str(exc)) from None
        ctx.fields = {**ctx.values, **ctx.query, **flatten(ctx.body)}
        with self.store.transaction():
            return self._answer(ctx)

    def _check_path(self, endpoint: Endpoint, values: dict[str, str]) -> dict[str, Any]:
        declared = {p.name: p for p in endpoint.path_params}
        out: dict[str, Any] = {}
        for name, raw in values.items():
            text = unquote(raw)
            field = declared.get(name)
            out[name] = _convert(field, text, "path parameter") if field else text
            if field:
                _choices(field, out[name], "path parameter")
        return out

    def _check_query(self, endpoint: Endpoint, query: list[tuple[str, str]]) -> dict[str, Any]:
        settings = self.plan.credential or {}
        skip = settings.get("name") if settings.get("scheme") == "query" else None
        declared = {q.name: q for q in endpoint.query}
        out: dict[str, Any] = {}
        for name, raw in query:
            if name == skip:
                continue
            field = declared.get(name)
            if field is None:
                raise ValueError(f"unknown query parameter {name!r}")
            if field.type == "array":
                out.setdefault(name, []).append(raw)
                continue
            if name in out:
                raise ValueError(f"query parameter {name!r} given twice")
            out[name] = _convert(field, raw, "query parameter")
            _choices(field, out[name], "query parameter")
        for name, field in declared.items():
            if field.required and name not in out:
                raise ValueError(f"missing required query parameter {name!r}")
            if field.type == "array" and name in out:
                _choices(field, out[name], "query parameter")
        return out

    def _check_headers(self, endpoint: Endpoint, headers: dict[str, str]) -> None:
        for header in endpoint.headers:
            if header.required and header.name.lower() not in headers:
                raise ValueError(f"missing required header {header.name!r}")

    def _check_body(self, endpoint: Endpoint, raw: bytes) -> dict[str, Any]:
        if len(raw) > MAX_BODY_BYTES:
            raise ValueError("the body is too large")
        if not raw.strip():
            body: Any = {}
        else:
            try:
                body = json.loads(raw.decode("utf-8"))
            except (UnicodeDecodeError, ValueError, RecursionError):
                raise ValueError("the body is not valid JSON") from None
        if not isinstance(body, dict):
            raise ValueError("the body must be a JSON object")
        declared = {f.name: f for f in endpoint.body}
        heads = {name.split(".")[0] for name in declared}
        for key in body:
            if key not in heads:
                raise ValueError(f"unknown body field {key!r}")
        for name, field in declared.items():
            value = get_path(body, name)
            if value is _ABSENT:
                if field.required:
                    raise ValueError(f"missing required body field {name!r}")
                continue
            if not _type_ok(field.type, field.nullable, value):
                raise ValueError(f"body field {name!r} must be {field.type}")
            _choices(field, value, "body field")
        # objects declared only through their dotted members hold nothing else
        implicit = {name.rsplit(".", 1)[0] for name in declared if "." in name} - set(declared)
        for parent in implicit:
            value = get_path(body, parent)
            if value is _ABSENT:
                continue
            if not isinstance(value, dict):
                raise ValueError(f"body field {parent!r} must be object")
            members = {n[len(parent) + 1 :].split(".")[0] for n in declared if n.startswith(parent + ".")}
            for key in value:
                if key not in members:
                    raise ValueError(f"unknown body field {parent + '.' + key!r}")
        return body

    def _check_upload(self, step: dict[str, Any], body: dict[str, Any]) -> None:
        """The facts an upload declares agree with its bytes (size, SHA-256, an accepted type)."""
        import base64
        import binascii

        facts = {fact: lookup(body, field) for field, fact in (step.get("body") or {}).items()}
        encoded = facts.get("base64")
        if not isinstance(encoded, str):
            return
        try:
            content = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            raise ValueError("the uploaded bytes are not valid base64") from None
        if len(content) > int(step.get("max_bytes") or len(content)):
            raise ValueError(f"the upload is larger than {step['max_bytes']} bytes")
        size = facts.get("size")
        if size is not None and size != len(content):
            raise ValueError(f"the upload declares {size} bytes but holds {len(content)}")
        digest = facts.get("sha256")
        if digest is not None and digest != sha256_hex(content):
            raise ValueError("the upload's SHA-256 does not match its bytes")
        mime = facts.get("mime")
        accepted = set((step.get("types") or {}).values())
        if mime is not None and accepted and mime not in accepted:
            raise ValueError(f"the upload's type {mime} is not one of {', '.join(sorted(accepted))}")

    # ---------------------------------------------------------------- answering

    def _answer(self, ctx: Context) -> MockReply:
        plan = ctx.plan
        key = ctx.fields.get(plan.idempotency) if plan.idempotency else None
        fingerprint = ""
        if isinstance(key, str) and key:
            fingerprint = json.dumps({k: v for k, v in ctx.fields.items() if k != plan.idempotency}, sort_keys=True)
            stored = self.store.stored_reply(ctx.account or "", plan.id, key)
            if stored is not None:
                if stored["fingerprint"] != fingerprint:
                    code = self.replies.code_for("conflict", list(plan.endpoint.errors))
                    raise ApiError("conflict", code, "this idempotency key was used for another request")
                return MockReply(stored["status"], stored["body"].encode("utf-8"))
        if plan.issue:
            ctx.account = self.store.new_account(self.starting_credits)
        estimate = self._cost(ctx, None)
        if estimate and (ctx.account is None or self.store.balance(ctx.account) < estimate):
            self._short(ctx, estimate)
        if plan.event_list:
            data = self._event_view(ctx)
        else:
            data = self._read(ctx) if plan.reads or plan.deletes else self._create(ctx)
        actual = self._cost(ctx, data)
        if actual and ctx.account is not None and not self.store.debit(ctx.account, actual):
            self._short(ctx, actual)  # raising rolls the whole call back
        if plan.id in self.plan.settles:
            self._settle(ctx)
        self._show_balance(ctx, data)
        for path in plan.issue:
            secret = credential_like(self.plan.shape)
            self.store.add_credential(secret, ctx.account or "")
            set_path(data, path, secret)
        data = self._localise(data)
        self._describe_downloads(plan, data)
        reply = self.replies.success(plan.status, data, plan.command_id)
        if isinstance(key, str) and key:
            self.store.store_reply(ctx.account or "", plan.id, key, fingerprint, reply.status, reply.body.decode())
        return reply

    def _cost(self, ctx: Context, reply_data: Any) -> float:
        if not self.pricing or _pricing is None:
            return 0
        cost = _pricing.call_cost(self.contract, None, ctx.plan.id, ctx.fields, reply_data)
        return float(cost or 0)

    def _short(self, ctx: Context, cost: float) -> None:
        shortfall = _pricing.shortfall_code(self.contract) if _pricing is not None else None
        code = shortfall or self.replies.code_for("shortfall", list(ctx.plan.endpoint.errors))
        raise ApiError("shortfall", code, f"the balance does not cover this call ({cost:g})")

    def _settle(self, ctx: Context) -> None:
        """A payment method without live money settles here: grant what the named quote holds, once."""
        errors = list(ctx.plan.endpoint.errors)
        pricing = self.pricing or {}
        packs = {p["id"]: p["credits"] for p in pricing.get("packs") or ()}
        unit = (pricing.get("unit") or {}).get("plural")
        for value in ctx.fields.values():
            row = self.store.record(value) if isinstance(value, str) and value else None
            if row is None:
                continue
            if row["account"] not in (None, ctx.account):
                raise ApiError("not_found", self.replies.code_for("not_found", errors), f"nothing has the id {value}")
            held = json.loads(row["fields"])
            creator = self.plan.by_id.get(row["kind"])
            if creator is not None:  # what the quote's own request said, not its example reply
                asked = {f.name for f in [*creator.endpoint.body, *creator.endpoint.query]}
                held = {k: v for k, v in held.items() if k in asked}
            for named in held.values():
                method = self.plan.methods.get(named) if isinstance(named, str) else None
                if method is not None and method.endpoint != ctx.plan.id:
                    message = f"{value} is paid with {method.id}, which this endpoint does not settle"
                    raise ApiError("invalid", self.replies.code_for("invalid", errors), message)
            # an exact amount asked for wins over a pack
            amount = held.get(unit) if unit and isinstance(held.get(unit), (int, float)) else None
            if amount is None:
                amount = next((packs[v] for v in held.values() if isinstance(v, str) and v in packs), None)
            if amount and row["stage"] is None and ctx.account is not None:
                self.store.credit(ctx.account, float(amount))
                self.store.set_state(value, _SETTLED)
            return

    def _show_balance(self, ctx: Context, data: Any) -> None:
        """Reply fields that name the balance (the unit's name with `remaining`, `balance`, ...) show it."""
        if not self.pricing or ctx.account is None:
            return
        unit = self.pricing.get("unit") or {}
        names = {str(unit.get("name") or "").lower(), str(unit.get("plural") or "").lower()} - {""}
        balance = self.store.balance(ctx.account)
        shown: float | int = int(balance) if float(balance).is_integer() else balance
        for obj in walk_objects(data):
            for key, value in obj.items():
                lowered = key.lower()
                if (
                    isinstance(value, (int, float))
                    and not isinstance(value, bool)
                    and any(n in lowered for n in names)
                    and any(w in lowered for w in _BALANCE_WORDS)
                ):
                    obj[key] = shown

    def _echo(self, data: Any, fields: dict[str, Any]) -> None:
        """Set every key of ``data`` that names a request field to the request's value."""
        for obj in walk_objects(data):
            for key in list(obj):
                if key in fields and same_kind(obj[key], fields[key]):
                    obj[key] = deep(fields[key])

    def _create(self, ctx: Context) -> Any:
        plan = ctx.plan
        data = deep(plan.example)
        if not plan.creates:
            # a read by a query value that names a record (a status by attempt id) shows that record
            for value in ctx.query.values():
                row = self.store.record(value) if isinstance(value, str) and value else None
                if row is not None and row["account"] in (None, ctx.account):
                    held = json.loads(row["fields"])
                    self._echo(data, {k: v for k, v in held.items() if "." not in k and k != _META_KEY})
            self._echo(data, ctx.fields)
            return data
        self._echo(data, ctx.fields)
        renames: dict[str, str] = {}
        holders: list[tuple[dict[str, Any], str]] = []
        for obj in walk_objects(data):
            for key in sorted(set(obj) & plan.id_keys):
                old = obj[key]
                if isinstance(old, str) and old:
                    renames.setdefault(old, new_id_like(old))
                    holders.append((obj, key))
        if renames:
            data = self._rename(data, renames)
            holders = [
                (obj, key)
                for obj in walk_objects(data)
                for key in sorted(set(obj) & plan.id_keys)
                if isinstance(obj[key], str) and obj[key] in renames.values()
            ]
        meta = self._events_meta(ctx)
        for obj, key in holders:
            fields = {**flatten(obj), **ctx.fields}
            if meta and plan.is_job:
                fields[_META_KEY] = meta
            self.store.put_record(obj[key], plan.id, ctx.account, fields)
        if meta:
            # a job reports it started now and the rest when a read finds it ended; other calls report at once
            first = holders[0][0][holders[0][1]] if holders else ""
            types = meta["events"][:1] if plan.is_job else meta["events"]
            self._emit(ctx.account, first, meta, types, {**ctx.fields, **self._keyed(data)})
        return data

    @staticmethod
    def _keyed(data: Any) -> dict[str, Any]:
        """Every key of the reply with its first value, and ``<key>s`` with all its values."""
        found: dict[str, Any] = {}
        many: dict[str, list[Any]] = {}
        for obj in walk_objects(data):
            for key, value in obj.items():
                found.setdefault(key, value)
                if isinstance(value, str):
                    many.setdefault(key + "s", []).append(value)
        return {**many, **found}

    def _rename(self, data: Any, renames: dict[str, str]) -> Any:
        from .values import map_strings

        def change(text: str) -> str:
            if text in renames:
                return renames[text]
            for old, new in renames.items():
                if old in text:
                    text = text.replace(old, new)
            return text

        return map_strings(data, change)

    def _read(self, ctx: Context) -> Any:
        plan = ctx.plan
        param = plan.record_param or ""
        record_id = str(ctx.values.get(param, ""))
        row = self.store.record(record_id)
        errors = list(plan.endpoint.errors)
        if row is None and record_id in self.plan.example_strings:
            self.store.put_record(record_id, "", None, {param: record_id})
            row = self.store.record(record_id)
        if row is None or (row["account"] is not None and row["account"] != ctx.account):
            raise ApiError("not_found", self.replies.code_for("not_found", errors), f"nothing has the id {record_id}")
        if row["kind"] and plan.links and row["kind"] not in plan.links:
            raise ApiError("not_found", self.replies.code_for("not_found", errors), f"nothing has the id {record_id}")
        stored = json.loads(row["fields"])
        meta = stored.pop(_META_KEY, None)
        data = deep(plan.example)
        top = {k: v for k, v in stored.items() if "." not in k}
        top[param] = record_id
        self._echo(data, {**top, **{k: v for k, v in ctx.fields.items() if k != param}})
        state = row["stage"]
        before = state
        for poll in plan.polls:
            if plan.deletes:
                given = lookup(data, poll["status"])
                state = given if given in poll["done"] else poll["done"][-1]
                self.store.set_state(record_id, state)
            elif state is None:
                reads = self.store.touch(record_id)
                state = poll["done"][0] if reads >= READS_TO_FINISH else self._running(plan, poll)
            if poll["status"] and (not plan.deletes or get_path(plan.example, poll["status"]) is not _ABSENT):
                set_path(data, poll["status"], state)
            if not plan.deletes and state in poll["done"] and before is None:
                self.store.set_state(record_id, state)
            if meta and state in poll["done"] and before is None:
                self._finish_events(ctx.account, record_id, meta, state, poll["done"], ended=plan.deletes)
            break
        if plan.pagination:
            data = self._page(plan, data, ctx)
        return data

    def _event_view(self, ctx: Context) -> Any:
        """The caller's recorded events, newest first, in the shape of the example's items.

        Path and query values filter: an event is kept when one of them is among its links.
        """
        plan = ctx.plan
        assert plan.event_list is not None
        data = deep(plan.example)
        template = data[plan.event_list][0]
        by_type = {e.type: e for e in self.spec.events}
        example_type = next(v for v in template.values() if isinstance(v, str) and v in by_type)
        example_event = by_type[example_type]
        example_ids = [
            v for obj in walk_objects(template) for v in obj.values() if isinstance(v, str) and looks_like_id(v)
        ]
        wanted = [v for v in [*ctx.values.values(), *ctx.query.values()] if isinstance(v, str)]
        items = []
        for row in reversed(self.store.events(ctx.account or "")):
            payload = json.loads(row["payload"])
            links = {str(v) for v in payload.values()} | {row["subject"] or ""}
            if wanted and not all(w in links for w in wanted):
                continue
            swap = {example_type: row["type"], example_event.subject: payload.get("subject", example_event.subject)}
            if example_ids:
                own = new_id_like(example_ids[0], f"{row['seq']}")  # the same event keeps its id
                swap[example_ids[0]] = own if len(example_ids) > 1 else (row["subject"] or "")
                for old in example_ids[1:]:
                    swap[old] = row["subject"] or old
            items.append(self._rename(template, swap))
        data[plan.event_list] = items
        return data

    def _running(self, plan: EndpointPlan, poll: dict[str, Any]) -> Any:
        example = lookup(plan.example, poll["status"])
        if example is not None and example not in poll["done"]:
            return example
        for field in plan.endpoint.response.fields:
            if field.name == poll["status"]:
                for choice in field.choices:
                    if choice not in poll["done"]:
                        return choice
        return example

    def _page(self, plan: EndpointPlan, data: dict[str, Any], ctx: Context) -> dict[str, Any]:
        assert plan.pagination is not None
        link, param, size, items = plan.pagination
        total = size * PAGES + 1
        offset = ctx.query.get(param) or 0
        offset = max(0, int(offset))
        template = plan.example.get(items) or [{}]
        count = max(0, min(size, total - offset))
        data[items] = [deep(template[(offset + i) % len(template)]) for i in range(count)]
        if offset + size < total:
            path = urlsplit(self.base_url).path + plan.endpoint.path
            for name, value in ctx.values.items():
                path = path.replace("{" + name + "}", quote(str(value), safe=""))
            data[link] = self.base_url.rstrip("/") + path + "?" + urlencode({param: offset + size})
        else:
            data[link] = None
        return data

    # ---------------------------------------------------------------- URLs and downloads

    def _localise(self, data: Any) -> Any:
        """Product URLs in a reply point at the mock; paths no endpoint serves become downloads."""
        from .values import map_strings

        base = self.base_url.rstrip("/")

        def change(text: str) -> str:
            if "://" not in text or len(text) > 4096:
                return text
            try:
                parts = urlsplit(text)
            except ValueError:
                return text
            host = (parts.hostname or "").lower()
            if parts.scheme not in ("http", "https") or host not in self.hosts:
                return text
            path = parts.path or "/"
            matched = any(p.regex.match(path) for p in self.plan.endpoints)
            if not matched:
                self.store.add_blob(path, mimetypes.guess_type(path)[0])
            rest = path + ("?" + parts.query if parts.query else "") + ("#" + parts.fragment if parts.fragment else "")
            return base + rest

        return map_strings(data, change)

    def _describe_downloads(self, plan: EndpointPlan, data: Any) -> None:
        base = self.base_url.rstrip("/")
        for step in plan.downloads:
            url = lookup(data, step.get("url"))
            if not isinstance(url, str) or not url.startswith(base + "/"):
                continue
            path = urlsplit(url).path
            mime = lookup(data, step.get("type")) if step.get("type") else None
            if not isinstance(mime, str):
                mime = mimetypes.guess_type(path)[0] or "application/octet-stream"
            self.store.db.execute("INSERT OR REPLACE INTO blobs VALUES (?, ?)", (path, mime))
            content = blob_bytes(path, mime)
            for key, value in (("size", len(content)), ("sha256", sha256_hex(content))):
                target = step.get(key)
                if target and isinstance(data, dict):
                    set_path(data, target, value)

    # ---------------------------------------------------------------- events

    def _events_meta(self, ctx: Context) -> dict[str, Any] | None:
        plan = ctx.plan
        if not plan.events:
            return None
        target = None
        for field in plan.webhooks:
            value = ctx.fields.get(field)
            if isinstance(value, str) and value:
                target = value
        return {"events": plan.events, "target": target}

    def _finish_events(
        self,
        account: str | None,
        record_id: str,
        meta: dict[str, Any],
        state: str,
        done: list[str],
        *,
        ended: bool = False,
    ) -> None:
        """A job reached ``state``: its progress events (unless it was ended early), then the one named so."""
        events = meta["events"]
        finals = [e for e in events if e.rsplit(".", 1)[-1] in done]
        progress = [] if ended else [e for e in events[1:] if e not in finals]
        ending = [e for e in events if e.rsplit(".", 1)[-1] == state]
        self._emit(account, record_id, meta, progress + ending, {})

    def _emit(
        self, account: str | None, record_id: str, meta: dict[str, Any], types: list[str], known: dict[str, Any]
    ) -> None:
        """Record events (links filled from ``known`` values, else the record's id) and queue deliveries."""
        by_type = {e.type: e for e in self.spec.events}
        target = meta.get("target")
        deliverable = isinstance(target, str) and is_loopback(urlsplit(target).hostname)
        for event_type in types:
            event = by_type.get(event_type)
            payload: dict[str, Any] = {}
            if event is not None:
                payload = {k: v for k, v in event.model_dump().items() if isinstance(v, str)}
                for index, link in enumerate(event.links):
                    value = known.get(link)
                    if value is None and index == 0:
                        value = record_id
                    if value is not None:
                        payload[link] = value
            subject = next((v for v in payload.values() if v == record_id), None) or record_id
            seq = self.store.add_event(account, event_type, subject, target if deliverable else None, payload)
            if deliverable:
                self._deliver(seq, str(target), payload)

    def _deliver(self, seq: int, target: str, payload: dict[str, Any]) -> None:
        """Queue a delivery; one worker sends them in the order the events happened."""
        if self._worker is None:
            from .webhooks import deliver

            def work() -> None:
                while True:
                    item = self._outbox.get()
                    try:
                        deliver(self.store, *item)
                    finally:
                        self._outbox.task_done()

            self._worker = threading.Thread(target=work, name="mock-webhooks", daemon=True)
            self._worker.start()
        self._outbox.put((seq, target, payload))

    def wait_for_webhooks(self, timeout: float = 10) -> None:
        """Wait until every queued delivery was tried (at most ``timeout`` seconds)."""
        import time

        deadline = time.monotonic() + timeout
        while self._outbox.unfinished_tasks and time.monotonic() < deadline:
            time.sleep(0.01)


_META_KEY = "\0mock"
_SETTLED = "settled"
_BALANCE_WORDS = ("remaining", "balance", "left", "available")
_ABSENT = get_path(None, None)
