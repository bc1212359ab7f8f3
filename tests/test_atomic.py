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


# --------------------------------------------------------------------------- writes across file systems


def test_a_staging_folder_that_cannot_be_made_writes_beside_the_file(tmp_path: Path) -> None:
    (tmp_path / "blocker").write_text("a file where the staging folder should go\n")
    target = tmp_path / "out" / "file.md"
    write_atomic(target, b"data\n", staging=tmp_path / "blocker" / "staging")
    assert target.read_bytes() == b"data\n"
    assert _leftovers(tmp_path) == []


def test_a_staging_folder_on_another_file_system_falls_back_to_a_temp_beside_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    staging = tmp_path / "staging"
    target = tmp_path / "out" / "file.md"
    real = os.replace

    def cross_device(src: str, dst: str) -> None:
        if Path(src).parent == staging:
            raise OSError(18, "Invalid cross-device link")  # EXDEV
        real(src, dst)

    monkeypatch.setattr(write_module.os, "replace", cross_device)
    write_atomic(target, b"data\n", mode=0o600, staging=staging)
    assert target.read_bytes() == b"data\n"
    assert oct(target.stat().st_mode & 0o777) == oct(0o600)
    assert _leftovers(tmp_path) == []


def test_a_rename_refused_for_another_reason_is_an_error_and_leaves_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only a cross-device rename falls back to a temp beside the file: any other refusal is
    reported, not papered over by writing somewhere else."""
    target = tmp_path / "file.md"
    target.write_bytes(b"old\n")
    staging = tmp_path / "staging"
    real = os.replace

    def denied_from_staging(src: str, dst: str) -> None:
        if Path(src).parent == staging:
            raise PermissionError(13, "Permission denied")
        real(src, dst)

    monkeypatch.setattr(write_module.os, "replace", denied_from_staging)
    with pytest.raises(PermissionError):
        write_atomic(target, b"new\n", staging=staging)
    assert target.read_bytes() == b"old\n"
    assert _leftovers(tmp_path) == []


# --------------------------------------------------------------------------- replacing a whole folder


def _tree(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): p.read_text() for p in sorted(folder.rglob("*")) if p.is_file()}


def _folders(tmp_path: Path) -> tuple[Path, Path]:
    fresh, target = tmp_path / "fresh", tmp_path / "target"
    (fresh / "sub").mkdir(parents=True)
    (fresh / "sub/new.txt").write_text("new\n")
    target.mkdir()
    (target / "old.txt").write_text("old\n")
    return fresh, target


def test_exchange_swaps_two_folders_given_by_relative_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Linux renameat2(RENAME_EXCHANGE) on paths relative to the working folder."""
    if os.uname().sysname != "Linux":
        pytest.skip("renameat2 is Linux only")
    fresh, target = _folders(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert write_module._exchange(Path("fresh"), Path("target")) is True
    assert _tree(target) == {"sub/new.txt": "new\n"}
    assert _tree(fresh) == {"old.txt": "old\n"}


@pytest.mark.parametrize("swap", ["exchange", "rename"])
def test_replace_dir_leaves_only_the_new_tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, swap: str) -> None:
    fresh, target = _folders(tmp_path)
    if swap == "rename":  # a system or file system without an atomic exchange
        monkeypatch.setattr(write_module, "_exchange", lambda a, b: False)
    write_module.replace_dir(fresh, target)
    assert _tree(target) == {"sub/new.txt": "new\n"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["target"]


def _fake_libc(monkeypatch: pytest.MonkeyPatch, libc: object) -> None:
    import ctypes

    monkeypatch.setattr(ctypes, "CDLL", lambda *a, **k: libc)


@pytest.mark.parametrize("kind", ["no-libc", "no-renameat2", "einval", "enosys"])
def test_without_an_exchange_the_folder_is_still_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    """An old C library or a file system that cannot exchange falls back to two renames."""
    import ctypes
    import errno

    if kind == "no-libc":

        def refuse(*a: object, **k: object) -> None:
            raise OSError("no libc")

        monkeypatch.setattr(ctypes, "CDLL", refuse)
    elif kind == "no-renameat2":
        _fake_libc(monkeypatch, object())
    else:
        code = errno.EINVAL if kind == "einval" else errno.ENOSYS

        def renameat2(*args: object) -> int:
            ctypes.set_errno(code)
            return -1

        class Libc:
            pass

        libc = Libc()
        libc.renameat2 = renameat2  # type: ignore[attr-defined]
        _fake_libc(monkeypatch, libc)
    fresh, target = _folders(tmp_path)
    write_module.replace_dir(fresh, target)
    assert _tree(target) == {"sub/new.txt": "new\n"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["target"]


def test_recover_dir_puts_back_a_folder_a_killed_run_moved_aside(tmp_path: Path) -> None:
    target = tmp_path / "target"
    aside = tmp_path / write_module.aside_name(target)
    aside.mkdir()
    (aside / "old.txt").write_text("old\n")
    write_module.recover_dir(target)
    assert _tree(target) == {"old.txt": "old\n"} and not aside.exists()


def test_recover_dir_keeps_a_finished_target_and_drops_the_old_copy(tmp_path: Path) -> None:
    fresh, target = _folders(tmp_path)
    aside = tmp_path / write_module.aside_name(target)
    fresh.rename(aside)
    write_module.recover_dir(target)
    assert _tree(target) == {"old.txt": "old\n"} and not aside.exists()
    write_module.recover_dir(target)  # nothing aside: nothing to do, no error
    assert _tree(target) == {"old.txt": "old\n"}


def test_replace_dir_puts_a_folder_where_there_was_none(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    (fresh / "a.txt").write_text("a\n")
    monkeypatch.setattr(write_module, "_exchange", lambda a, b: False)
    write_module.replace_dir(fresh, tmp_path / "target")
    assert _tree(tmp_path / "target") == {"a.txt": "a\n"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["target"]


def test_a_stale_file_already_gone_when_the_plan_is_applied_is_no_error(tmp_path: Path) -> None:
    (tmp_path / "skills/s").mkdir(parents=True)
    (tmp_path / "skills/s/stale.md").write_text("old\n")
    (tmp_path / "skills/s/keep.md").write_text("keep\n")
    plan = make_plan(tmp_path, {"skills/s/keep.md": b"keep\n"}, ("skills",))
    (tmp_path / "skills/s/stale.md").unlink()  # removed by hand between the plan and its run
    apply_plan(plan)
    assert sorted(p.name for p in (tmp_path / "skills/s").iterdir()) == ["keep.md"]
