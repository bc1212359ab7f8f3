"""The docs describe what the client does, from the spec alone.

cli.md (and llms-full.txt) say how the client talks to the API, which exit codes it can
produce, how a command chooses its endpoint, what each step does and what each flag
attribute changes. Each test changes one thing in a spec and checks the words follow.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from skillpress.contract import protocol
from skillpress.contract.compile import compile_contract
from skillpress.render import render_all
from skillpress.render.openapi import render_openapi
from skillpress.spec import load_spec, load_spec_text
from skillpress.spec.model import Spec
from skillpress.spec.rules import needed_situations

ROOT = Path(__file__).resolve().parent.parent
SPECS_DIR = ROOT / "tests" / "contract" / "specs"
CRAWLER = (SPECS_DIR / "crawler.yaml").read_text(encoding="utf-8")
KEYED = (SPECS_DIR / "keyed.yaml").read_text(encoding="utf-8")
IMAGE_SKILL = ROOT / "examples" / "image-skill" / "spec.yaml"


def spec_from(text: str) -> Spec:
    result = load_spec_text(text, "spec.yaml", SPECS_DIR)
    assert result.ok and result.spec is not None, [d.format_text() for d in result.diagnostics]
    return result.spec


def docs(text: str) -> dict[str, str]:
    files = render_all(spec_from(text)).files
    return {k: v.decode("utf-8") for k, v in files.items() if k.endswith((".md", ".txt"))}


def changed(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


def section(text: str, anchor: str) -> str:
    return text.split(f'<a id="{anchor}"></a>', 1)[1].split("<a id=", 1)[0]


# --------------------------------------------------------------------------- the fragment rule


FRAGMENT_LINE = '      - copy: {from: [file.url], to: link, in: [""], keep_fragment: false}'


@pytest.mark.parametrize(
    ("line", "says", "never"),
    [
        (FRAGMENT_LINE, "dropping a URL's `#...` fragment", "keeping a URL's"),
        (FRAGMENT_LINE.replace("false", "true"), "keeping a URL's `#...` fragment", "dropping a URL's"),
        (FRAGMENT_LINE.replace(", keep_fragment: false", ""), "keeping a URL's `#...` fragment", "dropping a URL's"),
    ],
    ids=["dropped", "kept", "default"],
)
def test_the_fragment_rule_in_the_spec_is_what_the_docs_say(line: str, says: str, never: str) -> None:
    files = docs(changed(KEYED, FRAGMENT_LINE, line))
    for path in ("site/agent/cli.md", "site/agent/llms-full.txt", "site/docs/commands.md"):
        text = files[path]
        assert says in text, path
        assert never not in text, path
    assert "copies the first present of `file.url` to it" in section(files["site/agent/cli.md"], "files-get")


# --------------------------------------------------------------------------- the protocol section


def protocol_section(text: str) -> str:
    return text.split("## How the client talks to the API", 1)[1].split("\n## ", 1)[0]


def test_the_protocol_section_says_what_the_spec_declares() -> None:
    cli = protocol_section(docs(CRAWLER)["site/agent/cli.md"])
    assert "- **Base URL.** `https://api.crawler.example.com`; `--api-url` or else `CRAWLER_API_URL` changes it" in cli
    assert "`http://` is accepted." in cli
    assert "Sent as the header `Authorization: Bearer <credential>`, from `--api-key` or else `CRAWLER_API_KEY`." in cli
    assert "None where one is needed stops with `AUTH_REQUIRED` (exit 3)." in cli
    assert "A base other than the default needs none." in cli
    assert "Plain JSON, the HTTP status tells success" in cli
    assert "401 → `AUTH_INVALID`, 402 → `INSUFFICIENT_CREDITS`, 429 → `RATE_LIMITED` and 5xx → `SERVER_FAILED`" in cli
    assert "`GET` requests answered 429, 502, 503 or 504 are tried up to 3 times" in cli
    assert "60 seconds a request; then `TIMED_OUT` (exit 1)." in cli
    assert "runs `crawler scrape` with the whole command line" in cli


def test_the_protocol_section_changes_with_the_spec() -> None:
    text = changed(
        CRAWLER, "    env: [CRAWLER_API_URL]\n    flag: --api-url\n    http: any", "    flag: --api-url\n    http: none"
    )
    text = changed(
        text,
        "      - flag: --api-key\n      - env: CRAWLER_API_KEY",
        "      - env: CRAWLER_API_KEY\n      - flag: --api-key",
    )
    text = changed(
        text,
        '  credential:\n    scheme: header\n    name: Authorization\n    prefix: "Bearer "',
        "  credential:\n    scheme: query\n    name: key",
    )
    text = changed(
        text,
        "  retries: {statuses: [429, 502, 503, 504], methods: [GET], attempts: 3, retry_after_max_seconds: 10}",
        "  retries: {attempts: 1}",
    )
    text = changed(text, "    send_to: any\n    optional_for_custom_base: true", "    send_to: any")
    cli = protocol_section(docs(text)["site/agent/cli.md"])
    assert "- **Base URL.** `https://api.crawler.example.com`; `--api-url` changes it" in cli
    assert "`CRAWLER_API_URL`" not in cli
    assert "`http://` is refused." in cli
    assert "Sent as the query parameter `key=<credential>`, from `CRAWLER_API_KEY` or else `--api-key`." in cli
    assert "goes to any base in use." in cli
    assert "A base other than the default needs none." not in cli
    assert "- **Retries.** No request is retried." in cli
    keyed = protocol_section(docs(KEYED)["site/agent/cli.md"])
    assert "goes only to the default base or a loopback one; a saved one only to the base it was saved for." in keyed


def test_the_envelope_protocol_is_described_from_the_contract_too() -> None:
    result = load_spec(IMAGE_SKILL)
    assert result.spec is not None
    cli = protocol_section(render_all(result.spec).files["site/agent/cli.md"].decode("utf-8"))
    assert "`--api-base-url` or else `IMAGE_SKILL_API_BASE_URL` changes it" in cli
    assert (
        "from stdin with `--token-stdin` (not from a terminal), `IMAGE_SKILL_TOKEN`, `IMAGE_SKILL_HOSTED_TOKEN` or else"
        " the saved config's `token`." in cli
    )
    assert "The reply header `x-image-skill-exit-code` may set the exit code" in cli


# --------------------------------------------------------------------------- exit codes


def exit_table(text: str) -> dict[int, str]:
    rows = re.findall(r"^\| (\d+) \| `[^`]+` \| .*? \| (.*) \|$", text.split("### Exit codes", 1)[1], flags=re.M)
    return {int(code): causes for code, causes in rows}


def produced_exits(spec: Spec) -> set[int]:
    """Every exit the contract runtime makes: situations, and replies of every status with
    every code the spec defines, no code, a body it cannot read, and the exit-code header."""
    contract = compile_contract(spec)
    exits = {0}
    situations = set(needed_situations(spec)) | {s for s, e in contract["protocol"]["errors"].items() if e}
    exits |= {protocol.situation_exit(contract, s)[1] for s in situations}
    replies = contract["protocol"]["replies"]
    bodies = [b"", b"not json", b"{}"]
    for code in contract["error_codes"]:
        if replies["style"] == "envelope":
            bodies.append(f'{{"ok": false, "error": {{"code": "{code}"}}}}'.encode())
        elif replies.get("error_code"):
            bodies.append(f'{{"{replies["error_code"]}": "{code}"}}'.encode())
    headers = [{}] + [
        {replies["exit_code_header"]: str(n)} for n in contract["exit_codes"] if replies["exit_code_header"]
    ]
    for status in range(400, 600):
        for body in bodies:
            for header in headers:
                reply = protocol.interpret(contract, None, status, header, body)
                exits.add(reply.exit_code)
    return exits


@pytest.mark.parametrize(
    "path",
    [IMAGE_SKILL, SPECS_DIR / "crawler.yaml", SPECS_DIR / "keyed.yaml", ROOT / "tests/cases/edge/spec.yaml"],
    ids=lambda p: p.parent.name if p.name == "spec.yaml" else p.stem,
)
def test_the_exit_table_lists_every_exit_the_client_can_produce(path: Path) -> None:
    result = load_spec(path)
    assert result.spec is not None
    text = render_all(result.spec).files["site/agent/cli.md"].decode("utf-8")
    table = exit_table(text)
    assert produced_exits(result.spec) <= set(table)
    assert set(table) <= {e.code for e in result.spec.exit_codes}


def test_an_exit_code_nothing_leads_to_is_said_never_produced() -> None:
    # without the status mapping and the header, nothing in crawler ends with exit 5
    text = changed(CRAWLER, '      "402": INSUFFICIENT_CREDITS\n      "429": RATE_LIMITED\n', "")
    text = changed(
        text, "  - {code: INSUFFICIENT_CREDITS, exit_code: 5, http_status: 402, meaning: Not enough credits.}\n", ""
    )
    text = changed(
        text,
        "  - {code: RATE_LIMITED, exit_code: 5, http_status: 429, retryable: true, meaning: Too many requests.}\n",
        "",
    )
    cli = docs(text)["site/agent/cli.md"]
    assert 5 not in exit_table(cli)
    assert "The spec also defines 5 (`limits`), but no error code the client can end with has it" in cli
    table = exit_table(docs(CRAWLER)["site/agent/cli.md"])
    assert table[5] == "`INSUFFICIENT_CREDITS` (HTTP 402 without a code), `RATE_LIMITED` (HTTP 429 without a code)"


def test_situations_without_a_code_take_the_fallback_exit_in_the_table() -> None:
    from skillpress.render.contract_text import exit_rows

    result = load_spec(IMAGE_SKILL)
    assert result.spec is not None
    contract = compile_contract(result.spec)
    contract["protocol"]["errors"]["usage"] = None
    exits = [(e.code, e.name, e.meaning) for e in result.spec.exit_codes]
    rows, _ = exit_rows(contract, exits, needed_situations(result.spec))
    table = {row.code: row.causes for row in rows}
    assert "codes the spec does not define: `USAGE` (an invalid invocation)" in table[1]
    assert table[8] == "`TIMEOUT` (no answer in time)"
    assert table[4] == "only when the reply header `x-image-skill-exit-code` names it"


# --------------------------------------------------------------------------- routes, steps, flags


def test_routes_and_steps_are_one_sentence_each() -> None:
    crawl = section(docs(CRAWLER)["site/agent/cli.md"], "crawl")
    assert (
        "Calls, by the first that applies: with `--cancel`, `DELETE /v2/crawl/{id}` (`URL_OR_JOB_ID` as `id`); when"
        " `URL_OR_JOB_ID` matches" in crawl
    )
    assert "otherwise `POST /v2/crawl`." in crawl
    assert (
        "- With `--wait`, polls `GET /v2/crawl/{id}` (the id at `id` of the first reply's data) every `--poll-interval`"
        " seconds (default 5) until `status` is `completed`, `failed` or `cancelled`; with `--timeout`, gives up after"
        " that many seconds with `TIMED_OUT` (exit 1)." in crawl
    )
    text = changed(
        CRAWLER,
        "interval: {flag: --poll-interval, unit: s, default: 5}",
        "interval: {flag: --poll-interval, unit: ms, default: 250}",
    )
    text = changed(text, "timeout: {flag: --timeout, unit: s}", "timeout: {flag: --timeout, unit: s, default: 600}")
    crawl = section(docs(text)["site/agent/cli.md"], "crawl")
    assert "every `--poll-interval` milliseconds (default 250)" in crawl
    assert "gives up after `--timeout` seconds (default 600) with `TIMED_OUT` (exit 1)." in crawl


def test_each_step_kind_says_what_the_client_does() -> None:
    keyed = docs(KEYED)["site/agent/cli.md"]
    crawler = docs(CRAWLER)["site/agent/cli.md"]
    expected = {
        (keyed, "files-put"): [
            (
                "Uploads each value of `PATH_OR_URL` that is a local file or an http(s) URL (one that matches"
                " `^file_[a-z0-9]+$` is left as it is) with `POST /v1/uploads`"
            ),
            "Calls `tags:tag_object` of the product's hooks package with `--tag`, and sends what it returns for `tags`.",
        ],
        (keyed, "files-get"): [
            (
                "Downloads the URL at `file.url` of the reply's data to the file `--output` names, else a file named"
                " after `file.id`"
            ),
            "replaces an existing file only with `--overwrite`, else stops with `OUTPUT_EXISTS` (exit 9)",
        ],
        (keyed, "signup"): [
            "Saves the credential at `api_key` of the reply's data in the config file when `--save` is given",
            "sends `return_key` as true when `--save` or `--show-key` is given.",
        ],
        (keyed, "auth-status"): [
            "Tells where the credential would come from, without showing it, and calls `GET /v1/whoami`"
        ],
        (keyed, "auth-forget"): ["Deletes the saved config file."],
        (keyed, "help"): ["Lists the commands; with `--skill`, prints the bundled skill file instead."],
        (crawler, "credit-usage"): ["Prints `data.remainingCredits` of the reply as it is"],
        (crawler, "scrape"): [
            "With `--output`, writes what it would print to that file (written whole), replacing an existing file only with `--overwrite`"
        ],
        (crawler, "status"): [
            "calls `GET /v2/team/queue-status` without a credential to tell whether the API answers. Always exits 0."
        ],
        (crawler, "version"): ["Prints the client's name and version."],
    }
    for (text, anchor), sentences in expected.items():
        for sentence in sentences:
            assert sentence in section(text, anchor), (anchor, sentence)


def test_flag_attributes_are_in_the_flag_table() -> None:
    cli = docs(CRAWLER)["site/agent/cli.md"]
    scrape = section(cli, "scrape")
    assert "| `--output`, `-o` | path |" in scrape
    assert "| `--only-main-content`, `--no-only-main-content` | boolean, default true |" in scrape
    assert "When absent, taken from `CRAWLER_COUNTRY`. Trimmed and upper-cased." in scrape
    assert "Sent multiplied by 1000." in scrape
    assert 'Given, it sends `formats` = `["html"]`.' in scrape
    assert "When absent, the client makes one like `batch-{millis}-{hex8}` and says so in a warning." in section(
        cli, "batch"
    )
    assert "The file's content (`-`: stdin) is sent parsed as JSON, up to 64 KiB." in section(cli, "agent")
    assert "| `URLS` | string, required, variadic | Pages to scrape. Takes every remaining value. |" in section(
        cli, "batch"
    )
    assert "| `--api-key`, `-k` | string |" in cli
    files_get = section(docs(KEYED)["site/agent/cli.md"], "files-get")
    assert (
        "A URL on `media.keyed.example.com` or the API base in use whose last path segment is an id"
        " (`^file_[a-z0-9]+$`) is sent as that id; any other URL is refused." in files_get
    )


@cache
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark").enable("table")


def test_a_value_with_pipes_and_backticks_stays_in_its_table_cell() -> None:
    text = changed(
        CRAWLER,
        'generate: {pattern: "batch-{millis}-{hex8}", warn: true}',
        'generate: {pattern: "a|b`c-{hex8}", warn: true}',
    )
    batch = section(docs(text)["site/agent/cli.md"], "batch")
    tokens = _parser().parse(batch)
    rows = [t for t in tokens if t.type == "tr_open"]
    cells = [t for t in tokens if t.type in ("td_open", "th_open")]
    assert len(cells) == 3 * len(rows)
    inline = "".join(t.content for t in tokens if t.type == "inline")
    assert "a&#124;b`c-{hex8}" in inline or "a\\|b`c-{hex8}" in inline


def test_openapi_names_the_credential_the_protocol_declares() -> None:
    def scheme(text: str, path: str) -> dict[str, object]:
        document = json.loads(render_openapi(spec_from(text)))
        (name, value), *_ = document["components"]["securitySchemes"].items()
        assert document["paths"][path]["post"]["security"] == [{name: []}]
        return value

    assert scheme(CRAWLER, "/v2/scrape")["scheme"] == "bearer"
    keyed = scheme(KEYED, "/v1/files")
    assert {k: keyed[k] for k in ("type", "in", "name")} == {"type": "apiKey", "in": "header", "name": "x-api-key"}
    query = scheme(
        changed(KEYED, "    scheme: header\n    name: x-api-key", "    scheme: query\n    name: key"), "/v1/files"
    )
    assert {k: query[k] for k in ("type", "in", "name")} == {"type": "apiKey", "in": "query", "name": "key"}
