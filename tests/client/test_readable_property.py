"""Properties of the client's printed forms, for any JSON-like reply.

Readable output may leave fields out but prints every value it shows whole; neither form
lets an unsafe code point (control, bidi, separator, lone surrogate) through raw, and the
JSON form still decodes to the exact values.
"""

from __future__ import annotations

import json
import re
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skillpress.client.envelope import dumps, readable, visible

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Written out here rather than imported, so the test states the rule on its own.
UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff]")
HOSTILE = ["\x1b", "\x1b[31m", "\x00", "\x07", "\n", "\r", "\t", "\x7f", "\x85", "\x9b", "\u202e", "\u2066", "\u2028"]
HOSTILE += ["\ud800", "\udfff", "\\", "\\x1b", "...", ": ", ".", "#", "https://x.example/a?b=c#frag"]

characters = st.one_of(st.characters(), st.sampled_from(HOSTILE))


def _joined(chars: list[str]) -> str:
    # A high surrogate followed by a low one cannot come out of json.loads as two code
    # points (it decodes to one), so a reply never holds such a pair: split them.
    return re.sub("(?<=[\ud800-\udbff])(?=[\udc00-\udfff])", "x", "".join(chars))


any_text = st.lists(characters, max_size=24).map(_joined)
# past every old cut-off (100 and 200 characters), with unsafe text at both ends
long_text = st.builds(lambda a, n, b: _joined([a, "%2Bfid" * n, b]), any_text, st.integers(20, 120), any_text)
# keys that keep ``path: value`` lines unambiguous, for the exact-mapping property
plain_keys = st.text(st.characters(blacklist_characters=".:\\", blacklist_categories=("Cs", "Cc")), max_size=12)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    any_text,
    long_text,
)


def structures(keys: st.SearchStrategy[str]) -> st.SearchStrategy[Any]:
    return st.recursive(
        scalars,
        lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(keys, children, max_size=8)),
        max_leaves=30,
    )


def envelope(data: Any, warnings: list[str] | None = None) -> dict[str, Any]:
    return {"ok": True, "command": "tool run", "trace_id": "t", "data": data, "warnings": warnings or [], "error": None}


def _unescape(shown: str) -> str:
    return re.sub(r"\\x([0-9a-f]{2})|\\u([0-9a-f]{4})", lambda m: chr(int(m.group(1) or m.group(2), 16)), shown)


def _expected(value: Any) -> str | None:
    """How a field's value is printed; ``None`` for a container (shown by its size)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return visible(value)
    if isinstance(value, (int, float)):
        return str(value)
    return None


def _field_lines(text: str) -> tuple[list[str], int]:
    lines = [line for line in text.splitlines()[1:] if not line.startswith("warning: ")]
    omitted = 0
    if lines and (m := re.fullmatch(r"  \.\.\. (\d+) more fields \(use --json\)", lines[-1])):
        omitted = int(m.group(1))
        lines = lines[:-1]
    return lines, omitted


@SETTINGS
@given(st.dictionaries(plain_keys, structures(plain_keys), max_size=16))
def test_every_value_readable_output_shows_is_the_whole_value(data: dict[str, Any]) -> None:
    text = readable(envelope(data))
    assert not UNSAFE.search(text.replace("\n", ""))
    lines, omitted = _field_lines(text)
    for line in lines:
        assert line.startswith("  ")
        path, sep, shown = line[2:].partition(": ")
        assert sep, line
        node: Any = data
        for part in path.split(".", 1):
            node = node[part]
        expected = _expected(node)
        if expected is None:
            assert re.fullmatch(r"\d+ item\(s\)|\d+ field\(s\)", shown), line
            assert int(shown.split()[0]) == len(node)
        else:
            assert shown == expected  # whole: not shortened, nothing added
    # every field is either shown or counted as left out
    total = sum(len(v) if isinstance(v, dict) and v else 1 for v in data.values())
    assert len(lines) + omitted == total
    assert omitted == 0 or lines  # never leave everything out


@SETTINGS
@given(st.dictionaries(any_text, structures(any_text), max_size=12), st.lists(any_text, max_size=3))
def test_any_key_or_value_is_shown_whole_and_escaped_or_announced_as_left_out(
    data: dict[str, Any], warnings: list[str]
) -> None:
    text = readable(envelope(data, warnings))
    assert not UNSAFE.search(text.replace("\n", ""))
    _, omitted = _field_lines(text)
    for warning in warnings:
        assert f"warning: {visible(warning)}\n" in text
    if omitted:
        return
    for key, value in data.items():
        assert visible(key) in text
        children = value.items() if isinstance(value, dict) else [("", value)]
        for inner, item in children:
            assert visible(inner) in text
            if isinstance(item, str):
                assert f": {visible(item)}\n" in text


@SETTINGS
@given(any_text, any_text, st.dictionaries(any_text, structures(any_text), max_size=5))
def test_error_messages_and_recovery_are_whole_and_escaped(code: str, message: str, recovery: dict[str, Any]) -> None:
    error = {"code": code, "message": message, "retryable": False, "recovery": recovery}
    text = readable({"ok": False, "command": "tool run", "data": None, "warnings": [], "error": error})
    assert not UNSAFE.search(text.replace("\n", ""))
    assert text.startswith(f"error {visible(code)}: {visible(message)}\n")
    for key, value in recovery.items():
        if isinstance(value, str):
            assert f"  {visible(key)}: {visible(value)}\n" in text


@SETTINGS
@given(any_text)
def test_visible_changes_only_unsafe_code_points(text: str) -> None:
    shown = visible(text)
    assert not UNSAFE.search(shown)
    if not UNSAFE.search(text):
        assert shown == text
    if "\\" not in text:
        assert _unescape(shown) == text  # the escapes name exactly the characters replaced


@SETTINGS
@given(structures(any_text), st.lists(any_text, max_size=3))
def test_json_output_has_nothing_unsafe_raw_and_decodes_to_the_same_values(data: Any, warnings: list[str]) -> None:
    original = envelope(data, warnings)
    text = dumps(original)
    assert not UNSAFE.search(text.replace("\n", ""))
    assert json.loads(text) == original
    text.encode("utf-8")  # a lone surrogate would make this raise


def test_float_printing_keeps_every_digit() -> None:
    value = 0.1 + 0.2
    assert f"  x: {value!r}\n" in readable(envelope({"x": value}))  # 0.30000000000000004
