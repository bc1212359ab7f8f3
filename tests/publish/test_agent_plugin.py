"""The skills bundle's root ``plugin.json`` against the official Agent Plugins 1.0.0 schema.

The schema is vendored (``schema/vendor/agent-plugins-1.0.0/``, source and commit in its
``SOURCE.md``), so this test needs no network. Both example products are checked, and a
manifest with one field the closed schema does not know is refused, so the validator is
really looking.
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from skillpress.publish.bundle import AGENT_PLUGIN_SCHEMA, agent_plugin_files
from skillpress.spec import load_spec

ROOT = Path(__file__).resolve().parents[2]
VENDOR = ROOT / "schema" / "vendor" / "agent-plugins-1.0.0"
EXAMPLES = ["image-skill", "firecrawl"]


def schema() -> dict:
    return json.loads((VENDOR / "plugin.schema.json").read_text(encoding="utf-8"))


def manifest(example: str) -> dict:
    result = load_spec(ROOT / "examples" / example / "spec.yaml")
    assert result.spec is not None
    files = agent_plugin_files(result.spec)
    assert sorted(files) == ["plugin.json"]
    return json.loads(files["plugin.json"])


def test_vendored_schema_is_the_one_we_point_at() -> None:
    assert schema()["$id"] == AGENT_PLUGIN_SCHEMA
    assert "bd383552095128f6effe895b9257cfd580a6d179" in (VENDOR / "SOURCE.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("example", EXAMPLES)
def test_root_plugin_json_is_valid_agent_plugins_1_0(example: str) -> None:
    value = manifest(example)
    jsonschema.Draft202012Validator(schema()).validate(value)
    assert value["$schema"] == AGENT_PLUGIN_SCHEMA and value["name"] == example


@pytest.mark.parametrize("example", EXAMPLES)
def test_an_unknown_top_level_field_is_refused(example: str) -> None:
    value = {**manifest(example), "skills": "./skills"}  # closed schema: components are found, not listed
    errors = list(jsonschema.Draft202012Validator(schema()).iter_errors(value))
    assert [e.validator for e in errors] == ["additionalProperties"]
