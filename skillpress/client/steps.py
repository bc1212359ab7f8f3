"""The step primitives at run time: what each kind of step in the contract does.

Standard library only. The docs describe the same steps from the same contract
(``render/contract_text.step_sentences``); this module is what they describe.

Before the call (``phase: before``)
  ``upload``   each value of the named flags/arguments that is a local file or an
               http(s) URL (and does not match ``skip_if``) is read (a URL is fetched by
               the client, without the credential), checked against ``types`` and
               ``max_bytes``, sent to the upload endpoint with the declared facts, and
               replaced by the id at ``id`` in the upload reply's data.
  ``hook``     ``module:function`` of the product's hooks package (``protocol.hooks``)
               is called as ``function(values, fields)`` or, when it takes a third
               parameter, ``function(values, fields, client)``: ``values`` maps each name
               in ``reads`` to its value (``None`` when absent), ``fields`` is a copy of
               the request fields so far, ``client`` offers ``upload(value) -> id`` (the
               command's upload step), ``warn(text)`` and ``fail(message, flag=None)``
               (a usage error). It returns a dict of request fields; only the names in
               ``writes`` are taken.

After the call (``phase: after``), on the reply's data, in the order written
  ``poll``, ``download``, ``save_credential``, ``copy``, ``print``, ``write_output``.

Local (``phase: local``; the command sends nothing else)
  ``credential`` (``status``, ``save``, ``forget``), ``status``, ``help``, ``version``.
"""

from __future__ import annotations

import os

from ..contract import invocation as grammar
from ..contract import protocol
from ..contract import requests as mapping
from . import output

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from .runtime import Run

_MISSING = object()


# ---------------------------------------------------------------------- paths in the data


def _set_path(value: Any, path: str, new: Any) -> None:
    parts = path.split(".")
    node = value
    for part in parts[:-1]:
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return
    last = parts[-1]
    if isinstance(node, dict) and last in node:
        node[last] = new
    elif isinstance(node, list) and last.isdigit() and int(last) < len(node):
        node[int(last)] = new


# ---------------------------------------------------------------------- the hosted flow


def hosted(run: Run) -> Any:
    contract = run.contract
    command = run.command
    steps = command.get("steps") or []
    replaced: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    base = run.base()
    for step in steps:
        if step["kind"] == "save_credential":
            _check_config_writable(run, step)
            if step.get("request_field") and any(run.given(step.get(k)) for k in ("when", "reveal")):
                extra[step["request_field"]] = True
    effects = mapping.Effects(base_url=base.url, read_stdin=_stdin_reader(run))
    route = mapping.choose_route(contract, run.inv)
    if route is None or route["endpoint"] not in contract["endpoints"]:
        raise run.fail("internal", f"'{command['path']}' has no endpoint for this invocation")
    uploaded: protocol.Reply | None = None
    for step in steps:
        if step["kind"] == "upload" and step["endpoint"] == route["endpoint"]:
            # the command's own call is this upload: send it once, its reply is the command's
            value = next((run.value(n) for n in step.get("values") or () if run.value(n) is not None), None)
            if not isinstance(value, str) or not value:
                raise run.fail("usage", f"'{command['path']}' needs a local file or an http(s) URL")
            uploaded = upload_reply(run, step, value)
        elif step["kind"] == "upload":
            replaced.update(_upload_step(run, step))
        elif step["kind"] == "hook":
            fields, _ = mapping.request_fields(
                contract, run.inv, route, effects=effects, replaced=replaced, extra_fields=extra
            )
            extra.update(_hook_step(run, step, fields, replaced))
    built = mapping.build(contract, run.inv, effects=effects, replaced=replaced, extra_fields=extra)
    if built is None:
        raise run.fail("internal", f"'{command['path']}' has no endpoint for this invocation")
    run.warnings += built.warnings
    first = built.request
    reply = uploaded if uploaded is not None else run.call(first)
    body = reply.body
    if isinstance(body, dict) and contract["endpoints"][first.endpoint].get("reply") == "envelope":
        reserved = {"ok", "command", "trace_id", "data", "warnings", "error"}
        run.envelope_extra = {k: v for k, v in body.items() if k not in reserved}
        server_warnings = body.get("warnings")
        if isinstance(server_warnings, list):
            run.warnings = [str(w) for w in server_warnings] + run.warnings
    data = reply.data
    for step in steps:
        kind = step["kind"]
        if kind == "poll":
            data = _poll(run, step, data, built.fields, first.endpoint)
        elif kind == "download":
            data = _download(run, step, data)
        elif kind == "save_credential":
            data = _save_credential(run, step, data)
        elif kind == "copy":
            _copy(step, data)
        elif kind == "print":
            _print(run, step, data)
        elif kind == "write_output":
            _write_output(run, step)
    return data


def _stdin_reader(run: Run) -> Any:
    def read(limit: int) -> bytes:
        stream = run.stdin
        if stream is None:
            return b""
        raw = stream.read(limit + 1)
        return raw if isinstance(raw, bytes) else str(raw).encode("utf-8")

    return read


# ---------------------------------------------------------------------- upload


def _upload_step(run: Run, step: dict[str, Any]) -> dict[str, Any]:
    import re

    skip = re.compile(step["skip_if"]) if step.get("skip_if") else None
    replaced: dict[str, Any] = {}
    for name in step.get("values") or ():
        value = run.value(name)
        if value is None:
            continue

        def swap(item: Any) -> Any:
            if not isinstance(item, str) or not item or (skip is not None and skip.search(item)):
                return item
            return upload_one(run, step, item)

        replaced[name] = [swap(v) for v in value] if isinstance(value, list) else swap(value)
    return replaced


def _is_url(text: str) -> bool:
    return text[:8].lower().startswith(("http://", "https://"))


def upload_one(run: Run, step: dict[str, Any], value: str) -> str:
    """Upload one local file or URL through the step's endpoint; the new id."""
    reply = upload_reply(run, step, value)
    new_id = protocol.lookup(reply.data, step["id"])
    if not isinstance(new_id, (str, int)) or isinstance(new_id, bool) or new_id == "":
        raise run.fail("bad_reply", f"the upload of {os.path.basename(value)} returned no id at {step['id']}")
    return str(new_id)


def upload_reply(run: Run, step: dict[str, Any], value: str) -> protocol.Reply:
    """Upload one local file or URL through the step's endpoint; the upload's reply."""
    import base64
    import hashlib
    from urllib.parse import unquote, urlsplit

    types = {ext.lower(): mime for ext, mime in (step.get("types") or {}).items()}
    limit = int(step.get("max_bytes") or 10 * 1024 * 1024)
    kinds = step.get("kinds") or {}
    if _is_url(value):
        content, name, mime = _fetch(run, value, types, limit)
        parts = urlsplit(value)
        origin = f"{parts.scheme.lower()}://{parts.netloc.rpartition('@')[2]}"
        kind = kinds.get("url", "url")
    else:
        name = os.path.basename(value)
        extension = name.rpartition(".")[2].lower() if "." in name else ""
        found = types.get(extension)
        if found is None:
            raise run.fail("usage", f"{name!r} is not one of the accepted file types ({', '.join(sorted(types))})")
        mime = found
        try:
            with open(value, "rb") as handle:
                content = handle.read(limit + 1)
        except OSError as exc:
            raise run.fail("local_file", f"could not read {value}: {exc.strerror or type(exc).__name__}") from None
        if len(content) > limit:
            raise run.fail("usage", f"{name} is larger than {limit} bytes")
        origin = None
        kind = kinds.get("file", "file")
        name = unquote(name)
    facts = {
        "kind": kind,
        "name": name,
        "mime": mime,
        "size": len(content),
        "sha256": hashlib.sha256(content).hexdigest(),
        "base64": base64.b64encode(content).decode("ascii"),
        "origin": origin,
    }
    fields = {field: facts[fact] for field, fact in (step.get("body") or {}).items()}
    request = mapping.build_request(run.contract, step["endpoint"], fields)
    return run.call(request)


def _fetch(run: Run, url: str, types: dict[str, str], limit: int) -> tuple[bytes, str, str]:
    from urllib.parse import unquote, urlsplit

    from . import transport

    product = run.contract["product"]
    seconds = float(run.p["timeouts"]["download_seconds"])
    try:
        response = transport.send(
            "GET",
            url,
            [("User-Agent", f"{product['cli_name']}/{product['version']}")],
            seconds=seconds,
            max_bytes=limit,
        )
    except transport.TransportError as exc:
        if exc.kind == "too_large":
            raise run.fail("usage", f"{url} is larger than {limit} bytes") from None
        if exc.kind == "timeout":
            raise run.fail("timeout", f"{url} did not arrive within {seconds:g} seconds") from None
        raise run.fail("download_failed" if _has(run, "download_failed") else "network", exc.message) from None
    if not 200 <= response.status < 300:
        situation = "download_failed" if _has(run, "download_failed") else "network"
        raise run.fail(situation, f"{url} answered HTTP {response.status}", retryable=response.status >= 500)
    name = os.path.basename(unquote(urlsplit(url).path)) or "download"
    header = (response.header("content-type") or "").split(";")[0].strip().lower()
    mimes = set(types.values())
    mime = header if header in mimes else None
    if mime is None and not header:
        mime = types.get(name.rpartition(".")[2].lower()) if "." in name else None
    if mime is None:
        raise run.fail("usage", f"{url} is of type {header or 'unknown'!r}, not one of {', '.join(sorted(mimes))}")
    return response.body, name, mime


def _has(run: Run, situation: str) -> bool:
    return bool((run.p.get("errors") or {}).get(situation))


# ---------------------------------------------------------------------- hook


class HookClient:
    """What a hook may do besides returning fields (its third parameter)."""

    def __init__(self, run: Run) -> None:
        self._run = run

    def upload(self, value: str) -> str:
        step = next((s for s in self._run.command.get("steps") or () if s["kind"] == "upload"), None)
        if step is None:
            raise self._run.fail("internal", "this command has no upload step for the hook to use")
        return upload_one(self._run, step, value)

    def warn(self, text: str) -> None:
        self._run.warnings.append(str(text))

    def fail(self, message: str, flag: str | None = None) -> None:
        raise grammar.UsageProblem(str(message), flag=flag)


def _load_hook(run: Run, call: str) -> Any:
    import importlib
    import importlib.util

    module_name, _, function = call.partition(":")
    folder = run.hooks_dir
    if not folder or not os.path.isfile(os.path.join(folder, "__init__.py")):
        raise run.fail("internal", f"the hooks package for {call} is not installed with this client")
    package = "_skillpress_product_hooks"
    if package not in __import__("sys").modules:
        spec = importlib.util.spec_from_file_location(
            package, os.path.join(folder, "__init__.py"), submodule_search_locations=[folder]
        )
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        __import__("sys").modules[package] = module
        spec.loader.exec_module(module)
    target = importlib.import_module(f"{package}.{module_name}")
    found = getattr(target, function, None)
    if not callable(found):
        raise run.fail("internal", f"the hook {call} is not a function")
    return found


def _hook_step(run: Run, step: dict[str, Any], fields: dict[str, Any], replaced: dict[str, Any]) -> dict[str, Any]:
    import copy

    function = _load_hook(run, step["call"])
    values = {name: replaced[name] if name in replaced else run.value(name) for name in step.get("reads") or ()}
    arguments: list[Any] = [values, copy.deepcopy(fields)]
    code = getattr(function, "__code__", None)
    if code is not None and code.co_argcount >= 3:
        arguments.append(HookClient(run))
    result = function(*arguments)
    if result is None:
        return {}
    if not isinstance(result, dict):
        raise run.fail("internal", f"the hook {step['call']} returned {type(result).__name__}, not a dict")
    writes = set(step.get("writes") or ())
    return {name: value for name, value in result.items() if name in writes}


# ---------------------------------------------------------------------- poll


def _seconds(run: Run, duration: dict[str, Any] | None) -> float | None:
    if not duration:
        return None
    value = run.value(duration.get("flag")) if duration.get("flag") else None
    if value is None:
        value = duration.get("default")
    if value is None or isinstance(value, bool):
        return None
    seconds = float(value) / 1000 if duration.get("unit") == "ms" else float(value)
    return max(seconds, 0.0)


def _poll(run: Run, step: dict[str, Any], data: Any, first_fields: dict[str, Any], first_endpoint: str) -> Any:
    if step.get("when") and not run.given(step["when"]):
        return data
    done = [str(d) for d in step.get("done") or ()]
    status = protocol.lookup(data, step["status"])
    if status is not None and str(status) in done:
        return data
    contract = run.contract
    endpoint = contract["endpoints"][step["endpoint"]]
    found_id = protocol.lookup(data, step["id"]) if step.get("id") else None
    params = endpoint.get("path_params") or []
    if isinstance(found_id, (str, int)) and not isinstance(found_id, bool) and found_id != "" and params:
        fields: dict[str, Any] = {params[0]: found_id}
    elif first_endpoint == step["endpoint"]:
        fields = dict(first_fields)
    else:
        raise run.fail("bad_reply", f"the reply holds no job id at {step.get('id')} to wait on")
    interval = _seconds(run, step.get("interval"))
    interval = 2.0 if interval is None else interval
    timeout = _seconds(run, step.get("timeout"))
    started = run.clock()
    request = mapping.build_request(contract, step["endpoint"], fields)
    while True:
        if timeout is not None:
            left = timeout - (run.clock() - started)
            if left <= 0:
                cli = run.contract["product"]["cli_name"]
                again = " ".join([cli, *run.inv.words, *(str(v) for v in run.inv.positionals)])
                raise run.fail(
                    "timeout",
                    f"still {status!r} after waiting {timeout:g} seconds; the work goes on, read it again later",
                    retryable=True,
                    recovery={"retry_after_seconds": max(1, int(-(-interval // 1))), "suggested_command": again},
                )
            run.sleep(min(interval, left))
        else:
            run.sleep(interval)
        reply = run.call(mapping.build_request(contract, step["endpoint"], fields), request.endpoint)
        data = reply.data
        status = protocol.lookup(data, step["status"])
        if status is not None and str(status) in done:
            return data


# ---------------------------------------------------------------------- download

_EXTENSIONS = {
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/webp": "webp",
    "image/gif": "gif",
    "image/avif": "avif",
    "image/svg+xml": "svg",
    "application/pdf": "pdf",
    "application/json": "json",
    "text/plain": "txt",
    "text/markdown": "md",
    "text/html": "html",
    "text/csv": "csv",
    "audio/mpeg": "mp3",
    "video/mp4": "mp4",
    "application/zip": "zip",
}


def _safe_name(raw: str, mime: Any) -> str:
    import re

    name = re.sub(r"[^A-Za-z0-9._-]", "_", os.path.basename(raw)).lstrip(".")[:120] or "download"
    extension = _EXTENSIONS.get(str(mime or "").split(";")[0].strip().lower())
    if extension and not name.lower().endswith("." + extension):
        name = f"{name}.{extension}"
    return name


def _download(run: Run, step: dict[str, Any], data: Any) -> Any:
    import hashlib
    from urllib.parse import unquote, urlsplit

    from . import transport
    from .files import Exists, write_whole

    url = protocol.lookup(data, step["url"])
    if not isinstance(url, str) or not _is_url(url):
        raise run.fail("bad_reply", f"the reply holds no http(s) URL at {step['url']} to download")
    target = run.value(step.get("to")) if step.get("to") else None
    mime = protocol.lookup(data, step.get("type")) if step.get("type") else None
    if not target:
        named = protocol.lookup(data, step.get("name")) if step.get("name") else None
        raw = str(named) if isinstance(named, (str, int)) and named != "" else unquote(urlsplit(url).path)
        target = _safe_name(raw, mime)
    target = str(target)
    replace = run.given(step.get("overwrite"))
    if not replace and os.path.lexists(target):
        raise run.fail("output_exists", f"{target} exists; nothing was downloaded")
    expected_size = protocol.lookup(data, step.get("size")) if step.get("size") else None
    expected_sha = protocol.lookup(data, step.get("sha256")) if step.get("sha256") else None
    limit = int(step.get("max_bytes") or 256 * 1024 * 1024)
    headers = [("User-Agent", f"{run.contract['product']['cli_name']}/{run.contract['product']['version']}")]
    base = run.base().url
    if transport.origin(url) == transport.origin(base):
        secret = run.credential_for(None) if run.command.get("auth") != "none" else None
        if secret is not None:
            settings = run.p.get("credential") or {}
            if settings.get("scheme") != "query":
                headers.append((settings.get("name") or "Authorization", (settings.get("prefix") or "") + secret))
    settings = run.p.get("credential") or {}
    seconds = float(run.p["timeouts"]["download_seconds"])
    digest = hashlib.sha256()
    status: dict[str, Any] = {}

    def fill(handle: Any) -> None:
        def sink(chunk: bytes) -> None:
            digest.update(chunk)
            handle.write(chunk)

        try:
            response = transport.send(
                "GET",
                url,
                headers,
                seconds=seconds,
                max_bytes=limit,
                sink=sink,
                secret_headers=[settings.get("name") or "Authorization", "Authorization"],
            )
        except transport.TransportError as exc:
            if exc.kind == "timeout":
                raise run.fail("timeout", f"the download did not finish within {seconds:g} seconds") from None
            if exc.kind == "too_large":
                raise run.fail("download_failed", f"the download is larger than {limit} bytes") from None
            raise run.fail("download_failed", f"the download failed: {exc.message}") from None
        if not 200 <= response.status < 300:
            raise run.fail(
                "download_failed", f"the download answered HTTP {response.status}", retryable=response.status >= 500
            )
        status["type"] = (response.header("content-type") or "").split(";")[0].strip() or None
        size = handle.tell()
        if isinstance(expected_size, int) and not isinstance(expected_size, bool) and size != expected_size:
            raise run.fail("integrity", f"the download has {size} bytes, not the {expected_size} announced")
        if isinstance(expected_sha, str) and expected_sha and digest.hexdigest() != expected_sha.lower():
            raise run.fail("integrity", "the download does not match the SHA-256 announced")

    try:
        size = write_whole(target, fill, replace=replace)
    except Exists:
        raise run.fail("output_exists", f"{target} exists; nothing was downloaded") from None
    except OSError as exc:
        raise run.fail("local_file", f"could not write {target}: {exc.strerror or exc}") from None
    report = {
        "path": os.path.abspath(target),
        "bytes": size,
        "sha256": digest.hexdigest(),
        "content_type": status.get("type") or (mime if isinstance(mime, str) else None),
    }
    if isinstance(data, dict):
        return {**data, "download": report}
    return {"data": data, "download": report}


# ---------------------------------------------------------------------- credentials


def _config_key(run: Run) -> str:
    settings = run.p.get("credential") or {}
    for source in settings.get("sources") or ():
        if source["kind"] == "config":
            return str(source["name"])
    return "credential"


def _check_config_writable(run: Run, step: dict[str, Any]) -> None:
    """Before a call whose credential will be saved: the config folder must be writable."""
    if step.get("when") and not run.given(step["when"]):
        return
    path = run.config_path()
    if not path:
        raise run.fail("config_write", "this client keeps no config file to save the credential in")
    folder = os.path.dirname(path)
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
        probe = os.path.join(folder, f".probe.{os.getpid()}.{os.urandom(4).hex()}")
        fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.close(fd)
        os.remove(probe)
    except OSError as exc:
        raise run.fail(
            "config_write",
            f"the config folder {folder} is not writable ({exc.strerror or exc}); nothing was sent",
        ) from None


def _save(run: Run, secret: str) -> str:
    from .files import write_config

    path = run.config_path()
    if not path:
        raise run.fail("config_write", "this client keeps no config file")
    config = dict(run.config())
    config[_config_key(run)] = secret
    key = (run.p.get("config") or {}).get("base_key")
    if key:
        config[key] = run.base().url
    try:
        write_config(path, config)
    except OSError as exc:
        raise run.fail("config_write", f"could not write {path}: {exc.strerror or exc}") from None
    run._config = config
    return path


def _save_credential(run: Run, step: dict[str, Any], data: Any) -> Any:
    save = not step.get("when") or run.given(step["when"])
    reveal = bool(step.get("reveal")) and run.given(step["reveal"])
    secret = protocol.lookup(data, step["from"])
    if not isinstance(secret, str) or not secret:
        if save or reveal:
            raise run.fail("bad_reply", f"the reply holds no credential at {step['from']}; nothing was saved")
        return data
    path = _save(run, secret) if save else run.config_path()
    if not reveal:
        run.secrets.append(secret)
        _set_path(data, step["from"], None)
    report = step.get("report")
    if report is not None:
        target = data if report == "" else protocol.lookup(data, report)
        if target is None and isinstance(data, dict) and report and "." not in report:
            target = data[report] = {}
        if isinstance(target, dict):
            target["saved"] = bool(save)
            target["config_path"] = path
    return data


# ---------------------------------------------------------------------- copy, print, write_output


def _copy(step: dict[str, Any], data: Any) -> None:
    for place in step.get("in") or [""]:
        node = data if place == "" else protocol.lookup(data, place)
        targets = node if isinstance(node, list) else [node]
        for target in targets:
            if not isinstance(target, dict):
                continue
            current = target.get(step["to"])
            if current is not None and current != "":
                continue
            for source in step.get("from") or ():
                value = protocol.lookup(target, source)
                if value is None or value == "":
                    continue
                if isinstance(value, str) and not step.get("keep_fragment", True):
                    value = value.partition("#")[0]
                target[step["to"]] = value
                break


def _print(run: Run, step: dict[str, Any], data: Any) -> None:
    if step.get("when") and not run.given(step["when"]):
        return
    if step.get("unless") and run.given(step["unless"]):
        return
    value = protocol.get_path(data, step["field"])
    if value is protocol._MISSING or value is None:
        return
    run.text = output.verbatim(value)


def _write_output(run: Run, step: dict[str, Any]) -> None:
    path = run.value(step.get("flag"))
    if isinstance(path, str) and path:
        run.write_to = (path, step)


# ---------------------------------------------------------------------- local steps


def local(run: Run) -> Any:
    step = next(s for s in run.command.get("steps") or () if s["phase"] == "local")
    kind = step["kind"]
    if kind == "version":
        product = run.contract["product"]
        run.text = f"{product['cli_name']} {product['version']}\n"
        return {"name": product["cli_name"], "version": product["version"]}
    if kind == "help":
        return _help(run, step)
    if kind == "status":
        return _status(run, step)
    return _credential(run, step)


def _help(run: Run, step: dict[str, Any]) -> Any:
    contract = run.contract
    if step.get("skill_flag") and run.given(step["skill_flag"]):
        path = os.path.join(run.bundle_dir or "", "SKILL.md")
        try:
            with open(path, encoding="utf-8") as handle:
                text = handle.read()
        except OSError:
            raise run.fail("local_file", "the skill file is not bundled with this client") from None
        run.text = text
        return {"skill": text}
    product = contract["product"]
    commands = [c for c in contract["commands"] if not c.get("hidden")]
    width = max((len(c["path"]) for c in commands), default=0)
    lines = [f"{product['name']} ({product['cli_name']} {product['version']})", "", "Commands:"]
    for c in commands:
        lines.append(f"  {c['path'].ljust(width)}  {c['summary']}")
    lines += ["", f"Run `{product['cli_name']} COMMAND --help` for a command's flags."]
    if (contract.get("urls") or {}).get("cli"):
        lines.append(f"Docs: {contract['urls']['cli']}")
    run.text = "\n".join(lines) + "\n"
    return {
        "commands": [
            {"path": c["path"], "summary": c["summary"], "aliases": list(c.get("aliases") or ())} for c in commands
        ],
        "docs_url": (contract.get("urls") or {}).get("cli"),
    }


def _usage(contract: dict[str, Any], command: dict[str, Any]) -> str:
    parts = [contract["product"]["cli_name"], command["path"]]
    for argument in command.get("arguments") or ():
        name = argument["name"] + ("..." if argument.get("variadic") else "")
        parts.append(name if argument.get("required", True) else f"[{name}]")
    return " ".join(parts) + (" [FLAGS]" if command.get("flags") else "")


def command_help(run: Run, command: dict[str, Any]) -> Any:
    contract = run.contract
    lines = [f"usage: {_usage(contract, command)}", "", command["summary"]]
    flags = list(command.get("flags") or ())
    if command.get("arguments"):
        lines += ["", "Arguments:"]
        lines += [f"  {a['name']}  {a['summary']}" for a in command["arguments"]]
    if flags:
        lines += ["", "Flags:"]
        for flag in flags:
            names = ", ".join([n for n in (flag.get("short"), flag["name"]) if n])
            if flag.get("type") != "boolean":
                names += f" {flag.get('value_name') or 'VALUE'}"
            extra = f" (default {flag['default']})" if flag.get("default") not in (None, False) else ""
            lines.append(f"  {names}  {flag['summary']}{extra}")
    run.text = "\n".join(lines) + "\n"
    return {
        "path": command["path"],
        "usage": _usage(contract, command),
        "summary": command["summary"],
        "arguments": [{"name": a["name"], "summary": a["summary"]} for a in command.get("arguments") or ()],
        "flags": [
            {"name": f["name"], "type": f.get("type"), "summary": f["summary"], "default": f.get("default")}
            for f in flags
        ],
    }


def _status(run: Run, step: dict[str, Any]) -> Any:
    contract = run.contract
    product = contract["product"]
    report: dict[str, Any] = {"name": product["cli_name"], "version": product["version"]}
    try:
        base = run.base()
        report["api_base_url"] = base.url
        report["api_base_source"] = base.source
    except grammar.Problem as problem:
        base = None
        report["api_base_url"] = None
        report["api_base_problem"] = problem.message
    settings = run.p.get("credential") or {}
    sources: dict[str, bool] = {}
    config = run.config()
    for source in settings.get("sources") or ():
        kind, name = source["kind"], source["name"]
        if kind == "env":
            sources[name] = bool((run.env.get(name) or "").strip())
        elif kind == "config":
            sources[f"config:{name}"] = bool(isinstance(config.get(name), str) and config.get(name))
        elif kind == "flag" or kind == "stdin":
            sources[name] = run.given(name)
    report["credential_sources"] = sources
    report["config_path"] = run.config_path()
    if step.get("endpoint") and base is not None:
        from . import transport

        endpoint = contract["endpoints"].get(step["endpoint"]) or {}
        reachable: dict[str, Any] = {"url": base.url + str(endpoint.get("path") or "/")}
        try:
            response = transport.send(
                str(endpoint.get("method") or "GET"),
                reachable["url"],
                [("Accept", "application/json")],
                seconds=float(run.p["timeouts"]["request_seconds"]),
            )
            reachable["reachable"] = True
            reachable["status"] = response.status
        except transport.TransportError as exc:
            reachable["reachable"] = False
            reachable["problem"] = exc.message
        report["api"] = reachable
    return report


def _credential(run: Run, step: dict[str, Any]) -> Any:
    action = step.get("action")
    if action == "forget":
        from .files import remove_config

        path = run.config_path()
        try:
            removed = remove_config(path)
        except OSError as exc:
            raise run.fail("config_write", f"could not remove {path}: {exc.strerror or exc}") from None
        return {"removed": removed, "config_path": path}
    base = run.base()
    if action == "save":
        settings = run.p.get("credential") or {}
        live = {
            **{k: v for k, v in settings.items() if k != "sources"},
            "sources": [s for s in settings.get("sources") or () if s["kind"] != "config"],
        }
        contract = {**run.contract, "protocol": {**run.contract["protocol"], "credential": live}}
        found = protocol.resolve_credential(
            contract,
            run.inv.values,
            run.env,
            read_stdin=run.read_stdin_text,
            stdin_is_tty=run.stdin_is_tty,
        )
        if found is None:
            raise run.fail("credential_missing", "no credential to save: give one the way this client reads it")
        run.secrets.append(found.secret)
        from urllib.parse import urlsplit

        host = urlsplit(base.url).hostname
        if base.url.startswith("http://") and not protocol.is_loopback(host):
            raise run.fail("base_refused", f"a credential is saved only for an https or loopback base, not {base.url}")
        path = _save(run, found.secret)
        return {"saved": True, "config_path": path, "credential_source": found.name, "api_base_url": base.url}
    found = run.credential()
    report: dict[str, Any] = {
        "authenticated": found is not None,
        "credential_source": found.kind if found else None,
        "credential_name": found.name if found else None,
        "api_base_url": base.url,
        "api_base_source": base.source,
        "config_path": run.config_path(),
    }
    routes = run.command.get("routes") or []
    if found is not None and routes:
        endpoint_id = routes[0]["endpoint"]
        if endpoint_id in run.contract["endpoints"]:
            request = mapping.build_request(run.contract, endpoint_id, {})
            reply = run.call(request)
            report["reply"] = reply.data
    return report
