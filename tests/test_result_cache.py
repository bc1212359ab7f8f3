"""The result cache: an unchanged project checks without rendering, and nothing that
changes the output can be served from the cache."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest

from skillpress import pipeline
from skillpress.output import cache
from skillpress.project import Project

ROOT = Path(__file__).resolve().parent.parent
MINIMAL = ROOT / "tests/cases/minimal/spec.yaml"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("SKILLPRESS_NO_CACHE", raising=False)
    spec = tmp_path / "spec.yaml"
    shutil.copy(MINIMAL, spec)
    out = tmp_path / "out"
    assert pipeline.build(Project(out, spec), stdout=io.StringIO(), stderr=io.StringIO()) == 0
    return spec, out


def _check(spec: Path, out: Path, **kwargs) -> tuple[int, str]:
    stdout = io.StringIO()
    layout = {name: kwargs.pop(name) for name in ("templates", "client_bundle") if name in kwargs}
    return pipeline.check(
        Project(out, spec, **layout), stdout=stdout, stderr=io.StringIO(), **kwargs
    ), stdout.getvalue()


def _render_calls(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    real = pipeline.generate

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(pipeline, "generate", counting)
    return calls


def test_a_clean_unchanged_project_is_checked_without_rendering(project, monkeypatch) -> None:
    spec, out = project
    calls = _render_calls(monkeypatch)
    assert _check(spec, out) == (0, "")
    assert calls == []
    code, _ = _check(spec, out, output_format="json")
    assert code == 0 and calls == []


def test_hand_edits_and_stray_files_are_never_hidden_by_the_cache(project, monkeypatch) -> None:
    spec, out = project
    (out / "site/agent/llms.txt").write_text("edited\n")
    code, diff = _check(spec, out)
    assert code == 1 and "+# Echo Skill" in diff
    pipeline.build(Project(out, spec), stdout=io.StringIO(), stderr=io.StringIO())
    (out / "skills/extra.md").write_text("stray\n")
    code, text = _check(spec, out)
    assert code == 1 and "EXTRA: skills/extra.md" in text


def test_a_spec_edit_changes_the_key(project) -> None:
    spec, out = project
    before = cache.inputs_key(spec, templates=None)
    spec.write_text(spec.read_text().replace("First release.", "First public release."))
    assert cache.inputs_key(spec, templates=None) != before
    code, diff = _check(spec, out)
    assert code == 1 and "First public release." in diff


def test_user_templates_and_options_change_the_key(project, tmp_path: Path) -> None:
    spec, _ = project
    folder = tmp_path / "tpl"
    folder.mkdir()
    (folder / "CHANGELOG.md.j2").write_text("# Changes\n")
    plain = cache.inputs_key(spec, templates=None)
    custom = cache.inputs_key(spec, templates=folder)
    assert plain != custom
    (folder / "CHANGELOG.md.j2").write_text("# Changes, edited\n")
    assert cache.inputs_key(spec, templates=folder) != custom


def test_invalid_results_are_not_cached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    spec = tmp_path / "bad.yaml"
    spec.write_text(MINIMAL.read_text().replace("version: 1.0.0", "version: nope"))
    assert _check(spec, tmp_path / "out")[0] == 1
    assert not (tmp_path / "cache/skillpress/results").exists() or not any(
        (tmp_path / "cache/skillpress/results").iterdir()
    )


def test_the_cache_can_be_turned_off(project, monkeypatch) -> None:
    spec, out = project
    monkeypatch.setenv("SKILLPRESS_NO_CACHE", "1")
    calls = _render_calls(monkeypatch)
    assert _check(spec, out)[0] == 0
    assert calls == [1]


def test_results_are_kept_under_xdg_cache_home(project) -> None:
    """The README promises ``${XDG_CACHE_HOME:-~/.cache}/skillpress/results``."""
    spec, out = project
    assert _check(spec, out) == (0, "")
    kept = list((spec.parent / "cache/skillpress/results").glob("*.json"))
    assert [p.stem for p in kept] == [cache.inputs_key(spec, templates=None)]


def test_a_deleted_generated_file_is_reported_missing_not_served_from_the_cache(project, monkeypatch) -> None:
    spec, out = project
    assert _check(spec, out) == (0, "")
    (out / "site/agent/llms.txt").unlink()
    code, text = _check(spec, out)
    assert code == 1 and "MISSING: site/agent/llms.txt" in text


def _package_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of skillpress and its packaged templates that the key is computed from."""
    base = tmp_path / "installed"
    shutil.copytree(cache.PACKAGE, base / "skillpress", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "templates", base / "templates")
    monkeypatch.setattr(cache, "PACKAGE", base / "skillpress")
    return base


def test_an_edited_packaged_template_changes_the_key(project, tmp_path: Path, monkeypatch) -> None:
    """Upgrading skillpress changes its templates: a stale 'clean' must not survive that."""
    spec, _ = project
    base = _package_copy(tmp_path, monkeypatch)
    before = cache.inputs_key(spec, templates=None)
    template = sorted((base / "templates").glob("*.j2"))[0]
    template.write_text(template.read_text() + "\n")
    assert cache.inputs_key(spec, templates=None) != before


def test_library_versions_are_part_of_the_key(project, monkeypatch) -> None:
    """Another Jinja or PyYAML can render other bytes: the cached result is not reused."""
    import importlib.metadata

    spec, _ = project
    before = cache.inputs_key(spec, templates=None)
    real = importlib.metadata.version

    def other_jinja(name: str) -> str:
        return "0.0-other" if name == "jinja2" else real(name)

    monkeypatch.setattr(importlib.metadata, "version", other_jinja)
    assert cache.inputs_key(spec, templates=None) != before

    def missing(name: str) -> str:
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(importlib.metadata, "version", missing)
    unknown = cache.inputs_key(spec, templates=None)
    assert unknown is not None and unknown not in (before,)


@pytest.mark.parametrize("off", [False, True])
def test_compiled_templates_are_cached_unless_turned_off(tmp_path: Path, monkeypatch, off: bool) -> None:
    """The README: compiled templates live under XDG_CACHE_HOME; SKILLPRESS_NO_TEMPLATE_CACHE=1 turns that off."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("SKILLPRESS_NO_CACHE", "1")
    if off:
        monkeypatch.setenv("SKILLPRESS_NO_TEMPLATE_CACHE", "1")
    else:
        monkeypatch.delenv("SKILLPRESS_NO_TEMPLATE_CACHE", raising=False)
    assert pipeline.build(Project(tmp_path / "out", MINIMAL), stdout=io.StringIO(), stderr=io.StringIO()) == 0
    compiled = list((tmp_path / "cache").glob("skillpress/jinja-*/*"))
    assert (compiled == []) is off


def test_the_compiled_template_folder_is_made_with_every_missing_parent(tmp_path: Path, monkeypatch) -> None:
    from skillpress.render.environment import bytecode_cache

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "new" / "cache"))
    monkeypatch.delenv("SKILLPRESS_NO_TEMPLATE_CACHE", raising=False)
    assert bytecode_cache() is not None
    assert [p.name.startswith("jinja-") for p in (tmp_path / "new/cache/skillpress").iterdir()] == [True]
    assert bytecode_cache() is not None  # and found again when it exists


def test_an_unreadable_input_gives_no_key_so_the_check_renders(tmp_path: Path) -> None:
    assert cache.inputs_key(tmp_path / "no-such-spec.yaml", templates=None) is None
