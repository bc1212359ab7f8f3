"""Every string of a spec with its kind, and the checks on what a string may hold.

The model marks each ``str`` field with a :class:`~skillpress.spec.model.TextKind`
(plain text, inline markdown, markdown, code, token; strings inside example objects are
data). This module

* walks a spec instance and lists ``(path, string, kind)`` for every string in it, keys
  of example objects included (:func:`iter_strings`), and walks the model classes for the
  same paths without an instance (:func:`string_fields`, used by the tests so that a new
  field is covered as soon as it exists);
* finds characters no spec string may hold (:func:`bad_character`): control characters
  (tab and line feed are allowed in markdown, code and example data), DEL, the C1 range
  (U+0085 included) and the bidirectional override and isolate characters, which make
  text read differently from what it is;
* finds markdown that would put script into the built site (:func:`unsafe_markdown`):
  script-capable or page-breaking HTML elements, event-handler attributes (in raw HTML
  and in ``{: ...}`` attribute lists, which the site's Python-Markdown applies), and
  ``javascript:``, ``vbscript:`` or ``data:`` targets of links, images, autolinks,
  reference definitions and HTML attributes. The scan is deliberately blunt: it reads
  the whole string, code spans included, because Python-Markdown (the site) and
  CommonMark (agents) disagree about where code starts.
"""

from __future__ import annotations

import html
import re
import typing
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any, NamedTuple

from pydantic import BaseModel

from skillpress.spec.loader import PathKey
from skillpress.spec.model import TextKind

# --------------------------------------------------------------------------- kinds of fields


def _kind_of(annotation: Any) -> TextKind | None:
    """The TextKind marked anywhere in ``annotation`` (``Annotated`` inside lists or Optional)."""
    for meta in getattr(annotation, "__metadata__", ()):
        if isinstance(meta, TextKind):
            return meta
    for arg in typing.get_args(annotation):
        found = _kind_of(arg)
        if found is not None:
            return found
    return None


def _has_str(annotation: Any) -> bool:
    if annotation is str:
        return True
    return any(_has_str(arg) for arg in typing.get_args(annotation))


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in typing.get_args(annotation) for m in _models_in(arg)]


def _is_list(annotation: Any) -> bool:
    origin = typing.get_origin(annotation)
    if origin is list:
        return True
    return any(_is_list(arg) for arg in typing.get_args(annotation) if typing.get_origin(arg) is not typing.Annotated)


def _is_dict(annotation: Any) -> bool:
    if typing.get_origin(annotation) is dict:
        return True
    return any(_is_dict(arg) for arg in typing.get_args(annotation))


@dataclass(frozen=True)
class StringField:
    """One string-holding field of the model, seen from the spec's root.

    ``path`` uses ``0`` for "any item of this list"; ``shape`` is ``str`` (the field is a
    string), ``list`` (a list of strings) or ``dict`` (an example object whose keys and
    values are data).
    """

    path: PathKey
    kind: TextKind
    shape: str


@cache
def _field_kinds(model: type[BaseModel]) -> dict[str, TextKind]:
    """Kind of every string-holding field of ``model`` (dicts hold data)."""
    kinds: dict[str, TextKind] = {}
    for name, info in model.model_fields.items():
        annotation = info.rebuild_annotation()
        if _is_dict(annotation):
            kinds[name] = TextKind.data
        elif _has_str(annotation):
            kinds[name] = _kind_of(annotation) or TextKind.token
    return kinds


def string_fields(model: type[BaseModel], base: PathKey = ()) -> Iterator[StringField]:
    """Every string-holding field under ``model``, depth first in declaration order."""
    kinds = _field_kinds(model)
    for name, info in model.model_fields.items():
        annotation = info.rebuild_annotation()
        path = base + (info.alias or name,)  # the key a spec author writes (`from`, not `from_`)
        index: PathKey = (0,) if _is_list(annotation) else ()
        if name in kinds:
            kind = kinds[name]
            shape = "dict" if kind is TextKind.data else "list" if index else "str"
            yield StringField(path, kind, shape)
        for sub in _models_in(annotation):
            yield from string_fields(sub, path + index)


class SpecString(NamedTuple):
    path: PathKey
    value: str
    kind: TextKind
    key: bool = False
    """The string is a key of an example object (``path`` ends with it)."""


@cache
def _walk_plan(model: type[BaseModel]) -> tuple[tuple[str, str, TextKind], ...]:
    """Fields of ``model`` that can hold a string (directly or in nested models): attribute,
    the key the spec writes, and the kind their own strings have."""
    kinds = _field_kinds(model)
    plan = []
    for name, info in model.model_fields.items():
        if name in kinds or _models_in(info.rebuild_annotation()):
            plan.append((name, info.alias or name, kinds.get(name, TextKind.token)))
    return tuple(plan)


def iter_strings(value: object, path: PathKey = (), kind: TextKind = TextKind.token) -> list[SpecString]:
    """Every string in ``value`` (a spec or any part of it) with its path and kind, in
    document order; keys of example objects too."""
    found: list[SpecString] = []
    add = found.append

    def walk(item: object, where: PathKey, item_kind: TextKind) -> None:
        if type(item) is str:
            add(SpecString(where, item, item_kind))
        elif isinstance(item, BaseModel):
            for name, key, child_kind in _walk_plan(type(item)):
                child = getattr(item, name)
                if child is not None:
                    walk(child, where + (key,), child_kind)
        elif isinstance(item, (list, tuple)):
            for i, child in enumerate(item):
                walk(child, where + (i,), item_kind)
        elif isinstance(item, dict):
            for key, child in item.items():
                at = where + (key,)
                if type(key) is str:
                    add(SpecString(at, key, item_kind, key=True))
                walk(child, at, item_kind)
        elif isinstance(item, str):  # a str subclass
            add(SpecString(where, str(item), item_kind))

    walk(value, path, kind)
    return found


# --------------------------------------------------------------------------- characters

#: Kinds whose strings may hold line feeds and tabs.
MULTILINE_KINDS = frozenset({TextKind.markdown, TextKind.code, TextKind.data})

_BIDI = {0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069}
_BAD_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_BAD_CHARS_ONE_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_C0_NAMES = {
    0x09: "TAB",
    0x0A: "LINE FEED",
    0x0D: "CARRIAGE RETURN",
    0x1B: "ESCAPE",
    0x00: "NUL",
    0x7F: "DELETE",
    0x85: "NEXT LINE",
}


def char_name(char: str) -> str:
    code = ord(char)
    name = _C0_NAMES.get(code) or unicodedata.name(char, "")
    return f"U+{code:04X}" + (f" {name}" if name else "")


def bad_character(text: str, kind: TextKind) -> tuple[int, str] | None:
    """``(index, description)`` of the first character ``text`` may not hold, or None."""
    pattern = _BAD_CHARS if kind in MULTILINE_KINDS else _BAD_CHARS_ONE_LINE
    match = pattern.search(text)
    if match is None:
        return None
    char = match.group()
    code = ord(char)
    if code in _BIDI:
        what = "bidirectional control character"
    elif code in (0x0A, 0x09):
        what = "line break" if code == 0x0A else "tab"
    else:
        what = "control character"
    return match.start(), f"{what} {char_name(char)}"


# --------------------------------------------------------------------------- markdown

#: Elements that run script, load other documents, restyle or swallow the page.
UNSAFE_ELEMENTS = (
    "applet",
    "base",
    "button",
    "dialog",
    "embed",
    "form",
    "frame",
    "frameset",
    "iframe",
    "input",
    "link",
    "math",
    "meta",
    "noembed",
    "noframes",
    "noscript",
    "object",
    "plaintext",
    "portal",
    "script",
    "select",
    "style",
    "svg",
    "template",
    "textarea",
    "title",
    "xmp",
)
UNSAFE_SCHEMES = ("javascript:", "vbscript:", "data:")

_ELEMENT = re.compile(r"</?(" + "|".join(UNSAFE_ELEMENTS) + r")(?=[\s/>]|$)", re.IGNORECASE)
# A start tag, closed or not: the browser reads an unclosed one up to the next '>' of the page.
_TAG = re.compile(r"<[A-Za-z][\w:-]*((?:[^<>])*)", re.DOTALL)
# A Python-Markdown attribute list: {: #id .class key=value } or { #id }.
_ATTR_LIST = re.compile(r"\{:?([^{}\n]*)\}")
_HANDLER = re.compile(r"(?:^|[\s\"'/;])(on[a-z]+)\s*=", re.IGNORECASE)
_ATTR_VALUE = re.compile(r"=\s*(?:\"([^\"]*)\"?|'([^']*)'?|([^\s>\"']+))")
_LINK_TARGET = re.compile(r"\]\(\s*<?([^)>]*)")
_REFERENCE = re.compile(r"^[ ]{0,3}\[[^\]\n]+\]:\s*<?(\S*)", re.MULTILINE)
_AUTOLINK = re.compile(r"<([A-Za-z][A-Za-z0-9+.\-]*:[^\s<>]*)>?")
_ESCAPED_PUNCT = re.compile(r"\\([!-/:-@\[-`{-~])")
_URL_NOISE = re.compile(r"[\x00-\x20\x7f]+")


def unsafe_url(url: str) -> str | None:
    """The scheme of ``url`` if a browser would run or inline it (javascript:, vbscript:, data:)."""
    plain = _URL_NOISE.sub("", _ESCAPED_PUNCT.sub(r"\1", html.unescape(url))).lower()
    return next((s for s in UNSAFE_SCHEMES if plain.startswith(s)), None)


def unsafe_markdown(text: str) -> tuple[int, str, str] | None:
    """``(index, problem, hint)`` for the first construct of ``text`` that could put script
    into the built site, or None."""
    if "<" not in text and "{" not in text and "](" not in text and "]:" not in text:
        return None  # no tag, attribute list, link or reference definition: nothing to scan
    found: list[tuple[int, str, str]] = []
    match = _ELEMENT.search(text)
    if match:
        name = match.group(1).lower()
        found.append(
            (
                match.start(),
                f"raw HTML <{name}> element",
                f"markdown fields may not hold <{name}>; describe it in words",
            )
        )
    for pattern, where in ((_TAG, "raw HTML"), (_ATTR_LIST, "an attribute list {: ...}")):
        for tag in pattern.finditer(text):
            attrs = tag.group(1)
            handler = _HANDLER.search(attrs)
            if handler:
                found.append(
                    (
                        tag.start(),
                        f"event-handler attribute {handler.group(1)}= in {where}",
                        "remove the attribute; spec text may not run script",
                    )
                )
            for value in _ATTR_VALUE.finditer(attrs):
                url = next(v for v in value.groups() if v is not None)
                scheme = unsafe_url(url)
                if scheme:
                    found.append((tag.start(), f"{scheme} URL in {where}", "link to an https:// page instead"))
    for pattern, where in ((_LINK_TARGET, "a link"), (_REFERENCE, "a link reference"), (_AUTOLINK, "an autolink")):
        for link in pattern.finditer(text):
            scheme = unsafe_url(link.group(1))
            if scheme:
                found.append(
                    (link.start(), f"{scheme} URL as the target of {where}", "link to an https:// page instead")
                )
    return min(found) if found else None


__all__ = [
    "MULTILINE_KINDS",
    "SpecString",
    "StringField",
    "TextKind",
    "bad_character",
    "char_name",
    "iter_strings",
    "string_fields",
    "unsafe_markdown",
    "unsafe_url",
]
