"""`skillpress import package`: a draft spec from a hand-kept agent package.

A hand-kept package states its contract in prose and examples: a skill.md (or SKILL.md)
with frontmatter, a cli.md, an llms.txt, a README, package.json or pyproject.toml, a
CHANGELOG and perhaps an executable. Nothing here knows any product: the facts are read
from shapes every such package shares.

* **commands and flags**: invocations of the executable (its name comes from
  package.json ``bin``, pyproject ``[project.scripts]`` or the skill frontmatter) in code
  blocks, code spans and list items; backslash-continued lines are joined and split
  like a shell would. The command path is the run of lowercase words after the name; a
  flag followed by a value takes one; a flag used by most commands is global.
* **endpoints**: ``METHOD /path`` or ``METHOD https://...`` mentions and ``curl`` calls
  (``-d`` makes a POST; the JSON body gives body fields, the query string query fields);
  a curl under a command's own heading is that command's endpoint.
* **exit codes**: a table or list of numbers under a line that mentions exit codes.
* **error codes**: UPPER_SNAKE words in a sentence about errors, returns or failures that
  are neither environment variables nor placeholders of an invocation.
* **event types**: a table whose header names an event type (its other columns give
  subject, operation, when and links), or dotted names listed after "event types".
* **environment variables**: ``export NAME=``, ``$NAME`` and ``${NAME``.
* **URLs, install snippets, changelog** from the frontmatter, package metadata, code
  blocks that install something, and ``## VERSION - DATE`` sections.
* **--help**: where the package ships an executable, ``EXE --help`` and ``EXE CMD
  --help`` run with a timeout, no network (a new network namespace where the system
  allows it, proxies pointed at a closed port otherwise) and an empty home; their flags
  join the commands'.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import re
import shlex
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from skillpress.diagnostics import Diagnostic, Severity, SkillpressError
from skillpress.importers.draft import Draft, ImportFailed, Noted, ProseReview, review, todo
from skillpress.importers.names import SEMVER, kebab, one_line, today, upper_snake

MAX_FILE = 4 * 1024 * 1024
DOC_NAMES = ("skill.md", "SKILL.md", "cli.md", "llms.txt", "llms-full.txt", "README.md", "readme.md")
SKILL_DIRS = ("skills",)
FLAG = re.compile(r"^--[a-z0-9][a-z0-9-]*$")
WORD = re.compile(r"^[a-z][a-z0-9-]*$")
SNAKE = re.compile(r"\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b")
ENV_USE = re.compile(r"(?:\bexport\s+|\$\{?)([A-Za-z_][A-Za-z0-9_]*)")
SYSTEM_ENV = {"PATH", "HOME", "PWD", "SHELL", "USER", "TMPDIR", "LANG", "TERM"}
ENDPOINT = re.compile(r"\b(GET|POST|PUT|PATCH|DELETE)\s+`?(https?://[^\s`'\"]+|/[A-Za-z0-9/_.{}:-]*)")
URL = re.compile(r"https://[A-Za-z0-9.-]+(?::\d+)?(?:/[^\s`'\"<>()\[\]{}|\\^]*)?")
EVENT = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")
ERROR_WORDS = re.compile(r"(?i)\b(error|errors|return|returns|fail|fails|failure|failures|exit|denied|refus\w*|code)\b")
PROSE_VALUE = re.compile(r"[A-Z][A-Z0-9_]*|[a-z0-9_.-]+(?:\|[a-z0-9_.-]+)+|-?\d+(?:\.\d+)?")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
INSTALLERS = re.compile(
    r"(?m)^\s*(npx |npm (install|exec|i) |pnpm |yarn |pip install |pipx |uv tool |brew install |curl .*\| *(sh|bash))"
)


@dataclass
class Source:
    name: str
    text: str
    lines: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.lines = self.text.splitlines()


@dataclass
class Invocation:
    path: str
    argv: list[str]
    source: str
    in_code: bool


@dataclass
class Section:
    source: str
    title: str
    level: int
    start: int
    end: int
    text: str


@dataclass
class Found:
    invocations: list[Invocation] = field(default_factory=list)
    endpoints: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    command_endpoint: dict[str, tuple[str, str]] = field(default_factory=dict)
    command_auth: set[str] = field(default_factory=set)
    section_flags: dict[str, list[str]] = field(default_factory=dict)
    section_summary: dict[str, tuple[str, str]] = field(default_factory=dict)
    help_flags: dict[str, dict[str, bool]] = field(default_factory=dict)
    help_commands: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- reading


def _read(path: Path) -> str | None:
    try:
        if not path.is_file() or (path.is_symlink() and not path.resolve().is_relative_to(path.parent.resolve())):
            return None
        with path.open("rb") as handle:
            raw = handle.read(MAX_FILE + 1)
    except OSError:
        return None
    if len(raw) > MAX_FILE:
        return None
    text = raw.decode("utf-8", errors="replace")
    return "".join(ch if ch.isprintable() or ch in "\n\t" else " " for ch in text.replace("\r\n", "\n"))


def read_package(folder: Path) -> tuple[dict[str, Source], dict[str, Any]]:
    """The package's text files and its metadata (package.json or pyproject.toml)."""
    if not folder.exists():
        raise SkillpressError("folder not found", file=str(folder))
    if not folder.is_dir():
        raise SkillpressError("not a folder; give the folder that holds the package", file=str(folder))
    sources: dict[str, Source] = {}
    for name in DOC_NAMES:
        text = _read(folder / name)
        if text is not None and name.lower() not in {s.lower() for s in sources}:
            sources[name] = Source(name, text)
    for name in ("CHANGELOG.md", "changelog.md", "CHANGES.md"):
        text = _read(folder / name)
        if text is not None:
            sources["CHANGELOG.md"] = Source(name, text)
            break
    if not any(n.lower() in ("skill.md", "cli.md", "llms.txt") for n in sources):
        for skill in sorted((folder / "skills").glob("*/SKILL.md"))[:1] if (folder / "skills").is_dir() else []:
            text = _read(skill)
            if text is not None:
                sources[str(skill.relative_to(folder))] = Source(str(skill.relative_to(folder)), text)
    meta: dict[str, Any] = {}
    raw = _read(folder / "package.json")
    if raw is not None:
        try:
            loaded = json.loads(raw)
        except ValueError as exc:
            raise ImportFailed(
                "package.json is not JSON",
                [Diagnostic(str(folder / "package.json"), 1, 1, Severity.ERROR, "package-json", "", str(exc)[:200])],
            ) from None
        if isinstance(loaded, dict):
            meta = {"kind": "npm", **loaded}
    elif (raw := _read(folder / "pyproject.toml")) is not None:
        import tomllib

        try:
            project = tomllib.loads(raw).get("project", {})
        except tomllib.TOMLDecodeError as exc:
            raise ImportFailed(
                "pyproject.toml is not TOML",
                [Diagnostic(str(folder / "pyproject.toml"), 1, 1, Severity.ERROR, "pyproject", "", str(exc)[:200])],
            ) from None
        if isinstance(project, dict):
            urls: dict[str, Any] = project["urls"] if isinstance(project.get("urls"), dict) else {}
            meta = {
                "kind": "python",
                "name": project.get("name"),
                "version": project.get("version"),
                "description": project.get("description"),
                "homepage": next((v for k, v in urls.items() if k.lower() in ("homepage", "home")), None),
                "repository": next((v for k, v in urls.items() if k.lower() in ("repository", "source")), None),
                "bin": project.get("scripts") if isinstance(project.get("scripts"), dict) else {},
                "license": project.get("license", {}).get("text")
                if isinstance(project.get("license"), dict)
                else project.get("license"),
                "keywords": project.get("keywords"),
            }
    if not sources and not meta:
        raise SkillpressError(
            "no skill.md, SKILL.md, cli.md, llms.txt, README.md, package.json or pyproject.toml here", file=str(folder)
        )
    return sources, meta


def frontmatter(text: str) -> tuple[dict[str, Any], str]:
    import yaml

    match = re.match(r"^---\n(.*?)\n---\n", text, re.S)
    if not match:
        return {}, text
    try:
        data = yaml.safe_load(match.group(1))
    except yaml.YAMLError:
        return {}, text[match.end() :]
    return (data if isinstance(data, dict) else {}), text[match.end() :]


# --------------------------------------------------------------------------- text shapes


def code_blocks(text: str) -> list[tuple[int, str, str]]:
    """(line index, info string, body) of each fenced code block."""
    blocks = []
    for match in re.finditer(r"(?ms)^(```|~~~)([^\n]*)\n(.*?)^\1\s*$", text):
        blocks.append((text.count("\n", 0, match.start()), match.group(2).strip(), match.group(3)))
    return blocks


def sections(source: Source) -> list[Section]:
    found: list[Section] = []
    in_code = False
    heads: list[tuple[int, int, str]] = []
    for i, line in enumerate(source.lines):
        if line.startswith(("```", "~~~")):
            in_code = not in_code
        elif not in_code and (m := HEADING.match(line)):
            heads.append((i, len(m.group(1)), m.group(2)))
    for n, (start, level, title) in enumerate(heads):
        end = len(source.lines)
        for later, later_level, _ in heads[n + 1 :]:
            if later_level <= level:
                end = later
                break
        found.append(Section(source.name, title, level, start, end, "\n".join(source.lines[start + 1 : end])))
    return found


def shell_lines(body: str) -> list[str]:
    """Command lines of a shell block, continuation lines joined, comments dropped."""
    joined = re.sub(r"\\\n\s*", " ", body)
    return [line.strip() for line in joined.splitlines() if line.strip() and not line.strip().startswith("#")]


def split_words(line: str) -> list[str]:
    try:
        return shlex.split(line, comments=True)
    except ValueError:
        return line.split()


def raw_words(line: str) -> list[tuple[str, bool]]:
    """(word as a shell reads it, whether it was quoted) for each word of ``line``."""
    try:
        raw = shlex.split(line, comments=True, posix=False)
    except ValueError:
        raw = line.split()
    out = []
    for word in raw:
        quoted = word[:1] in ("'", '"')
        read = split_words(word)
        out.append((read[0] if len(read) == 1 else word, quoted))
    return out


# Words that may stand before the executable on a command line that runs it
# (`npx -y pkg tool ...`, `npm exec --yes --package pkg -- tool ...`, `FOO=1 tool ...`).
LAUNCHER = re.compile(
    r"^(npx|npm|pnpm|yarn|bunx|uvx|pipx|exec|dlx|run|sudo|env|--|-y|--yes|--package|[A-Za-z_][A-Za-z0-9_]*=\S*|\S+@\S*)$"
)


class PackageImporter(ProseReview):
    def __init__(self, folder: Path, sources: dict[str, Source], meta: dict[str, Any]) -> None:
        self.folder = folder
        self.sources = sources
        self.meta = meta
        self.notes: list[str] = []
        self.reviewed = 0
        self.front: dict[str, Any] = {}
        self.skill_body = ""
        for name, source in sources.items():
            if name.lower().endswith("skill.md"):
                self.front, self.skill_body = frontmatter(source.text)
                break
        self.cli = self.cli_name()
        self.found = Found()

    # ---- names

    def cli_name(self) -> str:
        bins = self.meta.get("bin")
        if isinstance(bins, dict) and bins:
            name = str(next(iter(bins)))
        elif isinstance(bins, str) and isinstance(self.meta.get("name"), str):
            name = self.meta["name"].split("/")[-1]
        else:
            metadata: dict[str, Any] = self.front["metadata"] if isinstance(self.front.get("metadata"), dict) else {}
            name = str(metadata.get("cli") or self.front.get("name") or self.meta.get("name") or self.folder.name)
        return name

    def executable(self) -> Path | None:
        bins = self.meta.get("bin")
        target = None
        if isinstance(bins, dict) and bins:
            target = next(iter(bins.values()))
        elif isinstance(bins, str):
            target = bins
        if not isinstance(target, str) or self.meta.get("kind") != "npm":
            return None
        path = (self.folder / target).resolve()
        if not path.is_file() or not path.is_relative_to(self.folder.resolve()):
            return None
        return path

    # ---- invocations

    def invocations(self) -> None:
        cli = re.escape(self.cli)
        start = re.compile(rf"(?:^|[\s`(|;&]){cli}(?=\s|$)")
        for source in self.sources.values():
            if source.name == "CHANGELOG.md":
                continue
            seen_code: set[int] = set()
            for line_no, info, body in code_blocks(source.text):
                if info and info.split()[0] not in ("bash", "sh", "shell", "console", "zsh", "text", ""):
                    continue
                for line in shell_lines(body):
                    for part in re.split(r"\s*(?:\|\||&&|\||;)\s*", line):
                        self.invocation(part, start, source.name, True)
                seen_code.update(range(line_no, line_no + body.count("\n") + 2))
            for i, line in enumerate(source.lines):
                if i in seen_code:
                    continue
                for span in re.findall(r"`([^`\n]+)`", line):
                    self.invocation(span, start, source.name, True)
                listed = re.match(r"^\s*(?:[-*]|\d+[a-z]?\.)\s+(.*)$", line)
                rest = re.sub(r"`[^`\n]*`", " ", line)
                for chunk in re.split(r"(?<=[.;:,])\s+|\s+(?:and|or|then)\s+", listed.group(1) if listed else rest):
                    self.invocation(chunk, start, source.name, False)

    def invocation(self, text: str, start: re.Pattern[str], source: str, in_code: bool) -> None:
        match = start.search(text)
        if match is None:
            return
        if in_code:
            # on a command line the executable comes first, or after a launcher (npx, npm exec, VAR=1)
            before = split_words(text[: match.end() - len(self.cli)].strip(" `($"))
            if before and not all(LAUNCHER.match(word) for word in before):
                return
        pieces = raw_words(text[match.end() :].strip().rstrip(".,;:)"))
        path: list[str] = []
        for word, quoted in pieces:
            if not quoted and WORD.match(word) and not FLAG.match(word):
                path.append(word)
            else:
                break
        rest = [word for word, _ in pieces[len(path) :]]
        if not path:
            return
        if not in_code and not any(FLAG.match(w) or re.match(r"^[A-Z][A-Z0-9_]+", w) for w in rest[:1]):
            return  # running prose: only when a flag or a placeholder follows the words
        # positional words after the path that are plain words belong to prose, not argv
        argv: list[str] = []
        for word in rest:
            if word.startswith("(") or word in ("...",):
                break
            argv.append(word.strip("[]") if word.startswith("[") or word.endswith("]") else word)
        self.found.invocations.append(Invocation(" ".join(path), path + argv, source, in_code))

    # ---- commands from invocations

    def commands(self) -> tuple[list[str], dict[str, list[Invocation]]]:
        by_path: dict[str, list[Invocation]] = {}
        for inv in self.found.invocations:
            by_path.setdefault(inv.path, []).append(inv)
        # a path seen only in prose counts when code also shows it or a longer path extends it
        in_code = {p for p, invs in by_path.items() if any(i.in_code for i in invs)}
        paths = [p for p in by_path if p in in_code or any(i.argv[len(p.split()) :] for i in by_path[p])]
        # a path that is only ever followed by a lowercase positional word is a command plus its argument
        for extra in self.found.help_commands:
            if extra not in by_path:
                by_path[extra] = []
                paths.append(extra)
        ordered = sorted(dict.fromkeys(paths), key=lambda p: self.first_seen(by_path[p]))
        return ordered, by_path

    def first_seen(self, invs: list[Invocation]) -> tuple[int, int]:
        order = {name: i for i, name in enumerate(self.sources)}
        if not invs:
            return (len(order) + 1, 0)
        inv = invs[0]
        return (order.get(inv.source, 99), self.found.invocations.index(inv))

    @staticmethod
    def parse_flags(argv: list[str], words: int) -> tuple[dict[str, list[str]], list[str]]:
        """Flags (name -> values seen) and positionals of one invocation."""
        flags: dict[str, list[str]] = {}
        positionals: list[str] = []
        rest = argv[words:]
        i = 0
        while i < len(rest):
            word = rest[i]
            if word.startswith("--") and "=" in word:
                name, _, value = word.partition("=")
                if FLAG.match(name):
                    flags.setdefault(name, []).append(value)
            elif FLAG.match(word):
                following = rest[i + 1] if i + 1 < len(rest) and not rest[i + 1].startswith("-") else None
                flags.setdefault(word, [])
                if following is not None:
                    flags[word].append(following)
                    i += 1
            elif word.startswith("-") and len(word) > 1:
                pass  # one-letter flags are not described well enough to import
            else:
                positionals.append(word)
            i += 1
        return flags, positionals

    # ---- sections of cli.md and skill.md

    def command_sections(self, paths: list[str]) -> dict[str, Section]:
        """Command path -> the heading section that names exactly it (``### `cli path` ``)."""
        found: dict[str, Section] = {}
        for source in self.sources.values():
            for section in sections(source):
                title = section.title.strip("` ")
                if not title.startswith(self.cli + " "):
                    continue
                words = [w for w in title[len(self.cli) + 1 :].split() if WORD.match(w)]
                path = " ".join(words)
                while path and path not in paths:
                    path = " ".join(path.split()[:-1])
                if path and path not in found:
                    found[path] = section
        return found

    # ---- endpoints

    def endpoints(self, command_sections: dict[str, Section]) -> None:
        api_hosts: set[str] = set()
        for source in self.sources.values():
            if source.name == "CHANGELOG.md":
                continue
            for i, line in enumerate(source.lines):
                for method, target in ENDPOINT.findall(line):
                    path = self.endpoint_path(target, api_hosts)
                    if path is None:
                        continue
                    rest = line.split(target, 1)[1] if target in line else ""
                    summary = re.sub(r"^[\s`:,-]+", "", rest)
                    self.endpoint(method, path, summary, f"{source.name}:{i + 1}")
        for path, section in command_sections.items():
            for _, _, body in code_blocks(section.text):
                for line in shell_lines(body):
                    if not re.match(r"^curl\b", line):
                        continue
                    self.curl(line, path, f"{section.source} section {section.title.strip('` ')}", api_hosts)
        for source in self.sources.values():
            for _, _, body in code_blocks(source.text):
                for line in shell_lines(body):
                    if re.match(r"^curl\b", line):
                        self.curl(line, None, source.name, api_hosts)

    def endpoint_path(self, target: str, api_hosts: set[str]) -> str | None:
        if "..." in target:
            return None  # an elided example value, not a path
        if target.startswith("http"):
            parts = urlsplit(target)
            host = parts.netloc
            if api_hosts and host not in api_hosts and not host.startswith("api."):
                return None
            api_hosts.add(host)
            path = parts.path or "/"
        else:
            path = target.split("?")[0]
        path = path.rstrip(".,;:")
        segments = []
        for segment in path.split("/"):
            if re.fullmatch(r"[A-Z][A-Z0-9_]*", segment):
                segment = "{" + segment.lower() + "}"
            elif re.search(r"\.\.\.|[^A-Za-z0-9_.{}-]", segment):
                return None
            segments.append(segment)
        path = "/".join(segments) or "/"
        if not re.fullmatch(r"/[A-Za-z0-9/_.{}-]*", path) or "//" in path:
            return None
        return path

    def endpoint(self, method: str, path: str, summary: str, where: str) -> dict[str, Any]:
        key = (method, path)
        entry = self.found.endpoints.setdefault(key, {"summary": None, "where": where, "body": {}, "query": set()})
        if summary and entry["summary"] is None and len(summary) > 3:
            entry["summary"] = (summary, where)
        return entry

    def curl(self, line: str, command: str | None, where: str, api_hosts: set[str]) -> None:
        words = split_words(line)
        url = next((w for w in words if w.startswith("http")), None)
        if url is None:
            return
        path = self.endpoint_path(url.split("?")[0], api_hosts)
        if path is None:
            return
        method = "GET"
        data = None
        auth = False
        for i, word in enumerate(words):
            if word in ("-X", "--request") and i + 1 < len(words):
                method = words[i + 1].upper()
            if word in ("-d", "--data", "--data-raw", "--json") and i + 1 < len(words):
                data = words[i + 1]
                if method == "GET":
                    method = "POST"
            if word in ("-H", "--header") and i + 1 < len(words) and words[i + 1].lower().startswith("authorization"):
                auth = True
        if method not in ("GET", "POST", "PUT", "PATCH", "DELETE"):
            return
        entry = self.endpoint(method, path, "", where)
        if data:
            try:
                body = json.loads(data)
            except ValueError:
                body = None
            if isinstance(body, dict):
                for key, value in body.items():
                    entry["body"].setdefault(key, value)
        query = urlsplit(url).query
        for pair in query.split("&") if query else []:
            entry["query"].add(pair.split("=")[0])
        if auth:
            entry["auth"] = True
        if command is not None and command not in self.found.command_endpoint:
            self.found.command_endpoint[command] = (method, path)
            if auth:
                self.found.command_auth.add(command)

    # ---- codes, events, environment

    def exit_codes(self) -> list[tuple[int, str, str]]:
        found: dict[int, tuple[str, str]] = {}
        for source in self.sources.values():
            lines = source.lines
            for i, line in enumerate(lines):
                if not re.search(r"(?i)exit codes?", line) or source.name == "CHANGELOG.md":
                    continue
                for j in range(i + 1, min(i + 40, len(lines))):
                    row = lines[j]
                    if HEADING.match(row) and j > i + 1:
                        break
                    m = re.match(r"^\s*\|\s*`?(\d{1,3})`?\s*\|\s*(.+?)\s*\|?\s*$", row) or re.match(
                        r"^\s*[-*]\s+`?(\d{1,3})`?\s*[:=-]?\s+(.+)$", row
                    )
                    if m and int(m.group(1)) <= 255:
                        found.setdefault(int(m.group(1)), (m.group(2).strip(" |"), f"{source.name}:{j + 1}"))
                    elif found and not row.strip() and j > i + 2:
                        break
        return [(code, meaning, where) for code, (meaning, where) in sorted(found.items())]

    def environment(self) -> dict[str, str]:
        names: dict[str, str] = {}
        for source in self.sources.values():
            for i, line in enumerate(source.lines):
                for match in ENV_USE.finditer(line):
                    name = match.group(1)
                    exported = match.group(0).startswith("export")
                    # `$name` in lowercase is a shell variable of a snippet (a loop's `$url`), not the environment
                    if not exported and name != name.upper():
                        continue
                    if name not in SYSTEM_ENV and not name.isdigit() and len(name) > 2:
                        names.setdefault(name, f"{source.name}:{i + 1}")
        prefix = re.sub(r"[^A-Z0-9]+", "_", self.cli.upper()) + "_"
        for source in self.sources.values():
            for i, line in enumerate(source.lines):
                for name in SNAKE.findall(line):
                    if name.startswith(prefix):
                        names.setdefault(name, f"{source.name}:{i + 1}")
        return names

    def placeholders(self) -> set[str]:
        found: set[str] = set()
        for inv in self.found.invocations:
            for word in inv.argv:
                found.update(SNAKE.findall(word))
                found.update(re.findall(r"\b[A-Z][A-Z0-9]+\b", word))
        for _, path in self.found.endpoints:
            found.update(p.upper() for p in re.findall(r"{([a-z0-9_]+)}", path))
        for source in self.sources.values():
            for line in source.lines:
                for target in URL.findall(line):
                    found.update(SNAKE.findall(target))
        return found

    def error_codes(self, env: dict[str, str]) -> list[tuple[str, int | None, str, str]]:
        skip = set(env) | self.placeholders()
        found: dict[str, tuple[int | None, str, str]] = {}
        for source in self.sources.values():
            if source.name == "CHANGELOG.md":
                continue
            text = re.sub(r"(?ms)^```.*?^```", lambda m: "\n" * m.group(0).count("\n"), source.text)
            lines = text.splitlines()
            paragraphs: list[tuple[int, str]] = []
            for i, line in enumerate(lines):
                starts = not line.strip() or line.lstrip().startswith(("-", "*", "|", "#")) or i == 0
                if starts or not paragraphs or not lines[i - 1].strip():
                    paragraphs.append((i, line.strip()))
                else:
                    paragraphs[-1] = (paragraphs[-1][0], paragraphs[-1][1] + " " + line.strip())
            for i, line in paragraphs:
                for sentence in re.split(r"(?<=[.!?])\s+(?=[A-Z`])", line):
                    names = [n for n in SNAKE.findall(sentence) if n not in skip]
                    if not names or not ERROR_WORDS.search(sentence):
                        continue
                    exit_match = re.search(r"(?i)\bexit(?: code)?\s*`?(\d{1,3})`?", sentence)
                    for name in names:
                        if name not in found:
                            found[name] = (
                                int(exit_match.group(1)) if exit_match else None,
                                sentence.strip(),
                                f"{source.name}:{i + 1}",
                            )
        return [(name, *value) for name, value in found.items()]

    def events(self) -> list[dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        for source in self.sources.values():
            lines = source.lines
            for i, line in enumerate(lines):
                if not line.lstrip().startswith("|"):
                    continue
                header = [c.strip().strip("`").lower() for c in line.strip().strip("|").split("|")]
                if i + 1 >= len(lines) or not re.match(r"^\s*\|?\s*:?-{3,}", lines[i + 1]):
                    continue
                type_col = next((n for n, c in enumerate(header) if "event" in c or c == "type"), None)
                if type_col is None:
                    continue
                for row in lines[i + 2 :]:
                    if not row.lstrip().startswith("|"):
                        break
                    cells = [c.strip() for c in row.strip().strip("|").split("|")]
                    if type_col >= len(cells):
                        continue
                    kind = cells[type_col].strip("`")
                    if not EVENT.match(kind) or kind in found:
                        continue
                    event: dict[str, Any] = {"type": kind, "where": f"{source.name}:{lines.index(row) + 1}"}
                    for n, name in enumerate(header):
                        if n >= len(cells) or n == type_col:
                            continue
                        value = cells[n]
                        if "subject" in name:
                            event["subject"] = value.strip("`")
                        elif "operation" in name:
                            event["operation"] = value.strip("`")
                        elif "when" in name or "description" in name:
                            event["emitted_when"] = value
                        elif "link" in name:
                            event["links"] = [v.strip(" `") for v in value.split(",") if v.strip(" `")]
                    found[kind] = event
            for i, line in enumerate(lines):
                if not re.search(r"(?i)event (types?|registry)", line):
                    continue
                chunk = " ".join(lines[i : i + 6])
                for kind in re.findall(r"(?<![\w.@/-])[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)+(?![\w@/-]|\.\w)", chunk):
                    if (
                        EVENT.match(kind)
                        and kind not in found
                        and not re.search(r"\.(com|dev|io|org|md|txt|json)$", kind)
                    ):
                        found[kind] = {"type": kind, "where": f"{source.name}:{i + 1}"}
        return list(found.values())

    def urls(self) -> dict[str, str]:
        urls: dict[str, str] = {}
        texts = [s.text for s in self.sources.values() if s.name != "CHANGELOG.md"]
        candidates = [u.rstrip(".,;:") for text in texts for u in URL.findall(text)]
        for key, suffix in (("skill", ("/skill.md", "/SKILL.md")), ("llms", ("/llms.txt",)), ("cli", ("/cli.md",))):
            hit = next((u for u in candidates if u.endswith(suffix)), None)
            if hit:
                urls[key] = hit
        llms_full = next((u for u in candidates if u.endswith("/llms-full.txt")), None)
        if llms_full:
            urls["llms_full"] = llms_full
        homepage = self.meta.get("homepage") or self.front.get("homepage")
        if isinstance(homepage, str) and homepage.startswith("https://"):
            urls["homepage"] = homepage
        api = next(
            (
                f"https://{urlsplit(u).netloc}"
                for u in candidates
                if urlsplit(u).netloc.startswith("api.") and re.fullmatch(r"[A-Za-z0-9.-]+", urlsplit(u).netloc)
            ),
            None,
        )
        if api:
            urls["api"] = api
        repository = self.meta.get("repository")
        if isinstance(repository, dict):
            repository = repository.get("url")
        if isinstance(repository, str):
            repository = re.sub(r"^git\+", "", repository)
            repository = re.sub(r"\.git$", "", repository)
            if repository.startswith("https://"):
                urls["repository"] = repository
        return {
            k: v for k, v in urls.items() if re.match(r"^https://[A-Za-z0-9.-]+(?::\d+)?(?:/[^\s\"'<>()\\^`{|}]*)?$", v)
        }

    def install(self) -> list[dict[str, Any]]:
        snippets: list[dict[str, Any]] = []
        seen: set[str] = set()
        for source in self.sources.values():
            if source.name == "CHANGELOG.md":
                continue
            for _, _, body in code_blocks(source.text):
                lines = shell_lines(body)
                if not lines or not INSTALLERS.search(lines[0] + "\n"):
                    continue
                # the installing lines (and a first check right after them), not a whole walk-through
                keep = 1
                while keep < len(lines) and INSTALLERS.search(lines[keep] + "\n"):
                    keep += 1
                lines = lines[: keep + 1] if keep < len(lines) else lines
                command = "\n".join(lines)
                if command in seen or len(snippets) >= 8:
                    continue
                seen.add(command)
                first = split_words(lines[0])[:3]
                kind = "skill" if "skills" in first else "client"
                snippet_id = kebab(" ".join(first))[:60] or "install"
                while snippet_id in {s["id"] for s in snippets}:
                    snippet_id += "-2"
                snippets.append(
                    {
                        "id": snippet_id,
                        "title": f"Run `{' '.join(first)}`"[:200],
                        "kind": kind,
                        "command": command,
                    }
                )
        return snippets

    def changelog(self) -> list[dict[str, Any]]:
        source = self.sources.get("CHANGELOG.md")
        entries: list[dict[str, Any]] = []
        if source is None:
            return entries
        for section in sections(source):
            m = re.match(
                r"^\[?v?(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)\]?\s*(?:[-–—(]\s*)?(\d{4}-\d{2}-\d{2})?", section.title
            )
            if not m or not SEMVER.match(m.group(1)):
                continue
            items = []
            for item in re.split(r"(?m)^\s*[-*]\s+", section.text)[1:]:
                text = " ".join(item.split())
                text = re.split(r"\s+(?=#+ )", text)[0]
                if text:
                    items.append(text)
            if not items:
                continue
            date = m.group(2)
            entries.append(
                {
                    "version": m.group(1),
                    "date": _dt.date.fromisoformat(date) if date else None,
                    "items": items,
                    "where": f"{source.name}:{section.start + 1}",
                }
            )
        return entries

    # ---- --help

    def run_help(self, paths: list[str]) -> None:
        exe = self.executable()
        if exe is None:
            return
        argv0 = [exe.as_posix()]
        if exe.suffix in (".js", ".mjs", ".cjs"):
            node = shutil.which("node")
            if node is None:
                self.notes.append(f"{exe.name} needs node, which is not installed: its --help was not read")
                return
            argv0 = [node, exe.as_posix()]
        elif not os.access(exe, os.X_OK):
            self.notes.append(f"{exe.name} is not executable: its --help was not read")
            return
        top = self.help([*argv0, "--help"])
        if top is None:
            return
        for line in top.splitlines():
            m = re.match(r"^\s{2,}([a-z][a-z0-9-]*(?: [a-z][a-z0-9-]*)*)\s{2,}\S", line)
            if m and m.group(1) not in paths:
                self.found.help_commands.append(m.group(1))
        self.found.help_flags[""] = self.help_flags(top)
        for path in list(dict.fromkeys(paths + self.found.help_commands))[:60]:
            out = self.help([*argv0, *path.split(), "--help"])
            if out is not None and out != top:
                self.found.help_flags[path] = self.help_flags(out)

    @staticmethod
    def help_flags(text: str) -> dict[str, bool]:
        flags: dict[str, bool] = {}
        for m in re.finditer(r"(--[a-z0-9][a-z0-9-]*)(?:[ =]([A-Z<\[][A-Za-z_<>\[\]-]*))?", text):
            flags.setdefault(m.group(1), m.group(2) is not None)
        return flags

    def help(self, argv: list[str]) -> str | None:
        home = tempfile.mkdtemp(prefix="skillpress-import-")
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": home,
            "XDG_CONFIG_HOME": home,
            "NO_COLOR": "1",
            "http_proxy": "http://127.0.0.1:9",
            "https_proxy": "http://127.0.0.1:9",
            "HTTP_PROXY": "http://127.0.0.1:9",
            "HTTPS_PROXY": "http://127.0.0.1:9",
            "NO_PROXY": "",
        }
        command = argv
        unshare = shutil.which("unshare")
        if unshare and _can_unshare(unshare):
            command = [unshare, "--net", "--", *argv]
        try:
            done = subprocess.run(
                command,
                cwd=home,
                env=env,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                timeout=5,
                check=False,
            )
        except subprocess.TimeoutExpired:
            self.notes.append(f"`{' '.join(argv[-3:])}` did not finish within 5 seconds")
            return None
        except OSError as exc:
            self.notes.append(f"`{' '.join(argv[-3:])}` could not run: {exc.strerror or exc}")
            return None
        finally:
            shutil.rmtree(home, ignore_errors=True)
        text = (done.stdout + b"\n" + done.stderr).decode("utf-8", errors="replace")[:200_000]
        return text if text.strip() else None

    # ---- the draft

    def run(self, run_help: bool) -> Draft:
        self.invocations()
        paths, by_path = self.commands()
        if run_help:
            self.run_help(paths)
            paths, by_path = self.commands()
        command_sections = self.command_sections(paths)
        self.endpoints(command_sections)
        env = self.environment()
        if not paths:
            raise ImportFailed(
                "no commands found",
                [
                    Diagnostic(
                        str(self.folder),
                        1,
                        1,
                        Severity.ERROR,
                        "package-empty",
                        "",
                        f"no invocation of `{self.cli}` was found in the package's files",
                    )
                ],
            )

        # flags per command
        per_command: dict[str, dict[str, dict[str, Any]]] = {}
        positionals: dict[str, list[list[str]]] = {}
        for path in paths:
            flags: dict[str, dict[str, Any]] = {}
            words = len(path.split())
            positionals[path] = []
            for inv in by_path.get(path, []):
                seen, pos = self.parse_flags(inv.argv, words)
                if inv.in_code:
                    positionals[path].append(pos)
                for name, values in seen.items():
                    entry = flags.setdefault(name, {"values": [], "bare": False})
                    if inv.in_code:
                        entry["values"] += values
                        entry["bare"] = entry["bare"] or not values
                        entry["repeatable"] = entry.get("repeatable", False) or len(values) > 1
                    else:  # running prose: only values that cannot be ordinary words
                        entry["values"] += [v for v in values if PROSE_VALUE.fullmatch(v)]
            for name, takes in self.found.help_flags.get(path, {}).items():
                entry = flags.setdefault(name, {"values": [], "bare": not takes, "help": True})
            section = command_sections.get(path)
            if section is not None:
                for name in re.findall(r"`(--[a-z0-9][a-z0-9-]*)", section.text):
                    if name not in flags:
                        flags[name] = {"values": [], "bare": True, "mentioned": f"{section.source} {section.title}"}
            per_command[path] = flags
        uses: dict[str, int] = {}
        for flags in per_command.values():
            for name in flags:
                uses[name] = uses.get(name, 0) + 1
        threshold = max(3, (len(paths) + 1) // 2)
        global_names = sorted(n for n, c in uses.items() if c >= threshold)
        global_names += [n for n in self.found.help_flags.get("", {}) if n not in global_names and n != "--help"]
        global_flags = []
        for name in global_names:
            merged = {"values": [], "bare": False}
            for flags in per_command.values():
                if name in flags:
                    merged["values"] += flags[name]["values"]
                    merged["bare"] = merged["bare"] or flags[name]["bare"]
                    del flags[name]
            if name in ("--help",):
                continue
            global_flags.append(self.flag(name, merged, "global"))

        commands: list[dict[str, Any]] = []
        for path in paths:
            commands.append(
                self.command(path, per_command[path], positionals[path], by_path.get(path, []), command_sections)
            )

        endpoints, endpoint_ids = self.endpoint_entries()
        used = set()
        for command in commands:
            key = self.found.command_endpoint.get(command["path"])
            by_name = False
            if key is None or key not in endpoint_ids:
                key = self.match_by_name(command, list(endpoint_ids))
                by_name = key is not None
            if key is not None and key in endpoint_ids:
                command["endpoint"] = (
                    Noted(endpoint_ids[key], "TODO: matched to this endpoint by its name only; check it")
                    if by_name
                    else endpoint_ids[key]
                )
                used.add(endpoint_ids[key])
                if by_name and self.found.endpoints.get(key, {}).get("auth"):
                    self.found.command_auth.add(command["path"])
                if command["path"] in self.found.command_auth:
                    command["auth"] = "required"
                self.fields(command, endpoints[[e["id"] for e in endpoints].index(endpoint_ids[key])])
            else:
                command["surface"] = "local"
                command["description"] = todo("which endpoint this command calls (none was found next to it)")
            order = ["path", "summary", "description", "surface", "auth", "endpoint", "arguments", "flags", "examples"]
            ordered = {key: command[key] for key in order if key in command}
            ordered.update({key: value for key, value in command.items() if key not in ordered})
            command.clear()
            command.update(ordered)
        for endpoint in endpoints:
            if endpoint["id"] not in used:
                endpoint["api_only"] = True

        exit_codes = self.exit_code_entries()
        error_codes = self.error_code_entries(env, {e["code"] for e in exit_codes})
        for command in commands:
            command["exit_codes"] = [e["code"] for e in exit_codes]
        events = self.event_entries()
        environment = self.environment_entries(env)
        product = self.product()
        changelog = self.changelog_entries(product)
        skills = self.skill_entries(product, paths)

        data: dict[str, Any] = {"spec_version": 1, "product": product}
        install = self.install()
        if install:
            data["install"] = install
        if environment:
            data["environment"] = environment
        if global_flags:
            data["global_flags"] = global_flags
        data["commands"] = commands
        if endpoints:
            data["endpoints"] = endpoints
        data["envelopes"] = self.envelopes()
        data["exit_codes"] = exit_codes
        if error_codes:
            data["error_codes"] = error_codes
        if events:
            data["events"] = events
        data["changelog"] = changelog
        data["skills"] = skills
        counts = {
            "commands": len(commands),
            "flags": sum(len(c.get("flags", [])) for c in commands) + len(global_flags),
            "endpoints": len(endpoints),
            "exit codes": len(exit_codes),
            "error codes": len(error_codes),
            "event types": len(events),
            "environment variables": len(environment),
            "install snippets": len(install),
            "changelog entries": len(changelog),
            "examples": sum(len(c.get("examples", [])) for c in commands),
            "prose passages for review": self.reviewed,
        }
        self.notes.append(
            "protocol (credential, replies, retries) is not stated in a form an import can read: add `protocol:`"
        )
        header = (
            f"Draft spec imported from the package in {self.folder.name}/ by `skillpress import package`.\n"
            "Values starting with TODO need a person (`skillpress validate` lists them); text after a\n"
            "`# review:` comment is the package's own wording, carried over for its maintainer."
        )
        return Draft(data=data, source=str(self.folder), header=header, found=counts, notes=self.notes)

    # ---- pieces

    def flag(self, name: str, seen: dict[str, Any], where: str) -> dict[str, Any]:
        values = [v for v in seen["values"] if not re.fullmatch(r"[A-Z][A-Z0-9_]*", v)]
        flag: dict[str, Any] = {"name": name}
        choices: list[str] = []
        for value in seen["values"]:
            if re.fullmatch(r"[a-z0-9_.-]+(\|[a-z0-9_.-]+)+", value):
                choices += value.split("|")
        if not seen["values"] and seen["bare"]:
            kind = "boolean"
        elif values and all(re.fullmatch(r"-?\d+", v) for v in values):
            kind = "integer"
        elif values and all(re.fullmatch(r"-?\d+(\.\d+)?", v) for v in values):
            kind = "number"
        else:
            kind = "string"
        if kind != "string":
            flag["type"] = kind
        summary = (
            f"Mentioned in {seen['mentioned']}; TODO: say what it does and whether it takes a value."
            if seen.get("mentioned")
            else todo("say what this flag does")
        )
        flag["summary"] = summary[:290]
        placeholders = [v for v in seen["values"] if re.fullmatch(r"[A-Z][A-Z0-9_]*", v)]
        if kind != "boolean":
            flag["value_name"] = placeholders[0] if placeholders else upper_snake(name)[:40]
        if choices:
            flag["choices"] = list(dict.fromkeys(choices))
        if seen.get("repeatable") and kind != "boolean":
            flag["repeatable"] = True
        return flag

    def command(
        self,
        path: str,
        flags: dict[str, dict[str, Any]],
        positionals: list[list[str]],
        invocations: list[Invocation],
        command_sections: dict[str, Section],
    ) -> dict[str, Any]:
        section = command_sections.get(path)
        summary = None
        if section is not None:
            paragraph = next(
                (p for p in re.split(r"\n\s*\n", section.text) if p.strip() and not p.startswith("```")), ""
            )
            summary = self.prose(paragraph, f"{section.source} {section.title.strip()}")
        command: dict[str, Any] = {"path": path, "summary": summary or todo("say what this command does")}
        counts = [len(p) for p in positionals] or [0]
        most = max(counts)
        if most:
            arguments: list[dict[str, Any]] = []
            for i in range(min(most, 3)):
                names = [p[i] for p in positionals if len(p) > i and re.fullmatch(r"[A-Z][A-Z0-9_]*", p[i])]
                name = names[0] if names else ("ARG" if i == 0 else f"ARG{i + 1}")
                if name in {a["name"] for a in arguments}:
                    name = f"{name}_{i + 1}"
                arguments.append(
                    {
                        "name": name,
                        "summary": todo(f"what {name} is"),
                        "required": min(counts) > i,
                    }
                )
            command["arguments"] = arguments
        if flags:
            command["flags"] = [self.flag(name, seen, path) for name, seen in flags.items()]
        examples: list[dict[str, Any]] = []
        seen_argv: set[tuple[str, ...]] = set()
        for inv in invocations:
            argv = tuple(inv.argv)
            if argv in seen_argv or len(examples) >= 4 or not inv.in_code:
                continue
            seen_argv.add(argv)
            examples.append({"argv": list(argv), "shows": f"An invocation shown in {inv.source}."})
        if examples:
            command["examples"] = examples
        return command

    def endpoint_entries(self) -> tuple[list[dict[str, Any]], dict[tuple[str, str], str]]:
        endpoints = []
        ids: dict[tuple[str, str], str] = {}
        taken: set[str] = set()
        paths_seen: dict[str, int] = {}
        for _, path in self.found.endpoints:
            paths_seen[path] = paths_seen.get(path, 0) + 1
        templates = [
            (m, re.compile("^" + re.sub(r"\\{[A-Za-z0-9_]+\\}", "[^/]+", re.escape(p)) + "$"))
            for m, p in self.found.endpoints
            if "{" in p
        ]
        for method, path in list(self.found.endpoints):
            if "{" not in path and any(m == method and t.match(path) for m, t in templates):
                del self.found.endpoints[(method, path)]  # a concrete example of a templated path
        for (method, path), entry in self.found.endpoints.items():
            words = [
                w for w in path.replace("{", "by-").replace("}", "").split("/") if w and not re.fullmatch(r"v\d+", w)
            ]
            base = kebab(" ".join(words)) or "root"
            if paths_seen[path] > 1:
                base = f"{method.lower()}-{base}"
            endpoint_id = base[:120]
            n = 2
            while endpoint_id in taken:
                endpoint_id = f"{base}-{n}"
                n += 1
            taken.add(endpoint_id)
            ids[(method, path)] = endpoint_id
            summary = None
            if entry["summary"]:
                text, where = entry["summary"]
                summary = self.prose(text, where)
            endpoint: dict[str, Any] = {
                "id": endpoint_id,
                "method": method,
                "path": path,
                "summary": summary or todo(f"what {method} {path} does"),
            }
            if entry.get("auth"):
                endpoint["auth"] = "required"
            params = re.findall(r"{([A-Za-z_][A-Za-z0-9_]*)}", path)
            if params:
                endpoint["path_params"] = [{"name": p, "required": True} for p in params]
            query = sorted(q for q in entry["query"] if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", q))
            if query:
                endpoint["query"] = [{"name": q} for q in query]
            body = []
            for key, value in entry["body"].items():
                if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key):
                    spec: dict[str, Any] = {"name": key}
                    kind = _json_type(value)
                    if kind != "string":
                        spec["type"] = kind
                    body.append(spec)
            if body:
                endpoint["body"] = body
            endpoints.append(endpoint)
        return endpoints, ids

    @staticmethod
    def match_by_name(command: dict[str, Any], keys: list[tuple[str, str]]) -> tuple[str, str] | None:
        """The one endpoint whose path names the command's first word (``notes show`` and
        ``GET /v1/notes/{id}``), taking a path parameter exactly when the command takes an
        argument; ``None`` when there is not exactly one."""

        def stem(word: str) -> str:
            return word[:-1] if word.endswith("s") and len(word) > 3 else word

        first = stem(command["path"].split()[0])
        wants_param = bool(command.get("arguments"))
        found = []
        for method, path in keys:
            segments = [seg for seg in path.split("/") if seg and not re.fullmatch(r"v\d+", seg)]
            static = [seg for seg in segments if not seg.startswith("{")]
            words = {stem(w) for seg in static for w in seg.split("-")}
            if first in words and len(static) == 1:
                found.append((method, path))
        fitting = [key for key in found if ("{" in key[1]) == wants_param]
        if len(fitting) == 1:
            return fitting[0]
        return found[0] if len(found) == 1 else None

    def fields(self, command: dict[str, Any], endpoint: dict[str, Any]) -> None:
        """Point a command's flags at its endpoint's fields where the names agree (``--a-b`` and ``a_b``)."""
        names = {f["name"] for f in endpoint.get("body", []) + endpoint.get("query", [])}
        for flag in command.get("flags", []):
            snake = flag["name"][2:].replace("-", "_")
            if snake in names:
                flag["field"] = snake

    def exit_code_entries(self) -> list[dict[str, Any]]:
        entries = []
        names: set[str] = set()
        for code, meaning, where in self.exit_codes():
            name = kebab(meaning)[:40].strip("-") or f"exit-{code}"
            while name in names:
                name = f"{name}-{code}"
            names.add(name)
            entries.append({"code": code, "name": name, "meaning": self.prose(meaning, where)})
        if not any(e["code"] == 0 for e in entries):
            entries.insert(0, {"code": 0, "name": "success", "meaning": "The command did what was asked."})
            self.notes.append("no exit code table was found: only 0 is declared")
        if len(entries) == 1:
            entries.append({"code": 1, "name": "failure", "meaning": todo("say when the executable exits 1")})
        return entries

    def error_code_entries(self, env: dict[str, str], exit_codes: set[int]) -> list[dict[str, Any]]:
        entries = []
        fallback = 1 if 1 in exit_codes else max(exit_codes)
        for name, exit_code, sentence, where in self.error_codes(env):
            entry: dict[str, Any] = {"code": name}
            if exit_code is not None and exit_code in exit_codes:
                entry["exit_code"] = exit_code
            else:
                entry["exit_code"] = Noted(fallback, "TODO: the exit code was not stated; check it")
            entry["meaning"] = self.prose(sentence, where) or todo("say what this error means")
            entries.append(entry)
        return entries

    def event_entries(self) -> list[dict[str, Any]]:
        entries = []
        for event in self.events():
            kind = event["type"]
            subject = kebab(event.get("subject") or kind.split(".")[0]) or "subject"
            operations = [kebab(o) for o in re.split(r"[/,]", event.get("operation") or "") if kebab(o)]
            entry: dict[str, Any] = {
                "type": kind,
                "subject": subject,
                "operation": operations[0] if operations else kind.split(".")[-1].replace("_", "-"),
            }
            if len(operations) > 1:
                entry["other_operations"] = operations[1:]
            entry["emitted_when"] = self.prose(event.get("emitted_when"), event["where"]) or todo(
                "say when this event is recorded"
            )
            links = [link for link in event.get("links", []) if re.fullmatch(r"[A-Za-z0-9_.-]+", link)]
            if links:
                entry["links"] = links
            entries.append(entry)
        return entries

    def environment_entries(self, env: dict[str, str]) -> list[dict[str, Any]]:
        entries = []
        roles: set[str] = set()
        for name, where in env.items():
            role = "other"
            upper = name.upper()
            if re.search(r"TOKEN|API_KEY|SECRET", upper):
                role = "token" if "token" not in roles else "token-fallback"
            elif re.search(r"(API_)?BASE_URL|API_URL", upper):
                role = "api-base-url"
            elif "CONFIG_PATH" in upper:
                role = "config-path"
            if role in roles and role != "token-fallback":
                role = "other"
            roles.add(role)
            entry: dict[str, Any] = {"name": name, "role": role}
            if role.startswith("token"):
                entry["secret"] = True
            entry["purpose"] = todo(f"say what {name} does (first seen at {where})")
            entries.append(entry)
        return entries

    def product(self) -> dict[str, Any]:
        name = self.meta.get("name") or self.front.get("name") or self.cli
        product_id = kebab(str(name).split("/")[-1]) or "product"
        title_match = re.search(r"(?m)^#\s+(.+)$", self.skill_body or "")
        title = one_line(title_match.group(1), 120) if title_match else product_id
        version = str(self.meta.get("version") or "")
        urls = self.urls()
        description = self.meta.get("description") or self.front.get("description")
        paragraphs = [
            p.strip()
            for p in re.split(r"\n\s*\n", re.sub(r"(?m)^#.*$", "", self.skill_body))
            if p.strip() and not p.strip().startswith(("```", "|", "-"))
        ]
        long_text = "\n\n".join(paragraphs[:2]) if paragraphs else None
        skill_description = self.front.get("description")
        product: dict[str, Any] = {
            "id": product_id[:64],
            "name": title or product_id,
            "version": version if SEMVER.match(version) else "0.1.0",
            "summary": self.prose(description, "package description") or todo("one line on what the product does"),
            "descriptions": {
                "short": self.prose(description, "package description") or todo("one sentence for listings"),
                "long": self.prose(long_text, "skill.md introduction", line=False)
                or todo("a paragraph on what it is and for whom"),
                "skill": self.prose(skill_description, "skill frontmatter description", line=False)
                if isinstance(skill_description, str) and len(skill_description) <= 1024
                else todo("when an agent should use the skill"),
            },
            "urls": {
                "homepage": urls.get("homepage", "https://TODO.invalid/"),
                "skill": urls.get("skill", "https://TODO.invalid/skill.md"),
                "llms": urls.get("llms", "https://TODO.invalid/llms.txt"),
                "cli": urls.get("cli", "https://TODO.invalid/cli.md"),
                "api": urls.get("api", "https://TODO.invalid"),
            },
            "cli_name": kebab(self.cli) or product_id,
        }
        for key in ("llms_full", "repository"):
            if key in urls:
                product["urls"][key] = urls[key]
        if not SEMVER.match(version):
            self.notes.append(f"no semantic version found (got {version!r}): the draft says 0.1.0")
        license_ = self.meta.get("license")
        if isinstance(license_, str) and license_.strip() and "\n" not in license_:
            product["license"] = license_.strip()[:200]
        keywords = [kebab(k) for k in self.meta.get("keywords") or [] if isinstance(k, str) and kebab(k)]
        if keywords:
            product["keywords"] = list(dict.fromkeys(keywords))[:20]
        return product

    def changelog_entries(self, product: dict[str, Any]) -> list[dict[str, Any]]:
        entries = []
        for entry in self.changelog():
            date = entry["date"]
            item: dict[str, Any] = {
                "version": entry["version"],
                "date": date if date is not None else Noted(today(), "TODO: the changelog gives no date"),
                "items": [review(text, entry["where"]) for text in entry["items"]],
            }
            self.reviewed += len(entry["items"])
            entries.append(item)
        versions = [e["version"] for e in entries]
        if product["version"] not in versions:
            entries.insert(
                0, {"version": product["version"], "date": today(), "items": [todo("say what this version changed")]}
            )
        return entries

    def skill_entries(self, product: dict[str, Any], paths: list[str]) -> list[dict[str, Any]]:
        name: str = self.front["name"] if isinstance(self.front.get("name"), str) else product["id"]
        if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", name) or len(name) > 64:
            name = product["id"]
        sections_out = []
        skill_source = next((s for n, s in self.sources.items() if n.lower().endswith("skill.md")), None)
        placed: set[str] = set()
        if skill_source is not None:
            for section in sections(skill_source):
                if section.level != 2:
                    continue
                mentioned = [
                    p
                    for p in sorted(paths, key=len, reverse=True)
                    if re.search(rf"{re.escape(self.cli)} {re.escape(p)}\b", section.text) and p not in placed
                ]
                placed.update(mentioned)
                title = one_line(section.title, 120)
                if not title:
                    continue
                entry: dict[str, Any] = {"title": title}
                paragraph = next(
                    (
                        p.strip()
                        for p in re.split(r"\n\s*\n", section.text)
                        if p.strip() and not p.lstrip().startswith(("```", "|", "#", "-", "*", "~~~"))
                    ),
                    None,
                )
                body = self.prose(paragraph, f"{skill_source.name} section {title}", line=False)
                if body is not None:
                    entry["body"] = body
                if mentioned:
                    entry["commands"] = sorted(mentioned, key=paths.index)
                sections_out.append(entry)
        rest = [p for p in paths if p not in placed]
        if rest:
            sections_out.append({"title": "Other commands", "commands": rest})
        description = self.front.get("description")
        return [
            {
                "name": name,
                "canonical": True,
                "description": self.prose(description, "skill frontmatter description", line=False)
                if isinstance(description, str) and 0 < len(description) <= 1024
                else todo("what the skill does and when to use it"),
                "sections": sections_out,
            }
        ]

    def envelopes(self) -> Any:
        """The JSON shapes the client prints, from a documented example that has ``ok``/``error`` keys."""
        success: dict[str, Any] | None = None
        error: dict[str, Any] | None = None
        for source in self.sources.values():
            for _, _, body in code_blocks(source.text):
                text = body.strip()
                if not text.startswith("{"):
                    continue
                try:
                    value = json.loads(text)
                except ValueError:
                    continue
                if not isinstance(value, dict) or "ok" not in value:
                    continue
                if value.get("ok") is True and success is None:
                    success = value
                elif value.get("ok") is False and error is None:
                    error = value

        def shape(example: dict[str, Any] | None, what: str) -> dict[str, Any]:
            if example is None:
                return {
                    "fields": [{"name": "ok", "type": "boolean", "description": todo(f"the {what} reply")}],
                    "example": {},
                }
            fields = [
                {"name": k, "type": _json_type(v)} if _json_type(v) != "string" else {"name": k}
                for k, v in example.items()
                if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", k)
            ]
            return {"fields": fields, "example": example}

        return {"success": shape(success, "success"), "error": shape(error, "error")}


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    if value is None:
        return "null"
    return "string"


_UNSHARE_OK: dict[str, bool] = {}


def _can_unshare(unshare: str) -> bool:
    """True when ``unshare --net`` works here (root, or user namespaces allowed)."""
    if unshare not in _UNSHARE_OK:
        try:
            done = subprocess.run(
                [unshare, "--net", "--", "true"], capture_output=True, timeout=5, check=False, stdin=subprocess.DEVNULL
            )
            _UNSHARE_OK[unshare] = done.returncode == 0
        except (OSError, subprocess.TimeoutExpired):
            _UNSHARE_OK[unshare] = False
    return _UNSHARE_OK[unshare]


def import_package(folder: Path, *, run_help: bool = True) -> Draft:
    """A draft spec from the hand-kept package in ``folder``."""
    sources, meta = read_package(Path(folder))
    return PackageImporter(Path(folder), sources, meta).run(run_help)
