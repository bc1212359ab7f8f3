"""The built site renders each page's tables, lists, headings and code blocks as such.

mkdocs builds the site with Python-Markdown, which is stricter than CommonMark about
blank lines: a table written right under a paragraph line stays text, shown as a
paragraph of ``| --- |``. So the HTML of each page (the article, without the theme's
navigation) is compared with what markdown-it finds in the page's markdown source, and
the commands page must hold one table per command with flags or arguments.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from markdown_it import MarkdownIt

from skillpress.site import views as site_views
from tests.site.conftest import BuiltSite

PARSER = MarkdownIt("commonmark").enable("table")


class _Article(HTMLParser):
    """Counts elements and collects text inside the page's <article>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.counts: dict[str, int] = {}
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "article":
            self.depth += 1
        elif self.depth:
            self.counts[tag] = self.counts.get(tag, 0) + 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "article":
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.depth:
            self.text.append(data)


def article(built: BuiltSite, slug: str) -> _Article:
    path = built.out / ("index.html" if slug == "index" else f"{slug}/index.html")
    parsed = _Article()
    parsed.feed(path.read_text(encoding="utf-8"))
    return parsed


def source_counts(markdown: str) -> dict[str, int]:
    """Blocks markdown-it finds in a page's source (front matter and admonition bodies aside)."""
    if markdown.startswith("---\n"):
        markdown = markdown.split("\n---\n", 1)[1]
    # an admonition body is indented; to CommonMark it is a code block, to mkdocs prose
    markdown = re.sub(r"^!!! .*\n\n((?: {4}.*\n|\n)*)", "", markdown, flags=re.MULTILINE)
    counts: dict[str, int] = {}
    for token in PARSER.parse(markdown):
        kind = {
            "table_open": "table",
            "bullet_list_open": "ul",
            "ordered_list_open": "ol",
            "fence": "pre",
            "heading_open": "h",
        }.get(token.type)
        if kind:
            counts[kind] = counts.get(kind, 0) + 1
    return counts


def test_every_page_renders_the_blocks_of_its_markdown(built: BuiltSite) -> None:
    for page in site_views.site_pages(built.spec):
        source = built.rendered.text(f"site/docs/{page.source}")
        expected = source_counts(source)
        found = article(built, page.slug).counts
        got = {
            "table": found.get("table", 0),
            "ul": found.get("ul", 0),
            "ol": found.get("ol", 0),
            "pre": found.get("pre", 0),
            "h": sum(found.get(f"h{n}", 0) for n in range(1, 7)),
        }
        assert {k: got[k] for k in expected} == expected, f"{built.case}: {page.source}"
        assert got["table"] == expected.get("table", 0), f"{built.case}: {page.source}"


def test_commands_page_has_one_table_per_command_with_flags(built: BuiltSite) -> None:
    spec = built.spec
    with_flags = [c for c in spec.commands if not c.hidden and (c.flags or c.arguments)]
    expected = len(with_flags) + bool(spec.global_flags) + bool(spec.environment)
    assert with_flags, "the case should have commands with flags"
    assert article(built, "commands").counts.get("table", 0) == expected


def test_no_page_shows_a_markdown_table_as_text(built: BuiltSite) -> None:
    pages = built.html_pages()
    assert len(pages) >= 3
    for path in pages:
        html = path.read_text(encoding="utf-8")
        assert "| ---" not in html, f"{path.relative_to(built.out)} holds a literal '| ---'"
        parsed = _Article()
        parsed.feed(html)
        text = "".join(parsed.text)
        assert not re.search(r"\|\s*:?-{3,}", text), f"{path.relative_to(built.out)} shows a table delimiter row"
