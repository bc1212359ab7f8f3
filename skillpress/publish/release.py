"""``skillpress publish``: one versioned release (``skillpress.publish.verify`` checks one).

Publishing refuses to run on a stale project: it first runs the drift check that
``python build.py --check`` runs (spec valid, every generated file including the thin
client's bundle equal to what the spec renders) and prints its findings the same way.
Only then does it assemble, into a temporary folder next to ``--out``::

    release.json                       path, bytes and sha256 of every other file
    client/<dist>-<version>-py3-none-any.whl
    client/<dist>-<version>.tar.gz
    skills-bundle/                     see skillpress.publish.bundle
    site/                              the strict mkdocs build of site/

and swaps it in for ``--out`` with two renames, so ``--out`` holds either the previous
release or the new one, never a half-written one. Its last status line is
``release.json sha256:<hex>``: the value ``skillpress verify --expect-manifest`` pins.

Everything is reproducible: the wheel, the sdist and the site are dated with the release
date (the changelog date of the product's version; the site build gets it as
``SOURCE_DATE_EPOCH``), so publishing the same project twice gives byte-identical trees.
"""

from __future__ import annotations

import calendar
import hashlib
import json
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from skillpress import __version__, pipeline
from skillpress.diagnostics import SkillpressError
from skillpress.output.write import recover_dir, replace_dir
from skillpress.project import AGENT_DIR, Project, display_path, remove_leftovers, staging_area
from skillpress.publish import bundle
from skillpress.publish.verify import CLIENT_DIR, MANIFEST, MANIFEST_FORMAT, SITE_DIR, SKILLS_BUNDLE
from skillpress.publish.wheel import (
    Distribution,
    build_sdist,
    build_wheel,
    client_modules,
    contract_modules,
    hooks_package,
    import_name,
)
from skillpress.spec.model import Spec

#: The agent files the client package carries in ``<package>/agent/`` when the spec has them.
AGENT_FILES = ("skill.md", "llms.txt", "llms-full.txt", "cli.md", "commands.json", "openapi.json")


@dataclass
class Release:
    spec: Spec
    spec_path: Path
    files: dict[str, bytes]  # rendered, and equal to the project's files (the check passed)


# --------------------------------------------------------------------------- pieces


def client_distribution(release: Release) -> Distribution:
    spec = release.spec
    if spec.client is None:
        raise SkillpressError(
            "the spec has no `client:` block, so there is no client package to publish", file=str(release.spec_path)
        )
    product = spec.product
    package = import_name(spec.client.package)
    files: dict[str, bytes] = {"__init__.py": f'"""{product.name}: its thin client ({product.cli_name})."""\n'.encode()}
    engine = Path(__file__).resolve().parent.parent
    for name, data in client_modules(engine / "client").items():
        files[f"client/{name}"] = data
    for name, data in contract_modules(engine / "contract").items():
        files[f"contract/{name}"] = data
    # What the client runs from, compiled from the spec now: nothing of it lives in the project.
    from skillpress.contract.compile import render_contract_json

    files["client/contract.json"] = render_contract_json(spec).encode("utf-8")
    files["client/SKILL.md"] = release.files[f"{AGENT_DIR}/skill.md"]
    for name, data in hooks_package(spec, release.spec_path).items():
        files[f"client/hooks/{name}"] = data
    for name in AGENT_FILES:
        agent_file = release.files.get(f"{AGENT_DIR}/{name}")
        if agent_file is not None:
            files[f"agent/{name}"] = agent_file
    urls = {"Homepage": product.urls.homepage, "Documentation": product.urls.cli}
    if product.urls.repository:
        urls["Repository"] = product.urls.repository
    date = bundle.release_date(spec)
    return Distribution(
        name=spec.client.package,
        version=product.version,
        import_name=package,
        summary=product.descriptions.short,
        cli_name=product.cli_name,
        description=bundle.client_readme(spec, package),
        license=product.license,
        author=product.author,
        keywords=list(product.keywords),
        urls=urls,
        files=dict(sorted(files.items())),
        date_time=(max(date.year, 1980), date.month, date.day, 0, 0, 0),
    )


def skills_bundle(release: Release, dist: Distribution) -> dict[str, bytes]:
    spec = release.spec
    plugin = bool(spec.publish and spec.publish.claude_plugin)
    out: dict[str, bytes] = {}
    for path, data in release.files.items():
        if path.startswith(f"{bundle.SKILLS}/"):
            out[path] = data
    if not out:
        raise SkillpressError("the rendered files hold no skills")
    out["README.md"] = bundle.bundle_readme(spec, wheel=dist.wheel_name, sdist=dist.sdist_name, plugin=plugin)
    out["LICENSE"] = bundle.license_text(spec, release.spec_path)
    out.update(bundle.agent_plugin_files(spec))
    if plugin:
        out[f"{bundle.PLUGIN_DIR}/plugin.json"] = bundle.plugin_json(spec)
        out[f"{bundle.PLUGIN_DIR}/marketplace.json"] = bundle.marketplace_json(spec)
    return dict(sorted(out.items()))


def build_site_into(project: Project, target: Path, spec: Spec) -> None:
    """Strict mkdocs build of the project's ``site/`` into ``target``, dated with the release date."""
    from skillpress.site.build import SiteBuildError, mkdocs_build

    config_file = project.mkdocs_config
    if not config_file.is_file():
        raise SkillpressError("no generated site to build", file=display_path(config_file))
    date = bundle.release_date(spec)
    previous = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(calendar.timegm(date.timetuple()))
    try:
        warnings = mkdocs_build(config_file, target)
    finally:
        if previous is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = previous
    if warnings:
        raise SiteBuildError(f"mkdocs warned while building {display_path(config_file)}", warnings)
    if not (target / "index.html").is_file():
        raise SkillpressError(f"the site build wrote no index.html into {target}")


# --------------------------------------------------------------------------- manifest


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def tree_files(folder: Path) -> dict[str, Path]:
    """Every file under ``folder`` (POSIX relative path → path), symlinks included as found."""
    found: dict[str, Path] = {}
    for path in sorted(folder.rglob("*")):
        if path.is_symlink() or path.is_file():
            found[path.relative_to(folder).as_posix()] = path
    return dict(sorted(found.items()))


def manifest(spec: Spec, spec_path: Path, folder: Path) -> dict[str, object]:
    files = []
    for rel, path in tree_files(folder).items():
        if rel == MANIFEST:
            continue
        data = path.read_bytes()
        files.append({"path": rel, "bytes": len(data), "sha256": sha256(data)})
    return {
        "format": MANIFEST_FORMAT,
        "product": spec.product.id,
        "name": spec.product.name,
        "version": spec.product.version,
        "date": bundle.release_date(spec).isoformat(),
        "spec": {"file": spec_path.name, "sha256": sha256(spec_path.read_bytes())},
        "generator": f"skillpress {__version__}",
        "files": files,
    }


# --------------------------------------------------------------------------- publish


def _write(folder: Path, rel: str, data: bytes) -> None:
    path = folder / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    os.chmod(path, 0o644)


def _guard_out(out: Path, root: Path) -> None:
    """Refuse an ``--out`` whose replacement would delete something that is not a release."""
    resolved = out.resolve()
    project = root.resolve()
    if resolved == project or resolved in project.parents or resolved == Path(resolved.anchor):
        raise SkillpressError(
            "--out would replace the project itself or a folder holding it; give a folder of its own, e.g. dist/",
            file=str(out),
        )
    if project in resolved.parents and resolved.relative_to(project).parts[0] in OWNED_OR_SOURCE:
        raise SkillpressError("--out would replace generated or source files of the project", file=str(out))
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise SkillpressError("--out exists and is not a folder", file=str(out))
    if out.is_dir() and any(out.iterdir()) and not (out / MANIFEST).is_file():
        raise SkillpressError(f"--out is a folder that holds no {MANIFEST}; refusing to replace it", file=str(out))


#: Top-level folders of a project that a release must never replace.
OWNED_OR_SOURCE = ("skills", "site", ".git", ".skillpress-cache")


def assemble(release: Release, project: Project, folder: Path) -> Distribution:
    dist = client_distribution(release)
    _write(folder, f"{CLIENT_DIR}/{dist.wheel_name}", build_wheel(dist))
    _write(folder, f"{CLIENT_DIR}/{dist.sdist_name}", build_sdist(dist))
    for rel, data in skills_bundle(release, dist).items():
        _write(folder, f"{SKILLS_BUNDLE}/{rel}", data)
    build_site_into(project, folder / SITE_DIR, release.spec)
    for path in sorted(folder.rglob("*"), reverse=True):  # fixed modes whatever the umask
        os.chmod(path, 0o755 if path.is_dir() else 0o644)
    text = json.dumps(manifest(release.spec, release.spec_path, folder), indent=2, ensure_ascii=False) + "\n"
    _write(folder, MANIFEST, text.encode("utf-8"))
    return dist


def publish(project: Project, out: Path, *, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    """Exit 0 published, 1 invalid spec or stale generated files (nothing written), 2 could not run.

    ``out`` must be absolute (``Project`` resolves paths once); the release is assembled in
    the project's staging folder and swapped in whole.
    """
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    code = pipeline.check(project, stdout=stdout, stderr=stderr)
    if code != 0:
        stderr.write("publish: nothing written; fix the spec or run `skillpress build` first\n")
        return code
    prepared = pipeline.generate(project)
    if not prepared.ok or prepared.rendered is None or prepared.load.spec is None:  # checked just above
        stderr.write("publish: nothing written; the spec did not render\n")
        return 1
    _guard_out(out, project.root)
    release = Release(prepared.load.spec, project.spec_path, prepared.rendered.files)
    out.parent.mkdir(parents=True, exist_ok=True)
    scratch = staging_area(project.root, out)
    recover_dir(out, scratch=scratch)
    remove_leftovers(scratch, (f".skillpress-publishing-{out.name}*",))
    fresh = scratch / f".skillpress-publishing-{out.name}-{os.getpid()}"
    shutil.rmtree(fresh, ignore_errors=True)
    fresh.mkdir(parents=True)
    from skillpress.site.build import SiteBuildError

    try:
        dist = assemble(release, project, fresh)
        replace_dir(fresh, out, scratch=scratch)
    except SiteBuildError as exc:  # like `skillpress site build`: mkdocs refusing the site is exit 1
        shutil.rmtree(fresh, ignore_errors=True)
        for line in exc.warnings:
            stderr.write(f"  {line}\n")
        stderr.write(f"publish: nothing written; {exc}\n")
        return 1
    except BaseException:
        shutil.rmtree(fresh, ignore_errors=True)
        raise
    count = len(tree_files(out))
    product = release.spec.product
    stderr.write(
        f"publish: {product.id} {product.version} in {display_path(out)} ({count} files): "
        f"{CLIENT_DIR}/{dist.wheel_name}, {CLIENT_DIR}/{dist.sdist_name}, {SKILLS_BUNDLE}/, "
        f"{SITE_DIR}/, {MANIFEST}\n"
    )
    # The line to pin the release with: `skillpress verify DIR --expect-manifest sha256:<hex>`.
    stderr.write(f"{MANIFEST} sha256:{sha256((out / MANIFEST).read_bytes())}\n")
    return 0


__all__ = ["MANIFEST", "assemble", "client_distribution", "manifest", "publish", "skills_bundle"]
