"""Compare the rendered tree with the disk, and apply the difference.

The comparison is the drift check (``skillpress check``) and the plan that
``skillpress build`` carries out, so both always agree on what is out of date.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from skillpress.output.write import write_atomic
from skillpress.project import OWNED_DIRS, walk_files

__all__ = ["OWNED_DIRS", "Action", "Change", "Plan", "apply_plan", "make_plan"]


class Action(str, Enum):
    create = "create"
    update = "update"
    delete = "delete"
    identical = "identical"


@dataclass(frozen=True)
class Change:
    path: str
    action: Action
    current: bytes | None = None
    expected: bytes | None = None

    def diff(self) -> str:
        """Unified diff from what is on disk (current) to what the spec gives (expected)."""
        current = _lines(self.current)
        expected = _lines(self.expected)
        return "".join(
            difflib.unified_diff(current, expected, fromfile=f"{self.path} (current)", tofile=f"{self.path} (expected)")
        )


def _lines(data: bytes | None) -> list[str]:
    if data is None:
        return []
    text = data.decode("utf-8", errors="replace")
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n\\ No newline at end of file\n"
    return lines


@dataclass
class Plan:
    root: Path
    changes: list[Change] = field(default_factory=list)
    #: Files in an owned folder that skillpress did not write: a build keeps them.
    foreign: list[str] = field(default_factory=list)

    @property
    def pending(self) -> list[Change]:
        return [c for c in self.changes if c.action is not Action.identical]

    @property
    def clean(self) -> bool:
        return not self.pending


def _owned_files(root: Path, owned_dirs: tuple[str, ...]) -> set[str]:
    return {path.relative_to(root).as_posix() for name in owned_dirs for path in walk_files(root / name)}


def make_plan(
    root: Path, files: dict[str, bytes], owned_dirs: tuple[str, ...], *, owned: set[str] | None = None
) -> Plan:
    """What it takes to make ``root`` hold exactly ``files``.

    A file found in an owned folder that the render does not produce is stale. The drift
    check (``owned`` is None) reports every such file. A build passes ``owned``, the files
    its previous run recorded, and deletes only those: anything else is someone's own
    file, listed in ``Plan.foreign`` and left alone.
    """
    plan = Plan(root=root)
    for path in sorted(files):
        target = root / path
        expected = files[path]
        if not target.is_file():
            plan.changes.append(Change(path, Action.create, None, expected))
            continue
        current = target.read_bytes()
        action = Action.identical if current == expected else Action.update
        plan.changes.append(Change(path, action, current, expected))
    stale = _owned_files(root, owned_dirs) - set(files)
    if owned is not None:
        plan.foreign = sorted(stale - owned)
        stale = (stale & owned) | {p for p in owned - set(files) if (root / p).is_file()}
    for path in sorted(stale):
        plan.changes.append(Change(path, Action.delete, (root / path).read_bytes(), None))
    return plan


def apply_plan(plan: Plan, *, staging: Path | None = None) -> None:
    """Write created and updated files atomically, then delete stale owned files.

    Temp files are written in ``staging`` (on the same file system) and renamed into
    place, so a killed build never leaves a temp file inside an owned folder.
    """
    for change in plan.pending:
        target = plan.root / change.path
        if change.action is Action.delete:
            target.unlink(missing_ok=True)
            _prune_empty_parents(target.parent, plan.root)
        else:
            assert change.expected is not None
            write_atomic(target, change.expected, staging=staging)


def _prune_empty_parents(folder: Path, root: Path) -> None:
    root = root.resolve()
    folder = folder.resolve()
    while folder != root and root in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent
