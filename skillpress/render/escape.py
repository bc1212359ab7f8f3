"""Escape a spec string for the place it lands; the templates' filters.

Every spec string has a kind (``skillpress.spec.model.TextKind``) and every place in a
generated file has a syntax. The filters below make a value of one kind safe in one
syntax; templates apply them, and nothing else writes spec text into markdown or HTML:

========================  =========================================================
``text``                  plain text (names, titles) into markdown: shown exactly as
                          written, every markdown and HTML character escaped
``inline``                one line of inline markdown (summaries, meanings) as its own
                          paragraph or inside one: code spans and links work; a tag
                          is shown as text; a leading ``#``, ``>``, ``-``, ``1.``
                          or fence cannot start a block
``md_cell``               inline markdown (or escaped text) in one table cell
``code``                  an inline code span, whatever backticks the value holds
``fence``                 the backtick fence a code block around the value needs
``yaml_str``              a YAML scalar (front matter): a JSON string
``to_json``               an example object in a JSON code block
``html_text``             text handed to mkdocs-material, which prints site names,
                          page titles and descriptions into HTML without escaping them
========================  =========================================================

Markdown fields are written as they are: ``markdown-safe`` refuses script in them at
validation. JSON is always ``json.dumps`` and mkdocs.yml ``yaml.safe_dump``; the site's
theme override receives product values as mkdocs ``extra`` data, never as template source.

The escapes work for both readers of the files: CommonMark (agents, markdown-it) and
Python-Markdown (the mkdocs site). Backslash escapes are used only for characters both
treat as escapable; the rest become character references.
"""

from __future__ import annotations

import json
import re

# An ampersand that starts a character reference (markdown needs the semicolon) and, for
# text handed to a browser as HTML, any ampersand a browser could read as one.
_MD_ENTITY = re.compile(r"&(?=#?[A-Za-z0-9]+;)")
_ENTITY_START = re.compile(r"&(?=[A-Za-z0-9#])")
_TEXT_ESCAPED = re.compile(r"([\\`*_{}\[\]#])")
_TAG_START = re.compile(r"<(?=[A-Za-z/!?])")
_BACKTICKS = re.compile(r"`+")

# Line starts that would make a block of a value written at the start of a line.
_LEADING = [
    (re.compile(r"^(#{1,6})(?=\s|$)"), lambda m: "\\" + m.group(1)),
    (re.compile(r"^>"), lambda m: "\\>"),
    (re.compile(r"^([-+*])(?=\s|$)"), lambda m: "\\" + m.group(1)),
    (re.compile(r"^([-*_])(?=(?:[ \t]*\1){2,}[ \t]*$)"), lambda m: "\\" + m.group(1)),
    (re.compile(r"^=(?=[=\s]*$)"), lambda m: "&#61;"),
    (re.compile(r"^(\d{1,9})([.)])(?=\s|$)"), lambda m: m.group(1) + "\\" + m.group(2)),
    (re.compile(r"^!(?=!!)"), lambda m: "\\!"),
    (re.compile(r"^(`{3,}|~{3,})"), lambda m: "\\" + m.group(1)),
]


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _protect_start(text: str) -> str:
    for pattern, repl in _LEADING:
        text, n = pattern.subn(repl, text, count=1)
        if n:
            break
    return text


def code_spans(text: str) -> list[tuple[bool, str]]:
    """Split inline markdown into ``(is_code, part)``: a run of backticks opens a code span
    that the next run of the same length closes; an escaped or unmatched run is text."""
    parts: list[tuple[bool, str]] = []
    pos = start = 0
    while True:
        match = _BACKTICKS.search(text, pos)
        if match is None:
            break
        slashes = len(text[: match.start()]) - len(text[: match.start()].rstrip("\\"))
        if slashes % 2:  # an escaped backtick: the rest of the run may still open a span
            pos = match.start() + 1
            continue
        run = match.group()
        close = re.compile(r"(?<!`)" + run + r"(?!`)").search(text, match.end())
        if close is None:
            pos = match.end()
            continue
        if match.start() > start:
            parts.append((False, text[start : match.start()]))
        parts.append((True, text[match.start() : close.end()]))
        start = pos = close.end()
    if start < len(text):
        parts.append((False, text[start:]))
    return parts


def _no_tags(text: str) -> str:
    """``<`` that could open a tag, outside code spans, as ``&lt;``."""
    return "".join(part if is_code else _TAG_START.sub("&lt;", part) for is_code, part in code_spans(text))


def md_text(value: object) -> str:
    """Plain text as markdown that shows exactly the text: no markup, no HTML, no block start."""
    text = _MD_ENTITY.sub("&amp;", _text(value)).replace("<", "&lt;")
    return _protect_start(_TEXT_ESCAPED.sub(r"\\\1", text))


def md_inline(value: object) -> str:
    """One line of inline markdown, safe as a paragraph of its own: tags are shown as text
    and the value cannot start a heading, quote, list, rule or code block."""
    return _protect_start(_no_tags(_text(value)))


def _html_code(span: str) -> str:
    """A markdown code span as a ``<code>`` element whose pipes are character references."""
    content = span.strip("`")
    if len(content) > 1 and content.startswith(" ") and content.endswith(" ") and content.strip():
        content = content[1:-1]
    content = content.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("|", "&#124;")
    return f"<code>{content}</code>"


def md_cell(value: object) -> str:
    """Inline markdown (or escaped text) for one table cell: one line, pipes escaped.

    A pipe inside a code span needs a backslash for CommonMark tables and must not have
    one for Python-Markdown's, so such a span is written as a ``<code>`` element instead.
    """
    text = " ".join(_text(value).split())
    out = []
    for is_code, part in code_spans(text):
        if is_code:
            out.append(_html_code(part) if "|" in part else part)
        else:
            out.append(_TAG_START.sub("&lt;", part).replace("|", "\\|"))
    return "".join(out)


def code(value: object) -> str:
    """Inline code that survives backticks inside the value."""
    text = str(value)
    longest = max((len(m.group()) for m in _BACKTICKS.finditer(text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or (text.startswith(" ") and text.endswith(" ")) else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def fence(value: object) -> str:
    """The backtick fence for a code block holding ``value``: longer than any run inside it."""
    longest = max((len(m.group()) for m in _BACKTICKS.finditer(_text(value))), default=0)
    return "`" * max(3, longest + 1)


def yaml_str(value: object) -> str:
    """A YAML scalar that never needs folding or escaping rules: JSON double quotes."""
    return json.dumps(str(value), ensure_ascii=False)


def to_json(value: object, indent: int | None = 2) -> str:
    """JSON for a code block; ``json.dumps`` escapes every control character and line break."""
    return json.dumps(value, indent=indent, ensure_ascii=False)


def html_text(value: object) -> str:
    """Text for a place mkdocs-material prints as HTML (site name, page title, description)."""
    text = _ENTITY_START.sub("&amp;", _text(value))
    return text.replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;").replace("'", "&#39;")


FILTERS = {
    "text": md_text,
    "inline": md_inline,
    "md_cell": md_cell,
    "code": code,
    "fence": fence,
    "yaml_str": yaml_str,
    "to_json": to_json,
    "html_text": html_text,
}
