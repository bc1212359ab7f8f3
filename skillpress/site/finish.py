"""What skillpress adds to a built site, whatever built its HTML (mkdocs or Zensical).

The HTML builder only turns ``site/docs/`` into pages. Then ``finish_site``

1. copies every file of ``site/agent/`` (``.well-known/``, robots.txt and sitemap.xml
   included) to the root of the built site, byte for byte; files whose canonical URL sits
   elsewhere in the site are copied there too (``copies``);
2. writes the markdown twin of every page next to it: ``docs/commands.md`` becomes
   ``/commands.md`` (the page itself is ``/commands/``), ``docs/index.md`` ``/index.md``;
3. replaces the builder's ``sitemap.xml.gz`` (it holds the build date) with ours, gzipped
   without a timestamp, or removes it when there is no sitemap of ours.

The settings come from ``extra.skillpress`` in ``site/mkdocs.yml``, which skillpress
renders and both builders read without acting on it. Nothing here imports a builder, so
agent files and twins are byte-identical for both.

A twin is the page's source markdown without its YAML front matter (title and description
are already the H1 and the lead paragraph), with one line under the H1 that points agents
to ``llms.txt``, and with every link made absolute: agents fetch a twin on its own, often
from another origin, and relative links there lead nowhere (a page's ``commands.md#x``
becomes ``https://<site>/commands.md#x``, so agents stay in markdown).
"""

from __future__ import annotations

import gzip
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import yaml

from skillpress.diagnostics import SkillpressError

#: ``[text](target "title")``: inline links and images; the target has no spaces or parentheses.
_LINK = re.compile(r"(!?\[[^\]\n]*\]\()([^()\s]+)((?:\s+\"[^\"\n]*\")?\))")
_CODE_SPAN = re.compile(r"(`+)[^`\n]*?\1")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


@dataclass(frozen=True)
class SiteSettings:
    site_url: str
    """The homepage URL, with one trailing slash."""
    llms_url: str
    agent_dir: str = "agent"
    docs_dir: str = "docs"
    copies: dict[str, str] = field(default_factory=dict)


def read_settings(config_file: Path) -> SiteSettings:
    """``extra.skillpress`` of the generated ``mkdocs.yml`` (a clear error when it is not ours)."""
    try:
        config = yaml.safe_load(config_file.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise SkillpressError(f"cannot read the site configuration: {exc}", file=str(config_file)) from None
    extra = (config or {}).get("extra", {}) if isinstance(config, dict) else {}
    ours = extra.get("skillpress") if isinstance(extra, dict) else None
    if not isinstance(ours, dict) or not isinstance(ours.get("llms_url"), str):
        raise SkillpressError(
            "extra.skillpress is missing from the site configuration; run `skillpress build`", file=str(config_file)
        )
    site_url = str(config.get("site_url") or "").rstrip("/") + "/"
    copies = ours.get("copies") or {}
    if not isinstance(copies, dict):
        raise SkillpressError("extra.skillpress.copies must be a mapping", file=str(config_file))
    return SiteSettings(
        site_url=site_url,
        llms_url=ours["llms_url"],
        agent_dir=str(ours.get("agent_dir", "agent")),
        docs_dir=str(config.get("docs_dir", "docs")),
        copies={str(k): str(v) for k, v in copies.items()},
    )


def strip_front_matter(text: str) -> str:
    if text.startswith("---\n"):
        end = text.find("\n---\n", 4)
        if end != -1:
            return text[end + 5 :]
    return text


def absolute_links(markdown: str, base: str, site_url: str) -> str:
    """Every relative link target made absolute against ``base`` (the twin's own URL); a
    root-relative one (``/llms.txt``) against the site's origin. Code is left as it is."""
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(site_url))

    def fix(match: re.Match[str]) -> str:
        target = match.group(2)
        if _SCHEME.match(target) or target.startswith("//"):
            return match.group(0)
        url = origin + target if target.startswith("/") else urljoin(base, target)
        return f"{match.group(1)}{url}{match.group(3)}"

    out: list[str] = []
    fence: str | None = None
    for line in markdown.split("\n"):
        stripped = line.lstrip()
        if fence is None and stripped.startswith(("```", "~~~")):
            fence = stripped[:3]
        elif fence is not None and stripped.startswith(fence):
            fence = None
        elif fence is None:
            line = _LINK.sub(partial(_outside_code, fix, [m.span() for m in _CODE_SPAN.finditer(line)]), line)
        out.append(line)
    return "\n".join(out)


def _outside_code(fix: Callable[[re.Match[str]], str], code: list[tuple[int, int]], match: re.Match[str]) -> str:
    """``fix(match)`` unless the link's "](" lies inside a code span, where it is code, not a link."""
    at = match.start(2)
    if any(start < at < end for start, end in code):
        return match.group(0)
    return fix(match)


def twin_text(markdown: str, llms_url: str, twin_url: str = "", site_url: str = "") -> str:
    """The markdown twin of a page whose body (front matter already removed) is ``markdown``."""
    if twin_url:
        markdown = absolute_links(markdown, twin_url, site_url or twin_url)
    lines = markdown.strip("\n").split("\n")
    pointer = f"> Agents: [llms.txt]({llms_url}) lists every agent file of this product."
    for i, line in enumerate(lines):
        if line.startswith("# "):
            lines[i + 1 : i + 1] = ["", pointer]
            break
    else:
        lines[:0] = [pointer, ""]
    return "\n".join(lines) + "\n"


def finish_site(config_file: Path, out: Path) -> list[str]:
    """Add agent files and twins to the built site in ``out``; returns the paths written."""
    settings = read_settings(config_file)
    base = config_file.parent
    agent_dir = (base / settings.agent_dir).resolve()
    docs_dir = (base / settings.docs_dir).resolve()
    if not agent_dir.is_dir():
        raise SkillpressError("the site's agent folder does not exist; run `skillpress build`", file=str(agent_dir))
    site = out.resolve()
    written: dict[str, str] = {}

    def put(rel: str, source: str, data: bytes) -> None:
        if rel in written:
            raise SkillpressError(f"{rel} would be written twice ({written[rel]} and {source})", file=str(config_file))
        target = (site / rel).resolve()
        if not target.is_relative_to(site) or target == site:
            raise SkillpressError(f"{rel} ({source}) is outside the site folder", file=str(config_file))
        written[rel] = source
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)

    for path in sorted(p for p in agent_dir.rglob("*") if p.is_file()):
        rel = path.relative_to(agent_dir).as_posix()
        put(rel, f"{settings.agent_dir}/{rel}", path.read_bytes())
    for rel, name in sorted(settings.copies.items()):
        source = agent_dir / name
        if not source.resolve().is_relative_to(agent_dir) or not source.is_file():
            raise SkillpressError(f"copies: agent file {name} does not exist", file=str(config_file))
        put(rel, f"{settings.agent_dir}/{name}", source.read_bytes())
    for path in sorted(docs_dir.rglob("*.md")):
        rel = path.relative_to(docs_dir).as_posix()
        body = strip_front_matter(path.read_text(encoding="utf-8"))
        text = twin_text(body, settings.llms_url, settings.site_url + rel, settings.site_url)
        put(rel, f"twin of {settings.docs_dir}/{rel}", text.encode("utf-8"))
    sitemap = site / "sitemap.xml"
    packed = site / "sitemap.xml.gz"
    if "sitemap.xml" in written:
        packed.write_bytes(gzip.compress(sitemap.read_bytes(), mtime=0))
    else:
        packed.unlink(missing_ok=True)
    return sorted(written)


def copy_tree(source: Path, target: Path) -> None:
    """Copy a folder (used to give Zensical a scratch project: it keeps a cache in its project)."""
    shutil.copytree(source, target, symlinks=False)
