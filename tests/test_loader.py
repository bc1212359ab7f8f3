"""The safe YAML loader: locations, refusals and file-level problems."""

from __future__ import annotations

from pathlib import Path

import pytest

from skillpress.spec import load_spec, load_spec_text, loader
from skillpress.spec.loader import MAX_DEPTH, MAX_SPEC_BYTES, Mark, format_path, load_file, load_text


def codes(diagnostics) -> list[str]:  # type: ignore[no-untyped-def]
    return [d.code for d in diagnostics]


# --------------------------------------------------------------------------- locations

NESTED = """\
top:
  inner:
    leaf: value
    items:
      - first
      - {k: v}
  flow: [a, b]
"""


def test_value_and_key_locations_are_one_based() -> None:
    doc, problems = load_text(NESTED, "f.yaml")
    assert problems == [] and doc is not None
    assert doc.key_marks[("top",)] == Mark(1, 1)
    assert doc.key_marks[("top", "inner")] == Mark(2, 3)
    assert doc.key_marks[("top", "inner", "leaf")] == Mark(3, 5)
    assert doc.value_marks[("top", "inner", "leaf")] == Mark(3, 11)
    assert doc.value_marks[("top", "inner", "items", 0)] == Mark(5, 9)
    assert doc.value_marks[("top", "inner", "items", 1)] == Mark(6, 9)
    assert doc.key_marks[("top", "inner", "items", 1, "k")] == Mark(6, 10)
    assert doc.value_marks[("top", "inner", "items", 1, "k")] == Mark(6, 13)
    assert doc.value_marks[("top", "flow", 1)] == Mark(7, 13)


def test_mark_for_falls_back_to_the_nearest_parent() -> None:
    doc, _ = load_text(NESTED, "f.yaml")
    assert doc is not None
    # a missing child: the parent value's position
    assert doc.mark_for(("top", "inner", "missing")) == Mark(3, 5)
    assert doc.key_mark_for(("top", "inner", "leaf")) == Mark(3, 5)
    assert doc.mark_for(()) == Mark(1, 1)


def test_format_path() -> None:
    assert format_path(("commands", 3, "flags", 0, "name")) == "commands[3].flags[0].name"
    assert format_path(()) == ""
    assert format_path(("a\x1bb",)) == "'a\\x1bb'"


def test_schema_error_points_at_the_value(minimal_spec_text: str) -> None:
    text = minimal_spec_text.replace("        required: true\n", "        required: maybe\n", 1)
    result = load_spec_text(text, "s.yaml")
    [diag] = result.diagnostics
    line = text.splitlines()[diag.line - 1]
    assert diag.code == "schema-type"
    assert line[diag.col - 1 :] == "maybe"


def test_unknown_key_points_at_the_key_and_suggests(minimal_spec_text: str) -> None:
    text = minimal_spec_text.replace("    endpoint: echo\n", "    endpoit: echo\n", 1)
    result = load_spec_text(text, "s.yaml")
    [diag] = result.diagnostics  # the "missing" twin of a misspelt key is not reported
    assert diag.code == "schema-unknown-key"
    assert text.splitlines()[diag.line - 1][diag.col - 1 :].startswith("endpoit:")
    assert diag.hint == "did you mean 'endpoint'?"


# --------------------------------------------------------------------------- duplicates


def test_duplicate_key_keeps_the_first_value_and_reports_schema_errors_too(minimal_spec_text: str) -> None:
    text = minimal_spec_text.replace(
        "  cli_name: echo-skill\n", "  cli_name: echo-skill\n  cli_name: other-name\n", 1
    ).replace("    method: POST\n", "    method: SEND\n", 1)
    result = load_spec_text(text, "s.yaml")
    assert sorted(codes(result.diagnostics)) == ["schema-choice", "yaml-duplicate-key"]
    dup = next(d for d in result.diagnostics if d.code == "yaml-duplicate-key")
    assert (dup.line, dup.col) == (text.splitlines().index("  cli_name: other-name") + 1, 3)
    assert "first defined at line" in dup.message
    doc = result.document
    assert doc is not None and doc.data["product"]["cli_name"] == "echo-skill"


def test_duplicate_key_alone_still_fails(minimal_spec_text: str) -> None:
    text = minimal_spec_text.replace("  cli_name: echo-skill\n", "  cli_name: echo-skill\n  cli_name: echo-skill\n")
    result = load_spec_text(text, "s.yaml")
    assert codes(result.diagnostics) == ["yaml-duplicate-key"]
    assert not result.ok


# --------------------------------------------------------------------------- refusals

BILLION_LAUGHS = (
    "\n".join(
        ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
        + [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    )
    + "\n"
)


def test_alias_bomb_is_refused() -> None:
    result = load_spec_text(BILLION_LAUGHS, "bomb.yaml")
    assert codes(result.diagnostics) == ["yaml-alias"]
    assert (result.diagnostics[0].line, result.diagnostics[0].col) == (1, 5)


def test_plain_alias_is_refused() -> None:
    result = load_spec_text("a: &x 1\nb: *x\n", "a.yaml")
    assert codes(result.diagnostics) == ["yaml-alias"]


def test_unsafe_tags_are_refused_and_never_run(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    text = (
        f"a: !!python/object/apply:os.system ['touch {marker}']\n"
        "b: !!python/name:os.system ''\n"
        "c: !!python/object:collections.OrderedDict {}\n"
        "d: !custom value\n"
    )
    result = load_spec_text(text, "tags.yaml")
    refused = [d for d in result.diagnostics if d.code == "yaml-unsafe-tag"]
    assert [d.path for d in refused] == ["a", "b", "c", "d"]
    assert "!!python/object/apply:os.system" in refused[0].message
    assert not marker.exists()
    # the refused values are not reported a second time by the schema
    assert not [d for d in result.diagnostics if d.path in {"a", "b", "c", "d"} and d.code != "yaml-unsafe-tag"]


def test_unsafe_tag_at_top_level_is_reported_not_called_empty() -> None:
    result = load_spec_text("!custom value\n", "t.yaml")
    assert codes(result.diagnostics) == ["yaml-unsafe-tag"]


def test_merge_key_is_refused() -> None:
    result = load_spec_text("a: {x: 1}\nb:\n  <<: {y: 2}\n", "m.yaml")
    assert "yaml-merge-key" in codes(result.diagnostics)


def test_multiple_documents_point_at_the_separator() -> None:
    result = load_spec_text("a: 1\n---\nb: 2\n", "m.yaml")
    [diag] = result.diagnostics
    assert diag.code == "yaml-multiple-documents"
    assert (diag.line, diag.col) == (2, 1)


def test_too_deep_nesting_is_refused_before_recursion() -> None:
    result = load_spec_text("a: " + "[" * 5000 + "]" * 5000 + "\n", "deep.yaml")
    assert codes(result.diagnostics) == ["yaml-too-deep"]
    ok = load_spec_text("a: " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1) + "\n", "ok.yaml")
    assert "yaml-too-deep" not in codes(ok.diagnostics)


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("a: 2026-02-30\n", (1, 4)),
        ("a: 2026-13-01\n", (1, 4)),
        ("a: " + "1" * 5000 + "\n", (1, 4)),
        ("a:\n  b: !!int x\n", (2, 6)),
        ("a: !!bool maybe\n", (1, 4)),
        ("a: !!timestamp nope\n", (1, 4)),
        ("a: !!float x\n", (1, 4)),
    ],
)
def test_scalars_that_do_not_fit_their_tag_are_diagnostics(text: str, where: tuple[int, int]) -> None:
    result = load_spec_text(text, "v.yaml")
    bad = [d for d in result.diagnostics if d.code == "yaml-bad-value"]
    assert len(bad) == 1
    assert (bad[0].line, bad[0].col) == where


@pytest.mark.parametrize(
    "text",
    [
        "a: !!binary aGVsbG8=\n",  # bytes would pass as text, then break every JSON file
        "a: [!!binary aGVsbG8=]\n",
        "a: !!set x\n",
        "a: !!omap x\n",
        "a: !!python/bytes aGk=\n",
    ],
)
def test_tags_that_make_no_plain_value_are_refused(text: str) -> None:
    _, problems = load_text(text, "t.yaml")
    assert codes(problems) == ["yaml-unsafe-tag"]
    assert (problems[0].line, problems[0].col) == (1, 4 if "[" not in text else 5)


@pytest.mark.parametrize(
    "text", ["a: !!str x\n", "a: !!int 3\n", "a: !!float 1.5\n", "a: !!bool true\n", "a: !!null ''\n"]
)
def test_plain_value_tags_are_accepted(text: str) -> None:
    doc, problems = load_text(text, "t.yaml")
    assert problems == [] and doc is not None


@pytest.mark.parametrize("text", ["a: .nan\n", "a: .inf\n", "a: -.Inf\n", "a: 1.0e+999\n", "a: !!float .NaN\n"])
def test_numbers_that_json_cannot_hold_are_refused(text: str) -> None:
    [diag] = load_text(text, "n.yaml")[1]
    assert diag.code == "yaml-bad-value"
    assert (diag.line, diag.col) == (1, 4)
    assert "not a finite number" in diag.message


@pytest.mark.parametrize(("text", "path"), [('a: "x\\ud800y"\n', "a"), ('"k\\udfff": 1\n', "'k\\udfff'")])
def test_lone_surrogates_are_refused_in_values_and_keys(text: str, path: str) -> None:
    [diag] = load_text(text, "s.yaml")[1]
    assert diag.code == "yaml-bad-value"
    assert diag.path == path
    assert (diag.line, diag.col) == (1, 4) if path == "a" else (1, 1)
    assert "lone surrogate" in diag.message
    diag.format_text().encode("utf-8")  # the message itself is printable


def test_an_unquoted_date_in_an_example_is_refused(minimal_spec_text: str) -> None:
    """Examples take any value, but JSON has no dates: rendering them used to crash."""
    text = minimal_spec_text.replace("        text: hello\n", "        text: hello\n        sent_on: 2026-01-01\n")
    result = load_spec_text(text, "d.yaml")
    [diag] = result.diagnostics
    assert (diag.code, diag.path) == ("schema-type", "endpoints[0].response.example.sent_on")
    assert "got the date 2026-01-01" in diag.message
    line = text.splitlines()[diag.line - 1]
    assert line[diag.col - 1 :] == "2026-01-01"
    quoted = load_spec_text(text.replace("sent_on: 2026-01-01", "sent_on: '2026-01-01'"), "d.yaml")
    assert quoted.ok and quoted.diagnostics == []


def test_impossible_changelog_date(minimal_spec_text: str) -> None:
    result = load_spec_text(minimal_spec_text.replace("date: 2026-01-01", "date: 2026-02-30"), "d.yaml")
    assert codes(result.diagnostics) == ["yaml-bad-value"]
    assert result.diagnostics[0].path == "changelog[0].date"


@pytest.mark.parametrize(
    ("text", "where"), [("a: 1\nb: x\x01y\n", (2, 5)), ("\x00", (1, 1)), ("a: [1,\n  \x07]\n", (2, 3))]
)
def test_forbidden_characters_are_located(text: str, where: tuple[int, int]) -> None:
    [diag] = load_spec_text(text, "c.yaml").diagnostics
    assert diag.code == "yaml-syntax"
    assert (diag.line, diag.col) == where
    assert "is not allowed in YAML" in diag.message
    assert diag.hint and "indentation" not in diag.hint


def test_tab_indentation_hint(minimal_spec_text: str) -> None:
    [diag] = load_spec_text(minimal_spec_text.replace("    auth: none\n", "\tauth: none\n"), "t.yaml").diagnostics
    assert diag.code == "yaml-syntax" and diag.col == 1
    assert diag.hint == "use spaces, not tabs; YAML does not allow tabs for indentation"


def test_unclosed_bracket_points_at_the_opening(minimal_spec_text: str) -> None:
    text = minimal_spec_text.replace("exit_codes: [0, 2, 7]", "exit_codes: [0, 2, 7")
    [diag] = load_spec_text(text, "b.yaml").diagnostics
    assert text.splitlines()[diag.line - 1][diag.col - 1 :] == "[0, 2, 7"
    assert "parsing gave up" not in diag.message and " at line " in diag.message


# --------------------------------------------------------------------------- files


def test_bom_is_accepted(write_spec, minimal_spec_text: str) -> None:  # type: ignore[no-untyped-def]
    path = write_spec(b"\xef\xbb\xbf" + minimal_spec_text.encode("utf-8"))
    result = load_spec(path)
    assert result.ok, [d.format_text() for d in result.diagnostics]


def test_bom_keeps_columns_right(write_spec, minimal_spec_text: str) -> None:  # type: ignore[no-untyped-def]
    text = minimal_spec_text.replace("spec_version: 1", "spec_version: 2")
    plain = load_spec(write_spec(text, "plain.yaml")).diagnostics
    bom = load_spec(write_spec(b"\xef\xbb\xbf" + text.encode(), "bom.yaml")).diagnostics
    assert [(d.line, d.col, d.code) for d in bom] == [(d.line, d.col, d.code) for d in plain]


def test_too_large_file(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    with path.open("wb") as handle:
        handle.truncate(MAX_SPEC_BYTES + 1)  # sparse: nothing is written or read
    doc, problems = load_file(path)
    assert doc is None
    assert codes(problems) == ["file-too-large"]
    assert (problems[0].line, problems[0].col) == (1, 1)


def test_file_of_exactly_the_limit_is_read(tmp_path: Path) -> None:
    path = tmp_path / "edge.yaml"
    body = b"a: 1\n"
    path.write_bytes(body + b"#" * (MAX_SPEC_BYTES - len(body)))
    _, problems = load_file(path)
    assert "file-too-large" not in codes(problems)


@pytest.mark.parametrize(
    ("raw", "where"),
    [
        (b"a: caf\xe9\n", (1, 7)),
        (b"a: 1\nb: x\nc: \xff\xfe\n", (3, 4)),
        # the column counts characters, not bytes: two 2-byte letters come first
        ("a: \u00e9\u00e9".encode() + b"\x80\n", (1, 6)),
        (b"\xef\xbb\xbfa: \xc3\n", (1, 4)),
    ],
)
def test_non_utf8_is_located(write_spec, raw: bytes, where: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    doc, problems = load_file(write_spec(raw))
    assert doc is None
    assert codes(problems) == ["file-encoding"]
    assert (problems[0].line, problems[0].col) == where


@pytest.mark.parametrize("content", ["", "   \n\n\t\n", "# only a comment\n", "---\n", "~\n", "null\n"])
def test_empty_documents(write_spec, content: str) -> None:  # type: ignore[no-untyped-def]
    result = load_spec(write_spec(content))
    assert codes(result.diagnostics) == ["file-empty"]
    assert not result.ok


# --------------------------------------------------------------------------- never raises

AWKWARD = [
    "[unclosed",
    "{a: 1",
    "'unterminated",
    'a: "\\ud800"',
    '"\\ud800": 1',
    "a: b: c",
    "? [a, b]\n: c",
    "? {a: 1}\n: c",
    "--- !!set {a, b}",
    "--- !!omap [a: 1]",
    "a: !!binary aGVsbG8=",
    "a: !!binary '%%%'",
    "%YAML 1.1\n---\na: 1",
    "%TAG ! tag:example.com,2000:\n---\na: !x 1",
    "\x00",
    "\x1b[31m: red",
    "a:\n\tb: 1",
    "- 1\n- 2",
    "just a string",
    "42",
    "true",
    "a: 1\n...\n",
    "spec_version: 1\nproduct: []",
    "spec_version: 1\ncommands: {}",
    "spec_version: 1\ncommands: [1, 2]",
    "spec_version: 1\nskills: [{name: 1, description: 2}]",
    "1: a\n2: b",
    "null: 1",
    "a: .inf\nb: -.inf\nc: .nan",
    "a: 0x" + "f" * 50,
    "a: 190:20:30",
    "a: 2001-12-14 21:59:43.10 +99:00",
    "!!python/object/new:tuple [[1]]",
    "a: &anchor",
    "a: *missing",
    "- " * 2000 + "x",
]


@pytest.mark.parametrize("text", AWKWARD)
def test_awkward_yaml_never_raises(text: str) -> None:
    result = load_spec_text(text, "x.yaml")
    assert not result.ok
    assert result.diagnostics
    for diag in result.diagnostics:
        assert diag.line >= 1 and diag.col >= 1
        diag.format_text().encode("utf-8")  # printable on any UTF-8 stream
        diag.to_json()


# --------------------------------------------------------------------------- libyaml and pure Python agree

REPO_ROOT = Path(__file__).resolve().parent.parent
SAMPLES = sorted(REPO_ROOT.glob("tests/invalid/*.yaml")) + sorted(REPO_ROOT.glob("tests/cases/*/spec.yaml"))


def snapshot(text: str):  # type: ignore[no-untyped-def]
    doc, problems = load_text(text, "s.yaml")
    located = [(d.line, d.col, d.code, d.path, d.message) for d in problems]
    if doc is None:
        return None, located
    return (repr(doc.data), dict(doc.value_marks), dict(doc.key_marks), set(doc.refused_paths)), located


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_pure_python_parser_gives_the_same_result(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """libyaml (when installed) is only a speed-up: data, marks and diagnostics are identical."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        pytest.skip("not UTF-8; decoding is tested above")
    fast = snapshot(text)
    monkeypatch.setattr(loader, "_FAST_LOADER", None)
    assert snapshot(text) == fast


@pytest.mark.parametrize(
    "text",
    [BILLION_LAUGHS, "a: 1\n---\nb: 2\n", "a: [" + "[" * 200, NESTED, "a: {x: 1}\nb:\n  <<: {y: 2}\n? [k]\n: v\n"],
)
def test_pure_python_parser_agrees_on_refusals(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    fast = snapshot(text)
    monkeypatch.setattr(loader, "_FAST_LOADER", None)
    assert snapshot(text) == fast


# --------------------------------------------------------------------------- what is skipped is skipped whole

SKIPPED_VALUES = """\
a: 1
a:
  deep:
    - {k: [1, 2]}
    - [x, {y: z}]
? [complex, key]
: {nested: [value]}
later: 3
"""


def test_a_refused_key_skips_its_whole_nested_value_and_the_rest_loads() -> None:
    doc, problems = load_text(SKIPPED_VALUES, "f.yaml")
    assert [(d.code, d.line, d.col) for d in problems] == [("yaml-duplicate-key", 2, 1), ("yaml-complex-key", 6, 3)]
    assert doc is not None and doc.data == {"a": 1, "later": 3}
    assert doc.key_marks[("later",)] == Mark(8, 1)


@pytest.mark.parametrize("text", ["---\n", "null\n", "\n# just a comment\n~\n"])
def test_an_empty_document_is_reported_at_the_start_of_the_file(text: str) -> None:
    doc, problems = load_text(text, "f.yaml")
    assert doc is None
    assert [(d.file, d.line, d.col, d.code) for d in problems] == [("f.yaml", 1, 1, "file-empty")]
