"""Request and response schemas from flat field lists, judged by a JSON Schema validator."""

from __future__ import annotations

import jsonschema
import pytest

from skillpress.render.openapi import object_schema
from skillpress.spec.model import FieldSpec


def _accepts(schema: dict, instance: object) -> bool:
    return jsonschema.Draft202012Validator(schema).is_valid(instance)


def test_a_field_ending_in_brackets_is_an_array_of_that_field() -> None:
    schema = object_schema([FieldSpec(name="tags[]", required=True), FieldSpec(name="page.ids[]", type="integer")])
    assert set(schema["properties"]) == {"tags", "page"}
    assert _accepts(schema, {"tags": ["a", "b"], "page": {"ids": [1, 2]}})
    assert not _accepts(schema, {"tags": "a"})
    assert not _accepts(schema, {"tags": ["a"], "page": {"ids": ["x"]}})
    assert not _accepts(schema, {})


@pytest.mark.parametrize("closed", [False, True])
def test_a_closed_object_refuses_unknown_fields(closed: bool) -> None:
    schema = object_schema([FieldSpec(name="a"), FieldSpec(name="b.c")], closed=closed)
    assert _accepts(schema, {"a": "x", "b": {"c": "y"}})
    assert _accepts(schema, {"a": "x", "other": 1}) is not closed
