"""Reply bodies in the product's declared style, and the error code for each situation.

* ``envelope``: the spec's success envelope example is the skeleton; the declared ``ok``
  path is set to true, the data path holds the data and the trace-id path a fresh id.
  A failure uses the error envelope example with code, message, retryable and recovery
  at the declared paths.
* ``plain``: a success body is the data itself; a failure is the error envelope example
  (when the spec gives one) with code and message at the declared paths.

The HTTP status of a failure is the error code's ``http_status``, else the status the
protocol maps to that code, else the situation's default status. When the protocol
declares an exit-code header, failures carry the code's exit code in it.
"""

from __future__ import annotations

import json
from typing import Any

from skillpress.contract.protocol import get_path
from skillpress.spec.model import Spec

from .values import deep, new_id_like, remove_path, set_path

# default HTTP status of each situation the mock itself can answer
SITUATION_STATUS = {
    "invalid": 400,
    "unauthorized": 401,
    "shortfall": 402,
    "not_found": 404,
    "method": 405,
    "conflict": 409,
    "too_large": 413,
    "internal": 500,
}


class MockReply:
    """An HTTP reply: status, extra headers, body bytes and content type."""

    __slots__ = ("body", "content_type", "headers", "status")

    def __init__(
        self, status: int, body: bytes, content_type: str = "application/json", headers: dict[str, str] | None = None
    ) -> None:
        self.status = status
        self.body = body
        self.content_type = content_type
        self.headers = headers or {}

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


class ApiError(Exception):
    """A failure the mock answers: ``situation`` (see SITUATION_STATUS), a code, a message."""

    def __init__(self, situation: str, code: str, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.situation = situation
        self.code = code
        self.message = message
        self.status = status


def _dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class Replies:
    """Builds reply bodies and picks error codes from the spec and its compiled contract."""

    def __init__(self, spec: Spec, contract: dict[str, Any]) -> None:
        self.spec = spec
        self.contract = contract
        self.replies = contract["protocol"]["replies"]
        self.style = self.replies["style"]
        self.codes: dict[str, dict[str, Any]] = contract.get("error_codes") or {}
        envelopes = spec.envelopes
        self.success_skeleton = deep(envelopes.success.example) if envelopes is not None else None
        self.error_skeleton = deep(envelopes.error.example) if envelopes is not None else None
        statuses = self.replies.get("statuses") or {}
        self.status_codes = {str(k): v for k, v in statuses.items()}
        # how many endpoints declare each code: the most declared is the most general
        self.declared: dict[str, int] = {}
        for endpoint in spec.endpoints:
            for code in endpoint.errors:
                self.declared[code] = self.declared.get(code, 0) + 1

    # ---------------------------------------------------------------- codes

    def code_for(self, situation: str, endpoint_errors: list[str] | None = None) -> str:
        """The error code the spec gives ``situation`` (a status class such as 404)."""
        status = SITUATION_STATUS[situation]
        mapped = self.status_codes.get(str(status))
        if mapped:
            return str(mapped)
        errors = (self.contract["protocol"].get("errors") or {}) if situation in ("invalid", "internal") else {}
        declared = errors.get("usage" if situation == "invalid" else "internal")
        if declared and declared in self.codes:
            return str(declared)
        with_status = [c for c, e in self.codes.items() if e.get("http_status") == status]
        endpoint_errors = endpoint_errors or []
        local = [c for c in endpoint_errors if c in with_status]
        if local and situation != "not_found":
            return local[0]
        if situation == "invalid":
            # a spec without statuses: the server error most endpoints declare that has no other status
            candidates = [
                c for c, e in self.codes.items() if e.get("http_status") in (None, 400) and c in self.declared
            ]
            if candidates:
                return max(candidates, key=lambda c: (self.declared[c], -len(c)))
        if local:
            return min(local, key=len)
        if with_status:
            return min(with_status, key=len)
        if situation != "invalid":  # no code of its own: the request is refused as invalid
            return self.code_for("invalid", endpoint_errors)
        return "INVALID_REQUEST"

    def status_of(self, code: str, situation: str) -> int:
        entry = self.codes.get(code) or {}
        if isinstance(entry.get("http_status"), int):
            return int(entry["http_status"])
        for status, mapped in self.status_codes.items():
            if mapped == code and status.isdigit():
                return int(status)
        return SITUATION_STATUS[situation]

    # ---------------------------------------------------------------- bodies

    def headers_for(self, code: str | None) -> dict[str, str]:
        header = self.replies.get("exit_code_header")
        if not header or code is None:
            return {}
        entry = self.codes.get(code)
        if entry is None:
            return {}
        return {header: str(entry["exit_code"])}

    def _trace(self, body: dict[str, Any]) -> None:
        path = self.replies.get("trace_id")
        if path:
            example = get_path(body, path)
            set_path(body, path, new_id_like(example if isinstance(example, str) else None))

    def _name_command(self, body: dict[str, Any], command_id: str | None) -> dict[str, Any]:
        """An envelope value that names a command (``<cli> <path>``) names the one answered.

        A request no command answers (an unknown path, a body refused before routing) names
        the CLI alone, as the client does for an unknown command, never the example's command.
        """
        product = self.contract.get("product") or {}
        cli = product.get("cli_name") or ""
        paths = {c["id"]: c["path"] for c in self.contract.get("commands") or ()}
        named = {f"{cli} {p}" for p in paths.values()}
        wanted = f"{cli} {paths[command_id]}" if command_id in paths else cli
        for key, value in body.items():
            if isinstance(value, str) and value in named:
                body[key] = wanted
        return body

    def success(self, status: int, data: Any, command_id: str | None = None) -> MockReply:
        data_path = self.replies.get("data")
        if self.style != "envelope" or not data_path:
            return MockReply(status, _dumps(data))
        body = deep(self.success_skeleton) if isinstance(self.success_skeleton, dict) else {}
        body = self._name_command(body, command_id)
        ok = self.replies.get("ok")
        if ok:
            set_path(body, ok, True)
        set_path(body, data_path, data)
        self._trace(body)
        return MockReply(status, _dumps(body))

    def error(self, exc: ApiError, command_id: str | None = None) -> MockReply:
        status = exc.status or self.status_of(exc.code, exc.situation)
        body = deep(self.error_skeleton) if isinstance(self.error_skeleton, dict) else {}
        body = self._name_command(body, command_id)
        entry = self.codes.get(exc.code) or {}
        paths = self.replies
        if paths.get("ok"):
            set_path(body, paths["ok"], False)
        data_path = paths.get("data")
        if data_path and self.style == "envelope":
            set_path(body, data_path, None)
        if paths.get("error_code"):
            set_path(body, paths["error_code"], exc.code)
        if paths.get("error_message"):
            set_path(body, paths["error_message"], exc.message)
        if paths.get("retryable"):
            set_path(body, paths["retryable"], bool(entry.get("retryable")))
        recovery_path = paths.get("recovery")
        if recovery_path:
            example = get_path(body, recovery_path)
            hint = entry.get("recovery")
            if isinstance(example, dict):
                # an object of machine hints: the mock has none to give, so it leaves it out
                remove_path(body, recovery_path)
            elif hint:
                set_path(body, recovery_path, hint)
        self._trace(body)
        return MockReply(status, _dumps(body), headers=self.headers_for(exc.code))
