"""Diagnostics: problems found in user input, collected as values.

Every stage (loading, schema validation, semantic rules, rendering checks) reports
problems as :class:`Diagnostic` values instead of raising, so one run can show all of
them. The CLI decides the exit code in one place from the collected list.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from enum import Enum


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem in an input file, with where it is and how to fix it."""

    file: str
    line: int
    col: int
    severity: Severity
    code: str
    path: str
    message: str
    hint: str | None = None

    def format_text(self) -> str:
        where = f"{_clean(self.file)}:{self.line}:{self.col}"
        path = f" {_clean(self.path)}:" if self.path else ""
        text = f"{where}: {self.severity.value}[{self.code}]{path} {_clean(self.message)}"
        if self.hint:
            text += f"\n  hint: {_clean(self.hint)}"
        return text

    def to_json(self) -> dict[str, object]:
        data = asdict(self)
        data["severity"] = self.severity.value
        for key in ("file", "path", "message", "hint"):
            if isinstance(data[key], str):
                data[key] = _clean(data[key])
        return data


def _clean(text: str) -> str:
    """Escape characters that must not reach a terminal or cannot be encoded.

    Messages quote spec content (flag names from examples, keys, values). Control
    characters could restyle or rewrite the user's terminal, and a lone surrogate
    (from a YAML ``"\\ud800"`` escape) makes writing to a UTF-8 stream fail.
    """
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in text)


class SkillpressError(Exception):
    """A user-facing failure: printed without a traceback, exit code 2."""

    def __init__(self, message: str, *, file: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.file = file

    def __str__(self) -> str:
        return f"{self.file}: {self.message}" if self.file else self.message


def count(diagnostics: Iterable[Diagnostic]) -> tuple[int, int]:
    errors = warnings = 0
    for diag in diagnostics:
        if diag.severity is Severity.ERROR:
            errors += 1
        else:
            warnings += 1
    return errors, warnings


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def summary(diagnostics: Iterable[Diagnostic]) -> str:
    errors, warnings = count(diagnostics)
    return f"Found {_plural(errors, 'error')} and {_plural(warnings, 'warning')}"


def sort_key(diag: Diagnostic) -> tuple[str, int, int, str, str, str]:
    return (diag.file, diag.line, diag.col, diag.code, diag.path, diag.message)


def format_text(diagnostics: list[Diagnostic]) -> str:
    lines = [d.format_text() for d in sorted(diagnostics, key=sort_key)]
    lines.append(summary(diagnostics))
    return "\n".join(lines) + "\n"


def format_json(diagnostics: list[Diagnostic], *, file: str) -> str:
    errors, warnings = count(diagnostics)
    payload = {
        "file": file,
        "valid": errors == 0,
        "errors": errors,
        "warnings": warnings,
        "diagnostics": [d.to_json() for d in sorted(diagnostics, key=sort_key)],
    }
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"
