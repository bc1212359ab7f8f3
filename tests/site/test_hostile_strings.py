"""Hostile strings in every string field of the spec: refused, or written out harmlessly.

The fields are not listed by hand: ``skillpress.spec.text.string_fields`` walks the
pydantic model, so a field added to the model is covered here at once (and the test
fails until ``FULL`` below gives it a value to replace).

For each hostile string, every field gets it in turn, in a copy of the minimal spec
grown to use every field (``FULL``). Validation must either refuse it with an error
located at that field, or accept it. All the fields that accept it then get it at once,
in one spec, and the spec is rendered and its site built (the strict mkdocs build that
``skillpress site build`` runs), so that

(a) no output holds an evaluated template (``Q49Q`` where ``Q{{ 7*7 }}Q`` was, ``QQ``
    where ``Q{# x #}Q`` was; an evaluated ``{% raw %}`` fails the build);
(b) no built HTML page holds script from the spec: no ``<script>`` running ``alert``,
    no ``<img src=x>``, no ``on...`` attribute, no ``javascript:``/``vbscript:``/``data:``
    link or source;
(c) every SKILL.md front matter parses as YAML and holds the exact value;
(d) every JSON file parses, holds the exact value and no altered copy of it.
"""

from __future__ import annotations

import copy
import json
import re
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import yaml

from skillpress.diagnostics import Severity
from skillpress.render import render_all
from skillpress.site.build import mkdocs_build
from skillpress.spec import LoadResult, load_spec_text, validate_document
from skillpress.spec.loader import LoadedDocument, PathKey, format_path, load_text
from skillpress.spec.model import Spec
from skillpress.spec.text import StringField, string_fields, unsafe_url
from tests.site.conftest import ROOT

#: The folder whose `keyed_hooks/` package the full spec's hook step names.
HOOKS_BASE = ROOT / "tests" / "contract" / "specs"
MINIMAL = yaml.safe_load((ROOT / "tests" / "cases" / "minimal" / "spec.yaml").read_text(encoding="utf-8"))

# The minimal spec grown so that every string field of the model holds a value.
EXTRA: dict[str, Any] = yaml.safe_load(
    """
product:
  status: preview
  license: MIT
  author: Echo Team
  keywords: [echo]
  urls:
    llms_full: https://echo.example.com/llms-full.txt
    repository: https://github.com/echo/echo-skill
    media: https://media.echo.example.com
selection:
  choose_when: [You need a round trip.]
  choose_other_when: [You need no network.]
  proof_to_keep: [The echoed text.]
install:
  - {id: skill, title: Install the skill, kind: skill, command: npx skills add echo.example.com, note: Needs Node.}
environment:
  - {name: ECHO_TOKEN, purpose: The token., secret: true, role: token}
actors:
  - {id: agent, description: An agent.}
claim_states:
  - {id: unclaimed, summary: Not claimed yet., may: [Echo text.], may_not: [Pay.]}
global_rules: [Pass --json.]
global_flags:
  - name: --mode
    summary: Output mode.
    description: How output is printed.
    value_name: MODE
    default: plain
    choices: [plain, fancy]
    aliases: [--output-mode]
    compatibility_aliases: [--format]
    field: mode
  - name: --json
    type: boolean
    summary: Print the JSON envelope.
    local: true
commands:
  - path: echo
    summary: Send text and print the reply.
    description: Sends the text and prints what comes back.
    auth: none
    endpoint: echo
    spends: true
    aliases: [say]
    arguments:
      - {name: WORDS, summary: Text to send., required: false, field: text, flag: --text}
    flags:
      - name: --style
        summary: Reply style.
        description: How the reply is styled.
        value_name: STYLE
        default: plain
        choices: [plain, loud]
        aliases: [--tone]
        compatibility_aliases: [--voice]
        field: style
      - name: --text
        summary: Text to send.
        description: Any text.
        value_name: TEXT
        field: text
      - {name: --upper, type: boolean, summary: Upper case., sets: {style: loud}}
      - {name: --lower, type: boolean, summary: Lower case., sets: {style: plain}}
    one_of: [[--upper, --lower]]
    examples:
      - argv: [echo, --upper, --json, --text, hello]
        shows: A round trip with one word.
        stdin: hello
        expect: {reply: {data.text: hello}, sends: [text]}
    exit_codes: [0, 2, 7]
    errors: [BAD_TEXT]
    events: [echo.sent]
    rules: [be-brief]
endpoints:
  - id: echo-again
    method: POST
    path: /v1/echo/{echo_id}/again
    summary: Send one echo again.
    description: Sends a stored echo again.
    api_only: true
    path_params:
      - {name: echo_id, type: string, required: true, description: The echo id., choices: [e1]}
    query:
      - {name: view, type: string, description: The view., choices: [short]}
    body:
      - {name: note, type: string, description: A note., choices: [again]}
    response:
      fields:
        - {name: text, type: string, description: The text., choices: [hello]}
      example: {text: hello}
    errors: [BAD_TEXT]
  - id: echo
    method: POST
    path: /v1/echo
    summary: Echo the text back.
    description: Returns the text.
    body:
      - {name: text, type: string, required: true, description: The text.}
      - {name: style, type: string, description: The style., choices: [plain, loud]}
    response:
      fields:
        - {name: text, type: string, required: true, description: The reply.}
      example: {text: hello}
    errors: [BAD_TEXT]
envelopes:
  success:
    fields:
      - {name: ok, type: boolean, required: true, description: True on success., choices: []}
      - {name: data, type: object, required: true, description: The result., choices: []}
      - {name: state, type: string, description: A state., choices: [done]}
    example: {ok: true, data: {}}
  error:
    fields:
      - {name: ok, type: boolean, required: true, description: False on failure.}
      - {name: error, type: object, required: true, description: The error.}
      - {name: kind, type: string, description: A kind., choices: [usage]}
    example: {ok: false, error: {code: BAD_TEXT, message: bad flag}}
error_codes:
  - {code: BAD_TEXT, exit_code: 2, meaning: The text was refused., recovery: Send other text.}
events:
  - {type: echo.sent, subject: echo, operation: send, other_operations: [resend], emitted_when: Text was echoed., links: [echo_id]}
credits:
  credit_value_cents: 1
  currency: USD
  default_payment_method: card
  payment_methods:
    - {id: card, name: Card, live_money: true, buyer_modes: [human], endpoint: echo-again, default_pack: small, note: Paid by a person.}
  buyer_modes:
    - {id: human, human_action: A person pays.}
  packs:
    - {id: small, name: Small pack, credits: 100, price_cents: 100}
  unit: {name: credit, plural: credits}
  shortfall: BAD_TEXT
  costs:
    - command: echo
      note: Short text is cheap.
      terms:
        - amount: 1
          per: {noun: word, nouns: words, request: text}
        - table: {field: text, prices: {hello: 2}, default: 1, unset: 0}
          when: --upper
      free_when: --lower
  plans:
    - id: free
      name: Free plan
      price_cents: 0
      period: once
      allotment: 100
      note: For trying it.
      limits: {concurrency: 1, rate: [{requests: 10, per: minute, endpoints: [echo]}]}
    - {id: big, name: Big plan, contact: https://echo.example.com/sales}
  rules: [Credits never expire.]
showcase: {argv: [echo, --upper, --text, hi], shows: One round trip., output: hi}
first_run:
  - {argv: [echo, --upper, --text, hi], why: Checks the round trip.}
guidance:
  - id: be-brief
    title: Be brief
    text: Send short text.
    show_in: [skill, llms, llms-full, cli, site, skills, client]
    commands: [echo]
telemetry:
  collected: [The command name.]
  never_collected: [The text.]
skills:
  - name: echo-skill
    canonical: true
    title: Echo Skill for agents
    description: Check a hosted round trip with Echo Skill. Use it when a test is due.
    license: MIT
    compatibility: Needs network access.
    sections:
      - {title: Usage, body: Run echo., commands: [echo], rules: [be-brief], first_run: true}
client:
  package: echo-skill
  config_dir: echo-skill
  exit_code_header: x-exit-code
  token_prefix: esk_
  http_exit_codes: {"5xx": 7}
publish:
  plugin_name: echo-skill
  marketplace: echo-market
  owner: Echo Team
  owner_email: team@echo.example.com
  license_file: LICENSE
"""
)

# The contract sections (protocol, routes, steps, flag attributes), in a second command
# set so that the legacy `echo` command stays as it was.
CONTRACT: dict[str, Any] = yaml.safe_load(
    """
global_flags:
  - name: --api-base-url
    type: url
    value_name: URL
    summary: API base URL.
  - name: --key-stdin
    type: boolean
    summary: Read the key from stdin.
  - name: --key
    value_name: KEY
    secret: true
    summary: The API key.
  - name: --trace
    type: boolean
    summary: Ask for a trace.
    sets: {trace: true}
  - name: --session
    value_name: ID
    summary: A session id.
    field: session
    generate: {pattern: "s-{hex8}"}
    accepts_url: {hosts: [media], id: "^s-[a-f0-9]{8}$"}
commands:
  - path: fetch
    summary: Fetch a page or a job.
    auth: required
    arguments:
      - name: TARGET
        summary: A page URL or a job id.
        field: url
        accepts_url: {hosts: [media], id: "^job_[a-z0-9]+$"}
    flags:
      - name: --html
        type: boolean
        summary: Ask for HTML.
        sets: {formats: [html]}
      - name: --request-key
        value_name: KEY
        summary: A retry key.
        field: retry_key
        generate: {pattern: "r-{hex8}", warn: true}
      - name: --job
        value_name: ID
        summary: A job id.
        field: job_ref
        accepts_url: {hosts: [media], id: "^job_[a-z0-9]+$"}
      - name: --wait
        type: boolean
        summary: Wait for the job.
      - name: --interval
        type: number
        value_name: S
        summary: Seconds between polls.
      - name: --limit-seconds
        type: number
        value_name: S
        summary: Seconds to wait in all.
      - name: --output
        short: -o
        type: path
        value_name: PATH
        summary: Where to write it.
      - name: --overwrite
        type: boolean
        summary: Replace an existing file.
      - name: --raw
        type: boolean
        summary: Print the page only.
    routes:
      - when: {flag: --mode, equals: fancy}
        endpoint: fetch-start
      - when: {flag: --job, equals: x}
        endpoint: job-show
        fields: {--job: job_id}
      - when: {argument: TARGET, matches: "^job_"}
        endpoint: job-show
        fields: {TARGET: job_id}
      - endpoint: fetch-start
    steps:
      - poll:
          endpoint: job-show
          id: job.id
          status: job.status
          done: [completed]
          interval: {flag: --interval, unit: s, default: 1}
          timeout: {flag: --limit-seconds, unit: s, default: 30}
          when: --wait
      - download: {url: page.url, to: --output, name: page.id, type: page.mime, size: page.size, sha256: page.sha256, overwrite: --overwrite}
      - copy: {from: [page.url], to: link, in: [""], keep_fragment: true}
      - print: {field: page.text, when: --raw}
    examples:
      - argv: [fetch, https://media.echo.example.com/job_abc, --wait]
        shows: Wait for a job.
  - path: put
    summary: Store a file.
    auth: required
    endpoint: file-put
    arguments:
      - {name: FILE, type: path, summary: The file., field: file_id}
    flags:
      - {name: --tag, repeatable: true, value_name: TAG, summary: A tag.}
      - {name: --save-to, type: path, value_name: PATH, summary: Write the reply here.}
      - {name: --replace, type: boolean, summary: Replace an existing file.}
    steps:
      - upload:
          values: [FILE]
          skip_if: "^file_[a-z0-9]+$"
          endpoint: upload
          body: {name: name, content: base64}
          types: {txt: text/plain}
          kinds: {file: local, url: remote}
          id: file.id
          kinds: {file: local, url: remote}
      - hook: {call: "tags:tag_object", reads: [--tag], writes: [tags]}
      - write_output: {flag: --save-to, overwrite: --replace}
    examples:
      - argv: [put, ./notes.txt, --tag, a=b]
        shows: Store a file.
  - path: join
    summary: Get a key.
    endpoint: join
    flags:
      - {name: --save, type: boolean, summary: Save the key.}
      - {name: --show, type: boolean, summary: Print the key.}
    steps:
      - save_credential: {from: key, when: --save, reveal: --show, request_field: return_key, report: storage}
    examples:
      - argv: [join, --save]
        shows: A saved key.
  - path: status
    summary: Where the client points.
    surface: local
    steps:
      - status: {endpoint: join}
    examples:
      - argv: [status]
        shows: The client's settings.
  - path: manual
    summary: List the commands.
    surface: local
    flags:
      - {name: --skill, type: boolean, summary: Print the skill file.}
    steps:
      - help: {skill_flag: --skill}
    examples:
      - argv: [manual]
        shows: The commands.
  - path: forget
    summary: Forget the saved key.
    surface: local
    steps:
      - credential: {action: forget}
    examples:
      - argv: [forget]
        shows: Forget the key.
endpoints:
  - id: fetch-start
    method: POST
    path: /v1/fetch
    summary: Start a fetch.
    auth: required
    headers:
      - {name: x-retry-key, description: A retry key.}
    body:
      - {name: url, type: string, required: true}
      - {name: formats, type: array}
      - {name: retry_key, type: string}
      - {name: job_ref, type: string}
      - {name: trace, type: boolean}
      - {name: session, type: string}
      - {name: mode, type: string}
  - id: job-show
    method: GET
    path: /v1/jobs/{job_id}
    summary: One job.
    auth: required
    path_params:
      - {name: job_id, type: string, required: true}
  - id: upload
    method: POST
    path: /v1/uploads
    summary: Upload a file.
    auth: required
    body:
      - {name: name, type: string, required: true}
      - {name: content, type: string, required: true}
  - id: file-put
    method: POST
    path: /v1/files
    summary: Store an uploaded file.
    auth: required
    body:
      - {name: file_id, type: string, required: true}
      - {name: tags, type: object}
  - id: join
    method: POST
    path: /v1/join
    summary: Issue a key.
    body:
      - {name: return_key, type: boolean}
error_codes:
  - {code: USAGE, exit_code: 2, meaning: Bad arguments., source: client}
  - {code: UPSTREAM, exit_code: 7, retryable: true, meaning: The API failed., source: client}
protocol:
  base_url:
    default: https://api.echo.example.com
    env: [ECHO_API_BASE_URL]
    flag: --api-base-url
  credential:
    scheme: header
    name: x-api-key
    prefix: "Key "
    shape: "^esk_[A-Za-z0-9]{8,}$"
    sources:
      - stdin: --key-stdin
      - flag: --key
      - env: ECHO_TOKEN
      - config: key
  config: {folder: echo-skill, file: config.json, env: ECHO_CONFIG_PATH, base_key: base}
  replies:
    style: envelope
    ok: ok
    data: data
    error_code: error.code
    error_message: error.message
    retryable: error.retryable
    recovery: error.recovery
    trace_id: trace_id
    statuses: {"5xx": UPSTREAM}
    exit_code_header: x-exit-code
  errors:
    usage: USAGE
    unknown_command: USAGE
    network: UPSTREAM
    timeout: UPSTREAM
    bad_reply: UPSTREAM
    internal: UPSTREAM
    credential_missing: USAGE
    base_refused: USAGE
    local_file: USAGE
    output_exists: USAGE
    download_failed: UPSTREAM
    integrity: UPSTREAM
    config_write: USAGE
  output: {style: envelope, json_flag: --json, readable: true}
  default_command: {command: fetch, when: url}
  hooks: keyed_hooks
"""
)

# (hostile string, a piece of it that any altered copy would still hold, or None)
HOSTILE: list[tuple[str, str | None]] = [
    ("Q{{ 7*7 }}Q", "7*7"),
    ("Q{% raw %}Q", "{% raw %}"),
    ("Q{# x #}Q", "{# x #}"),
    ("<script>alert(1)</script>", "alert(1)"),
    ("<img src=x onerror=alert(1)>", "onerror"),
    ("[x](javascript:alert(1))", "javascript:"),
    ("x {: onclick=alert(1) }", "onclick"),
    ('x" onmouseover="alert(1)', "onmouseover"),
    ("---", None),
    ("key: value", "key: value"),
    ("a\x1b[31mb", None),
    ("a\x00b", None),
    ("a\x7fb", None),
    ("a\x9bb", None),
    ("a\x85b", None),
    ("a\u202eb", None),
    ("a\u2066b\u2069", None),
    ("a\tb", None),
    ("two\nlines", None),
    ("```", None),
    ("a `b` c", None),
    ("a | b", None),
    ("# heading", None),
    ("AT&T &lt;b&gt;", "&lt;b&gt;"),
]
HOSTILE_IDS = [repr(h)[1:-1][:24] for h, _ in HOSTILE]

#: Where a field's value must appear, exactly, in the SKILL.md front matter.
FRONT_MATTER = {
    ("skills", 0, "description"): "description",
    ("skills", 0, "license"): "license",
    ("skills", 0, "compatibility"): "compatibility",
}


def full_spec() -> dict[str, Any]:
    data = copy.deepcopy(MINIMAL)
    for key, value in copy.deepcopy(EXTRA).items():
        if isinstance(value, dict) and isinstance(data.get(key), dict):
            merge(data[key], value)
        else:
            data[key] = value
    for key, value in copy.deepcopy(CONTRACT).items():
        if isinstance(value, list):
            data[key] = [*data.get(key, []), *value]
        else:
            data[key] = value
    return data


def merge(into: dict[str, Any], extra: dict[str, Any]) -> None:
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            merge(into[key], value)
        else:
            into[key] = value


def dump(data: dict[str, Any]) -> str:
    # Non-ASCII as escapes: U+0085 written raw is a line break to YAML (and refused as such
    # by the loader); escaped, it reaches the value and the rules that check it.
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    return yaml.dump(data, Dumper=dumper, sort_keys=False, allow_unicode=False, width=1000)


def place(data: dict[str, Any], field: StringField, value: str) -> PathKey:
    """Put ``value`` into ``field`` of ``data``; return the concrete path it landed at.

    ``field.path`` says ``0`` for "an item of this list"; the first item that holds the
    next key is taken (steps of different kinds, credential sources, commands with
    routes sit at other indexes)."""
    parts = field.path
    full = _concrete(data, parts)  # an item that already holds the field, when there is one
    concrete = full[:-1] if full is not None else _concrete(data, parts[:-1])
    if concrete is None:
        # the last key may be an optional string FULL leaves out: any item of the last list will do
        concrete = _concrete(data, parts[:-1], lenient=True)
    if concrete is None:
        raise AssertionError(f"FULL has nothing at {format_path(parts[:-1])}; add it")
    parent: Any = data
    for part in concrete:
        parent = parent[part]
    path: PathKey = (*concrete, parts[-1])
    name = parts[-1]
    if field.shape == "str":  # an optional field FULL leaves out is set all the same
        parent[name] = value
        return path
    parent.setdefault(name, {} if field.shape == "dict" else [])
    if field.shape == "dict":
        assert parent[name], f"FULL has an empty {format_path(path)}; give it an entry"
        parent[name][value] = next(iter(parent[name].values()))
        return path + (value,)
    items = parent[name]
    if items and isinstance(items[0], list):  # one_of: a list of groups
        items[0].append(value)
        return path + (0, len(items[0]) - 1)
    if name == "argv":  # the last word is a flag's value
        items[-1] = value
        return path + (len(items) - 1,)
    items.append(value)
    return path + (len(items) - 1,)


def _concrete(node: Any, parts: PathKey, *, lenient: bool = False) -> list[Any] | None:
    """The first concrete path that walks ``parts`` (``0`` = any list item) through ``node``."""
    if not parts:
        return []
    part, rest = parts[0], parts[1:]
    if isinstance(part, int):
        if not isinstance(node, list):
            return None
        for index, item in enumerate(node):
            found = _concrete(item, rest, lenient=lenient)
            if found is not None:
                return [index, *found]
        return None
    if isinstance(node, dict) and part in node:
        found = _concrete(node[part], rest, lenient=lenient)
        return None if found is None else [part, *found]
    return None


FIELDS = list(string_fields(Spec))


def test_full_spec_is_valid_and_uses_every_string_field() -> None:
    data = full_spec()
    result = load_spec_text(dump(data), "full.yaml", HOOKS_BASE)
    assert result.ok, [d.format_text() for d in result.diagnostics]
    assert [d for d in result.diagnostics if d.severity is Severity.ERROR] == []
    for field in FIELDS:
        place(copy.deepcopy(data), field, "x")  # fails if FULL lacks the field
    assert len(FIELDS) > 100


def _names_field(diagnostic_path: str, field_path: str) -> bool:
    return diagnostic_path.startswith(field_path) or (bool(diagnostic_path) and field_path.startswith(diagnostic_path))


@cache
def full_document() -> LoadedDocument:
    doc, problems = load_text(dump(full_spec()), "spec.yaml")
    assert doc is not None and not problems
    return doc


def validate_variant(data: dict[str, Any]) -> LoadResult:
    """Validate ``data`` as if it were the full spec's file with one value changed.

    Dumping and parsing each of the thousands of variants would take most of a minute;
    the dump escapes every hostile character, so a variant's values are exactly those
    of ``data``, and every value keeps the line and column it has in the full spec's
    file (an appended list item reports its list's).
    """
    base = full_document()
    return validate_document(
        LoadedDocument(base.file, data, value_marks=base.value_marks, key_marks=base.key_marks), HOOKS_BASE
    )


@cache
def outcome(hostile: str) -> tuple[list[tuple[StringField, PathKey]], list[str]]:
    """Fields that accept ``hostile`` (with the path it lands at), and refusals that do
    not name their field."""
    accepted: list[tuple[StringField, PathKey]] = []
    unlocated: list[str] = []
    for field in FIELDS:
        data = full_spec()
        path = place(data, field, hostile)
        result = validate_variant(data)
        errors = [d for d in result.diagnostics if d.severity is Severity.ERROR]
        if not errors:
            accepted.append((field, path))
            continue
        where = format_path(path)
        # A consistency rule may refuse the example elsewhere (the response example no longer
        # answers the changed request); it quotes the value it compared, which is located enough.
        echo = [d for d in errors if d.code == "example-response-echo" and hostile in d.message]
        if echo and len(echo) == len(errors):
            continue
        if not any(_names_field(d.path, where) and d.line >= 1 and d.col >= 1 for d in errors):
            unlocated.append(f"{where}: {[d.format_text() for d in errors][:3]}")
    return accepted, unlocated


@pytest.mark.parametrize(("hostile", "piece"), HOSTILE, ids=HOSTILE_IDS)
def test_validate_refuses_at_the_field_or_accepts(hostile: str, piece: str | None) -> None:
    _, unlocated = outcome(hostile)
    assert not unlocated, "refused without naming the field:\n" + "\n".join(unlocated)


CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def test_control_and_bidi_characters_are_refused_everywhere_but_line_breaks_in_markdown() -> None:
    for hostile, _ in HOSTILE:
        accepted, _ = outcome(hostile)
        if CONTROL.search(hostile):
            assert accepted == [], f"{hostile!r} accepted in {[format_path(p) for _, p in accepted]}"


class _Html(HTMLParser):
    """Script-capable things in one HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.in_script = False
        self.in_json_ld = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.in_script = tag == "script"
        # JSON-LD is data a browser never runs; it must stay one whole JSON value, so no
        # spec text can close the element early (checked in handle_data)
        self.in_json_ld = tag == "script" and ("type", "application/ld+json") in attrs
        for name, value in attrs:
            value = value or ""
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}={value!r}>")
            if name in ("href", "src", "action", "formaction", "srcset", "poster") and unsafe_url(value):
                self.problems.append(f"<{tag} {name}={value!r}>")
            if tag == "img" and name == "src" and value == "x":
                self.problems.append("<img src=x> from the spec")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self.in_script = False

    def handle_data(self, data: str) -> None:
        if self.in_script and self.in_json_ld:
            try:
                json.loads(data)
            except ValueError:
                self.problems.append(f"<script type=application/ld+json> broken: {data[:60]}")
        elif self.in_script and "alert(" in data:
            self.problems.append(f"<script>{data[:60]}</script>")


def _front_matter(text: str) -> dict[str, Any]:
    assert text.startswith("---\n"), text[:60]
    head = text[4:].split("\n---\n", 1)[0]
    meta = yaml.safe_load(head)
    assert isinstance(meta, dict)
    return meta


def _json_strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in [k, *_json_strings(v)]]
    if isinstance(value, list):
        return [s for item in value for s in _json_strings(item)]
    return []


TEXT_OUTPUT = (".md", ".txt", ".json", ".yml", ".html", ".xml", ".css")


@pytest.mark.parametrize(("hostile", "piece"), HOSTILE, ids=HOSTILE_IDS)
def test_accepted_hostile_strings_are_written_harmlessly(hostile: str, piece: str | None, tmp_path: Path) -> None:
    accepted, _ = outcome(hostile)
    if not accepted:
        return  # refused everywhere (control and bidi characters): nothing is written
    data = full_spec()
    for field, _ in accepted:
        place(data, field, hostile)
    result = load_spec_text(dump(data), "spec.yaml", HOOKS_BASE)
    assert result.ok and result.spec is not None, [d.format_text() for d in result.diagnostics]
    rendered = render_all(result.spec)
    assert not [d for d in rendered.diagnostics if d.severity is Severity.ERROR]
    for rel, content in rendered.files.items():
        target = tmp_path / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    warnings = mkdocs_build(tmp_path / "site" / "mkdocs.yml", tmp_path / "_site")
    assert warnings == []
    outputs = {
        p.relative_to(tmp_path).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(tmp_path.rglob("*"))
        if p.is_file() and p.suffix in TEXT_OUTPUT
    }
    accepted_paths = {path for _, path in accepted}

    # (a) nothing was evaluated as a template
    for rel, text in outputs.items():
        if "{{ 7*7 }}" in hostile:
            assert "Q49Q" not in text, f"{rel}: a template evaluated {hostile!r}"
        if "{# x #}" in hostile or "{% raw %}" in hostile:
            assert "QQ" not in text, f"{rel}: a template evaluated {hostile!r}"

    # (b) no script from the spec in the built HTML
    for rel, text in outputs.items():
        if rel.startswith("_site/") and rel.endswith(".html"):
            page = _Html()
            page.feed(text)
            assert not page.problems, f"{rel}: {page.problems}"

    # (c) SKILL.md front matter parses and holds the exact value
    skill_files = [rel for rel in outputs if rel.endswith(("/SKILL.md", "/skill.md")) and not rel.startswith("_site/")]
    assert skill_files
    for rel in skill_files:
        meta = _front_matter(outputs[rel])
        assert isinstance(meta.get("name"), str) and isinstance(meta.get("description"), str)
        for path, key in FRONT_MATTER.items():
            if path in accepted_paths:
                assert meta[key] == hostile, f"{rel}: front matter {key} is {meta[key]!r}"

    # (d) JSON parses and holds the exact value, never an altered copy
    json_files = [rel for rel in outputs if rel.endswith(".json") and not rel.startswith("_site/")]
    assert "site/agent/commands.json" in json_files
    for rel in json_files:
        strings = _json_strings(json.loads(outputs[rel]))
        if piece:
            altered = [s for s in strings if piece in s and hostile not in s]
            assert not altered, f"{rel}: altered copies of {hostile!r}: {altered[:3]}"
    if ("commands", 0, "summary") in accepted_paths:
        manifest = json.loads(outputs["site/agent/commands.json"])
        assert manifest["commands"][0]["summary"] == hostile
