"""The escaping filters, judged by a CommonMark parser rather than by expected strings.

A value written with ``text``/``inline`` must stay one paragraph (never a heading, list,
quote, rule or code block); ``text`` must show exactly the value; a ``md_cell`` must stay
one cell of its row; ``code`` and ``fence`` must hold the value byte for byte.
"""

from __future__ import annotations

import html
import re

import pytest
from markdown_it import MarkdownIt

from skillpress.render.escape import code, code_spans, fence, html_text, md_cell, md_inline, md_text

MD = MarkdownIt("commonmark").enable("table")

BLOCK_STARTS = [
    "# heading",
    "###### six",
    "> quoted",
    "- item",
    "* item",
    "+ item",
    "***",
    "- - -",
    "___",
    "===",
    "1. first",
    "2) second",
    "123456789. big",
    "```",
    "~~~ tilde",
    "!!! note",
]


def _blocks(source: str) -> list[str]:
    return [t.type for t in MD.parse(source) if t.nesting == 1 or t.type in ("fence", "code_block", "hr")]


def _shown(source: str) -> str:
    """The text a reader sees: inline children's text and code, entities decoded."""
    out = []
    for token in MD.parse(source):
        for child in token.children or []:
            if child.type in ("text", "code_inline"):
                out.append(child.content)
            elif child.type == "softbreak":
                out.append("\n")
    return "".join(out)


@pytest.mark.parametrize("value", BLOCK_STARTS)
def test_text_at_the_start_of_a_line_stays_a_paragraph_showing_the_value(value: str) -> None:
    written = md_text(value)
    assert _blocks(written) == ["paragraph_open"], written
    assert _shown(written) == value


@pytest.mark.parametrize("value", [v for v in BLOCK_STARTS if v != "!!! note"])
def test_inline_markdown_cannot_start_a_block(value: str) -> None:
    assert _blocks(md_inline(value)) == ["paragraph_open"], md_inline(value)


def test_inline_markdown_keeps_its_markup_but_shows_tags_as_text() -> None:
    written = md_inline("Use **bold** and `<code>` but not <script>alert(1)</script>")
    assert "**bold**" in written and "`<code>`" in written
    assert "html_inline" not in [c.type for t in MD.parse(written) for c in t.children or []]


@pytest.mark.parametrize(
    "value",
    [
        "a | b",
        "`x | y` and z",
        "a | b `c` d | e",
        "<b>bold</b>",
        "two\nlines",
        "back\\|slash",
        "``a`b``",
        "`unclosed | pipe",
    ],
)
def test_a_cell_stays_one_cell(value: str) -> None:
    table = f"| h |\n| --- |\n| {md_cell(value)} |\n"
    tokens = MD.parse(table)
    cells = [t for t in tokens if t.type == "td_open"]
    assert len(cells) == 1, table
    tags = [c.content for t in tokens for c in t.children or [] if c.type == "html_inline"]
    assert set(tags) <= {"<code>", "</code>"}, table


def test_a_code_span_with_a_pipe_in_a_cell_is_a_code_element_showing_the_pipe() -> None:
    assert md_cell("`a | b`") == "<code>a &#124; b</code>"
    assert md_cell("` | `") == "<code>&#124;</code>"
    assert md_cell("`a<b`") == "`a<b`"


@pytest.mark.parametrize("value", ["plain", "a`b", "``x``", "`lead", "trail`", " both ", "a ``` b"])
def test_code_holds_the_value_exactly(value: str) -> None:
    spans = [c.content for t in MD.parse(code(value)) for c in t.children or [] if c.type == "code_inline"]
    assert spans == [value]


@pytest.mark.parametrize("value", ["print(1)", "```\nnested\n```", "````x````"])
def test_fence_is_longer_than_any_backtick_run_inside(value: str) -> None:
    marker = fence(value)
    tokens = [t for t in MD.parse(f"{marker}\n{value}\n{marker}\n") if t.type == "fence"]
    assert [t.content for t in tokens] == [value + "\n"]
    longest = max((len(run) for run in re.findall("`+", value)), default=0)
    assert marker == "`" * max(3, longest + 1)  # as short as CommonMark allows


@pytest.mark.parametrize("value", ["a \\`b` c `d`", "\\\\`x`", "``a`b`` `c", "` a ` and `` b ``", "no spans"])
def test_code_spans_are_the_ones_commonmark_sees(value: str) -> None:
    """An escaped backtick opens nothing; an even run of backslashes escapes none."""
    ours = [part.strip("`").strip() for is_code, part in code_spans(value) if is_code]
    theirs = [c.content.strip() for t in MD.parse(value) for c in t.children or [] if c.type == "code_inline"]
    assert ours == theirs
    assert "".join(part for _, part in code_spans(value)) == value


@pytest.mark.parametrize("value", ["<b>&amp; \"q\" 'a'", "Tom & Jerry", "&#x27;"])
def test_html_text_shows_the_value(value: str) -> None:
    assert html.unescape(html_text(value)) == value
    assert "<" not in html_text(value) and '"' not in html_text(value)
