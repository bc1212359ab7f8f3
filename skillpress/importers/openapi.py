"""`skillpress import openapi`: a draft spec from an OpenAPI 3.0 or 3.1 document.

The document is read with the spec's own located YAML loader (JSON is YAML), so every
problem names a line; it is checked with ``openapi-spec-validator`` and its ``$ref``s
are followed with ``jsonschema-path`` (the validator's own reference resolver) rather
than by hand. Only references inside the document are followed: a reference to another
file or a URL is refused before anything is resolved, so an import never reads other
files or the network.

What maps: each operation becomes one endpoint and one command (grouped under its first
tag), path parameters become arguments, query and header parameters and the top-level
properties of a JSON body become flags (types, choices, defaults, required), the first
2xx response gives the response fields and example, 4xx/5xx responses give error codes,
and the security scheme the most operations use becomes ``protocol.credential``.
"""

from __future__ import annotations

import re
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from skillpress.diagnostics import Diagnostic, Severity, SkillpressError
from skillpress.importers.draft import Draft, ImportFailed, Noted, ProseReview, todo
from skillpress.importers.names import SEMVER, kebab, one_line, today, upper_snake
from skillpress.spec.loader import LoadedDocument, format_path

METHODS = ("get", "put", "post", "delete", "patch")
OTHER_METHODS = ("head", "options", "trace")
FIELD_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\[\]]*$")
HEADER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]*$")
RESERVED_FLAGS = {"--help", "--version"}
MAX_DEPTH = 3


def node_label(node: Any) -> str:
    """``GET /pet/{petId}`` for the node of an operation (or anything under it)."""
    parts = [str(p) for p in getattr(node, "parts", ())]
    if len(parts) >= 3 and parts[0] == "paths":
        return f"{parts[2].upper()} {parts[1]}"
    return "/".join(parts)


def located(doc: LoadedDocument | None, file: str, path: tuple[str | int, ...], code: str, message: str) -> Diagnostic:
    mark = doc.mark_for(path) if doc is not None else None
    return Diagnostic(
        file, mark.line if mark else 1, mark.col if mark else 1, Severity.ERROR, code, format_path(path), message
    )


# --------------------------------------------------------------------------- reading


def read_document(source: str) -> tuple[LoadedDocument, dict[str, Any], str]:
    """Load and check an OpenAPI document; raise :class:`ImportFailed` with located problems."""
    from skillpress.safe_read import NotRegularFileError, read_spec_bytes
    from skillpress.spec.loader import load_bytes

    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", source):
        parts = urlsplit(source)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            raise SkillpressError(
                f"{source}: only local files are imported (a file:// URL or a path); download the document first"
            )
        source = unquote(parts.path)
    path = Path(source)
    file = source
    try:
        raw, _ = read_spec_bytes(path)
    except FileNotFoundError:
        raise SkillpressError("file not found", file=file) from None
    except IsADirectoryError:
        raise SkillpressError("is a directory, not an OpenAPI document", file=file) from None
    except NotRegularFileError as exc:
        raise SkillpressError(f"is a {exc.kind}, not a regular file", file=file) from None
    except OSError as exc:
        raise SkillpressError(f"cannot read: {exc.strerror or exc}", file=file) from None
    doc, problems = load_bytes(raw, file)
    errors = [p for p in problems if p.severity is Severity.ERROR]
    if doc is None or errors:
        raise ImportFailed("the document could not be read", errors or problems)
    data = doc.data
    if not isinstance(data, dict):
        raise ImportFailed("not an OpenAPI document", [located(doc, file, (), "openapi-shape", "expected a mapping")])
    version = data.get("openapi")
    if "swagger" in data and version is None:
        raise ImportFailed(
            "Swagger 2.0 is not supported",
            [located(doc, file, ("swagger",), "openapi-version", "Swagger 2.0: convert it to OpenAPI 3 first")],
        )
    if not isinstance(version, str) or not re.match(r"^3\.[01]\.\d+", version):
        raise ImportFailed(
            "not an OpenAPI 3.0 or 3.1 document",
            [
                located(
                    doc,
                    file,
                    ("openapi",) if "openapi" in data else (),
                    "openapi-version",
                    f"`openapi` must be 3.0.x or 3.1.x, found {version!r}",
                )
            ],
        )
    outside = [
        located(doc, file, where, "openapi-ref", f"reference {ref!r} points outside this document; inline it first")
        for where, ref in _refs(data, ())
        if not ref.startswith("#")
    ]
    if outside:
        raise ImportFailed("the document refers to other files", outside[:20])
    _validate(doc, data, file, version)
    return doc, data, file


def _refs(value: Any, path: tuple[str | int, ...]) -> list[tuple[tuple[str | int, ...], str]]:
    found: list[tuple[tuple[str | int, ...], str]] = []
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(value, path)]
    while stack:
        node, where = stack.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str):
                found.append((where + ("$ref",), ref))
            elif "$ref" in node:
                found.append((where + ("$ref",), repr(ref)))
            # extensions (x-...) are never read by the importer or the validator: their refs do not matter
            stack.extend((v, where + (k,)) for k, v in node.items() if not str(k).startswith("x-"))
        elif isinstance(node, list):
            stack.extend((v, where + (i,)) for i, v in enumerate(node))
    return sorted(found, key=lambda item: str(item[0]))


def _validate(doc: LoadedDocument, data: dict[str, Any], file: str, version: str) -> None:
    try:
        from openapi_spec_validator import OpenAPIV30SpecValidator, OpenAPIV31SpecValidator
    except ImportError:
        raise SkillpressError(
            "importing OpenAPI needs openapi-spec-validator: pip install 'skillpress[import]'"
        ) from None

    validator_class = OpenAPIV31SpecValidator if version.startswith("3.1") else OpenAPIV30SpecValidator
    problems: list[Diagnostic] = []
    try:
        for error in validator_class(data).iter_errors():
            where = tuple(getattr(error, "absolute_path", None) or getattr(error, "path", None) or ())
            message = " ".join(str(getattr(error, "message", error)).split())[:300]
            problems.append(located(doc, file, tuple(where), "openapi-invalid", message))
            if len(problems) >= 20:
                break
    except RecursionError:
        problems.append(located(doc, file, (), "openapi-invalid", "references nest too deeply to check"))
    except Exception as exc:  # the validator's own failures on hostile input: report, never a traceback
        problems.append(located(doc, file, (), "openapi-invalid", f"could not be checked: {type(exc).__name__}"))
    if problems:
        raise ImportFailed("the document is not valid OpenAPI", problems)


# --------------------------------------------------------------------------- resolving


class Resolver:
    """Follows ``$ref``s inside the document with jsonschema-path."""

    def __init__(self, data: dict[str, Any]) -> None:
        from jsonschema_path import SchemaPath

        self.root = SchemaPath.from_dict(data)

    def at(self, *parts: str | int) -> Any:
        node = self.root
        for part in parts:
            node = node / part
        return node

    @staticmethod
    def value(node: Any) -> Any:
        """The node's value with its own ``$ref`` followed (one level)."""
        try:
            with node.open() as contents:
                return contents
        except (KeyError, LookupError, ValueError, TypeError, RecursionError):
            return None
        except Exception:  # an unresolvable reference: treat as absent
            return None

    def mapping(self, node: Any) -> dict[str, Any]:
        value = self.value(node)
        return value if isinstance(value, dict) else {}

    def deref(self, node: Any, depth: int = 0) -> Any:
        """The full value with every reference followed, cut at ``MAX_DEPTH`` nested refs (cycles)."""
        value = self.value(node)
        if depth > 8:
            return None
        if isinstance(value, dict):
            out = {}
            for key in value:
                if key == "$ref":
                    continue
                out[key] = self.deref(node / key, depth + (1 if "$ref" in self._raw(node / key) else 0))
            return out
        if isinstance(value, list):
            return [self.deref(node / i, depth) for i in range(len(value))]
        return value

    @staticmethod
    def _raw(node: Any) -> dict[str, Any]:
        try:
            raw = node.read_value()
        except Exception:
            return {}
        return raw if isinstance(raw, dict) else {}


def schema_type(schema: dict[str, Any]) -> tuple[str, bool]:
    """(JSON type, nullable) of a schema (3.0 ``nullable`` or a 3.1 type list)."""
    kind = schema.get("type")
    nullable = bool(schema.get("nullable"))
    if isinstance(kind, list):
        nullable = nullable or "null" in kind
        kinds = [k for k in kind if k != "null"]
        kind = kinds[0] if kinds else "null"
    if not isinstance(kind, str):
        if "properties" in schema:
            kind = "object"
        elif "items" in schema:
            kind = "array"
        elif "enum" in schema and all(isinstance(v, str) for v in schema["enum"] or [""]):
            kind = "string"
        else:
            kind = "object" if any(k in schema for k in ("allOf", "oneOf", "anyOf")) else "string"
    if kind not in ("string", "integer", "number", "boolean", "object", "array", "null"):
        kind = "string"
    return kind, nullable


def merged(resolver: Resolver, node: Any) -> dict[str, Any]:
    """A schema with ``allOf`` parts merged (properties and required), references followed."""
    schema = resolver.mapping(node)
    parts = schema.get("allOf")
    if not isinstance(parts, list):
        return schema
    out: dict[str, Any] = {k: v for k, v in schema.items() if k != "allOf"}
    props: dict[str, Any] = {}
    required: list[str] = list(schema.get("required") or [])
    for i in range(len(parts)):
        part = merged(resolver, node / "allOf" / i)
        for key, value in part.items():
            if key == "properties" and isinstance(value, dict):
                props.update({k: ("allOf", i, k) for k in value})
            elif key == "required" and isinstance(value, list):
                required += [r for r in value if isinstance(r, str)]
            else:
                out.setdefault(key, value)
    out["_allof_props"] = props
    if schema.get("properties"):
        props.update({k: ("own", k) for k in schema["properties"]})
    out["required"] = required
    out.setdefault("type", "object")
    return out


def properties(resolver: Resolver, node: Any) -> list[tuple[str, Any]]:
    """(name, schema node) of an object schema's properties, allOf parts included."""
    schema = merged(resolver, node)
    found: list[tuple[str, Any]] = []
    if "_allof_props" in schema:
        for name, where in schema["_allof_props"].items():
            if where[0] == "own":
                found.append((name, node / "properties" / name))
            else:
                part = node / "allOf" / where[1]
                # the property sits in the part (or in a part of the part): search it
                found.append((name, _find_property(resolver, part, name)))
        return found
    props = schema.get("properties")
    if isinstance(props, dict):
        found = [(name, node / "properties" / name) for name in props]
    return found


def _find_property(resolver: Resolver, node: Any, name: str) -> Any:
    schema = resolver.mapping(node)
    if isinstance(schema.get("properties"), dict) and name in schema["properties"]:
        return node / "properties" / name
    for i in range(len(schema.get("allOf") or [])):
        found = _find_property(resolver, node / "allOf" / i, name)
        if found is not None:
            return found
    return node


def required_of(resolver: Resolver, node: Any) -> set[str]:
    return {r for r in merged(resolver, node).get("required") or [] if isinstance(r, str)}


# --------------------------------------------------------------------------- the importer


class OpenAPIImporter(ProseReview):
    def __init__(self, data: dict[str, Any], file: str, doc: LoadedDocument | None = None) -> None:
        self.data = data
        self.file = file
        self.doc = doc
        self.r = Resolver(data)
        self.notes: list[str] = []
        self.reviewed = 0
        self.status_codes: dict[str, str] = {}
        self.endpoint_ids: set[str] = set()
        self.command_paths: set[str] = set()

    # ---- prose

    # ---- top level

    def run(self) -> Draft:
        info = self.r.mapping(self.r.at("info"))
        title = one_line(info.get("title"), 120) or "API"
        product_id = kebab(title)[:60].strip("-") or "api"
        env = re.sub(r"[^A-Z0-9]+", "_", product_id.upper()).strip("_") or "API"
        version = str(info.get("version") or "")
        if not SEMVER.match(version):
            self.notes.append(f"info.version {version!r} is not a semantic version; the draft says 0.1.0")
            version = "0.1.0"
        api_base, prefix = self.server()
        scheme = self.credential(env)
        tags = self.tags()

        commands: list[dict[str, Any]] = []
        endpoints: list[dict[str, Any]] = []
        by_tag: dict[str, list[str]] = {}
        for raw_path, method in self.operations():
            made = self.operation(raw_path, method, prefix, scheme, tags)
            if made is None:
                continue
            command, endpoint, tag = made
            commands.append(command)
            endpoints.append(endpoint)
            by_tag.setdefault(tag, []).append(command["path"])
        if not commands:
            raise ImportFailed(
                "the document has no operations to import",
                [
                    located(
                        self.doc if "paths" in self.data else None,
                        self.file,
                        ("paths",) if "paths" in self.data else (),
                        "openapi-empty",
                        "no GET, PUT, POST, DELETE or PATCH operation",
                    )
                ],
            )

        description = info.get("description")
        summary = info.get("summary") or description
        homepage = self.https(
            self.r.mapping(self.r.at("externalDocs")).get("url")
            if "externalDocs" in self.data
            else self.r.mapping(self.r.at("info")).get("contact", {}).get("url")
        )
        product: dict[str, Any] = {
            "id": product_id,
            "name": title,
            "version": version,
            "summary": self.prose(summary, "info.summary" if info.get("summary") else "info.description")
            or todo("one line on what the product does for agents"),
            "descriptions": {
                "short": self.prose(summary, "info.description") or todo("one sentence for listings"),
                "long": self.prose(description, "info.description", line=False)
                or todo("a paragraph on what the product is and for whom"),
                "skill": todo("say what the product does and when an agent should use it"),
            },
            "urls": {
                "homepage": homepage or "https://TODO.invalid/",
                "skill": "https://TODO.invalid/skill.md",
                "llms": "https://TODO.invalid/llms.txt",
                "cli": "https://TODO.invalid/cli.md",
                "api": api_base or "https://TODO.invalid",
            },
            "cli_name": product_id,
        }
        license_ = info.get("license")
        if isinstance(license_, dict) and isinstance(license_.get("name"), str) and license_["name"].strip():
            product["license"] = one_line(license_["name"], 200)

        environment: list[dict[str, Any]] = [
            {
                "name": f"{env}_API_BASE_URL",
                "role": "api-base-url",
                "purpose": "Point the client at another API base, such as a local mock.",
            }
        ]
        protocol: dict[str, Any] = {"base_url": {"env": [f"{env}_API_BASE_URL"]}}
        if api_base:
            protocol["base_url"]["default"] = api_base
        if scheme is not None:
            environment.append(
                {
                    "name": scheme["env"],
                    "role": "token",
                    "secret": True,
                    "purpose": f"The credential sent {scheme['where']}.",
                }
            )
            credential: dict[str, Any] = {"scheme": scheme["scheme"]}
            if scheme.get("name"):
                credential["name"] = scheme["name"]
            credential["sources"] = [{"env": scheme["env"]}]
            protocol["credential"] = Noted(credential, scheme["comment"]) if scheme.get("comment") else credential

        error_codes = self.error_codes(scheme is not None, any(c.get("auth") == "required" for c in commands))
        protocol["replies"] = {"style": "plain", "statuses": dict(sorted(self.status_codes.items()))}
        protocol["errors"] = {
            "usage": "INVALID_ARGUMENTS",
            "unknown_command": "UNKNOWN_COMMAND",
            "network": "NETWORK_ERROR",
            "timeout": "TIMED_OUT",
            "bad_reply": "BAD_RESPONSE",
            "internal": "CLIENT_ERROR",
        }
        if scheme is not None:
            protocol["errors"]["credential_missing"] = "CREDENTIAL_MISSING"
            protocol["errors"]["base_refused"] = "BASE_REFUSED"
        protocol["output"] = {"style": "plain"}

        sections = []
        for tag, paths in by_tag.items():
            section: dict[str, Any] = {"title": tags.get(tag, {}).get("title") or tag or "Commands"}
            body = self.prose(tags.get(tag, {}).get("description"), f"tags[{tag}].description")
            if body is not None:
                section["body"] = body
            section["commands"] = paths
            sections.append(section)

        data: dict[str, Any] = {
            "spec_version": 1,
            "product": product,
            "environment": environment,
            "commands": commands,
            "endpoints": endpoints,
            "envelopes": Noted(
                {
                    "success": {"fields": [], "example": {}},
                    "error": self.error_envelope(),
                },
                "Replies are plain JSON (protocol.replies.style: plain): the HTTP status decides.",
            ),
            "exit_codes": [
                {"code": 0, "name": "success", "meaning": "The command did what was asked."},
                {
                    "code": 1,
                    "name": "failure",
                    "meaning": todo("confirm: the API refused the call or could not be reached"),
                },
                {"code": 2, "name": "usage", "meaning": "The arguments were not valid."},
            ],
            "error_codes": error_codes,
            "changelog": [{"version": version, "date": today(), "items": [todo("say what this version changed")]}],
            "skills": [
                {
                    "name": product_id[:64].strip("-"),
                    "canonical": True,
                    "description": todo("what the skill does and when to use it"),
                    "sections": sections,
                }
            ],
            "protocol": protocol,
        }
        counts = {
            "operations": len(commands),
            "commands": len(commands),
            "endpoints": len(endpoints),
            "flags": sum(len(c.get("flags", [])) for c in commands),
            "arguments": sum(len(c.get("arguments", [])) for c in commands),
            "examples": sum(len(c.get("examples", [])) for c in commands),
            "response examples": sum(1 for e in endpoints if "example" in e.get("response", {})),
            "error codes": len(error_codes),
            "credential scheme": 1 if scheme else 0,
            "prose passages for review": self.reviewed,
        }
        header = (
            f"Draft spec imported from the OpenAPI document {Path(self.file).name} by `skillpress import openapi`.\n"
            "Values starting with TODO need a person (`skillpress validate` lists them); text after a\n"
            "`# review:` comment is the document's own wording, carried over for its maintainer."
        )
        return Draft(data=data, source=self.file, header=header, found=counts, notes=self.notes)

    @staticmethod
    def https(url: Any) -> str | None:
        if isinstance(url, str) and re.match(r"^https://[A-Za-z0-9.-]+(?::\d+)?(?:/[^\s\"'<>()\\^`{|}]*)?$", url):
            return url
        return None

    def server(self) -> tuple[str | None, str]:
        """(https base of the first server, the path prefix its URL adds to every operation)."""
        servers = self.r.value(self.r.at("servers")) if "servers" in self.data else None
        if not isinstance(servers, list) or not servers or not isinstance(servers[0], dict):
            self.notes.append("the document names no server: product.urls.api is a TODO")
            return None, ""
        url = str(servers[0].get("url") or "")
        for name, variable in (servers[0].get("variables") or {}).items():
            if isinstance(variable, dict) and variable.get("default") is not None:
                url = url.replace("{" + str(name) + "}", str(variable["default"]))
        parts = urlsplit(url)
        prefix = parts.path.rstrip("/")
        if not re.fullmatch(r"(/[A-Za-z0-9_.-]+)*", prefix):
            self.notes.append(f"the server path {prefix!r} cannot prefix endpoint paths; it was left out")
            prefix = ""
        if parts.scheme == "https" and re.fullmatch(r"[A-Za-z0-9.-]+(:\d+)?", parts.netloc or ""):
            return f"https://{parts.netloc}", prefix
        self.notes.append(f"the first server {url!r} is not an absolute https URL: product.urls.api is a TODO")
        return None, prefix

    def tags(self) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        tags = self.r.value(self.r.at("tags")) if "tags" in self.data else None
        for tag in tags if isinstance(tags, list) else []:
            if isinstance(tag, dict) and isinstance(tag.get("name"), str):
                found[tag["name"]] = {"title": one_line(tag["name"], 120), "description": tag.get("description")}
        return found

    def operations(self) -> list[tuple[str, str]]:
        paths = self.r.mapping(self.r.at("paths")) if "paths" in self.data else {}
        found = []
        for raw_path in paths:
            item = self.r.mapping(self.r.at("paths", raw_path))
            for method in METHODS:
                if isinstance(item.get(method), dict):
                    found.append((raw_path, method))
            skipped = [m.upper() for m in OTHER_METHODS if isinstance(item.get(m), dict)]
            if skipped:
                self.notes.append(
                    f"{', '.join(skipped)} {raw_path}: the client sends GET, PUT, POST, DELETE, PATCH only"
                )
        if isinstance(self.data.get("webhooks"), dict) and self.data["webhooks"]:
            self.notes.append(
                f"{len(self.data['webhooks'])} webhook(s) are calls the API makes, not commands: left out"
            )
        return found

    # ---- security

    def credential(self, env: str) -> dict[str, Any] | None:
        schemes = self.r.mapping(self.r.at("components", "securitySchemes")) if "components" in self.data else {}
        if not schemes:
            return None
        counts: dict[str, int] = {}
        for raw_path, method in self.operations_quiet():
            for name in self.requirement_names(raw_path, method):
                counts[name] = counts.get(name, 0) + 1
        usable: list[tuple[int, str, dict[str, Any]]] = []
        for name in schemes:
            scheme = self.r.mapping(self.r.at("components", "securitySchemes", name))
            made = self.scheme(name, scheme, env)
            if made is not None:
                usable.append((counts.get(name, 0), name, made))
            else:
                self.notes.append(
                    f"security scheme {name!r} ({scheme.get('type')}) cannot be sent by the client: a person decides"
                )
        if not usable:
            return None
        usable.sort(key=lambda item: (-item[0], item[1]))
        chosen = usable[0][2]
        chosen["id"] = usable[0][1]
        if len(usable) > 1:
            others = ", ".join(name for _, name, _ in usable[1:])
            self.notes.append(f"security scheme {usable[0][1]!r} is used; also declared: {others}")
        return chosen

    def scheme(self, name: str, scheme: dict[str, Any], env: str) -> dict[str, Any] | None:
        kind = scheme.get("type")
        if kind == "apiKey" and scheme.get("in") in ("header", "query") and isinstance(scheme.get("name"), str):
            header = scheme["name"]
            if scheme["in"] == "header" and header.lower() == "authorization":
                return {"scheme": "bearer", "env": f"{env}_TOKEN", "where": "in the Authorization header"}
            if not HEADER_NAME.match(header):
                self.notes.append(
                    f"security scheme {name!r}: {header!r} is not a header or parameter name the spec can hold"
                )
                return None
            return {
                "scheme": scheme["in"],
                "name": header,
                "env": f"{env}_API_KEY",
                "where": f"in the {header} {'header' if scheme['in'] == 'header' else 'query parameter'}",
            }
        if kind == "http" and str(scheme.get("scheme", "")).lower() == "bearer":
            return {"scheme": "bearer", "env": f"{env}_TOKEN", "where": "as a bearer token"}
        if kind in ("oauth2", "openIdConnect"):
            return {
                "scheme": "bearer",
                "env": f"{env}_TOKEN",
                "where": "as a bearer token",
                "comment": f"TODO: {name!r} is {kind}: the client sends an access token the user obtained elsewhere; "
                "say how to get one",
            }
        return None

    def operations_quiet(self) -> list[tuple[str, str]]:
        paths = self.r.mapping(self.r.at("paths")) if "paths" in self.data else {}
        return [
            (raw, m)
            for raw in paths
            for m in METHODS
            if isinstance(self.r.mapping(self.r.at("paths", raw)).get(m), dict)
        ]

    def requirements(self, raw_path: str, method: str) -> list[dict[str, Any]]:
        op = self.r.mapping(self.r.at("paths", raw_path, method))
        if "security" in op:
            value = self.r.value(self.r.at("paths", raw_path, method, "security"))
        else:
            value = self.r.value(self.r.at("security")) if "security" in self.data else []
        return [req for req in value if isinstance(req, dict)] if isinstance(value, list) else []

    def requirement_names(self, raw_path: str, method: str) -> list[str]:
        return [name for req in self.requirements(raw_path, method) for name in req]

    # ---- one operation

    def operation(
        self, raw_path: str, method: str, prefix: str, scheme: dict[str, Any] | None, tags: dict[str, Any]
    ) -> tuple[dict[str, Any], dict[str, Any], str] | None:
        node = self.r.at("paths", raw_path, method)
        op = self.r.mapping(node)
        where = f"paths.{raw_path}.{method}"
        op_tags = op.get("tags") if isinstance(op.get("tags"), list) else []
        tag = str(op_tags[0]) if op_tags else ""
        group = kebab(tag)
        operation_id: str = op["operationId"] if isinstance(op.get("operationId"), str) else ""
        base = kebab(operation_id) or kebab(f"{method} {raw_path.replace('{', 'by ').replace('}', '')}")
        base_id = base or method
        words = [w for w in base_id.split("-") if w]
        tag_words = set(group.split("-")) | {w + "s" for w in group.split("-")} if group else set()
        trimmed = [w for w in words if w not in tag_words]
        name = "-".join(trimmed) or base_id
        command_path = f"{group} {name}" if group else name
        command_path = self.unique(command_path, self.command_paths)
        endpoint_id = self.unique((kebab(operation_id) or base_id)[:120], self.endpoint_ids)

        # the path, with parameter names the spec can carry
        params = self.parameters(raw_path, method)
        renames: dict[str, str] = {}
        for param in params:
            if param["in"] == "path":
                clean = re.sub(r"[^A-Za-z0-9_]", "_", param["name"])
                clean = clean if re.match(r"^[A-Za-z_]", clean) else f"p_{clean}"
                renames[param["name"]] = clean
        path = raw_path
        for old, new in renames.items():
            path = path.replace("{" + old + "}", "{" + new + "}")
        path = prefix + path if path != "/" or not prefix else prefix
        if not re.fullmatch(r"/[A-Za-z0-9/_.{}-]*", path):
            self.notes.append(f"{method.upper()} {raw_path}: the path has characters the spec cannot hold; skipped")
            return None

        requirements = self.requirements(raw_path, method)
        auth = "none"
        if scheme is not None and requirements:
            uses = any(scheme["id"] in req for req in requirements)
            anonymous = any(not req for req in requirements)
            auth = "optional" if anonymous else "required" if uses else "none"
            if not uses and not anonymous:
                self.notes.append(f"{command_path}: its security schemes are not the one the client sends")

        endpoint: dict[str, Any] = {
            "id": endpoint_id,
            "method": method.upper(),
            "path": path,
            "summary": self.prose(op.get("summary") or op.get("description"), f"{where}.summary")
            or f"{method.upper()} {raw_path}.",
        }
        if isinstance(op.get("description"), str) and op.get("summary"):
            endpoint["description"] = self.prose(op["description"], f"{where}.description", line=False)
        if auth != "none":
            endpoint["auth"] = auth
        command: dict[str, Any] = {
            "path": command_path,
            "summary": self.prose(op.get("summary") or op.get("description"), f"{where}.summary")
            or todo("say what this command does"),
        }
        if auth != "none":
            command["auth"] = auth
        command["endpoint"] = endpoint_id
        if method != "get":
            command["mutates"] = True
        if op.get("deprecated") is True:
            command["hidden"] = True

        arguments: list[dict[str, Any]] = []
        flags: list[dict[str, Any]] = []
        path_params: list[dict[str, Any]] = []
        query: list[dict[str, Any]] = []
        headers: list[dict[str, Any]] = []
        body: list[dict[str, Any]] = []
        example_values: dict[str, Any] = {}
        used_flags: set[str] = set(RESERVED_FLAGS)
        for param in params:
            schema_node = param["schema"]
            schema = merged(self.r, schema_node) if schema_node is not None else {}
            kind, _nullable = schema_type(schema)
            pname = param["name"]
            described = self.prose(param.get("description"), f"{where}.parameters.{pname}")
            sample = self.sample(param, schema)
            if param["in"] == "path":
                field_name = renames[pname]
                path_params.append(self.field_spec(field_name, schema, True, param.get("description")))
                argument: dict[str, Any] = {
                    "name": upper_snake(pname),
                    "type": self.value_type(kind, schema)[0],
                    "summary": described or f"The {pname} path parameter.",
                    "field": field_name,
                }
                choices = self.choices(schema)
                if choices:
                    argument["choices"] = choices
                if argument["type"] in ("csv", "json"):
                    argument["type"] = "string"
                arguments.append(argument)
                example_values[argument["name"]] = sample
            elif param["in"] == "query":
                if not FIELD_NAME.match(pname):
                    self.notes.append(f"{command_path}: query parameter {pname!r} has a name the spec cannot hold")
                    continue
                query.append(self.field_spec(pname, schema, bool(param.get("required")), param.get("description")))
                flag = self.flag(pname, schema, kind, described, bool(param.get("required")), used_flags)
                if flag is not None:
                    flags.append(flag)
                    example_values[flag["name"]] = sample
            elif param["in"] == "header":
                if not HEADER_NAME.match(pname) or pname.lower() in ("authorization", "content-type", "accept"):
                    self.notes.append(f"{command_path}: header {pname!r} is not sent from a flag")
                    continue
                header: dict[str, Any] = {"name": pname}
                if param.get("required"):
                    header["required"] = True
                headers.append(header)
                flag = self.flag(pname, schema, kind, described, bool(param.get("required")), used_flags)
                if flag is not None:
                    flags.append(flag)
                    example_values[flag["name"]] = sample
            else:
                self.notes.append(f"{command_path}: {param['in']} parameter {pname!r} is not sent by the client")

        body_example = self.request_body(node, op, where, command_path, body, flags, used_flags, example_values)

        endpoint["path_params"] = path_params
        endpoint["query"] = query
        endpoint["body"] = body
        if headers:
            endpoint["headers"] = headers
        endpoint["response"] = self.response(node, op)
        errors = self.errors(op)
        if errors:
            endpoint["errors"] = errors
        for key in ("path_params", "query", "body"):
            if not endpoint[key]:
                del endpoint[key]

        if arguments:
            command["arguments"] = arguments
        if flags:
            command["flags"] = flags
        example = self.example(command_path, arguments, flags, example_values, body_example)
        if example is not None:
            command["examples"] = [example]
        command["exit_codes"] = [0, 1, 2]
        command["errors"] = ["INVALID_ARGUMENTS", *errors]
        return command, endpoint, tag

    @staticmethod
    def unique(name: str, taken: set[str]) -> str:
        candidate, n = name, 2
        while candidate in taken:
            candidate = f"{name}-{n}"
            n += 1
        taken.add(candidate)
        return candidate

    def parameters(self, raw_path: str, method: str) -> list[dict[str, Any]]:
        found: dict[tuple[str, str], dict[str, Any]] = {}
        for owner in (("paths", raw_path), ("paths", raw_path, method)):
            node = self.r.at(*owner)
            listed = self.r.mapping(node).get("parameters")
            if not isinstance(listed, list):
                continue
            for i in range(len(listed)):
                param_node = node / "parameters" / i
                param = self.r.mapping(param_node)
                if not isinstance(param.get("name"), str) or param.get("in") not in (
                    "path",
                    "query",
                    "header",
                    "cookie",
                ):
                    continue
                entry = dict(param)
                entry["schema"] = param_node / "schema" if "schema" in param else None
                if entry["schema"] is None and isinstance(param.get("content"), dict) and param["content"]:
                    media = next(iter(param["content"]))
                    entry["schema"] = param_node / "content" / media / "schema"
                entry["examples_node"] = param_node / "examples" if "examples" in param else None
                found[(param["name"], param["in"])] = entry
        return list(found.values())

    # ---- values

    def value_type(self, kind: str, schema: dict[str, Any]) -> tuple[str, bool]:
        """(flag type, representable) for a schema."""
        if kind == "boolean":
            return "boolean", True
        if kind in ("integer", "number"):
            return kind, True
        if kind == "array":
            items: dict[str, Any] = schema["items"] if isinstance(schema.get("items"), dict) else {}
            item_kind, _ = schema_type(items) if items else ("string", False)
            return (
                ("csv", True)
                if item_kind in ("string", "integer", "number") and "$ref" not in items
                else ("json", True)
            )
        if kind == "object":
            return "json", True
        if schema.get("format") == "binary":
            return "path", False
        if schema.get("format") in ("uri", "url"):
            return "url", True
        return "string", True

    @staticmethod
    def choices(schema: dict[str, Any]) -> list[str]:
        enum = schema.get("enum")
        if not isinstance(enum, list) and isinstance(schema.get("items"), dict):
            enum = schema["items"].get("enum")
        if isinstance(enum, list) and enum and all(isinstance(v, str) and v and "\n" not in v for v in enum):
            return list(dict.fromkeys(enum))
        return []

    def field_spec(self, name: str, schema: dict[str, Any], required: bool, description: Any) -> dict[str, Any]:
        kind, nullable = schema_type(schema)
        spec: dict[str, Any] = {"name": name}
        if kind != "string":
            spec["type"] = kind
        if required:
            spec["required"] = True
        if nullable:
            spec["nullable"] = True
        text = self.prose(description or schema.get("description"), f"the {name} field")
        if text is not None:
            spec["description"] = text
        choices = self.choices(schema)
        if choices:
            spec["choices"] = choices
        return spec

    def flag(
        self,
        name: str,
        schema: dict[str, Any],
        kind: str,
        summary: Any,
        required: bool,
        used: set[str],
        field: str | None = None,
    ) -> dict[str, Any] | None:
        flag_type, ok = self.value_type(kind, schema)
        if not ok:
            self.notes.append(f"field {name!r} takes a file upload; the client sends JSON only, so it has no flag")
            return None
        base = "--" + (kebab(name) or "value")
        flag_name = self.unique(base if base not in used else base + "-field", used)
        flag: dict[str, Any] = {"name": flag_name}
        if flag_type != "string":
            flag["type"] = flag_type
        flag["summary"] = summary or f"Sets {name}."
        if flag_type != "boolean":
            flag["value_name"] = upper_snake(name)[:40]
        if required:
            flag["required"] = True
        choices = self.choices(schema) if flag_type in ("string", "csv") else []
        if choices:
            flag["choices"] = choices
        default = schema.get("default")
        if not required and default is not None:
            shown = self.default(flag_type, default, choices)
            if shown is not None:
                flag["default"] = shown
        flag["field"] = field or name
        return flag

    @staticmethod
    def default(flag_type: str, value: Any, choices: list[str]) -> Any:
        if flag_type == "boolean":
            return value if isinstance(value, bool) else None
        if flag_type == "integer":
            return value if isinstance(value, int) and not isinstance(value, bool) else None
        if flag_type == "number":
            return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None
        if flag_type == "csv" and isinstance(value, list) and all(isinstance(v, (str, int, float)) for v in value):
            text = ",".join(str(v) for v in value)
            return text if text and all(not choices or str(v) in choices for v in value) else None
        if flag_type in ("string", "url") and isinstance(value, str) and value and "\n" not in value:
            return value if not choices or value in choices else None
        return None

    def sample(self, param: dict[str, Any], schema: dict[str, Any]) -> Any:
        if "example" in param:
            return param["example"]
        examples = param.get("examples")
        if isinstance(examples, dict) and examples and param.get("examples_node") is not None:
            first = next(iter(examples))
            value = self.r.mapping(param["examples_node"] / first)
            if "value" in value:
                return value["value"]
        for key in ("example", "default"):
            if key in schema:
                return schema[key]
        if isinstance(schema.get("examples"), list) and schema["examples"]:
            return schema["examples"][0]
        return None

    # ---- bodies and responses

    @staticmethod
    def media_type(content: dict[str, Any]) -> str | None:
        keys = list(content)
        for wanted in ("application/json",):
            if wanted in keys:
                return wanted
        for key in keys:
            if key.endswith("+json") or key.startswith("application/json"):
                return key
        for key in keys:
            if key in ("application/x-www-form-urlencoded", "multipart/form-data"):
                return key
        return keys[0] if keys else None

    def request_body(
        self,
        node: Any,
        op: dict[str, Any],
        where: str,
        command_path: str,
        body: list[dict[str, Any]],
        flags: list[dict[str, Any]],
        used: set[str],
        example_values: dict[str, Any],
    ) -> dict[str, Any] | None:
        if "requestBody" not in op:
            return None
        body_node = node / "requestBody"
        request = self.r.mapping(body_node)
        content: dict[str, Any] = request["content"] if isinstance(request.get("content"), dict) else {}
        media = self.media_type(content)
        if media is None:
            return None
        if "json" not in media:
            self.notes.append(f"{command_path}: the API takes {media}; the client sends JSON (check it accepts JSON)")
        media_node = body_node / "content" / media
        schema_node = media_node / "schema"
        schema = merged(self.r, schema_node) if "schema" in self.r.mapping(media_node) else {}
        kind, _ = schema_type(schema)
        example = self.media_example(media_node, schema_node)
        if kind != "object":
            self.notes.append(
                f"{command_path}: the request body is a JSON {kind}; the client sends a JSON object, so it has no flags"
            )
            return None
        required = required_of(self.r, schema_node) if request.get("required") else set()
        for name, prop_node in properties(self.r, schema_node):
            prop = merged(self.r, prop_node)
            if prop.get("readOnly") is True:
                continue
            if not FIELD_NAME.match(name):
                self.notes.append(f"{command_path}: body field {name!r} has a name the spec cannot hold")
                continue
            body.append(self.field_spec(name, prop, name in required, prop.get("description")))
            prop_kind, _ = schema_type(prop)
            described = self.prose(prop.get("description"), f"{where}.requestBody.{name}")
            flag = self.flag(name, prop, prop_kind, described, name in required, used)
            if flag is not None:
                flags.append(flag)
                value = example.get(name) if isinstance(example, dict) and name in example else None
                if value is None:
                    value = prop.get("example", prop.get("default"))
                example_values[flag["name"]] = value
        return example if isinstance(example, dict) else None

    def media_example(self, media_node: Any, schema_node: Any) -> Any:
        media = self.r.mapping(media_node)
        if "example" in media:
            return self.r.deref(media_node / "example")
        examples = media.get("examples")
        if isinstance(examples, dict) and examples:
            first = next(iter(examples))
            value = self.r.mapping(media_node / "examples" / first)
            if "value" in value:
                return self.r.deref(media_node / "examples" / first / "value")
        schema = self.r.mapping(schema_node) if "schema" in media else {}
        if "example" in schema:
            return self.r.deref(schema_node / "example")
        return None

    def response(self, node: Any, op: dict[str, Any]) -> dict[str, Any]:
        responses: dict[str, Any] = op["responses"] if isinstance(op.get("responses"), dict) else {}
        ok = sorted(str(s) for s in responses if re.fullmatch(r"2\d\d", str(s)))
        if not ok:
            return {}
        status = ok[0]
        out: dict[str, Any] = {}
        if status != "200":
            out["status"] = int(status)
        response_node = node / "responses" / status
        content = self.r.mapping(response_node).get("content")
        if not isinstance(content, dict) or not content:
            return out
        media = self.media_type(content)
        if media is None or "json" not in media:
            return out
        media_node = response_node / "content" / media
        schema_node = media_node / "schema"
        fields: list[dict[str, Any]] = []
        if "schema" in self.r.mapping(media_node):
            self.response_fields(schema_node, "", fields, 0)
        if fields:
            out["fields"] = fields
        example = self.media_example(media_node, schema_node)
        if example is None and fields:
            example = self.built_example(schema_node, 0)
        required = {f["name"] for f in fields if f.get("required") and "." not in f["name"] and "[" not in f["name"]}
        if isinstance(example, dict) and example:
            if required <= set(example):
                out["example"] = example
            else:  # the document's example leaves out a required field: show none rather than a wrong one
                missing = ", ".join(sorted(required - set(example)))
                self.notes.append(f"{node_label(node)}: the response example lacks {missing}; left out")
        return out

    def response_fields(self, node: Any, prefix: str, out: list[dict[str, Any]], depth: int) -> None:
        schema = merged(self.r, node)
        if schema_type(schema)[0] != "object" or depth > 1 or len(out) > 60:
            return
        required = required_of(self.r, node)
        for name, prop_node in properties(self.r, node):
            full = f"{prefix}{name}"
            if not FIELD_NAME.match(full):
                continue
            prop = merged(self.r, prop_node)
            out.append(self.field_spec(full, prop, name in required, prop.get("description")))
            kind, _ = schema_type(prop)
            if kind == "object":
                self.response_fields(prop_node, full + ".", out, depth + 1)
            elif kind == "array" and isinstance(prop.get("items"), dict):
                self.response_fields(prop_node / "items", full + "[].", out, depth + 1)

    def built_example(self, node: Any, depth: int) -> Any:
        """An example made only of the examples the schema itself gives (nothing invented)."""
        schema = merged(self.r, node)
        if "example" in schema:
            return self.r.deref(node / "example") if "example" in self.r.mapping(node) else schema["example"]
        if depth > 3:
            return None
        kind, _ = schema_type(schema)
        if kind == "object":
            out = {}
            for name, prop_node in properties(self.r, node):
                value = self.built_example(prop_node, depth + 1)
                if value is not None:
                    out[name] = value
            return out or None
        if kind == "array" and isinstance(schema.get("items"), dict):
            item = self.built_example(node / "items", depth + 1)
            return [item] if item is not None else None
        return None

    def errors(self, op: dict[str, Any]) -> list[str]:
        responses: dict[str, Any] = op["responses"] if isinstance(op.get("responses"), dict) else {}
        codes = []
        for status in sorted(str(s) for s in responses):
            key = status.lower()
            if not re.fullmatch(r"[45](\d\d|xx)", key):
                continue
            name = self.status_name(key)
            self.status_codes[key] = name
            codes.append(name)
        return list(dict.fromkeys(codes))

    @staticmethod
    def status_name(status: str) -> str:
        if status.endswith("xx"):
            return "CLIENT_ERROR_STATUS" if status.startswith("4") else "SERVER_ERROR"
        try:
            phrase = HTTPStatus(int(status)).phrase
        except ValueError:
            return f"HTTP_{status}"
        name = re.sub(r"[^A-Z0-9]+", "_", phrase.upper()).strip("_")
        if name in ("INVALID_ARGUMENTS", "UNKNOWN_COMMAND", "NETWORK_ERROR", "TIMED_OUT", "BAD_RESPONSE"):
            name = f"HTTP_{status}"
        return name or f"HTTP_{status}"

    def error_codes(self, has_credential: bool, required: bool) -> list[dict[str, Any]]:
        client = [
            ("INVALID_ARGUMENTS", 2, "A flag, argument or value is missing, unknown or not allowed."),
            ("UNKNOWN_COMMAND", 2, "The first word is not a command."),
            ("NETWORK_ERROR", 1, "The API could not be reached."),
            ("TIMED_OUT", 1, "The API did not answer in time."),
            ("BAD_RESPONSE", 1, "The reply was not the JSON the API sends."),
            ("CLIENT_ERROR", 1, "The client failed in a way nothing else names."),
        ]
        if has_credential:
            client += [
                ("CREDENTIAL_MISSING", 1, "No credential was found for a command that needs one."),
                ("BASE_REFUSED", 1, "The credential may not be sent to this API base."),
            ]
        out: list[dict[str, Any]] = []
        for code, exit_code, meaning in client:
            entry: dict[str, Any] = {"code": code, "source": "client", "exit_code": exit_code, "meaning": meaning}
            if code in ("NETWORK_ERROR", "TIMED_OUT"):
                entry["retryable"] = True
            out.append(entry)
        for status, code in sorted(self.status_codes.items()):
            if any(e["code"] == code for e in out):
                continue
            entry = {"code": code, "exit_code": 1}
            if status.isdigit():
                entry["http_status"] = int(status)
                phrase = HTTPStatus(int(status)).phrase if int(status) in HTTPStatus._value2member_map_ else status
                entry["meaning"] = f"The API answered {status} {phrase}."
            else:
                entry["meaning"] = f"The API answered with a {status.upper()} status."
            if status in ("429", "503", "5xx", "502", "504"):
                entry["retryable"] = True
            out.append(entry)
        return out

    def error_envelope(self) -> dict[str, Any]:
        """Fields of the error body, when the error responses share one schema; else a TODO."""
        refs: dict[str, int] = {}
        for raw_path, method in self.operations_quiet():
            responses = self.r.mapping(self.r.at("paths", raw_path, method)).get("responses") or {}
            for status, _response in responses.items() if isinstance(responses, dict) else []:
                if not re.fullmatch(r"[45](\d\d|xx)|default", str(status).lower()):
                    continue
                raw = self.r._raw(self.r.at("paths", raw_path, method, "responses", status))
                content = (raw.get("content") or {}) if "$ref" not in raw else {}
                media = content.get("application/json") if isinstance(content, dict) else None
                ref = (media or {}).get("schema", {}).get("$ref") if isinstance(media, dict) else None
                if isinstance(ref, str):
                    refs[ref] = refs.get(ref, 0) + 1
        if refs:
            ref = max(sorted(refs), key=lambda r: refs[r])
            parts = [unquote(p.replace("~1", "/").replace("~0", "~")) for p in ref.lstrip("#/").split("/") if p]
            node = self.r.at(*parts)
            fields: list[dict[str, Any]] = []
            self.response_fields(node, "", fields, 1)
            example = self.built_example(node, 0)
            if fields:
                return {"fields": fields, "example": example if isinstance(example, dict) else {}}
        return {
            "fields": [{"name": "error", "description": todo("the fields of an error reply; the document names none")}],
            "example": {},
        }

    # ---- examples

    def example(
        self,
        command_path: str,
        arguments: list[dict[str, Any]],
        flags: list[dict[str, Any]],
        values: dict[str, Any],
        body_example: dict[str, Any] | None,
    ) -> dict[str, Any] | None:
        """An invocation made from the document's own example values, when every required input has one."""
        argv = command_path.split(" ")
        for argument in arguments:
            word = self.word(values.get(argument["name"]), argument["type"])
            if word is None:
                return None
            argv.append(word)
        for flag in flags:
            value = values.get(flag["name"])
            if value is None:
                if flag.get("required"):
                    return None
                continue
            if flag.get("type") == "boolean":
                if value is True:
                    argv.append(flag["name"])
                continue
            word = self.word(value, flag.get("type", "string"))
            if word is None:
                if flag.get("required"):
                    return None
                continue
            if flag.get("choices") and flag.get("type", "string") == "string" and word not in flag["choices"]:
                return None
            argv += [flag["name"], word]
        if len(argv) == len(command_path.split(" ")) and not (arguments or flags):
            shows = "The call, which takes no input."
        else:
            shows = "The call with the document's example values."
        return {"argv": argv, "shows": shows}

    @staticmethod
    def word(value: Any, kind: str) -> str | None:
        import json

        if value is None:
            return None
        if kind == "json":
            return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        if kind == "csv":
            if isinstance(value, list) and all(isinstance(v, (str, int, float)) for v in value):
                return ",".join(str(v) for v in value) or None
            return None
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, (int, float)):
            return str(value) if kind in ("integer", "number", "string") else None
        if isinstance(value, str) and value and "\n" not in value and value.isprintable():
            return value
        return None


def import_openapi(source: str) -> Draft:
    """A draft spec from the OpenAPI document at ``source`` (a path or a file:// URL)."""
    doc, data, file = read_document(source)
    try:
        return OpenAPIImporter(data, file, doc).run()
    except RecursionError:
        raise ImportFailed(
            "the document nests too deeply", [located(None, file, (), "openapi-too-deep", "schemas nest too deeply")]
        ) from None
