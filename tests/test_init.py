"""`skillpress init`: a new project that validates, builds, checks, builds its site and
serves its mock at once, and that never overwrites what is already there."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from skillpress.diagnostics import SkillpressError
from skillpress.scaffold import init_project, product_id


def _skillpress(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "skillpress", *args], cwd=cwd, capture_output=True, text=True, timeout=300
    )


def test_init_then_every_command_works_without_arguments(tmp_path: Path) -> None:
    made = _skillpress(["init", "acme-search"], tmp_path)
    assert made.returncode == 0, made.stderr
    project = tmp_path / "acme-search"
    assert "cd acme-search" in made.stdout and "skillpress build" in made.stdout
    spec = (project / "spec.yaml").read_text(encoding="utf-8")
    assert spec.splitlines()[0] == "# yaml-language-server: $schema=./skillpress.schema.json"
    assert len(spec.splitlines()) < 60
    assert "id: acme-search" in spec and "name: Acme Search" in spec
    json.loads((project / "skillpress.schema.json").read_text(encoding="utf-8"))
    assert (project / "skillpress.toml").read_text(encoding="utf-8").startswith('spec = "spec.yaml"')
    assert "_site/" in (project / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert "entry: skillpress check" in (project / ".pre-commit-config.yaml").read_text(encoding="utf-8")
    for args in (["validate"], ["build"], ["check"], ["site", "build"]):
        proc = _skillpress(args, project)
        assert proc.returncode == 0, (args, proc.stdout, proc.stderr)
    assert (project / "skills/acme-search/SKILL.md").is_file()
    assert (project / "_site/index.html").is_file()
    assert "Acme Search" in (project / "_site/index.html").read_text(encoding="utf-8")


def test_the_scaffold_mock_answers_its_endpoint(tmp_path: Path) -> None:
    from skillpress.mock.server import MockServer
    from skillpress.spec import load_spec

    init_project(tmp_path / "p")
    result = load_spec(tmp_path / "p" / "spec.yaml")
    assert result.ok and result.spec is not None, result.diagnostics
    with MockServer(result.spec) as mock, urllib.request.urlopen(mock.url + "/v1/ping", timeout=10) as reply:
        body = json.loads(reply.read())
    assert body["ok"] is True and body["data"] == {"pong": True}


def test_init_never_overwrites_a_spec_or_config(tmp_path: Path) -> None:
    (tmp_path / "spec.yaml").write_text("mine\n")
    proc = _skillpress(["init"], tmp_path)
    assert proc.returncode == 2
    assert "never overwrites" in proc.stderr and "Traceback" not in proc.stderr
    assert (tmp_path / "spec.yaml").read_text() == "mine\n"
    assert not (tmp_path / "skillpress.toml").exists()


def test_init_keeps_an_existing_gitignore_and_adds_only_what_is_missing(tmp_path: Path) -> None:
    (tmp_path / ".gitignore").write_text("node_modules/\ndist/\n")
    done = init_project(tmp_path, today=dt.date(2026, 1, 2))
    lines = (tmp_path / ".gitignore").read_text().splitlines()
    assert lines[:2] == ["node_modules/", "dist/"]
    assert lines.count("dist/") == 1 and "_site/" in lines and ".skillpress-cache/" in lines
    assert tmp_path / ".gitignore" in done.updated
    assert "date: 2026-01-02" in (tmp_path / "spec.yaml").read_text()


@pytest.mark.parametrize("name", ["Bad_ID", "1abc", "a--b", "x" * 65, "{{ 7*7 }}", "a b"])
def test_a_bad_product_id_is_refused(tmp_path: Path, name: str) -> None:
    with pytest.raises(SkillpressError, match="not a product id"):
        init_project(tmp_path, product=name)
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize(
    ("folder", "expected"),
    [("My_Product", "my-product"), ("{{ 7*7 }}", "product-7-7"), ("---", "my-product"), ("Acme2", "acme2")],
)
def test_the_product_id_comes_from_the_folder_name(folder: str, expected: str) -> None:
    assert product_id(Path(folder)) == expected


def test_a_hostile_folder_name_still_gives_a_valid_project(tmp_path: Path) -> None:
    project = tmp_path / "{{ 7*7 }}"
    init_project(project)
    proc = _skillpress(["validate"], project)
    assert proc.returncode == 0, proc.stdout
    assert "49" not in (project / "spec.yaml").read_text()
