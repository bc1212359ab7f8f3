"""The committed JSON Schema is current, and the specs in the repository satisfy it."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from skillpress.spec.schema import render_json_schema

REPO_ROOT = Path(__file__).resolve().parent.parent
SCHEMA_FILE = REPO_ROOT / "schema" / "skillpress.schema.json"
MINIMAL = REPO_ROOT / "tests" / "cases" / "minimal" / "spec.yaml"
EXAMPLES = sorted((REPO_ROOT / "examples").glob("*/spec.yaml"))
REGENERATE = ".venv/bin/python -m skillpress schema --out schema/skillpress.schema.json"


def plain(value: Any) -> Any:
    """yaml.safe_load turns 2026-01-01 into a date; JSON Schema sees the text form."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_committed_schema_is_current() -> None:
    assert SCHEMA_FILE.exists(), f"schema/skillpress.schema.json is missing; run `{REGENERATE}`"
    assert SCHEMA_FILE.read_text(encoding="utf-8") == render_json_schema(), (
        f"schema/skillpress.schema.json is stale; run `{REGENERATE}`"
    )


def test_schema_declares_draft_2020_12() -> None:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def errors_of(validator: jsonschema.Draft202012Validator, path: Path) -> list[str]:
    data = plain(yaml.safe_load(path.read_text(encoding="utf-8")))
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(data)]


def test_minimal_spec_satisfies_the_schema(validator: jsonschema.Draft202012Validator) -> None:
    assert errors_of(validator, MINIMAL) == []


def test_schema_rejects_what_the_model_rejects(validator: jsonschema.Draft202012Validator) -> None:
    data = plain(yaml.safe_load(MINIMAL.read_text(encoding="utf-8")))
    data["commands"][0]["sumary"] = data["commands"][0].pop("summary")
    assert list(validator.iter_errors(data)), "an unknown key and a missing field must fail the schema"


def test_there_are_example_specs() -> None:
    assert {p.parent.name for p in EXAMPLES} >= {"image-skill", "firecrawl"}


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.parent.name)
def test_example_spec_satisfies_the_schema(validator: jsonschema.Draft202012Validator, example: Path) -> None:
    assert errors_of(validator, example) == []


def test_example_spec_points_editors_at_the_schema() -> None:
    for spec in [*EXAMPLES, *sorted((REPO_ROOT / "tests").glob("**/spec.yaml"))]:
        first = spec.read_text(encoding="utf-8").splitlines()[0]
        prefix = "# yaml-language-server: $schema="
        assert first.startswith(prefix), spec
        assert (spec.parent / first[len(prefix) :]).resolve() == SCHEMA_FILE.resolve(), spec
