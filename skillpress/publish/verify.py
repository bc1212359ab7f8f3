"""``skillpress verify``: is this folder the release its ``release.json`` describes?

A release is checked from what is on disk, never from what its manifest claims alone:

- **Pinning.** ``publish`` prints ``release.json sha256:<hex>``; ``--expect-manifest`` takes
  that value (with or without the ``sha256:`` prefix) and refuses any release whose
  ``release.json`` has other bytes, before anything else is trusted. Since the manifest
  holds the sha256 of every other file, the pin covers the whole release.
- **Files.** Every regular file must be listed with its size and sha256, and every listed
  file must exist: MISSING, EXTRA and CHANGED lines on stdout.
- **Nothing but folders and regular files.** The tree is walked with ``lstat`` and files are
  opened with ``O_NOFOLLOW``: a symlink (``release.json`` included), FIFO, socket or device
  anywhere in it is refused and named; no link is ever followed. (The folder given on the
  command line may itself be a link: the user chose it.) A manifest that lists a path
  leaving the folder (absolute, ``..``, a backslash) is refused too.
- **Version.** The version is read from the files just checked: the client wheel's
  ``METADATA`` and its compiled contract (what ``<cli> --version`` prints), the sdist's
  ``PKG-INFO`` and the skills bundle's ``plugin.json``. Each must equal the manifest's
  ``version``, and at least one must be present.

Exit 0 intact, 1 the release differs or is refused, 2 verify could not run (no folder, no or
unreadable ``release.json``, one of another ``format``, a malformed ``--expect-manifest`` value).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import stat
import sys
import tarfile
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TextIO

from skillpress.client.output import visible
from skillpress.diagnostics import SkillpressError
from skillpress.publish.bundle import PLUGIN_DIR

#: The layout of a release (``skillpress.publish.release`` writes it).
MANIFEST = "release.json"
#: The ``format`` of the ``release.json`` this skillpress writes and reads; another format may
#: mean other fields, so it is refused rather than half understood.
MANIFEST_FORMAT = 1
CLIENT_DIR = "client"
SKILLS_BUNDLE = "skills-bundle"
SITE_DIR = "site"

_MAX_MANIFEST = 64 * 1024 * 1024
_MAX_METADATA = 1024 * 1024  # a version file inside a wheel or sdist bigger than this is refused
_SHA256 = re.compile(r"[0-9a-f]{64}")
_CHUNK = 1024 * 1024


def normalize_digest(value: str) -> str:
    """``sha256:<hex>`` or ``<hex>`` (any case, surrounding spaces) → lowercase hex."""
    text = value.strip()
    if text[:7].lower() == "sha256:":
        text = text[7:]
    text = text.lower()
    if not _SHA256.fullmatch(text):
        raise SkillpressError(
            f"--expect-manifest wants the sha256 that `skillpress publish` printed "
            f"(sha256:<64 hex digits>), not {visible(value)!r}"
        )
    return text


# --------------------------------------------------------------------------- the tree


def _kind(mode: int) -> str | None:
    """What a non-regular, non-folder entry is, for the refusal; ``None`` if it is fine."""
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    if stat.S_ISLNK(mode):
        return "a symlink"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    return "not a regular file"


def scan(folder: Path) -> tuple[dict[str, os.stat_result], dict[str, str]]:
    """Regular files (relative POSIX path → lstat) and refused entries (path → what it is)
    under ``folder``, walked without following any link."""
    files: dict[str, os.stat_result] = {}
    refused: dict[str, str] = {}

    pending = [(str(folder), "")]  # a stack, not recursion: a release may nest folders deeply
    try:
        while pending:
            directory, prefix = pending.pop()
            with os.scandir(directory) as entries:
                listed = list(entries)
            for entry in listed:
                rel = prefix + entry.name
                info = entry.stat(follow_symlinks=False)
                kind = _kind(info.st_mode)
                if stat.S_ISDIR(info.st_mode):
                    pending.append((entry.path, rel + "/"))
                elif kind is None:
                    files[rel] = info
                else:
                    refused[rel] = kind
    except OSError as exc:
        raise SkillpressError(f"cannot read the release: {exc}", file=str(folder)) from None
    return dict(sorted(files.items())), dict(sorted(refused.items()))


def _open_regular(path: Path, expected: os.stat_result | None = None) -> int:
    """A read-only descriptor of ``path`` that is the regular file found by :func:`scan`:
    the last component is never followed, and a file swapped since the walk is refused."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags)
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode) or (
        expected is not None and (info.st_dev, info.st_ino) != (expected.st_dev, expected.st_ino)
    ):
        os.close(fd)
        raise OSError(f"{path} changed while it was being verified")
    return fd


def _chunks(fd: int) -> Iterator[bytes]:
    with os.fdopen(fd, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            yield chunk


# --------------------------------------------------------------------------- the manifest


def _unsafe_path(path: str) -> bool:
    """True for a listed path that could name something outside the release folder."""
    if not path or path.startswith("/") or "\\" in path or "\x00" in path or re.match(r"[A-Za-z]:", path):
        return True
    return any(part in ("", ".", "..") for part in path.split("/"))


def _entries(recorded: object) -> tuple[list[tuple[str, int, str]], str, str]:
    """(path, bytes, sha256) of every listed file, the product and the claimed version."""
    if not isinstance(recorded, dict):
        raise ValueError("not a JSON object")
    if recorded.get("format") != MANIFEST_FORMAT or isinstance(recorded.get("format"), bool):
        raise ValueError(
            f"format {visible(repr(recorded.get('format')))} is not {MANIFEST_FORMAT}, the one this skillpress reads"
        )
    files = recorded["files"]
    if not isinstance(files, list):
        raise ValueError("`files` is not a list")
    out: list[tuple[str, int, str]] = []
    for entry in files:
        path, size, digest = entry["path"], entry["bytes"], entry["sha256"]
        if not isinstance(path, str) or not isinstance(size, int) or isinstance(size, bool) or size < 0:
            raise ValueError(f"a `files` entry has no valid path or bytes: {visible(repr(entry))}")
        if not isinstance(digest, str):
            raise ValueError(f"a `files` entry has no sha256: {visible(repr(entry))}")
        out.append((path, size, digest.lower()))
    product, version = recorded["product"], recorded["version"]
    if not isinstance(product, str) or not isinstance(version, str):
        raise ValueError("`product` and `version` must be strings")
    return out, product, version


# --------------------------------------------------------------------------- versions


def _metadata_version(text: str) -> str | None:
    for line in text.splitlines():
        if not line.strip():
            break  # the headers end at the first blank line; the description follows
        name, sep, value = line.partition(":")
        if sep and name.strip().lower() == "version":
            return value.strip()
    return None


def _wheel_versions(data: bytes) -> list[tuple[str, str | None]]:
    out: list[tuple[str, str | None]] = []
    with zipfile.ZipFile(io.BytesIO(data)) as wheel:
        for info in wheel.infolist():
            name = info.filename
            is_metadata = re.fullmatch(r"[^/]+\.dist-info/METADATA", name)
            is_table = re.fullmatch(r"[^/]+/client/contract\.json", name)
            if not (is_metadata or is_table):
                continue
            if info.file_size > _MAX_METADATA:
                raise ValueError(f"{name} is larger than {_MAX_METADATA} bytes")
            text = wheel.read(info).decode("utf-8")
            if is_metadata:
                out.append((f"{name} Version", _metadata_version(text)))
            else:
                product = json.loads(text).get("product")
                version = product.get("version") if isinstance(product, dict) else None
                out.append((f"{name} product.version", version if isinstance(version, str) else None))
    if not any(label.endswith("METADATA Version") for label, _ in out):
        out.append(("no *.dist-info/METADATA", None))
    return out


def _sdist_versions(data: bytes) -> list[tuple[str, str | None]]:
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as sdist:
        for member in sdist:
            if re.fullmatch(r"[^/]+/PKG-INFO", member.name) and member.isfile():
                if member.size > _MAX_METADATA:
                    raise ValueError(f"{member.name} is larger than {_MAX_METADATA} bytes")
                handle = sdist.extractfile(member)
                text = handle.read().decode("utf-8") if handle is not None else ""
                return [(f"{member.name} Version", _metadata_version(text))]
    return [("no PKG-INFO", None)]


def _plugin_versions(data: bytes) -> list[tuple[str, str | None]]:
    value = json.loads(data.decode("utf-8"))
    version = value.get("version") if isinstance(value, dict) else None
    return [("version", version if isinstance(version, str) else None)]


def _version_reader(rel: str) -> Callable[[bytes], list[tuple[str, str | None]]] | None:
    if rel.startswith(f"{CLIENT_DIR}/") and rel.count("/") == 1:
        if rel.endswith(".whl"):
            return _wheel_versions
        if rel.endswith(".tar.gz"):
            return _sdist_versions
    if rel in (f"{SKILLS_BUNDLE}/{PLUGIN_DIR}/plugin.json", f"{SKILLS_BUNDLE}/plugin.json"):
        return _plugin_versions
    return None


# --------------------------------------------------------------------------- verify


def verify(
    folder: Path,
    *,
    expect_manifest: str | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """Exit 0 intact, 1 differs or refused, 2 could not run (see the module docstring)."""
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    folder = Path(folder)
    pinned = normalize_digest(expect_manifest) if expect_manifest is not None else None
    if not folder.is_dir():
        raise SkillpressError("not a folder", file=str(folder))
    found, refused = scan(folder)

    def refuse(reason: str) -> int:
        for rel, kind in refused.items():
            stdout.write(f"REFUSED: {visible(rel)} ({kind}; verify follows no links and reads only regular files)\n")
        stderr.write(f"verify: {reason}\n")
        return 1

    if MANIFEST in refused:
        return refuse(f"{MANIFEST} is {refused[MANIFEST]}, not a regular file; refusing this release")
    if MANIFEST not in found:
        raise SkillpressError(f"no {MANIFEST}; this is not a published release", file=str(folder))
    manifest_path = folder / MANIFEST
    try:
        if found[MANIFEST].st_size > _MAX_MANIFEST:
            raise ValueError(f"larger than {_MAX_MANIFEST} bytes")
        raw = b"".join(_chunks(_open_regular(manifest_path, found.pop(MANIFEST))))
    except (OSError, ValueError) as exc:
        raise SkillpressError(f"{MANIFEST} cannot be read: {exc}", file=str(manifest_path)) from None
    digest = hashlib.sha256(raw).hexdigest()
    if pinned is not None and digest != pinned:
        return refuse(
            f"{MANIFEST} is sha256:{digest}, not the expected sha256:{pinned}; "
            "refusing this release: it is not the one that was pinned"
        )
    try:
        files, product, claimed = _entries(json.loads(raw.decode("utf-8")))
    except (ValueError, KeyError, TypeError, RecursionError) as exc:
        raise SkillpressError(f"{MANIFEST} cannot be read: {exc}", file=str(manifest_path)) from None
    label = f"{visible(product)} {visible(claimed)}"

    problems: list[str] = []
    entries: dict[str, tuple[int, str]] = {}
    for rel, size, expected in files:
        if _unsafe_path(rel) or rel == MANIFEST:
            problems.append(f"OUTSIDE: {visible(rel)} ({MANIFEST} lists a path that is not a file inside the release)")
        elif rel in entries:
            problems.append(f"DUPLICATE: {visible(rel)} ({MANIFEST} lists it twice)")
        else:
            entries[rel] = (size, expected)

    def under_refused(rel: str) -> bool:
        return any(rel == bad or rel.startswith(bad + "/") for bad in refused)

    for rel in sorted(entries.keys() - found.keys()):
        if not under_refused(rel):
            problems.append(f"MISSING: {visible(rel)}")
    for rel in sorted(found.keys() - entries.keys()):
        problems.append(f"EXTRA: {visible(rel)}")
    versions: list[tuple[str, str, str | None]] = []  # (file, where in it, version)
    for rel in sorted(entries.keys() & found.keys()):
        size, expected = entries[rel]
        reader = _version_reader(rel)
        hasher = hashlib.sha256()
        kept: list[bytes] = []
        length = 0
        try:
            for chunk in _chunks(_open_regular(folder / rel, found[rel])):
                hasher.update(chunk)
                length += len(chunk)
                if reader is not None:
                    kept.append(chunk)
        except OSError as exc:
            problems.append(f"CHANGED: {visible(rel)} (cannot be read: {visible(str(exc))})")
            continue
        actual = hasher.hexdigest()
        if length != size or actual != expected:
            problems.append(
                f"CHANGED: {visible(rel)} ({length} bytes, sha256 {actual[:12]}; "
                f"{MANIFEST} says {size} bytes, {visible(expected[:12])})"
            )
            continue
        if reader is not None:
            try:
                versions += [(rel, where, version) for where, version in reader(b"".join(kept))]
            except Exception as exc:  # zip, tar, gzip, zlib and json each fail their own way
                versions.append((rel, f"unreadable: {type(exc).__name__}: {exc}", None))

    for rel, where, version in versions:
        if version != claimed:
            said = "no version" if version is None else f"version {version}"
            problems.append(
                f"VERSION: {visible(rel)} ({visible(where)}) says {visible(said)}; {MANIFEST} says {visible(claimed)}"
            )
    if not versions:
        problems.append(
            f"VERSION: no checked file states a version (no client wheel or sdist, no plugin.json); "
            f"{MANIFEST} alone says {visible(claimed)}"
        )

    for line in problems:
        stdout.write(line + "\n")
    if problems or refused:
        return refuse(f"{label}: {len(problems) + len(refused)} difference(s) from {MANIFEST}")
    stderr.write(f"{MANIFEST} sha256:{digest}" + (" (as expected)" if pinned else "") + "\n")
    stderr.write(f"verify: {label}: all {len(entries)} files match {MANIFEST}\n")
    stderr.write(f"verify: version {visible(claimed)} read from:\n")
    for rel, where, _ in versions:
        stderr.write(f"  {visible(rel)} ({visible(where)})\n")
    return 0


__all__ = ["MANIFEST", "normalize_digest", "scan", "verify"]
