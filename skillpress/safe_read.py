"""Reading a spec's bytes without trusting what the path names.

A spec path can name anything: ``/dev/zero`` (endless), a FIFO (an ``open`` that waits
for a writer forever), ``/dev/stdin`` fed by a pipe, or a file far larger than any spec.
Every read of a spec goes through here, so each costs at most ``MAX_SPEC_BYTES + 1``
bytes of memory and never blocks. Standard library only: the result cache imports it
on the fast path, before pydantic or PyYAML are loaded.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import BinaryIO

MAX_SPEC_BYTES = 32 * 1024 * 1024  # about 14 MB holds a product of 10,000 commands


class NotRegularFileError(OSError):
    """The path names a device, FIFO or socket: nothing a spec can be read from safely."""

    def __init__(self, kind: str) -> None:
        super().__init__(f"is a {kind}, not a regular file")
        self.kind = kind


def _kind(mode: int) -> str:
    for test, name in (
        (stat.S_ISCHR, "character device"),
        (stat.S_ISBLK, "block device"),
        (stat.S_ISFIFO, "FIFO (pipe)"),
        (stat.S_ISSOCK, "socket"),
    ):
        if test(mode):
            return name
    return "special file"


def read_capped(stream: BinaryIO, limit: int = MAX_SPEC_BYTES) -> bytes:
    """Up to ``limit + 1`` bytes of ``stream``: enough to tell that it is too large."""
    chunks: list[bytes] = []
    left = limit + 1
    while left > 0:
        chunk = stream.read(min(left, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def read_spec_bytes(path: Path, limit: int = MAX_SPEC_BYTES) -> tuple[bytes, int]:
    """The bytes of the regular file ``path`` (at most ``limit + 1``) and its size.

    A file larger than ``limit`` is not read at all (the bytes are empty). Raises
    :class:`NotRegularFileError` for a device, FIFO or socket before reading from it,
    and the usual :class:`OSError` subclasses (missing file, directory, no permission).
    The file is opened non-blocking, so a FIFO swapped in after the check cannot hang
    the open; its kind is checked again on the open descriptor.
    """
    mode = os.stat(path).st_mode
    if stat.S_ISDIR(mode):
        raise IsADirectoryError(errno.EISDIR, "is a directory", str(path))
    if not stat.S_ISREG(mode):
        raise NotRegularFileError(_kind(mode))
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise NotRegularFileError(_kind(info.st_mode))
        if info.st_size > limit:
            return b"", info.st_size
        return read_capped(handle, limit), info.st_size
