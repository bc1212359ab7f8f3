"""Render every generated file in memory: ``{relative path: bytes}``.

Rendering never touches the disk; writing and drift comparison live in
``skillpress.output``. The registry below is the one list of what skillpress generates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2

from skillpress.contract.compile import compile_contract
from skillpress.diagnostics import Diagnostic, Severity, SkillpressError
from skillpress.project import AGENT_DIR, OWNED_DIRS
from skillpress.render import pricing_text, views
from skillpress.render.environment import make_environment
from skillpress.render.manifest import render_manifest, render_manifest_index, render_manifest_part
from skillpress.render.split import (
    SKILL_MAX_LINES,
    SKILL_MAX_TOKENS,
    TEXT_MAX_CHARS,
    Part,
    PartLink,
    estimate_tokens,
    fits_skill,
    fits_text,
    part_note,
    part_path,
    part_url,
    partition,
    remembered,
)
from skillpress.spec.loader import LoadedDocument, PathKey, format_path
from skillpress.spec.model import Command, Endpoint, Skill, Spec

#: More than the characters a part adds around what the whole file holds (its title and
#: the line that points back to the index).
PART_HEADER = 1000

#: The diagnostic code of a size budget that cannot be met.
BUDGET_CODE = "size-budget"


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
        self.contract = compile_contract(spec)
        self.commands = views.command_views(spec, self.contract)
        self.visible = [v for v in self.commands if not v.command.hidden]
        self.by_command = {id(v.command): v for v in self.commands}
        self._base: dict[str, object] | None = None
        self._sections: list[tuple[views.CommandView, str]] | None = None
        #: command -> the part of the split cli.md that holds its section (empty: not split)
        self.cli_part: dict[int, str] = {}
        self.cli_parts: list[Part[views.CommandView]] = []

    def context(self, **extra: object) -> dict[str, object]:
        if self._base is None:
            spec = self.spec
            self._base = {
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
                "protocol": views.protocol_view(spec, self.contract),
                "pricing": pricing_text.pricing_view(spec, self.contract, self.commands),
            }
        return {**self._base, **extra}

    def _render(self, name: str, context: dict[str, object]) -> str:
        try:
            return self.env.get_template(name).render(context)
        except jinja2.TemplateError as exc:
            raise _template_error(exc, name) from None

    def template(self, name: str, **extra: object) -> str:
        return normalize(self._render(name, self.context(**extra)))

    def source(self, name: str) -> str:
        """A template's own text, not rendered: for files another engine renders later."""
        try:
            text, _, _ = self.env.loader.get_source(self.env, name)  # type: ignore[union-attr]
        except jinja2.TemplateError as exc:
            raise SkillpressError(f"template error: {exc}", file=name) from None
        return normalize(text)

    @property
    def command_sections(self) -> list[tuple[views.CommandView, str]]:
        """Each visible command's section (``_command.md.j2``), rendered once and shared by
        cli.md, its parts and the site's commands pages."""
        if self._sections is None:
            base = self.context()
            out = []
            try:  # a user's _command.md.j2 may not even parse: a located error, not a traceback
                template = self.env.get_template("_command.md.j2")
                for view in self.visible:
                    out.append((view, template.render({**base, "view": view})))
            except jinja2.TemplateError as exc:
                raise _template_error(exc, "_command.md.j2") from None
            self._sections = out
        return self._sections

    def cli_href(self, base: str, view: views.CommandView) -> str:
        """Link to a command's section in cli.md (or its part) served at ``base``."""
        part = self.cli_part.get(id(view.command))
        target = base if part is None else part_url(base, "cli.md", part)
        return f"{target}#{view.anchor}"

    def skill_md(self, skill: Skill, links: views.Links, detail: str = "full", with_protocol: bool = True) -> str:
        sections = views.skill_sections(self.spec, skill, self.by_command)
        groups = {id(s): self.section_groups(s, links) for s in sections}
        return self.template(
            "SKILL.md.j2",
            skill=skill,
            links=links,
            sections=sections,
            guidance=views.skill_rules(self.spec, skill, "skills" if links.skill == "SKILL.md" else "skill"),
            command_detail=detail,
            with_protocol=with_protocol,
            cli_href=lambda view: self.cli_href(links.cli, view),
            section_groups=lambda section: groups[id(section)],
        )

    def section_groups(self, section: views.SectionView, links: views.Links) -> list[PartLink]:
        """The command-reference files a skill section's commands are in."""
        if not self.cli_part:
            return [PartLink("", links.cli, len(section.commands))] if section.commands else []
        counts: dict[str, int] = {}
        for view in section.commands:
            name = self.cli_part.get(id(view.command))
            if name is not None:
                counts[name] = counts.get(name, 0) + 1
        labels = {p.name: p.label for p in self.cli_parts}
        return [PartLink(labels[n], part_url(links.cli, "cli.md", n), c) for n, c in counts.items()]


@dataclass
class Budgeted:
    """What the render knows about each generated file's budget: where in the spec the
    file comes from (for a located diagnostic) and why it could not be made smaller."""

    origins: dict[str, PathKey] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)


def _template_error(exc: jinja2.TemplateError, name: str) -> SkillpressError:
    """A template's failure, located at the template file (a user's override, or ours) and line."""
    where = getattr(exc, "filename", None) or name
    line = getattr(exc, "lineno", None)
    return SkillpressError(f"template error: {exc}", file=f"{where}:{line}" if line else where)


def _command_index(spec: Spec) -> dict[int, int]:
    return {id(c): i for i, c in enumerate(spec.commands)}


def _part_origin(spec: Spec, part: Part[Any], index: dict[int, int]) -> PathKey:
    first = part.items[0] if part.items else None
    command = getattr(first, "command", first)
    if isinstance(command, Command) and id(command) in index:
        return ("commands", index[id(command)])
    return ("commands",)


def render_cli(r: Renderer, budget: Budgeted) -> tuple[str, dict[str, str]]:
    """cli.md, or its index and parts when it would pass its budget."""
    spec = r.spec
    common = {"links": views.site_links(spec), "guidance": spec.rules_for("cli")}
    # the sections alone already pass the budget: do not render a full file only to drop it
    if sum(len(text) for _, text in r.command_sections) < 2 * TEXT_MAX_CHARS:
        full = r.template("cli.md.j2", command_sections=r.command_sections, cli_parts=None, **common)
        if fits_text(full):
            return full, {}
    sections = {id(view.command): text for view, text in r.command_sections}
    rule_order = {g.id: i for i, g in enumerate(spec.guidance)}

    @remembered
    def render_part(prefix: tuple[str, ...], items: list[views.CommandView]) -> str:
        rules = {rule.id: rule for view in items for rule in view.rules}
        return r.template(
            "cli-part.md.j2",
            part=Part("", prefix, items),
            part_sections=[(view, sections[id(view.command)]) for view in items],
            part_rules=sorted(rules.values(), key=lambda g: rule_order.get(g.id, 0)),
            **common,
        )

    parts, too_big = partition(r.visible, lambda v: v.command.words, lambda p, items: fits_text(render_part(p, items)))
    r.cli_parts = parts
    r.cli_part = {id(view.command): part.name for part in parts for view in part.items}
    links = [PartLink(p.label, part_path("cli.md", p.name), len(p.items)) for p in parts]
    index = r.template("cli.md.j2", command_sections=[], cli_parts=links, **common)
    out = {}
    where = _command_index(spec)
    for part in parts:
        path = part_path("cli.md", part.name)
        out[path] = render_part(part.prefix, part.items)
        budget.origins[path] = _part_origin(spec, part, where)
        if part in too_big:
            budget.notes[path] = part_note(part)
    return index, out


def render_llms_full(r: Renderer, budget: Budgeted) -> tuple[str, dict[str, str]]:
    """llms-full.txt, or its index and parts (commands with the endpoints they call)."""
    spec = r.spec
    common = {"links": views.site_links(spec), "guidance": spec.rules_for("llms-full")}
    first_caller: dict[str, int] = {}
    for endpoint_id, callers in spec.commands_by_endpoint.items():
        shown = [c for c in callers if not c.hidden]
        if shown and endpoint_id in spec.endpoints_by_id:
            first_caller[endpoint_id] = id(shown[0])

    def endpoints_of(items: list[views.CommandView]) -> list[Endpoint]:
        mine = {id(v.command) for v in items}
        return [e for e in spec.endpoints if first_caller.get(e.id) in mine]

    @remembered
    def render_part(prefix: tuple[str, ...], items: list[views.CommandView]) -> str:
        return r.template(
            "llms-full-part.txt.j2", part=Part("", prefix, items), endpoints=endpoints_of(items), **common
        )

    parts, too_big = partition(r.visible, lambda v: v.command.words, lambda p, items: fits_text(render_part(p, items)))
    # The whole file holds everything the parts hold but their headers: when the parts
    # alone pass the budget by that much, skip rendering a whole file only to drop it.
    if sum(len(render_part(p.prefix, p.items)) - PART_HEADER for p in parts) < TEXT_MAX_CHARS:
        full = r.template("llms-full.txt.j2", endpoints=spec.endpoints, full_parts=None, **common)
        if fits_text(full):
            return full, {}
    links = [PartLink(p.label, part_path("llms-full.txt", p.name), len(p.items)) for p in parts]
    rest = [e for e in spec.endpoints if e.id not in first_caller]
    index = r.template("llms-full.txt.j2", endpoints=rest, full_parts=links, **common)
    out = {}
    where = _command_index(spec)
    for part in parts:
        path = part_path("llms-full.txt", part.name)
        out[path] = render_part(part.prefix, part.items)
        budget.origins[path] = _part_origin(spec, part, where)
        if part in too_big:
            budget.notes[path] = part_note(part)
    return index, out


def render_commands_json(r: Renderer, budget: Budgeted) -> tuple[str, dict[str, str]]:
    """commands.json, or its index and parts (see ``skillpress.render.manifest``)."""
    spec = r.spec
    anchors = {id(v.command): r.cli_href(spec.product.urls.cli, v) for v in r.commands}
    full = render_manifest(spec, anchors, r.contract)
    if fits_text(full):
        return full, {}

    @remembered
    def render_part(prefix: tuple[str, ...], items: list[Command]) -> str:
        return render_manifest_part(spec, " ".join(prefix), items, anchors, r.contract)

    parts, too_big = partition(spec.commands, lambda c: c.words, lambda p, items: fits_text(render_part(p, items)))
    index = render_manifest_index(
        spec, [(p.label, part_path("commands.json", p.name), len(p.items)) for p in parts], r.contract
    )
    out = {}
    where = _command_index(spec)
    for part in parts:
        path = part_path("commands.json", part.name)
        out[path] = render_part(part.prefix, part.items)
        budget.origins[path] = _part_origin(spec, part, where)
        if part in too_big:
            budget.notes[path] = part_note(part)
    return index, out


def render_skill(r: Renderer, skill: Skill, links: views.Links) -> str:
    """A skill file, without the short protocol paragraph, then listing a long section's
    commands as links, or linking their groups, when the full form would pass the skill
    budget."""
    text = r.skill_md(skill, links)
    if fits_skill(text):
        return text
    text = r.skill_md(skill, links, with_protocol=False)
    for detail in ("list", "groups"):
        if fits_skill(text) or not any(section.commands for section in skill.sections):
            break
        text = r.skill_md(skill, links, detail, with_protocol=False)
    return text


def render_all(
    spec: Spec, templates: Path | None = None, document: LoadedDocument | None = None, *, budgeted_only: bool = False
) -> Rendered:
    """Every generated file. With the spec's ``document``, a budget that cannot be met is
    reported at its place in the spec; without it, at the generated file. ``budgeted_only``
    leaves out what has no budget of its own (openapi.json, the ``.well-known`` indexes,
    archives and copies), for ``validate``."""
    r = Renderer(spec, templates)
    out = Rendered()
    budget = Budgeted()
    cli_md, cli_parts = render_cli(r, budget)
    llms_full, full_parts = render_llms_full(r, budget)
    manifest, manifest_parts = render_commands_json(r, budget)
    from skillpress.render.openapi import openapi_url, render_openapi

    api_doc = openapi_url(spec) if spec.endpoints else None
    llms = r.template("llms.txt.j2", links=views.site_links(spec), guidance=spec.rules_for("llms"), openapi_url=api_doc)
    canonical = views.canonical_skill(spec)
    references = {
        "cli.md": cli_md,
        "llms-full.txt": llms_full,
        "commands.json": manifest,
        **cli_parts,
        **full_parts,
        **manifest_parts,
    }

    files: dict[str, str | bytes] = {
        f"{AGENT_DIR}/skill.md": render_skill(r, canonical, views.site_links(spec)),
        f"{AGENT_DIR}/llms.txt": llms,
        "CHANGELOG.md": r.template("CHANGELOG.md.j2"),
    }
    for name, text in references.items():
        files[f"{AGENT_DIR}/{name}"] = text
    if api_doc is not None and not budgeted_only:
        files[f"{AGENT_DIR}/openapi.json"] = render_openapi(spec, r.contract)
    skill_index = {skill.name: i for i, skill in enumerate(spec.skills)}
    budget.origins[f"{AGENT_DIR}/skill.md"] = ("skills", skill_index[canonical.name])
    for skill in spec.skills:
        base = f"skills/{skill.name}"
        files[f"{base}/SKILL.md"] = render_skill(r, skill, views.folder_links(spec))
        budget.origins[f"{base}/SKILL.md"] = ("skills", skill_index[skill.name])
        for name, text in references.items():
            files[f"{base}/references/{name}"] = text
    for name in references:  # a part's origin, recorded under its name, holds for every copy
        if name in budget.origins:
            for where in [AGENT_DIR] + [f"skills/{s.name}/references" for s in spec.skills]:
                budget.origins[f"{where}/{name}"] = budget.origins[name]
                if name in budget.notes:
                    budget.notes[f"{where}/{name}"] = budget.notes[name]
    from skillpress.site.render import render_site

    encoded: dict[int, bytes] = {}  # the same text under several paths is encoded once

    def as_bytes(data: str | bytes) -> bytes:
        if isinstance(data, bytes):
            return data
        if id(data) not in encoded:
            encoded[id(data)] = data.encode("utf-8")
        return encoded[id(data)]

    agent_and_skills: dict[str, str | bytes] = {path: as_bytes(data) for path, data in files.items()}
    files.update(render_site(r, agent_and_skills, budget, well_known=not budgeted_only))
    out.files = {path: as_bytes(agent_and_skills.get(path) or data) for path, data in sorted(files.items())}
    out.diagnostics = budget_diagnostics(out.files, budget, document)
    return out


TEXT_SUFFIXES = (".md", ".txt", ".json", ".yml", ".yaml", ".html", ".j2")


def is_text(path: str) -> bool:
    """Generated text (budgeted, token-counted) as opposed to binary archives."""
    return path.endswith(TEXT_SUFFIXES)


#: Where in the spec a file that passes its budget comes from, when the render did not say.
_DEFAULT_ORIGINS: dict[str, PathKey] = {
    "cli.md": ("commands",),
    "llms-full.txt": ("commands",),
    "commands.json": ("commands",),
    "llms.txt": ("guidance",),
    "CHANGELOG.md": ("changelog",),
    "site/docs/changelog.md": ("changelog",),
    "site/docs/errors.md": ("error_codes",),
    "site/docs/events.md": ("events",),
    "site/docs/credits.md": ("credits",),
    "site/docs/index.md": ("product",),
    "site/docs/commands.md": ("commands",),
    "site/docs/api.md": ("endpoints",),
}

#: Generated files without a size budget: tools read them, not agents.
UNBUDGETED = (
    f"{AGENT_DIR}/openapi.json",
    f"{AGENT_DIR}/.well-known/skills/index.json",
    f"{AGENT_DIR}/.well-known/agent-skills/index.json",
)


def _origin(path: str, budget: Budgeted | None) -> tuple[PathKey, str | None]:
    if budget is not None and path in budget.origins:
        return budget.origins[path], budget.notes.get(path)
    name = path.rsplit("/", 1)[-1]
    return _DEFAULT_ORIGINS.get(path, _DEFAULT_ORIGINS.get(name, ())), None


def budget_diagnostics(
    files: dict[str, bytes], budget: Budgeted | None = None, document: LoadedDocument | None = None
) -> list[Diagnostic]:
    """Size budgets: SKILL.md lines and tokens, and every text file's characters.

    The render has already split what can be split, so a file over its budget here is
    one the spec itself makes too big. With the spec's ``document`` each problem is
    reported once, at the place in the spec it comes from (copies of the same file
    under ``skills/`` and ``.well-known/`` are named in the same diagnostic); without
    it, at the generated file.
    """
    problems: dict[tuple[PathKey, str], list[str]] = {}
    hints: dict[tuple[PathKey, str], str] = {}
    for path, data in files.items():
        if not is_text(path) or path in UNBUDGETED:
            continue
        text = data.decode("utf-8")
        origin, note = _origin(path.removeprefix(f"{AGENT_DIR}/.well-known/"), budget)
        if path.startswith(f"{AGENT_DIR}/.well-known/skills/"):
            origin, note = _origin("skills/" + path.split("/.well-known/skills/", 1)[1], budget)
        found: list[tuple[str, str]] = []
        if not fits_text(text):
            found.append(
                (
                    f"{len(text)} characters; generated text files must stay under {TEXT_MAX_CHARS}",
                    "shorten the prose of this command (description, examples, flag summaries): one command's "
                    "section is never split"
                    if note
                    else "shorten the spec's prose here",
                )
            )
        if path.endswith(("/SKILL.md", "/skill.md")):
            lines = text.count("\n")
            tokens = estimate_tokens(text)
            hint = "shorten the skill's sections, or move their prose into guidance shown in cli.md"
            if lines > SKILL_MAX_LINES:
                found.append((f"{lines} lines; a skill file may have at most {SKILL_MAX_LINES}", hint))
            if tokens > SKILL_MAX_TOKENS:
                found.append((f"about {tokens} tokens; a skill file may have at most {SKILL_MAX_TOKENS}", hint))
        for message, hint in found:
            key = (origin, message + (f" ({note})" if note else ""))
            problems.setdefault(key, []).append(path)
            hints[key] = hint
    out: list[Diagnostic] = []
    for (origin, message), paths in problems.items():
        paths.sort(key=lambda p: (".well-known/" in p, not p.startswith(AGENT_DIR), p))
        first = paths[0]
        copies = len(paths) - 1
        also = f" (and {copies} {'copy' if copies == 1 else 'copies'})" if copies else ""
        text = f"{first}{also} would be {message}"
        if document is None:
            out.append(Diagnostic(first, 1, 1, Severity.ERROR, BUDGET_CODE, "", text, hints[(origin, message)]))
        else:
            mark = document.mark_for(origin)
            out.append(
                Diagnostic(
                    document.file,
                    mark.line,
                    mark.col,
                    Severity.ERROR,
                    BUDGET_CODE,
                    format_path(origin),
                    text,
                    hints[(origin, message)],
                )
            )
    return out


def budget_check(spec: Spec, document: LoadedDocument | None, templates: Path | None = None) -> list[Diagnostic]:
    """The budgets a valid spec cannot meet, even split: what ``validate`` adds to the rules."""
    return render_all(spec, templates, document, budgeted_only=True).diagnostics


__all__ = [
    "BUDGET_CODE",
    "OWNED_DIRS",
    "SKILL_MAX_LINES",
    "SKILL_MAX_TOKENS",
    "TEXT_MAX_CHARS",
    "Rendered",
    "Renderer",
    "budget_check",
    "budget_diagnostics",
    "is_text",
    "normalize",
    "render_all",
]
