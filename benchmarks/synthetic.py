"""A synthetic spec of any size, for the scaling benchmark and the size tests.

``synthetic_spec(n)`` returns a valid spec (as plain data) for a made-up product with
``n`` hosted commands in groups of ``group_size`` (``area0001 action00001`` ...), each
with its own endpoint, three flags, an example, errors, an event and, for some, a rule;
plus a few error codes, events, guidance rules and three skills whose sections name
commands. Everything scales with ``n`` except the things a real product has a handful
of (exit codes, error codes, events, rules, skills), so the figures show how skillpress
grows with the number of commands.

The text is sized like a real contract: a command section of cli.md is about 1,500
characters, so about 33 commands fill the 50,000-character budget of one file.
"""

from __future__ import annotations

from typing import Any

import yaml

EXIT_CODES = [
    {"code": 0, "name": "success", "meaning": "The command did what it was asked."},
    {"code": 2, "name": "usage", "meaning": "The arguments were not valid."},
    {"code": 3, "name": "auth", "meaning": "A token is missing, expired or lacks a scope."},
    {"code": 4, "name": "not-found", "meaning": "The named object does not exist."},
    {"code": 5, "name": "conflict", "meaning": "The request conflicts with the current state."},
    {"code": 7, "name": "upstream", "meaning": "The hosted service failed or could not be reached."},
]
ERRORS = [
    ("INVALID_ARGUMENTS", 2, 400, False, "The request body or a flag was not valid.", "Fix the flag and retry."),
    ("UNAUTHORIZED", 3, 401, False, "No token was sent or it expired.", "Run the login command again."),
    ("FORBIDDEN", 3, 403, False, "The token lacks the scope this call needs.", "Ask for a token with the scope."),
    ("NOT_FOUND", 4, 404, False, "The object does not exist.", "List the objects to find the right id."),
    ("CONFLICT", 5, 409, False, "The object changed since it was read.", "Read it again, then retry."),
    ("RATE_LIMITED", 7, 429, True, "Too many calls in a short time.", "Wait and retry with backoff."),
    ("UPSTREAM_FAILED", 7, 502, True, "The service behind the API failed.", "Retry later."),
]
EVENTS = 12
RULES = 6


def _group(g: int) -> str:
    return f"area{g:04d}"


def command_path(i: int, group_size: int = 20) -> str:
    return f"{_group(i // group_size)} action{i:05d}"


def synthetic_spec(
    commands: int,
    *,
    group_size: int = 20,
    section_commands: int = 40,
    description_sentences: int = 3,
) -> dict[str, Any]:
    """A valid spec with ``commands`` commands (see the module docstring)."""
    host = "https://bench.example.com"
    spec: dict[str, Any] = {
        "spec_version": 1,
        "product": {
            "id": "bench-product",
            "name": "Bench Product",
            "version": "1.0.0",
            "status": "benchmark",
            "summary": "A made-up hosted product with many commands, used to measure skillpress at scale.",
            "descriptions": {
                "short": "A made-up hosted product with many commands.",
                "long": "Bench Product exists to measure how skillpress grows with the size of a spec.\n"
                "Every command calls its own endpoint of a hosted API.\n",
                "skill": "Drive Bench Product from an agent. Use it when a benchmark needs a large contract.",
            },
            "urls": {
                "homepage": host,
                "skill": f"{host}/skill.md",
                "llms": f"{host}/llms.txt",
                "cli": f"{host}/cli.md",
                "api": "https://api.bench.example.com",
            },
            "cli_name": "bench",
            "license": "MIT",
        },
        "environment": [
            {"name": "BENCH_TOKEN", "purpose": "The API token.", "secret": True, "role": "token"},
        ],
        "global_flags": [{"name": "--json", "type": "boolean", "summary": "Print the JSON envelope.", "local": True}],
        "commands": [],
        "endpoints": [],
        "envelopes": {
            "success": {
                "fields": [
                    {"name": "ok", "type": "boolean", "required": True},
                    {"name": "data", "type": "object", "required": True},
                ],
                "example": {"ok": True, "data": {}},
            },
            "error": {
                "fields": [
                    {"name": "ok", "type": "boolean", "required": True},
                    {"name": "error", "type": "object", "required": True},
                ],
                "example": {"ok": False, "error": {"code": "INVALID_ARGUMENTS", "message": "bad flag"}},
            },
        },
        "exit_codes": EXIT_CODES,
        "error_codes": [
            {"code": c, "exit_code": x, "http_status": h, "retryable": r, "meaning": m, "recovery": rec}
            for c, x, h, r, m, rec in ERRORS
        ],
        "events": [
            {
                "type": f"thing.event{e:02d}",
                "subject": "thing",
                "operation": f"op{e:02d}",
                "emitted_when": f"A command records change number {e}.",
                "links": ["thing_id"],
            }
            for e in range(EVENTS)
        ],
        "guidance": [
            {
                "id": f"rule-{r}",
                "title": f"Rule number {r}",
                "text": f"Follow rule {r} whenever a command that names it runs; it keeps the account safe.",
                "show_in": ["skill", "cli", "llms-full", "site", "skills"],
            }
            for r in range(RULES)
        ],
        "first_run": [
            {"argv": [*command_path(0, group_size).split(), "--name", "first"], "why": "Check that a call works."},
        ],
        "changelog": [{"version": "1.0.0", "date": "2026-01-01", "items": ["First release."]}],
        "skills": [],
    }
    description = " ".join(
        f"Sentence {s + 1} explains what the command changes and when an agent should prefer it."
        for s in range(description_sentences)
    )
    for i in range(commands):
        path = command_path(i, group_size)
        ident = f"ep{i:05d}"
        error = ERRORS[3 + i % 4]
        command: dict[str, Any] = {
            "path": path,
            "summary": f"Change thing number {i} and print the result.",
            "description": description,
            "auth": "required",
            "endpoint": ident,
            "mutates": i % 2 == 0,
            "flags": [
                {
                    "name": "--name",
                    "summary": "Name of the thing.",
                    "value_name": "NAME",
                    "required": True,
                    "field": "name",
                },
                {
                    "name": "--limit",
                    "type": "integer",
                    "summary": "How many to return.",
                    "default": 20,
                    "field": "limit",
                },
                {"name": "--mode", "summary": "Which mode to use.", "choices": ["fast", "careful"], "field": "mode"},
            ],
            "examples": [
                {"argv": [*path.split(), "--name", "demo", "--limit", "5", "--json"], "shows": "A call with a limit."}
            ],
            "exit_codes": [0, 2, 3, error[1], 7],
            "errors": ["INVALID_ARGUMENTS", "UNAUTHORIZED", error[0]],
            "events": [f"thing.event{i % EVENTS:02d}"],
        }
        if i % 7 == 0:
            command["rules"] = [f"rule-{i % RULES}"]
        spec["commands"].append(command)
        spec["endpoints"].append(
            {
                "id": ident,
                "method": "POST" if i % 2 == 0 else "GET",
                "path": f"/v1/things/{i}" if i % 2 == 0 else f"/v1/things/{i}/view",
                "summary": f"Change or read thing number {i}.",
                "auth": "required",
                "body" if i % 2 == 0 else "query": [
                    {"name": "name", "type": "string", "required": True},
                    {"name": "limit", "type": "integer"},
                    {"name": "mode", "type": "string", "choices": ["fast", "careful"]},
                ],
                "response": {
                    "fields": [
                        {"name": "id", "type": "string", "required": True},
                        {"name": "name", "type": "string", "required": True},
                    ],
                    "example": {"id": f"thing_{i}", "name": "demo"},
                },
                "errors": ["INVALID_ARGUMENTS", "UNAUTHORIZED", error[0]],
            }
        )
    paths = [c["path"] for c in spec["commands"]]
    spec["skills"] = [
        {
            "name": "bench-product",
            "canonical": True,
            "description": "Drive Bench Product from an agent. Use it when a benchmark needs a large contract.",
            "sections": [
                {"title": "First run", "first_run": True},
                {"title": "Common commands", "commands": paths[:section_commands], "rules": ["rule-0"]},
            ],
        },
        {
            "name": "bench-product-first",
            "description": "Work with the first commands of Bench Product.",
            "sections": [{"title": "First commands", "commands": paths[: section_commands * 2]}],
        },
        {
            "name": "bench-product-last",
            "description": "Work with the last commands of Bench Product.",
            "sections": [{"title": "Last commands", "commands": paths[-section_commands:]}],
        },
    ]
    return spec


def to_yaml(spec: dict[str, Any]) -> str:
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    return yaml.dump(spec, Dumper=dumper, sort_keys=False, allow_unicode=True, width=1000)


def synthetic_yaml(commands: int, **options: Any) -> str:
    return to_yaml(synthetic_spec(commands, **options))
