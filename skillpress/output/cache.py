"""A cache of what a clean render produced, so an unchanged project checks in milliseconds.

Rendering is deterministic: the same inputs give the same files. The inputs are the
spec's bytes, skillpress's own code and packaged templates, any user template folder,
and the options that change the output. Their combined hash is the cache key; the value
is the sha256 of every file the render produced. When the key is known and every file on
disk still has its recorded hash (and no stray file sits in an owned folder), the project
is clean without loading the spec or rendering anything. Any miss, any difference, and
any error falls back to the full render, which produces the diff.

Only clean results (a valid spec within budgets) are stored. The cache lives under
``${XDG_CACHE_HOME:-~/.cache}/skillpress/results``; ``SKILLPRESS_NO_CACHE=1`` disables it.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path

from skillpress.safe_read import read_spec_bytes

PACKAGE = Path(__file__).resolve().parent.parent
CACHE_FORMAT = "1"


def _folder() -> Path | None:
    if os.environ.get("SKILLPRESS_NO_CACHE"):
        return None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "skillpress" / "results"


def _tree_digest(folder: Path, suffixes: tuple[str, ...], into: hashlib._Hash) -> None:
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix in suffixes):
        into.update(path.relative_to(folder).as_posix().encode() + b"\0")
        into.update(hashlib.sha256(path.read_bytes()).digest())


def _template_dirs() -> list[Path]:
    return [p for p in (PACKAGE / "templates", PACKAGE.parent / "templates") if p.is_dir()]


def inputs_key(spec: Path, *, templates: Path | None) -> str | None:
    """Hash of everything a render depends on, or None if an input cannot be read."""
    digest = hashlib.sha256(f"skillpress-results:{CACHE_FORMAT}\0".encode())
    try:
        digest.update(hashlib.sha256(read_spec_bytes(spec)[0]).digest())  # capped; regular files only
        _tree_digest(PACKAGE, (".py", ".j2", ".css", ".html"), digest)
        for folder in _template_dirs():
            _tree_digest(folder, (".j2",), digest)
        if templates is not None:
            _tree_digest(templates, (".j2",), digest)
    except OSError:
        return None
    digest.update(f"\0templates={templates or ''}".encode())
    digest.update(_runtime().encode())
    return digest.hexdigest()


def _runtime() -> str:
    """Python and the libraries whose behaviour shapes the output."""
    from importlib.metadata import PackageNotFoundError, version

    parts = [sys.version]
    for name in ("jinja2", "pyyaml", "pydantic", "pydantic-core", "markupsafe"):
        try:
            parts.append(f"{name}={version(name)}")
        except PackageNotFoundError:
            parts.append(f"{name}=?")
    return "\0".join(parts)


def lookup(key: str) -> dict[str, str] | None:
    folder = _folder()
    if folder is None:
        return None
    try:
        data = json.loads((folder / f"{key}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def store(key: str, files: dict[str, bytes]) -> None:
    folder = _folder()
    if folder is None:
        return
    from skillpress.output.write import write_atomic

    hashes = {path: hashlib.sha256(data).hexdigest() for path, data in sorted(files.items())}
    try:
        write_atomic(folder / f"{key}.json", (json.dumps(hashes, indent=0) + "\n").encode())
    except OSError:
        pass  # a cache that cannot be written is only a slower check


def matches_disk(root: Path, hashes: dict[str, str], owned_dirs: tuple[str, ...]) -> bool:
    """True when every recorded file is on disk with its hash and no extra owned file exists."""
    for path, expected in hashes.items():
        try:
            if hashlib.sha256((root / path).read_bytes()).hexdigest() != expected:
                return False
        except OSError:
            return False
    for name in owned_dirs:
        base = root / name
        if not base.is_dir():
            continue
        for dirpath, _, filenames in os.walk(base):
            for filename in filenames:
                if (Path(dirpath) / filename).relative_to(root).as_posix() not in hashes:
                    return False
    return True
