"""Safe YAML loading that remembers where every value came from.

PyYAML is used for scanning and parsing only. We build plain Python values straight
from the parser's event stream (no node tree), so that:

* every mapping key and value keeps its ``line:col`` (1-based) in a side table;
* a duplicate mapping key is an error (PyYAML would silently keep the last one);
* anchors and aliases are refused as soon as they appear, so an alias bomb
  ("billion laughs") fails at its first anchor instead of expanding;
* nesting deeper than :data:`MAX_DEPTH` is refused before it can exhaust the stack;
* only the standard YAML tags are accepted (no ``!!python/...`` objects);
* empty, non-UTF-8 and oversized files get one clear diagnostic each;
* U+0085, U+2028 and U+2029 written as they are (YAML reads them as line breaks an
  editor does not show) are refused before parsing.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.events import (
    AliasEvent,
    CollectionEndEvent,
    CollectionStartEvent,
    Event,
    MappingStartEvent,
    ScalarEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from yaml.nodes import ScalarNode
from yaml.resolver import Resolver

from skillpress.diagnostics import Diagnostic, Severity
from skillpress.safe_read import MAX_SPEC_BYTES, read_spec_bytes

# Deepest nesting of lists and mappings accepted. A real spec needs about a dozen
# levels (response examples add a few); the builder recurses once per level, so a
# crafted "[[[[..." file would otherwise hit RecursionError.
MAX_DEPTH = 100
# libyaml parses about ten times faster than PyYAML's pure-Python parser and yields the
# same events and marks. It is used for the common case (a file that parses); on any
# failure the file is parsed again in pure Python, so syntax errors are always
# reported with the pure-Python parser's messages and locations.
_FAST_LOADER: Any = getattr(yaml, "CSafeLoader", None)

_STR = "tag:yaml.org,2002:str"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"
_MERGE = "tag:yaml.org,2002:merge"
# Scalar tags whose values a spec can hold (after resolution; plain scalars resolve to
# these too). Everything else, ``!!binary`` included, is refused.
_SCALAR_TAGS = frozenset("tag:yaml.org,2002:" + name for name in ("str", "int", "float", "bool", "null", "timestamp"))
_SURROGATE = re.compile("[\ud800-\udfff]")

PathKey = tuple[str | int, ...]


class Mark(NamedTuple):
    """A 1-based position in the source (a tuple: cheap to make for every value)."""

    line: int
    col: int


@dataclass
class LoadedDocument:
    """Plain data plus the location of every value and key in the source."""

    file: str
    data: Any
    value_marks: dict[PathKey, Mark] = field(default_factory=dict)
    key_marks: dict[PathKey, Mark] = field(default_factory=dict)
    # Values the loader refused (a non-standard tag): already reported, so schema
    # errors at or under these paths would only repeat the same problem.
    refused_paths: set[PathKey] = field(default_factory=set)
    # Where a scalar was read as a date (the only non-JSON value a spec can hold).
    date_paths: list[PathKey] = field(default_factory=list)

    def mark_for(self, path: PathKey) -> Mark:
        """Best location for ``path``: the value, else its key, else the nearest parent."""
        probe = tuple(path)
        while True:
            if probe in self.value_marks:
                return self.value_marks[probe]
            if probe in self.key_marks:
                return self.key_marks[probe]
            if not probe:
                return Mark(1, 1)
            probe = probe[:-1]

    def key_mark_for(self, path: PathKey) -> Mark:
        return self.key_marks.get(tuple(path)) or self.mark_for(path)


def format_path(path: PathKey) -> str:
    """``("commands", 3, "flags")`` → ``commands[3].flags``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            text = str(part)
            if not text.isprintable():
                text = repr(text)  # never echo control characters from a key to the terminal
            out += f".{text}" if out else text
    return out


class _Constructor(SafeConstructor):
    """Scalar construction with the safe constructor's standard tag set."""


def _mark(node_mark: Any) -> Mark:
    if node_mark is None:
        return Mark(1, 1)
    return Mark(node_mark.line + 1, node_mark.column + 1)


def _diag(file: str, mark: Mark, code: str, message: str, hint: str | None = None, path: str = "") -> Diagnostic:
    return Diagnostic(file, mark.line, mark.col, Severity.ERROR, code, path, message, hint)


class _Stop(Exception):
    """The stream holds something that ends loading at once (an alias, too deep)."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


class _Builder:
    """Plain values from a YAML event stream, recording a mark for every key and value."""

    def __init__(self, file: str, events: Iterator[Event]) -> None:
        self.file = file
        self.events = events
        self.depth = 0
        self.constructor = _Constructor()
        self.resolver = Resolver()
        self.doc = LoadedDocument(file=file, data=None)
        self.diagnostics: list[Diagnostic] = []

    # ---- the event stream, with the checks that apply to every event

    def next(self) -> Event:
        event = next(self.events)
        if isinstance(event, CollectionStartEvent):
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise _Stop(
                    _diag(
                        self.file,
                        _mark(event.start_mark),
                        "yaml-too-deep",
                        f"lists and mappings are nested more than {MAX_DEPTH} levels deep",
                        "a spec needs only a few levels; flatten this value",
                    )
                )
        elif isinstance(event, CollectionEndEvent):
            self.depth -= 1
        if isinstance(event, AliasEvent) or getattr(event, "anchor", None):
            kind, sigil = ("alias", "*") if isinstance(event, AliasEvent) else ("anchor", "&")
            raise _Stop(
                _diag(
                    self.file,
                    _mark(event.start_mark),
                    "yaml-alias",
                    f"YAML {kind} {sigil}{getattr(event, 'anchor', '')} is not allowed in spec files",
                    "anchors and aliases are refused so that a crafted spec cannot expand "
                    "exponentially; write the value out where it is used",
                )
            )
        return event

    def skip(self, event: Event) -> None:
        """Consume the rest of the value that ``event`` starts, building nothing."""
        if not isinstance(event, CollectionStartEvent):
            return
        level = 1
        while level:
            child = self.next()
            if isinstance(child, CollectionStartEvent):
                level += 1
            elif isinstance(child, CollectionEndEvent):
                level -= 1

    # ---- the document

    def stream(self) -> list[Diagnostic] | None:
        """Build the single document. Returns diagnostics that replace all others, if any."""
        self.next()  # stream start
        if isinstance(self.next(), StreamEndEvent):  # else: the first document's start
            return [_diag(self.file, Mark(1, 1), "file-empty", "spec file holds no YAML document")]
        self.doc.data = self.value(self.next(), ())
        extra: Mark | None = None
        self.next()  # document end
        while not isinstance(event := self.next(), StreamEndEvent):
            # Another document (``event`` is its start, at its ``---``). Read it to the
            # end, since an alias or a syntax error in it takes precedence, then report it.
            if extra is None:
                extra = _mark(event.start_mark)
            self.skip(self.next())
            self.next()  # document end
        if extra is not None:
            return [
                _diag(
                    self.file,
                    extra,
                    "yaml-multiple-documents",
                    "a spec file must hold exactly one YAML document",
                    "remove the extra '---' document",
                )
            ]
        return None

    # ---- values

    def value(self, event: Event, path: PathKey) -> Any:
        self.doc.value_marks[path] = _mark(event.start_mark)
        if isinstance(event, ScalarEvent):
            return self.scalar(event, path)
        if isinstance(event, SequenceStartEvent):
            if event.tag not in (None, "!", _SEQ):
                self._bad_tag(event, path)
            items: list[Any] = []
            child = self.next()
            while not isinstance(child, CollectionEndEvent):
                items.append(self.value(child, path + (len(items),)))
                child = self.next()
            return items
        assert isinstance(event, MappingStartEvent)
        return self.mapping(event, path)

    def scalar(self, event: ScalarEvent, path: PathKey) -> Any:
        tag = event.tag
        if tag is None or tag == "!":
            tag = self.resolver.resolve(ScalarNode, event.value, event.implicit)
        if tag == _STR:
            return self._text(event.value, event, path)
        if tag not in _SCALAR_TAGS:
            # ``!!binary`` (bytes), collection tags on a scalar and any local or
            # language tag: nothing in a spec is made of them, and bytes would pass
            # as text and then break every JSON file rendered from the spec.
            self._bad_tag(event, path, tag=tag)
            return None
        node = ScalarNode(tag, event.value, event.start_mark, event.end_mark, style=event.style)  # type: ignore[arg-type]
        try:
            value = self.constructor.construct_object(node, deep=True)
        except ConstructorError as exc:
            self._bad_tag(event, path, str(exc.problem or exc), tag)
            return None
        except (ValueError, TypeError, KeyError, AttributeError, OverflowError) as exc:
            # A standard tag whose text does not fit it, e.g. the date 2026-02-30, an
            # integer beyond Python's digit limit or ``!!bool maybe``. PyYAML raises
            # plain exceptions for these; report the value instead of crashing.
            self._bad_scalar(node, path, exc)
            return None
        if isinstance(value, _dt.date):
            self.doc.date_paths.append(path)
        elif isinstance(value, float) and not math.isfinite(value):
            # JSON has no NaN or infinity: json.dumps would write ``NaN`` into
            # commands.json and the docs, and a timeout of .inf would never end.
            self._bad_scalar(node, path, ValueError("not a finite number"), "write a finite number")
            return None
        return value

    def _text(self, value: str, event: Event, path: PathKey) -> str | None:
        """A string, unless it holds a lone surrogate (from a ``"\\ud800"`` escape).

        Such a string cannot be written to any UTF-8 file, so rendering would fail
        on the first file that quotes it.
        """
        found = None if value.isascii() else _SURROGATE.search(value)
        if found is None:
            return value
        self.doc.refused_paths.add(path)
        code_point = ord(found.group())
        self.diagnostics.append(
            _diag(
                self.file,
                _mark(event.start_mark),
                "yaml-bad-value",
                f"text holds a lone surrogate (U+{code_point:04X}), which no UTF-8 file can hold",
                "remove the \\u escape, or write the character it was meant to be",
                format_path(path),
            )
        )
        return None

    def mapping(self, event: MappingStartEvent, path: PathKey) -> dict[str, Any]:
        if event.tag not in (None, "!", _MAP):
            self._bad_tag(event, path)
        result: dict[str, Any] = {}
        first_seen: dict[str, Mark] = {}
        key_event = self.next()
        while not isinstance(key_event, CollectionEndEvent):
            key_mark = _mark(key_event.start_mark)
            if not isinstance(key_event, ScalarEvent):
                self.diagnostics.append(
                    _diag(
                        self.file,
                        key_mark,
                        "yaml-complex-key",
                        "mapping keys must be plain strings",
                        None,
                        format_path(path),
                    )
                )
                self.skip(key_event)
                self.skip(self.next())
                key_event = self.next()
                continue
            # Only a plain ``<<`` resolves to the merge tag; skip the resolver otherwise.
            tag = key_event.tag
            if tag is None and key_event.value == "<<":
                tag = self.resolver.resolve(ScalarNode, key_event.value, key_event.implicit)
            if tag == _MERGE:
                self.diagnostics.append(
                    _diag(
                        self.file,
                        key_mark,
                        "yaml-merge-key",
                        "merge keys (<<) are not supported in spec files",
                        "write the mapping out in full",
                        format_path(path),
                    )
                )
                self.skip(self.next())
                key_event = self.next()
                continue
            key = str(key_event.value)
            child = path + (key,)
            if self._text(key, key_event, child) is None:
                self.skip(self.next())
                key_event = self.next()
                continue
            if key in first_seen:
                first = first_seen[key]
                self.diagnostics.append(
                    _diag(
                        self.file,
                        key_mark,
                        "yaml-duplicate-key",
                        f"duplicate key {key!r} (first defined at line {first.line}, column {first.col})",
                        "YAML would silently keep only the last value; remove or rename one of them",
                        format_path(child),
                    )
                )
                self.skip(self.next())  # the first value is kept
                key_event = self.next()
                continue
            first_seen[key] = key_mark
            self.doc.key_marks[child] = key_mark
            result[key] = self.value(self.next(), child)
            key_event = self.next()
        return result

    # ---- refusals

    def _bad_scalar(self, node: ScalarNode, path: PathKey, exc: Exception, fix: str | None = None) -> None:
        self.doc.refused_paths.add(path)
        tag = str(node.tag).rsplit(":", 1)[-1]
        kind = {"timestamp": "date", "int": "integer", "float": "number", "bool": "boolean"}.get(tag, tag)
        shown = node.value if len(node.value) <= 40 else node.value[:37] + "..."
        detail = str(exc) if isinstance(exc, (ValueError, OverflowError)) else "not a valid value"
        if len(detail) > 80:
            detail = detail[:77] + "..."
        hint = (
            "write a real calendar date as YYYY-MM-DD" if kind == "date" else "quote the value if it is meant as text"
        )
        if fix:
            hint = f"{fix}, or {hint}"
        self.diagnostics.append(
            _diag(
                self.file,
                _mark(node.start_mark),
                "yaml-bad-value",
                f"{shown!r} cannot be read as a YAML {kind}: {detail}",
                hint,
                format_path(path),
            )
        )

    def _bad_tag(self, event: Event, path: PathKey, detail: str | None = None, tag: str | None = None) -> None:
        self.doc.refused_paths.add(path)
        tag = str(tag or getattr(event, "tag", ""))
        if tag.startswith("tag:yaml.org,2002:"):
            tag = "!!" + tag[len("tag:yaml.org,2002:") :]
        self.diagnostics.append(
            _diag(
                self.file,
                _mark(event.start_mark),
                "yaml-unsafe-tag",
                f"tag {tag} is not allowed; only plain YAML values are accepted",
                "remove the tag; specs hold strings, numbers, booleans, lists and mappings only",
                format_path(path),
            )
        )


def _decode(raw: bytes, file: str) -> tuple[str | None, list[Diagnostic]]:
    # A UTF-8 byte order mark is accepted and dropped. The BOM is stripped here rather
    # than with the "utf-8-sig" codec so that error offsets stay relative to one buffer.
    body = raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = body[: exc.start]
        line = before.count(b"\n") + 1
        # Column in characters, like every other diagnostic: the bytes before the bad
        # one on its line are valid UTF-8 (decoding stopped at the first bad byte).
        col = len(before[before.rfind(b"\n") + 1 :].decode("utf-8")) + 1
        offset = exc.start + len(raw) - len(body)
        return None, [
            _diag(
                file,
                Mark(line, col),
                "file-encoding",
                f"file is not valid UTF-8 (byte 0x{body[exc.start]:02x} at offset {offset})",
                "save the spec as UTF-8",
            )
        ]
    return text, []


def _yaml_error(exc: yaml.YAMLError, file: str, text: str) -> Diagnostic:
    if isinstance(exc, yaml.reader.ReaderError):
        # A character YAML forbids (NUL, most control characters). The reader gives only
        # an offset into the text; turn it into line:col like every other diagnostic.
        before = text[: exc.position]
        line = before.count("\n") + 1
        col = exc.position - (before.rfind("\n") + 1) + 1
        shown = chr(exc.character) if isinstance(exc.character, int) else str(exc.character)
        return _diag(
            file,
            Mark(line, col),
            "yaml-syntax",
            f"invalid YAML: character {shown!r} (U+{ord(shown[:1] or ' '):04X}) is not allowed in YAML",
            "remove it; only tabs, line breaks and printable characters may appear",
        )
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    context_mark = getattr(exc, "context_mark", None)
    hint = None
    if context and context_mark is not None and mark is not None and context_mark.line != mark.line:
        if str(context).startswith(("while parsing a flow", "while scanning a quoted scalar")):
            # An unclosed bracket or quote is noticed only where parsing gives up, often
            # lines later; the opening character is the place to fix, so point there.
            message = f"{context}, {problem} at line {mark.line + 1}, column {mark.column + 1}"
            mark = context_mark
            hint = "close the bracket or quote that opens here"
        else:
            message = f"{context} (from line {context_mark.line + 1}, column {context_mark.column + 1}), {problem}"
    else:
        message = f"{context}, {problem}" if context else str(problem)
    if "'\\t'" in message:
        hint = "use spaces, not tabs; YAML does not allow tabs for indentation"
    elif "mapping values are not allowed here" in message:
        hint = "quote the value if it contains ': ', or check the indentation of this line"
    elif "expected <block end>" in message:
        hint = "check the indentation of this line: it must line up with the keys or items next to it"
    return _diag(file, _mark(mark), "yaml-syntax", f"invalid YAML: {message}", hint)


def _build(text: str, file: str, loader: Any) -> tuple[LoadedDocument | None, list[Diagnostic]]:
    """One pass over the events. Raises :class:`yaml.YAMLError` on a syntax error."""
    builder = _Builder(file, iter(yaml.parse(text, Loader=loader)))
    try:
        replaced = builder.stream()
    except _Stop as stop:
        return None, [stop.diagnostic]
    if replaced is not None:
        return None, replaced
    if builder.doc.data is None:
        # a refused top-level value (``!custom x``) is reported as such, not as "empty"
        return None, builder.diagnostics or [_diag(file, Mark(1, 1), "file-empty", "spec file holds an empty document")]
    return builder.doc, builder.diagnostics


# Characters YAML reads as line breaks besides CR and LF. Written as they are, they break
# a value in two (or end a key) where an editor shows one line, and every line number
# after them disagrees with the editor's; a spec may hold them only as escapes.
_UNICODE_LINE_BREAK = re.compile("[\x85\u2028\u2029]")


def _unicode_line_break(text: str, file: str) -> Diagnostic | None:
    match = _UNICODE_LINE_BREAK.search(text)
    if match is None:
        return None
    before = text[: match.start()]
    line = before.count("\n") + 1
    col = match.start() - (before.rfind("\n") + 1) + 1
    name = {"\x85": "NEXT LINE", "\u2028": "LINE SEPARATOR", "\u2029": "PARAGRAPH SEPARATOR"}[match.group()]
    return _diag(
        file,
        Mark(line, col),
        "text-chars",
        f"U+{ord(match.group()):04X} {name} written as it is: YAML reads it as a line break",
        "remove it; spec text holds plain line breaks only",
    )


def load_text(text: str, file: str) -> tuple[LoadedDocument | None, list[Diagnostic]]:
    if (problem := _unicode_line_break(text, file)) is not None:
        return None, [problem]
    if not text.strip():
        return None, [
            _diag(
                file,
                Mark(1, 1),
                "file-empty",
                "spec file is empty",
                "run `skillpress init` for a minimal spec to start from, or copy one of the examples/",
            )
        ]
    if _FAST_LOADER is not None:
        try:
            return _build(text, file, _FAST_LOADER)
        except Exception:  # noqa: S110 - any failure of the fast path falls back to the pure-Python loader
            pass
    try:
        return _build(text, file, yaml.SafeLoader)
    except yaml.YAMLError as exc:
        return None, [_yaml_error(exc, file, text)]


def _too_large(file: str, size: int | None) -> Diagnostic:
    detail = f"{size} bytes" if size is not None else f"more than {MAX_SPEC_BYTES} bytes"
    return _diag(
        file,
        Mark(1, 1),
        "file-too-large",
        f"spec file is {detail}; the limit is {MAX_SPEC_BYTES} bytes ({MAX_SPEC_BYTES // 2**20} MiB)",
        "split long prose into referenced files or trim the spec",
    )


def load_bytes(raw: bytes, file: str, size: int | None = None) -> tuple[LoadedDocument | None, list[Diagnostic]]:
    """Load spec bytes read with ``read_capped`` or ``read_spec_bytes`` (``size``: the file's)."""
    if (size or 0) > MAX_SPEC_BYTES or len(raw) > MAX_SPEC_BYTES:
        return None, [_too_large(file, size if size is not None and size > MAX_SPEC_BYTES else None)]
    text, problems = _decode(raw, file)
    if text is None:
        return None, problems
    return load_text(text, file)


def load_file(path: Path, display: str | None = None) -> tuple[LoadedDocument | None, list[Diagnostic]]:
    """Load a spec file. Returns the document (or None) and any diagnostics.

    Raises :class:`OSError` only when the file cannot be read at all (including
    :class:`NotRegularFileError`); callers turn that into a "could not run" exit.
    """
    raw, size = read_spec_bytes(path)
    return load_bytes(raw, display or str(path), size)
