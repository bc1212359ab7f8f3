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

from pydantic import BaseModel, ConfigDict, Field, StringConstraints


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
    id: Id = Field(description="Machine name of the product, e.g. `image-skill`.")
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


class Flag(_Model):
    name: FlagName = Field(description="Long flag, e.g. `--pack`.")
    type: ValueType = ValueType.string
    summary: OneLine
    description: Markdown | None = None
    value_name: Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Z0-9_]*$")] | None = Field(
        None, description="Placeholder shown in usage, e.g. `PACK_ID`."
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


class Example(_Model):
    argv: list[str] = Field(min_length=1, description="Arguments after the executable name.")
    shows: OneLine = Field(description="What the example demonstrates.")
    exit_code: int = 0
    stdin: Annotated[str, TextKind.code] | None = Field(
        None, description="Text piped on stdin (placeholder, never a real secret)."
    )


class LocalBehavior(str, Enum):
    help = "help"
    version = "version"
    doctor = "doctor"
    signup = "signup"
    auth_status = "auth-status"
    auth_save = "auth-save"
    auth_logout = "auth-logout"
    upload = "upload"
    edit = "edit"
    create = "create"
    assets_get = "assets-get"
    jobs_wait = "jobs-wait"
    checkout = "checkout"
    quote = "quote"


class Command(_Model):
    path: CommandPath = Field(description="Words after the executable, e.g. `credits quote`.")
    summary: OneLine
    description: Markdown | None = None
    surface: Literal["hosted", "local"] = "hosted"
    auth: Auth = Auth.none
    endpoint: Id | None = Field(None, description="Id of the endpoint this command calls.")
    mutates: bool = False
    spends: bool = False
    idempotency: Literal["none", "optional", "required"] = "none"
    aliases: list[CommandPath] = Field(default_factory=list, description="Other paths that run this command.")
    hidden: bool = False
    behavior: LocalBehavior | None = Field(None, description="Local behaviour of the thin client, if any.")
    arguments: list[Argument] = Field(default_factory=list)
    flags: list[Flag] = Field(default_factory=list)
    one_of: list[list[FlagName]] = Field(
        default_factory=list, description="Groups of flags of which exactly one must be given."
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
    id: Id
    name: PlainLine
    credits: Annotated[int, Field(gt=0)]
    price_cents: Annotated[int, Field(ge=0)]


class CustomQuotes(_Model):
    min_credits: Annotated[int, Field(gt=0)]
    max_credits: Annotated[int, Field(gt=0)]


class Credits(_Model):
    credit_value_cents: Annotated[int, Field(gt=0)] = Field(description="Value of one credit in cents.")
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
    default_payment_method: Id | None = None
    payment_methods: list[PaymentMethod] = Field(default_factory=list)
    buyer_modes: list[BuyerMode] = Field(default_factory=list)
    packs: list[Pack] = Field(default_factory=list)
    custom_quotes: CustomQuotes | None = None
    rules: list[Markdown] = Field(default_factory=list)


# --------------------------------------------------------------------------- flow, rules, misc


class FirstRunStep(_Model):
    argv: list[str] = Field(min_length=1, description="Command path words then flags, after the executable.")
    why: Markdown
    optional: bool = False


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
    guidance: list[Guidance] = Field(default_factory=list)
    telemetry: Telemetry = Field(default_factory=Telemetry)
    changelog: list[ChangelogEntry] = Field(min_length=1)
    skills: list[Skill] = Field(min_length=1)
    client: ClientSettings | None = None
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
        """Endpoint id -> the commands (hidden ones included) that call it, in spec order."""
        table: dict[str, list[Command]] = {}
        for command in self.commands:
            if command.endpoint:
                table.setdefault(command.endpoint, []).append(command)
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
