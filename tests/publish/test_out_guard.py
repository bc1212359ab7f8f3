"""`publish --out` never replaces something that is not a release of its own.

The release is swapped in whole for ``--out``, so an ``--out`` that names the project, a
folder holding it, or one of its generated or source folders would delete the user's
work. Each such ``--out`` is refused with exit 2 before anything is written.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from skillpress.diagnostics import SkillpressError
from skillpress.publish.release import _guard_out
from tests.cli import invoke
from tests.publish.conftest import copy_project


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("guard") / "holder" / "project"
    spec = copy_project(root)
    return root, spec


@pytest.mark.parametrize(
    ("where", "says"),
    [
        ("project", "folder holding it"),
        ("parent", "folder holding it"),
        ("grandparent", "folder holding it"),
        ("skills", "generated or source files"),
        ("site/nested", "generated or source files"),
        ("file", "is not a folder"),
        ("symlink", "is not a folder"),
    ],
)
def test_publish_refuses_an_out_that_would_replace_the_users_files(
    project: tuple[Path, Path], tmp_path: Path, where: str, says: str
) -> None:
    root, spec = project
    out = {
        "project": root,
        "parent": root.parent,
        "grandparent": root.parent.parent,
        "skills": root / "skills",
        "site/nested": root / "site" / "nested",
        "file": root / "notes.txt",
        "symlink": tmp_path / "link",
    }[where]
    if where == "file":
        out.write_text("mine\n")
    if where == "symlink":
        (tmp_path / "elsewhere").mkdir()
        out.symlink_to(tmp_path / "elsewhere")
    before = _snapshot(root.parent.parent)
    result = invoke(["publish", str(spec), "--root", str(root), "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert says in result.output
    assert _snapshot(root.parent.parent) == before
    if where == "symlink":
        assert out.is_symlink() and list((tmp_path / "elsewhere").iterdir()) == []


def test_an_out_folder_inside_the_project_of_its_own_is_accepted(project: tuple[Path, Path]) -> None:
    root, spec = project
    result = invoke(["publish", str(spec), "--root", str(root), "--out", str(root / "dist")])
    assert result.exit_code == 0, result.output
    assert (root / "dist" / "release.json").is_file()


def test_the_file_system_root_is_refused_as_a_folder_holding_the_project(tmp_path: Path) -> None:
    with pytest.raises(SkillpressError, match="folder holding it"):
        _guard_out(Path(tmp_path.anchor), tmp_path / "elsewhere-project")


def test_release_json_keeps_non_ascii_names_readable(tmp_path: Path) -> None:
    """release.json is UTF-8 JSON: a spec file named `spéc.yaml` is written as it is, not `\\u00e9`-escaped."""
    root = tmp_path / "project"
    spec = copy_project(root)
    renamed = spec.with_name("spéc.yaml")
    spec.rename(renamed)
    result = invoke(["publish", str(renamed), "--root", str(root), "--out", str(tmp_path / "dist")])
    assert result.exit_code == 0, result.output
    text = (tmp_path / "dist" / "release.json").read_text(encoding="utf-8")
    assert '"file": "spéc.yaml"' in text
