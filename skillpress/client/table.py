"""Load the bundled command table and wrap it in light records for the argv parser.

The table is JSON written at build time by ``skillpress.client_table``. It is read once
per process. ``SKILLPRESS_CLIENT_TABLE`` may name another table file (tests use it to run
the client against any spec, e.g. the minimal test spec).
"""

from __future__ import annotations

import json
import os

TYPE_CHECKING = False  # ``typing`` is not imported at run time: it is slow to import
if TYPE_CHECKING:
    from typing import Any

BUNDLE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "bundle")
TABLE_ENV = "SKILLPRESS_CLIENT_TABLE"


class FlagRec:
    """Duck-types ``skillpress.spec.model.Flag`` for ``argv.parse``."""

    __slots__ = (
        "all_names",
        "choices",
        "default",
        "field",
        "local",
        "name",
        "repeatable",
        "required",
        "secret",
        "summary",
        "target",
        "type",
        "value_name",
    )

    def __init__(self, raw: dict[str, Any]) -> None:
        self.name: str = raw["name"]
        self.all_names: list[str] = [self.name, *raw.get("aliases", ()), *raw.get("compatibility_aliases", ())]
        self.type: str = raw.get("type", "string")
        self.choices: list[str] = list(raw.get("choices") or ())
        self.repeatable: bool = bool(raw.get("repeatable"))
        self.required: bool = bool(raw.get("required"))
        self.default: Any = raw.get("default")
        self.local: bool = bool(raw.get("local"))
        self.field: str | None = raw.get("field")
        self.target: str | None = raw.get("target")
        self.summary: str = raw.get("summary", "")
        self.value_name: str | None = raw.get("value_name")
        self.secret: bool = bool(raw.get("secret"))


class ArgRec:
    __slots__ = ("field", "flag", "name", "required", "summary", "target", "type")

    def __init__(self, raw: dict[str, Any]) -> None:
        self.name: str = raw["name"]
        self.type: str = raw.get("type", "string")
        self.required: bool = bool(raw.get("required", True))
        self.flag: str | None = raw.get("flag")
        self.field: str | None = raw.get("field")
        self.target: str | None = raw.get("target")
        self.summary: str = raw.get("summary", "")


class CommandRec:
    """Duck-types ``skillpress.spec.model.Command`` for ``argv.parse``."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self.raw = raw
        self.id: str = raw["id"]
        self.path: str = raw["path"]
        self.summary: str = raw.get("summary", "")
        self.aliases: list[str] = list(raw.get("aliases") or ())
        self.hidden: bool = bool(raw.get("hidden"))
        self.surface: str = raw.get("surface", "hosted")
        self.auth: str = raw.get("auth", "none")
        self.behavior: str | None = raw.get("behavior")
        self.endpoint: dict[str, Any] | None = raw.get("endpoint")
        self.flags: list[FlagRec] = [FlagRec(f) for f in raw.get("flags") or ()]
        self.arguments: list[ArgRec] = [ArgRec(a) for a in raw.get("arguments") or ()]
        self.one_of: list[list[str]] = [list(g) for g in raw.get("one_of") or ()]
        self.exit_codes: list[int] = list(raw.get("exit_codes") or ())
        self.errors: list[str] = list(raw.get("errors") or ())

    def flag(self, name: str) -> FlagRec | None:
        for flag in self.flags:
            if name in flag.all_names:
                return flag
        return None


class Table:
    def __init__(self, raw: dict[str, Any]) -> None:
        self.raw = raw
        self.product: dict[str, Any] = raw["product"]
        self.urls: dict[str, str] = raw.get("urls") or {}
        self.env: dict[str, Any] = raw.get("env") or {}
        self.client: dict[str, Any] = raw.get("client") or {}
        self.global_flags: list[FlagRec] = [FlagRec(f) for f in raw.get("global_flags") or ()]
        self.commands: list[CommandRec] = [CommandRec(c) for c in raw.get("commands") or ()]
        self.error_codes: dict[str, dict[str, Any]] = raw.get("error_codes") or {}
        self.exit_codes: set[int] = {e["code"] for e in raw.get("exit_codes") or ()}
        self.by_path: dict[str, CommandRec] = {}
        for command in self.commands:
            self.by_path.setdefault(command.path, command)
            for alias in command.aliases:
                self.by_path.setdefault(alias, command)

    @property
    def cli_name(self) -> str:
        return str(self.product.get("cli_name") or self.product.get("id") or "client")

    @property
    def version(self) -> str:
        return str(self.product.get("version", "0"))

    def global_flag(self, name: str) -> FlagRec | None:
        for flag in self.global_flags:
            if name in flag.all_names:
                return flag
        return None

    def by_behavior(self, behavior: str) -> CommandRec | None:
        for command in self.commands:
            if command.behavior == behavior:
                return command
        return None

    def resolve(self, argv: list[str]) -> tuple[CommandRec | None, int]:
        """Longest command path (or alias) prefixing ``argv``; the command and its word count."""
        words: list[str] = []
        best: tuple[CommandRec | None, int] = (None, 0)
        for token in argv:
            if token.startswith("-"):
                break
            words.append(token)
            found = self.by_path.get(" ".join(words))
            if found is not None:
                best = (found, len(words))
        return best

    def docs_anchor(self, command: CommandRec | None) -> str | None:
        cli = self.urls.get("cli")
        if not cli:
            return None
        return f"{cli}#{command.id}" if command is not None else cli


def table_path() -> str:
    """The command table: ``SKILLPRESS_CLIENT_TABLE`` (set by ``skillpress client run`` and the
    tests), else ``bundle/table.json`` inside the product's published package."""
    override = os.environ.get(TABLE_ENV)
    return override if override else os.path.join(BUNDLE_DIR, "table.json")


def bundle_dir() -> str:
    """The folder holding the table and the bundled SKILL.md (they always travel together)."""
    return os.path.dirname(os.path.abspath(table_path()))


def load() -> Table:
    with open(table_path(), "rb") as handle:
        return Table(json.loads(handle.read()))
