"""Render the site's sources (mkdocs.yml, docs/ pages, well-known skill index) in memory.

``site/`` is an mkdocs-material project generated from the spec:

- ``site/mkdocs.yml``: serialised with ``yaml.safe_dump`` from a dict, never templated.
  mkdocs-material prints ``site_name`` and ``site_description`` into its HTML without
  escaping them, so they hold HTML-escaped text; the product values the theme override
  shows are passed raw under ``extra.skillpress`` and escaped by the override itself;
- ``site/overrides/main.html``: the theme override that points agents at ``/llms.txt``
  and at the page's markdown twin. It is copied as it is, never rendered here: mkdocs'
  Jinja renders it at site build time, so no spec text may ever be part of its source;
- ``site/docs/<page>.md``: the homepage and one page per reference topic the spec has;
- ``site/agent/.well-known/``: skill discovery indexes (see ``skillpress.site.wellknown``).

The mkdocs plugin ``skillpress`` (``skillpress.site.plugin``) puts ``site/agent/`` at the
root of the built site and writes the markdown twins.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import yaml

from skillpress.render import escape
from skillpress.site import views as site_views
from skillpress.site.wellknown import render_well_known
from skillpress.spec.model import Spec

if TYPE_CHECKING:
    from skillpress.render import Renderer

#: Where ``skillpress site build`` writes the HTML, relative to ``site/mkdocs.yml``.
SITE_DIR = "../_site"

#: Small style additions, relative to ``site/docs/``.
STYLESHEET = "assets/skillpress.css"

HEADER = "# Generated from the spec by skillpress; edit the spec, not this file.\n"


def mkdocs_config(spec: Spec) -> dict[str, Any]:
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
            "plugins": [
                "search",
                {
                    "skillpress": {
                        "agent_dir": site_views.AGENT_FOLDER,
                        "copies": site_views.extra_copies(spec),
                        "llms_url": product.urls.llms,
                    }
                },
            ],
            "markdown_extensions": [
                "admonition",
                "tables",
                {"toc": {"permalink": True}},
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
            "extra": {"skillpress": {"product_name": product.name}},
        }
    )
    return config


def mkdocs_yml(spec: Spec) -> str:
    return HEADER + yaml.safe_dump(
        mkdocs_config(spec), sort_keys=False, allow_unicode=True, default_flow_style=False, width=1000
    )


def render_site(renderer: Renderer, files: dict[str, str | bytes]) -> dict[str, str | bytes]:
    """Return ``{relative path: text or bytes}`` for the site's sources under ``site/``.

    ``files`` holds the agent files already rendered (skills, site/agent/...); the
    well-known skill indexes under ``site/agent/.well-known/`` are built from them.
    """
    spec = renderer.spec
    context = site_views.site_context(spec, renderer.commands)
    out: dict[str, str | bytes] = {
        "site/mkdocs.yml": mkdocs_yml(spec),
        "site/overrides/main.html": renderer.source("site/main.html.j2"),
        f"site/docs/{STYLESHEET}": renderer.template("site/skillpress.css.j2"),
    }
    for page in site_views.site_pages(spec):
        out[f"site/docs/{page.source}"] = renderer.template(page.template, page=page, **context)
    out.update(render_well_known(spec, files))
    return out
