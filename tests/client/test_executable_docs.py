"""Executable docs: every documented example runs through the client against a fresh mock.

For each example of the spec (the image-skill spec and the minimal test spec), a fresh
mock is started, an agent signs up, the example's argv runs through the real client, and
the documented exit code must come back. When the command returns its endpoint's reply,
the envelope's ``data`` must hold every required response field of that endpoint.

The second half checks the other direction: everything the client can emit or call is
in the spec, and every spec command is implemented.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import skillpress.client
from skillpress.client import behaviors
from skillpress.client_table import compile_table
from skillpress.mock.server import MockServer
from skillpress.spec.model import Command, Example, Spec
from tests.client.conftest import IMAGE_SPEC, MINIMAL_SPEC, load, run_example

CLIENT_DIR = Path(skillpress.client.__file__).resolve().parent
# Behaviours whose envelope is built by the client, not the endpoint's reply.
LOCAL_DATA = {"help", "version", "doctor", "auth-save", "auth-logout"}


def _examples(path: Path) -> Iterator[Any]:
    spec = load(path)
    for command in spec.commands:
        for index in range(len(command.examples)):
            yield pytest.param(path, command.path, index, id=f"{path.parent.name}:{command.id}[{index}]")


ALL_EXAMPLES = [*_examples(IMAGE_SPEC), *_examples(MINIMAL_SPEC)]


def _has(data: Any, dotted: str) -> bool:
    """Does ``data`` hold the field ``a.b`` / ``a[].b`` (checked in every list item)?"""
    head, _, rest = dotted.partition(".")
    is_list = head.endswith("[]")
    key = head[:-2] if is_list else head
    if not isinstance(data, dict) or key not in data:
        return False
    value = data[key]
    if not rest:
        return True
    if is_list:
        return isinstance(value, list) and all(_has(item, rest) for item in value)
    return value is None or _has(value, rest)


@pytest.fixture(scope="module")
def specs() -> dict[Path, Spec]:
    return {IMAGE_SPEC: load(IMAGE_SPEC), MINIMAL_SPEC: load(MINIMAL_SPEC)}


@pytest.mark.parametrize("spec_path, command_path, index", ALL_EXAMPLES)
def test_documented_example_runs(
    spec_path: Path, command_path: str, index: int, specs: dict[Path, Spec], tmp_path: Path
) -> None:
    spec = specs[spec_path]
    command: Command = spec.commands_by_path[command_path]
    example: Example = command.examples[index]
    with MockServer(spec, starting_credits=10_000) as mock:
        result = run_example(spec, example, mock.url, tmp_path)
    assert result.code == example.exit_code, f"{' '.join(example.argv)}\n{result.stdout}\n{result.stderr}"
    if command.behavior is not None and command.behavior.value == "help" and "--skill" in example.argv:
        assert result.raw == (tmp_path / "SKILL.md").read_bytes()
        return
    envelope = result.json
    assert envelope["ok"] is (example.exit_code == 0)
    assert isinstance(envelope["warnings"], list)
    endpoint = spec.endpoints_by_id.get(command.endpoint or "")
    behavior = command.behavior.value if command.behavior is not None else None
    if example.exit_code == 0 and endpoint is not None and behavior not in LOCAL_DATA:
        missing = [f.name for f in endpoint.response.fields if f.required and not _has(envelope["data"], f.name)]
        assert missing == [], f"data lacks required fields of {endpoint.id}: {missing}"


# --------------------------------------------------------------------------- nothing undocumented


def _string_literals(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)}


def test_every_error_code_the_client_emits_is_in_the_spec(spec: Spec) -> None:
    emitted: set[str] = set()
    for path in CLIENT_DIR.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            # CliError("CODE", ...), ctx.fail("CODE", ...), self.fail("CODE", ...)
            if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
                name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                if name in ("CliError", "fail") and isinstance(node.args[0].value, str):
                    emitted.add(node.args[0].value)
    assert {"INVALID_ARGUMENTS", "AUTH_REQUIRED", "TIMEOUT", "ASSET_INTEGRITY_MISMATCH"} <= emitted
    undocumented = sorted(emitted - set(spec.error_codes_by_code))
    assert undocumented == [], f"the client emits error codes the spec does not define: {undocumented}"
    literals = set().union(*(_string_literals(p) for p in CLIENT_DIR.glob("*.py")))
    shaped = {s for s in literals if re.fullmatch(r"[A-Z][A-Z0-9]+(?:_[A-Z0-9]+)+", s)}
    env_names = {v.name for v in spec.environment} | {"XDG_CONFIG_HOME"}
    shaped = {s for s in shaped if s not in env_names and not s.startswith("SKILLPRESS_CLIENT_")}
    assert sorted(shaped - set(spec.error_codes_by_code)) == []


def test_the_table_calls_exactly_the_spec_endpoints(spec: Spec) -> None:
    table = compile_table(spec)
    used = {}
    for command in table["commands"]:
        endpoint = command["endpoint"]
        if endpoint is not None:
            used[endpoint["id"]] = (endpoint["method"], endpoint["path"])
    expected = {e.id: (e.method, e.path) for e in spec.endpoints if not e.api_only}
    assert used == expected
    for command in table["commands"]:
        for flag in command["flags"]:
            if flag["field"] and not flag["local"]:
                assert flag["target"] in ("path", "query", "body"), (command["path"], flag["name"])


def test_every_spec_command_is_implemented(spec: Spec) -> None:
    for command in spec.commands:
        behavior = command.behavior.value if command.behavior is not None else None
        assert behavior in behaviors.HANDLERS or command.endpoint, command.path
        if behavior:
            assert behavior in behaviors.HANDLERS, f"no handler for behaviour {behavior!r}"


def test_every_local_flag_is_read_by_the_client(spec: Spec) -> None:
    """A documented flag that nothing reads cannot exist: local flags need a handler that reads them."""
    client_source = "\n".join(p.read_text(encoding="utf-8") for p in CLIENT_DIR.glob("*.py"))
    for scope, flags in [
        ("*", spec.global_flags),
        *((c.behavior.value if c.behavior else c.path, c.flags) for c in spec.commands),
    ]:
        for flag in flags:
            if flag.field and not flag.local:
                continue  # sent to the API
            if flag.field and flag.name.endswith("-file"):
                continue  # read by the client's ``--X-file`` rule, then sent
            known = set(behaviors.LOCAL_FLAGS.get("*", ())) | set(behaviors.LOCAL_FLAGS.get(scope, ()))
            assert flag.name in known, f"local flag {flag.name} of {scope!r} is read by no handler"
            assert f'"{flag.name}"' in client_source
