"""How a document too big for one file is split: by command group, as deep as needed.

``partition`` is the one place that decides which commands share a part file and what
the file is called; its callers (cli.md, llms-full.txt, commands.json) only render.
"""

from __future__ import annotations

import json
from pathlib import Path

from skillpress.render.manifest import render_manifest, render_manifest_index
from skillpress.render.split import part_note, part_path, part_url, partition
from skillpress.spec import load_spec

COMMANDS = [
    "jobs list",
    "jobs get",
    "assets upload one",
    "assets upload many",
    "assets list",
    "login",
    "jobs cancel",
    "assets delete",
]


def _split(limit: int, commands: list[str] = COMMANDS) -> tuple[list[tuple[str, list[str]]], list[str]]:
    """Parts as (file name, commands), and the names of the parts still too big; a part fits with at most ``limit`` items."""
    parts, too_big = partition(commands, lambda c: c.split(), lambda prefix, items: len(items) <= limit)
    return [(p.name, p.items) for p in parts], [p.name for p in too_big]


def test_everything_that_fits_in_its_group_stays_in_the_group_in_order_of_first_appearance() -> None:
    assert _split(4) == (
        [
            ("jobs", ["jobs list", "jobs get", "jobs cancel"]),
            ("assets", ["assets upload one", "assets upload many", "assets list", "assets delete"]),
            ("login", ["login"]),
        ],
        [],
    )


def test_a_group_too_big_is_split_by_its_next_word_and_only_that_group() -> None:
    assert _split(3) == (
        [
            ("jobs", ["jobs list", "jobs get", "jobs cancel"]),
            ("assets-upload", ["assets upload one", "assets upload many"]),
            ("assets-list", ["assets list"]),
            ("assets-delete", ["assets delete"]),
            ("login", ["login"]),
        ],
        [],
    )


def test_splitting_goes_as_deep_as_the_words_go_and_reports_what_cannot_be_split() -> None:
    parts, too_big = _split(1)
    assert [name for name, _ in parts] == [
        "jobs-list",
        "jobs-get",
        "jobs-cancel",
        "assets-upload-one",
        "assets-upload-many",
        "assets-list",
        "assets-delete",
        "login",
    ]
    assert too_big == []
    same_words = ["a b", "a b", "c"]
    assert _split(1, same_words) == ([("a", ["a b", "a b"]), ("c", ["c"])], ["a"])


def test_a_level_where_every_item_shares_the_words_is_skipped() -> None:
    """`x y a` and `x y b` share two words: the split goes straight to the third."""
    assert _split(1, ["x y a", "x y b"]) == ([("x-y-a", ["x y a"]), ("x-y-b", ["x y b"])], [])


def test_part_names_are_unique_and_an_empty_prefix_is_other() -> None:
    assert _split(1, ["a-b x", "a b", "a c", "a-b"]) == (
        [("a-b-x", ["a-b x"]), ("a-b", ["a-b"]), ("a-b-2", ["a b"]), ("a-c", ["a c"])],
        [],
    )
    assert _split(1, ["a-b x", "a-b y", "a b", "a c", "a-b-2"])[0][:3] == [
        ("a-b-x", ["a-b x"]),
        ("a-b-y", ["a-b y"]),
        ("a-b", ["a b"]),
    ]
    parts, _ = partition(["", "x"], lambda c: c.split(), lambda p, i: True)
    assert [p.name for p in parts] == ["other", "x"]


def test_paths_notes_and_urls_of_parts() -> None:
    assert part_path("site/agent/cli.md", "jobs") == "site/agent/cli/jobs.md"
    assert part_path("commands.json", "jobs-list") == "commands/jobs-list.json"
    assert part_path("LICENSE", "x") == "LICENSE/x"
    assert part_url("https://x.test/docs/cli.md", "cli.md", "jobs") == "https://x.test/docs/cli/jobs.md"
    one, _ = partition(["jobs list"], lambda c: c.split(), lambda p, i: False)
    assert part_note(one[0]) == "the section of command 'jobs' alone is that long, even in a file of its own"
    two, _ = partition(["a b", "a b"], lambda c: c.split(), lambda p, i: False)
    assert part_note(two[0]) == "the commands 'a' cannot be split further"


def test_a_split_manifest_keeps_every_key_but_commands() -> None:
    spec = load_spec(Path(__file__).resolve().parent / "cases" / "minimal" / "spec.yaml").spec
    assert spec is not None
    whole = json.loads(render_manifest(spec))
    index = json.loads(render_manifest_index(spec, [("echo", "commands/echo.json", 1)]))
    assert index["command_parts"] == [{"prefix": "echo", "file": "commands/echo.json", "commands": 1}]
    assert "commands" not in index
    assert {k: v for k, v in index.items() if k != "command_parts"} == {
        k: v for k, v in whole.items() if k != "commands"
    }


def _minimal(replace: tuple[str, str] | None = None):  # type: ignore[no-untyped-def]
    from skillpress.spec import load_spec_text

    path = Path(__file__).resolve().parent / "cases" / "minimal" / "spec.yaml"
    text = path.read_text(encoding="utf-8")
    if replace:
        text = text.replace(*replace)
    spec = load_spec_text(text, "spec.yaml", path.parent).spec
    assert spec is not None
    return spec


def test_a_manifest_part_says_where_its_index_is_and_has_the_index_format() -> None:
    from skillpress.render.manifest import render_manifest_part

    spec = _minimal()
    whole = json.loads(render_manifest(spec))
    part = json.loads(render_manifest_part(spec, "echo", list(spec.commands), {}))
    assert part["manifest_version"] == whole["manifest_version"] == 1
    assert (part["index"], part["prefix"]) == ("../commands.json", "echo")
    assert [c["path"] for c in part["commands"]] == [c["path"] for c in whole["commands"]]


def test_each_command_links_to_its_section_given_or_by_id() -> None:
    spec = _minimal()
    command = spec.commands[0]
    by_id = json.loads(render_manifest(spec))["commands"][0]["docs_anchor"]
    assert by_id == f"{spec.product.urls.cli}#{command.id}"
    given = json.loads(render_manifest(spec, {id(command): "https://x.test/cli/echo.md#echo"}))
    assert given["commands"][0]["docs_anchor"] == "https://x.test/cli/echo.md#echo"


def test_the_manifest_keeps_non_ascii_text_readable() -> None:
    spec = _minimal(("summary: Send text and print the reply.", "summary: Écho du texte — back"))
    text = render_manifest(spec)
    assert "Écho du texte — back" in text
