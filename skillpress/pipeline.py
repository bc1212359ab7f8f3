"""load → validate → render (in memory) → write | compare.

Functions here return exit codes and print to the streams they are given; the Typer
CLI and ``build.py`` are thin layers over them, and tests call them directly.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, TextIO

from skillpress.diagnostics import Diagnostic, Severity, format_text, sort_key
from skillpress.output import cache
from skillpress.output.plan import Action, Plan, apply_plan, make_plan
from skillpress.output.write import is_temp_name
from skillpress.project import MANIFEST, OWNED_DIRS, Project, display_path, remove_leftovers, walk_files

if TYPE_CHECKING:  # the renderer and the spec model load only when a render is needed
    from skillpress.render import Rendered
    from skillpress.spec import LoadResult


@dataclass
class Prepared:
    load: LoadResult
    rendered: Rendered | None

    @property
    def diagnostics(self) -> list[Diagnostic]:
        found = list(self.load.diagnostics)
        if self.rendered is not None:
            found += self.rendered.diagnostics
        return found

    @property
    def ok(self) -> bool:
        return self.rendered is not None and not any(d.severity is Severity.ERROR for d in self.diagnostics)


def manifest_bytes(paths: list[str]) -> bytes:
    """The committed list of generated files: a build deletes only files it lists."""
    body = {"generator": "skillpress", "format": 1, "files": sorted(paths)}
    return (json.dumps(body, indent=2) + "\n").encode("utf-8")


def generate(project: Project) -> Prepared:
    """Everything ``project`` generates, in memory: the one place that decides it.

    ``build`` writes it, ``check`` compares it, ``publish`` checks then packages it, and
    ``build.py`` is a thin call of the same functions.
    """
    from skillpress.render import render_all
    from skillpress.spec import load_spec

    load = load_spec(project.spec_path, display_path(project.spec_path))
    if not load.ok or load.spec is None:
        return Prepared(load, None)
    rendered = render_all(load.spec, project.templates, load.document)
    rendered.files[MANIFEST] = manifest_bytes(list(rendered.files))
    rendered.files = dict(sorted(rendered.files.items()))
    return Prepared(load, rendered)


def _cached_clean(project: Project) -> tuple[str | None, dict[str, str] | None]:
    """The cache key of this render, and its recorded files if they all still match on disk."""
    key = cache.inputs_key(project.spec_path, templates=project.templates)
    known = cache.lookup(key) if key else None
    if known is not None and not cache.matches_disk(project.root, known, OWNED_DIRS):
        known = None
    return key, known


def owned_on_disk(project: Project) -> set[str]:
    """Files a previous build recorded in the manifest: the only ones a build may delete."""
    try:
        data = json.loads(project.manifest.read_text(encoding="utf-8"))
        listed = data["files"] if isinstance(data, dict) else None
    except (OSError, ValueError, KeyError):
        return set()
    return {p for p in listed if isinstance(p, str)} if isinstance(listed, list) else set()


def build(
    project: Project,
    *,
    dry_run: bool = False,
    verbose: bool = False,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """Regenerate every file of ``project``. Exit 0 done, 1 invalid spec or budget, 2 could not run."""
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    if not dry_run:
        remove_staging_leftovers(project)
    key, known = _cached_clean(project)
    if known is not None:
        if verbose:
            for path in known:
                stderr.write(f"{Action.identical.value:>9}  {path}\n")
        stderr.write(f"build: 0 file(s) changed, {len(known)} up to date\n")
        return 0
    prepared = generate(project)
    if not prepared.ok or prepared.rendered is None:
        stdout.write(format_text(prepared.diagnostics))
        stderr.write("build: nothing written; fix the errors above\n")
        return 1
    if prepared.diagnostics:
        stdout.write(format_text(prepared.diagnostics))
    plan = make_plan(project.root, prepared.rendered.files, OWNED_DIRS, owned=owned_on_disk(project))
    for change in plan.changes:
        if change.action is Action.identical and not verbose:
            continue
        stderr.write(f"{change.action.value:>9}  {change.path}\n")
    for path in plan.foreign:
        stderr.write(f"{'keep':>9}  {path} (not written by skillpress; delete it if it is stale)\n")
    if dry_run:
        stderr.write(f"build: dry run, {len(plan.pending)} change(s) not written\n")
        return 0
    apply_plan(plan, staging=project.staging_dir)
    if key and not prepared.diagnostics and not plan.foreign:
        cache.store(key, prepared.rendered.files)
    stderr.write(f"build: {len(plan.pending)} file(s) changed, {len(plan.changes) - len(plan.pending)} up to date\n")
    return 0


def remove_staging_leftovers(project: Project) -> None:
    """A killed build leaves its temp files in the staging folder (never in an owned one): drop them,
    and any temp file an older skillpress left beside its target."""
    remove_leftovers(project.staging_dir, ("*",))
    for base in (project.root / name for name in OWNED_DIRS):
        for path in walk_files(base):
            if is_temp_name(path.name):
                path.unlink(missing_ok=True)


def check(
    project: Project,
    *,
    output_format: str = "text",
    quiet: bool = False,
    verbose: bool = False,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """Compare generated files with the disk. Exit 0 clean, 1 drift or budget, 2 could not run."""
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    key, known = (None, None) if verbose else _cached_clean(project)
    if known is not None:
        if output_format == "json":
            stdout.write(json.dumps(_check_json(None, [], False), indent=2, ensure_ascii=False) + "\n")
        elif not quiet:
            stderr.write(f"check: all {len(known)} generated files match the spec\n")
        return 0
    prepared = generate(project)
    plan = None
    if prepared.rendered is not None:
        plan = make_plan(project.root, prepared.rendered.files, OWNED_DIRS)
    problems = sorted(prepared.diagnostics, key=sort_key)
    failed = not prepared.ok or plan is None or not plan.clean
    if output_format == "json":
        stdout.write(json.dumps(_check_json(plan, problems, failed), indent=2, ensure_ascii=False) + "\n")
    elif not quiet:
        if problems:
            stdout.write(format_text(problems))
        if plan is not None:
            _print_plan(plan, stdout)
    if key and not failed and not problems and prepared.rendered is not None:
        cache.store(key, prepared.rendered.files)
    if verbose and prepared.rendered is not None:
        from skillpress.render import is_text
        from skillpress.render.views import estimate_tokens

        for path, data in prepared.rendered.files.items():
            if is_text(path):
                stderr.write(f"{estimate_tokens(data.decode('utf-8')):>8} tokens  {path}\n")
    if plan is not None and not quiet:
        if plan.clean and not problems:
            stderr.write(f"check: all {len(plan.changes)} generated files match the spec\n")
        elif not plan.clean:
            stderr.write(
                f"check: {len(plan.pending)} file(s) differ from the spec; run `skillpress build` to regenerate them\n"
            )
    return 1 if failed else 0


def _print_plan(plan: Plan, stdout: TextIO) -> None:
    for change in plan.pending:
        if change.action is Action.update:
            stdout.write(change.diff())
    for change in plan.pending:
        if change.action is Action.create:
            stdout.write(f"MISSING: {change.path}\n")
        elif change.action is Action.delete:
            stdout.write(f"EXTRA: {change.path}\n")


def _check_json(plan: Plan | None, problems: list[Diagnostic], failed: bool) -> dict[str, object]:
    def paths(action: Action) -> list[str]:
        return [c.path for c in plan.changes if c.action is action] if plan else []

    return {
        "clean": not failed,
        "changed": paths(Action.update),
        "missing": paths(Action.create),
        "extra": paths(Action.delete),
        "diffs": {c.path: c.diff() for c in plan.changes if c.action is Action.update} if plan else {},
        "diagnostics": [d.to_json() for d in problems],
    }
