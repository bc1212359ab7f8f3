"""Files the client writes: the saved config (secret) and outputs, always whole.

* The config file is written through a temporary file in its own folder, created 0600,
  fsynced and renamed into place; its folder is created 0700, and an existing folder
  that others may read is tightened to 0700 first. A crash leaves the old file or the
  new one, never half of one, and never a moment where the secret is readable by others.
* Outputs (``write_output``, downloads) go through a temporary file next to the target
  and are renamed when complete. Without permission to replace, the file is linked
  into place (``os.link`` fails if the name exists, so no race can overwrite a file
  created meanwhile); a failed or refused write removes the temporary file.
"""

from __future__ import annotations

import json
import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any


class Exists(Exception):
    """The target exists and may not be replaced."""


def read_config(path: str | None) -> dict[str, Any]:
    """The saved config (``{}`` when absent or unreadable: no saved credential then)."""
    if not path:
        return {}
    try:
        with open(path, "rb") as handle:
            raw = handle.read(1024 * 1024)
        value = json.loads(raw.decode("utf-8"))
    except (OSError, ValueError, UnicodeDecodeError, RecursionError):
        return {}
    return value if isinstance(value, dict) else {}


def _private_folder(folder: str) -> None:
    os.makedirs(folder, mode=0o700, exist_ok=True)
    mode = os.stat(folder).st_mode & 0o777
    if mode & 0o077:
        os.chmod(folder, mode & 0o700)


def write_config(path: str, config: dict[str, Any]) -> None:
    """Write the config atomically: 0600 file in a 0700 folder (raises ``OSError``)."""
    folder = os.path.dirname(path) or "."
    _private_folder(folder)
    data = (json.dumps(config, indent=2, sort_keys=True) + "\n").encode("utf-8")
    temp = os.path.join(folder, f".{os.path.basename(path)}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        _remove(temp)
        raise


def remove_config(path: str | None) -> bool:
    if not path:
        return False
    try:
        os.remove(path)
    except FileNotFoundError:
        return False
    return True


def _remove(path: str) -> None:
    try:
        os.remove(path)
    except OSError:
        pass


def write_whole(path: str, fill: Callable[[Any], None], *, replace: bool) -> int:
    """Write ``path`` through a temporary file; ``fill(handle)`` writes the content.

    Returns the size written. Raises :class:`Exists` (nothing written) when the target
    exists and ``replace`` is false, ``OSError`` when it cannot be written.
    """
    folder = os.path.dirname(os.path.abspath(path))
    if not replace and os.path.lexists(path):
        raise Exists(path)
    os.makedirs(folder, exist_ok=True)
    temp = os.path.join(folder, f".{os.path.basename(path)}.{os.getpid()}.{os.urandom(4).hex()}.part")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        with os.fdopen(fd, "wb") as handle:
            fill(handle)
            handle.flush()
            size = handle.tell()
        if replace:
            os.replace(temp, path)
        else:
            try:
                os.link(temp, path)
            except FileExistsError:
                raise Exists(path) from None
            _remove(temp)
        return size
    except BaseException:
        _remove(temp)
        raise
