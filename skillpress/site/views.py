"""Derived facts the site pages show, computed from the typed spec.

Like ``skillpress.render.views``, this is where decisions live (which install snippets
go where, which commands record an event, where an agent file is served inside the
site); the templates under ``templates/site/`` only format what is computed here.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from skillpress.contract.compile import compile_contract
from skillpress.contract.pricing import format_money
from skillpress.render import contract_text, escape, views
from skillpress.render.pricing_text import PackRow, PlanRow, PricingView, pricing_view
from skillpress.render.views import CommandView, Page
from skillpress.site import discovery
from skillpress.spec.model import Endpoint, ErrorCode, Event, Guidance, InstallSnippet, Spec

#: Folder (under ``site/``) holding the agent files; the site serves them at its root.
AGENT_FOLDER = "agent"

#: The agent files every build renders into ``site/agent/``, in the order pages list them.
AGENT_FILES = ("skill.md", "llms.txt", "llms-full.txt", "cli.md", "commands.json")


@dataclass(frozen=True)
class SitePage:
    slug: str
    title: str
    """Plain text."""
    description: str
    """Plain text (the page's meta description)."""
    note: str
    lead: str
    """The description as markdown: the paragraph under the page's title."""
    html_title: str | None = None
    """Plain text for the HTML ``<title>`` when the theme's "page - site" form would not fit
    (the homepage, whose title is the site name)."""

    @property
    def source(self) -> str:
        """Path of the page's markdown under ``site/docs/``; also the path of its twin."""
        return f"{self.slug}.md"

    @property
    def template(self) -> str:
        return f"site/{self.slug}.md.j2"


def site_pages(spec: Spec) -> list[SitePage]:
    """The homepage, then every reference page the spec has content for."""
    product = spec.product
    short = product.descriptions.short
    pages = [
        SitePage(
            "index",
            product.name,
            short,
            "what it is, how to install it and the first run",
            escape.md_inline(short),
            html_title=product.name,
        )
    ]
    for p in views.site_pages(spec):
        description = page_description(spec, p)
        pages.append(SitePage(p.slug, p.title, description, p.note, escape.md_text(description)))
    return pages


def page_description(spec: Spec, page: Page) -> str:
    return f"{spec.product.name} {spec.product.version}: {page.note}."


# --------------------------------------------------------------------------- where things are served


def _root(spec: Spec) -> tuple[str, str]:
    """(scheme://host, path prefix without trailing slash) of the homepage."""
    parts = urlsplit(spec.product.urls.homepage)
    return f"{parts.scheme}://{parts.netloc}", parts.path.rstrip("/")


def site_path(spec: Spec, url: str) -> str | None:
    """Path of ``url`` relative to the site root, or None when the site does not serve it."""
    origin, prefix = _root(spec)
    parts = urlsplit(url)
    if f"{parts.scheme}://{parts.netloc}" != origin or parts.query or parts.fragment:
        return None
    path = parts.path
    if not path.startswith(prefix + "/"):
        return None
    rest = path[len(prefix) + 1 :]
    return rest or None


def href(spec: Spec, url: str) -> str:
    """Link target for ``url`` in a page: root-relative when the site serves it, else the URL."""
    rest = site_path(spec, url)
    if rest is None:
        return url
    return f"{_root(spec)[1]}/{rest}"


def canonical_urls(spec: Spec) -> dict[str, str]:
    """Canonical URL of each agent file under ``site/agent/``."""
    links = views.site_links(spec)
    return {
        "skill.md": links.skill,
        "llms.txt": links.llms,
        "llms-full.txt": links.llms_full,
        "cli.md": links.cli,
        "commands.json": links.commands_json,
    }


def extra_copies(spec: Spec, agent_files: list[str] | None = None) -> dict[str, str]:
    """``{site path: agent file}`` for agent files whose canonical URL is not at the site root.

    Every agent file is served at the root under its own name; a file whose spec URL
    names another path inside the site (``/docs/cli.md``) is served there as well, and so
    are the parts of a split one (``/docs/cli/<group>.md`` next to ``/docs/cli.md``), which
    its index links relatively. ``agent_files`` lists the files of ``site/agent/``.
    """
    copies: dict[str, str] = {}
    for name, url in canonical_urls(spec).items():
        rest = site_path(spec, url)
        if rest is not None and rest != name:
            copies[rest] = name
            folder = name.rpartition(".")[0] + "/"
            where = rest.rpartition("/")[0]
            for part in agent_files or ():
                if part.startswith(folder) and where:
                    copies[f"{where}/{part}"] = part
    return dict(sorted(copies.items()))


@dataclass(frozen=True)
class AgentLink:
    name: str
    href: str
    note: str


def agent_links(spec: Spec) -> list[AgentLink]:
    urls = canonical_urls(spec)
    cli = spec.product.cli_name
    notes = {
        "skill.md": "the canonical skill: first-run flow, rules and the commands grouped by task",
        "llms.txt": "the index agents should read first",
        "llms-full.txt": "the whole contract in one plain-text file",
        "cli.md": f"every `{cli}` command with flags, examples, hosted-API equivalents and errors",
        "commands.json": "the machine-readable command manifest",
    }
    return [AgentLink(name, href(spec, urls[name]), notes[name]) for name in AGENT_FILES]


# --------------------------------------------------------------------------- homepage


@dataclass(frozen=True)
class InstallGroup:
    audience: str
    title: str
    intro: str
    snippets: list[InstallSnippet]


def install_groups(spec: Spec) -> list[InstallGroup]:
    """Install snippets grouped for the homepage: the skill, the client for agents, then people."""
    agent = [s for s in spec.install if s.audience == "agent"]
    groups = [
        InstallGroup(
            "agent",
            "Install the skill",
            "Give your agent the skill; it then follows the first-run flow below.",
            [s for s in agent if s.kind == "skill"],
        ),
        InstallGroup(
            "agent",
            f"Run the `{spec.product.cli_name}` client",
            "The skill drives a thin JSON client, which agents can run without a global install.",
            [s for s in agent if s.kind != "skill"],
        ),
        InstallGroup(
            "human",
            "For people",
            "Install the client yourself to try it from a terminal.",
            [s for s in spec.install if s.audience == "human"],
        ),
    ]
    return [g for g in groups if g.snippets]


@dataclass(frozen=True)
class FirstRunStep:
    number: int
    command: str
    why: str
    optional: bool


def first_run_steps(spec: Spec) -> list[FirstRunStep]:
    return [
        FirstRunStep(i, command, why, optional)
        for i, (command, why, optional) in enumerate(views.first_run_lines(spec), start=1)
    ]


def status_line(spec: Spec) -> str:
    product = spec.product
    parts = [f"Version {product.version}"]
    if product.status:
        parts.append(product.status)
    if product.license:
        parts.append(f"license {product.license}")
    return " · ".join(parts)


# --------------------------------------------------------------------------- reference pages


@dataclass(frozen=True)
class EndpointView:
    endpoint: Endpoint
    anchor: str
    auth: str
    commands: list[CommandView]
    data_example: str | None
    errors: list[ErrorCode]


def endpoint_views(spec: Spec, commands: list[CommandView], contract: dict[str, Any]) -> list[EndpointView]:
    kind = contract_text.credential_kind(contract)
    auth_text = {"none": "none", "optional": f"optional {kind}", "required": kind}
    by_command = {id(v.command): v for v in commands}
    out = []
    for endpoint in spec.endpoints:
        example = endpoint.response.example
        out.append(
            EndpointView(
                endpoint=endpoint,
                anchor=endpoint.id,
                auth=auth_text[endpoint.auth.value],
                commands=[by_command[id(c)] for c in spec.commands_by_endpoint.get(endpoint.id, ()) if not c.hidden],
                data_example=None if example is None else json.dumps(example, indent=2, ensure_ascii=False),
                errors=[spec.error_codes_by_code[c] for c in endpoint.errors if c in spec.error_codes_by_code],
            )
        )
    return out


@dataclass(frozen=True)
class EventView:
    event: Event
    operations: list[str]
    commands: list[CommandView]


def event_views(spec: Spec, commands: list[CommandView]) -> list[EventView]:
    by_command = {id(v.command): v for v in commands}
    return [
        EventView(
            event,
            [event.operation, *event.other_operations],
            [by_command[id(c)] for c in spec.commands_by_event.get(event.type, ()) if not c.hidden],
        )
        for event in spec.events
    ]


@dataclass(frozen=True)
class ExitCodeView:
    code: int
    name: str
    meaning: str
    errors: list[str]


def exit_code_views(spec: Spec) -> list[ExitCodeView]:
    return [
        ExitCodeView(e.code, e.name, e.meaning, [c.code for c in spec.error_codes_by_exit.get(e.code, ())])
        for e in spec.exit_codes
    ]


def money(cents: float, currency: str) -> str:
    return format_money(cents, currency)


@dataclass(frozen=True)
class PackView:
    id: str
    name: str
    credits: int
    price: str


@dataclass(frozen=True)
class MethodView:
    id: str
    name: str
    live_money: bool
    requires_browser: bool
    buyer_modes: list[str]
    endpoint: EndpointView | None
    default_pack: str | None
    default: bool
    note: str | None


@dataclass(frozen=True)
class CreditsView:
    credit_value: str | None
    packs: list[PackView]
    methods: list[MethodView]
    custom_range: str | None


def credits_view(spec: Spec, endpoints: list[EndpointView]) -> CreditsView | None:
    credits = spec.credits
    if credits is None:
        return None
    by_id = {e.endpoint.id: e for e in endpoints}
    packs = [PackView(p.id, p.name, p.credits, money(p.price_cents, credits.currency)) for p in credits.packs]
    methods = [
        MethodView(
            m.id,
            m.name,
            m.live_money,
            m.requires_browser,
            list(m.buyer_modes),
            by_id.get(m.endpoint or ""),
            m.default_pack,
            m.id == credits.default_payment_method,
            m.note,
        )
        for m in credits.payment_methods
    ]
    custom = None
    if credits.custom_quotes is not None:
        custom = f"{credits.custom_quotes.min_credits} to {credits.custom_quotes.max_credits} credits"
    value = None if credits.credit_value_cents is None else money(credits.credit_value_cents, credits.currency)
    return CreditsView(value, packs, methods, custom)


@dataclass(frozen=True)
class HomePricing:
    """The homepage's "What a call costs" block (``templates/site/_home_pricing.md.j2``).

    ``typical`` holds markdown sentences on what a typical call costs (filled from the
    spec's credit rules where the spec has them); ``packs`` are the packs or plans on sale.
    ``home_pricing`` returns None, and the block is left out, when there is nothing to say.
    """

    typical: list[str]
    credit_value: str | None
    packs: list[PackView] | list[PackRow]
    details: str | None
    """Source of the page with every price (``credits.md``), when the site has one."""
    plans: list[PlanRow] = field(default_factory=list)
    """The plans (free tier, subscriptions, custom quotes), smallest first."""


def home_pricing(
    spec: Spec, credits: CreditsView | None, pages: list[SitePage], pricing: PricingView | None = None
) -> HomePricing | None:
    """``pricing`` is the docs' pricing view (``skillpress.render.pricing_text``); it is
    made from the spec when not given. Its one paragraph (what a credit is worth, what a
    new account gets, the short-balance error and a typical call's cost) is the block's
    text, so the credit value is not repeated."""
    if credits is None:
        return None
    if pricing is None:
        contract = compile_contract(spec)
        pricing = pricing_view(spec, contract, views.command_views(spec, contract))
    details = next((p.source for p in pages if p.slug == "credits"), None)
    typical = [pricing.intro] if pricing is not None else []
    plans = list(pricing.plans) if pricing is not None else []
    if not typical and not credits.packs and not plans:
        return None
    value = None if typical else credits.credit_value
    packs: list[PackView] | list[PackRow] = list(pricing.packs) if pricing is not None else credits.packs
    return HomePricing(typical, value, packs, details, plans)


@dataclass(frozen=True)
class ShowcaseView:
    """The homepage's worked example: a shell line and what it prints."""

    command: str
    shows: str
    output: str
    output_format: str


def showcase_view(spec: Spec) -> ShowcaseView | None:
    showcase = spec.showcase
    if showcase is None:
        return None
    line = views.shell_line(spec.product.cli_name, showcase.argv)
    return ShowcaseView(line, showcase.shows, showcase.output.rstrip("\n"), showcase.output_format)


def command_rules(spec: Spec, commands: list[CommandView]) -> list[Guidance]:
    """Rules the visible commands refer to (the command sections link to them), in spec order."""
    used = {rule.id for view in commands if not view.command.hidden for rule in view.rules}
    return [g for g in spec.guidance if g.id in used]


def site_context(spec: Spec, commands: list[CommandView], contract: dict[str, Any]) -> dict[str, object]:
    """Everything the site templates read besides the renderer's own context."""
    endpoints = endpoint_views(spec, commands, contract)
    links = agent_links(spec)
    pages = site_pages(spec)
    credits = credits_view(spec, endpoints)
    pricing = pricing_view(spec, contract, commands)
    return {
        "site_pages": pages,
        "home_pricing": home_pricing(spec, credits, pages, pricing),
        "showcase": showcase_view(spec),
        "markdown_url": functools.partial(discovery.twin_url, spec),
        "page_slugs": {page.slug for page in pages},
        "agent_links": links,
        "agent_hrefs": {link.name: link.href for link in links},
        "llms_href": href(spec, spec.product.urls.llms),
        "install_groups": install_groups(spec),
        "first_run_steps": first_run_steps(spec),
        "status_line": status_line(spec),
        "site_rules": spec.rules_for("site"),
        "command_rules": command_rules(spec, commands),
        "endpoint_views": endpoints,
        "event_views": event_views(spec, commands),
        "exit_code_views": exit_code_views(spec),
        "credits_view": credits,
    }
