"""Render every generated file in memory: ``{relative path: bytes}``.

Rendering never touches the disk; writing and drift comparison live in
``skillpress.output``. The registry below is the one list of what skillpress generates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from skillpress.diagnostics import Diagnostic, Severity, SkillpressError
from skillpress.project import AGENT_DIR, OWNED_DIRS
from skillpress.render import views
from skillpress.render.environment import make_environment
from skillpress.render.manifest import render_manifest
from skillpress.spec.model import Skill, Spec

SKILL_MAX_LINES = 500
SKILL_MAX_TOKENS = 5000
TEXT_MAX_CHARS = 50_000


@dataclass
class Rendered:
    files: dict[str, bytes] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def text(self, path: str) -> str:
        return self.files[path].decode("utf-8")


_FENCE = re.compile(r"^ *(`{3,}|~{3,})")


def normalize(text: str) -> str:
    """LF endings, no trailing spaces, no runs of blank lines, exactly one final newline."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    out: list[str] = []
    fence = ""  # the fence of the code block the line is in, if any
    for line in lines:
        opening = _FENCE.match(line)
        if not fence and opening:
            fence = opening.group(1)
        elif fence and line.strip().startswith(fence) and not line.strip().strip(fence[0]):
            fence = ""
        elif not fence and not line and out and not out[-1]:
            continue
        out.append(line)
    return "\n".join(out).strip("\n") + "\n"


class Renderer:
    def __init__(self, spec: Spec, templates: Path | None = None) -> None:
        self.spec = spec
        self.env = make_environment(templates)
        self.commands = [views.command_view(spec, c) for c in spec.commands]
        self.visible = [v for v in self.commands if not v.command.hidden]
        self.by_command = {id(v.command): v for v in self.commands}

    def context(self, **extra: object) -> dict[str, object]:
        spec = self.spec
        return {
            "spec": spec,
            "product": spec.product,
            "cli": spec.product.cli_name,
            "commands": self.commands,
            "visible_commands": self.visible,
            "first_run": views.first_run_lines(spec),
            "site_links": views.site_links(spec),
            "page_url": lambda page: views.page_url(spec, page),
            "llms_full_url": views.llms_full_url(spec),
            "pages": views.site_pages(spec),
            **extra,
        }

    def template(self, name: str, **extra: object) -> str:
        try:
            text = self.env.get_template(name).render(self.context(**extra))
        except jinja2.TemplateError as exc:
            where = getattr(exc, "filename", None) or name
            line = getattr(exc, "lineno", None)
            raise SkillpressError(f"template error: {exc}", file=f"{where}:{line}" if line else where) from None
        return normalize(text)

    def source(self, name: str) -> str:
        """A template's own text, not rendered: for files another engine renders later."""
        try:
            text, _, _ = self.env.loader.get_source(self.env, name)  # type: ignore[union-attr]
        except jinja2.TemplateError as exc:
            raise SkillpressError(f"template error: {exc}", file=name) from None
        return normalize(text)

    def skill_md(self, skill: Skill, links: views.Links) -> str:
        return self.template(
            "SKILL.md.j2",
            skill=skill,
            links=links,
            sections=views.skill_sections(self.spec, skill, self.by_command),
            guidance=views.skill_rules(self.spec, skill, "skills" if links.skill == "SKILL.md" else "skill"),
        )


def render_all(spec: Spec, templates: Path | None = None) -> Rendered:
    r = Renderer(spec, templates)
    out = Rendered()
    cli_md = r.template("cli.md.j2", links=views.site_links(spec), guidance=spec.rules_for("cli"))
    llms_full = r.template("llms-full.txt.j2", links=views.site_links(spec), guidance=spec.rules_for("llms-full"))
    from skillpress.render.openapi import openapi_url, render_openapi

    api_doc = openapi_url(spec) if spec.endpoints else None
    llms = r.template("llms.txt.j2", links=views.site_links(spec), guidance=spec.rules_for("llms"), openapi_url=api_doc)
    manifest = render_manifest(spec)
    canonical = views.canonical_skill(spec)

    files: dict[str, str | bytes] = {
        f"{AGENT_DIR}/skill.md": r.skill_md(canonical, views.site_links(spec)),
        f"{AGENT_DIR}/llms.txt": llms,
        f"{AGENT_DIR}/llms-full.txt": llms_full,
        f"{AGENT_DIR}/cli.md": cli_md,
        f"{AGENT_DIR}/commands.json": manifest,
        "CHANGELOG.md": r.template("CHANGELOG.md.j2"),
    }
    if api_doc is not None:
        files[f"{AGENT_DIR}/openapi.json"] = render_openapi(spec)
    for skill in spec.skills:
        base = f"skills/{skill.name}"
        files[f"{base}/SKILL.md"] = r.skill_md(skill, views.folder_links(spec))
        files[f"{base}/references/cli.md"] = cli_md
        files[f"{base}/references/llms-full.txt"] = llms_full
        files[f"{base}/references/commands.json"] = manifest
    from skillpress.site.render import render_site

    files.update(render_site(r, dict(files)))
    out.files = {
        path: (text.encode("utf-8") if isinstance(text, str) else text) for path, text in sorted(files.items())
    }
    out.diagnostics = budget_diagnostics(out.files)
    return out


TEXT_SUFFIXES = (".md", ".txt", ".json", ".yml", ".yaml", ".html", ".j2")


def is_text(path: str) -> bool:
    """Generated text (budgeted, token-counted) as opposed to binary archives."""
    return path.endswith(TEXT_SUFFIXES)


def budget_diagnostics(files: dict[str, bytes]) -> list[Diagnostic]:
    """Size budgets: SKILL.md lines and tokens, and every text file's characters."""
    found: list[Diagnostic] = []
    for path, data in files.items():
        if not is_text(path):
            continue
        text = data.decode("utf-8")
        if len(text) >= TEXT_MAX_CHARS:
            found.append(
                Diagnostic(
                    path,
                    1,
                    1,
                    Severity.ERROR,
                    "budget-chars",
                    "",
                    f"{len(text)} characters; generated text files must stay under {TEXT_MAX_CHARS}",
                    "move detail into another reference file or shorten the spec's prose",
                )
            )
        if path.endswith(("/SKILL.md", "/skill.md")):
            lines = text.count("\n")
            tokens = views.estimate_tokens(text)
            if lines > SKILL_MAX_LINES:
                found.append(
                    Diagnostic(
                        path,
                        1,
                        1,
                        Severity.ERROR,
                        "budget-skill-lines",
                        "",
                        f"{lines} lines; a skill file may have at most {SKILL_MAX_LINES}",
                        "move detail into the skill's references",
                    )
                )
            if tokens > SKILL_MAX_TOKENS:
                found.append(
                    Diagnostic(
                        path,
                        1,
                        1,
                        Severity.ERROR,
                        "budget-skill-tokens",
                        "",
                        f"about {tokens} tokens; a skill file may have at most {SKILL_MAX_TOKENS}",
                        "move detail into the skill's references",
                    )
                )
    return found


__all__ = ["OWNED_DIRS", "Rendered", "Renderer", "budget_diagnostics", "is_text", "normalize", "render_all"]
