"""`skillpress publish` and `skillpress verify`: layout, reproducibility, refusal, the packaged client.

One release of this repository is published per session (``published``); a fresh virtual
environment gets only its wheel (``fresh_venv``), and the installed client must work
there: version, bundled skill, doctor against the mock.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from pathlib import Path

import pytest

from skillpress import pipeline
from skillpress.contract.compile import render_contract_json
from skillpress.project import Project
from skillpress.publish import verify
from skillpress.publish.bundle import release_date
from tests.cli import invoke
from tests.publish.conftest import PROJECT, ROOT, SPEC, Published, copy_project, run_publish
from tests.tools import run_skills

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# --------------------------------------------------------------------------- layout and manifest


def test_release_layout(published: Published) -> None:
    spec = published.spec
    files = tree(published.out)
    assert sorted(p for p in files if p.startswith("client/")) == [
        "client/image_skill-0.1.9-py3-none-any.whl",
        "client/image_skill-0.1.9.tar.gz",
    ]
    assert spec.product.version == "0.1.9" and spec.client is not None and spec.client.package == "image-skill"
    for skill in spec.skills:
        assert f"skills-bundle/skills/{skill.name}/SKILL.md" in files
    assert {
        "skills-bundle/README.md",
        "skills-bundle/LICENSE",
        "skills-bundle/plugin.json",
        "skills-bundle/.claude-plugin/plugin.json",
        "skills-bundle/.claude-plugin/marketplace.json",
        "site/index.html",
        "site/llms.txt",
        "site/skill.md",
        "site/openapi.json",
        "release.json",
    } <= set(files)
    assert "publish: image-skill 0.1.9" in published.stderr


def test_skills_bundle_is_a_copy_of_the_skill_folders(published: Published) -> None:
    bundle = tree(published.bundle / "skills")
    repo = tree(PROJECT / "skills")
    assert bundle == repo
    assert not (published.bundle / "SKILL.md").exists() and not (published.bundle / "skill.md").exists()


def test_site_is_the_strict_build_with_agent_files_at_the_root(published: Published) -> None:
    site = published.out / "site"
    for path, data in tree(PROJECT / "site" / "agent").items():
        assert (site / path).read_bytes() == data, path
    assert (site / "api" / "index.html").is_file()
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    assert f"<lastmod>{release_date(published.spec).isoformat()}</lastmod>" in sitemap


def test_manifest_lists_every_file_with_bytes_and_sha256(published: Published) -> None:
    manifest = published.manifest
    assert manifest["product"] == "image-skill" and manifest["version"] == "0.1.9"
    assert manifest["spec"]["sha256"] == sha256(SPEC.read_bytes())
    files = tree(published.out)
    del files["release.json"]
    listed = {e["path"]: e for e in manifest["files"]}
    assert [e["path"] for e in manifest["files"]] == sorted(listed)
    assert set(listed) == set(files)
    for path, data in files.items():
        assert listed[path]["bytes"] == len(data) and listed[path]["sha256"] == sha256(data), path


def test_two_publishes_are_byte_identical(published: Published, tmp_path: Path) -> None:
    code, _, err = run_publish(SPEC, tmp_path / "again", PROJECT)
    assert code == 0, err
    assert tree(tmp_path / "again") == tree(published.out)


def test_publish_replaces_a_previous_release_whole(published: Published, tmp_path: Path) -> None:
    out = tmp_path / "dist"
    shutil.copytree(published.out, out)
    (out / "left-over.txt").write_text("from an older release\n")
    code, _, err = run_publish(SPEC, out, PROJECT)
    assert code == 0, err
    assert tree(out) == tree(published.out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dist"], "no temporary folder may stay behind"


def test_a_killed_publish_leaves_the_previous_release_and_nothing_beside_it(
    published: Published, tmp_path: Path
) -> None:
    import signal
    import time

    out = tmp_path / "dist"
    shutil.copytree(published.out, out)
    before = tree(out)
    command = [sys.executable, "-m", "skillpress", "publish", "--root", str(PROJECT), "--out", str(out)]
    proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(2.0)  # inside the check, the wheel or the site build: wherever it lands, the rule holds
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    assert tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dist"]
    again = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr
    assert tree(out) == before
    staging = PROJECT / ".skillpress-cache" / "staging"
    assert not [p for p in staging.glob(".skillpress-publishing-*")] if staging.is_dir() else True


def test_cli_publishes_into_a_relative_out_folder(
    published: Published, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`skillpress publish --out dist/` from the project root: the site lands in dist/site, nowhere else."""
    before = sorted(p.relative_to(PROJECT).as_posix() for p in (PROJECT / "site").rglob("*"))
    monkeypatch.chdir(tmp_path)
    result = invoke(["publish", str(SPEC), "--root", str(PROJECT), "--out", "dist/"])
    assert result.exit_code == 0, result.output
    assert tree(tmp_path / "dist") == tree(published.out)
    assert sorted(p.relative_to(PROJECT).as_posix() for p in (PROJECT / "site").rglob("*")) == before
    assert invoke(["verify", "dist"]).exit_code == 0


# --------------------------------------------------------------------------- refusal


def test_publish_refuses_a_stale_tree_and_writes_nothing(tmp_path: Path) -> None:
    project = tmp_path / "project"
    spec = copy_project(project)
    stale = project / "skills" / "image-skill" / "references" / "cli.md"
    stale.write_text(stale.read_text(encoding="utf-8") + "\nedited by hand\n", encoding="utf-8")
    out = tmp_path / "dist"
    code, stdout, stderr = run_publish(spec, out, project)
    assert code == 1
    assert not out.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["project"]
    check_out, check_err = io.StringIO(), io.StringIO()
    assert pipeline.check(Project(project, spec), stdout=check_out, stderr=check_err) == 1
    assert stdout == check_out.getvalue(), "publish prints the drift exactly like check"
    assert "edited by hand" in stdout
    assert stderr.startswith(check_err.getvalue()) and "publish: nothing written" in stderr


def test_publish_refuses_a_stale_tree_and_keeps_the_previous_release(published: Published, tmp_path: Path) -> None:
    project = tmp_path / "project"
    spec = copy_project(project)
    (project / "site" / "agent" / "cli.md").write_text("hand edit\n")
    out = tmp_path / "dist"
    shutil.copytree(published.out, out)
    code, stdout, _ = run_publish(spec, out, project)
    assert code == 1 and "site/agent/cli.md (current)" in stdout
    assert tree(out) == tree(published.out)


def test_publish_refuses_an_invalid_spec(tmp_path: Path) -> None:
    project = tmp_path / "project"
    spec = copy_project(project)
    spec.write_text(
        spec.read_text(encoding="utf-8").replace("\nproduct:\n", "\nproduct:\n  colour: blue\n", 1), encoding="utf-8"
    )
    code, stdout, stderr = run_publish(spec, tmp_path / "dist", project)
    assert code == 1 and "colour" in stdout and "publish: nothing written" in stderr
    assert not (tmp_path / "dist").exists()


def test_publish_will_not_replace_a_folder_that_is_not_a_release(tmp_path: Path) -> None:
    project = tmp_path / "project"
    spec = copy_project(project)
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "notes.txt").write_text("keep me\n")
    result = invoke(["publish", str(spec), "--root", str(project), "--out", str(precious)])
    assert result.exit_code == 2, result.output
    assert (precious / "notes.txt").read_text() == "keep me\n"
    result = invoke(["publish", str(spec), "--root", str(project), "--out", str(project)])
    assert result.exit_code == 2 and (project / "source").is_dir()


def test_a_failed_site_build_leaves_the_previous_release_and_no_temporary_folder(
    published: Published, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from skillpress.site import build as site_build

    def refuse(config_file: Path, site_dir: Path, *, strict: bool = True) -> list[str]:
        (site_dir / "index.html").parent.mkdir(parents=True, exist_ok=True)
        (site_dir / "index.html").write_text("half a site")
        raise site_build.SiteBuildError("mkdocs build failed: on purpose", ["WARNING: a broken link"])

    monkeypatch.setattr(site_build, "mkdocs_build", refuse)
    out = tmp_path / "dist"
    shutil.copytree(published.out, out)
    code, _, stderr = run_publish(SPEC, out, PROJECT)
    assert code == 1 and "WARNING: a broken link" in stderr and "publish: nothing written" in stderr
    assert tree(out) == tree(published.out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dist"]


# --------------------------------------------------------------------------- verify


def test_verify_passes_an_intact_release(published: Published) -> None:
    out, err = io.StringIO(), io.StringIO()
    assert verify(published.out, stdout=out, stderr=err) == 0
    assert out.getvalue() == "" and "image-skill 0.1.9" in err.getvalue()
    assert invoke(["verify", str(published.out)]).exit_code == 0


def test_verify_catches_changed_missing_and_extra_files(published: Published, tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    shutil.copytree(published.out, dist)
    readme = dist / "skills-bundle" / "README.md"
    readme.write_bytes(readme.read_bytes() + b"\n")
    (dist / "skills-bundle" / "LICENSE").unlink()
    (dist / "site" / "extra.html").write_text("<p>not released</p>\n")
    out, err = io.StringIO(), io.StringIO()
    assert verify(dist, stdout=out, stderr=err) == 1
    lines = out.getvalue().splitlines()
    assert lines[0] == "MISSING: skills-bundle/LICENSE"
    assert lines[1] == "EXTRA: site/extra.html"
    assert lines[2].startswith("CHANGED: skills-bundle/README.md")
    assert len(lines) == 3 and "3 difference(s)" in err.getvalue()
    assert invoke(["verify", str(dist)]).exit_code == 1


@pytest.mark.parametrize("damage", ["changed", "missing", "extra"])
def test_verify_fails_on_each_kind_of_difference(published: Published, tmp_path: Path, damage: str) -> None:
    dist = tmp_path / "dist"
    shutil.copytree(published.out, dist)
    target = dist / "client" / "image_skill-0.1.9-py3-none-any.whl"
    if damage == "changed":
        data = bytearray(target.read_bytes())
        data[100] ^= 1  # same size, other bytes
        target.write_bytes(bytes(data))
    elif damage == "missing":
        target.unlink()
    else:
        (dist / "client" / "other.whl").write_bytes(b"")
    assert verify(dist, stdout=io.StringIO(), stderr=io.StringIO()) == 1


def test_verify_cannot_run_without_a_manifest(tmp_path: Path) -> None:
    assert invoke(["verify", str(tmp_path)]).exit_code == 2
    (tmp_path / "release.json").write_text("{not json")
    assert invoke(["verify", str(tmp_path)]).exit_code == 2
    assert invoke(["verify", str(tmp_path / "nowhere")]).exit_code == 2


# --------------------------------------------------------------------------- wheel and sdist


def _record_hash(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def test_wheel_metadata_record_and_entries(published: Published) -> None:
    with zipfile.ZipFile(published.wheel) as zf:
        names = zf.namelist()
        info = "image_skill-0.1.9.dist-info"
        assert names[-1] == f"{info}/RECORD"
        package = [n for n in names if not n.startswith(info)]
        assert package == sorted(package)
        for entry in zf.infolist():
            assert entry.compress_type == zipfile.ZIP_STORED
            assert entry.date_time[:3] == release_date(published.spec).timetuple()[:3]
            assert (entry.external_attr >> 16) & 0o777 == 0o644
        meta = zf.read(f"{info}/METADATA").decode()
        headers, _, body = meta.partition("\n\n")
        fields = [line.split(": ", 1) for line in headers.splitlines()]
        values: dict[str, list[str]] = {}
        for key, value in fields:
            values.setdefault(key, []).append(value)
        assert values["Metadata-Version"] == ["2.1"]
        assert values["Name"] == ["image-skill"] and values["Version"] == ["0.1.9"]
        assert values["Summary"] == [published.spec.product.descriptions.short]
        assert values["Requires-Python"] == [">=3.11"] and values["License"] == ["UNLICENSED"]
        assert "Homepage, https://image-skill.com" in values["Project-URL"]
        # No runtime dependency: the only requirement is the optional extra's, for `<cli> mcp`.
        assert values["Requires-Dist"] == ['mcp>=2.3,<3 ; extra == "mcp"']
        assert values["Provides-Extra"] == ["mcp"]
        assert "# image-skill" in body
        wheel = zf.read(f"{info}/WHEEL").decode()
        assert "Wheel-Version: 1.0" in wheel and "Root-Is-Purelib: true" in wheel and "Tag: py3-none-any" in wheel
        assert (
            zf.read(f"{info}/entry_points.txt").decode()
            == "[console_scripts]\nimage-skill = image_skill.client.main:run\n"
        )
        rows = list(csv.reader(io.StringIO(zf.read(f"{info}/RECORD").decode())))
        assert [r[0] for r in rows] == names
        for path, digest, size in rows:
            if path.endswith("/RECORD"):
                assert digest == size == ""
                continue
            data = zf.read(path)
            assert digest == _record_hash(data) and int(size) == len(data), path
        expected = {
            "image_skill/client/SKILL.md": PROJECT / "site/agent/skill.md",
            "image_skill/client/main.py": ROOT / "skillpress/client/main.py",
            "image_skill/contract/requests.py": ROOT / "skillpress/contract/requests.py",
            "image_skill/client/hooks/references.py": PROJECT / "hooks/references.py",
        }
        for name in ("skill.md", "llms.txt", "llms-full.txt", "cli.md", "commands.json", "openapi.json"):
            expected[f"image_skill/agent/{name}"] = PROJECT / "site" / "agent" / name
        for name, source in expected.items():
            assert zf.read(name) == source.read_bytes(), name
        assert zf.read("image_skill/client/contract.json") == render_contract_json(published.spec).encode()
        assert "image_skill/contract/compile.py" not in zf.namelist()


def test_sdist_has_pkg_info_and_a_pyproject_that_rebuilds_the_same_package(
    published: Published, tmp_path: Path
) -> None:
    with tarfile.open(published.sdist) as tar:
        members = tar.getmembers()
        assert all(m.name.startswith("image_skill-0.1.9/") or m.name == "image_skill-0.1.9" for m in members)
        assert all(m.uid == m.gid == 0 and not m.uname and not m.gname for m in members)
        pkg_info = tar.extractfile("image_skill-0.1.9/PKG-INFO").read()
        pyproject = tomllib.loads(tar.extractfile("image_skill-0.1.9/pyproject.toml").read().decode())
        sources = {
            m.name.split("/", 1)[1]: tar.extractfile(m).read()
            for m in members
            if m.isfile() and m.name.startswith("image_skill-0.1.9/image_skill/")
        }
    assert published.sdist.read_bytes()[4:8] == b"\0\0\0\0", "gzip header mtime must be 0"
    with zipfile.ZipFile(published.wheel) as zf:
        assert pkg_info == zf.read("image_skill-0.1.9.dist-info/METADATA")
        packaged = {n: zf.read(n) for n in zf.namelist() if n.startswith("image_skill/")}
    assert sources == packaged
    project = pyproject["project"]
    assert project["name"] == "image-skill" and project["version"] == "0.1.9" and project["dependencies"] == []
    assert project["scripts"] == {"image-skill": "image_skill.client.main:run"}
    assert pyproject["build-system"]["build-backend"] == "setuptools.build_meta"

    pytest.importorskip("setuptools.command.bdist_wheel", reason="setuptools>=70.1 (test extras) builds wheels")
    out = tmp_path / "rebuilt"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-index",
            "--no-build-isolation",
            "--no-deps",
            "--no-cache-dir",
            "-q",
            "-w",
            str(out),
            str(published.sdist),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (rebuilt,) = out.glob("image_skill-0.1.9-*.whl")
    with zipfile.ZipFile(rebuilt) as zf:
        assert {n: zf.read(n) for n in zf.namelist() if n.startswith("image_skill/")} == packaged
        entry_points = zf.read("image_skill-0.1.9.dist-info/entry_points.txt").decode()
    assert "image-skill = image_skill.client.main:run" in entry_points


def test_client_modules_import_each_other_relatively() -> None:
    """The packaged client is the same files under another name: no absolute skillpress imports."""
    for path in sorted((ROOT / "skillpress" / "client").glob("*.py")):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"^\s*(from|import) skillpress\b", text, re.M), path.name


# --------------------------------------------------------------------------- the client in a fresh venv


def _client(
    venv: Path, *args: str, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[bytes]:
    base = {
        "PATH": f"{venv / 'bin'}{os.pathsep}/usr/bin:/bin",
        "HOME": str(cwd or venv),
        "LANG": "C.UTF-8",
        "XDG_CONFIG_HOME": str((cwd or venv) / "xdg"),
    }
    return subprocess.run(
        [str(venv / "bin" / "image-skill"), *args],
        capture_output=True,
        timeout=120,
        env={**base, **(env or {})},
        cwd=cwd or venv,
    )


def test_fresh_venv_has_no_skillpress_and_runs_the_installed_package(fresh_venv: Path) -> None:
    python = fresh_venv / "bin" / "python"
    # run outside the repository, where `python -c` would put skillpress on sys.path
    proc = subprocess.run(
        [str(python), "-c", "import image_skill.client.main as m; print(m.HERE)"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=fresh_venv,
    )
    assert proc.returncode == 0, proc.stderr
    assert Path(proc.stdout.strip()).parent.name == "image_skill"  # .../image_skill/client
    assert "site-packages" in proc.stdout
    proc = subprocess.run(
        [str(python), "-c", "import skillpress"], capture_output=True, text=True, timeout=60, cwd=fresh_venv
    )
    assert proc.returncode != 0
    proc = subprocess.run(
        [str(python), "-m", "pip", "list", "--format=json", "--disable-pip-version-check"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    names = {p["name"].lower() for p in json.loads(proc.stdout)}
    assert names - {"pip", "setuptools", "wheel"} == {"image-skill"}


def test_installed_client_prints_the_spec_version(fresh_venv: Path, published: Published) -> None:
    proc = _client(fresh_venv, "--version")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.decode() == f"image-skill {published.spec.product.version}\n"


def test_installed_client_prints_the_canonical_skill(fresh_venv: Path, published: Published) -> None:
    """`help --skill` prints the canonical skill.md: the one served at the skill URL.

    That is ``site/agent/skill.md`` (also ``site/skill.md`` in the release), whose links
    are absolute URLs, so it reads right wherever the client prints it. The skills
    bundle's ``skills/image-skill/SKILL.md`` is the same skill rendered for a folder: its
    links point into ``references/`` next to it, and rules meant for installed skill
    folders appear there only, so its bytes differ on purpose.
    """
    proc = _client(fresh_venv, "help", "--skill")
    assert proc.returncode == 0, proc.stderr
    served = (published.out / "site" / "skill.md").read_bytes()
    assert proc.stdout == served == (PROJECT / "site" / "agent" / "skill.md").read_bytes()
    folder = (published.bundle / "skills" / "image-skill" / "SKILL.md").read_bytes()
    assert folder != served and "references/cli.md" in folder.decode() and "references/" not in served.decode()
    front = lambda text: text.split(b"\n---\n", 1)[0]  # noqa: E731 - same name and description
    assert front(folder) == front(served)


def test_installed_client_doctor_reaches_the_mock(fresh_venv: Path, published: Published, tmp_path: Path) -> None:
    from skillpress.mock.server import MockServer

    with MockServer(published.spec) as mock:
        proc = _client(fresh_venv, "doctor", "--json", env={"IMAGE_SKILL_API_BASE_URL": mock.url}, cwd=tmp_path)
        requests = list(mock.app.requests)
    assert proc.returncode == 0, proc.stdout.decode() + proc.stderr.decode()
    envelope = json.loads(proc.stdout)
    assert envelope["ok"] is True
    assert envelope["data"]["api"]["reachable"] is True
    assert ("GET", "/healthz", 200) in requests


# --------------------------------------------------------------------------- skills bundle, plugin


def test_plugin_manifests(published: Published) -> None:
    spec = published.spec
    plugin = json.loads((published.bundle / ".claude-plugin" / "plugin.json").read_text(encoding="utf-8"))
    assert plugin["name"] == "image-skill" and plugin["version"] == spec.product.version
    assert plugin["description"] == spec.product.descriptions.short
    assert plugin["author"] == {"name": "Image Skill"} and plugin["license"] == "UNLICENSED"
    market = json.loads((published.bundle / ".claude-plugin" / "marketplace.json").read_text(encoding="utf-8"))
    assert market["name"] == "image-skill" and market["owner"] == {"name": "Image Skill"}
    (entry,) = market["plugins"]
    assert entry["source"] == "./" and entry["name"] == plugin["name"] and entry["version"] == plugin["version"]
    # the Agent Plugins manifest at the root carries the same values under its own $schema
    agent = json.loads((published.bundle / "plugin.json").read_text(encoding="utf-8"))
    assert agent == {"$schema": "https://agent-plugins.org/schemas/1.0.0/plugin.schema.json", **plugin}


def test_readme_and_license_say_something(published: Published) -> None:
    readme = (published.bundle / "README.md").read_text(encoding="utf-8")
    for skill in published.spec.skills:
        assert f"skills/{skill.name}/SKILL.md" in readme
    for needle in (
        "npx skills add",
        "/plugin marketplace add",
        "/plugin install image-skill@image-skill",
        "pip install client/image_skill-0.1.9-py3-none-any.whl",
        "https://image-skill.com/llms.txt",
        "## Version 0.1.9 (2026-05-22)",
        "LICENSE",
    ):
        assert needle in readme, needle
    assert len(readme.split()) > 250
    license_text = (published.bundle / "LICENSE").read_text(encoding="utf-8")
    assert "All rights reserved" in license_text and "UNLICENSED" in license_text


def test_spec_without_the_plugin_setting_publishes_no_plugin(tmp_path: Path) -> None:
    project = tmp_path / "project"
    spec = copy_project(project)
    text = spec.read_text(encoding="utf-8")
    start = text.index("\npublish:\n")
    spec.write_text(text[: start + 1], encoding="utf-8")  # the publish block is the spec's last
    code, stdout, stderr = run_publish(spec, tmp_path / "dist", project)
    assert code == 0, stdout + stderr
    assert not (tmp_path / "dist" / "skills-bundle" / ".claude-plugin").exists()
    assert (tmp_path / "dist" / "skills-bundle" / "plugin.json").is_file()  # Agent Plugins needs no setting
    assert (tmp_path / "dist" / "skills-bundle" / "README.md").is_file()
    assert "/plugin marketplace add" not in (tmp_path / "dist" / "skills-bundle" / "README.md").read_text()


@pytest.mark.tool
def test_skills_installer_installs_every_skill_from_the_bundle(published: Published, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    proc = run_skills(
        ["add", str(published.bundle), "--skill", "*", "-a", "claude-code", "-a", "codex", "-g", "-y"],
        home=home,
        cwd=tmp_path,
    )
    output = ANSI.sub("", proc.stdout + proc.stderr)
    assert proc.returncode == 0, output
    skills_ref = pytest.importorskip("skills_ref", reason="skills-ref is part of the test extras")
    for skill in published.spec.skills:
        expected = tree(published.bundle / "skills" / skill.name)
        assert any(rel.startswith("references/") for rel in expected)
        for where in (home / ".claude" / "skills" / skill.name, home / ".agents" / "skills" / skill.name):
            assert tree(where) == expected, f"{where}:\n{output}"
            assert skills_ref.validate(where) == [], where
