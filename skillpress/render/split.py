"""Size budgets, and splitting a reference that would pass its budget into an index and parts.

Agents and installers read generated files whole, so every generated text file stays
under ``TEXT_MAX_CHARS`` characters and a skill file under ``SKILL_MAX_LINES`` lines and
about ``SKILL_MAX_TOKENS`` tokens. A spec too big for one file is never refused for it:

- a command reference (cli.md, llms-full.txt, commands.json, the site's commands and
  HTTP API pages) that would pass the budget becomes an *index* that links *parts*, one
  per command group (the first word of the command path: ``images``), or per finer group
  (``images upload``) when a group alone is too big. A part is named after its group's
  words joined by hyphens and sits in a folder named after the document
  (``cli.md`` -> ``cli/images.md``, ``commands.json`` -> ``commands/images.json``);
- a skill file lists the commands of a long section as links instead of repeating each,
  then links the command groups alone when even that is too long.

A spec that fits gives exactly the files it gave before splitting existed. What still
does not fit (one command whose section alone passes the budget, an index with thousands
of groups, a skill whose own prose is too long) is reported at its place in the spec,
by ``validate`` as well as by ``build`` and ``check``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

SKILL_MAX_LINES = 500
SKILL_MAX_TOKENS = 5000
TEXT_MAX_CHARS = 50_000

T = TypeVar("T")


def estimate_tokens(text: str) -> int:
    """Rough token count (about four characters a token), used for size budgets."""
    return (len(text) + 3) // 4


def fits_text(text: str) -> bool:
    return len(text) < TEXT_MAX_CHARS


def fits_skill(text: str) -> bool:
    """A skill file's budgets: characters, lines and tokens."""
    return fits_text(text) and text.count("\n") <= SKILL_MAX_LINES and estimate_tokens(text) <= SKILL_MAX_TOKENS


@dataclass
class Part(Generic[T]):
    """One part of a split document: the items of one command group."""

    name: str
    """File stem: the group's words joined by hyphens (made unique)."""
    prefix: tuple[str, ...]
    """The command-path words every item of the part starts with."""
    items: list[T] = field(default_factory=list)

    @property
    def label(self) -> str:
        return " ".join(self.prefix)


@dataclass(frozen=True)
class PartLink:
    """A link from an index (or a skill) to one part of a split document."""

    label: str
    href: str
    count: int


def _groups(
    items: Sequence[T], words: Callable[[T], Sequence[str]], depth: int
) -> list[tuple[tuple[str, ...], list[T]]]:
    """Items grouped by their first ``depth`` words, groups in order of first appearance."""
    found: dict[tuple[str, ...], list[T]] = {}
    for item in items:
        found.setdefault(tuple(words(item)[:depth]), []).append(item)
    return list(found.items())


def partition(
    items: Sequence[T],
    words: Callable[[T], Sequence[str]],
    fits: Callable[[tuple[str, ...], list[T]], bool],
) -> tuple[list[Part[T]], list[Part[T]]]:
    """Split ``items`` into parts by command group, each small enough for ``fits``.

    A group is the items sharing the first word; a group that does not fit is split by
    its first two words, and so on. Returns ``(parts, too_big)``: every part in order of
    first appearance, and those that still do not fit because they cannot be split
    further (one command, or items that share all their words).
    """
    parts: list[Part[T]] = []
    too_big: list[Part[T]] = []

    def place(prefix: tuple[str, ...], group: list[T], depth: int) -> None:
        if fits(prefix, group):
            parts.append(Part("", prefix, group))
            return
        longest = max(len(words(item)) for item in group)
        deeper = depth + 1
        while deeper <= longest:
            subgroups = _groups(group, words, deeper)
            if len(subgroups) > 1:
                for sub_prefix, sub in subgroups:
                    place(sub_prefix, sub, deeper)
                return
            deeper += 1
        part = Part("", prefix, group)
        parts.append(part)
        too_big.append(part)

    for prefix, group in _groups(items, words, 1):
        place(prefix, group, 1)
    taken: set[str] = set()
    for part in parts:
        base = "-".join(part.prefix) or "other"
        name, n = base, 1
        while name in taken:
            n += 1
            name = f"{base}-{n}"
        taken.add(name)
        part.name = name
    return parts, too_big


def remembered(render: Callable[[tuple[str, ...], list[T]], str]) -> Callable[[tuple[str, ...], list[T]], str]:
    """``render`` of a part, kept: ``partition`` measures a part, then the caller writes it."""
    memo: dict[tuple[tuple[str, ...], tuple[int, ...]], str] = {}

    def get(prefix: tuple[str, ...], items: list[T]) -> str:
        key = (prefix, tuple(id(item) for item in items))
        if key not in memo:
            memo[key] = render(prefix, items)
        return memo[key]

    return get


def part_note(part: Part[Any]) -> str:
    """Why ``part`` is over its budget although the document was split."""
    if len(part.items) == 1:
        return f"the section of command '{part.label}' alone is that long, even in a file of its own"
    return f"the commands '{part.label}' cannot be split further"


def part_path(document: str, name: str) -> str:
    """Path of a part next to its index: ``cli.md`` -> ``cli/<name>.md`` (same folder)."""
    folder, _, file = document.rpartition("/")
    stem, dot, ext = file.rpartition(".")
    if not dot:
        stem, ext = file, ""
    where = f"{stem}/{name}{dot}{ext}"
    return f"{folder}/{where}" if folder else where


def part_url(index_url: str, document: str, name: str) -> str:
    """URL of a part of ``document`` (an agent file name such as ``cli.md``) whose index is
    served at ``index_url``: the part's folder sits next to the index, whatever the
    index's own file name."""
    return index_url.rsplit("/", 1)[0] + "/" + part_path(document, name)


__all__ = [
    "SKILL_MAX_LINES",
    "SKILL_MAX_TOKENS",
    "TEXT_MAX_CHARS",
    "Part",
    "PartLink",
    "estimate_tokens",
    "fits_skill",
    "fits_text",
    "part_note",
    "part_path",
    "part_url",
    "partition",
    "remembered",
]
