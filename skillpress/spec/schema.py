"""JSON Schema of the spec format, for editors (yaml-language-server) and other tools."""

from __future__ import annotations

import json

from skillpress.spec.model import Spec


def json_schema() -> dict[str, object]:
    schema = Spec.model_json_schema(mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "skillpress spec (format version 1)",
        **schema,
    }


def render_json_schema() -> str:
    return json.dumps(json_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
