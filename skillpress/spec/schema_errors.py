"""Turn pydantic validation errors into located diagnostics."""

from __future__ import annotations

import difflib
import types
import typing
from typing import Any

from pydantic import BaseModel, ValidationError

from skillpress.diagnostics import Diagnostic, Severity
from skillpress.spec.loader import LoadedDocument, PathKey, format_path

_TYPE_WORDS = {
    "string_type": "a string",
    "int_type": "an integer",
    "int_parsing": "an integer",
    "int_from_float": "an integer",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "date_type": "a date (YYYY-MM-DD)",
    "date_from_datetime_parsing": "a date (YYYY-MM-DD)",
    "date_parsing": "a date (YYYY-MM-DD)",
}


def _describe(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"boolean {str(value).lower()}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, (int, float)):
        return f"number {value!r}"
    text = str(value)
    if len(text) > 40:
        text = text[:37] + "..."
    return repr(text)


def _data_path(data: Any, loc: tuple[Any, ...]) -> PathKey:
    """Keep only the parts of a pydantic ``loc`` that address the input data.

    Unions add branch names (``'str'``, ``'function-after[...]'``) to ``loc``; they are
    not keys of the document and are dropped.
    """
    path: list[str | int] = []
    node = data
    for part in loc:
        if isinstance(node, dict) and isinstance(part, str) and part in node:
            path.append(part)
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            path.append(part)
            node = node[part]
        elif isinstance(node, dict) and isinstance(part, str) and not path_has_union_tag(part):
            # a missing or unknown key: keep it so the message can name it
            path.append(part)
            node = None
        else:
            continue
    return tuple(path)


def path_has_union_tag(part: str) -> bool:
    return part in {"str", "int", "float", "bool", "none"} or "[" in part or part.startswith("function")


def _model_at(model: type[BaseModel], path: PathKey) -> type[BaseModel] | None:
    """The model class that describes the mapping at ``path`` (for key suggestions)."""
    current: Any = model
    for part in path:
        if isinstance(part, int):
            current = _unwrap(current, want_item=True)
            continue
        current = _unwrap(current)
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return None
        info = current.model_fields.get(part)
        if info is None:
            return None
        current = info.annotation
    current = _unwrap(current)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _unwrap(annotation: Any, want_item: bool = False) -> Any:
    for _ in range(6):
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            annotation = args[0] if len(args) == 1 else annotation
            if len(args) != 1:
                return annotation
        elif want_item and origin in (list, tuple):
            annotation = typing.get_args(annotation)[0]
            want_item = False
        else:
            return annotation
    return annotation


def diagnostics_from(error: ValidationError, doc: LoadedDocument, model: type[BaseModel]) -> list[Diagnostic]:
    seen: set[tuple[PathKey, str]] = set()
    out: list[Diagnostic] = []
    for item in error.errors(include_url=False):
        kind = item["type"]
        path = _data_path(doc.data, tuple(item["loc"]))
        key = (path, "missing" if kind == "missing" else "value")
        if key in seen:
            continue  # one message per place (unions report every branch)
        seen.add(key)
        out.append(_one(kind, item, path, doc, model))
    return out


def _one(kind: str, item: dict[str, Any], path: PathKey, doc: LoadedDocument, model: type[BaseModel]) -> Diagnostic:
    dotted = format_path(path)
    hint: str | None = None
    if kind == "missing":
        parent = path[:-1]
        mark = doc.key_mark_for(parent) if parent else doc.mark_for(parent)
        code = "schema-missing-field"
        message = f"missing required field {path[-1]!r}"
    elif kind == "extra_forbidden":
        mark = doc.key_mark_for(path)
        code = "schema-unknown-key"
        message = f"unknown key {path[-1]!r}"
        owner = _model_at(model, path[:-1])
        if owner is not None:
            allowed = sorted(owner.model_fields)
            close = difflib.get_close_matches(str(path[-1]), allowed, n=1, cutoff=0.6)
            hint = f"did you mean {close[0]!r}?" if close else "allowed keys: " + ", ".join(allowed)
    else:
        mark = doc.mark_for(path)
        value = item.get("input")
        if kind in _TYPE_WORDS:
            code = "schema-type"
            message = f"expected {_TYPE_WORDS[kind]}, got {_describe(value)}"
            if kind == "string_type" and isinstance(value, (int, float, bool)):
                hint = "quote the value so YAML reads it as text"
        elif kind == "string_pattern_mismatch":
            code = "schema-pattern"
            pattern = (item.get("ctx") or {}).get("pattern", "")
            message = f"{_describe(value)} does not match the required form {pattern}"
        elif kind in ("literal_error", "enum"):
            code = "schema-choice"
            expected = (item.get("ctx") or {}).get("expected", "")
            message = f"{_describe(value)} is not allowed; expected {expected}"
        elif kind in ("too_short", "string_too_short"):
            code = "schema-too-short"
            message = item["msg"].replace("List", "list").replace("String", "string")
        elif kind in ("too_long", "string_too_long"):
            code = "schema-too-long"
            message = item["msg"].replace("List", "list").replace("String", "string")
        elif kind.startswith(("greater_than", "less_than")):
            code = "schema-range"
            message = f"{_describe(value)}: {item['msg'][0].lower()}{item['msg'][1:]}"
        else:
            code = "schema-invalid"
            message = item["msg"]
    return Diagnostic(doc.file, mark.line, mark.col, Severity.ERROR, code, dotted, message, hint)
