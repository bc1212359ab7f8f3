"""Build (strict) or preview the generated site, with mkdocs or with Zensical.

``site/`` holds the mkdocs-material sources that ``skillpress build`` generates from the
spec; the HTML goes to ``_site/`` at the project root (git-ignored, outside ``site/`` so the
drift check never sees it). The HTML builder is mkdocs (the default) or Zensical, which
reads the same ``mkdocs.yml``; either way skillpress itself then adds the agent files and
the markdown twins (``skillpress.site.finish``), so those are byte-identical for both.

A build is skipped when nothing changed: a stamp in ``.skillpress-cache/`` records one
digest over every file under ``site/`` plus the builder, the versions of skillpress, mkdocs,
mkdocs-material and Zensical and the source of the finishing step. Checking the stamp
hashes a few hundred kilobytes and never imports mkdocs, which is imported only when a
build or a preview really runs.

A build writes into a fresh folder in the project's staging area (``.skillpress-cache/
staging/``, on the same file system) and swaps it in only when the builder succeeded, so a
failed strict build leaves the previous site (and no stamp) behind, and a killed one
leaves the previous site and nothing beside it; the next run clears what it left.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, TextIO

import yaml

from skillpress import __version__
from skillpress.diagnostics import SkillpressError
from skillpress.output.write import recover_dir, replace_dir, write_atomic
from skillpress.project import Project, absolute, remove_leftovers, staging_area
from skillpress.site.finish import finish_site

Builder = Literal["mkdocs", "zensical"]
BUILDERS: tuple[Builder, ...] = ("mkdocs", "zensical")


class SiteBuildError(SkillpressError):
    """The builder refused the site (a warning in strict mode, a bad config, a plugin error)."""

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

    finish = Path(__file__).with_name("finish.py").read_bytes()
    return (
        f"skillpress {__version__}; mkdocs {installed('mkdocs')}; material {installed('mkdocs-material')}; "
        f"zensical {installed('zensical')}; finish {hashlib.sha256(finish).hexdigest()}"
    )


def input_digest(source: Path, builder: Builder = "mkdocs") -> str:
    """One sha256 over the builder, tool versions and every file under ``source`` (path and bytes)."""
    digest = hashlib.sha256(f"{builder}; {_tool_versions()}".encode())
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
    """Run ``mkdocs build`` (strict by default) of ``config_file`` into ``site_dir``, then add
    the agent files and twins.

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
    finish_site(config_file, site_dir)
    return collect.messages


_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def zensical_executable() -> str | None:
    """``$SKILLPRESS_ZENSICAL``, else ``zensical`` next to this Python, else on PATH."""
    named = os.environ.get("SKILLPRESS_ZENSICAL")
    if named:
        return named
    beside = Path(sys.executable).with_name("zensical")
    if beside.is_file():
        return str(beside)
    return shutil.which("zensical")


def zensical_build(
    config_file: Path, site_dir: Path, *, strict: bool = False, executable: str | None = None
) -> list[str]:
    """Run ``zensical build`` of ``config_file`` into ``site_dir``, then add the agent files and twins.

    Zensical wants its output folder inside its project and keeps a cache there, so it
    builds a scratch copy of ``site/`` (next to ``site_dir``) whose ``site_dir`` points inside
    it; ``site/`` itself is never written. Returns the warnings Zensical printed.
    """
    exe = executable or zensical_executable()
    if exe is None:
        raise SkillpressError("zensical is not installed (pip install zensical), so the site cannot be built with it")
    config = yaml.safe_load(config_file.read_text(encoding="utf-8"))
    config["site_dir"] = "_html"
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".skillpress-zensical-", dir=site_dir.parent) as scratch:
        project = Path(scratch) / "site"
        shutil.copytree(config_file.parent, project)
        (project / config_file.name).write_text(
            yaml.safe_dump(config, sort_keys=False, allow_unicode=True, width=1000), encoding="utf-8"
        )
        argv = [exe, "build", "-f", str(project / config_file.name)] + (["--strict"] if strict else [])
        env = {**os.environ, "NO_COLOR": "1", "CLICOLOR": "0"}
        try:
            proc = subprocess.run(argv, cwd=project, capture_output=True, text=True, env=env, timeout=900)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise SkillpressError(f"zensical could not run: {exc}") from None
        output = _ANSI.sub("", proc.stdout + proc.stderr)
        warnings = _zensical_warnings(output)
        if proc.returncode != 0 or not (project / "_html" / "index.html").is_file():
            raise SiteBuildError(
                f"zensical build of {config_file} failed (exit {proc.returncode})", warnings or [output[-2000:]]
            )
        shutil.rmtree(site_dir, ignore_errors=True)
        shutil.move(project / "_html", site_dir)
    finish_site(config_file, site_dir)
    return warnings


def _zensical_warnings(output: str) -> list[str]:
    """Zensical's warnings, each with the ``[ file:line:col ]`` it points at (the next such line)."""
    lines = [line.strip() for line in output.splitlines()]
    found: list[str] = []
    for i, line in enumerate(lines):
        if line.lower().startswith(("warning", "error")):
            places = (re.search(r"\[ (\S+:\d+:\d+) \]", rest) for rest in lines[i + 1 : i + 4])
            where = next((m.group(1) for m in places if m), None)
            found.append(f"{line} ({where})" if where else line)
    return found


def build_html(config_file: Path, site_dir: Path, *, builder: Builder = "mkdocs") -> list[str]:
    """The whole site (HTML, agent files, twins) of ``config_file`` into ``site_dir``."""
    if builder == "zensical":
        return zensical_build(config_file, site_dir)
    return mkdocs_build(config_file, site_dir)


@dataclass
class SiteResult:
    built: bool
    site_dir: Path
    seconds: float
    warnings: list[str]


def build_site(
    project: Project, *, site_dir: Path | None = None, force: bool = False, builder: Builder = "mkdocs"
) -> SiteResult:
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
    digest = input_digest(project.site_dir, builder)
    stamp = {"inputs": digest, "site_dir": str(target)}
    if not force and (target / "index.html").is_file() and _read_stamp(stamp_file) == stamp:
        return SiteResult(False, target, time.perf_counter() - start, [])

    stamp_file.unlink(missing_ok=True)
    fresh = scratch / f".skillpress-building-{target.name}-{os.getpid()}"
    shutil.rmtree(fresh, ignore_errors=True)
    try:
        warnings = build_html(config_file, fresh, builder=builder)
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
    project: Project,
    *,
    site_dir: Path | None = None,
    force: bool = False,
    builder: Builder = "mkdocs",
    stderr: TextIO | None = None,
) -> int:
    """``skillpress site build``: exit 0 built or up to date, 1 the builder refused the site, 2 could not run."""
    stderr = stderr or sys.stderr
    try:
        result = build_site(project, site_dir=site_dir, force=force, builder=builder)
    except SiteBuildError as exc:
        for line in exc.warnings:
            stderr.write(f"  {line}\n")
        stderr.write(f"site: {exc}\n")
        return 1
    where = project.display(result.site_dir)
    if result.built:
        how = "mkdocs --strict" if builder == "mkdocs" else "zensical"
        for line in result.warnings:
            stderr.write(f"  {line}\n")
        stderr.write(f"site: built {where} in {result.seconds:.2f}s ({how})\n")
    else:
        stderr.write(f"site: {where} is up to date\n")
    return 0


def serve(project: Project, *, port: int = 8000, host: str = "127.0.0.1", builder: Builder = "mkdocs") -> int:
    """``skillpress site serve``: build the site, then serve it on 127.0.0.1 (blocks until Ctrl-C).

    The server answers ``Accept: text/markdown`` with a page's markdown twin and rebuilds
    the site (when its inputs changed) before it answers a page."""
    from skillpress.site.serve import serve_forever

    def rebuild() -> Path:
        return build_site(project, builder=builder).site_dir

    target = rebuild()
    sys.stderr.write(f"site: serving {project.display(target)} on http://{host}:{port}/ (Ctrl-C stops)\n")
    serve_forever(target, host=host, port=port, rebuild=rebuild)
    return 0
