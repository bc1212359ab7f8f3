"""`no-secrets`: every key shape it knows, its placeholder policy, every place it looks.

The real-looking values are assembled at run time from a prefix and generated
material, so that no credential-shaped string sits in the repository for a secret
scanner to trip over.
"""

from __future__ import annotations

import copy
import hashlib
import string
from typing import Any

import pytest
import yaml

from skillpress.spec import load_spec_text
from tests.test_rules import BASE

ALNUM = string.ascii_letters + string.digits
UPPER = string.ascii_uppercase + string.digits
URLSAFE = ALNUM + "_-"


def material(length: int, alphabet: str = ALNUM, seed: str = "") -> str:
    """Deterministic, high-entropy text: what a real key's body looks like."""
    out = ""
    counter = 0
    while len(out) < length:
        digest = hashlib.sha256(f"{seed}:{counter}".encode()).digest()
        out += "".join(alphabet[b % len(alphabet)] for b in digest)
        counter += 1
    return out[:length]


PEM_BODY = "\n".join(material(64, ALNUM + "+/", f"pem{i}") for i in range(3))
JWT = "eyJ" + material(20, URLSAFE, "h") + "." + material(30, URLSAFE, "p") + "." + material(43, URLSAFE, "s")

# (id, what the finding calls it, a real-looking value, values that just miss)
SHAPES: list[tuple[str, str, str, list[str]]] = [
    (
        "stripe-live",
        "Stripe secret key",
        "sk_live_" + material(24),
        ["sk_live_" + material(15), "sk_live_...", "sk_live_EXAMPLE" + material(12), "sk_live_" + "0" * 24],
    ),
    ("stripe-test", "Stripe secret key", "sk_test_" + material(24), ["sk_test_" + material(15), "sk_test_YOUR_KEY"]),
    ("stripe-restricted", "Stripe secret key", "rk_live_" + material(24), ["rk_live_" + material(15)]),
    (
        "stripe-webhook",
        "Stripe webhook signing secret",
        "whsec_" + material(32),
        ["whsec_" + material(15), "whsec_..."],
    ),
    (
        "openai-project",
        "OpenAI API key",
        "sk-proj-" + material(48, URLSAFE),
        ["sk-proj-" + material(19), "sk-proj-..."],
    ),
    ("openai-legacy", "OpenAI API key", "sk-" + material(48), ["sk-" + material(31), "sk-your-key"]),
    (
        "anthropic",
        "Anthropic API key",
        "sk-ant-api03-" + material(80, URLSAFE),
        ["sk-ant-" + material(19), "sk-ant-...", "sk-ant-api03-REDACTED" + material(20)],
    ),
    ("google", "Google API key", "AIza" + material(35, URLSAFE), ["AIza" + material(34, ALNUM), "AIza..."]),
    (
        "github-fine-grained",
        "GitHub token",
        "github_pat_" + material(82, ALNUM + "_"),
        ["github_pat_" + material(21), "github_pat_..."],
    ),
    (
        "github-classic",
        "GitHub token",
        "ghp_" + material(36),
        ["ghp_" + material(29), "ghp_XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX"],
    ),
    ("github-oauth", "GitHub token", "gho_" + material(36), ["gho_" + material(29)]),
    ("github-server", "GitHub token", "ghs_" + material(36), ["ghs_" + material(29)]),
    ("github-user", "GitHub token", "ghu_" + material(36), ["ghu_" + material(29)]),
    ("slack-bot", "Slack token", "xoxb-" + material(12, string.digits) + "-" + material(24), ["xoxb-" + material(9)]),
    ("slack-user", "Slack token", "xoxp-" + material(12, string.digits) + "-" + material(24), ["xoxp-..."]),
    (
        "aws-access",
        "AWS access key id",
        "AKIA" + material(16, UPPER),
        ["AKIA" + material(15, UPPER), "AKIAIOSFODNN7EXAMPLE"],
    ),
    ("aws-session", "AWS access key id", "ASIA" + material(16, UPPER), ["ASIA" + material(17, UPPER).lower()]),
    (
        "pem-rsa",
        "private key",
        "-----BEGIN RSA PRIVATE KEY-----\n" + PEM_BODY + "\n-----END RSA PRIVATE KEY-----",
        [
            "-----BEGIN RSA PRIVATE KEY-----\n...\n-----END RSA PRIVATE KEY-----",
            "-----BEGIN PUBLIC KEY-----\n" + PEM_BODY,
        ],
    ),
    (
        "pem-openssh",
        "private key",
        "-----BEGIN OPENSSH PRIVATE KEY-----\n" + PEM_BODY + "\n-----END OPENSSH PRIVATE KEY-----",
        ["-----BEGIN OPENSSH PRIVATE KEY-----\n" + material(30) + "\n-----END OPENSSH PRIVATE KEY-----"],
    ),
    ("jwt", "JSON Web Token", JWT, ["eyJhbGciOi.eyJzdWIiOi.", JWT.rsplit(".", 1)[0] + "." + material(15, URLSAFE)]),
    (
        "spec-token-prefix",
        "Echo Skill token",
        "isk_r_" + material(24),
        ["isk_r_" + material(15), "isk_r_...", "isk_r_EXAMPLE", "isk_r_<token>", "<token>", "$ECHO_TOKEN"],
    ),
]


def validate_with(value: str, place: str = "response") -> Any:
    data = copy.deepcopy(BASE)
    data["client"] = {"package": "echo-skill", "config_dir": "echo-skill", "token_prefix": "isk_r_"}
    if place == "response":
        data["endpoints"][0]["response"]["example"]["note"] = f"see {value} here"
    else:
        data["commands"][0]["examples"][0]["stdin"] = value
    text = yaml.safe_dump(data, sort_keys=False)
    return text, load_spec_text(text, "spec.yaml")


@pytest.mark.parametrize(("real", "what"), [(s[2], s[1]) for s in SHAPES], ids=[s[0] for s in SHAPES])
def test_each_key_shape_is_found(real: str, what: str) -> None:
    _, result = validate_with(real)
    found = [d for d in result.diagnostics if d.code == "no-secrets"]
    assert len(found) == 1, [d.format_text() for d in result.diagnostics]
    assert found[0].path == "endpoints[0].response.example.note"
    assert f"this looks like a real {what} at character 5" in found[0].message
    # masked: the prefix and a few characters, never the material
    body_tail = PEM_BODY[-12:] if "PRIVATE KEY" in real else real[-12:]
    assert body_tail not in found[0].message and body_tail not in (found[0].hint or "")


NEAR_MISSES = [(s[0], miss) for s in SHAPES for miss in s[3]]


@pytest.mark.parametrize(("shape", "near_miss"), NEAR_MISSES, ids=[f"{s}-{i}" for i, (s, _) in enumerate(NEAR_MISSES)])
def test_a_near_miss_or_a_placeholder_passes(shape: str, near_miss: str) -> None:
    for place in ("response", "stdin"):
        _, result = validate_with(near_miss, place)
        assert [d.format_text() for d in result.diagnostics] == [], (shape, near_miss)


def test_a_shape_inside_a_longer_word_is_not_a_key() -> None:
    _, result = validate_with("mask_live_" + material(24) + " and disk_r_" + material(24))
    assert result.diagnostics == []


# Every place a value of the spec is published, including places no rule listed before.
PLACES: list[tuple[str, Any]] = [
    (
        "commands[0].examples[0].argv[2]",
        lambda d, v: d["commands"][0]["examples"][0].update(argv=["echo", "--text", v]),
    ),
    ("commands[0].examples[0].stdin", lambda d, v: d["commands"][0]["examples"][0].update(stdin=v)),
    ("endpoints[0].response.example.text", lambda d, v: d["endpoints"][0]["response"]["example"].update(text=v)),
    (
        "endpoints[0].response.example.items[1].token",
        lambda d, v: d["endpoints"][0]["response"]["example"].update(items=[{}, {"token": v}]),
    ),
    ("envelopes.success.example.data.token", lambda d, v: d["envelopes"]["success"]["example"]["data"].update(token=v)),
    (
        "envelopes.error.example.error.message",
        lambda d, v: d["envelopes"]["error"]["example"]["error"].update(message=v),
    ),
    (
        "install[0].command",
        lambda d, v: d.update(install=[{"id": "i", "title": "Install", "command": f"export T={v}"}]),
    ),
    ("first_run[0].argv[2]", lambda d, v: d.update(first_run=[{"argv": ["echo", "--text", v], "why": "Check it."}])),
    (
        "commands[0].flags[1].default",
        lambda d, v: d["commands"][0]["flags"].append({"name": "--key", "summary": "K.", "default": v}),
    ),
    ("commands[0].description", lambda d, v: d["commands"][0].update(description=f"Use {v} to sign in.")),
    ("product.descriptions.long", lambda d, v: d["product"]["descriptions"].update(long=f"Token: {v}")),
    ("changelog[0].items[0]", lambda d, v: d["changelog"][0].update(items=[f"Rotated {v}."])),
]


@pytest.mark.parametrize(("where", "put"), PLACES, ids=[p[0] for p in PLACES])
def test_every_published_place_is_scanned(where: str, put: Any) -> None:
    secret = "isk_r_" + material(24, seed=where)
    data = copy.deepcopy(BASE)
    data["client"] = {"package": "echo-skill", "config_dir": "echo-skill", "token_prefix": "isk_r_"}
    put(data, secret)
    text = yaml.safe_dump(data, sort_keys=False, width=1000)
    result = load_spec_text(text, "spec.yaml")
    found = [d for d in result.diagnostics if d.code == "no-secrets"]
    assert [d.path for d in found] == [where], [d.format_text() for d in result.diagnostics]
    diag = found[0]
    # located at the value that holds it
    line = text.splitlines()[diag.line - 1]
    assert secret in line[diag.col - 1 :] or line[diag.col - 1 :].startswith(("|", ">"))
    assert secret not in diag.format_text()
    assert "isk_r_" + secret[6:10] + "..." in diag.message


def test_a_key_of_an_example_is_scanned_and_located_at_the_key() -> None:
    secret = "isk_r_" + material(24, seed="key")
    data = copy.deepcopy(BASE)
    data["client"] = {"package": "echo-skill", "config_dir": "echo-skill", "token_prefix": "isk_r_"}
    data["endpoints"][0]["response"]["example"][secret] = "x"
    text = yaml.safe_dump(data, sort_keys=False)
    [diag] = [d for d in load_spec_text(text, "spec.yaml").diagnostics if d.code == "no-secrets"]
    line = text.splitlines()[diag.line - 1]
    assert line[diag.col - 1 :].startswith(secret + ":")


def test_the_token_prefix_itself_is_not_a_secret() -> None:
    data = copy.deepcopy(BASE)
    data["client"] = {"package": "echo-skill", "config_dir": "echo-skill", "token_prefix": "sk_live_"}
    assert load_spec_text(yaml.safe_dump(data, sort_keys=False), "spec.yaml").diagnostics == []


def test_no_other_rule_prints_a_secret() -> None:
    """The response-echo check quotes request values; an example holding a secret is left out."""
    secret = "isk_r_" + material(24, seed="echo")
    data = copy.deepcopy(BASE)
    data["client"] = {"package": "echo-skill", "config_dir": "echo-skill", "token_prefix": "isk_r_"}
    data["commands"][0]["examples"][0]["argv"] = ["echo", "--text", secret]
    text = yaml.safe_dump(data, sort_keys=False)
    diagnostics = load_spec_text(text, "spec.yaml").diagnostics
    assert [d.code for d in diagnostics] == ["no-secrets"]
    assert all(secret[10:] not in d.format_text() for d in diagnostics)
