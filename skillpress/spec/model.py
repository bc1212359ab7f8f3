"""Typed model of a skillpress spec (format version 1).

Everything downstream (rules, renderers, the site, the thin client, the mock) reads
these objects, never raw YAML. Structure that a check or a client can use (names,
flags, codes, paths, prices) is structured data; prose is markdown strings.
"""

from __future__ import annotations

import datetime as _dt
import re
from enum import Enum
from functools import cached_property
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    JsonValue,
    StrictBool,
    StrictFloat,
    StrictInt,
    StringConstraints,
    model_validator,
)
from pydantic_core import PydanticCustomError


class TextKind(str, Enum):
    """How a spec string is written, which says how it is escaped wherever it lands.

    A ``str`` field carries its kind in its annotation (``Annotated[str, ..., TextKind.text]``);
    a field without one is a ``token``. ``skillpress.spec.text`` walks a spec with these kinds
    (the ``text-chars`` and ``markdown-safe`` rules), and the templates escape each kind
    for the context it lands in (``skillpress.render.escape``).
    """

    text = "text"
    """Plain text shown exactly as written (names, titles): every markdown or HTML character is escaped."""
    inline = "inline"
    """One line of inline markdown (summaries, meanings): code spans and links work, raw HTML is shown as text."""
    markdown = "markdown"
    """Markdown blocks (descriptions, rules, notes)."""
    code = "code"
    """Literal text shown in code blocks (shell commands, stdin); may span lines."""
    token = "token"
    """Ids, names, URLs, versions, argv words and values: one line, no markup."""
    data = "data"
    """A string inside an example JSON object (key or value)."""


Id = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9._-]*$", max_length=128)]
FlagName = Annotated[str, StringConstraints(pattern=r"^--[a-z0-9][a-z0-9-]*$")]
CommandPath = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*( [a-z0-9][a-z0-9-]*)*$")]
ErrorCodeName = Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Z0-9_]*$")]
EventType = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")]
Markdown = Annotated[str, StringConstraints(min_length=1), TextKind.markdown]
OneLine = Annotated[str, StringConstraints(min_length=1, max_length=300, pattern=r"^[^\n]+$"), TextKind.inline]
PlainLine = Annotated[str, StringConstraints(min_length=1, max_length=300, pattern=r"^[^\n]+$"), TextKind.text]
Code = Annotated[str, StringConstraints(min_length=1), TextKind.code]
Url = Annotated[str, StringConstraints(min_length=1)]
ShortFlag = Annotated[str, StringConstraints(pattern=r"^-[A-Za-z0-9]$")]
EnvName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")]
ArgumentName = Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Z0-9_]*$")]
# A flag (``--name``) or an argument (``NAME``) of a command: what steps and routes read.
InputName = Annotated[str, StringConstraints(pattern=r"^(?:--[a-z0-9][a-z0-9-]*|[A-Z][A-Z0-9_]*)$")]
# A request field: a body, query, path or header field of an endpoint (dots nest body objects).
FieldName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_.\[\]-]*$", max_length=200)]
HeaderName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9-]*$", max_length=128)]
# A dotted path into a JSON reply (``error.code``); "" is the whole value. Its form is a rule
# (`reply-paths`) so that a malformed one gets a message in plain words.
ReplyPath = Annotated[str, StringConstraints(max_length=200)]
# A regular expression (Python syntax, searched, not implicitly anchored); the rules compile it.
Pattern = Annotated[str, StringConstraints(min_length=1, max_length=1000)]

DOCUMENTS = ("skill", "llms", "llms-full", "cli", "site", "skills", "client")
DocumentId = Literal["skill", "llms", "llms-full", "cli", "site", "skills", "client"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


# --------------------------------------------------------------------------- product


class Urls(_Model):
    homepage: Url = Field(description="Product homepage (absolute https URL).")
    skill: Url = Field(description="Where the canonical skill.md is served.")
    llms: Url = Field(description="Where llms.txt is served.")
    cli: Url = Field(description="Where cli.md is served.")
    api: Url = Field(description="Base URL of the hosted API.")
    llms_full: Url | None = Field(None, description="Where llms-full.txt is served (default: next to llms.txt).")
    repository: Url | None = Field(None, description="Public source repository, if any.")
    media: Url | None = Field(None, description="Origin of product-owned media URLs, if any.")


class Descriptions(_Model):
    short: OneLine = Field(description="One sentence for listings and link notes.")
    long: Markdown = Field(description="A paragraph or two of markdown: what it is and for whom.")
    skill: Annotated[str, StringConstraints(min_length=1), TextKind.markdown] = Field(
        description="The Agent Skills `description` of the canonical skill: what it does and when to use it."
    )


class Product(_Model):
    id: Id = Field(description="Machine name of the product, e.g. `acme-notes`.")
    name: PlainLine = Field(description="Display name (plain text).")
    version: str = Field(description="Semantic version of the published contract; equals the newest changelog entry.")
    status: PlainLine | None = Field(None, description="Maturity label shown in documents, e.g. `live preview`.")
    summary: OneLine = Field(description="One-line summary (the llms.txt blockquote).")
    descriptions: Descriptions
    urls: Urls
    cli_name: Id = Field(description="Name of the thin client's executable.")
    license: PlainLine | None = None
    author: PlainLine | None = None
    keywords: list[Id] = Field(default_factory=list)


class Selection(_Model):
    """When to pick the product and when something else wins."""

    choose_when: list[Markdown] = Field(default_factory=list)
    choose_other_when: list[Markdown] = Field(default_factory=list)
    proof_to_keep: list[Markdown] = Field(default_factory=list)


class InstallSnippet(_Model):
    id: Id
    title: PlainLine
    audience: Literal["agent", "human"] = "agent"
    kind: Literal["skill", "client", "config"] = "client"
    command: Code = Field(description="Shell command(s) to run.")
    note: Markdown | None = None


class EnvRole(str, Enum):
    token = "token"
    token_fallback = "token-fallback"
    api_base_url = "api-base-url"
    config_path = "config-path"
    other = "other"


class EnvVar(_Model):
    name: Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")]
    purpose: Markdown
    secret: bool = False
    role: EnvRole = EnvRole.other


class Actor(_Model):
    id: Id
    description: OneLine


class ClaimState(_Model):
    id: Id
    summary: OneLine
    may: list[Markdown] = Field(default_factory=list)
    may_not: list[Markdown] = Field(default_factory=list)


# --------------------------------------------------------------------------- commands


class ValueType(str, Enum):
    string = "string"
    integer = "integer"
    number = "number"
    boolean = "boolean"
    path = "path"
    url = "url"
    json = "json"
    csv = "csv"


class Auth(str, Enum):
    none = "none"
    optional = "optional"
    required = "required"


Transform = Literal["trim", "lower", "upper", "omit-empty"]
ReadAs = Literal["text", "json", "base64", "lines"]


class Generate(_Model):
    """A value made by the client when the flag is absent, e.g. an idempotency key."""

    pattern: Annotated[str, StringConstraints(min_length=1, max_length=200)] = Field(
        description="Text with placeholders: {millis}, {seconds}, {date}, {hex8}, {hex16}, {hex32}, {uuid}."
    )
    warn: bool = Field(False, description="The client adds a warning naming the flag and the value it made.")


class AcceptsUrl(_Model):
    hosts: list[Annotated[str, StringConstraints(pattern=r"^[a-z_]+$")]] = Field(
        min_length=1,
        description="Names of `product.urls` entries (e.g. `media`, `api`), or `base` for the API base in use.",
    )
    id: Pattern = Field(description="What the URL's last path segment, without extension, must match to be an id.")


class Flag(_Model):
    name: FlagName = Field(description="Long flag, e.g. `--color`.")
    type: ValueType = ValueType.string
    summary: OneLine
    description: Markdown | None = None
    value_name: Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Z0-9_]*$")] | None = Field(
        None, description="Placeholder shown in usage, e.g. `COLOR`."
    )
    required: bool = False
    default: str | int | float | bool | None = None
    choices: list[str] = Field(default_factory=list)
    repeatable: bool = False
    aliases: list[FlagName] = Field(default_factory=list, description="Other current names of the flag.")
    compatibility_aliases: list[FlagName] = Field(
        default_factory=list, description="Older names still accepted; documented but not recommended."
    )
    field: str | None = Field(None, description="Request field (body, query or path) this flag fills.")
    local: bool = Field(False, description="Read by the client itself and never sent to the API.")
    secret: bool = False
    short: ShortFlag | None = Field(None, description="One-letter form, e.g. `-o`: given as `-o VALUE` or `-o=VALUE`.")
    env: EnvName | None = Field(
        None, description="Environment variable that gives the value when the flag is absent (flag > env > default)."
    )
    negatable: bool = Field(False, description="A switch that also has a `--no-NAME` form (its default may be true).")
    sets: dict[FieldName, JsonValue] = Field(
        default_factory=dict, description="A switch: these constant request fields are sent when it is given."
    )
    scale: Annotated[float, Field(gt=0)] | None = Field(
        None, description="A number flag: `value x scale` is sent (e.g. 1000 turns seconds into milliseconds)."
    )
    transform: list[Transform] = Field(
        default_factory=list, description="Applied to the value in order: `trim`, `lower`, `upper`, `omit-empty`."
    )
    generate: Generate | None = Field(None, description="A value the client makes when the flag is absent.")
    read: ReadAs | None = Field(
        None,
        description="A path flag: the file's content (`-` reads stdin) fills the field, as `text`, `json`, "
        "`base64` or `lines`.",
    )
    max_bytes: Annotated[int, Field(gt=0, le=1024 * 1024 * 1024)] | None = Field(
        None, description="Largest file `read` accepts (default 1 MiB)."
    )
    accepts_url: AcceptsUrl | None = Field(
        None, description="A URL on the product's own hosts is reduced to the id it names; any other URL is refused."
    )

    @property
    def all_names(self) -> list[str]:
        return [self.name, *self.aliases, *self.compatibility_aliases]

    @property
    def takes_value(self) -> bool:
        return self.type is not ValueType.boolean


class Argument(_Model):
    name: Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Z0-9_]*$")]
    type: ValueType = ValueType.string
    summary: OneLine
    required: bool = True
    field: str | None = None
    flag: FlagName | None = Field(None, description="Flag that may be given instead of the positional.")
    variadic: bool = Field(False, description="Takes every remaining positional (a list); only the last argument.")
    choices: list[str] = Field(
        default_factory=list, description="The values it accepts (each value, for a variadic argument)."
    )
    transform: list[Transform] = Field(default_factory=list, description="As for flags.")
    accepts_url: AcceptsUrl | None = Field(None, description="As for flags.")


ExpectedValue = StrictBool | StrictInt | StrictFloat | str | None


class Expect(_Model):
    """What running a documented example promises, checked against the mock by the tests."""

    reply: dict[
        Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_$-]+(?:\.[A-Za-z0-9_$-]+)*$")], ExpectedValue
    ] = Field(
        default_factory=dict,
        description="Values at dotted paths of the printed JSON (a number indexes a list), e.g. `data.dry_run`.",
    )
    spends: Annotated[int, Field(ge=0)] | None = Field(
        None, description="Credits the call uses up on the account (0: it spends nothing)."
    )
    files: list[Annotated[str, StringConstraints(min_length=1, max_length=300, pattern=r"^[^\n]+$")]] = Field(
        default_factory=list, description="Files the command writes, relative to the working folder."
    )
    sends: list[FieldName] = Field(
        default_factory=list, description="Request fields the API receives, with the values the example gives."
    )


class Example(_Model):
    argv: list[str] = Field(min_length=1, description="Arguments after the executable name.")
    shows: OneLine = Field(description="What the example demonstrates.")
    exit_code: int = 0
    stdin: Annotated[str, TextKind.code] | None = Field(
        None, description="Text piped on stdin (placeholder, never a real secret)."
    )
    expect: Expect | None = Field(None, description="What the example promises when it runs (checked by tests).")


# --------------------------------------------------------------------------- routes and steps


class RouteWhen(_Model):
    """When a route applies: a flag (given, or equal to / matching a value) or an argument's shape."""

    flag: FlagName | None = Field(None, description="A flag of the command: the route applies when it is given.")
    argument: ArgumentName | None = Field(
        None, description="An argument of the command: the route applies when it has a value."
    )
    equals: str | None = Field(None, description="...and its value is exactly this (`true`/`false` for a switch).")
    matches: Pattern | None = Field(None, description="...and its value matches this regular expression (searched).")

    @model_validator(mode="after")
    def _one_subject(self) -> RouteWhen:
        if (self.flag is None) == (self.argument is None):
            raise PydanticCustomError("route_when", "a route condition names exactly one of `flag` or `argument`")
        if self.equals is not None and self.matches is not None:
            raise PydanticCustomError("route_when", "a route condition uses `equals` or `matches`, not both")
        return self


class Route(_Model):
    when: RouteWhen | None = Field(None, description="Condition; the last route has none (first match wins).")
    endpoint: Id = Field(description="Id of the endpoint called when this route is chosen.")
    fields: dict[InputName, FieldName] = Field(
        default_factory=dict,
        description="For this route only: the request field a flag or argument fills (overrides its `field`).",
    )


UploadFact = Literal["kind", "name", "mime", "size", "sha256", "base64", "origin"]


class UploadStep(_Model):
    """Upload local files or URLs given in flags/arguments, and use the ids the API returns."""

    values: list[InputName] = Field(min_length=1, description="Flags and arguments whose values may be files or URLs.")
    skip_if: Pattern | None = Field(None, description="Values matching this are left as they are (already ids).")
    endpoint: Id = Field(description="Endpoint that receives each upload.")
    body: dict[FieldName, UploadFact] = Field(
        min_length=1, description="Request fields and the fact of the file that fills each."
    )
    types: dict[
        Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+$")],
        Annotated[str, StringConstraints(pattern=r"^[a-z]+/[A-Za-z0-9.+-]+$")],
    ] = Field(min_length=1, description="Accepted file extensions and their MIME types.")
    max_bytes: Annotated[int, Field(gt=0, le=1024 * 1024 * 1024)] = 10 * 1024 * 1024
    id: ReplyPath = Field(description="Path of the new id in the upload reply's data.")
    kinds: dict[Literal["file", "url"], Annotated[str, StringConstraints(min_length=1, max_length=64)]] = Field(
        default_factory=dict,
        description="The words the `kind` fact sends for a local file and for a URL (default `file` and `url`).",
    )


class Duration(_Model):
    flag: FlagName | None = Field(None, description="Flag that gives the duration.")
    unit: Literal["ms", "s"] = Field("s", description="Unit of the flag's value and of `default`.")
    default: Annotated[float, Field(ge=0)] | None = Field(None, description="Used when the flag is absent.")


class PollStep(_Model):
    """Call an endpoint until a reply field reaches a terminal value, or the timeout passes."""

    endpoint: Id
    id: ReplyPath | None = Field(
        None, description="Path of the job id in the first reply's data (fills the endpoint's path parameter)."
    )
    status: ReplyPath = Field(description="Path of the status in each reply's data.")
    done: list[Annotated[str, StringConstraints(min_length=1)]] = Field(min_length=1, description="Terminal statuses.")
    interval: Duration | None = None
    timeout: Duration | None = None
    when: FlagName | None = Field(None, description="Poll only when this flag is given.")


class DownloadStep(_Model):
    """Download the URL found in the reply to a file, atomically and checked."""

    url: ReplyPath
    to: FlagName | None = Field(None, description="Flag naming the target file.")
    name: ReplyPath | None = Field(None, description="Reply field giving the file's base name when `to` is absent.")
    type: ReplyPath | None = Field(None, description="Reply field giving the MIME type (picks the extension).")
    size: ReplyPath | None = Field(None, description="Reply field giving the expected size in bytes.")
    sha256: ReplyPath | None = Field(None, description="Reply field giving the expected SHA-256 (hex).")
    overwrite: FlagName | None = Field(None, description="Flag that allows replacing an existing file.")
    max_bytes: Annotated[int, Field(gt=0)] = 256 * 1024 * 1024


class SaveCredentialStep(_Model):
    """Save a credential issued in the reply; print it only when asked."""

    from_: ReplyPath = Field(alias="from", description="Path of the secret in the reply's data.")
    when: FlagName | None = Field(None, description="Save it only when this flag is given.")
    reveal: FlagName | None = Field(None, description="Print it only when this flag is given.")
    request_field: FieldName | None = Field(
        None, description="Request field sent as true when `when` or `reveal` is given."
    )
    report: ReplyPath | None = Field(None, description="Object in the reply's data that gets `saved`/`config_path`.")


class CredentialStep(_Model):
    """Local credential management."""

    action: Literal["status", "save", "forget"]


class CopyStep(_Model):
    """Fill a missing reply field from the first present of others."""

    from_: list[ReplyPath] = Field(alias="from", min_length=1)
    to: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_$-]+$")]
    in_: list[ReplyPath] = Field(
        default_factory=lambda: [""], alias="in", description='Objects to fix; "" is the data.'
    )
    keep_fragment: bool = Field(True, description="Keep the `#...` part of a copied URL.")


class PrintStep(_Model):
    """Plain output: print one reply field verbatim instead of the JSON."""

    field: ReplyPath
    when: FlagName | None = Field(None, description="Only when this flag is given.")
    unless: FlagName | None = Field(
        None, description="Not when this flag is given (e.g. the switch that asks for JSON)."
    )


class WriteOutputStep(_Model):
    """Write what would be printed to the file named by a flag."""

    flag: FlagName
    overwrite: FlagName | None = Field(None, description="Flag that allows replacing an existing file.")
    replace: bool = Field(
        False, description="Always replace an existing file (still atomically); leave `overwrite` out then."
    )


class StatusStep(_Model):
    """Local diagnosis; always exits 0."""

    endpoint: Id | None = Field(None, description="Endpoint called without a credential to test reachability.")


class HelpStep(_Model):
    skill_flag: FlagName | None = Field(None, description="Flag that prints the bundled SKILL.md instead.")


class VersionStep(_Model):
    pass


class HookStep(_Model):
    """Escape hatch: a function of the product's own hooks package."""

    call: Annotated[
        str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*:[A-Za-z_][A-Za-z0-9_]*$")
    ] = Field(description="`module:function`, relative to `protocol.hooks`.")
    reads: list[InputName] = Field(default_factory=list, description="Flags and arguments the function reads.")
    writes: list[FieldName] = Field(default_factory=list, description="Request fields it may set.")


STEP_KINDS = (
    "upload",
    "poll",
    "download",
    "save_credential",
    "credential",
    "copy",
    "print",
    "write_output",
    "status",
    "help",
    "version",
    "hook",
)

# Step parameters that name one flag, and the one that lists flags or arguments, per kind.
STEP_FLAG_KEYS: dict[str, tuple[str, ...]] = {
    "poll": ("when",),
    "download": ("to", "overwrite"),
    "save_credential": ("when", "reveal"),
    "print": ("when", "unless"),
    "write_output": ("flag", "overwrite"),
    "help": ("skill_flag",),
}
STEP_INPUT_LISTS: dict[str, str] = {"upload": "values", "hook": "reads"}


class Step(_Model):
    """One step of a command; its only key names its kind."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, json_schema_extra={"minProperties": 1, "maxProperties": 1}
    )

    upload: UploadStep | None = None
    poll: PollStep | None = None
    download: DownloadStep | None = None
    save_credential: SaveCredentialStep | None = None
    credential: CredentialStep | None = None
    copy_: CopyStep | None = Field(None, alias="copy")
    print_: PrintStep | None = Field(None, alias="print")
    write_output: WriteOutputStep | None = None
    status: StatusStep | None = None
    help: HelpStep | None = None
    version: VersionStep | None = None
    hook: HookStep | None = None

    @model_validator(mode="before")
    @classmethod
    def _empty_params(cls, data: Any) -> Any:
        # `- version:` (no parameters) reads as {"version": None}
        if isinstance(data, dict):
            return {k: ({} if v is None and k in STEP_KINDS else v) for k, v in data.items()}
        return data

    @model_validator(mode="after")
    def _one_kind(self) -> Step:
        given = [kind for kind in STEP_KINDS if self.params_of(kind) is not None]
        if len(given) != 1:
            raise PydanticCustomError(
                "step_kind",
                "a step has exactly one key, its kind ({kinds})",
                {"kinds": ", ".join(STEP_KINDS)},
            )
        return self

    def params_of(self, kind: str) -> BaseModel | None:
        attribute = {"copy": "copy_", "print": "print_"}.get(kind, kind)
        value: BaseModel | None = getattr(self, attribute)
        return value

    @property
    def kind(self) -> str:
        for kind in STEP_KINDS:
            if self.params_of(kind) is not None:
                return kind
        return ""  # unreachable: the validator requires one kind

    @property
    def params(self) -> BaseModel:
        value = self.params_of(self.kind)
        assert value is not None
        return value


class Command(_Model):
    path: CommandPath = Field(description="Words after the executable, e.g. `notes list`.")
    summary: OneLine
    description: Markdown | None = None
    surface: Literal["hosted", "local"] = "hosted"
    auth: Auth = Auth.none
    endpoint: Id | None = Field(None, description="Id of the endpoint this command calls.")
    mutates: bool = False
    spends: bool = Field(
        False, description="Uses up the product's credits. Buying or granting credits is not spending them."
    )
    idempotency: Literal["none", "optional", "required"] = "none"
    aliases: list[CommandPath] = Field(default_factory=list, description="Other paths that run this command.")
    hidden: bool = False
    arguments: list[Argument] = Field(default_factory=list)
    flags: list[Flag] = Field(default_factory=list)
    one_of: list[list[FlagName]] = Field(
        default_factory=list, description="Groups of flags of which exactly one must be given."
    )
    at_most_one_of: list[list[FlagName]] = Field(
        default_factory=list, description="Groups of flags of which at most one may be given."
    )
    routes: list[Route] = Field(
        default_factory=list,
        description="Endpoint choice by input (first match wins); `endpoint:` is the one-route short form.",
    )
    steps: list[Step] = Field(
        default_factory=list, description="What the client does besides calling the endpoint, in order."
    )
    examples: list[Example] = Field(default_factory=list)
    exit_codes: list[int] = Field(default_factory=list)
    errors: list[ErrorCodeName] = Field(default_factory=list)
    events: list[EventType] = Field(default_factory=list, description="Activity events this command can record.")
    rules: list[Id] = Field(default_factory=list, description="Guidance rules shown with this command.")

    @property
    def id(self) -> str:
        return self.path.replace(" ", "-")

    @property
    def words(self) -> list[str]:
        return self.path.split(" ")

    def flag(self, name: str) -> Flag | None:
        for flag in self.flags:
            if name in flag.all_names:
                return flag
        return None


# --------------------------------------------------------------------------- endpoints


class FieldSpec(_Model):
    name: Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_.\[\]]*$")]
    type: Literal["string", "integer", "number", "boolean", "object", "array", "null"] = "string"
    required: bool = False
    nullable: bool = False
    description: OneLine | None = None
    choices: list[str] = Field(default_factory=list)


class HeaderField(_Model):
    name: HeaderName
    required: bool = False
    description: OneLine | None = None


class Response(_Model):
    status: int = 200
    fields: list[FieldSpec] = Field(default_factory=list, description="Fields of the envelope's `data`.")
    example: dict[str, Any] | None = Field(None, description="Example `data` object.")


class Endpoint(_Model):
    id: Id
    method: Literal["GET", "POST", "PUT", "PATCH", "DELETE"]
    path: Annotated[str, StringConstraints(pattern=r"^/[A-Za-z0-9/_.{}-]*$")]
    summary: OneLine
    description: Markdown | None = None
    auth: Auth = Auth.none
    api_only: bool = Field(False, description="Part of the API but not called by any command.")
    path_params: list[FieldSpec] = Field(default_factory=list)
    query: list[FieldSpec] = Field(default_factory=list)
    body: list[FieldSpec] = Field(default_factory=list)
    headers: list[HeaderField] = Field(default_factory=list, description="Request headers filled from flags.")
    response: Response = Field(default_factory=Response)
    errors: list[ErrorCodeName] = Field(default_factory=list)
    enveloped: bool = Field(True, description="The response body is the standard JSON envelope.")

    @property
    def template_params(self) -> list[str]:
        return re.findall(r"{([A-Za-z_][A-Za-z0-9_]*)}", self.path)


class Envelope(_Model):
    fields: list[FieldSpec]
    example: dict[str, Any]


class Envelopes(_Model):
    success: Envelope
    error: Envelope


class ExitCode(_Model):
    code: Annotated[int, Field(ge=0, le=255)]
    name: Id
    meaning: OneLine


class ErrorCode(_Model):
    code: ErrorCodeName
    exit_code: int
    retryable: bool = False
    http_status: int | None = None
    meaning: OneLine
    recovery: OneLine | None = None
    source: Literal["client", "server"] = "server"


class Event(_Model):
    type: EventType
    subject: Id
    operation: Id
    other_operations: list[Id] = Field(
        default_factory=list,
        description="Further `operation` values the same event type can carry (e.g. `edit` next to `create`).",
    )
    emitted_when: OneLine
    links: list[str] = Field(default_factory=list)


# --------------------------------------------------------------------------- credits

Amount = Annotated[int | float, Field(ge=0)]
"""An amount in the spec's unit (credits, or cents when the unit is money); whole numbers stay whole."""


class BuyerMode(_Model):
    id: Id
    human_action: OneLine


class PaymentMethod(_Model):
    id: Id
    name: PlainLine
    live_money: bool
    buyer_modes: list[Id] = Field(min_length=1)
    requires_browser: bool = False
    endpoint: Id | None = Field(None, description="Endpoint id that settles this method.")
    default_pack: Id | None = None
    note: Markdown | None = None


class Pack(_Model):
    """A one-off purchase of credits."""

    id: Id
    name: PlainLine
    credits: Annotated[int, Field(gt=0)]
    price_cents: Amount = Field(description="Price in cents of `currency`.")


class QuoteRange(_Model):
    """Any number of credits in this range may be bought at the credit value."""

    min: Annotated[int, Field(gt=0)] = Field(description="Fewest credits a quote may name.")
    max: Annotated[int, Field(gt=0)] = Field(description="Most credits a quote may name.")


class CreditUnit(_Model):
    """What costs are counted in."""

    name: PlainLine = Field("credit", description="The unit, singular (`credit`).")
    plural: PlainLine = Field("credits", description="The unit, plural (`credits`).")
    money: bool = Field(
        False,
        description="Costs are money: one unit is one cent of `currency` (then leave `credit_value_cents` out).",
    )


class CostCount(_Model):
    """What a per-unit price is multiplied by: a request field, a flag's value or reply fields."""

    noun: PlainLine = Field(description="What is counted, singular (`page`, `image`, `result`).")
    nouns: PlainLine | None = Field(None, description="Plural of `noun` (default: `noun` + `s`).")
    request: FieldName | None = Field(
        None, description="Request field giving the count (a number, or a list whose length counts)."
    )
    flag: FlagName | None = Field(None, description="Flag of the command giving the count (its request field).")
    reply: list[ReplyPath] = Field(
        default_factory=list,
        description="Paths in the reply's data whose counts add up (a number, or a list's length).",
    )
    default: Amount = Field(1, description="The count when the field is absent (and before the reply is known).")
    every: Annotated[int, Field(gt=0)] = Field(
        1, description="Counted in whole groups of this size, rounded up (2 credits per 10 results: `every: 10`)."
    )

    @model_validator(mode="after")
    def _one_source(self) -> CostCount:
        given = sum(bool(x) for x in (self.request, self.flag, self.reply))
        if given > 1:
            raise PydanticCustomError("cost_count", "a count comes from one of `request`, `flag` or `reply`")
        return self

    @property
    def plural(self) -> str:
        return self.nouns or f"{self.noun}s"


class CostTable(_Model):
    """A price per value of a flag or request field (per model, per format)."""

    flag: FlagName | None = Field(None, description="Flag of the command whose value picks the price.")
    field: FieldName | None = Field(None, description="Request field whose value picks the price.")
    prices: dict[Annotated[str, StringConstraints(min_length=1, max_length=200)], Amount] = Field(
        min_length=1, description="Price per value; for a list value, the prices of its items add up."
    )
    default: Amount | None = Field(
        None, description="Price of any other value (without one, other values are priced by the API at run time)."
    )
    unset: Amount | None = Field(None, description="Price when the value is absent (default: `default`).")

    @model_validator(mode="after")
    def _one_key(self) -> CostTable:
        if (self.flag is None) == (self.field is None):
            raise PydanticCustomError("cost_table", "a price table is keyed by exactly one of `flag` or `field`")
        return self


class CostTerm(_Model):
    """One part of a cost: a fixed amount or a table price, optionally per counted unit."""

    amount: Amount | None = Field(None, description="A fixed amount.")
    table: CostTable | None = Field(None, description="An amount picked by a flag or field value.")
    per: CostCount | None = Field(None, description="The amount is per counted unit.")
    when: Annotated[str, StringConstraints(pattern=r"^(?:--[a-z0-9][a-z0-9-]*|[A-Za-z_][A-Za-z0-9_.]*)$")] | None = (
        Field(None, description="The term applies only when this flag of the command (or request field) is given.")
    )

    @model_validator(mode="after")
    def _one_price(self) -> CostTerm:
        if (self.amount is None) == (self.table is None):
            raise PydanticCustomError("cost_term", "a cost term has exactly one of `amount` or `table`")
        return self


class Cost(_Model):
    """What one call of a command (or an endpoint) costs: the sum of its terms."""

    command: CommandPath | None = Field(None, description="The command (every endpoint it calls).")
    endpoint: Id | None = Field(None, description="An endpoint, when no command is priced for it.")
    terms: list[CostTerm] = Field(min_length=1, description="Parts that add up.")
    at_most: bool = Field(
        False, description="The terms give an upper bound; the product bills what the call really used."
    )
    free_when: (
        Annotated[str, StringConstraints(pattern=r"^(?:--[a-z0-9][a-z0-9-]*|[A-Za-z_][A-Za-z0-9_.]*)$")] | None
    ) = Field(None, description="No charge when this flag of the command (or request field) is given, e.g. a dry run.")
    note: OneLine | None = Field(None, description="One line shown after the cost.")

    @model_validator(mode="after")
    def _one_target(self) -> Cost:
        if (self.command is None) == (self.endpoint is None):
            raise PydanticCustomError("cost_target", "a cost names exactly one of `command` or `endpoint`")
        return self


class RateLimit(_Model):
    requests: Annotated[int, Field(gt=0)]
    per: Literal["second", "minute", "hour", "day"]
    endpoints: list[Id] = Field(default_factory=list, description="Endpoints it applies to (default: all).")


class PlanLimits(_Model):
    concurrency: Annotated[int, Field(gt=0)] | None = Field(None, description="Calls or jobs running at once.")
    rate: list[RateLimit] = Field(default_factory=list)


class Plan(_Model):
    """A subscription (or the free tier) with a periodic allotment and limits."""

    id: Id
    name: PlainLine
    price_cents: Amount | None = Field(None, description="Price per period in cents; 0 is free; absent with `contact`.")
    period: Literal["once", "month", "year"] = Field("month", description="How often the price and allotment recur.")
    allotment: Amount | None = Field(None, description="Credits granted each period.")
    limits: PlanLimits = Field(default_factory=PlanLimits)
    contact: Url | None = Field(None, description="Custom quote: where to ask (contact sales).")
    starting: bool = Field(False, description="New accounts start on this plan (default: the first free one).")
    note: OneLine | None = None


class Credits(_Model):
    """Credit rules as data: the unit, what calls cost, plans, packs and the short-balance error."""

    unit: CreditUnit = Field(default_factory=CreditUnit)
    credit_value_cents: Amount | None = Field(
        None, description="Money value of one credit in cents, when credits are sold at a fixed price."
    )
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")] = "USD"
    shortfall: ErrorCodeName | None = Field(
        None, description="Error code the API answers when the balance does not cover a call."
    )
    costs: list[Cost] = Field(default_factory=list, description="What each command or endpoint costs.")
    plans: list[Plan] = Field(default_factory=list, description="Subscriptions and the free tier, smallest first.")
    default_payment_method: Id | None = None
    payment_methods: list[PaymentMethod] = Field(default_factory=list)
    buyer_modes: list[BuyerMode] = Field(default_factory=list)
    packs: list[Pack] = Field(default_factory=list, description="One-off credit purchases, smallest first.")
    quote_range: QuoteRange | None = Field(
        None, description="Besides the packs, a quote may name any number of credits in this range."
    )
    rules: list[Markdown] = Field(default_factory=list)


# --------------------------------------------------------------------------- flow, rules, misc


class FirstRunStep(_Model):
    argv: list[str] = Field(min_length=1, description="Command path words then flags, after the executable.")
    why: Markdown
    optional: bool = False


class Showcase(_Model):
    """The worked example on the homepage: one call and what it gives back."""

    argv: list[str] = Field(min_length=1, description="Command path words then flags, after the executable.")
    shows: OneLine = Field(description="What the example does, as its caption.")
    output: Code = Field(description="What the call prints, verbatim (shortened where long).")
    output_format: Literal["json", "markdown", "text"] = Field("json", description="How the output is highlighted.")


class Guidance(_Model):
    id: Id
    title: PlainLine
    text: Markdown
    show_in: list[DocumentId] = Field(min_length=1)
    commands: list[CommandPath] = Field(default_factory=list)


class Telemetry(_Model):
    collected: list[OneLine] = Field(default_factory=list)
    never_collected: list[OneLine] = Field(default_factory=list)


class ChangelogEntry(_Model):
    version: str
    date: _dt.date
    items: list[Markdown] = Field(min_length=1)


class SkillSection(_Model):
    title: PlainLine
    body: Markdown | None = None
    commands: list[CommandPath] = Field(default_factory=list)
    rules: list[Id] = Field(default_factory=list)
    first_run: bool = False


class Skill(_Model):
    name: str = Field(description="Agent Skills name: 1-64 lowercase letters, digits and single hyphens.")
    title: PlainLine | None = Field(None, description="Heading of the skill file (default: the product name).")
    description: Annotated[str, TextKind.markdown] = Field(
        description="What the skill does and when to use it (1-1024 characters)."
    )
    canonical: bool = False
    license: PlainLine | None = None
    compatibility: Annotated[str, StringConstraints(max_length=500), TextKind.text] | None = None
    sections: list[SkillSection] = Field(default_factory=list)


class ClientSettings(_Model):
    """How the bundled thin client talks to the API."""

    package: Id
    config_dir: Id = Field(description="Folder name under ${XDG_CONFIG_HOME:-~/.config}.")
    exit_code_header: Annotated[str, StringConstraints(pattern=r"^[a-z0-9-]+$")] | None = None
    timeout_seconds: Annotated[float, Field(gt=0)] = 30.0
    get_retries: Annotated[int, Field(ge=0, le=10)] = 2
    token_prefix: str | None = Field(None, description="Prefix of real tokens, used to spot leaked secrets.")
    http_exit_codes: dict[str, int] = Field(
        default_factory=dict, description="HTTP status (or `5xx`) to exit code for failed envelopes."
    )
    readable_output: bool = Field(
        False,
        description="Print a short readable form when `--json` is not given; "
        "when false the client always prints the JSON envelope.",
    )


# --------------------------------------------------------------------------- protocol


class BaseUrl(_Model):
    default: Url | None = Field(None, description="Default API base (default: `product.urls.api`).")
    env: list[EnvName] = Field(default_factory=list, description="Variables tried in order; an empty one is unset.")
    flag: FlagName | None = Field(None, description="Global flag that sets the base (wins over the variables).")
    http: Literal["none", "loopback", "any"] = Field(
        "loopback", description="Which `http://` bases are accepted: none, loopback hosts only, or any."
    )


class CredentialSource(_Model):
    """One place a credential may come from; its only key names the kind."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, json_schema_extra={"minProperties": 1, "maxProperties": 1}
    )

    stdin: FlagName | None = Field(None, description="This switch reads the credential from stdin (not a TTY).")
    flag: FlagName | None = Field(None, description="This flag gives the credential (never echoed).")
    env: EnvName | None = Field(None, description="This environment variable gives it.")
    config: Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")] | None = Field(
        None, description="This key of the saved config file gives it."
    )

    @model_validator(mode="after")
    def _one_kind(self) -> CredentialSource:
        if sum(v is not None for v in (self.stdin, self.flag, self.env, self.config)) != 1:
            raise PydanticCustomError(
                "credential_source", "a credential source has exactly one key: stdin, flag, env or config"
            )
        return self

    @property
    def kind(self) -> str:
        for kind in ("stdin", "flag", "env", "config"):
            if getattr(self, kind) is not None:
                return kind
        return ""

    @property
    def name(self) -> str:
        return str(getattr(self, self.kind))


class CredentialSettings(_Model):
    scheme: Literal["bearer", "header", "query"] = Field(
        description="`bearer` (Authorization: Bearer ...), a named `header`, or a `query` parameter."
    )
    name: HeaderName | None = Field(None, description="Header or query parameter name (bearer: Authorization).")
    prefix: str | None = Field(None, description="Text before the secret in the header (bearer: `Bearer `).")
    shape: Pattern | None = Field(None, description="What a real credential looks like (a regular expression).")
    sources: list[CredentialSource] = Field(min_length=1, description="Tried in order; the first that gives one wins.")
    send_to: Literal["declared", "any"] = Field(
        "declared",
        description="`declared`: stdin, flag and env credentials go only to the default base or a loopback one; "
        "`any`: to any accepted base. A saved credential only goes to the base it was saved for.",
    )
    optional_for_custom_base: bool = Field(
        False, description="A base other than the default needs no credential (self-hosted servers)."
    )


class ConfigSettings(_Model):
    folder: Id = Field(description="Folder under ${XDG_CONFIG_HOME:-~/.config}.")
    file: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")] = "config.json"
    env: EnvName | None = Field(None, description="Variable that overrides the whole config file path.")
    base_key: Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")] | None = Field(
        "api_base_url", description="Key recording which base a saved credential belongs to."
    )


class Replies(_Model):
    style: Literal["envelope", "plain"] = Field(
        "envelope", description="`envelope`: the reply says ok/data/error; `plain`: the HTTP status decides."
    )
    ok: ReplyPath | None = Field(None, description="Envelope: path of the success boolean (default `ok`).")
    data: ReplyPath | None = Field(None, description='Path of the data (envelope default `data`, plain default "").')
    error_code: ReplyPath | None = Field(None, description="Path of the error code (envelope default `error.code`).")
    error_message: ReplyPath | None = Field(None, description="Path of the message (envelope default `error.message`).")
    retryable: ReplyPath | None = Field(
        None, description="Path of the retryable flag (envelope default `error.retryable`)."
    )
    recovery: ReplyPath | None = Field(None, description="Path of recovery hints (envelope default `error.recovery`).")
    trace_id: ReplyPath | None = Field(None, description="Path of the trace id (envelope default `trace_id`).")
    statuses: dict[str, ErrorCodeName] = Field(
        default_factory=dict,
        description="HTTP status (or class such as `5xx`) to error code when the reply names none.",
    )
    exit_code_header: HeaderName | None = Field(
        None, description="Reply header whose value is the exit code; honoured only for exit codes the spec defines."
    )


HttpMethod = Literal["GET", "POST", "PUT", "PATCH", "DELETE"]


def _get_only() -> list[HttpMethod]:
    return ["GET"]


class Retries(_Model):
    statuses: list[Annotated[int, Field(ge=100, le=599)]] = Field(default_factory=lambda: [429, 502, 503, 504])
    methods: list[HttpMethod] = Field(default_factory=_get_only)
    attempts: Annotated[int, Field(ge=1, le=10)] = Field(3, description="Attempts in all, the first included.")
    retry_after_max_seconds: Annotated[float, Field(ge=0, le=3600)] = 10.0
    backoff_seconds: Annotated[float, Field(ge=0, le=60)] = Field(
        0.5, description="First pause when the reply gives no Retry-After; doubles each time."
    )


class Timeouts(_Model):
    request_seconds: Annotated[float, Field(gt=0, le=3600)] = 30.0
    download_seconds: Annotated[float, Field(gt=0, le=86400)] = 300.0


SITUATIONS = (
    "usage",
    "unknown_command",
    "network",
    "timeout",
    "bad_reply",
    "internal",
    "credential_missing",
    "base_refused",
    "local_file",
    "output_exists",
    "download_failed",
    "integrity",
    "config_write",
    "upload_type",
    "upload_fetch",
    "upload_id",
)
#: Optional situations: without a code of their own they are reported as the second one.
SITUATION_FALLBACKS = {"upload_type": "usage", "upload_fetch": "network", "upload_id": "bad_reply"}


class ErrorSituations(_Model):
    """The error code the client reports in each situation it detects itself."""

    usage: ErrorCodeName | None = None
    unknown_command: ErrorCodeName | None = None
    network: ErrorCodeName | None = None
    timeout: ErrorCodeName | None = None
    bad_reply: ErrorCodeName | None = None
    internal: ErrorCodeName | None = None
    credential_missing: ErrorCodeName | None = None
    base_refused: ErrorCodeName | None = None
    local_file: ErrorCodeName | None = None
    output_exists: ErrorCodeName | None = None
    download_failed: ErrorCodeName | None = None
    integrity: ErrorCodeName | None = None
    config_write: ErrorCodeName | None = None
    upload_type: ErrorCodeName | None = Field(None, description="A file an upload does not accept (else `usage`).")
    upload_fetch: ErrorCodeName | None = Field(None, description="A URL an upload could not fetch (else `network`).")
    upload_id: ErrorCodeName | None = Field(None, description="An upload reply without the id (else `bad_reply`).")


class OutputSettings(_Model):
    style: Literal["envelope", "plain"] = Field(
        "envelope",
        description="`envelope`: one JSON envelope per run; `plain`: success prints the reply data, "
        "failure prints a message on stderr.",
    )
    json_flag: FlagName | None = Field(None, description="Global switch that asks for JSON output.")
    pretty_flag: FlagName | None = Field(
        None, description="Global switch that indents the JSON the client prints (two spaces)."
    )
    readable: bool = Field(False, description="Envelope style: a readable form when the JSON switch is absent.")


class DefaultCommand(_Model):
    command: CommandPath = Field(description="Command run when the first word is not a command.")
    when: Literal["url", "any"] = Field("url", description="Only when that word looks like a URL, or always.")


class Protocol(_Model):
    """How the thin client talks to the API: base URL, credential, replies, errors, output."""

    base_url: BaseUrl = Field(default_factory=BaseUrl)
    credential: CredentialSettings | None = Field(None, description="Omit for products without authentication.")
    config: ConfigSettings | None = Field(None, description="The client's saved config file, if it keeps one.")
    replies: Replies = Field(default_factory=Replies)
    retries: Retries = Field(default_factory=Retries)
    timeouts: Timeouts = Field(default_factory=Timeouts)
    errors: ErrorSituations = Field(default_factory=ErrorSituations)
    output: OutputSettings = Field(default_factory=OutputSettings)
    default_command: DefaultCommand | None = None
    hooks: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_][A-Za-z0-9_./-]*$", max_length=200)] | None = Field(
        None, description="Folder of the product's hooks package, relative to the spec file."
    )


PluginName = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=64)]


class PublishSettings(_Model):
    """What ``skillpress publish`` adds to a release besides documents, skills, site and client."""

    claude_plugin: bool = Field(
        False,
        description="Also make the skills bundle a Claude Code plugin with a one-plugin marketplace "
        "(`.claude-plugin/plugin.json` and `marketplace.json`).",
    )
    plugin_name: PluginName | None = Field(None, description="Plugin name (default: the product id).")
    marketplace: PluginName | None = Field(
        None,
        description="Marketplace name for `/plugin marketplace add` (default: the plugin name).",
    )
    owner: PlainLine | None = Field(
        None,
        description="Marketplace owner shown to people (default: the product author, else its name).",
    )
    owner_email: Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+$")] | None = Field(
        None,
        description="Contact address of the marketplace owner.",
    )
    license_file: str | None = Field(
        None,
        description="License text shipped as LICENSE in the release, relative to the spec file "
        "(default: a notice written from `product.license`).",
    )


class Spec(_Model):
    spec_version: Literal[1] = Field(description="Version of the skillpress spec format.")
    product: Product
    selection: Selection = Field(default_factory=Selection)
    install: list[InstallSnippet] = Field(default_factory=list)
    environment: list[EnvVar] = Field(default_factory=list)
    actors: list[Actor] = Field(default_factory=list)
    claim_states: list[ClaimState] = Field(default_factory=list)
    global_rules: list[Markdown] = Field(default_factory=list)
    global_flags: list[Flag] = Field(default_factory=list, description="Flags every command accepts.")
    commands: list[Command] = Field(min_length=1)
    endpoints: list[Endpoint] = Field(default_factory=list)
    envelopes: Envelopes
    exit_codes: list[ExitCode] = Field(min_length=1)
    error_codes: list[ErrorCode] = Field(default_factory=list)
    events: list[Event] = Field(default_factory=list)
    credits: Credits | None = None
    first_run: list[FirstRunStep] = Field(default_factory=list)
    showcase: Showcase | None = Field(None, description="The homepage's worked example (left out when absent).")
    guidance: list[Guidance] = Field(default_factory=list)
    telemetry: Telemetry = Field(default_factory=Telemetry)
    changelog: list[ChangelogEntry] = Field(min_length=1)
    skills: list[Skill] = Field(min_length=1)
    client: ClientSettings | None = None
    protocol: Protocol | None = Field(None, description="Wire protocol of the thin client (the contract as data).")
    publish: PublishSettings | None = Field(None, description="Release settings for `skillpress publish`.")

    # ---- lookups used by rules and renderers (computed once; the model is frozen)

    @cached_property
    def commands_by_path(self) -> dict[str, Command]:
        table: dict[str, Command] = {}
        for command in self.commands:
            table.setdefault(command.path, command)
            for alias in command.aliases:
                table.setdefault(alias, command)
        return table

    @cached_property
    def endpoints_by_id(self) -> dict[str, Endpoint]:
        return {e.id: e for e in self.endpoints}

    @cached_property
    def exit_codes_by_code(self) -> dict[int, ExitCode]:
        return {e.code: e for e in self.exit_codes}

    @cached_property
    def error_codes_by_code(self) -> dict[str, ErrorCode]:
        return {e.code: e for e in self.error_codes}

    @cached_property
    def guidance_by_id(self) -> dict[str, Guidance]:
        return {g.id: g for g in self.guidance}

    @cached_property
    def event_types(self) -> list[str]:
        return [e.type for e in self.events]

    @cached_property
    def event_type_set(self) -> frozenset[str]:
        return frozenset(self.event_types)

    # ---- reverse indexes, so that no renderer or rule scans every command once per
    # endpoint, event or code (that made check quadratic in the number of commands)

    @cached_property
    def commands_by_endpoint(self) -> dict[str, list[Command]]:
        """Endpoint id -> the commands (hidden ones included) that call it, in spec order:
        through ``endpoint``, a route or a step (upload, poll, status)."""
        table: dict[str, list[Command]] = {}
        for command in self.commands:
            called: list[str | None] = [command.endpoint]
            called += [route.endpoint for route in command.routes]
            called += [getattr(step.params, "endpoint", None) for step in command.steps]
            for endpoint in dict.fromkeys(e for e in called if e):
                table.setdefault(endpoint, []).append(command)
        return table

    @cached_property
    def commands_by_event(self) -> dict[str, list[Command]]:
        """Event type -> the commands that record it, in spec order."""
        table: dict[str, list[Command]] = {}
        for command in self.commands:
            for event in dict.fromkeys(command.events):
                table.setdefault(event, []).append(command)
        return table

    @cached_property
    def error_codes_by_exit(self) -> dict[int, list[ErrorCode]]:
        """Exit code -> the error codes that end with it, in spec order."""
        table: dict[int, list[ErrorCode]] = {}
        for error in self.error_codes:
            table.setdefault(error.exit_code, []).append(error)
        return table

    @cached_property
    def guidance_by_command(self) -> dict[str, list[Guidance]]:
        """Command path (as guidance names it) -> the guidance rules that name it, in spec order."""
        table: dict[str, list[Guidance]] = {}
        for guidance in self.guidance:
            for path in dict.fromkeys(guidance.commands):
                table.setdefault(path, []).append(guidance)
        return table

    def resolve_command(self, argv: list[str]) -> tuple[Command | None, int]:
        """Longest command path (or alias) that prefixes ``argv``; returns it and its word count."""
        words: list[str] = []
        best: tuple[Command | None, int] = (None, 0)
        for token in argv:
            if token.startswith("-"):
                break
            words.append(token)
            found = self.commands_by_path.get(" ".join(words))
            if found is not None:
                best = (found, len(words))
        return best

    def rules_for(self, document: str) -> list[Guidance]:
        return [g for g in self.guidance if document in g.show_in]
