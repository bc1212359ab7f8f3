"""`skillpress validate` and `python build.py`: exit codes and output formats."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli import invoke

REPO_ROOT = Path(__file__).resolve().parent.parent
MINIMAL = "tests/cases/minimal/spec.yaml"
BROKEN = "tests/invalid/command-endpoint-dangling.yaml"
TEXT_LINE = re.compile(
    r"^(?P<file>.+?):(?P<line>\d+):(?P<col>\d+): (?P<severity>error|warning)\[(?P<code>[a-z0-9-]+)\]"
    r"(?: (?P<path>[^ ]+):)? (?P<message>.*)$"
)


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.chdir(REPO_ROOT)

    def run(*args: str):  # type: ignore[no-untyped-def]
        result = invoke(list(args))
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise AssertionError(f"the CLI raised {result.exception!r}")
        assert "Traceback" not in result.stdout + result.stderr
        return result

    return run


def test_valid_spec_exits_0(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("validate", MINIMAL)
    assert result.exit_code == 0
    assert result.stdout == "Found 0 errors and 0 warnings\n"


def test_broken_spec_exits_1(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("validate", BROKEN)
    assert result.exit_code == 1
    assert f"{BROKEN}:" in result.stdout
    assert "error[command-endpoint]" in result.stdout
    assert result.stdout.rstrip().endswith("Found 2 errors and 0 warnings")


def parse_text(stdout: str) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for line in stdout.splitlines():
        if line.startswith("  hint: "):
            out[-1]["hint"] = line[len("  hint: ") :]
            continue
        match = TEXT_LINE.match(line)
        if match:
            out.append(
                {
                    "file": match["file"],
                    "line": int(match["line"]),
                    "col": int(match["col"]),
                    "severity": match["severity"],
                    "code": match["code"],
                    "path": match["path"] or "",
                    "message": match["message"],
                    "hint": None,
                }
            )
    return out


@pytest.mark.parametrize(
    "spec",
    [
        BROKEN,
        "tests/invalid/yaml-duplicate-key.yaml",
        "tests/invalid/file-empty.yaml",
        "tests/invalid/top-level-list.yaml",
        MINIMAL,
    ],
)
def test_json_matches_text(cli, spec: str) -> None:  # type: ignore[no-untyped-def]
    text = cli("validate", spec)
    as_json = cli("validate", "--format", "json", spec)
    assert as_json.exit_code == text.exit_code
    payload = json.loads(as_json.stdout)
    assert payload["file"] == spec
    assert payload["valid"] is (text.exit_code == 0)
    assert payload["diagnostics"] == parse_text(text.stdout)
    assert payload["errors"] == sum(d["severity"] == "error" for d in payload["diagnostics"])
    assert payload["warnings"] == sum(d["severity"] == "warning" for d in payload["diagnostics"])
    assert text.stdout.splitlines()[-1] == (
        f"Found {payload['errors']} error{'s' if payload['errors'] != 1 else ''} and "
        f"{payload['warnings']} warning{'s' if payload['warnings'] != 1 else ''}"
    )


def test_missing_file_exits_2(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("validate", "tests/no-such-spec.yaml")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == "skillpress: error: tests/no-such-spec.yaml: spec file not found\n"


def test_directory_exits_2(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("validate", "tests")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1
    assert "directory" in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("validate", "--bogus", MINIMAL),
        ("validate", "--format", "xml", MINIMAL),
        ("validate", MINIMAL, "extra-argument"),
    ],
)
def test_bad_usage_exits_2(cli, args: tuple[str, ...]) -> None:  # type: ignore[no-untyped-def]
    result = cli(*args)
    assert result.exit_code == 2
    assert result.stdout == ""


def test_subprocess_missing_file_has_no_traceback(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "skillpress", "validate", str(tmp_path / "missing.yaml")],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr


def test_build_py_checks_and_dry_runs_every_example() -> None:
    check = subprocess.run(
        [sys.executable, "build.py", "--check"], cwd=REPO_ROOT, capture_output=True, text=True, timeout=300
    )
    assert check.returncode == 0, check.stdout + check.stderr
    assert "== examples/image-skill" in check.stderr
    dry = subprocess.run(
        [sys.executable, "build.py", "--dry-run", "examples/image-skill"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert dry.returncode == 0, dry.stdout + dry.stderr
    assert "dry run, 0 change(s) not written" in dry.stderr or "0 file(s) changed" in dry.stderr
    assert "Traceback" not in check.stderr + dry.stderr


def test_mock_refuses_a_path_that_repeats_a_parameter(cli) -> None:  # type: ignore[no-untyped-def]
    """It used to validate and then crash the mock while building its routes."""
    spec = "tests/invalid/endpoint-path-param-repeated.yaml"
    result = cli("mock", spec, "--port", "0")
    assert result.exit_code == 1
    assert "error[endpoint-path-params] endpoints[0].path: path parameter {channel} appears more than once" in (
        result.stdout
    )


# --------------------------------------------------------------------------- what a spec path may name


def _limited_memory() -> None:  # pragma: no cover - runs in the child process
    import resource

    # 1 GiB of address space: an uncapped read of /dev/zero dies with MemoryError
    # instead of taking the machine's memory.
    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))


def run_skillpress(*args: str, stdin: bytes | None = None, cwd: Path = REPO_ROOT) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "skillpress", *args],
        cwd=cwd,
        input=stdin,
        stdin=None if stdin is not None else subprocess.DEVNULL,
        capture_output=True,
        timeout=120,
        preexec_fn=_limited_memory,
    )


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
@pytest.mark.parametrize(
    "args",
    [("validate",), ("check", "--root", "{tmp}"), ("build", "--out", "{tmp}"), ("mock", "--port", "0")],
    ids=["validate", "check", "build", "mock"],
)
def test_a_device_is_refused_before_it_is_read(args: tuple[str, ...], tmp_path: Path) -> None:
    """`validate /dev/zero` used to read until MemoryError (check and build too, via the cache key)."""
    argv = [args[0], "/dev/zero", *(a.replace("{tmp}", str(tmp_path)) for a in args[1:])]
    proc = run_skillpress(*argv)
    assert proc.returncode == 2, proc.stderr
    assert proc.stdout == b""
    assert (
        proc.stderr
        == b"skillpress: error: /dev/zero: is a character device, not a regular file; a spec must be a file\n"
    )


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    fifo = tmp_path / "spec.yaml"
    os.mkfifo(fifo)
    proc = run_skillpress("validate", str(fifo))  # opening it for reading would block forever
    assert proc.returncode == 2
    assert b"is a FIFO (pipe), not a regular file" in proc.stderr
    assert b"skillpress validate -" in proc.stderr


def test_dev_stdin_fed_by_a_pipe_is_refused() -> None:
    """A pipe behind /dev/stdin has no size, so it used to skip the size check."""
    proc = run_skillpress("validate", "/dev/stdin", stdin=b"a: 1\n" + b"#" * (6 << 20))
    assert proc.returncode == 2
    assert b"/dev/stdin: is a FIFO (pipe), not a regular file" in proc.stderr


def test_validate_dash_reads_stdin() -> None:
    proc = run_skillpress("validate", "-", stdin=(REPO_ROOT / MINIMAL).read_bytes())
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, b"Found 0 errors and 0 warnings\n", b"")
    broken = run_skillpress("validate", "-", stdin=(REPO_ROOT / BROKEN).read_bytes())
    assert broken.returncode == 1
    assert broken.stdout.startswith(b"<stdin>:")


@pytest.mark.parametrize("size", [(32 << 20) + 1, 64 << 20])
def test_validate_dash_stops_reading_at_the_cap(size: int) -> None:
    proc = run_skillpress("validate", "-", stdin=b"#" * size)
    assert proc.returncode == 1
    assert proc.stdout.decode().startswith(
        "<stdin>:1:1: error[file-too-large] spec file is more than 33554432 bytes; the limit is 33554432 bytes (32 MiB)"
    )


def test_a_spec_of_exactly_the_cap_is_read_from_stdin() -> None:
    body = (REPO_ROOT / MINIMAL).read_bytes()
    proc = run_skillpress("validate", "-", stdin=body + b"#" * ((5 << 20) - len(body)))
    assert proc.returncode == 0, proc.stdout
