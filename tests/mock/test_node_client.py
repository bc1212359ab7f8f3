"""The published Node client of the first example (npm `image-skill@0.1.9`) runs its happy
paths against the mock built from our spec. Skipped, with the reason, when npm cannot
install it (offline, or a registry mirror without that version)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from skillpress.mock.server import MockServer
from skillpress.spec.model import Spec
from tests.tools import NODE, TOOLS, npm_package

PACKAGE = "image-skill@0.1.9"
PREFIX = TOOLS / "image-skill-0.1.9"  # its own prefix: an install into TOOLS would prune the other tools
HAPPY_PATHS = [
    ["doctor", "--json"],
    [
        "signup",
        "--agent",
        "--agent-contact",
        "ops@example.com",
        "--agent-name",
        "t",
        "--runtime",
        "pytest",
        "--save",
        "--json",
    ],
    ["whoami", "--json"],
    ["usage", "quota", "--json"],
    ["models", "list", "--json"],
    ["credits", "packs", "list", "--json"],
    [
        "credits",
        "quote",
        "--pack",
        "starter-500",
        "--payment-method",
        "stripe_checkout",
        "--idempotency-key",
        "q-1",
        "--json",
    ],
    ["create", "--dry-run", "--prompt", "a red fox", "--json"],
    ["activity", "list", "--json"],
]


def _client() -> tuple[str, Path]:
    script = PREFIX / "node_modules" / ".bin" / "image-skill"
    node = str(NODE) if NODE.is_file() else shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    # a checkout of the package's source at 0.1.9 (its public mirror) serves when npm cannot
    checkout = os.environ.get("SKILLPRESS_IMAGE_SKILL_CLIENT")
    if checkout and (Path(checkout) / "bin" / "image-skill.mjs").is_file():
        return node, Path(checkout) / "bin" / "image-skill.mjs"
    npm_package(PACKAGE, PREFIX, script)
    return node, script


@pytest.mark.tool
def test_the_published_node_client_runs_its_happy_paths(spec: Spec, tmp_path: Path) -> None:
    node, script = _client()
    base_env = spec.protocol.base_url.env[0] if spec.protocol else "IMAGE_SKILL_API_BASE_URL"
    with MockServer(spec, starting_credits=1000) as mock:
        env = {
            "PATH": f"{Path(node).parent}{os.pathsep}{os.environ.get('PATH', '')}",
            "HOME": str(tmp_path),
            "XDG_CONFIG_HOME": str(tmp_path / ".config"),
            base_env: mock.url,
            "NO_COLOR": "1",
        }
        for argv in HAPPY_PATHS:
            proc = subprocess.run(
                [node, str(script.resolve()), *argv], capture_output=True, text=True, env=env, timeout=60, cwd=tmp_path
            )
            assert proc.returncode == 0, (argv, proc.stdout[-2000:], proc.stderr[-2000:])
            assert json.loads(proc.stdout)["ok"] is True, argv
        endpoints = {entry["endpoint"] for entry in mock.requests()}
    assert {"healthz", "agent-signups", "whoami", "quota", "models-list", "credit-packs", "credit-quotes"} <= endpoints
