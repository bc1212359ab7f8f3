"""The release's skills bundle: skill folders, README, LICENSE and Claude Code plugin manifests.

The bundle is a folder installers accept as it is::

    skills-bundle/
      README.md, LICENSE
      plugin.json                        (Agent Plugins 1.0 manifest: VS Code, Copilot and others)
      .claude-plugin/plugin.json         (when the spec's publish.claude_plugin is on)
      .claude-plugin/marketplace.json    (one plugin whose source is "./": this folder)
      skills/<name>/SKILL.md, references/...

There is no SKILL.md at its root, so an installer (the `skills` CLI, for one) finds every
skill under ``skills/`` instead of taking the root for a single skill; ``skills/`` is also
where Claude Code looks for a plugin's skills.

Everything here is text built from the spec, in a fixed order, so the bundle is
byte-identical for the same spec.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

from skillpress.diagnostics import SkillpressError
from skillpress.render.escape import md_text
from skillpress.render.views import canonical_skill, llms_full_url, sibling_url
from skillpress.spec.model import Spec

SKILLS = "skills"
PLUGIN_DIR = ".claude-plugin"

#: The Agent Plugins 1.0 manifest schema (vendored under schema/vendor/agent-plugins-1.0.0/).
AGENT_PLUGIN_SCHEMA = "https://agent-plugins.org/schemas/1.0.0/plugin.schema.json"


def release_date(spec: Spec) -> dt.date:
    """The date of the changelog entry for the product's version (the newest entry otherwise)."""
    for entry in spec.changelog:
        if entry.version == spec.product.version:
            return entry.date
    return max(entry.date for entry in spec.changelog)


def owner_name(spec: Spec) -> str:
    settings = spec.publish
    return (settings.owner if settings and settings.owner else None) or spec.product.author or spec.product.name


def plugin_name(spec: Spec) -> str:
    settings = spec.publish
    if settings and settings.plugin_name:
        return settings.plugin_name
    name = re.sub(r"[^a-z0-9]+", "-", spec.product.id.lower()).strip("-")
    return name or "plugin"


def _json(value: Any) -> bytes:
    return (json.dumps(value, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


# --------------------------------------------------------------------------- Claude Code plugin


def plugin_entry(spec: Spec) -> dict[str, Any]:
    """Fields shared by plugin.json and the marketplace's plugin entry, in a fixed order."""
    product = spec.product
    entry: dict[str, Any] = {
        "name": plugin_name(spec),
        "version": product.version,
        "description": product.descriptions.short,
        "author": {"name": product.author or owner_name(spec)},
        "homepage": product.urls.homepage,
    }
    if product.urls.repository:
        entry["repository"] = product.urls.repository
    if product.license:
        entry["license"] = product.license
    if product.keywords:
        entry["keywords"] = list(product.keywords)
    return entry


def plugin_json(spec: Spec) -> bytes:
    return _json(plugin_entry(spec))


# --------------------------------------------------------------------------- Agent Plugins 1.0


def agent_plugin_json(spec: Spec) -> bytes:
    """Root ``plugin.json`` of the Agent Plugins 1.0 format: a closed schema, so only its
    fields (the same values as the Claude Code manifest, under ``$schema``)."""
    return _json({"$schema": AGENT_PLUGIN_SCHEMA, **plugin_entry(spec)})


def agent_plugin_files(spec: Spec) -> dict[str, bytes]:
    """Files an Agent Plugins client reads at the bundle's root besides ``skills/``.

    ``mcp.json`` joins ``plugin.json`` here once a spec can declare an MCP server."""
    return {"plugin.json": agent_plugin_json(spec)}


def marketplace_json(spec: Spec) -> bytes:
    settings = spec.publish
    owner: dict[str, str] = {"name": owner_name(spec)}
    if settings and settings.owner_email:
        owner["email"] = settings.owner_email
    return _json(
        {
            "name": (settings.marketplace if settings and settings.marketplace else None) or plugin_name(spec),
            "owner": owner,
            "metadata": {"description": spec.product.descriptions.short, "version": spec.product.version},
            "plugins": [{**plugin_entry(spec), "source": "./"}],
        }
    )


# --------------------------------------------------------------------------- LICENSE


def license_text(spec: Spec, spec_path: Path) -> bytes:
    """The file named by ``publish.license_file``, else a notice written from ``product.license``."""
    settings = spec.publish
    if settings and settings.license_file:
        path = spec_path.parent / settings.license_file
        try:
            return path.read_bytes()
        except OSError as exc:
            raise SkillpressError(f"publish.license_file cannot be read: {exc.strerror}", file=str(path)) from None
    product = spec.product
    holder = product.author or owner_name(spec)
    year = release_date(spec).year
    if product.license is None or product.license.upper() in ("UNLICENSED", "PROPRIETARY"):
        text = (
            f"Copyright (c) {year} {holder}. All rights reserved.\n\n"
            f"{product.name} {product.version} is not released under an open-source license"
            f"{' (`' + product.license + '`)' if product.license else ''}. The skills, documents and "
            f"the `{product.cli_name}` client in this release may be used to work with {product.name}"
            f" as its documentation describes; no other right to copy, modify or redistribute them is "
            f"granted. Ask {holder} for anything else.\n"
        )
    else:
        text = (
            f"Copyright (c) {year} {holder}.\n\n"
            f"{product.name} {product.version} is licensed under `{product.license}`.\n"
            f"The full text of that license: https://spdx.org/licenses/{product.license}.html\n"
        )
    return text.encode("utf-8")


# --------------------------------------------------------------------------- README


def _install(spec: Spec, kind: str) -> list[str]:
    lines: list[str] = []
    for snippet in spec.install:
        if snippet.kind != kind:
            continue
        lines += ["", f"{snippet.title}:", "", "```sh", snippet.command.rstrip("\n"), "```"]
        if snippet.note:
            lines += ["", snippet.note.strip()]
    return lines


def client_usage(spec: Spec) -> list[tuple[str, str]]:
    """First commands to try with the installed client, from the spec's own local steps:
    ``(command line, what it does)`` for its version, help (and the offline skill) and
    status commands, in that order; ``--help`` when the spec has none of them."""
    cli = spec.product.cli_name
    found: dict[str, tuple[str, str]] = {}
    for command in spec.commands:
        if command.hidden:
            continue
        for step in command.steps:
            kind = step.kind
            if kind == "version" and "version" not in found:
                found["version"] = (f"{cli} {command.path}", "the client's version")
            elif kind == "help" and "help" not in found:
                found["help"] = (f"{cli} {command.path}", "every command, with links to the docs")
                skill_flag = getattr(step.params, "skill_flag", None)
                if skill_flag:
                    found["skill"] = (f"{cli} {command.path} {skill_flag}", "the agent skill, offline")
            elif kind == "status" and "status" not in found:
                found["status"] = (f"{cli} {command.path}", "a local check of the setup")
    if not found:
        return [(f"{cli} --help", "every command")]
    return [found[k] for k in ("version", "help", "skill", "status") if k in found]


def _usage_block(spec: Spec) -> list[str]:
    usage = client_usage(spec)
    width = max(len(line) for line, _ in usage)
    return [f"{line.ljust(width)}   # {what}" for line, what in usage]


def bundle_readme(spec: Spec, *, wheel: str, sdist: str, plugin: bool) -> bytes:
    product = spec.product
    canonical = canonical_skill(spec)
    cli = product.cli_name
    date = release_date(spec).isoformat()
    lines = [
        f"# {md_text(product.name)} skills {product.version}",
        "",
        md_text(product.descriptions.short),
        "",
        product.descriptions.long.strip(),
        "",
        "## What is in this folder",
        "",
        (
            f"Each folder under `{SKILLS}/` is one Agent Skill: a `SKILL.md` with the instructions an agent "
            f"follows, and `references/` with every `{cli}` command and its flags, examples and errors "
            "(`cli.md`), the whole contract in one file (`llms-full.txt`) and the same commands as JSON "
            "(`commands.json`). The skills are generated from the product's one spec, so they agree with "
            "each other, with the documents on the site and with the client."
        ),
        "",
        "| Skill | Use it to |",
        "| --- | --- |",
    ]
    for skill in spec.skills:
        note = " ".join(skill.description.split()).replace("|", "\\|")
        mark = " (start here)" if skill is canonical else ""
        lines.append(f"| [`{skill.name}`]({SKILLS}/{skill.name}/SKILL.md){mark} | {note} |")
    lines += [
        "",
        "## Install the skills",
        "",
        "Any installer that reads Agent Skills folders takes this folder as it is, for example:",
        "",
        "```sh",
        "npx skills add ./skills-bundle --skill '*' -a claude-code -g -y",
        "```",
    ]
    lines += [
        "",
        (
            "The folder is also an Agent Plugin (format 1.0): `plugin.json` at its root names it, and "
            "clients that read that format (VS Code and GitHub Copilot among them) load the skills under "
            f"`{SKILLS}/` from it."
        ),
    ]
    lines += _install(spec, "skill")
    if plugin:
        settings = spec.publish
        market = (settings.marketplace if settings and settings.marketplace else None) or plugin_name(spec)
        source = product.urls.repository or "./skills-bundle"
        lines += [
            "",
            "### As a Claude Code plugin",
            "",
            (
                f"This folder is also a Claude Code plugin (`{PLUGIN_DIR}/plugin.json`) and a marketplace "
                f"that lists it (`{PLUGIN_DIR}/marketplace.json`). Add the marketplace, then install "
                "the plugin:"
            ),
            "",
            "```text",
            f"/plugin marketplace add {source}",
            f"/plugin install {plugin_name(spec)}@{market}",
            "```",
        ]
    lines += [
        "",
        f"## Install the `{cli}` client",
        "",
        (
            f"The skills run `{cli}`, a small client generated from the product's spec. "
            f"This release ships it as a Python package with no dependencies: `client/{wheel}` "
            f"(and its source, `client/{sdist}`)."
        ),
        "",
        "```sh",
        f"pip install client/{wheel}",
        *_usage_block(spec),
        "```",
    ]
    lines += _install(spec, "client")
    links = [
        ("Homepage", product.urls.homepage),
        ("skill.md, the canonical skill", product.urls.skill),
        ("llms.txt, the index of every agent file", product.urls.llms),
        ("cli.md, every command", product.urls.cli),
        ("llms-full.txt, the whole contract", llms_full_url(spec)),
    ]
    if spec.endpoints:
        links.append(("openapi.json, the HTTP API as OpenAPI 3.1", sibling_url(product.urls.llms, "openapi.json")))
    if product.urls.repository:
        links.append(("Source repository", product.urls.repository))
    lines += ["", "## Links", ""] + [f"- [{label}]({url})" for label, url in links]
    lines += ["", f"## Version {product.version} ({date})", ""]
    entry = next((e for e in spec.changelog if e.version == product.version), None)
    if entry is not None:
        lines += [f"- {' '.join(item.split())}" for item in entry.items]
    else:
        lines.append(f"{md_text(product.name)} {product.version}.")
    lines += [
        "",
        "## License",
        "",
        f"See [LICENSE](LICENSE){' (`' + product.license + '`)' if product.license else ''}.",
        "",
    ]
    return "\n".join(lines).encode("utf-8")


def client_readme(spec: Spec, package: str) -> str:
    """The long description of the client distribution (PyPI page, sdist README.md)."""
    product = spec.product
    cli = product.cli_name
    lines = [
        f"# {cli}",
        "",
        f"The command-line client of {md_text(product.name)} {product.version}. {md_text(product.descriptions.short)}",
        "",
        product.descriptions.long.strip(),
        "",
        "## Use",
        "",
        "```sh",
        *_usage_block(spec),
        "```",
        "",
        (
            "Every command exits with a code its documentation lists. The "
            f"package carries the product's agent files in `{package}/agent/` (skill.md, llms.txt, cli.md and "
            "the rest) and needs nothing but the Python standard library."
        ),
        "",
        "## Documentation",
        "",
        f"- [skill.md]({product.urls.skill})",
        f"- [cli.md]({product.urls.cli})",
        f"- [llms.txt]({product.urls.llms})",
        f"- [Homepage]({product.urls.homepage})",
        "",
    ]
    return "\n".join(lines)


__all__ = [
    "agent_plugin_files",
    "agent_plugin_json",
    "bundle_readme",
    "client_readme",
    "client_usage",
    "license_text",
    "marketplace_json",
    "plugin_json",
    "plugin_name",
    "release_date",
]
