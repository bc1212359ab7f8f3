"""A draft spec under construction, written out as commented YAML that validates.

Both importers build the same thing: a plain spec dict whose values may carry a
comment (:class:`Noted`), plus what they found and what a person still has to do. This
module turns that into text, checks it with the spec's own loader and rules, repairs
what an import cannot be sure of (an example that does not fit the command it
illustrates is dropped; a carried-over sentence a rule refuses becomes a ``TODO``), and
writes it atomically without replacing a file unless asked.

What could not be inferred is written as a value starting with ``TODO:`` (the `todo`
rule reports each one as a located warning); prose carried over from the product's own
files is preceded by a ``# review:`` comment naming where it came from.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from skillpress.diagnostics import Diagnostic, Severity, SkillpressError
from skillpress.importers.names import one_line
from skillpress.spec.loader import format_path

TODO = "TODO:"


@dataclass(frozen=True)
class Noted:
    """A value with a comment written on the line(s) before it."""

    value: Any
    comment: str


def todo(text: str) -> str:
    """A value a person has to write (the `todo` rule warns about it until they do)."""
    return f"{TODO} {text}"


def review(value: Any, where: str) -> Noted:
    """The product's own text, carried over verbatim for its maintainer to review."""
    return Noted(value, f"review: the product's own words, from {where}")


class ProseReview:
    """Carries the product's own passages over for review, counting them (an importer's
    summary reports the count)."""

    reviewed: int

    def prose(self, text: Any, where: str, *, line: bool = True) -> Any:
        """``text`` on one line (or as it is, trimmed, when ``line`` is false) with a review
        note naming ``where`` it came from; ``None`` for no text."""
        if not isinstance(text, str) or not text.strip():
            return None
        self.reviewed += 1
        value = one_line(text) if line else text.strip() + ("\n" if "\n" in text.strip() else "")
        return review(value, where)


def plain(value: Any) -> Any:
    """``value`` without comments (for looking at what a draft holds)."""
    if isinstance(value, Noted):
        return plain(value.value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


# --------------------------------------------------------------------------- YAML text


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        text = json.dumps(value)
        mantissa, e, exponent = text.partition("e")
        # YAML 1.1 reads a float only with a dot in it (5e-324 would read back as text)
        return (mantissa if "." in mantissa else mantissa + ".0") + (e + exponent if e else "")
    text = str(value)
    if text and "\n" not in text and text.isprintable() and _plain_in_yaml(text):
        return text
    return _quoted(text)


def _quoted(text: str) -> str:
    """A double-quoted scalar: JSON's escapes, plus escapes for what YAML may not hold as it is
    (DEL, C1 controls, line and paragraph separators, unassigned and private characters)."""
    return "".join(
        ch if ch.isprintable() or ch in '\\"' else (f"\\u{ord(ch):04x}" if ord(ch) <= 0xFFFF else f"\\U{ord(ch):08x}")
        for ch in json.dumps(text, ensure_ascii=False)
    )


def _plain_in_yaml(text: str) -> bool:
    """PyYAML's own emitter writes ``text`` unquoted (so it reads back as the same string)."""
    dumped = yaml.safe_dump(text, width=10**9, allow_unicode=True)
    first = dumped.split("\n", 1)[0]
    return first == text


def _block(text: str, indent: str) -> str | None:
    """A literal block for multi-line text, when it reads back exactly."""
    if "\n" not in text.rstrip("\n") or text.startswith((" ", "\n")) or "\t" in text or "\r" in text:
        return None
    if any(line != line.rstrip() for line in text.split("\n")) or (
        not text.isprintable() and not _printable_lines(text)
    ):
        return None
    body = text[:-1] if text.endswith("\n") else text
    if body.endswith("\n"):
        return None
    chomp = "|" if text.endswith("\n") else "|-"
    lines = [f"{indent}  {line}" if line else "" for line in body.split("\n")]
    return chomp + "\n" + "\n".join(lines)


def _printable_lines(text: str) -> bool:
    return all(line.isprintable() for line in text.split("\n"))


def _comment(comment: str, indent: str) -> list[str]:
    lines = []
    for line in comment.splitlines() or [""]:
        clean = "".join(ch if ch.isprintable() else " " for ch in line).rstrip()
        lines.append(f"{indent}# {clean}".rstrip())
    return lines


def _is_scalar(value: Any) -> bool:
    return not isinstance(value, (dict, list))


def _emit(value: Any, indent: str, out: list[str], lead: str) -> None:
    """Write ``value`` (a mapping or a list) as block YAML; ``lead`` goes before its first line."""
    if isinstance(value, dict):
        first = True
        for key, item in value.items():
            comment = None
            if isinstance(item, Noted):
                comment, item = item.comment, item.value
            prefix = lead if first else indent
            if comment is not None:
                if first and lead != indent:
                    out.append(lead.rstrip())  # the list item's "-" alone on its line, then the comment
                    prefix = indent
                out.extend(_comment(comment, indent))
            first = False
            _entry(f"{prefix}{_scalar(key)}:", item, indent, out)
    else:
        for i, item in enumerate(value):
            prefix = lead if i == 0 else indent
            comment = None
            if isinstance(item, Noted):
                comment, item = item.comment, item.value
            if comment is not None:
                if prefix != indent:
                    out.append(prefix.rstrip())
                    prefix = indent
                out.extend(_comment(comment, indent))
            if _is_scalar(item) or not item:
                _entry(f"{prefix}-", item, indent, out)
            else:
                _emit(item, indent + "  ", out, prefix + "- ")


def _entry(head: str, item: Any, indent: str, out: list[str]) -> None:
    if isinstance(item, dict) and item:
        out.append(head)
        _emit(item, indent + "  ", out, indent + "  ")
    elif isinstance(item, list) and item:
        if all(_is_scalar(v) and not isinstance(v, Noted) for v in item) and len(item) <= 12:
            flow = "[" + ", ".join(_flow(v) for v in item) + "]"
            if len(head) + len(flow) < 110:
                out.append(f"{head} {flow}")
                return
        out.append(head)
        _emit(item, indent + "  ", out, indent + "  ")
    elif isinstance(item, dict):
        out.append(f"{head} {{}}")
    elif isinstance(item, list):
        out.append(f"{head} []")
    elif isinstance(item, str) and (block := _block(item, indent)) is not None:
        out.append(f"{head} {block}")
    else:
        out.append(f"{head} {_scalar(item)}")


# What may stand unquoted inside [...]: a word, a number or a flag (flow context has more indicators).
_FLOW_PLAIN = re.compile(r"(?:[A-Za-z0-9_]|-(?=[A-Za-z0-9_-]))[A-Za-z0-9_./@+=-]*")


def _flow(value: Any) -> str:
    if not isinstance(value, str):
        return _scalar(value)
    if _FLOW_PLAIN.fullmatch(value) and _plain_in_yaml(value):
        return value
    return _quoted(value)


def to_yaml(data: dict[str, Any], header: str) -> str:
    out = _comment(header, "")
    _emit(data, "", out, "")
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------- the draft


@dataclass
class Draft:
    """What an importer made: the spec data, what it found, and what needs a person."""

    data: dict[str, Any]
    source: str
    header: str
    found: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    """Things the importer decided or left out, in plain words (printed in the summary)."""


@dataclass
class Finished:
    text: str
    warnings: list[Diagnostic]
    repairs: list[str]


class ImportFailed(SkillpressError):
    """The input cannot be imported; ``diagnostics`` say where (exit 1)."""

    def __init__(self, message: str, diagnostics: list[Diagnostic]) -> None:
        super().__init__(message)
        self.diagnostics = diagnostics


def _paths(value: Any, path: tuple[str | int, ...] = ()) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    yield path, value
    inner = value.value if isinstance(value, Noted) else value
    if isinstance(inner, dict):
        for key, item in inner.items():
            yield from _paths(item, path + (key,))
    elif isinstance(inner, list):
        for i, item in enumerate(inner):
            yield from _paths(item, path + (i,))


def _container(data: Any, path: tuple[str | int, ...]) -> Any:
    node = data
    for part in path:
        node = node.value if isinstance(node, Noted) else node
        node = node[part]
    return node.value if isinstance(node, Noted) else node


_DROPPABLE = (
    (("commands", int, "examples", int), "example"),
    (("endpoints", int, "response", "example"), "response example"),
    (("first_run", int), "first-run step"),
)


def _droppable(path: tuple[str | int, ...]) -> tuple[tuple[str | int, ...], str] | None:
    for shape, what in _DROPPABLE:
        if len(path) >= len(shape) and all(
            (isinstance(p, int) if s is int else p == s) for p, s in zip(path, shape, strict=False)
        ):
            return path[: len(shape)], what
    return None


def finish(draft: Draft, file: str, base_dir: Path | None = None) -> Finished:
    """Validate the draft; repair what an import may repair; return the text and its warnings."""
    from skillpress.spec import load_spec_text

    repairs: list[str] = []
    for _ in range(20):
        text = to_yaml(draft.data, draft.header)
        result = load_spec_text(text, file, base_dir)
        errors = [d for d in result.diagnostics if d.severity is Severity.ERROR]
        if not errors:
            warnings = [d for d in result.diagnostics if d.severity is Severity.WARNING]
            return Finished(text, warnings, repairs)
        if not _repair(draft, errors, repairs):
            raise ImportFailed("the draft does not validate (an importer bug: please report it)", errors)
    raise ImportFailed("the draft does not validate after repairs (an importer bug: please report it)", errors)


def _repair(draft: Draft, errors: list[Diagnostic], repairs: list[str]) -> bool:
    by_text = {format_path(path): path for path, _ in _paths(draft.data)}
    drops: dict[tuple[str | int, ...], str] = {}
    changed = False
    for error in errors:
        path = by_text.get(error.path)
        if path is None:
            continue
        dropped = _droppable(path)
        if dropped is not None:
            where, what = dropped
            drops.setdefault(where, f"dropped {what} {format_path(where)}: {error.message}")
            continue
        parent: Any = _container(draft.data, path[:-1]) if path else None
        current = parent[path[-1]] if parent is not None else None
        original = current.value if isinstance(current, Noted) else current
        if isinstance(original, str) and not original.startswith(TODO):
            first = original.strip().splitlines()[0][:200]
            parent[path[-1]] = Noted(
                todo(f"rewrite this; the imported text broke the `{error.code}` rule"),
                f"original: {first}",
            )
            repairs.append(f"replaced {error.path} with a TODO: {error.message}")
            changed = True
    for where in sorted(drops, reverse=True):
        holder: Any = _container(draft.data, where[:-1])
        del holder[where[-1]]
        repairs.append(drops[where])
        changed = True
    return changed


# --------------------------------------------------------------------------- writing


def write_new(path: Path, text: str, *, force: bool) -> None:
    """Write ``text`` to ``path`` atomically; refuse to replace a file unless ``force``."""
    path = Path(path)
    if path.exists() and not force:
        raise SkillpressError(f"{path} exists; pass --force to replace it")
    if path.is_dir():
        raise SkillpressError(f"{path} is a directory")
    folder = path.parent if str(path.parent) else Path(".")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise SkillpressError(f"cannot write {path}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(text.encode("utf-8"))
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        if force:
            os.replace(tmp, path)
        else:
            try:
                os.link(tmp, path)  # fails if the file appeared meanwhile: never clobber
            except FileExistsError:
                raise SkillpressError(f"{path} exists; pass --force to replace it") from None
            os.unlink(tmp)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def summary(draft: Draft, finished: Finished, out: str) -> str:
    """What was found and what needs a person, for stderr."""
    lines = [f"Imported {draft.source} into {out}"]
    found = ", ".join(f"{n} {what}" for what, n in draft.found.items() if n)
    lines.append(f"  found: {found or 'nothing structured'}")
    todos = [d for d in finished.warnings if d.code == "todo"]
    others = [d for d in finished.warnings if d.code != "todo"]
    lines.append(
        f"  needs a person: {len(todos)} TODO marker(s){f', {len(others)} other warning(s)' if others else ''}"
    )
    for diag in todos:
        lines.append(f"    {out}:{diag.line}:{diag.col} {diag.path}: {diag.message}")
    commented = [
        (n, line.strip()[2:])
        for n, line in enumerate(finished.text.splitlines(), 1)
        if line.strip().startswith("# TODO")
    ]
    if commented:
        lines.append(f"  and {len(commented)} TODO comment(s) on values that cannot hold a marker:")
        lines += [f"    {out}:{n}: {text}" for n, text in commented]
    for note in draft.notes + finished.repairs:
        lines.append(f"  note: {note}")
    reviewed = draft.found.get("prose passages for review", 0)
    if reviewed:
        lines.append(f"  review: {reviewed} passage(s) of the product's own text are marked `# review:`")
    lines.append(f"Next: edit {out}, then `skillpress validate {out}` and `skillpress build {out}`.")
    # names from the input reach the terminal: escape what could restyle it
    return "\n".join("".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in line) for line in lines) + "\n"
