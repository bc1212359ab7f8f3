"""Compare the rendered tree with the disk, and apply the difference.

The comparison is the drift check (``skillpress check``) and the plan that
``skillpress build`` carries out, so both always agree on what is out of date.
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from skillpress.output.write import write_atomic

#: Folders whose every file is generated: anything else found there is drift.
OWNED_DIRS = ("skills", "site")


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

    @property
    def pending(self) -> list[Change]:
        return [c for c in self.changes if c.action is not Action.identical]

    @property
    def clean(self) -> bool:
        return not self.pending


def _owned_files(root: Path, owned_dirs: tuple[str, ...]) -> set[str]:
    found: set[str] = set()
    for name in owned_dirs:
        base = root / name
        if not base.is_dir():
            continue
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames.sort()
            for filename in filenames:
                full = Path(dirpath) / filename
                found.add(full.relative_to(root).as_posix())
    return found


def make_plan(root: Path, files: dict[str, bytes], owned_dirs: tuple[str, ...]) -> Plan:
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
    for path in sorted(_owned_files(root, owned_dirs) - set(files)):
        plan.changes.append(Change(path, Action.delete, (root / path).read_bytes(), None))
    return plan


def apply_plan(plan: Plan) -> None:
    """Write created and updated files atomically, then delete stale owned files."""
    for change in plan.pending:
        target = plan.root / change.path
        if change.action is Action.delete:
            target.unlink(missing_ok=True)
            _prune_empty_parents(target.parent, plan.root)
        else:
            assert change.expected is not None
            write_atomic(target, change.expected)


def _prune_empty_parents(folder: Path, root: Path) -> None:
    root = root.resolve()
    folder = folder.resolve()
    while folder != root and root in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent
