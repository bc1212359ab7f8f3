"""What the client exposes matches the spec exactly: commands, help, version, usage errors."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from skillpress.client_table import compile_table, render_table_json
from skillpress.spec.model import Spec
from tests.client.conftest import Client


@pytest.fixture
def offline(client_for: Any) -> Client:
    return client_for("http://127.0.0.1:9")  # nothing listens there; these tests never connect


def _visible(spec: Spec) -> dict[str, list[str]]:
    return {c.path: list(c.aliases) for c in spec.commands if not c.hidden}


def test_help_text_lists_exactly_the_visible_commands(offline: Client, spec: Spec) -> None:
    for argv in (["--help"], ["help"], []):
        result = offline(*argv)
        assert result.code == 0, result.stdout
        section = result.stdout.split("Commands:\n", 1)[1].split("\n\n", 1)[0]
        listed = {}
        for line in section.splitlines():
            head = re.split(r"\s{2,}", line.strip(), maxsplit=1)[0]
            path, _, also = head.partition(" (also: ")
            listed[path] = [a.strip() for a in also.rstrip(")").split(",")] if also else []
        assert listed == _visible(spec)


def test_help_json_lists_exactly_the_visible_commands(offline: Client, spec: Spec) -> None:
    result = offline("help", "--json")
    assert result.code == 0
    data = result.json["data"]
    assert {c["path"]: c["aliases"] for c in data["commands"]} == _visible(spec)
    summaries = {c.path: c.summary for c in spec.commands}
    assert all(c["summary"] == summaries[c["path"]] for c in data["commands"])


def test_hidden_commands_stay_out_of_help(client_for: Any, spec: Spec, tmp_path: Path) -> None:
    table = compile_table(spec)
    table["commands"][-1]["hidden"] = True
    hidden_path = table["commands"][-1]["path"]
    path = tmp_path / "hidden-table.json"
    path.write_text(json.dumps(table))
    result = Client(path, tmp_path, "http://127.0.0.1:9")("help", "--json")
    assert hidden_path not in {c["path"] for c in result.json["data"]["commands"]}


def test_version(offline: Client, spec: Spec) -> None:
    for argv in (["--version"], ["version"]):
        result = offline(*argv)
        assert (result.code, result.stdout) == (0, f"{spec.product.cli_name} {spec.product.version}\n")
    data = offline("version", "--json").json["data"]
    assert data["version"] == spec.product.version
    assert data["package"] == spec.client.package


def test_help_skill_prints_the_bundled_skill_byte_for_byte(offline: Client, table_file: Path) -> None:
    bundled = (table_file.parent / "SKILL.md").read_bytes()
    assert bundled.startswith(b"---\nname: ")
    for argv in (["help", "--skill"], ["help", "--skill", "--json"]):
        result = offline(*argv)
        assert result.code == 0
        assert result.raw == bundled


def test_table_is_deterministic(spec: Spec) -> None:
    assert render_table_json(spec) == render_table_json(spec)
    table = compile_table(spec)
    assert list(table) == [
        "format",
        "product",
        "urls",
        "env",
        "client",
        "global_flags",
        "commands",
        "error_codes",
        "exit_codes",
        "events",
    ]
    assert [c["path"] for c in table["commands"]] == [c.path for c in spec.commands]


def test_unknown_command_exits_2(offline: Client) -> None:
    result = offline("frobnicate", "--json")
    assert result.code == 2
    assert result.json["error"]["code"] == "PUBLIC_CLI_COMMAND_NOT_AVAILABLE"
    assert result.json["ok"] is False


@pytest.mark.parametrize(
    "argv, fragment",
    [
        (["models", "show", "x", "--bogus", "--json"], "unknown flag --bogus"),
        (["create", "--max-usd", "1", "--prompt", "p", "--json"], "unknown flag --max-usd"),
        (["edit", "--input-asset-id", "image_1", "--prompt", "p", "--json"], "unknown flag --input-asset-id"),
        (["jobs", "wait", "job_1", "--timeout-ms", "soon", "--json"], "expects an integer"),
        (["credits", "quote", "--json"], "needs exactly one of --pack, --credits"),
        (["credits", "quote", "--pack", "p", "--credits", "3", "--json"], "give only one of"),
        (
            ["credits", "buy", "--provider", "paypal", "--quote-id", "q", "--idempotency-key", "k", "--json"],
            "must be one of stripe",
        ),
        (["credits", "buy", "--provider", "stripe", "--quote-id", "q", "--json"], "requires --idempotency-key"),
        (["jobs", "show", "--json"], "needs JOB_ID"),
        (["create", "--prompt", "p", "--model-parameters-json", "[1]", "--json"], "expects a JSON object"),
    ],
)
def test_bad_invocations_exit_2_with_the_command_docs(
    offline: Client, argv: list[str], fragment: str, spec: Spec
) -> None:
    result = offline(*argv)
    assert result.code == 2, result.stdout
    error = result.json["error"]
    assert error["code"] == "INVALID_ARGUMENTS"
    assert fragment in error["message"]
    command, _ = spec.resolve_command(argv)
    assert command is not None
    assert error["recovery"]["docs_url"] == f"{spec.product.urls.cli}#{command.id}"


def test_a_boolean_flag_never_swallows_a_positional(mock: Any, client_for: Any) -> None:
    client = client_for(mock.url)
    result = client("models", "show", "--json", "xai.grok-imagine-image")
    assert result.code == 0, result.stdout
    assert result.json["data"]["model_id"] == "xai.grok-imagine-image"


def test_command_help_lists_its_flags(offline: Client, spec: Spec) -> None:
    result = offline("credits", "quote", "--help")
    assert result.code == 0
    for flag in spec.commands_by_path["credits quote"].flags:
        assert flag.name in result.stdout


def test_readable_output_without_json(mock: Any, client_for: Any) -> None:
    result = client_for(mock.url)("models", "list")
    assert result.code == 0
    assert result.stdout.startswith("ok: image-skill models list\n")
    assert len(result.stdout.splitlines()) < 15
    with pytest.raises(json.JSONDecodeError):
        json.loads(result.stdout)
