"""The docs show exactly the request the client sends, for every example of every spec.

The request of each documented example is read back out of the rendered cli.md (and the
site's commands page), by parsing the `curl` commands under "Hosted API equivalent", and
compared with what the client's own mapping (``contract.requests.build``) makes of the
example: method, URL with the query, every header (the credential where the protocol
puts it, as a placeholder), and the JSON body byte for byte, defaults included.

What the docs cannot know at build time is fixed, and the expectation below is built
from the same fixed inputs (clock, random bytes, placeholders for file contents, upload
ids and hook results); what steps add to a request is restated here from the step
parameters, so that the docs' own code for it is checked too.
"""

from __future__ import annotations

import base64
import copy
import json
import re
import shlex
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from skillpress.contract import protocol, requests
from skillpress.contract.compile import compile_contract
from skillpress.contract.invocation import Invocation, Problem, flags_of, parse_argv
from skillpress.render import example_requests as shown
from skillpress.render import render_all
from skillpress.spec import load_spec
from skillpress.spec.model import Spec

ROOT = Path(__file__).resolve().parent.parent
SPECS = sorted(
    {
        p.resolve(): p
        for p in [
            *(ROOT / "tests" / "cases").glob("*/spec.yaml"),
            *(ROOT / "examples").glob("*/spec.yaml"),
            *(ROOT / "tests" / "contract" / "specs").glob("*.yaml"),
        ]
    }.values()
)
IDS = [p.parent.name if p.name == "spec.yaml" else p.stem for p in SPECS]


@cache
def loaded(path: Path) -> tuple[Spec, dict[str, Any], dict[str, str]]:
    result = load_spec(path)
    assert result.ok and result.spec is not None, [d.format_text() for d in result.diagnostics]
    files = render_all(result.spec).files
    return (
        result.spec,
        compile_contract(result.spec),
        {k: v.decode("utf-8") for k, v in files.items() if k.endswith((".md", ".txt"))},
    )


# --------------------------------------------------------------------------- reading the docs


def sections(text: str) -> dict[str, str]:
    """Command anchor -> the text of its section."""
    parts = re.split(r'^<a id="([^"]+)"></a>$', text, flags=re.M)
    return {parts[i]: parts[i + 1] for i in range(1, len(parts) - 1, 2)}


def shown_requests(section: str) -> list[dict[str, Any]]:
    """The requests under "Hosted API equivalent:" in one command section."""
    match = re.search(r"^Hosted API equivalent:\n\n(`{3,})bash\n(.*?)\n\1$", section, flags=re.M | re.S)
    if match is None:
        return []
    out = []
    for block in match.group(2).split("\n\n"):
        lines = [line for line in block.split("\n") if not line.startswith("# ")]
        out.append(parse_curl("\n".join(lines)))
    return out


def parse_curl(text: str) -> dict[str, Any]:
    words = shlex.split(text.replace("\\\n", " "))
    assert words[:2] == ["curl", "-sS"], text
    method, url, headers, body = "GET", None, [], None
    i = 2
    while i < len(words):
        if words[i] == "-X":
            method = words[i + 1]
        elif words[i] == "-H":
            name, sep, value = words[i + 1].partition(": ")
            assert sep, words[i + 1]
            headers.append((name, value))
        elif words[i] == "-d":
            body = words[i + 1]
        else:
            assert url is None, f"two URLs in {text!r}"
            url = words[i]
            i += 1
            continue
        i += 2
    return {"method": method, "url": url, "headers": headers, "body": body}


def rendered_sections(files: dict[str, str], page: str) -> dict[str, str]:
    """Every command section of ``page`` (cli.md or the commands page) and of its parts."""
    stem = page.rsplit(".", 1)[0]
    out: dict[str, str] = {}
    for path, text in files.items():
        if path == page or (path.startswith(stem + "/") and path.endswith(".md")):
            out.update(sections(text))
    return out


# --------------------------------------------------------------------------- the expectation


def placeholder_reads(contract: dict[str, Any], invocation: Invocation) -> dict[str, str]:
    reads: dict[str, str] = {}
    for flag in flags_of(contract, invocation.command):
        if flag.get("read") and not flag.get("local"):
            value = invocation.value(flag)
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, str):
                    reads.setdefault(item, flag["read"])
    return reads


def fixed_effects(contract: dict[str, Any], invocation: Invocation) -> requests.Effects:
    reads = placeholder_reads(contract, invocation)

    def content(path: str) -> bytes:
        text = shown.file_placeholder(path)
        return (json.dumps(text) if reads.get(path) == "json" else text).encode("utf-8")

    return requests.Effects(
        now=lambda: shown.NOW,
        random_bytes=lambda n: bytes((i * 0x11) % 256 for i in range(n)),
        read_file=lambda path, limit: content(path)[: limit + 1],
        read_stdin=lambda limit: content("-")[: limit + 1],
        base_url=protocol.default_base(contract),
    )


def asked(step: dict[str, Any], invocation: Invocation) -> bool:
    return any(step.get(k) and step[k] in invocation.values for k in ("when", "reveal"))


def what_steps_add(contract: dict[str, Any], invocation: Invocation) -> tuple[dict[str, Any], dict[str, Any]]:
    """Uploads replace a value by the upload's id, hooks set their fields, save_credential
    asks for the credential when its flag is given."""
    replaced: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for step in invocation.command["steps"]:
        if step["kind"] == "upload":
            for name in step["values"]:
                value = invocation.arguments.get(name, invocation.values.get(name))
                if value is None:
                    continue
                items = value if isinstance(value, list) else [value]
                new = [
                    v if step.get("skip_if") and re.search(step["skip_if"], v) else shown.upload_placeholder(v)
                    for v in items
                ]
                replaced[name] = new if isinstance(value, list) else new[0]
        elif step["kind"] == "hook":
            extra.update({field: shown.hook_placeholder(step["call"]) for field in step["writes"]})
        elif step["kind"] == "save_credential" and step.get("request_field") and asked(step, invocation):
            extra[step["request_field"]] = True
    return replaced, extra


def expected_request(contract: dict[str, Any], argv: list[str]) -> dict[str, Any] | None:
    try:
        invocation = parse_argv(contract, argv, env={})
    except Problem:
        return None
    if not invocation.command["call"]:
        return None
    replaced, extra = what_steps_add(contract, invocation)
    try:
        built = requests.build(
            contract,
            invocation,
            effects=fixed_effects(contract, invocation),
            replaced=replaced,
            extra_fields=extra,
        )
    except Problem:
        return None
    if built is None:
        return None
    request = built.request
    for path, kind in placeholder_reads(contract, invocation).items():
        if kind == "base64":
            encoded = base64.b64encode(shown.file_placeholder(path).encode("utf-8")).decode("ascii")
            request.body = json.loads(
                json.dumps(request.body).replace(json.dumps(encoded), json.dumps(shown.base64_placeholder(path)))
            )
    base = protocol.default_base(contract) or ""
    url = base + request.target()
    headers: list[tuple[str, str]] = []
    settings = contract["protocol"]["credential"]
    if settings and protocol.needs_credential(contract, invocation.command, request.endpoint, base) != "none":
        env = [s["name"] for s in settings["sources"] if s["kind"] == "env"]
        secret = "$" + env[0] if env else None
        assert secret is not None, "the specs under test read their credential from a variable"
        if settings["scheme"] == "query":
            url += ("&" if "?" in url else "?") + f"{settings['name']}={secret}"
        else:
            headers.append((settings["name"], (settings.get("prefix") or "") + secret))
    headers += request.headers
    body = request.body_bytes()
    if body is not None:
        headers.append(("Content-Type", "application/json"))
    return {
        "method": request.method,
        "url": url,
        "headers": headers,
        "body": None if body is None else body.decode("utf-8"),
    }


# --------------------------------------------------------------------------- the tests


@pytest.mark.parametrize("path", SPECS, ids=IDS)
@pytest.mark.parametrize("page", ["site/agent/cli.md", "site/docs/commands.md"])
def test_every_example_shows_the_request_the_client_sends(path: Path, page: str) -> None:
    spec, contract, files = loaded(path)
    docs = rendered_sections(files, page)
    compared = 0
    for command in spec.commands:
        if command.hidden:
            continue
        expected = [r for r in (expected_request(contract, e.argv) for e in command.examples) if r is not None]
        assert command.id in docs, f"{page} has no section for {command.path}"
        assert shown_requests(docs[command.id]) == expected, command.path
        compared += len(expected)
    if any(c["call"] for c in contract["commands"]) and any(c.examples for c in spec.commands):
        assert compared > 0


def test_the_specs_under_test_cover_every_kind() -> None:
    """Between them the specs show defaults, generated headers, routes, scaled values,
    uploads, hooks, query strings and both credential placements."""
    seen: set[str] = set()
    for path in SPECS:
        files = loaded(path)[2]
        text = files["site/agent/cli.md"] + "".join(v for k, v in files.items() if k.startswith("site/agent/cli/"))
        if "x-idempotency-key: " in text:
            seen.add("generated or given header")
        if '"timeout":2500' in text:
            seen.add("scaled")
        if shown.upload_placeholder("./notes.txt") in text:
            seen.add("upload")
        if "<set by the hook " in text:
            seen.add("hook")
        if re.search(r"curl -sS '[^']*\?", text):
            seen.add("query")
        if '-H "x-api-key: $' in text:
            seen.add("named header credential")
        if '-H "Authorization: Bearer $' in text:
            seen.add("bearer credential")
        if '"severity":"medium"' in text:
            seen.add("defaults")
    assert seen == {
        "generated or given header",
        "scaled",
        "upload",
        "hook",
        "query",
        "named header credential",
        "bearer credential",
        "defaults",
    }


def test_feedback_create_shows_the_five_defaults_the_client_sends() -> None:
    """The defect of issue 11: the docs left out five defaults the client sends."""
    _, _, files = loaded(ROOT / "examples" / "image-skill" / "spec.yaml")
    section = rendered_sections(files, "site/agent/cli.md")["feedback-create"]
    (request,) = shown_requests(section)
    body = json.loads(request["body"])
    assert {k: body[k] for k in ("type", "surface", "severity", "confidence", "next_state")} == {
        "type": "user_feedback",
        "surface": ["cli"],
        "severity": "medium",
        "confidence": "medium",
        "next_state": "watch",
    }


def test_a_generated_value_is_fixed_and_a_file_is_a_placeholder() -> None:
    """Without --idempotency-key the docs show the value the fixed clock and bytes make;
    a file read as JSON shows its placeholder, never the disk."""
    contract = loaded(ROOT / "tests" / "contract" / "specs" / "crawler.yaml")[1]
    batch = shown.example_request(contract, ["batch", "https://example.com/a"])
    assert batch is not None
    assert ("x-idempotency-key", "batch-1767225600000-00112233") in batch.headers
    agent = shown.example_request(contract, ["agent", "Find", "--schema-file", "./schema.json"])
    assert agent is not None and agent.body is not None
    assert json.loads(agent.body)["schema"] == "<contents of ./schema.json>"
    assert shown.example_request(contract, ["version"]) is None
    assert shown.example_request(contract, ["scrape", "--no-such-flag"]) is None


def test_a_credential_read_only_from_a_flag_is_a_named_placeholder() -> None:
    contract = copy.deepcopy(loaded(ROOT / "tests" / "contract" / "specs" / "crawler.yaml")[1])
    contract["protocol"]["credential"]["sources"] = [{"kind": "flag", "name": "--api-key"}]
    request = shown.example_request(contract, ["credits"])
    assert request is not None
    assert "-H 'Authorization: Bearer <value of --api-key>'" in request.curl
    contract["protocol"]["credential"].update(scheme="query", name="key")
    contract["protocol"]["credential"]["sources"] = [{"kind": "env", "name": "CRAWLER_API_KEY"}]
    request = shown.example_request(contract, ["credits"])
    assert request is not None
    assert shlex.split(request.curl)[2] == "https://api.crawler.example.com/v2/team/credit-usage?key=$CRAWLER_API_KEY"
    assert request.curl.endswith('"$CRAWLER_API_KEY"')  # double quotes: the shell expands it


def _agent(contract: dict[str, Any]) -> dict[str, Any]:
    return next(c for c in contract["commands"] if c["path"] == "agent")


def test_an_uploaded_value_shows_the_upload_placeholder_unless_it_is_skipped() -> None:
    """What an `upload` step replaces by an upload id is shown as that id's placeholder;
    a value its `skip_if` matches (a URL) is sent as given."""
    contract = copy.deepcopy(loaded(ROOT / "tests" / "contract" / "specs" / "crawler.yaml")[1])
    _agent(contract)["steps"] = [{"kind": "upload", "values": ["PROMPT", "--urls"], "skip_if": "^https?://"}]
    request = shown.example_request(contract, ["agent", "./notes.txt", "--urls", "./a.html,https://x.test/b"])
    assert request is not None and request.body is not None
    body = json.loads(request.body)
    assert body["prompt"] == shown.upload_placeholder("./notes.txt")
    assert body["urls"] == [shown.upload_placeholder("./a.html"), "https://x.test/b"]
    request = shown.example_request(contract, ["agent", "https://x.test/page"])
    assert request is not None and request.body is not None
    assert json.loads(request.body)["prompt"] == "https://x.test/page"


def test_a_file_read_as_base64_shows_its_placeholder_not_an_encoding() -> None:
    contract = copy.deepcopy(loaded(ROOT / "tests" / "contract" / "specs" / "crawler.yaml")[1])
    flag = next(f for f in _agent(contract)["flags"] if f["name"] == "--schema-file")
    flag["read"] = "base64"
    request = shown.example_request(contract, ["agent", "Find", "--schema-file", "./schema.json"])
    assert request is not None and request.body is not None
    assert json.loads(request.body)["schema"] == shown.base64_placeholder("./schema.json")
