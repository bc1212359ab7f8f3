"""The thin client as the product's own distribution: a wheel and an sdist, byte-reproducible.

Both are written here with ``zipfile`` and ``tarfile`` rather than by a build backend:
the client has no dependencies and no compiled parts, so a wheel is a handful of files
plus ``*.dist-info``, and writing it directly is what makes it reproducible and offline
(no build isolation, no backend version in the bytes, no clock, no umask, no file order
from the disk).

- Wheel (``<dist>-<version>-py3-none-any.whl``): entries sorted, ``*.dist-info`` last
  with ``RECORD`` the final entry; every entry dated with the release date, mode 0644,
  *stored* rather than deflated. Deflated bytes depend on the zlib build of the machine;
  stored bytes do not, so anyone can rebuild the wheel and get the same digest.
- Sdist (``<dist>-<version>.tar.gz``): one ``<dist>-<version>/`` folder with
  ``PKG-INFO``, a setuptools ``pyproject.toml`` that rebuilds the same package, a README
  and the package itself; ustar members sorted, owner 0/0 without names, release date as
  mtime; gzip header without name or timestamp. (Gzip bytes, unlike the wheel's, can
  differ between zlib builds; on one machine they never change.)

The package, under the import name derived from ``client.package`` (``acme-notes`` →
``acme_notes``), holds ``client/`` (the runtime, ``skillpress/client/*.py``, with the
compiled ``contract.json``, ``SKILL.md`` and the product's ``hooks/`` package next to it,
where ``main.py`` looks for them), ``contract/`` (the standard-library contract modules
the runtime imports as ``..contract``) and the agent files in ``agent/``. Every module
imports the others relatively, so the package can carry any name.
"""

from __future__ import annotations

import ast
import base64
import gzip
import hashlib
import io
import json
import re
import tarfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from skillpress import __version__
from skillpress.diagnostics import SkillpressError

#: The earliest date a zip entry can carry.
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


@dataclass
class Distribution:
    """What a client distribution holds: metadata, the package files and its console script."""

    name: str  # as published, e.g. ``acme-notes``
    version: str
    import_name: str  # e.g. ``acme_notes``
    summary: str
    cli_name: str
    description: str  # the long description (markdown)
    license: str | None = None
    author: str | None = None
    keywords: list[str] = field(default_factory=list)
    urls: dict[str, str] = field(default_factory=dict)  # label → URL, in order
    files: dict[str, bytes] = field(default_factory=dict)  # path inside the package → bytes
    date_time: tuple[int, int, int, int, int, int] = ZIP_EPOCH
    requires_python: str = ">=3.11"
    # Optional extras: name -> requirements (``mcp`` -> the MCP SDK for ``<cli> mcp``); the
    # base install stays dependency-free.
    extras: dict[str, list[str]] = field(default_factory=dict)

    @property
    def normalized(self) -> str:
        """The file-name form of the name (PEP 427 / PEP 625): ``acme_notes``."""
        return re.sub(r"[-_.]+", "_", self.name).lower()

    @property
    def wheel_name(self) -> str:
        return f"{self.normalized}-{self.version}-py3-none-any.whl"

    @property
    def sdist_name(self) -> str:
        return f"{self.normalized}-{self.version}.tar.gz"

    @property
    def dist_info(self) -> str:
        return f"{self.normalized}-{self.version}.dist-info"

    @property
    def entry_point(self) -> str:
        return f"{self.import_name}.client.main:run"


def import_name(package: str) -> str:
    """``acme-notes`` → ``acme_notes``; refuse a name Python cannot import."""
    name = re.sub(r"[-.]+", "_", package).lower()
    if not name.isidentifier() or name in {"skillpress", "test", "tests"}:
        raise SkillpressError(f"client package {package!r} gives no usable import name ({name!r})")
    return name


def client_modules(client_dir: Path) -> dict[str, bytes]:
    """The thin client's modules, refusing any that import ``skillpress`` absolutely.

    Such an import would break once the package is renamed for the product.
    """
    modules: dict[str, bytes] = {}
    for path in sorted(client_dir.glob("*.py")):
        data = path.read_bytes()
        tree = ast.parse(data, filename=str(path))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            for name in names:
                if name.split(".")[0] == "skillpress":
                    raise SkillpressError(
                        f"line {getattr(node, 'lineno', 0)}: the thin client must import its own modules "
                        f"relatively (found `{name}`), or it cannot ship as its own package",
                        file=str(path),
                    )
        modules[path.name] = data
    if "main.py" not in modules or "__init__.py" not in modules:
        raise SkillpressError("the thin client package is incomplete (no main.py or __init__.py)", file=str(client_dir))
    return modules


#: Contract modules a client needs at run time (``compile`` needs the spec model and stays out).
CONTRACT_RUNTIME = ("__init__.py", "invocation.py", "protocol.py", "requests.py", "pricing.py")


def contract_modules(contract_dir: Path) -> dict[str, bytes]:
    """The standard-library contract modules the runtime imports (those present)."""
    return {name: (contract_dir / name).read_bytes() for name in CONTRACT_RUNTIME if (contract_dir / name).is_file()}


def hooks_package(spec: Any, spec_path: Path) -> dict[str, bytes]:
    """The product's hooks package (``protocol.hooks``, relative to the spec): its ``.py`` files."""
    folder = spec.protocol.hooks if spec.protocol is not None else None
    if not folder:
        return {}
    root = (spec_path.parent / folder).resolve()
    files: dict[str, bytes] = {}
    for path in sorted(root.rglob("*.py")):
        if "__pycache__" in path.parts:
            continue
        files[path.relative_to(root).as_posix()] = path.read_bytes()
    return files


# --------------------------------------------------------------------------- metadata


def metadata(dist: Distribution) -> bytes:
    """Core metadata 2.1 (``METADATA`` in the wheel, ``PKG-INFO`` in the sdist)."""
    lines = [
        "Metadata-Version: 2.1",
        f"Name: {dist.name}",
        f"Version: {dist.version}",
        f"Summary: {_one_line(dist.summary)}",
    ]
    if dist.keywords:
        lines.append(f"Keywords: {','.join(dist.keywords)}")
    if dist.author:
        lines.append(f"Author: {_one_line(dist.author)}")
    if dist.license:
        lines.append(f"License: {_one_line(dist.license)}")
    for label, url in dist.urls.items():
        lines.append(f"Project-URL: {label}, {url}")
    lines += [
        "Classifier: Environment :: Console",
        "Classifier: Programming Language :: Python :: 3",
        "Classifier: Programming Language :: Python :: 3 :: Only",
        f"Requires-Python: {dist.requires_python}",
    ]
    for extra, requirements in dist.extras.items():
        lines.append(f"Provides-Extra: {extra}")
        lines += [f'Requires-Dist: {requirement} ; extra == "{extra}"' for requirement in requirements]
    lines.append("Description-Content-Type: text/markdown")
    return ("\n".join(lines) + "\n\n" + dist.description.rstrip("\n") + "\n").encode("utf-8")


def _one_line(text: str) -> str:
    return " ".join(text.split())


def wheel_file() -> bytes:
    return (
        f"Wheel-Version: 1.0\nGenerator: skillpress {__version__}\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    ).encode()


def entry_points(dist: Distribution) -> bytes:
    return f"[console_scripts]\n{dist.cli_name} = {dist.entry_point}\n".encode()


def record_hash(data: bytes) -> str:
    """``sha256=<urlsafe base64 without padding>``, as RECORD wants it."""
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


# --------------------------------------------------------------------------- wheel


def wheel_members(dist: Distribution) -> dict[str, bytes]:
    """Every wheel entry but RECORD, package files first (sorted), then the dist-info files."""
    members = {f"{dist.import_name}/{path}": data for path, data in sorted(dist.files.items())}
    info = dist.dist_info
    members[f"{info}/METADATA"] = metadata(dist)
    members[f"{info}/WHEEL"] = wheel_file()
    members[f"{info}/entry_points.txt"] = entry_points(dist)
    members[f"{info}/top_level.txt"] = f"{dist.import_name}\n".encode()
    return members


def record(dist: Distribution, members: dict[str, bytes]) -> bytes:
    rows = [f"{path},{record_hash(data)},{len(data)}" for path, data in members.items()]
    rows.append(f"{dist.dist_info}/RECORD,,")
    for row in rows:
        if row.split(",")[0].count('"') or len(row.split(",")) != 3:
            raise SkillpressError(f"a packaged path cannot go into RECORD: {row.split(',')[0]!r}")
    return ("\n".join(rows) + "\n").encode()


def build_wheel(dist: Distribution) -> bytes:
    members = wheel_members(dist)
    members[f"{dist.dist_info}/RECORD"] = record(dist, members)
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, mode="w", compression=zipfile.ZIP_STORED) as zf:
        for path, data in members.items():
            info = zipfile.ZipInfo(path, date_time=dist.date_time)
            info.compress_type = zipfile.ZIP_STORED
            info.create_system = 3  # unix, so that the permission bits mean something
            info.external_attr = (0o100644 & 0xFFFF) << 16
            zf.writestr(info, data)
    return packed.getvalue()


# --------------------------------------------------------------------------- sdist


def _toml(value: object) -> str:
    """A TOML value for strings and lists of strings (JSON's escapes are valid TOML)."""
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def sdist_pyproject(dist: Distribution) -> bytes:
    """A setuptools project that builds the same package (and the same entry point)."""
    project = [
        f"name = {_toml(dist.name)}",
        f"version = {_toml(dist.version)}",
        f"description = {_toml(_one_line(dist.summary))}",
        'readme = "README.md"',
        f"requires-python = {_toml(dist.requires_python)}",
        "dependencies = []",
    ]
    if dist.license:
        project.append(f"license = {{ text = {_toml(dist.license)} }}")
    if dist.author:
        project.append(f"authors = [{{ name = {_toml(dist.author)} }}]")
    if dist.keywords:
        project.append(f"keywords = {_toml(list(dist.keywords))}")
    data_dirs = sorted({path.rsplit("/", 1)[0] + "/*" for path in dist.files if "/" in path})
    text = "\n".join(
        [
            "# Written by `skillpress publish`; rebuilds the same package as the published wheel.",
            "[build-system]",
            'requires = ["setuptools>=64"]',
            'build-backend = "setuptools.build_meta"',
            "",
            "[project]",
            *project,
            "",
            *(["[project.optional-dependencies]"] if dist.extras else []),
            *(f"{extra} = {_toml(list(requirements))}" for extra, requirements in dist.extras.items()),
            *([""] if dist.extras else []),
            "[project.urls]",
            *(f"{_toml(label)} = {_toml(url)}" for label, url in dist.urls.items()),
            "",
            "[project.scripts]",
            f"{_toml(dist.cli_name)} = {_toml(dist.entry_point)}",
            "",
            "[tool.setuptools]",
            f"packages = {_toml([dist.import_name])}",
            "include-package-data = false",
            "",
            "[tool.setuptools.package-data]",
            f"{dist.import_name} = {_toml(data_dirs)}",
            "",
        ]
    )
    return text.encode("utf-8")


def sdist_members(dist: Distribution) -> dict[str, bytes]:
    root = f"{dist.normalized}-{dist.version}"
    members = {
        f"{root}/PKG-INFO": metadata(dist),
        f"{root}/README.md": dist.description.rstrip("\n").encode("utf-8") + b"\n",
        f"{root}/pyproject.toml": sdist_pyproject(dist),
    }
    for path, data in dist.files.items():
        members[f"{root}/{dist.import_name}/{path}"] = data
    return dict(sorted(members.items()))


def build_sdist(dist: Distribution) -> bytes:
    import calendar

    mtime = calendar.timegm((*dist.date_time, 0, 0, 0))
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        folders: set[str] = set()
        for path, data in sdist_members(dist).items():
            parts = path.split("/")[:-1]
            for depth in range(1, len(parts) + 1):  # explicit folders, so extraction keeps modes sane
                folder = "/".join(parts[:depth])
                if folder not in folders:
                    folders.add(folder)
                    tar.addfile(_tarinfo(folder + "/", 0, mtime, directory=True))
            tar.addfile(_tarinfo(path, len(data), mtime), io.BytesIO(data))
    packed = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=packed, compresslevel=9, mtime=0) as gz:
        gz.write(raw.getvalue())
    return packed.getvalue()


def _tarinfo(name: str, size: int, mtime: int, *, directory: bool = False) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name.rstrip("/") if directory else name)
    info.size = size
    info.mtime = mtime
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    if directory:
        info.type = tarfile.DIRTYPE
        info.mode = 0o755
    else:
        info.mode = 0o644
    return info


__all__ = [
    "Distribution",
    "build_sdist",
    "build_wheel",
    "client_modules",
    "contract_modules",
    "hooks_package",
    "import_name",
    "metadata",
    "record_hash",
    "sdist_pyproject",
]
