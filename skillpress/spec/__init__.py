"""The spec: loading with locations, the typed model, validation rules, JSON Schema."""

from __future__ import annotations

import datetime as _dt
import types
import typing
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from pydantic import BaseModel, ValidationError

from skillpress.diagnostics import Diagnostic, Severity, SkillpressError
from skillpress.safe_read import NotRegularFileError, read_capped
from skillpress.spec import rules
from skillpress.spec.loader import LoadedDocument, PathKey, format_path, load_bytes, load_file, load_text
from skillpress.spec.model import Spec
from skillpress.spec.schema_errors import diagnostics_from


@dataclass
class LoadResult:
    file: str
    spec: Spec | None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    document: LoadedDocument | None = None

    @property
    def ok(self) -> bool:
        return self.spec is not None and not any(d.severity is Severity.ERROR for d in self.diagnostics)


def validate_document(doc: LoadedDocument, base_dir: Path | None = None) -> LoadResult:
    """Schema-check a loaded document, then run every semantic rule on it.

    ``base_dir`` is the spec's folder: files the spec points at (the hooks package) are
    found from it. Without it, a spec that points at files is reported as uncheckable.
    """
    result = LoadResult(file=doc.file, spec=None, document=doc)
    if not isinstance(doc.data, dict):
        mark = doc.mark_for(())
        result.diagnostics.append(
            Diagnostic(
                doc.file,
                mark.line,
                mark.col,
                Severity.ERROR,
                "schema-type",
                "",
                "the spec must be a YAML mapping at the top level",
            )
        )
        return result
    try:
        spec = Spec.model_validate(doc.data)
    except ValidationError as exc:
        result.diagnostics.extend(diagnostics_from(exc, doc, Spec))
        return result
    result.spec = spec
    result.diagnostics.extend(_dates_outside_date_fields(doc))
    refused = doc.refused_paths
    for code, finding in rules.run(spec, base_dir=base_dir):
        if refused and any(finding.path[: len(r)] == r for r in refused):
            continue  # the loader refused this value and said so; the null left in its place is no news
        mark = doc.key_mark_for(finding.path) if finding.on_key else doc.mark_for(finding.path)
        result.diagnostics.append(
            Diagnostic(
                doc.file,
                mark.line,
                mark.col,
                finding.severity,
                code,
                format_path(finding.path),
                finding.message,
                finding.hint,
            )
        )
    return result


def _dates_outside_date_fields(doc: LoadedDocument) -> Iterator[Diagnostic]:
    """A YAML date (an unquoted ``2026-01-01``) anywhere but a date field.

    Free-form JSON data (response and envelope examples) accepts any value, so the
    schema lets a date through; but JSON has no date type, and every JSON file
    rendered from the example would fail to serialise it.
    """
    for path in doc.date_paths:
        value = _value_at(doc.data, path)
        if not isinstance(value, _dt.date) or _is_date_field(path):
            continue
        mark = doc.mark_for(path)
        yield Diagnostic(
            doc.file,
            mark.line,
            mark.col,
            Severity.ERROR,
            "schema-type",
            format_path(path),
            f"expected a JSON value (text, number, boolean, null, list or mapping), got the date {value}",
            f"quote it ('{value}') so YAML reads it as text",
        )


def _value_at(data: Any, path: PathKey) -> Any:
    try:
        for part in path:
            data = data[part]
    except (KeyError, IndexError, TypeError):
        return None
    return data


def _is_date_field(path: PathKey) -> bool:
    """True if the model declares a date at ``path`` (e.g. ``changelog[0].date``)."""
    annotation: Any = Spec
    for part in path:
        annotation = _strip_optional(annotation)
        if isinstance(part, int):
            if typing.get_origin(annotation) is not list:
                return False
            annotation = typing.get_args(annotation)[0]
        elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
            info = annotation.model_fields.get(part)
            if info is None:
                return False
            annotation = info.annotation
        else:
            return False
    return _strip_optional(annotation) is _dt.date


def _strip_optional(annotation: Any) -> Any:
    if typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return _strip_optional(args[0])
    return annotation


def load_spec(path: Path | str, display: str | None = None) -> LoadResult:
    """Load and validate a spec file. Raises :class:`SkillpressError` if it cannot be read."""
    path = Path(path)
    file = display or str(path)
    try:
        doc, problems = load_file(path, file)
    except FileNotFoundError:
        raise SkillpressError("spec file not found", file=file) from None
    except IsADirectoryError:
        raise SkillpressError("is a directory, not a spec file", file=file) from None
    except NotRegularFileError as exc:
        # /dev/zero, a named pipe, /dev/stdin fed by a pipe: never read from these (an
        # endless source would fill memory; a FIFO without a writer would hang).
        where = " (to pipe a spec in, run `skillpress validate -`)" if "FIFO" in exc.kind else ""
        raise SkillpressError(f"is a {exc.kind}, not a regular file; a spec must be a file{where}", file=file) from None
    except OSError as exc:
        raise SkillpressError(f"cannot read spec file: {exc.strerror or exc}", file=file) from None
    if doc is None:
        return LoadResult(file=file, spec=None, diagnostics=problems, document=doc)
    # Located problems inside a readable document (a duplicate key, a refused tag) do
    # not stop validation: the first value is kept so that one run reports everything.
    result = validate_document(doc, path.resolve().parent)
    result.diagnostics[:0] = problems
    return result


def load_spec_stream(stream: BinaryIO, file: str = "<stdin>") -> LoadResult:
    """Load and validate a spec read from a byte stream (``validate -``), capped like a file."""
    try:
        raw = read_capped(stream)
    except OSError as exc:
        raise SkillpressError(f"cannot read the spec: {exc.strerror or exc}", file=file) from None
    doc, problems = load_bytes(raw, file)
    if doc is None:
        return LoadResult(file=file, spec=None, diagnostics=problems, document=doc)
    result = validate_document(doc)
    result.diagnostics[:0] = problems
    return result


def load_spec_text(text: str, file: str = "<spec>", base_dir: Path | None = None) -> LoadResult:
    doc, problems = load_text(text, file)
    if doc is None:
        return LoadResult(file=file, spec=None, diagnostics=problems, document=doc)
    result = validate_document(doc, base_dir)
    result.diagnostics[:0] = problems
    return result


__all__ = ["LoadResult", "Spec", "load_spec", "load_spec_stream", "load_spec_text", "validate_document"]
