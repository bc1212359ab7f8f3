"""The spec: loading with locations, the typed model, validation rules, JSON Schema."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from skillpress.diagnostics import Diagnostic, Severity, SkillpressError
from skillpress.spec import rules
from skillpress.spec.loader import LoadedDocument, format_path, load_file, load_text
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
    for code, finding in rules.run(spec, base_dir=base_dir):
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
    except OSError as exc:
        raise SkillpressError(f"cannot read spec file: {exc.strerror or exc}", file=file) from None
    if doc is None:
        return LoadResult(file=file, spec=None, diagnostics=problems, document=doc)
    # Located problems inside a readable document (a duplicate key, a refused tag) do
    # not stop validation: the first value is kept so that one run reports everything.
    result = validate_document(doc, path.resolve().parent)
    result.diagnostics[:0] = problems
    return result


def load_spec_text(text: str, file: str = "<spec>", base_dir: Path | None = None) -> LoadResult:
    doc, problems = load_text(text, file)
    if doc is None:
        return LoadResult(file=file, spec=None, diagnostics=problems, document=doc)
    result = validate_document(doc, base_dir)
    result.diagnostics[:0] = problems
    return result


__all__ = ["LoadResult", "Spec", "load_spec", "load_spec_text", "validate_document"]
