"""Semantic rules over a schema-valid spec.

Each rule is one function registered under a stable code. A rule yields
:class:`Finding` values (it never raises); the runner turns them into located
diagnostics. The README lists every code.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

from skillpress.client import argv as argv_parser
from skillpress.diagnostics import Severity
from skillpress.spec.loader import PathKey
from skillpress.spec.model import Command, Flag, Spec, TextKind, ValueType
from skillpress.spec.text import SpecString, bad_character, iter_strings, unsafe_markdown


@dataclass(frozen=True)
class Finding:
    path: PathKey
    message: str
    hint: str | None = None
    severity: Severity = Severity.ERROR
    on_key: bool = False


Rule = Callable[[Spec], Iterable[Finding]]
RULES: dict[str, Rule] = {}


def rule(code: str) -> Callable[[Rule], Rule]:
    def register(fn: Rule) -> Rule:
        RULES[code] = fn
        fn.code = code  # type: ignore[attr-defined]
        return fn

    return register


SEMVER = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*)(?:\.(?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*))*))?"
    r"(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$"
)
# Characters a canonical URL may not hold as they are: they end a markdown link, an
# autolink or an HTML attribute the URL is written into. Percent-encode them instead.
URL_UNSAFE = re.compile(r"[\"'<>()\\^`{|}]|%(?![0-9A-Fa-f]{2})")
SKILL_NAME = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# Well-known live secret shapes, plus "<spec token prefix><16+ real-looking chars>".
SECRET_SHAPES = [
    re.compile(r"\bsk_(?:live|test)_[A-Za-z0-9]{16,}"),
    re.compile(r"\bgh[pousr]_[A-Za-z0-9]{20,}"),
    re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}"),
    re.compile(r"\bAKIA[0-9A-Z]{16}\b"),
    re.compile(r"\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\."),
]


def semver_key(version: str) -> tuple[int, int, int, int, str]:
    match = SEMVER.match(version)
    if not match:
        return (-1, -1, -1, -1, version)
    major, minor, patch, pre, _ = match.groups()
    # a release sorts after its pre-releases
    return (int(major), int(minor), int(patch), 0 if pre else 1, pre or "")


def _duplicates(items: Iterable[tuple[str, PathKey]], what: str) -> Iterator[Finding]:
    first: dict[str, PathKey] = {}
    for value, path in items:
        if value in first:
            yield Finding(path, f"duplicate {what} {value!r} (already used at {_dotted(first[value])})")
        else:
            first[value] = path


def _dotted(path: PathKey) -> str:
    from skillpress.spec.loader import format_path

    return format_path(path)


# --------------------------------------------------------------------------- uniqueness


@rule("unique-ids")
def unique_ids(spec: Spec) -> Iterator[Finding]:
    groups: list[tuple[str, list[tuple[str, PathKey]]]] = [
        ("endpoint id", [(e.id, ("endpoints", i, "id")) for i, e in enumerate(spec.endpoints)]),
        ("endpoint route", [(f"{e.method} {e.path}", ("endpoints", i, "path")) for i, e in enumerate(spec.endpoints)]),
        ("error code", [(e.code, ("error_codes", i, "code")) for i, e in enumerate(spec.error_codes)]),
        ("event type", [(e.type, ("events", i, "type")) for i, e in enumerate(spec.events)]),
        ("guidance id", [(g.id, ("guidance", i, "id")) for i, g in enumerate(spec.guidance)]),
        ("skill name", [(s.name, ("skills", i, "name")) for i, s in enumerate(spec.skills)]),
        ("environment variable", [(v.name, ("environment", i, "name")) for i, v in enumerate(spec.environment)]),
        ("actor id", [(a.id, ("actors", i, "id")) for i, a in enumerate(spec.actors)]),
        ("claim state", [(c.id, ("claim_states", i, "id")) for i, c in enumerate(spec.claim_states)]),
        ("install snippet id", [(s.id, ("install", i, "id")) for i, s in enumerate(spec.install)]),
        ("changelog version", [(c.version, ("changelog", i, "version")) for i, c in enumerate(spec.changelog)]),
    ]
    if spec.credits:
        groups += [
            ("pack id", [(p.id, ("credits", "packs", i, "id")) for i, p in enumerate(spec.credits.packs)]),
            (
                "payment method",
                [(m.id, ("credits", "payment_methods", i, "id")) for i, m in enumerate(spec.credits.payment_methods)],
            ),
            (
                "buyer mode",
                [(b.id, ("credits", "buyer_modes", i, "id")) for i, b in enumerate(spec.credits.buyer_modes)],
            ),
        ]
    for what, items in groups:
        yield from _duplicates(items, what)


@rule("unique-command-paths")
def unique_command_paths(spec: Spec) -> Iterator[Finding]:
    items: list[tuple[str, PathKey]] = []
    for i, command in enumerate(spec.commands):
        items.append((command.path, ("commands", i, "path")))
        items += [(alias, ("commands", i, "aliases", j)) for j, alias in enumerate(command.aliases)]
    yield from _duplicates(items, "command path or alias")


@rule("unique-flags")
def unique_flags(spec: Spec) -> Iterator[Finding]:
    global_names = {n: i for i, f in enumerate(spec.global_flags) for n in f.all_names}
    yield from _duplicates(
        [(n, ("global_flags", i, "name")) for i, f in enumerate(spec.global_flags) for n in f.all_names],
        "global flag",
    )
    for ci, command in enumerate(spec.commands):
        items = []
        for fi, flag in enumerate(command.flags):
            base: PathKey = ("commands", ci, "flags", fi)
            names = [(flag.name, base + ("name",))]
            names += [(a, base + ("aliases", j)) for j, a in enumerate(flag.aliases)]
            names += [(a, base + ("compatibility_aliases", j)) for j, a in enumerate(flag.compatibility_aliases)]
            for name, path in names:
                if name in global_names:
                    yield Finding(path, f"flag {name} is already a global flag", "remove it from the command")
            items += names
        yield from _duplicates(items, "flag name")  # the path names the command


# --------------------------------------------------------------------------- references


@rule("command-endpoint")
def command_endpoint(spec: Spec) -> Iterator[Finding]:
    for i, command in enumerate(spec.commands):
        path: PathKey = ("commands", i, "endpoint")
        if command.endpoint is None:
            if command.surface == "hosted":
                yield Finding(
                    ("commands", i, "surface"),
                    f"hosted command '{command.path}' names no endpoint",
                    "set `endpoint:` to the id of the endpoint it calls, or `surface: local`",
                )
            continue
        if command.endpoint not in spec.endpoints_by_id:
            yield Finding(
                path, f"endpoint {command.endpoint!r} is not defined", _suggest(command.endpoint, spec.endpoints_by_id)
            )


@rule("endpoint-used")
def endpoint_used(spec: Spec) -> Iterator[Finding]:
    used = {c.endpoint for c in spec.commands if c.endpoint}
    if spec.credits:
        used |= {m.endpoint for m in spec.credits.payment_methods if m.endpoint}
    for i, endpoint in enumerate(spec.endpoints):
        if endpoint.id not in used and not endpoint.api_only:
            yield Finding(
                ("endpoints", i, "id"),
                f"endpoint {endpoint.id!r} is not called by any command",
                "point a command at it, or mark it `api_only: true`",
            )


@rule("endpoint-path-params")
def endpoint_path_params(spec: Spec) -> Iterator[Finding]:
    for i, endpoint in enumerate(spec.endpoints):
        declared = [p.name for p in endpoint.path_params]
        in_path = endpoint.template_params
        for name in in_path:
            if name not in declared:
                yield Finding(("endpoints", i, "path"), f"path parameter {{{name}}} is not declared in path_params")
        for j, name in enumerate(declared):
            if name not in in_path:
                yield Finding(
                    ("endpoints", i, "path_params", j, "name"),
                    f"path parameter {name!r} does not appear in {endpoint.path}",
                )


@rule("flag-field")
def flag_field(spec: Spec) -> Iterator[Finding]:
    """A flag or argument that fills a request field must name a field of its endpoint."""
    for ci, command in enumerate(spec.commands):
        endpoint = spec.endpoints_by_id.get(command.endpoint or "")
        if endpoint is None:
            continue
        fields = {f.name for f in endpoint.body + endpoint.query + endpoint.path_params}
        items = [(f.field, ("commands", ci, "flags", fi, "field")) for fi, f in enumerate(command.flags)]
        items += [(a.field, ("commands", ci, "arguments", ai, "field")) for ai, a in enumerate(command.arguments)]
        for name, path in items:
            if name and name not in fields:
                yield Finding(
                    path,
                    f"field {name!r} is not a body, query or path field of endpoint {endpoint.id!r}",
                    _suggest(name, fields),
                )


@rule("one-of-flags")
def one_of_flags(spec: Spec) -> Iterator[Finding]:
    for ci, command in enumerate(spec.commands):
        names = {n for f in command.flags for n in f.all_names}
        for gi, group in enumerate(command.one_of):
            if len(group) < 2:
                yield Finding(("commands", ci, "one_of", gi), "a one_of group needs at least two flags")
            for fi, name in enumerate(group):
                if name not in names:
                    yield Finding(("commands", ci, "one_of", gi, fi), f"flag {name} is not a flag of '{command.path}'")


@rule("flag-default")
def flag_default(spec: Spec) -> Iterator[Finding]:
    for base, flag in _all_flags(spec):
        if flag.default is None:
            continue
        try:
            argv_parser.convert(flag.type.value, _raw(flag.default), flag.name, tuple(flag.choices))
        except argv_parser.UsageProblem as problem:
            yield Finding(base + ("default",), f"default does not fit the flag: {problem.message}")
        if flag.required:
            yield Finding(
                base + ("default",), f"{flag.name} is required, so a default is never used", severity=Severity.WARNING
            )


def _raw(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _all_flags(spec: Spec) -> Iterator[tuple[PathKey, Flag]]:
    for fi, flag in enumerate(spec.global_flags):
        yield ("global_flags", fi), flag
    for ci, command in enumerate(spec.commands):
        for fi, flag in enumerate(command.flags):
            yield ("commands", ci, "flags", fi), flag


@rule("command-codes")
def command_codes(spec: Spec) -> Iterator[Finding]:
    """Exit codes, error codes, events and rules named by commands exist and agree."""
    for ci, command in enumerate(spec.commands):
        base: PathKey = ("commands", ci)
        for j, code in enumerate(command.exit_codes):
            if code not in spec.exit_codes_by_code:
                yield Finding(base + ("exit_codes", j), f"exit code {code} is not defined in exit_codes")
        for j, name in enumerate(command.errors):
            error = spec.error_codes_by_code.get(name)
            if error is None:
                yield Finding(
                    base + ("errors", j),
                    f"error code {name!r} is not defined in error_codes",
                    _suggest(name, spec.error_codes_by_code),
                )
            elif command.exit_codes and error.exit_code not in command.exit_codes:
                yield Finding(
                    base + ("errors", j),
                    f"error {name} exits with {error.exit_code}, which '{command.path}' does not list in exit_codes",
                )
        for j, event in enumerate(command.events):
            if event not in spec.event_type_set:
                yield Finding(
                    base + ("events", j),
                    f"event type {event!r} is not defined in events",
                    _suggest(event, spec.event_types) or "add it to the top-level `events:` list",
                )
        for j, rule_id in enumerate(command.rules):
            if rule_id not in spec.guidance_by_id:
                yield Finding(
                    base + ("rules", j),
                    f"guidance rule {rule_id!r} is not defined",
                    _suggest(rule_id, spec.guidance_by_id),
                )


@rule("endpoint-errors")
def endpoint_errors(spec: Spec) -> Iterator[Finding]:
    for i, endpoint in enumerate(spec.endpoints):
        for j, name in enumerate(endpoint.errors):
            if name not in spec.error_codes_by_code:
                yield Finding(
                    ("endpoints", i, "errors", j),
                    f"error code {name!r} is not defined in error_codes",
                    _suggest(name, spec.error_codes_by_code),
                )


@rule("response-example")
def response_example(spec: Spec) -> Iterator[Finding]:
    """An endpoint's example response holds every required response field."""
    for i, endpoint in enumerate(spec.endpoints):
        example = endpoint.response.example
        if example is None:
            continue
        for field in endpoint.response.fields:
            top = field.name.split(".")[0].split("[")[0]
            if field.required and top not in example:
                yield Finding(
                    ("endpoints", i, "response", "example"),
                    f"example response lacks required field {field.name!r}",
                    f"add {top!r} to the example or mark the field optional",
                )


@rule("error-exit-code")
def error_exit_code(spec: Spec) -> Iterator[Finding]:
    for i, error in enumerate(spec.error_codes):
        if error.exit_code not in spec.exit_codes_by_code:
            yield Finding(
                ("error_codes", i, "exit_code"),
                f"{error.code} maps to exit code {error.exit_code}, which is not defined in exit_codes",
            )
    if spec.client:
        for status, code in spec.client.http_exit_codes.items():
            if code not in spec.exit_codes_by_code:
                yield Finding(
                    ("client", "http_exit_codes", status),
                    f"HTTP {status} maps to exit code {code}, which is not defined",
                )
            if not re.fullmatch(r"[1-5](?:\d\d|xx)", status):
                yield Finding(
                    ("client", "http_exit_codes", status),
                    f"{status!r} is not an HTTP status such as 401 or a class such as 5xx",
                    on_key=True,
                )


@rule("exit-code-unique")
def exit_code_unique(spec: Spec) -> Iterator[Finding]:
    """Each exit code is defined once, with one name and one meaning."""
    yield from _duplicates(
        [(str(e.code), ("exit_codes", i, "code")) for i, e in enumerate(spec.exit_codes)], "exit code"
    )
    yield from _duplicates(
        [(e.name, ("exit_codes", i, "name")) for i, e in enumerate(spec.exit_codes)], "exit code name"
    )
    yield from _duplicates(
        [(e.meaning.strip().lower(), ("exit_codes", i, "meaning")) for i, e in enumerate(spec.exit_codes)],
        "exit code meaning",
    )
    if 0 not in spec.exit_codes_by_code:
        yield Finding(("exit_codes",), "exit code 0 (success) is not defined")


@rule("event-refs")
def event_refs(spec: Spec) -> Iterator[Finding]:
    for i, event in enumerate(spec.events):
        if not event.links:
            yield Finding(
                ("events", i, "links"), f"event {event.type} names no stable links", severity=Severity.WARNING
            )


@rule("credits")
def credits_rules(spec: Spec) -> Iterator[Finding]:
    credits = spec.credits
    if credits is None:
        return
    base: PathKey = ("credits",)
    for i, pack in enumerate(credits.packs):
        expected = pack.credits * credits.credit_value_cents
        if pack.price_cents != expected:
            yield Finding(
                base + ("packs", i, "price_cents"),
                f"pack {pack.id}: {pack.credits} credits at {credits.credit_value_cents} cent(s) each "
                f"cost {expected} cents, not {pack.price_cents}",
                f"set price_cents: {expected}",
            )
    modes = {b.id for b in credits.buyer_modes}
    packs = {p.id for p in credits.packs}
    methods = {m.id for m in credits.payment_methods}
    for i, method in enumerate(credits.payment_methods):
        for j, mode in enumerate(method.buyer_modes):
            if modes and mode not in modes:
                yield Finding(
                    base + ("payment_methods", i, "buyer_modes", j),
                    f"buyer mode {mode!r} is not defined in credits.buyer_modes",
                    _suggest(mode, modes),
                )
        if method.default_pack and method.default_pack not in packs:
            yield Finding(
                base + ("payment_methods", i, "default_pack"),
                f"pack {method.default_pack!r} is not defined",
                _suggest(method.default_pack, packs),
            )
        if method.endpoint and method.endpoint not in spec.endpoints_by_id:
            yield Finding(
                base + ("payment_methods", i, "endpoint"),
                f"endpoint {method.endpoint!r} is not defined",
                _suggest(method.endpoint, spec.endpoints_by_id),
            )
    if credits.default_payment_method and credits.default_payment_method not in methods:
        yield Finding(
            base + ("default_payment_method",),
            f"payment method {credits.default_payment_method!r} is not defined",
            _suggest(credits.default_payment_method, methods),
        )
    if credits.custom_quotes and credits.custom_quotes.min_credits > credits.custom_quotes.max_credits:
        yield Finding(base + ("custom_quotes",), "min_credits is larger than max_credits")


# --------------------------------------------------------------------------- versions


@rule("version")
def version(spec: Spec) -> Iterator[Finding]:
    product_version = spec.product.version
    if not SEMVER.match(product_version):
        yield Finding(
            ("product", "version"), f"version {product_version!r} is not a semantic version (MAJOR.MINOR.PATCH)"
        )
    for i, entry in enumerate(spec.changelog):
        if not SEMVER.match(entry.version):
            yield Finding(("changelog", i, "version"), f"changelog version {entry.version!r} is not a semantic version")
    newest = max(spec.changelog, key=lambda e: semver_key(e.version))
    if newest.version != product_version:
        yield Finding(
            ("product", "version"),
            f"version {product_version} differs from the newest changelog entry {newest.version}",
            "add a changelog entry for this version, or set the version to the newest entry",
        )
    ordered = sorted(spec.changelog, key=lambda e: semver_key(e.version), reverse=True)
    if list(spec.changelog) != ordered:
        yield Finding(("changelog",), "changelog entries are not ordered newest first", severity=Severity.WARNING)


# --------------------------------------------------------------------------- skills and URLs


@rule("skill-name")
def skill_name(spec: Spec) -> Iterator[Finding]:
    for i, skill in enumerate(spec.skills):
        name = skill.name
        if not 1 <= len(name) <= 64 or not SKILL_NAME.match(name):
            yield Finding(
                ("skills", i, "name"),
                f"skill name {name!r} is not a valid Agent Skills name",
                "use 1-64 lowercase letters, digits and single hyphens, not starting or ending with a hyphen",
            )


@rule("skill-description")
def skill_description(spec: Spec) -> Iterator[Finding]:
    for i, skill in enumerate(spec.skills):
        length = len(skill.description.strip())
        if not 1 <= length <= 1024:
            yield Finding(
                ("skills", i, "description"),
                f"skill description is {length} characters; Agent Skills allow 1-1024",
                "move detail into the skill's sections"
                if length
                else "say what the skill does and when an agent should use it",
            )


@rule("skill-canonical")
def skill_canonical(spec: Spec) -> Iterator[Finding]:
    canonical = [i for i, s in enumerate(spec.skills) if s.canonical]
    if not canonical:
        yield Finding(
            ("skills",),
            "exactly one skill must be `canonical: true` (found 0)",
            "mark the skill that skill.md is built from with `canonical: true`",
        )
    # Point at each extra canonical skill, not at the list as a whole.
    for i in canonical[1:]:
        yield Finding(
            ("skills", i, "canonical"),
            f"skill {spec.skills[i].name!r} is also marked canonical; only one skill may be "
            f"(the first is {spec.skills[canonical[0]].name!r})",
            "remove `canonical: true` from all but one skill",
        )


@rule("skill-refs")
def skill_refs(spec: Spec) -> Iterator[Finding]:
    for si, skill in enumerate(spec.skills):
        for ti, section in enumerate(skill.sections):
            base: PathKey = ("skills", si, "sections", ti)
            for j, path in enumerate(section.commands):
                if path not in spec.commands_by_path:
                    yield Finding(
                        base + ("commands", j),
                        f"command '{path}' is not defined",
                        _suggest(path, spec.commands_by_path),
                    )
            for j, rule_id in enumerate(section.rules):
                if rule_id not in spec.guidance_by_id:
                    yield Finding(
                        base + ("rules", j),
                        f"guidance rule {rule_id!r} is not defined",
                        _suggest(rule_id, spec.guidance_by_id),
                    )
    for gi, guidance in enumerate(spec.guidance):
        for j, path in enumerate(guidance.commands):
            if path not in spec.commands_by_path:
                yield Finding(
                    ("guidance", gi, "commands", j),
                    f"command '{path}' is not defined",
                    _suggest(path, spec.commands_by_path),
                )


@rule("https-urls")
def https_urls(spec: Spec) -> Iterator[Finding]:
    urls = spec.product.urls
    for name in type(urls).model_fields:
        value = getattr(urls, name)
        if value is None:
            continue
        if not re.match(r"^https://[A-Za-z0-9.-]+(?::\d+)?(?:/\S*)?$", value):
            yield Finding(("product", "urls", name), f"{name} URL {value!r} is not an absolute https URL")
        elif {".", ".."} & set(urlsplit(value).path.split("/")):
            # browsers drop these segments, and a site path built from the URL would
            # point outside the site
            yield Finding(
                ("product", "urls", name),
                f"{name} URL has a '.' or '..' path segment",
                "write the path without them; the site serves files at the paths these URLs name",
            )
        elif bad := URL_UNSAFE.search(value):
            yield Finding(
                ("product", "urls", name),
                f"{name} URL has {bad.group()!r} at character {bad.start() + 1}, which breaks the links and "
                "attributes the URL is written into",
                "percent-encode it (for example %22 for a double quote, %3C for '<')",
            )


@rule("env-roles")
def env_roles(spec: Spec) -> Iterator[Finding]:
    seen: dict[str, int] = {}
    for i, var in enumerate(spec.environment):
        role = var.role.value
        if role in ("token", "api-base-url", "config-path"):
            if role in seen:
                yield Finding(("environment", i, "role"), f"only one variable may have role {role!r}")
            seen[role] = i
        if role in ("token", "token-fallback") and not var.secret:
            yield Finding(("environment", i, "secret"), f"{var.name} holds a token and must be `secret: true`")


# --------------------------------------------------------------------------- invocations


def _check_invocation(spec: Spec, argv: list[str], path: PathKey) -> Iterator[Finding]:
    if any(bad_character(word, TextKind.token) for word in argv):
        return  # `text-chars` reports the character; parsing the words would only say it again
    command, used = spec.resolve_command(argv)
    if command is None:
        words = " ".join(t for t in argv[:2] if not t.startswith("-"))
        yield Finding(path, f"'{words}' is not a command of this spec", _suggest(words, spec.commands_by_path))
        return
    try:
        argv_parser.parse(command, argv[used:], spec.global_flags)
    except argv_parser.UsageProblem as problem:
        yield Finding(path, f"not a valid '{command.path}' invocation: {problem.message}", problem.hint)


@rule("example-valid")
def example_valid(spec: Spec) -> Iterator[Finding]:
    for ci, command in enumerate(spec.commands):
        for ei, example in enumerate(command.examples):
            base: PathKey = ("commands", ci, "examples", ei)
            resolved, _ = spec.resolve_command(example.argv)
            if resolved is not None and resolved is not command:
                yield Finding(base + ("argv",), f"example runs '{resolved.path}', not '{command.path}'")
                continue
            yield from _check_invocation(spec, example.argv, base + ("argv",))
            if example.exit_code not in spec.exit_codes_by_code:
                yield Finding(base + ("exit_code",), f"exit code {example.exit_code} is not defined")


@rule("first-run-valid")
def first_run_valid(spec: Spec) -> Iterator[Finding]:
    for i, step in enumerate(spec.first_run):
        yield from _check_invocation(spec, step.argv, ("first_run", i, "argv"))


@rule("no-secrets")
def no_secrets(spec: Spec) -> Iterator[Finding]:
    """Examples and first-run steps hold placeholders, never real-looking secrets."""
    shapes = list(SECRET_SHAPES)
    prefix = spec.client.token_prefix if spec.client else None
    if prefix:
        shapes.append(re.compile(re.escape(prefix) + r"[A-Za-z0-9]{16,}"))
    places: list[tuple[str, PathKey]] = []
    for ci, command in enumerate(spec.commands):
        for ei, example in enumerate(command.examples):
            places += [(t, ("commands", ci, "examples", ei, "argv", j)) for j, t in enumerate(example.argv)]
            if example.stdin:
                places.append((example.stdin, ("commands", ci, "examples", ei, "stdin")))
    for si, step in enumerate(spec.first_run):
        places += [(t, ("first_run", si, "argv", j)) for j, t in enumerate(step.argv)]
    for ii, snippet in enumerate(spec.install):
        places.append((snippet.command, ("install", ii, "command")))
    for text, path in places:
        for shape in shapes:
            if shape.search(text):
                yield Finding(
                    path,
                    "this looks like a real secret",
                    "use a placeholder such as TOKEN or a prefix followed by '...'",
                )
                break


# --------------------------------------------------------------------------- text


_LAST_WALK: list[tuple[Spec, list[SpecString]]] = []


def _strings(spec: Spec) -> list[SpecString]:
    """Every string of ``spec``; both text rules read the same walk (kept for the last spec)."""
    if not (_LAST_WALK and _LAST_WALK[0][0] is spec):
        _LAST_WALK[:] = [(spec, list(iter_strings(spec)))]
    return _LAST_WALK[0][1]


@rule("text-chars")
def text_chars(spec: Spec) -> Iterator[Finding]:
    """No spec string holds control or bidirectional override characters.

    The YAML reader already refuses most control characters written as they are; these
    arrive through escapes (``"\\e"``, ``"\\u202e"``) or are characters YAML allows (U+0085,
    the bidi controls). Line feeds and tabs are fine in markdown, code and example data.
    """
    for path, value, kind, key in _strings(spec):
        found = bad_character(value, kind)
        if found is None:
            continue
        index, what = found
        where = "this key" if key else "this value"
        yield Finding(
            path,
            f"{what} at character {index + 1} of {where}",
            "bidirectional controls make text read differently from what it is; remove them"
            if "bidirectional" in what
            else "write one line here; use a markdown field for longer text"
            if what.startswith(("line break", "tab"))
            else "remove it; control characters reach terminals and pages as they are",
            on_key=key,
        )


@rule("markdown-safe")
def markdown_safe(spec: Spec) -> Iterator[Finding]:
    """Markdown fields hold no script: no <script>-like elements, event handlers or
    javascript:/vbscript:/data: link targets."""
    for path, value, kind, _ in _strings(spec):
        if kind not in (TextKind.markdown, TextKind.inline):
            continue
        found = unsafe_markdown(value)
        if found is not None:
            index, problem, hint = found
            yield Finding(path, f"{problem} at character {index + 1}", hint)


def _suggest(name: str, known: Iterable[str]) -> str | None:
    import difflib

    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}?" if close else None


def run(spec: Spec) -> Iterator[tuple[str, Finding]]:
    for code, fn in RULES.items():
        for finding in fn(spec):
            yield code, finding


__all__ = ["RULES", "Command", "Finding", "ValueType", "run", "semver_key"]
