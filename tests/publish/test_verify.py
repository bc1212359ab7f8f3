"""`skillpress verify` pinned to a manifest, reading versions from files, refusing links and special files.

Tests that need a real release copy the session's ``published`` one; the refusal cases use
small fake releases written here, each with a twin that just passes.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import socket
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from skillpress.publish import verify
from skillpress.publish.verify import _kind
from tests.cli import invoke
from tests.publish.conftest import Published


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def run(folder: Path, pin: str | None = None) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = verify(folder, expect_manifest=pin, stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def cli(*args: str) -> tuple[int, str]:
    result = invoke(["verify", *args])
    return result.exit_code, result.output


def copy(published: Published, tmp_path: Path) -> Path:
    dist = tmp_path / "dist"
    shutil.copytree(published.out, dist)
    return dist


# --------------------------------------------------------------------------- pinning a real release


def test_publish_prints_the_digest_of_release_json_as_its_last_status_line(published: Published) -> None:
    digest = sha256((published.out / "release.json").read_bytes())
    assert published.stderr.splitlines()[-1] == f"release.json sha256:{digest}"
    assert published.stderr.splitlines()[-2].startswith("publish: image-skill 0.1.9 in ")
    assert digest not in published.stdout


def test_verify_accepts_the_pin_as_publish_printed_it_or_bare(published: Published) -> None:
    digest = sha256((published.out / "release.json").read_bytes())
    for pin in (f"sha256:{digest}", digest, f"SHA256:{digest.upper()}", f" sha256:{digest}\n"):
        code, output = cli(str(published.out), "--expect-manifest", pin)
        assert code == 0, output
        assert f"release.json sha256:{digest} (as expected)" in output


def test_verify_refuses_a_release_whose_manifest_is_not_the_pinned_one(published: Published, tmp_path: Path) -> None:
    dist = copy(published, tmp_path)
    pinned = sha256((dist / "release.json").read_bytes())
    assert run(dist, pinned)[0] == 0  # the fixture that just passes
    # Same files, and a release.json that still describes them: only its bytes differ.
    manifest = json.loads((dist / "release.json").read_text(encoding="utf-8"))
    (dist / "release.json").write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    assert run(dist)[0] == 0  # unpinned, it is a consistent release
    code, out, err = run(dist, f"sha256:{pinned}")
    assert code == 1 and out == ""  # nothing of an unpinned manifest is trusted, not even its file list
    changed = sha256((dist / "release.json").read_bytes())
    assert f"release.json is sha256:{changed}, not the expected sha256:{pinned}" in err
    assert "refusing this release" in err
    code, output = cli(str(dist), "--expect-manifest", pinned)
    assert code == 1 and "not the expected" in output


def test_a_pin_that_is_not_a_sha256_is_a_usage_error(published: Published) -> None:
    for pin in ("", "sha256:", "abc", "sha512:" + "0" * 64, "0" * 63, "g" * 64, "md5:" + "0" * 32):
        code, output = cli(str(published.out), "--expect-manifest", pin)
        assert code == 2, pin
        assert "--expect-manifest" in output


# --------------------------------------------------------------------------- versions read from files


def test_verify_reports_the_version_read_from_each_file(published: Published) -> None:
    code, out, err = run(published.out)
    assert code == 0 and out == ""
    wheel = "client/image_skill-0.1.9-py3-none-any.whl"
    assert "verify: version 0.1.9 read from:" in err
    assert f"  {wheel} (image_skill-0.1.9.dist-info/METADATA Version)" in err
    assert f"  {wheel} (image_skill/client/contract.json product.version)" in err
    assert "  client/image_skill-0.1.9.tar.gz (image_skill-0.1.9/PKG-INFO Version)" in err
    assert "  skills-bundle/.claude-plugin/plugin.json (version)" in err


def test_a_manifest_claiming_another_version_than_its_files_is_refused(published: Published, tmp_path: Path) -> None:
    dist = copy(published, tmp_path)
    manifest = json.loads((dist / "release.json").read_text(encoding="utf-8"))
    manifest["version"] = "0.2.0"
    (dist / "release.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    code, out, err = run(dist)
    assert code == 1
    lines = out.splitlines()
    assert len(lines) == 5 and all(line.startswith("VERSION: ") for line in lines)
    assert any(line.startswith("VERSION: skills-bundle/plugin.json ") for line in lines)  # the plugin states it too
    assert all(line.endswith("says version 0.1.9; release.json says 0.2.0") for line in lines)
    assert "image-skill 0.2.0: 5 difference(s)" in err


# --------------------------------------------------------------------------- small fake releases


def wheel_bytes(version: str, *, table_version: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as wheel:
        wheel.writestr("tool/__init__.py", "")
        wheel.writestr("tool/client/contract.json", json.dumps({"product": {"version": table_version or version}}))
        wheel.writestr(f"tool-{version}.dist-info/METADATA", f"Metadata-Version: 2.1\nName: tool\nVersion: {version}\n")
    return buffer.getvalue()


def fake_release(folder: Path, files: dict[str, bytes] | None = None, *, version: str = "1.0.0") -> Path:
    """A release folder holding ``files`` (default: a wheel and a page) and a matching release.json."""
    if files is None:
        files = {f"client/tool-{version}-py3-none-any.whl": wheel_bytes(version), "site/index.html": b"<p>hi</p>\n"}
    for rel, data in files.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    write_manifest(folder, [(rel, data) for rel, data in sorted(files.items())], version=version)
    return folder


def write_manifest(folder: Path, listed: list[tuple[str, bytes]], *, version: str = "1.0.0") -> bytes:
    manifest = {
        "format": 1,
        "product": "tool",
        "name": "Tool",
        "version": version,
        "files": [{"path": rel, "bytes": len(data), "sha256": sha256(data)} for rel, data in listed],
    }
    text = (json.dumps(manifest, indent=2) + "\n").encode()
    (folder / "release.json").write_bytes(text)
    return text


def test_a_fake_release_passes(tmp_path: Path) -> None:
    dist = fake_release(tmp_path / "dist")
    code, out, err = run(dist)
    assert code == 0, out + err
    assert "tool-1.0.0.dist-info/METADATA Version" in err


def test_a_wheel_of_another_version_is_refused_even_when_the_manifest_lists_it(tmp_path: Path) -> None:
    # release.json was rewritten to match a swapped wheel: every hash agrees, the version does not
    dist = fake_release(tmp_path / "dist", {"client/tool-1.0.0-py3-none-any.whl": wheel_bytes("9.9.9")})
    code, out, _ = run(dist)
    assert code == 1
    assert (
        "VERSION: client/tool-1.0.0-py3-none-any.whl (tool-9.9.9.dist-info/METADATA Version) says version 9.9.9" in out
    )
    dist = fake_release(
        tmp_path / "two", {"client/tool-1.0.0-py3-none-any.whl": wheel_bytes("1.0.0", table_version="1.0.1")}
    )
    code, out, _ = run(dist)
    assert code == 1 and out.startswith("VERSION: client/tool-1.0.0-py3-none-any.whl (tool/client/contract.json")


def test_a_release_where_no_file_states_a_version_is_refused(tmp_path: Path) -> None:
    dist = fake_release(tmp_path / "dist", {"site/index.html": b"<p>hi</p>\n"})
    code, out, _ = run(dist)
    assert code == 1 and "VERSION: no checked file states a version" in out


def test_an_unreadable_wheel_is_a_version_problem_not_a_traceback(tmp_path: Path) -> None:
    dist = fake_release(tmp_path / "dist", {"client/tool-1.0.0-py3-none-any.whl": b"not a zip"})
    code, out, _ = run(dist)
    assert code == 1 and out.startswith("VERSION: client/tool-1.0.0-py3-none-any.whl (unreadable: ")


def test_a_wheel_whose_command_table_nests_too_deep_is_a_version_problem(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as wheel:
        wheel.writestr("tool/client/contract.json", "[" * 100_000 + "]" * 100_000)
        wheel.writestr("tool-1.0.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: tool\nVersion: 1.0.0\n")
    dist = fake_release(tmp_path / "dist", {"client/tool-1.0.0-py3-none-any.whl": buffer.getvalue()})
    code, out, _ = run(dist)
    assert code == 1 and out.startswith("VERSION: client/tool-1.0.0-py3-none-any.whl (unreadable: RecursionError")


def test_a_symlinked_release_json_is_refused(tmp_path: Path) -> None:
    dist = fake_release(tmp_path / "dist")
    elsewhere = tmp_path / "elsewhere.json"
    os.replace(dist / "release.json", elsewhere)
    (dist / "release.json").symlink_to(elsewhere)  # following it would find a valid manifest
    code, out, err = run(dist, sha256(elsewhere.read_bytes()))
    assert code == 1
    assert "REFUSED: release.json (a symlink;" in out
    assert "release.json is a symlink, not a regular file" in err
    code, output = cli(str(dist))
    assert code == 1 and "release.json" in output


@pytest.mark.parametrize("where", ["file", "folder", "dangling"])
def test_a_symlink_anywhere_in_the_release_is_refused(tmp_path: Path, where: str) -> None:
    target = tmp_path / "target"
    target.mkdir()
    page = b"<p>hi</p>\n"
    (target / "index.html").write_bytes(page)
    dist = fake_release(tmp_path / "dist")
    if where == "file":
        # listed with the target's hash: a verifier that follows links would pass it
        (dist / "site" / "page.html").symlink_to(target / "index.html")
        listed = "site/page.html"
    elif where == "folder":
        (dist / "site" / "more").symlink_to(target, target_is_directory=True)
        listed = "site/more/index.html"
    else:
        (dist / "site" / "gone.html").symlink_to(tmp_path / "nowhere")
        listed = "site/gone.html"
    files = {p.relative_to(dist).as_posix(): p.read_bytes() for p in dist.rglob("*") if p.is_file()}
    files.pop("release.json")
    files[listed] = page
    write_manifest(dist, sorted(files.items()))
    code, out, err = run(dist)
    assert code == 1, out + err
    name = listed if where != "folder" else "site/more"
    assert f"REFUSED: {name} (a symlink;" in out
    assert "MISSING" not in out and "EXTRA" not in out  # named once, as what it is


def test_a_fifo_is_refused_without_being_opened(tmp_path: Path) -> None:
    dist = fake_release(tmp_path / "dist")
    os.mkfifo(dist / "site" / "pipe")
    # a subprocess with a timeout: opening the FIFO to read it would block forever
    proc = subprocess.run(
        [sys.executable, "-m", "skillpress", "verify", str(dist)], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 1
    assert "REFUSED: site/pipe (a FIFO;" in proc.stdout


def test_a_socket_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    dist = fake_release(tmp_path / "dist")
    monkeypatch.chdir(dist / "site")  # a short relative name: socket paths are limited to ~100 bytes
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
        server.bind("sock")
        code, out, _ = run(dist)
    assert code == 1 and "REFUSED: site/sock (a socket;" in out


def test_a_device_is_refused(tmp_path: Path) -> None:
    dist = fake_release(tmp_path / "dist")
    try:
        os.mknod(dist / "site" / "null", stat.S_IFCHR | 0o600, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("creating a device node needs privileges this run does not have")
    code, out, _ = run(dist)
    assert code == 1 and "REFUSED: site/null (a character device;" in out


def test_every_kind_of_special_file_has_a_name() -> None:
    assert _kind(stat.S_IFREG) is None and _kind(stat.S_IFDIR) is None
    assert _kind(stat.S_IFLNK) == "a symlink"
    assert _kind(stat.S_IFIFO) == "a FIFO"
    assert _kind(stat.S_IFSOCK) == "a socket"
    assert _kind(stat.S_IFCHR) == "a character device"
    assert _kind(stat.S_IFBLK) == "a block device"


@pytest.mark.parametrize(
    "path", ["../outside.txt", "site/../../outside.txt", "/etc/hostname", "site//index.html", "./site/x", "site\\x", ""]
)
def test_a_manifest_listing_a_path_outside_the_release_is_refused(tmp_path: Path, path: str) -> None:
    dist = fake_release(tmp_path / "dist")
    outside = tmp_path / "outside.txt"
    outside.write_bytes(b"not part of the release\n")
    files = {p.relative_to(dist).as_posix(): p.read_bytes() for p in dist.rglob("*") if p.is_file()}
    files.pop("release.json")
    listed = sorted(files.items()) + [(path, outside.read_bytes())]
    write_manifest(dist, listed)
    code, out, _ = run(dist)
    assert code == 1
    assert f"OUTSIDE: {path} (release.json lists a path that is not a file inside the release)" in out


def test_dots_inside_a_name_are_not_an_escape(tmp_path: Path) -> None:
    dist = fake_release(
        tmp_path / "dist",
        {"client/tool-1.0.0-py3-none-any.whl": wheel_bytes("1.0.0"), "site/..hidden": b"x", "site/a..b": b"y"},
    )
    assert run(dist)[0] == 0


def test_hostile_names_are_printed_escaped(tmp_path: Path) -> None:
    dist = fake_release(tmp_path / "dist")
    files = {p.relative_to(dist).as_posix(): p.read_bytes() for p in dist.rglob("*") if p.is_file()}
    files.pop("release.json")
    write_manifest(dist, [*sorted(files.items()), ("site/\x1b[2J\u202egone", b"")])
    (dist / "site" / "\x1b]0;x\x07").write_bytes(b"")
    code, out, _ = run(dist)
    assert code == 1
    assert "\x1b" not in out and "\u202e" not in out and "\x07" not in out
    assert "MISSING: site/\\x1b[2J\\u202egone" in out and "EXTRA: site/\\x1b]0;x\\x07" in out


def test_a_deeply_nested_release_is_reported_not_a_crash(tmp_path: Path) -> None:
    dist = fake_release(tmp_path / "dist")
    levels = [dist / "site"]
    try:
        for _ in range(1200):  # deeper than Python's recursion limit (pathlib's mkdir recurses too)
            levels.append(levels[-1] / "d")
            levels[-1].mkdir()
        (levels[-1] / "leaf.html").write_bytes(b"x")
        code, out, _ = run(dist)
        assert code == 1 and out.startswith("EXTRA: site/d/d/") and out.rstrip().endswith("/d/leaf.html")
    finally:
        # shutil.rmtree recurses as well: pytest could not clean this folder up later
        (levels[-1] / "leaf.html").unlink(missing_ok=True)
        for level in reversed(levels[1:]):
            if level.is_dir():
                level.rmdir()


def test_a_deeply_nested_manifest_cannot_be_read(tmp_path: Path) -> None:
    dist = fake_release(tmp_path / "dist")
    (dist / "release.json").write_text("[" * 100_000 + "]" * 100_000)
    code, output = cli(str(dist))
    assert code == 2 and "release.json cannot be read" in output


@pytest.mark.parametrize("fmt", [2, 0, "1", True, None])
def test_a_manifest_of_another_format_cannot_be_read(tmp_path: Path, fmt: object) -> None:
    """A release.json of another format may mean other fields: verify says it cannot judge it (exit 2)."""
    dist = fake_release(tmp_path / "dist")
    manifest = json.loads((dist / "release.json").read_text())
    if fmt is None:
        del manifest["format"]
    else:
        manifest["format"] = fmt
    (dist / "release.json").write_text(json.dumps(manifest))
    code, output = cli(str(dist))
    assert code == 2, output
    assert re.search(r"release\.json cannot be read: format .* is not 1", output), output


def test_publish_writes_the_format_verify_reads(published: Published) -> None:
    assert published.manifest["format"] == 1
