"""Atomic writes: an interrupted write or build never leaves a half-written file."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from skillpress.output import plan as plan_module
from skillpress.output import write as write_module
from skillpress.output.plan import apply_plan, make_plan
from skillpress.output.write import write_atomic


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*.tmp"))


def test_write_replaces_content_whole(tmp_path: Path) -> None:
    target = tmp_path / "a" / "file.md"
    write_atomic(target, b"one\n")
    write_atomic(target, b"two\n")
    assert target.read_bytes() == b"two\n"
    assert oct(target.stat().st_mode & 0o777) == oct(0o644)
    assert _leftovers(tmp_path) == []


def test_interrupted_write_keeps_the_old_file_and_no_temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "file.md"
    target.write_bytes(b"old content\n")

    def interrupted(src: str, dst: str) -> None:
        raise KeyboardInterrupt  # the user pressed ^C between writing and renaming

    monkeypatch.setattr(write_module.os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(target, b"new content that never lands\n")
    assert target.read_bytes() == b"old content\n"
    assert _leftovers(tmp_path) == []


def test_failure_while_writing_bytes_leaves_no_partial_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "new.md"
    real_fdopen = os.fdopen

    class Exploding:
        def __init__(self, handle):
            self.handle = handle

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.handle.close()
            return False

        def write(self, data: bytes) -> int:
            self.handle.write(data[: len(data) // 2])
            raise OSError(28, "No space left on device")

    monkeypatch.setattr(write_module.os, "fdopen", lambda fd, mode: Exploding(real_fdopen(fd, mode)))
    with pytest.raises(OSError):
        write_atomic(target, b"x" * 1000)
    assert not target.exists()
    assert _leftovers(tmp_path) == []


def test_interrupted_build_leaves_every_file_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = {f"skills/s/f{i}.md": f"new {i}\n".encode() for i in range(5)}
    for i in range(5):
        (tmp_path / "skills/s").mkdir(parents=True, exist_ok=True)
        (tmp_path / f"skills/s/f{i}.md").write_bytes(f"old {i}\n".encode())
    calls = {"n": 0}
    real = write_module.write_atomic

    def flaky(path: Path, data: bytes, **kwargs) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        real(path, data, **kwargs)

    monkeypatch.setattr(plan_module, "write_atomic", flaky)
    plan = make_plan(tmp_path, files, ("skills",))
    with pytest.raises(KeyboardInterrupt):
        apply_plan(plan)
    contents = sorted((tmp_path / f"skills/s/f{i}.md").read_text() for i in range(5))
    assert all(
        c in (f"old {i}\n", f"new {i}\n")
        for i, c in enumerate((tmp_path / f"skills/s/f{i}.md").read_text() for i in range(5))
    )
    assert sum(c.startswith("new") for c in contents) == 2
    assert _leftovers(tmp_path) == []
