"""Sentences about the compiled contract: what the client does, in words, for the docs.

Everything here reads the compiled contract (``skillpress.contract.compile``), the same
document the client runs on, so the docs describe what the client does and nothing else:

* :func:`protocol_items`: base URL, credential, saved config, replies, retries,
  timeouts and the default command (the "How the client talks to the API" section);
* :func:`exit_rows`: every exit code the client can produce and the error codes that
  lead to it, from the spec's situations, HTTP statuses and codes alone;
* :func:`route_sentence`: which endpoint an invocation calls, when that depends on it;
* :func:`step_sentences`: one sentence per step of a command, from its parameters;
* :func:`flag_notes` and :func:`argument_notes`: the attributes the client acts on
  (env fallback, unit scaling, generated values, file reads, accepted URLs, ...).

Every function returns inline markdown in which each value from the spec has gone
through the escape for its place (``escape.code`` for names, values and patterns,
``escape.md_text`` for text), so templates print the result as it is (in a table cell,
through ``md_cell``). The step descriptions restate what the client runtime does for
each primitive; when ``contract/steps.py`` describes step semantics, they should be
read from there.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from skillpress.contract import protocol
from skillpress.render.escape import code, md_text

#: What the client detects itself, in words (see ``spec.model.SITUATIONS``).
SITUATION_TEXT = {
    "usage": "an invalid invocation",
    "unknown_command": "an unknown command",
    "network": "an API it cannot reach",
    "timeout": "no answer in time",
    "bad_reply": "a reply it cannot read",
    "internal": "an unexpected failure",
    "credential_missing": "no credential where one is needed",
    "base_refused": "an API base it refuses",
    "local_file": "a local file it cannot read or write",
    "output_exists": "an output file that already exists",
    "download_failed": "a failed download",
    "integrity": "a download that fails its size or SHA-256 check",
    "config_write": "a config file it cannot write",
    "upload_type": "a file of a type the upload does not accept",
    "upload_fetch": "a URL it could not fetch for an upload",
    "upload_id": "an upload reply without the id",
}

UPLOAD_FACTS = {
    "kind": "the kind of value (file or URL)",
    "name": "the file name",
    "mime": "the MIME type",
    "size": "the size in bytes",
    "sha256": "the SHA-256 digest",
    "base64": "the content in base64",
    "origin": "where it came from",
}

READ_TEXT = {
    "text": "as text",
    "json": "parsed as JSON",
    "base64": "in base64",
    "lines": "as the list of its non-empty lines",
}

UNITS = {"ms": "milliseconds", "s": "seconds"}


# --------------------------------------------------------------------------- small pieces


def _number(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def _bytes(count: int) -> str:
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if count >= size and count % size == 0:
            return f"{count // size} {unit}"
    return f"{count} bytes"


def _list(items: list[str], last: str = "and") -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {last} " + items[-1]


def _codes(values: list[Any]) -> list[str]:
    return [code(v) for v in values]


def _call(contract: dict[str, Any], endpoint_id: str) -> str:
    endpoint = (contract.get("endpoints") or {}).get(endpoint_id)
    if endpoint is None:
        return code(endpoint_id)
    return code(f"{endpoint['method']} {endpoint['path']}")


def _error(contract: dict[str, Any], situation: str) -> str:
    """```CODE` (exit N)`` for a situation the spec names a code for, else ``""``."""
    declared = ((contract.get("protocol") or {}).get("errors") or {}).get(situation)
    if not declared:
        return ""
    return f"{code(declared)} (exit {protocol.exit_code(contract, declared)})"


def _situation(contract: dict[str, Any], situation: str, lead: str = " with ") -> str:
    """``lead`` then :func:`_error`, or ``""`` when the spec names no code for ``situation``."""
    error = _error(contract, situation)
    return lead + error if error else ""


def _host(contract: dict[str, Any], name: str) -> str:
    if name == "base":
        return "the API base in use"
    url = (contract.get("urls") or {}).get(name)
    host = urlsplit(url).hostname if url else None
    return code(host) if host else code(name)


def _data_path(path: str | None) -> str:
    return "the reply's data" if not path else f"{code(path)} of the reply's data"


# --------------------------------------------------------------------------- protocol


def protocol_items(contract: dict[str, Any]) -> list[tuple[str, str]]:
    """``(title, sentence)`` pairs describing how the client talks to the API."""
    p = contract["protocol"]
    items = [("Base URL", _base_text(contract))]
    if p.get("credential"):
        items.append(("Credential", _credential_text(contract)))
    if p.get("config"):
        items.append(("Saved config", _config_text(p["config"])))
    items.append(("Replies", _replies_text(contract)))
    items.append(("Retries", _retries_text(p["retries"])))
    items.append(("Timeouts", _timeouts_text(contract)))
    if p.get("default_command"):
        items.append(("Default command", _default_command_text(contract)))
    return items


def _base_text(contract: dict[str, Any]) -> str:
    settings = contract["protocol"]["base_url"]
    base = protocol.default_base(contract) or str(settings.get("default") or "")
    changes = _codes(([settings["flag"]] if settings.get("flag") else []) + list(settings.get("env") or ()))
    text = code(base)
    if changes:
        text += "; " + _list(changes, "or else") + " changes it (an empty variable counts as unset)"
    text += ". Only scheme, host and port count"
    text += {
        "none": "; `http://` is refused.",
        "loopback": "; `http://` only for a loopback host.",
        "any": "; `http://` is accepted.",
    }.get(settings.get("http", "loopback"), ".")
    return text


def _source_text(source: dict[str, Any]) -> str:
    kind, name = source["kind"], source["name"]
    if kind == "stdin":
        return f"stdin with {code(name)} (not from a terminal)"
    if kind == "flag":
        return code(name)
    if kind == "env":
        return code(name)
    return f"the saved config's {code(name)}"


def _credential_text(contract: dict[str, Any]) -> str:
    settings = contract["protocol"]["credential"]
    if settings["scheme"] == "query":
        text = f"Sent as the query parameter {code(settings['name'] + '=<credential>')}"
    else:
        text = f"Sent as the header {code(settings['name'] + ': ' + (settings.get('prefix') or '') + '<credential>')}"
    sources = [_source_text(s) for s in settings.get("sources") or ()]
    text += ", from " + (_list(sources, "or else") if len(sources) > 1 else "".join(sources)) + "."
    if settings.get("shape"):
        text += f" One not matching {code(settings['shape'])} is refused{_situation(contract, 'usage')}."
    missing = _situation(contract, "credential_missing")
    if missing:
        text += f" None where one is needed stops{missing}."
    if settings.get("send_to", "declared") == "declared":
        text += " One from stdin, a flag or a variable goes only to the default base or a loopback one"
    else:
        text += " One from stdin, a flag or a variable goes to any base in use"
    if _has_config_source(settings):
        text += "; a saved one only to the base it was saved for"
    text += "."
    if settings.get("optional_for_custom_base"):
        text += " A base other than the default needs none."
    return text


def _has_config_source(settings: dict[str, Any]) -> bool:
    return any(s["kind"] == "config" for s in settings.get("sources") or ())


def _config_text(config: dict[str, Any]) -> str:
    text = code("${XDG_CONFIG_HOME:-~/.config}/" + f"{config['folder']}/{config['file']}")
    if config.get("env"):
        text += f", or the file {code(config['env'])} names"
    return text + "."


def _replies_text(contract: dict[str, Any]) -> str:
    replies = contract["protocol"]["replies"]
    paths = []
    for key, what in (
        ("error_code", "code"),
        ("error_message", "message"),
        ("retryable", "retryable flag"),
        ("recovery", "recovery hints"),
    ):
        if replies.get(key):
            paths.append(f"{what} at {code(replies[key])}")
    if replies["style"] == "envelope":
        text = f"JSON envelopes: {code(replies.get('ok') or 'ok')} tells success; the result is "
        text += "the whole reply" if not replies.get("data") else f"at {code(replies['data'])}"
    else:
        text = "Plain JSON, the HTTP status tells success; the result is a 2xx reply's "
        text += "body" if not replies.get("data") else code(replies["data"])
    if paths:
        text += "; a failure's " + _list(paths)
    if replies.get("trace_id"):
        text += f"; trace id at {code(replies['trace_id'])}"
    text += "."
    statuses = replies.get("statuses") or {}
    if statuses:
        pairs = [f"{md_text(status)} → {code(error)}" for status, error in statuses.items()]
        text += " A failure that names no code takes its HTTP status's: " + _list(pairs) + "."
    bad = _situation(contract, "bad_reply")
    if bad:
        text += f" A reply that is not JSON fails{bad}, unless its status is mapped."
    if replies.get("exit_code_header"):
        header = code(replies["exit_code_header"])
        text += f" The reply header {header} may set the exit code, if it names one the spec defines."
    return text


def _retries_text(retries: dict[str, Any]) -> str:
    methods = retries.get("methods") or []
    statuses = [str(s) for s in retries.get("statuses") or ()]
    attempts = int(retries.get("attempts") or 1)
    if not methods or not statuses or attempts <= 1:
        return "No request is retried."
    text = f"{_list(_codes(methods), 'and')} requests answered {_list(statuses, 'or')} are tried up to {attempts} times"
    ceiling = retries.get("retry_after_max_seconds")
    backoff = retries.get("backoff_seconds")
    if ceiling:
        text += f", waiting what `Retry-After` says (at most {_number(ceiling)} seconds, else no retry)"
        if backoff:
            text += f" or {_number(backoff)} seconds, doubled each time"
    elif backoff:
        text += f", waiting {_number(backoff)} seconds, doubled each time"
    return text + "."


def _timeouts_text(contract: dict[str, Any]) -> str:
    timeouts = contract["protocol"]["timeouts"]
    text = f"{_number(timeouts['request_seconds'])} seconds a request"
    if any(s["kind"] == "download" for c in contract["commands"] for s in c.get("steps") or ()):
        text += f", {_number(timeouts['download_seconds'])} seconds a download"
    stop = _error(contract, "timeout")
    return text + (f"; then {stop}" if stop else "") + "."


def _default_command_text(contract: dict[str, Any]) -> str:
    default = contract["protocol"]["default_command"]
    cli = contract["product"]["cli_name"]
    when = "looks like a URL" if default["when"] == "url" else "is not a command"
    return (
        f"A first word that {when} runs {code(cli + ' ' + default['command'])} with the whole command line:"
        f" {code(cli + ' WORD ...')} is {code(cli + ' ' + default['command'] + ' WORD ...')}."
    )


def credential_kind(contract: dict[str, Any]) -> str:
    """The credential in a few words: ``bearer token``, ```x-api-key` header``, ..."""
    settings = contract["protocol"].get("credential")
    if not settings:
        return "credential"
    if settings["scheme"] == "query":
        return f"{code(settings['name'])} query parameter"
    if (settings.get("name") or "").lower() == "authorization" and settings.get("prefix") == "Bearer ":
        return "bearer token"
    return f"{code(settings['name'])} header"


def protocol_short(contract: dict[str, Any]) -> list[str]:
    """The protocol in two lines, for the skill file."""
    p = contract["protocol"]
    settings = p["base_url"]
    base = protocol.default_base(contract) or str(settings.get("default") or "")
    changes = ([code(settings["flag"])] if settings.get("flag") else []) + _codes(list(settings.get("env") or ()))
    lines = [f"API base {code(base)}" + (f" (change it with {_list(changes, 'or')})" if changes else "") + "."]
    credential = p.get("credential")
    if credential:
        sources = [_source_text(s) for s in credential.get("sources") or ()]
        lines.append("Credential from " + _list(sources, "or else") + ".")
    return lines


# --------------------------------------------------------------------------- exit codes


@dataclass(frozen=True)
class ExitRow:
    code: int
    name: str
    meaning: str
    causes: str
    """Inline markdown: the error codes (and what raises them) that end with this exit code."""


def _causes(contract: dict[str, Any], situations: Iterable[str]) -> dict[int, list[str]]:
    """Exit code -> the error codes that lead to it, each with what raises it."""
    p = contract["protocol"]
    codes = contract.get("error_codes") or {}
    notes: dict[str, list[str]] = {}
    for situation in situations:
        error = protocol.situation_code(contract, situation)
        if error in codes:
            notes.setdefault(error, []).append(SITUATION_TEXT.get(situation, situation))
    for status, error in (p["replies"].get("statuses") or {}).items():
        notes.setdefault(error, []).append(f"HTTP {status} without a code")
    replies = p["replies"]
    named_by_api = replies["style"] == "envelope" or bool(replies.get("error_code"))
    out: dict[int, list[str]] = {}
    for name, entry in codes.items():
        if name not in notes and not named_by_api:
            continue
        text = code(name)
        if name in notes:
            text += " (" + md_text("; ".join(notes[name])) + ")"
        out.setdefault(int(entry["exit_code"]), []).append(text)
    return out


def exit_rows(
    contract: dict[str, Any], exit_codes: list[tuple[int, str, str]], situations: Iterable[str]
) -> tuple[list[ExitRow], list[tuple[int, str]]]:
    """The exit codes the client can produce, with their causes, and those it never produces.

    ``exit_codes`` are the spec's ``(code, name, meaning)``; ``situations`` are those the
    client of the spec can meet (``spec.rules.needed_situations``). An exit code is
    produced when an error code the client can end with has it, when the reply's
    exit-code header may name it, or when it is the exit of the codes the client uses for
    situations the spec names no code for.
    """
    situations = list(situations)
    causes = _causes(contract, situations)
    header = contract["protocol"]["replies"].get("exit_code_header")
    fallback = _fallback(contract, situations)
    rows: list[ExitRow] = []
    never: list[tuple[int, str]] = []
    for number, name, meaning in exit_codes:
        parts = list(causes.get(number, []))
        if number == 0:
            parts = ["none"]
        if fallback is not None and number == fallback[0]:
            parts.append(fallback[1])
        if not parts and header:
            parts.append(f"only when the reply header {code(header)} names it")
        if parts:
            rows.append(ExitRow(number, name, meaning, ", ".join(parts)))
        else:
            never.append((number, name))
    return rows, never


def never_sentence(never: list[tuple[int, str]]) -> str:
    """The exit codes the spec defines that the client never produces, in a sentence."""
    if not never:
        return ""
    listed = _list([f"{number} ({code(name)})" for number, name in never])
    one = len(never) == 1
    return (
        f"The spec also defines {listed}, but no error code the client can end with has "
        + ("it" if one else "them")
        + ": the client never exits with "
        + ("it" if one else "them")
        + "."
    )


def _fallback(contract: dict[str, Any], situations: Iterable[str]) -> tuple[int, str] | None:
    """Where the client's own failures go when the spec names no code for them."""
    codes = contract.get("error_codes") or {}
    unnamed = [s for s in situations if protocol.situation_code(contract, s) not in codes]
    if not unnamed:
        return None
    names = _list([f"{code(protocol.situation_code(contract, s))} ({SITUATION_TEXT.get(s, s)})" for s in unnamed])
    return protocol.fallback_exit(contract), f"codes the spec does not define: {names}"


# --------------------------------------------------------------------------- routes


def _condition(when: dict[str, Any]) -> str:
    subject = code(when["flag"]) if when.get("flag") else code(when.get("argument") or "")
    if when.get("equals") is not None:
        return f"when {subject} is {code(when['equals'])}"
    if when.get("matches") is not None:
        return f"when {subject} matches {code(when['matches'])}"
    return f"with {subject}" if when.get("flag") else f"when {subject} is given"


def route_sentence(contract: dict[str, Any], command: dict[str, Any]) -> str | None:
    """Which endpoint an invocation calls, for a command with more than one route."""
    routes = command.get("routes") or []
    if len(routes) < 2:
        return None
    parts = []
    for route in routes:
        target = _call(contract, route["endpoint"])
        fields = route.get("fields") or {}
        if fields:
            target += " (" + ", ".join(f"{code(name)} as {code(field)}" for name, field in fields.items()) + ")"
        when = route.get("when")
        parts.append(f"{_condition(when)}, {target}" if when else f"otherwise {target}")
    return "Calls, by the first that applies: " + "; ".join(parts) + "."


# --------------------------------------------------------------------------- steps


def _duration(d: dict[str, Any] | None) -> tuple[str, str] | None:
    """(flag or value, unit) of a poll interval or timeout."""
    if not d:
        return None
    unit = UNITS.get(d.get("unit") or "s", "seconds")
    return (code(d["flag"]) if d.get("flag") else "", unit)


def _upload(contract: dict[str, Any], step: dict[str, Any]) -> str:
    values = _list(_codes(step.get("values") or []), "or")
    text = f"Uploads each value of {values} that is a local file or an http(s) URL"
    if step.get("skip_if"):
        text += f" (one that matches {code(step['skip_if'])} is left as it is)"
    text += f" with {_call(contract, step['endpoint'])}, sending "
    text += _list([f"{code(field)} ({UPLOAD_FACTS.get(fact, fact)})" for field, fact in step["body"].items()])
    types = [f"{code(ext)} ({md_text(mime)})" for ext, mime in (step.get("types") or {}).items()]
    text += f"; accepts {_list(types, 'or')} files up to {_bytes(int(step.get('max_bytes') or 0))}"
    text += f", and sends the id at {code(step['id'])} of the upload's reply data in its place"
    return text + _situation(contract, "local_file", "; a file it cannot read stops it with ") + "."


def _poll(contract: dict[str, Any], step: dict[str, Any]) -> str:
    text = f"With {code(step['when'])}, polls " if step.get("when") else "Polls "
    text += _call(contract, step["endpoint"])
    if step.get("id"):
        text += f" (the id at {code(step['id'])} of the first reply's data)"
    interval = step.get("interval") or {}
    unit = UNITS.get(interval.get("unit") or "s", "seconds")
    if interval.get("flag"):
        text += f" every {code(interval['flag'])} {unit}"
        if interval.get("default") is not None:
            text += f" (default {_number(interval['default'])})"
    elif interval.get("default") is not None:
        text += f" every {_number(interval['default'])} {unit}"
    done = _list(_codes(step.get("done") or []), "or")
    text += f" until {code(step['status'])} is {done}"
    timeout = step.get("timeout") or {}
    unit = UNITS.get(timeout.get("unit") or "s", "seconds")
    stop = _situation(contract, "timeout")
    if timeout.get("flag") and timeout.get("default") is not None:
        text += f"; gives up after {code(timeout['flag'])} {unit} (default {_number(timeout['default'])}){stop}"
    elif timeout.get("flag"):
        text += f"; with {code(timeout['flag'])}, gives up after that many {unit}{stop}"
    elif timeout.get("default") is not None:
        text += f"; gives up after {_number(timeout['default'])} {unit}{stop}"
    return text + "."


def _download(contract: dict[str, Any], step: dict[str, Any]) -> str:
    text = f"Downloads the URL at {code(step['url'])} of the reply's data to "
    target = []
    if step.get("to"):
        target.append(f"the file {code(step['to'])} names")
    if step.get("name"):
        made = f"a file named after {code(step['name'])}"
        if step.get("type"):
            made += f" with the extension of the MIME type at {code(step['type'])}"
        target.append(made)
    text += ", else ".join(target) if target else "a file in the current folder"
    text += ", through a temporary file renamed when complete (never a partial file)"
    checks = []
    if step.get("size"):
        checks.append(f"the size at {code(step['size'])}")
    if step.get("sha256"):
        checks.append(f"the SHA-256 at {code(step['sha256'])}")
    if checks:
        text += "; checks " + _list(checks) + _situation(contract, "integrity", ", else stops with ")
    text += f"; at most {_bytes(int(step.get('max_bytes') or 0))}"
    if step.get("overwrite"):
        text += f"; replaces an existing file only with {code(step['overwrite'])}"
    else:
        text += "; never replaces an existing file"
    text += _situation(contract, "output_exists", ", else stops with ")
    return text + ". The credential is never sent to another origin."


def _save_credential(contract: dict[str, Any], step: dict[str, Any]) -> str:
    where = _data_path(step.get("from"))
    text = f"Saves the credential at {where}"
    text += f" in the config file when {code(step['when'])} is given" if step.get("when") else " in the config file"
    text += " (a file only its owner can read, written whole)"
    if step.get("reveal"):
        text += f"; prints it only with {code(step['reveal'])}, else shows null in its place"
    else:
        text += "; never prints it: null is shown in its place"
    report = step.get("report")
    if report is not None:
        text += f" and `saved` and `config_path` are added to {_data_path(report)}"
    if step.get("request_field"):
        flags = _list(_codes([step[k] for k in ("when", "reveal") if step.get(k)]), "or")
        text += f"; sends {code(step['request_field'])} as true" + (f" when {flags} is given" if flags else "")
    return text + "."


def _credential(contract: dict[str, Any], step: dict[str, Any], command: dict[str, Any]) -> str:
    action = step.get("action")
    if action == "status":
        text = "Tells where the credential would come from, without showing it"
        endpoints = [r["endpoint"] for r in command.get("routes") or ()]
        if endpoints:
            text += f", and calls {_call(contract, endpoints[0])} when one is found"
        return text + "."
    if action == "save":
        return (
            "Saves the credential from the first source other than the config file into the config file"
            " (refused for a base that is not https or loopback)" + _situation(contract, "config_write") + "."
        )
    return "Deletes the saved config file."


def _copy(contract: dict[str, Any], step: dict[str, Any]) -> str:
    places = step.get("in") or [""]
    where = _list([_data_path(p) if p else "the reply's data" for p in places], "and")
    sources = _list(_codes(step.get("from") or []), "or")
    text = f"In {where}, when {code(step['to'])} is missing, copies the first present of {sources} to it"
    if step.get("keep_fragment", True):
        text += ", keeping a URL's `#...` fragment"
    else:
        text += ", dropping a URL's `#...` fragment"
    return text + "."


def _print(contract: dict[str, Any], step: dict[str, Any]) -> str:
    text = f"With {code(step['when'])}, prints " if step.get("when") else "Prints "
    text += f"{code(step['field'])} of the reply as it is (a list one item a line) instead of the JSON"
    return text + "."


def _write_output(contract: dict[str, Any], step: dict[str, Any]) -> str:
    text = f"With {code(step['flag'])}, writes what it would print to that file (written whole)"
    if step.get("overwrite"):
        text += f", replacing an existing file only with {code(step['overwrite'])}"
    else:
        text += ", never over an existing file"
    text += _situation(contract, "output_exists", ", else stops with ")
    return text + "; then prints a short note instead."


def _status(contract: dict[str, Any], step: dict[str, Any]) -> str:
    text = (
        "Reports the client's version, the API base and where it came from, which credential sources are set"
        " (yes or no, never the value) and the config path"
    )
    if step.get("endpoint"):
        text += f"; calls {_call(contract, step['endpoint'])} without a credential to tell whether the API answers"
    return text + ". Always exits 0."


def _help(contract: dict[str, Any], step: dict[str, Any]) -> str:
    text = "Lists the commands"
    if step.get("skill_flag"):
        text += f"; with {code(step['skill_flag'])}, prints the bundled skill file instead"
    return text + ". Runs offline."


def _hook(contract: dict[str, Any], step: dict[str, Any]) -> str:
    text = f"Calls {code(step['call'])} of the product's hooks package"
    reads = step.get("reads") or []
    if reads:
        text += f" with {_list(_codes(reads))}"
    writes = step.get("writes") or []
    if writes:
        text += f", and sends what it returns for {_list(_codes(writes))}"
    return text + "."


def step_sentences(contract: dict[str, Any], command: dict[str, Any]) -> list[str]:
    """One sentence per step of ``command``, in order."""
    out = []
    for step in command.get("steps") or ():
        kind = step["kind"]
        if kind == "upload":
            out.append(_upload(contract, step))
        elif kind == "poll":
            out.append(_poll(contract, step))
        elif kind == "download":
            out.append(_download(contract, step))
        elif kind == "save_credential":
            out.append(_save_credential(contract, step))
        elif kind == "credential":
            out.append(_credential(contract, step, command))
        elif kind == "copy":
            out.append(_copy(contract, step))
        elif kind == "print":
            out.append(_print(contract, step))
        elif kind == "write_output":
            out.append(_write_output(contract, step))
        elif kind == "status":
            out.append(_status(contract, step))
        elif kind == "help":
            out.append(_help(contract, step))
        elif kind == "version":
            out.append("Prints the client's name and version.")
        elif kind == "hook":
            out.append(_hook(contract, step))
    return out


# --------------------------------------------------------------------------- flags and arguments


def _accepts(contract: dict[str, Any], accepts: dict[str, Any]) -> str:
    hosts = _list([_host(contract, h) for h in accepts.get("hosts") or ()], "or")
    return (
        f"A URL on {hosts} whose last path segment is an id ({code(accepts['id'])}) is sent as that id;"
        " any other URL is refused."
    )


def _transforms(transform: list[str]) -> str:
    words = {"trim": "trimmed", "lower": "lower-cased", "upper": "upper-cased"}
    done = [words[t] for t in transform if t in words]
    text = (_list(done).capitalize() + ".") if done else ""
    if "omit-empty" in transform:
        text += (" " if text else "") + "Not sent when empty."
    return text


def flag_notes(contract: dict[str, Any], flag: dict[str, Any]) -> str:
    """What the client does with ``flag`` beyond its summary: one short sentence each."""
    notes = []
    if flag.get("env"):
        notes.append(f"When absent, taken from {code(flag['env'])}.")
    if flag.get("negatable"):
        notes.append(f"{code('--no-' + flag['name'][2:])} turns it off.")
    if flag.get("sets"):
        pairs = [f"{code(field)} = {code(_json(value))}" for field, value in flag["sets"].items()]
        notes.append(f"Given, it sends {_list(pairs)}.")
    if flag.get("scale"):
        notes.append(f"Sent multiplied by {_number(flag['scale'])}.")
    text = _transforms(list(flag.get("transform") or ()))
    if text:
        notes.append(text)
    if flag.get("generate"):
        note = f"When absent, the client makes one like {code(flag['generate']['pattern'])}"
        note += " and says so in a warning." if flag["generate"].get("warn") else "."
        notes.append(note)
    if flag.get("read"):
        limit = _bytes(int(flag.get("max_bytes") or 1024 * 1024))
        notes.append(
            f"The file's content (`-`: stdin) is sent {READ_TEXT.get(flag['read'], flag['read'])}, up to {limit}."
        )
    if flag.get("accepts_url"):
        notes.append(_accepts(contract, flag["accepts_url"]))
    if flag.get("secret"):
        notes.append("Secret: never echoed.")
    return " ".join(notes)


def argument_notes(contract: dict[str, Any], argument: dict[str, Any]) -> str:
    notes = []
    if argument.get("variadic"):
        notes.append("Takes every remaining value.")
    text = _transforms(list(argument.get("transform") or ()))
    if text:
        notes.append(text)
    if argument.get("accepts_url"):
        notes.append(_accepts(contract, argument["accepts_url"]))
    return " ".join(notes)


def _json(value: Any) -> str:
    import json

    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
