"""One home for a project's paths and its configuration.

A *project* is a folder that holds one product's spec and the files skillpress
generates from it. Its settings live in ``skillpress.toml`` or in the
``[tool.skillpress]`` table of ``pyproject.toml``; skillpress finds the nearest one by
walking up from the current folder, the way ruff and black find theirs. An explicit
argument (a spec path, ``--root``, ``--out``) always wins over the file.

Every path is resolved here, once, to an absolute path. The rest of skillpress takes a
:class:`Project` and never joins a relative path against the current folder itself:
mkdocs, for one, resolves relative paths against ``mkdocs.yml``, which is how a relative
``--root`` once made ``skillpress site build`` lose its output.

Settings (keys of ``[tool.skillpress]``, or top-level keys of ``skillpress.toml``; paths
are relative to the file that sets them)::

    spec = "product.yaml"          # the spec (required unless given on the command line)
    templates = "templates"        # optional folder of template overrides
    site-output = "_site"          # where `skillpress site build` writes the HTML
    publish-out = "dist"           # where `skillpress publish` writes a release
"""

from __future__ import annotations

import os
import shutil
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from skillpress.diagnostics import SkillpressError

CONFIG_FILES = ("skillpress.toml", "pyproject.toml")

#: Folders every file of which skillpress generates (relative to the project root).
SKILLS_DIR = "skills"
SITE_DIR = "site"
OWNED_DIRS = (SKILLS_DIR, SITE_DIR)
#: The agent files inside the site sources.
AGENT_DIR = f"{SITE_DIR}/agent"
#: The generated changelog, at the project root.
CHANGELOG = "CHANGELOG.md"
#: The list of files skillpress generated, so a build deletes only what it wrote.
MANIFEST = ".skillpress-manifest.json"
#: Git-ignored working folder: stamps, and staging space for atomic writes and swaps.
CACHE_DIR = ".skillpress-cache"

KNOWN_KEYS = {"spec", "templates", "site-output", "publish-out"}
DEFAULT_SITE_OUTPUT = "_site"
DEFAULT_PUBLISH_OUT = "dist"


@dataclass(frozen=True)
class Config:
    """What a config file says, with its paths already resolved against the file's folder."""

    file: Path
    folder: Path
    spec: Path | None = None
    templates: Path | None = None
    site_output: Path | None = None
    publish_out: Path | None = None


@dataclass(frozen=True)
class Project:
    """Absolute paths of one project. Build it with :func:`resolve`."""

    root: Path
    spec: Path | None = None
    config_file: Path | None = None
    templates: Path | None = None
    site_output: Path = field(default=Path(DEFAULT_SITE_OUTPUT))
    publish_out: Path = field(default=Path(DEFAULT_PUBLISH_OUT))

    def __post_init__(self) -> None:
        # Every path absolute, relative ones taken against the root (the defaults) or the cwd.
        root = absolute(self.root)
        object.__setattr__(self, "root", root)
        for name in ("spec", "config_file", "templates"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, absolute(value))
        for name in ("site_output", "publish_out"):
            object.__setattr__(self, name, absolute(getattr(self, name), root))

    @property
    def spec_path(self) -> Path:
        """The spec; commands that need one resolve the project with ``need_spec=True``."""
        if self.spec is None:
            raise SkillpressError("this command needs a spec, and none was given or configured")
        return self.spec

    # -- the fixed layout under the root

    @property
    def skills_dir(self) -> Path:
        return self.root / SKILLS_DIR

    @property
    def site_dir(self) -> Path:
        """The generated mkdocs sources (``mkdocs.yml``, ``docs/``, ``agent/``)."""
        return self.root / SITE_DIR

    @property
    def mkdocs_config(self) -> Path:
        return self.site_dir / "mkdocs.yml"

    @property
    def cache_dir(self) -> Path:
        return self.root / CACHE_DIR

    @property
    def staging_dir(self) -> Path:
        """Scratch space on the project's file system: temp files never sit in an owned folder."""
        return self.cache_dir / "staging"

    @property
    def site_stamp(self) -> Path:
        return self.cache_dir / "site-build.json"

    @property
    def manifest(self) -> Path:
        return self.root / MANIFEST

    def display(self, path: Path) -> str:
        """``path`` as a user should read it: relative to the current folder when under it."""
        return display_path(path)


def display_path(path: Path) -> str:
    try:
        return Path(path).resolve().relative_to(Path.cwd().resolve()).as_posix() or "."
    except ValueError:
        return str(path)


def absolute(path: Path | str, base: Path | None = None) -> Path:
    """``path`` made absolute against ``base`` (default: the current folder), without resolving symlinks
    in the last component, and with ``..`` collapsed."""
    path = Path(path).expanduser()
    if not path.is_absolute():
        path = (base or Path.cwd()) / path
    return Path(os.path.normpath(path))


# --------------------------------------------------------------------------- config files


def find_config(start: Path | None = None) -> Path | None:
    """The nearest ``skillpress.toml``, or ``pyproject.toml`` with a ``[tool.skillpress]`` table,
    in ``start`` (default: the current folder) or one of its parents."""
    folder = absolute(start or Path.cwd())
    for candidate_dir in (folder, *folder.parents):
        own = candidate_dir / "skillpress.toml"
        if own.is_file():
            return own
        pyproject = candidate_dir / "pyproject.toml"
        if pyproject.is_file() and _has_tool_table(pyproject):
            return pyproject
    return None


def _has_tool_table(pyproject: Path) -> bool:
    try:
        data = _read_toml(pyproject)
    except SkillpressError:
        return False
    tool = data.get("tool")
    return isinstance(tool, dict) and isinstance(tool.get("skillpress"), dict)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except OSError as exc:
        raise SkillpressError(f"cannot read the config: {exc.strerror or exc}", file=str(path)) from None
    except tomllib.TOMLDecodeError as exc:
        raise SkillpressError(f"the config is not valid TOML: {exc}", file=str(path)) from None


def read_config(path: Path) -> Config:
    """Read and check one config file; raise :class:`SkillpressError` naming the file and key."""
    path = absolute(path)
    data = _read_toml(path)
    if path.name == "pyproject.toml":
        tool = data.get("tool")
        table = tool.get("skillpress") if isinstance(tool, dict) else None
        prefix = "tool.skillpress."
        if not isinstance(table, dict):
            raise SkillpressError("has no [tool.skillpress] table", file=str(path))
    else:
        table, prefix = data, ""
    unknown = sorted(set(table) - KNOWN_KEYS)
    if unknown:
        raise SkillpressError(
            f"unknown setting {prefix}{unknown[0]}; known: {', '.join(sorted(KNOWN_KEYS))}", file=str(path)
        )
    folder = path.parent

    def a_path(key: str) -> Path | None:
        value = table.get(key)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            raise SkillpressError(f"{prefix}{key} must be a non-empty path string", file=str(path))
        return absolute(value, folder)

    return Config(
        file=path,
        folder=folder,
        spec=a_path("spec"),
        templates=a_path("templates"),
        site_output=a_path("site-output"),
        publish_out=a_path("publish-out"),
    )


def load_config(start: Path | None = None) -> Config | None:
    found = find_config(start)
    return read_config(found) if found is not None else None


# --------------------------------------------------------------------------- resolving a project


def resolve(
    spec: Path | str | None = None,
    *,
    root: Path | str | None = None,
    templates: Path | str | None = None,
    site_output: Path | str | None = None,
    publish_out: Path | str | None = None,
    start: Path | None = None,
    need_spec: bool = True,
) -> Project:
    """The project for one command: explicit arguments first, then the nearest config file
    (looked up from ``start``, default the current folder).

    ``root`` defaults to the config file's folder, else the current folder; ``spec`` to the
    config's ``spec``. With neither a spec argument nor a config, this raises a
    :class:`SkillpressError` that says how to create one.
    """
    config = load_config(start)
    spec_path = absolute(spec) if spec is not None else (config.spec if config else None)
    if spec_path is None and need_spec:
        if config is not None:
            raise SkillpressError('the config sets no spec; add spec = "path/to/spec.yaml"', file=str(config.file))
        raise SkillpressError(
            "no spec given and no skillpress config found in this folder or its parents; "
            "pass the spec's path, or run `skillpress init` to create a project "
            '(it writes skillpress.toml with spec = "...")'
        )
    if root is not None:
        root_path = absolute(root)
    elif config is not None:
        root_path = config.folder
    else:
        root_path = absolute(Path.cwd())
    if not root_path.is_dir():
        raise SkillpressError("the project root is not a folder", file=str(root_path))
    return Project(
        root=root_path,
        spec=spec_path,
        config_file=config.file if config else None,
        templates=absolute(templates) if templates is not None else (config.templates if config else None),
        site_output=absolute(site_output)
        if site_output is not None
        else ((config.site_output if config else None) or Path(DEFAULT_SITE_OUTPUT)),
        publish_out=absolute(publish_out)
        if publish_out is not None
        else ((config.publish_out if config else None) or Path(DEFAULT_PUBLISH_OUT)),
    )


# --------------------------------------------------------------------------- leftovers of killed runs

STAGING_PREFIX = ".skillpress-"


def staging_area(project_root: Path, near: Path) -> Path:
    """A scratch folder on the same file system as ``near`` (so a rename into place is atomic).

    That is the project's own staging folder when ``near`` lives on the project's file
    system, else a hidden folder beside ``near``.
    """
    staging = project_root / CACHE_DIR / "staging"
    try:
        staging.mkdir(parents=True, exist_ok=True)
        anchor = near if near.exists() else near.parent
        while not anchor.exists():
            anchor = anchor.parent
        if os.stat(staging).st_dev == os.stat(anchor).st_dev:
            return staging
    except OSError:
        pass
    return near.parent


def remove_leftovers(folder: Path, patterns: tuple[str, ...] = (f"{STAGING_PREFIX}*",)) -> list[Path]:
    """Delete what killed runs left in ``folder`` (only names skillpress itself creates)."""
    removed: list[Path] = []
    if not folder.is_dir():
        return removed
    for pattern in patterns:
        for path in sorted(folder.glob(pattern)):
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def walk_files(base: Path) -> Iterator[Path]:
    """Every file under ``base`` (symlinks included, not followed), in a stable order."""
    if not base.is_dir():
        return
    for dirpath, dirnames, filenames in os.walk(base):
        dirnames.sort()
        for name in sorted(filenames):
            yield Path(dirpath) / name
