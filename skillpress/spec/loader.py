"""Safe YAML loading that remembers where every value came from.

PyYAML's safe loader is used for scanning and parsing only; we build plain Python
values ourselves from the composed node tree so that:

* every mapping key and value keeps its ``line:col`` (1-based) in a side table;
* a duplicate mapping key is an error (PyYAML would silently keep the last one);
* anchors and aliases are refused before composition, so an alias bomb
  ("billion laughs") fails at its first alias instead of expanding;
* only the standard YAML tags are accepted (no ``!!python/...`` objects);
* empty, non-UTF-8 and oversized files get one clear diagnostic each.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from skillpress.diagnostics import Diagnostic, Severity

MAX_SPEC_BYTES = 5 * 1024 * 1024

PathKey = tuple[str | int, ...]


@dataclass(frozen=True)
class Mark:
    line: int
    col: int


@dataclass
class LoadedDocument:
    """Plain data plus the location of every value and key in the source."""

    file: str
    data: Any
    value_marks: dict[PathKey, Mark] = field(default_factory=dict)
    key_marks: dict[PathKey, Mark] = field(default_factory=dict)

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
            out += f".{part}" if out else str(part)
    return out


class _Constructor(SafeConstructor):
    """Scalar construction with the safe constructor's standard tag set."""


def _mark(node_mark: yaml.Mark | None) -> Mark:
    if node_mark is None:
        return Mark(1, 1)
    return Mark(node_mark.line + 1, node_mark.column + 1)


def _diag(file: str, mark: Mark, code: str, message: str, hint: str | None = None, path: str = "") -> Diagnostic:
    return Diagnostic(file, mark.line, mark.col, Severity.ERROR, code, path, message, hint)


class _Builder:
    def __init__(self, file: str) -> None:
        self.file = file
        self.constructor = _Constructor()
        self.doc = LoadedDocument(file=file, data=None)
        self.diagnostics: list[Diagnostic] = []

    def build(self, node: Node, path: PathKey) -> Any:
        self.doc.value_marks[path] = _mark(node.start_mark)
        if isinstance(node, MappingNode):
            return self._mapping(node, path)
        if isinstance(node, SequenceNode):
            if node.tag != "tag:yaml.org,2002:seq":
                self._bad_tag(node, path)
            return [self.build(child, path + (i,)) for i, child in enumerate(node.value)]
        assert isinstance(node, ScalarNode)
        try:
            return self.constructor.construct_object(node, deep=True)
        except ConstructorError as exc:
            self._bad_tag(node, path, str(exc.problem or exc))
            return None

    def _bad_tag(self, node: Node, path: PathKey, detail: str | None = None) -> None:
        self.diagnostics.append(
            _diag(
                self.file,
                _mark(node.start_mark),
                "yaml-unsafe-tag",
                f"tag {node.tag!r} is not allowed; only plain YAML values are accepted",
                "remove the tag; specs hold strings, numbers, booleans, lists and mappings only",
                format_path(path),
            )
        )

    def _mapping(self, node: MappingNode, path: PathKey) -> dict[str, Any]:
        if node.tag != "tag:yaml.org,2002:map":
            self._bad_tag(node, path)
        result: dict[str, Any] = {}
        first_seen: dict[str, Mark] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                self.diagnostics.append(
                    _diag(self.file, _mark(key_node.start_mark), "yaml-merge-key",
                          "merge keys (<<) are not supported in spec files",
                          "write the mapping out in full", format_path(path))
                )
                continue
            if not isinstance(key_node, ScalarNode):
                self.diagnostics.append(
                    _diag(self.file, _mark(key_node.start_mark), "yaml-complex-key",
                          "mapping keys must be plain strings", None, format_path(path))
                )
                continue
            key = str(key_node.value)
            key_mark = _mark(key_node.start_mark)
            child = path + (key,)
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
                continue
            first_seen[key] = key_mark
            self.doc.key_marks[child] = key_mark
            result[key] = self.build(value_node, child)
        return result


def _decode(raw: bytes, file: str) -> tuple[str | None, list[Diagnostic]]:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        col = len(before) - (before.rfind(b"\n") + 1) + 1
        return None, [
            _diag(file, Mark(line, col), "file-encoding",
                  f"file is not valid UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start})",
                  "save the spec as UTF-8")
        ]
    return text, []


def _refuse_aliases(text: str, file: str) -> list[Diagnostic]:
    """Scan events (cheap, no expansion) and refuse the first anchor or alias."""
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            anchor = getattr(event, "anchor", None)
            if isinstance(event, yaml.AliasEvent) or anchor:
                kind = "alias" if isinstance(event, yaml.AliasEvent) else "anchor"
                return [
                    _diag(file, _mark(event.start_mark), "yaml-alias",
                          f"YAML {kind} {'*' if kind == 'alias' else '&'}{anchor} is not allowed in spec files",
                          "anchors and aliases are refused so that a crafted spec cannot expand "
                          "exponentially; write the value out where it is used")
                ]
    except yaml.YAMLError:
        return []  # reported with a location by the full parse below
    return []


def _yaml_error(exc: yaml.YAMLError, file: str) -> Diagnostic:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    message = f"{context}, {problem}" if context else str(problem)
    hint = None
    if "\\t" in message or "'\\t'" in message or "tab" in message:
        hint = "indent with spaces; YAML does not allow tabs for indentation"
    return _diag(file, _mark(mark), "yaml-syntax", f"invalid YAML: {message}", hint)


def load_text(text: str, file: str) -> tuple[LoadedDocument | None, list[Diagnostic]]:
    if not text.strip():
        return None, [_diag(file, Mark(1, 1), "file-empty", "spec file is empty",
                            "start from source/image-skill.yaml or the format reference in the README")]
    refused = _refuse_aliases(text, file)
    if refused:
        return None, refused
    try:
        nodes = list(yaml.compose_all(text, Loader=yaml.SafeLoader))
    except yaml.YAMLError as exc:
        return None, [_yaml_error(exc, file)]
    nodes = [n for n in nodes if n is not None]
    if not nodes:
        return None, [_diag(file, Mark(1, 1), "file-empty", "spec file holds no YAML document")]
    if len(nodes) > 1:
        return None, [_diag(file, _mark(nodes[1].start_mark), "yaml-multiple-documents",
                            "a spec file must hold exactly one YAML document",
                            "remove the extra '---' document")]
    builder = _Builder(file)
    builder.doc.data = builder.build(nodes[0], ())
    if builder.doc.data is None:
        return None, [_diag(file, Mark(1, 1), "file-empty", "spec file holds an empty document")]
    return builder.doc, builder.diagnostics


def load_file(path: Path, display: str | None = None) -> tuple[LoadedDocument | None, list[Diagnostic]]:
    """Load a spec file. Returns the document (or None) and any diagnostics.

    Raises :class:`OSError` only when the file cannot be read at all; callers turn
    that into a "could not run" exit.
    """
    file = display or str(path)
    size = path.stat().st_size
    if size > MAX_SPEC_BYTES:
        return None, [_diag(file, Mark(1, 1), "file-too-large",
                            f"spec file is {size} bytes; the limit is {MAX_SPEC_BYTES} bytes (5 MiB)",
                            "split long prose into referenced files or trim the spec")]
    raw = path.read_bytes()
    text, problems = _decode(raw, file)
    if text is None:
        return None, problems
    return load_text(text, file)
