"""Turn pydantic validation errors into located diagnostics."""

from __future__ import annotations

import difflib
import re
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


# Nouns for a field that accepts several scalar types (a union such as a flag default).
_UNION_WORDS = {
    "string_type": "a string",
    "int_type": "an integer",
    "int_parsing": "an integer",
    "int_from_float": "an integer",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "a boolean",
    "bool_parsing": "a boolean",
}

# Plain-words explanations of the model's string patterns, shown as hints.
_PATTERN_HINTS = {
    r"^[a-z0-9][a-z0-9._-]*$": "use lowercase letters, digits, '.', '_' and '-', starting with a letter or digit",
    r"^--[a-z0-9][a-z0-9-]*$": "write a long flag such as --color: two dashes, then lowercase letters, digits and hyphens",
    r"^[a-z0-9][a-z0-9-]*( [a-z0-9][a-z0-9-]*)*$": "write the command words separated by single spaces, e.g. 'notes list'",
    r"^[A-Z][A-Z0-9_]*$": "use UPPER_SNAKE_CASE, e.g. NOTE_TOO_LONG",
    r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$": "use dotted lowercase words, e.g. job.completed",
    r"^[^\n]+$": "keep this to a single line; put longer text in a description field",
    r"^[A-Z]{3}$": "use a three-letter ISO 4217 currency code such as USD",
    r"^[A-Za-z_][A-Za-z0-9_]*$": "use letters, digits and underscores, not starting with a digit",
    r"^/[A-Za-z0-9/_.{}-]*$": "write an absolute API path such as /v1/notes/{note_id}",
}

_BOUNDS = {"gt": "greater than", "ge": "at least", "lt": "less than", "le": "at most"}


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
    path: list[Any] = []
    node = data
    for part in loc:
        if (isinstance(node, dict) and isinstance(part, str) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        ):
            path.append(part)
            node = node[part]  # type: ignore[index]
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
        info = _field_named(current, part)
        if info is None:
            return None
        current = info.annotation
    current = _unwrap(current)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _field_named(model: type[BaseModel], key: str) -> Any:
    """The field an author's key names: by alias first, then by attribute name."""
    for info in model.model_fields.values():
        if info.alias == key:
            return info
    return model.model_fields.get(key)


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


def _refused(path: PathKey, refused: set[PathKey]) -> bool:
    """True if ``path`` lies at or under a value the loader already refused."""
    return any(path[: len(r)] == r for r in refused)


def diagnostics_from(error: ValidationError, doc: LoadedDocument, model: type[BaseModel]) -> list[Diagnostic]:
    refused: set[PathKey] = getattr(doc, "refused_paths", set())
    grouped: dict[tuple[PathKey, str], list[Any]] = {}
    for detail in error.errors(include_url=False):
        kind = detail["type"]
        path = _data_path(doc.data, tuple(detail["loc"]))
        if refused and _refused(path, refused):
            continue  # the loader already reported this value (a refused tag)
        # one message per place: a union reports one error per branch
        grouped.setdefault((path, "missing" if kind == "missing" else "value"), []).append(detail)
    out: list[Diagnostic] = []
    renamed: set[PathKey] = set()  # missing fields explained by a misspelt key next to them
    for (path, _), items in grouped.items():
        item: dict[str, Any] = dict(items[0])
        kinds = [i["type"] for i in items]
        if len(items) > 1 and all(k in _UNION_WORDS for k in kinds):
            words = list(dict.fromkeys(_UNION_WORDS[k] for k in kinds))
            item = {**item, "type": "union_type", "expected": words}
        diag, suggested = _one(item["type"], item, path, doc, model)
        if suggested is not None:
            renamed.add(path[:-1] + (suggested,))
        out.append(diag)
    # "unknown key 'sumary' (did you mean 'summary'?)" already explains the missing
    # 'summary'; a second message about the same slip is noise.
    return [d for d, (path, kind) in zip(out, grouped, strict=False) if not (kind == "missing" and path in renamed)]


def _one(
    kind: str, item: dict[str, Any], path: PathKey, doc: LoadedDocument, model: type[BaseModel]
) -> tuple[Diagnostic, str | None]:
    """One diagnostic, plus the field name suggested for an unknown key (if any)."""
    dotted = format_path(path)
    hint: str | None = None
    suggested: str | None = None
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
            # the keys an author writes: a field's alias when it has one (`from`, not `from_`)
            allowed = sorted(info.alias or name for name, info in owner.model_fields.items())
            close = difflib.get_close_matches(str(path[-1]), allowed, n=1, cutoff=0.6)
            hint = f"did you mean {close[0]!r}?" if close else "allowed keys: " + ", ".join(allowed)
            if close:
                suggested = close[0]
    else:
        mark = doc.mark_for(path)
        value = item.get("input")
        ctx = item.get("ctx") or {}
        if kind == "union_type":
            code = "schema-type"
            words = item["expected"]
            listing = ", ".join(words[:-1]) + " or " + words[-1]
            message = f"expected {listing}, got {_describe(value)}"
        elif kind in _TYPE_WORDS:
            code = "schema-type"
            message = f"expected {_TYPE_WORDS[kind]}, got {_describe(value)}"
            if kind == "string_type" and isinstance(value, (int, float, bool)):
                hint = "quote the value so YAML reads it as text"
        elif kind == "string_pattern_mismatch":
            code = "schema-pattern"
            pattern = ctx.get("pattern", "")
            message = f"{_describe(value)} does not match the required form {pattern}"
            hint = _PATTERN_HINTS.get(pattern)
        elif kind in ("literal_error", "enum"):
            code = "schema-choice"
            expected = ctx.get("expected", "")
            message = f"{_describe(value)} is not allowed; expected {expected}"
            if isinstance(value, str):
                options = re.findall(r"'([^']*)'", str(expected))
                close = difflib.get_close_matches(value, options, n=1, cutoff=0.6)
                hint = f"did you mean {close[0]!r}?" if close else None
        elif kind in ("too_short", "too_long"):
            code = "schema-too-short" if kind == "too_short" else "schema-too-long"
            bound = ctx.get("min_length" if kind == "too_short" else "max_length")
            actual = ctx.get("actual_length", len(value) if isinstance(value, (list, dict, str)) else "?")
            limit = "at least" if kind == "too_short" else "at most"
            message = f"needs {limit} {_count(bound, 'item')}, has {actual}"
        elif kind in ("string_too_short", "string_too_long"):
            code = "schema-too-short" if kind == "string_too_short" else "schema-too-long"
            if kind == "string_too_short" and ctx.get("min_length") == 1:
                message = "must not be empty"
            else:
                bound = ctx.get("min_length" if kind == "string_too_short" else "max_length")
                limit = "at least" if kind == "string_too_short" else "at most"
                length = len(value) if isinstance(value, str) else "?"
                message = f"text is {_count(length, 'character')}; it must be {limit} {bound}"
        elif kind.startswith(("greater_than", "less_than")):
            code = "schema-range"
            bounds = [f"{_BOUNDS[k]} {v}" for k, v in ctx.items() if k in _BOUNDS]
            message = f"{_describe(value)} is out of range: it must be {' and '.join(bounds)}"
        else:
            code = "schema-invalid"
            message = item["msg"]
    return Diagnostic(doc.file, mark.line, mark.col, Severity.ERROR, code, dotted, message, hint), suggested


def _count(n: object, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"
