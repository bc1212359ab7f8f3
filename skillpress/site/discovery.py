"""Files crawlers and API clients look for at fixed places: robots.txt, sitemap.xml and the
RFC 9727 API catalog.

They are rendered into ``site/agent/`` with the other agent files, so the drift check
covers them and the site build copies them to the root of the built site whatever
built the HTML (mkdocs and Zensical each write a sitemap of their own, with build
dates in it; ours replaces it, so the file is the same for every builder and run).

- ``robots.txt`` allows every crawler and names the sitemap;
- ``sitemap.xml`` lists the URL of every HTML page (the homepage first), dated with the
  changelog entry of the product's version, never with the build date;
- ``.well-known/api-catalog`` (only when the spec has endpoints) is a linkset
  (RFC 9264, JSON) whose catalog entry lists the API and whose API entry points at
  ``openapi.json`` (``service-desc``) and the HTTP API page (``service-doc``).
"""

from __future__ import annotations

import json
from xml.sax.saxutils import escape as xml_escape

from skillpress.spec.model import Spec

#: Media type of the API catalog (RFC 9727, section 4.2): a JSON linkset with its profile.
API_CATALOG_TYPE = 'application/linkset+json; profile="https://www.rfc-editor.org/info/rfc9727"'
OPENAPI_TYPE = "application/vnd.oai.openapi+json;version=3.1"


def site_root(spec: Spec) -> str:
    """The homepage URL with one trailing slash: every page URL starts with it."""
    return spec.product.urls.homepage.rstrip("/") + "/"


def page_url(spec: Spec, source: str) -> str:
    """Public URL of the HTML page built from ``docs/<source>`` (directory URLs, as both builders make)."""
    stem = source.removesuffix(".md")
    if stem == "index":
        return site_root(spec)
    if stem.endswith("/index"):
        stem = stem.removesuffix("/index")
    return f"{site_root(spec)}{stem}/"


def twin_url(spec: Spec, source: str) -> str:
    """Public URL of the markdown twin of ``docs/<source>``: the page's source path at the site root."""
    return f"{site_root(spec)}{source}"


def release_day(spec: Spec) -> str | None:
    dates = [entry.date for entry in spec.changelog if entry.version == spec.product.version]
    dates = dates or [entry.date for entry in spec.changelog]
    return max(dates).isoformat() if dates else None


def robots_txt(spec: Spec) -> str:
    return (
        f"# {spec.product.name}: every page and agent file may be read by any crawler or agent.\n"
        f"# Agents: start with {spec.product.urls.llms}\n"
        "User-agent: *\n"
        "Allow: /\n"
        "\n"
        f"Sitemap: {site_root(spec)}sitemap.xml\n"
    )


def sitemap_xml(spec: Spec, sources: list[str]) -> str:
    """``sources``: the pages' paths under ``docs/``; the homepage comes first, the rest sorted."""
    day = release_day(spec)
    ordered = sorted(sources, key=lambda s: (s != "index.md", s))
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for source in ordered:
        lastmod = f"<lastmod>{day}</lastmod>" if day else ""
        lines.append(f"  <url><loc>{xml_escape(page_url(spec, source))}</loc>{lastmod}</url>")
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"


def api_catalog(spec: Spec, api_base: str, openapi_href: str, api_page: str | None) -> str:
    """The RFC 9727 linkset: the catalog lists one API, the API entry says where it is described."""
    catalog = f"{site_root(spec)}.well-known/api-catalog"
    api: dict[str, object] = {
        "anchor": api_base,
        "service-desc": [{"href": openapi_href, "type": OPENAPI_TYPE}],
    }
    if api_page is not None:
        api["service-doc"] = [{"href": api_page, "type": "text/html"}]
    api["service-meta"] = [{"href": spec.product.urls.llms, "type": "text/plain"}]
    linkset = {"linkset": [{"anchor": catalog, "item": [{"href": api_base}]}, api]}
    return json.dumps(linkset, indent=2, ensure_ascii=False) + "\n"
