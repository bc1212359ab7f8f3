"""What the spec asks of the mock, worked out once per spec (nothing here handles a request).

For each endpoint, :class:`EndpointPlan` says:

* ``regex``: its path as a pattern with one group per path parameter;
* ``id_keys``: reply keys whose example values are ids the mock makes fresh when the
  endpoint creates something: every path parameter name of the spec (a `task_id` in a
  reply is what `/tasks/{task_id}` reads) and the ``id`` path of poll steps;
* ``links``: which endpoints' records a read endpoint serves (empty: any);
* ``issue``: reply paths where the endpoint hands out a credential (the ``from`` of a
  ``save_credential`` step, or an example value of the declared credential shape);
* ``polls``: the ``status`` path and ``done`` set of poll steps that read the endpoint;
* ``downloads``: download steps whose URL comes from the endpoint's reply;
* ``pagination``: an example value that is a URL of the endpoint itself with an integer
  query parameter declares offset paging (key of the link, parameter, page size);
* ``idempotency``: the request field of the generated key of a command declaring
  idempotency; ``webhooks``: URL fields of a command that declares events (other than
  the fields its arguments fill), and those events.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from skillpress.spec.model import Endpoint, Spec

from .values import is_issued_shape, looks_like_id, walk_objects


class EndpointPlan:
    def __init__(self, endpoint: Endpoint) -> None:
        self.endpoint = endpoint
        self.id = endpoint.id
        self.method = endpoint.method
        self.params = endpoint.template_params
        pattern = re.escape(endpoint.path)
        for name in self.params:
            pattern = pattern.replace(re.escape("{" + name + "}"), f"(?P<{name}>[^/]+)")
        self.regex = re.compile("^" + pattern + "$")
        self.example: dict[str, Any] = _with_required(dict(endpoint.response.example or {}), endpoint)
        self.status = endpoint.response.status
        self.id_keys: set[str] = set()
        self.links: set[str] = set()
        self.issue: list[str] = []
        self.polls: list[dict[str, Any]] = []
        self.downloads: list[dict[str, Any]] = []
        self.uploads: list[dict[str, Any]] = []
        self.pagination: tuple[str, str, int, str] | None = None
        self.idempotency: str | None = None
        self.webhooks: list[str] = []
        self.events: list[str] = []
        self.command_id: str | None = None
        self.is_job = False  # a poll step reads what it creates
        self.event_list: str | None = None  # reply key of a list of recorded events

    @property
    def reads(self) -> bool:
        return self.method == "GET" and bool(self.params)

    @property
    def deletes(self) -> bool:
        return self.method == "DELETE" and bool(self.params)

    @property
    def creates(self) -> bool:
        return self.method in ("POST", "PUT", "PATCH")

    @property
    def record_param(self) -> str | None:
        return self.params[-1] if self.params else None


_SAMPLES: dict[str, Any] = {"string": "", "integer": 0, "number": 0, "boolean": False, "object": {}, "array": []}


def _with_required(example: dict[str, Any], endpoint: Endpoint) -> dict[str, Any]:
    """The example, plus a neutral value for each declared field it lacks (required ones, or all without an example)."""
    fields = endpoint.response.fields
    wanted = fields if not example else [f for f in fields if f.required]
    for field in wanted:
        if "[" in field.name:
            continue
        node = example
        parts = field.name.split(".")
        for part in parts[:-1]:
            child = node.get(part)
            if not isinstance(child, dict):
                break
            node = child
        else:
            if parts[-1] not in node:
                sample = field.choices[0] if field.choices and field.type == "string" else _SAMPLES.get(field.type)
                node[parts[-1]] = None if field.nullable else sample
    return example


def _paths_with(node: Any, test: Any, prefix: str = "") -> list[str]:
    """Dotted paths (objects only) of the values of ``node`` that pass ``test``."""
    found: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            path = f"{prefix}{key}"
            if test(value):
                found.append(path)
            elif isinstance(value, dict):
                found += _paths_with(value, test, path + ".")
    return found


class Plan:
    """The mock's reading of one spec and its compiled contract."""

    def __init__(self, spec: Spec, contract: dict[str, Any]) -> None:
        self.spec = spec
        self.contract = contract
        self.endpoints = [EndpointPlan(e) for e in spec.endpoints]
        self.by_id = {p.id: p for p in self.endpoints}
        credential = contract["protocol"].get("credential") or None
        self.credential: dict[str, Any] | None = credential
        self.shape: str | None = credential.get("shape") if credential else None
        path_names = {name for p in self.endpoints for name in p.params}
        commands = contract.get("commands") or []
        routed: dict[str, list[dict[str, Any]]] = {}
        for command in commands:
            for route in command.get("routes") or ():
                routed.setdefault(route["endpoint"], []).append(command)
        request_names: dict[str, set[str]] = {
            p.id: {f.name for f in [*p.endpoint.body, *p.endpoint.query, *p.endpoint.path_params]}
            for p in self.endpoints
        }
        for plan in self.endpoints:
            plan.id_keys |= path_names
            if plan.creates:
                # a reply key another endpoint takes as a request field (a quote id a purchase names)
                own = request_names[plan.id]
                others = set().union(*(names for key, names in request_names.items() if key != plan.id))
                for obj in walk_objects(plan.example):
                    for key, value in obj.items():
                        if key in others and key not in own and isinstance(value, str) and looks_like_id(value):
                            plan.id_keys.add(key)
            users = routed.get(plan.id, [])
            plan.command_id = users[0]["id"] if users else None
            for command in users:
                self._from_command(plan, command)
            if self.shape:
                plan.issue += [p for p in _paths_with(plan.example, lambda v: is_issued_shape(v, self.shape))]
            plan.issue = sorted(set(plan.issue))
            plan.pagination = self._pagination(plan)
        # upload steps: the endpoint that receives files checks the facts the client declares
        for command in commands:
            for step in command.get("steps") or ():
                if step["kind"] == "upload" and step.get("endpoint") in self.by_id:
                    self.by_id[step["endpoint"]].uploads.append(step)
        # poll steps: the read endpoint serves the records of the endpoints the command starts with
        for command in commands:
            starts = [r["endpoint"] for r in command.get("routes") or ()]
            for step in command.get("steps") or ():
                if step["kind"] != "poll" or step.get("endpoint") not in self.by_id:
                    continue
                reader = self.by_id[step["endpoint"]]
                reader.polls.append({"status": step["status"], "done": list(step["done"])})
                for start in starts:
                    if start in self.by_id and self.by_id[start].creates:
                        reader.links.add(start)
                        self.by_id[start].is_job = True
                        if step.get("id"):
                            self.by_id[start].id_keys.add(str(step["id"]).split(".")[-1])
        # a read endpoint serves what endpoints whose replies carry its parameter created
        for reader in self.endpoints:
            param = reader.record_param
            if not param or reader.links:  # a poll step said which records it reads
                continue
            for creator in self.endpoints:
                if creator.creates and any(param in obj for obj in walk_objects(creator.example)):
                    reader.links.add(creator.id)
        # a DELETE shares the polls (and links) of the GET on the same path
        for plan in self.endpoints:
            if plan.deletes:
                for other in self.endpoints:
                    if other.reads and other.endpoint.path == plan.endpoint.path:
                        plan.polls = plan.polls or other.polls
                        plan.links |= other.links
        # endpoints that settle a payment method without live money grant what a quote says
        credits = spec.credits
        self.settles: dict[str, Any] = {}
        self.methods: dict[str, Any] = {}
        if credits is not None:
            for method in credits.payment_methods:
                self.methods[method.id] = method
                if method.endpoint and not method.live_money:
                    self.settles[method.endpoint] = method
        # a GET whose example lists items naming declared event types lists the recorded events
        event_types = {e.type for e in spec.events}
        for plan in self.endpoints:
            if plan.method != "GET":
                continue
            for key, value in plan.example.items():
                items = [i for i in value if isinstance(i, dict)] if isinstance(value, list) else []
                if items and any(v in event_types for v in items[0].values() if isinstance(v, str)):
                    plan.event_list = key
                    break
        # strings the spec's examples hold: ids there exist from the start (seeded on first use)
        self.example_strings: set[str] = set()
        for command in spec.commands:
            for example in command.examples:
                self.example_strings.update(example.argv)
        for plan in self.endpoints:
            for obj in walk_objects(plan.example):
                self.example_strings.update(v for v in obj.values() if isinstance(v, str))

    def _from_command(self, plan: EndpointPlan, command: dict[str, Any]) -> None:
        endpoint = plan.endpoint
        sendable = (
            {f.name for f in endpoint.body} | {q.name for q in endpoint.query} | {h.name for h in endpoint.headers}
        )
        route_fields: dict[str, str] = {}
        for route in command.get("routes") or ():
            if route["endpoint"] == plan.id:
                route_fields.update(route.get("fields") or {})
        flags = (self.contract.get("global_flags") or []) + (command.get("flags") or [])
        for step in command.get("steps") or ():
            if step["kind"] == "save_credential" and step.get("from"):
                plan.issue.append(step["from"])
            if step["kind"] == "download":
                plan.downloads.append(step)
        declared = next((c.idempotency for c in self.spec.commands if c.id == command["id"]), "none")
        for flag in command.get("flags") or ():
            field = route_fields.get(flag["name"], flag.get("field"))
            # the key a client generates, or (a spec without `generate`) the flag named for the command's key
            keyed = flag.get("generate") or (declared != "none" and "idempotency" in flag["name"])
            if keyed and field in sendable:
                plan.idempotency = field
                break
        events = [e for e in self._command_events(command["id"])]
        if events:
            plan.events = plan.events or events
            argument_fields = {route_fields.get(a["name"], a.get("field")) for a in command.get("arguments") or ()}
            for flag in flags:
                field = route_fields.get(flag["name"], flag.get("field"))
                if flag.get("type") == "url" and field in sendable and field not in argument_fields:
                    plan.webhooks.append(field)

    def _command_events(self, command_id: str) -> list[str]:
        for command in self.spec.commands:
            if command.id == command_id:
                return list(command.events)
        return []

    def _pagination(self, plan: EndpointPlan) -> tuple[str, str, int, str] | None:
        if plan.method != "GET":
            return None
        integer_params = {q.name for q in plan.endpoint.query if q.type == "integer"}
        lists = [k for k, v in plan.example.items() if isinstance(v, list) and v]
        if not integer_params or not lists:
            return None
        for key, value in plan.example.items():
            if not isinstance(value, str) or "://" not in value:
                continue
            try:
                parts = urlsplit(value)
            except ValueError:
                continue
            if not plan.regex.match(parts.path):
                continue
            for name, number in parse_qsl(parts.query):
                if name in integer_params and number.isdigit() and int(number) > 0:
                    return key, name, int(number), lists[0]
        return None

    def match(self, method: str, path: str) -> tuple[EndpointPlan | None, dict[str, str], bool]:
        """The endpoint for ``method path``, its path values, and whether the path exists at all."""
        seen = False
        for plan in self.endpoints:
            found = plan.regex.match(path)
            if found:
                seen = True
                if plan.method == method:
                    return plan, found.groupdict(), True
        return None, {}, seen
