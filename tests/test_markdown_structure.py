"""Every generated markdown file parses into the blocks its template meant.

The text of a table, a list or a code block can be right while its structure is wrong:
a template whose whitespace control eats the blank line before a table gives a file that
reads well as text and renders as a paragraph of ``| --- |`` on the site. So each
``.md`` and ``.txt`` file rendered from the three golden specs is parsed with
markdown-it (CommonMark plus tables, the reading agents get), and

* every line that starts like a table row, a list item, a heading or a code fence is
  one;
* no paragraph holds a table delimiter row or a list item run into the line before it;
* every table, list, heading and code block starts after a blank line. CommonMark lets
  a list or a table interrupt a paragraph; Python-Markdown, which builds the site, does
  not, and keeps such a block inside the paragraph.

The built site is checked for the same in ``tests/site/test_structure.py``.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token

from skillpress.render import render_all
from skillpress.spec import load_spec

CASES = Path(__file__).parent / "cases"
EXAMPLES = Path(__file__).parent.parent / "examples"
SPECS = {p.parent.name: p for p in [*CASES.glob("*/spec.yaml"), *EXAMPLES.glob("*/spec.yaml")]}
CASE_NAMES = sorted(SPECS)

PARSER = MarkdownIt("commonmark").enable("table")

TABLE_ROW = re.compile(r"^\|.*\|\s*$")
LIST_ITEM = re.compile(r"^(?:[-*+]|\d{1,9}[.)])(?:\s|$)")
HEADING = re.compile(r"^#{1,6}(?:\s|$)")
FENCE = re.compile(r"^(`{3,}|~{3,})")
# A list marker run into the text before it, as in "`x` (boolean)- Response data: ...".
JOINED_ITEM = re.compile(r"[^\s(\-|]- (?=[A-Z`*\[])")
DELIMITER_ROW = re.compile(r"\|\s*:?-{3,}")
BLOCKS = {"table_open", "bullet_list_open", "ordered_list_open", "heading_open", "fence", "code_block"}


@cache
def rendered(case: str) -> dict[str, str]:
    result = load_spec(SPECS[case])
    assert result.ok and result.spec is not None, [d.format_text() for d in result.diagnostics]
    files = render_all(result.spec).files
    # robots.txt is not markdown: crawler directives, one per line
    return {
        path: data.decode("utf-8")
        for path, data in files.items()
        if path.endswith((".md", ".txt")) and not path.endswith("/robots.txt")
    }


def markdown_files() -> list[tuple[str, str]]:
    return [(case, path) for case in CASE_NAMES for path in sorted(rendered(case))]


def body_lines(text: str) -> list[str]:
    """The file's lines with YAML front matter blanked (line numbers kept)."""
    lines = text.split("\n")
    if lines[0] == "---" and "---" in lines[1:]:
        end = lines.index("---", 1)
        lines[: end + 1] = [""] * (end + 1)
    return lines


def literal_lines(tokens: list[Token]) -> set[int]:
    """Lines inside code blocks and raw HTML, where markdown syntax means nothing."""
    lines: set[int] = set()
    for token in tokens:
        if token.type in ("fence", "code_block", "html_block") and token.map:
            lines.update(range(*token.map))
    return lines


def problems_of(text: str) -> list[str]:
    lines = body_lines(text)
    tokens = PARSER.parse("\n".join(lines))
    literal = literal_lines(tokens)
    starts: dict[str, set[int]] = {}
    spans: dict[str, list[range]] = {}
    for token in tokens:
        if token.map:
            starts.setdefault(token.type, set()).add(token.map[0])
            spans.setdefault(token.type, []).append(range(*token.map))
    found: list[str] = []

    def inside(kind: str, n: int) -> bool:
        return any(n in span for span in spans.get(kind, []))

    for n, line in enumerate(lines):
        if n in literal:
            if FENCE.match(line.lstrip()) and n not in starts.get("fence", set()) and not inside("fence", n):
                found.append(f"line {n + 1}: a code fence that is not a code block: {line!r}")
            continue
        where = f"line {n + 1}: {line[:70]!r}"
        if TABLE_ROW.match(line) and not inside("table_open", n):
            found.append(f"{where} looks like a table row but is not in a table")
        if LIST_ITEM.match(line) and n not in starts.get("list_item_open", set()):
            found.append(f"{where} looks like a list item but is not one")
        if HEADING.match(line) and n not in starts.get("heading_open", set()):
            found.append(f"{where} looks like a heading but is not one")
        if FENCE.match(line):
            found.append(f"{where} looks like a code fence but opens no code block")

    for i, token in enumerate(tokens):
        if token.type == "inline" and tokens[i - 1].type == "paragraph_open":
            text_only = "".join(c.content for c in token.children or [] if c.type == "text")
            if DELIMITER_ROW.search(token.content):
                found.append(f"line {token.map[0] + 1 if token.map else '?'}: a table delimiter row inside a paragraph")
            if JOINED_ITEM.search(text_only):
                found.append(
                    f"line {token.map[0] + 1 if token.map else '?'}: a list item run into the text before it: "
                    f"{JOINED_ITEM.search(text_only).group()!r} in {text_only[:80]!r}"
                )
        if token.type in BLOCKS and token.map and token.map[0] > 0:
            first = token.map[0]
            previous = lines[first - 1]
            nested_in_item = token.level > 0 and token.type not in ("fence", "code_block")
            if previous.strip() and not nested_in_item:
                found.append(
                    f"line {first + 1}: {token.type.removesuffix('_open')} right after the text line "
                    f"{previous[:60]!r}, with no blank line between (Python-Markdown merges them)"
                )
    return found


@pytest.mark.parametrize(("case", "path"), markdown_files(), ids=[f"{c}:{p}" for c, p in markdown_files()])
def test_markdown_has_the_structure_its_template_meant(case: str, path: str) -> None:
    problems = problems_of(rendered(case)[path])
    assert not problems, f"{case}: {path}\n" + "\n".join(problems)


def test_every_case_renders_tables_lists_headings_and_code() -> None:
    """The check above has something to check: the golden specs produce every kind of block."""
    kinds: set[str] = set()
    for case in CASE_NAMES:
        for text in rendered(case).values():
            kinds.update(t.type for t in PARSER.parse("\n".join(body_lines(text))))
    assert {"table_open", "bullet_list_open", "ordered_list_open", "heading_open", "fence"} <= kinds


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("Runs locally.\n| A | B |\n| --- | --- |\n| 1 | 2 |\n", "table right after the text line"),
        ("Auth: none.\n- Body: `x`\n", "bullet_list right after the text line"),
        ("- Body: `x` (boolean)- Response data: `y`\n", "a list item run into the text before it"),
        ("- Errors: `E`\n### GET /v1/x\n", "heading right after the text line"),
        ("A paragraph\n| --- |\n", "a table delimiter row inside a paragraph"),
        ("text\n```bash\nls\n```\n", "fence right after the text line"),
    ],
)
def test_the_check_catches_each_slip(text: str, problem: str) -> None:
    assert any(problem in p for p in problems_of(text)), problems_of(text)


def test_the_check_accepts_well_formed_markdown() -> None:
    text = (
        '---\ntitle: "x"\n---\n\n# Title\n\nA paragraph with pre- and post-work and a - dash.\n\n'
        "| A | B |\n| --- | --- |\n| `a\\|b` | 2 |\n\n- one\n- two\n\n1. first\n\n   ```bash\n   ls\n   ```\n\n"
        "```text\n| not | a table |\n- not a list\n# not a heading\n```\n"
    )
    assert problems_of(text) == []
