"""Atomic file writing: a temp file in the same folder, fsync, then rename.

An interrupted write never leaves a half-written file at the destination: readers see
either the old content or the new content.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import tempfile
from pathlib import Path

TEMP_SUFFIX = ".tmp"
_TEMP_NAME = re.compile(r"^\..+\.[A-Za-z0-9_]{8}\.tmp$")


def is_temp_name(name: str) -> bool:
    """True for the names :func:`write_atomic` gives its temp files (``.NAME.XXXXXXXX.tmp``)."""
    return bool(_TEMP_NAME.match(name))


def write_atomic(path: Path, data: bytes, *, mode: int | None = None, staging: Path | None = None) -> None:
    """Write ``data`` to ``path`` so that readers see the old bytes or the new, never a mix.

    The temp file goes in ``staging`` when given (it must be on the same file system;
    if it is not, the temp file goes beside ``path`` instead), else beside ``path``.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    folder = path.parent
    if staging is not None:
        try:
            staging.mkdir(parents=True, exist_ok=True)
            folder = staging
        except OSError:
            folder = path.parent
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMP_SUFFIX, dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode if mode is not None else 0o644)
        try:
            os.replace(tmp, path)
        except OSError as exc:
            if exc.errno != errno.EXDEV or folder == path.parent:
                raise
            os.unlink(tmp)
            write_atomic(path, data, mode=mode)  # staging is on another file system
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


_RENAME_EXCHANGE = 2  # renameat2(2) flag: swap two paths in one step (Linux 3.15+)
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap the paths ``a`` and ``b``; False where the system cannot."""
    if not hasattr(os, "uname") or os.uname().sysname != "Linux":
        return False
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    renameat2.restype = ctypes.c_int
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(a))


def aside_name(target: Path) -> str:
    return f".skillpress-old-{target.name}"


def replace_dir(fresh: Path, target: Path, *, scratch: Path | None = None) -> None:
    """Put the finished folder ``fresh`` at ``target``, replacing what was there.

    Where the system can, the two folders are exchanged in one step, so ``target`` holds
    the old tree or the new one at every instant, even if the process is killed. Else the
    old folder is first moved aside into ``scratch`` (default: beside ``target``), and
    :func:`recover_dir` puts it back if a run died between the two renames.
    """
    scratch = scratch if scratch is not None else target.parent
    old = scratch / aside_name(target)
    shutil.rmtree(old, ignore_errors=True)
    if target.exists() and _exchange(fresh, target):
        shutil.rmtree(fresh, ignore_errors=True)  # now holds the old tree
        return
    if target.exists():
        target.rename(old)
    fresh.rename(target)
    shutil.rmtree(old, ignore_errors=True)


def recover_dir(target: Path, *, scratch: Path | None = None) -> None:
    """Undo a swap that a killed run left half done (``target`` moved aside, nothing in its place)."""
    scratch = scratch if scratch is not None else target.parent
    old = scratch / aside_name(target)
    if old.is_dir() and not target.exists():
        old.rename(target)
    else:
        shutil.rmtree(old, ignore_errors=True)
