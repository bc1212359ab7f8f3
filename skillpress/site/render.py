"""Render the site's sources (mkdocs.yml, docs/ pages, well-known skill index) in memory.

``site/`` is an mkdocs-material project generated from the spec:

- ``site/mkdocs.yml``: serialised with ``yaml.safe_dump`` from a dict, never templated.
  mkdocs-material prints ``site_name`` and ``site_description`` into its HTML without
  escaping them, so they hold HTML-escaped text; the product values the theme override
  shows are passed raw under ``extra.skillpress`` and escaped by the override itself;
- ``site/overrides/main.html``: the theme override that links every page to llms.txt
  (``rel="describedby"``) and to its markdown twin (``rel="alternate"``,
  ``type="text/markdown"``, the absolute URL its front matter holds as ``markdown_url``).
  It is copied as it is, never rendered here: the builder's Jinja renders it at site build
  time, so no spec text may ever be part of its source;
- ``site/docs/<page>.md``: the homepage and one page per reference topic the spec has;
- ``site/agent/.well-known/``: skill discovery indexes (see ``skillpress.site.wellknown``)
  and the API catalog; ``site/agent/robots.txt`` and ``sitemap.xml``
  (``skillpress.site.discovery``).

mkdocs.yml enables no plugin of ours: after mkdocs or Zensical built the HTML,
``skillpress.site.finish`` puts ``site/agent/`` at the root of the built site and writes the
markdown twins, reading its settings from ``extra.skillpress``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import yaml

from skillpress.render import escape
from skillpress.render.split import TEXT_MAX_CHARS, Part, PartLink, fits_text, part_note, partition, remembered
from skillpress.render.views import CommandView
from skillpress.site import discovery
from skillpress.site import views as site_views
from skillpress.site.wellknown import render_well_known
from skillpress.spec.model import Spec

if TYPE_CHECKING:
    from skillpress.render import Budgeted, Renderer

#: More than the characters a part page adds around what the whole page holds.
PART_HEADER = 1000


def _payload(part: str) -> int:
    """Fewest characters the whole page spends on what ``part`` holds: its text less the
    header and the ``../`` the part's links need."""
    return len(part) - PART_HEADER - 3 * part.count("](../")


#: Where ``skillpress site build`` writes the HTML, relative to ``site/mkdocs.yml``.
SITE_DIR = "../_site"

#: Small style additions, relative to ``site/docs/``.
STYLESHEET = "assets/skillpress.css"

HEADER = "# Generated from the spec by skillpress; edit the spec, not this file.\n"


def mkdocs_config(spec: Spec, split: list[str] | None = None, agent_files: list[str] | None = None) -> dict[str, Any]:
    """The mkdocs configuration; ``split`` names the pages split into parts (their part
    pages sit in a folder named after the page and are linked from it, not from the nav)."""
    product = spec.product
    pages = site_views.site_pages(spec)
    reference = [{p.title: p.source} for p in pages if p.slug not in ("index", "changelog")]
    nav: list[dict[str, Any]] = [{"Home": "index.md"}]
    if reference:
        nav.append({"Reference": reference})
    nav += [{p.title: p.source} for p in pages if p.slug == "changelog"]
    config: dict[str, Any] = {
        "site_name": escape.html_text(product.name),
        "site_url": product.urls.homepage.rstrip("/") + "/",
        "site_description": escape.html_text(product.descriptions.short),
        "docs_dir": "docs",
        "site_dir": SITE_DIR,
    }
    if split:
        config["not_in_nav"] = "\n".join(f"/{slug}/" for slug in split) + "\n"
    if product.urls.repository:
        config["repo_url"] = product.urls.repository
        config["edit_uri"] = ""
    config.update(
        {
            "theme": {
                "name": "material",
                "custom_dir": "overrides",
                "font": False,
                "palette": [
                    {
                        "media": "(prefers-color-scheme: light)",
                        "scheme": "default",
                        "toggle": {"icon": "material/brightness-7", "name": "Switch to dark mode"},
                    },
                    {
                        "media": "(prefers-color-scheme: dark)",
                        "scheme": "slate",
                        "toggle": {"icon": "material/brightness-4", "name": "Switch to light mode"},
                    },
                ],
                "features": [
                    "content.code.copy",
                    "navigation.sections",
                    "navigation.top",
                    "navigation.footer",
                    "search.highlight",
                    "toc.follow",
                ],
            },
            "extra_css": [STYLESHEET],
            "nav": nav,
            "plugins": ["search"],
            "markdown_extensions": [
                "admonition",
                "tables",
                # headings keep their ids (the TOC links them); no "¶" permalink, whose text
                # makes every heading differ from its markdown twin for parity checkers
                "toc",
                "attr_list",
                "md_in_html",
                "pymdownx.superfences",
                "pymdownx.highlight",
            ],
            "validation": {
                "omitted_files": "warn",
                "unrecognized_links": "warn",
                "anchors": "warn",
            },
            "extra": {
                "skillpress": {
                    "product_name": product.name,
                    "llms_url": product.urls.llms,
                    "agent_dir": site_views.AGENT_FOLDER,
                    "copies": site_views.extra_copies(spec, agent_files),
                }
            },
        }
    )
    return config


def mkdocs_yml(spec: Spec, split: list[str] | None = None, agent_files: list[str] | None = None) -> str:
    return HEADER + yaml.safe_dump(
        mkdocs_config(spec, split, agent_files),
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=1000,
    )


def render_site(
    renderer: Renderer, files: dict[str, str | bytes], budget: Budgeted | None = None, *, well_known: bool = True
) -> dict[str, str | bytes]:
    """Return ``{relative path: text or bytes}`` for the site's sources under ``site/``.

    ``files`` holds the agent files already rendered (skills, site/agent/...); the
    well-known skill indexes under ``site/agent/.well-known/`` are built from them. The
    commands and HTTP API pages are split by command group when they would pass the
    size budget (``skillpress.render.split``).
    """
    spec = renderer.spec
    context = site_views.site_context(spec, renderer.commands, renderer.contract)
    command_page: dict[int, str] = {}  # id(command) -> page source, when commands.md is split
    endpoint_page: dict[str, str] = {}  # endpoint id -> page source, when api.md is split

    def command_href(view: CommandView, base: str) -> str:
        return f"{base}{command_page.get(id(view.command), 'commands.md')}#{view.anchor}"

    def endpoint_href(ev: site_views.EndpointView, base: str) -> str:
        return f"{base}{endpoint_page.get(ev.endpoint.id, 'api.md')}#{ev.anchor}"

    context.update(command_href=command_href, endpoint_href=endpoint_href, page_base="")
    out: dict[str, str | bytes] = {
        "site/overrides/main.html": renderer.source("site/main.html.j2"),
        f"site/docs/{STYLESHEET}": renderer.template("site/skillpress.css.j2"),
    }
    split: list[str] = []
    pages = {page.slug: page for page in site_views.site_pages(spec)}
    # the commands page first: the HTTP API, events and credits pages link into it
    order = ["commands", "api"] + [slug for slug in pages if slug not in ("commands", "api")]
    for slug in order:
        page = pages.get(slug)
        if page is None:
            continue
        path = f"site/docs/{page.source}"
        if slug == "commands":
            text, parts = _commands_page(renderer, page, context, command_page, budget)
        elif slug == "api":
            text, parts = _api_page(renderer, page, context, endpoint_page, budget)
        elif slug == "events":
            text, parts = _events_page(renderer, page, context, command_page), {}
        else:
            text, parts = renderer.template(page.template, page=page, **context), {}
        out[path] = text
        if parts:
            split.append(slug)
            out.update(parts)
    agent = f"site/{site_views.AGENT_FOLDER}/"
    agent_files = [path[len(agent) :] for path in files if path.startswith(agent)]
    out["site/mkdocs.yml"] = mkdocs_yml(spec, split, agent_files)
    if well_known:
        out.update(render_well_known(spec, files))
        out.update(
            _discovery_files(
                renderer,
                [p.removeprefix("site/docs/") for p in out if p.startswith("site/docs/") and p.endswith(".md")],
            )
        )
    return dict(sorted(out.items()))


def _discovery_files(renderer: Renderer, sources: list[str]) -> dict[str, str | bytes]:
    """robots.txt, sitemap.xml and (with endpoints) the RFC 9727 API catalog, under ``site/agent/``."""
    from skillpress.contract.protocol import default_base
    from skillpress.render.openapi import openapi_url

    spec = renderer.spec
    agent = f"site/{site_views.AGENT_FOLDER}"
    out: dict[str, str | bytes] = {
        f"{agent}/robots.txt": discovery.robots_txt(spec),
        f"{agent}/sitemap.xml": discovery.sitemap_xml(spec, sources),
    }
    if spec.endpoints:
        base = default_base(renderer.contract) or spec.product.urls.api.rstrip("/")
        page = discovery.page_url(spec, "api.md") if "api.md" in sources else None
        out[f"{agent}/.well-known/api-catalog"] = discovery.api_catalog(spec, base, openapi_url(spec), page)
    return out


def _events_page(
    renderer: Renderer, page: site_views.SitePage, context: dict[str, Any], command_page: dict[int, str]
) -> str:
    """The events page; when listing every command that records an event would pass the
    budget, it lists the command pages (with counts) instead, then only the counts."""

    def groups(ev: site_views.EventView) -> list[PartLink]:
        counts: dict[str, int] = {}
        for view in ev.commands:
            source = command_page.get(id(view.command), "commands.md")
            counts[source] = counts.get(source, 0) + 1
        return [
            PartLink(source.removesuffix(".md").rpartition("/")[2], source, count) for source, count in counts.items()
        ]

    text = ""
    for detail in ("full", "groups", "count"):
        text = renderer.template(page.template, page=page, event_detail=detail, event_groups=groups, **context)
        if fits_text(text):
            break
    return text


def _part_page(spec: Spec, page: site_views.SitePage, part: Part[Any], what: str) -> site_views.SitePage:
    cli = spec.product.cli_name
    title = f"{page.title}: {cli} {part.label}"
    description = f"{spec.product.name} {spec.product.version}: {what} of `{cli} {part.label}`."
    return site_views.SitePage(f"{page.slug}/{part.name}", title, description, page.note, escape.md_inline(description))


def _commands_page(
    renderer: Renderer,
    page: site_views.SitePage,
    context: dict[str, Any],
    command_page: dict[int, str],
    budget: Budgeted | None,
) -> tuple[str, dict[str, str]]:
    spec = renderer.spec
    sections = renderer.command_sections
    if sum(len(text) for _, text in sections) < 2 * TEXT_MAX_CHARS:
        full = renderer.template(page.template, page=page, command_sections=sections, command_parts=None, **context)
        if fits_text(full):
            return full, {}
    text_of = {id(view.command): text for view, text in sections}
    rule_order = {g.id: i for i, g in enumerate(spec.guidance)}

    @remembered
    def render_part(prefix: tuple[str, ...], items: list[CommandView]) -> str:
        rules = {rule.id: rule for view in items for rule in view.rules}
        return renderer.template(
            "site/commands-part.md.j2",
            page=_part_page(spec, page, Part("", prefix, items), "the commands"),
            part_sections=[(view, text_of[id(view.command)]) for view in items],
            part_rules=sorted(rules.values(), key=lambda g: rule_order.get(g.id, 0)),
            **{**context, "page_base": "../"},
        )

    parts, too_big = partition(
        renderer.visible, lambda v: v.command.words, lambda p, items: fits_text(render_part(p, items))
    )
    out: dict[str, str] = {}
    commands = {id(c): i for i, c in enumerate(spec.commands)}
    for part in parts:
        source = f"{page.slug}/{part.name}.md"
        for view in part.items:
            command_page[id(view.command)] = source
        out[f"site/docs/{source}"] = render_part(part.prefix, part.items)
        if budget is not None:
            budget.origins[f"site/docs/{source}"] = ("commands", commands[id(part.items[0].command)])
            if part in too_big:
                budget.notes[f"site/docs/{source}"] = part_note(part)
    links = [PartLink(p.label, f"{page.slug}/{p.name}.md", len(p.items)) for p in parts]
    index = renderer.template(page.template, page=page, command_sections=[], command_parts=links, **context)
    return index, out


def _api_page(
    renderer: Renderer,
    page: site_views.SitePage,
    context: dict[str, Any],
    endpoint_page: dict[str, str],
    budget: Budgeted | None,
) -> tuple[str, dict[str, str]]:
    spec = renderer.spec
    views_ = context["endpoint_views"]
    callers = spec.commands_by_endpoint
    called = [ev for ev in views_ if callers.get(ev.endpoint.id)]
    rest = [ev for ev in views_ if not callers.get(ev.endpoint.id)]

    @remembered
    def render_part(prefix: tuple[str, ...], items: list[site_views.EndpointView]) -> str:
        return renderer.template(
            "site/api-part.md.j2",
            page=_part_page(spec, page, Part("", prefix, items), "the endpoints called by the commands"),
            page_endpoints=items,
            **{**context, "page_base": "../"},
        )

    parts, too_big = partition(
        called, lambda ev: callers[ev.endpoint.id][0].words, lambda p, items: fits_text(render_part(p, items))
    )
    # the whole page holds every part's sections and table rows: skip it when they overflow
    if sum(_payload(render_part(p.prefix, p.items)) for p in parts) < TEXT_MAX_CHARS:
        full = renderer.template(page.template, page=page, page_endpoints=views_, api_parts=None, **context)
        if fits_text(full):
            endpoint_page.clear()
            return full, {}
    out: dict[str, str] = {}
    endpoints = {e.id: i for i, e in enumerate(spec.endpoints)}
    for part in parts:
        source = f"{page.slug}/{part.name}.md"
        for ev in part.items:
            endpoint_page[ev.endpoint.id] = source
        out[f"site/docs/{source}"] = render_part(part.prefix, part.items)
        if budget is not None:
            budget.origins[f"site/docs/{source}"] = ("endpoints", endpoints[part.items[0].endpoint.id])
            if part in too_big:
                budget.notes[f"site/docs/{source}"] = "the endpoint's section alone is that long"
    links = [PartLink(p.label, f"{page.slug}/{p.name}.md", len(p.items)) for p in parts]
    index = renderer.template(page.template, page=page, page_endpoints=rest, api_parts=links, **context)
    return index, out
