"""build and check: exit codes, streams, MISSING/EXTRA, owned folders, dry runs."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from skillpress import pipeline
from skillpress.project import Project

ROOT = Path(__file__).resolve().parent.parent
MINIMAL = ROOT / "tests" / "cases" / "minimal" / "spec.yaml"


SECOND_SKILL = """  - name: second-skill
    description: A second skill, so that dropping it later leaves a stale folder to delete.
"""


def _layout(kwargs: dict) -> dict:
    """Project settings among the keyword arguments (the rest are options of build/check)."""
    return {name: kwargs.pop(name) for name in ("templates", "client_bundle") if name in kwargs}


def run_build(out: Path, spec: Path = MINIMAL, **kwargs) -> tuple[int, str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    code = pipeline.build(Project(out, spec, **_layout(kwargs)), stdout=stdout, stderr=stderr, **kwargs)
    return code, stdout.getvalue(), stderr.getvalue()


def run_check(root: Path, spec: Path = MINIMAL, **kwargs) -> tuple[int, str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    code = pipeline.check(Project(root, spec, **_layout(kwargs)), stdout=stdout, stderr=stderr, **kwargs)
    return code, stdout.getvalue(), stderr.getvalue()


@pytest.fixture
def built(tmp_path: Path) -> Path:
    code, _, _ = run_build(tmp_path)
    assert code == 0
    return tmp_path


def test_build_reports_one_action_line_per_file_on_stderr(tmp_path: Path) -> None:
    code, out, err = run_build(tmp_path)
    assert code == 0 and out == ""
    lines = [line.split() for line in err.splitlines() if not line.startswith("build:")]
    assert lines and all(action == "create" for action, _ in lines)
    assert ["create", "skills/echo-skill/SKILL.md"] in lines


def test_second_build_writes_nothing_and_lists_unchanged_only_when_verbose(built: Path) -> None:
    target = built / "site/agent/cli.md"
    before = target.stat().st_mtime_ns
    code, _, err = run_build(built)
    assert code == 0
    assert "create" not in err and "update" not in err and "identical" not in err
    assert target.stat().st_mtime_ns == before
    _, _, verbose_err = run_build(built, verbose=True)
    assert "identical  site/agent/cli.md" in verbose_err


def test_dry_run_prints_the_plan_and_writes_nothing(tmp_path: Path) -> None:
    code, _, err = run_build(tmp_path, dry_run=True)
    assert code == 0
    assert "create  site/agent/llms.txt" in err
    assert not any(tmp_path.iterdir())


def test_check_is_clean_after_build(built: Path) -> None:
    code, out, err = run_check(built)
    assert code == 0
    assert out == ""
    assert "match the spec" in err


def test_check_reports_changed_missing_and_extra(built: Path) -> None:
    (built / "skills/echo-skill/SKILL.md").write_text("hand edited\n")
    (built / "skills/echo-skill/references/cli.md").unlink()
    (built / "skills/stray.md").write_text("left over\n")
    code, out, err = run_check(built)
    assert code == 1
    assert "--- skills/echo-skill/SKILL.md (current)" in out
    assert "+++ skills/echo-skill/SKILL.md (expected)" in out
    assert "-hand edited" in out
    assert "MISSING: skills/echo-skill/references/cli.md" in out
    assert "EXTRA: skills/stray.md" in out
    assert "differ from the spec" in err


def test_check_json_and_quiet(built: Path) -> None:
    (built / "site/agent/llms.txt").write_text("# drifted\n")
    (built / "CHANGELOG.md").unlink()
    code, out, _ = run_check(built, output_format="json")
    assert code == 1
    payload = json.loads(out)
    assert payload["clean"] is False
    assert payload["changed"] == ["site/agent/llms.txt"]
    assert payload["missing"] == ["CHANGELOG.md"]
    assert payload["extra"] == []
    assert "# drifted" in payload["diffs"]["site/agent/llms.txt"]
    code, out, err = run_check(built, quiet=True)
    assert (code, out, err) == (1, "", "")


def test_check_verbose_prints_token_estimates(built: Path) -> None:
    code, _, err = run_check(built, verbose=True)
    assert code == 0
    assert "tokens  skills/echo-skill/SKILL.md" in err


def test_a_build_deletes_only_files_it_wrote(built: Path, tmp_path: Path) -> None:
    """Files a build wrote and no longer generates go; anyone else's files stay, even in owned folders."""
    spec = tmp_path / "two-skills.yaml"
    text = MINIMAL.read_text()
    spec.write_text(text + SECOND_SKILL)
    assert run_build(built, spec)[0] == 0
    assert (built / "skills/second-skill/SKILL.md").is_file()
    assert "skills/second-skill/SKILL.md" in json.loads((built / ".skillpress-manifest.json").read_text())["files"]
    (built / "skills/mine").mkdir()
    (built / "skills/mine/SKILL.md").write_text("mine\n")
    (built / "site/docs/extra.md").write_text("my page\n")
    (built / "notes.md").write_text("mine\n")
    code, _, err = run_build(built)  # the spec without the second skill
    assert code == 0
    assert "delete  skills/second-skill/SKILL.md" in err
    assert not (built / "skills/second-skill").exists()
    assert "keep  skills/mine/SKILL.md (not written by skillpress" in err
    assert "keep  site/docs/extra.md" in err
    assert (built / "skills/mine/SKILL.md").read_text() == "mine\n"
    assert (built / "site/docs/extra.md").read_text() == "my page\n"
    assert (built / "notes.md").read_text() == "mine\n"
    # they are still drift: check names them
    code, out, _ = run_check(built)
    assert code == 1
    assert "EXTRA: skills/mine/SKILL.md" in out and "EXTRA: site/docs/extra.md" in out


def test_build_out_into_a_folder_with_files_of_its_own_deletes_none(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "site").mkdir(parents=True)
    (out / "site/index.html").write_text("their site\n")
    (out / "skills/theirs").mkdir(parents=True)
    (out / "skills/theirs/SKILL.md").write_text("theirs\n")
    code, _, err = run_build(out)
    assert code == 0
    assert (out / "site/index.html").read_text() == "their site\n"
    assert (out / "skills/theirs/SKILL.md").read_text() == "theirs\n"
    assert "keep  site/index.html" in err
    listed = json.loads((out / ".skillpress-manifest.json").read_text())["files"]
    assert "site/index.html" not in listed and "skills/echo-skill/SKILL.md" in listed


def test_a_killed_build_leaves_no_temp_file_in_owned_folders(built: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Temp files live in the staging folder; the next build clears leftovers of a killed one."""
    from skillpress.output import write

    target = built / "skills/echo-skill/SKILL.md"
    real_replace = os.replace
    seen: list[str] = []

    def killed(src: str, dst: str) -> None:
        seen.append(src)
        raise KeyboardInterrupt  # the process dies between writing the temp file and the rename

    target.write_text("hand edit\n")
    monkeypatch.setattr(write.os, "replace", killed)
    with pytest.raises(KeyboardInterrupt):
        run_build(built)
    monkeypatch.setattr(write.os, "replace", real_replace)
    assert seen and all("/.skillpress-cache/staging/" in s for s in seen)
    owned = [p.name for base in ("skills", "site") for p in (built / base).rglob("*")]
    assert not [n for n in owned if n.endswith(".tmp")]
    # a leftover as an older skillpress (or a SIGKILL mid-write) would leave it
    (built / ".skillpress-cache/staging/.SKILL.md.abcd1234.tmp").write_text("partial")
    (built / "skills/echo-skill/.SKILL.md.abcd1234.tmp").write_text("partial")
    assert run_build(built)[0] == 0
    assert not list((built / ".skillpress-cache/staging").iterdir())
    assert not (built / "skills/echo-skill/.SKILL.md.abcd1234.tmp").exists()
    assert run_check(built)[0] == 0


def test_invalid_spec_writes_nothing_and_exits_1(tmp_path: Path) -> None:
    spec = tmp_path / "bad.yaml"
    spec.write_text(MINIMAL.read_text().replace("version: 1.0.0", "version: banana"))
    out = tmp_path / "out"
    code, stdout, err = run_build(out, spec)
    assert code == 1
    assert "error[version]" in stdout
    assert "nothing written" in err
    assert not out.exists()
    code, stdout, _ = run_check(out, spec)
    assert code == 1 and "error[version]" in stdout


def test_budget_violation_fails_build_and_check(tmp_path: Path) -> None:
    text = MINIMAL.read_text()
    long_body = "\\n".join(f"Line {i} of a very long section body." for i in range(600))
    text = text.replace(
        "    description: Check a hosted round trip with Echo Skill. Use it when a connectivity test is needed.\n",
        "    description: Check a hosted round trip with Echo Skill. Use it when a connectivity test is needed.\n"
        f'    sections:\n      - title: Too long\n        body: "{long_body}"\n',
    )
    spec = tmp_path / "long.yaml"
    spec.write_text(text)
    code, stdout, _ = run_build(tmp_path / "out", spec)
    assert code == 1
    # reported at the skill in the spec, not at a generated file
    assert "long.yaml:" in stdout and "error[size-budget] skills[0]:" in stdout
    assert "lines; a skill file may have at most 500" in stdout


CLI = [sys.executable, "-m", "skillpress"]


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([*CLI, *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=120)


def test_cli_check_streams_and_exit_codes(built: Path) -> None:
    clean = _cli("check", str(MINIMAL), "--root", str(built), cwd=built)
    assert clean.returncode == 0, clean.stderr
    assert clean.stdout == ""
    (built / "site/agent/cli.md").write_text("drift\n")
    drift = _cli("check", str(MINIMAL), "--root", str(built), cwd=built)
    assert drift.returncode == 1
    assert drift.stdout.startswith("--- site/agent/cli.md (current)")
    assert "differ from the spec" in drift.stderr
    missing = _cli("check", str(built / "nope.yaml"), cwd=built)
    assert missing.returncode == 2
    assert "spec file not found" in missing.stderr and "Traceback" not in missing.stderr
    bad_flag = _cli("check", "--bogus", cwd=built)
    assert bad_flag.returncode == 2


def test_build_py_check_runs_the_same_comparison() -> None:
    proc = subprocess.run([sys.executable, str(ROOT / "build.py"), "--help"], capture_output=True, text=True)
    assert proc.returncode == 0 and "--check" in proc.stdout


def test_check_diffs_an_emptied_file_and_one_without_a_final_newline(built: Path) -> None:
    """Hand edits that truncate a file are diffs like any other, never a crash."""
    (built / "site/agent/llms.txt").write_bytes(b"")
    (built / "skills/echo-skill/SKILL.md").write_bytes(b"first line\nno final newline")
    code, out, _ = run_check(built)
    assert code == 1
    assert "--- site/agent/llms.txt (current)" in out and "+# Echo Skill" in out
    assert "-no final newline\n\\ No newline at end of file\n" in out
    assert "-first line\n-no final" in out  # the marker follows the last line only


@pytest.mark.parametrize("how", ["verbose", "no-cache"])
def test_a_clean_check_that_renders_says_so(built: Path, monkeypatch: pytest.MonkeyPatch, how: str) -> None:
    """The full render (verbose, or the result cache turned off) reports a clean tree like the cached path."""
    if how == "no-cache":
        monkeypatch.setenv("SKILLPRESS_NO_CACHE", "1")
    code, out, err = run_check(built, verbose=how == "verbose")
    assert (code, out) == (0, "")
    assert re.search(r"^check: all \d+ generated files match the spec$", err, re.M)


def test_check_json_is_two_space_indented_and_keeps_non_ascii(built: Path) -> None:
    (built / "site/agent/llms.txt").write_text("# édité à la main\n")
    code, out, _ = run_check(built, output_format="json")
    assert code == 1
    assert out == json.dumps(json.loads(out), indent=2, ensure_ascii=False) + "\n"
    assert "édité" in out


def test_warnings_are_printed_on_every_check_never_answered_from_the_cache(tmp_path: Path) -> None:
    """Only a result without findings is cached: a second check must not hide a warning."""
    import yaml

    data = yaml.safe_load(MINIMAL.read_text())
    data.setdefault("events", []).append(
        {"type": "echo.sent", "subject": "echo", "operation": "send", "emitted_when": "Text was echoed.", "links": []}
    )
    spec = tmp_path / "warned.yaml"
    spec.write_text(yaml.safe_dump(data, sort_keys=False))
    out = tmp_path / "out"
    code, stdout, _ = run_build(out, spec)
    assert code == 0 and "warning[" in stdout
    for _ in range(2):
        code, stdout, _ = run_check(out, spec)
        assert code == 0 and "warning[" in stdout


def test_a_broken_user_template_is_reported_at_its_file_and_line(tmp_path: Path) -> None:
    from skillpress.diagnostics import SkillpressError

    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "CHANGELOG.md.j2").write_text("# Changes\n{% for x in %}\n")
    with pytest.raises(SkillpressError) as caught:
        run_build(tmp_path / "out", templates=folder)
    assert caught.value.file == f"{folder / 'CHANGELOG.md.j2'}:2"
    assert caught.value.message.startswith("template error: ")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("body", "where"),
    [("{% for x in %}\n", ":1"), ("{{ view.command.no_such_field }}\n", "")],
    ids=["syntax", "undefined"],
)
def test_a_broken_command_section_template_is_an_error_not_a_traceback(tmp_path: Path, body: str, where: str) -> None:
    """`_command.md.j2` is rendered once per command outside the other templates: same located error."""
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "_command.md.j2").write_text(body)
    (tmp_path / "out").mkdir()
    proc = subprocess.run(
        [*CLI, "build", str(MINIMAL), "--templates", str(folder), "--out", str(tmp_path / "out")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)},
    )
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "template error: " in proc.stderr and f"_command.md.j2{where}" in proc.stderr
    assert list((tmp_path / "out").iterdir()) == []


def test_a_missing_template_folder_is_an_error(tmp_path: Path) -> None:
    from skillpress.diagnostics import SkillpressError

    with pytest.raises(SkillpressError, match="template folder does not exist"):
        run_build(tmp_path / "out", templates=tmp_path / "no-such-folder")
