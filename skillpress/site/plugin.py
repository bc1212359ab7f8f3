"""The ``skillpress`` mkdocs plugin: agent files at their canonical URLs, markdown twins.

Registered as the ``mkdocs.plugins`` entry point ``skillpress``; ``site/mkdocs.yml``
enables it. After every build (``mkdocs build`` and each ``mkdocs serve`` rebuild) it

1. copies every file of ``site/agent/`` (``.well-known/`` included) to the root of the
   built site, byte for byte: ``/skill.md``, ``/llms.txt``, ``/llms-full.txt``,
   ``/cli.md``, ``/commands.json``, ``/.well-known/...``; files whose canonical URL sits
   elsewhere in the site are also copied there (the ``copies`` option);
2. writes the markdown twin of every page next to it: ``docs/commands.md`` becomes
   ``/commands.md`` (the page itself is ``/commands/``), ``docs/index.md`` becomes
   ``/index.md``.

A twin is the page's source markdown without its YAML front matter (title and
description are already the H1 and the lead paragraph, and agents should not have to
parse YAML to read a page), with one line added under the H1 that points agents to
``llms.txt``: the HTML page carries the same pointer in its banner.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from mkdocs.config import config_options as c
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page


class SkillpressConfig(Config):
    agent_dir = c.Type(str, default="agent")
    """Folder of agent files, relative to mkdocs.yml; copied to the site root."""
    copies = c.Type(dict, default={})
    """Further ``{site path: agent file}`` copies, for canonical URLs not at the root."""
    llms_url = c.Type(str, default="/llms.txt")
    """URL of llms.txt named in each markdown twin."""


def twin_text(markdown: str, llms_url: str) -> str:
    """The markdown twin of a page whose body (front matter already removed) is ``markdown``."""
    lines = markdown.strip("\n").split("\n")
    pointer = f"> Agents: [llms.txt]({llms_url}) lists every agent file of this product."
    for i, line in enumerate(lines):
        if line.startswith("# "):
            lines[i + 1 : i + 1] = ["", pointer]
            break
    else:
        lines[:0] = [pointer, ""]
    return "\n".join(lines) + "\n"


class SkillpressPlugin(BasePlugin[SkillpressConfig]):
    def __init__(self) -> None:
        self.twins: dict[str, str] = {}
        self.agent_dir: Path | None = None

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        base = Path(config.config_file_path).parent if config.config_file_path else Path.cwd()
        self.agent_dir = (base / self.config.agent_dir).resolve()
        if not self.agent_dir.is_dir():
            raise PluginError(f"skillpress: agent folder {self.agent_dir} does not exist; run `skillpress build`")
        return config

    def on_pre_build(self, config: MkDocsConfig) -> None:
        self.twins = {}

    def on_page_markdown(self, markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
        self.twins[page.file.src_uri] = twin_text(markdown, self.config.llms_url)
        return markdown

    def on_post_build(self, config: MkDocsConfig) -> None:
        assert self.agent_dir is not None
        site = Path(config.site_dir).resolve()
        written: dict[str, str] = {}

        def put(rel: str, source: str, data: bytes | None = None, copy_from: Path | None = None) -> None:
            if rel in written:
                raise PluginError(f"skillpress: {rel} would be written twice ({written[rel]} and {source})")
            written[rel] = source
            target = site / rel
            if not target.resolve().is_relative_to(site):
                raise PluginError(f"skillpress: {rel} ({source}) is outside the site folder")
            target.parent.mkdir(parents=True, exist_ok=True)
            if copy_from is not None:
                shutil.copyfile(copy_from, target)
            else:
                assert data is not None
                target.write_bytes(data)

        agent_files = sorted(p for p in self.agent_dir.rglob("*") if p.is_file())
        for path in agent_files:
            rel = path.relative_to(self.agent_dir).as_posix()
            put(rel, f"agent/{rel}", copy_from=path)
        for rel, name in sorted(self.config.copies.items()):
            source = self.agent_dir / name
            if not source.is_file():
                raise PluginError(f"skillpress: copies: agent file {name} does not exist")
            put(rel, f"agent/{name}", copy_from=source)
        for src_uri, text in sorted(self.twins.items()):
            put(src_uri, f"twin of docs/{src_uri}", data=text.encode("utf-8"))

    def on_serve(self, server, config: MkDocsConfig, builder):
        if self.agent_dir is not None:
            server.watch(str(self.agent_dir))
        return server
