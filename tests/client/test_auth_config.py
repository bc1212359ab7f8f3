"""Token handling: signup redaction, the config file, token order, base-URL binding, redaction."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

from tests.client.conftest import Client, signup_token
from tests.client.stubs import Reply, Stub, envelope

SIGNUP = ["signup", "--agent", "--agent-contact", "Ops@Example.com ", "--agent-name", "tester", "--runtime", "pytest"]


def _signups(mock: Any) -> int:
    return sum(1 for method, path, _ in mock.app.requests if method == "POST" and path == "/v1/agent-signups")


def test_signup_save_keeps_the_token_out_of_stdout_and_writes_a_private_config(client: Client, mock: Any) -> None:
    result = client(*SIGNUP, "--save", "--json")
    assert result.code == 0, result.stdout
    data = result.json["data"]
    assert data["token"] is None and data["token_presented"] is False
    assert data["storage"]["saved"] is True
    assert data["storage"]["config_path"] == str(client.config_path)
    config = json.loads(client.config_path.read_text())
    token = config["token"]
    assert token.startswith("isk_r_") and token not in result.stdout and token not in result.stderr
    assert config["api_base_url"] == mock.url
    assert stat.S_IMODE(client.config_path.stat().st_mode) == 0o600
    assert stat.S_IMODE(client.config_path.parent.stat().st_mode) == 0o700
    assert sorted(os.listdir(client.config_path.parent)) == ["config.json"]  # no temp or probe files left
    # the contact is sent trimmed and lower-cased, as documented
    sent = [r["json"] for r in mock.requests() if r["path"] == "/v1/agent-signups"]
    assert sent[-1]["human_email"] == "ops@example.com"
    # the saved token now works for authenticated commands
    whoami = client("whoami", "--json")
    assert whoami.code == 0 and token not in whoami.stdout


def test_signup_without_save_hides_the_token(client: Client) -> None:
    result = client(*SIGNUP, "--json")
    assert result.code == 0
    assert result.json["data"]["token"] is None
    assert "isk_r_" + "" not in result.stdout.replace('"token_class": "isk_r_"', "")
    assert not client.config_path.exists()


def test_show_token_prints_it_once(client: Client) -> None:
    result = client(*SIGNUP, "--show-token", "--json")
    assert result.json["data"]["token"].startswith("isk_r_")
    assert not client.config_path.exists()


def test_save_probes_the_config_before_minting_a_token(client: Client, mock: Any, tmp_path: Path) -> None:
    blocker = tmp_path / "afile"
    blocker.write_text("not a folder")
    result = client(*SIGNUP, "--save", "--json", env={"IMAGE_SKILL_CONFIG_PATH": str(blocker / "config.json")})
    assert result.code == 9
    assert result.json["error"]["code"] == "PUBLIC_CLI_CONFIG_WRITE_FAILED"
    assert "IMAGE_SKILL_CONFIG_PATH=" in result.json["error"]["recovery"]["suggested_command"]
    assert _signups(mock) == 0


def test_empty_env_vars_count_as_unset(client: Client, mock: Any) -> None:
    token = signup_token(client)
    # IMAGE_SKILL_TOKEN="" must not shadow the fallback variable
    result = client("auth", "status", "--json", env={"IMAGE_SKILL_TOKEN": "", "IMAGE_SKILL_HOSTED_TOKEN": token})
    assert result.code == 0 and result.json["data"]["auth_source"] == "env"
    # IMAGE_SKILL_CONFIG_PATH="" falls back to the default path; XDG_CONFIG_HOME="" to ~/.config
    saved = client(
        "auth",
        "save",
        "--token-stdin",
        "--json",
        stdin=token,
        env={"IMAGE_SKILL_CONFIG_PATH": "", "XDG_CONFIG_HOME": ""},
    )
    assert saved.code == 0, saved.stdout
    assert saved.json["data"]["config_path"] == str(client.home / ".config" / "image-skill" / "config.json")
    # IMAGE_SKILL_API_BASE_URL="" falls back to the spec's API URL (never an "Invalid URL");
    # auth status without a token answers locally, so nothing leaves the machine here.
    status = client(
        "auth",
        "status",
        "--json",
        env={
            "IMAGE_SKILL_API_BASE_URL": "",
            "IMAGE_SKILL_CONFIG_PATH": "",
            "XDG_CONFIG_HOME": str(client.home / "elsewhere"),
        },
    )
    assert status.code == 0 and status.json["data"]["api_base_url"] == "https://api.image-skill.com"


def test_token_order_stdin_then_env_then_config(client: Client) -> None:
    token = signup_token(client)
    assert client("auth", "save", "--token-stdin", "--json", stdin=token).code == 0
    assert client("auth", "status", "--json").json["data"]["auth_source"] == "config"
    env = {"IMAGE_SKILL_TOKEN": token}
    assert client("auth", "status", "--json", env=env).json["data"]["auth_source"] == "env"
    stdin = client("auth", "status", "--token-stdin", "--json", env=env, stdin=token + "\n")
    assert stdin.json["data"]["auth_source"] == "stdin"
    empty = client("whoami", "--token-stdin", "--json", stdin="")
    assert empty.code == 3 and empty.json["error"]["code"] == "AUTH_REQUIRED"
    logout = client("auth", "logout", "--json")
    assert logout.code == 0 and not client.config_path.exists()
    status = client("auth", "status", "--json")
    assert status.code == 0 and status.json["data"]["authenticated"] is False


def test_no_token_is_decided_locally(client: Client, mock: Any) -> None:
    before = len(mock.app.requests)
    result = client("whoami", "--json")
    assert result.code == 3 and result.json["error"]["code"] == "AUTH_REQUIRED"
    assert len(mock.app.requests) == before


def test_saved_token_is_not_sent_to_another_base(client: Client, spec: Any, stub: Stub) -> None:
    assert client(*SIGNUP, "--save", "--json").code == 0
    stub.route("GET", "/v1/whoami", Reply(200, envelope({"actor_id": "x"})))
    other = Client(client.table, client.home, stub.url)
    result = other("whoami", "--json")
    assert result.code == 2
    assert result.json["error"]["code"] == "API_BASE_URL_REFUSED"
    assert stub.requests == []
    # the same through --api-base-url
    result = client("whoami", "--api-base-url", stub.url, "--json")
    assert result.json["error"]["code"] == "API_BASE_URL_REFUSED" and stub.requests == []


def test_no_token_over_plain_http_to_a_remote_host(client: Client, tmp_path: Path) -> None:
    remote = "http://api.example.invalid"
    config = client.config_path
    config.parent.mkdir(parents=True, mode=0o700, exist_ok=True)
    config.write_text(json.dumps({"api_base_url": remote, "token": "isk_r_" + "A" * 20}))
    saved = client("whoami", "--json", env={"IMAGE_SKILL_API_BASE_URL": remote})
    env = client("whoami", "--json", env={"IMAGE_SKILL_API_BASE_URL": remote, "IMAGE_SKILL_TOKEN": "isk_r_" + "B" * 20})
    for result in (saved, env):
        assert result.code == 2, result.stdout
        assert result.json["error"]["code"] == "API_BASE_URL_REFUSED"
        assert "isk_r_" not in result.stdout
    save = client(
        "auth", "save", "--token-stdin", "--json", stdin="isk_r_" + "C" * 20, env={"IMAGE_SKILL_API_BASE_URL": remote}
    )
    assert save.code == 2


def test_tokens_are_redacted_from_errors_and_data(client_for: Any, stub: Stub) -> None:
    token = "isk_r_" + "S3cret" * 4
    other = "isk_r_" + "Zz9" * 5
    stub.route(
        "GET",
        "/v1/quota",
        Reply(
            403,
            envelope(
                ok=False,
                error={
                    "code": "CAPABILITY_DENIED",
                    "message": f"token {token} lacks a grant; also saw {other}",
                    "retryable": False,
                },
            ),
        ),
    )
    stub.route("GET", "/v1/whoami", Reply(200, envelope({"echo": token, "note": f"Bearer {token}"})))
    client = client_for(stub.url)
    result = client("usage", "quota", "--json", env={"IMAGE_SKILL_TOKEN": token})
    assert result.code == 3
    assert token not in result.stdout and other not in result.stdout
    assert "<redacted>" in result.json["error"]["message"]
    result = client("whoami", "--json", env={"IMAGE_SKILL_TOKEN": token})
    assert result.code == 0 and token not in result.stdout
    assert stub.requests[-1]["headers"]["authorization"] == f"Bearer {token}"


def test_doctor_reports_booleans_never_tokens(client: Client) -> None:
    token = signup_token(client)
    result = client("doctor", "--json", env={"IMAGE_SKILL_TOKEN": token})
    assert result.code == 0
    auth = result.json["data"]["auth"]
    assert auth["env_token"] is True and auth["saved_token"] is False
    assert token not in result.stdout
    assert result.json["data"]["hosted_api"]["reachable"] is True


def test_doctor_succeeds_when_the_api_is_unreachable(client_for: Any) -> None:
    result = client_for("http://127.0.0.1:9")("doctor", "--json")
    assert result.code == 0
    assert result.json["data"]["hosted_api"]["reachable"] is False


def test_config_is_replaced_atomically(client: Client) -> None:
    assert client(*SIGNUP, "--save", "--json").code == 0
    first = client.config_path.stat()
    first_token = json.loads(client.config_path.read_text())["token"]
    assert client(*SIGNUP, "--save", "--json").code == 0
    second = client.config_path.stat()
    assert second.st_ino != first.st_ino  # a new file renamed over the old one, never rewritten in place
    assert stat.S_IMODE(second.st_mode) == 0o600
    assert json.loads(client.config_path.read_text())["token"] != first_token
    assert sorted(os.listdir(client.config_path.parent)) == ["config.json"]


def test_token_stdin_from_a_terminal_is_refused(client: Client) -> None:
    import pty
    import subprocess
    import sys

    leader, follower = pty.openpty()
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "skillpress.client", "whoami", "--token-stdin", "--json"],
            stdin=follower,
            capture_output=True,
            env=client.env(),
            cwd=client.cwd,
            timeout=30,
        )
    finally:
        os.close(follower)
        os.close(leader)
    assert proc.returncode == 2
    assert json.loads(proc.stdout)["error"]["code"] == "INVALID_ARGUMENTS"
