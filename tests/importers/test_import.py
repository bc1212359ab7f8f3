"""`skillpress import`: drafts from real public material validate, build and keep the facts.

Inputs and their sources are listed in tests/importers/SOURCES.md. The recall test
imports the image-skill 0.1.9 package, builds the tree from the draft and counts how
many of the facts the original states (listed by hand in image-skill-0.1.9.facts.json)
the rebuilt files state again.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from skillpress.spec import load_spec
from tests.cli import invoke

HERE = Path(__file__).resolve().parent
PACKAGE = HERE / "image-skill-0.1.9"
FACTS = json.loads((HERE / "image-skill-0.1.9.facts.json").read_text(encoding="utf-8"))
OPENAPI = sorted((HERE / "openapi").glob("*.yaml"))
RECALL_FLOOR = 0.9


@pytest.fixture(autouse=True)
def _fixed_date(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01


def _import(kind: str, source: Path | str, out: Path, *extra: str) -> Any:
    result = invoke(["import", kind, str(source), "--out", str(out), *extra])
    assert result.exception is None, result.exception
    return result


def _built_text(spec: Path) -> str:
    build = invoke(["build", str(spec), "--out", str(spec.parent)])
    assert build.exit_code == 0, build.output
    texts = []
    for path in sorted(spec.parent.rglob("*")):
        if path.is_file() and path != spec and path.suffix in (".md", ".txt", ".json", ".html", ".yml"):
            texts.append(path.read_text(encoding="utf-8", errors="replace"))
    return "\n".join(texts)


def _endpoint_key(method: str, path: str) -> str:
    return f"{method} " + re.sub(r"\{[^}]*\}|(?<=/)[A-Z][A-Z0-9_]*(?=/|$)", "{}", path)


def _stated(text: str) -> dict[str, set[str]]:
    """What the rebuilt tree states, in the oracle's terms."""
    cli = FACTS["cli"]
    return {
        "commands": {c for c in FACTS["commands"] if re.search(rf"{re.escape(cli)} {re.escape(c)}(?![\w-])", text)},
        "flags": {f for f in FACTS["flags"] if re.search(rf"(?<![\w-]){re.escape(f)}(?![\w-])", text)},
        "endpoints": {
            _endpoint_key(m, p) for m, p in re.findall(r"\b(GET|POST|PUT|PATCH|DELETE) `?(/[A-Za-z0-9/_.{}-]*)", text)
        },
        "event_types": {e for e in FACTS["event_types"] if re.search(rf"(?<![\w.]){re.escape(e)}(?![\w.])", text)},
        "exit_codes": {str(c) for c in FACTS["exit_codes"] if re.search(rf"\| {c} \| `[a-z0-9-]+` \||\b{c} \(`", text)},
        "error_codes": {e for e in FACTS["error_codes"] if re.search(rf"\b{e}\b", text)},
        "env_vars": {v for v in FACTS["env_vars"] if re.search(rf"\b{re.escape(v)}\b", text)},
    }


def test_image_skill_package_rebuilds_90_percent_of_its_facts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = tmp_path / "spec.yaml"
    result = _import("package", PACKAGE, spec)
    assert result.exit_code == 0, result.output
    assert load_spec(spec).ok
    stated = _stated(_built_text(spec))
    figures = {}
    total_found = total = 0
    for kind in ("commands", "flags", "endpoints", "event_types", "exit_codes", "error_codes", "env_vars"):
        wanted = (
            {_endpoint_key(*e.split(" ", 1)) for e in FACTS[kind]}
            if kind == "endpoints"
            else {str(x) for x in FACTS[kind]}
        )
        found = wanted & stated[kind]
        figures[kind] = (len(found), len(wanted), sorted(wanted - found))
        total_found += len(found)
        total += len(wanted)
    with capsys.disabled():
        for kind, (found_n, wanted_n, missing) in figures.items():
            print(
                f"\nrecall {kind}: {found_n}/{wanted_n} = {found_n / wanted_n:.0%}"
                + (f" missing {missing}" if missing else "")
            )
        print(f"recall overall: {total_found}/{total} = {total_found / total:.1%}")
    for kind, (found_n, wanted_n, missing) in figures.items():
        assert found_n / wanted_n >= RECALL_FLOOR, f"{kind}: {found_n}/{wanted_n}, missing {missing}"


def test_a_second_package_imports_without_knowing_the_product(tmp_path: Path) -> None:
    """The Firecrawl CLI's hand-kept files: another layout (README + skills/NAME/SKILL.md),
    quoted positional queries, banners in code blocks and shell loops."""
    spec = tmp_path / "spec.yaml"
    result = _import("package", HERE / "firecrawl-cli-1.3.1", spec, "--no-help")
    assert result.exit_code == 0, result.output
    loaded = load_spec(spec)
    assert loaded.ok and loaded.spec is not None
    paths = set(loaded.spec.commands_by_path)
    assert {"scrape", "search", "map", "crawl", "agent", "login", "logout", "credit-usage", "config"} <= paths
    assert not {"cli", "search restaurants"} & paths  # a banner and a quoted query are not commands
    assert {"--limit", "--sources", "--categories"} <= {f.name for f in loaded.spec.commands_by_path["search"].flags}
    assert {"FIRECRAWL_API_KEY", "FIRECRAWL_API_URL"} <= {v.name for v in loaded.spec.environment}
    assert "url" not in {v.name for v in loaded.spec.environment}  # a loop variable, not the environment
    assert loaded.spec.product.cli_name == "firecrawl" and loaded.spec.product.version == "1.3.1"
    _built_text(spec)


def test_package_draft_marks_what_needs_a_person(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    result = _import("package", PACKAGE, spec)
    assert result.exit_code == 0
    text = spec.read_text(encoding="utf-8")
    assert "# review: the product's own words, from cli.md" in text
    validate = invoke(["validate", str(spec)])
    assert validate.exit_code == 0
    todos = [line for line in validate.stdout.splitlines() if "warning[todo]" in line]
    assert todos, validate.stdout
    # each warning names the file, a line that holds a TODO value, and the field
    for line in todos[:20]:
        where, _, rest = line.partition(": warning[todo] ")
        line_no = int(where.split(":")[-2])
        assert "TODO" in text.splitlines()[line_no - 1], line
        assert rest.split(":")[0]
    assert "needs a person:" in result.stderr and "found: 27 commands" in result.stderr


def _operations(document: Path) -> list[tuple[str, str]]:
    data = yaml.safe_load(document.read_text(encoding="utf-8"))
    return [
        (method.upper(), path)
        for path, item in data["paths"].items()
        for method in ("get", "put", "post", "delete", "patch")
        if method in item
    ]


@pytest.mark.parametrize("document", OPENAPI, ids=[p.stem for p in OPENAPI])
def test_openapi_document_gives_a_spec_that_validates_builds_and_covers_every_operation(
    document: Path, tmp_path: Path
) -> None:
    spec = tmp_path / "spec.yaml"
    result = _import("openapi", document, spec)
    assert result.exit_code == 0, result.output
    loaded = load_spec(spec)
    assert loaded.ok, [d.format_text() for d in loaded.diagnostics]
    assert loaded.spec is not None
    _built_text(spec)
    called = {
        (loaded.spec.endpoints_by_id[c.endpoint].method, loaded.spec.endpoints_by_id[c.endpoint].path)
        for c in loaded.spec.commands
        if c.endpoint
    }
    for method, path in _operations(document):
        template = re.sub(r"\\\{[^}]*\\\}", r"\\{[A-Za-z0-9_]+\\}", re.escape(path.rstrip("/")))
        pattern = re.compile(r"(/[A-Za-z0-9_.-]+)*" + template + ("/?" if path == "/" else ""))
        assert any(m == method and pattern.fullmatch(p) for m, p in called), f"no command calls {method} {path}"


def test_openapi_flags_types_choices_defaults_and_credential(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    assert _import("openapi", HERE / "openapi" / "petstore3.yaml", spec).exit_code == 0
    loaded = load_spec(spec)
    assert loaded.spec is not None
    by_path = loaded.spec.commands_by_path
    status = by_path["pet find-by-status"].flag("--status")
    assert status is not None and status.choices == ["available", "pending", "sold"] and status.default == "available"
    get = by_path["pet get-by-id"]
    assert [(a.name, a.type.value, a.field) for a in get.arguments] == [("PET_ID", "integer", "petId")]
    assert get.auth.value == "required"
    add = by_path["pet add"]
    assert {f.name: (f.type.value, f.required) for f in add.flags}["--photo-urls"] == ("csv", True)
    endpoint = loaded.spec.endpoints_by_id["get-pet-by-id"]
    assert (endpoint.method, endpoint.path) == ("GET", "/api/v3/pet/{petId}")
    assert "NOT_FOUND" in endpoint.errors
    protocol = loaded.spec.protocol
    assert protocol is not None and protocol.credential is not None
    assert protocol.credential.scheme == "bearer"  # petstore_auth is OAuth2: an access token as a bearer
    assert protocol.replies.statuses["404"] == "NOT_FOUND"
    assert loaded.spec.product.urls.api == "https://petstore3.swagger.io"


def test_openapi_bearer_and_api_key_schemes(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    assert _import("openapi", HERE / "openapi" / "tictactoe.yaml", spec).exit_code == 0
    loaded = load_spec(spec)
    assert loaded.spec is not None and loaded.spec.protocol is not None
    credential = loaded.spec.protocol.credential
    assert credential is not None and credential.scheme == "bearer"
    document = tmp_path / "key.yaml"
    document.write_text(
        "openapi: 3.0.3\ninfo: {title: Key API, version: 2.1.0}\nservers: [{url: 'https://api.key.example/v2'}]\n"
        "components:\n  securitySchemes:\n    key: {type: apiKey, in: header, name: X-Api-Key}\n"
        "security: [{key: []}]\n"
        "paths:\n  /items:\n    get:\n      operationId: listItems\n      parameters:\n"
        "        - {name: limit, in: query, schema: {type: integer, default: 10}}\n"
        "      responses: {'200': {description: ok}, '429': {description: slow down}}\n",
        encoding="utf-8",
    )
    out = tmp_path / "key-spec.yaml"
    assert _import("openapi", document, out).exit_code == 0
    loaded = load_spec(out)
    assert loaded.ok and loaded.spec is not None and loaded.spec.protocol is not None
    credential = loaded.spec.protocol.credential
    assert credential is not None and (credential.scheme, credential.name) == ("header", "X-Api-Key")
    command = loaded.spec.commands_by_path["list-items"]
    assert command.auth.value == "required"
    limit = command.flag("--limit")
    assert limit is not None and (limit.type.value, limit.default, limit.field) == ("integer", 10, "limit")
    assert loaded.spec.endpoints_by_id["list-items"].path == "/v2/items"


def test_import_is_deterministic_and_never_overwrites(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    assert _import("openapi", OPENAPI[0], spec).exit_code == 0
    first = spec.read_bytes()
    again = _import("openapi", OPENAPI[0], spec)
    assert again.exit_code == 2 and "exists; pass --force" in again.stderr
    assert spec.read_bytes() == first
    assert _import("openapi", OPENAPI[0], spec, "--force").exit_code == 0
    assert spec.read_bytes() == first
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp file left behind


def test_json_document_gives_the_same_draft(tmp_path: Path) -> None:
    document = HERE / "openapi" / "tictactoe.yaml"
    as_json = tmp_path / "tictactoe.json"
    as_json.write_text(json.dumps(yaml.safe_load(document.read_text(encoding="utf-8"))), encoding="utf-8")
    from_yaml, from_json = tmp_path / "a.yaml", tmp_path / "b.yaml"
    assert _import("openapi", document, from_yaml).exit_code == 0
    assert _import("openapi", f"file://{as_json}", from_json).exit_code == 0
    strip = lambda text: [line for line in text.splitlines() if "tictactoe." not in line]  # noqa: E731
    assert strip(from_yaml.read_text(encoding="utf-8")) == strip(from_json.read_text(encoding="utf-8"))


def test_package_import_is_deterministic(tmp_path: Path) -> None:
    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    assert _import("package", PACKAGE, first).exit_code == 0
    assert _import("package", PACKAGE, second).exit_code == 0
    assert first.read_bytes() == second.read_bytes()


def test_import_without_a_kind_prints_its_usage() -> None:
    result = invoke(["import"])
    assert result.exit_code == 2 and "openapi" in result.stderr and "package" in result.stderr


def test_import_to_stdout(tmp_path: Path) -> None:
    result = _import("openapi", OPENAPI[0], Path("-"))
    assert result.exit_code == 0 and result.stdout.startswith("# Draft spec imported from the OpenAPI document")
    assert "Imported" in result.stderr


# --------------------------------------------------------------------------- hostile input


def _hostile_documents() -> Iterator[tuple[str, str, str]]:
    """(id, document text, the located problem expected)."""
    yield "yaml-syntax", "openapi: 3.0.0\ninfo: [unclosed\n", "yaml-syntax"
    yield "swagger-2", "swagger: '2.0'\ninfo: {title: x, version: '1'}\npaths: {}\n", "openapi-version"
    yield "not-openapi", "name: something else\n", "openapi-version"
    yield "top-level-list", "- 1\n- 2\n", "openapi-shape"
    yield (
        "external-ref",
        (
            "openapi: 3.0.0\ninfo: {title: x, version: 1.0.0}\npaths:\n  /a:\n    get:\n      responses:\n"
            "        '200': {$ref: 'other.yaml#/r'}\n"
        ),
        "openapi-ref",
    )
    yield (
        "url-ref",
        "openapi: 3.1.0\ninfo: {title: x, version: 1.0.0}\npaths:\n  /a:\n    $ref: 'https://example.com/x.yaml'\n",
        "openapi-ref",
    )
    yield "invalid-structure", "openapi: 3.0.0\ninfo: {title: x}\npaths: 7\n", "openapi-invalid"
    yield "alias-bomb", "openapi: 3.0.0\na: &a [x, x]\nb: [*a, *a]\n", "yaml-alias"
    yield "no-operations", "openapi: 3.0.0\ninfo: {title: x, version: 1.0.0}\npaths: {}\n", "openapi-empty"
    yield (
        "dangling-ref",
        (
            "openapi: 3.0.0\ninfo: {title: x, version: 1.0.0}\npaths:\n  /a:\n    get:\n      responses:\n"
            "        '200': {$ref: '#/components/responses/missing'}\n"
        ),
        "openapi-invalid",
    )
    yield "deep", "openapi: 3.0.0\nx: " + "[" * 500 + "]" * 500 + "\n", "yaml-too-deep"


HOSTILE = list(_hostile_documents())


@pytest.mark.parametrize(("text", "code"), [(t, c) for _, t, c in HOSTILE], ids=[i for i, _, _ in HOSTILE])
def test_hostile_openapi_gives_located_errors_not_tracebacks(text: str, code: str, tmp_path: Path) -> None:
    document = tmp_path / "api.yaml"
    document.write_text(text, encoding="utf-8")
    out = tmp_path / "spec.yaml"
    result = _import("openapi", document, out)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert re.search(rf"api\.yaml:\d+:\d+: error\[{code}\]", result.stderr), result.stderr
    assert not out.exists()


def test_hostile_but_valid_openapi_gives_a_valid_draft_with_todos(tmp_path: Path) -> None:
    out = tmp_path / "spec.yaml"
    result = _import("openapi", HERE / "hostile-openapi.yaml", out)
    assert result.exit_code == 0, result.output
    assert load_spec(out).ok
    text = out.read_text(encoding="utf-8")
    # markup stays only where it is shown as plain text (the name) or in the comment keeping the original
    assert [line.split(":")[0].strip() for line in text.splitlines() if "<script>" in line] == [
        "name",
        "# original",
        "# original",
    ]
    assert "\u202e" not in text and "\x07" not in text
    assert "the imported text broke the `markdown-safe` rule" in text
    assert "the imported text broke the `text-chars` rule" in text
    assert "cookie parameter 'session' is not sent by the client" in result.stderr
    assert "\u202e" not in result.stderr


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("missing.yaml", "file not found"),
        ("https://example.com/openapi.yaml", "only local files are imported"),
        (".", "is a directory"),
    ],
)
def test_unreadable_openapi_source_exits_2(source: str, message: str, tmp_path: Path) -> None:
    os.chdir(tmp_path)
    result = _import("openapi", source, tmp_path / "spec.yaml")
    assert result.exit_code == 2 and message in result.stderr and "Traceback" not in result.output


def test_hostile_packages(tmp_path: Path) -> None:
    missing = _import("package", tmp_path / "nope", tmp_path / "a.yaml")
    assert missing.exit_code == 2 and "folder not found" in missing.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    assert _import("package", empty, tmp_path / "b.yaml").exit_code == 2
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "package.json").write_text("{not json", encoding="utf-8")
    result = _import("package", broken, tmp_path / "c.yaml")
    assert result.exit_code == 1 and re.search(r"package\.json:1:1: error\[package-json\]", result.stderr)
    quiet = tmp_path / "quiet"
    quiet.mkdir()
    (quiet / "skill.md").write_text("---\nname: quiet\n---\n# Quiet\n\nNo commands here.\n", encoding="utf-8")
    result = _import("package", quiet, tmp_path / "d.yaml")
    assert result.exit_code == 1 and "error[package-empty]" in result.stderr
    leaky = tmp_path / "leaky"
    leaky.mkdir()
    secret = tmp_path / "outside.md"
    secret.write_text("```bash\nleaky steal --everything\n```\n", encoding="utf-8")
    (leaky / "cli.md").symlink_to(secret)  # a link out of the package is not read
    (leaky / "skill.md").write_text("---\nname: leaky\n---\n```bash\nleaky run --x\n```\n", encoding="utf-8")
    result = _import("package", leaky, tmp_path / "f.yaml")
    assert result.exit_code == 0, result.output
    assert "steal" not in (tmp_path / "f.yaml").read_text(encoding="utf-8")
    odd = tmp_path / "odd"
    odd.mkdir()
    (odd / "cli.md").write_bytes(b"# odd\n\n```bash\nodd run --x \x00\x1b[31m 'unclosed\nodd run --y 1\n```\n\xff\xfe")
    (odd / "package.json").write_text('{"name": "odd", "version": "1.0.0", "bin": {"odd": "nope.js"}}')
    result = _import("package", odd, tmp_path / "e.yaml")
    assert result.exit_code == 0, result.output
    assert load_spec(tmp_path / "e.yaml").ok


@pytest.mark.skipif(shutil.which("node") is None, reason="needs node to run the fixture's executable")
def test_package_executable_help_is_read(tmp_path: Path) -> None:
    package = tmp_path / "tool"
    (package / "bin").mkdir(parents=True)
    (package / "package.json").write_text(
        json.dumps({"name": "tool", "version": "2.0.0", "bin": {"tool": "bin/tool.mjs"}}), encoding="utf-8"
    )
    (package / "bin" / "tool.mjs").write_text(
        "const a = process.argv.slice(2);\n"
        "if (a[0] === 'fetch') { console.log('Usage: tool fetch URL [--depth N] [--follow]'); }\n"
        "else { console.log('Usage: tool COMMAND\\n\\nCommands:\\n  fetch   Fetch a page\\n  list    List pages\\n\\n"
        "Options:\\n  --json  Print JSON'); }\n",
        encoding="utf-8",
    )
    (package / "cli.md").write_text("# Tool\n\n```bash\ntool fetch https://example.com --json\n```\n", encoding="utf-8")
    out = tmp_path / "spec.yaml"
    result = _import("package", package, out)
    assert result.exit_code == 0, result.output
    loaded = load_spec(out)
    assert loaded.ok and loaded.spec is not None
    assert {"fetch", "list"} <= set(loaded.spec.commands_by_path)
    fetch = loaded.spec.commands_by_path["fetch"]
    assert fetch.flag("--depth") is not None and fetch.flag("--follow") is not None
    no_help = tmp_path / "no-help.yaml"
    assert _import("package", package, no_help, "--no-help").exit_code == 0
    assert "list" not in (load_spec(no_help).spec or loaded.spec).commands_by_path
