"""Build (strict) or preview the generated site with mkdocs.

``site/`` holds the mkdocs sources that ``skillpress build`` generates from the spec; the
HTML goes to ``_site/`` at the project root (git-ignored, outside ``site/`` so the drift
check never sees it).

A build is skipped when nothing changed: a stamp in ``.skillpress-cache/`` records one
digest over every file under ``site/`` plus the versions of skillpress, mkdocs and
mkdocs-material and the source of the skillpress mkdocs plugin. Checking the stamp
hashes a few hundred kilobytes and never imports mkdocs, which is imported only when a
build or a preview really runs.

A build writes into a fresh folder in the project's staging area (``.skillpress-cache/
staging/``, on the same file system) and swaps it in only when mkdocs succeeded, so a
failed strict build leaves the previous site (and no stamp) behind, and a killed one
leaves the previous site and nothing beside it; the next run clears what it left.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from skillpress import __version__
from skillpress.diagnostics import SkillpressError
from skillpress.output.write import recover_dir, replace_dir, write_atomic
from skillpress.project import Project, absolute, remove_leftovers, staging_area


class SiteBuildError(SkillpressError):
    """mkdocs refused the site (a warning in strict mode, a bad config, a plugin error)."""

    def __init__(self, message: str, warnings: list[str]) -> None:
        super().__init__(message)
        self.warnings = warnings


def _tool_versions() -> str:
    """Versions of the tools that shape the HTML, read from package metadata (mkdocs itself
    is not imported: an unchanged site must answer without loading it)."""
    from importlib.metadata import PackageNotFoundError, version

    def installed(name: str) -> str:
        try:
            return version(name)
        except PackageNotFoundError:
            return "absent"

    plugin = Path(__file__).with_name("plugin.py").read_bytes()
    return (
        f"skillpress {__version__}; mkdocs {installed('mkdocs')}; material {installed('mkdocs-material')}; "
        f"plugin {hashlib.sha256(plugin).hexdigest()}"
    )


def input_digest(source: Path) -> str:
    """One sha256 over the tool versions and every file under ``source`` (path and bytes)."""
    digest = hashlib.sha256(_tool_versions().encode())
    for path in sorted(p for p in source.rglob("*") if p.is_file()):
        rel = path.relative_to(source).as_posix()
        digest.update(b"\0" + rel.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(f"{record.levelname}: {record.getMessage()}")


def mkdocs_build(config_file: Path, site_dir: Path, *, strict: bool = True) -> list[str]:
    """Run ``mkdocs build`` (strict by default) of ``config_file`` into ``site_dir``.

    Returns the warnings mkdocs logged (none when strict succeeded); raises
    ``SiteBuildError`` when mkdocs failed.
    """
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    logger = logging.getLogger("mkdocs")
    collect = _Collect()
    logger.addHandler(collect)
    previous_propagate = logger.propagate
    logger.propagate = False  # mkdocs' messages go to our collector, not to stderr twice
    try:
        config = load_config(config_file=str(config_file), strict=strict, site_dir=str(site_dir))
        config.plugins.on_startup(command="build", dirty=False)
        try:
            build(config)
        finally:
            config.plugins.on_shutdown()
    except MkDocsException as exc:
        raise SiteBuildError(f"mkdocs build of {config_file} failed: {exc}", collect.messages) from None
    finally:
        logger.removeHandler(collect)
        logger.propagate = previous_propagate
    return collect.messages


@dataclass
class SiteResult:
    built: bool
    site_dir: Path
    seconds: float
    warnings: list[str]


def build_site(project: Project, *, site_dir: Path | None = None, force: bool = False) -> SiteResult:
    """Build the project's ``site/`` into ``site_dir`` (default: its site output) unless the stamp
    says it is current. Every path is absolute (``Project`` resolved them)."""
    start = time.perf_counter()
    config_file = project.mkdocs_config
    if not config_file.is_file():
        raise SkillpressError(
            "no generated site to build; run `skillpress build` first", file=project.display(config_file)
        )
    target = absolute(site_dir) if site_dir is not None else project.site_output
    scratch = staging_area(project.root, target)
    recover_dir(target, scratch=scratch)
    remove_leftovers(scratch, (f".skillpress-building-{target.name}*",))
    stamp_file = project.site_stamp
    digest = input_digest(project.site_dir)
    stamp = {"inputs": digest, "site_dir": str(target)}
    if not force and (target / "index.html").is_file() and _read_stamp(stamp_file) == stamp:
        return SiteResult(False, target, time.perf_counter() - start, [])

    stamp_file.unlink(missing_ok=True)
    fresh = scratch / f".skillpress-building-{target.name}-{os.getpid()}"
    shutil.rmtree(fresh, ignore_errors=True)
    try:
        warnings = mkdocs_build(config_file, fresh)
        if not (fresh / "index.html").is_file():
            raise SkillpressError(f"the site build wrote no index.html (config {project.display(config_file)})")
        target.parent.mkdir(parents=True, exist_ok=True)
        replace_dir(fresh, target, scratch=scratch)
    except BaseException:
        shutil.rmtree(fresh, ignore_errors=True)
        raise
    write_atomic(stamp_file, (json.dumps(stamp, indent=2) + "\n").encode("utf-8"), staging=project.staging_dir)
    return SiteResult(True, target, time.perf_counter() - start, warnings)


def _read_stamp(path: Path) -> object:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def build_command(
    project: Project, *, site_dir: Path | None = None, force: bool = False, stderr: TextIO | None = None
) -> int:
    """``skillpress site build``: exit 0 built or up to date, 1 mkdocs refused the site, 2 could not run."""
    stderr = stderr or sys.stderr
    try:
        result = build_site(project, site_dir=site_dir, force=force)
    except SiteBuildError as exc:
        for line in exc.warnings:
            stderr.write(f"  {line}\n")
        stderr.write(f"site: {exc}\n")
        return 1
    where = project.display(result.site_dir)
    if result.built:
        stderr.write(f"site: built {where} in {result.seconds:.2f}s (mkdocs --strict)\n")
    else:
        stderr.write(f"site: {where} is up to date\n")
    return 0


def serve(project: Project, *, port: int = 8000, host: str = "127.0.0.1") -> int:
    """``skillpress site serve``: mkdocs' live-reloading preview of the project's site (blocks until Ctrl-C)."""
    config_file = project.mkdocs_config
    if not config_file.is_file():
        raise SkillpressError("no generated site to serve; run `skillpress build` first", file=str(config_file))
    from mkdocs.commands.serve import serve as mkdocs_serve
    from mkdocs.exceptions import MkDocsException

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
    logger = logging.getLogger("mkdocs")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    try:
        # mkdocs also watches site/agent/ through the plugin's on_serve hook
        mkdocs_serve(config_file=str(config_file), dev_addr=f"{host}:{port}", livereload=True)
    except MkDocsException as exc:
        raise SkillpressError(f"mkdocs serve failed: {exc}") from None
    finally:
        logger.removeHandler(handler)
    return 0
