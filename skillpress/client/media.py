"""Files in and out: upload bodies, implicit uploads, and verified asset downloads.

Uploads
  A local file is read only if its extension is on the image allow-list; a remote
  http(s) URL is fetched *without* the API token, capped in size, and accepted only if
  its content type is an allowed image type. The upload body carries the basename,
  origin, MIME type, length, sha256 and base64 bytes, never the local path.

Downloads (``assets get``)
  Only http(s) URLs, never with the API token. The bytes go to a temp file in the
  target folder, are checked against the Content-Length and the asset's sha256 (when
  the metadata gives one), then moved into place. Without ``--overwrite`` an existing
  file is never replaced (a hard link makes the final step no-clobber). Any failure
  removes the temp file, so no partial file is ever left behind.
"""

from __future__ import annotations

import os
import re
from typing import Any
from urllib.parse import unquote, urlsplit

from . import transport

IMAGE_TYPES = {
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "webp": "image/webp",
    "gif": "image/gif",
    "avif": "image/avif",
}
EXTENSION_FOR = {
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/webp": "webp",
    "image/gif": "gif",
    "image/avif": "avif",
}
MAX_UPLOAD_BYTES = 25 * 1024 * 1024
MAX_DOWNLOAD_BYTES = 512 * 1024 * 1024
DOWNLOAD_TOTAL_FACTOR = 10  # a download may take 10x the per-request timeout in total; each read still times out
ASSET_ID = re.compile(r"^(?:asset|image|video|audio|mask|thumb|file)_[A-Za-z0-9._-]{1,128}$")


def is_remote(reference: str) -> bool:
    return reference[:8].lower().startswith(("http://", "https://"))


def asset_id_of(reference: str) -> str | None:
    """The asset id a reference names directly: an id, or a URL whose file name is one."""
    if ASSET_ID.match(reference):
        return reference
    if is_remote(reference):
        name = unquote(urlsplit(reference).path.rsplit("/", 1)[-1])
        stem = name.rsplit(".", 1)[0] if "." in name else name
        if ASSET_ID.match(stem):
            return stem
    return None


def _mime_from_name(name: str) -> str | None:
    if "." not in name:
        return None
    return IMAGE_TYPES.get(name.rsplit(".", 1)[-1].lower())


def _allowed_types() -> str:
    return ", ".join(sorted(set(IMAGE_TYPES.values())))


def read_local(ctx: Any, path: str) -> tuple[bytes, str, str]:
    """(bytes, basename, mime) of a local image; refuses other types before reading."""
    name = os.path.basename(path)
    mime = _mime_from_name(name)
    if mime is None:
        raise ctx.fail(
            "UPLOAD_MIME_TYPE_UNKNOWN", f"{name!r} does not have an image extension ({', '.join(sorted(IMAGE_TYPES))})"
        )
    try:
        size = os.path.getsize(path)
        if size > MAX_UPLOAD_BYTES:
            raise ctx.fail("INVALID_ARGUMENTS", f"{name} is {size} bytes; the upload limit is {MAX_UPLOAD_BYTES}")
        with open(path, "rb") as handle:
            data = handle.read(MAX_UPLOAD_BYTES + 1)
    except OSError as exc:
        raise ctx.fail(
            "LOCAL_FILE_FAILED", f"could not read {path}: {exc.strerror or type(exc).__name__}", retryable=False
        ) from None
    return data, name, mime


def fetch_remote(ctx: Any, url: str) -> tuple[bytes, str, str]:
    """(bytes, basename, mime) of a remote image, fetched without credentials."""
    from .hosted import timeout_seconds

    try:
        response = transport.request(
            "GET",
            url,
            headers={"Accept": "image/*", "User-Agent": f"{ctx.table.cli_name}/{ctx.table.version}"},
            timeout=timeout_seconds(ctx.table),
            retries=0,
            max_bytes=MAX_UPLOAD_BYTES,
        )
    except transport.TransportError as exc:
        if exc.kind == "too-large":
            raise ctx.fail("INVALID_ARGUMENTS", f"the remote image is larger than {MAX_UPLOAD_BYTES} bytes") from None
        raise ctx.fail(
            "REMOTE_UPLOAD_FETCH_FAILED", f"could not fetch the remote image: {exc.message}", retryable=True
        ) from None
    if not 200 <= response.status < 300:
        raise ctx.fail(
            "REMOTE_UPLOAD_FETCH_FAILED",
            f"the remote image answered HTTP {response.status}",
            retryable=response.status >= 500,
        )
    name = os.path.basename(unquote(urlsplit(url).path)) or "remote-image"
    header = response.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    mime = header if header in EXTENSION_FOR else None
    if mime is None and not header:
        mime = _mime_from_name(name)
    if mime is None:
        raise ctx.fail(
            "UPLOAD_MIME_TYPE_UNKNOWN",
            f"the remote file's type {header or 'unknown'!r} is not an allowed image type ({_allowed_types()})",
        )
    return response.body, name, mime


def upload_fields(ctx: Any, reference: str) -> dict[str, Any]:
    """The request fields of an upload of ``reference`` (a local path or an http(s) URL)."""
    import base64
    import hashlib

    if is_remote(reference):
        data, name, mime = fetch_remote(ctx, reference)
        parts = urlsplit(reference)
        source_kind, remote_origin = "remote_url", f"{parts.scheme.lower()}://{parts.netloc.rsplit('@', 1)[-1]}"
    else:
        data, name, mime = read_local(ctx, reference)
        source_kind, remote_origin = "local_path", None
    return {
        "source_kind": source_kind,
        "filename": name,
        "remote_origin": remote_origin,
        "mime_type": mime,
        "content_length": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "bytes_base64": base64.b64encode(data).decode("ascii"),
    }


def resolve_image(ctx: Any, reference: str, uploader: Any) -> str:
    """An asset id for ``reference``: an id or owned URL is used as is; anything else is uploaded."""
    if ASSET_ID.match(reference):
        return reference
    if is_remote(reference):
        owned = ctx.owned_asset_id(reference, strict=False)
        if owned != reference:
            return owned
    envelope, code = uploader(reference)
    if not envelope.get("ok"):
        raise _Abort(envelope, code)
    data = envelope.get("data") if isinstance(envelope.get("data"), dict) else {}
    asset = data.get("asset") if isinstance(data.get("asset"), dict) else data
    asset_id = asset.get("asset_id") if isinstance(asset, dict) else None
    if not isinstance(asset_id, str) or not asset_id:
        raise ctx.fail(
            "UPLOAD_ASSET_ID_MISSING",
            f"the upload of {os.path.basename(reference)} returned no asset id",
            retryable=True,
        )
    return asset_id


class _Abort(Exception):
    """A failed hosted call in the middle of a multi-step command: print its envelope."""

    def __init__(self, envelope: dict[str, Any], code: int) -> None:
        super().__init__("aborted")
        self.envelope = envelope
        self.code = code


Abort = _Abort


def safe_basename(asset_id: str, mime: str | None) -> str:
    name = re.sub(r"[^A-Za-z0-9._-]", "_", asset_id).lstrip(".") or "asset"
    name = name[:120]
    extension = EXTENSION_FOR.get((mime or "").lower())
    if extension and not name.lower().endswith("." + extension):
        name = f"{name}.{extension}"
    return name


def download(
    ctx: Any, url: str, output: str, *, overwrite: bool, sha256: str | None, expected_bytes: int | None
) -> dict[str, Any]:
    import hashlib

    from .hosted import timeout_seconds

    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ctx.fail(
            "ASSET_DOWNLOAD_FAILED", "the asset URL is not an http(s) URL; refusing to fetch it", retryable=False
        )
    target = os.path.abspath(output)
    folder = os.path.dirname(target)
    existed = os.path.lexists(target)
    if os.path.isdir(target):
        raise ctx.fail("OUTPUT_EXISTS", f"{output} is a folder; give a file path to --output")
    if existed and not overwrite:
        raise ctx.fail("OUTPUT_EXISTS", f"{output} already exists; pass --overwrite to replace it")
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError as exc:
        raise ctx.fail("LOCAL_FILE_FAILED", f"could not create {folder}: {exc.strerror}") from None
    tmp = os.path.join(folder, f".{os.path.basename(target)}.{os.getpid()}-{os.urandom(4).hex()}.part")
    digest = hashlib.sha256()
    written = 0
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except OSError as exc:
        raise ctx.fail("LOCAL_FILE_FAILED", f"could not write in {folder}: {exc.strerror}") from None
    try:
        with os.fdopen(fd, "wb") as handle:

            def sink(chunk: bytes) -> None:
                nonlocal written
                handle.write(chunk)
                digest.update(chunk)
                written += len(chunk)

            try:
                response = transport.request(
                    "GET",
                    url,
                    headers={"Accept": "*/*", "User-Agent": f"{ctx.table.cli_name}/{ctx.table.version}"},
                    timeout=timeout_seconds(ctx.table),
                    max_bytes=MAX_DOWNLOAD_BYTES,
                    sink=sink,
                    total_timeout=DOWNLOAD_TOTAL_FACTOR * timeout_seconds(ctx.table),
                )
            except transport.TransportError as exc:
                if exc.kind == "short":
                    raise ctx.fail(
                        "ASSET_INTEGRITY_MISMATCH", f"the download stopped early ({written} bytes); nothing was written"
                    ) from None
                raise ctx.fail(
                    "ASSET_DOWNLOAD_FAILED",
                    f"the download failed: {exc.message}",
                    retryable=exc.kind in ("network", "timeout"),
                ) from None
            if not 200 <= response.status < 300:
                raise ctx.fail(
                    "ASSET_DOWNLOAD_FAILED",
                    f"the asset URL answered HTTP {response.status}",
                    retryable=response.status >= 500,
                )
            handle.flush()
            os.fsync(handle.fileno())
        length_header = response.headers.get("content-length")
        declared = int(length_header) if length_header and length_header.strip().isdigit() else None
        if declared is not None and declared != written:
            raise ctx.fail(
                "ASSET_INTEGRITY_MISMATCH",
                f"got {written} bytes but the server declared {declared}; nothing was written",
            )
        if expected_bytes is not None and expected_bytes != written:
            raise ctx.fail(
                "ASSET_INTEGRITY_MISMATCH",
                f"got {written} bytes but the asset metadata says {expected_bytes}; nothing was written",
            )
        actual = digest.hexdigest()
        if sha256 and actual.lower() != sha256.lower():
            raise ctx.fail(
                "ASSET_INTEGRITY_MISMATCH", "the downloaded bytes do not match the asset's sha256; nothing was written"
            )
        _place(ctx, tmp, target, overwrite)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return {
        "output_path": target,
        "bytes": written,
        "sha256": actual,
        "sha256_verified": bool(sha256),
        "content_type": response.headers.get("content-type"),
        "content_length_header": declared,
        "overwritten": existed,
    }


def _place(ctx: Any, tmp: str, target: str, overwrite: bool) -> None:
    if overwrite:
        os.replace(tmp, target)
        return
    try:
        os.link(tmp, target)  # fails if target appeared meanwhile: never clobber
    except FileExistsError:
        raise ctx.fail(
            "OUTPUT_EXISTS", f"{target} appeared during the download; pass --overwrite to replace it"
        ) from None
    except OSError:
        if os.path.lexists(target):
            raise ctx.fail("OUTPUT_EXISTS", f"{target} already exists; pass --overwrite to replace it") from None
        os.replace(tmp, target)
        return
    os.unlink(tmp)
