"""Wording and placement of schema (pydantic) errors turned into diagnostics."""

from __future__ import annotations

from pathlib import Path

import pytest

from skillpress.diagnostics import Diagnostic, Severity, format_json, format_text
from skillpress.spec import load_spec_text

MINIMAL = (Path(__file__).resolve().parent / "cases" / "minimal" / "spec.yaml").read_text(encoding="utf-8")


def diagnose(old: str, new: str) -> list[Diagnostic]:
    assert MINIMAL.count(old) == 1, old
    return load_spec_text(MINIMAL.replace(old, new), "s.yaml").diagnostics


@pytest.mark.parametrize(
    ("old", "new", "code", "message", "hint"),
    [
        (
            "    exit_codes: [0, 2, 7]\n",
            "    exit_codes: [0, 2, 7]\n    mutates: maybe\n",
            "schema-type",
            "expected true or false, got 'maybe'",
            None,
        ),
        (
            "  cli_name: echo-skill\n",
            "  cli_name: 42\n",
            "schema-type",
            "expected a string, got number 42",
            "quote the value so YAML reads it as text",
        ),
        (
            "        field: text\n",
            "        field: text\n        default: [1]\n",
            "schema-type",
            "expected a string, an integer, a number or a boolean, got a list",
            None,
        ),
        (
            "  - {code: 7, name: upstream,",
            "  - {code: 700, name: upstream,",
            "schema-range",
            "number 700 is out of range: it must be at most 255",
            None,
        ),
        ("    items: [First release.]\n", "    items: []\n", "schema-too-short", "needs at least 1 item, has 0", None),
        ("    shows: A round trip with one word.\n", "    shows: ''\n", "schema-too-short", "must not be empty", None),
        (
            "    summary: Send text and print the reply.\n",
            "    summary: " + "x" * 301 + "\n",
            "schema-too-long",
            "text is 301 characters; it must be at most 300",
            None,
        ),
        (
            "      - name: --text\n",
            "      - name: text\n",
            "schema-pattern",
            "'text' does not match the required form ^--[a-z0-9][a-z0-9-]*$",
            "write a long flag such as --color: two dashes, then lowercase letters, digits and hyphens",
        ),
        (
            "    summary: Send text and print the reply.\n",
            "    summary: |\n      two\n      lines\n",
            "schema-pattern",
            "'two\\nlines\\n' does not match the required form ^[^\\n]+$",
            "keep this to a single line; put longer text in a description field",
        ),
        (
            "    method: POST\n",
            "    method: PSOT\n",
            "schema-choice",
            "'PSOT' is not allowed; expected 'GET', 'POST', 'PUT', 'PATCH' or 'DELETE'",
            "did you mean 'POST'?",
        ),
        (
            "    auth: none\n",
            "    auth: nope\n",
            "schema-choice",
            "'nope' is not allowed; expected 'none', 'optional' or 'required'",
            "did you mean 'none'?",
        ),
    ],
)
def test_schema_messages(old: str, new: str, code: str, message: str, hint: str | None) -> None:
    [diag] = diagnose(old, new)
    assert (diag.code, diag.message, diag.hint) == (code, message, hint)


def test_misspelt_key_is_one_diagnostic_not_two() -> None:
    diags = diagnose("    summary: Send text and print the reply.\n", "    sumary: Send text and print the reply.\n")
    assert [(d.code, d.path, d.hint) for d in diags] == [
        ("schema-unknown-key", "commands[0].sumary", "did you mean 'summary'?")
    ]


def test_unrelated_unknown_key_keeps_the_missing_field() -> None:
    diags = diagnose("    summary: Send text and print the reply.\n", "    colour: blue\n")
    assert sorted(d.code for d in diags) == ["schema-missing-field", "schema-unknown-key"]


def test_refused_tag_is_not_reported_again_by_the_schema() -> None:
    diags = diagnose("    summary: Echo the text back.\n", "    summary: !!python/object/apply:os.system [ls]\n")
    assert [d.code for d in diags] == ["yaml-unsafe-tag"]


def test_unknown_key_lists_allowed_keys_when_nothing_is_close() -> None:
    [diag] = diagnose("    auth: none\n", "    auth: none\n    zzz: 1\n")
    assert diag.code == "schema-unknown-key"
    assert diag.hint is not None and diag.hint.startswith("allowed keys: ") and "summary" in diag.hint


def test_output_escapes_control_characters_and_lone_surrogates() -> None:
    diag = Diagnostic("s.yaml", 1, 1, Severity.ERROR, "x", "a\x1bb", "bad \ud800 and \x1b[2J", "hint \x07")
    text = format_text([diag])
    assert "\x1b" not in text and "\ud800" not in text and "\x07" not in text
    assert "a\\x1bb" in text and "\\ud800" in text
    text.encode("utf-8")
    format_json([diag], file="s.yaml").encode("utf-8")
