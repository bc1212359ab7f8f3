"""Executable docs: every documented example of both example specs runs through the real
client against the spec-driven mock and gets its documented exit code; a JSON answer holds
the fields the spec calls required.

Per example: a fresh mock (``skillpress.mock.server.MockServer``) and a credential it
issued, given through the spec's first credential variable (or on stdin when the example
pipes one); the files the example reads (flags with ``read``, upload step values) are
created first (an image for image types, ``{}`` for JSON, text otherwise); the client runs
in process with a fake clock, so a poll waits for nothing.
"""

from __future__ import annotations

import io
import json
import os
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest

from skillpress.client import runtime
from skillpress.client.main import main
from skillpress.contract import invocation as grammar
from skillpress.contract import requests
from skillpress.contract.compile import compile_contract
from skillpress.spec.model import Spec
from skillpress.spec.rules import _example_request
from tests.client.conftest import FIRECRAWL_SPEC, IMAGE_SPEC, FakeClock, load

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82"
)


def _examples(path: Path) -> list[Any]:
    spec = load(path)
    return [
        pytest.param(path, ci, ei, id=f"{spec.product.id}: {' '.join(example.argv)}"[:120])
        for ci, command in enumerate(spec.commands)
        for ei, example in enumerate(command.examples)
    ]


CASES = [*_examples(IMAGE_SPEC), *_examples(FIRECRAWL_SPEC)]


def _input_files(contract: dict[str, Any], argv: list[str]) -> list[str]:
    """Relative paths the example reads: flags with ``read`` and upload step values."""
    try:
        parsed = grammar.parse_argv(contract, argv)
    except grammar.Problem:
        return []
    names = {f["name"] for f in grammar.flags_of(contract, parsed.command) if f.get("read")}
    for step in parsed.command.get("steps") or ():
        if step["kind"] == "upload":
            names |= set(step.get("values") or ())
    found: list[str] = []
    for name in names:
        value = parsed.arguments.get(name, parsed.values.get(name))
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str) and item != "-" and "://" not in item and "." in os.path.basename(item):
                found.append(item.partition("@")[0])
    return found


def _make(folder: Path, rel: str) -> None:
    path = folder / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    suffix = path.suffix.lower()
    if suffix in (".png", ".jpg", ".jpeg", ".webp", ".gif", ".avif"):
        path.write_bytes(PNG)
    elif suffix == ".json":
        path.write_text('{"type": "object"}\n', encoding="utf-8")
    else:
        path.write_text("A prompt kept in a file.\n", encoding="utf-8")


def _credential_env(contract: dict[str, Any]) -> str | None:
    settings = contract["protocol"].get("credential") or {}
    return next((s["name"] for s in settings.get("sources") or () if s["kind"] == "env"), None)


def _required_fields(spec: Spec, contract: dict[str, Any], path: str) -> tuple[list[str], list[str]]:
    """(envelope fields, data fields) the spec calls required for a successful answer."""
    envelope = [f.name for f in spec.envelopes.success.fields if f.required] if spec.envelopes else []
    command = next(c for c in spec.commands if c.path == path)
    data: list[str] = []
    if command.endpoint and not command.steps:
        endpoint = spec.endpoint(command.endpoint) if hasattr(spec, "endpoint") else None
        endpoint = endpoint or next((e for e in spec.endpoints if e.id == command.endpoint), None)
        if endpoint is not None and endpoint.response is not None:
            data = [f.name for f in endpoint.response.fields if f.required and not any(c in f.name for c in ".[")]
    return envelope, data


def run_documented(
    spec_path: Path,
    spec: Spec,
    example: Any,
    mock: Any,
    contract: dict[str, Any],
    tmp_path: Path,
    *,
    credential: str | None = None,
) -> tuple[int, bytes, bytes]:
    """Run one documented example through the real client against ``mock``: the files it
    reads made first, a credential the mock issued (``credential``, or a new one) given the
    way the example expects. The client works in ``tmp_path/home/work``."""
    home = tmp_path / "home"
    work = home / "work"
    work.mkdir(parents=True, exist_ok=True)
    bundle = tmp_path / "bundle"
    bundle.mkdir(exist_ok=True)
    (bundle / "SKILL.md").write_text("# skill\n", encoding="utf-8")
    for rel in _input_files(contract, list(example.argv)):
        _make(work, rel)
    hooks = spec.protocol.hooks if spec.protocol else None
    contract["protocol"]["base_url"]["default"] = mock.url
    env = {"HOME": str(home), "XDG_CONFIG_HOME": str(home / "xdg"), "PATH": os.environ.get("PATH", "")}
    if credential is None and contract["protocol"].get("credential"):
        credential = mock.issue_credential()
    stdin = (example.stdin or "").encode()
    variable = _credential_env(contract)
    if credential and example.stdin is not None:
        stdin = credential.encode()
    elif credential and variable:
        env[variable] = credential
    out, err = io.BytesIO(), io.BytesIO()
    clock = FakeClock()
    saved = runtime._sleep, runtime._monotonic
    runtime._sleep, runtime._monotonic = clock.sleep, clock
    cwd = os.getcwd()
    os.chdir(work)
    try:
        code = main(
            list(example.argv),
            env=env,
            stdin=io.BytesIO(stdin),
            stdout=out,
            stderr=err,
            contract=contract,
            bundle_dir=str(bundle),
            hooks_dir=str((spec_path.parent / hooks).resolve()) if hooks else None,
        )
    finally:
        os.chdir(cwd)
        runtime._sleep, runtime._monotonic = saved
    return code, out.getvalue(), err.getvalue()


# Examples show what a call does on an account that can pay for it (a free tier may not
# cover a documented paid call); the short-balance reply has tests of its own.
STARTING_CREDITS = 1_000_000
_MISSING = object()


def _at(value: Any, path: str) -> Any:
    """The value at a dotted path (a number indexes a list), or ``_MISSING``."""
    for part in path.split("."):
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return _MISSING
    return value


def _same(promised: Any, got: Any) -> bool:
    """JSON equality that tells ``true`` from ``1``."""
    if isinstance(promised, bool) or isinstance(got, bool):
        return promised is got
    if isinstance(promised, dict) and isinstance(got, dict):
        return promised.keys() == got.keys() and all(_same(promised[k], got[k]) for k in promised)
    if isinstance(promised, list) and isinstance(got, list):
        return len(promised) == len(got) and all(_same(a, b) for a, b in zip(promised, got, strict=True))
    return bool(promised == got)


def _balance(mock: Any, credential: str | None) -> float | None:
    account = mock.app.store.account_of(credential) if credential else None
    return mock.app.store.balance(account) if account else None


def _received(contract: dict[str, Any], request: dict[str, Any], name: str) -> list[Any]:
    """The values field ``name`` had in one logged request (none when it was not there)."""
    endpoint = contract["endpoints"].get(request.get("endpoint") or "")
    where = requests.placement(endpoint).get(name) if endpoint else None
    if where == "body":
        found = _at(request.get("json"), name)
        return [] if found is _MISSING else [found]
    if where == "query":
        return [value for key, value in request["query"] if key == name] or []
    if where == "header":
        return [request["headers"][name.lower()]] if name.lower() in request["headers"] else []
    if where == "path":
        template = endpoint["path"].split("/")
        sent = request["path"].split("/")
        return [unquote(sent[template.index("{" + name + "}")])] if len(sent) == len(template) else []
    return []


def broken_promises(
    spec: Spec,
    command: Any,
    example: Any,
    *,
    stdout: bytes,
    spent: float | None,
    log: list[dict[str, Any]],
    work: Path,
) -> list[str]:
    """What ``example.expect`` promises and the run did not do (empty: every promise kept).

    ``spent`` is the balance change of the example's account, ``log`` the requests the
    mock received, ``work`` the folder the client ran in. A field under ``sends`` must be
    in some request the mock received, with the value the example gives it (read with the
    spec's own contract, so a client that drops or changes a flag breaks the promise).
    """
    expect = example.expect
    broken: list[str] = []
    if expect.reply:
        try:
            answer = json.loads(stdout)
        except ValueError:
            answer = _MISSING
        for path, value in expect.reply.items():
            got = _at(answer, path) if answer is not _MISSING else _MISSING
            if got is _MISSING:
                broken.append(f"the reply has no {path} (promised {json.dumps(value)})")
            elif not _same(value, got):
                broken.append(f"the reply has {path}: {json.dumps(got)}, promised {json.dumps(value)}")
    if expect.spends is not None:
        if spent is None:
            broken.append("no account to read the credits spent from")
        elif spent != expect.spends:
            broken.append(f"{spent:g} credits spent, promised {expect.spends}")
    for rel in expect.files:
        target = work / rel
        if not target.is_file() or target.stat().st_size == 0:
            broken.append(f"no file written at {rel}")
    if expect.sends:
        honest = compile_contract(spec)
        given = _example_request(spec, command, list(example.argv))
        for name in expect.sends:
            values = [v for request in log for v in _received(honest, request, name)]
            if not values:
                broken.append(f"the mock received no {name}")
            elif name in given:
                want = given[name]
                texts = [requests._text(v) for v in (want if isinstance(want, list) else [want])]
                if not any(_same(want, v) or v in texts or [v] == texts for v in values):
                    broken.append(
                        f"the mock received {name}: {json.dumps(values[0])}, the example gives {json.dumps(want)}"
                    )
    return broken


def _run_with_promises(
    spec_path: Path, spec: Spec, ci: int, ei: int, tmp_path: Path, client_contract: dict[str, Any] | None = None
) -> tuple[int, bytes, bytes, list[str]]:
    """Run one example (the client reading ``client_contract`` when given, the mock always
    the spec's own contract) and check what it promises."""
    from skillpress.mock.server import MockServer

    command = spec.commands[ci]
    example = command.examples[ei]
    contract = compile_contract(spec)
    with MockServer(spec, contract=contract, starting_credits=STARTING_CREDITS) as mock:
        credential = mock.issue_credential() if contract["protocol"].get("credential") else None
        before = _balance(mock, credential)
        code, stdout, stderr = run_documented(
            spec_path, spec, example, mock, client_contract or contract, tmp_path, credential=credential
        )
        after = _balance(mock, credential)
        log = mock.requests()
        compiled = next(c for c in contract["commands"] if c["path"] == command.path)
        if compiled["call"] and code == 0:
            assert log, f"{example.argv}: the client sent nothing to the mock"
    spent = before - after if before is not None and after is not None else None
    broken = (
        broken_promises(spec, command, example, stdout=stdout, spent=spent, log=log, work=tmp_path / "home" / "work")
        if example.expect is not None
        else []
    )
    return code, stdout, stderr, broken


@pytest.mark.parametrize(("spec_path", "ci", "ei"), CASES)
def test_documented_example_runs_against_the_mock(spec_path: Path, ci: int, ei: int, tmp_path: Path) -> None:
    spec = load(spec_path)
    command = spec.commands[ci]
    example = command.examples[ei]
    contract = compile_contract(spec)
    code, stdout, stderr, broken = _run_with_promises(spec_path, spec, ci, ei, tmp_path)
    out, err = io.BytesIO(stdout), io.BytesIO(stderr)
    shown = out.getvalue().decode("utf-8", "replace") + err.getvalue().decode("utf-8", "replace")
    assert code == example.exit_code, f"{example.argv}: exit {code}, documented {example.exit_code}\n{shown}"
    assert broken == [], f"{example.argv}: broken promises {broken}\n{shown}"
    if code != 0 or not out.getvalue().strip():
        return
    try:
        answer = json.loads(out.getvalue())
    except ValueError:
        return  # a verbatim field or a note: nothing to hold fields
    if not isinstance(answer, dict) or ("output" in answer and "bytes" in answer):
        return
    envelope_fields, data_fields = _required_fields(spec, contract, command.path)
    style = contract["protocol"]["output"]["style"]
    data = answer.get("data") if style == "envelope" else answer
    if style == "envelope":
        missing = [f for f in envelope_fields if f not in answer]
        assert missing == [], f"{example.argv}: the envelope lacks {missing}\n{shown}"
    if isinstance(data, dict) and contract["protocol"]["replies"]["style"] == style:
        missing = [f for f in data_fields if f not in data]
        assert missing == [], f"{example.argv}: the answer lacks required fields {missing}\n{shown}"


def _promising(spec: Spec, path: str, flag: str) -> tuple[int, int]:
    """(command index, example index) of the first example of ``path`` that gives ``flag``
    and declares promises."""
    for ci, command in enumerate(spec.commands):
        for ei, example in enumerate(command.examples):
            if command.path == path and flag in example.argv and example.expect is not None:
                return ci, ei
    raise AssertionError(f"no example of {path!r} with {flag} declares promises")


@pytest.mark.parametrize(
    ("spec_path", "path", "flag", "promise"),
    [
        (IMAGE_SPEC, "create", "--dry-run", "9 credits spent, promised 0"),
        (FIRECRAWL_SPEC, "search", "--tbs", "the mock received no tbs"),
    ],
    ids=["image-skill dry run", "firecrawl search"],
)
def test_a_client_that_drops_a_flag_breaks_the_promise(
    spec_path: Path, path: str, flag: str, promise: str, tmp_path: Path
) -> None:
    """The same example, run by a client whose contract no longer maps the flag to its field
    (the mock keeps the spec's contract), still exits 0 but breaks what it promised: a dry
    run that spends, a search sent without its filter."""
    spec = load(spec_path)
    ci, ei = _promising(spec, path, flag)
    code, _, _, broken = _run_with_promises(spec_path, spec, ci, ei, tmp_path / "honest")
    assert (code, broken) == (0, [])
    altered = compile_contract(spec)
    command = next(c for c in altered["commands"] if c["path"] == path)
    for item in command["flags"]:
        if item["name"] == flag:
            item["field"] = None
    code, _, stderr, broken = _run_with_promises(spec_path, spec, ci, ei, tmp_path / "altered", altered)
    assert code == 0, stderr
    assert any(promise in line for line in broken), broken


def test_each_kind_of_promise_is_held_to_what_the_run_did(tmp_path: Path) -> None:
    """A reply value of another type or missing, credits other than promised, an absent or
    empty file and a field the mock never received are each reported; a run that kept them
    all reports nothing."""
    from skillpress.spec.model import Example, Expect

    spec = load(FIRECRAWL_SPEC)
    command = next(c for c in spec.commands if c.path == "search")
    example = Example(
        argv=["search", "news", "--tbs", "qdr:w"],
        shows="A search.",
        expect=Expect(
            reply={"success": True, "data.web.0.position": 1},
            spends=2,
            files=["out/a.json"],
            sends=["query", "tbs"],
        ),
    )
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "a.json").write_text("{}", encoding="utf-8")
    request = {"endpoint": "search", "path": "/v2/search", "query": [], "headers": {}}
    kept = json.dumps({"success": True, "data": {"web": [{"position": 1}]}}).encode()
    sent = {**request, "json": {"query": "news", "tbs": "qdr:w"}}
    assert broken_promises(spec, command, example, stdout=kept, spent=2, log=[sent], work=tmp_path) == []

    (tmp_path / "out" / "a.json").write_text("", encoding="utf-8")
    broken = broken_promises(
        spec,
        command,
        example,
        stdout=json.dumps({"success": 1, "data": {"web": []}}).encode(),
        spent=0,
        log=[{**request, "json": {"query": "news", "tbs": "qdr:m"}}],
        work=tmp_path,
    )
    assert broken == [
        "the reply has success: 1, promised true",
        "the reply has no data.web.0.position (promised 1)",
        "0 credits spent, promised 2",
        "no file written at out/a.json",
        'the mock received tbs: "qdr:m", the example gives "qdr:w"',
    ]
    broken = broken_promises(
        spec, command, example, stdout=kept, spent=2, log=[{**request, "json": {"query": "news"}}], work=tmp_path
    )
    assert broken == ["no file written at out/a.json", "the mock received no tbs"]
