"""The compiled contract: its documented format, determinism, and what it carries."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from skillpress.contract.compile import CONTRACT_FORMAT, PHASES, compile_contract, render_contract_json
from tests.contract.helpers import ALL_SPECS, CRAWLER, IMAGE_SKILL, KEYED, ROOT, contract_of, spec_of

FLAG_KEYS = {
    "name", "short", "aliases", "compatibility_aliases", "type", "value_name", "summary", "required", "default",
    "choices", "repeatable", "local", "secret", "field", "env", "negatable", "sets", "scale", "transform",
    "generate", "read", "max_bytes", "accepts_url",
}  # fmt: skip
ARGUMENT_KEYS = {
    "name", "type", "summary", "required", "variadic", "choices", "flag", "field", "transform", "accepts_url",
}  # fmt: skip
COMMAND_KEYS = {
    "id", "path", "summary", "aliases", "hidden", "auth", "flags", "arguments", "one_of", "at_most_one_of",
    "routes", "steps", "call",
}  # fmt: skip
ENDPOINT_KEYS = {"id", "method", "path", "auth", "reply", "path_params", "query", "body", "headers"}
PROTOCOL_KEYS = {
    "base_url", "credential", "config", "replies", "retries", "timeouts", "errors", "output", "default_command",
    "hooks",
}  # fmt: skip
TOP_KEYS = {
    "format",
    "product",
    "urls",
    "protocol",
    "global_flags",
    "commands",
    "endpoints",
    "error_codes",
    "exit_codes",
    "pricing",
}
PRICING_KEYS = {
    "unit", "currency", "shortfall", "costs", "plans", "packs", "custom_quotes", "starting_balance",
}  # fmt: skip
COST_KEYS = {"command", "command_id", "endpoints", "at_most", "free_when", "note", "terms"}
TERM_KEYS = {"amount", "table", "per", "when"}


@pytest.mark.parametrize("path", ALL_SPECS + [IMAGE_SKILL], ids=lambda p: p.parent.name + "/" + p.name)
def test_contract_has_the_documented_shape(path: Path) -> None:
    contract = contract_of(path)
    assert set(contract) == TOP_KEYS
    assert contract["format"] == CONTRACT_FORMAT
    assert set(contract["protocol"]) == PROTOCOL_KEYS
    for flag in contract["global_flags"]:
        assert set(flag) == FLAG_KEYS
    for command in contract["commands"]:
        assert set(command) == COMMAND_KEYS
        for flag in command["flags"]:
            assert set(flag) == FLAG_KEYS
        for argument in command["arguments"]:
            assert set(argument) == ARGUMENT_KEYS
        for route in command["routes"]:
            assert set(route) == {"when", "endpoint", "fields"}
            assert route["endpoint"] in contract["endpoints"]
        for step in command["steps"]:
            assert step["phase"] == PHASES[step["kind"]]
    for endpoint_id, endpoint in contract["endpoints"].items():
        assert set(endpoint) == ENDPOINT_KEYS and endpoint["id"] == endpoint_id
    pricing = contract["pricing"]
    if pricing is not None:
        assert set(pricing) == PRICING_KEYS
        assert set(pricing["unit"]) == {"name", "plural", "kind", "money"}
        for cost in pricing["costs"]:
            assert set(cost) == COST_KEYS
            assert all(set(term) == TERM_KEYS for term in cost["terms"])
    # strict JSON: no NaN, no objects json cannot write
    json.dumps(contract, allow_nan=False)


@pytest.mark.parametrize("path", [CRAWLER, KEYED, IMAGE_SKILL], ids=lambda p: p.name)
def test_contract_text_is_deterministic_across_hash_seeds(path: Path) -> None:
    code = (
        "import sys; from skillpress.spec import load_spec; "
        "from skillpress.contract.compile import render_contract_json; "
        f"sys.stdout.write(render_contract_json(load_spec({str(path)!r}).spec))"
    )
    outputs = set()
    for seed in ("0", "1", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        outputs.add(
            subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT).stdout
        )
    assert len(outputs) == 1
    assert outputs.pop() == render_contract_json(spec_of(path))


def test_endpoint_short_form_is_one_route_and_local_commands_have_none() -> None:
    contract = contract_of(KEYED)
    by_path = {c["path"]: c for c in contract["commands"]}
    assert by_path["files list"]["routes"] == [{"when": None, "endpoint": "files-list", "fields": {}}]
    assert by_path["files list"]["call"] is True
    assert by_path["auth forget"]["routes"] == [] and by_path["auth forget"]["call"] is False
    # a local step replaces the call even when the command names an endpoint (credential status uses it)
    assert by_path["auth status"]["routes"][0]["endpoint"] == "whoami"
    assert by_path["auth status"]["call"] is False


def test_routes_and_steps_are_carried_as_written() -> None:
    crawl = next(c for c in contract_of(CRAWLER)["commands"] if c["path"] == "crawl")
    assert [r["endpoint"] for r in crawl["routes"]] == ["crawl-cancel", "crawl-status", "crawl-status", "crawl-start"]
    assert crawl["routes"][1]["when"]["argument"] == "URL_OR_JOB_ID"
    assert crawl["routes"][1]["fields"] == {"URL_OR_JOB_ID": "id"}
    poll = crawl["steps"][0]
    assert poll == {
        "kind": "poll",
        "phase": "after",
        "endpoint": "crawl-status",
        "id": "id",
        "status": "status",
        "done": ["completed", "failed", "cancelled"],
        "interval": {"flag": "--poll-interval", "unit": "s", "default": 5.0},
        "timeout": {"flag": "--timeout", "unit": "s", "default": None},
        "when": "--wait",
    }
    keyed = {c["path"]: c for c in contract_of(KEYED)["commands"]}
    save = keyed["signup"]["steps"][0]
    assert save["kind"] == "save_credential" and save["from"] == "api_key"  # the author's key, not `from_`
    copy = keyed["files get"]["steps"][1]
    assert copy["from"] == ["file.url"] and copy["in"] == [""] and copy["keep_fragment"] is False


def test_declared_protocol_fills_style_defaults() -> None:
    crawler = contract_of(CRAWLER)["protocol"]
    assert crawler["replies"]["style"] == "plain"
    assert crawler["replies"]["data"] == "" and crawler["replies"]["ok"] is None
    assert crawler["replies"]["error_code"] == "code" and crawler["replies"]["error_message"] == "error"
    assert crawler["credential"]["sources"] == [
        {"kind": "flag", "name": "--api-key"},
        {"kind": "env", "name": "CRAWLER_API_KEY"},
    ]
    assert crawler["errors"]["usage"] == "INVALID_ARGUMENTS" and crawler["errors"]["config_write"] is None
    keyed = contract_of(KEYED)["protocol"]
    assert keyed["base_url"]["default"] == "https://api.keyed.example.com"  # product.urls.api
    assert keyed["replies"]["error_code"] == "error.code" and keyed["replies"]["ok"] == "ok"
    assert keyed["credential"]["prefix"] == "" and keyed["credential"]["name"] == "x-api-key"
    assert keyed["config"] == {
        "folder": "keyed",
        "file": "config.json",
        "env": "KEYED_CONFIG_PATH",
        "base_key": "api_base_url",
    }
    assert keyed["hooks"] is True


def test_image_skill_declares_its_envelope_protocol() -> None:
    protocol = contract_of(IMAGE_SKILL)["protocol"]
    assert protocol["base_url"] == {
        "default": "https://api.image-skill.com",
        "env": ["IMAGE_SKILL_API_BASE_URL"],
        "flag": "--api-base-url",
        "http": "loopback",
    }
    assert [s["kind"] for s in protocol["credential"]["sources"]] == ["stdin", "env", "env", "config"]
    assert protocol["replies"]["style"] == "envelope"
    assert protocol["replies"]["exit_code_header"] == "x-image-skill-exit-code"
    assert protocol["output"]["json_flag"] == "--json" and protocol["output"]["readable"] is True
    assert None not in protocol["errors"].values()


def test_a_spec_without_protocol_gets_the_section_defaults() -> None:
    from skillpress.spec.model import Spec

    spec = spec_of(ROOT / "tests" / "cases" / "minimal" / "spec.yaml")
    data = spec.model_dump(mode="json", by_alias=True, exclude_none=True)
    data.pop("protocol", None)
    protocol = compile_contract(Spec.model_validate(data))["protocol"]
    assert protocol["credential"] is None and protocol["replies"]["style"] == "envelope"
    assert protocol["output"]["json_flag"] is None
    assert set(protocol["errors"].values()) == {None}


def test_only_endpoints_a_command_uses_are_carried() -> None:
    edge = contract_of(ROOT / "tests" / "cases" / "edge" / "spec.yaml")
    assert "internal-metrics" not in edge["endpoints"]  # api_only
    keyed = contract_of(KEYED)
    assert "uploads" in keyed["endpoints"]  # named by an upload step only


def test_flag_attributes_are_compiled() -> None:
    scrape = next(c for c in contract_of(CRAWLER)["commands"] if c["path"] == "scrape")
    flags = {f["name"]: f for f in scrape["flags"]}
    assert flags["--output"]["short"] == "-o"
    assert flags["--timeout"]["scale"] == 1000 and isinstance(flags["--timeout"]["scale"], int)
    assert flags["--html"]["sets"] == {"formats": ["html"]}
    assert flags["--only-main-content"]["negatable"] is True and flags["--only-main-content"]["default"] is True
    assert flags["--country"]["env"] == "CRAWLER_COUNTRY" and flags["--country"]["transform"] == ["trim", "upper"]
    assert scrape["at_most_one_of"] == [["--html", "--format"]]
    batch = next(c for c in contract_of(CRAWLER)["commands"] if c["path"] == "batch")
    assert batch["arguments"][0]["variadic"] is True
    assert batch["flags"][1]["generate"] == {"pattern": "batch-{millis}-{hex8}", "warn": True}
    assert contract_of(CRAWLER)["endpoints"]["batch-scrape"]["headers"] == [
        {"name": "x-idempotency-key", "required": False}
    ]


def test_render_is_sorted_json_with_a_final_newline() -> None:
    text = render_contract_json(spec_of(CRAWLER))
    assert text.endswith("}\n")
    assert json.loads(text) == contract_of(CRAWLER)


def test_flags_named_by_routes_steps_and_protocol_are_canonical() -> None:
    from skillpress.contract.compile import compile_contract
    from skillpress.spec import load_spec_text

    text = CRAWLER.read_text(encoding="utf-8")
    text = text.replace(
        "      - name: --wait\n        type: boolean\n",
        "      - name: --wait\n        aliases: [--block]\n        type: boolean\n",
    )
    text = text.replace("          when: --wait\n", "          when: --block\n")
    text = text.replace("      - when: {flag: --status}\n", "      - when: {flag: --check}\n")
    text = text.replace(
        "      - name: --status\n        type: boolean\n",
        "      - name: --status\n        aliases: [--check]\n        type: boolean\n",
    )
    text = text.replace("output: {style: plain, json_flag: --json}", "output: {style: plain, json_flag: --as-json}")
    text = text.replace(
        "  - name: --json\n    type: boolean\n", "  - name: --json\n    aliases: [--as-json]\n    type: boolean\n"
    )
    result = load_spec_text(text, "crawler.yaml")
    assert result.ok, [d.format_text() for d in result.diagnostics]
    contract = compile_contract(result.spec)  # type: ignore[arg-type]
    crawl = next(c for c in contract["commands"] if c["path"] == "crawl")
    assert crawl["steps"][0]["when"] == "--wait"
    assert crawl["routes"][2]["when"]["flag"] == "--status"
    assert contract["protocol"]["output"]["json_flag"] == "--json"


def test_pretty_flag_and_argument_choices_are_compiled() -> None:
    from skillpress.contract.compile import compile_contract
    from skillpress.spec import load_spec_text

    text = CRAWLER.read_text(encoding="utf-8")
    text = text.replace(
        "output: {style: plain, json_flag: --json}", "output: {style: plain, json_flag: --json, pretty_flag: --indent}"
    )
    text = text.replace(
        "  - name: --json\n    type: boolean\n",
        "  - name: --pretty\n    aliases: [--indent]\n    type: boolean\n    summary: Indent JSON.\n"
        "  - name: --json\n    type: boolean\n",
    )
    text = text.replace(
        "        summary: Pages to scrape.\n        variadic: true\n",
        "        summary: Pages to scrape.\n        variadic: true\n        choices: [https://example.com/a, https://example.com/b]\n",
    )
    result = load_spec_text(text, "crawler.yaml")
    assert result.ok, [d.format_text() for d in result.diagnostics]
    contract = compile_contract(result.spec)  # type: ignore[arg-type]
    assert contract["protocol"]["output"]["pretty_flag"] == "--pretty"
    batch = next(c for c in contract["commands"] if c["path"] == "batch")
    assert batch["arguments"][0]["choices"] == ["https://example.com/a", "https://example.com/b"]
    assert contract_of(CRAWLER)["protocol"]["output"]["pretty_flag"] is None
