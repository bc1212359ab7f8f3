"""openapi.json: the spec's endpoints as an OpenAPI 3.1 document (serialised, never templated).

What the document says comes from the spec alone, so it can be rendered and drift-checked
like every other generated file:

- one path item per endpoint path (``{params}`` kept), one operation per method, with
  ``operationId`` = the endpoint id and ``x-commands`` = the client commands calling it;
- ``security``: the credential for ``auth: required``, the credential or nothing for
  ``auth: optional``, nothing for ``auth: none`` (the scheme exists only when some
  endpoint takes one). The scheme is the compiled contract's: an HTTP bearer token
  (``Authorization: Bearer``), else an API key in the named header or query parameter;
- ``servers``: the contract's default API base;
- path and query parameters and a JSON request body built from the endpoint's fields
  (dotted names become nested objects, ``name[]`` array items); the body refuses
  undeclared top-level fields, as the API does;
- the success response: the success envelope (``components.schemas.SuccessEnvelope``)
  with ``data`` narrowed to the endpoint's response fields, and an example built from the
  envelope example and the endpoint's example ``data``; endpoints with
  ``enveloped: false``, and every endpoint of a product whose replies are ``plain``,
  answer the bare object their response fields describe;
- error responses: one per HTTP status of the endpoint's error codes, naming the codes,
  and ``default`` for any other failure, all the error envelope;
- ``x-credit-cost`` on every priced operation (a vendor extension, from the compiled
  ``pricing``): ``{"unit", "text", "at_most", "free_when", "terms", "note"}``, the unit
  plural (``credits``), the sentence the docs print and the compiled terms that
  ``skillpress.contract.pricing.call_cost`` adds up; ``info.x-credit-unit`` names the
  unit and the error code a short balance gets (``{"name", "plural", "money",
  "shortfall"}``). A free operation has no ``x-credit-cost``.

Response objects leave undeclared properties open: a server may add fields, and the
spec lists the ones a client can rely on.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from skillpress.contract.protocol import default_base
from skillpress.render.pricing_text import endpoint_extension
from skillpress.render.views import sibling_url
from skillpress.spec.model import Endpoint, FieldSpec, Spec

OPENAPI_VERSION = "3.1.0"
SECURITY_SCHEME = "bearerToken"
API_KEY_SCHEME = "apiKey"
SUCCESS = "SuccessEnvelope"
ERROR = "ErrorEnvelope"


def openapi_url(spec: Spec) -> str:
    """Where openapi.json is served: next to llms.txt, like commands.json."""
    return sibling_url(spec.product.urls.llms, "openapi.json")


# --------------------------------------------------------------------------- field lists → JSON Schema


def field_schema(field: FieldSpec) -> dict[str, Any]:
    """The JSON Schema of one field, without its children."""
    schema: dict[str, Any] = {}
    if field.type == "null":
        schema["type"] = "null"
    elif field.nullable:
        schema["type"] = [field.type, "null"]
    else:
        schema["type"] = field.type
    if field.description:
        schema["description"] = field.description
    if field.choices and field.type == "string":
        schema["enum"] = [*field.choices, *([None] if field.nullable else [])]
    elif field.choices:
        schema["description"] = (schema.get("description", "") + f" One of: {', '.join(field.choices)}.").strip()
    return schema


def _types(schema: dict[str, Any]) -> list[str]:
    kind = schema.get("type", [])
    return [kind] if isinstance(kind, str) else list(kind)


def _as_object(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` (already an object, or an implicit one) ready to hold properties."""
    if not schema:
        schema["type"] = "object"
    schema.setdefault("properties", {})
    return schema


def _child(node: dict[str, Any], segment: str) -> dict[str, Any]:
    """The schema a dotted path continues into: a property, or its array items for ``name[]``."""
    name, is_array = (segment[:-2], True) if segment.endswith("[]") else (segment, False)
    prop = _as_object(node).setdefault("properties", {}).setdefault(name, {})
    if not is_array:
        return _as_object(prop)
    if not prop:
        prop["type"] = "array"
    return _as_object(prop.setdefault("items", {}))


def object_schema(fields: list[FieldSpec], *, closed: bool = False) -> dict[str, Any]:
    """An object schema from a flat field list whose names may be dotted (``a.b``, ``a[].b``)."""
    root: dict[str, Any] = {"type": "object", "properties": {}}
    for field in fields:
        *parents, last = field.name.split(".")
        node = root
        for segment in parents:
            node = _child(node, segment)
        name, is_array = (last[:-2], True) if last.endswith("[]") else (last, False)
        props = _as_object(node)["properties"]
        own = field_schema(field)
        if is_array:
            own = {"type": "array", "items": own}
        existing = props.get(name, {})
        for key in ("properties", "items", "required"):  # children declared before their parent
            if key in existing and key not in own:
                own[key] = existing[key]
        props[name] = own
        if field.required and name not in node.setdefault("required", []):
            node["required"].append(name)
    _tidy(root)
    if closed:
        root["additionalProperties"] = False
    return root


def _tidy(schema: dict[str, Any]) -> None:
    """Drop empty ``properties``/``required`` left on leaves; recurse."""
    for key in ("properties", "required"):
        if key in schema and not schema[key]:
            del schema[key]
    for child in schema.get("properties", {}).values():
        _tidy(child)
    if isinstance(schema.get("items"), dict):
        _tidy(schema["items"])


# --------------------------------------------------------------------------- operations


def _commands(spec: Spec, endpoint: Endpoint) -> list[str]:
    cli = spec.product.cli_name
    return [f"{cli} {c.path}" for c in spec.commands_by_endpoint.get(endpoint.id, ()) if not c.hidden]


def _parameters(endpoint: Endpoint) -> list[dict[str, Any]]:
    params: list[dict[str, Any]] = []
    declared = {p.name: p for p in endpoint.path_params}
    for name in endpoint.template_params:
        field = declared.get(name) or FieldSpec(name=name, required=True)
        params.append(_parameter(field, "path"))
    for field in endpoint.query:
        params.append(_parameter(field, "query"))
    return params


def _parameter(field: FieldSpec, where: str) -> dict[str, Any]:
    schema = field_schema(field)
    description = schema.pop("description", None)
    param: dict[str, Any] = {"name": field.name, "in": where, "required": where == "path" or field.required}
    if description:
        param["description"] = description
    if where == "path" and _types(schema) == ["string"]:
        schema["minLength"] = 1
    param["schema"] = schema
    return param


def _success_example(spec: Spec, endpoint: Endpoint, commands: list[str], enveloped: bool) -> Any:
    data = endpoint.response.example
    if not enveloped:
        return data
    example = copy.deepcopy(spec.envelopes.success.example)
    if commands and "command" in example:
        example["command"] = commands[0]
    if "data" in example or data is not None:
        example["data"] = data if data is not None else {}
    return example


def _error_responses(spec: Spec, endpoint: Endpoint) -> dict[str, Any]:
    by_status: dict[int, list[str]] = {}
    for code in endpoint.errors:
        known = spec.error_codes_by_code.get(code)
        if known is None or known.source != "server" or known.http_status is None:
            continue
        by_status.setdefault(known.http_status, []).append(f"`{code}`: {known.meaning}")
    out: dict[str, Any] = {}
    for status in sorted(by_status):
        out[str(status)] = {"$ref": f"#/components/responses/{ERROR}", "description": " ".join(by_status[status])}
    return out


def security_scheme(contract: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The name and OpenAPI security scheme of the contract's credential."""
    settings = contract["protocol"].get("credential") or {}
    sources = settings.get("sources") or []
    env = next((s["name"] for s in sources if s["kind"] == "env"), None)
    note = "The credential the API issues." + (f" The client reads it from `{env}`." if env else "")
    scheme, name = settings.get("scheme", "bearer"), settings.get("name") or "Authorization"
    if scheme != "query" and name.lower() == "authorization" and settings.get("prefix", "Bearer ") == "Bearer ":
        return SECURITY_SCHEME, {"type": "http", "scheme": "bearer", "description": note}
    where = "query" if scheme == "query" else "header"
    return API_KEY_SCHEME, {"type": "apiKey", "in": where, "name": name, "description": note}


def operation(
    spec: Spec,
    endpoint: Endpoint,
    scheme: str = SECURITY_SCHEME,
    contract: dict[str, Any] | None = None,
    *,
    plain: bool = False,
) -> dict[str, Any]:
    """One operation; ``plain``: the product answers without an envelope (its reply style
    is ``plain``), so an endpoint's response fields are the whole body."""
    commands = _commands(spec, endpoint)
    enveloped = endpoint.enveloped and not plain
    op: dict[str, Any] = {"operationId": endpoint.id, "summary": endpoint.summary}
    if endpoint.description:
        op["description"] = endpoint.description.strip()
    if commands:
        op["x-commands"] = commands
    cost = endpoint_extension(contract, endpoint.id) if contract else None
    if cost is not None:
        op["x-credit-cost"] = cost
    op["security"] = {
        "none": [],
        "optional": [{scheme: []}, {}],
        "required": [{scheme: []}],
    }[endpoint.auth.value]
    params = _parameters(endpoint)
    if params:
        op["parameters"] = params
    if endpoint.body:
        op["requestBody"] = {
            "required": any(f.required for f in endpoint.body),
            "content": {"application/json": {"schema": object_schema(endpoint.body, closed=True)}},
        }
    data = object_schema(endpoint.response.fields)
    if enveloped:
        schema: dict[str, Any] = {
            "allOf": [
                {"$ref": f"#/components/schemas/{SUCCESS}"},
                {"type": "object", "properties": {"data": data}, "required": ["data"]},
            ]
        }
        what = "The success envelope; the result is in `data`."
    else:
        schema = data
        what = "The result itself (not an envelope)."
    media: dict[str, Any] = {"schema": schema}
    example = _success_example(spec, endpoint, commands, enveloped)
    if example is not None:
        media["example"] = example
    responses: dict[str, Any] = {
        str(endpoint.response.status): {"description": what, "content": {"application/json": media}}
    }
    responses.update(_error_responses(spec, endpoint))
    responses["default"] = {
        "$ref": f"#/components/responses/{ERROR}",
        "description": "Any other failure, as the error envelope.",
    }
    op["responses"] = responses
    return op


# --------------------------------------------------------------------------- document


def openapi_document(spec: Spec, contract: dict[str, Any] | None = None) -> dict[str, Any]:
    """The document; ``contract`` is the spec's compiled contract (compiled here if not given)."""
    if contract is None:
        from skillpress.contract.compile import compile_contract

        contract = compile_contract(spec)
    scheme_name, scheme = security_scheme(contract)
    plain = contract["protocol"]["replies"]["style"] == "plain"
    product = spec.product
    info: dict[str, Any] = {
        "title": f"{product.name} API",
        "version": product.version,
        "summary": product.summary,
        "description": product.descriptions.long.strip(),
    }
    if product.license:
        info["license"] = {"name": product.license}
    pricing = contract.get("pricing")
    if pricing:
        shortfall = pricing.get("shortfall") or {}
        info["x-credit-unit"] = {
            "name": pricing["unit"]["name"],
            "plural": pricing["unit"]["plural"],
            "money": pricing["unit"]["money"],
            "shortfall": shortfall.get("code"),
        }
    doc: dict[str, Any] = {
        "openapi": OPENAPI_VERSION,
        "info": info,
        "servers": [{"url": default_base(contract) or product.urls.api.rstrip("/")}],
        "externalDocs": {
            "description": f"Every `{product.cli_name}` command and the endpoint it calls",
            "url": product.urls.cli,
        },
    }
    paths: dict[str, dict[str, Any]] = {}
    for endpoint in spec.endpoints:
        paths.setdefault(endpoint.path, {})[endpoint.method.lower()] = operation(
            spec, endpoint, scheme_name, contract, plain=plain
        )
    doc["paths"] = paths
    components: dict[str, Any] = {
        "schemas": {
            SUCCESS: object_schema(spec.envelopes.success.fields),
            ERROR: object_schema(spec.envelopes.error.fields),
        },
        "responses": {
            ERROR: {
                "description": "A failure: the error envelope; branch on `error.code`.",
                "content": {
                    "application/json": {
                        "schema": {"$ref": f"#/components/schemas/{ERROR}"},
                        "example": spec.envelopes.error.example,
                    }
                },
            },
        },
    }
    if any(e.auth.value != "none" for e in spec.endpoints):
        components["securitySchemes"] = {scheme_name: scheme}
    doc["components"] = components
    return doc


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def render_openapi(spec: Spec, contract: dict[str, Any] | None = None) -> str:
    """The document as JSON text, keys in a fixed order.

    Compact (the document is for tools, and generated text files have a size budget),
    but one line per top-level key, per path and per component, so that a drift diff
    names the endpoint that changed.
    """
    doc = openapi_document(spec, contract)
    lines: list[str] = []
    for key, value in doc.items():
        if key in ("paths", "components") and value:
            inner = []
            for name, item in value.items():
                if key == "components":
                    parts = [f"{_compact(k)}:{_compact(v)}" for k, v in item.items()]
                    inner.append(f"{_compact(name)}:{{\n" + ",\n".join(parts) + "\n}")
                else:
                    inner.append(f"{_compact(name)}:{_compact(item)}")
            lines.append(f"{_compact(key)}:{{\n" + ",\n".join(inner) + "\n}")
        else:
            lines.append(f"{_compact(key)}:{_compact(value)}")
    return "{\n" + ",\n".join(lines) + "\n}\n"


__all__ = ["field_schema", "object_schema", "openapi_document", "openapi_url", "render_openapi"]
