"""Properties of the grammar and the request mapping over random invocations.

For every command of every test spec (tests/cases/*/spec.yaml and the contract
fixtures), random command lines made of the command's own flag spellings, awkward values
and positionals must: parse or give a usage error; build the same request twice (the
mapping is deterministic for fixed effects); never raise anything but a usage error;
and give a request that can be sent (strict JSON body, a clean path and headers).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skillpress.contract import requests
from skillpress.contract.invocation import UsageProblem, flags_of, parse_argv
from tests.contract.helpers import ALL_SPECS, contract_of, effects

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FILE_BYTES = b'{"k": ["v", 1]}\n'

AWKWARD = st.sampled_from(
    [
        "",
        "-",
        "--",
        "-5",
        "-0.5",
        "1e309",
        "true",
        "false",
        "0",
        "42",
        "3.25",
        "..",
        "a/b",
        "a b",
        "é",
        "\u202e",
        "x\r\ny",
        "\x00",
        "https://example.com/a?b=c#d",
        "https://media.keyed.example.com/f/file_abc123.png",
        "example.com",
        "0190c8a2-7b1e-7cc0-9e1f-2b3c4d5e6f70",
        "web,NEWS",
        "markdown,html",
        '{"a": 1}',
        "[1, 2]",
        "-",
        "./file.txt",
        "1e306",
        "-1.7e308",
    ]
)
# awkward values first: they are what breaks a mapping
VALUES = st.one_of(AWKWARD, AWKWARD, AWKWARD, st.text(max_size=12), st.integers(-(10**20), 10**20).map(str))


def spellings(contract: dict[str, Any], command: dict[str, Any]) -> list[str]:
    names: list[str] = []
    for flag in flags_of(contract, command):
        names += [flag["name"], *flag["aliases"], *flag["compatibility_aliases"]]
        if flag["short"]:
            names.append(flag["short"])
        if flag["negatable"]:
            names.append("--no-" + flag["name"][2:])
    return names or ["--nothing"]


@st.composite
def command_lines(draw: st.DrawFn, contract: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    command = draw(st.sampled_from(contract["commands"]))
    words = draw(st.sampled_from([command["path"], *command["aliases"]])).split(" ")
    names = spellings(contract, command)
    tokens: list[str] = []
    for _ in range(draw(st.integers(0, 8))):
        kind = draw(st.integers(0, 3))
        if kind == 0:
            tokens.append(draw(st.sampled_from(names)))
        elif kind == 1:
            tokens += [draw(st.sampled_from(names)), draw(VALUES)]
        elif kind == 2:
            tokens.append(draw(st.sampled_from(names)) + "=" + draw(VALUES))
        else:
            tokens.append(draw(VALUES))
    env_names = sorted({f["env"] for f in flags_of(contract, command) if f["env"]})
    env = {name: draw(VALUES) for name in env_names if draw(st.booleans())}
    return words + tokens, env


def _value_for(draw: st.DrawFn, item: dict[str, Any]) -> str:
    kind = item.get("type", "string")
    choices = item.get("choices") or []
    if kind == "csv":
        if choices:
            return ",".join(draw(st.lists(st.sampled_from(choices), min_size=1, max_size=3)))
        return ",".join(draw(st.lists(st.text(min_size=1, max_size=6).filter(lambda t: "," not in t), max_size=3)))
    if choices:
        return str(draw(st.sampled_from(choices)))
    if kind == "integer":
        return str(draw(st.integers(-(10**12), 10**12)))
    if kind == "number":
        huge = st.sampled_from(["1e306", "-1.7e308", "1e-320"])
        return draw(st.one_of(huge, st.floats(allow_nan=False, allow_infinity=False).map(repr)))
    if kind == "json":
        return draw(st.sampled_from(['{"a": 1}', "{}", '{"n": {"m": [1, null]}}']))
    if kind == "boolean":
        return draw(st.sampled_from(["true", "false"]))
    return draw(VALUES)


@st.composite
def valid_lines(draw: st.DrawFn, contract: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    """Command lines that mostly parse: required inputs present, values of the right type."""
    command = draw(st.sampled_from(contract["commands"]))
    argv = draw(st.sampled_from([command["path"], *command["aliases"]])).split(" ")
    grouped = {name for group in command["one_of"] + command["at_most_one_of"] for name in group}
    chosen = [draw(st.sampled_from(group)) for group in command["one_of"]]
    chosen += [draw(st.sampled_from(group)) for group in command["at_most_one_of"] if draw(st.booleans())]
    for flag in flags_of(contract, command):
        if flag["name"] in grouped:
            continue
        if flag["required"] or draw(st.booleans()):
            chosen.append(flag["name"])
    for name in dict.fromkeys(chosen):
        flag = next(f for f in flags_of(contract, command) if name in (f["name"], *f["aliases"]))
        spelling = draw(st.sampled_from([flag["name"], *([flag["short"]] if flag["short"] else [])]))
        for _ in range(draw(st.integers(1, 2)) if flag["repeatable"] else 1):
            if flag["type"] == "boolean":
                if flag["negatable"] and draw(st.booleans()):
                    argv.append("--no-" + flag["name"][2:])
                else:
                    argv.append(spelling)
            else:
                argv += [spelling, _value_for(draw, flag)]
    positionals: list[str] = []
    for argument in command["arguments"]:
        if argument["variadic"]:
            positionals += [_value_for(draw, argument) for _ in range(draw(st.integers(1, 3)))]
        elif argument["required"] or draw(st.booleans()):
            positionals.append(_value_for(draw, argument))
    if positionals:
        argv += ["--", *positionals]
    return argv, {}


def build_once(contract: dict[str, Any], argv: list[str], env: dict[str, str]) -> tuple[Any, Any]:
    invocation = parse_argv(contract, argv, env)
    fx = effects({}, stdin=FILE_BYTES)
    fx.read_file = lambda path, limit: FILE_BYTES[: limit + 1]
    built = requests.build(contract, invocation, effects=fx)
    if built is None:
        return None, None
    return built.request.to_dict(), list(built.warnings)


def check_sendable(request: dict[str, Any]) -> None:
    json.dumps(request["body"], allow_nan=False)
    path = request["path"]
    assert path.startswith("/")
    assert not any(ch.isspace() or ch in "?#" or ord(ch) < 32 for ch in path), path
    for segment in path.split("/"):
        assert segment not in (".", ".."), path
    for name, value in request["headers"]:
        assert isinstance(value, str) and not any(ch in value for ch in "\r\n\0"), (name, value)
    for name, value in request["query"]:
        assert isinstance(name, str) and isinstance(value, str)


@pytest.mark.parametrize("spec_path", ALL_SPECS, ids=lambda p: p.parent.name + "/" + p.name)
def test_request_builder_is_total_and_deterministic(spec_path: Path) -> None:
    contract = contract_of(spec_path)

    @SETTINGS
    @given(st.one_of(valid_lines(contract), command_lines(contract)))
    def run(case: tuple[list[str], dict[str, str]]) -> None:
        argv, env = case
        try:
            first = build_once(contract, argv, env)
        except UsageProblem as problem:
            assert problem.message and problem.situation in ("usage", "unknown_command")
            with pytest.raises(UsageProblem) as again:
                build_once(contract, argv, env)
            assert again.value.message == problem.message  # the same error each time
            return
        assert build_once(contract, argv, env) == first
        if first[0] is not None:
            check_sendable(first[0])

    run()


@pytest.mark.parametrize("spec_path", ALL_SPECS, ids=lambda p: p.parent.name + "/" + p.name)
def test_any_argv_parses_or_is_a_usage_error(spec_path: Path) -> None:
    contract = contract_of(spec_path)

    @SETTINGS
    @given(
        st.lists(
            st.one_of(VALUES, st.sampled_from([c["path"].split(" ")[0] for c in contract["commands"]])), max_size=6
        )
    )
    def run(argv: list[str]) -> None:
        try:
            parse_argv(contract, argv, {})
        except UsageProblem as problem:
            assert problem.message

    run()


WITH_PATH_PARAMS = [p for p in ALL_SPECS if any(e["path_params"] for e in contract_of(p)["endpoints"].values())]


def test_some_specs_have_path_parameters() -> None:
    assert len(WITH_PATH_PARAMS) >= 3


@pytest.mark.parametrize("spec_path", WITH_PATH_PARAMS, ids=lambda p: p.parent.name + "/" + p.name)
def test_path_parameters_are_always_one_clean_segment(spec_path: Path) -> None:
    contract = contract_of(spec_path)
    endpoints = [e for e in contract["endpoints"].values() if e["path_params"]]

    @SETTINGS
    @given(
        st.sampled_from(endpoints), st.one_of(st.sampled_from([".", "..", "../x", "a/b", "?", "#", "%2e"]), st.text())
    )
    def run(endpoint: dict[str, Any], value: str) -> None:
        fields = {name: value for name in endpoint["path_params"]}
        try:
            request = requests.build_request(contract, endpoint["id"], fields)
        except UsageProblem:
            assert value == ""
            return
        check_sendable(request.to_dict())
        assert request.path.count("/") == endpoint["path"].count("/")

    run()
